//! DigitalOcean against the in-repo fake API (providers/digitalocean/src/fake.rs): a sync
//! paced by the `ratelimit-*` headers spends a small budget without one 429 and says so
//! in `-v`; a zone with a record DigitalOcean cannot store is refused by check and sync
//! before anything is written at any provider; DigitalOcean's own nameservers stay in
//! the apex NS and join the union the other providers serve.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Scratch, nsync};
use nsync_digitalocean::fake::{self, Budget, Control, State};

const TOKEN: &str = "dop_v1_test";

struct Fake {
    _rt: tokio::runtime::Runtime,
    state: Control,
    url: String,
}

fn fake(domains: &[&str]) -> Fake {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        s.tokens.push(TOKEN.into());
        for d in domains {
            s.add_domain(d);
        }
    }
    let url = rt.block_on(fake::start(state.clone()));
    Fake {
        _rt: rt,
        state,
        url,
    }
}

fn setup(f: &Fake, zone: &str, text: &str, extra_providers: &str, providers: &str) -> Scratch {
    let scratch = Scratch::new(&[("token", &format!("{TOKEN}\n")), ("z.zone", text)]);
    let token = scratch.path().join("token");
    std::fs::set_permissions(&token, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let config = format!(
        "[providers.do]\nkind = \"digitalocean\"\nendpoint = \"{}\"\napi_token = \"file:{}\"\n{extra_providers}\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [{providers}]\n",
        f.url,
        token.display()
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    scratch
}

#[test]
fn a_small_budget_is_spent_at_its_pace_without_a_429() {
    let f = fake(&["paced.test"]);
    // 10 requests per 2 s window; the sync needs about 30.
    f.state.lock().unwrap().budget = Budget::new(10, Duration::from_secs(2));
    let text: String = std::iter::once("$TTL 300\n".to_string())
        .chain((0..25).map(|i| format!("h{i} A 192.0.2.{}\n", i + 1)))
        .collect();
    let scratch = setup(&f, "paced.test.", &text, "", "\"do\"");
    let start = Instant::now();
    let ran = nsync(&["sync", "--yes", "-v"]).dir(scratch.path()).run();
    ran.code(0)
        .stderr_has("do: pacing: waiting")
        .stderr_has("so as not to exceed the API's rate limit");
    let s = f.state.lock().unwrap();
    assert_eq!(s.over_budget, 0, "paced: no request met a spent budget");
    assert_eq!(s.domains[0].records.len(), 4 + 25, "SOA, 3 NS and the 25");
    assert!(
        start.elapsed() >= Duration::from_secs(4),
        "30 requests at 10 per 2 s take at least two windows: {:?}",
        start.elapsed()
    );
    drop(s);
    // Without -v the waits are not shown.
    let ran = nsync(&["plan"]).dir(scratch.path()).run();
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(!ran.stderr.contains("pacing"), "{}", ran.stderr);
}

#[test]
fn a_record_digitalocean_cannot_store_stops_check_and_sync_everywhere() {
    let f = fake(&["refused.test"]);
    let text = "$TTL 300\nwww A 192.0.2.1\nh SSHFP 4 2 9d5fab2c7e0b1f3a4c6d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d\n";
    let files = "[providers.files]\nkind = \"zonefile\"\ndirectory = \"out\"\n";
    let scratch = setup(&f, "refused.test.", text, files, "\"files\", \"do\"");
    let expected = "z.zone:3:1: error: provider do (digitalocean) cannot store SSHFP records (h.refused.test. SSHFP)";
    nsync(&["check"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has(expected)
        .stderr_has("remove the record, or take this provider off the zone in nsync.toml");
    for args in [&["plan"][..], &["sync", "--yes"][..]] {
        nsync(args)
            .dir(scratch.path())
            .run()
            .code(2)
            .stderr_has(expected)
            .stderr_has("nothing was changed at any provider");
    }
    assert_eq!(
        f.state.lock().unwrap().writes,
        0,
        "nothing written at DigitalOcean"
    );
    assert!(
        !scratch
            .path()
            .join("out")
            .join("refused.test.zone")
            .exists(),
        "nothing written at the other provider"
    );
}

#[test]
fn digitaloceans_own_nameservers_stay_and_join_the_union() {
    let f = fake(&["union.test"]);
    let files = "[providers.files]\nkind = \"zonefile\"\ndirectory = \"out\"\nnameservers = [\"ns1.example.net.\"]\n";
    let scratch = setup(
        &f,
        "union.test.",
        "$TTL 300\nwww A 192.0.2.1\n",
        files,
        "\"files\", \"do\"",
    );
    std::fs::create_dir_all(scratch.path().join("out")).unwrap();
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let ns_data: Vec<String> = {
        let s = f.state.lock().unwrap();
        let mut v: Vec<String> = s.domains[0]
            .records
            .iter()
            .filter(|r| r.body["type"] == "NS")
            .map(|r| r.body["data"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        ns_data,
        [
            "ns1.digitalocean.com",
            "ns1.example.net.",
            "ns2.digitalocean.com",
            "ns3.digitalocean.com"
        ],
        "DigitalOcean's three stay; the other provider's is added"
    );
    let written = std::fs::read_to_string(scratch.path().join("out").join("union.test.zone"))
        .unwrap()
        .to_lowercase();
    for ns in [
        "ns1.digitalocean.com.",
        "ns2.digitalocean.com.",
        "ns3.digitalocean.com.",
        "ns1.example.net.",
    ] {
        assert!(
            written.contains(ns),
            "the zone file serves the union: {written}"
        );
    }
    let ran = nsync(&["plan"]).dir(scratch.path()).run();
    assert_eq!(
        ran.code, 0,
        "plans nothing after: {}{}",
        ran.stdout, ran.stderr
    );
}
