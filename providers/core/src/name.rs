//! Domain names as nsync reads and writes them: presentation format exactly as RFC 1035
//! §5.1 and BIND have it, absolute, checked against the DNS's limits. Case is kept as
//! written, for display; names compare case-insensitively (hickory's `Name` equality,
//! and the lower-case owner keys of the zone model).
//!
//! nsync reads names itself rather than through hickory's `Name::from_ascii`, which merges
//! `a\.b` (one label holding a dot) with `a.b` and takes `\@` for the apex, and writes them
//! itself, because hickory writes `\DDD` in octal where RFC 1035 means decimal.
//!
//! Owner names may hold any label the DNS allows (`_dmarc`, `*`); names that point at hosts
//! (CNAME, MX, NS and SRV targets) must also be valid host names, because a server or a
//! provider API rejects them later, mid-sync, otherwise.

use hickory_proto::rr::Name;
use hickory_proto::rr::domain::Label;
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder};

use crate::diag::excerpt;

/// What to do about a name that does not parse; shared by every reader.
pub const NAME_HINT: &str = "a DNS name is labels of letters, digits, `-` and `_` (at most 63 octets each, 255 in all) joined by dots; `@` is the origin; `\\.` is a dot inside a label";

/// The longest name on the wire, length octets and root included (RFC 1035 §2.3.4).
pub const MAX_NAME_OCTETS: usize = 255;
/// The longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_OCTETS: usize = 63;

/// How non-ASCII text in a name is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameSyntax {
    /// As BIND reads master files: every octet is itself, so UTF-8 stays raw octets.
    Master,
    /// As people write names in nsync.toml and TOML zone files: an international label
    /// becomes its punycode (IDNA) form, as on the wire.
    International,
}

/// Reads a name as nsync.toml and TOML zone files have it (international labels become
/// punycode); see [`parse_name_in`].
pub fn parse_name(text: &str, origin: &Name) -> Result<Name, String> {
    parse_name_in(text, origin, NameSyntax::International)
}

/// An owner name as a provider's API writes it: absolute, with or without the final dot,
/// in master-file syntax (`\DDD` decimal, `\.` a dot inside a label).
pub fn absolute_owner(text: &str) -> Result<Name, String> {
    let text = if text.ends_with('.') {
        text.to_string()
    } else {
        format!("{text}.")
    };
    parse_name_in(&text, &Name::root(), NameSyntax::Master)
}

/// Reads a name in presentation format: `@` alone is the origin, a name ending in an
/// unescaped `.` is absolute, anything else is relative to `origin`. `\X` is the character
/// X inside a label (so `a\.b` is one label) and `\DDD` the octet DDD in decimal.
pub fn parse_name_in(text: &str, origin: &Name, syntax: NameSyntax) -> Result<Name, String> {
    let wire = name_wire(text, origin, syntax)?;
    Ok(name_from_wire(&wire))
}

/// A name from wire octets nsync built and checked itself.
pub(crate) fn name_from_wire(wire: &[u8]) -> Name {
    let mut decoder = BinDecoder::new(wire);
    Name::read(&mut decoder).unwrap_or_default()
}

