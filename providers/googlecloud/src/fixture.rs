//! Where the shared suite runs Google Cloud DNS: against the in-repo fake of its API and
//! token endpoint (no emulator exists), started once per test run with two zones.

use std::sync::{Arc, Mutex};

use nsync_testkit::fixture::{
    AccountState, Declared, Fixture, HeldPlant, HttpApi, PROVIDER, Started, address_of, runtime,
    scratch, secret_file,
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
            accounts: &[
                AccountState {
                    case: "service account key deleted or wrong",
                    status: 401,
                    body: "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.\",\"status\":\"UNAUTHENTICATED\"}}",
                    kind: "auth_failed",
                    source: "https://cloud.google.com/apis/design/errors",
                },
                AccountState {
                    case: "billing disabled or the billing account closed",
                    status: 403,
                    body: "{\"error\":{\"code\":403,\"message\":\"The billing account for the owning project is disabled in state absent\",\"errors\":[{\"message\":\"The billing account for the owning project is disabled in state absent\",\"domain\":\"global\",\"reason\":\"accountDisabled\",\"locationType\":\"header\",\"location\":\"Authorization\"}]}}",
                    kind: "account_suspended",
                    source: "recorded Google API answers (googleapis/python-storage #1456, forseti-security #1465)",
                },
            ],
        }),
        dns_faults: false,
        held_features: &["routing policy (geo)"],
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
    let (plant, snap, gone) = (state.clone(), state.clone(), state.clone());
    let owner = |zone: &str| format!("held-geo.{zone}.");
    let held = HeldPlant {
        owner: "held-geo",
        rtype: "A",
        // A geolocation policy as Cloud DNS returns one: `routingPolicy`, no `rrdatas`
        // (https://cloud.google.com/dns/docs/reference/rest/v1/resourceRecordSets).
        plant: Box::new(move |zone| {
            let mut s = plant.lock().unwrap();
            let dns_name = format!("{zone}.");
            if let Some(z) = s.zones.iter_mut().find(|z| z.dns_name == dns_name) {
                z.rrsets.push(fake::RrsetJson {
                    name: owner(zone),
                    rtype: "A".into(),
                    ttl: 60,
                    rrdatas: Vec::new(),
                    routing_policy: Some(
                        serde_json::json!({"geo": {"enableFencing": false, "items": [
                            {"location": "europe-west1", "rrdatas": ["192.0.2.10"]},
                            {"location": "us-east1", "rrdatas": ["192.0.2.20"]},
                        ]}}),
                    ),
                });
            }
        }),
        snapshot: Box::new(move |zone| {
            let s = snap.lock().unwrap();
            s.zones
                .iter()
                .flat_map(|z| &z.rrsets)
                .filter(|r| r.name == owner(zone) && r.rtype == "A")
                .map(|r| format!("{r:?}"))
                .collect::<Vec<_>>()
                .join("\n")
        }),
        remove: Box::new(move |zone| {
            let mut s = gone.lock().unwrap();
            for z in &mut s.zones {
                z.rrsets
                    .retain(|r| !(r.name == owner(zone) && r.rtype == "A"));
            }
        }),
    };
    Started {
        stored: Some(Box::new(move |origin| fake::stored_zone(&state, origin))),
        held: Some(held),
        ..started
    }
}
