//! The `akamai` kind: its keys in nsync.toml (the four `.edgerc` values) and what it
//! stores.

use std::sync::Arc;

use nsync_core::diag::Diagnostic;
use nsync_core::kind::{KeyType, Kind, key};
use nsync_core::provider::{Provider, ProviderError};
use nsync_core::settings::Settings;

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
    check_rrset: nsync_core::kind::no_rrset_checks,
    build,
};

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
