//! One client per HTTP API provider: its endpoint, how each request is authenticated, and
//! the send that every call goes through, with the answer's body size capped (a broken or
//! hostile server cannot make nsync hold an unbounded body) and a non-2xx answer turned
//! into an error of the right kind by the provider's own reading of its error bodies.

use std::time::Duration;

use nsync_core::provider::{ErrorKind, ProviderError};
use nsync_core::secret::Secret;
use reqwest::{Method, RequestBuilder, StatusCode};

/// How the API authenticates a request.
pub enum Auth {
    /// A key in a header of its own (PowerDNS's `X-API-Key`, NS1's `X-NSONE-Key`).
    Header(&'static str, Secret),
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// The provider signs each request itself (SigV4, EdgeGrid).
    Signed,
}

/// The largest answer body read by default: far above any page of records, and above a
/// whole zone of a few hundred thousand records where an API returns zones whole.
pub const BODY_LIMIT: usize = 64 << 20;

/// What a provider makes of a non-2xx answer: the error kind (usually `classify` refined
/// by the vendor's codes) and what the server said, with advice.
pub struct Failure {
    pub kind: ErrorKind,
    pub said: String,
}

/// What came back from an API: the status, its `Retry-After`, and the whole body.
pub struct Answer {
    pub status: StatusCode,
    pub retry_after: Option<Duration>,
    pub text: String,
}

pub struct Api {
    provider: String,
    endpoint: String,
    http: reqwest::Client,
    auth: Auth,
    body_limit: usize,
    pacer: Option<crate::pacing::Pacer>,
}

impl Api {
    /// A client for `endpoint` (a base URL; a trailing `/` is dropped), each request
    /// bounded by `timeout`.
    pub fn new(
        provider: &str,
        endpoint: &str,
        auth: Auth,
        timeout: Duration,
    ) -> Result<Api, ProviderError> {
        Ok(Api {
            provider: provider.to_string(),
            endpoint: endpoint.trim_end_matches('/').to_string(),
            http: crate::client_with(provider, timeout)?,
            auth,
            body_limit: BODY_LIMIT,
            pacer: None,
        })
    }

    /// Paces requests by the budget the API reports (`read` its headers), assuming its
    /// documented budgets before the first answer.
    pub fn with_pacing(
        mut self,
        read: crate::pacing::ReadBudget,
        documented: &[nsync_core::provider::RateLimit],
    ) -> Api {
        self.pacer = Some(crate::pacing::Pacer::new(read, documented));
        self
    }

    /// Caps answer bodies at `bytes` instead of `BODY_LIMIT`.
    pub fn with_body_limit(mut self, bytes: usize) -> Api {
        self.body_limit = bytes;
        self
    }

