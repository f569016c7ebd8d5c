//! Reads RFC 1035 master files (§5.1) into the zone model exactly as BIND reads them, with
//! file:line:column on every problem. Written for nsync rather than taken from hickory's
//! parser, which has no line numbers, lets an `$INCLUDE`d `$ORIGIN` leak into the
//! including file, rejects `$INCLUDE file origin`, and reads `a\.b` as two labels.
//!
//! `$INCLUDE` reads only what [`ReadPolicy`] allows (see `source`): a zone file is input
//! from a pull request, and must not be able to read the CI job's environment.

use std::path::{Path, PathBuf};

use hickory_proto::rr::{Name, RecordType};

use super::lexer::{self, Entry, Token};
use super::source::{ReadPolicy, read_source, show_path};
use crate::builder::{Owner, Pos, ZoneBuilder, ZoneRead};
use crate::diag::{Diagnostic, LineIndex, Location, excerpt};
use crate::name::{NAME_HINT, NameSyntax, parse_name_in};
use crate::rdata::{hint, parse_rdata, parse_type, supported_list};
use crate::zone::{TTL_HINT, parse_ttl, parse_ttl_as_bind};

/// How deep `$INCLUDE` may nest. BIND has no limit but the file descriptors; a chain this
/// deep is a mistake, and the message says it is the depth, not a loop.
pub const MAX_INCLUDE_DEPTH: usize = 16;

/// What carries from one entry to the next (RFC 1035 §5.1); an `$INCLUDE` gets a copy,
/// and after it the including file's origin and owner are as before (RFC 1035 §5.1), but
/// the TTLs are what the included file left: BIND keeps the default and last TTL of the
/// whole load, so a `$TTL` inside an include stays in force after it.
#[derive(Clone)]
struct State {
    origin: Name,
    default_ttl: Option<u32>,
    last_owner: Option<Owner>,
    /// The owner as last written, so that the next record with the same text reuses it.
    last_owner_text: String,
    /// A `$ORIGIN` came since the last record: a blank-owner line now inherits an owner
    /// under the old origin (BIND warns of it).
    owner_after_origin: bool,
    last_ttl: Option<u32>,
}

/// What the reading of one zone shares across its files.
struct Reader<'p> {
    policy: &'p ReadPolicy,
    /// Files at least this large are read by two threads ([`SPLIT_FROM_OCTETS`]).
    split_from: usize,
    /// The canonical paths of the files being read, outermost first: a loop is a file
    /// that is already on this stack.
    stack: Vec<PathBuf>,
}

/// Reads the master file at `path` for the zone `origin`, and the files it includes,
/// under `policy`.
pub fn read_master_file(path: &Path, origin: &Name, policy: &ReadPolicy) -> ZoneRead {
    let mut builder = ZoneBuilder::new(origin.clone());
    match read_source(path, policy) {
        Ok((text, real)) => {
            let mut reader = Reader {
                policy,
                split_from: SPLIT_FROM_OCTETS,
                stack: vec![real],
            };
            read_text(
                &mut builder,
                &mut reader,
                path,
                &text,
                &mut new_state(origin),
            );
        }
        Err(e) => builder.report(
            Diagnostic::error(
                Location::file(path),
                format!("cannot read zone file: {}", e.message),
            )
            .with_hint(e.hint),
        ),
    }
    builder.finish()
}

/// Reads master file text (already in memory) for the zone `origin`; `path` names it in
/// diagnostics and anchors relative `$INCLUDE`s, which stay inside `path`'s folder.
pub fn parse_master_text(path: &Path, text: &str, origin: &Name) -> ZoneRead {
    parse_master_text_with(path, text, origin, &ReadPolicy::beside(path))
}

/// [`parse_master_text`] with `$INCLUDE`s read under `policy`.
pub fn parse_master_text_with(
    path: &Path,
    text: &str,
    origin: &Name,
    policy: &ReadPolicy,
) -> ZoneRead {
    parse_split(path, text, origin, policy, SPLIT_FROM_OCTETS)
}

