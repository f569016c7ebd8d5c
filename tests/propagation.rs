//! `sync` then `verify` must not cry wolf while a secondary catches up: `verify --wait`
//! asks again what fails until it agrees, and says per address how long that took; an
//! address that never catches up (NSD with its transfers blocked by nftables) is named
//! after the time given, exit 1. `sync --wait` does the same after its writes.
//!
//! One test binary, one test at a time (a lock): blocking NSD's transfers is lab-wide.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::lab::Lab;
use common::{Scratch, nsync};
use serde_json::Value;

static LAB_WIDE: Mutex<()> = Mutex::new(());

const ZONE: &str = "prop.test.";

/// BIND as the provider, checked at its own address and at NSD, its secondary.
fn config(lab: &Lab) -> String {
    format!(
        "{}{}nameservers = [{{ name = \"ns1.example.test.\", addresses = [\"{}\"] }}, {{ name = \"ns4.example.test.\", addresses = [\"{}\"] }}]\n\n[verify]\ntimeout_ms = 500\nretries = 1\n\n[zones.\"{ZONE}\"]\nfile = \"z.zone\"\nproviders = [\"bind\"]\n",
        common::PRIVATE_ROOT,
        lab.rfc2136_provider("bind", "bind"),
        lab.ip("bind"),
        lab.ip("nsd"),
    )
}

fn zone_text(version: &str) -> String {
    format!("$TTL 300\n@ TXT \"version {version}\"\nwww A 192.0.2.1\n")
}

/// Drops every packet from NSD to BIND while it lives: NSD can neither ask BIND's SOA
/// nor transfer, so it stays at the serial it has.
struct TransfersBlocked;

impl TransfersBlocked {
    fn new(lab: &Lab) -> TransfersBlocked {
        let rule = format!(
            "add table inet nsync_propagation\nadd chain inet nsync_propagation out {{ type filter hook output priority 0; policy accept; }}\nadd rule inet nsync_propagation out ip saddr {} ip daddr {} drop\n",
            lab.ip("nsd"),
            lab.ip("bind")
        );
        let mut child = Command::new("nft")
            .args(["-f", "-"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("nft (apt-get install nftables; tests/lab/install.sh installs it)");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(rule.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "nft refused the rule");
        TransfersBlocked
    }
}

impl Drop for TransfersBlocked {
    fn drop(&mut self) {
        let _ = Command::new("nft")
            .args(["delete", "table", "inet", "nsync_propagation"])
            .status();
    }
}

fn addresses(report: &Value) -> Vec<Value> {
    report["zones"][0]["nameservers"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("verify JSON has no zones[0].nameservers: {report:#}"))
}

fn sync(dir: &Path) {
    common::sync_ok(dir);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn sync_then_verify_wait_agrees_every_time_and_names_an_address_that_never_catches_up() {
    let lab = Lab::get();
    let _one = LAB_WIDE.lock().unwrap_or_else(|e| e.into_inner());
    let scratch = Scratch::new(&[("nsync.toml", &config(&lab)), ("z.zone", &zone_text("0"))]);
    let dir = scratch.path();

    // Without --wait, sync says the change may take time to reach every nameserver.
    nsync(&["sync", "--yes", "--force"])
        .dir(dir)
        .run()
        .code(0)
        .stderr_has("--wait");

    // The README's recipe, ten times: each verify agrees once NSD has caught up.
    for run in 1..=10 {
        std::fs::write(dir.join("z.zone"), zone_text(&run.to_string())).unwrap();
        sync(dir);
        let ran = nsync(&["verify", "--wait", "30s", "--format", "json"])
            .dir(dir)
            .run();
        ran.code(0);
        let report = ran.json();
        let all = addresses(&report);
        assert_eq!(all.len(), 2, "{report:#}");
        for a in &all {
            assert_eq!(a["propagated"], true, "run {run}: {report:#}");
            assert!(
                a["propagation_seconds"].as_f64().unwrap() < 30.0,
                "{report:#}"
            );
        }
    }

    // NSD cut off from BIND: the change never reaches it.
    let blocked = TransfersBlocked::new(&lab);
    std::fs::write(dir.join("z.zone"), zone_text("blocked")).unwrap();
    sync(dir);
    let start = Instant::now();
    let ran = nsync(&["verify", "--wait", "5s", "--format", "json"])
        .dir(dir)
        .run();
    let took = start.elapsed();
    drop(blocked);
    ran.code(1);
    assert!(
        took >= Duration::from_secs(5) && took < Duration::from_secs(12),
        "verify --wait 5s took {took:?}"
    );
    let report = ran.json();
    let nsd = lab.ip("nsd").to_string();
    let bind = lab.ip("bind").to_string();
    for a in addresses(&report) {
        if a["address"] == nsd.as_str() {
            assert_eq!(a["propagated"], false, "{report:#}");
            assert!(a["propagation_seconds"].is_null(), "{report:#}");
        } else {
            assert_eq!(a["address"], bind.as_str());
            assert_eq!(a["propagated"], true, "{report:#}");
            assert!(a["propagation_seconds"].as_f64().unwrap() < 5.0);
        }
    }
    let findings = report["zones"][0]["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "{report:#}");
    assert!(
        findings.iter().all(|f| f["address"] == nsd.as_str()),
        "only NSD differs: {report:#}"
    );
    // The table says it too.
    let ran = nsync(&["verify", "--wait", "1s"]).dir(dir).run();
    ran.stdout_has("propagated in");

    // Unblocked, the next change reaches NSD again, and sync --wait waits for it.
    std::fs::write(dir.join("z.zone"), zone_text("unblocked")).unwrap();
    let ran = nsync(&["sync", "--yes", "--force", "--wait", "30s"])
        .dir(dir)
        .run();
    ran.code(0).stdout_has("propagated in");
    nsync(&["verify"]).dir(dir).run().code(0);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn sync_wait_reports_what_never_propagated_and_exits_2() {
    let lab = Lab::get();
    let _one = LAB_WIDE.lock().unwrap_or_else(|e| e.into_inner());
    let scratch = Scratch::new(&[("nsync.toml", &config(&lab)), ("z.zone", &zone_text("a"))]);
    let dir = scratch.path();
    nsync(&["sync", "--yes", "--force", "--wait", "30s"])
        .dir(dir)
        .run()
        .code(0);
    let blocked = TransfersBlocked::new(&lab);
    std::fs::write(dir.join("z.zone"), zone_text("b")).unwrap();
    let ran = nsync(&[
        "sync", "--yes", "--force", "--wait", "3s", "--format", "json",
    ])
    .dir(dir)
    .run();
    drop(blocked);
    ran.code(2);
    let json = ran.json();
    let t = &json["targets"][0];
    assert_eq!(t["status"], "applied", "{json:#}");
    assert_eq!(t["propagated"], false, "{json:#}");
    assert_eq!(
        t["not_propagated"][0],
        lab.ip("nsd").to_string().as_str(),
        "{json:#}"
    );
    // The writes are done: the next sync only waits, and NSD catches up once a change
    // notifies it again.
    std::fs::write(dir.join("z.zone"), zone_text("c")).unwrap();
    nsync(&["sync", "--yes", "--force", "--wait", "30s"])
        .dir(dir)
        .run()
        .code(0);
}
