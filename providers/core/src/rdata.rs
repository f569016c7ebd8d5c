//! Record data in presentation format: parsing it for every type nsync manages, and
//! writing it back so that reading what was written gives the same data.
//!
//! Parsing leans on hickory's per-type parsers; nsync makes names in rdata absolute first
//! (hickory's string parser has no origin) and builds TXT itself so that any octet survives.
//! Writing is nsync's own: hickory's `Display` is not presentation format for TXT, CAA,
//! NAPTR and SVCB/HTTPS (no quoting, trailing commas).

use std::fmt::Write as _;

use hickory_proto::rr::rdata::svcb::{SVCB, SvcParamValue};
use hickory_proto::rr::rdata::{CAA, NAPTR, TXT};
use hickory_proto::rr::{Name, RData, RecordType};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};

use crate::masterfile::lexer::{self, Token};
use crate::name::{check_hostname, parse_name};

/// The record types nsync manages (PRODUCT.md). SOA is not here: each provider owns its own.
pub const SUPPORTED_TYPES: &[RecordType] = &[
    RecordType::A,
    RecordType::AAAA,
    RecordType::CNAME,
    RecordType::MX,
    RecordType::TXT,
    RecordType::SRV,
    RecordType::CAA,
    RecordType::NS,
    RecordType::PTR,
    RecordType::SSHFP,
    RecordType::TLSA,
    RecordType::HTTPS,
    RecordType::SVCB,
    RecordType::NAPTR,
    RecordType::DS,
];

/// The longest character-string the DNS can carry (RFC 1035 §3.3).
pub const MAX_CHARACTER_STRING: usize = 255;

pub fn is_supported(rtype: RecordType) -> bool {
    SUPPORTED_TYPES.contains(&rtype)
}

/// Lists the supported types for "did you mean" style hints.
pub fn supported_list() -> String {
    SUPPORTED_TYPES
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a value of each type looks like, for the hint under a value that does not parse.
pub fn example(rtype: RecordType) -> &'static str {
    match rtype {
        RecordType::A => "192.0.2.1",
        RecordType::AAAA => "2001:db8::1",
        RecordType::CNAME => "www.example.net.",
        RecordType::MX => "10 mail.example.net.",
        RecordType::TXT => "\"v=spf1 -all\"",
        RecordType::SRV => "10 5 5060 sip.example.net.",
        RecordType::CAA => "0 issue \"letsencrypt.org\"",
        RecordType::NS => "ns1.example.net.",
        RecordType::PTR => "host.example.net.",
        RecordType::SSHFP => "4 2 <64 hex digits>",
        RecordType::TLSA => "3 1 1 <64 hex digits>",
        RecordType::HTTPS | RecordType::SVCB => "1 . alpn=\"h2,h3\"",
        RecordType::NAPTR => "100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.net!\" .",
        RecordType::DS => "12345 13 2 <64 hex digits>",
        _ => "",
    }
}

/// The hint for a value of `rtype` that does not parse.
pub fn hint(rtype: RecordType) -> String {
    if is_supported(rtype) {
        format!("a {rtype} value looks like `{}`", example(rtype))
    } else {
        format!("nsync manages these types: {}", supported_list())
    }
}

/// Reads a record type name, case-insensitively; `None` when it is no type at all.
pub fn parse_type(text: &str) -> Option<RecordType> {
    let upper = text.to_ascii_uppercase();
    match upper.parse::<RecordType>() {
        Ok(RecordType::Unknown(_)) | Err(_) => None,
        Ok(t) => Some(t),
    }
}

/// Parses one rdata written in presentation format (for example `10 mail` for MX),
/// with relative names taken relative to `origin`.
pub fn parse_rdata_text(rtype: RecordType, text: &str, origin: &Name) -> Result<RData, String> {
    let entries = lexer::lex(text).map_err(|e| e.message)?;
    let tokens: Vec<Token> = entries.into_iter().flat_map(|e| e.tokens).collect();
    parse_rdata(rtype, &tokens, origin)
}

