//! Route 53's shapes of nsync's data: names with octal escapes, values XML-escaped, and
//! the ChangeResourceRecordSets batches (at most 1,000 values and 32,000 characters each,
//! an UPSERT counting twice).

use hickory_proto::rr::Name;
use nsync_core::provider::{Change, ChangeSet};
use nsync_core::zone::Rrset;

use crate::{MAX_BATCH_CHARS, MAX_BATCH_VALUES};

pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Route 53 writes escapes in octal (`\052` is `*`); nsync's presentation format, like
/// RFC 1035, in decimal. These two convert between them.
/// A name as Route 53 takes it: every octet other than a-z, 0-9, `-` and `_` as a
/// three-digit octal escape (AWS: "DNS domain name format"), so `a\.b` is `a\056b` and
/// `\@` is `\100`; a wildcard label stays `*`.
pub fn route53_name(name: &Name) -> String {
    if name.is_root() {
        return ".".into();
    }
    let mut out = String::new();
    for (i, label) in name.iter().enumerate() {
        if i == 0 && label == b"*" {
            out.push('*');
        } else {
            for b in label.iter().map(u8::to_ascii_lowercase) {
                if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("\\{b:03o}"));
                }
            }
        }
        out.push('.');
    }
    out
}

pub fn octal_to_decimal(s: &str) -> String {
    convert_escapes(s, 8, 10)
}

pub fn decimal_to_octal(s: &str) -> String {
    convert_escapes(s, 10, 8)
}

fn convert_escapes(s: &str, from: u32, to: u32) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 4 <= b.len()
            && b[i + 1..i + 4].iter().all(|c| c.is_ascii_digit())
            && let Ok(v) = u32::from_str_radix(&s[i + 1..i + 4], from)
            && v <= 255
        {
            out.push_str(&if to == 8 {
                format!("\\{v:03o}")
            } else {
                format!("\\{v:03}")
            });
            i += 4;
            continue;
        }
        if b[i] == b'\\' && i + 1 < b.len() {
            out.push_str(&s[i..i + 1 + s[i + 1..].chars().next().map_or(0, char::len_utf8)]);
            i += 1 + s[i + 1..].chars().next().map_or(0, char::len_utf8);
            continue;
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn change_xml(action: &str, r: &Rrset) -> (String, usize, usize) {
    let values: Vec<String> = r.values().iter().map(|v| decimal_to_octal(v)).collect();
    let chars: usize = values.iter().map(String::len).sum();
    let records: String = values
        .iter()
        .map(|v| {
            format!(
                "<ResourceRecord><Value>{}</Value></ResourceRecord>",
                xml_escape(v)
            )
        })
        .collect();
    let xml = format!(
        "<Change><Action>{action}</Action><ResourceRecordSet><Name>{}</Name><Type>{}</Type><TTL>{}</TTL><ResourceRecords>{records}</ResourceRecords></ResourceRecordSet></Change>",
        xml_escape(&route53_name(&r.name)),
        r.rtype,
        r.ttl
    );
    // Route 53 counts an UPSERT's values and characters twice.
    let weight = if action == "UPSERT" { 2 } else { 1 };
    (xml, values.len() * weight, chars * weight)
}

/// The change set as ChangeResourceRecordSets batches: deletions first, then UPSERTs
/// (which, unlike CREATE, never trip over an rrset that already exists).
pub fn batches(changes: &ChangeSet) -> Vec<Vec<String>> {
    let mut ordered = Vec::new();
    for c in &changes.changes {
        if let Change::Delete(r) = c {
            ordered.push(change_xml("DELETE", r));
        }
    }
    for c in &changes.changes {
        match c {
            Change::Create(r) | Change::Update { to: r, .. } => {
                ordered.push(change_xml("UPSERT", r))
            }
            Change::Delete(_) => {}
        }
    }
    let mut out: Vec<Vec<String>> = Vec::new();
    let (mut values, mut chars) = (0, 0);
    for (xml, v, c) in ordered {
        if out.is_empty() || values + v > MAX_BATCH_VALUES || chars + c > MAX_BATCH_CHARS {
            out.push(Vec::new());
            values = 0;
            chars = 0;
        }
        values += v;
        chars += c;
        if let Some(last) = out.last_mut() {
            last.push(xml);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::RecordType;
    use nsync_core::rdata::parse_rdata_text;

    #[test]
    fn names_are_written_with_octal_escapes() {
        let n = |s: &str| {
            nsync_core::name::parse_name_in(s, &Name::root(), nsync_core::name::NameSyntax::Master)
                .unwrap()
        };
        assert_eq!(
            route53_name(&n("a\\.b.example.test.")),
            "a\\056b.example.test."
        );
        assert_eq!(route53_name(&n("\\@.example.test.")), "\\100.example.test.");
        assert_eq!(
            route53_name(&n("*.x_y-z.example.test.")),
            "*.x_y-z.example.test."
        );
    }

    #[test]
    fn escapes_convert_between_octal_and_decimal() {
        assert_eq!(octal_to_decimal("\\052.example.com."), "\\042.example.com.");
        assert_eq!(decimal_to_octal("\"caf\\195\\169\""), "\"caf\\303\\251\"");
        assert_eq!(
            decimal_to_octal("\"a \\\" b \\\\ c\""),
            "\"a \\\" b \\\\ c\""
        );
        assert_eq!(octal_to_decimal(&decimal_to_octal("x\\255y")), "x\\255y");
    }

    #[test]
    fn batches_respect_values_and_upsert_weight() {
        let origin = Name::from_ascii("example.test.").unwrap();
        let a = |i: usize| {
            let d = parse_rdata_text(RecordType::A, "192.0.2.1", &origin).unwrap();
            Rrset::new(
                Name::from_ascii(format!("h{i}.example.test.")).unwrap(),
                RecordType::A,
                300,
                vec![d],
            )
        };
        let changes = ChangeSet {
            changes: (0..1200).map(|i| Change::Create(a(i))).collect(),
        };
        let b = batches(&changes);
        assert_eq!(
            b.iter().map(Vec::len).collect::<Vec<_>>(),
            [500, 500, 200],
            "UPSERTs count twice"
        );
        let deletes = ChangeSet {
            changes: (0..1200).map(|i| Change::Delete(a(i))).collect(),
        };
        assert_eq!(
            batches(&deletes).iter().map(Vec::len).collect::<Vec<_>>(),
            [1000, 200]
        );
    }
}
