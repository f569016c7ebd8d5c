//! Azure DNS's record-set shape (https://learn.microsoft.com/en-us/rest/api/dns/
//! record-sets/create-or-update?view=rest-dns-2018-05-01): a set per relative name
//! (`@` for the apex) and type, its `properties` holding `TTL` and the type's array
//! (`ARecords: [{ipv4Address}]`, `MXRecords: [{preference, exchange}]`,
//! `TXTRecords: [{value: [strings]}]`, a single `CNAMERecord: {cname}` ...), host names
//! without the final dot. These functions turn a set into nsync's rrset and back.

use hickory_proto::rr::{Name, RData, RecordType};
use nsync_core::name::NameText;
use nsync_core::rdata::{Rdata, caa_parts, parse_rdata_text, quote, txt_strings};
use nsync_core::zone::Rrset;
use serde_json::{Value, json};

fn host(name: &Name) -> String {
    let t = name.to_lowercase().to_text();
    if t == "." {
        t
    } else {
        t.trim_end_matches('.').to_string()
    }
}

fn abs(s: &str) -> String {
    if s.ends_with('.') {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

/// The `properties` of a record set holding `r`.
pub fn properties(r: &Rrset) -> Value {
    let each = |f: &dyn Fn(&Rdata) -> Value| -> Vec<Value> { r.rdata().iter().map(f).collect() };
    let t = r.rtype;
    let mut p = json!({"TTL": r.ttl});
    match t {
        RecordType::A => {
            p["ARecords"] = json!(each(&|d| match d.to_hickory(t) {
                RData::A(a) => json!({"ipv4Address": a.0.to_string()}),
                _ => json!({}),
            }))
        }
        RecordType::AAAA => {
            p["AAAARecords"] = json!(each(&|d| match d.to_hickory(t) {
                RData::AAAA(a) => json!({"ipv6Address": a.0.to_string()}),
                _ => json!({}),
            }))
        }
        RecordType::CNAME => {
            if let Some(RData::CNAME(c)) = r.rdata().first().map(|d| d.to_hickory(t)) {
                p["CNAMERecord"] = json!({"cname": host(&c.0)});
            }
        }
        RecordType::MX => {
            p["MXRecords"] = json!(each(&|d| match d.to_hickory(t) {
                RData::MX(m) => json!({"preference": m.preference, "exchange": host(&m.exchange)}),
                _ => json!({}),
            }))
        }
        RecordType::NS => {
            p["NSRecords"] = json!(each(&|d| match d.to_hickory(t) {
                RData::NS(n) => json!({"nsdname": host(&n.0)}),
                _ => json!({}),
            }))
        }
        RecordType::PTR => {
            p["PTRRecords"] = json!(each(&|d| match d.to_hickory(t) {
                RData::PTR(n) => json!({"ptrdname": host(&n.0)}),
                _ => json!({}),
            }))
        }
        RecordType::SRV => {
            p["SRVRecords"] = json!(each(&|d| match d.to_hickory(t) {
                RData::SRV(s) =>
                    json!({"priority": s.priority, "weight": s.weight, "port": s.port, "target": host(&s.target)}),
                _ => json!({}),
            }))
        }
        RecordType::TXT => {
            p["TXTRecords"] = json!(each(&|d| {
                let strings: Vec<String> = txt_strings(d.wire())
                    .iter()
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .collect();
                json!({"value": strings})
            }))
        }
        RecordType::CAA => {
            p["CAARecords"] = json!(each(&|d| match caa_parts(d.wire()) {
                Some((flags, tag, value)) =>
                    json!({"flags": flags, "tag": String::from_utf8_lossy(tag), "value": String::from_utf8_lossy(value)}),
                None => json!({}),
            }))
        }
        _ => {}
    }
    p
}

fn num(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or(0)
}

fn text(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

/// The presentation of each record of a set's properties, for `rtype`.
pub fn presentations(rtype: RecordType, p: &Value) -> Vec<String> {
    let list = |k: &str| p[k].as_array().cloned().unwrap_or_default();
    match rtype {
        RecordType::A => list("ARecords")
            .iter()
            .map(|r| text(r, "ipv4Address"))
            .collect(),
        RecordType::AAAA => list("AAAARecords")
            .iter()
            .map(|r| text(r, "ipv6Address"))
            .collect(),
        RecordType::CNAME => p["CNAMERecord"]["cname"]
            .as_str()
            .map(abs)
            .into_iter()
            .collect(),
        RecordType::MX => list("MXRecords")
            .iter()
            .map(|r| format!("{} {}", num(r, "preference"), abs(&text(r, "exchange"))))
            .collect(),
        RecordType::NS => list("NSRecords")
            .iter()
            .map(|r| abs(&text(r, "nsdname")))
            .collect(),
        RecordType::PTR => list("PTRRecords")
            .iter()
            .map(|r| abs(&text(r, "ptrdname")))
            .collect(),
        RecordType::SRV => list("SRVRecords")
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {}",
                    num(r, "priority"),
                    num(r, "weight"),
                    num(r, "port"),
                    abs(&text(r, "target"))
                )
            })
            .collect(),
        RecordType::TXT => list("TXTRecords")
            .iter()
            .map(|r| {
                r["value"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| quote(s.as_str().unwrap_or_default().as_bytes()))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect(),
        RecordType::CAA => list("CAARecords")
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}",
                    num(r, "flags"),
                    text(r, "tag"),
                    quote(text(r, "value").as_bytes())
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A record set as the API returns it: its name, type, TTL and records, or `None` for a
/// type nsync leaves alone.
/// A record set Azure holds through a feature nsync cannot write: an alias record set
/// (`properties.targetResource.id`: it answers with the addresses of an Azure resource,
/// and holds no records of its own), or none.
pub fn held(v: &Value, origin: &Name) -> Option<nsync_core::provider::HeldRrset> {
    let target = v["properties"]["targetResource"]["id"]
        .as_str()
        .filter(|t| !t.is_empty())?;
    let rtype = v["type"]
        .as_str()
        .and_then(|t| t.rsplit('/').next())
        .and_then(nsync_core::rdata::managed_type)?;
    let relative = v["name"].as_str().unwrap_or("@");
    let name = if relative == "@" {
        origin.clone()
    } else {
        nsync_core::name::absolute_owner(&format!("{relative}.{}", origin.to_text())).ok()?
    };
    Some(nsync_core::provider::HeldRrset {
        name: name.to_lowercase(),
        rtype,
        feature: format!("an alias record set to the Azure resource {target}"),
    })
}

pub fn from_record_set(v: &Value, origin: &Name) -> Result<Option<Rrset>, String> {
    let Some(rtype) = v["type"]
        .as_str()
        .and_then(|t| t.rsplit('/').next())
        .and_then(nsync_core::rdata::managed_type)
    else {
        return Ok(None);
    };
    let relative = v["name"].as_str().unwrap_or("@");
    let name = if relative == "@" {
        origin.clone()
    } else {
        nsync_core::name::absolute_owner(&format!("{relative}.{}", origin.to_text()))?
    }
    .to_lowercase();
    let p = &v["properties"];
    let root = Name::root();
    let rdata = presentations(rtype, p)
        .iter()
        .map(|t| {
            parse_rdata_text(rtype, t, &root).map_err(|e| format!("{relative} {rtype} `{t}`: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Rrset::new(name, rtype, num(p, "TTL") as u32, rdata)))
}

/// The record set's relative name in paths: `@` for the apex.
pub fn relative_name(name: &Name, origin: &Name) -> String {
    let name = name.to_lowercase();
    if name == *origin {
        return "@".into();
    }
    let full = name.to_text();
    let suffix = format!(".{}", origin.to_lowercase().to_text());
    full.strip_suffix(&suffix).unwrap_or(&full).to_string()
}

#[cfg(test)]
mod tests {
    /// An alias record set as the 2018-05-01 API returns it (azure-rest-api-specs
    /// dns.json, "RecordSetProperties.targetResource"): no ARecords, a target resource.
    #[test]
    fn an_alias_record_set_is_held_not_read_as_an_empty_rrset() {
        let origin = Name::from_ascii("example.com.").unwrap();
        let alias = serde_json::json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/dnszones/example.com/A/@",
            "name": "@",
            "type": "Microsoft.Network/dnszones/A",
            "etag": "7f159cb1-653d-4920-bc03-153c700be4e3",
            "properties": {
                "metadata": {"owner": "web team"},
                "TTL": 3600,
                "fqdn": "example.com.",
                "targetResource": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/web-ip"}
            }
        });
        let held = super::held(&alias, &origin).expect("held");
        assert_eq!(held.name, origin);
        assert_eq!(held.rtype, nsync_core::RecordType::A);
        assert!(
            held.feature.contains("publicIPAddresses/web-ip"),
            "{}",
            held.feature
        );
        let plain = serde_json::json!({"name": "www", "type": "Microsoft.Network/dnszones/A",
            "properties": {"TTL": 300, "ARecords": [{"ipv4Address": "192.0.2.1"}]}});
        assert!(super::held(&plain, &origin).is_none());
    }

    use super::*;

    /// Record-set properties as the 2018-05-01 REST reference's examples show them
    /// (https://learn.microsoft.com/en-us/rest/api/dns/record-sets/create-or-update, one
    /// example per type), and nsync's presentation of their records.
    fn golden() -> Vec<(RecordType, Value, Vec<&'static str>)> {
        vec![
            (
                RecordType::A,
                json!({"TTL": 3600, "ARecords": [{"ipv4Address": "127.0.0.1"}]}),
                vec!["127.0.0.1"],
            ),
            (
                RecordType::AAAA,
                json!({"TTL": 3600, "AAAARecords": [{"ipv6Address": "::1"}]}),
                vec!["::1"],
            ),
            (
                RecordType::CAA,
                json!({"TTL": 3600, "CAARecords": [{"flags": 0, "tag": "issue", "value": "ca.contoso.com"}]}),
                vec!["0 issue \"ca.contoso.com\""],
            ),
            (
                RecordType::CNAME,
                json!({"TTL": 3600, "CNAMERecord": {"cname": "contoso.com"}}),
                vec!["contoso.com."],
            ),
            (
                RecordType::MX,
                json!({"TTL": 3600, "MXRecords": [{"preference": 0, "exchange": "mail.contoso.com"}]}),
                vec!["0 mail.contoso.com."],
            ),
            (
                RecordType::NS,
                json!({"TTL": 3600, "NSRecords": [{"nsdname": "ns1.contoso.com"}]}),
                vec!["ns1.contoso.com."],
            ),
            (
                RecordType::PTR,
                json!({"TTL": 3600, "PTRRecords": [{"ptrdname": "localhost"}]}),
                vec!["localhost."],
            ),
            (
                RecordType::SRV,
                json!({"TTL": 3600, "SRVRecords": [{"priority": 0, "weight": 10, "port": 80, "target": "contoso.com"}]}),
                vec!["0 10 80 contoso.com."],
            ),
            (
                RecordType::TXT,
                json!({"TTL": 3600, "TXTRecords": [{"value": ["string1", "string2"]}]}),
                vec!["\"string1\" \"string2\""],
            ),
        ]
    }

    #[test]
    fn every_type_reads_and_writes_as_the_reference_shows() {
        let origin = Name::from_ascii("contoso.com.").unwrap();
        for (rtype, props, texts) in golden() {
            assert_eq!(presentations(rtype, &props), texts, "{rtype}");
            let set = json!({"name": "record1", "type": format!("Microsoft.Network/dnszones/{rtype}"), "properties": props});
            let rrset = from_record_set(&set, &origin).unwrap().unwrap();
            assert_eq!(rrset.ttl, 3600);
            assert_eq!(rrset.name.to_text(), "record1.contoso.com.");
            assert_eq!(
                properties(&rrset),
                props,
                "{rtype}: what nsync sends is what the reference shows"
            );
        }
        let soa = json!({"name": "@", "type": "Microsoft.Network/dnszones/SOA", "properties": {"TTL": 3600, "SOARecord": {}}});
        assert!(from_record_set(&soa, &origin).unwrap().is_none());
        assert_eq!(relative_name(&origin, &origin), "@");
    }
}
