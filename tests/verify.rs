//! nsync verify against the real lab: after a sync every server agrees with the zone file,
//! and each inconsistency made behind nsync's back is found and named: a record changed
//! on Knot only, a record added on PowerDNS only, a TTL changed on BIND only, a stale NSD
//! secondary, a zone removed from a server, an address where nothing listens. Watch mode
//! logs findings as they appear and clear, and serves them as Prometheus metrics.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::lab::Lab;
use common::watch::Watcher;
use common::{PRIVATE_ROOT, Scratch, nsync};
use serde_json::Value;

const ZONE: &str = "$TTL 300
@         A     192.0.2.10
@         MX    10 mail
mail      A     192.0.2.25
www       A     192.0.2.10
www       AAAA  2001:db8::10
@         TXT   \"v=spf1 mx -all\"
_dmarc    TXT   \"v=DMARC1; p=reject\"
sub       NS    ns1.example.net.
sub       DS    31589 13 2 3490a6806d47f17a34c29e2ce80e8a999ffbe4be3f5a4e3c1a2b3c4d5e6f7081
ns1       A     127.0.10.1
ns2       A     127.0.20.1
ns3       A     127.0.30.1
ns4       A     127.0.40.1
";

/// example.test. on four servers: bind (primary, ns1) with NSD as its secondary (ns4),
/// knot (ns2) and PowerDNS over RFC 2136 (ns3). Addresses come from the private root.
fn example_setup(lab: &Lab) -> Scratch {
    let config = format!(
        "[resolver]\nroot_hints = [\"{}\"]\n\n{}nameservers = [\"ns1.example.test.\", \"ns4.example.test.\"]\n\n{}nameservers = [\"ns2.example.test.\"]\n\n{}nameservers = [\"ns3.example.test.\"]\n\n[zones.\"example.test.\"]\nfile = \"example.test.zone\"\nproviders = [\"bind\", \"knot\", \"pdns\"]\n",
        lab.ip("root"),
        lab.rfc2136_provider("bind", "bind"),
        lab.rfc2136_provider("knot", "knot"),
        lab.rfc2136_provider("pdns", "pdns"),
    );
    Scratch::new(&[("nsync.toml", &config), ("example.test.zone", ZONE)])
}

/// An rfc2136 provider table whose one nameserver is pinned to the server's lab
/// address, so verify needs no resolver; `extra` adds addresses after it.
fn pinned(lab: &Lab, server: &str, ns: &str, extra: &str) -> String {
    format!(
        "{}nameservers = [{{ name = \"{ns}\", addresses = [\"{}\"{extra}] }}]\n",
        lab.rfc2136_provider(server, server),
        lab.ip(server),
    )
}

fn verify_json(dir: &Path) -> (i32, Value) {
    let ran = nsync(&["verify", "--format", "json"]).dir(dir).run();
    (ran.code, ran.json())
}

fn findings(report: &Value) -> Vec<Value> {
    // A missing or renamed key must fail, not read as "no findings".
    report["zones"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("verify JSON has no zones[0].findings: {report:#}"))
}

/// Verify, waiting for NSD (which follows BIND by NOTIFY, a few ms behind) with
/// `verify --wait`, as the README's CI recipe does.
fn until_consistent(dir: &Path) -> Value {
    let ran = nsync(&["verify", "--wait", "20s", "--format", "json"])
        .dir(dir)
        .run();
    ran.code(0);
    ran.json()
}

fn has(found: &[Value], kind: &str, provider: &str, address: &str, name: &str) -> bool {
    found.iter().any(|f| {
        f["kind"] == kind
            && f["provider"] == provider
            && f["address"] == address
            && f["name"] == name
    })
}

