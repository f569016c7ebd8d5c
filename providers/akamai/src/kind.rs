//! The `akamai` kind: its keys in nsync.toml (the four `.edgerc` values) and what it
//! stores.

use std::sync::Arc;

use nsync_core::RecordType;
use nsync_core::diag::Diagnostic;
use nsync_core::kind::{KeyType, Kind, RecordProblem, key};
use nsync_core::provider::{Provider, ProviderError};
use nsync_core::rdata::txt_strings;
use nsync_core::settings::Settings;
use nsync_core::zone::Rrset;

pub const KIND: Kind = Kind {
    name: "akamai",
    summary: "Akamai Edge DNS",
    keys: &[
        key(
            "host",
            KeyType::Str,
            true,
            "\"akab-xxxxxxxx.luna.akamaiapis.net\"",
        ),
        key(
            "client_token",
            KeyType::Secret,
            true,
            "\"env:AKAMAI_CLIENT_TOKEN\"",
        ),
        key(
            "client_secret",
            KeyType::Secret,
            true,
            "\"env:AKAMAI_CLIENT_SECRET\"",
        ),
        key(
            "access_token",
            KeyType::Secret,
            true,
            "\"env:AKAMAI_ACCESS_TOKEN\"",
        ),
        key("contract_id", KeyType::Str, false, "\"1-1ABCD\""),
        key("group_id", KeyType::Str, false, "\"12345\""),
        key(
            "endpoint",
            KeyType::Str,
            false,
            "\"https://akab-xxxxxxxx.luna.akamaiapis.net\"",
        ),
        nsync_http::TIMEOUT_KEY,
    ],
    capabilities: crate::CAPABILITIES,
    check_values,
    check_rrset,
    build,
};

/// What Edge DNS refuses: TXT text holding a double quote or a backslash (DNSControl's
/// Akamai audit, providers/akamaiedgedns/auditrecords.go, last verified 2023-12-12).
fn check_rrset(rrset: &Rrset) -> Option<RecordProblem> {
    if rrset.rtype != RecordType::TXT {
        return None;
    }
    for rdata in rrset.rdata() {
        let text = txt_strings(rdata.wire()).concat();
        if let Some(c) = text.iter().find(|b| matches!(b, b'"' | b'\\')) {
            return Some(RecordProblem {
                refused: true,
                message: format!(
                    "TXT text with a {}, which Akamai Edge DNS refuses",
                    if *c == b'"' {
                        "double quote"
                    } else {
                        "backslash"
                    }
                ),
                hint: "leave it out of the text, or take Akamai off this zone",
            });
        }
    }
    None
}

fn build(name: &str, settings: &Settings) -> Result<Arc<dyn Provider>, ProviderError> {
    Ok(Arc::new(crate::Akamai::from_settings(name, settings)?))
}

fn check_values(provider: &str, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    nsync_http::check_api_values(provider, settings, diags);
    if let Some(host) = settings.str("host")
        && (host.contains('/') || host.contains(' '))
    {
        nsync_core::kind::bad_value(
            diags,
            settings,
            provider,
            "host",
            format!("`host = \"{host}\"` is not a host name"),
            "write the host from .edgerc, without https:// or a path",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::Name;
    use nsync_core::rdata::parse_rdata_text;

    #[test]
    fn txt_with_a_quote_or_a_backslash_is_refused() {
        let origin = Name::from_ascii("example.com.").unwrap();
        let txt = |t: &str| {
            let rdata = parse_rdata_text(RecordType::TXT, t, &origin).unwrap();
            check_rrset(&Rrset::new(
                origin.clone(),
                RecordType::TXT,
                300,
                vec![rdata],
            ))
        };
        assert!(txt("\"v=spf1 -all\"").is_none());
        assert!(
            txt("\"say \\\"hi\\\"\"")
                .unwrap()
                .message
                .contains("double quote")
        );
        assert!(txt("\"a\\\\b\"").unwrap().message.contains("backslash"));
    }
}
