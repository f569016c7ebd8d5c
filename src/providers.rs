//! Builds the provider objects from nsync.toml, by kind. One `match`, one arm per kind;
//! a kind that is in the schema but not built yet says so instead of pretending.

use std::sync::Arc;

use nsync_core::provider::{ErrorKind, Provider, ProviderError};

use crate::config::ProviderConfig;

/// The kinds `build` knows; the others are in the schema (so `check` validates them) but
/// have no provider code yet.
pub fn is_built(kind: &str) -> bool {
    matches!(
        kind,
        "rfc2136" | "powerdns" | "zonefile" | "builtin" | "route53" | "cloudflare"
    )
}

pub fn build(config: &ProviderConfig) -> Result<Arc<dyn Provider>, ProviderError> {
    match config.kind.kind {
        "rfc2136" => Ok(Arc::new(nsync_rfc2136::Rfc2136::from_settings(
            &config.name,
            &config.settings,
        )?)),
        "powerdns" => Ok(Arc::new(nsync_powerdns::PowerDns::from_settings(
            &config.name,
            &config.settings,
        )?)),
        "cloudflare" => Ok(Arc::new(nsync_cloudflare::Cloudflare::from_settings(
            &config.name,
            &config.settings,
        )?)),
        "route53" => Ok(Arc::new(nsync_route53::Route53::from_settings(
            &config.name,
            &config.settings,
        )?)),
        "zonefile" | "builtin" => Ok(Arc::new(nsync_zonefile::ZoneFiles::from_settings(
            &config.name,
            &config.settings,
        )?)),
        other => Err(ProviderError::new(
            ErrorKind::Unsupported,
            &config.name,
            "set up the provider",
            format!(
                "provider kind `{other}` is not built into this version of nsync yet; use rfc2136, powerdns, route53, zonefile or builtin for now"
            ),
        )),
    }
}
