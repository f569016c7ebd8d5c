//! Edge DNS's record-set shape (https://techdocs.akamai.com/edge-dns/reference/
//! get-zones-zone-recordsets): `{name, type, ttl, rdata}`, the name without its final
//! dot, each rdata one record's data in master-file presentation.

use hickory_proto::rr::Name;
use nsync_core::name::{NameText, absolute_owner};
use nsync_core::rdata::{format_wire, managed_type, parse_rdata_text};
use nsync_core::zone::Rrset;
use serde_json::{Value, json};

pub fn bare(name: &Name) -> String {
    let t = name.to_lowercase().to_text();
    t.trim_end_matches('.').to_string()
}

pub fn to_akamai(r: &Rrset) -> Value {
    json!({
        "name": bare(&r.name),
        "type": r.rtype.to_string(),
        "ttl": r.ttl,
        "rdata": r.rdata().iter().map(|d| format_wire(r.rtype, d.wire())).collect::<Vec<_>>(),
    })
}

/// A record set as Edge DNS returns it, or `None` for one nsync leaves alone (the SOA,
/// types it does not model).
pub fn from_akamai(v: &Value) -> Result<Option<Rrset>, String> {
    let Some(rtype) = v["type"].as_str().and_then(managed_type) else {
        return Ok(None);
    };
    let owner = v["name"].as_str().unwrap_or_default();
    let name = absolute_owner(owner)
        .map_err(|e| format!("record set name {owner}: {e}"))?
        .to_lowercase();
    let root = Name::root();
    let rdata = v["rdata"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let t = d.as_str().unwrap_or_default();
            parse_rdata_text(rtype, t, &root).map_err(|e| format!("{owner} {rtype} `{t}`: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Rrset::new(
        name,
        rtype,
        v["ttl"].as_u64().unwrap_or(300) as u32,
        rdata,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::RecordType;

    /// Record sets as the Edge DNS API reference's examples show them, one per common
    /// type: they read to nsync's presentation, and what nsync sends reads back alike.
    #[test]
    fn record_sets_read_and_write_as_the_reference_shows() {
        let cases = [
            (
                json!({"name": "www.example.com", "type": "A", "ttl": 300, "rdata": ["10.0.0.2", "10.0.0.3"]}),
                vec!["10.0.0.2", "10.0.0.3"],
            ),
            (
                json!({"name": "example.com", "type": "MX", "ttl": 300, "rdata": ["10 mail.example.com."]}),
                vec!["10 mail.example.com."],
            ),
            (
                json!({"name": "example.com", "type": "TXT", "ttl": 300, "rdata": ["\"v=spf1 -all\""]}),
                vec!["\"v=spf1 -all\""],
            ),
            (
                json!({"name": "example.com", "type": "CAA", "ttl": 300, "rdata": ["0 issue \"letsencrypt.org\""]}),
                vec!["0 issue \"letsencrypt.org\""],
            ),
            (
                json!({"name": "_sip._tcp.example.com", "type": "SRV", "ttl": 300, "rdata": ["10 60 5060 sip.example.com."]}),
                vec!["10 60 5060 sip.example.com."],
            ),
            (
                json!({"name": "example.com", "type": "NS", "ttl": 86400, "rdata": ["a1-64.akam.net."]}),
                vec!["a1-64.akam.net."],
            ),
        ];
        for (v, want) in cases {
            let r = from_akamai(&v).unwrap().unwrap();
            assert_eq!(r.values(), want, "{v}");
            let back = to_akamai(&r);
            assert_eq!(from_akamai(&back).unwrap().unwrap(), r);
            assert_eq!(back["name"], v["name"]);
        }
        let soa = json!({"name": "example.com", "type": "SOA", "ttl": 86400, "rdata": ["a1-64.akam.net. hostmaster.example.com. 1 3600 600 604800 300"]});
        assert!(from_akamai(&soa).unwrap().is_none());
        let _ = RecordType::A;
    }
}
