//! NS1's answer shape (https://developer.ibm.com/apis/catalog/ns1--ibm-ns1-connect-api/,
//! "Records"): a record is one domain and type with `answers`, each answer the rdata's
//! fields as strings (`["10", "mail.example.com"]` for MX), host names without the final
//! dot; the zone's record list gives each record's `short_answers`, those fields joined
//! by spaces. These functions turn one answer into nsync's presentation text and back.

use hickory_proto::rr::RecordType;
use nsync_core::provider::HeldRrset;
use nsync_core::rdata::{Rdata, caa_parts, format_wire, quote, txt_strings};
use serde_json::{Value, json};

/// Which fields of a type are host names (they travel without the final dot).
fn host_fields(rtype: RecordType) -> &'static [usize] {
    match rtype {
        RecordType::CNAME | RecordType::NS | RecordType::PTR => &[0],
        RecordType::MX => &[1],
        RecordType::SRV => &[3],
        _ => &[],
    }
}

/// One answer's fields, as NS1 takes them.
pub fn answer(rtype: RecordType, rdata: &Rdata) -> Value {
    let wire = rdata.wire();
    let fields: Vec<String> = match rtype {
        RecordType::TXT => vec![String::from_utf8_lossy(&txt_strings(wire).concat()).into_owned()],
        RecordType::CAA => match caa_parts(wire) {
            Some((flags, tag, value)) => vec![
                flags.to_string(),
                String::from_utf8_lossy(tag).into_owned(),
                String::from_utf8_lossy(value).into_owned(),
            ],
            None => Vec::new(),
        },
        _ => {
            let hosts = host_fields(rtype);
            format_wire(rtype, wire)
                .split_whitespace()
                .enumerate()
                .map(|(i, f)| {
                    if hosts.contains(&i) && f != "." {
                        f.trim_end_matches('.').to_string()
                    } else {
                        f.to_string()
                    }
                })
                .collect()
        }
    };
    json!({ "answer": fields })
}

