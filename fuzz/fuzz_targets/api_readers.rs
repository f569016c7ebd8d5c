//! The readers of the second wave of API providers, on any body, as read_zone runs them
//! on each answer: DigitalOcean's `domain_records` page, NS1's zone, Google Cloud DNS's
//! `rrsets` page, Azure DNS's record-set list, Akamai Edge DNS's `recordsets` page. The
//! first octet picks the reader. An error names the record; never a panic.
#![no_main]

use hickory_proto::rr::Name;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let origin = Name::from_ascii("example.test.").unwrap();
    let list = |key: &str| json[key].as_array().cloned().unwrap_or_default();
    match which % 5 {
        0 => {
            for r in list("domain_records") {
                let _ = nsync_digitalocean::records::read_record(&r, &origin);
            }
        }
        1 => {
            let _ = nsync_ns1::records::zone_from(&origin, &json);
        }
        2 => {
            for r in list("rrsets") {
                let _ = nsync_googlecloud::records::from_google(&r);
            }
        }
        3 => {
            for set in list("value") {
                let _ = nsync_azure::records::from_record_set(&set, &origin);
            }
        }
        _ => {
            for v in list("recordsets") {
                let _ = nsync_akamai::records::from_akamai(&v);
            }
        }
    }
});
