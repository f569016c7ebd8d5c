//! The `ns1` kind: its keys in nsync.toml, what it stores, and the records it cannot
//! store exactly.

use std::sync::Arc;

use hickory_proto::rr::RecordType;
use nsync_core::diag::Diagnostic;
use nsync_core::kind::{KeyType, Kind, RecordProblem, key};
use nsync_core::provider::{Provider, ProviderError};
use nsync_core::settings::Settings;
use nsync_core::zone::Rrset;

use nsync_core::rdata::{caa_parts, is_printable_text, txt_strings};

pub const KIND: Kind = Kind {
    name: "ns1",
    summary: "NS1 (IBM NS1 Connect)",
    keys: &[
        key("api_key", KeyType::Secret, true, "\"env:NS1_API_KEY\""),
        key(
            "endpoint",
            KeyType::Str,
            false,
            "\"https://api.nsone.net/v1\"",
        ),
        nsync_http::TIMEOUT_KEY,
    ],
    capabilities: crate::CAPABILITIES,
    check_values,
    check_rrset,
    build,
};

fn build(name: &str, settings: &Settings) -> Result<Arc<dyn Provider>, ProviderError> {
    Ok(Arc::new(crate::Ns1::from_settings(name, settings)?))
}

fn check_values(provider: &str, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    nsync_http::check_api_values(provider, settings, diags);
}

fn refused(message: String, hint: &'static str) -> Option<RecordProblem> {
    Some(RecordProblem {
        refused: true,
        message,
        hint,
    })
}

/// What NS1's answers cannot hold as the zone file says: a TXT answer is one text (so a
/// record of several strings, or one over 255 octets, would not come back as written),
/// and TXT and CAA text travels as JSON text (octets that are not printable UTF-8 would
/// not come back the same).
fn check_rrset(rrset: &Rrset) -> Option<RecordProblem> {
    for rdata in rrset.rdata() {
        let text: Vec<u8> = match rrset.rtype {
            RecordType::TXT => {
                let strings = txt_strings(rdata.wire());
                if strings.len() > 1 {
                    return refused(
                        "a TXT record of several strings; an NS1 answer holds one text".into(),
                        "write it as one string of at most 255 octets, or take NS1 off this zone",
                    );
                }
                strings.concat()
            }
            RecordType::CAA => match caa_parts(rdata.wire()) {
                Some((_, _, value)) => value.to_vec(),
                None => continue,
            },
            _ => continue,
        };
        if !is_printable_text(&text) {
            return refused(
                format!(
                    "{} data with control characters or octets that are not UTF-8, which NS1's API cannot carry exactly",
                    rrset.rtype
                ),
                "use printable text, or take NS1 off this zone",
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::Name;
    use nsync_core::rdata::parse_rdata_text;

    fn rrset(rtype: RecordType, text: &str) -> Rrset {
        let origin = Name::from_ascii("example.com.").unwrap();
        let rdata = parse_rdata_text(rtype, text, &origin).unwrap();
        Rrset::new(origin, rtype, 300, vec![rdata])
    }

    #[test]
    fn what_ns1_cannot_store_exactly_is_refused() {
        assert!(check_rrset(&rrset(RecordType::TXT, "\"v=spf1 -all\"")).is_none());
        assert!(
            check_rrset(&rrset(RecordType::CAA, "0 issue \"ca.example; account=1\"")).is_none()
        );
        let several = check_rrset(&rrset(RecordType::TXT, "\"one\" \"two\"")).unwrap();
        assert!(several.refused && several.message.contains("several strings"));
        let ctl = check_rrset(&rrset(RecordType::TXT, "\"nul\\000\"")).unwrap();
        assert!(ctl.message.contains("control"));
    }
}
