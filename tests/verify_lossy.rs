//! verify over a bad network: nsync's own nameserver (in this process) behind a userspace
//! relay that drops 30 % of the datagrams each way, delays them 200 ms with up to 150 ms
//! of jitter (so they arrive out of order) and duplicates one in ten. Within the
//! configured retries verify still gets every answer: no false mismatch, no address
//! called unreachable that is only lossy; an address that answers nothing is named, and
//! the run stays within its timeouts. No lab needed.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

use common::{Scratch, nsync};
use std::sync::Arc;

use nsync_testkit::dns_relay::{self, Counters, Impairment};
use nsync_testkit::fixture::runtime;
use serde_json::Value;

const RRSETS: usize = 40;

fn zone_text() -> String {
    let mut t = String::from("$TTL 300\n@ NS ns1.lossy.test.\nns1 A 192.0.2.53\n");
    for i in 0..RRSETS {
        t.push_str(&format!(
            "h{i} A 192.0.2.{}\nh{i} TXT \"record {i}\"\n",
            i + 1
        ));
    }
    t
}

fn config(addresses: &[SocketAddr]) -> String {
    let list: Vec<String> = addresses.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        "[resolver]\nroot_hints = [\"127.0.0.1:9\"]\n\n[verify]\ntimeout_ms = 400\nretries = 3\n\n[providers.lossy]\nkind = \"builtin\"\ndirectory = \"served\"\nnameservers = [{{ name = \"ns1.lossy.test.\", addresses = [{}] }}]\n\n[zones.\"lossy.test.\"]\nfile = \"z.zone\"\nproviders = [\"lossy\"]\n",
        list.join(", ")
    )
}

/// nsync's nameserver on the scratch folder's `served/`, with the zone synced into it.
fn serve(dir: &Path) -> SocketAddr {
    std::fs::create_dir_all(dir.join("served")).unwrap();
    std::fs::write(dir.join("nsync.toml"), config(&[])).unwrap();
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(dir)
        .run()
        .code(0);
    serve_folder(dir.join("served"))
}

/// nsync's nameserver on a folder of zone files, in this process.
fn serve_folder(folder: std::path::PathBuf) -> SocketAddr {
    let running = runtime().block_on(async {
        let (udp, tcp) = nsync::serve::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        nsync::serve::start(udp, tcp, Default::default(), Some(folder))
            .await
            .unwrap()
    });
    let address = running.address;
    let since = SystemTime::now();
    while running.zones.last_scan() <= since {
        std::thread::sleep(Duration::from_millis(10));
    }
    // Served until the test process ends.
    std::mem::forget(running);
    address
}

/// A relay on a loopback port in front of `target`.
fn relay_to(target: SocketAddr, imp: Impairment, seed: u64) -> (SocketAddr, Arc<Counters>) {
    runtime().block_on(dns_relay::start(
        "127.0.0.1:0".parse().unwrap(),
        target,
        imp,
        seed,
    ))
}

fn lossy() -> Impairment {
    Impairment {
        drop: 0.3,
        delay: Duration::from_millis(200),
        jitter: Duration::from_millis(150),
        duplicate: 0.1,
        ..Impairment::default()
    }
}

fn verify(dir: &Path) -> (i32, Value, Duration) {
    let began = Instant::now();
    let ran = nsync(&["verify", "--format", "json"]).dir(dir).run();
    let took = began.elapsed();
    (ran.code, ran.json(), took)
}

fn findings(report: &Value) -> Vec<Value> {
    report["zones"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("verify JSON has no zones[0].findings: {report:#}"))
}

#[test]
fn a_lossy_slow_reordering_link_costs_time_never_a_false_finding() {
    let scratch = Scratch::new(&[("z.zone", &zone_text())]);
    let dir = scratch.path();
    let server = serve(dir);
    let _guard = runtime().enter();
    let (relay, counters) = relay_to(server, lossy(), 7);
    std::fs::write(dir.join("nsync.toml"), config(&[relay])).unwrap();
    let (code, report, took) = verify(dir);
    eprintln!(
        "through the lossy link: {took:?}; relay forwarded {}, dropped {}, duplicated {}",
        counters.forwarded.load(Ordering::Relaxed),
        counters.dropped.load(Ordering::Relaxed),
        counters.duplicated.load(Ordering::Relaxed)
    );
    assert!(
        counters.dropped.load(Ordering::Relaxed) > 10,
        "the link dropped hardly anything: the test proves nothing"
    );
    assert!(counters.duplicated.load(Ordering::Relaxed) > 0);
    assert_eq!(
        code, 0,
        "a lossy link gave findings: {:#}",
        report["zones"][0]["findings"]
    );
    assert!(findings(&report).is_empty());
    // Each query may take 4 UDP sends and one TCP try of 400 ms: the run is bounded by
    // that, times the few rounds verify makes, not by the number of records.
    assert!(took < Duration::from_secs(20), "verify took {took:?}");
}

