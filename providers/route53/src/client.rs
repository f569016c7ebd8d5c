//! Signed calls to the Route 53 API (SigV4 per request); failures are read by error.rs.

use std::time::SystemTime;

use nsync_core::provider::{ErrorKind, ProviderError};
use nsync_core::secret::Secret;
use nsync_http::reqwest::Method;
use nsync_http::{Api, Auth};

use crate::sigv4::{Credentials, Request, canonical_query, sign, uri_encode};

pub const DEFAULT_ENDPOINT: &str = "https://route53.amazonaws.com";

pub struct Client {
    pub provider: String,
    host: String,
    access_key_id: Secret,
    secret_access_key: Secret,
    session_token: Option<Secret>,
    /// The API; `api.error` makes this provider's errors.
    pub api: Api,
}

impl Client {
    pub fn new(
        provider: &str,
        endpoint: &str,
        access_key_id: Secret,
        secret_access_key: Secret,
        session_token: Option<Secret>,
        timeout: std::time::Duration,
    ) -> Result<Client, ProviderError> {
        let bad = |m: String| ProviderError::new(ErrorKind::Permanent, provider, "read config", m);
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let rest = endpoint
            .strip_prefix("https://")
            .or_else(|| endpoint.strip_prefix("http://"))
            .ok_or_else(|| {
                bad(format!(
                    "`endpoint = \"{endpoint}\"` must start with https:// or http://"
                ))
            })?;
        let host = rest.split('/').next().unwrap_or(rest).to_string();
        Ok(Client {
            provider: provider.to_string(),
            host,
            access_key_id,
            secret_access_key,
            session_token,
            api: Api::new(provider, &endpoint, Auth::Signed, timeout)?,
        })
    }

    /// Sends a signed request to `/2013-04-01{path}`; returns the body of a 2xx answer.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<String>,
        operation: &str,
    ) -> Result<String, ProviderError> {
        let path = format!("/2013-04-01{path}");
        let body_bytes = body.clone().unwrap_or_default().into_bytes();
        let creds = Credentials {
            access_key_id: self.access_key_id.expose(),
            secret_access_key: self.secret_access_key.expose(),
            session_token: self.session_token.as_ref().map(Secret::expose),
        };
        let req = Request {
            method: method.as_str(),
            host: &self.host,
            path: &path,
            query,
            body: &body_bytes,
        };
        let headers = sign(
            &req,
            &creds,
            &nsync_core::clock::timestamp(SystemTime::now()),
            "us-east-1",
            "route53",
        );
        let q = canonical_query(query);
        let target = if q.is_empty() {
            uri_encode(&path, true)
        } else {
            format!("{}?{q}", uri_encode(&path, true))
        };
        let mut request = self.api.request(method, &target);
        for (k, v) in headers {
            request = request.header(k, v);
        }
        if let Some(b) = body {
            request = request.header("content-type", "text/xml").body(b);
        }
        let answer = self.api.send(request, operation).await?;
        if answer.status.is_success() {
            return Ok(answer.text);
        }
        // `HTTP 403 Forbidden InvalidClientTokenId: ...`, AWS's code beside the status.
        let f = crate::error::failure(&answer);
        Err(self.api.error(
            f.kind,
            operation,
            format!("HTTP {} {}", answer.status, f.said),
        ))
    }
}
