//! The shipped Prometheus alert rules (monitoring/nsync.rules.yml) are valid
//! (`promtool check rules`) and fire on the metrics `nsync verify --watch` really serves
//! (`promtool test rules`, its input series made from a scrape of a watcher that checks
//! the lab with one dead address): the dead address alerts as unreachable and then stale,
//! the healthy ones never do, and a watcher that stops running alerts too.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::lab::Lab;
use common::watch::{Watcher, free_port};
use common::{Scratch, nsync, repo_root};

fn rules() -> PathBuf {
    repo_root().join("monitoring/nsync.rules.yml")
}

fn promtool(args: &[&str]) -> std::process::Output {
    Command::new("promtool")
        .args(args)
        .output()
        .expect("promtool (Debian package prometheus; tests/lab/install.sh installs it)")
}

/// Writes a `promtool test rules` file and runs it; fails with promtool's output.
fn promtool_test(file: &std::path::Path, test: &str) {
    std::fs::write(file, test).unwrap();
    let out = promtool(&["test", "rules", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "promtool test rules failed:\n{}{}\n--- test file:\n{test}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_rules_file_is_valid() {
    let out = promtool(&["check", "rules", rules().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A served sample: `name{labels} value`, labels as (key, value).
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            let (name, labels) = match series.split_once('{') {
                Some((n, rest)) => (n, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split("\",")
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once("=\"").unwrap();
                    (k.to_string(), v.trim_end_matches('"').to_string())
                })
                .collect();
            Sample {
                name: name.to_string(),
                labels,
                value: value.parse().unwrap(),
            }
        })
        .collect()
}

fn label<'a>(s: &'a Sample, key: &str) -> &'a str {
    s.labels
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// The rules file's annotations of one alert, with `{{ $labels.x }}` filled in.
fn annotations(alert: &str, labels: &[(String, String)]) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(rules()).unwrap();
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("- alert: ") {
            inside = name == alert;
            continue;
        }
        if !inside {
            continue;
        }
        for key in ["summary", "description"] {
            if let Some(v) = t.strip_prefix(&format!("{key}: ")) {
                let mut v = v.trim_matches('"').to_string();
                for (k, value) in labels {
                    v = v.replace(&format!("{{{{ $labels.{k} }}}}"), value);
                }
                out.push((key.to_string(), v));
            }
        }
    }
    out
}

fn yaml_map(pairs: &[(String, String)], indent: &str) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{indent}{k}: '{}'\n", v.replace('\'', "''")))
        .collect()
}

fn alert(name: &str, severity: &str, labels: &[(String, String)]) -> String {
    let mut all = labels.to_vec();
    all.push(("severity".into(), severity.into()));
    format!(
        "          - exp_labels:\n{}            exp_annotations:\n{}",
        yaml_map(&all, "              "),
        yaml_map(&annotations(name, labels), "              ")
    )
}

