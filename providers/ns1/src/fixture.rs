//! Where the shared suite runs NS1: against the in-repo fake of its API (no
//! emulator exists), started once per test run with a token and two zones.

use std::sync::{Arc, Mutex};

use nsync_testkit::fixture::{
    AccountState, Declared, Fixture, HttpApi, PROVIDER, Started, address_of, runtime, scratch,
    secret_file,
};

use crate::fake::{self, State};

const TOKEN: &str = "ns1-suite-key";

pub fn fixtures() -> Vec<Box<dyn Fixture>> {
    vec![Box::new(Declared {
        name: "ns1_fake_api",
        kind: "ns1",
        needs: None,
        zone: "ns1-suite.test.",
        any_octet_owners: false,
        http_api: Some(HttpApi {
            zone: "ns1-faults.test.",
            // The NS1 Connect API reference: an unknown zone.
            zone_missing: (404, "{\"message\":\"zone not found\"}"),
            create_missing: false,
            // One request per record, as the fault relay counts them.
            writes: 1201,
            accounts: &[AccountState {
                case: "API key revoked or wrong",
                status: 401,
                body: "{\"message\":\"Unauthorized\"}",
                kind: "auth_failed",
                source: "https://developer.ibm.com/apis/catalog/ns1--ibm-ns1-connect-api/ (Errors)",
            }],
        }),
        dns_faults: false,
        start,
    })]
}

fn start() -> Started {
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        s.keys.push(TOKEN.into());
        s.add_zone("ns1-suite.test");
        s.add_zone("ns1-faults.test");
    }
    let url = runtime().block_on(fake::start(state.clone()));
    let addr = address_of(&url);
    let token = scratch("ns1").join("token");
    secret_file(&token, &format!("{TOKEN}\n"));
    let started = Started::api(
        format!(
            "[providers.{PROVIDER}]\nkind = \"ns1\"\nendpoint = \"{url}\"\napi_key = \"file:{}\"\n",
            token.display()
        ),
        Some(addr),
    );
    Started {
        stored: Some(Box::new(move |origin| fake::stored_zone(&state, origin))),
        ..started
    }
}
