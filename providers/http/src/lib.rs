//! The HTTP plumbing of the API providers (powerdns, route53, cloudflare): one reqwest
//! setup with ring as the crypto library and bounded timeouts, transport failures as
//! error kinds, and `Retry-After`. What each API's status codes mean stays with its
//! provider.

pub mod api;
pub mod bearer;
pub mod endpoint;
pub mod pacing;
pub mod paging;
pub mod per_record;
pub mod zone_ids;

pub use api::{Answer, Api, Auth, Failure};
pub use paging::Paging;
pub use zone_ids::ZoneIds;

use std::sync::Once;
use std::time::Duration;

use nsync_core::provider::{ErrorKind, ProviderError};

pub use reqwest;

static CRYPTO: Once = Once::new();

/// `timeout_seconds` of every HTTP kind: how long one request may take (default 60).
pub const TIMEOUT_KEY: nsync_core::kind::KeySpec = nsync_core::kind::key(
    "timeout_seconds",
    nsync_core::kind::KeyType::Int,
    false,
    "60",
);

/// The request timeout a provider table sets (`timeout_seconds`, 1..600), else 60 s.
pub fn request_timeout(settings: &nsync_core::settings::Settings) -> Duration {
    let secs = settings
        .int("timeout_seconds")
        .filter(|s| (1..=600).contains(s))
        .unwrap_or(60);
    Duration::from_secs(secs as u64)
}

/// The offline check of `timeout_seconds`: 1 to 600.
pub fn check_timeout(
    provider: &str,
    settings: &nsync_core::settings::Settings,
    diags: &mut Vec<nsync_core::diag::Diagnostic>,
) {
    if let Some(s) = settings.int("timeout_seconds")
        && !(1..=600).contains(&s)
    {
        nsync_core::kind::bad_value(
            diags,
            settings,
            provider,
            "timeout_seconds",
            format!("`timeout_seconds = {s}` is out of range"),
            "use 1 to 600 seconds (default 60)",
        );
    }
}

/// The offline checks of every API kind's common keys: `endpoint` (https, or http to
/// loopback) and `timeout_seconds`.
pub fn check_api_values(
    provider: &str,
    settings: &nsync_core::settings::Settings,
    diags: &mut Vec<nsync_core::diag::Diagnostic>,
) {
    endpoint::check_setting(provider, settings, "endpoint", false, diags);
    check_timeout(provider, settings, diags);
}

/// A client with a 10 s connect and 60 s request timeout.
pub fn client(provider: &str) -> Result<reqwest::Client, ProviderError> {
    client_with(provider, Duration::from_secs(60))
}

/// A client with a 10 s connect timeout (or less, under a shorter request timeout) and
/// `timeout` per request.
pub fn client_with(provider: &str, timeout: Duration) -> Result<reqwest::Client, ProviderError> {
    // One crypto provider for the whole process; installing it twice is harmless.
    CRYPTO.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        // No redirect is followed: the provider's credentials (X-API-Key, X-NSONE-Key, a
        // session token) and its writes would go with it to wherever it points.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .timeout(timeout)
        .user_agent(concat!("nsync/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            ProviderError::new(ErrorKind::Permanent, provider, "set up HTTP", e.to_string())
        })
}

/// A request that got no answer: always worth retrying.
pub fn transport_error(
    provider: &str,
    operation: &str,
    endpoint: &str,
    e: &reqwest::Error,
) -> ProviderError {
    if e.is_builder() {
        // Nothing was sent: retrying cannot help. The usual cause is a secret with
        // characters an HTTP header cannot carry (a control character, a newline).
        return ProviderError::new(
            ErrorKind::Config,
            provider,
            operation,
            "the request could not be made: a header value (an API key or token from this provider's secrets) holds characters HTTP cannot carry, such as a control character or a newline inside it; check the secret's value",
        );
    }
    let what = if e.is_timeout() {
        format!("{endpoint} timed out")
    } else if e.is_connect() {
        format!("cannot connect to {endpoint}: is it up, and is the address right?")
    } else {
        format!("the request to {endpoint} failed: {e}")
    };
    ProviderError::new(ErrorKind::Temporary, provider, operation, what)
}

/// What an HTTP status means, as every DNS API uses them: 429 rate limited (for as long
/// as `Retry-After` says), 5xx temporary, 401/403 credentials refused, the rest a request
/// the server will not take. `refine` then reads the vendor's own error codes (Route 53's
/// `NoSuchHostedZone`, Cloudflare's 7003, PowerDNS's 422 "Could not find domain"); it is
/// not asked about rate limits and server failures, which always retry.
pub fn classify(
    status: reqwest::StatusCode,
    retry_after: Option<Duration>,
    refine: impl FnOnce(ErrorKind) -> ErrorKind,
) -> ErrorKind {
    match status.as_u16() {
        429 => ErrorKind::RateLimited { retry_after },
        500..=599 => ErrorKind::Temporary,
        401 | 403 => refine(ErrorKind::AuthFailed),
        _ => refine(ErrorKind::Permanent),
    }
}

/// `Retry-After` in seconds, as DNS APIs send it.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    nsync_core::provider::retry_after(headers.get("retry-after").and_then(|v| v.to_str().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_as_every_api_uses_them_refined_by_vendor_codes() {
        let s = |n| reqwest::StatusCode::from_u16(n).unwrap();
        let wait = Some(Duration::from_secs(3));
        assert_eq!(
            classify(s(429), wait, |_| ErrorKind::ZoneMissing),
            ErrorKind::RateLimited { retry_after: wait }
        );
        assert_eq!(
            classify(s(503), None, |_| ErrorKind::ZoneMissing),
            ErrorKind::Temporary
        );
        assert_eq!(classify(s(401), None, |k| k), ErrorKind::AuthFailed);
        assert_eq!(classify(s(400), None, |k| k), ErrorKind::Permanent);
        assert_eq!(
            classify(s(404), None, |_| ErrorKind::ZoneMissing),
            ErrorKind::ZoneMissing
        );
    }
}
