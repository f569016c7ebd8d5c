//! Record data: reading it from presentation format for every type nsync manages, writing
//! it back so that BIND, Knot and nsync read the same octets, and the canonical wire form
//! (`Rdata`) that nsync stores and compares.
//!
//! nsync reads and writes presentation format itself (`parse`, `format`, `svcb`) rather
//! than through hickory's string parser, which loses escapes (`CAA 0 issue "a\065b"`
//! became `a\216\133b`); hickory's types remain at the edges, for wire messages.

mod format;
mod parse;
mod svcb;
pub mod wire;

#[cfg(test)]
mod roundtrip_tests;

use hickory_proto::rr::{Name, RData, RecordType};

use crate::name::NameSyntax;
use crate::zonefile::lexer::{self, Token};

pub use format::quote;
pub use wire::{MAX_RDATA_OCTETS, Rdata};

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
/// A record type a provider's API lists that nsync manages: not the SOA (each provider
/// owns its own) and a type the zone model holds. `None` for the rest, which nsync reads
/// past and leaves as they are.
pub fn managed_type(text: &str) -> Option<RecordType> {
    parse_type(text).filter(|t| *t != RecordType::SOA && is_supported(*t))
}

pub fn parse_type(text: &str) -> Option<RecordType> {
    let upper = text.to_ascii_uppercase();
    // RFC 3597 §5: `TYPEnnn` names any type by its number.
    if let Some(code) = upper.strip_prefix("TYPE").and_then(parse::number::<u16>) {
        return match RecordType::from(code) {
            RecordType::Unknown(_) => None,
            t => Some(t),
        };
    }
    match upper.parse::<RecordType>() {
        Ok(RecordType::Unknown(_)) | Err(_) => None,
        Ok(t) => Some(t),
    }
}

/// Parses one rdata written in presentation format (for example `10 mail` for MX),
/// with relative names taken relative to `origin`, as nsync.toml, TOML zone files and
/// provider APIs write it (international names become punycode).
pub fn parse_rdata_text(rtype: RecordType, text: &str, origin: &Name) -> Result<Rdata, String> {
    let entries = lexer::lex(text).map_err(|e| e.message)?;
    let tokens: Vec<Token> = entries.into_iter().flat_map(|e| e.tokens).collect();
    parse_rdata(rtype, &tokens, origin, NameSyntax::International)
}

/// Parses one rdata from the tokens of a master file or a TOML value.
pub fn parse_rdata(
    rtype: RecordType,
    tokens: &[Token],
    origin: &Name,
    syntax: NameSyntax,
) -> Result<Rdata, String> {
    if !is_supported(rtype) {
        return Err(format!(
            "record type {rtype} is not supported (supported: {})",
            supported_list()
        ));
    }
    parse::parse(rtype, tokens, origin, syntax).map(Rdata::from_canonical)
}

/// Wire-form data of `rtype` in presentation format; data that is not valid for its
/// type is written in RFC 3597's generic form, which still reads back to the same octets.
pub fn format_wire(rtype: RecordType, wire: &[u8]) -> String {
    format::format(rtype, wire).unwrap_or_else(|| format::generic(wire))
}

/// hickory rdata in presentation format, through its wire form.
pub fn format_rdata(rdata: &RData) -> String {
    format_wire(rdata.record_type(), Rdata::from(rdata).wire())
}

/// hickory rdata in canonical wire form: what equality of rdata means in nsync.
pub fn canonical_bytes(rdata: &RData) -> Vec<u8> {
    Rdata::from(rdata).wire().to_vec()
}

/// Builds TXT rdata from one text, split into 255-octet strings as DNSControl and OctoDNS
/// users expect. The split never cuts a UTF-8 character in two.
pub fn txt_from_long_text(text: &str) -> Rdata {
    let mut wire = Vec::with_capacity(text.len() + text.len() / 255 + 1);
    let mut rest = text;
    loop {
        let mut cut = rest.len().min(MAX_CHARACTER_STRING);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        wire.push(cut as u8);
        wire.extend_from_slice(&rest.as_bytes()[..cut]);
        rest = &rest[cut..];
        if rest.is_empty() {
            break;
        }
    }
    Rdata::from_canonical(wire)
}

/// The character-strings of TXT wire data.
pub fn txt_strings(wire: &[u8]) -> Vec<&[u8]> {
    let mut c = wire::Cursor::new(wire);
    let mut out = Vec::new();
    while let Some(s) = c.string() {
        out.push(s);
    }
    out
}

