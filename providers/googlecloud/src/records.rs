//! Cloud DNS's rrset shape (https://cloud.google.com/dns/docs/reference/rest/v1/
//! resourceRecordSets): `{kind, name, type, ttl, rrdatas}`, the name absolute with its
//! final dot, each rrdata one record's data in master-file presentation (RFC 1035 §5).
//! So an rrset maps to one object, and its data to nsync's presentation as it is.

use hickory_proto::rr::Name;
use nsync_core::name::{NameText, absolute_owner};
use nsync_core::rdata::{Rdata, format_wire, managed_type, parse_rdata_text};
use nsync_core::zone::Rrset;
use serde_json::{Value, json};

/// The JSON of an rrset, as additions and deletions carry it.
pub fn to_google(r: &Rrset) -> Value {
    json!({
        "kind": "dns#resourceRecordSet",
        "name": r.name.to_lowercase().to_text(),
        "type": r.rtype.to_string(),
        "ttl": r.ttl,
        "rrdatas": r.rdata().iter().map(|d| format_wire(r.rtype, d.wire())).collect::<Vec<_>>(),
    })
}

/// An rrset as Cloud DNS returns it; `None` for types nsync leaves alone (SOA, and types
/// it does not model).
/// An rrset Google holds through a feature nsync cannot write: a routing policy
/// (`routingPolicy`: geo, weighted round robin or primary-backup; its data lives in the
/// policy's items, not in `rrdatas`), or none.
pub fn held(v: &Value) -> Option<nsync_core::provider::HeldRrset> {
    let policy = v.get("routingPolicy").filter(|p| p.is_object())?;
    let rtype = v["type"].as_str().and_then(managed_type)?;
    let name = absolute_owner(v["name"].as_str().unwrap_or_default()).ok()?;
    let kind = ["geo", "wrr", "primaryBackup"]
        .into_iter()
        .find(|k| policy.get(*k).is_some())
        .map_or("a", |k| match k {
            "geo" => "a geolocation",
            "wrr" => "a weighted round robin",
            _ => "a failover (primary-backup)",
        });
    Some(nsync_core::provider::HeldRrset {
        name: name.to_lowercase(),
        rtype,
        feature: format!("{kind} routing policy"),
    })
}

pub fn from_google(v: &Value) -> Result<Option<Rrset>, String> {
    let Some(rtype) = v["type"].as_str().and_then(managed_type) else {
        return Ok(None);
    };
    let owner = v["name"].as_str().unwrap_or_default();
    let name: Name = absolute_owner(owner)
        .map_err(|e| format!("rrset name {owner}: {e}"))?
        .to_lowercase();
    let root = Name::root();
    let mut rdata: Vec<Rdata> = Vec::new();
    for d in v["rrdatas"].as_array().into_iter().flatten() {
        let text = d.as_str().unwrap_or_default();
        rdata.push(
            parse_rdata_text(rtype, text, &root)
                .map_err(|e| format!("{owner} {rtype} `{text}`: {e}"))?,
        );
    }
    let ttl = v["ttl"].as_u64().unwrap_or(300) as u32;
    Ok(Some(Rrset::new(name, rtype, ttl, rdata)))
}

