//! Akamai Edge DNS against the in-repo fake API (providers/akamai/src/fake.rs): one sync
//! is one submitted change list; a failure before the submission discards the list and
//! leaves the zone as it was (the next sync converges); a change list someone else has
//! open is theirs, named with what to do; a secondary zone is read and never written; a
//! zone nsync creates gets its SOA and NS from Edge DNS first; TXT it refuses is refused.

mod common;

use std::sync::{Arc, Mutex};

use common::{Scratch, nsync};
use nsync_akamai::fake::{self, ACCESS_TOKEN, CLIENT_SECRET, CLIENT_TOKEN, Control, State};

fn fake(zones: &[(&str, &str)]) -> (tokio::runtime::Runtime, Control, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = Arc::new(Mutex::new(State::default()));
    for (z, t) in zones {
        state.lock().unwrap().add_zone(z, t);
    }
    let base = rt.block_on(fake::start(state.clone()));
    (rt, state, base)
}

fn setup(base: &str, zone: &str, text: &str) -> Scratch {
    let scratch = Scratch::new(&[
        ("ct", &format!("{CLIENT_TOKEN}\n")),
        ("cs", &format!("{CLIENT_SECRET}\n")),
        ("at", &format!("{ACCESS_TOKEN}\n")),
        ("z.zone", text),
    ]);
    let p = scratch.path();
    for f in ["ct", "cs", "at"] {
        std::fs::set_permissions(
            p.join(f),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
    }
    let host = base.trim_start_matches("http://");
    let config = format!(
        "[providers.ak]\nkind = \"akamai\"\nhost = \"{host}\"\nendpoint = \"{base}\"\nclient_token = \"file:{}\"\nclient_secret = \"file:{}\"\naccess_token = \"file:{}\"\n\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"ak\"]\n",
        p.join("ct").display(),
        p.join("cs").display(),
        p.join("at").display()
    );
    std::fs::write(p.join("nsync.toml"), config).unwrap();
    scratch
}

#[test]
fn one_submission_per_sync_and_a_failed_one_changes_nothing() {
    let (_rt, state, base) = fake(&[("cl.test", "primary")]);
    let scratch = setup(
        &base,
        "cl.test.",
        "$TTL 300\nwww A 192.0.2.1\nmail A 192.0.2.2\n",
    );
    nsync(&["sync", "--yes", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    assert_eq!(
        state.lock().unwrap().submissions,
        1,
        "two rrsets, one change list"
    );
    std::fs::write(scratch.path().join("z.zone"), "$TTL 300\nwww A 192.0.2.9\n").unwrap();
    state.lock().unwrap().fail_next_put = true;
    nsync(&["sync", "--yes", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let s = state.lock().unwrap();
    assert_eq!(s.discarded, 1, "the list whose PUT failed was discarded");
    assert_eq!(s.submissions, 2, "and the retry submitted a new one");
    assert!(s.zones[0].change_list.is_none(), "no list left open");
    let www = s.zones[0]
        .sets
        .iter()
        .find(|v| v["name"] == "www.cl.test")
        .unwrap();
    assert_eq!(www["rdata"][0], "192.0.2.9");
    assert!(!s.zones[0].sets.iter().any(|v| v["name"] == "mail.cl.test"));
    drop(s);
    assert_eq!(nsync(&["plan"]).dir(scratch.path()).run().code, 0);
}

#[test]
fn someone_elses_change_list_and_secondary_zones_are_left_alone() {
    let (_rt, state, base) = fake(&[("busy.test", "primary"), ("sec.test", "secondary")]);
    state.lock().unwrap().zones[0].change_list = Some(Vec::new());
    let busy = setup(&base, "busy.test.", "$TTL 300\nwww A 192.0.2.1\n");
    nsync(&["sync", "--yes"])
        .dir(busy.path())
        .run()
        .code(2)
        .stdout_has(
            "someone has a change list open for this zone; submit or discard it in Control Center",
        );
    assert!(
        state.lock().unwrap().zones[0].change_list.is_some(),
        "their list is untouched"
    );
    let sec = setup(&base, "sec.test.", "$TTL 300\nwww A 192.0.2.1\n");
    nsync(&["sync", "--yes"])
        .dir(sec.path())
        .run()
        .code(2)
        .stdout_has("is a secondary zone at Akamai, which is read-only there");
    let s = state.lock().unwrap();
    assert_eq!(s.submissions, 0);
    assert_eq!(s.zones[1].sets.len(), 2, "the secondary zone is as it was");
}

#[test]
fn a_created_zone_gets_its_soa_and_ns_from_edge_dns_before_the_first_change_list() {
    let (_rt, state, base) = fake(&[]);
    let scratch = setup(&base, "new.test.", "$TTL 300\nwww A 192.0.2.1\n");
    let toml = std::fs::read_to_string(scratch.path().join("nsync.toml")).unwrap();
    let toml = toml.replace(
        "[zones.",
        &format!("contract_id = \"{}\"\n\n[zones.", fake::CONTRACT),
    );
    std::fs::write(scratch.path().join("nsync.toml"), toml).unwrap();
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let s = state.lock().unwrap();
    let types: Vec<&str> = s.zones[0]
        .sets
        .iter()
        .map(|v| v["type"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"SOA") && types.contains(&"NS") && types.contains(&"A"),
        "{types:?}"
    );
    assert_eq!(s.submissions, 2, "the empty first list, then the sync's");
    drop(s);
    assert_eq!(nsync(&["plan", "-q"]).dir(scratch.path()).run().code, 0);
}

#[test]
fn txt_that_edge_dns_refuses_is_refused_before_any_write() {
    let (_rt, state, base) = fake(&[("q.test", "primary")]);
    let scratch = setup(&base, "q.test.", "$TTL 300\nt TXT \"say \\\"hi\\\"\"\n");
    nsync(&["sync", "--yes"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("TXT text with a double quote, which Akamai Edge DNS refuses");
    assert_eq!(state.lock().unwrap().submissions, 0);
}
