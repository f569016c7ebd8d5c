//! One provider's API stalls (answers nothing, holds the connection): it fails alone at
//! its `deadline_seconds`, retries and timeouts included, and the zone's other providers
//! are written in that same run (#25's first step: a deadline per provider, so a sick one
//! costs the others its deadline, not five full timeouts).

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Scratch, nsync};
use nsync_cloudflare::fake::{self, State};
use nsync_testkit::http_relay::{self, Action};

#[test]
fn a_stalled_provider_fails_alone_at_its_deadline() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        s.tokens.push(("good".into(), "active".into()));
        s.add_zone("sick.test");
    }
    let url = rt.block_on(fake::start(state.clone()));
    let target: std::net::SocketAddr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let rule: http_relay::Rule = Arc::new(|_, _, _| Action::Stall(Duration::from_secs(600)));
    let relay = rt.block_on(http_relay::start(target, rule));
    let stalled = url.replace(&target.to_string(), &relay.to_string());
    let scratch = Scratch::new(&[
        ("token", "good\n"),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    let config = format!(
        "[providers.a]\nkind = \"zonefile\"\ndirectory = \"a\"\nnameservers = [{{ name = \"ns1.example.net.\" }}]\n\n[providers.b]\nkind = \"zonefile\"\ndirectory = \"b\"\nnameservers = [{{ name = \"ns2.example.net.\" }}]\n\n[providers.cf]\nkind = \"cloudflare\"\nendpoint = \"{stalled}\"\napi_token = \"file:{}\"\ntimeout_seconds = 60\ndeadline_seconds = 3\nnameservers = [{{ name = \"ada.ns.cloudflare.com.\" }}]\n\n[zones.\"sick.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\", \"b\", \"cf\"]\n",
        scratch.path().join("token").display()
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    let _guard = rt.enter();
    let began = Instant::now();
    let ran = nsync(&["sync", "--yes", "--create-missing", "--format", "json"])
        .dir(scratch.path())
        .run();
    let took = began.elapsed();
    assert_eq!(ran.code, 2, "{ran:?}");
    let report = ran.json();
    let targets = report["targets"].as_array().unwrap();
    let by = |p: &str| targets.iter().find(|t| t["provider"] == p).unwrap().clone();
    let cf = by("cf");
    assert!(
        cf["error"]["message"]
            .as_str()
            .unwrap()
            .contains("deadline of 3 s"),
        "{cf:#}"
    );
    for p in ["a", "b"] {
        assert!(by(p)["error"].is_null(), "{p} was written: {report:#}");
    }
    // The stalled provider was given up at its deadline, not retried five times.
    assert!(!ran.stderr.contains("retrying"), "{}", ran.stderr);
    eprintln!("the sync with a stalled provider took {took:?}");
    let plan = nsync(&["plan", "-q", "--provider", "a", "--provider", "b"])
        .dir(scratch.path())
        .run();
    assert_eq!(plan.code, 0, "{plan:?}");
}
