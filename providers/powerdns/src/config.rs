//! The powerdns provider's settings, with the API key resolved. `Debug` never shows the key.

use nsync_core::provider::ProviderError;
use nsync_core::secret::Secret;
use nsync_core::settings::Settings;

#[derive(Clone, Debug)]
pub struct PowerDnsConfig {
    /// Up to the server: `http://127.0.30.1:8081/api/v1/servers/localhost`.
    pub server_url: String,
    pub api_key: Secret,
    pub timeout: std::time::Duration,
}

impl PowerDnsConfig {
    pub fn from_settings(provider: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let url = settings.require_str(provider, "url")?;
        let insecure_ok = settings.bool("allow_insecure_http").unwrap_or(false);
        nsync_http::endpoint::require(provider, "url", url, insecure_ok)?;
        let api_key = settings.require_secret(provider, "api_key")?;
        let server_id = settings.str("server_id").unwrap_or("localhost");
        let base = url.trim_end_matches('/');
        let base = base.strip_suffix("/api/v1").unwrap_or(base);
        Ok(PowerDnsConfig {
            server_url: format!("{base}/api/v1/servers/{server_id}"),
            api_key,
            timeout: nsync_http::request_timeout(settings),
        })
    }
}
