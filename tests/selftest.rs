//! `nsync selftest` against the Cloudflare fake: it refuses a zone that holds other
//! records unless forced, reports a type the account stores differently (the fake told to
//! unquote TXT) with what was written and what came back, exits 1 for it, and leaves
//! nothing of its own behind. (Every kind's round trip runs in the conformance suite.)

mod common;

use std::sync::{Arc, Mutex};

use common::{Scratch, nsync};
use nsync_cloudflare::fake::{self, State};

fn setup(url: &str, zone: &str) -> Scratch {
    let scratch = Scratch::new(&[("token", "good\n"), ("z.zone", "$TTL 300\n")]);
    let config = format!(
        "[providers.cf]\nkind = \"cloudflare\"\nendpoint = \"{url}\"\napi_token = \"file:{}\"\n\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"cf\"]\n",
        scratch.path().join("token").display()
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    scratch
}

#[test]
fn selftest_refuses_a_used_zone_and_reports_what_the_account_changes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        s.tokens.push(("good".into(), "active".into()));
        s.add_zone("scratch.test");
        s.add_record(
            "scratch.test",
            "A",
            "www.scratch.test",
            "192.0.2.9",
            300,
            false,
        );
    }
    let url = rt.block_on(fake::start(state.clone()));
    let _guard = rt.enter();
    let scratch = setup(&url, "scratch.test.");
    let args = ["selftest", "--provider", "cf", "--zone", "scratch.test."];
    nsync(&args)
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("holds 1 rrset(s) beside its SOA and NS (www.scratch.test. A)")
        .stderr_has("add --force");
    assert_eq!(
        state.lock().unwrap().zones[0].records.len(),
        1,
        "nothing written"
    );

    state.lock().unwrap().unquote_txt = true;
    let mut forced = args.to_vec();
    forced.push("--force");
    let ran = nsync(&forced).dir(scratch.path()).run();
    ran.code(1)
        .stdout_has("A      create  stored exactly")
        .stdout_has("TXT    update  changed: wrote [")
        .stdout_has("some steps did not round-trip");
    let s = state.lock().unwrap();
    assert_eq!(
        s.zones[0].records.len(),
        1,
        "only www is left: {:?}",
        s.zones[0].records
    );
}
