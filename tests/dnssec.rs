//! DNSSEC across providers on the lab's three independent signers (BIND, Knot, PowerDNS,
//! each with keys of its own; tests/lab/up.sh, LAB_SIGNED_ZONES): a multi-signer zone
//! synced to a valid state, each broken state found with the right kind at the right
//! provider, a key rollover at one provider followed by sync that never passes through a
//! bogus state, and zonemaster-cli and dnsviz asked about the same zones (where they
//! disagree, the README's DNSSEC section says why).
//!
//! Each test owns one zone, so they run in parallel.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::lab::Lab;
use common::{PRIVATE_ROOT, Scratch, nsync};
use serde_json::Value;

const ZONE_TEXT: &str = "$TTL 300\n@ NS ns1.example.test.\n@ NS ns2.example.test.\n@ NS ns3.example.test.\nwww A 192.0.2.1\ntxt TXT \"signed by three\"\n";

/// BIND, Knot and PowerDNS serving `zone`, each at its own address.
fn config(lab: &Lab, zone: &str, multi_signer: bool) -> String {
    format!(
        "{PRIVATE_ROOT}\n[verify]\ntimeout_ms = 1000\nretries = 1\n\n{}[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"bind\", \"knot\", \"pdns\"]\n{}",
        lab.three_signers(),
        if multi_signer {
            "dnssec = \"multi-signer\"\n"
        } else {
            ""
        },
    )
}

