//! BIND's `$GENERATE range lhs [ttl] [class] type rhs`: one record per value of the range,
//! `$` in lhs and rhs replaced by the value, `${offset,width,base}` by the value plus
//! offset, zero-padded to width, in base d, o, x, X, n or N (n and N: the value's hex
//! digits as reversed nibble labels, as for ip6.arpa), `\$` by a plain `$`. BIND has no
//! bound on the range; nsync reads at most [`MAX_GENERATED`] records from one.

/// The most records one `$GENERATE` may make.
pub const MAX_GENERATED: u64 = 65_536;

/// The values of `start-stop[/step]`.
pub fn range(text: &str) -> Result<Vec<u64>, String> {
    let bad = || format!("`{text}` is not a $GENERATE range (start-stop or start-stop/step)");
    let (span, step) = match text.split_once('/') {
        Some((span, step)) => (span, step.parse::<u64>().map_err(|_| bad())?),
        None => (text, 1),
    };
    let (start, stop) = span.split_once('-').ok_or_else(bad)?;
    let (start, stop): (u64, u64) = (
        start.parse().map_err(|_| bad())?,
        stop.parse().map_err(|_| bad())?,
    );
    if step == 0 || start > stop {
        return Err(bad());
    }
    let count = (stop - start) / step + 1;
    if count > MAX_GENERATED {
        return Err(format!(
            "$GENERATE {text} would make {count} records; nsync reads at most {MAX_GENERATED} from one"
        ));
    }
    Ok((start..=stop).step_by(step as usize).collect())
}

/// `template` with the value `n` put in.
pub fn expand(template: &str, n: u64) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'$') => {
                chars.next();
                out.push('$');
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                let spec: String = chars.by_ref().take_while(|c| *c != '}').collect();
                out.push_str(&modified(&spec, n)?);
            }
            '$' => out.push_str(&n.to_string()),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// `${offset[,width[,base]]}`.
fn modified(spec: &str, n: u64) -> Result<String, String> {
    let bad = || format!("`${{{spec}}}` is not a $GENERATE modifier (offset,width,base)");
    let mut parts = spec.split(',');
    let offset: i64 = parts
        .next()
        .unwrap_or("0")
        .trim()
        .parse()
        .map_err(|_| bad())?;
    let width: usize = match parts.next() {
        Some(w) => w.trim().parse().map_err(|_| bad())?,
        None => 0,
    };
    let base = parts.next().map(str::trim).unwrap_or("d");
    let value = (n as i64)
        .checked_add(offset)
        .filter(|v| *v >= 0)
        .ok_or_else(bad)? as u64;
    Ok(match base {
        "d" => format!("{value:0width$}"),
        "o" => format!("{value:0width$o}"),
        "x" => format!("{value:0width$x}"),
        "X" => format!("{value:0width$X}"),
        "n" | "N" => {
            let hex = if base == "n" {
                format!("{value:0width$x}")
            } else {
                format!("{value:0width$X}")
            };
            let labels: Vec<String> = hex.chars().rev().map(|c| c.to_string()).collect();
            labels.join(".")
        }
        _ => return Err(bad()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_modifiers_as_bind_documents_them() {
        assert_eq!(range("1-4").unwrap(), [1, 2, 3, 4]);
        assert_eq!(range("0-10/5").unwrap(), [0, 5, 10]);
        assert!(range("5-1").is_err());
        assert!(range("0-1000000").unwrap_err().contains("at most"));
        assert_eq!(expand("host$", 7).unwrap(), "host7");
        assert_eq!(expand("h${0,3,d}", 7).unwrap(), "h007");
        assert_eq!(expand("${-1}", 7).unwrap(), "6");
        assert_eq!(expand("${0,2,x}", 255).unwrap(), "ff");
        assert_eq!(expand("${0,4,n}", 0x1a).unwrap(), "a.1.0.0");
        assert_eq!(expand("cost\\$5", 1).unwrap(), "cost$5");
        assert!(expand("${x}", 1).is_err());
    }
}
