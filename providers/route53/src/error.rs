//! What Route 53's failures mean for nsync
//! (https://docs.aws.amazon.com/Route53/latest/APIReference/CommonErrors.html and each
//! action's Errors): Throttling and PriorRequestNotComplete (HTTP 400) and 5xx are
//! retried, NoSuchHostedZone is a missing zone, rejected credentials are auth failures,
//! OptInRequired an account that is suspended or closed.

use nsync_core::provider::ErrorKind;
use nsync_http::{Answer, Failure};

use crate::model::parse_error;

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

/// What AWS answers for an account that is suspended, closed or was never activated
/// ("The AWS Access Key Id needs a subscription for the service":
/// https://repost.aws/knowledge-center/error-access-service).
const SUSPENDED_CODES: &[&str] = &["OptInRequired", "SubscriptionRequiredException"];

pub fn failure(answer: &Answer) -> Failure {
    let (code, message) = parse_error(&answer.text);
    let retry_after = answer.retry_after;
    let kind = if code == "Throttling" || code == "ThrottlingException" {
        ErrorKind::RateLimited { retry_after }
    } else if code == "PriorRequestNotComplete" {
        ErrorKind::Temporary
    } else {
        nsync_http::classify(answer.status, retry_after, |k| {
            if code == "NoSuchHostedZone" {
                ErrorKind::ZoneMissing
            } else if SUSPENDED_CODES.contains(&code.as_str()) {
                ErrorKind::AccountSuspended
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
        ErrorKind::AccountSuspended => {
            " (AWS says the account is suspended, closed or not activated: see its Billing and Account pages)"
        }
        _ => "",
    };
    Failure {
        kind,
        said: format!("{code}: {message}{advice}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_http::reqwest::StatusCode;

    fn failed(status: u16, body: &str) -> ErrorKind {
        failure(&Answer {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: None,
            text: body.into(),
        })
        .kind
    }

    #[test]
    fn the_documented_error_codes_map_to_kinds() {
        let body = |code: &str| {
            format!(
                "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>"
            )
        };
        assert_eq!(
            failed(400, &body("Throttling")),
            ErrorKind::RateLimited { retry_after: None }
        );
        assert_eq!(
            failed(400, &body("PriorRequestNotComplete")),
            ErrorKind::Temporary
        );
        assert_eq!(
            failed(404, &body("NoSuchHostedZone")),
            ErrorKind::ZoneMissing
        );
        assert_eq!(
            failed(403, &body("SignatureDoesNotMatch")),
            ErrorKind::AuthFailed
        );
        assert_eq!(
            failed(400, &body("InvalidChangeBatch")),
            ErrorKind::Permanent
        );
    }
}