/// [`parse_master_text_with`], reading files from `split_from` octets in two halves.
fn parse_split(
    path: &Path,
    text: &str,
    origin: &Name,
    policy: &ReadPolicy,
    split_from: usize,
) -> ZoneRead {
    let mut builder = ZoneBuilder::new(origin.clone());
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut reader = Reader {
        policy,
        split_from,
        stack: vec![real],
    };
    read_text(
        &mut builder,
        &mut reader,
        path,
        text,
        &mut new_state(origin),
    );
    builder.finish()
}

fn new_state(origin: &Name) -> State {
    State {
        origin: origin.to_lowercase(),
        default_ttl: None,
        last_owner: None,
        last_owner_text: String::new(),
        owner_after_origin: false,
        last_ttl: None,
    }
}

/// A zone file at least this large is read by two threads, one half each: the
/// machines nsync runs on have two cores or more, and a zone of a million rrsets is read
/// in about half the time.
const SPLIT_FROM_OCTETS: usize = 4 << 20;

fn read_text(
    builder: &mut ZoneBuilder,
    reader: &mut Reader<'_>,
    path: &Path,
    text: &str,
    state: &mut State,
) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if text.len() >= reader.split_from
        && cores > 1
        && let Some(split) = split_point(text, state)
    {
        let second_reader = Reader {
            policy: reader.policy,
            split_from: usize::MAX,
            stack: reader.stack.clone(),
        };
        let second = std::thread::scope(|scope| {
            let (origin, mut second_state) = (builder.origin().clone(), split.state);
            let worker = scope.spawn(move || {
                let mut second = ZoneBuilder::new(origin);
                let mut second_reader = second_reader;
                let range = (split.offset, split.line);
                read_range(
                    &mut second,
                    &mut second_reader,
                    path,
                    text,
                    range,
                    &mut second_state,
                );
                second
            });
            read_range(builder, reader, path, &text[..split.offset], (0, 1), state);
            worker.join()
        });
        match second {
            Ok(second) => builder.absorb(second),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        return;
    }
    read_range(builder, reader, path, text, (0, 1), state);
}

/// Where the second half of a large file starts, and the state there: a line that begins
/// with an owner name (not blank, not a directive), outside parentheses and quotes, after
/// the middle. `None` when there is no such line, or when the state there cannot be known
/// without reading every record (no `$TTL`: a record would take the previous record's TTL).
struct Split {
    offset: usize,
    line: u32,
    state: State,
}

fn split_point(text: &str, state: &State) -> Option<Split> {
    let bytes = text.as_bytes();
    let middle = text.len() / 2;
    let mut state = state.clone();
    let (mut depth, mut quoted, mut line) = (0usize, false, 1u32);
    let mut i = 0;
    while i < bytes.len() {
        let line_start = i == 0 || bytes[i - 1] == b'\n';
        if line_start && depth == 0 && !quoted {
            if i >= middle && state.default_ttl.is_some() {
                match bytes[i] {
                    b' ' | b'\t' | b'\r' | b'\n' | b';' | b'$' | b'(' | b')' | b'"' => {}
                    _ => {
                        state.last_owner = None;
                        state.last_owner_text.clear();
                        return Some(Split {
                            offset: i,
                            line,
                            state,
                        });
                    }
                }
            }
            if bytes[i] == b'$' {
                // $ORIGIN and $TTL change what follows; so may an $INCLUDE (a $TTL in
                // it stays in force after it, as in BIND), which this scan does not
                // read: no split after one.
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                let mut words = text[i..end]
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .split_whitespace();
                let directive = words.next().unwrap_or("").to_ascii_uppercase();
                let arg = words.next();
                match (directive.as_str(), arg) {
                    ("$ORIGIN", Some(arg)) => {
                        state.origin =
                            parse_name_in(arg, &state.origin, NameSyntax::Master).ok()?;
                    }
                    ("$TTL", Some(arg)) => state.default_ttl = Some(parse_ttl(arg).ok()?),
                    _ => return None,
                }
            }
        }
        match bytes[i] {
            b'\n' => {
                if quoted {
                    return None;
                }
                line += 1;
            }
            b'\\' => {
                // A backslash before a newline is a mistake the reader reports; do not
                // count lines past it.
                if bytes.get(i + 1) == Some(&b'\n') {
                    return None;
                }
                i += 1;
            }
            b'"' => quoted = !quoted,
            b';' if !quoted => {
                while i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                    i += 1;
                }
            }
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth = depth.checked_sub(1)?,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Reads the entries of `text` from `start` (an offset at the start of a line, and that
/// line's number).
fn read_range(
    builder: &mut ZoneBuilder,
    reader: &mut Reader<'_>,
    path: &Path,
    text: &str,
    start: (usize, u32),
    state: &mut State,
) {
    let file = builder.note_file(path);
    // About one rrset per 60 octets in real zones: room for them without regrowing.
    builder.reserve((text.len() - start.0) / 60);
    let index = LineIndex::new(path, text);
    for entry in lexer::Lexer::starting_at(text, start.0, start.1) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let mut d = Diagnostic::error(index.location(e.offset), e.message);
                d.hint = e.hint;
                builder.report(d);
                return;
            }
        };
        let first = &entry.tokens[0];
        if !entry.blank_owner && first.raw.eq_ignore_ascii_case("$GENERATE") {
            generate(builder, path, &index, file, &entry, state);
        } else if !entry.blank_owner && first.raw.starts_with('$') {
            directive(builder, reader, path, &index, &entry, state);
        } else if let Err(d) = record(builder, &index, file, &entry, state) {
            builder.report(*d);
        }
    }
}

