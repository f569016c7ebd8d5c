//! Presentation-format rdata read into wire form, per type, as RFC 1035 §5.1 and BIND
//! read it: names from the text as written (so `a\.b` stays one label), strings and CAA
//! values from their unescaped octets, RFC 3597's `\# length hex` for any type.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use hickory_proto::rr::{Name, RecordType};

use super::wire::{MAX_RDATA_OCTETS, canonicalize};
use super::{MAX_CHARACTER_STRING, check_arity, check_caa_tag, format, svcb};
use crate::diag::excerpt;
use crate::name::{NameSyntax, check_hostname_wire, name_wire};
use crate::zonefile::lexer::Token;

/// Reads one rdata of `rtype` from its tokens into canonical wire form.
pub fn parse(
    rtype: RecordType,
    tokens: &[Token],
    origin: &Name,
    syntax: NameSyntax,
) -> Result<Vec<u8>, String> {
    if tokens.is_empty() {
        return Err(format!("{rtype} record has no data"));
    }
    let mut wire = if !tokens[0].quoted && tokens[0].raw == "\\#" {
        generic(rtype, &tokens[1..])?
    } else {
        typed(rtype, tokens, origin, syntax)?
    };
    if wire.len() > MAX_RDATA_OCTETS {
        return Err(format!(
            "{rtype} record data is {} octets; one record holds at most 65535",
            wire.len()
        ));
    }
    canonicalize(rtype, &mut wire);
    Ok(wire)
}

/// RFC 3597 §5: `\# length hex...`; the octets must still be valid data of the type.
fn generic(rtype: RecordType, tokens: &[Token]) -> Result<Vec<u8>, String> {
    let len_token = tokens
        .first()
        .ok_or_else(|| "`\\#` needs the data's length, then its hex octets".to_string())?;
    let len: usize = number(&len_token.text())
        .ok_or_else(|| format!("`\\#` length `{}` is not a number", excerpt(len_token.raw)))?;
    let wire = hex(rtype, &tokens[1..])?;
    if wire.len() != len {
        return Err(format!(
            "`\\#` says {len} octets but the hex holds {}",
            wire.len()
        ));
    }
    format::format(rtype, &wire).ok_or_else(|| format!("`\\#` data is not valid {rtype} data"))?;
    Ok(wire)
}

fn typed(
    rtype: RecordType,
    tokens: &[Token],
    origin: &Name,
    syntax: NameSyntax,
) -> Result<Vec<u8>, String> {
    if rtype == RecordType::TXT {
        return txt(tokens);
    }
    check_arity(rtype, tokens.len())?;
    let mut f = Fields {
        tokens,
        at: 0,
        rtype,
        origin,
        syntax,
        out: Vec::new(),
    };
    match rtype {
        RecordType::A => {
            let ip: Ipv4Addr = f.parsed("an IPv4 address")?;
            f.out.extend_from_slice(&ip.octets());
        }
        RecordType::AAAA => {
            let ip: Ipv6Addr = f.parsed("an IPv6 address")?;
            f.out.extend_from_slice(&ip.octets());
        }
        RecordType::CNAME | RecordType::NS => f.name(true)?,
        RecordType::PTR => f.name(false)?,
        RecordType::MX => {
            f.u16("preference")?;
            f.name(true)?;
        }
        RecordType::SRV => {
            f.u16("priority")?;
            f.u16("weight")?;
            f.u16("port")?;
            f.name(true)?;
        }
        RecordType::CAA => {
            f.u8("flags")?;
            let tag = &tokens[1];
            check_caa_tag(&tag.text())?;
            f.out.push(tag.bytes.len() as u8);
            f.out.extend_from_slice(&tag.bytes);
            // RFC 8659 §4.1.1: the value is a character-string, but not limited to 255 octets.
            f.out.extend_from_slice(&tokens[2].bytes);
        }
        RecordType::SSHFP => {
            f.u8("algorithm")?;
            f.u8("fingerprint type")?;
            f.out.extend(hex(rtype, &tokens[2..])?);
        }
        RecordType::TLSA => {
            f.u8("certificate usage")?;
            f.u8("selector")?;
            f.u8("matching type")?;
            f.out.extend(hex(rtype, &tokens[3..])?);
        }
        RecordType::DS => {
            f.u16("key tag")?;
            let alg = algorithm(&tokens[1].text()).ok_or_else(|| {
                bad_field(rtype, "algorithm", &tokens[1], "a number from 0 to 255")
            })?;
            f.out.push(alg);
            f.at += 1;
            let digest = digest_type(&tokens[2].text()).ok_or_else(|| {
                bad_field(rtype, "digest type", &tokens[2], "a number from 0 to 255")
            })?;
            f.out.push(digest);
            let data = hex(rtype, &tokens[3..])?;
            // RFC 3658, 4509, 5933, 6605: the known digests have a fixed length.
            let want = match digest {
                1 => Some(20),
                2 | 3 => Some(32),
                4 => Some(48),
                _ => None,
            };
            if let Some(want) = want
                && data.len() != want
            {
                return Err(format!(
                    "DS digest of type {digest} is {want} octets ({} hex digits); this one has {}",
                    want * 2,
                    data.len()
                ));
            }
            f.out.extend(data);
        }
        RecordType::NAPTR => {
            f.u16("order")?;
            f.u16("preference")?;
            f.string()?;
            f.string()?;
            check_naptr_regexp(&tokens[4].bytes)?;
            f.string()?;
            f.name(false)?;
        }
        RecordType::SVCB | RecordType::HTTPS => {
            f.u16("priority")?;
            f.name(false)?;
            f.out
                .extend(svcb::parse_params(&tokens[2..]).map_err(|e| format!("{rtype}: {e}"))?);
        }
        _ => {
            return Err(format!(
                "record type {rtype} is not supported (supported: {})",
                super::supported_list()
            ));
        }
    }
    Ok(f.out)
}

