//! The bad-input corpus: each case is a config or zone file with one mistake. `nsync check`
//! must exit 2 and name the file, the line and the problem, with a hint, in its JSON.

mod common;

use common::{Scratch, nsync};

/// A config whose zone lives in `z.zone` (master file) or `z.toml`.
fn config_for(zone_file: &str) -> String {
    format!(
        "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"{zone_file}\"\nproviders = [\"a\"]\n"
    )
}

struct Case {
    name: &'static str,
    /// The file with the mistake: `nsync.toml`, `z.zone` or `z.toml`.
    file: &'static str,
    text: &'static str,
    line: u64,
    message: &'static str,
}

const fn zone(name: &'static str, text: &'static str, line: u64, message: &'static str) -> Case {
    Case {
        name,
        file: "z.zone",
        text,
        line,
        message,
    }
}

const fn toml_zone(
    name: &'static str,
    text: &'static str,
    line: u64,
    message: &'static str,
) -> Case {
    Case {
        name,
        file: "z.toml",
        text,
        line,
        message,
    }
}

const fn config(name: &'static str, text: &'static str, line: u64, message: &'static str) -> Case {
    Case {
        name,
        file: "nsync.toml",
        text,
        line,
        message,
    }
}

const CASES: &[Case] = &[
    // RFC 1035 master files
    zone(
        "bad IPv4",
        "$TTL 60\nwww A 192.0.2\n",
        2,
        "A record data `192.0.2` does not parse",
    ),
    zone(
        "bad IPv6",
        "$TTL 60\nwww AAAA 2001:db8::g\n",
        2,
        "AAAA record data",
    ),
    zone(
        "MX without preference",
        "$TTL 60\n@ MX mail\n",
        2,
        "MX record needs a preference and a mail server",
    ),
    zone(
        "label over 63 octets",
        "$TTL 60\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa A 192.0.2.1\n",
        2,
        "label longer than 63 octets",
    ),
    zone(
        "name over 255 octets",
        "$TTL 60\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd A 192.0.2.1\n",
        2,
        "longer than 255 octets",
    ),
    zone(
        "bad character in MX target",
        "$TTL 60\n@ MX 10 mail_x\n",
        2,
        "is not a valid host name",
    ),
    zone(
        "bad character in NS target",
        "$TTL 60\nsub NS ns!1.example.net.\n",
        2,
        "is not a valid host name",
    ),
    zone(
        "trailing hyphen in CNAME target",
        "$TTL 60\nwww CNAME web-.example.net.\n",
        2,
        "is not a valid host name",
    ),
    zone(
        "CNAME beside other data",
        "$TTL 60\nwww CNAME web\nwww A 192.0.2.1\n",
        2,
        "CNAME beside other data at www.example.test.: A also exist",
    ),
    zone(
        "CNAME at the apex",
        "$TTL 60\n@ CNAME web.example.net.\n",
        2,
        "CNAME at the zone apex",
    ),
    zone(
        "name outside the zone",
        "$TTL 60\nwww.example.net. A 192.0.2.1\n",
        2,
        "is outside the zone example.test.",
    ),
    zone(
        "duplicate record",
        "$TTL 60\nwww A 192.0.2.1\nwww A 192.0.2.1\n",
        3,
        "duplicate record",
    ),
    zone(
        "two TTLs in one rrset",
        "$TTL 60\nwww 60 A 192.0.2.1\nwww 120 A 192.0.2.2\n",
        3,
        "TTL 120 differs from TTL 60",
    ),
    // Above 2^31-1 but within 32 bits BIND reads a TTL as 0 with a warning, and so does
    // nsync (tests/zone_oracle.rs); past 32 bits it is no TTL.
    zone(
        "TTL above 32 bits",
        "www 4294967296 A 192.0.2.1\n",
        1,
        "TTL `4294967296` is not a number of seconds",
    ),
    zone(
        "TTL with a bad unit",
        "$TTL 5x\nwww A 192.0.2.1\n",
        1,
        "TTL `5x`",
    ),
    zone(
        "unknown record type",
        "$TTL 60\nwww FOO 1\n",
        2,
        "unknown record type `FOO`",
    ),
    zone(
        "type nsync does not manage",
        "$TTL 60\nwww DNAME example.net.\n",
        2,
        "record type DNAME is not supported",
    ),
    zone(
        "bad CAA tag",
        "$TTL 60\n@ CAA 0 is-sue \"ca.example\"\n",
        2,
        "CAA tag `is-sue` is not valid",
    ),
    zone(
        "unclosed parenthesis",
        "$TTL 60\n@ TXT ( \"a\"\nwww A 192.0.2.1\n",
        2,
        "`(` is never closed",
    ),
    zone(
        "unclosed quote",
        "$TTL 60\n@ TXT \"open\nwww A 192.0.2.1\n",
        2,
        "quoted string is never closed",
    ),
    zone(
        "no TTL anywhere",
        "www A 192.0.2.1\n",
        1,
        "record has no TTL and no $TTL",
    ),
    zone(
        "blank owner first",
        "$TTL 60\n  A 192.0.2.1\n",
        2,
        "record without an owner name",
    ),
    zone(
        "missing $INCLUDE",
        "$TTL 60\n$INCLUDE nope.zone\n",
        2,
        "cannot read $INCLUDE file",
    ),
    zone(
        "unknown directive",
        "$TTL 60\n$DATE 20260101\nh A 192.0.2.1\n",
        2,
        "unknown directive $DATE",
    ),
    zone(
        "$GENERATE with a bad range",
        "$TTL 60\n$GENERATE 9-3 h$ A 192.0.2.$\n",
        2,
        "is not a $GENERATE range",
    ),
    zone(
        "$GENERATE making a bad record",
        "$TTL 60\n$GENERATE 250-260 h$ A 192.0.2.$\n",
        2,
        "$GENERATE at 256",
    ),
    zone(
        "class other than IN",
        "$TTL 60\nwww CH A 192.0.2.1\n",
        2,
        "class CH is not supported",
    ),
    zone(
        "TXT string over 255 octets",
        "$TTL 60\nt TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
        2,
        "TXT string of 256 octets",
    ),
    zone(
        "SRV with three fields",
        "$TTL 60\n_sip._tcp SRV 10 5 sip\n",
        2,
        "SRV record needs priority, weight, port and target",
    ),
    zone(
        "DS at the apex",
        "$TTL 60\n@ DS 1 13 2 aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899\n",
        2,
        "DS at the zone apex",
    ),
    zone(
        "DS without delegation",
        "$TTL 60\nsub DS 1 13 2 aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899\n",
        2,
        "DS at sub.example.test. without NS",
    ),
    zone(
        "SSHFP with bad hex",
        "$TTL 60\nh SSHFP 4 2 xyz\n",
        2,
        "SSHFP record data",
    ),
    zone(
        "SOA below the apex",
        "$TTL 60\nsub SOA ns hostmaster 1 2 3 4 5\n",
        2,
        "SOA at sub.example.test. is not the zone apex",
    ),
    zone(
        "stray closing parenthesis",
        "$TTL 60\nwww A 192.0.2.1 )\n",
        2,
        "`)` without a matching `(`",
    ),
    // TOML zone files
    toml_zone(
        "misspelt key",
        "[[rrset]]\nname = \"www\"\ntype = \"A\"\nvaules = [\"192.0.2.1\"]\n",
        4,
        "unknown key `vaules`",
    ),
    toml_zone(
        "the same rrset twice",
        "[[rrset]]\nname = \"www\"\ntype = \"A\"\nvalues = [\"192.0.2.1\"]\n\n[[rrset]]\nname = \"WWW\"\ntype = \"a\"\nvalues = [\"192.0.2.2\"]\n",
        6,
        "the same rrset twice: www.example.test. A is also defined at line 1",
    ),
    toml_zone(
        "missing type",
        "[[rrset]]\nname = \"www\"\nvalues = [\"192.0.2.1\"]\n",
        1,
        "[[rrset]] is missing `type`",
    ),
    toml_zone(
        "values not an array",
        "[[rrset]]\nname = \"www\"\ntype = \"A\"\nvalues = \"192.0.2.1\"\n",
        4,
        "`values` must be an array of strings",
    ),
    toml_zone(
        "misspelt type",
        "[[rrset]]\nname = \"www\"\ntype = \"AAA\"\nvalues = [\"2001:db8::1\"]\n",
        3,
        "unknown record type `AAA`",
    ),
    toml_zone(
        "negative TTL",
        "[[rrset]]\nname = \"www\"\ntype = \"A\"\nttl = -5\nvalues = [\"192.0.2.1\"]\n",
        4,
        "TTL -5 is outside 0..2147483647",
    ),
    toml_zone(
        "origin of another zone",
        "origin = \"example.net.\"\n",
        1,
        "origin `example.net.` does not match zone example.test.",
    ),
    toml_zone(
        "TOML syntax error",
        "[[rrset]]\nname = \"www\ntype = \"A\"\n",
        2,
        "TOML syntax",
    ),
    toml_zone(
        "no values",
        "[[rrset]]\nname = \"www\"\ntype = \"A\"\nvalues = []\n",
        1,
        "www.example.test. A has no values",
    ),
    toml_zone(
        "value that is not a string",
        "[[rrset]]\nname = \"mx\"\ntype = \"MX\"\nvalues = [10]\n",
        4,
        "a value must be a string, not integer",
    ),
    toml_zone(
        "CNAME with two targets",
        "[[rrset]]\nname = \"www\"\ntype = \"CNAME\"\nvalues = [\"a.example.net.\", \"b.example.net.\"]\n",
        1,
        "has 2 values; a CNAME has exactly one",
    ),
    toml_zone(
        "default TTL out of range",
        "ttl = 4294967296\n",
        1,
        "TTL 4294967296 is outside",
    ),
    // nsync.toml
    config(
        "misspelt provider kind",
        "[providers.a]\nkind = \"rfc2316\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        2,
        "unknown provider kind `rfc2316`",
    ),
    config(
        "literal TSIG secret",
        "[providers.a]\nkind = \"rfc2136\"\nserver = \"192.0.2.53\"\ntsig = { name = \"k\", algorithm = \"hmac-sha256\", secret = \"c2VjcmV0\" }\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        4,
        "provider a: `tsig.secret` holds a literal secret",
    ),
    config(
        "multi-signer zone with a provider that cannot serve other signers' keys",
        "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\ndnssec = \"multi-signer\"\n",
        5,
        "zone example.test. is multi-signer, but provider a (zonefile) cannot serve another signer's DNSKEY",
    ),
    config(
        "unknown DNSSEC mode",
        "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\ndnssec = \"on\"\n",
        8,
        "`dnssec = \"on\"` is not a DNSSEC mode",
    ),
    config(
        "literal API key",
        "[providers.a]\nkind = \"powerdns\"\nurl = \"https://pdns.example.net\"\napi_key = \"abc123\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        4,
        "`api_key` holds a literal secret",
    ),
    config(
        "empty secret reference",
        "[providers.a]\nkind = \"cloudflare\"\napi_token = \"env:\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        3,
        "`api_token` is not a valid secret reference",
    ),
    config(
        "zone names an unknown provider",
        "[providers.bind]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"bnid\"]\n",
        7,
        "names provider `bnid`, which is not configured",
    ),
    config(
        "misspelt top-level key",
        "[provders.a]\nkind = \"zonefile\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = []\n",
        1,
        "unknown key `provders` in nsync.toml",
    ),
    config(
        "provider without kind",
        "[providers.a]\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        1,
        "[providers.a] is missing `kind`",
    ),
    config(
        "misspelt provider key",
        "[providers.a]\nkind = \"zonefile\"\ndirectroy = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        3,
        "unknown key `directroy` in [providers.a]",
    ),
    config(
        "primary given as a host name",
        "[providers.a]\nkind = \"rfc2136\"\nserver = \"ns1.example.net:53\"\ntsig = { name = \"k\", algorithm = \"hmac-sha256\", secret = \"env:K\" }\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        3,
        "is not an IP address",
    ),
    config(
        "weak TSIG algorithm",
        "[providers.a]\nkind = \"rfc2136\"\nserver = \"192.0.2.53\"\ntsig = { name = \"k\", algorithm = \"hmac-md5\", secret = \"env:K\" }\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        4,
        "TSIG algorithm `hmac-md5` is not supported",
    ),
    config(
        "plain http to a remote API",
        "[providers.a]\nkind = \"powerdns\"\nurl = \"http://pdns.example.net:8081\"\napi_key = \"env:K\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        3,
        "uses plain http to a host that is not loopback",
    ),
    config(
        "percentage over 100",
        "[safety]\nmax_delete_percent = 150\n\n[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        2,
        "`max_delete_percent = 150` is not a percentage",
    ),
    config(
        "root hint as a host name",
        "[resolver]\nroot_hints = [\"a.root-servers.net\"]\n\n[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        2,
        "root hint `a.root-servers.net` is not an IP address",
    ),
    config(
        "relative nameserver name",
        "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\nnameservers = [\"ns1.example.test\"]\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        4,
        "nameserver `ns1.example.test` must be an absolute name",
    ),
    config(
        "pinned address that is not an IP",
        "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\nnameservers = [{ name = \"ns1.example.test.\", addresses = [\"ns1\"] }]\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        4,
        "nameserver address `ns1` is not an IP address",
    ),
    config(
        "zone without providers",
        "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\n",
        5,
        "is missing `providers`",
    ),
    config(
        "zone without file",
        "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nproviders = [\"a\"]\n",
        5,
        "is missing `file`",
    ),
    config(
        "required provider key missing",
        "[providers.a]\nkind = \"powerdns\"\napi_key = \"env:K\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        1,
        "[providers.a] is missing `url`",
    ),
    config(
        "ignored name outside the zone",
        "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\nignore = [\"x.example.net.\"]\n",
        8,
        "ignored name `x.example.net.` is outside zone example.test.",
    ),
];

