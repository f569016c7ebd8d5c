//! The `googlecloud` kind: its keys in nsync.toml and what it stores.

use std::sync::Arc;

use nsync_core::diag::Diagnostic;
use nsync_core::kind::{KeyType, Kind, key};
use nsync_core::provider::{Provider, ProviderError};
use nsync_core::settings::Settings;

pub const KIND: Kind = Kind {
    name: "googlecloud",
    summary: "Google Cloud DNS",
    keys: &[
        key("project", KeyType::Str, true, "\"my-project\""),
        key(
            "credentials",
            KeyType::Secret,
            true,
            "\"file:secrets/service-account.json\"",
        ),
        key(
            "endpoint",
            KeyType::Str,
            false,
            "\"https://dns.googleapis.com/dns/v1\"",
        ),
        nsync_http::TIMEOUT_KEY,
    ],
    capabilities: crate::CAPABILITIES,
    check_values,
    check_rrset: nsync_core::kind::no_rrset_checks,
    build,
};

fn build(name: &str, settings: &Settings) -> Result<Arc<dyn Provider>, ProviderError> {
    Ok(Arc::new(crate::GoogleCloud::from_settings(name, settings)?))
}

fn check_values(provider: &str, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    nsync_http::check_api_values(provider, settings, diags);
}
