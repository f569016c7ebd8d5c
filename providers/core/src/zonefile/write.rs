//! Writes the zone model as an RFC 1035 master file, in canonical order, one record per
//! line with its owner and TTL spelled out, so files diff cleanly and read back unchanged.

use crate::name::NameText;
use std::fmt::Write as _;

use hickory_proto::rr::RecordType;

use crate::name::relative_to;
use crate::rdata::format_wire;
use crate::zone::{Rrset, Zone};

/// At each name the SOA comes first, then NS, then the rest by type code, as people
/// expect to read a zone.
fn type_rank(rtype: RecordType) -> u32 {
    match rtype {
        RecordType::SOA => 0,
        RecordType::NS => 1,
        other => 2 + u32::from(u16::from(other)),
    }
}

/// Writes `zone`; `header` lines are written first as `;` comments.
pub fn write_master_file(zone: &Zone, header: &[&str]) -> String {
    let mut out = String::new();
    for line in header {
        let _ = writeln!(out, "; {line}");
    }
    let _ = writeln!(out, "$ORIGIN {}", zone.origin.to_text());
    let mut rrsets: Vec<&Rrset> = zone.rrsets().collect();
    // Stable: names keep their canonical order, types are ranked within each name.
    rrsets.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then(type_rank(a.rtype).cmp(&type_rank(b.rtype)))
    });
    let width = rrsets
        .iter()
        .map(|r| relative_to(&r.name, &zone.origin).len())
        .max()
        .unwrap_or(1)
        .min(40);
    for rrset in rrsets {
        let owner = relative_to(&rrset.name, &zone.origin);
        for rdata in rrset.rdata() {
            let _ = writeln!(
                out,
                "{owner:<width$} {ttl:>6} IN {rtype:<6} {data}",
                ttl = rrset.ttl,
                rtype = rrset.rtype.to_string(),
                data = format_wire(rrset.rtype, rdata.wire())
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::Name;
    use crate::zonefile::master::parse_master_text;

    #[test]
    fn written_files_read_back_to_the_same_zone() {
        let origin = Name::from_ascii("example.test.").unwrap();
        let text = r#"$TTL 300
@ NS ns1.example.test.
@ A 192.0.2.1
@ MX 10 mail
@ TXT "v=spf1 include:_spf.example.test. -all" "quote \" back \\ semi ; octet \255"
@ CAA 0 issue "ca.example.net"
_sip._tcp SRV 10 5 5060 sip
* A 192.0.2.99
sub NS ns.sub
sub DS 12345 13 2 aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899
svc HTTPS 1 . alpn="h2,h3" ipv6hint=2001:db8::1
n NAPTR 100 10 "u" "E2U+sip" "!^.*$!sip:x@example.test!" .
ns1 A 192.0.2.53
ns.sub A 192.0.2.54
"#;
        let read = parse_master_text(Path::new("t"), text, &origin);
        let (zone, diags) = (read.zone, read.diagnostics);
        assert!(diags.is_empty(), "{diags:?}");
        let written = write_master_file(&zone, &["test"]);
        let read = parse_master_text(Path::new("w"), &written, &origin);
        let (again, diags) = (read.zone, read.diagnostics);
        assert!(diags.is_empty(), "{diags:?}\n{written}");
        assert_eq!(zone, again, "{written}");
        assert!(
            written.starts_with("; test\n$ORIGIN example.test.\n@"),
            "{written}"
        );
    }
}
