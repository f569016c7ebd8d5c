//! SVCB and HTTPS parameters (RFC 9460 §2.1, §7 and Appendix A), read and written by
//! nsync so that a value list holding an escaped comma stays one value.
//!
//! Appendix A.1: a value is first a character-string (RFC 1035 escapes), and a list is
//! then split at commas, where `\,` is a comma inside an item and `\\` a backslash. So
//! `alpn="a\\,b,h2"` is two protocols, `a,b` and `h2`.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::format::escape_into;
use super::wire::Cursor;
use crate::zonefile::lexer::Token;

const MANDATORY: u16 = 0;
const ALPN: u16 = 1;
const NO_DEFAULT_ALPN: u16 = 2;
const PORT: u16 = 3;
const IPV4HINT: u16 = 4;
const ECH: u16 = 5;
const IPV6HINT: u16 = 6;
const DOHPATH: u16 = 7;
const OHTTP: u16 = 8;

const NAMES: &[(u16, &str)] = &[
    (MANDATORY, "mandatory"),
    (ALPN, "alpn"),
    (NO_DEFAULT_ALPN, "no-default-alpn"),
    (PORT, "port"),
    (IPV4HINT, "ipv4hint"),
    (ECH, "ech"),
    (IPV6HINT, "ipv6hint"),
    (DOHPATH, "dohpath"),
    (OHTTP, "ohttp"),
];

fn key_name(key: u16) -> String {
    match NAMES.iter().find(|(k, _)| *k == key) {
        Some((_, name)) => (*name).to_string(),
        None => format!("key{key}"),
    }
}

fn parse_key(text: &[u8]) -> Result<u16, String> {
    let text = String::from_utf8_lossy(text).to_ascii_lowercase();
    if let Some((key, _)) = NAMES.iter().find(|(_, n)| *n == text) {
        return Ok(*key);
    }
    if let Some(digits) = text.strip_prefix("key")
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(key) = digits.parse::<u16>()
        && key != 65535
    {
        return Ok(key);
    }
    Err(format!(
        "unknown SVCB parameter `{}`: use mandatory, alpn, no-default-alpn, port, ipv4hint, ech, ipv6hint, dohpath, ohttp or keyNNNNN",
        crate::diag::excerpt(&text)
    ))
}

