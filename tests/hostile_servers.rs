//! Servers that never finish: a transfer that drips forever stops at
//! `transfer_timeout_seconds` whatever the per-message timeout says, with a message that
//! names the setting, and nothing retries it; a root that answers every query with a
//! referral to 13 new glue-less names (NXNSAttack) costs at most 100 queries per name.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::{Scratch, nsync};

#[test]
fn a_transfer_that_never_ends_is_stopped_at_its_deadline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                // A length prefix promising 65,535 octets, then one octet at a time.
                let _ = stream.write_all(&[0xff, 0xff]);
                loop {
                    std::thread::sleep(Duration::from_millis(200));
                    if stream.write_all(&[0]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let scratch = Scratch::new(&[
        ("secret", "c2VjcmV0LXNlY3JldC1zZWNyZXQ=\n"),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    let config = format!(
        "[providers.drip]\nkind = \"rfc2136\"\nserver = \"{addr}\"\ntimeout_seconds = 60\ntransfer_timeout_seconds = 2\ntsig = {{ name = \"k\", algorithm = \"hmac-sha256\", secret = \"file:{}\" }}\n\n[zones.\"drip.test.\"]\nfile = \"z.zone\"\nproviders = [\"drip\"]\n",
        scratch.path().join("secret").display()
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    let began = Instant::now();
    let ran = nsync(&["plan"]).dir(scratch.path()).run();
    let took = began.elapsed();
    ran.code(2)
        .stdout_has("the transfer had not ended after 2 s");
    assert!(
        !ran.stderr.contains("retrying"),
        "not retried: {}",
        ran.stderr
    );
    eprintln!("a dripping transfer stopped after {took:?}");
}

/// A zone synced to a zonefile provider whose nameserver is `nameserver`, with the root
/// hints pointing at a referral flood.
fn behind_a_flood(nameserver: &str) -> (common::hostile::ReferralFlood, Scratch) {
    let flood = common::hostile::ReferralFlood::start();
    let scratch = Scratch::new(&[("z.zone", "$TTL 300\nwww A 192.0.2.1\n")]);
    let config = format!(
        "[resolver]\nroot_hints = [\"{}\"]\n\n[providers.p]\nkind = \"zonefile\"\ndirectory = \"out\"\nnameservers = [{nameserver}]\n\n[verify]\ntimeout_ms = 300\nretries = 0\n\n[zones.\"flood.test.\"]\nfile = \"z.zone\"\nproviders = [\"p\"]\n",
        flood.address
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    (flood, scratch)
}

#[test]
fn a_referral_flood_is_bounded_per_name() {
    let (flood, scratch) = behind_a_flood("{ name = \"ns1.flood.example.\" }");
    let began = Instant::now();
    let ran = nsync(&["verify"]).dir(scratch.path()).run();
    let took = began.elapsed();
    let sent = flood.queries.load(std::sync::atomic::Ordering::SeqCst);
    assert_ne!(ran.code, 0, "{ran:?}");
    assert!(
        format!("{}{}", ran.stdout, ran.stderr).contains("ns1.flood.example."),
        "names what it could not resolve: {ran:?}"
    );
    eprintln!("referral flood: {sent} queries in {took:?}");
    // Was 673,080 queries and still running after 120 s.
    assert!(
        sent <= 2 * 100 + 10,
        "{sent} queries for one name (A and AAAA)"
    );
}

#[test]
fn a_referral_flood_is_bounded_for_audits_delegation_walk() {
    let (flood, scratch) =
        behind_a_flood("{ name = \"ns1.example.net.\", addresses = [\"127.0.0.1\"] }");
    let began = Instant::now();
    let ran = nsync(&["audit", "--format", "json"])
        .dir(scratch.path())
        .run();
    let took = began.elapsed();
    let sent = flood.queries.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!("audit under a referral flood: {sent} queries in {took:?}");
    assert_ne!(ran.code, 0, "{ran:?}");
    // Was 248,717 queries in 45 s.
    assert!(sent <= 500, "{sent} queries");
}