/// `$GENERATE range lhs [ttl] [class] type rhs` (BIND): each generated line is read as
/// a record written there; a problem is reported at the `$GENERATE` line, with the value.
fn generate(
    builder: &mut ZoneBuilder,
    path: &Path,
    index: &LineIndex,
    file: u32,
    entry: &Entry,
    state: &mut State,
) {
    use super::generate::{expand, range};
    let tokens = &entry.tokens;
    let at = index.location(tokens[0].offset);
    if tokens.len() < 5 {
        builder.report(
            Diagnostic::error(at, "$GENERATE needs a range, an owner, a type and data")
                .with_hint("write it as BIND does: `$GENERATE 1-10 host$ A 192.0.2.$`"),
        );
        return;
    }
    let values = match range(&tokens[1].text()) {
        Ok(v) => v,
        Err(e) => {
            builder.report(
                Diagnostic::error(index.location(tokens[1].offset), e)
                    .with_hint("write the range as start-stop or start-stop/step, e.g. 1-254"),
            );
            return;
        }
    };
    let lhs = tokens[2].raw;
    let rest: Vec<&str> = tokens[3..].iter().map(|t| t.raw).collect();
    let rest = rest.join(" ");
    for n in values {
        let line = match (expand(lhs, n), expand(&rest, n)) {
            (Ok(l), Ok(r)) => format!("{l} {r}\n"),
            (Err(e), _) | (_, Err(e)) => {
                builder.report(Diagnostic::error(at.clone(), e).with_hint(
                    "write `$` for the value, `${offset,width,base}` to shape it, `\\$` for a plain $",
                ));
                return;
            }
        };
        let generated = LineIndex::new(path, &line);
        let entries = match lexer::lex(&line) {
            Ok(e) => e,
            Err(e) => {
                let mut d = Diagnostic::error(
                    at.clone(),
                    format!("$GENERATE at {n}: `{}`: {}", line.trim(), e.message),
                );
                d.hint = e.hint;
                builder.report(d);
                return;
            }
        };
        for generated_entry in entries {
            if let Err(d) = record(builder, &generated, file, &generated_entry, state) {
                let mut e = Diagnostic::error(
                    at.clone(),
                    format!("$GENERATE at {n}: `{}`: {}", line.trim(), d.message),
                );
                e.hint = d.hint;
                builder.report(e);
                return;
            }
        }
    }
}

