//! nsync audit against the real lab. Each scenario makes its fault itself and puts things
//! back: a changed PowerDNS API key, a zone deleted at PowerDNS, a zone dropped from Knot,
//! records edited by hand on BIND, and a private TLD that delegates to one provider only,
//! to an unknown server, or with wrong glue. A healthy lab audits clean.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::lab::Lab;
use common::{Ran, Scratch, nsync};
use serde_json::Value;

/// The scenarios change shared lab state (the TLD, server configs): one at a time.
static LAB: Mutex<()> = Mutex::new(());

fn audit(dir: &Path) -> (i32, Vec<Value>) {
    let ran = nsync(&["audit", "--format", "json"]).dir(dir).run();
    // A missing or renamed key must fail here, not read as "no findings".
    let findings = ran.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("audit JSON has no findings array: {}", ran.stdout));
    (ran.code, findings)
}

fn has(found: &[Value], severity: &str, kind: &str, provider: &str) -> bool {
    found
        .iter()
        .any(|f| f["severity"] == severity && f["kind"] == kind && f["provider"] == provider)
}

fn detail<'a>(found: &'a [Value], kind: &str) -> &'a str {
    found
        .iter()
        .find(|f| f["kind"] == kind)
        .and_then(|f| f["detail"].as_str())
        .unwrap_or("")
}

fn sync(dir: &Path) -> Ran {
    nsync(&["sync", "--yes", "--force", "--color", "never"])
        .dir(dir)
        .run()
}

