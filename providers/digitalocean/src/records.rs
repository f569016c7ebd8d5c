//! DigitalOcean's record shape (https://docs.digitalocean.com/reference/api/reference/
//! domain-records/): `type`, `name` relative to the domain (`@` for the apex), `data`
//! (an address, a host name, the TXT text, the CAA value), `priority` (MX, SRV), `port`
//! and `weight` (SRV), `flags` and `tag` (CAA), `ttl`. These functions turn one record
//! into nsync's presentation text and back.

use hickory_proto::rr::{Name, RData, RecordType};
use nsync_core::name::{NameText, absolute_owner};
use nsync_core::rdata::{Rdata, caa_parts, format_rdata, quote, txt_strings};
use serde_json::{Value, json};

/// A host name in `data`, as sent: absolute with the final dot; the root stays `.`.
fn host(name: &Name) -> String {
    name.to_lowercase().to_text()
}

/// A host name in `data`, as read: `@` is the domain; a name without the final dot is
/// taken as absolute (DigitalOcean shows full names).
fn host_text(data: &str, origin: &Name) -> String {
    match data {
        "@" => origin.to_text(),
        "" | "." => ".".into(),
        d if d.ends_with('.') => d.to_string(),
        d => format!("{d}."),
    }
}

/// The record name for the API: relative to the domain, `@` for the apex, lower case.
pub fn relative_name(name: &Name, origin: &Name) -> String {
    let name = name.to_lowercase();
    if name == *origin {
        return "@".into();
    }
    let full = name.to_text();
    let suffix = format!(".{}", origin.to_lowercase().to_text());
    full.strip_suffix(&suffix).unwrap_or(&full).to_string()
}

/// A record's name as read: `@` or relative to the domain.
pub fn absolute_name(name: &str, origin: &Name) -> Result<Name, String> {
    if name == "@" || name.is_empty() {
        return Ok(origin.clone());
    }
    absolute_owner(&format!("{name}.{}", origin.to_text()))
}

/// The body that creates one record (without `ttl` and `name`, which the caller sets).
pub fn fields(rtype: RecordType, rdata: &Rdata) -> Value {
    let wire = rdata.wire();
    match (rtype, rdata.to_hickory(rtype)) {
        (RecordType::MX, RData::MX(mx)) => {
            json!({"data": host(&mx.exchange), "priority": mx.preference})
        }
        (RecordType::CNAME, RData::CNAME(c)) => json!({"data": host(&c.0)}),
        (RecordType::NS, RData::NS(ns)) => json!({"data": host(&ns.0)}),
        (RecordType::SRV, RData::SRV(s)) => json!({
            "data": host(&s.target), "priority": s.priority, "weight": s.weight, "port": s.port,
        }),
        // DigitalOcean takes a CAA value only with a final dot (422 "Data needs to end
        // with a dot (.)" for issue and issuewild) and stores it without that dot, so one
        // is added to the value as it should read back (DNSControl does the same).
        (RecordType::CAA, _) => match caa_parts(wire) {
            Some((flags, tag, value)) => json!({
                "data": format!("{}.", String::from_utf8_lossy(value)), "flags": flags,
                "tag": String::from_utf8_lossy(tag),
            }),
            None => json!({"data": ""}),
        },
        // One text; DigitalOcean serves it split every 255 octets (check refuses other
        // splits, and octets JSON text cannot carry).
        (RecordType::TXT, _) => {
            json!({"data": String::from_utf8_lossy(&txt_strings(wire).concat())})
        }
        (_, other) => json!({"data": format_rdata(&other)}),
    }
}

fn number(record: &Value, key: &str) -> u64 {
    record[key].as_u64().unwrap_or(0)
}

