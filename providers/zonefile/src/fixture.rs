//! Where the shared suite runs the zonefile kind: on the folder the lab's Knot serves
//! `zf.test.` from, reloading Knot after each write and asking it after every step.

use nsync_testkit::fixture::{Declared, Fixture, NEEDS_LAB, PROVIDER, Started};
use nsync_testkit::lab::Lab;

pub fn fixtures() -> Vec<Box<dyn Fixture>> {
    vec![Box::new(Declared {
        name: "zonefile_served_by_knot",
        kind: "zonefile",
        needs: Some(NEEDS_LAB),
        zone: "zf.test.",
        any_octet_owners: true,
        http_api: None,
        dns_faults: false,
        held_features: &[],
        start: || {
            let lab = Lab::get();
            Started::dns(lab.zonefile_provider(PROVIDER), lab.ip("knot"))
        },
    })]
}
