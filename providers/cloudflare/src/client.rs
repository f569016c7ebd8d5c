//! Calls to the Cloudflare API: bearer token, the envelope unwrapped, failures read by
//! error.rs.

use nsync_core::provider::ProviderError;
use nsync_core::secret::Secret;
use nsync_http::reqwest::Method;
use nsync_http::{Api, Auth};
use serde_json::Value;

use crate::model::{Envelope, ResultInfo};

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
        Ok(Client {
            api: Api::new(provider, endpoint, Auth::Bearer(token), timeout)?,
        })
    }

    /// One API call: the envelope's `result` (and `result_info`) of a successful answer;
    /// else the envelope's errors as an error of the right kind.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        operation: &str,
    ) -> Result<(Value, Option<ResultInfo>), ProviderError> {
        let mut request = self.api.request(method, path);
        if let Some(b) = body {
            request = request.json(&b);
        }
        let answer = self.api.send(request, operation).await?;
        let envelope: Option<Envelope> = serde_json::from_str(&answer.text).ok();
        match envelope {
            Some(e) if answer.status.is_success() && e.success => Ok((e.result, e.result_info)),
            envelope => {
                let errors = envelope.map(|e| e.errors).unwrap_or_default();
                let f = crate::error::failure(&answer, &errors);
                Err(self.api.error(
                    f.kind,
                    operation,
                    format!("HTTP {}: {}", answer.status, f.said),
                ))
            }
        }
    }
}