/// The lab, with `zone` as a DNSSEC test starts from whatever ran before: each signer
/// holds only its own keys and the TLD their DS set (tests/lab/reset-signed.sh). Every
/// signed zone is reset once, before any test goes on: the tests run side by side, and a
/// reset's writes to PowerDNS's SQLite database beside another test's sync would lock
/// one of them out.
fn fresh(zone: &str) -> Lab {
    static RESET: std::sync::Once = std::sync::Once::new();
    let lab = Lab::get();
    RESET.call_once(|| {
        let out = Command::new("bash")
            .arg(common::repo_root().join("tests/lab/reset-signed.sh"))
            .env("LAB_DIR", &lab.dir)
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "reset-signed.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    assert!(
        lab.var("LAB_ZONES").contains(zone.trim_end_matches('.')),
        "{zone} is not a lab zone"
    );
    lab
}

fn scratch(lab: &Lab, zone: &str, multi_signer: bool) -> Scratch {
    Scratch::new(&[
        ("nsync.toml", &config(lab, zone, multi_signer)),
        ("z.zone", ZONE_TEXT),
    ])
}

const DNSSEC_KINDS: &[&str] = &[
    "dnssec_bogus",
    "dnssec_expiring",
    "dnssec_unsigned",
    "dnskey_incomplete",
    "ds_missing_for_provider",
    "algorithm_mismatch",
    "cds_inconsistent",
    "dnskey_truncated",
];

/// verify's findings as (kind, provider), and the JSON.
fn verify(dir: &Path, extra: &[&str]) -> (BTreeSet<(String, String)>, Value) {
    let mut args = vec!["verify", "--format", "json"];
    args.extend_from_slice(extra);
    let ran = nsync(&args).dir(dir).run();
    let json = ran.json();
    let found = json["zones"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["provider"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (found, json)
}

fn dnssec_only(found: &BTreeSet<(String, String)>) -> BTreeSet<(String, String)> {
    found
        .iter()
        .filter(|(k, _)| DNSSEC_KINDS.contains(&k.as_str()))
        .cloned()
        .collect()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(k, p)| (k.to_string(), p.to_string()))
        .collect()
}

/// `dig +norec +short +nosplit` at a lab server (plus `extra` flags): the answer's lines.
fn dig(lab: &Lab, server: &str, zone: &str, rtype: &str, extra: &[&str]) -> Vec<String> {
    let out = Command::new("dig")
        .args(["+norec", "+short", "+nosplit"])
        .args(extra)
        .arg(format!("@{}", lab.ip(server)))
        .args([zone, rtype])
        .output()
        .expect("dig");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn sync(dir: &Path) -> common::Ran {
    let ran = nsync(&["sync", "--yes"]).dir(dir).run();
    ran.code(0);
    ran
}

/// zonemaster-cli's DNSSEC test cases at level ERROR and above: (test case, message).
fn zonemaster_errors(lab: &Lab, zone: &str) -> Vec<(String, String)> {
    let out = Command::new("zonemaster-cli")
        .args(["--hints"])
        .arg(lab.var("LAB_DIR").to_string() + "/root.hints")
        .args([
            "--no-ipv6",
            "--test",
            "DNSSEC",
            "--level",
            "ERROR",
            "--show-testcase",
            "--no-progress",
            zone,
        ])
        .output()
        .expect("zonemaster-cli (tests/lab/install.sh installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    // A zonemaster that crashed or tested nothing prints no verdict: never read that as
    // "no error".
    assert!(
        out.status.success() && text.contains("Testcase"),
        "zonemaster-cli failed on {zone} ({}): {text}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let errors: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_, level, case) = (f.next()?, f.next()?, f.next()?);
            matches!(level, "ERROR" | "CRITICAL")
                .then(|| (case.to_string(), f.collect::<Vec<_>>().join(" ")))
        })
        .collect();
    assert!(
        !errors.is_empty() || text.contains("Looks OK."),
        "zonemaster-cli gave {zone} neither errors nor its all-clear: {text}"
    );
    errors
}

/// dnsviz's error codes for the zone, probing from the lab's root.
fn dnsviz_codes(lab: &Lab, zone: &str, dir: &Path) -> BTreeSet<String> {
    let probe = dir.join("dnsviz.json");
    let ok = Command::new("dnsviz")
        .args(["probe", "-4", "-A", "-x"])
        .arg(format!(".:a.root-servers.test={}", lab.ip("root")))
        .arg("-o")
        .arg(&probe)
        .arg(zone)
        .output()
        .expect("dnsviz (tests/lab/install.sh installs it)");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let grok = Command::new("dnsviz")
        .args(["grok", "-l", "error", "-r"])
        .arg(&probe)
        .output()
        .expect("dnsviz grok");
    assert!(
        grok.status.success(),
        "dnsviz grok: {}",
        String::from_utf8_lossy(&grok.stderr)
    );
    let json: Value = serde_json::from_slice(&grok.stdout).expect("dnsviz grok prints JSON");
    // A probe that reached no server has no zone in it: nothing found would mean nothing asked.
    assert!(
        json.get(zone).is_some(),
        "dnsviz grok has no analysis of {zone}: {json:#}"
    );
    let mut codes = BTreeSet::new();
    fn walk(v: &Value, codes: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if k == "errors" {
                        for e in v.as_array().into_iter().flatten() {
                            if let Some(c) = e["code"].as_str() {
                                codes.insert(c.to_string());
                            }
                        }
                    } else {
                        walk(v, codes);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, codes)),
            _ => {}
        }
    }
    walk(&json, &mut codes);
    // The lab's servers are on 127/8: always reported, never the point.
    codes.remove("GLUE_PRIVATE_IP");
    codes.remove("NS_NAME_PRIVATE_IP");
    codes
}

/// The key matrix of `nsync dnssec status --format json`.
fn status(dir: &Path) -> (i32, Value) {
    let ran = nsync(&["dnssec", "status", "--format", "json"])
        .dir(dir)
        .run();
    let code = ran.code;
    (code, ran.json()["zones"][0].clone())
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh starts it)"]
fn a_multi_signer_zone_reaches_a_valid_state_and_the_oracles_agree() {
    let zone = "ms1.test.";
    let lab = fresh(zone);
    let s = scratch(&lab, zone, true);
    let ran = sync(s.path());
    ran.stdout_has("the DS set the parent of ms1.test. must hold");
    ran.stderr_has("the parent's DS set covers every provider's key-signing key");
    // Every provider's key-signing key has its DS line.
    let ds_lines = ran.stdout.lines().filter(|l| l.contains(" IN DS ")).count();
    assert_eq!(ds_lines, 3, "one DS per signer");
    // Nothing left to do: plan is empty and a second sync writes nothing.
    nsync(&["plan"])
        .dir(s.path())
        .run()
        .code(0)
        .stderr_has("every provider's DNSKEY set holds every provider's keys");
    sync(s.path()).stderr_has("every provider's DNSKEY set holds");
    let (found, json) = verify(s.path(), &[]);
    assert!(found.is_empty(), "{json:#}");
    assert_eq!(json["consistent"], true);
    // audit agrees.
    let audit = nsync(&["audit", "--format", "json"]).dir(s.path()).run();
    let kinds: Vec<String> = audit.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .filter(|k| DNSSEC_KINDS.contains(&k.as_str()))
        .collect();
    assert!(kinds.is_empty(), "{kinds:?}");
    // The key matrix: every key that signs zone data is in every set, every provider's
    // KSK has a DS.
    let (code, matrix) = status(s.path());
    assert_eq!(code, 0, "{matrix:#}");
    for key in matrix["keys"].as_array().unwrap() {
        for (p, held) in key["at"].as_object().unwrap() {
            assert_ne!(held, "missing", "{p}: {key}");
        }
    }
    assert_eq!(matrix["ds_missing_for"], serde_json::json!([]));
    // The signers' own records are theirs: import leaves them out, at every kind.
    for provider in ["bind", "knot", "pdns"] {
        let ran = nsync(&[
            "import",
            "--provider",
            provider,
            "--zone",
            zone,
            "--format",
            "zone",
        ])
        .dir(s.path())
        .run();
        ran.code(0).stdout_has("www");
        for rtype in ["DNSKEY", "RRSIG", "NSEC", "CDS", "CDNSKEY"] {
            assert!(
                !ran.stdout.contains(&format!(" {rtype} ")),
                "{provider}: {}",
                ran.stdout
            );
        }
    }
    // zonemaster: no DNSSEC error. (It warns, DNSSEC02, that each DNSKEY set is signed by
    // one provider's KSK only: that is model 2, each provider signing with its own keys.)
    assert_eq!(zonemaster_errors(&lab, zone), vec![]);
    // dnsviz: nothing at all.
    let codes = dnsviz_codes(&lab, zone, s.path());
    assert!(codes.is_empty(), "{codes:?}");
}

/// The key lines of the matrix: (tag, owner) of each key, by who holds it how.
fn key_of(matrix: &Value, owner: &str, flags: u64) -> Value {
    matrix["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["owner"] == owner && k["flags"] == flags && k["at"][owner] == "signs")
        .unwrap_or_else(|| panic!("no key of {owner} with flags {flags}: {matrix:#}"))
        .clone()
}

/// The DNSKEY record of `tag` as served at `server`, for nsupdate.
fn dnskey_line(lab: &Lab, server: &str, zone: &str, tag: u64) -> String {
    let lines = dig(lab, server, zone, "DNSKEY", &[]);
    let text = lines.join("\n");
    lines
        .iter()
        .find(|l| {
            let ds = Command::new("dnssec-dsfromkey")
                // -A: a DS for a zone-signing key too, only to read its tag.
                .args(["-A", "-2", "-f", "-", zone])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .and_then(|mut c| {
                    use std::io::Write;
                    let line = format!("{zone} 3600 IN DNSKEY {l}\n");
                    c.stdin.take().unwrap().write_all(line.as_bytes())?;
                    c.wait_with_output()
                });
            ds.is_ok_and(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .split_whitespace()
                    .nth(3)
                    .is_some_and(|t| t == tag.to_string())
            })
        })
        .unwrap_or_else(|| panic!("no DNSKEY with tag {tag} at {server}: {text}"))
        .to_string()
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh starts it)"]
fn a_zone_signing_key_missing_at_one_provider_is_named_there_and_sync_restores_it() {
    let zone = "ms2.test."; // Knot on NSEC3 here: its proofs are validated too
    let lab = fresh(zone);
    let s = scratch(&lab, zone, true);
    sync(s.path());
    let (found, json) = verify(s.path(), &[]);
    assert!(found.is_empty(), "{json:#}");
    // Someone deletes Knot's zone-signing key at BIND.
    let (_, matrix) = status(s.path());
    let knot_zsk = key_of(&matrix, "knot", 256);
    let tag = knot_zsk["tag"].as_u64().unwrap();
    let line = dnskey_line(&lab, "knot", zone, tag);
    lab.nsupdate(
        "bind",
        &format!("zone {zone}\nupdate delete {zone} DNSKEY {line}"),
    );
    let (found, json) = verify(s.path(), &[]);
    assert_eq!(
        dnssec_only(&found),
        set(&[("dnskey_incomplete", "bind")]),
        "{json:#}"
    );
    let f = json["zones"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "dnskey_incomplete")
        .unwrap()
        .clone();
    let expected = f["expected"].as_str().unwrap();
    assert!(expected.contains(&format!("key {tag} ")), "{f}");
    assert!(expected.contains("provider knot's"), "{f}");
    // The matrix shows the hole; sync fills it.
    let (code, matrix) = status(s.path());
    assert_eq!(code, 1);
    let hole = matrix["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["tag"] == tag)
        .unwrap();
    assert_eq!(hole["at"]["bind"], "missing");
    sync(s.path()).stdout_has(&format!("ms2.test. at bind: + DNSKEY key {tag} "));
    let (found, json) = verify(s.path(), &[]);
    assert!(found.is_empty(), "{json:#}");
}

/// The DS records the TLD holds for `zone`, as zone-file rdata.
fn parent_ds(lab: &Lab, zone: &str) -> Vec<String> {
    dig(lab, "root", zone, "DS", &[])
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh starts it)"]
fn a_ds_missing_at_the_parent_names_the_provider_it_leaves_out() {
    let zone = "ms3.test.";
    let lab = fresh(zone);
    let s = scratch(&lab, zone, true);
    sync(s.path());
    let (_, matrix) = status(s.path());
    let tag = key_of(&matrix, "pdns", 257)["tag"].as_u64().unwrap();
    let ds = parent_ds(&lab, zone)
        .into_iter()
        .find(|d| d.starts_with(&format!("{tag} ")))
        .expect("the lab publishes a DS per signer");
    lab.nsupdate("root", &format!("zone test.\nupdate delete {zone} DS {ds}"));
    let (found, json) = verify(s.path(), &[]);
    let zonemaster = zonemaster_errors(&lab, zone);
    // sync says what the parent lacks, and fails until it is there.
    let synced = nsync(&["sync", "--yes"]).dir(s.path()).run();
    // Put it back before asserting, so the zone is whole for the next run.
    lab.nsupdate(
        "root",
        &format!("zone test.\nupdate add {zone} 300 DS {ds}"),
    );
    synced
        .code(2)
        .stderr_has("ms3.test.: the parent holds no DS for pdns's key-signing key");
    assert_eq!(
        dnssec_only(&found),
        set(&[("ds_missing_for_provider", "pdns")]),
        "{json:#}"
    );
    // zonemaster sees it too: the DNSKEY set at PowerDNS is signed by no key a DS covers.
    assert!(
        zonemaster
            .iter()
            .any(|(case, msg)| case == "DNSSEC02" && msg.contains(&lab.ip("pdns").to_string())),
        "{zonemaster:?}"
    );
    let (found, json) = verify(s.path(), &[]);
    assert!(dnssec_only(&found).is_empty(), "{json:#}");
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh starts it)"]
fn signatures_expired_at_one_provider_are_bogus_there_only() {
    let zone = "ms4.test."; // Knot serves it presigned, signatures expired yesterday
    let lab = fresh(zone);
    let s = scratch(&lab, zone, false);
    let (found, json) = verify(s.path(), &[]);
    let bogus: BTreeSet<String> = found
        .iter()
        .filter(|(k, _)| k == "dnssec_bogus")
        .map(|(_, p)| p.clone())
        .collect();
    assert_eq!(bogus, BTreeSet::from(["knot".to_string()]), "{json:#}");
    let reasons: Vec<&str> = json["zones"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "dnssec_bogus")
        .map(|f| f["actual"].as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().all(|r| r.contains("expired at")),
        "{reasons:?}"
    );
    // The DNSKEY set itself and the NXDOMAIN proof are among them.
    let names: BTreeSet<&str> = json["zones"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "dnssec_bogus")
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    assert!(
        names.contains("DNSKEY") && names.contains("NSEC/NSEC3"),
        "{names:?}"
    );
    // zonemaster agrees: expired signatures at Knot's address only.
    let zm = zonemaster_errors(&lab, zone);
    assert!(
        zm.iter().any(|(c, _)| c == "DNSSEC08" || c == "DNSSEC09"),
        "{zm:?}"
    );
    let knot = lab.ip("knot").to_string();
    assert!(zm.iter().all(|(_, m)| m.contains(&knot)), "{zm:?}");
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh starts it)"]
fn an_address_serving_the_signed_zone_unsigned_is_named() {
    let zone = "ms5.test."; // BIND and Knot sign it; PowerDNS does not
    let lab = fresh(zone);
    let s = scratch(&lab, zone, false);
    let (found, json) = verify(s.path(), &[]);
    let kinds = dnssec_only(&found);
    assert!(
        kinds.contains(&("dnssec_unsigned".into(), "pdns".into())),
        "{json:#}"
    );
    assert!(
        kinds
            .iter()
            .all(|(k, p)| k != "dnssec_unsigned" || p == "pdns"),
        "{kinds:?}"
    );
    assert!(!kinds.iter().any(|(k, _)| k == "dnssec_bogus"), "{kinds:?}");
    // A multi-signer sync refuses to call it done (exit 2: it could not do its job).
    let m = scratch(&lab, zone, true);
    nsync(&["sync", "--yes"])
        .dir(m.path())
        .run()
        .code(2)
        .stderr_has("ms5.test. at pdns: no DNSKEY is served there");
    let zm = zonemaster_errors(&lab, zone);
    assert!(
        zm.iter().any(|(c, _)| c == "DNSSEC05" || c == "DNSSEC11"),
        "{zm:?}"
    );
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh starts it)"]
fn providers_on_different_algorithms_are_named() {
    let zone = "ms6.test."; // Knot signs with RSASHA256, the others with ECDSA P-256
    let lab = fresh(zone);
    let s = scratch(&lab, zone, false);
    let (found, json) = verify(s.path(), &[]);
    let mismatch: Vec<&(String, String)> = found
        .iter()
        .filter(|(k, _)| k == "algorithm_mismatch")
        .collect();
    assert_eq!(
        mismatch,
        vec![&("algorithm_mismatch".to_string(), "knot".to_string())],
        "{json:#}"
    );
    // zonemaster checks each DNSKEY set on its own and finds nothing wrong here; dnsviz
    // sees the algorithms missing between servers (the README says so).
    assert_eq!(zonemaster_errors(&lab, zone), vec![]);
    let codes = dnsviz_codes(&lab, zone, s.path());
    assert!(codes.contains("MISSING_SEP_FOR_ALG"), "{codes:?}");
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh starts it)"]
fn cds_is_published_alike_everywhere_and_expiry_has_a_window() {
    let zone = "ms8.test."; // Knot publishes the CDS of its own KSK here
    let lab = fresh(zone);
    let config = config(&lab, zone, true) + "publish_cds = true\n";
    let s = Scratch::new(&[("nsync.toml", &config), ("z.zone", ZONE_TEXT)]);
    sync(s.path()).stderr_has("publishes the CDS and CDNSKEY of every provider's key-signing key");
    // The same CDS set at every address, one per signer's KSK, the parent's DS set.
    let cds = |server: &str| -> BTreeSet<String> {
        dig(&lab, server, zone, "CDS", &[])
            .iter()
            .map(|l| l.to_ascii_uppercase())
            .collect()
    };
    let at_bind = cds("bind");
    assert_eq!(at_bind.len(), 3, "{at_bind:?}");
    assert_eq!(cds("knot"), at_bind);
    assert_eq!(cds("pdns"), at_bind);
    let parent: BTreeSet<String> = parent_ds(&lab, zone)
        .iter()
        .map(|d| d.to_ascii_uppercase())
        .collect();
    assert_eq!(parent, at_bind, "CDS is the DS set the parent holds");
    nsync(&["plan"]).dir(s.path()).run().code(0);
    // Every signer here signs for one to three weeks: nothing within the default 7 days,
    // all of them within 30.
    let (found, json) = verify(s.path(), &[]);
    assert!(dnssec_only(&found).is_empty(), "{json:#}");
    let (found, json) = verify(s.path(), &["--dnssec-window", "30d"]);
    assert_eq!(
        dnssec_only(&found),
        set(&[
            ("dnssec_expiring", "bind"),
            ("dnssec_expiring", "knot"),
            ("dnssec_expiring", "pdns")
        ]),
        "{json:#}"
    );
}

/// The key tags in the RRSIGs over `zone`'s SOA at `server`.
fn soa_signers(lab: &Lab, server: &str, zone: &str) -> BTreeSet<String> {
    dig(lab, server, zone, "SOA", &["+dnssec"])
        .iter()
        .filter(|l| l.starts_with("SOA "))
        .filter_map(|l| l.split_whitespace().nth(6).map(str::to_string))
        .collect()
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh starts it)"]
fn a_key_rollover_at_one_provider_then_sync_never_passes_through_a_bogus_state() {
    let zone = "ms7.test.";
    let lab = fresh(zone);
    let s = scratch(&lab, zone, true);
    sync(s.path());
    let clean = |step: &str| {
        let (found, json) = verify(s.path(), &[]);
        let bad: Vec<_> = dnssec_only(&found)
            .into_iter()
            .filter(|(k, _)| k == "dnssec_bogus" || k == "dnskey_incomplete")
            .collect();
        assert!(bad.is_empty(), "{step}: {bad:?}\n{json:#}");
    };
    clean("before the rollover");
    let before = soa_signers(&lab, "knot", zone);
    // Knot publishes a new ZSK, and signs with it once the DNSKEY TTL (10 s) has passed.
    let knotc = Command::new("knotc")
        .arg("-c")
        .arg(lab.var("LAB_DIR").to_string() + "/knot/knot.conf")
        .args(["zone-key-rollover", zone, "zsk"])
        .output()
        .expect("knotc");
    assert!(knotc.status.success(), "{knotc:?}");
    clean("new key published at Knot only");
    sync(s.path()).stdout_has("ms7.test. at bind: + DNSKEY");
    // The sync must have come while Knot still signs with the old key, or the test cannot
    // tell safe from lucky.
    assert_eq!(
        soa_signers(&lab, "knot", zone),
        before,
        "Knot switched keys before the sync had shared the new one"
    );
    clean("new key published everywhere");
    // Wait for Knot to sign with the new key, checking all the way.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        clean("while Knot switches keys");
        if soa_signers(&lab, "knot", zone) != before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Knot did not switch its ZSK in 90 s"
        );
        std::thread::sleep(Duration::from_secs(2));
    }
    clean("Knot signs with the new key");
    nsync(&["plan"]).dir(s.path()).run().code(0);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh starts it)"]
