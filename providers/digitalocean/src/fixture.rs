//! Where the shared suite runs DigitalOcean: against the in-repo fake of its API (no
//! emulator exists), started once per test run with a token and two domains.

use std::sync::{Arc, Mutex};

use nsync_testkit::fixture::{
    AccountState, Declared, Fixture, HttpApi, PROVIDER, Started, address_of, runtime, scratch,
    secret_file,
};

use crate::fake::{self, State};

const TOKEN: &str = "dop_v1_suite_token";

pub fn fixtures() -> Vec<Box<dyn Fixture>> {
    vec![Box::new(Declared {
        name: "digitalocean_fake_api",
        kind: "digitalocean",
        needs: None,
        zone: "do.test.",
        any_octet_owners: false,
        http_api: Some(HttpApi {
            zone: "do-faults.test.",
            // https://docs.digitalocean.com/reference/api/digitalocean/ (HTTP Statuses).
            zone_missing: (
                404,
                "{\"id\":\"not_found\",\"message\":\"The resource you were accessing could not be found.\"}",
            ),
            create_missing: false,
            // A delete and a create per record, as the fault relay counts them.
            writes: 2402,
            accounts: &[AccountState {
                case: "token revoked, expired or wrong",
                status: 401,
                body: "{\"id\":\"Unauthorized\",\"message\":\"Unable to authenticate you\"}",
                kind: "auth_failed",
                source: "https://docs.digitalocean.com/reference/api/digitalocean/ (HTTP Statuses)",
            }],
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
        s.tokens.push(TOKEN.into());
        s.add_domain("do.test");
        s.add_domain("do-faults.test");
    }
    let url = runtime().block_on(fake::start(state.clone()));
    let addr = address_of(&url);
    let token = scratch("digitalocean").join("token");
    secret_file(&token, &format!("{TOKEN}\n"));
    let started = Started::api(
        format!(
            "[providers.{PROVIDER}]\nkind = \"digitalocean\"\nendpoint = \"{url}\"\napi_token = \"file:{}\"\n",
            token.display()
        ),
        Some(addr),
    );
    Started {
        stored: Some(Box::new(move |origin| fake::stored_zone(&state, origin))),
        ..started
    }
}
