//! The one place where provider calls are retried: temporary failures and rate limits,
//! with exponential backoff and jitter, honouring the provider's Retry-After (capped).
//! Providers only classify their errors (`ErrorKind`); they never loop themselves.

use std::future::Future;
use std::time::Duration;

use nsync_core::provider::{ErrorKind, ProviderError};

#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest Retry-After nsync will wait; a provider asking for more fails now.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (attempt counts from 1): full backoff
    /// doubled per attempt, then a random share of it (half to all) so that many
    /// clients do not retry in step.
    pub fn delay(&self, attempt: u32, error: &ProviderError) -> Option<Duration> {
        if attempt >= self.attempts || !error.kind.is_retryable() {
            return None;
        }
        if let ErrorKind::RateLimited {
            retry_after: Some(after),
        } = error.kind
        {
            return (after <= self.max_retry_after).then_some(after);
        }
        let exp = self
            .base_delay
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(self.max_delay);
        let jitter = 0.5 + 0.5 * random_unit();
        Some(exp.mul_f64(jitter))
    }
}

/// Runs `call` until it succeeds, fails for good, or runs out of attempts. `on_retry`
/// hears about each retry (for progress lines).
pub async fn retry<T, F, Fut>(
    policy: &RetryPolicy,
    mut call: F,
    mut on_retry: impl FnMut(&ProviderError, Duration),
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) => match policy.delay(attempt, &e) {
                Some(wait) => {
                    on_retry(&e, wait);
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                None => return Err(gave_up(e, attempt)),
            },
        }
    }
}

/// The final error of a retried call says how many attempts were made.
pub fn gave_up(mut error: ProviderError, attempts: u32) -> ProviderError {
    if attempts > 1 && error.kind.is_retryable() {
        error.message = format!("{} (gave up after {attempts} attempts)", error.message);
    }
    error
}

/// A number in [0, 1) from the clock and a counter: jitter needs spread, not secrecy.
fn random_unit() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ nanos;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn err(kind: ErrorKind) -> ProviderError {
        ProviderError::new(kind, "p", "op", "msg")
    }

    fn fast() -> RetryPolicy {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
            max_retry_after: Duration::from_millis(50),
        }
    }

    #[tokio::test]
    async fn temporary_errors_are_retried_until_success() {
        let calls = AtomicU32::new(0);
        let mut retries = 0;
        let got = retry(
            &fast(),
            || async {
                if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err(err(ErrorKind::Temporary))
                } else {
                    Ok(7)
                }
            },
            |_, _| retries += 1,
        )
        .await;
        assert_eq!(got.unwrap(), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(retries, 2);
    }

    #[tokio::test]
    async fn permanent_errors_are_not_retried() {
        let calls = AtomicU32::new(0);
        let got: Result<(), _> = retry(
            &fast(),
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(err(ErrorKind::AuthFailed))
            },
            |_, _| {},
        )
        .await;
        assert_eq!(got.unwrap_err().kind, ErrorKind::AuthFailed);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn attempts_run_out_and_say_so() {
        let got: Result<(), _> = retry(
            &fast(),
            || async { Err(err(ErrorKind::Temporary)) },
            |_, _| {},
        )
        .await;
        assert!(
            got.unwrap_err()
                .message
                .contains("gave up after 4 attempts")
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = fast();
        let limited = |ms| {
            err(ErrorKind::RateLimited {
                retry_after: Some(Duration::from_millis(ms)),
            })
        };
        assert_eq!(p.delay(1, &limited(20)), Some(Duration::from_millis(20)));
        assert_eq!(p.delay(1, &limited(5000)), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_a_ceiling() {
        let p = RetryPolicy::default();
        for attempt in 1..4 {
            let d = p.delay(attempt, &err(ErrorKind::Temporary)).unwrap();
            let full = p.base_delay * (1 << (attempt - 1));
            assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
        }
        let d = p.delay(4, &err(ErrorKind::Temporary)).unwrap();
        assert!(d <= p.max_delay);
    }
}
