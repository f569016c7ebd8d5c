//! Where the shared suite runs Cloudflare: against the in-repo fake of its API (no
//! emulator exists), started once per test run with a token and two zones.

use std::sync::{Arc, Mutex};

use nsync_testkit::fixture::{
    Declared, Fixture, HttpApi, PROVIDER, Started, address_of, runtime, scratch, secret_file,
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
            batches: true,
        }),
        dns_faults: false,
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
    Started {
        after_step: Some(Box::new(move |step| {
            // The fake counts batch requests: 1,000 creates take at least five of 200.
            if step == "1,000 rrsets at once" && state.lock().unwrap().batches < 5 {
                return Err(
                    "1,000 creates did not go through the batch endpoint, 200 a request".into(),
                );
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
