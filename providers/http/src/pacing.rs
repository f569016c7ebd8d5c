//! Pacing by the request budget an API reports in its answers' headers, so a long sync
//! spends the budget at the rate it comes back instead of running into 429s (which cost
//! a wait of their own and, at some providers, a block). One pacer per API client; each
//! provider says how its headers read (`ReadBudget`); the retry loop stays the backstop
//! for a 429 that comes anyway.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use nsync_core::provider::RateLimit;
use reqwest::header::HeaderMap;

/// What an answer says is left of the budget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    pub limit: u64,
    pub remaining: u64,
    pub refill: Refill,
}

/// How the budget comes back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Refill {
    /// All of it at this time (DigitalOcean's `ratelimit-reset`, a Unix time).
    At(SystemTime),
    /// A token bucket that fills from empty in this long, evenly (NS1's
    /// `X-RateLimit-Period`).
    Over(Duration),
}

/// A provider's reading of its rate-limit headers.
pub type ReadBudget = fn(&HeaderMap) -> Option<Budget>;

/// Below this share of the budget, requests are spaced at the rate it comes back.
const LOW_WATER: f64 = 0.1;
/// The longest one request waits; a budget spent for longer (an hourly one) is waited
/// out in steps, each said in `-v`.
pub const MAX_WAIT: Duration = Duration::from_secs(300);

#[derive(Debug)]
struct Seen {
    limit: f64,
    /// Tokens left, counting the requests sent since the answer that said so.
    remaining: f64,
    refill: Refill,
    at: Instant,
}

pub struct Pacer {
    read: ReadBudget,
    seen: Mutex<Option<Seen>>,
}

impl Pacer {
    /// A pacer that reads budgets with `read`. Before the first answer it assumes the
    /// tightest documented budget (`assumed`) is whole.
    pub fn new(read: ReadBudget, assumed: &[RateLimit]) -> Pacer {
        let seen = assumed
            .iter()
            .min_by(|a, b| {
                (a.requests as f64 / a.seconds as f64)
                    .total_cmp(&(b.requests as f64 / b.seconds as f64))
            })
            .map(|l| Seen {
                limit: l.requests as f64,
                remaining: l.requests as f64,
                refill: Refill::Over(Duration::from_secs(l.seconds as u64)),
                at: Instant::now(),
            });
        Pacer {
            read,
            seen: Mutex::new(seen),
        }
    }

    /// How long to wait before the next request (and counts that request against the
    /// budget, so concurrent requests space themselves out).
    pub fn before_request(&self) -> Option<Duration> {
        let mut guard = self.seen.lock().ok()?;
        let seen = guard.as_mut()?;
        let now = Instant::now();
        let wall = SystemTime::now();
        let wait = match seen.refill {
            Refill::Over(period) => {
                let rate = seen.limit / period.as_secs_f64().max(0.001);
                let refilled = now.duration_since(seen.at).as_secs_f64() * rate;
                seen.remaining = (seen.remaining + refilled).min(seen.limit);
                seen.at = now;
                if seen.remaining >= seen.limit * LOW_WATER && seen.remaining >= 1.0 {
                    Duration::ZERO
                } else {
                    // One token's worth, plus what is owed when the bucket is empty.
                    let owed = (1.0 - seen.remaining).max(0.0);
                    Duration::from_secs_f64((owed + 1.0) / rate)
                }
            }
            Refill::At(reset) => {
                let left = reset.duration_since(wall).unwrap_or_default();
                if left.is_zero() {
                    // Whole again; the next answer says what is left.
                    *guard = None;
                    return None;
                } else if seen.remaining < 1.0 {
                    left
                } else if seen.remaining < seen.limit * LOW_WATER {
                    left.div_f64(seen.remaining + 1.0)
                } else {
                    Duration::ZERO
                }
            }
        };
        seen.remaining -= 1.0;
        (!wait.is_zero()).then_some(wait.min(MAX_WAIT))
    }

    /// Takes the budget an answer reports.
    pub fn after_answer(&self, headers: &HeaderMap) {
        let Some(b) = (self.read)(headers) else {
            return;
        };
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(Seen {
                limit: b.limit.max(1) as f64,
                remaining: b.remaining as f64,
                refill: b.refill,
                at: Instant::now(),
            });
        }
    }

    /// The budget as last seen, for `-v`: (remaining, limit).
    pub fn left(&self) -> Option<(u64, u64)> {
        let seen = self.seen.lock().ok()?;
        seen.as_ref()
            .map(|s| (s.remaining.max(0.0) as u64, s.limit as u64))
    }
}