fn a_provider_that_cannot_be_asked_is_named_and_the_others_exchange_keys_without_it() {
    let zone = "ms9.test.";
    let lab = fresh(zone);
    // PowerDNS's nameserver pinned where nothing answers.
    let dead = format!("127.0.0.1:{}", common::watch::free_port());
    let cut = config(&lab, zone, true).replace(
        &format!("addresses = [\"{}\"]", lab.ip("pdns")),
        &format!("addresses = [\"{dead}\"]"),
    );
    let s = Scratch::new(&[("nsync.toml", &cut), ("z.zone", ZONE_TEXT)]);
    let ran = nsync(&["sync", "--yes"]).dir(s.path()).run();
    // BIND and Knot get each other's keys.
    ran.code(2)
        .stderr_has("ms9.test. at pdns: no address of it answered the DNSKEY question");
    // BIND and Knot hold each other's keys; PowerDNS is the only hole.
    let whole = scratch(&lab, zone, true);
    let (found, json) = verify(whole.path(), &[]);
    assert!(
        found.contains(&("dnskey_incomplete".to_string(), "pdns".to_string())),
        "PowerDNS lacks the others' keys and verify does not say so: {json:#}"
    );
    for (kind, provider) in dnssec_only(&found) {
        assert_eq!(kind, "dnskey_incomplete", "{json:#}");
        let about_pdns = json["zones"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "dnskey_incomplete" && f["provider"] == provider.as_str())
            .all(|f| {
                provider == "pdns" || f["expected"].as_str().unwrap().contains("provider pdns's")
            });
        assert!(about_pdns, "{provider}: {json:#}");
    }
    // Once PowerDNS answers again, the next sync takes it in.
    sync(whole.path());
    let (found, json) = verify(whole.path(), &[]);
    assert!(dnssec_only(&found).is_empty(), "{json:#}");
}
