//! Raw calls to the PowerDNS HTTP API, and what its status codes mean for nsync:
//! 401/403 auth failed, 404 (and 422 "Could not find domain" from servers before 4.2)
//! zone missing, 429 rate limited, 5xx and connection errors temporary.

use nsync_core::provider::{ErrorKind, ProviderError};
use nsync_http::reqwest::{self, Method, StatusCode};

use crate::config::PowerDnsConfig;
use crate::model::ApiError;

pub struct Client {
    provider: String,
    config: PowerDnsConfig,
    http: reqwest::Client,
}

impl Client {
    pub fn new(provider: &str, config: PowerDnsConfig) -> Result<Client, ProviderError> {
        let http = nsync_http::client(provider)?;
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
        let nsync_http::Answer {
            status,
            retry_after,
            text,
        } = nsync_http::send(request, &self.provider, operation, &self.config.server_url).await?;
        if status.is_success() {
            return Ok(text);
        }
        let server_says = serde_json::from_str::<ApiError>(&text)
            .map_or_else(|_| text.trim().chars().take(300).collect(), |e| e.error);
        let zone_missing = status == StatusCode::NOT_FOUND
            || (status == StatusCode::UNPROCESSABLE_ENTITY
                && server_says.contains("Could not find domain"));
        let kind = nsync_http::classify(status, retry_after, |k| {
            if zone_missing {
                ErrorKind::ZoneMissing
            } else {
                k
            }
        });
        let advice = match kind {
            ErrorKind::AuthFailed => "check `api_key` (PowerDNS's api-key setting)",
            ErrorKind::ZoneMissing => {
                "the zone does not exist at this server; the account or zone may be gone"
            }
            ErrorKind::RateLimited { .. } => "rate limited",
            ErrorKind::Temporary => "the server failed; it will be retried",
            _ => "the server rejected the request",
        };
        Err(self.error(
            kind,
            operation,
            format!("HTTP {status}: {server_says} ({advice})"),
        ))
    }
}