fn series(s: &Sample, values: &str) -> String {
    let labels: Vec<String> = s
        .labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect();
    format!(
        "      - series: '{}{{{}}}'\n        values: '{values}'\n",
        s.name,
        labels.join(",")
    )
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn the_rules_fire_on_metrics_nsync_served() {
    let lab = Lab::get();
    let dead = format!("127.0.0.1:{}", free_port());
    let config = format!(
        "{}{}nameservers = [{{ name = \"ns1.example.test.\", addresses = [\"{}\", \"{dead}\"] }}]\n{}nameservers = [{{ name = \"ns2.example.test.\", addresses = [\"{}\"] }}]\n[verify]\ntimeout_ms = 300\nretries = 0\n\n[zones.\"t29.test.\"]\nfile = \"z.zone\"\nproviders = [\"bind\", \"knot\"]\n",
        common::PRIVATE_ROOT,
        lab.rfc2136_provider("bind", "bind"),
        lab.ip("bind"),
        lab.rfc2136_provider("knot", "knot"),
        lab.ip("knot"),
    );
    let scratch = Scratch::new(&[
        ("nsync.toml", &config),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    let dir = scratch.path();
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(dir)
        .run()
        .code(0);
    let mut watcher = Watcher::start(dir);
    let wait_for = |what: &str| {
        watcher.wait_for(what);
    };
    wait_for("first run");
    // An edit, then the sync that carries it: Knot's propagation time is measured.
    std::fs::write(dir.join("z.zone"), "$TTL 300\nwww A 192.0.2.2\n").unwrap();
    wait_for("reloaded the configuration");
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(dir)
        .run()
        .code(0);
    let deadline = Instant::now() + Duration::from_secs(20);
    let served = loop {
        let m = watcher.scrape();
        if m.contains(
            "nsync_verify_propagation_seconds_count{zone=\"t29.test.\",provider=\"knot\"} 1",
        ) {
            break m;
        }
        assert!(
            Instant::now() < deadline,
            "no propagation time for knot:\n{m}"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    watcher.stop();
    assert!(
        served.contains("nsync_verify_seconds_since_agreed{"),
        "{served}"
    );
    assert!(served.contains(&format!("address=\"{dead}\"")), "{served}");

    // The scrape as promtool input series, each sample held over 40 minutes: gauges
    // steady, a dead address's seconds-since-agreed growing with time, the watcher's
    // last-run timestamp advancing (or, in the second group, frozen).
    let all = samples(&served);
    // An address that did not agree in the served run (it had errors or mismatches) keeps
    // not agreeing; the others keep agreeing.
    let differs = |address: &str| {
        all.iter().any(|s| {
            matches!(
                s.name.as_str(),
                "nsync_verify_errors" | "nsync_verify_mismatches"
            ) && label(s, "address") == address
                && s.value > 0.0
        })
    };
    let mut healthy = String::new();
    let mut stopped = String::new();
    for s in &all {
        let values = match s.name.as_str() {
            "nsync_verify_seconds_since_agreed" if differs(label(s, "address")) => {
                format!("{}+60x40", s.value)
            }
            "nsync_verify_last_run_timestamp_seconds" => {
                stopped.push_str(&series(s, "0x40"));
                healthy.push_str(&series(s, "0+60x40"));
                continue;
            }
            _ => format!("{}x40", s.value),
        };
        healthy.push_str(&series(s, &values));
        stopped.push_str(&series(s, &values));
    }
    let dead_labels = |name: &str| -> Vec<(String, String)> {
        let s = all
            .iter()
            .find(|s| s.name == name && label(s, "address") == dead)
            .unwrap_or_else(|| panic!("no {name} for {dead}:\n{served}"));
        assert_eq!(label(s, "provider"), "bind");
        s.labels.clone()
    };
    let unreachable = alert(
        "NsyncNameserverUnreachable",
        "page",
        &dead_labels("nsync_verify_reachable"),
    );
    let stale = alert(
        "NsyncNameserverStale",
        "warning",
        &dead_labels("nsync_verify_seconds_since_agreed"),
    );
    let inconsistent = alert("NsyncZoneInconsistent", "page", &[]);
    let verify_stopped = alert("NsyncVerifyStopped", "page", &[]);
    let test = format!(
        "rule_files:\n  - {rules}\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n{healthy}    alert_rule_test:\n      - eval_time: 2m\n        alertname: NsyncNameserverUnreachable\n        exp_alerts: []\n      - eval_time: 10m\n        alertname: NsyncNameserverUnreachable\n        exp_alerts:\n{unreachable}      - eval_time: 11m\n        alertname: NsyncZoneInconsistent\n        exp_alerts:\n{inconsistent}      - eval_time: 5m\n        alertname: NsyncNameserverStale\n        exp_alerts: []\n      - eval_time: 20m\n        alertname: NsyncNameserverStale\n        exp_alerts:\n{stale}      - eval_time: 20m\n        alertname: NsyncVerifyStopped\n        exp_alerts: []\n      - eval_time: 30m\n        alertname: NsyncSlowPropagation\n        exp_alerts: []\n      - eval_time: 30m\n        alertname: NsyncInvalidPackets\n        exp_alerts: []\n  - interval: 1m\n    input_series:\n{stopped}    alert_rule_test:\n      - eval_time: 10m\n        alertname: NsyncVerifyStopped\n        exp_alerts:\n{verify_stopped}",
        rules = rules().display()
    );
    promtool_test(&dir.join("nsync-rules-test.yml"), &test);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn the_dnssec_rules_fire_on_metrics_nsync_served() {
    let lab = Lab::get();
    // ms4.test.: BIND and PowerDNS sign it, Knot serves signatures that expired yesterday.
    let config = format!(
        "{}{}[verify]\ntimeout_ms = 500\nretries = 0\n\n[zones.\"ms4.test.\"]\nfile = \"z.zone\"\nproviders = [\"bind\", \"knot\", \"pdns\"]\n",
        common::PRIVATE_ROOT,
        lab.three_signers(),
    );
    let scratch = Scratch::new(&[
        ("nsync.toml", &config),
        (
            "z.zone",
            "$TTL 300\n@ NS ns1.example.test.\n@ NS ns2.example.test.\n@ NS ns3.example.test.\n",
        ),
    ]);
    let mut watcher = Watcher::start(scratch.path());
    watcher.wait_for("first run");
    let served = watcher.scrape();
    watcher.stop();
    let scraped_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let all = samples(&served);
    let bogus = all
        .iter()
        .find(|s| s.name == "nsync_verify_findings_by_kind" && label(s, "kind") == "dnssec_bogus")
        .unwrap_or_else(|| panic!("no dnssec_bogus count:\n{served}"));
    assert!(bogus.value > 0.0);
    // promtool's clock starts at 0: each expiry becomes the seconds it had left at the
    // scrape, less 12 days, as if the scrape had been taken 12 days later (BIND and
    // PowerDNS sign for two to three weeks, so some fall within the rule's 3 days).
    const LATER: f64 = 12.0 * 86_400.0;
    let mut input = String::new();
    let mut expiring = String::new();
    for s in &all {
        let value = if s.name == "nsync_verify_dnssec_signature_expiry_timestamp_seconds" {
            let left = s.value - scraped_at - LATER;
            if left < 3.0 * 86_400.0 {
                expiring.push_str(&alert("NsyncDnssecSignaturesExpiring", "page", &s.labels));
            }
            left.max(0.0)
        } else {
            s.value
        };
        input.push_str(&series(s, &format!("{value}x20")));
    }
    assert!(
        all.iter().any(
            |s| s.name == "nsync_verify_dnssec_signature_expiry_timestamp_seconds"
                && label(s, "provider") == "bind"
        ),
        "BIND's signatures are valid and have an expiry:\n{served}"
    );
    assert!(
        !all.iter().any(
            |s| s.name == "nsync_verify_dnssec_signature_expiry_timestamp_seconds"
                && label(s, "provider") == "knot"
        ),
        "Knot's are all expired: no valid signature to expire:\n{served}"
    );
    // One alert per kind that breaks validation, as counted in the scrape (Knot's expired
    // signatures; the keys missing between the three signers, never exchanged here).
    let breaking = [
        "algorithm_mismatch",
        "dnskey_incomplete",
        "dnssec_bogus",
        "dnssec_unsigned",
        "ds_missing_for_provider",
    ];
    let broken: String = breaking
        .iter()
        .filter(|k| {
            all.iter().any(|s| {
                s.name == "nsync_verify_findings_by_kind"
                    && label(s, "kind") == **k
                    && s.value > 0.0
            })
        })
        .map(|k| {
            alert(
                "NsyncDnssecBroken",
                "page",
                &[
                    ("kind".to_string(), k.to_string()),
                    ("zone".to_string(), "ms4.test.".to_string()),
                ],
            )
        })
        .collect();
    let expiring_expectation = if expiring.is_empty() {
        " []\n".to_string()
    } else {
        format!("\n{expiring}")
    };
    let test = format!(
        "rule_files:\n  - {rules}\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n{input}    alert_rule_test:\n      - eval_time: 2m\n        alertname: NsyncDnssecBroken\n        exp_alerts: []\n      - eval_time: 10m\n        alertname: NsyncDnssecBroken\n        exp_alerts:\n{broken}      - eval_time: 1m\n        alertname: NsyncDnssecSignaturesExpiring\n        exp_alerts:{expiring_expectation}",
        rules = rules().display()
    );
    promtool_test(&scratch.path().join("nsync-dnssec-rules-test.yml"), &test);
    assert!(
        !expiring.is_empty(),
        "twelve days on, some signature is within 3 days of expiry"
    );
}
