//! Where the shared suite runs Cloudflare: against the in-repo fake of its API (no
//! emulator exists), started once per test run with a token and two zones.

use std::sync::{Arc, Mutex};

use nsync_testkit::fixture::{
    AccountState, Declared, Fixture, HttpApi, PROVIDER, Started, address_of, runtime, scratch,
    secret_file,
};

use crate::fake::{self, State};

const TOKEN: &str = "cf-suite-token";

pub fn fixtures() -> Vec<Box<dyn Fixture>> {
    vec![Box::new(Declared {
        name: "cloudflare_fake_api",
        kind: "cloudflare",
        needs: None,
        zone: "cf.test.",
        any_octet_owners: true,
        http_api: Some(HttpApi {
            zone: "cf-faults.test.",
            // https://developers.cloudflare.com/api/resources/zones/ : an unknown zone id.
            zone_missing: (
                404,
                "{\"success\":false,\"errors\":[{\"code\":7003,\"message\":\"Could not route to /zones, perhaps your object identifier is invalid?\"}],\"messages\":[],\"result\":null}",
            ),
            create_missing: false,
            // Batches of at most 200 operations, as the fault relay counts them (a changed
            // value is one patch, not a delete and a post).
            writes: 8,
            accounts: &[
                AccountState {
                    case: "token invalid, expired or deleted",
                    status: 401,
                    body: "{\"success\":false,\"errors\":[{\"code\":1000,\"message\":\"Invalid API Token\"}],\"messages\":[],\"result\":null}",
                    kind: "auth_failed",
                    source: "https://developers.cloudflare.com/fundamentals/api/troubleshooting/",
                },
                AccountState {
                    case: "token without permission on the zone",
                    status: 403,
                    body: "{\"success\":false,\"errors\":[{\"code\":10000,\"message\":\"Authentication error\"}],\"messages\":[],\"result\":null}",
                    kind: "auth_failed",
                    source: "https://developers.cloudflare.com/fundamentals/api/troubleshooting/",
                },
            ],
        }),
        dns_faults: false,
        held_features: &[],
        start,
    })]
}

fn start() -> Started {
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        s.tokens.push((TOKEN.into(), "active".into()));
        s.add_zone("cf.test");
        s.add_zone("cf-faults.test");
    }
    let url = runtime().block_on(fake::start(state.clone()));
    let addr = address_of(&url);
    let token = scratch("cloudflare").join("token");
    secret_file(&token, &format!("{TOKEN}\n"));
    // The fake counts batch requests; the step's own count is the difference across it.
    let before = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (note_state, note) = (state.clone(), before.clone());
    let stored_state = state.clone();
    Started {
        before_step: Some(Box::new(move |_| {
            let batches = note_state.lock().unwrap().batches;
            note.store(batches, std::sync::atomic::Ordering::SeqCst);
        })),
        stored: Some(Box::new(move |origin| {
            fake::stored_zone(&stored_state, origin)
        })),
        after_step: Some(Box::new(move |step| {
            // 1,000 creates take at least five batches of 200.
            let batches =
                state.lock().unwrap().batches - before.load(std::sync::atomic::Ordering::SeqCst);
            if step == "1,000 rrsets at once" && batches < 5 {
                return Err(format!(
                    "1,000 creates took {batches} batch request(s), not at least 5 of 200"
                ));
            }
            Ok(())
        })),
        ..Started::api(
            format!(
                "[providers.{PROVIDER}]\nkind = \"cloudflare\"\nendpoint = \"{url}\"\napi_token = \"file:{}\"\n",
                token.display()
            ),
            Some(addr),
        )
    }
}
