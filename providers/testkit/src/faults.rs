//! One table of faults, for every HTTP provider kind: what the relay injects and when.
//! Each fault either lets a sync converge after retries or must fail that provider with
//! a given error kind; the counter says whether the fault really happened.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::http_relay::{Action, Rule};

/// What the relay does, by the request's number and method, for one fault.
pub enum Fault {
    RateLimitedThenOk,
    ServerErrorsThenOk,
    DroppedThenOk,
    MiddleWriteFails,
    BadCredentials,
    ZoneMissing,
    RetryAfterSecondsThenOk,
    RetryAfterDateThenOk,
    ResetThenOk,
    AnswerCutThenOk,
    TruncatedAnswer,
    HugeAnswer,
    StallPastTimeout,
}

impl Fault {
    /// Every fault, with its name in test names.
    pub fn all() -> [(&'static str, Fault); 13] {
        [
            ("rate limited twice, then fine", Fault::RateLimitedThenOk),
            ("503 twice, then fine", Fault::ServerErrorsThenOk),
            ("connection dropped once, then fine", Fault::DroppedThenOk),
            ("the write half way through fails", Fault::MiddleWriteFails),
            ("credentials rejected", Fault::BadCredentials),
            ("zone missing", Fault::ZoneMissing),
            (
                "429 with Retry-After seconds, then fine",
                Fault::RetryAfterSecondsThenOk,
            ),
            (
                "429 with Retry-After as an HTTP-date, then fine",
                Fault::RetryAfterDateThenOk,
            ),
            ("connection reset once, then fine", Fault::ResetThenOk),
            (
                "answer cut half way once, then fine",
                Fault::AnswerCutThenOk,
            ),
            ("a truncated answer body", Fault::TruncatedAnswer),
            ("a 100 MB answer", Fault::HugeAnswer),
            (
                "a request stalled past the timeout, then fine",
                Fault::StallPastTimeout,
            ),
        ]
    }

    /// The relay's rule, and what it counted: the faults it injected (a fault that never
    /// happened would make the test pass without testing anything) and the write requests
    /// it saw. `zone_missing` is how the API says "no such zone" (its status and body,
    /// from its documentation); `writes` how many write requests the change of every
    /// record takes there: the one half way through fails (the only one for an API that
    /// writes a change in one request).
    pub fn rule(&self, zone_missing: (u16, &'static str), writes: usize) -> (Rule, Counted) {
        let injected = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(AtomicUsize::new(0));
        let failing_write = writes / 2;
        let counted = Counted {
            injected: injected.clone(),
            writes: seen.clone(),
        };
        let count = injected.clone();
        let inject = move |a: Action| {
            count.fetch_add(1, Ordering::SeqCst);
            a
        };
        let respond = |status: u16, body: &str| Action::Respond {
            status,
            body: body.to_string(),
        };
        let rule: Rule = match self {
            Fault::RateLimitedThenOk => Arc::new(move |n, _, _| {
                if n < 2 {
                    inject(respond(429, "rate limited"))
                } else {
                    Action::Forward
                }
            }),
            Fault::ServerErrorsThenOk => Arc::new(move |n, _, _| {
                if n < 2 {
                    inject(respond(503, "unavailable"))
                } else {
                    Action::Forward
                }
            }),
            Fault::DroppedThenOk => Arc::new(move |n, _, _| {
                if n == 0 {
                    inject(Action::Drop)
                } else {
                    Action::Forward
                }
            }),
            Fault::MiddleWriteFails => {
                let writes = seen.clone();
                Arc::new(move |_, method, _| {
                    if method != "GET" && writes.load(Ordering::SeqCst) == failing_write + 1 {
                        inject(respond(500, "internal error"))
                    } else {
                        Action::Forward
                    }
                })
            }
            Fault::BadCredentials => Arc::new(move |_, _, _| inject(respond(401, "Unauthorized"))),
            Fault::ZoneMissing => {
                Arc::new(move |_, _, _| inject(respond(zone_missing.0, zone_missing.1)))
            }
            Fault::RetryAfterSecondsThenOk | Fault::RetryAfterDateThenOk => {
                let date = matches!(self, Fault::RetryAfterDateThenOk);
                Arc::new(move |n, _, _| {
                    if n >= 2 {
                        return Action::Forward;
                    }
                    let after = if date {
                        let at = std::time::SystemTime::now() + std::time::Duration::from_secs(2);
                        nsync_core::clock::http_date(at)
                    } else {
                        "1".to_string()
                    };
                    inject(Action::RespondWith {
                        status: 429,
                        headers: vec![("Retry-After".into(), after)],
                        body: "rate limited".into(),
                    })
                })
            }
            Fault::ResetThenOk => Arc::new(move |n, _, _| {
                if n == 0 {
                    inject(Action::Reset)
                } else {
                    Action::Forward
                }
            }),
            Fault::AnswerCutThenOk => Arc::new(move |n, _, _| {
                if n == 0 {
                    inject(Action::ForwardCut)
                } else {
                    Action::Forward
                }
            }),
            // The whole answer, well formed as HTTP, with its body cut in half: the
            // API's JSON or XML broken off. Every request, so no retry can save it.
            Fault::TruncatedAnswer => Arc::new(move |_, _, _| {
                inject(Action::ForwardEdited(|body| {
                    let mut end = body.len() / 2;
                    while !body.is_char_boundary(end) {
                        end -= 1;
                    }
                    body[..end].to_string()
                }))
            }),
            Fault::HugeAnswer => Arc::new(move |_, _, _| inject(Action::Huge(100 << 20))),
            Fault::StallPastTimeout => Arc::new(move |n, _, _| {
                if n == 0 {
                    inject(Action::Stall(STALL))
                } else {
                    Action::Forward
                }
            }),
        };
        // Every write request is counted, whatever the rule does with it.
        let counting: Rule = Arc::new(move |n, method, path| {
            if method != "GET" {
                seen.fetch_add(1, Ordering::SeqCst);
            }
            rule(n, method, path)
        });
        (counting, counted)
    }
}

/// What a fault's relay counted.
pub struct Counted {
    /// Faults injected.
    pub injected: Arc<AtomicUsize>,
    /// Write requests seen (anything but GET), faulted or forwarded.
    pub writes: Arc<AtomicUsize>,
}

/// The request timeout the stall fault's table sets, and how long the relay stalls.
pub const STALL_TIMEOUT_SECONDS: u64 = 2;
const STALL: std::time::Duration = std::time::Duration::from_secs(STALL_TIMEOUT_SECONDS + 2);

impl Fault {
    /// Lines the provider table needs for this fault (the stall needs a short timeout).
    pub fn table_lines(&self) -> String {
        match self {
            Fault::StallPastTimeout => format!("timeout_seconds = {STALL_TIMEOUT_SECONDS}\n"),
            _ => String::new(),
        }
    }

    /// The error kind sync must report, or `None` when it must converge.
    pub fn expected_kind(&self) -> Option<&'static str> {
        match self {
            Fault::BadCredentials => Some("auth_failed"),
            Fault::ZoneMissing => Some("zone_missing"),
            // Neither is worth retrying: the API answered, with something nsync cannot
            // take. It says so, naming provider and operation; it never panics.
            Fault::TruncatedAnswer | Fault::HugeAnswer => Some("permanent"),
            _ => None,
        }
    }
}

/// The faults of a DNS link (AXFR and UPDATE over TCP), made by the DNS relay in front of
/// the server. Each must let a sync converge: a cut transfer is read again, an UPDATE
/// cut part way is finished by re-reading and re-planning, slowness costs only time.
pub enum DnsFault {
    TransferCut,
    UpdateCutMidBatch,
    ServerAwayBetweenUpdates,
    SlowAnswers,
}

impl DnsFault {
    pub fn all() -> [(&'static str, DnsFault); 4] {
        [
            (
                "the transfer's connection cut, then fine",
                DnsFault::TransferCut,
            ),
            (
                "the UPDATE connection cut after its first answer",
                DnsFault::UpdateCutMidBatch,
            ),
            (
                "the server away between two UPDATE messages",
                DnsFault::ServerAwayBetweenUpdates,
            ),
            ("every answer 300 ms late", DnsFault::SlowAnswers),
        ]
    }

    pub fn impairment(&self) -> crate::dns_relay::Impairment {
        use crate::dns_relay::Impairment;
        use std::time::Duration;
        // Connection 0 is the sync's transfer of the zone, 1 its UPDATE messages.
        let cut = |plan: &[(u64, usize)]| Impairment {
            cut_connections: plan.to_vec(),
            ..Impairment::default()
        };
        match self {
            DnsFault::TransferCut => cut(&[(0, 0)]),
            DnsFault::UpdateCutMidBatch => cut(&[(1, 1)]),
            // Cut mid-batch, then the next two connections (the retries) find no server.
            DnsFault::ServerAwayBetweenUpdates => cut(&[(1, 1), (2, 0), (3, 0)]),
            DnsFault::SlowAnswers => Impairment {
                delay: Duration::from_millis(300),
                jitter: Duration::from_millis(100),
                ..Impairment::default()
            },
        }
    }

    /// Whether the fault needs a connection cut to have happened (else only slowness).
    pub fn cuts(&self) -> bool {
        !matches!(self, DnsFault::SlowAnswers)
    }
}
