//! The conformance suite's steps (after DNSControl's integration tests): a chain of small
//! state transitions every provider must pass. After each is applied, planning again must
//! show zero changes and the servers must serve exactly the new data.

use std::path::Path;

use nsync_core::Name;
use nsync_core::zone::Zone;
use nsync_core::zonefile::parse_zone_text;

/// One step: the zone as it should be after it, and the names to leave alone.
pub struct Transition {
    pub name: &'static str,
    pub zone: String,
    pub ignore: &'static [&'static str],
    /// Owner names holding octets beyond letters, digits, `-` and `_`; run only where the
    /// provider stores such names (PowerDNS's API refuses them: HTTP 422 "contains
    /// unsupported characters").
    pub any_octet_owners: bool,
}

fn t(name: &'static str, zone: &str) -> Transition {
    Transition {
        name,
        zone: zone.to_string(),
        ignore: &[],
        any_octet_owners: false,
    }
}

/// The chain of steps every provider passes, in order.
pub fn transitions() -> Vec<Transition> {
    let long = "x".repeat(300);
    let many: String = (0..1000)
        .map(|i| format!("h{i:04} A 192.0.2.{}\n", i % 250 + 1))
        .collect();
    let many_changed: String = (0..1000)
        .map(|i| format!("h{i:04} A 198.51.100.{}\n", i % 250 + 1))
        .collect();
    vec![
        t("start empty", ""),
        t("create A at the apex", "@ A 192.0.2.1\n"),
        t("create A at a label", "@ A 192.0.2.1\nwww A 192.0.2.2\n"),
        t(
            "create a wildcard",
            "@ A 192.0.2.1\nwww A 192.0.2.2\n*.wild A 192.0.2.3\n",
        ),
        t(
            "change a value",
            "@ A 192.0.2.1\nwww A 192.0.2.20\n*.wild A 192.0.2.3\n",
        ),
        t(
            "change a TTL",
            "@ A 192.0.2.1\nwww 60 A 192.0.2.20\n*.wild A 192.0.2.3\n",
        ),
        t(
            "add a value to an rrset",
            "@ A 192.0.2.1\n@ A 192.0.2.9\nwww 60 A 192.0.2.20\n",
        ),
        t(
            "several types at one label",
            "multi A 192.0.2.4\nmulti AAAA 2001:db8::4\nmulti TXT \"hello\"\nmulti MX 10 mx.example.net.\n",
        ),
        t("CNAME", "alias CNAME www.example.net.\nmulti A 192.0.2.4\n"),
        t(
            "CNAME -> A at one name",
            "alias A 192.0.2.5\nmulti A 192.0.2.4\n",
        ),
        t(
            "A -> CNAME at one name",
            "alias CNAME www.example.net.\nmulti A 192.0.2.4\n",
        ),
        t("CNAME target change", "alias CNAME other.example.net.\n"),
        t(
            "MX rrset",
            "@ MX 10 mx1.example.net.\n@ MX 20 mx2.example.net.\n",
        ),
        t(
            "MX preference change",
            "@ MX 5 mx1.example.net.\n@ MX 20 mx2.example.net.\n",
        ),
        t("null MX", "@ MX 0 .\n"),
        t(
            "SRV",
            "_sip._tcp SRV 10 60 5060 sip.example.net.\n_sip._tcp SRV 20 0 5060 sip2.example.net.\n",
        ),
        t(
            "CAA",
            "@ CAA 0 issue \"letsencrypt.org\"\n@ CAA 0 issuewild \";\"\n@ CAA 128 iodef \"mailto:sec@example.net\"\n",
        ),
        t("TXT with quotes", "q TXT \"say \\\"hi\\\" to them\"\n"),
        t(
            "TXT with semicolons",
            "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:d@example.net\"\n",
        ),
        t(
            "TXT with backslashes",
            "b TXT \"back\\\\slash and \\\\\\\\ two\"\n",
        ),
        t(
            "TXT of 300 octets (TOML, split)",
            &format!(
                "[[rrset]]\nname = \"long\"\ntype = \"TXT\"\nttl = 300\nvalues = [\"{long}\"]\n"
            ),
        ),
        t(
            "TXT with many strings",
            "m TXT \"one\" \"two\" \"three\" \"four\" \"five\"\nm TXT \"second record\"\n",
        ),
        t(
            "TXT with non-ASCII octets",
            "u TXT \"caf\\195\\169 \\000 nul\"\n",
        ),
        t(
            "delegation NS below the apex",
            "sub NS ns1.example.net.\nsub NS ns2.example.net.\n",
        ),
        t(
            "delegation with DS and glue",
            "sub NS ns1.sub\nsub NS ns2.example.net.\nsub DS 31589 13 2 3490a6806d47f17a34c29e2ce80e8a999ffbe4be3f5a4e3c1a2b3c4d5e6f7081\nns1.sub A 192.0.2.53\n",
        ),
        t(
            "SSHFP and TLSA",
            "h SSHFP 4 2 9d5fab2c7e0b1f3a4c6d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d\n_443._tcp.h TLSA 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6\n",
        ),
        t(
            "HTTPS and SVCB",
            "@ HTTPS 1 . alpn=\"h2,h3\" port=8443\n_dns.ns SVCB 1 ns.example.net. alpn=\"dot\"\n",
        ),
        t(
            "NAPTR and PTR",
            "n NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.net!\" .\n4.2 PTR host.example.net.\n",
        ),
        t(
            "underscore and punycode names",
            "_acme-x TXT \"v\"\nxn--bcher-kva A 192.0.2.6\n",
        ),
        t("mixed case names are one rrset", "MiXeD A 192.0.2.7\n"),
        // Escapes read as BIND reads them (CAA values and alpn lists lost theirs), written
        // and read back by every provider.
        t(
            "escapes in data",
            "caa CAA 0 issue \"a\\065b\"\ncaa CAA 0 issue \"q\\\"b\\\\s\"\nsvc HTTPS 1 . alpn=\"f\\\\\\\\oo\\\\,bar,h2\"\nctl TXT \"tab\\009 nul\\000 del\\127\"\n",
        ),
        // `a\.b` is one label (it was merged with `a.b`), `\@` a label (it was the apex).
        Transition {
            name: "escaped dot and @ in owner names",
            zone: "a\\.b TXT \"one label\"\na.b TXT \"two labels\"\n\\@ TXT \"a label, not the apex\"\n".into(),
            ignore: &[],
            any_octet_owners: true,
        },
        t("1,000 rrsets at once", &many),
        t("1,000 rrsets changed", &many_changed),
        t("delete everything managed", ""),
        t(
            "a name to be ignored later",
            "_acme-challenge TXT \"token-1\"\nkeep A 192.0.2.8\n",
        ),
        Transition {
            name: "ignored names are left alone",
            zone: "keep A 192.0.2.9\n".into(),
            ignore: &["_acme-challenge"],
            any_octet_owners: false,
        },
        t("end empty", ""),
    ]
}

