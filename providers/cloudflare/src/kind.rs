//! The `cloudflare` kind: its keys in nsync.toml, what it stores, and its value checks.

use std::sync::Arc;

use nsync_core::diag::Diagnostic;
use nsync_core::kind::{KeyType, Kind, key};
use nsync_core::provider::{Provider, ProviderError};
use nsync_core::settings::Settings;

pub const KIND: Kind = Kind {
    name: "cloudflare",
    summary: "Cloudflare DNS",
    keys: &[
        key(
            "api_token",
            KeyType::Secret,
            true,
            "\"env:CLOUDFLARE_API_TOKEN\"",
        ),
        key("account_id", KeyType::Str, false, "\"0123456789abcdef\""),
        key(
            "endpoint",
            KeyType::Str,
            false,
            "\"https://api.cloudflare.com/client/v4\"",
        ),
        nsync_http::TIMEOUT_KEY,
    ],
    capabilities: crate::CAPABILITIES,
    check_values,
    check_rrset: nsync_core::kind::no_rrset_checks,
    build,
};

fn build(name: &str, settings: &Settings) -> Result<Arc<dyn Provider>, ProviderError> {
    Ok(Arc::new(crate::Cloudflare::from_settings(name, settings)?))
}

/// The endpoint (an emulator's, in tests) must be https, or http to loopback.
fn check_values(provider: &str, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    nsync_http::check_api_values(provider, settings, diags);
}
