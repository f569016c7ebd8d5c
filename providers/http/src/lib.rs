//! The HTTP plumbing of the API providers (powerdns, route53, cloudflare): one reqwest
//! setup with ring as the crypto library and bounded timeouts, transport failures as
//! error kinds, and `Retry-After`. What each API's status codes mean stays with its
//! provider.

pub mod api;
pub mod endpoint;
pub mod paging;
pub mod zone_ids;

pub use api::{Answer, Api, Auth, Failure};
pub use paging::Paging;
pub use zone_ids::ZoneIds;

use std::sync::Once;
use std::time::Duration;

use nsync_core::provider::{ErrorKind, ProviderError};

pub use reqwest;

static CRYPTO: Once = Once::new();

/// A client with a 10 s connect and 60 s request timeout.
pub fn client(provider: &str) -> Result<reqwest::Client, ProviderError> {
    // One crypto provider for the whole process; installing it twice is harmless.
    CRYPTO.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
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
