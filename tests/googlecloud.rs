//! Google Cloud DNS against the in-repo fake API and token endpoint
//! (providers/googlecloud/src/fake.rs): the access token is fetched once and used until
//! shortly before it expires, then fetched again; a key Google no longer accepts is
//! `auth_failed`, said without a word of the key; one sync is one atomic change.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Scratch, nsync};
use nsync_googlecloud::fake::{self, Control, State};

fn fake() -> (tokio::runtime::Runtime, Control, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = Arc::new(Mutex::new(State::default()));
    state.lock().unwrap().add_zone("tok-test", "tok.test.");
    let base = rt.block_on(fake::start(state.clone()));
    (rt, state, base)
}

fn setup(base: &str, text: &str) -> Scratch {
    let scratch = Scratch::new(&[("key.json", &fake::key_file_for(base)), ("z.zone", text)]);
    let key = scratch.path().join("key.json");
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let config = format!(
        "[providers.gc]\nkind = \"googlecloud\"\nendpoint = \"{base}/dns/v1\"\nproject = \"nsync-test\"\ncredentials = \"file:{}\"\n\n[zones.\"tok.test.\"]\nfile = \"z.zone\"\nproviders = [\"gc\"]\n",
        key.display()
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    scratch
}

#[test]
fn one_token_per_lifetime_and_one_change_per_sync() {
    let (_rt, state, base) = fake();
    // Tokens live 2 s here: nsync uses one for 1 s (half its life, under a minute).
    state.lock().unwrap().token_lifetime = Duration::from_secs(2);
    let text: String = std::iter::once("$TTL 300\n".to_string())
        .chain((0..40).map(|i| format!("h{i} A 192.0.2.{}\n", i + 1)))
        .collect();
    let scratch = setup(&base, &text);
    nsync(&["sync", "--yes", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    {
        let s = state.lock().unwrap();
        assert_eq!(s.token_requests, 1, "one token for the whole run");
        assert_eq!(s.changes, 1, "40 rrsets in one atomic change");
        assert_eq!(s.zones[0].rrsets.len(), 2 + 40);
    }
    // A new run never reuses the last run's token, valid or not (no cache on disk).
    let ran = nsync(&["plan"]).dir(scratch.path()).run();
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        state.lock().unwrap().token_requests,
        2,
        "each run fetches its own"
    );
}

#[test]
fn a_key_google_refuses_is_auth_failed_and_the_key_is_never_shown() {
    let (_rt, state, base) = fake();
    state.lock().unwrap().key_revoked = true;
    let scratch = setup(&base, "$TTL 300\nwww A 192.0.2.1\n");
    let ran = nsync(&["sync", "--yes", "-vvv"]).dir(scratch.path()).run();
    ran.code(2)
        .stdout_has("FAILED: auth_failed")
        .stdout_has("invalid_grant: Invalid JWT Signature.")
        .stdout_has("the key may be deleted or the service account disabled");
    let key = std::fs::read_to_string(scratch.path().join("key.json")).unwrap();
    let pem_line = key.split("\\n").nth(2).unwrap();
    assert!(pem_line.len() > 40);
    assert!(!ran.stderr.contains(pem_line) && !ran.stdout.contains(pem_line));
    assert_eq!(state.lock().unwrap().changes, 0, "nothing written");
}

/// Cloud DNS takes a deletion only as it stores the rrset (412 `conditionNotMet`
/// otherwise): rrsets written by another tool, with rrdatas in its order and its case,
/// are changed and deleted in one change each, repeating what was read.
#[test]
fn rrsets_written_by_another_tool_are_deleted_as_google_stores_them() {
    let (_rt, state, base) = fake();
    {
        let mut s = state.lock().unwrap();
        let zone = &mut s.zones[0];
        zone.rrsets.push(fake::RrsetJson {
            name: "www.tok.test.".into(),
            rtype: "AAAA".into(),
            ttl: 300,
            rrdatas: vec!["2001:DB8::2".into(), "2001:DB8::1".into()],
            routing_policy: None,
        });
        zone.rrsets.push(fake::RrsetJson {
            name: "old.tok.test.".into(),
            rtype: "MX".into(),
            ttl: 300,
            rrdatas: vec!["20 MX2.Example.NET.".into(), "10 mx1.example.net.".into()],
            routing_policy: None,
        });
    }
    let scratch = setup(&base, "$TTL 300\nwww AAAA 2001:db8::3\n");
    let ran = nsync(&["sync", "--yes", "--force"])
        .dir(scratch.path())
        .run();
    assert_eq!(ran.code, 0, "{ran:?}");
    let s = state.lock().unwrap();
    assert_eq!(s.changes, 1, "one change, not retried after a 412");
    let names: Vec<(&str, &[String])> = s.zones[0]
        .rrsets
        .iter()
        .filter(|r| r.rtype != "SOA" && r.rtype != "NS")
        .map(|r| (r.name.as_str(), r.rrdatas.as_slice()))
        .collect();
    assert_eq!(names, [("www.tok.test.", &["2001:db8::3".to_string()][..])]);
}