fn run_case(case: &Case) {
    let zone_text = "$TTL 60\nwww A 192.0.2.1\n";
    let mut files: Vec<(&str, String)> = Vec::new();
    match case.file {
        "nsync.toml" => {
            files.push(("nsync.toml", case.text.to_string()));
            files.push(("z.zone", zone_text.to_string()));
        }
        zone_file => {
            files.push(("nsync.toml", config_for(zone_file)));
            files.push((zone_file, case.text.to_string()));
        }
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let scratch = Scratch::new(&refs);
    let ran = nsync(&["check", "--format", "json"])
        .dir(scratch.path())
        .run();
    assert_eq!(ran.code, 2, "case `{}`: exit code\n{ran:?}", case.name);
    let report = ran.json();
    assert_eq!(report["valid"], false, "case `{}`", case.name);
    let errors = report["errors"].as_array().expect("errors array");
    let hit = errors.iter().find(|e| {
        e["file"].as_str().is_some_and(|f| f.ends_with(case.file))
            && e["line"] == case.line
            && e["message"]
                .as_str()
                .is_some_and(|m| m.contains(case.message))
    });
    let Some(hit) = hit else {
        panic!(
            "case `{}`: no error at {}:{} containing {:?}; got {:#}",
            case.name, case.file, case.line, case.message, report["errors"]
        );
    };
    assert!(
        hit["column"].as_u64().is_some_and(|c| c >= 1),
        "case `{}`: column",
        case.name
    );
    assert!(
        hit["hint"].is_string(),
        "case `{}`: every error says what to do: {hit:#}",
        case.name
    );
}

#[test]
fn every_bad_input_is_named_with_its_line() {
    assert!(CASES.len() >= 40, "the corpus keeps at least 40 cases");
    for case in CASES {
        run_case(case);
    }
}

#[test]
fn the_table_output_shows_file_line_column_and_hint() {
    let scratch = Scratch::new(&[
        ("nsync.toml", &config_for("z.zone")),
        ("z.zone", "$TTL 60\nwww A 192.0.2\n"),
    ]);
    nsync(&["check"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("z.zone:2:7: error: A record data `192.0.2` does not parse")
        .stdout_has("nsync.toml: invalid (1 errors, 0 warnings)");
}

#[test]
fn all_errors_of_all_files_are_reported_at_once() {
    let config = config_for("z.toml").replace(
        "directory = \"out\"",
        "directory = \"out\"\ncolour = \"red\"",
    );
    let zone = "[[rrset]]\nname = \"a\"\ntype = \"A\"\nvalues = [\"1.2.3\"]\n\n[[rrset]]\nname = \"b\"\ntype = \"MX\"\nvalues = [\"mail\"]\n";
    let scratch = Scratch::new(&[("nsync.toml", &config), ("z.toml", zone)]);
    let report = nsync(&["check", "--format", "json"])
        .dir(scratch.path())
        .run()
        .json();
    let lines: Vec<(String, u64)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                e["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("nsync.toml".to_string(), 4),
            ("z.toml".to_string(), 4),
            ("z.toml".to_string(), 9)
        ]
    );
}

#[test]
fn ttl_below_a_providers_minimum_is_refused_by_check_and_plan() {
    let config = "[providers.cf]\nkind = \"cloudflare\"\napi_token = \"env:CF_TOKEN\"\nendpoint = \"http://127.0.0.1:9/\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"cf\"]\n";
    let scratch = Scratch::new(&[
        ("nsync.toml", config),
        ("z.zone", "$TTL 30\nwww A 192.0.2.1\n"),
    ]);
    let ran = nsync(&["check", "--format", "json"])
        .dir(scratch.path())
        .run();
    ran.code(2);
    let error = &ran.json()["errors"][0];
    assert_eq!(error["line"], 2);
    assert_eq!(
        error["message"],
        "www.example.test. A: TTL 30 is outside what provider cf (cloudflare) stores (60..86400); it would serve another TTL than the other providers"
    );
    assert_eq!(
        error["hint"],
        "use a TTL of 60 or more (the minimum there), so every provider serves the same TTL"
    );
    // plan refuses the same, at the line, before anything is asked of the provider.
    nsync(&["plan"])
        .dir(scratch.path())
        .env("CF_TOKEN", "x")
        .run()
        .code(2)
        .stderr_has("z.zone:2:1: error: www.example.test. A: TTL 30 is outside")
        .stderr_has("nothing was changed at any provider");
}

#[test]
fn records_at_ignored_names_are_flagged() {
    let config = config_for("z.zone") + "ignore = [\"_acme-challenge\"]\n";
    let scratch = Scratch::new(&[
        ("nsync.toml", &config),
        ("z.zone", "$TTL 60\n_acme-challenge TXT \"token\"\n"),
    ]);
    let ran = nsync(&["check", "--format", "json"])
        .dir(scratch.path())
        .run();
    ran.code(0);
    assert!(
        ran.json()["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nsync will never sync it")
    );
}