fn sync(dir: &Path) {
    common::sync_ok(dir);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn four_servers_agree_after_sync_and_every_inconsistency_is_named() {
    let lab = Lab::get();
    let scratch = example_setup(&lab);
    let dir = scratch.path();
    sync(dir);

    // After a sync: every address of every provider serves the zone file.
    let report = until_consistent(dir);
    let ns = report["zones"][0]["nameservers"].as_array().unwrap();
    let addresses: Vec<&str> = ns.iter().map(|n| n["address"].as_str().unwrap()).collect();
    assert_eq!(
        addresses,
        ["127.0.10.1", "127.0.40.1", "127.0.20.1", "127.0.30.1"],
        "{report:#}"
    );
    assert!(
        ns.iter()
            .all(|n| n["checked"].as_u64().unwrap() >= 12 && n["mismatches"] == 0),
        "{report:#}"
    );

    // A record changed on Knot only.
    lab.nsupdate("knot",
        "zone example.test.\nupdate delete www.example.test. A\nupdate add www.example.test. 300 A 192.0.2.99",
    );
    let (code, report) = verify_json(dir);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert!(
        has(
            &found,
            "mismatch",
            "knot",
            "127.0.20.1",
            "www.example.test."
        ),
        "{found:#?}"
    );
    let f = found.iter().find(|f| f["kind"] == "mismatch").unwrap();
    assert_eq!(f["nameserver"], "ns2.example.test.");
    assert!(
        f["expected"].as_str().unwrap().contains("192.0.2.10")
            && f["actual"].as_str().unwrap().contains("192.0.2.99"),
        "{f:#}"
    );
    assert_eq!(
        found.iter().filter(|f| f["provider"] != "knot").count(),
        0,
        "only Knot is wrong: {found:#?}"
    );
    sync(dir);
    until_consistent(dir);

    // A record added on PowerDNS only, through its HTTP API: visible to AXFR only.
    let patch = r#"{"rrsets":[{"name":"handmade.example.test.","type":"TXT","ttl":60,"changetype":"REPLACE","records":[{"content":"\"added by hand\"","disabled":false}]}]}"#;
    assert_eq!(
        lab.pdns_api("PATCH", "/zones/example.test.", Some(patch)),
        204
    );
    let (code, report) = verify_json(dir);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert!(
        has(
            &found,
            "extra",
            "pdns",
            "127.0.30.1",
            "handmade.example.test."
        ),
        "{found:#?}"
    );
    sync(dir);
    until_consistent(dir);

    // A TTL changed on BIND only (NSD copies BIND, so it shows there too).
    lab.nsupdate("bind",
        "zone example.test.\nupdate delete www.example.test. A\nupdate add www.example.test. 60 A 192.0.2.10",
    );
    let (code, report) = verify_json(dir);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert!(
        has(
            &found,
            "ttl_mismatch",
            "bind",
            "127.0.10.1",
            "www.example.test."
        ),
        "{found:#?}"
    );
    assert!(
        !found
            .iter()
            .any(|f| f["provider"] == "knot" || f["provider"] == "pdns"),
        "{found:#?}"
    );
    sync(dir);
    until_consistent(dir);

    // NSD left stale: its transfer process is paused while BIND changes.
    let nsd_pid = std::fs::read_to_string(lab.dir.join("run/nsd.pid"))
        .unwrap()
        .trim()
        .to_string();
    assert!(
        Command::new("kill")
            .args(["-STOP", &nsd_pid])
            .status()
            .unwrap()
            .success()
    );
    lab.nsupdate(
        "bind",
        "zone example.test.\nupdate add stale.example.test. 300 A 192.0.2.77",
    );
    let (code, report) = verify_json(dir);
    assert!(
        Command::new("kill")
            .args(["-CONT", &nsd_pid])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(code, 1);
    let found = findings(&report);
    assert!(
        has(
            &found,
            "serial_mismatch",
            "bind",
            "127.0.40.1",
            "example.test."
        ),
        "{found:#?}"
    );
    assert!(
        !has(
            &found,
            "serial_mismatch",
            "bind",
            "127.0.10.1",
            "example.test."
        ),
        "the primary is the newest: {found:#?}"
    );
    sync(dir);
    until_consistent(dir);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_zone_removed_from_a_server_is_refused_there() {
    let lab = Lab::get();
    let config = format!(
        "{PRIVATE_ROOT}{}{}[zones.\"t12.test.\"]\nfile = \"z.zone\"\nproviders = [\"bind\", \"pdns\"]\n",
        pinned(&lab, "bind", "ns1.example.test.", ""),
        pinned(&lab, "pdns", "ns3.example.test.", ""),
    );
    let scratch = Scratch::new(&[
        ("nsync.toml", &config),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    sync(scratch.path());
    assert_eq!(verify_json(scratch.path()).0, 0);

    assert_eq!(lab.pdns_api("DELETE", "/zones/t12.test.", None), 204);
    let (code, report) = verify_json(scratch.path());
    // Put the zone back as the lab made it, before any assertion can fail.
    let zone = r#"{"name":"t12.test.","kind":"Native","soa_edit_api":"INCREASE","master_tsig_key_ids":["nsync-key."],"nameservers":[],"rrsets":[{"name":"t12.test.","type":"SOA","ttl":300,"records":[{"content":"ns1.example.test. hostmaster.t12.test. 0 60 30 86400 60"}]},{"name":"t12.test.","type":"NS","ttl":300,"records":[{"content":"ns1.example.test."},{"content":"ns2.example.test."},{"content":"ns3.example.test."}]}]}"#;
    assert_eq!(lab.pdns_api("POST", "/zones", Some(zone)), 201);
    for meta in [
        r#"{"kind":"TSIG-ALLOW-DNSUPDATE","metadata":["nsync-key"]}"#,
        r#"{"kind":"SOA-EDIT-DNSUPDATE","metadata":["INCREASE"]}"#,
    ] {
        assert_eq!(
            lab.pdns_api("POST", "/zones/t12.test./metadata", Some(meta)),
            201
        );
    }
    assert_eq!(code, 1, "{report:#}");
    let found = findings(&report);
    assert!(
        has(
            &found,
            "refused",
            "pdns",
            &lab.ip("pdns").to_string(),
            "t12.test."
        ),
        "{found:#?}"
    );
    assert!(!found.iter().any(|f| f["provider"] == "bind"), "{found:#?}");
    let pdns_row = report["zones"][0]["nameservers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["provider"] == "pdns")
        .cloned()
        .unwrap();
    assert_eq!(
        pdns_row["checked"], 0,
        "a refusing address gets one finding, not one per rrset"
    );
    sync(scratch.path());
    assert_eq!(verify_json(scratch.path()).0, 0);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn an_address_where_nothing_listens_is_a_timeout_that_does_not_hold_up_the_rest() {
    let lab = Lab::get();
    let config = format!(
        "{PRIVATE_ROOT}[verify]\ntimeout_ms = 300\nretries = 1\n\n{}[zones.\"t13.test.\"]\nfile = \"z.zone\"\nproviders = [\"bind\"]\n",
        pinned(&lab, "bind", "ns1.example.test.", ", \"127.0.10.250\""),
    );
    let many: String = (0..300)
        .map(|i| format!("h{i} A 192.0.2.{}\n", i % 250 + 1))
        .collect();
    let scratch = Scratch::new(&[
        ("nsync.toml", &config),
        ("z.zone", &format!("$TTL 300\n{many}")),
    ]);
    sync(scratch.path());
    let (code, report) = verify_json(scratch.path());
    assert_eq!(code, 1, "{report:#}");
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        has(&found, "timeout", "bind", "127.0.10.250", "t13.test."),
        "{found:#?}"
    );
    let rows = report["zones"][0]["nameservers"].as_array().unwrap();
    let live = rows
        .iter()
        .find(|r| r["address"] == lab.ip("bind").to_string())
        .unwrap();
    assert_eq!(live["checked"], 301, "300 hosts and the apex NS");
    assert_eq!(live["mismatches"], 0);
    // The live address answered at its own pace: its median is nowhere near the timeout.
    assert!(
        live["median_latency_ms"].as_f64().unwrap() < 100.0,
        "{live:#}"
    );
    let dead = rows
        .iter()
        .find(|r| r["address"] == "127.0.10.250")
        .unwrap();
    assert_eq!(dead["reachable"], false);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn junit_has_a_case_per_address_and_rrset() {
    let lab = Lab::get();
    let config = format!(
        "{PRIVATE_ROOT}{}[zones.\"t14.test.\"]\nfile = \"z.zone\"\nproviders = [\"knot\"]\n",
        pinned(&lab, "knot", "ns2.example.test.", ""),
    );
    let scratch = Scratch::new(&[
        ("nsync.toml", &config),
        ("z.zone", "$TTL 300\na A 192.0.2.1\nb A 192.0.2.2\n"),
    ]);
    sync(scratch.path());
    lab.nsupdate(
        "knot",
        "zone t14.test.\nupdate delete b.t14.test. A\nupdate add b.t14.test. 300 A 192.0.2.3",
    );
    let out = scratch.path().join("verify.xml");
    nsync(&[
        "verify",
        "--format",
        "junit",
        "--output",
        out.to_str().unwrap(),
    ])
    .dir(scratch.path())
    .run()
    .code(1)
    .stdout_empty();
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(
        xml.contains("<testsuite name=\"t14.test.\" tests=\"5\" failures=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains("classname=\"knot.ns2.example.test.127.0.20.1\" name=\"a.t14.test. A\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"b.t14.test. A\">\n      <failure type=\"mismatch\""),
        "{xml}"
    );
    sync(scratch.path());
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn watch_logs_findings_as_they_appear_and_clear_and_serves_metrics() {
    let lab = Lab::get();
    let config = format!(
        "{PRIVATE_ROOT}{}{}[zones.\"t11.test.\"]\nfile = \"z.zone\"\nproviders = [\"bind\", \"knot\"]\n",
        pinned(&lab, "bind", "ns1.example.test.", ""),
        pinned(&lab, "knot", "ns2.example.test.", ""),
    );
    let scratch = Scratch::new(&[
        ("nsync.toml", &config),
        ("z.zone", "$TTL 300\n$INCLUDE hosts.zone\n"),
        ("hosts.zone", "www A 192.0.2.1\n"),
    ]);
    sync(scratch.path());
    let mut watcher = Watcher::start(scratch.path());
    let wait_for = |what: &str| watcher.wait_for(what);
    wait_for("first run: 2 address(es), 0 finding(s)");
    let m = watcher.scrape();
    assert!(m.contains("nsync_verify_mismatches{zone=\"t11.test.\",provider=\"knot\",nameserver=\"ns2.example.test.\",address=\"127.0.20.1\"} 0"), "{m}");
    assert!(m.contains("nsync_verify_consistent 1"), "{m}");
    assert!(m.contains("nsync_verify_last_run_timestamp_seconds"), "{m}");
    assert!(m.contains("result=\"noerror\"}"), "{m}");
    assert!(
        m.contains("nsync_verify_query_duration_seconds_bucket{le=\"+Inf\"}"),
        "{m}"
    );

    lab.nsupdate(
        "knot",
        "zone t11.test.\nupdate delete www.t11.test. A\nupdate add www.t11.test. 300 A 192.0.2.66",
    );
    let line = wait_for("FINDING mismatch at knot");
    assert!(line.contains("www.t11.test. A"), "{line}");
    // The metrics are set just after the line is logged: scrape until they show it.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let m = loop {
        let m = watcher.scrape();
        if m.contains("address=\"127.0.20.1\"} 1") || std::time::Instant::now() > deadline {
            break m;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(m.contains("address=\"127.0.20.1\"} 1"), "{m}");
    assert!(m.contains("nsync_verify_consistent 0"), "{m}");

    sync(scratch.path());
    wait_for("CLEARED mismatch t11.test. knot");
    let m = watcher.scrape();
    assert!(m.contains("nsync_verify_consistent 1"), "{m}");

    // An edit to an included zone file is picked up: the servers now disagree with it.
    let zone_file = scratch.path().join("hosts.zone");
    std::fs::write(&zone_file, "www A 192.0.2.7\n").unwrap();
    wait_for("reloaded the configuration: 1 zone(s)");
    let line = wait_for("FINDING mismatch at");
    assert!(line.contains("192.0.2.7"), "{line}");

    // A broken nsync.toml is reported and the last good version stays in use; fixing
    // it (and the zone file) brings the watcher back to consistent.
    let config_file = scratch.path().join("nsync.toml");
    std::fs::write(&config_file, format!("{config}colour = \"blue\"\n")).unwrap();
    let line = wait_for("RELOAD FAILED");
    assert!(
        line.contains("still checking against the previous version"),
        "{line}"
    );
    // Two more rounds on the broken file: no reload, and the finding from the last good
    // zone file (192.0.2.7) stays.
    let until = Instant::now() + Duration::from_millis(2500);
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if let Some(line) = watcher.next_line(left) {
            assert!(
                !line.contains("CLEARED") && !line.contains("reloaded"),
                "{line}"
            );
        }
    }
    std::fs::write(&config_file, &config).unwrap();
    std::fs::write(&zone_file, "www A 192.0.2.1\n").unwrap();
    wait_for("reloaded the configuration: 1 zone(s)");
    wait_for("CLEARED mismatch t11.test.");

    let status = watcher.stop();
    assert!(status.success(), "Ctrl-C ends watch cleanly: {status:?}");
    watcher.wait_for("verify --watch stopped");
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn nameserver_names_resolve_through_a_recursive_resolver_too() {
    let lab = Lab::get();
    let config = format!(
        "[resolver]\nrecursive = [\"{}\"]\n\n{}nameservers = [\"ns1.example.test.\"]\n{}nameservers = [\"ns2.example.test.\", \"ns9.example.test.\"]\n[zones.\"t15.test.\"]\nfile = \"z.zone\"\nproviders = [\"bind\", \"knot\"]\n",
        lab.var("LAB_REC_IP"),
        lab.rfc2136_provider("bind", "bind"),
        lab.rfc2136_provider("knot", "knot"),
    );
    // The apex NS is written out: ns9 does not exist, and must not end up in the zone.
    let zone = "$TTL 300\n@ NS ns1.example.test.\n@ NS ns2.example.test.\n@ NS ns3.example.test.\nwww A 192.0.2.1\n";
    let scratch = Scratch::new(&[("nsync.toml", &config), ("z.zone", zone)]);
    sync(scratch.path());
    let (code, report) = verify_json(scratch.path());
    assert_eq!(code, 1, "{report:#}");
    let rows = report["zones"][0]["nameservers"].as_array().unwrap();
    let addresses: Vec<&str> = rows
        .iter()
        .map(|r| r["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        ["127.0.10.1", "127.0.20.1"],
        "found through the resolver: {report:#}"
    );
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["kind"], "unresolvable");
    assert_eq!(found[0]["nameserver"], "ns9.example.test.");
    assert!(
        found[0]["actual"]
            .as_str()
            .unwrap()
            .contains("through the recursive resolver"),
        "{found:#?}"
    );
    // -v says how each nameserver's addresses were found.
    nsync(&["verify", "-v"])
        .dir(scratch.path())
        .run()
        .code(1)
        .stderr_has(
            "verify: provider bind serves t15.test. on ns1.example.test. 127.0.10.1 (resolved)",
        );
}

/// Zones are checked several at a time over shared per-address clients: each zone's
/// report must still hold its own findings, in the config's order, in verify and audit.
#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn several_zones_at_once_each_keep_their_own_findings() {
    let lab = Lab::get();
    let zones: Vec<String> = (25..=30).map(|i| format!("t{i}.test.")).collect();
    // audit checks delegations too: from the private root only.
    let mut config = format!(
        "{PRIVATE_ROOT}{}{}",
        pinned(&lab, "bind", "ns1.example.test.", ""),
        pinned(&lab, "knot", "ns2.example.test.", ""),
    );
    let mut files = Vec::new();
    for (i, zone) in zones.iter().enumerate() {
        config.push_str(&format!(
            "[zones.\"{zone}\"]\nfile = \"z{i}.zone\"\nproviders = [\"bind\", \"knot\"]\n"
        ));
        files.push((
            format!("z{i}.zone"),
            format!("$TTL 300\nwww A 192.0.2.{}\n", i + 1),
        ));
    }
    let mut all: Vec<(&str, &str)> = vec![("nsync.toml", &config)];
    all.extend(files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let scratch = Scratch::new(&all);
    sync(scratch.path());
    assert_eq!(verify_json(scratch.path()).0, 0);

    // One hand edit, on Knot, in the fourth zone only.
    lab.nsupdate(
        "knot",
        "zone t28.test.\nupdate delete www.t28.test. A\nupdate add www.t28.test. 300 A 192.0.2.99",
    );
    let (code, report) = verify_json(scratch.path());
    assert_eq!(code, 1);
    let reported: Vec<&str> = report["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["zone"].as_str().unwrap())
        .collect();
    assert_eq!(reported, zones);
    for (i, z) in report["zones"].as_array().unwrap().iter().enumerate() {
        let found = z["findings"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("no findings array: {z:#}"));
        if zones[i] == "t28.test." {
            assert!(
                has(&found, "mismatch", "knot", "127.0.20.1", "www.t28.test."),
                "{found:#?}"
            );
            assert!(found.iter().all(|f| f["provider"] == "knot"), "{found:#?}");
        } else {
            assert!(found.is_empty(), "{}: {found:#?}", zones[i]);
        }
    }

    let audit = nsync(&["audit", "--format", "json"])
        .dir(scratch.path())
        .run();
    let drift: Vec<Value> = audit.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"].as_str().unwrap().starts_with("drift"))
        .cloned()
        .collect();
    assert!(!drift.is_empty());
    assert!(
        drift
            .iter()
            .all(|f| f["zone"] == "t28.test." && f["provider"] == "knot"),
        "{drift:#?}"
    );

    // Re-running sync converges every zone again.
    sync(scratch.path());
    assert_eq!(verify_json(scratch.path()).0, 0);
}