fn lab_script(lab: &Lab, script: &str, args: &[&str], env: &[(&str, &str)]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/lab")
        .join(script);
    let mut cmd = Command::new("bash");
    cmd.arg(path).args(args).env("LAB_DIR", &lab.dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{script} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn config(lab: &Lab, zone: &str, providers: &[String], extra: &str) -> String {
    let names: Vec<String> = providers
        .iter()
        .map(|p| {
            format!(
                "\"{}\"",
                p.trim_start_matches("[providers.")
                    .split(']')
                    .next()
                    .unwrap()
            )
        })
        .collect();
    format!(
        "[resolver]\nroot_hints = [\"{}\"]\n[verify]\ntimeout_ms = 300\nretries = 1\n{extra}\n{}\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [{}]\n",
        lab.ip("root"),
        providers.join("\n"),
        names.join(", ")
    )
}

fn with_ns(table: String, names: &str) -> String {
    format!("{table}nameservers = [{names}]\n")
}

const GLUE: &str = "ns1 A 127.0.10.1\nns2 A 127.0.20.1\nns3 A 127.0.30.1\nns4 A 127.0.40.1\n";

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_healthy_lab_audits_clean() {
    let lab = Lab::get();
    let _one = LAB.lock().unwrap_or_else(|e| e.into_inner());
    let providers = [
        with_ns(
            lab.rfc2136_provider("bind", "bind"),
            "\"ns1.example.test.\", \"ns4.example.test.\"",
        ),
        with_ns(
            lab.rfc2136_provider("knot", "knot"),
            "\"ns2.example.test.\"",
        ),
        with_ns(
            lab.rfc2136_provider("pdns", "pdns"),
            "\"ns3.example.test.\"",
        ),
    ];
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(&lab, "example.test.", &providers, "")),
        ("z.zone", &format!("$TTL 300\nwww A 192.0.2.10\n{GLUE}")),
    ]);
    // NSD takes the change from BIND by NOTIFY and transfer: sync waits until every
    // nameserver serves it, so the one audit after it sees the lab as it is.
    nsync(&["sync", "--yes", "--force", "--wait", "30s", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let (code, found) = audit(scratch.path());
    assert_eq!(code, 0, "a healthy lab has findings: {found:#?}");
    assert!(
        found.is_empty(),
        "no finding at all, not even same_network: {found:#?}"
    );
    let junit = nsync(&["audit", "--format", "junit"])
        .dir(scratch.path())
        .run();
    junit
        .code(0)
        .stdout_has("<testsuite name=\"nsync audit\"")
        .stdout_has("failures=\"0\"");
    for check in ["health", "drift", "nameservers", "delegation"] {
        junit.stdout_has(&format!("name=\"{check}\"/>"));
    }
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_changed_powerdns_api_key_is_auth_failed() {
    let lab = Lab::get();
    let _one = LAB.lock().unwrap_or_else(|e| e.into_inner());
    // nsync keeps the key it was given; the server is restarted with another one.
    let old = Scratch::new(&[("old.key", &format!("{}\n", lab.var("LAB_PDNS_API_KEY")))]);
    let table = lab.powerdns_provider("pdns").replace(
        &lab.dir.join("keys/pdns-api.key").display().to_string(),
        &old.path().join("old.key").display().to_string(),
    );
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(&lab, "t23.test.", &[table], "")),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    lab_script(&lab, "down.sh", &["pdns"], &[]);
    lab_script(
        &lab,
        "up.sh",
        &["pdns"],
        &[("LAB_PDNS_API_KEY", "a-new-key-nsync-does-not-know")],
    );
    let (code, found) = audit(scratch.path());
    lab_script(&lab, "down.sh", &["pdns"], &[]);
    lab_script(&lab, "up.sh", &["pdns"], &[]);
    assert_eq!(code, 1);
    assert!(has(&found, "critical", "auth_failed", "pdns"), "{found:#?}");
    assert!(
        detail(&found, "auth_failed").contains("HTTP 401"),
        "{found:#?}"
    );
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_zone_deleted_at_powerdns_is_zone_missing_and_sync_still_applies_the_others() {
    let lab = Lab::get();
    let _one = LAB.lock().unwrap_or_else(|e| e.into_inner());
    let providers = [
        with_ns(
            lab.rfc2136_provider("bind", "bind"),
            "\"ns1.example.test.\"",
        ),
        with_ns(lab.powerdns_provider("pdns"), "\"ns3.example.test.\""),
    ];
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(&lab, "t23.test.", &providers, "")),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    sync(scratch.path()).code(0);
    let url = format!(
        "{}/api/v1/servers/localhost/zones/t23.test.",
        lab.var("LAB_PDNS_API_URL")
    );
    let key = format!("X-API-Key: {}", lab.var("LAB_PDNS_API_KEY"));
    Command::new("curl")
        .args(["-s", "-X", "DELETE", "-H", &key, &url])
        .status()
        .unwrap();

    let (code, found) = audit(scratch.path());
    assert_eq!(code, 1);
    assert!(
        has(&found, "critical", "zone_missing", "pdns"),
        "{found:#?}"
    );
    assert!(
        detail(&found, "zone_missing").contains(
            "the account may be cancelled; restore it, then run nsync sync --create-missing"
        ),
        "{found:#?}"
    );
    assert!(
        has(&found, "critical", "nameserver_lame", "pdns"),
        "PowerDNS no longer answers for it: {found:#?}"
    );

    std::fs::write(scratch.path().join("z.zone"), "$TTL 300\nwww A 192.0.2.2\n").unwrap();
    sync(scratch.path())
        .code(2)
        .stdout_has("FAILED: zone_missing")
        .stdout_has("1 of 2 target(s) failed; the others were applied");
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_zone_dropped_from_knot_is_a_lame_nameserver() {
    let lab = Lab::get();
    let _one = LAB.lock().unwrap_or_else(|e| e.into_inner());
    let providers = [
        with_ns(
            lab.rfc2136_provider("bind", "bind"),
            "\"ns1.example.test.\"",
        ),
        with_ns(
            lab.rfc2136_provider("knot", "knot"),
            "\"ns2.example.test.\"",
        ),
    ];
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(&lab, "t20.test.", &providers, "")),
        (
            "z.zone",
            "$TTL 300\nwww A 192.0.2.1\n@ NS ns1.example.test.\n@ NS ns2.example.test.\n@ NS ns3.example.test.\n",
        ),
    ]);
    sync(scratch.path()).code(0);
    let conf = lab.dir.join("knot/knot.conf");
    let original = std::fs::read_to_string(&conf).unwrap();
    let knotc = |args: &[&str]| {
        Command::new("knotc")
            .arg("-c")
            .arg(&conf)
            .args(args)
            .output()
            .unwrap()
    };
    std::fs::write(&conf, original.replace("  - domain: t20.test\n", "")).unwrap();
    knotc(&["reload"]);
    knot_serves(&lab, "t20.test.", false);
    let (code, found) = audit(scratch.path());
    std::fs::write(&conf, &original).unwrap();
    knotc(&["reload"]);
    knot_serves(&lab, "t20.test.", true);
    assert_eq!(code, 1);
    assert!(
        has(&found, "critical", "nameserver_lame", "knot"),
        "{found:#?}"
    );
    assert!(
        detail(&found, "nameserver_lame").contains("REFUSED"),
        "{found:#?}"
    );
    assert!(!found.iter().any(|f| f["provider"] == "bind"), "{found:#?}");
    // Knot serves it again from its own file: sync brings it back in line.
    sync(scratch.path()).code(0);
}