/// [`parse_name_in`] to the name's uncompressed wire form (rdata lower-case it): what rdata holds,
/// and the cheap way to build a `Name` (a zone of a million records reads as many).
pub(crate) fn name_wire(text: &str, origin: &Name, syntax: NameSyntax) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() + origin.len() + 2);
    if text == "@" {
        push_origin(&mut out, origin);
        return Ok(out);
    }
    if text.is_empty() {
        return Err("empty name".into());
    }
    if text == "." {
        out.push(0);
        return Ok(out);
    }
    let shown = || excerpt(text);
    let bytes = text.as_bytes();
    // Each label: a length octet (filled in when the label ends), then its octets.
    let mut start = 0;
    out.push(0);
    let mut escaped = false;
    let mut absolute = false;
    let mut i = 0;
    let mut international = Vec::new();
    while i < bytes.len() {
        absolute = false;
        match bytes[i] {
            b'\\' => {
                i = unescape(text, i, &mut out).map_err(|e| format!("name `{}`: {e}", shown()))?;
                escaped = true;
            }
            b'.' => {
                if out.len() == start + 1 {
                    return Err(format!(
                        "name `{}` has an empty label (two dots in a row, or a leading dot)",
                        shown()
                    ));
                }
                close_label(&mut out, start, escaped, syntax, &mut international, &shown)?;
                start = out.len();
                out.push(0);
                escaped = false;
                absolute = true;
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    if out.len() > start + 1 {
        close_label(&mut out, start, escaped, syntax, &mut international, &shown)?;
        start = out.len();
        out.push(0);
    }
    // `out` ends with an open, empty label at `start`: the root, or where the origin goes.
    if !absolute || start + 1 != out.len() {
        out.truncate(start);
        push_origin(&mut out, origin);
    }
    // Case is kept, for display: comparison is by the owner key (lower-case) or by
    // canonical rdata, never by these octets.
    if out.len() > MAX_NAME_OCTETS {
        return Err(format!(
            "name `{}` is longer than 255 octets ({} on the wire)",
            shown(),
            out.len()
        ));
    }
    // BIND reads `a.*.b` and `*x` in master files (a `*` that is no wildcard, a plain
    // octet); the master reader warns of them (`odd_wildcard`). Elsewhere they are typos.
    if syntax != NameSyntax::Master && literal_odd_star(text) {
        Err(()).map_err(|()| {
            format!(
                "name `{}`: `*` is allowed only as the whole leftmost label (a wildcard)",
                shown()
            )
        })?;
    }
    Ok(out)
}

/// Fills in the length octet of the label that starts at `start`, after turning an
/// international label into punycode where the syntax asks for it.
fn close_label(
    out: &mut Vec<u8>,
    start: usize,
    escaped: bool,
    syntax: NameSyntax,
    scratch: &mut Vec<u8>,
    shown: &dyn Fn() -> String,
) -> Result<(), String> {
    let raw = &out[start + 1..];
    if syntax == NameSyntax::International && !escaped && !raw.is_ascii() {
        let utf8 = std::str::from_utf8(raw)
            .map_err(|_| format!("name `{}` is not valid UTF-8", shown()))?;
        let label = Label::from_utf8(utf8).map_err(|e| {
            format!(
                "name `{}`: `{}` is not a valid international label: {e}",
                shown(),
                excerpt(utf8)
            )
        })?;
        scratch.clear();
        scratch.extend_from_slice(label.as_bytes());
        out.truncate(start + 1);
        out.extend_from_slice(scratch);
    }
    let len = out.len() - start - 1;
    if len > MAX_LABEL_OCTETS {
        return Err(format!(
            "name `{}` has a label longer than 63 octets ({len})",
            shown()
        ));
    }
    out[start] = len as u8;
    Ok(())
}

fn push_origin(out: &mut Vec<u8>, origin: &Name) {
    for label in origin.iter() {
        out.push(label.len() as u8);
        out.extend(label.iter().map(u8::to_ascii_lowercase));
    }
    out.push(0);
}

/// Resolves the escape at `at` (a backslash) into `out`; returns the offset after it.
/// Shared with the lexer's character-strings: one reading of `\X` and `\DDD` everywhere.
pub fn unescape(text: &str, at: usize, out: &mut Vec<u8>) -> Result<usize, String> {
    let rest = &text.as_bytes()[at + 1..];
    let digits = rest
        .iter()
        .take(3)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 3 {
        let value: u32 = text[at + 1..at + 4].parse().unwrap_or(256);
        if value > 255 {
            return Err(format!(
                "escape `{}` is above 255: `\\DDD` is one octet in decimal, 000 to 255",
                &text[at..at + 4]
            ));
        }
        out.push(value as u8);
        return Ok(at + 4);
    }
    if digits > 0 {
        // BIND refuses `\1` and `\12`: a decimal escape has exactly three digits.
        return Err(format!(
            "escape `{}` has {digits} digit(s): `\\DDD` takes exactly three (write \\00{} for the octet)",
            &text[at..at + 1 + digits],
            &text[at + 1..at + 2]
        ));
    }
    match text[at + 1..].chars().next() {
        Some(c) if c != '\n' => {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            Ok(at + 1 + c.len_utf8())
        }
        _ => Err("`\\` at the end escapes nothing: write `\\\\` for a backslash".into()),
    }
}

/// Whether `name` holds a `*` that is not a wildcard (not the whole leftmost label):
/// BIND takes it as a plain octet, some providers refuse it.
pub fn odd_wildcard(name: &Name) -> bool {
    let mut labels = name.iter();
    let first = labels.next();
    first.is_some_and(|l| l.contains(&b'*') && l != b"*") || labels.any(|l| l.contains(&b'*'))
}

/// Whether `text` writes a bare `*` anywhere but as its whole leftmost label: a typo
/// that some providers accept and others reject (an escaped `\*` is meant).
fn literal_odd_star(text: &str) -> bool {
    let (mut label, mut index, mut escaped, mut bare_star) = (String::new(), 0, false, false);
    let mut odd = false;
    let mut close = |label: &mut String, index: &mut usize, bare_star: &mut bool| {
        if *bare_star && (*index > 0 || label != "*") {
            odd = true;
        }
        label.clear();
        *bare_star = false;
        *index += 1;
    };
    for c in text.chars() {
        if escaped {
            escaped = false;
            label.push('\\');
            label.push(c);
            continue;
        }
        match c {
            '\\' => escaped = true,
            '.' => close(&mut label, &mut index, &mut bare_star),
            '*' => {
                bare_star = true;
                label.push(c);
            }
            c => label.push(c),
        }
    }
    close(&mut label, &mut index, &mut bare_star);
    odd
}

/// Checks that a name can be a host name: letters, digits and inner hyphens per label
/// (RFC 952/1123). A label may start with `_` because service names such as
/// `_sip._tcp.example.` are common CNAME targets. The root name is allowed (null MX,
/// "no service" SRV).
pub fn check_hostname(name: &Name) -> Result<(), String> {
    check_host_labels(name.iter(), &|| format_name(name))
}

/// [`check_hostname`] on wire octets.
pub(crate) fn check_hostname_wire(wire: &[u8]) -> Result<(), String> {
    check_host_labels(WireLabels(wire), &|| format_name(&name_from_wire(wire)))
}

/// The labels of an uncompressed wire name.
struct WireLabels<'a>(&'a [u8]);

impl<'a> Iterator for WireLabels<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (&len, rest) = self.0.split_first()?;
        if len == 0 || rest.len() < len as usize {
            return None;
        }
        let (label, rest) = rest.split_at(len as usize);
        self.0 = rest;
        Some(label)
    }
}

