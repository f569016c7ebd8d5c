//! Calls to the NS1 API: the key in `X-NSONE-Key`, requests paced by the `X-RateLimit-*`
//! headers, failures read by error.rs.

use nsync_core::provider::ProviderError;
use nsync_core::secret::Secret;
use nsync_http::reqwest::Method;
use nsync_http::{Api, Auth};
use serde_json::Value;

pub struct Client {
    /// The API; `api.error` makes this provider's errors.
    pub api: Api,
}

impl Client {
    pub fn new(
        provider: &str,
        endpoint: &str,
        token: Secret,
        timeout: std::time::Duration,
    ) -> Result<Client, ProviderError> {
        let api = Api::new(
            provider,
            endpoint,
            Auth::Header("X-NSONE-Key", token),
            timeout,
        )?
        .with_pacing(nsync_http::pacing::x_ratelimit_period, crate::RATE_LIMITS);
        Ok(Client { api })
    }

    /// One call: the JSON of a 2xx answer (`null` for 204), else its failure.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        operation: &str,
    ) -> Result<Value, ProviderError> {
        let mut request = self.api.request(method, path);
        if let Some(b) = body {
            request = request.json(&b);
        }
        self.api
            .call_json(request, operation, crate::error::failure)
            .await
    }
}
