//! What Cloud DNS's failures mean for nsync. Google APIs answer
//! `{"error": {"code", "message", "status", "errors": [{"reason", "message"}]}}`
//! (https://cloud.google.com/apis/design/errors): 401 `UNAUTHENTICATED` and 403
//! `PERMISSION_DENIED` are credentials refused, except 403 with reason
//! `rateLimitExceeded`/`quotaExceeded` (a rate limit) and `accountDisabled` (billing
//! disabled: the account suspended); 404 `notFound` a zone that is
//! gone; 409 `alreadyExists` and 412 `conditionNotMet` a change built on a state the
//! zone is no longer in (someone wrote between read and write: read again, plan again).

use nsync_core::provider::ErrorKind;
use nsync_http::{Answer, Failure, api::excerpt};
use serde_json::Value;

pub fn failure(answer: &Answer) -> Failure {
    let body: Option<Value> = serde_json::from_str(&answer.text).ok();
    let error = body.as_ref().map(|b| &b["error"]);
    let message = error
        .and_then(|e| e["message"].as_str())
        .map(str::to_string);
    let reasons: Vec<String> = error
        .and_then(|e| e["errors"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|r| r["reason"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let said = match (&message, reasons.first()) {
        (Some(m), Some(r)) => format!("{r}: {m}"),
        (Some(m), None) => m.clone(),
        _ => excerpt(&answer.text, 200),
    };
    let has = |r: &str| reasons.iter().any(|x| x == r);
    let kind = nsync_http::classify(answer.status, answer.retry_after, |k| {
        match answer.status.as_u16() {
            403 if has("rateLimitExceeded")
                || has("quotaExceeded")
                || has("userRateLimitExceeded") =>
            {
                ErrorKind::RateLimited { retry_after: None }
            }
            // Billing disabled, or the billing account closed: the project is not
            // served until it is back (reason `accountDisabled`, recorded answers).
            403 if has("accountDisabled") => ErrorKind::AccountSuspended,
            404 => ErrorKind::ZoneMissing,
            409 | 412 => ErrorKind::Temporary,
            _ => k,
        }
    });
    let advice = match (kind.clone(), answer.status.as_u16()) {
        (ErrorKind::AuthFailed, _) => {
            " (check credentials: the service account may be disabled, its key deleted, or lack the DNS Administrator role on the project)"
        }
        (ErrorKind::ZoneMissing, _) => " (the managed zone is gone from this project)",
        (ErrorKind::AccountSuspended, _) => {
            " (the project's billing is disabled or its billing account closed: Cloud DNS stops serving its zones; see Billing in the console)"
        }
        (ErrorKind::Temporary, 409 | 412) => {
            " (the zone changed after nsync read it; nsync reads it again and plans again)"
        }
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

    fn failed(status: u16, reason: &str, message: &str) -> Failure {
        let body = serde_json::json!({"error": {"code": status, "message": message,
            "errors": [{"domain": "global", "reason": reason, "message": message}], "status": "X"}});
        failure(&Answer {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: None,
            text: body.to_string(),
        })
    }

    #[test]
    fn the_documented_error_bodies_map_to_kinds() {
        let f = failed(
            401,
            "authError",
            "Request had invalid authentication credentials.",
        );
        assert_eq!(f.kind, ErrorKind::AuthFailed);
        assert!(
            f.said.starts_with("authError: Request had invalid"),
            "{}",
            f.said
        );
        assert_eq!(
            failed(403, "forbidden", "Forbidden").kind,
            ErrorKind::AuthFailed
        );
        assert_eq!(
            failed(403, "rateLimitExceeded", "Rate Limit Exceeded").kind,
            ErrorKind::RateLimited { retry_after: None }
        );
        assert_eq!(
            failed(
                404,
                "notFound",
                "The 'parameters.managedZone' resource named 'z' does not exist."
            )
            .kind,
            ErrorKind::ZoneMissing
        );
        let f = failed(
            412,
            "conditionNotMet",
            "Precondition not met for 'entity.change.deletions[0]'",
        );
        assert_eq!(f.kind, ErrorKind::Temporary);
        assert!(f.said.contains("reads it again"));
        assert_eq!(
            failed(
                400,
                "invalid",
                "Invalid value for 'entity.change.additions[0].rrdata[0]'"
            )
            .kind,
            ErrorKind::Permanent
        );
        assert_eq!(
            failed(503, "backendError", "Backend Error").kind,
            ErrorKind::Temporary
        );
    }
}
