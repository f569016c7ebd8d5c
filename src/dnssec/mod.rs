//! DNSSEC as nsync checks it: every nameserver address's keys and signatures validated at
//! the moment of the check, and the keys of every provider of a zone compared with each
//! other. A resolver may take the DNSKEY set from one provider and an answer from another
//! (RFC 8901 §4), so a zone signed by several providers is only as valid as the worst
//! pairing of one provider's keys with another's signatures.

pub mod denial;
pub mod exchange;
pub mod keys;
pub mod matrix;
pub mod probe;
pub mod validate;

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the epoch as DNSSEC writes times (RFC 4034 §3.1.5: 32 bits, compared in
/// serial-number arithmetic, so the value wraps in 2106 without breaking comparisons).
pub fn now32(now: SystemTime) -> u32 {
    now.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as u32)
}

/// `a` is before `b` in RFC 1982 serial arithmetic (how RRSIG times compare).
pub fn before(a: u32, b: u32) -> bool {
    a != b && b.wrapping_sub(a) < 1 << 31
}

/// A DNSSEC time as `dig` prints it: YYYYMMDDHHMMSS (UTC).
pub fn show_time(t: u32) -> String {
    let secs = u64::from(t);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = nsync_core::clock::civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A span of seconds for people: "6 days 4 hours", "3 hours 12 minutes", "42 seconds".
pub fn show_span(secs: i64) -> String {
    let s = secs.unsigned_abs();
    let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    let unit = |n: u64, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    if d > 0 && h > 0 {
        format!("{} {}", unit(d, "day"), unit(h, "hour"))
    } else if d > 0 {
        unit(d, "day")
    } else if h > 0 && m > 0 {
        format!("{} {}", unit(h, "hour"), unit(m, "minute"))
    } else if h > 0 {
        unit(h, "hour")
    } else if m > 0 {
        unit(m, "minute")
    } else {
        unit(s, "second")
    }
}

#[cfg(test)]
pub mod testing;
#[cfg(test)]
mod tests;
