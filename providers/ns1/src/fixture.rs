//! Where the shared suite runs NS1: against the in-repo fake of its API (no
//! emulator exists), started once per test run with a token and two zones.

use std::sync::{Arc, Mutex};

use nsync_testkit::fixture::{
    AccountState, Declared, Fixture, HeldPlant, HttpApi, PROVIDER, Started, address_of, runtime,
    scratch, secret_file,
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
        held_features: &["filter chain (geo)"],
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
    let (plant, snap, gone) = (state.clone(), state.clone(), state.clone());
    let owner = |zone: &str| format!("held-geo.{zone}");
    let held = HeldPlant {
        owner: "held-geo",
        rtype: "CNAME",
        // A geo CNAME as NS1 lists it: tier 3, its regions' answers flattened into
        // short_answers (the fake keeps the filters and answers as given).
        plant: Box::new(move |zone| {
            let mut s = plant.lock().unwrap();
            if let Some(z) = s.zones.iter_mut().find(|z| z.name == zone) {
                z.records
                    .push(fake::Record::geo_cname("held-geo-cdn", &owner(zone)));
            }
        }),
        snapshot: Box::new(move |_zone| {
            let s = snap.lock().unwrap();
            s.zones
                .iter()
                .flat_map(|z| &z.records)
                .filter(|r| r.id == "held-geo-cdn")
                .map(|r| format!("{r:?}"))
                .collect::<Vec<_>>()
                .join("\n")
        }),
        remove: Box::new(move |_zone| {
            let mut s = gone.lock().unwrap();
            for z in &mut s.zones {
                z.records.retain(|r| r.id != "held-geo-cdn");
            }
        }),
    };
    Started {
        stored: Some(Box::new(move |origin| fake::stored_zone(&state, origin))),
        held: Some(held),
        ..started
    }
}
