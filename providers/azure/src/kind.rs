//! The `azure` kind: its keys in nsync.toml, what it stores, and the records it cannot
//! store exactly.

use std::sync::Arc;

use hickory_proto::rr::RecordType;
use nsync_core::diag::Diagnostic;
use nsync_core::kind::{KeyType, Kind, RecordProblem, key};
use nsync_core::provider::{Provider, ProviderError};
use nsync_core::rdata::{caa_parts, is_empty_txt, is_null_mx, is_printable_text, txt_strings};
use nsync_core::settings::Settings;
use nsync_core::zone::Rrset;

pub const KIND: Kind = Kind {
    name: "azure",
    summary: "Azure DNS",
    keys: &[
        key(
            "subscription_id",
            KeyType::Str,
            true,
            "\"00000000-0000-0000-0000-000000000000\"",
        ),
        key("resource_group", KeyType::Str, true, "\"dns\""),
        key(
            "tenant_id",
            KeyType::Str,
            true,
            "\"00000000-0000-0000-0000-000000000000\"",
        ),
        key(
            "client_id",
            KeyType::Str,
            true,
            "\"00000000-0000-0000-0000-000000000000\"",
        ),
        key(
            "client_secret",
            KeyType::Secret,
            true,
            "\"env:AZURE_CLIENT_SECRET\"",
        ),
        key(
            "endpoint",
            KeyType::Str,
            false,
            "\"https://management.azure.com\"",
        ),
        key(
            "authority",
            KeyType::Str,
            false,
            "\"https://login.microsoftonline.com\"",
        ),
        nsync_http::TIMEOUT_KEY,
    ],
    capabilities: crate::CAPABILITIES,
    check_values,
    check_rrset,
    build,
};

fn build(name: &str, settings: &Settings) -> Result<Arc<dyn Provider>, ProviderError> {
    Ok(Arc::new(crate::Azure::from_settings(name, settings)?))
}

fn check_values(provider: &str, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    nsync_http::check_api_values(provider, settings, diags);
    nsync_http::endpoint::check_setting(provider, settings, "authority", false, diags);
}

/// TXT strings and CAA values travel as JSON text: octets that are not printable UTF-8
/// would not come back the same. Azure DNS refuses a null MX and an empty TXT
/// (DNSControl's Azure audit, providers/azuredns/auditrecords.go, verified 2020-12-28
/// and 2023-10-27).
fn check_rrset(rrset: &Rrset) -> Option<RecordProblem> {
    let refused = |message: &str| {
        Some(RecordProblem {
            refused: true,
            message: message.to_string(),
            hint: "take Azure off this zone to publish it",
        })
    };
    for rdata in rrset.rdata() {
        if rrset.rtype == RecordType::MX && is_null_mx(rdata.wire()) {
            return refused("a null MX (`0 .`, RFC 7505), which Azure DNS refuses");
        }
        if rrset.rtype == RecordType::TXT && is_empty_txt(rdata.wire()) {
            return refused("an empty TXT record, which Azure DNS refuses");
        }
        let texts: Vec<&[u8]> = match rrset.rtype {
            RecordType::TXT => txt_strings(rdata.wire()),
            RecordType::CAA => caa_parts(rdata.wire())
                .map(|(_, _, v)| vec![v])
                .unwrap_or_default(),
            _ => continue,
        };
        if !texts.iter().all(|t| is_printable_text(t)) {
            return Some(RecordProblem {
                refused: true,
                message: format!(
                    "{} data with control characters or octets that are not UTF-8, which Azure's API cannot carry exactly",
                    rrset.rtype
                ),
                hint: "use printable text, or take Azure off this zone",
            });
        }
    }
    None
}
