//! Calls to the Edge DNS API, each signed with EdgeGrid; failures read by error.rs.

use std::time::{Duration, SystemTime};

use nsync_core::provider::ProviderError;
use nsync_core::secret::Secret;
use nsync_http::reqwest::Method;
use nsync_http::{Api, Auth};
use serde_json::Value;

use crate::edgegrid;

/// EdgeGrid's default: POST bodies are hashed up to this many octets.
const MAX_BODY: usize = 131_072;

pub struct Tokens {
    pub client_token: Secret,
    pub client_secret: Secret,
    pub access_token: Secret,
}

pub struct Client {
    pub api: Api,
    tokens: Tokens,
    scheme: String,
    host: String,
}

impl Client {
    pub fn new(
        provider: &str,
        endpoint: &str,
        tokens: Tokens,
        timeout: Duration,
    ) -> Result<Client, ProviderError> {
        let (scheme, rest) = endpoint.split_once("://").unwrap_or(("https", endpoint));
        let host = rest.split('/').next().unwrap_or_default().to_string();
        Ok(Client {
            api: Api::new(provider, endpoint, Auth::Signed, timeout)?,
            tokens,
            scheme: scheme.to_string(),
            host,
        })
    }

    /// One signed call: the JSON of a 2xx answer (`null` when empty), else its failure.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        operation: &str,
    ) -> Result<Value, ProviderError> {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let path_and_query = format!(
            "{}{path}",
            self.api
                .endpoint()
                .split_once(&self.host)
                .map_or("", |(_, p)| p)
        );
        let authorization = edgegrid::authorization(
            &edgegrid::Credentials {
                client_token: self.tokens.client_token.expose(),
                client_secret: self.tokens.client_secret.expose(),
                access_token: self.tokens.access_token.expose(),
                max_body: MAX_BODY,
            },
            &edgegrid::Signed {
                method: method.as_str(),
                scheme: &self.scheme,
                host: &self.host,
                path_and_query: &path_and_query,
                headers: &[],
                body: &bytes,
            },
            &edgegrid::timestamp(now),
            &edgegrid::nonce(),
        );
        let mut request = self
            .api
            .request(method, path)
            .header("authorization", authorization);
        if body.is_some() {
            request = request
                .header("content-type", "application/json")
                .body(bytes);
        }
        self.api
            .call_json(request, operation, crate::error::failure)
            .await
    }
}
