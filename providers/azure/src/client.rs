//! Calls to Azure Resource Manager: each with a client-credentials token from Entra ID
//! (kept until shortly before it expires; fetched again once if ARM refuses it), paced by
//! ARM's `x-ms-ratelimit-remaining-subscription-*` headers, failures read by error.rs.

use std::time::Duration;

use nsync_core::provider::{ErrorKind, ProviderError};
use nsync_core::secret::Secret;
use nsync_http::bearer::Tokens;
use nsync_http::pacing::{Budget, Refill};
use nsync_http::reqwest::header::HeaderMap;
use nsync_http::reqwest::{Method, RequestBuilder};
use nsync_http::{Api, Auth};
use serde_json::Value;

/// ARM says only what is left of the bucket that answered, never its size or refill.
/// Azure DNS answers with Microsoft.Network's own budgets (`-resource-requests`, and
/// `-resource-entities-read` for lists), documented as 1000 writes and 10000 reads per 5
/// minutes; the header does not say which, so the bucket is taken as at least the write
/// budget: pacing engages when fewer than a tenth of that is left, at the write rate.
/// Other ARM answers carry the subscription's reads/writes (250 at 25 a second, 200 at 10
/// a second). Where several are given, the scarcest counts.
pub fn arm_budget(headers: &HeaderMap) -> Option<Budget> {
    let left =
        |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
    let network = |remaining: u64| Budget {
        limit: remaining.max(1000),
        remaining,
        refill: Refill::Over(Duration::from_secs(300)),
    };
    [
        left("x-ms-ratelimit-remaining-subscription-resource-requests").map(network),
        left("x-ms-ratelimit-remaining-subscription-resource-entities-read").map(network),
        left("x-ms-ratelimit-remaining-subscription-writes").map(|w| Budget {
            limit: 200,
            remaining: w,
            refill: Refill::Over(Duration::from_secs(20)),
        }),
        left("x-ms-ratelimit-remaining-subscription-reads").map(|r| Budget {
            limit: 250,
            remaining: r,
            refill: Refill::Over(Duration::from_secs(10)),
        }),
    ]
    .into_iter()
    .flatten()
    .min_by(|a, b| {
        (a.remaining as f64 / a.limit as f64).total_cmp(&(b.remaining as f64 / b.limit as f64))
    })
}

pub struct Credentials {
    pub authority: String,
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: Secret,
}

pub struct Client {
    pub api: Api,
    credentials: Credentials,
    pub tokens: Tokens,
}

/// A conditional write's header: `If-Match` an ETag, or `If-None-Match: *` (create only).
pub enum Condition<'a> {
    Matches(&'a str),
    Absent,
}

impl Client {
    pub fn new(
        provider: &str,
        endpoint: &str,
        credentials: Credentials,
        timeout: Duration,
    ) -> Result<Client, ProviderError> {
        Ok(Client {
            api: Api::new(provider, endpoint, Auth::Signed, timeout)?
                .with_pacing(arm_budget, crate::RATE_LIMITS),
            credentials,
            tokens: Tokens::default(),
        })
    }

    async fn fetch_token(&self) -> Result<(Secret, Duration), ProviderError> {
        let operation = "get an access token from Microsoft Entra ID";
        let c = &self.credentials;
        let url = format!(
            "{}/{}/oauth2/v2.0/token",
            c.authority.trim_end_matches('/'),
            c.tenant_id
        );
        let body = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope={}",
            form(&c.client_id),
            form(c.client_secret.expose()),
            form(crate::SCOPE)
        );
        let request = self
            .api
            .request_to(Method::POST, &url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        let answer = self
            .api
            .call_json(request, operation, |a| {
                nsync_http::bearer::oauth_failure(a, "check tenant_id, client_id and client_secret")
            })
            .await?;
        nsync_http::bearer::token_answer(&self.api, &answer, operation, "Microsoft Entra ID")
    }

    /// One call to `url` (the endpoint's, or a `nextLink` under it): the JSON of a 2xx
    /// answer, else its failure.
    pub async fn call(
        &self,
        method: Method,
        path_or_url: &str,
        body: Option<&Value>,
        condition: Option<Condition<'_>>,
        operation: &str,
    ) -> Result<Value, ProviderError> {
        let url = if path_or_url.starts_with("http") {
            // A nextLink carries the token to wherever it points: only under the endpoint.
            if !path_or_url.starts_with(&format!("{}/", self.api.endpoint())) {
                return Err(self.api.error(
                    ErrorKind::Permanent,
                    operation,
                    format!(
                        "the API's next page link leads outside {}; nsync does not follow it",
                        self.api.endpoint()
                    ),
                ));
            }
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.api.endpoint())
        };
        self.tokens
            .authorized(
                || self.fetch_token(),
                |token| {
                    let mut request: RequestBuilder = self
                        .api
                        .request_to(method.clone(), &url)
                        .bearer_auth(token.expose());
                    if let Some(b) = body {
                        request = request.json(b);
                    }
                    request = match &condition {
                        Some(Condition::Matches(etag)) => request.header("if-match", *etag),
                        Some(Condition::Absent) => request.header("if-none-match", "*"),
                        None => request,
                    };
                    self.api
                        .call_json(request, operation, crate::error::failure)
                },
            )
            .await
    }
}

/// `application/x-www-form-urlencoded` for one value.
fn form(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_escaped_and_the_arm_budget_is_read() {
        assert_eq!(form("a b+c/=~"), "a%20b%2Bc%2F%3D~");
        let mut h = HeaderMap::new();
        h.insert(
            "x-ms-ratelimit-remaining-subscription-writes",
            "7".parse().unwrap(),
        );
        let b = arm_budget(&h).unwrap();
        assert_eq!((b.limit, b.remaining), (200, 7));
        assert!(arm_budget(&HeaderMap::new()).is_none());
        // What Azure DNS sends: Microsoft.Network's budget, and the scarcest counts.
        let mut h = HeaderMap::new();
        h.insert(
            "x-ms-ratelimit-remaining-subscription-resource-requests",
            "42".parse().unwrap(),
        );
        let b = arm_budget(&h).unwrap();
        assert_eq!((b.limit, b.remaining), (1000, 42));
        h.insert(
            "x-ms-ratelimit-remaining-subscription-resource-entities-read",
            "9000".parse().unwrap(),
        );
        assert_eq!(arm_budget(&h).unwrap().remaining, 42);
    }
}