    pub fn provider(&self) -> &str {
        &self.provider
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn error(
        &self,
        kind: ErrorKind,
        operation: &str,
        message: impl Into<String>,
    ) -> ProviderError {
        ProviderError::new(kind, &self.provider, operation, message)
    }

    /// A request to the endpoint followed by `path_and_query`, authenticated (the secret
    /// goes in a header, never in a URL or a log).
    pub fn request(&self, method: Method, path_and_query: &str) -> RequestBuilder {
        let request = self
            .http
            .request(method, format!("{}{path_and_query}", self.endpoint));
        match &self.auth {
            Auth::Header(name, key) => request.header(*name, key.expose()),
            Auth::Bearer(token) => request.bearer_auth(token.expose()),
            Auth::Signed => request,
        }
    }

    /// A request to a URL of its own (an OAuth token endpoint), without the API's auth.
    pub fn request_to(&self, method: Method, url: &str) -> RequestBuilder {
        self.http.request(method, url)
    }

    /// Sends and reads the whole answer, whatever its status. No answer, or a body that
    /// broke off, is a temporary error (worth retrying); a body over the cap is refused.
    pub async fn send(
        &self,
        request: RequestBuilder,
        operation: &str,
    ) -> Result<Answer, ProviderError> {
        if let Some(wait) = self.pacer.as_ref().and_then(|p| p.before_request()) {
            let left = self.pacer.as_ref().and_then(|p| p.left());
            nsync_core::detail::detail(&format!(
                "{}: pacing: waiting {:.1} s before {operation}{} so as not to exceed the API's rate limit",
                self.provider,
                wait.as_secs_f64(),
                left.map_or(String::new(), |(r, l)| format!(
                    " ({r} of {l} requests left)"
                )),
            ));
            tokio::time::sleep(wait).await;
        }
        let transport = |e: reqwest::Error| {
            crate::transport_error(&self.provider, operation, &self.endpoint, &e)
        };
        let (client, request) = request.build_split();
        let request = request.map_err(transport)?;
        let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
        let mut response = client.execute(request).await.map_err(transport)?;
        if let Some(p) = &self.pacer {
            p.after_answer(response.headers());
        }
        let status = response.status();
        if status.is_redirection() {
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .map(|l| crate::api::excerpt(l, 200))
                .unwrap_or_else(|| "nowhere said".to_string());
            return Err(self.error(
                ErrorKind::Permanent,
                operation,
                format!(
                    "HTTP {status}: {} redirects to {to}; nsync follows no redirect (the credentials and the request would go there). If the API has moved, set `endpoint` to its new address",
                    self.endpoint
                ),
            ));
        }
        let retry_after = crate::retry_after(response.headers());
        let too_large = || {
            self.error(
                ErrorKind::Permanent,
                operation,
                format!(
                    "the answer from {} is larger than {} MiB; nsync stopped reading it (is the endpoint an API of this kind?)",
                    self.endpoint,
                    self.body_limit >> 20
                ),
            )
        };
        if response
            .content_length()
            .is_some_and(|n| n > self.body_limit as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.body_limit {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(self.error(
                        ErrorKind::Temporary,
                        operation,
                        format!("reading the answer: {e}"),
                    ));
                }
            }
        }
        if writes {
            nsync_core::failpoint::hit("after-write", &self.provider);
        }
        Ok(Answer {
            status,
            retry_after,
            text: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// Sends; the body of a 2xx answer, else the provider's reading of the failure as an
    /// error that quotes the status and what the server said.
    pub async fn call(
        &self,
        request: RequestBuilder,
        operation: &str,
        failure: impl FnOnce(&Answer) -> Failure,
    ) -> Result<String, ProviderError> {
        let answer = self.send(request, operation).await?;
        if answer.status.is_success() {
            return Ok(answer.text);
        }
        let Failure { kind, said } = failure(&answer);
        Err(self.error(kind, operation, format!("HTTP {}: {said}", answer.status)))
    }
}

impl Api {
    /// [`Api::call`] for a JSON API: the parsed body of a 2xx answer (`null` when it is
    /// empty, as a 204 is); a body that is not JSON is refused, quoted briefly.
    pub async fn call_json(
        &self,
        request: RequestBuilder,
        operation: &str,
        failure: impl FnOnce(&Answer) -> Failure,
    ) -> Result<serde_json::Value, ProviderError> {
        let text = self.call(request, operation, failure).await?;
        if text.trim().is_empty() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| {
            self.error(
                ErrorKind::Permanent,
                operation,
                format!("the answer is not JSON ({e}): {}", excerpt(&text, 120)),
            )
        })
    }
}

/// Host names in a JSON list (an API's nameservers), absolute whether or not the API
/// writes the final dot; what is not a name is skipped.
pub fn names(list: &serde_json::Value) -> Vec<nsync_core::Name> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str())
        .filter_map(|n| nsync_core::Name::from_ascii(format!("{}.", n.trim_end_matches('.'))).ok())
        .collect()
}

/// The first `n` characters of a body that is not the API's error shape, for a message.
pub fn excerpt(text: &str, n: usize) -> String {
    nsync_core::outside::printable(text.trim(), n)
}
