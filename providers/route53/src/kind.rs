//! The `route53` kind: its keys in nsync.toml, what it stores, and its value checks.

use std::sync::Arc;

use nsync_core::diag::Diagnostic;
use nsync_core::kind::{KeyType, Kind, key};
use nsync_core::provider::{Provider, ProviderError};
use nsync_core::settings::Settings;

pub const KIND: Kind = Kind {
    name: "route53",
    summary: "Amazon Route 53",
    keys: &[
        key(
            "access_key_id",
            KeyType::Secret,
            true,
            "\"env:AWS_ACCESS_KEY_ID\"",
        ),
        key(
            "secret_access_key",
            KeyType::Secret,
            true,
            "\"env:AWS_SECRET_ACCESS_KEY\"",
        ),
        key(
            "session_token",
            KeyType::Secret,
            false,
            "\"env:AWS_SESSION_TOKEN\"",
        ),
        key("endpoint", KeyType::Str, false, "\"http://127.0.0.1:5000\""),
        key("hosted_zone_id", KeyType::Str, false, "\"Z0123456789ABC\""),
        nsync_http::TIMEOUT_KEY,
    ],
    capabilities: crate::CAPABILITIES,
    check_values,
    check_rrset: nsync_core::kind::no_rrset_checks,
    build,
};

fn build(name: &str, settings: &Settings) -> Result<Arc<dyn Provider>, ProviderError> {
    Ok(Arc::new(crate::Route53::from_settings(name, settings)?))
}

/// The endpoint (an emulator's, in tests) must be https, or http to loopback.
fn check_values(provider: &str, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    nsync_http::endpoint::check_setting(provider, settings, "endpoint", false, diags);
    nsync_http::check_timeout(provider, settings, diags);
}