fn check_host_labels<'a>(
    labels: impl Iterator<Item = &'a [u8]>,
    shown: &dyn Fn() -> String,
) -> Result<(), String> {
    for label in labels {
        let body = label.strip_prefix(b"_").unwrap_or(label);
        let ok_chars = body.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-');
        if !ok_chars || body.first() == Some(&b'-') || body.last() == Some(&b'-') {
            let mut label_text = String::new();
            write_label(&mut label_text, label);
            let label = label_text;
            return Err(format!(
                "`{}` is not a valid host name: label `{label}` may hold only letters, digits and inner hyphens",
                excerpt(&shown())
            ));
        }
    }
    Ok(())
}

/// Writes one label in presentation format as BIND does: the characters that mean
/// something in a master file behind a backslash, every octet that is not printable
/// ASCII as `\DDD` in decimal, so the text reads back to the same octets and never
/// carries a control character into a terminal or a log.
///
/// A `*` is written bare only as a whole leftmost label (`leftmost`: a wildcard);
/// elsewhere it is `\*`, so a name BIND reads with a `*` inside (`w.*.x`) is written in
/// a form every nsync reader takes back.
pub fn write_label_at(out: &mut String, label: &[u8], leftmost: bool) {
    if leftmost && label == b"*" {
        out.push('*');
        return;
    }
    for &b in label {
        if b == b'*' {
            out.push_str("\\*");
            continue;
        }
        write_octet(out, b);
    }
}

