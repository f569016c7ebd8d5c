//! Bearer tokens that expire (OAuth 2 access tokens: Google's from a signed JWT, Azure's
//! from client credentials): fetched once, used until shortly before they expire, fetched
//! again after. One fetch at a time, so concurrent requests share a token instead of
//! each asking for their own. The token is a `Secret`: never in a log or an error.

use std::future::Future;
use std::time::{Duration, Instant};

use nsync_core::provider::ProviderError;
use nsync_core::secret::Secret;
use tokio::sync::Mutex;

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

    /// How many tokens were fetched, for tests and `-v`.
    pub fn fetched(&self) -> usize {
        self.fetched.load(std::sync::atomic::Ordering::Relaxed)
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
