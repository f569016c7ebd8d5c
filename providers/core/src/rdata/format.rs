//! Wire-form rdata written as RFC 1035 presentation format, per type, so that BIND, Knot
//! and nsync all read the text back to the same octets.
//!
//! nsync writes this itself: hickory's `Display` is not presentation format for TXT, CAA,
//! NAPTR and SVCB/HTTPS (no quoting, trailing commas) and writes `\DDD` in octal.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::RecordType;

use super::svcb;
use super::wire::Cursor;
use crate::name::write_label_at;

/// `rtype` data in presentation format, or `None` when the octets are not valid data of
/// that type (then [`generic`] still writes them).
pub fn format(rtype: RecordType, wire: &[u8]) -> Option<String> {
    let mut c = Cursor::new(wire);
    let mut out = String::new();
    match rtype {
        RecordType::A => {
            let b = c.take(4)?;
            write!(out, "{}", Ipv4Addr::new(b[0], b[1], b[2], b[3])).ok()?;
        }
        RecordType::AAAA => {
            let b: [u8; 16] = c.take(16)?.try_into().ok()?;
            write!(out, "{}", Ipv6Addr::from(b)).ok()?;
        }
        RecordType::CNAME | RecordType::NS | RecordType::PTR => name(&mut out, &mut c)?,
        RecordType::MX => {
            write!(out, "{} ", c.u16()?).ok()?;
            name(&mut out, &mut c)?;
        }
        RecordType::SRV => {
            write!(out, "{} {} {} ", c.u16()?, c.u16()?, c.u16()?).ok()?;
            name(&mut out, &mut c)?;
        }
        RecordType::TXT => {
            if c.is_done() {
                return None;
            }
            while !c.is_done() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&quote(c.string()?));
            }
        }
        RecordType::CAA => {
            let flags = c.u8()?;
            let tag = c.string()?;
            if tag.is_empty() || !tag.iter().all(u8::is_ascii_alphanumeric) {
                return None;
            }
            let tag = std::str::from_utf8(tag).ok()?;
            write!(out, "{flags} {tag} {}", quote(c.rest())).ok()?;
        }
        RecordType::SSHFP => {
            write!(out, "{} {} ", c.u8()?, c.u8()?).ok()?;
            hex(&mut out, c.rest())?;
        }
        RecordType::TLSA => {
            write!(out, "{} {} {} ", c.u8()?, c.u8()?, c.u8()?).ok()?;
            hex(&mut out, c.rest())?;
        }
        RecordType::DS => {
            write!(out, "{} {} {} ", c.u16()?, c.u8()?, c.u8()?).ok()?;
            hex(&mut out, c.rest())?;
        }
        RecordType::NAPTR => {
            write!(out, "{} {} ", c.u16()?, c.u16()?).ok()?;
            for _ in 0..3 {
                out.push_str(&quote(c.string()?));
                out.push(' ');
            }
            name(&mut out, &mut c)?;
        }
        RecordType::SOA => {
            name(&mut out, &mut c)?;
            out.push(' ');
            name(&mut out, &mut c)?;
            for _ in 0..5 {
                let n = c.take(4)?;
                write!(out, " {}", u32::from_be_bytes([n[0], n[1], n[2], n[3]])).ok()?;
            }
        }
        RecordType::SVCB | RecordType::HTTPS => {
            write!(out, "{} ", c.u16()?).ok()?;
            name(&mut out, &mut c)?;
            svcb::format_params(&mut out, &mut c)?;
        }
        _ => return None,
    }
    c.is_done().then_some(out)
}

/// RFC 3597 §5: `\# length hex`, which every reader takes for any type.
pub fn generic(wire: &[u8]) -> String {
    let mut out = format!("\\# {}", wire.len());
    if !wire.is_empty() {
        out.push(' ');
        let _ = hex(&mut out, wire);
    }
    out
}

fn name(out: &mut String, c: &mut Cursor<'_>) -> Option<()> {
    let labels = c.name()?;
    if labels.is_empty() {
        out.push('.');
    }
    for (i, label) in labels.into_iter().enumerate() {
        write_label_at(out, label, i == 0);
        out.push('.');
    }
    Some(())
}

/// Hex digits, lower-case; `None` for no octets, which the types written in hex forbid.
fn hex(out: &mut String, bytes: &[u8]) -> Option<()> {
    if bytes.is_empty() {
        return None;
    }
    for b in bytes {
        write!(out, "{b:02x}").ok()?;
    }
    Some(())
}

/// A character-string in quotes: `"` and `\` escaped, octets outside printable ASCII as
/// `\DDD` in decimal, so the text holds no control character and reads back exactly.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    escape_into(&mut out, bytes, b"\"\\");
    out.push('"');
    out
}

/// Appends `bytes` with each octet of `special` behind a backslash and every octet
/// outside printable ASCII as `\DDD`.
pub fn escape_into(out: &mut String, bytes: &[u8], special: &[u8]) {
    for &b in bytes {
        if special.contains(&b) {
            out.push('\\');
            out.push(b as char);
        } else if (0x20..=0x7e).contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "\\{b:03}");
        }
    }
}