/// The zone a step wants, read as nsync reads zone files.
pub fn desired_zone(t: &Transition, origin: &Name) -> Zone {
    let (path, text) = if t.zone.starts_with("[[rrset]]") {
        ("t.toml", t.zone.clone())
    } else {
        ("t.zone", format!("$TTL 300\n{}", t.zone))
    };
    let read = parse_zone_text(Path::new(path), &text, origin);
    assert!(
        read.diagnostics.is_empty(),
        "{}: {:?}",
        t.name,
        read.diagnostics
    );
    read.zone
}

/// Why `kind` cannot store `r`, if it cannot: a type it lacks, a TTL outside its range,
/// data its own check refuses (what check and plan refuse before any write).
fn cannot_store(r: &nsync_core::zone::Rrset, kind: &nsync_core::kind::Kind) -> Option<String> {
    use nsync_core::name::NameText;
    let caps = &kind.capabilities;
    let what = format!("{} {}", r.name.to_text(), r.rtype);
    if !caps.supports(r.rtype) {
        return Some(format!("{what}: {} stores no {}", kind.name, r.rtype));
    }
    if !(caps.min_ttl..=caps.max_ttl).contains(&r.ttl) {
        return Some(format!(
            "{what}: TTL {} outside {}..{}",
            r.ttl, caps.min_ttl, caps.max_ttl
        ));
    }
    match (kind.check_rrset)(r) {
        Some(p) if p.refused => Some(format!("{what}: {}", p.message)),
        _ => None,
    }
}

