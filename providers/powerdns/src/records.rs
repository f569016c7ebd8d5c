//! PowerDNS's rrsets <-> nsync's: the API carries each record's content in presentation
//! format (names absolute, escapes in decimal as BIND writes them), so a record's text
//! goes through nsync's own rdata parser and writer; disabled records are not served and
//! not read; types nsync does not hold (SOA, DNSSEC records PowerDNS makes) are skipped.

use hickory_proto::rr::Name;
use nsync_core::name::{NameText, absolute_owner};
use nsync_core::provider::{Change, ChangeSet};
use nsync_core::rdata::{managed_type, parse_rdata_text};
use nsync_core::zone::{Rrset, Zone};

use crate::model;

/// The zone from the API's rrsets; an error names the record it could not read.
pub fn zone_from(origin: &Name, rrsets: Vec<model::RRSet>) -> Result<Zone, String> {
    let mut zone = Zone::new(origin.clone());
    for set in rrsets {
        let Some(rtype) = managed_type(&set.rtype) else {
            continue;
        };
        let name = absolute_owner(&set.name).map_err(|e| format!("owner {}: {e}", set.name))?;
        let mut rdata = Vec::new();
        for record in set.records.iter().filter(|r| !r.disabled) {
            let r = parse_rdata_text(rtype, &record.content, origin)
                .map_err(|e| format!("{} {} `{}`: {e}", set.name, set.rtype, record.content))?;
            rdata.push(r);
        }
        if !rdata.is_empty() {
            zone.insert(Rrset::new(name, rtype, set.ttl.unwrap_or(0), rdata));
        }
    }
    Ok(zone)
}

/// One PATCH's rrsets for a change set: REPLACE with every record, or DELETE.
pub fn patch(changes: &ChangeSet) -> Vec<model::RRSet> {
    changes
        .changes
        .iter()
        .map(|c| match c {
            Change::Create(r) | Change::Update { to: r, .. } => api_rrset(r, "REPLACE", true),
            Change::Delete(r) => api_rrset(r, "DELETE", false),
        })
        .collect()
}

