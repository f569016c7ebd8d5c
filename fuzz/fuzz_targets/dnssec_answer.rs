//! The DNSSEC checks on any answer a nameserver could send: its DNSKEY set read, every
//! rrset's signatures validated against it, the authority section taken as a proof of
//! non-existence (NSEC or NSEC3), and the key matrix built from what was seen. A server
//! controls all of it; none of it may panic, loop or allocate without bound.
#![no_main]

use std::collections::BTreeSet;

use hickory_proto::op::Message;
use hickory_proto::rr::{Name, RecordType};
use libfuzzer_sys::fuzz_target;
use nsync::dnssec::denial::nxdomain;
use nsync::dnssec::keys::zone_keys;
use nsync::dnssec::matrix::{AddressDnssec, Context, Observed, problems};
use nsync::dnssec::validate::{Verdict, rrset};

fuzz_target!(|data: &[u8]| {
    let Ok(message) = Message::from_vec(data) else {
        return;
    };
    let zone = message
        .queries
        .first()
        .map(|q| q.name().clone())
        .unwrap_or_else(|| Name::from_ascii("example.test.").unwrap());
    let now = 1_797_000_000;
    let keys = zone_keys(&message.answers, &zone);
    let mut seen = AddressDnssec {
        answered: true,
        keys: keys.clone(),
        ..AddressDnssec::default()
    };
    let owners: BTreeSet<(Name, RecordType)> = message
        .answers
        .iter()
        .map(|r| (r.name.clone(), r.record_type()))
        .collect();
    for (name, rtype) in owners {
        if let Verdict::Valid { expires, by } = rrset(&message.answers, &name, rtype, &keys, &zone, now) {
            seen.signed(format!("{name} {rtype}"), expires, &by);
        }
    }
    let _ = nxdomain(&zone, &zone, &message.authorities, &keys, now);
    if let Some(q) = message.queries.first() {
        let _ = nxdomain(q.name(), &zone, &message.authorities, &keys, now);
    }
    let list = [
        Observed { provider: "a", nameserver: "ns", address: "a", dnssec: &seen },
        Observed { provider: "b", nameserver: "ns", address: "b", dnssec: &AddressDnssec::default() },
    ];
    let cx = Context { zone: &zone, parent_ds: None, declared: true, now, window: 604_800 };
    let _ = problems(&list, &cx);
});
