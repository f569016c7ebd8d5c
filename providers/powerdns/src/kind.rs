//! The `powerdns` kind: its keys in nsync.toml, what it stores, and its value checks.

use std::sync::Arc;

use nsync_core::diag::Diagnostic;
use nsync_core::kind::{KeyType, Kind, key};
use nsync_core::provider::{Capabilities, ForeignKeys, Provider, ProviderError};
use nsync_core::settings::Settings;

pub const KIND: Kind = Kind {
    name: "powerdns",
    summary: "PowerDNS Authoritative through its HTTP API",
    keys: &[
        key("url", KeyType::Str, true, "\"http://127.0.10.3:8081\""),
        key("api_key", KeyType::Secret, true, "\"env:PDNS_API_KEY\""),
        key("server_id", KeyType::Str, false, "\"localhost\""),
        key("allow_insecure_http", KeyType::Bool, false, "true"),
        nsync_http::TIMEOUT_KEY,
    ],
    // Other signers' keys are served from the zone's DNSKEY rrset with `direct-dnskey=yes`.
    capabilities: Capabilities::FULL.with_foreign_keys(ForeignKeys::Publishable),
    check_values,
    check_rrset: nsync_core::kind::no_rrset_checks,
    build,
};

fn build(name: &str, settings: &Settings) -> Result<Arc<dyn Provider>, ProviderError> {
    Ok(Arc::new(crate::PowerDns::from_settings(name, settings)?))
}

fn check_values(provider: &str, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    let insecure_ok = settings.bool("allow_insecure_http").unwrap_or(false);
    nsync_http::endpoint::check_setting(provider, settings, "url", insecure_ok, diags);
    nsync_http::check_timeout(provider, settings, diags);
}