/// [`write_label_at`] for a label that is not a name's leftmost.
pub fn write_label(out: &mut String, label: &[u8]) {
    write_label_at(out, label, false);
}

fn write_octet(out: &mut String, b: u8) {
    {
        match b {
            b'.' | b'\\' | b'"' | b'(' | b')' | b';' | b'@' | b'$' => {
                out.push('\\');
                out.push(b as char);
            }
            0x21..=0x7e => out.push(b as char),
            _ => {
                out.push('\\');
                out.push((b'0' + b / 100) as char);
                out.push((b'0' + b / 10 % 10) as char);
                out.push((b'0' + b % 10) as char);
            }
        }
    }
}

/// The absolute name in presentation format (`www.example.test.`, `.` for the root).
pub fn format_name(name: &Name) -> String {
    if name.is_root() {
        return ".".into();
    }
    let mut out = String::with_capacity(name.len() + 8);
    for (i, label) in name.iter().enumerate() {
        write_label_at(&mut out, label, i == 0);
        out.push('.');
    }
    out
}

/// Presentation format for names, for every place nsync shows or writes one.
pub trait NameText {
    /// The absolute name as RFC 1035 presentation format; see [`format_name`].
    fn to_text(&self) -> String;
}

impl NameText for Name {
    fn to_text(&self) -> String {
        format_name(self)
    }
}

