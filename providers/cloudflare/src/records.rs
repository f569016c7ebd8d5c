//! Cloudflare's record shapes (https://developers.cloudflare.com/api/resources/dns/):
//! names without the final dot, MX with a separate `priority`, and a `data` object for
//! the structured types (SRV, CAA, SSHFP, TLSA, DS, HTTPS, SVCB, NAPTR). These functions
//! turn one record into nsync's presentation text and back.

use hickory_proto::rr::{RData, RecordType};
use nsync_core::name::NameText;
use nsync_core::rdata::{Rdata, format_rdata, quote};
use nsync_core::zone::Rrset;
use serde_json::{Value, json};

/// The fields of a record to send: `content`, `priority` and `data`, as the type needs.
pub fn to_cloudflare(rtype: RecordType, rdata: &RData) -> Value {
    let text = format_rdata(rdata);
    // The root name (null MX, "no service" SRV) stays ".".
    let no_dot = |s: &str| {
        if s == "." {
            s.to_string()
        } else {
            s.trim_end_matches('.').to_string()
        }
    };
    let fields: Vec<&str> = text.split(' ').collect();
    match (rtype, rdata) {
        (RecordType::MX, RData::MX(mx)) => {
            json!({"content": no_dot(&mx.exchange.to_text()), "priority": mx.preference})
        }
        (RecordType::CNAME | RecordType::NS | RecordType::PTR, _) => {
            json!({"content": no_dot(&text)})
        }
        (RecordType::SRV, RData::SRV(s)) => {
            json!({"data": {"priority": s.priority, "weight": s.weight, "port": s.port, "target": no_dot(&s.target.to_text())}})
        }
        (RecordType::CAA, RData::CAA(c)) => {
            json!({"data": {"flags": if c.issuer_critical { 128 } else { 0 } | c.reserved_flags, "tag": c.tag, "value": String::from_utf8_lossy(&c.value)}})
        }
        (RecordType::SSHFP, _) => {
            json!({"data": {"algorithm": num(fields[0]), "type": num(fields[1]), "fingerprint": fields[2..].join("")}})
        }
        (RecordType::TLSA, _) => {
            json!({"data": {"usage": num(fields[0]), "selector": num(fields[1]), "matching_type": num(fields[2]), "certificate": fields[3..].join("")}})
        }
        (RecordType::DS, _) => {
            json!({"data": {"key_tag": num(fields[0]), "algorithm": num(fields[1]), "digest_type": num(fields[2]), "digest": fields[3..].join("")}})
        }
        (RecordType::HTTPS | RecordType::SVCB, _) => {
            json!({"data": {"priority": num(fields[0]), "target": fields[1], "value": fields[2..].join(" ")}})
        }
        (RecordType::NAPTR, RData::NAPTR(n)) => json!({"data": {
            "order": n.order, "preference": n.preference,
            "flags": String::from_utf8_lossy(&n.flags), "service": String::from_utf8_lossy(&n.services),
            "regex": String::from_utf8_lossy(&n.regexp), "replacement": n.replacement.to_text(),
        }}),
        _ => json!({"content": text}),
    }
}

fn num(s: &str) -> u64 {
    s.parse().unwrap_or(0)
}

