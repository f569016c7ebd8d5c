//! Where the shared suite runs Azure DNS: against the in-repo fake of ARM and its token
//! endpoint (no emulator exists), started once per test run with two zones.

use std::sync::{Arc, Mutex};

use nsync_testkit::fixture::{
    AccountState, Declared, Fixture, HeldPlant, HttpApi, PROVIDER, Started, address_of, runtime,
    scratch, secret_file,
};

use crate::fake::{self, CLIENT_ID, SUBSCRIPTION, State, TENANT};

pub fn fixtures() -> Vec<Box<dyn Fixture>> {
    vec![Box::new(Declared {
        name: "azure_fake_api",
        kind: "azure",
        needs: None,
        zone: "az.test.",
        any_octet_owners: false,
        http_api: Some(HttpApi {
            zone: "az-faults.test.",
            // https://learn.microsoft.com/en-us/rest/api/dns/zones/get: an unknown zone.
            zone_missing: (
                404,
                "{\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"The Resource 'Microsoft.Network/dnszones/az-faults.test' under resource group 'DNS-Zones' was not found.\"}}",
            ),
            create_missing: false,
            // One PUT per record set, as the fault relay counts them.
            writes: 1201,
            accounts: &[
                AccountState {
                    case: "client secret revoked or token refused",
                    status: 401,
                    body: "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"The access token is invalid.\"}}",
                    kind: "auth_failed",
                    source: "https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors",
                },
                AccountState {
                    case: "subscription disabled (cancelled, past due, spending limit)",
                    status: 409,
                    body: "{\"error\":{\"code\":\"ReadOnlyDisabledSubscription\",\"message\":\"The subscription '00000000-1111-2222-3333-444444444444' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled.\"}}",
                    kind: "account_suspended",
                    source: "https://learn.microsoft.com/azure/cost-management-billing/manage/subscription-disabled",
                },
            ],
        }),
        dns_faults: false,
        held_features: &["alias record set (targetResource)"],
        start,
    })]
}

fn start() -> Started {
    let state = Arc::new(Mutex::new(State::default()));
    let secret_value = {
        let mut s = state.lock().unwrap();
        s.add_zone("az.test");
        s.add_zone("az-faults.test");
        s.client_secret.clone()
    };
    let (authority, endpoint) = runtime().block_on(fake::start(state.clone()));
    let addr = address_of(&endpoint);
    let secret = scratch("azure").join("client-secret");
    secret_file(&secret, &format!("{secret_value}\n"));
    let started = Started::api(
        format!(
            "[providers.{PROVIDER}]\nkind = \"azure\"\nendpoint = \"{endpoint}\"\nauthority = \"{authority}\"\nsubscription_id = \"{SUBSCRIPTION}\"\nresource_group = \"DNS-Zones\"\ntenant_id = \"{TENANT}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"file:{}\"\n",
            secret.display()
        ),
        Some(addr),
    );
    let (plant, snap, gone) = (state.clone(), state.clone(), state.clone());
    let held = HeldPlant {
        owner: "held-geo",
        rtype: "A",
        // An alias record set as Azure DNS returns one: `targetResource` and no
        // `ARecords` (https://learn.microsoft.com/azure/dns/dns-alias), with metadata.
        plant: Box::new(move |zone| {
            let mut s = plant.lock().unwrap();
            if let Some(z) = s.zones.iter_mut().find(|z| z.name == zone) {
                z.sets.push(fake::RecordSet {
                    name: "held-geo".into(),
                    rtype: "A".into(),
                    etag: "held-0000-4000-8000-000000000001".into(),
                    properties: serde_json::json!({"TTL": 60, "metadata": {"owner": "cdn team"}, "targetResource": {"id": format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/net/providers/Microsoft.Network/publicIPAddresses/edge-ip")}}),
                });
            }
        }),
        snapshot: Box::new(move |zone| {
            let s = snap.lock().unwrap();
            s.zones
                .iter()
                .filter(|z| z.name == zone)
                .flat_map(|z| &z.sets)
                .filter(|r| r.name == "held-geo" && r.rtype == "A")
                .map(|r| format!("{} {} {} {}", r.name, r.rtype, r.etag, r.properties))
                .collect::<Vec<_>>()
                .join("\n")
        }),
        remove: Box::new(move |zone| {
            let mut s = gone.lock().unwrap();
            if let Some(z) = s.zones.iter_mut().find(|z| z.name == zone) {
                z.sets.retain(|r| !(r.name == "held-geo" && r.rtype == "A"));
            }
        }),
    };
    Started {
        stored: Some(Box::new(move |origin| fake::stored_zone(&state, origin))),
        held: Some(held),
        ..started
    }
}
