//! verify takes answers only from valid packets (RFC 5452 §9.1): a packet with the right
//! id but another question, one cut short, or 64 KB of garbage, arriving before the real
//! answer, is dropped and counted, and the real answer 50 ms later is used. With only the
//! bad packets the address is reported (timeout, saying what was dropped), within the
//! configured timeouts. An address that answers only over TCP (UDP goes nowhere) is
//! reported `udp_unanswered`: resolvers never get past the UDP.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::hostile::HostileRelay;
use common::lab::Lab;
use common::{Scratch, nsync};

const ZONE: &str = "t30.test.";

fn config(lab: &Lab, relay: SocketAddr) -> String {
    format!(
        "{}{}nameservers = [{{ name = \"ns1.example.test.\", addresses = [\"{}\", \"{relay}\"] }}]\n\n[verify]\ntimeout_ms = 400\nretries = 1\n\n[zones.\"{ZONE}\"]\nfile = \"z.zone\"\nproviders = [\"bind\"]\n",
        common::PRIVATE_ROOT,
        lab.rfc2136_provider("bind", "bind"),
        lab.ip("bind"),
    )
}

const ZONE_FILE: &str = "$TTL 300\nwww A 192.0.2.1\nwww AAAA 2001:db8::1\n@ TXT \"hostile path test\"\nmail MX 10 mx.example.net.\n";

/// The zone synced to BIND, and a config that checks BIND directly and through a hostile
/// relay in front of it.
fn synced_behind_relay(lab: &Lab, answer_too: bool) -> (HostileRelay, Scratch) {
    let bind = SocketAddr::new(lab.ip("bind"), 53);
    let relay = HostileRelay::start(bind, answer_too);
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(lab, relay.address)),
        ("z.zone", ZONE_FILE),
    ]);
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    (relay, scratch)
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn packets_that_are_not_the_answer_are_dropped_and_the_real_answer_is_used() {
    let lab = Lab::get();
    let (relay, scratch) = synced_behind_relay(&lab, true);
    let dir = scratch.path();
    let ran = nsync(&["verify", "--format", "json", "-v"]).dir(dir).run();
    ran.code(0);
    let report = ran.json();
    let at_relay = report["zones"][0]["nameservers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["address"] == relay.address.to_string().as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(at_relay["errors"], 0, "{report:#}");
    assert_eq!(at_relay["mismatches"], 0, "{report:#}");
    // Three decoys before each of the SOA, four rrsets and the NXDOMAIN probe.
    assert!(
        at_relay["discarded_packets"].as_u64().unwrap() >= 18,
        "{report:#}"
    );
    ran.stderr_has(&format!("{} (bind ns1.example.test.) sent", relay.address))
        .stderr_has("that were not the answer");
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn only_bad_packets_are_reported_as_such_within_the_configured_timeout() {
    let lab = Lab::get();
    let (relay, scratch) = synced_behind_relay(&lab, false);
    let dir = scratch.path();
    let start = Instant::now();
    let ran = nsync(&["verify", "--format", "json"]).dir(dir).run();
    let took = start.elapsed();
    ran.code(1);
    // The SOA: two tries of 400 ms, then nothing more is asked there (no transfer either).
    assert!(took < Duration::from_secs(4), "verify took {took:?}");
    let report = ran.json();
    let findings = report["zones"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report:#}");
    let f = &findings[0];
    assert_eq!(f["kind"], "timeout");
    assert_eq!(f["address"], relay.address.to_string().as_str());
    assert!(
        f["actual"]
            .as_str()
            .unwrap()
            .contains("did not parse or answered another question, and were dropped"),
        "{report:#}"
    );
}

/// An address that answers over TCP only: UDP to it goes nowhere, TCP reaches the real
/// server. Resolvers never get past the UDP, so verify must not call it consistent.
#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn an_address_that_answers_only_over_tcp_is_reported() {
    let lab = Lab::get();
    let bind = SocketAddr::new(lab.ip("bind"), 53);
    // A UDP socket that reads and never answers, and a TCP proxy on the same port.
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = udp.local_addr().unwrap().port();
    let tcp = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while udp.recv_from(&mut buf).is_ok() {}
    });
    std::thread::spawn(move || {
        for client in tcp.incoming().flatten() {
            let Ok(server) = std::net::TcpStream::connect(bind) else {
                continue;
            };
            let (mut c1, mut s1) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (mut c2, mut s2) = (client, server);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut c1, &mut s1);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s2, &mut c2);
            });
        }
    });
    let only_tcp = SocketAddr::from(([127, 0, 0, 1], port));
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(&lab, only_tcp)),
        ("z.zone", ZONE_FILE),
    ]);
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let ran = nsync(&["verify", "--format", "json"])
        .dir(scratch.path())
        .run();
    ran.code(1);
    let report = ran.json();
    let findings = report["zones"][0]["findings"].as_array().unwrap();
    let udp = findings
        .iter()
        .find(|f| f["kind"] == "udp_unanswered")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(udp["address"], only_tcp.to_string().as_str());
    assert!(udp["actual"].as_str().unwrap().contains("dead"), "{udp:#}");
}