/// The presentation text of one short answer (the fields joined by spaces).
pub fn presentation(rtype: RecordType, short: &str) -> String {
    match rtype {
        RecordType::TXT => quote(short.as_bytes()),
        RecordType::CAA => {
            let mut parts = short.splitn(3, ' ');
            let (flags, tag, value) = (
                parts.next().unwrap_or("0"),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            format!("{flags} {tag} {}", quote(value.as_bytes()))
        }
        _ => {
            let hosts = host_fields(rtype);
            short
                .split_whitespace()
                .enumerate()
                .map(|(i, f)| {
                    if hosts.contains(&i) && !f.ends_with('.') {
                        format!("{f}.")
                    } else {
                        f.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
}

/// What nsync reads of one NS1 zone: the rrsets it manages, what it says of records it
/// leaves alone, and the records it holds (never writes) because they use NS1 features
/// it cannot represent.
pub struct ZoneRead {
    pub zone: nsync_core::zone::Zone,
    pub notices: Vec<String>,
    pub held: Vec<HeldRrset>,
}

/// The zone nsync reads from NS1's answer to `GET /v1/zones/{zone}`: the reader of NS1's
/// answers, apart from the network so that it can be fuzzed. Read by NS1's own rules:
/// only the types this kind manages are parsed (a NAPTR or an NS1-only type such as
/// URLFWD is left alone and said so, never a reason the whole read fails); a record that
/// is linked to another, or of tier 2 or 3 (answer or record metadata, a filter chain:
/// geo, weights, up/down), is held, since its `short_answers` are a flattening of what it
/// serves (a geo CNAME lists every region's answer) and a write from them would drop the
/// rest; an answer of a managed type that does not read is held too, naming why.
pub fn zone_from(origin: &nsync_core::Name, z: &Value) -> Result<ZoneRead, String> {
    use nsync_core::zone::{Rrset, Zone};
    let root = nsync_core::Name::root();
    let mut read = ZoneRead {
        zone: Zone::new(origin.clone()),
        notices: Vec::new(),
        held: Vec::new(),
    };
    if z["secondary"]["enabled"].as_bool() == Some(true) {
        read.notices.push(
            "the zone is a secondary at NS1 (it transfers from a primary); writes to it will fail"
                .to_string(),
        );
    }
    // An answer without the record list is not NS1's zone (a proxy's page, another API):
    // read as an empty zone it would make the plan create everything.
    let Some(listed) = z["records"].as_array() else {
        return Err(format!(
            "the answer has no `records` list: {}; is `endpoint` NS1's API?",
            nsync_core::outside::printable(&z.to_string(), 160)
        ));
    };
    for r in listed {
        let type_text = r["type"].as_str().unwrap_or_default();
        let domain = r["domain"].as_str().unwrap_or_default();
        let managed =
            nsync_core::rdata::managed_type(type_text).filter(|t| crate::CAPABILITIES.supports(*t));
        let Some(rtype) = managed else {
            // ALIAS answers A and AAAA queries at its owner: a zone-file A or AAAA there
            // would fight it, so it is held as both.
            if type_text.eq_ignore_ascii_case("ALIAS")
                && let Ok(name) = nsync_core::name::absolute_owner(domain)
            {
                let target = r["short_answers"][0].as_str().unwrap_or_default();
                for t in [RecordType::A, RecordType::AAAA] {
                    read.held.push(HeldRrset {
                        name: name.to_lowercase(),
                        rtype: t,
                        feature: format!("NS1 ALIAS to {target}"),
                    });
                }
            } else {
                read.notices.push(format!(
                    "{domain} {type_text}: a type nsync does not manage at NS1; left as it is"
                ));
            }
            continue;
        };
        let name = nsync_core::name::absolute_owner(domain)
            .map_err(|e| format!("record domain {domain}: {e}"))?
            .to_lowercase();
        let hold = |feature: String| HeldRrset {
            name: name.clone(),
            rtype,
            feature,
        };
        if let Some(link) = r["link"].as_str() {
            read.held.push(hold(format!("linked to {link}")));
            continue;
        }
        let tier = r["tier"].as_u64().unwrap_or(1);
        if tier > 1 {
            read.held.push(hold(format!(
                "NS1 advanced record (tier {tier}: metadata or a filter chain)"
            )));
            continue;
        }
        let mut rdata = Vec::new();
        let mut unreadable = None;
        for short in r["short_answers"].as_array().into_iter().flatten() {
            let text = presentation(rtype, short.as_str().unwrap_or_default());
            match nsync_core::rdata::parse_rdata_text(rtype, &text, &root) {
                Ok(d) => rdata.push(d),
                Err(e) => {
                    unreadable = Some(format!("an answer nsync cannot read (`{text}`: {e})"));
                    break;
                }
            }
        }
        if let Some(why) = unreadable {
            read.held.push(hold(why));
            continue;
        }
        let ttl = r["ttl"].as_u64().unwrap_or(3600) as u32;
        read.zone.insert(Rrset::new(name, rtype, ttl, rdata));
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::Name;
    use nsync_core::rdata::parse_rdata_text;

    /// Answers as NS1's API reference and its Go client show them (ns1-go
    /// rest/model/dns/answer.go: `NewMXAnswer` and friends), one per type nsync manages
    /// there, and nsync's presentation of each.
    fn golden() -> Vec<(RecordType, Value, &'static str)> {
        vec![
            (RecordType::A, json!(["1.2.3.4"]), "1.2.3.4"),
            (
                RecordType::AAAA,
                json!(["2001:db8:85a3::8a2e:370:7334"]),
                "2001:db8:85a3::8a2e:370:7334",
            ),
            (
                RecordType::CNAME,
                json!(["www.example.net"]),
                "www.example.net.",
            ),
            (
                RecordType::NS,
                json!(["dns1.p01.nsone.net"]),
                "dns1.p01.nsone.net.",
            ),
            (
                RecordType::PTR,
                json!(["host.example.net"]),
                "host.example.net.",
            ),
            (
                RecordType::MX,
                json!(["10", "mail.example.com"]),
                "10 mail.example.com.",
            ),
            (RecordType::MX, json!(["0", "."]), "0 ."),
            (
                RecordType::SRV,
                json!(["10", "5", "5060", "sip.example.com"]),
                "10 5 5060 sip.example.com.",
            ),
            (
                RecordType::CAA,
                json!(["0", "issue", "letsencrypt.org"]),
                "0 issue \"letsencrypt.org\"",
            ),
            (
                RecordType::CAA,
                json!(["0", "issue", "ca.example; account=1"]),
                "0 issue \"ca.example; account=1\"",
            ),
            (
                RecordType::TXT,
                json!(["v=spf1 include:_spf.example.com ~all"]),
                "\"v=spf1 include:_spf.example.com ~all\"",
            ),
            (
                RecordType::TXT,
                json!(["say \"hi\" back\\slash"]),
                "\"say \\\"hi\\\" back\\\\slash\"",
            ),
            (
                RecordType::DS,
                json!([
                    "31589",
                    "13",
                    "2",
                    "3490a6806d47f17a34c29e2ce80e8a999ffbe4be3f5a4e3c1a2b3c4d5e6f7081"
                ]),
                "31589 13 2 3490a6806d47f17a34c29e2ce80e8a999ffbe4be3f5a4e3c1a2b3c4d5e6f7081",
            ),
            (
                RecordType::TLSA,
                json!([
                    "3",
                    "1",
                    "1",
                    "0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6"
                ]),
                "3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6",
            ),
        ]
    }

    #[test]
    fn every_type_reads_and_writes_as_the_api_reference_shows() {
        let origin = Name::from_ascii("example.com.").unwrap();
        for (rtype, fields, text) in golden() {
            let short: Vec<&str> = fields
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            assert_eq!(presentation(rtype, &short.join(" ")), text, "{fields}");
            let rdata = parse_rdata_text(rtype, text, &origin).unwrap();
            assert_eq!(
                answer(rtype, &rdata),
                json!({ "answer": fields }),
                "{rtype} {text}"
            );
        }
    }

    /// A zone listing shaped as NS1 returns it (the record entries of
    /// `GET /v1/zones/{zone}`: `domain`, `type`, `ttl`, `tier`, `link`,
    /// `short_answers`), with what multi-provider users keep there beside plain records.
    #[test]
    fn a_listing_is_read_by_ns1s_own_types_and_tiers() {
        let origin = Name::from_ascii("example.com.").unwrap();
        let listing = json!({"zone": "example.com", "records": [
            {"domain": "www.example.com", "type": "A", "ttl": 300, "tier": 1, "short_answers": ["192.0.2.1"]},
            {"domain": "sip.example.com", "type": "NAPTR", "ttl": 300, "tier": 1, "short_answers": ["100 10 S SIP+D2U  _sip._udp.example.com"]},
            {"domain": "go.example.com", "type": "URLFWD", "ttl": 300, "tier": 1, "short_answers": ["/ https://example.net 301 2 0"]},
            {"domain": "example.com", "type": "ALIAS", "ttl": 300, "tier": 1, "short_answers": ["lb.example.net"]},
            {"domain": "cdn.example.com", "type": "CNAME", "ttl": 60, "tier": 3, "short_answers": ["eu.cdn.example.net", "us.cdn.example.net"]},
            {"domain": "mirror.example.com", "type": "A", "ttl": 300, "tier": 1, "link": "www.example.com", "short_answers": ["192.0.2.1"]},
            {"domain": "odd.example.com", "type": "MX", "ttl": 300, "tier": 1, "short_answers": ["ten mail.example.com"]},
        ]});
        let read = zone_from(&origin, &listing).unwrap();
        assert_eq!(read.zone.len(), 1, "only www A is nsync's");
        let held: Vec<String> = read
            .held
            .iter()
            .map(|h| format!("{} {} {}", h.name, h.rtype, h.feature))
            .collect();
        assert_eq!(held.len(), 5, "{held:#?}");
        assert!(held[0].starts_with("example.com. A NS1 ALIAS to lb.example.net"));
        assert!(held[1].starts_with("example.com. AAAA NS1 ALIAS"));
        assert!(held[2].contains("cdn.example.com. CNAME NS1 advanced record (tier 3"));
        assert!(held[3].contains("mirror.example.com. A linked to www.example.com"));
        assert!(held[4].contains("odd.example.com. MX an answer nsync cannot read"));
        assert_eq!(read.notices.len(), 2, "{:?}", read.notices);
        assert!(read.notices[0].starts_with("sip.example.com NAPTR"));
        assert!(read.notices[1].starts_with("go.example.com URLFWD"));
    }

    #[test]
    fn an_answer_without_the_record_list_is_refused_not_read_as_empty() {
        let origin = Name::from_ascii("example.com.").unwrap();
        let e = zone_from(&origin, &json!({"status": "ok"})).err().unwrap();
        assert!(e.contains("no `records` list"), "{e}");
    }
}