/// Parses one rdata from tokens of a master file or of a TOML value.
pub fn parse_rdata(rtype: RecordType, tokens: &[Token], origin: &Name) -> Result<RData, String> {
    if !is_supported(rtype) {
        return Err(format!(
            "record type {rtype} is not supported (supported: {})",
            supported_list()
        ));
    }
    if tokens.is_empty() {
        return Err(format!("{rtype} record has no data"));
    }
    if rtype == RecordType::TXT {
        return txt_from_tokens(tokens);
    }
    check_arity(rtype, tokens.len())?;
    let mut parts: Vec<String> = tokens.iter().map(|t| t.raw.clone()).collect();
    if let Some(i) = name_position(rtype) {
        let name =
            parse_name(&tokens[i].text(), origin).map_err(|e| format!("{rtype} target: {e}"))?;
        if matches!(
            rtype,
            RecordType::CNAME | RecordType::NS | RecordType::MX | RecordType::SRV
        ) {
            check_hostname(&name)?;
        }
        parts[i] = name.to_ascii();
    }
    if matches!(rtype, RecordType::CAA) {
        check_caa_tag(&tokens[1].text())?;
    }
    // RFC 4034/4255/6698 allow the hex digest to be split by blank space; hickory wants one token.
    let hex_from = match rtype {
        RecordType::SSHFP => Some(2),
        RecordType::TLSA | RecordType::DS => Some(3),
        _ => None,
    };
    if let Some(from) = hex_from {
        let hex: String = parts.drain(from..).collect();
        parts.push(hex);
    }
    let rdata = RData::try_from_str(rtype, &join_adjacent(tokens, &parts)).map_err(|e| {
        format!(
            "{rtype} record data `{}` does not parse: {e}",
            join_raw(tokens)
        )
    })?;
    Ok(rdata)
}

/// Joins the parts with blanks, except where the tokens touched in the source
/// (`alpn="h2,h3"` lexes as `alpn=` and a quoted string, and must stay one word).
fn join_adjacent(tokens: &[Token], parts: &[String]) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let touches = i > 0
            && i < tokens.len()
            && tokens[i - 1].offset + tokens[i - 1].raw.len() == tokens[i].offset;
        if i > 0 && !touches {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

fn join_raw(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| t.raw.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where in the rdata a domain name stands, so it can be made absolute first.
fn name_position(rtype: RecordType) -> Option<usize> {
    match rtype {
        RecordType::CNAME | RecordType::NS | RecordType::PTR => Some(0),
        RecordType::MX | RecordType::HTTPS | RecordType::SVCB => Some(1),
        RecordType::SRV => Some(3),
        RecordType::NAPTR => Some(5),
        _ => None,
    }
}

/// Field counts, checked before hickory sees the tokens so the message can say which
/// fields the type has ("MX needs a preference and a mail server").
fn check_arity(rtype: RecordType, n: usize) -> Result<(), String> {
    let (min, max, fields) = match rtype {
        RecordType::A => (1, 1, "an IPv4 address"),
        RecordType::AAAA => (1, 1, "an IPv6 address"),
        RecordType::CNAME | RecordType::NS | RecordType::PTR => (1, 1, "one domain name"),
        RecordType::MX => (2, 2, "a preference and a mail server name, e.g. `10 mail`"),
        RecordType::SRV => (
            4,
            4,
            "priority, weight, port and target, e.g. `10 5 5060 sip`",
        ),
        RecordType::CAA => (3, 3, "flags, tag and value, e.g. `0 issue \"ca.example\"`"),
        RecordType::SSHFP => (
            3,
            usize::MAX,
            "algorithm, fingerprint type and hex fingerprint",
        ),
        RecordType::TLSA => (4, usize::MAX, "usage, selector, matching type and hex data"),
        RecordType::DS => (
            4,
            usize::MAX,
            "key tag, algorithm, digest type and hex digest",
        ),
        RecordType::NAPTR => (
            6,
            6,
            "order, preference, flags, service, regexp and replacement",
        ),
        RecordType::SVCB | RecordType::HTTPS => (2, usize::MAX, "priority, target and parameters"),
        _ => (1, usize::MAX, "data"),
    };
    if n < min || n > max {
        let got = if n == 1 { "1 field" } else { "fields" };
        let got = if n == 1 {
            got.to_string()
        } else {
            format!("{n} {got}")
        };
        return Err(format!("{rtype} record needs {fields}; found {got}"));
    }
    Ok(())
}

/// RFC 8659 §4.1: a CAA tag is ASCII letters and digits only.
fn check_caa_tag(tag: &str) -> Result<(), String> {
    if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!(
            "CAA tag `{tag}` is not valid: use letters and digits only (issue, issuewild, iodef)"
        ));
    }
    Ok(())
}

