//! Bearer tokens that expire (OAuth 2 access tokens: Google's from a signed JWT, Azure's
//! from client credentials): fetched once, used until shortly before they expire, fetched
//! again after. One fetch at a time, so concurrent requests share a token instead of
//! each asking for their own. The token is a `Secret`: never in a log or an error.

use std::future::Future;
use std::time::{Duration, Instant};

use nsync_core::provider::{ErrorKind, ProviderError};
use nsync_core::secret::Secret;
use tokio::sync::Mutex;

use crate::{Answer, Api, Failure};

/// How long before its expiry a token is no longer used (clocks drift; a request takes
/// time).
pub const EARLY: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct Tokens {
    held: Mutex<Option<(Secret, Instant)>>,
    fetched: std::sync::atomic::AtomicUsize,
}

impl Tokens {
    /// The token in hand, or a new one from `fetch` (the token and how long it lives).
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<Secret, ProviderError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(Secret, Duration), ProviderError>>,
    {
        let mut held = self.held.lock().await;
        if let Some((token, until)) = held.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let (token, lives) = fetch().await?;
        self.fetched
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let until = Instant::now() + lives.saturating_sub(EARLY.min(lives / 2));
        *held = Some((token.clone(), until));
        Ok(token)
    }

    /// Drops the token in hand (the API refused it): the next request fetches another.
    pub async fn forget(&self) {
        *self.held.lock().await = None;
    }

    /// Runs `call` with the token in hand (fetched by `fetch` when there is none). A
    /// token the API refuses (401: revoked early, or clocks that disagree) is dropped and
    /// `call` runs once more with a new one.
    pub async fn authorized<T, F, Fut, C, CFut>(
        &self,
        fetch: F,
        call: C,
    ) -> Result<T, ProviderError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<(Secret, Duration), ProviderError>>,
        C: Fn(Secret) -> CFut,
        CFut: Future<Output = Result<T, ProviderError>>,
    {
        let token = self.get(&fetch).await?;
        match call(token).await {
            Err(e) if e.kind == ErrorKind::AuthFailed && e.message.contains("HTTP 401") => {
                self.forget().await;
                call(self.get(&fetch).await?).await
            }
            other => other,
        }
    }

    /// How many tokens were fetched, for tests and `-v`.
    pub fn fetched(&self) -> usize {
        self.fetched.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// An OAuth 2 token endpoint's success (RFC 6749 §5.1): the access token, issued by
/// `issuer`, and how long it lives (`expires_in`, else an hour).
pub fn token_answer(
    api: &Api,
    answer: &serde_json::Value,
    operation: &str,
    issuer: &'static str,
) -> Result<(Secret, Duration), ProviderError> {
    let token = answer["access_token"].as_str().ok_or_else(|| {
        api.error(
            ErrorKind::Permanent,
            operation,
            "the token endpoint answered without an access_token",
        )
    })?;
    let lives = Duration::from_secs(answer["expires_in"].as_u64().unwrap_or(3600));
    Ok((Secret::issued(token.to_string(), issuer), lives))
}

/// An OAuth 2 token endpoint's error (RFC 6749 §5.2: `error`, `error_description`, of
/// which the first line: the rest is trace ids): a 400 or 401 is credentials refused.
pub fn oauth_failure(answer: &Answer, advice: &str) -> Failure {
    let v: serde_json::Value = serde_json::from_str(&answer.text).unwrap_or_default();
    let said = match (v["error"].as_str(), v["error_description"].as_str()) {
        (Some(e), Some(d)) => format!("{e}: {}", d.lines().next().unwrap_or_default()),
        (Some(e), None) => e.to_string(),
        _ => crate::api::excerpt(&answer.text, 200),
    };
    let kind = crate::classify(answer.status, answer.retry_after, |k| {
        if answer.status.as_u16() == 400 {
            ErrorKind::AuthFailed
        } else {
            k
        }
    });
    Failure {
        kind,
        said: format!("{said} ({advice})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_kept_until_shortly_before_it_expires() {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(kept_until_shortly_before_expiry());
    }

    async fn kept_until_shortly_before_expiry() {
        let tokens = Tokens::default();
        let fetch = |lives: u64| async move {
            Ok((
                Secret::issued("t".to_string(), "test"),
                Duration::from_secs(lives),
            ))
        };
        tokens.get(|| fetch(3600)).await.unwrap();
        tokens.get(|| fetch(3600)).await.unwrap();
        assert_eq!(tokens.fetched(), 1, "kept");
        tokens.forget().await;
        // A token that lives 2 s is used for 1 s (half its life, under a minute).
        tokens.get(|| fetch(2)).await.unwrap();
        assert_eq!(tokens.fetched(), 2);
        tokens.get(|| fetch(2)).await.unwrap();
        assert_eq!(tokens.fetched(), 2);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        tokens.get(|| fetch(2)).await.unwrap();
        assert_eq!(tokens.fetched(), 3, "expired, fetched again");
    }
}