/// A managed zone's resource name for a DNS name (`example.com.` -> `example-com`):
/// lower-case letters, digits and dashes, starting with a letter, at most 63.
pub fn zone_resource_name(origin: &Name) -> String {
    let mut out: String = origin
        .to_lowercase()
        .to_text()
        .trim_end_matches('.')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "z-");
    }
    out.truncate(63);
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    /// Routing-policy rrsets as Cloud DNS returns them (the ResourceRecordSet reference:
    /// `routingPolicy` with `geo` or `wrr` items, and no `rrdatas` of their own).
    #[test]
    fn routing_policy_rrsets_are_held_not_read_as_empty_rrsets() {
        let geo = serde_json::json!({"kind": "dns#resourceRecordSet", "name": "geo.example.com.", "type": "A", "ttl": 300,
            "routingPolicy": {"geo": {"items": [{"location": "us-east1", "rrdatas": ["192.0.2.1"]},
                                                 {"location": "europe-west1", "rrdatas": ["192.0.2.2"]}]}}});
        let wrr = serde_json::json!({"kind": "dns#resourceRecordSet", "name": "w.example.com.", "type": "CNAME", "ttl": 60,
            "routingPolicy": {"wrr": {"items": [{"weight": 0.7, "rrdatas": ["a.example.net."]}]}}});
        let g = super::held(&geo).expect("held");
        assert_eq!(
            (g.name.to_ascii().as_str(), g.rtype),
            ("geo.example.com.", nsync_core::RecordType::A)
        );
        assert_eq!(g.feature, "a geolocation routing policy");
        assert_eq!(
            super::held(&wrr).expect("held").feature,
            "a weighted round robin routing policy"
        );
        let plain = serde_json::json!({"name": "www.example.com.", "type": "A", "ttl": 300, "rrdatas": ["192.0.2.9"]});
        assert!(super::held(&plain).is_none());
    }

    use super::*;
    use hickory_proto::rr::RecordType;

    /// rrdatas as Cloud DNS's documentation shows them (the record types page,
    /// https://cloud.google.com/dns/docs/records-overview, and the REST reference), and
    /// the same data in nsync's presentation: both read to the same octets, and what
    /// nsync sends reads back to them.
    fn golden() -> Vec<(RecordType, &'static str, &'static str)> {
        vec![
            (RecordType::A, "1.2.3.4", "1.2.3.4"),
            (RecordType::AAAA, "2001:db8::1", "2001:db8::1"),
            (RecordType::CNAME, "www.example.com.", "www.example.com."),
            (
                RecordType::MX,
                "10 mail.example.com.",
                "10 mail.example.com.",
            ),
            (
                RecordType::NS,
                "ns-cloud-a1.googledomains.com.",
                "ns-cloud-a1.googledomains.com.",
            ),
            (RecordType::PTR, "host.example.com.", "host.example.com."),
            (
                RecordType::TXT,
                "\"v=spf1 include:_spf.google.com ~all\"",
                "\"v=spf1 include:_spf.google.com ~all\"",
            ),
            (
                RecordType::TXT,
                "\"part one\" \"part two\"",
                "\"part one\" \"part two\"",
            ),
            (
                RecordType::SRV,
                "10 5 5060 sip.example.com.",
                "10 5 5060 sip.example.com.",
            ),
            (
                RecordType::CAA,
                "0 issue \"pki.goog\"",
                "0 issue \"pki.goog\"",
            ),
            (
                RecordType::SSHFP,
                "1 1 123456789abcdef67890123456789abcdef67890",
                "1 1 123456789ABCDEF67890123456789ABCDEF67890",
            ),
            (
                RecordType::TLSA,
                "3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6",
                "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6",
            ),
            (
                RecordType::DS,
                "12345 8 1 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE",
                "12345 8 1 49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de",
            ),
            (RecordType::HTTPS, "1 . alpn=h2,h3", "1 . alpn=\"h2,h3\""),
            (
                RecordType::SVCB,
                "1 svc.example.com. port=8443",
                "1 svc.example.com. port=8443",
            ),
            (
                RecordType::NAPTR,
                "100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
                "100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
            ),
        ]
    }

    #[test]
    fn every_type_reads_and_writes_as_the_reference_shows() {
        let root = Name::root();
        for (rtype, google, nsync) in golden() {
            let vendor =
                parse_rdata_text(rtype, google, &root).unwrap_or_else(|e| panic!("{google}: {e}"));
            let from_nsync = parse_rdata_text(rtype, nsync, &root).unwrap();
            assert_eq!(vendor.wire(), from_nsync.wire(), "{rtype} {google}");
            let name = Name::from_ascii("www.example.com.").unwrap();
            let sent = to_google(&Rrset::new(name, rtype, 300, vec![from_nsync.clone()]));
            let back = from_google(&sent).unwrap().unwrap();
            assert_eq!(back.rdata()[0].wire(), from_nsync.wire(), "{rtype}: {sent}");
            assert_eq!(sent["name"], "www.example.com.");
            assert_eq!(sent["ttl"], 300);
        }
        let soa = json!({"name": "example.com.", "type": "SOA", "ttl": 21600,
            "rrdatas": ["ns-cloud-a1.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300"]});
        assert!(from_google(&soa).unwrap().is_none(), "the SOA is Google's");
    }

    #[test]
    fn zone_resource_names_follow_the_rules() {
        let n = |s: &str| zone_resource_name(&Name::from_ascii(s).unwrap());
        assert_eq!(n("Example.COM."), "example-com");
        assert_eq!(n("1.in-addr.arpa."), "z-1-in-addr-arpa");
    }
}