fn txt_from_tokens(tokens: &[Token]) -> Result<RData, String> {
    let strings: Vec<&[u8]> = tokens.iter().map(|t| t.bytes.as_slice()).collect();
    if let Some(long) = strings.iter().find(|s| s.len() > MAX_CHARACTER_STRING) {
        return Err(format!(
            "TXT string of {} octets: one string holds at most 255; split it into several quoted strings",
            long.len()
        ));
    }
    Ok(RData::TXT(TXT::from_bytes(strings)))
}

/// Builds TXT rdata from one text, split into 255-octet strings as DNSControl and OctoDNS
/// users expect. The split never cuts a UTF-8 character in two.
pub fn txt_from_long_text(text: &str) -> RData {
    let mut chunks: Vec<&[u8]> = Vec::new();
    let mut rest = text;
    while rest.len() > MAX_CHARACTER_STRING {
        let mut cut = MAX_CHARACTER_STRING;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        chunks.push(&rest.as_bytes()[..cut]);
        rest = &rest[cut..];
    }
    chunks.push(rest.as_bytes());
    RData::TXT(TXT::from_bytes(chunks))
}

/// The rdata's wire form in canonical form (RFC 4034 §6.2: names lower-cased), which is
/// what equality and ordering of rdata mean in nsync.
pub fn canonical_bytes(rdata: &RData) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut encoder = BinEncoder::new(&mut buf);
    encoder.set_canonical_form(true);
    // Encoding an rdata nsync built itself cannot fail; an empty result still compares.
    let _ = rdata.emit(&mut encoder);
    buf
}

/// Writes rdata in RFC 1035 presentation format with absolute names.
pub fn format_rdata(rdata: &RData) -> String {
    match rdata {
        RData::TXT(txt) => txt
            .txt_data
            .iter()
            .map(|s| quote(s))
            .collect::<Vec<_>>()
            .join(" "),
        RData::CAA(caa) => format_caa(caa),
        RData::NAPTR(naptr) => format_naptr(naptr),
        RData::SVCB(svcb) => format_svcb(svcb),
        RData::HTTPS(https) => format_svcb(&https.0),
        RData::CNAME(n) => n.0.to_ascii(),
        RData::NS(n) => n.0.to_ascii(),
        RData::PTR(n) => n.0.to_ascii(),
        RData::MX(mx) => format!("{} {}", mx.preference, &mx.exchange.to_ascii()),
        RData::SRV(srv) => format!(
            "{} {} {} {}",
            srv.priority,
            srv.weight,
            srv.port,
            &srv.target.to_ascii()
        ),
        other => other.to_string(),
    }
}

/// A character-string in quotes: `"` and `\` escaped, octets outside printable ASCII as `\DDD`.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
    out
}

fn format_caa(caa: &CAA) -> String {
    let flags = if caa.issuer_critical { 128 } else { 0 } | caa.reserved_flags;
    format!("{flags} {} {}", caa.tag, quote(&caa.value))
}

fn format_naptr(n: &NAPTR) -> String {
    format!(
        "{} {} {} {} {} {}",
        n.order,
        n.preference,
        quote(&n.flags),
        quote(&n.services),
        quote(&n.regexp),
        n.replacement.to_ascii()
    )
}

fn format_svcb(svcb: &SVCB) -> String {
    let mut out = format!("{} {}", svcb.svc_priority, svcb.target_name.to_ascii());
    for (key, value) in &svcb.svc_params {
        let value = match value {
            SvcParamValue::Mandatory(m) => Some(join(m.0.iter())),
            // Unquoted when plain (PowerDNS accepts only that form), quoted otherwise.
            SvcParamValue::Alpn(a)
                if a.0.iter().all(|id| {
                    !id.is_empty()
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-._/".contains(&b))
                }) =>
            {
                Some(a.0.join(","))
            }
            SvcParamValue::Alpn(a) => Some(quote(a.0.join(",").as_bytes())),
            SvcParamValue::NoDefaultAlpn => None,
            SvcParamValue::Port(p) => Some(p.to_string()),
            SvcParamValue::Ipv4Hint(h) => Some(join(h.0.iter())),
            SvcParamValue::Ipv6Hint(h) => Some(join(h.0.iter())),
            SvcParamValue::EchConfigList(e) => Some(e.to_string()),
            SvcParamValue::Unknown(u) => Some(quote(&u.0)),
        };
        match value {
            Some(v) => {
                let _ = write!(out, " {key}={v}");
            }
            None => {
                let _ = write!(out, " {key}");
            }
        }
    }
    out
}

