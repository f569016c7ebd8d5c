//! What NS1's failures mean for nsync. Its error body is `{"message": ...}`
//! (https://developer.ibm.com/apis/catalog/ns1--ibm-ns1-connect-api/): 401 and 403 a key
//! it refuses, 404 "zone not found" a zone it does not have (or "record not found"), 429
//! a spent token bucket, 400 a request it will not take.

use nsync_core::provider::ErrorKind;
use nsync_http::{Answer, Failure, api::excerpt};
use serde_json::Value;

pub fn failure(answer: &Answer) -> Failure {
    let message = serde_json::from_str::<Value>(&answer.text)
        .ok()
        .and_then(|b| b["message"].as_str().map(str::to_string));
    let said = message
        .clone()
        .unwrap_or_else(|| excerpt(&answer.text, 200));
    let kind = nsync_http::classify(answer.status, answer.retry_after, |k| {
        match (answer.status.as_u16(), message.as_deref()) {
            (404, Some(m)) if m.contains("zone not found") => ErrorKind::ZoneMissing,
            _ => k,
        }
    });
    let advice = match kind {
        ErrorKind::AuthFailed => {
            " (check api_key: it may be revoked, or lack the permission to manage zones)"
        }
        ErrorKind::ZoneMissing => " (the zone is gone from this account)",
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
        assert_eq!(
            failed(401, r#"{"message":"Unauthorized"}"#).kind,
            ErrorKind::AuthFailed
        );
        let f = failed(404, r#"{"message":"zone not found"}"#);
        assert_eq!(f.kind, ErrorKind::ZoneMissing);
        assert!(f.said.starts_with("zone not found"), "{}", f.said);
        // A record that is not there is not a missing zone.
        assert_eq!(
            failed(404, r#"{"message":"record not found"}"#).kind,
            ErrorKind::Permanent
        );
        assert_eq!(
            failed(400, r#"{"message":"record already exists"}"#).kind,
            ErrorKind::Permanent
        );
        assert_eq!(
            failed(429, r#"{"message":"Rate limit exceeded"}"#).kind,
            ErrorKind::RateLimited { retry_after: None }
        );
        assert_eq!(failed(502, "bad gateway").kind, ErrorKind::Temporary);
    }
}
