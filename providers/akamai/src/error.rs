//! What Edge DNS's failures mean for nsync. Akamai APIs answer problem details
//! (RFC 7807: `{"type", "title", "status", "detail"}`,
//! https://techdocs.akamai.com/edge-dns/reference/api-errors): 401 a signature or token
//! it refuses, 403 credentials without the Edge DNS grant, 404 a zone it does not have,
//! 409 a change list already open for the zone, 429 a rate limit.

use nsync_core::provider::ErrorKind;
use nsync_http::{Answer, Failure, api::excerpt};
use serde_json::Value;

pub fn failure(answer: &Answer) -> Failure {
    let body: Option<Value> = serde_json::from_str(&answer.text).ok();
    let field = |k: &str| {
        body.as_ref()
            .and_then(|b| b[k].as_str())
            .map(str::to_string)
    };
    let said = match (field("title"), field("detail")) {
        (Some(t), Some(d)) => format!("{t}: {d}"),
        (Some(t), None) => t,
        (None, Some(d)) => d,
        _ => excerpt(&answer.text, 200),
    };
    let kind = nsync_http::classify(answer.status, answer.retry_after, |k| {
        match answer.status.as_u16() {
            404 => ErrorKind::ZoneMissing,
            _ => k,
        }
    });
    let advice = match kind {
        ErrorKind::AuthFailed => {
            " (check host, client_token, client_secret and access_token: the API client may be deleted, or lack the Edge DNS grant)"
        }
        ErrorKind::ZoneMissing => " (the zone is not in this account)",
        _ => "",
    };
    Failure {
        kind,
        said: format!("{said}{advice}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_http::reqwest::StatusCode;

    fn failed(status: u16, title: &str, detail: &str) -> Failure {
        let body = serde_json::json!({"type": "https://problems.luna.akamaiapis.net/config-dns/x", "title": title, "status": status, "detail": detail});
        failure(&Answer {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: None,
            text: body.to_string(),
        })
    }

    #[test]
    fn the_documented_problem_details_map_to_kinds() {
        let f = failed(401, "Not authorized", "The signature does not match");
        assert_eq!(f.kind, ErrorKind::AuthFailed);
        assert!(
            f.said
                .starts_with("Not authorized: The signature does not match")
        );
        assert_eq!(
            failed(403, "Forbidden", "No grant for Edge DNS").kind,
            ErrorKind::AuthFailed
        );
        assert_eq!(
            failed(404, "Not Found", "Zone \"x.test\" not found").kind,
            ErrorKind::ZoneMissing
        );
        assert_eq!(
            failed(
                409,
                "Conflict",
                "A change list already exists for zone x.test"
            )
            .kind,
            ErrorKind::Permanent
        );
        assert_eq!(
            failed(400, "Bad Request", "Invalid rdata").kind,
            ErrorKind::Permanent
        );
        assert_eq!(
            failed(429, "Too Many Requests", "rate limit").kind,
            ErrorKind::RateLimited { retry_after: None }
        );
    }
}