fn txt(tokens: &[Token]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for t in tokens {
        if t.bytes.len() > MAX_CHARACTER_STRING {
            return Err(format!(
                "TXT string of {} octets: one string holds at most 255; split it into several quoted strings",
                t.bytes.len()
            ));
        }
        out.push(t.bytes.len() as u8);
        out.extend_from_slice(&t.bytes);
    }
    Ok(out)
}

/// The fields of one rdata, read left to right into wire form.
struct Fields<'a> {
    tokens: &'a [Token<'a>],
    at: usize,
    rtype: RecordType,
    origin: &'a Name,
    syntax: NameSyntax,
    out: Vec<u8>,
}

impl<'a> Fields<'a> {
    fn next(&mut self) -> &'a Token<'a> {
        let t = &self.tokens[self.at];
        self.at += 1;
        t
    }

    fn parsed<T: FromStr>(&mut self, what: &str) -> Result<T, String> {
        let rtype = self.rtype;
        let t = self.next();
        t.text().parse::<T>().map_err(|_| {
            format!(
                "{rtype} record data `{}` does not parse: expected {what}",
                excerpt(t.raw)
            )
        })
    }

    fn u8(&mut self, field: &str) -> Result<(), String> {
        let rtype = self.rtype;
        let t = self.next();
        let v: u8 = number(&t.text())
            .ok_or_else(|| bad_field(rtype, field, t, "a number from 0 to 255"))?;
        self.out.push(v);
        Ok(())
    }

    fn u16(&mut self, field: &str) -> Result<(), String> {
        let rtype = self.rtype;
        let t = self.next();
        let v: u16 = number(&t.text())
            .ok_or_else(|| bad_field(rtype, field, t, "a number from 0 to 65535"))?;
        self.out.extend_from_slice(&v.to_be_bytes());
        Ok(())
    }

    fn string(&mut self) -> Result<(), String> {
        let rtype = self.rtype;
        let t = self.next();
        if t.bytes.len() > MAX_CHARACTER_STRING {
            return Err(format!(
                "{rtype} string of {} octets: a string holds at most 255",
                t.bytes.len()
            ));
        }
        self.out.push(t.bytes.len() as u8);
        self.out.extend_from_slice(&t.bytes);
        Ok(())
    }

    fn name(&mut self, host: bool) -> Result<(), String> {
        let (rtype, origin, syntax) = (self.rtype, self.origin, self.syntax);
        let t = self.next();
        if t.quoted {
            return Err(format!(
                "{rtype} target {} is quoted; write names without quotes",
                excerpt(t.raw)
            ));
        }
        let wire = name_wire(t.raw, origin, syntax).map_err(|e| format!("{rtype} target: {e}"))?;
        if host {
            check_hostname_wire(&wire)?;
        }
        self.out.extend_from_slice(&wire);
        Ok(())
    }
}