/// The name relative to the origin, as written in zone files: `@` for the apex.
pub fn relative_to(name: &Name, origin: &Name) -> String {
    if name == origin {
        return "@".into();
    }
    if origin.zone_of(name) {
        // Not `num_labels`, which leaves out a wildcard label.
        let keep = name.iter().count() - origin.iter().count();
        let mut out = String::new();
        for (i, label) in name.iter().take(keep).enumerate() {
            if i > 0 {
                out.push('.');
            }
            write_label_at(&mut out, label, i == 0);
        }
        return out;
    }
    format_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_owner_names_are_absolute_with_or_without_the_final_dot() {
        let want = parse_name_in("a\\.b.example.test.", &Name::root(), NameSyntax::Master).unwrap();
        assert_eq!(absolute_owner("a\\.b.example.test").unwrap(), want);
        assert_eq!(absolute_owner("a\\046b.example.test.").unwrap(), want);
        assert_eq!(want.num_labels(), 3);
    }

    fn origin() -> Name {
        Name::from_ascii("example.test.").unwrap()
    }

    fn labels(n: &Name) -> Vec<Vec<u8>> {
        n.iter().map(|l| l.to_vec()).collect()
    }

    #[test]
    fn relative_absolute_and_apex() {
        assert_eq!(parse_name("@", &origin()).unwrap(), origin());
        // Case is kept for display and ignored in comparison.
        let www = parse_name("WWW", &origin()).unwrap();
        assert_eq!(www.to_text(), "WWW.example.test.");
        assert_eq!(www, parse_name("www", &origin()).unwrap());
        assert_eq!(
            parse_name("mail.other.test.", &origin()).unwrap().to_text(),
            "mail.other.test."
        );
        assert_eq!(
            parse_name("_sip._tcp", &origin()).unwrap().to_text(),
            "_sip._tcp.example.test."
        );
        assert!(parse_name(".", &origin()).unwrap().is_root());
    }

    #[test]
    fn escapes_read_as_bind_reads_them() {
        let dotted = parse_name("a\\.b", &origin()).unwrap();
        assert_eq!(labels(&dotted)[0], b"a.b");
        assert_eq!(dotted.num_labels(), 3);
        assert_ne!(dotted, parse_name("a.b", &origin()).unwrap());
        let at = parse_name("\\@", &origin()).unwrap();
        assert_eq!(labels(&at)[0], b"@");
        assert_ne!(at, origin());
        let decimal = parse_name("\\065\\032x", &origin()).unwrap();
        assert_eq!(labels(&decimal)[0], b"A x", "decimal escapes, case kept");
        // An escaped final dot is part of the label: the name stays relative.
        let trailing = parse_name("a\\.", &origin()).unwrap();
        assert_eq!(labels(&trailing)[0], b"a.");
        assert_eq!(trailing.num_labels(), 3);
        assert!(parse_name("\\256", &origin()).is_err());
        assert!(parse_name("\\12x", &origin()).is_err());
        assert!(parse_name("a\\", &origin()).is_err());
    }

    #[test]
    fn written_names_read_back_to_the_same_octets() {
        let raw: Vec<u8> = (0u8..=255).filter(|b| *b != b'.' && *b != b'*').collect();
        for chunk in raw.chunks(60) {
            let name = Name::from_labels([chunk, b"test"]).unwrap();
            let text = format_name(&name);
            assert!(text.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{text}");
            let again = parse_name_in(&text, &Name::root(), NameSyntax::Master).unwrap();
            assert_eq!(again, name.to_lowercase(), "{text}");
        }
        let dotted = parse_name("a\\.b", &origin()).unwrap();
        assert_eq!(relative_to(&dotted, &origin()), "a\\.b");
        assert_eq!(
            format_name(&parse_name("\\@", &origin()).unwrap()),
            "\\@.example.test."
        );
    }

    #[test]
    fn international_names_become_punycode_only_outside_master_files() {
        let n = parse_name("bücher", &origin()).unwrap();
        assert_eq!(n.to_text(), "xn--bcher-kva.example.test.");
        let raw = parse_name_in("bücher", &origin(), NameSyntax::Master).unwrap();
        assert_eq!(labels(&raw)[0], "bücher".as_bytes());
        assert_eq!(raw.to_text(), "b\\195\\188cher.example.test.");
    }

    #[test]
    fn limits_are_reported_in_plain_words() {
        let long = "a".repeat(64);
        let e = parse_name(&long, &origin()).unwrap_err();
        assert!(e.contains("longer than 63"), "{e}");
        let e = parse_name("a..b", &origin()).unwrap_err();
        assert!(e.contains("empty label"), "{e}");
        let e = parse_name("a.*.b", &origin()).unwrap_err();
        assert!(e.contains("wildcard"), "{e}");
        let many = vec!["abcdefghij"; 25].join(".");
        let e = parse_name(&many, &origin()).unwrap_err();
        assert!(e.contains("255"), "{e}");
        let huge = "a.".repeat(500_000);
        let e = parse_name(&huge, &origin()).unwrap_err();
        assert!(e.len() < 200, "a 1 MB name is not echoed: {}", e.len());
    }

    #[test]
    fn host_names() {
        let ok = |s: &str| check_hostname(&Name::from_ascii(s).unwrap()).is_ok();
        assert!(ok("mail.example.test."));
        assert!(ok("_sip._tcp.example.test."));
        assert!(ok("."));
        assert!(!ok("mail-.example.test."));
        assert!(!ok("ma_l.example.test."));
    }

    #[test]
    fn relative_names_for_writing() {
        let www = parse_name("www", &origin()).unwrap();
        assert_eq!(relative_to(&www, &origin()), "www");
        assert_eq!(relative_to(&origin(), &origin()), "@");
        let other = Name::from_ascii("x.other.test.").unwrap();
        assert_eq!(relative_to(&other, &origin()), "x.other.test.");
    }
}

/// The one form of a zone name used in a file name (locks, backups, zone files): each
/// label lower-cased, its octets outside `a-z 0-9 - _ *` written `%XX`, labels joined by
/// `.` with the final dot kept (`example.com.`, as earlier versions wrote the common
/// names). No stem can hold `/`, start with `.` or a control character, or be longer
/// than a file name may be: past 180 octets the rest is replaced by a hash of the name.
/// The root zone is `@root`.
pub fn file_stem(name: &Name) -> String {
    if name.is_root() {
        return "@root".to_string();
    }
    let mut out = String::new();
    for label in name.iter() {
        for &b in label {
            let b = b.to_ascii_lowercase();
            if b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'*') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out.push('.');
    }
    const MAX: usize = 180;
    if out.len() > MAX {
        // FNV-1a over the lower-cased wire form: stable across builds and platforms.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for label in name.iter() {
            for b in
                std::iter::once(label.len() as u8).chain(label.iter().map(u8::to_ascii_lowercase))
            {
                hash = (hash ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        let mut cut = 120;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out = format!("{}~{hash:016x}.", &out[..cut]);
    }
    out
}

/// The zone a [`file_stem`] names, where it can be told (a hashed stem cannot).
pub fn from_file_stem(stem: &str) -> Option<Name> {
    if stem == "@root" {
        return Some(Name::root());
    }
    if stem.contains('~') || !stem.ends_with('.') {
        return None;
    }
    let mut labels: Vec<Vec<u8>> = Vec::new();
    for text in stem.trim_end_matches('.').split('.') {
        let mut label = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                label.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            } else {
                label.push(bytes[i]);
                i += 1;
            }
        }
        labels.push(label);
    }
    Name::from_labels(labels).ok().map(|mut n| {
        n.set_fqdn(true);
        n
    })
}

#[cfg(test)]
mod file_stem_tests {
    use super::*;

    #[test]
    fn every_zone_name_is_one_safe_file_name_and_reads_back() {
        let plain = Name::from_ascii("Example.COM.").unwrap();
        assert_eq!(file_stem(&plain), "example.com.");
        assert_eq!(from_file_stem("example.com."), Some(plain.to_lowercase()));
        // One label holding `/`: no path.
        let slash = Name::from_labels(vec![b"/tmp/x/victim".to_vec()]).unwrap();
        let stem = file_stem(&slash);
        assert_eq!(stem, "%2Ftmp%2Fx%2Fvictim.");
        assert_eq!(from_file_stem(&stem).unwrap(), slash);
        for hostile in [&b".."[..], b".hidden", b"\x1b[2J", b"a b"] {
            let n = Name::from_labels(vec![hostile.to_vec(), b"test".to_vec()]).unwrap();
            let stem = file_stem(&n);
            assert!(!stem.starts_with('.') && !stem.contains('/'), "{stem}");
            assert!(stem.bytes().all(|b| b.is_ascii_graphic()), "{stem}");
            assert_eq!(from_file_stem(&stem).unwrap(), n);
        }
        // A legal 254-octet name fits a file name (255 octets with its suffix).
        let long = Name::from_labels(vec![
            vec![b'\\'; 63],
            vec![b'a'; 63],
            vec![b'b'; 63],
            vec![b'c'; 61],
        ])
        .unwrap();
        let stem = file_stem(&long);
        assert!(stem.len() < 200, "{}", stem.len());
        assert_eq!(from_file_stem(&stem), None, "hashed: --zone names it");
        assert_eq!(file_stem(&Name::root()), "@root");
    }
}

#[cfg(test)]
mod star_tests {
    use super::*;

    #[test]
    fn a_star_inside_a_label_is_written_escaped_and_read_back_everywhere() {
        let origin = Name::from_ascii("example.test.").unwrap();
        let odd = parse_name_in("w.*.x_*y", &origin, NameSyntax::Master).unwrap();
        let text = format_name(&odd);
        assert_eq!(text, "w.\\*.x_\\*y.example.test.");
        // TOML zones (International) take the escaped form, and refuse the bare one.
        assert_eq!(parse_name(&text, &origin).unwrap(), odd);
        assert!(parse_name("w.*.x", &origin).is_err());
        let wild = parse_name("*.example.test.", &origin).unwrap();
        assert_eq!(format_name(&wild), "*.example.test.");
    }
}