/// Whether MX wire data is a null MX (RFC 7505: `0 .`, "this domain takes no mail"),
/// which several APIs refuse.
pub fn is_null_mx(wire: &[u8]) -> bool {
    wire.get(2..) == Some(&[0][..])
}

/// Whether TXT wire data holds no text at all (`""`), which several APIs refuse.
pub fn is_empty_txt(wire: &[u8]) -> bool {
    txt_strings(wire).iter().all(|s| s.is_empty())
}

/// Whether text travels through a JSON API unchanged: valid UTF-8 without control
/// characters (a JSON string cannot carry other octets, and APIs differ on controls).
pub fn is_printable_text(octets: &[u8]) -> bool {
    std::str::from_utf8(octets).is_ok_and(|s| !s.chars().any(char::is_control))
}

/// CAA wire data's flags, tag and value (RFC 8659 §4.1: flags, tag length, tag, value).
pub fn caa_parts(wire: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&flags, rest) = wire.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let len = len as usize;
    (rest.len() >= len).then(|| (flags, &rest[..len], &rest[len..]))
}

/// Field counts, checked before hickory sees the tokens so the message can say which
/// fields the type has ("MX needs a preference and a mail server").
pub(crate) fn check_arity(rtype: RecordType, n: usize) -> Result<(), String> {
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
pub(crate) fn check_caa_tag(tag: &str) -> Result<(), String> {
    if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!(
            "CAA tag `{tag}` is not valid: use letters and digits only (issue, issuewild, iodef)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_types_leave_out_the_soa_and_types_nsync_does_not_hold() {
        assert_eq!(managed_type("A"), Some(RecordType::A));
        assert_eq!(managed_type("soa"), None);
        assert_eq!(managed_type("SPF"), None);
        assert_eq!(managed_type("bogus"), None);
    }

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
            let written = format_wire(rtype, first.wire());
            let again = parse_rdata_text(rtype, &written, &origin())
                .unwrap_or_else(|e| panic!("{rtype} rewritten as {written}: {e}"));
            assert_eq!(first, again, "{rtype}: {text} -> {written}");
        }
    }

    #[test]
    fn relative_targets_become_absolute() {
        let mx = parse_rdata_text(RecordType::MX, "10 mail", &origin()).unwrap();
        assert_eq!(
            format_wire(RecordType::MX, mx.wire()),
            "10 mail.example.test."
        );
    }

    #[test]
    fn hex_may_be_split_by_spaces() {
        let a = parse_rdata_text(
            RecordType::DS,
            "1 13 2 AABBCCDDEEFF0011 2233445566778899AABBCCDDEEFF00112233445566778899",
            &origin(),
        )
        .unwrap();
        let b = parse_rdata_text(
            RecordType::DS,
            "1 13 2 aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899",
            &origin(),
        )
        .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn bad_data_is_explained() {
        let err = |t, s: &str| parse_rdata_text(t, s, &origin()).unwrap_err();
        assert!(err(RecordType::A, "192.0.2").contains("does not parse"));
        assert!(err(RecordType::MX, "+1 mail").contains("not a number"));
        assert!(err(RecordType::MX, "mail").contains("needs a preference"));
        assert!(err(RecordType::CAA, "0 is-sue \"x\"").contains("CAA tag"));
        assert!(err(RecordType::CNAME, "bad_host-.example.test.").contains("host name"));
        let long = format!("\"{}\"", "x".repeat(256));
        assert!(err(RecordType::TXT, &long).contains("255"));
        assert!(err(RecordType::SOA, "a b 1 2 3 4 5").contains("not supported"));
    }

    #[test]
    fn long_text_is_split_at_255_octets() {
        let txt = txt_from_long_text(&"é".repeat(200));
        let lens: Vec<usize> = txt_strings(txt.wire()).iter().map(|s| s.len()).collect();
        assert_eq!(lens, [254, 146]);
    }

    #[test]
    fn names_in_rdata_compare_case_insensitively() {
        let a = parse_rdata_text(RecordType::CNAME, "WWW.Example.Test.", &origin()).unwrap();
        let b = parse_rdata_text(RecordType::CNAME, "www.example.test.", &origin()).unwrap();
        assert_eq!(a, b);
    }
}
