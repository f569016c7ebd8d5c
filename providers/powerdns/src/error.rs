//! What the PowerDNS API's failures mean for nsync: 401/403 auth failed, 404 (and 422
//! "Could not find domain" from servers before 4.2) zone missing, 429 rate limited, 5xx
//! temporary; the server's own words come from its `{"error": "..."}` body.

use nsync_core::provider::ErrorKind;
use nsync_http::reqwest::StatusCode;
use nsync_http::{Answer, Failure, api::excerpt};

use crate::model::ApiError;

pub fn failure(answer: &Answer) -> Failure {
    let status = answer.status;
    let server_says = serde_json::from_str::<ApiError>(&answer.text)
        .map_or_else(|_| excerpt(&answer.text, 300), |e| e.error);
    let zone_missing = status == StatusCode::NOT_FOUND
        || (status == StatusCode::UNPROCESSABLE_ENTITY
            && server_says.contains("Could not find domain"));
    let kind = nsync_http::classify(status, answer.retry_after, |k| {
        if zone_missing {
            ErrorKind::ZoneMissing
        } else {
            k
        }
    });
    let advice = match kind {
        ErrorKind::AuthFailed => "check `api_key` (PowerDNS's api-key setting)",
        ErrorKind::ZoneMissing => {
            "the zone does not exist at this server; the account or zone may be gone"
        }
        ErrorKind::RateLimited { .. } => "rate limited",
        ErrorKind::Temporary => "the server failed; it will be retried",
        _ => "the server rejected the request",
    };
    Failure {
        kind,
        said: format!("{server_says} ({advice})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, text: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: None,
            text: text.into(),
        }
    }

    #[test]
    fn the_documented_error_bodies_map_to_kinds() {
        // https://doc.powerdns.com/authoritative/http-api/index.html#errors
        let f = failure(&answer(
            422,
            r#"{"error": "Could not find domain 'x.test.'"}"#,
        ));
        assert_eq!(f.kind, ErrorKind::ZoneMissing);
        assert!(f.said.starts_with("Could not find domain"), "{}", f.said);
        assert_eq!(
            failure(&answer(401, "Unauthorized")).kind,
            ErrorKind::AuthFailed
        );
        assert_eq!(
            failure(&answer(
                422,
                r#"{"error": "RRset x.test. IN A: bad content"}"#
            ))
            .kind,
            ErrorKind::Permanent
        );
        assert_eq!(failure(&answer(502, "<html>")).kind, ErrorKind::Temporary);
    }
}