fn directive(
    builder: &mut ZoneBuilder,
    reader: &mut Reader<'_>,
    path: &Path,
    index: &LineIndex,
    entry: &Entry,
    state: &mut State,
) {
    let tokens = &entry.tokens;
    let at = |t: &Token| index.location(t.offset);
    let name = tokens[0].raw.to_ascii_uppercase();
    let arg = tokens.get(1);
    let Some(arg) = arg else {
        builder.report(Diagnostic::error(
            at(&tokens[0]),
            format!("{} needs an argument", excerpt(&name)),
        ));
        return;
    };
    match name.as_str() {
        "$ORIGIN" => match parse_name_in(arg.raw, &state.origin, NameSyntax::Master) {
            Ok(origin) => {
                // The owner of the next blank-owner line stays the last one written, as
                // BIND keeps it (and warns); only the text it was written as is forgotten,
                // since the same text now names something else.
                state.origin = origin;
                state.last_owner_text.clear();
                state.owner_after_origin = true;
            }
            Err(e) => builder.report(Diagnostic::error(at(arg), e).with_hint(NAME_HINT)),
        },
        "$TTL" => match parse_ttl_as_bind(&arg.text()) {
            Ok((ttl, warning)) => {
                if let Some(w) = warning {
                    builder.report(Diagnostic::warning(at(arg), w));
                }
                state.default_ttl = Some(ttl)
            }
            Err(e) => builder.report(Diagnostic::error(at(arg), e).with_hint(TTL_HINT)),
        },
        "$INCLUDE" => {
            if let Some(after) = include(builder, reader, path, index, entry, state) {
                state.default_ttl = after.default_ttl;
                state.last_ttl = after.last_ttl;
            }
        }
        _ => builder.report(
            Diagnostic::error(
                at(&tokens[0]),
                format!("unknown directive {}", excerpt(tokens[0].raw)),
            )
            .with_hint("master files know $ORIGIN, $TTL and $INCLUDE"),
        ),
    }
}

/// `$INCLUDE file [origin]` (RFC 1035 §5.1): the file is read with a copy of the state,
/// relative to the including file's folder, under the zone's read policy; the state it
/// ended with, when it was read.
fn include(
    builder: &mut ZoneBuilder,
    reader: &mut Reader<'_>,
    path: &Path,
    index: &LineIndex,
    entry: &Entry,
    state: &State,
) -> Option<State> {
    let tokens = &entry.tokens;
    let at = |t: &Token| index.location(t.offset);
    let arg = &tokens[1];
    let base = path.parent().unwrap_or(Path::new("."));
    let file = base.join(&*arg.text());
    let mut inner = state.clone();
    if let Some(origin) = tokens.get(2) {
        match parse_name_in(origin.raw, &state.origin, NameSyntax::Master) {
            Ok(o) => {
                inner.origin = o;
                inner.last_owner_text.clear();
                inner.owner_after_origin = true;
            }
            Err(e) => {
                builder.report(Diagnostic::error(at(origin), e).with_hint(NAME_HINT));
                return None;
            }
        }
    }
    let (text, real) = match read_source(&file, reader.policy) {
        Ok(read) => read,
        Err(e) => {
            builder.report(
                Diagnostic::error(
                    at(arg),
                    format!(
                        "cannot read $INCLUDE file: {}",
                        e.message.trim_start_matches("cannot read ")
                    ),
                )
                .with_hint(e.hint),
            );
            return None;
        }
    };
    if reader.stack.contains(&real) {
        builder.report(
            Diagnostic::error(
                at(arg),
                format!(
                    "$INCLUDE of {} loops back to a file already being read",
                    show_path(&file)
                ),
            )
            .with_hint("remove the $INCLUDE that leads back to a file already being read"),
        );
        return None;
    }
    if reader.stack.len() >= MAX_INCLUDE_DEPTH {
        builder.report(
            Diagnostic::error(
                at(arg),
                format!("$INCLUDE of {} is nested {} files deep; nsync reads at most {MAX_INCLUDE_DEPTH}", show_path(&file), reader.stack.len() + 1),
            )
            .with_hint("include the files from fewer levels (one file may $INCLUDE many)"),
        );
        return None;
    }
    reader.stack.push(real);
    read_text(builder, reader, &file, &text, &mut inner);
    reader.stack.pop();
    Some(inner)
}

