//! NS1 against the in-repo fake API (providers/ns1/src/fake.rs): writes paced by the
//! `X-RateLimit-*` token bucket spend a small budget without one 429 (shown in `-v`);
//! NS1's own nameservers stay in the apex NS and join the union; an advanced record (a
//! filter chain) is held: never flattened, deleted or written over.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Scratch, nsync};
use nsync_ns1::fake::{self, Control, DNS_SERVERS, State};

const KEY: &str = "ns1-test-key";

fn fake(zones: &[&str]) -> (tokio::runtime::Runtime, Control, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        s.keys.push(KEY.into());
        for z in zones {
            s.add_zone(z);
        }
    }
    let url = rt.block_on(fake::start(state.clone()));
    (rt, state, url)
}

fn setup(url: &str, zone: &str, text: &str, extra: &str, providers: &str) -> Scratch {
    let scratch = Scratch::new(&[("key", &format!("{KEY}\n")), ("z.zone", text)]);
    let key = scratch.path().join("key");
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let config = format!(
        "[providers.ns1]\nkind = \"ns1\"\nendpoint = \"{url}\"\napi_key = \"file:{}\"\n{extra}\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [{providers}]\n",
        key.display()
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    scratch
}

#[test]
fn a_small_token_bucket_is_spent_at_its_refill_rate_without_a_429() {
    let (_rt, state, url) = fake(&["paced.test"]);
    // 10 tokens per method, full again in 2 s: 25 creates (PUT) must wait for refills.
    state.lock().unwrap().budget = (10, Duration::from_secs(2));
    let text: String = std::iter::once("$TTL 300\n".to_string())
        .chain((0..25).map(|i| format!("h{i} A 192.0.2.{}\n", i + 1)))
        .collect();
    let scratch = setup(&url, "paced.test.", &text, "", "\"ns1\"");
    nsync(&["sync", "--yes", "-v"])
        .dir(scratch.path())
        .run()
        .code(0)
        .stderr_has("ns1: pacing: waiting");
    let s = state.lock().unwrap();
    assert_eq!(s.over_budget, 0, "paced: no request met an empty bucket");
    assert_eq!(s.zones[0].records.len(), 1 + 25, "the apex NS and the 25");
    drop(s);
    let ran = nsync(&["plan"]).dir(scratch.path()).run();
    assert_eq!(ran.code, 0, "{}", ran.stderr);
}

#[test]
fn ns1s_own_nameservers_stay_and_join_the_union() {
    let (_rt, state, url) = fake(&["union1.test"]);
    let files = "[providers.files]\nkind = \"zonefile\"\ndirectory = \"out\"\nnameservers = [\"ns1.example.net.\"]\n";
    let scratch = setup(
        &url,
        "union1.test.",
        "$TTL 300\nwww A 192.0.2.1\n",
        files,
        "\"files\", \"ns1\"",
    );
    std::fs::create_dir_all(scratch.path().join("out")).unwrap();
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let mut held: Vec<String> = {
        let s = state.lock().unwrap();
        let ns = s.zones[0]
            .records
            .iter()
            .find(|r| r.rtype == "NS" && r.domain == "union1.test")
            .unwrap();
        ns.answers.iter().map(|a| a[0].clone()).collect()
    };
    held.sort();
    let mut want: Vec<String> = DNS_SERVERS.iter().map(|s| s.to_string()).collect();
    want.push("ns1.example.net".into());
    want.sort();
    assert_eq!(held, want, "NS1's four stay; the other provider's is added");
    let written =
        std::fs::read_to_string(scratch.path().join("out").join("union1.test.zone")).unwrap();
    for ns in DNS_SERVERS {
        assert!(
            written.contains(&format!("{ns}.")),
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

#[test]
fn a_filter_chain_record_is_held_never_flattened_or_deleted() {
    let (_rt, state, url) = fake(&["geo.test"]);
    {
        let mut s = state.lock().unwrap();
        s.zones[0]
            .records
            .push(fake::Record::geo_cname("geo-cdn", "cdn.geo.test"));
    }
    let scratch = setup(
        &url,
        "geo.test.",
        "$TTL 300\nwww A 192.0.2.1\n",
        "",
        "\"ns1\"",
    );
    let plan = nsync(&["plan"]).dir(scratch.path()).run();
    plan.code(1).stdout_has(
        "= held at ns1: cdn.geo.test. CNAME (NS1 advanced record (tier 3: metadata or a filter chain))",
    );
    nsync(&["sync", "--yes", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    {
        let s = state.lock().unwrap();
        let cdn = s.zones[0]
            .records
            .iter()
            .find(|r| r.id == "geo-cdn")
            .unwrap();
        assert_eq!(cdn.answers.len(), 2, "not flattened, not deleted: {cdn:?}");
        assert_eq!(cdn.filters.len(), 2);
    }
    let writes = state.lock().unwrap().writes;
    // The name in the zone file: refused before any write.
    std::fs::write(
        scratch.path().join("z.zone"),
        "$TTL 300\nwww A 192.0.2.2\ncdn CNAME eu.cdn.example.net.\n",
    )
    .unwrap();
    nsync(&["sync", "--yes"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("that provider ns1 holds as NS1 advanced record");
    assert_eq!(state.lock().unwrap().writes, writes, "nothing written");
}
