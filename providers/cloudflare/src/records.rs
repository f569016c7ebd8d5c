//! Cloudflare's record shapes (https://developers.cloudflare.com/api/resources/dns/):
//! names without the final dot, MX with a separate `priority`, and a `data` object for
//! the structured types (SRV, CAA, SSHFP, TLSA, DS, HTTPS, SVCB, NAPTR). These functions
//! turn one record into nsync's presentation text and back.

use hickory_proto::rr::{RData, RecordType};
use nsync_core::name::NameText;
use nsync_core::rdata::{format_rdata, quote};
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
        _ => content.to_string(),
    }
}
