//! Where the shared suite runs Google Cloud DNS: against the in-repo fake of its API and
//! token endpoint (no emulator exists), started once per test run with two zones.

use std::sync::{Arc, Mutex};

use nsync_testkit::fixture::{
    Declared, Fixture, HttpApi, PROVIDER, Started, address_of, runtime, scratch, secret_file,
};

use crate::fake::{self, State};

pub fn fixtures() -> Vec<Box<dyn Fixture>> {
    vec![Box::new(Declared {
        name: "googlecloud_fake_api",
        kind: "googlecloud",
        needs: None,
        zone: "gc.test.",
        any_octet_owners: false,
        http_api: Some(HttpApi {
            zone: "gc-faults.test.",
            // https://cloud.google.com/dns/docs/reference/rest/v1: an unknown managed zone.
            zone_missing: (
                404,
                "{\"error\":{\"code\":404,\"message\":\"The 'parameters.managedZone' resource named 'gc-faults-test' does not exist.\",\"errors\":[{\"domain\":\"global\",\"reason\":\"notFound\"}],\"status\":\"NOT_FOUND\"}}",
            ),
            create_missing: false,
            // Changes of at most 1,000 additions and deletions each, as the fault relay counts them.
            writes: 2,
        }),
        dns_faults: false,
        start,
    })]
}

fn start() -> Started {
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        s.add_zone("gc-test", "gc.test.");
        s.add_zone("gc-faults-test", "gc-faults.test.");
    }
    let base = runtime().block_on(fake::start(state.clone()));
    let addr = address_of(&base);
    let key = scratch("googlecloud").join("service-account.json");
    secret_file(&key, &fake::key_file_for(&base));
    let started = Started::api(
        format!(
            "[providers.{PROVIDER}]\nkind = \"googlecloud\"\nendpoint = \"{base}/dns/v1\"\nproject = \"nsync-test\"\ncredentials = \"file:{}\"\n",
            key.display()
        ),
        Some(addr),
    );
    Started {
        stored: Some(Box::new(move |origin| fake::stored_zone(&state, origin))),
        ..started
    }
}
