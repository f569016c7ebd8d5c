//! The `digitalocean` kind: its keys in nsync.toml, what it stores, and the records it
//! cannot store exactly.

use std::sync::Arc;

use hickory_proto::rr::RecordType;
use nsync_core::diag::Diagnostic;
use nsync_core::kind::{KeyType, Kind, RecordProblem, key};
use nsync_core::provider::{Provider, ProviderError};
use nsync_core::settings::Settings;
use nsync_core::zone::Rrset;

use nsync_core::rdata::{caa_parts, is_empty_txt, is_null_mx, is_printable_text, txt_strings};

pub const KIND: Kind = Kind {
    name: "digitalocean",
    summary: "DigitalOcean DNS",
    keys: &[
        key(
            "api_token",
            KeyType::Secret,
            true,
            "\"env:DIGITALOCEAN_TOKEN\"",
        ),
        key(
            "endpoint",
            KeyType::Str,
            false,
            "\"https://api.digitalocean.com/v2\"",
        ),
        nsync_http::TIMEOUT_KEY,
    ],
    capabilities: crate::CAPABILITIES,
    check_values,
    check_rrset,
    build,
};

fn build(name: &str, settings: &Settings) -> Result<Arc<dyn Provider>, ProviderError> {
    Ok(Arc::new(crate::DigitalOcean::from_settings(
        name, settings,
    )?))
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

/// What DigitalOcean's records cannot hold as the zone file says: a TXT record is one
/// string of at most 512 octets (served split every 255), so several strings split
/// elsewhere would come back joined differently; both TXT and CAA travel as JSON text, so
/// octets that are not printable UTF-8 would not come back the same. And what it refuses
/// or mangles, as DNSControl's DigitalOcean audit records it (providers/digitalocean/
/// auditrecords.go): a CAA value with whitespace, an empty TXT, a TXT with a backslash, a
/// null MX (`0 .`). A CAA value with `;` is taken (DNSControl PR #1749, 2022).
fn check_rrset(rrset: &Rrset) -> Option<RecordProblem> {
    for rdata in rrset.rdata() {
        match rrset.rtype {
            RecordType::TXT => {
                let strings = txt_strings(rdata.wire());
                let total: usize = strings.iter().map(|s| s.len()).sum();
                if is_empty_txt(rdata.wire()) {
                    return refused(
                        "an empty TXT record, which DigitalOcean refuses (\"Data can't be blank\")"
                            .into(),
                        "give it text, or take DigitalOcean off this zone",
                    );
                }
                if total > crate::MAX_TXT_OCTETS {
                    return refused(
                        format!("a TXT record of {total} octets; DigitalOcean takes at most 512"),
                        "shorten it, or take DigitalOcean off this zone",
                    );
                }
                if strings[..strings.len().saturating_sub(1)]
                    .iter()
                    .any(|s| s.len() != 255)
                {
                    return refused(
                        "a TXT record of several strings; DigitalOcean stores one text and serves it split every 255 octets, so these strings would come back joined".into(),
                        "write it as one string (split only every 255 octets), or take DigitalOcean off this zone",
                    );
                }
                let text = strings.concat();
                if !is_printable_text(&text) {
                    return refused(
                        "TXT data with control characters or octets that are not UTF-8, which DigitalOcean's API cannot carry exactly".into(),
                        "use printable text, or take DigitalOcean off this zone",
                    );
                }
                if text.contains(&b'\\') {
                    return refused(
                        "TXT data with a backslash, which DigitalOcean does not store as written"
                            .into(),
                        "leave out the backslash, or take DigitalOcean off this zone",
                    );
                }
            }
            RecordType::CAA => {
                let Some((_, tag, value)) = caa_parts(rdata.wire()) else {
                    continue;
                };
                if value.iter().any(u8::is_ascii_whitespace) {
                    return refused(
                        format!(
                            "a CAA {} value with whitespace, which DigitalOcean refuses",
                            String::from_utf8_lossy(tag)
                        ),
                        "write the parameters without spaces (`ca.example;account=1`), or take DigitalOcean off this zone",
                    );
                }
                if !is_printable_text(value) {
                    return refused(
                        "a CAA value with control characters or octets that are not UTF-8, which DigitalOcean's API cannot carry exactly".into(),
                        "use printable text, or take DigitalOcean off this zone",
                    );
                }
            }
            RecordType::MX if is_null_mx(rdata.wire()) => {
                return refused(
                    "a null MX (`0 .`, RFC 7505), which DigitalOcean refuses".into(),
                    "take DigitalOcean off this zone to publish a null MX",
                );
            }
            _ => {}
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
    fn what_digitalocean_cannot_store_exactly_is_refused() {
        let ok = |t, s: &str| assert!(check_rrset(&rrset(t, s)).is_none(), "{s}");
        let no = |t, s: &str| {
            let p = check_rrset(&rrset(t, s)).unwrap_or_else(|| panic!("{s} passed"));
            assert!(p.refused);
            p.message
        };
        ok(RecordType::TXT, "\"v=spf1 -all\"");
        ok(
            RecordType::TXT,
            &format!("\"{}\" \"tail\"", "a".repeat(255)),
        );
        ok(RecordType::CAA, "0 issue \"letsencrypt.org\"");
        assert!(
            no(
                RecordType::TXT,
                &format!("\"{0}\" \"{0}\" \"aaa\"", "a".repeat(255))
            )
            .contains("513 octets")
        );
        assert!(no(RecordType::TXT, "\"one\" \"two\"").contains("several strings"));
        assert!(no(RecordType::TXT, "\"tab\\009\"").contains("control"));
        ok(RecordType::CAA, "0 issuewild \";\"");
        ok(RecordType::CAA, "0 issue \"ca.example;account=1\"");
        assert!(no(RecordType::CAA, "0 issue \"ca.example; account=1\"").contains("whitespace"));
        assert!(no(RecordType::TXT, "\"\"").contains("empty TXT"));
        assert!(no(RecordType::TXT, "\"a\\\\b\"").contains("backslash"));
        assert!(no(RecordType::MX, "0 .").contains("null MX"));
        ok(RecordType::MX, "10 mail.example.com.");
    }
}