/// A class mnemonic, or RFC 3597's generic `CLASSn` (`CLASS1` is IN).
fn is_class(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    matches!(upper.as_str(), "IN" | "CH" | "CS" | "HS")
        || upper
            .strip_prefix("CLASS")
            .is_some_and(|n| !n.is_empty() && n.parse::<u16>().is_ok())
}

fn is_in(text: &str) -> bool {
    text.eq_ignore_ascii_case("IN") || text.eq_ignore_ascii_case("CLASS1")
}

/// One record entry: `[owner] [ttl] [class] type rdata`, TTL and class in either order.
fn record(
    builder: &mut ZoneBuilder,
    index: &LineIndex,
    file: u32,
    entry: &Entry,
    state: &mut State,
) -> Result<(), Box<Diagnostic>> {
    let tokens = &entry.tokens;
    let at = |t: &Token| index.location(t.offset);
    let err = |t: &Token, msg: String, hint: &str| {
        Box::new(Diagnostic::error(at(t), msg).with_hint(hint))
    };
    let mut i = if entry.blank_owner {
        if state.last_owner.is_none() {
            return Err(Box::new(
                Diagnostic::error(at(&tokens[0]), "record without an owner name: the line starts with blank space but no record came before")
                    .with_hint("write the owner name (or @) at the very start of the line"),
            ));
        }
        if state.owner_after_origin {
            builder.report(
                Diagnostic::warning(
                    at(&tokens[0]),
                    "record with an inherited owner right after $ORIGIN: it keeps the owner of the record before, under the old origin (as BIND reads it)",
                )
                .with_hint("write the owner name at the start of the line to make it plain"),
            );
        }
        0
    } else if state.last_owner.is_some() && tokens[0].raw == state.last_owner_text {
        1
    } else {
        let name = parse_name_in(tokens[0].raw, &state.origin, NameSyntax::Master)
            .map_err(|e| err(&tokens[0], e, NAME_HINT))?;
        if crate::name::odd_wildcard(&name) {
            builder.report(
                Diagnostic::warning(
                    at(&tokens[0]),
                    format!(
                        "owner `{}` holds a `*` that is not a wildcard (only a whole leftmost `*` label is one); BIND reads it as a plain character, and some providers refuse it",
                        excerpt(tokens[0].raw)
                    ),
                )
                .with_hint("write `*` only as the whole leftmost label"),
            );
        }
        state.last_owner = Some(Owner::new(name, builder.origin()));
        state.last_owner_text.clear();
        state.last_owner_text.push_str(tokens[0].raw);
        1
    };
    state.owner_after_origin = false;
    let mut ttl = None;
    for _ in 0..2 {
        let Some(t) = tokens.get(i) else { break };
        let text = t.text();
        if is_class(&text) {
            if !is_in(&text) {
                return Err(err(
                    t,
                    format!(
                        "class {} is not supported; nsync manages class IN only",
                        excerpt(&text)
                    ),
                    "write IN, or leave the class out",
                ));
            }
            i += 1;
        } else if text.starts_with(|c: char| c.is_ascii_digit()) {
            let (value, warning) = parse_ttl_as_bind(&text).map_err(|e| err(t, e, TTL_HINT))?;
            if let Some(w) = warning {
                builder.report(Diagnostic::warning(at(t), w));
            }
            ttl = Some(value);
            i += 1;
        } else {
            break;
        }
    }
    let type_token = tokens.get(i).ok_or_else(|| {
        err(
            tokens.last().unwrap_or(&tokens[0]),
            "record has no type".into(),
            "write `owner [ttl] [IN] TYPE data`, e.g. `www 300 IN A 192.0.2.1`",
        )
    })?;
    // A private-use type (RFC 6895 §3.1: 65280-65534), as BIND's signer keeps its state
    // in TYPE65534 records: a server's own business, read and left out, with a warning.
    let type_text = type_token.text().to_ascii_uppercase();
    if let Some(code) = type_text
        .strip_prefix("TYPE")
        .and_then(|n| n.parse::<u16>().ok())
        .filter(|n| (65280..=65534).contains(n))
    {
        builder.report(
            Diagnostic::warning(
                at(type_token),
                format!(
                    "TYPE{code} is a private-use type (BIND keeps its signing state in TYPE65534): it belongs to the server that made it, so nsync leaves it out of every provider"
                ),
            )
            .with_hint("remove it from the zone file, or leave it: nothing is written for it"),
        );
        return Ok(());
    }
    let rtype = parse_type(&type_token.text()).ok_or_else(|| {
        Box::new(
            Diagnostic::error(
                at(type_token),
                format!("unknown record type `{}`", excerpt(type_token.raw)),
            )
            .with_hint(format!("supported types: {}", supported_list())),
        )
    })?;
    let ttl = match ttl.or(state.default_ttl).or(state.last_ttl) {
        Some(ttl) => ttl,
        None => {
            return Err(Box::new(
                Diagnostic::error(
                    at(type_token),
                    "record has no TTL and no $TTL came before it",
                )
                .with_hint("add `$TTL 3600` at the top of the file, or a TTL on this record"),
            ));
        }
    };
    state.last_ttl = Some(ttl);
    let data = &tokens[i + 1..];
    if rtype == RecordType::SOA {
        let owner = state.last_owner.as_ref().expect("set above");
        if owner.name != *builder.origin() {
            return Err(err(
                type_token,
                format!(
                    "SOA at {} is not the zone apex",
                    excerpt(&crate::name::format_name(&owner.name))
                ),
                "a subzone with its own SOA is a separate zone: delegate it with NS records instead",
            ));
        }
        // Each provider owns its apex SOA (PRODUCT.md): a zone file may carry one; it is ignored.
        return Ok(());
    }
    let data_at = data.first().unwrap_or(type_token);
    let rdata = parse_rdata(rtype, data, &state.origin, NameSyntax::Master)
        .map_err(|e| err(data_at, e, &hint(rtype)))?;
    let (line, column) = (entry.line, entry.column);
    let owner = state.last_owner.as_ref().expect("set above");
    builder.add_record_for(owner, rtype, ttl, rdata, Pos { file, line, column });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Name {
        Name::from_ascii("example.test.").unwrap()
    }

    fn parse(text: &str) -> (crate::zone::Zone, Vec<Diagnostic>) {
        let read = parse_master_text(Path::new("t.zone"), text, &origin());
        (read.zone, read.diagnostics)
    }

    #[test]
    fn reads_the_usual_forms() {
        let text = r#"$ORIGIN example.test.
$TTL 1h
@ IN SOA ns1 hostmaster ( 1 ; serial
   60 30 86400 60 )
@ 300 IN A 192.0.2.1
  IN 300 A 192.0.2.2
  MX 10 mail
mail A 192.0.2.25
www CNAME @
txt TXT "v=spf1 -all" "a \"b\" ; c"
$ORIGIN sub.example.test.
deep A 192.0.2.3
"#;
        let (zone, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let apex = zone.get(&origin(), RecordType::A).unwrap();
        assert_eq!(apex.ttl, 300);
        assert_eq!(apex.values(), ["192.0.2.1", "192.0.2.2"]);
        let mx = zone.get(&origin(), RecordType::MX).unwrap();
        assert_eq!(mx.ttl, 3600, "$TTL applies to records without a TTL");
        assert_eq!(mx.values(), ["10 mail.example.test."]);
        let www = Name::from_ascii("www.example.test.").unwrap();
        assert_eq!(
            zone.get(&www, RecordType::CNAME).unwrap().values(),
            ["example.test."]
        );
        let deep = Name::from_ascii("deep.sub.example.test.").unwrap();
        assert!(zone.get(&deep, RecordType::A).is_some());
        assert!(
            zone.get(&origin(), RecordType::SOA).is_none(),
            "the SOA is ignored"
        );
        assert_eq!(zone.len(), 6);
    }

    #[test]
    fn include_is_relative_and_keeps_origin_to_itself() {
        let dir = std::env::temp_dir().join(format!("nsync-inc-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("parts")).unwrap();
        std::fs::write(
            dir.join("parts/hosts.zone"),
            "$ORIGIN hosts.example.test.\nh1 A 192.0.2.7\n",
        )
        .unwrap();
        std::fs::write(dir.join("parts/lab.zone"), "x A 192.0.2.8\n").unwrap();
        let main =
            "$TTL 60\n$INCLUDE parts/hosts.zone\nafter A 192.0.2.9\n$INCLUDE parts/lab.zone lab\n";
        std::fs::write(dir.join("main.zone"), main).unwrap();
        let read = read_master_file(&dir.join("main.zone"), &origin(), &ReadPolicy::inside(&dir));
        let (zone, diags) = (read.zone, read.diagnostics);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(diags.is_empty(), "{diags:?}");
        let names: Vec<String> = zone
            .rrsets()
            .map(|r| crate::name::format_name(&r.name))
            .collect();
        assert!(names.contains(&"h1.hosts.example.test.".to_string()));
        assert!(
            names.contains(&"after.example.test.".to_string()),
            "{names:?}"
        );
        assert!(
            names.contains(&"x.lab.example.test.".to_string()),
            "{names:?}"
        );
    }

    /// A file read in two halves by two threads reads exactly as when read whole: the
    /// same rrsets (one rrset spread over both halves included) and the same problems at
    /// the same lines (a TTL conflict and a duplicate across the halves).
    #[test]
    fn a_file_read_in_two_halves_reads_as_one() {
        let mut text = String::from("$TTL 300\n$ORIGIN example.test.\nspread A 192.0.2.1\n");
        for i in 0..400 {
            text.push_str(&format!("h{i} A 192.0.2.{}\n", i % 250 + 1));
            text.push_str(&format!("h{i} TXT \"a ; b\" ( \"c\"\n   \"d(\" )\n"));
            if i == 150 {
                text.push_str("$ORIGIN sub.example.test.\n$TTL 60\nlate A 192.0.2.9\n");
            }
        }
        // The end is under sub.example.test. with $TTL 60: one rrset from the top gets a
        // second record, one gets another TTL, one the same data again.
        text.push_str(
            "spread.example.test. 300 A 192.0.2.2\nh200 99 A 192.0.2.4\nh201 A 192.0.2.202\n",
        );
        let policy = ReadPolicy::beside(Path::new("t.zone"));
        let whole = parse_split(Path::new("t.zone"), &text, &origin(), &policy, usize::MAX);
        let split = parse_split(Path::new("t.zone"), &text, &origin(), &policy, 1);
        assert!(split_point(&text, &new_state(&origin())).is_some());
        assert_eq!(whole.zone, split.zone);
        assert_eq!(whole.diagnostics, split.diagnostics);
        assert_eq!(whole.diagnostics.len(), 2, "{:?}", whole.diagnostics);
        let spread = Name::from_ascii("spread.example.test.").unwrap();
        assert_eq!(
            whole
                .zone
                .get(&spread, RecordType::A)
                .unwrap()
                .rdata()
                .len(),
            2
        );
    }

    #[test]
    fn case_is_kept_for_display_and_ignored_in_comparison() {
        let (zone, diags) = parse("$TTL 60\nMail A 192.0.2.1\nMAIL A 192.0.2.2\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(zone.len(), 1);
        let rrset = zone.rrsets().next().unwrap();
        assert_eq!(crate::name::format_name(&rrset.name), "Mail.example.test.");
        assert_eq!(rrset.rdata().len(), 2);
        let written = crate::zonefile::write_master_file(&zone, &[]);
        assert!(written.contains("\nMail "), "{written}");
    }

    #[test]
    fn every_problem_has_a_line_and_all_are_reported() {
        let text = "$TTL 60\nok A 192.0.2.1\nbad A 192.0.2\nmx MX mail\nweird FOO x\n";
        let (_, diags) = parse(text);
        let lines: Vec<(u32, u32)> = diags
            .iter()
            .map(|d| (d.location.line, d.location.column))
            .collect();
        assert_eq!(lines, [(3, 7), (4, 7), (5, 7)], "{diags:?}");
    }

    #[test]
    fn missing_ttl_and_blank_owner_first() {
        let (_, diags) = parse("a A 192.0.2.1\n");
        assert!(diags[0].message.contains("no TTL"));
        let (_, diags) = parse("$TTL 1\n  A 192.0.2.1\n");
        assert!(diags[0].message.contains("without an owner"));
    }
}