/// RFC 3402 §3.2: a NAPTR regexp is empty, or `delim ere delim repl delim [i]`, where the
/// delimiter is neither a digit, a backslash nor the flag `i`, and a back-reference in
/// the replacement names a group the expression has. BIND refuses anything else.
fn check_naptr_regexp(re: &[u8]) -> Result<(), String> {
    let Some((&delim, rest)) = re.split_first() else {
        return Ok(());
    };
    let bad = |why: &str| {
        Err(format!(
            "NAPTR regexp `{}` {why} (RFC 3402 §3.2: `!expression!replacement!`, flag i optional)",
            excerpt(&String::from_utf8_lossy(re))
        ))
    };
    if delim.is_ascii_digit() || delim == b'\\' || delim == b'i' || delim == 0 {
        return bad("starts with a digit, a backslash or `i`, which cannot delimit it");
    }
    let (mut part, mut groups, mut i) = (0, 0, 0);
    while i < rest.len() {
        let c = rest[i];
        i += 1;
        if c == 0 {
            return bad("holds a NUL octet");
        }
        if c == delim {
            part += 1;
            if part > 2 {
                return bad("has more than three delimiters");
            }
            continue;
        }
        if part == 2 {
            if c != b'i' {
                return bad("has a flag other than `i`");
            }
            continue;
        }
        if c == b'(' && part == 0 {
            groups += 1;
        }
        if c == b'\\' {
            let Some(&next) = rest.get(i) else {
                return bad("ends in a backslash");
            };
            i += 1;
            if part == 1
                && next.is_ascii_digit()
                && (next == b'0' || (next - b'0') as usize > groups)
            {
                return bad("refers to a group the expression does not have");
            }
        }
    }
    if part != 2 {
        return bad("does not have three delimiters");
    }
    Ok(())
}

fn bad_field(rtype: RecordType, field: &str, t: &Token, expected: &str) -> String {
    format!("{rtype} {field} `{}` is not {expected}", excerpt(t.raw))
}

/// A decimal number as BIND reads one: digits only (no sign, no blanks), within range.
pub fn number<T: FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Hex octets, which RFC 4034, 4255 and 6698 let blank space split across tokens.
fn hex(rtype: RecordType, tokens: &[Token]) -> Result<Vec<u8>, String> {
    let mut digits = Vec::new();
    for t in tokens {
        for &b in t.bytes.iter() {
            let v = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => {
                    return Err(format!(
                        "{rtype} record data `{}` is not hex: use the digits 0-9 and a-f",
                        excerpt(t.raw)
                    ));
                }
            };
            digits.push(v);
        }
    }
    if digits.len() % 2 != 0 {
        return Err(format!(
            "{rtype} record data: the hex has an odd number of digits"
        ));
    }
    Ok(digits.chunks(2).map(|p| p[0] << 4 | p[1]).collect())
}

/// A DNSSEC algorithm, as a number or BIND's mnemonic (RFC 4034 Appendix A.1).
fn algorithm(text: &str) -> Option<u8> {
    number(text).or_else(|| {
        let code = match text.to_ascii_uppercase().as_str() {
            "RSAMD5" => 1,
            "DH" => 2,
            "DSA" => 3,
            "RSASHA1" => 5,
            "DSA-NSEC3-SHA1" | "NSEC3DSA" => 6,
            "RSASHA1-NSEC3-SHA1" | "NSEC3RSASHA1" => 7,
            "RSASHA256" => 8,
            "RSASHA512" => 10,
            "ECC-GOST" => 12,
            "ECDSAP256SHA256" => 13,
            "ECDSAP384SHA384" => 14,
            "ED25519" => 15,
            "ED448" => 16,
            _ => return None,
        };
        Some(code)
    })
}

/// A DS digest type, as a number or BIND's mnemonic (RFC 4509, 6605).
fn digest_type(text: &str) -> Option<u8> {
    number(text).or_else(|| {
        let code = match text.to_ascii_uppercase().as_str() {
            "SHA-1" | "SHA1" => 1,
            "SHA-256" | "SHA256" => 2,
            "GOST" => 3,
            "SHA-384" | "SHA384" => 4,
            _ => return None,
        };
        Some(code)
    })
}