fn number(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset` (the Unix time the
/// budget is whole again), as DigitalOcean sends them
/// (https://docs.digitalocean.com/reference/api/digitalocean/#section/Introduction/Rate-Limit).
pub fn ratelimit_reset_at(headers: &HeaderMap) -> Option<Budget> {
    let reset = number(headers, "ratelimit-reset")?;
    Some(Budget {
        limit: number(headers, "ratelimit-limit")?,
        remaining: number(headers, "ratelimit-remaining")?,
        refill: Refill::At(SystemTime::UNIX_EPOCH + Duration::from_secs(reset)),
    })
}

/// `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Period` (seconds for
/// the bucket to fill from empty), as NS1 sends them
/// (https://www.ibm.com/docs/en/ns1-connect?topic=api-rate-limiting).
pub fn x_ratelimit_period(headers: &HeaderMap) -> Option<Budget> {
    Some(Budget {
        limit: number(headers, "x-ratelimit-limit")?,
        remaining: number(headers, "x-ratelimit-remaining")?,
        refill: Refill::Over(Duration::from_secs(
            number(headers, "x-ratelimit-period")?.max(1),
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn a_full_bucket_sends_at_once_and_a_low_one_at_its_refill_rate() {
        let p = Pacer::new(x_ratelimit_period, &[]);
        assert_eq!(p.before_request(), None, "nothing known: no wait");
        p.after_answer(&headers(&[
            ("x-ratelimit-limit", "100".into()),
            ("x-ratelimit-remaining", "50".into()),
            ("x-ratelimit-period", "10".into()),
        ]));
        assert_eq!(p.before_request(), None);
        // 5 of 100 left, 10 tokens a second: one request every ~0.1 s, never a burst.
        p.after_answer(&headers(&[
            ("x-ratelimit-limit", "100".into()),
            ("x-ratelimit-remaining", "5".into()),
            ("x-ratelimit-period", "10".into()),
        ]));
        let w = p.before_request().unwrap();
        assert!(
            w >= Duration::from_millis(90) && w <= Duration::from_millis(110),
            "{w:?}"
        );
        // Empty: the owed token too.
        p.after_answer(&headers(&[
            ("x-ratelimit-limit", "100".into()),
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-period", "10".into()),
        ]));
        let w = p.before_request().unwrap();
        assert!(
            w >= Duration::from_millis(190) && w <= Duration::from_millis(210),
            "{w:?}"
        );
    }

    #[test]
    fn a_spent_budget_waits_for_its_reset_and_a_low_one_spreads_what_is_left() {
        let p = Pacer::new(ratelimit_reset_at, &[]);
        let reset = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 30;
        p.after_answer(&headers(&[
            ("ratelimit-limit", "250".into()),
            ("ratelimit-remaining", "200".into()),
            ("ratelimit-reset", reset.to_string()),
        ]));
        assert_eq!(p.before_request(), None);
        p.after_answer(&headers(&[
            ("ratelimit-limit", "250".into()),
            ("ratelimit-remaining", "0".into()),
            ("ratelimit-reset", reset.to_string()),
        ]));
        let w = p.before_request().unwrap();
        assert!(
            w > Duration::from_secs(28) && w <= Duration::from_secs(30),
            "{w:?}"
        );
        p.after_answer(&headers(&[
            ("ratelimit-limit", "250".into()),
            ("ratelimit-remaining", "9".into()),
            ("ratelimit-reset", reset.to_string()),
        ]));
        let w = p.before_request().unwrap();
        assert!(
            w > Duration::from_secs(2) && w <= Duration::from_secs(3),
            "{w:?}"
        );
        // A reset in the past: whole again.
        p.after_answer(&headers(&[
            ("ratelimit-limit", "250".into()),
            ("ratelimit-remaining", "0".into()),
            ("ratelimit-reset", "1".into()),
        ]));
        assert_eq!(p.before_request(), None);
    }

    #[test]
    fn the_documented_budget_paces_before_any_answer_and_waits_are_capped() {
        let p = Pacer::new(
            x_ratelimit_period,
            &[
                RateLimit {
                    requests: 5000,
                    seconds: 3600,
                },
                RateLimit {
                    requests: 2,
                    seconds: 1,
                },
            ],
        );
        // 5,000/h is the tighter rate: 2 tokens in a 2/s bucket would allow more.
        let waits: Vec<Option<Duration>> = (0..3).map(|_| p.before_request()).collect();
        assert_eq!(waits[0], None, "{waits:?}");
        p.after_answer(&headers(&[
            ("x-ratelimit-limit", "1".into()),
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-period", "86400".into()),
        ]));
        assert_eq!(p.before_request(), Some(MAX_WAIT));
        assert!(p.left().is_some());
        // Headers without a budget change nothing.
        p.after_answer(&HeaderMap::new());
        assert!(p.before_request().is_some());
    }
}
