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
        let answer = self
            .api
            .call_json(request, operation, |a| {
                nsync_http::bearer::oauth_failure(
                    a,
                    "check credentials: the key may be deleted or the service account disabled",
                )
            })
            .await?;
        nsync_http::bearer::token_answer(&self.api, &answer, operation, "Google OAuth")
    }

    /// One API call with the service account's token: the JSON of a 2xx answer, else
    /// its failure.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        operation: &str,
    ) -> Result<Value, ProviderError> {
        self.tokens
            .authorized(
                || self.fetch_token(),
                |token| {
                    let mut request = self
                        .api
                        .request(method.clone(), path)
                        .bearer_auth(token.expose());
                    if let Some(b) = body {
                        request = request.json(b);
                    }
                    self.api
                        .call_json(request, operation, crate::error::failure)
                },
            )
            .await
    }
}