fn join<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    items.map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Name {
        Name::from_ascii("example.test.").unwrap()
    }

    /// Every supported type: parse, write, parse again, and compare canonically.
    #[test]
    fn every_type_round_trips_through_presentation_format() {
        let cases = [
            (RecordType::A, "192.0.2.1"),
            (RecordType::AAAA, "2001:db8::1"),
            (RecordType::CNAME, "www"),
            (RecordType::MX, "10 mail"),
            (RecordType::MX, "0 ."),
            (
                RecordType::TXT,
                r#""v=spf1 -all" "two; \"quoted\" \\ and \200""#,
            ),
            (RecordType::SRV, "10 5 5060 sip.example.test."),
            (
                RecordType::CAA,
                r#"0 issue "letsencrypt.org; accounturi=x""#,
            ),
            (RecordType::CAA, r#"128 iodef "mailto:sec@example.test""#),
            (RecordType::NS, "ns1.example.test."),
            (RecordType::PTR, "host.example.test."),
            (
                RecordType::SSHFP,
                "4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789",
            ),
            (
                RecordType::TLSA,
                "3 1 1 d2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971",
            ),
            (
                RecordType::HTTPS,
                r#"1 . alpn="h2,h3" port=8443 ipv4hint=192.0.2.1,192.0.2.2"#,
            ),
            (RecordType::SVCB, "0 svc.example.test."),
            (
                RecordType::SVCB,
                r#"16 foo.example.test. mandatory=alpn alpn="h2" no-default-alpn ipv6hint=2001:db8::1"#,
            ),
            (
                RecordType::NAPTR,
                r#"100 50 "s" "SIP+D2U" "!^.*$!sip:info@example.test!" _sip._udp"#,
            ),
            (
                RecordType::DS,
                "12345 13 2 8d5aa8f1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d",
            ),
        ];
        for (rtype, text) in cases {
            let first = parse_rdata_text(rtype, text, &origin())
                .unwrap_or_else(|e| panic!("{rtype} {text}: {e}"));
            let written = format_rdata(&first);
            let again = parse_rdata_text(rtype, &written, &origin())
                .unwrap_or_else(|e| panic!("{rtype} rewritten as {written}: {e}"));
            assert_eq!(
                canonical_bytes(&first),
                canonical_bytes(&again),
                "{rtype}: {text} -> {written}"
            );
        }
    }

    #[test]
    fn relative_targets_become_absolute() {
        let mx = parse_rdata_text(RecordType::MX, "10 mail", &origin()).unwrap();
        assert_eq!(format_rdata(&mx), "10 mail.example.test.");
    }

    #[test]
    fn hex_may_be_split_by_spaces() {
        let a = parse_rdata_text(RecordType::DS, "1 13 2 AABB CCDD", &origin()).unwrap();
        let b = parse_rdata_text(RecordType::DS, "1 13 2 aabbccdd", &origin()).unwrap();
        assert_eq!(canonical_bytes(&a), canonical_bytes(&b));
    }

    #[test]
    fn bad_data_is_explained() {
        let err = |t, s: &str| parse_rdata_text(t, s, &origin()).unwrap_err();
        assert!(err(RecordType::A, "192.0.2").contains("does not parse"));
        assert!(err(RecordType::MX, "mail").contains("needs a preference"));
        assert!(err(RecordType::CAA, "0 is-sue \"x\"").contains("CAA tag"));
        assert!(err(RecordType::CNAME, "bad_host-.example.test.").contains("host name"));
        let long = format!("\"{}\"", "x".repeat(256));
        assert!(err(RecordType::TXT, &long).contains("255"));
        assert!(err(RecordType::SOA, "a b 1 2 3 4 5").contains("not supported"));
    }

    #[test]
    fn long_text_is_split_at_255_octets() {
        let RData::TXT(txt) = txt_from_long_text(&"é".repeat(200)) else {
            panic!()
        };
        let lens: Vec<usize> = txt.txt_data.iter().map(|s| s.len()).collect();
        assert_eq!(lens, [254, 146]);
    }

    #[test]
    fn names_in_rdata_compare_case_insensitively() {
        let a = parse_rdata_text(RecordType::CNAME, "WWW.Example.Test.", &origin()).unwrap();
        let b = parse_rdata_text(RecordType::CNAME, "www.example.test.", &origin()).unwrap();
        assert_eq!(canonical_bytes(&a), canonical_bytes(&b));
    }
}
