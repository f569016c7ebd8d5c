//! What DigitalOcean's failures mean for nsync. Its error body is `{"id", "message",
//! "request_id"}` (https://docs.digitalocean.com/reference/api/digitalocean/#section/
//! Introduction/HTTP-Statuses): 401 `Unauthorized` is a token it refuses, 404 `not_found`
//! a domain it does not have, 429 `too_many_requests` a spent budget, 422
//! `unprocessable_entity` a record it will not take.

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
    let (id, message) = (field("id"), field("message"));
    let said = match (&id, &message) {
        (Some(id), Some(m)) => format!("{id}: {m}"),
        (None, Some(m)) => m.clone(),
        _ => excerpt(&answer.text, 200),
    };
    let kind = nsync_http::classify(answer.status, answer.retry_after, |k| {
        match (answer.status.as_u16(), id.as_deref()) {
            (404, _) | (_, Some("not_found")) => ErrorKind::ZoneMissing,
            _ => k,
        }
    });
    let advice = match kind {
        ErrorKind::AuthFailed => {
            " (check api_token: it may be revoked, expired, or lack the domain write scope)"
        }
        ErrorKind::ZoneMissing => " (the domain is gone from this account)",
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

    fn failed(status: u16, body: &str) -> Failure {
        failure(&Answer {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: None,
            text: body.into(),
        })
    }

    #[test]
    fn the_documented_error_bodies_map_to_kinds() {
        let f = failed(
            401,
            r#"{"id":"Unauthorized","message":"Unable to authenticate you"}"#,
        );
        assert_eq!(f.kind, ErrorKind::AuthFailed);
        assert!(
            f.said
                .starts_with("Unauthorized: Unable to authenticate you"),
            "{}",
            f.said
        );
        let f = failed(
            404,
            r#"{"id":"not_found","message":"The resource you were accessing could not be found."}"#,
        );
        assert_eq!(f.kind, ErrorKind::ZoneMissing);
        let f = failed(
            422,
            r#"{"id":"unprocessable_entity","message":"Data needs to end with a dot (.)"}"#,
        );
        assert_eq!(f.kind, ErrorKind::Permanent);
        assert_eq!(
            failed(
                429,
                r#"{"id":"too_many_requests","message":"API Rate limit exceeded."}"#
            )
            .kind,
            ErrorKind::RateLimited { retry_after: None }
        );
        assert_eq!(
            failed(504, "<html>gateway</html>").kind,
            ErrorKind::Temporary
        );
    }
}
