//! Where the shared suite runs the PowerDNS API kind: the lab's PowerDNS and its HTTP API
//! (the fault relay goes in front of the API; PowerDNS is asked after every step).

use std::net::SocketAddr;

use nsync_testkit::fixture::{
    AccountState, Declared, Fixture, HttpApi, NEEDS_LAB, PROVIDER, Started, address_of,
};
use nsync_testkit::lab::Lab;

pub fn fixtures() -> Vec<Box<dyn Fixture>> {
    vec![Box::new(Declared {
        name: "powerdns_http_api",
        kind: "powerdns",
        needs: Some(NEEDS_LAB),
        zone: "t16.test.",
        // The API refuses owner names with octets outside letters, digits, - and _.
        any_octet_owners: false,
        http_api: Some(HttpApi {
            zone: "t25.test.",
            // PowerDNS's API answers an unknown zone with 404 and this body.
            zone_missing: (404, "{\"error\": \"Could not find domain 't25.test.'\"}"),
            create_missing: false,
            // One PATCH of the zone per sync, as the fault relay counts them.
            writes: 1,
            accounts: &[AccountState {
                case: "API key wrong",
                status: 401,
                body: "Unauthorized",
                kind: "auth_failed",
                source: "https://doc.powerdns.com/authoritative/http-api/index.html",
            }],
        }),
        dns_faults: false,
        held_features: &[],
        start,
    })]
}

fn start() -> Started {
    let lab = Lab::get();
    let api = address_of(lab.var("LAB_PDNS_API_URL"));
    Started {
        server: Some(SocketAddr::new(lab.ip("pdns"), 53)),
        ..Started::api(lab.powerdns_provider(PROVIDER), Some(api))
    }
}
