//! Where the shared suite runs Akamai Edge DNS: against the in-repo fake of its API (no
//! emulator exists), started once per test run with two primary zones.

use std::sync::{Arc, Mutex};

use nsync_testkit::fixture::{
    AccountState, Declared, Fixture, HttpApi, PROVIDER, Started, address_of, runtime, scratch,
    secret_file,
};

use crate::fake::{self, ACCESS_TOKEN, CLIENT_SECRET, CLIENT_TOKEN, State};

pub fn fixtures() -> Vec<Box<dyn Fixture>> {
    vec![Box::new(Declared {
        name: "akamai_fake_api",
        kind: "akamai",
        needs: None,
        zone: "ak.test.",
        any_octet_owners: false,
        http_api: Some(HttpApi {
            zone: "ak-faults.test.",
            // https://techdocs.akamai.com/edge-dns/reference/api-errors: an unknown zone.
            zone_missing: (
                404,
                "{\"type\":\"https://problems.luna.akamaiapis.net/config-dns/v2/not-found\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"Zone \\\"ak-faults.test\\\" not found\"}",
            ),
            create_missing: false,
            // Record-set writes in bulk, as the fault relay counts them.
            writes: 3,
            accounts: &[AccountState {
                case: "client credentials revoked or wrong",
                status: 401,
                body: "{\"type\":\"https://problems.luna.akamaiapis.net/-/pep-authn/deny\",\"title\":\"Not authorized\",\"status\":401,\"detail\":\"The signature does not match\"}",
                kind: "auth_failed",
                source: "https://techdocs.akamai.com/developer/docs/troubleshooting",
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
        s.add_zone("ak.test", "primary");
        s.add_zone("ak-faults.test", "primary");
    }
    let base = runtime().block_on(fake::start(state.clone()));
    let addr = address_of(&base);
    let dir = scratch("akamai");
    let (ct, cs, at) = (
        dir.join("client_token"),
        dir.join("client_secret"),
        dir.join("access_token"),
    );
    secret_file(&ct, &format!("{CLIENT_TOKEN}\n"));
    secret_file(&cs, &format!("{CLIENT_SECRET}\n"));
    secret_file(&at, &format!("{ACCESS_TOKEN}\n"));
    let started = Started::api(
        format!(
            "[providers.{PROVIDER}]\nkind = \"akamai\"\nhost = \"{addr}\"\nendpoint = \"{base}\"\nclient_token = \"file:{}\"\nclient_secret = \"file:{}\"\naccess_token = \"file:{}\"\n",
            ct.display(),
            cs.display(),
            at.display()
        ),
        Some(addr),
    );
    Started {
        stored: Some(Box::new(move |origin| fake::stored_zone(&state, origin))),
        ..started
    }
}
