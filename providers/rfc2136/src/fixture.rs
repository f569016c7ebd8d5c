//! Where the shared suite runs RFC 2136: against each of the lab's three servers that
//! take TSIG-signed UPDATE and AXFR (BIND, Knot, PowerDNS), asking each after every step.

use nsync_testkit::fixture::{Declared, Fixture, NEEDS_LAB, PROVIDER, Started};
use nsync_testkit::lab::Lab;

pub fn fixtures() -> Vec<Box<dyn Fixture>> {
    fn on(name: &'static str, start: fn() -> Started) -> Box<dyn Fixture> {
        Box::new(Declared {
            name,
            kind: "rfc2136",
            needs: Some(NEEDS_LAB),
            zone: "t01.test.",
            any_octet_owners: true,
            http_api: None,
            // The relay goes in front of `server`: cut and slowed transfers and UPDATEs.
            dns_faults: true,
            held_features: &[],
            start,
        })
    }
    vec![
        on("rfc2136_on_bind", || at("bind")),
        on("rfc2136_on_knot", || at("knot")),
        // A PowerDNS of its own (the lab's second): the PowerDNS API fixture's writes to
        // the first one's SQLite database would lock this fixture's UPDATEs out.
        on("rfc2136_on_powerdns", || at("pdns2")),
    ]
}

fn at(server: &str) -> Started {
    let lab = Lab::get();
    Started::dns(lab.rfc2136_provider(PROVIDER, server), lab.ip(server))
}
