//! Domain names as nsync uses them: absolute, lower-case, checked against the DNS's limits.
//!
//! Owner names may hold any label the DNS allows (`_dmarc`, `*`); names that point at hosts
//! (CNAME, MX, NS and SRV targets) must also be valid host names, because a server or a
//! provider API rejects them later, mid-sync, otherwise.

use hickory_proto::rr::Name;

/// What to do about a name that does not parse; shared by every reader.
pub const NAME_HINT: &str = "a DNS name is labels of letters, digits, `-` and `_` (at most 63 octets each, 255 in all) joined by dots; `@` is the origin";

/// Reads a name in presentation format: `@` is the origin, a name ending in `.` is
/// absolute, anything else is relative to `origin`. The result is lower-cased so that names
/// compare as the DNS compares them.
pub fn parse_name(text: &str, origin: &Name) -> Result<Name, String> {
    if text == "@" {
        return Ok(origin.to_lowercase());
    }
    if text.is_empty() {
        return Err("empty name".into());
    }
    let absolute = if text.ends_with('.') && !text.ends_with("\\.") {
        text.to_string()
    } else if origin.is_root() {
        format!("{text}.")
    } else {
        format!("{text}.{}", origin.to_ascii())
    };
    let parsed = if absolute.is_ascii() {
        Name::from_ascii(&absolute)
    } else {
        // International names are stored as their punycode (IDNA) form, as on the wire.
        Name::from_utf8(&absolute)
    };
    match parsed {
        Ok(name) => {
            check_wildcard(&name)?;
            Ok(name.to_lowercase())
        }
        Err(e) => Err(describe_name_error(text, &e.to_string())),
    }
}

/// hickory's messages speak of wire decoding; say what the user wrote wrong instead.
fn describe_name_error(text: &str, raw: &str) -> String {
    if raw.contains("label bytes exceed 63") {
        format!("name `{text}` has a label longer than 63 octets")
    } else if raw.contains("exceed 255") {
        format!("name `{text}` is longer than 255 octets")
    } else if raw.trim_end().ends_with("Malformed label:") {
        format!("name `{text}` has an empty label (two dots in a row)")
    } else if raw.contains("Malformed label")
        || raw.contains("unrecognized char")
        || raw.contains("invalid characters")
    {
        format!("name `{text}` has a character that is not allowed in a DNS name")
    } else {
        format!("name `{text}` is not a valid DNS name: {raw}")
    }
}

/// `*` is a wildcard only as the whole leftmost label; anywhere else it is a typo that
/// some providers accept and others reject.
fn check_wildcard(name: &Name) -> Result<(), String> {
    for (i, label) in name.iter().enumerate() {
        if label.contains(&b'*') && (i != 0 || label != b"*") {
            return Err(format!(
                "name `{name}`: `*` is allowed only as the whole leftmost label (a wildcard)"
            ));
        }
    }
    Ok(())
}

/// Checks that a name can be a host name: letters, digits and inner hyphens per label
/// (RFC 952/1123). A label may start with `_` because service names such as
/// `_sip._tcp.example.` are common CNAME targets. The root name is allowed (null MX,
/// "no service" SRV).
pub fn check_hostname(name: &Name) -> Result<(), String> {
    for label in name.iter() {
        let body = label.strip_prefix(b"_").unwrap_or(label);
        let ok_chars = body.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-');
        if !ok_chars || body.first() == Some(&b'-') || body.last() == Some(&b'-') {
            let label = String::from_utf8_lossy(label);
            return Err(format!(
                "`{name}` is not a valid host name: label `{label}` may hold only letters, digits and inner hyphens"
            ));
        }
    }
    Ok(())
}

/// The name relative to the origin, as written in zone files: `@` for the apex.
pub fn relative_to(name: &Name, origin: &Name) -> String {
    if name == origin {
        return "@".into();
    }
    if origin.zone_of(name) {
        let full = name.to_ascii();
        let suffix_len = origin.to_ascii().len();
        // The origin is a proper suffix here, so this drops ".origin." and keeps escapes.
        return full[..full.len() - suffix_len - 1].to_string();
    }
    name.to_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Name {
        Name::from_ascii("example.test.").unwrap()
    }

    #[test]
    fn relative_absolute_and_apex() {
        assert_eq!(parse_name("@", &origin()).unwrap(), origin());
        assert_eq!(
            parse_name("WWW", &origin()).unwrap().to_ascii(),
            "www.example.test."
        );
        assert_eq!(
            parse_name("mail.other.test.", &origin())
                .unwrap()
                .to_ascii(),
            "mail.other.test."
        );
        assert_eq!(
            parse_name("_sip._tcp", &origin()).unwrap().to_ascii(),
            "_sip._tcp.example.test."
        );
    }

    #[test]
    fn international_names_become_punycode() {
        let n = parse_name("bücher", &origin()).unwrap();
        assert_eq!(n.to_ascii(), "xn--bcher-kva.example.test.");
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