/// Waits until Knot answers for `zone` authoritatively (`serves`) or refuses it: a reload
/// takes effect a moment after knotc returns.
fn knot_serves(lab: &Lab, zone: &str, serves: bool) {
    let name = nsync_core::Name::from_ascii(zone).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = common::dns::query(lab.ip("knot"), &name, nsync_core::RecordType::SOA);
        let authoritative = answer.metadata.authoritative && !answer.answers.is_empty();
        if authoritative == serves {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Knot still {} {zone} 10 s after the reload",
            if serves { "refuses" } else { "serves" }
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn records_edited_by_hand_on_bind_are_drift_each_named() {
    let lab = Lab::get();
    let _one = LAB.lock().unwrap_or_else(|e| e.into_inner());
    let providers = [with_ns(
        lab.rfc2136_provider("bind", "bind"),
        "\"ns1.example.test.\"",
    )];
    let zone = "$TTL 300\n@ NS ns1.example.test.\n@ NS ns2.example.test.\n@ NS ns3.example.test.\nwww A 192.0.2.1\nold A 192.0.2.2\n";
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(&lab, "t22.test.", &providers, "")),
        ("z.zone", zone),
    ]);
    sync(scratch.path()).code(0);
    lab.nsupdate("bind",
        "zone t22.test.\nupdate add handmade.t22.test. 60 TXT \"by hand\"\nupdate delete www.t22.test. A\nupdate add www.t22.test. 300 A 192.0.2.99\nupdate delete old.t22.test. A",
    );
    let (code, found) = audit(scratch.path());
    assert_eq!(code, 1);
    let named = |kind: &str, what: &str| {
        found.iter().any(|f| {
            f["kind"] == kind
                && f["provider"] == "bind"
                && f["severity"] == "warning"
                && f["detail"].as_str().unwrap().contains(what)
        })
    };
    assert!(
        named("drift_extra", "handmade.t22.test. 60 TXT \"by hand\""),
        "{found:#?}"
    );
    assert!(
        named(
            "drift_changed",
            "www.t22.test. 300 A 192.0.2.99 where the zone file says www.t22.test. 300 A 192.0.2.1"
        ),
        "{found:#?}"
    );
    assert!(
        named("drift_missing", "old.t22.test. 300 A 192.0.2.2"),
        "{found:#?}"
    );
    sync(scratch.path()).code(0);
    let (_, found) = audit(scratch.path());
    assert!(
        !found
            .iter()
            .any(|f| f["kind"].as_str().unwrap().starts_with("drift")),
        "{found:#?}"
    );
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn the_tld_delegating_to_one_provider_an_unknown_server_or_wrong_glue_is_found() {
    let lab = Lab::get();
    let _one = LAB.lock().unwrap_or_else(|e| e.into_inner());
    let providers = [
        with_ns(
            lab.rfc2136_provider("bind", "bind"),
            "\"ns1.example.test.\"",
        ),
        with_ns(
            lab.rfc2136_provider("knot", "knot"),
            "\"ns2.example.test.\"",
        ),
        with_ns(
            lab.rfc2136_provider("pdns", "pdns"),
            "\"ns3.example.test.\"",
        ),
    ];
    let zone = "$TTL 300\nwww A 192.0.2.1\n";
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(&lab, "t21.test.", &providers, "")),
        ("z.zone", zone),
    ]);
    sync(scratch.path()).code(0);
    assert_eq!(
        audit(scratch.path()).0,
        0,
        "the lab delegates t21.test. to all three"
    );
    let tld = |commands: &str| lab.nsupdate("root", &format!("zone test.\n{commands}"));

    // Delegated to BIND only.
    tld(
        "update delete t21.test. NS ns2.example.test.\nupdate delete t21.test. NS ns3.example.test.",
    );
    let (code, found) = audit(scratch.path());
    tld(
        "update add t21.test. 86400 NS ns2.example.test.\nupdate add t21.test. 86400 NS ns3.example.test.",
    );
    assert_eq!(code, 1);
    assert!(
        has(&found, "warning", "single_provider", "bind"),
        "{found:#?}"
    );
    assert!(
        has(&found, "warning", "delegation_missing_provider", "knot"),
        "{found:#?}"
    );
    assert!(
        has(&found, "warning", "delegation_missing_provider", "pdns"),
        "{found:#?}"
    );
    assert!(
        detail(&found, "single_provider").contains("a single point of failure"),
        "{found:#?}"
    );

    // Delegated to an extra server nobody in nsync.toml knows.
    tld("update add t21.test. 86400 NS ns9.example.net.");
    let (code, found) = audit(scratch.path());
    tld("update delete t21.test. NS ns9.example.net.");
    assert_eq!(code, 1);
    assert!(
        found
            .iter()
            .any(|f| f["kind"] == "delegation_unknown_nameserver"
                && f["detail"].as_str().unwrap().contains("ns9.example.net.")),
        "{found:#?}"
    );

    // Wrong glue for ns1.example.test.
    tld("update delete ns1.example.test. A\nupdate add ns1.example.test. 86400 A 127.0.10.77");
    let (code, found) = audit(scratch.path());
    tld("update delete ns1.example.test. A\nupdate add ns1.example.test. 86400 A 127.0.10.1");
    assert_eq!(code, 1);
    assert!(
        found.iter().any(|f| f["kind"] == "glue_mismatch"
            && f["severity"] == "critical"
            && f["detail"].as_str().unwrap().contains("127.0.10.77")),
        "{found:#?}"
    );
    assert_eq!(audit(scratch.path()).0, 0, "all put back");
}