fn field(data: &Value, key: &str) -> String {
    match &data[key] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// The presentation text of a record as Cloudflare returns it.
pub fn from_cloudflare(
    rtype: RecordType,
    content: &str,
    priority: Option<u64>,
    data: Option<&Value>,
) -> String {
    let abs = |s: &str| {
        if s.is_empty() {
            ".".to_string()
        } else if s.ends_with('.') {
            s.to_string()
        } else {
            format!("{s}.")
        }
    };
    let d = data.filter(|d| d.is_object());
    match (rtype, d) {
        (RecordType::MX, _) => format!("{} {}", priority.unwrap_or(0), abs(content)),
        (RecordType::CNAME | RecordType::NS | RecordType::PTR, _) => abs(content),
        (RecordType::SRV, Some(d)) => format!(
            "{} {} {} {}",
            field(d, "priority"),
            field(d, "weight"),
            field(d, "port"),
            abs(&field(d, "target"))
        ),
        (RecordType::CAA, Some(d)) => format!(
            "{} {} {}",
            field(d, "flags"),
            field(d, "tag"),
            quote(field(d, "value").as_bytes())
        ),
        (RecordType::SSHFP, Some(d)) => format!(
            "{} {} {}",
            field(d, "algorithm"),
            field(d, "type"),
            field(d, "fingerprint")
        ),
        (RecordType::TLSA, Some(d)) => format!(
            "{} {} {} {}",
            field(d, "usage"),
            field(d, "selector"),
            field(d, "matching_type"),
            field(d, "certificate")
        ),
        (RecordType::DS, Some(d)) => format!(
            "{} {} {} {}",
            field(d, "key_tag"),
            field(d, "algorithm"),
            field(d, "digest_type"),
            field(d, "digest")
        ),
        (RecordType::HTTPS | RecordType::SVCB, Some(d)) => format!(
            "{} {} {}",
            field(d, "priority"),
            field(d, "target"),
            field(d, "value")
        ),
        (RecordType::NAPTR, Some(d)) => format!(
            "{} {} {} {} {} {}",
            field(d, "order"),
            field(d, "preference"),
            quote(field(d, "flags").as_bytes()),
            quote(field(d, "service").as_bytes()),
            quote(field(d, "regex").as_bytes()),
            abs(&field(d, "replacement"))
        ),
        // TXT content is quoted character strings (the API's documented form); a
        // record written unquoted by another tool is one text, split at 255 octets.
        (RecordType::TXT, _) if !content.trim_start().starts_with('"') => content
            .as_bytes()
            .chunks(255)
            .map(quote)
            .collect::<Vec<_>>()
            .join(" "),
        _ => content.to_string(),
    }
}

/// A record's body for the API: its type, name (lower case, no final dot), TTL and the
/// type's fields.
pub fn record_body(r: &Rrset, rdata: &Rdata) -> Value {
    let mut body = to_cloudflare(r.rtype, &rdata.to_hickory(r.rtype));
    body["type"] = json!(r.rtype.to_string());
    // Lower case, as the API stores names (case is kept only for display in nsync).
    body["name"] = json!(
        r.name
            .to_lowercase()
            .to_text()
            .trim_end_matches('.')
            .to_string()
    );
    body["ttl"] = json!(r.ttl);
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::rdata::parse_rdata_text;

    /// Records as Cloudflare's API reference shows them
    /// (https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/get/,
    /// one example body per type), and nsync's presentation of each.
    fn golden() -> Vec<(RecordType, Value, &'static str)> {
        vec![
            (
                RecordType::A,
                json!({"content": "198.51.100.4"}),
                "198.51.100.4",
            ),
            (
                RecordType::AAAA,
                json!({"content": "2001:db8::4"}),
                "2001:db8::4",
            ),
            (
                RecordType::CNAME,
                json!({"content": "www.example.com"}),
                "www.example.com.",
            ),
            (
                RecordType::NS,
                json!({"content": "ns1.example.com"}),
                "ns1.example.com.",
            ),
            (
                RecordType::PTR,
                json!({"content": "host.example.com"}),
                "host.example.com.",
            ),
            (
                RecordType::MX,
                json!({"content": "mx.example.com", "priority": 10}),
                "10 mx.example.com.",
            ),
            (
                RecordType::TXT,
                json!({"content": "\"v=spf1 include:_spf.example.com ~all\""}),
                "\"v=spf1 include:_spf.example.com ~all\"",
            ),
            (
                RecordType::SRV,
                json!({"data": {"priority": 10, "weight": 5, "port": 5060, "target": "sip.example.com"}}),
                "10 5 5060 sip.example.com.",
            ),
            (
                RecordType::CAA,
                json!({"data": {"flags": 0, "tag": "issue", "value": "letsencrypt.org"}}),
                "0 issue \"letsencrypt.org\"",
            ),
            (
                RecordType::SSHFP,
                json!({"data": {"algorithm": 4, "type": 2, "fingerprint": "9d5fab2c7e0b1f3a4c6d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"}}),
                "4 2 9d5fab2c7e0b1f3a4c6d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
            ),
            (
                RecordType::TLSA,
                json!({"data": {"usage": 3, "selector": 1, "matching_type": 1, "certificate": "0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6"}}),
                "3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6",
            ),
            (
                RecordType::DS,
                json!({"data": {"key_tag": 31589, "algorithm": 13, "digest_type": 2, "digest": "3490a6806d47f17a34c29e2ce80e8a999ffbe4be3f5a4e3c1a2b3c4d5e6f7081"}}),
                "31589 13 2 3490a6806d47f17a34c29e2ce80e8a999ffbe4be3f5a4e3c1a2b3c4d5e6f7081",
            ),
            (
                RecordType::HTTPS,
                json!({"data": {"priority": 1, "target": ".", "value": "alpn=\"h3,h2\""}}),
                "1 . alpn=h3,h2",
            ),
            (
                RecordType::SVCB,
                json!({"data": {"priority": 1, "target": "svc.example.com.", "value": "port=8443"}}),
                "1 svc.example.com. port=8443",
            ),
            (
                RecordType::NAPTR,
                json!({"data": {"order": 100, "preference": 10, "flags": "S", "service": "SIP+D2U", "regex": "", "replacement": "_sip._udp.example.com"}}),
                "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.",
            ),
        ]
    }

    fn read(rtype: RecordType, body: &Value) -> String {
        from_cloudflare(
            rtype,
            body["content"].as_str().unwrap_or_default(),
            body["priority"].as_u64(),
            body.get("data"),
        )
    }

    #[test]
    fn every_documented_record_reads_as_nsync_presents_it_and_writes_back() {
        let root = hickory_proto::rr::Name::root();
        for (rtype, body, presented) in golden() {
            let text = read(rtype, &body);
            let rdata = parse_rdata_text(rtype, &text, &root)
                .unwrap_or_else(|e| panic!("{rtype} `{text}`: {e}"));
            assert_eq!(format_rdata(&rdata.to_hickory(rtype)), presented, "{rtype}");
            // What nsync sends reads back as the same record.
            let sent = to_cloudflare(rtype, &rdata.to_hickory(rtype));
            let again = parse_rdata_text(rtype, &read(rtype, &sent), &root).unwrap();
            assert_eq!(again, rdata, "{rtype}: {sent}");
        }
    }

    #[test]
    fn unquoted_txt_from_another_tool_is_one_text() {
        assert_eq!(
            read(RecordType::TXT, &json!({"content": "v=spf1 -all"})),
            "\"v=spf1 -all\""
        );
        let long = "a".repeat(300);
        let text = read(RecordType::TXT, &json!({"content": long}));
        assert_eq!(text.matches('"').count(), 4, "split at 255 octets: {text}");
    }
}
