//! What Azure's failures mean for nsync. ARM answers `{"error": {"code", "message"}}`
//! (https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors):
//! 401 `InvalidAuthenticationToken`/`ExpiredAuthenticationToken` and 403
//! `AuthorizationFailed` are credentials refused; 404 `ResourceNotFound`,
//! `ResourceGroupNotFound`, `SubscriptionNotFound` a zone (or its group) that is not there;
//! 409 `ReadOnlyDisabledSubscription` an account not in good standing; 412
//! `PreconditionFailed` a record set changed since nsync read its ETag.

use nsync_core::provider::ErrorKind;
use nsync_http::{Answer, Failure, api::excerpt};
use serde_json::Value;

pub fn failure(answer: &Answer) -> Failure {
    let body: Option<Value> = serde_json::from_str(&answer.text).ok();
    let code = body
        .as_ref()
        .and_then(|b| b["error"]["code"].as_str())
        .map(str::to_string);
    let message = body
        .as_ref()
        .and_then(|b| b["error"]["message"].as_str())
        .map(str::to_string);
    let said = match (&code, &message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (None, Some(m)) => m.clone(),
        _ => excerpt(&answer.text, 200),
    };
    let kind = nsync_http::classify(answer.status, answer.retry_after, |k| {
        match (answer.status.as_u16(), code.as_deref()) {
            (404, _) => ErrorKind::ZoneMissing,
            (409, Some("ReadOnlyDisabledSubscription")) => ErrorKind::AccountSuspended,
            (412, _) => ErrorKind::Temporary,
            _ => k,
        }
    });
    let advice = match (&kind, code.as_deref()) {
        (ErrorKind::AuthFailed, _) => {
            " (check tenant_id, client_id and client_secret, and that the app has the DNS Zone Contributor role on the zone)"
        }
        (ErrorKind::ZoneMissing, Some("ResourceGroupNotFound")) => {
            " (resource group names are matched exactly: check resource_group's spelling and case)"
        }
        (ErrorKind::ZoneMissing, _) => " (the zone is not in this subscription and resource group)",
        (ErrorKind::Temporary, _) if answer.status.as_u16() == 412 => {
            " (the record set changed after nsync read it; nsync reads it again, never overwriting an edit it has not seen)"
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

    fn failed(status: u16, code: &str, message: &str) -> Failure {
        let body = serde_json::json!({"error": {"code": code, "message": message}});
        failure(&Answer {
            status: StatusCode::from_u16(status).unwrap(),
            retry_after: None,
            text: body.to_string(),
        })
    }

    #[test]
    fn the_documented_error_bodies_map_to_kinds() {
        assert_eq!(
            failed(
                401,
                "ExpiredAuthenticationToken",
                "The access token expiry UTC time is earlier than current UTC time."
            )
            .kind,
            ErrorKind::AuthFailed
        );
        assert_eq!(
            failed(
                403,
                "AuthorizationFailed",
                "The client does not have authorization"
            )
            .kind,
            ErrorKind::AuthFailed
        );
        let f = failed(
            404,
            "ResourceGroupNotFound",
            "Resource group 'DNS' could not be found.",
        );
        assert_eq!(f.kind, ErrorKind::ZoneMissing);
        assert!(f.said.contains("case"), "{}", f.said);
        assert_eq!(
            failed(
                409,
                "ReadOnlyDisabledSubscription",
                "The subscription is disabled and therefore marked as read only."
            )
            .kind,
            ErrorKind::AccountSuspended
        );
        let f = failed(
            412,
            "PreconditionFailed",
            "The condition specified using HTTP conditional header(s) is not met.",
        );
        assert_eq!(f.kind, ErrorKind::Temporary);
        assert!(f.said.contains("never overwriting"));
        assert_eq!(
            failed(400, "BadRequest", "The record set is invalid").kind,
            ErrorKind::Permanent
        );
    }
}