/// What of a step's zone `kind` cannot store, one line per rrset: such a step is not
/// applicable to that kind (the suite then checks that nsync refuses it there), never
/// run on what is left of it.
pub fn unstorable(zone: &Zone, kind: &nsync_core::kind::Kind) -> Vec<String> {
    zone.rrsets()
        .filter_map(|r| cannot_store(r, kind))
        .collect()
}

/// A zone as `kind` can store it, for the state a step starts from (the step before
/// it may hold what this kind cannot).
pub fn storable(zone: Zone, kind: &nsync_core::kind::Kind) -> Zone {
    if zone.rrsets().all(|r| cannot_store(r, kind).is_none()) {
        return zone;
    }
    let mut out = Zone::new(zone.origin.clone());
    for r in zone.rrsets().filter(|r| cannot_store(r, kind).is_none()) {
        out.insert(r.clone());
    }
    out
}

/// A random zone, for the property test: owners from a small pool (so successive zones
/// overlap, and rrsets are created, changed and deleted between them), a mix of types
/// and TTLs every provider stores, CNAMEs only where nothing else is. The same seed
/// gives the same zone.
pub fn random(seed: u64) -> Transition {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |n: u64| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s % n
    };
    const OWNERS: [&str; 10] = [
        "a",
        "b",
        "c",
        "www",
        "mail",
        "_sip._tcp",
        "x.y",
        "deep.x.y",
        "api",
        "cdn",
    ];
    const TTLS: [u32; 4] = [60, 300, 3600, 86_400];
    let mut text = String::new();
    for owner in OWNERS {
        if next(3) == 0 {
            continue; // absent this time
        }
        let ttl = TTLS[next(4) as usize];
        // A service name holds no host records (BIND's check-names refuses an A there).
        if owner.starts_with('_') {
            text.push_str(&format!(
                "{owner} {ttl} SRV {} {} {} sip{}.example.net.\n{owner} {ttl} TXT \"service {}\"\n",
                next(20),
                next(20),
                next(65_535) + 1,
                next(3),
                next(100)
            ));
            continue;
        }
        if next(6) == 0 {
            text.push_str(&format!(
                "{owner} {ttl} CNAME target{}.example.net.\n",
                next(3)
            ));
            continue;
        }
        let base = next(240) + 1;
        for j in 0..=next(2) {
            text.push_str(&format!("{owner} {ttl} A 192.0.2.{}\n", base + j));
        }
        match next(5) {
            0 => text.push_str(&format!(
                "{owner} {ttl} AAAA 2001:db8::{:x}\n",
                next(0xffff) + 1
            )),
            1 => text.push_str(&format!(
                "{owner} {ttl} TXT \"v={} spaces and \\\"quotes\\\"; semi\" \"second {}\"\n",
                next(100),
                next(100)
            )),
            2 => text.push_str(&format!(
                "{owner} {ttl} MX {} mx{}.example.net.\n",
                next(50),
                next(3)
            )),
            3 => text.push_str(&format!(
                "{owner} {ttl} CAA 0 issue \"ca{}.example.net\"\n",
                next(3)
            )),
            _ => text.push_str(&format!(
                "{owner} {ttl} SRV {} {} {} sip{}.example.net.\n",
                next(20),
                next(20),
                next(65_535) + 1,
                next(3)
            )),
        }
    }
    Transition {
        name: Box::leak(format!("random zone {seed}").into_boxed_str()),
        zone: text,
        ignore: &[],
        any_octet_owners: false,
    }
}

#[cfg(test)]
mod random_tests {
    use super::*;

    #[test]
    fn random_zones_read_cleanly_and_differ() {
        let origin = Name::from_ascii("example.test.").unwrap();
        let zones: Vec<Zone> = (0..500)
            .map(|i| desired_zone(&random(i), &origin))
            .collect();
        // desired_zone has asserted that each reads without a diagnostic.
        assert!(zones.windows(2).filter(|w| w[0] != w[1]).count() > 400);
        let types: std::collections::BTreeSet<_> = zones
            .iter()
            .flat_map(|z| z.rrsets().map(|r| r.rtype))
            .collect();
        assert!(types.len() >= 7, "{types:?}");
    }
}
