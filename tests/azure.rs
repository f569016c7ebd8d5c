//! Azure DNS against the in-repo fake of ARM and Entra ID (providers/azure/src/fake.rs):
//! an edit made by someone else between nsync's read and its write is refused by its
//! ETag (412), read again and planned again, never overwritten unseen; Azure's four NS
//! stay in the apex NS; a resource group spelt in another case is named as such; the
//! budget headers Azure DNS sends pace the writes.

mod common;

use std::sync::{Arc, Mutex};

use common::{Scratch, nsync};
use nsync_azure::fake::{self, CLIENT_ID, Control, NAME_SERVERS, SUBSCRIPTION, State, TENANT};

fn fake(zone: &str) -> (tokio::runtime::Runtime, Control, String, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = Arc::new(Mutex::new(State::default()));
    state.lock().unwrap().add_zone(zone);
    let (authority, endpoint) = rt.block_on(fake::start(state.clone()));
    (rt, state, authority, endpoint)
}

fn setup(authority: &str, endpoint: &str, group: &str, zone: &str, text: &str) -> Scratch {
    let scratch = Scratch::new(&[("secret", "azure-test-secret\n"), ("z.zone", text)]);
    let secret = scratch.path().join("secret");
    std::fs::set_permissions(&secret, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let config = format!(
        "[providers.az]\nkind = \"azure\"\nendpoint = \"{endpoint}\"\nauthority = \"{authority}\"\nsubscription_id = \"{SUBSCRIPTION}\"\nresource_group = \"{group}\"\ntenant_id = \"{TENANT}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"file:{}\"\n\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"az\"]\n",
        secret.display()
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    scratch
}

#[test]
fn an_edit_between_read_and_write_is_refused_by_its_etag_and_read_again() {
    let (_rt, state, authority, endpoint) = fake("etag.test");
    let scratch = setup(
        &authority,
        &endpoint,
        "DNS-Zones",
        "etag.test.",
        "$TTL 300\nwww A 192.0.2.1\n",
    );
    nsync(&["sync", "--yes", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    // Change the value; someone else changes the TTL of the same record set after nsync
    // has read it.
    std::fs::write(scratch.path().join("z.zone"), "$TTL 300\nwww A 192.0.2.2\n").unwrap();
    state.lock().unwrap().edit_before_write = Some(("etag.test".into(), "www".into(), "A".into()));
    let ran = nsync(&["sync", "--yes", "-v"]).dir(scratch.path()).run();
    ran.code(0).stderr_has("PreconditionFailed");
    let s = state.lock().unwrap();
    assert_eq!(
        s.precondition_failed, 1,
        "the write planned from the old read was refused"
    );
    let www = s.zones[0].sets.iter().find(|r| r.name == "www").unwrap();
    assert_eq!(www.properties["ARecords"][0]["ipv4Address"], "192.0.2.2");
    assert_eq!(
        www.properties["TTL"], 300,
        "planned again from what was there"
    );
    drop(s);
    assert_eq!(nsync(&["plan"]).dir(scratch.path()).run().code, 0);
}

#[test]
fn azures_own_nameservers_stay_and_a_group_in_another_case_is_named() {
    let (_rt, state, authority, endpoint) = fake("own.test");
    let scratch = setup(
        &authority,
        &endpoint,
        "DNS-Zones",
        "own.test.",
        "$TTL 300\n@ NS ns1.example.net.\nwww A 192.0.2.1\n",
    );
    // The zone file's apex NS lacks Azure's: they are kept (the fake refuses to lose
    // them), and the zone file's is added.
    nsync(&["sync", "--yes", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let ns: Vec<String> = {
        let s = state.lock().unwrap();
        let set = s.zones[0]
            .sets
            .iter()
            .find(|r| r.name == "@" && r.rtype == "NS")
            .unwrap();
        set.properties["NSRecords"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["nsdname"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ns.len(), 5, "{ns:?}");
    for n in NAME_SERVERS {
        assert!(ns.iter().any(|h| format!("{h}.") == n), "{n} kept: {ns:?}");
    }
    assert_eq!(
        nsync(&["plan"]).dir(scratch.path()).run().code,
        0,
        "and it converges"
    );
    let wrong = setup(
        &authority,
        &endpoint,
        "dns-zones",
        "own.test.",
        "$TTL 300\nwww A 192.0.2.1\n",
    );
    nsync(&["plan"])
        .dir(wrong.path())
        .run()
        .code(2)
        .stdout_has("ResourceGroupNotFound")
        .stdout_has("check resource_group's spelling and case");
}

#[test]
fn azure_dns_budget_headers_pace_the_writes_without_a_429() {
    let (_rt, state, authority, endpoint) = fake("paced.test");
    // A write budget of 10, refilled over 2 s; the sync writes 25 record sets.
    state.lock().unwrap().budgets[0] = fake::Bucket::new(10, std::time::Duration::from_secs(2));
    let text: String = std::iter::once("$TTL 300\n".to_string())
        .chain((0..25).map(|i| format!("h{i} A 192.0.2.{}\n", i + 1)))
        .collect();
    let scratch = setup(&authority, &endpoint, "DNS-Zones", "paced.test.", &text);
    let ran = nsync(&["sync", "--yes", "-v"]).dir(scratch.path()).run();
    ran.code(0).stderr_has("az: pacing: waiting");
    let s = state.lock().unwrap();
    assert_eq!(s.throttled, 0, "paced: no request met a spent budget");
    assert_eq!(s.zones[0].sets.len(), 2 + 25, "SOA, NS and the 25");
}

#[test]
fn metadata_set_on_a_record_set_survives_nsync_changing_it() {
    let (_rt, state, authority, endpoint) = fake("meta.test");
    let scratch = setup(
        &authority,
        &endpoint,
        "DNS-Zones",
        "meta.test.",
        "$TTL 300\nwww A 192.0.2.1\n",
    );
    nsync(&["sync", "--yes", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    {
        let mut s = state.lock().unwrap();
        let www = s.zones[0]
            .sets
            .iter_mut()
            .find(|r| r.name == "www")
            .unwrap();
        www.properties["metadata"] = serde_json::json!({"owner": "web team"});
    }
    std::fs::write(scratch.path().join("z.zone"), "$TTL 300\nwww A 192.0.2.2\n").unwrap();
    nsync(&["sync", "--yes", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let s = state.lock().unwrap();
    let www = s.zones[0].sets.iter().find(|r| r.name == "www").unwrap();
    assert_eq!(www.properties["ARecords"][0]["ipv4Address"], "192.0.2.2");
    assert_eq!(www.properties["metadata"]["owner"], "web team", "{www:?}");
}