#[test]
fn an_address_that_answers_nothing_is_named_and_the_lossy_one_is_not() {
    let scratch = Scratch::new(&[("z.zone", &zone_text())]);
    let dir = scratch.path();
    let server = serve(dir);
    let _guard = runtime().enter();
    let (lossy_relay, _) = relay_to(server, lossy(), 11);
    // Every datagram lost, every TCP connection cut before the answer.
    let dead_link = Impairment {
        drop: 1.0,
        tcp_cut: 1.0,
        ..Impairment::default()
    };
    let (dead, _) = relay_to(server, dead_link, 13);
    std::fs::write(dir.join("nsync.toml"), config(&[lossy_relay, dead])).unwrap();
    let (code, report, took) = verify(dir);
    assert_eq!(code, 1, "{report:#}");
    let found = findings(&report);
    assert!(!found.is_empty());
    for f in &found {
        assert_eq!(
            f["address"].as_str(),
            Some(dead.to_string().as_str()),
            "only the dead address has findings: {f:#}"
        );
        assert!(
            matches!(f["kind"].as_str(), Some("timeout" | "unreachable")),
            "{f:#}"
        );
    }
    // The dead address costs its SOA query's whole budget once: 4 x 400 ms over UDP and
    // one TCP try, not a wait per record.
    assert!(took < Duration::from_secs(15), "verify took {took:?}");
}

#[test]
fn watch_with_hold_raises_only_what_lasts_and_does_not_flap() {
    let scratch = Scratch::new(&[("z.zone", &zone_text())]);
    let dir = scratch.path();
    let server = serve(dir);
    let _guard = runtime().enter();
    let (relay, link) = relay_to(server, Impairment::default(), 17);
    let text = config(&[relay]).replace(
        "timeout_ms = 400\nretries = 3",
        "timeout_ms = 200\nretries = 1",
    );
    std::fs::write(dir.join("nsync.toml"), text).unwrap();
    let watcher = common::watch::Watcher::start_with(dir, &["--hold", "2"]);
    watcher.wait_for("first run");
    let wait_runs = |after: u64| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while watcher.runs() <= after {
            assert!(Instant::now() < deadline, "verify --watch stopped running");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    // A blip: the link is down for at most one run. Not raised.
    link.down.store(true, Ordering::Relaxed);
    let v = watcher.runs();
    wait_runs(v);
    link.down.store(false, Ordering::Relaxed);
    let v = watcher.runs();
    wait_runs(v + 2);
    while let Some(line) = watcher.next_line(Duration::from_millis(100)) {
        assert!(
            !line.contains("FINDING"),
            "a one-run blip was raised: {line}"
        );
    }
    // An outage: raised once it has held for two runs, cleared two runs after it ends.
    link.down.store(true, Ordering::Relaxed);
    let before = watcher.runs();
    let raised = watcher.wait_for("FINDING");
    assert!(raised.contains(&relay.to_string()), "{raised}");
    assert!(
        watcher.runs() >= before + 2,
        "raised after fewer than two runs of the outage"
    );
    link.down.store(false, Ordering::Relaxed);
    watcher.wait_for("CLEARED");
}

/// audit through the same bad link: the parent (a root zone on a second server,
/// delegating lossy.test.) and the zone's nameserver each behind a lossy relay. Whatever
/// audit finds on the clean path (a single provider, one network), it finds exactly that
/// through the lossy one: loss costs time, never a finding.
#[test]
fn audit_over_a_lossy_link_finds_what_it_finds_on_a_clean_one() {
    let scratch = Scratch::new(&[("z.zone", &zone_text())]);
    let dir = scratch.path();
    // The parent: a root zone of its own, on a second server.
    std::fs::create_dir_all(dir.join("parent")).unwrap();
    std::fs::write(
        dir.join("parent/.zone"),
        "$ORIGIN .\n$TTL 86400\n@ SOA a.root.test. h.root.test. 1 1800 900 604800 86400\n@ NS a.root.test.\na.root.test. A 127.0.0.1\nlossy.test. NS ns1.lossy.test.\nns1.lossy.test. A 192.0.2.53\n",
    )
    .unwrap();
    let parent = serve_folder(dir.join("parent"));
    let server = serve(dir);
    let _guard = runtime().enter();
    let (relay, counters) = relay_to(server, lossy(), 19);
    let (parent_relay, parent_counters) = relay_to(parent, lossy(), 29);
    let audit = |through: SocketAddr, root: SocketAddr| {
        let text = config(&[through]).replace(
            "root_hints = [\"127.0.0.1:9\"]",
            &format!("root_hints = [\"{root}\"]"),
        );
        std::fs::write(dir.join("nsync.toml"), text).unwrap();
        let ran = nsync(&["audit", "--format", "json"]).dir(dir).run();
        let json = ran.json();
        let mut kinds: Vec<String> = json["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("audit JSON has no findings: {json:#}"))
            .iter()
            .map(|f| format!("{} {}", f["kind"], f["severity"]))
            .collect();
        kinds.sort();
        (ran.code, kinds)
    };
    let clean = audit(server, parent);
    let began = Instant::now();
    let lossy_run = audit(relay, parent_relay);
    eprintln!(
        "audit: clean {clean:?}; through the lossy link in {:?}, {} datagrams dropped",
        began.elapsed(),
        counters.dropped.load(Ordering::Relaxed)
    );
    assert!(counters.dropped.load(Ordering::Relaxed) > 0);
    assert!(parent_counters.dropped.load(Ordering::Relaxed) > 0);
    assert!(
        !clean.1.iter().any(|k| k.contains("zone_not_delegated")),
        "the clean path must see the delegation: {clean:?}"
    );
    assert_eq!(lossy_run, clean, "the lossy link changed what audit found");
}
