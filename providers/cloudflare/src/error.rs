//! What Cloudflare's failures mean for nsync: the envelope's error codes refine the HTTP
//! status (https://developers.cloudflare.com/fundamentals/api/troubleshooting/): 9109,
//! 10000, 1000, 9106 and 6003 are credentials the API refuses, 7003 (or a 404) a zone id
//! it does not know; 429 is rate limited for as long as `retry-after` says.

use nsync_core::provider::ErrorKind;
use nsync_http::{Answer, Failure, api::excerpt};

use crate::model::ApiError;

const AUTH_CODES: &[i64] = &[9109, 10000, 1000, 9106, 6003];

/// The failure of an answer that is not a 2xx with `success: true`; `errors` are the
/// envelope's, where it had one.
pub fn failure(answer: &Answer, errors: &[ApiError]) -> Failure {
    let codes: Vec<i64> = errors.iter().map(|e| e.code).collect();
    let said = if errors.is_empty() {
        excerpt(&answer.text, 200)
    } else {
        errors
            .iter()
            .map(|e| format!("{} {}", e.code, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let kind = nsync_http::classify(answer.status, answer.retry_after, |k| {
        if codes.iter().any(|c| AUTH_CODES.contains(c)) {
            ErrorKind::AuthFailed
        } else if answer.status.as_u16() == 404 || codes.contains(&7003) {
            ErrorKind::ZoneMissing
        } else {
            k
        }
    });
    let advice = match kind {
        ErrorKind::AuthFailed => {
            " (check api_token: it may be revoked, expired or lack DNS edit permission)"
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
        let answer = Answer {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: None,
            text: body.into(),
        };
        let errors = serde_json::from_str::<crate::model::Envelope>(body)
            .map(|e| e.errors)
            .unwrap_or_default();
        failure(&answer, &errors)
    }

    #[test]
    fn the_documented_error_envelopes_map_to_kinds() {
        let f = failed(
            400,
            r#"{"success":false,"errors":[{"code":9109,"message":"Invalid access token"}],"messages":[],"result":null}"#,
        );
        assert_eq!(f.kind, ErrorKind::AuthFailed);
        assert!(
            f.said.starts_with("9109 Invalid access token"),
            "{}",
            f.said
        );
        let f = failed(
            400,
            r#"{"success":false,"errors":[{"code":7003,"message":"Could not route to /zones/x"}],"messages":[],"result":null}"#,
        );
        assert_eq!(f.kind, ErrorKind::ZoneMissing);
        let f = failed(
            400,
            r#"{"success":false,"errors":[{"code":9021,"message":"Invalid TTL"}],"messages":[],"result":null}"#,
        );
        assert_eq!(f.kind, ErrorKind::Permanent);
        assert_eq!(
            failed(502, "<html>bad gateway</html>").kind,
            ErrorKind::Temporary
        );
    }
}
