//! Calls to Cloud DNS: each with the bearer token the service account's JWT buys (kept
//! until shortly before it expires; fetched again once if the API refuses it), failures
//! read by error.rs.

use std::time::{Duration, SystemTime};

use nsync_core::provider::{ErrorKind, ProviderError};
use nsync_core::secret::Secret;
use nsync_http::bearer::Tokens;
use nsync_http::reqwest::Method;
use nsync_http::{Api, Auth};
use serde_json::Value;

use crate::auth::ServiceAccount;

pub struct Client {
    /// The API; `api.error` makes this provider's errors.
    pub api: Api,
    account: ServiceAccount,
    pub tokens: Tokens,
}

impl Client {
    pub fn new(
        provider: &str,
        endpoint: &str,
        account: ServiceAccount,
        timeout: Duration,
    ) -> Result<Client, ProviderError> {
        nsync_http::endpoint::require(provider, "token_uri", &account.token_uri, false)?;
        Ok(Client {
            api: Api::new(provider, endpoint, Auth::Signed, timeout)?,
            account,
            tokens: Tokens::default(),
        })
    }

    /// A new access token from the token endpoint.
    async fn fetch_token(&self) -> Result<(Secret, Duration), ProviderError> {
        let operation = "get an access token for the service account";
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let body = self
            .account
            .token_request(now, crate::SCOPE)
            .map_err(|e| self.api.error(ErrorKind::Config, operation, e))?;
        let request = self
            .api
            .request_to(Method::POST, &self.account.token_uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        // The token endpoint's errors are OAuth's `{"error", "error_description"}`.
        let text = self
            .api
            .call(request, operation, |answer| {
                let v: Value = serde_json::from_str(&answer.text).unwrap_or_default();
                let said = match (v["error"].as_str(), v["error_description"].as_str()) {
                    (Some(e), Some(d)) => format!("{e}: {d}"),
                    (Some(e), None) => e.to_string(),
                    _ => nsync_http::api::excerpt(&answer.text, 200),
                };
                let kind = nsync_http::classify(answer.status, answer.retry_after, |k| {
                    if answer.status.as_u16() == 400 { ErrorKind::AuthFailed } else { k }
                });
                nsync_http::Failure {
                    kind,
                    said: format!("{said} (check credentials: the key may be deleted or the service account disabled)"),
                }
            })
            .await?;
        let v: Value = serde_json::from_str(&text).unwrap_or_default();
        let Some(token) = v["access_token"].as_str() else {
            return Err(self.api.error(
                ErrorKind::Permanent,
                operation,
                "the token endpoint answered without an access_token",
            ));
        };
        let lives = Duration::from_secs(v["expires_in"].as_u64().unwrap_or(3600));
        Ok((Secret::issued(token.to_string(), "Google OAuth"), lives))
    }

    /// One API call: the JSON of a 2xx answer, else its failure. A refused token is
    /// dropped and the call made once more with a new one (it may have been revoked
    /// early, or the clocks disagree).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        operation: &str,
    ) -> Result<Value, ProviderError> {
        for attempt in 0..2 {
            let token = self.tokens.get(|| self.fetch_token()).await?;
            let mut request = self
                .api
                .request(method.clone(), path)
                .bearer_auth(token.expose());
            if let Some(b) = body {
                request = request.json(b);
            }
            match self
                .api
                .call(request, operation, crate::error::failure)
                .await
            {
                Ok(text) if text.trim().is_empty() => return Ok(Value::Null),
                Ok(text) => {
                    return serde_json::from_str(&text).map_err(|e| {
                        self.api.error(
                            ErrorKind::Permanent,
                            operation,
                            format!(
                                "the answer is not JSON ({e}): {}",
                                nsync_http::api::excerpt(&text, 120)
                            ),
                        )
                    });
                }
                Err(e)
                    if attempt == 0
                        && e.kind == ErrorKind::AuthFailed
                        && e.message.contains("HTTP 401") =>
                {
                    self.tokens.forget().await;
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("the loop returns on its second attempt")
    }
}
