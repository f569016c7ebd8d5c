//! Raw calls to the PowerDNS HTTP API, and what its status codes mean for nsync:
//! 401/403 auth failed, 404 (and 422 "Could not find domain" from servers before 4.2)
//! zone missing, 429 rate limited, 5xx and connection errors temporary.

use std::sync::Once;
use std::time::Duration;

use nsync_core::provider::{ErrorKind, ProviderError};
use reqwest::{Method, StatusCode};

use crate::config::PowerDnsConfig;
use crate::model::ApiError;

pub struct Client {
    provider: String,
    config: PowerDnsConfig,
    http: reqwest::Client,
}

static CRYPTO: Once = Once::new();

impl Client {
    pub fn new(provider: &str, config: PowerDnsConfig) -> Result<Client, ProviderError> {
        // One crypto provider for the whole process (ring); installing twice is harmless.
        CRYPTO.call_once(|| {
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("nsync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                ProviderError::new(ErrorKind::Permanent, provider, "set up HTTP", e.to_string())
            })?;
        Ok(Client {
            provider: provider.to_string(),
            config,
            http,
        })
    }

    pub fn error(
        &self,
        kind: ErrorKind,
        operation: &str,
        message: impl Into<String>,
    ) -> ProviderError {
        ProviderError::new(kind, &self.provider, operation, message)
    }

    /// Sends a request; returns the body of a 2xx answer, else an error of the right kind
    /// that quotes the server's own message. The API key goes in a header, never a log.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        operation: &str,
    ) -> Result<String, ProviderError> {
        let url = format!("{}{path}", self.config.server_url);
        let mut request = self
            .http
            .request(method, &url)
            .header("X-API-Key", self.config.api_key.expose());
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        let response = request.send().await.map_err(|e| {
            let what = if e.is_timeout() {
                "timed out".to_string()
            } else if e.is_connect() {
                format!(
                    "cannot connect to {}: is PowerDNS running with its webserver on?",
                    self.config.server_url
                )
            } else {
                format!("the request failed: {e}")
            };
            self.error(ErrorKind::Temporary, operation, what)
        })?;
        let status = response.status();
        let retry_after = nsync_core::provider::retry_after(
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
        );
        let text = response.text().await.map_err(|e| {
            self.error(
                ErrorKind::Temporary,
                operation,
                format!("reading the answer: {e}"),
            )
        })?;
        if status.is_success() {
            return Ok(text);
        }
        let server_says = serde_json::from_str::<ApiError>(&text)
            .map_or_else(|_| text.trim().chars().take(300).collect(), |e| e.error);
        let (kind, advice) = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => (
                ErrorKind::AuthFailed,
                "check `api_key` (PowerDNS's api-key setting)",
            ),
            StatusCode::NOT_FOUND => (
                ErrorKind::ZoneMissing,
                "the zone does not exist at this server; the account or zone may be gone",
            ),
            StatusCode::UNPROCESSABLE_ENTITY if server_says.contains("Could not find domain") => (
                ErrorKind::ZoneMissing,
                "the zone does not exist at this server",
            ),
            StatusCode::TOO_MANY_REQUESTS => {
                (ErrorKind::RateLimited { retry_after }, "rate limited")
            }
            s if s.is_server_error() => (
                ErrorKind::Temporary,
                "the server failed; it will be retried",
            ),
            _ => (ErrorKind::Permanent, "the server rejected the request"),
        };
        Err(self.error(
            kind,
            operation,
            format!("HTTP {status}: {server_says} ({advice})"),
        ))
    }
}
