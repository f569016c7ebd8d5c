//! Named moments where a test makes nsync die as `kill -9` would (no destructor, no
//! flush, the lock released by the kernel only), so that recovery is tested at each
//! moment on purpose: a kill timed from outside lands wherever the machine's speed puts
//! it (on a fast machine, mostly before the first write).
//!
//! `NSYNC_FAILPOINT=<point>[@<provider>][#<n>]` aborts the process the n-th time (default
//! the first) that `point` is reached, counting only `provider`'s passes when one is
//! named. The points: `after-backup` (a target's backup is on disk, nothing written
//! there yet), `after-write` (one write request or UPDATE message answered: the next is
//! not sent), `after-apply` (one target's writes are all done, others may not be).
//! Compiled in only with feature `failpoints` (the test build); elsewhere `hit` is empty.

#[cfg(feature = "failpoints")]
mod armed {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    struct Spec {
        point: String,
        provider: Option<String>,
        nth: u64,
    }

    fn spec() -> Option<&'static Spec> {
        static SPEC: OnceLock<Option<Spec>> = OnceLock::new();
        SPEC.get_or_init(|| {
            let text = std::env::var("NSYNC_FAILPOINT").ok()?;
            let (rest, nth) = match text.split_once('#') {
                Some((r, n)) => (r, n.parse().ok()?),
                None => (text.as_str(), 1),
            };
            let (point, provider) = match rest.split_once('@') {
                Some((p, who)) => (p, Some(who.to_string())),
                None => (rest, None),
            };
            Some(Spec {
                point: point.to_string(),
                provider,
                nth,
            })
        })
        .as_ref()
    }

    pub fn hit(point: &str, provider: &str) {
        static PASSES: AtomicU64 = AtomicU64::new(0);
        let Some(spec) = spec() else { return };
        if spec.point != point || spec.provider.as_deref().is_some_and(|p| p != provider) {
            return;
        }
        let pass = PASSES.fetch_add(1, Ordering::SeqCst) + 1;
        if pass == spec.nth {
            // stderr is unbuffered: the test reads this line to know where nsync died.
            eprintln!("nsync: failpoint {point} at {provider} (pass {pass}): aborting");
            std::process::abort();
        }
    }
}

/// Marks a moment `NSYNC_FAILPOINT` can name (see the module comment).
#[cfg(feature = "failpoints")]
pub fn hit(point: &str, provider: &str) {
    armed::hit(point, provider);
}

/// Marks a moment `NSYNC_FAILPOINT` can name; without feature `failpoints`, nothing.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn hit(_point: &str, _provider: &str) {}