/// The presentation text of a record as DigitalOcean returns it.
pub fn presentation(rtype: RecordType, record: &Value, origin: &Name) -> String {
    let data = record["data"].as_str().unwrap_or_default();
    match rtype {
        RecordType::MX => format!("{} {}", number(record, "priority"), host_text(data, origin)),
        RecordType::CNAME | RecordType::NS => host_text(data, origin),
        RecordType::SRV => format!(
            "{} {} {} {}",
            number(record, "priority"),
            number(record, "weight"),
            number(record, "port"),
            host_text(data, origin)
        ),
        RecordType::CAA => format!(
            "{} {} {}",
            number(record, "flags"),
            record["tag"].as_str().unwrap_or_default(),
            quote(data.as_bytes())
        ),
        RecordType::TXT => {
            if data.is_empty() {
                "\"\"".into()
            } else {
                data.as_bytes()
                    .chunks(255)
                    .map(quote)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        }
        _ => data.to_string(),
    }
}

/// One record of a `domain_records` page as nsync reads it: its owner, type, TTL and
/// data, or none for a type nsync does not manage. The reader of DigitalOcean's answers,
/// apart from the network so that it can be fuzzed.
pub fn read_record(
    r: &Value,
    origin: &Name,
) -> Result<Option<(Name, RecordType, u32, Rdata)>, String> {
    let Some(rtype) = r["type"].as_str().and_then(nsync_core::rdata::managed_type) else {
        return Ok(None);
    };
    let owner = r["name"].as_str().unwrap_or_default();
    let name = absolute_name(owner, origin)
        .map_err(|e| format!("record name {owner}: {e}"))?
        .to_lowercase();
    let text = presentation(rtype, r, origin);
    let rdata = nsync_core::rdata::parse_rdata_text(rtype, &text, &Name::root())
        .map_err(|e| format!("{owner} {rtype} `{text}`: {e}"))?;
    let ttl = r["ttl"].as_u64().unwrap_or(1800) as u32;
    Ok(Some((name, rtype, ttl, rdata)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::rdata::parse_rdata_text;

    fn origin() -> Name {
        Name::from_ascii("example.com.").unwrap()
    }

    /// Records as DigitalOcean's API reference shows them (the domain-records examples:
    /// https://docs.digitalocean.com/reference/api/reference/domain-records/), one per
    /// type it takes, and nsync's presentation of each. Host names are sent absolute
    /// (with the final dot); `@` and names without the dot, as the examples show them,
    /// read the same.
    fn golden() -> Vec<(RecordType, Value, &'static str)> {
        vec![
            (RecordType::A, json!({"data": "162.10.66.0"}), "162.10.66.0"),
            (
                RecordType::AAAA,
                json!({"data": "2001:db8::4"}),
                "2001:db8::4",
            ),
            (
                RecordType::CNAME,
                json!({"data": "www.example.net."}),
                "www.example.net.",
            ),
            (
                RecordType::NS,
                json!({"data": "ns1.digitalocean.com."}),
                "ns1.digitalocean.com.",
            ),
            (
                RecordType::MX,
                json!({"data": "mail.example.com.", "priority": 10}),
                "10 mail.example.com.",
            ),
            (RecordType::MX, json!({"data": ".", "priority": 0}), "0 ."),
            (
                RecordType::TXT,
                json!({"data": "v=spf1 include:_spf.example.com ~all"}),
                "\"v=spf1 include:_spf.example.com ~all\"",
            ),
            (
                RecordType::TXT,
                json!({"data": "say \"hi\" back\\slash"}),
                "\"say \\\"hi\\\" back\\\\slash\"",
            ),
            (
                RecordType::SRV,
                json!({"data": "sip.example.com.", "priority": 10, "weight": 5, "port": 5060}),
                "10 5 5060 sip.example.com.",
            ),
            (
                RecordType::CAA,
                json!({"data": "letsencrypt.org", "flags": 0, "tag": "issue"}),
                "0 issue \"letsencrypt.org\"",
            ),
            (
                RecordType::CAA,
                json!({"data": "mailto:sec@example.com", "flags": 128, "tag": "iodef"}),
                "128 iodef \"mailto:sec@example.com\"",
            ),
        ]
    }

    #[test]
    fn every_type_reads_and_writes_as_the_api_reference_shows() {
        for (rtype, vendor, text) in golden() {
            assert_eq!(presentation(rtype, &vendor, &origin()), text, "{vendor}");
            let rdata = parse_rdata_text(rtype, text, &origin()).unwrap();
            let mut sent = fields(rtype, &rdata);
            // A CAA value is sent with the final dot DigitalOcean requires and strips.
            let mut vendor = vendor.clone();
            if rtype == RecordType::CAA {
                vendor["data"] = json!(format!("{}.", vendor["data"].as_str().unwrap()));
            }
            for (k, v) in vendor.as_object().unwrap() {
                assert_eq!(&sent[k], v, "{rtype} {text}: field {k}");
            }
            sent.as_object_mut()
                .unwrap()
                .retain(|k, _| vendor.get(k).is_some());
            assert_eq!(sent, vendor, "{rtype} {text}: no other field");
        }
    }

    #[test]
    fn names_and_hosts_as_the_api_writes_them() {
        let o = origin();
        assert_eq!(
            presentation(RecordType::CNAME, &json!({"data": "@"}), &o),
            "example.com."
        );
        assert_eq!(
            presentation(RecordType::CNAME, &json!({"data": "www.example.net"}), &o),
            "www.example.net."
        );
        let www = Name::from_ascii("WWW.Example.com.").unwrap();
        assert_eq!(relative_name(&www, &o), "www");
        assert_eq!(relative_name(&o, &o), "@");
        assert_eq!(absolute_name("@", &o).unwrap(), o);
        assert_eq!(
            absolute_name("_sip._tcp", &o).unwrap(),
            Name::from_ascii("_sip._tcp.example.com.").unwrap()
        );
        // 300 octets: one text, served as 255 + 45.
        let long = "x".repeat(300);
        let text = presentation(RecordType::TXT, &json!({"data": long}), &o);
        let rdata = parse_rdata_text(RecordType::TXT, &text, &o).unwrap();
        assert_eq!(
            txt_strings(rdata.wire())
                .iter()
                .map(|s| s.len())
                .collect::<Vec<_>>(),
            [255, 45]
        );
        assert_eq!(fields(RecordType::TXT, &rdata)["data"], json!(long));
    }
}