/// Appends `bytes` as an unquoted character-string: the octets that would end or open a
/// token (blank space, `;`, `(`, `)`, `"`) and `\\` behind a backslash or as `\\DDD`.
fn escape_unquoted(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        match b {
            b'"' | b'\\' | b';' | b'(' | b')' => {
                out.push('\\');
                out.push(b as char);
            }
            0x21..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
}

/// Writes the parameters that follow priority and target, each as ` key=value`.
pub fn format_params(out: &mut String, c: &mut Cursor<'_>) -> Option<()> {
    let mut last: Option<u16> = None;
    while !c.is_done() {
        let key = c.u16()?;
        if last.is_some_and(|l| l >= key) {
            return None;
        }
        last = Some(key);
        let len = c.u16()? as usize;
        let value = c.take(len)?;
        let mut v = Cursor::new(value);
        out.push(' ');
        out.push_str(&key_name(key));
        match key {
            MANDATORY => {
                let mut keys = Vec::new();
                while !v.is_done() {
                    keys.push(key_name(v.u16()?));
                }
                if keys.is_empty() {
                    return None;
                }
                write!(out, "={}", keys.join(",")).ok()?;
            }
            ALPN => {
                let mut items = Vec::new();
                while !v.is_done() {
                    let id = v.string()?;
                    if id.is_empty() {
                        return None;
                    }
                    items.push(id);
                }
                if items.is_empty() {
                    return None;
                }
                // Unquoted, as PowerDNS's API wants it (it refuses the quoted form of the
                // same data): the list with `\,` and `\\` inside items, then escaped again
                // as an unquoted character-string.
                let mut list = Vec::new();
                for (i, id) in items.iter().enumerate() {
                    if i > 0 {
                        list.push(b',');
                    }
                    for &b in id.iter() {
                        if b == b',' || b == b'\\' {
                            list.push(b'\\');
                        }
                        list.push(b);
                    }
                }
                out.push('=');
                escape_unquoted(out, &list);
            }
            NO_DEFAULT_ALPN | OHTTP => {
                if !value.is_empty() {
                    return None;
                }
            }
            PORT => {
                let port = v.u16()?;
                write!(out, "={port}").ok()?;
            }
            IPV4HINT => {
                if value.is_empty() || value.len() % 4 != 0 {
                    return None;
                }
                let ips: Vec<String> = value
                    .chunks(4)
                    .map(|b| Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string())
                    .collect();
                write!(out, "={}", ips.join(",")).ok()?;
                v.rest();
            }
            IPV6HINT => {
                if value.is_empty() || value.len() % 16 != 0 {
                    return None;
                }
                let ips: Vec<String> = value
                    .chunks(16)
                    .map(|b| {
                        Ipv6Addr::from(<[u8; 16]>::try_from(b).expect("chunks of 16")).to_string()
                    })
                    .collect();
                write!(out, "={}", ips.join(",")).ok()?;
                v.rest();
            }
            ECH => {
                write!(out, "={}", base64_encode(value)).ok()?;
                v.rest();
            }
            _ => {
                if !value.is_empty() {
                    out.push_str("=\"");
                    escape_into(out, value, b"\"\\");
                    out.push('"');
                }
                v.rest();
            }
        }
        if !v.is_done() {
            return None;
        }
    }
    Some(())
}

/// Reads the parameter tokens (after priority and target) into their wire form: sorted by
/// key, each key once (RFC 9460 §2.2).
pub fn parse_params(tokens: &[Token]) -> Result<Vec<u8>, String> {
    let mut params: Vec<(u16, Vec<u8>)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        i += 1;
        if t.quoted {
            return Err(format!(
                "SVCB value {} has no key: write key=value",
                crate::diag::excerpt(t.raw)
            ));
        }
        let (key_text, value) = match t.bytes.iter().position(|b| *b == b'=') {
            None => (&t.bytes[..], None),
            Some(eq) => {
                let rest = &t.bytes[eq + 1..];
                let next_touches = tokens
                    .get(i)
                    .is_some_and(|n| n.quoted && n.offset == t.offset + t.raw.len());
                if rest.is_empty() && next_touches {
                    i += 1;
                    (&t.bytes[..eq], Some(tokens[i - 1].bytes.to_vec()))
                } else {
                    (&t.bytes[..eq], Some(rest.to_vec()))
                }
            }
        };
        let key = parse_key(key_text)?;
        if params.iter().any(|(k, _)| *k == key) {
            return Err(format!("SVCB parameter {} appears twice", key_name(key)));
        }
        let wire = value_wire(key, value.as_deref())?;
        params.push((key, wire));
    }
    params.sort_by_key(|(k, _)| *k);
    check_mandatory(&params)?;
    let mut out = Vec::new();
    for (key, value) in params {
        out.extend_from_slice(&key.to_be_bytes());
        let len = u16::try_from(value.len()).map_err(|_| {
            format!(
                "SVCB parameter {} is longer than 65535 octets",
                key_name(key)
            )
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&value);
    }
    Ok(out)
}

/// RFC 9460 §8: the keys `mandatory` lists must be present, and it may not list itself.
fn check_mandatory(params: &[(u16, Vec<u8>)]) -> Result<(), String> {
    let Some((_, list)) = params.iter().find(|(k, _)| *k == MANDATORY) else {
        return Ok(());
    };
    for key in list.chunks(2).map(|b| u16::from_be_bytes([b[0], b[1]])) {
        if key == MANDATORY {
            return Err("SVCB mandatory may not list mandatory itself".into());
        }
        if !params.iter().any(|(k, _)| *k == key) {
            return Err(format!(
                "SVCB mandatory lists {} but the record has no {0} parameter",
                key_name(key)
            ));
        }
    }
    Ok(())
}

fn value_wire(key: u16, value: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let name = key_name(key);
    let need = |v: Option<&[u8]>| -> Result<Vec<u8>, String> {
        match v {
            Some(v) if !v.is_empty() => Ok(v.to_vec()),
            _ => Err(format!("SVCB parameter {name} needs a value ({name}=...)")),
        }
    };
    let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
    match key {
        MANDATORY => {
            let mut keys = Vec::new();
            for item in split_list(&need(value)?)? {
                keys.push(parse_key(&item)?);
            }
            keys.sort_unstable();
            if keys.windows(2).any(|w| w[0] == w[1]) {
                return Err("SVCB mandatory lists a key twice".into());
            }
            Ok(keys.iter().flat_map(|k| k.to_be_bytes()).collect())
        }
        ALPN => {
            let mut out = Vec::new();
            for item in split_list(&need(value)?)? {
                if item.len() > 255 {
                    return Err("SVCB alpn protocol id longer than 255 octets".into());
                }
                out.push(item.len() as u8);
                out.extend_from_slice(&item);
            }
            Ok(out)
        }
        NO_DEFAULT_ALPN | OHTTP => match value {
            None | Some([]) => Ok(Vec::new()),
            Some(_) => Err(format!("SVCB parameter {name} takes no value")),
        },
        PORT => {
            let v = text(&need(value)?);
            let port = super::parse::number::<u16>(&v).ok_or_else(|| {
                format!(
                    "SVCB port `{}` is not a number from 0 to 65535",
                    crate::diag::excerpt(&v)
                )
            })?;
            Ok(port.to_be_bytes().to_vec())
        }
        IPV4HINT => addresses(
            &text(&need(value)?),
            "ipv4hint",
            "an IPv4",
            |ip: Ipv4Addr| ip.octets().to_vec(),
        ),
        IPV6HINT => addresses(
            &text(&need(value)?),
            "ipv6hint",
            "an IPv6",
            |ip: Ipv6Addr| ip.octets().to_vec(),
        ),
        ECH => {
            base64_decode(&text(&need(value)?)).ok_or_else(|| "SVCB ech is not base64".to_string())
        }
        _ => Ok(value.map(<[u8]>::to_vec).unwrap_or_default()),
    }
}

/// A comma-separated list of addresses (ipv4hint, ipv6hint) as their octets.
fn addresses<T: std::str::FromStr>(
    list: &str,
    key: &str,
    what: &str,
    octets: impl Fn(T) -> Vec<u8>,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for item in list.split(',') {
        let ip: T = item.parse().map_err(|_| {
            format!(
                "SVCB {key} `{}` is not {what} address",
                crate::diag::excerpt(item)
            )
        })?;
        out.extend(octets(ip));
    }
    Ok(out)
}

/// Appendix A.1: items separated by commas; `\,` and `\\` stand for themselves.
fn split_list(value: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut items = vec![Vec::new()];
    let mut i = 0;
    while i < value.len() {
        match value[i] {
            b'\\' if i + 1 < value.len() => {
                items.last_mut().expect("never empty").push(value[i + 1]);
                i += 2;
            }
            b',' => {
                items.push(Vec::new());
                i += 1;
            }
            b => {
                items.last_mut().expect("never empty").push(b);
                i += 1;
            }
        }
    }
    if items.iter().any(Vec::is_empty) {
        return Err(
            "SVCB value list has an empty item (two commas in a row, or one at an end)".into(),
        );
    }
    Ok(items)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = BASE64.iter().position(|b| *b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (acc == 0 && bits < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for n in 0..10 {
            let data: Vec<u8> = (0..n).map(|i| (i * 37) as u8).collect();
            assert_eq!(base64_decode(&base64_encode(&data)).unwrap(), data);
        }
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
    }
}