fn api_rrset(r: &Rrset, changetype: &str, with_records: bool) -> model::RRSet {
    model::RRSet {
        // Lower-case: PowerDNS's API wants names in its canonical form.
        name: r.name.to_lowercase().to_text(),
        rtype: r.rtype.to_string(),
        ttl: with_records.then_some(r.ttl),
        changetype: Some(changetype.to_string()),
        records: if with_records {
            r.values()
                .into_iter()
                .map(|content| model::Record {
                    content,
                    disabled: false,
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::RecordType;

    /// Records as PowerDNS's API documents and returns them
    /// (https://doc.powerdns.com/authoritative/http-api/zone.html#rrset and the record
    /// formats of https://doc.powerdns.com/authoritative/appendices/types.html), one rrset
    /// per type nsync holds, with nsync's presentation of each.
    const GOLDEN: &[(&str, &str, &str)] = &[
        ("A", "192.0.2.1", "192.0.2.1"),
        ("AAAA", "2001:db8::1", "2001:db8::1"),
        ("CNAME", "target.example.net.", "target.example.net."),
        ("MX", "10 mail.example.net.", "10 mail.example.net."),
        ("NS", "ns1.example.net.", "ns1.example.net."),
        ("PTR", "host.example.net.", "host.example.net."),
        ("TXT", "\"v=spf1 -all\"", "\"v=spf1 -all\""),
        ("TXT", "\"two\" \"strings\"", "\"two\" \"strings\""),
        (
            "SRV",
            "10 5 5060 sip.example.net.",
            "10 5 5060 sip.example.net.",
        ),
        (
            "CAA",
            "0 issue \"letsencrypt.org\"",
            "0 issue \"letsencrypt.org\"",
        ),
        (
            "SSHFP",
            "4 2 9d5fab2c7e0b1f3a4c6d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
            "4 2 9d5fab2c7e0b1f3a4c6d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
        ),
        (
            "TLSA",
            "3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6",
            "3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6",
        ),
        (
            "DS",
            "31589 13 2 3490A6806D47F17A34C29E2CE80E8A999FFBE4BE3F5A4E3C1A2B3C4D5E6F7081",
            "31589 13 2 3490a6806d47f17a34c29e2ce80e8a999ffbe4be3f5a4e3c1a2b3c4d5e6f7081",
        ),
        ("HTTPS", "1 . alpn=h2", "1 . alpn=h2"),
        (
            "SVCB",
            "1 svc.example.net. port=8443",
            "1 svc.example.net. port=8443",
        ),
        (
            "NAPTR",
            "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.net.",
            "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.net.",
        ),
    ];

    fn origin() -> Name {
        Name::from_ascii("example.test.").unwrap()
    }

    #[test]
    fn every_documented_record_reads_as_nsync_presents_it_and_writes_back() {
        for (i, (rtype, content, presented)) in GOLDEN.iter().enumerate() {
            let owner = format!("r{i}.example.test.");
            let json = format!(
                r#"{{"name": "{owner}", "type": "{rtype}", "ttl": 300, "records": [{{"content": {}, "disabled": false}}]}}"#,
                serde_json::to_string(content).unwrap()
            );
            let set: model::RRSet = serde_json::from_str(&json).unwrap();
            let zone = zone_from(&origin(), vec![set]).unwrap_or_else(|e| panic!("{rtype}: {e}"));
            let rr = zone
                .rrsets()
                .next()
                .unwrap_or_else(|| panic!("{rtype}: not read"));
            assert_eq!(rr.values(), [presented.to_string()], "{rtype}");
            // And back: what nsync sends is what it read, as PowerDNS takes it.
            let sent = api_rrset(rr, "REPLACE", true);
            assert_eq!((sent.rtype.as_str(), sent.ttl), (*rtype, Some(300)));
            let again: model::RRSet =
                serde_json::from_str(&serde_json::to_string(&sent).unwrap()).unwrap();
            let back = zone_from(&origin(), vec![again]).unwrap();
            assert_eq!(
                back.rrsets().next(),
                Some(rr),
                "{rtype}: a round trip changed it"
            );
        }
    }

    #[test]
    fn disabled_records_soa_and_powerdns_own_types_are_not_read() {
        let json = r#"[
            {"name": "example.test.", "type": "SOA", "ttl": 3600, "records": [{"content": "a.example.test. h.example.test. 1 2 3 4 5", "disabled": false}]},
            {"name": "example.test.", "type": "DNSKEY", "ttl": 3600, "records": [{"content": "257 3 13 AAAA", "disabled": false}]},
            {"name": "off.example.test.", "type": "A", "ttl": 60, "records": [{"content": "192.0.2.9", "disabled": true}]},
            {"name": "on.example.test.", "type": "A", "ttl": 60, "records": [{"content": "192.0.2.9", "disabled": true}, {"content": "192.0.2.8", "disabled": false}]}
        ]"#;
        let sets: Vec<model::RRSet> = serde_json::from_str(json).unwrap();
        let zone = zone_from(&origin(), sets).unwrap();
        let got: Vec<_> = zone
            .rrsets()
            .map(|r| (r.name.to_text(), r.rtype, r.values()))
            .collect();
        assert_eq!(
            got,
            [(
                "on.example.test.".to_string(),
                RecordType::A,
                vec!["192.0.2.8".to_string()]
            )]
        );
    }

    #[test]
    fn a_record_nsync_cannot_read_is_named() {
        let sets: Vec<model::RRSet> = serde_json::from_str(
            r#"[{"name": "x.example.test.", "type": "MX", "ttl": 60, "records": [{"content": "not-a-number mail.", "disabled": false}]}]"#,
        )
        .unwrap();
        let e = zone_from(&origin(), sets).unwrap_err();
        assert!(e.contains("x.example.test. MX `not-a-number mail.`"), "{e}");
    }
}
