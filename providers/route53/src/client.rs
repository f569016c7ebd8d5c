//! Signed calls to the Route 53 API and what its errors mean for nsync: Throttling and
//! PriorRequestNotComplete (HTTP 400) and 5xx are retried, NoSuchHostedZone is a missing
//! zone, rejected credentials are auth failures.

use std::time::SystemTime;

use nsync_core::provider::{ErrorKind, ProviderError};
use nsync_core::secret::Secret;
use nsync_http::reqwest::{self, Method};

use crate::model::parse_error;
use crate::sigv4::{Credentials, Request, canonical_query, sign, uri_encode};

pub const DEFAULT_ENDPOINT: &str = "https://route53.amazonaws.com";

pub struct Client {
    pub provider: String,
    endpoint: String,
    host: String,
    access_key_id: Secret,
    secret_access_key: Secret,
    session_token: Option<Secret>,
    http: reqwest::Client,
}

const AUTH_CODES: &[&str] = &[
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "AccessDenied",
    "AccessDeniedException",
    "ExpiredToken",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "MissingAuthenticationToken",
];

impl Client {
    pub fn new(
        provider: &str,
        endpoint: &str,
        access_key_id: Secret,
        secret_access_key: Secret,
        session_token: Option<Secret>,
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
        let http = nsync_http::client(provider)?;
        Ok(Client {
            provider: provider.to_string(),
            endpoint,
            host,
            access_key_id,
            secret_access_key,
            session_token,
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
        let url = if q.is_empty() {
            format!("{}{}", self.endpoint, uri_encode(&path, true))
        } else {
            format!("{}{}?{q}", self.endpoint, uri_encode(&path, true))
        };
        let mut request = self.http.request(method, &url);
        for (k, v) in headers {
            request = request.header(k, v);
        }
        if let Some(b) = body {
            request = request.header("content-type", "text/xml").body(b);
        }
        let nsync_http::Answer {
            status,
            retry_after,
            text,
        } = nsync_http::send(request, &self.provider, operation, &self.endpoint).await?;
        if status.is_success() {
            return Ok(text);
        }
        let (code, message) = parse_error(&text);
        let kind = if code == "Throttling" || code == "ThrottlingException" {
            ErrorKind::RateLimited { retry_after }
        } else if code == "PriorRequestNotComplete" {
            ErrorKind::Temporary
        } else {
            nsync_http::classify(status, retry_after, |k| {
                if code == "NoSuchHostedZone" {
                    ErrorKind::ZoneMissing
                } else if AUTH_CODES.contains(&code.as_str()) {
                    ErrorKind::AuthFailed
                } else {
                    k
                }
            })
        };
        let advice = match kind {
            ErrorKind::AuthFailed => {
                " (check access_key_id and secret_access_key; the key may be revoked)"
            }
            ErrorKind::ZoneMissing => " (the hosted zone is gone; the account may be closed)",
            _ => "",
        };
        Err(self.error(
            kind,
            operation,
            format!("HTTP {status} {code}: {message}{advice}"),
        ))
    }
}
