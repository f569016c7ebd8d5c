//! Calls to the PowerDNS HTTP API: the server's URL, the `X-API-Key` header, and every
//! failure read by error.rs.

use nsync_core::provider::ProviderError;
use nsync_http::reqwest::Method;
use nsync_http::{Api, Auth};

use crate::config::PowerDnsConfig;

pub struct Client {
    /// The API; `api.error` makes this provider's errors.
    pub api: Api,
}

impl Client {
    pub fn new(provider: &str, config: PowerDnsConfig) -> Result<Client, ProviderError> {
        let auth = Auth::Header("X-API-Key", config.api_key);
        Ok(Client {
            api: Api::new(provider, &config.server_url, auth, config.timeout)?,
        })
    }

    /// Sends a request; returns the body of a 2xx answer, else an error of the right kind
    /// that quotes the server's own message.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        operation: &str,
    ) -> Result<String, ProviderError> {
        let mut request = self.api.request(method, path);
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        self.api
            .call(request, operation, crate::error::failure)
            .await
    }
}
