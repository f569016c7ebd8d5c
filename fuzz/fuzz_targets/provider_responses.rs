//! Every API provider's reading of its answers, on any body: PowerDNS's zone JSON and
//! error body, Cloudflare's envelope and records, Route 53's XML pages (read as read_zone
//! reads them) and error shapes. The
//! first octet picks the reader. An error names the record; never a panic.
#![no_main]

use hickory_proto::rr::{Name, RecordType};
use libfuzzer_sys::fuzz_target;
use nsync_core::rdata::{managed_type, parse_rdata_text};

fuzz_target!(|data: &[u8]| {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let origin = Name::from_ascii("example.test.").unwrap();
    match which % 4 {
        0 => {
            if let Ok(zone) = serde_json::from_str::<nsync_powerdns::model::Zone>(text) {
                let _ = nsync_powerdns::records::zone_from(&origin, zone.rrsets);
            }
        }
        1 => {
            if let Ok(env) = serde_json::from_str::<nsync_cloudflare::model::Envelope>(text) {
                for r in env.result.as_array().into_iter().flatten() {
                    let Some(rtype) = r["type"].as_str().and_then(managed_type) else {
                        continue;
                    };
                    let presented = nsync_cloudflare::records::from_cloudflare(
                        rtype,
                        r["content"].as_str().unwrap_or_default(),
                        r["priority"].as_u64(),
                        r.get("data"),
                    );
                    let _ = parse_rdata_text(rtype, &presented, &Name::root());
                }
            }
        }
        2 => {
            if let Ok(page) = quick_xml::de::from_str::<
                nsync_route53::model::ListResourceRecordSetsResponse,
            >(text)
            {
                // The reader itself, as read_zone runs it on each page.
                let _ = nsync_route53::provider::page_rrsets(&page.sets.sets);
            }
            let _ = nsync_route53::model::parse_error(text);
        }
        _ => {
            let value = nsync_route53::octal_to_decimal(text);
            let _ = parse_rdata_text(RecordType::TXT, &value, &origin);
        }
    }
});
