//! The HTTP plumbing of the API providers (powerdns, route53, cloudflare): one reqwest
//! setup with ring as the crypto library and bounded timeouts, transport failures as
//! error kinds, and `Retry-After`. What each API's status codes mean stays with its
//! provider.

pub mod endpoint;

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

/// What came back from an API: the status, its `Retry-After`, and the whole body.
pub struct Answer {
    pub status: reqwest::StatusCode,
    pub retry_after: Option<Duration>,
    pub text: String,
}

/// Sends a request and reads the whole answer, whatever its status; a request that got
/// no answer, or whose body broke off, is a temporary error (worth retrying).
pub async fn send(
    request: reqwest::RequestBuilder,
    provider: &str,
    operation: &str,
    endpoint: &str,
) -> Result<Answer, ProviderError> {
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(provider, operation, endpoint, &e))?;
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let text = response.text().await.map_err(|e| {
        ProviderError::new(
            ErrorKind::Temporary,
            provider,
            operation,
            format!("reading the answer: {e}"),
        )
    })?;
    Ok(Answer {
        status,
        retry_after,
        text,
    })
}

/// `Retry-After` in seconds, as DNS APIs send it.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    nsync_core::provider::retry_after(headers.get("retry-after").and_then(|v| v.to_str().ok()))
}
