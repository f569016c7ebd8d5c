//! The transitions every provider passes, after DNSControl's integration tests: a chain
//! of small state transitions. After each one is applied, planning again must show zero
//! changes, and a direct RD=0 query to the server must return the new data. Each step
//! brings the zone to the step before it, then applies its own, so a failure names the
//! step and hides none after it. Nothing here is retried: each fixture has a backend of
//! its own (the lab's two PowerDNS servers, a fake per fixture), so a temporary failure is
//! a failure of the step.

use nsync_core::name::NameText;
use std::net::SocketAddr;

use crate::common::dns::query_at as query;
use nsync::config::IgnorePattern;
use nsync::plan::{PlanInput, describe, plan};
use nsync_core::kind::Kind;
use nsync_core::provider::{Provider, ZoneState};
use nsync_core::rdata::canonical_bytes;
use nsync_core::zone::{Rrset, Zone};
use nsync_core::{Name, RecordType};
use nsync_testkit::Started;
use nsync_testkit::transitions::{Transition, desired_zone, storable};

fn desired_for(step: &Transition, origin: &Name, kind: &Kind) -> Zone {
    storable(desired_zone(step, origin), kind)
}

fn ignore_patterns(t: &Transition, origin: &Name) -> Vec<IgnorePattern> {
    t.ignore
        .iter()
        .map(|n| {
            IgnorePattern::Exact(Name::from_ascii(format!("{n}.{}", origin.to_text())).unwrap())
        })
        .collect()
}

fn plan_for(
    provider: &dyn Provider,
    desired: &Zone,
    state: &ZoneState,
    ignore: &[IgnorePattern],
    ns: &[Name],
) -> Vec<String> {
    let input = PlanInput {
        desired,
        current: &state.zone,
        ignore,
        capabilities: provider.capabilities(),
        union_nameservers: ns,
        own_nameservers: &state.nameservers,
        ttl_set_by_provider: &state.ttl_set_by_provider,
    };
    plan(&input)
        .changes
        .iter()
        .map(|c| {
            let (sign, text) = describe(c);
            format!("{sign} {text}")
        })
        .collect()
}

/// True when `name` lies below a delegation of the zone other than at the cut itself:
/// a server answers such names with a referral, not with the data.
fn occluded(zone: &Zone, name: &Name) -> bool {
    zone.rrsets().any(|r| {
        r.rtype == RecordType::NS
            && r.name != zone.origin
            && r.name.zone_of(name)
            && r.name != *name
    })
}

/// Asks the server directly and compares what it serves with the desired rrset.
fn check_served(server: SocketAddr, zone: &Zone, want: &Rrset, step: &str) {
    if occluded(zone, &want.name) || (want.rtype == RecordType::NS && want.name == zone.origin) {
        return;
    }
    let answer = query(server, &want.name, want.rtype);
    let delegation = want.rtype == RecordType::NS && want.name != zone.origin;
    // A referral (RFC 1034 4.3.2): the child's NS in authority, and not authoritative.
    assert!(
        !(delegation && answer.metadata.authoritative),
        "{step}: {server} answers {} NS authoritatively instead of referring",
        want.name
    );
    let section = if delegation {
        &answer.authorities
    } else {
        &answer.answers
    };
    let got: Vec<_> = section
        .iter()
        .filter(|r| r.record_type() == want.rtype && r.name == want.name)
        .collect();
    let mut got_bytes: Vec<Vec<u8>> = got.iter().map(|r| canonical_bytes(&r.data)).collect();
    got_bytes.sort();
    let mut want_bytes: Vec<Vec<u8>> = want.rdata().iter().map(|r| r.wire().to_vec()).collect();
    want_bytes.sort();
    assert_eq!(
        got_bytes, want_bytes,
        "{step}: {server} serves other data for {} {}: {got:?}",
        want.name, want.rtype
    );
    if !delegation {
        assert!(
            got.iter().all(|r| r.ttl == want.ttl),
            "{step}: {server} serves TTL {:?} for {} {}, want {}",
            got.first().map(|r| r.ttl),
            want.name,
            want.rtype,
            want.ttl
        );
    }
}

/// The fake's own reading of what it stores against what the step intended: every
/// rrset there with its TTL and data, and nothing else but the provider's SOA and apex NS
/// and the names the step ignores.
fn check_stored(stored: &Zone, desired: &Zone, ignore: &[IgnorePattern], step: &str) {
    let apex_ns = |r: &Rrset| r.rtype == RecordType::NS && r.name == desired.origin;
    for want in desired.rrsets().filter(|r| !apex_ns(r)) {
        let got = stored.get(&want.name, want.rtype);
        assert!(
            got.is_some_and(|g| g.ttl == want.ttl && g.same_rdata(want)),
            "{step}: the fake stores {got:?} for {} {}, the step wrote {want:?}",
            want.name,
            want.rtype
        );
    }
    for extra in stored.rrsets() {
        let provider_own = extra.rtype == RecordType::SOA || apex_ns(extra);
        if provider_own || ignore.iter().any(|p| p.matches(&extra.name)) {
            continue;
        }
        assert!(
            desired.get(&extra.name, extra.rtype).is_some(),
            "{step}: the fake stores {extra:?}, which the step does not hold"
        );
    }
}

fn check_gone(server: SocketAddr, zone: &Zone, old: &Rrset, ignore: &[IgnorePattern], step: &str) {
    if occluded(zone, &old.name)
        || zone.get(&old.name, old.rtype).is_some()
        || ignore.iter().any(|p| p.matches(&old.name))
    {
        return;
    }
    let answer = query(server, &old.name, old.rtype);
    // The authority section too: a delegation that is still there comes back as a
    // referral (NS in authority), not as an answer.
    let left: Vec<_> = answer
        .answers
        .iter()
        .chain(&answer.authorities)
        .filter(|r| r.record_type() == old.rtype && r.name == old.name)
        .collect();
    assert!(
        left.is_empty(),
        "{step}: {server} still serves {} {}: {left:?}",
        old.name,
        old.rtype
    );
}

/// The zone at the provider, created where the provider can when it is missing.
pub async fn ensure_zone(provider: &dyn Provider, origin: &Name) -> ZoneState {
    match provider.read_zone(origin).await {
        Ok(state) => state,
        Err(e) if e.kind == nsync_core::provider::ErrorKind::ZoneMissing => {
            provider
                .create_zone(origin, &[])
                .await
                .expect("create the zone");
            provider.read_zone(origin).await.expect("read the new zone")
        }
        Err(e) => panic!("read the zone: {e}"),
    }
}

/// Writes `step`'s zone with nsync's plan, once: the caller checks the result.
async fn apply_step(
    provider: &dyn Provider,
    kind: &Kind,
    origin: &Name,
    step: &Transition,
    ns: &[Name],
) {
    let desired = desired_for(step, origin, kind);
    let ignore = ignore_patterns(step, origin);
    let state = provider
        .read_zone(origin)
        .await
        .unwrap_or_else(|e| panic!("{}: read: {e}", step.name));
    let input = PlanInput {
        desired: &desired,
        current: &state.zone,
        ignore: &ignore,
        capabilities: provider.capabilities(),
        union_nameservers: ns,
        own_nameservers: &state.nameservers,
        ttl_set_by_provider: &state.ttl_set_by_provider,
    };
    let changes = plan(&input);
    // As sync does: a provider is never handed an empty change set.
    if changes.changes.is_empty() {
        return;
    }
    provider
        .apply(origin, &changes)
        .await
        .unwrap_or_else(|e| panic!("{}: apply: {e}", step.name));
}

/// One transition: the zone is first brought to the step before it (so every step is a
/// test of its own, whatever ran before), then this step is applied and checked: a second
/// plan is empty, the ignored name is untouched, and the server serves exactly the new
/// data and nothing of the old.
pub async fn run_step(
    provider: &dyn Provider,
    kind: &Kind,
    setup: &Started,
    origin: &Name,
    before: Option<&Transition>,
    step: &Transition,
) {
    let first = ensure_zone(provider, origin).await;
    // Keep the lab's apex NS as it is: it is what the delegation points at. Empty where
    // the provider cannot tell (RFC 2136): the apex NS is then left alone.
    let ns = first.nameservers.clone();
    let previous = match before {
        Some(b) => {
            apply_step(provider, kind, origin, b, &ns).await;
            desired_for(b, origin, kind)
        }
        None => Zone::new(origin.clone()),
    };
    if let Some(note) = &setup.before_step {
        note(step.name);
    }
    apply_step(provider, kind, origin, step, &ns).await;
    if let Some(settle) = &setup.settle {
        settle();
    }
    let desired = desired_for(step, origin, kind);
    let ignore = ignore_patterns(step, origin);
    let after = provider.read_zone(origin).await.expect("read again");
    let left = plan_for(provider, &desired, &after, &ignore, &ns);
    assert!(
        left.is_empty(),
        "{} ({}): a second plan is not empty: {left:#?}",
        step.name,
        provider.name()
    );
    if !step.ignore.is_empty() {
        let kept = Name::from_ascii(format!("_acme-challenge.{}", origin.to_text())).unwrap();
        // Exactly the value the earlier step wrote: untouched, not merely present.
        let value = after.zone.get(&kept, RecordType::TXT).map(|r| r.values());
        assert_eq!(
            value,
            Some(vec!["\"token-1\"".to_string()]),
            "{}: the ignored name was touched",
            step.name
        );
        if let Some(server) = setup.server {
            let served: Vec<String> = query(server, &kept, RecordType::TXT)
                .answers
                .iter()
                .map(|r| nsync_core::rdata::format_rdata(&r.data))
                .collect();
            assert_eq!(
                served,
                ["\"token-1\""],
                "{}: the ignored name is not served as it was",
                step.name
            );
        }
    }
    if let Some(server) = setup.server {
        for want in desired.rrsets() {
            check_served(server, &desired, want, step.name);
        }
        for old in previous.rrsets() {
            check_gone(server, &desired, old, &ignore, step.name);
        }
    }
    if let Some(stored) = &setup.stored {
        check_stored(&stored(origin), &desired, &ignore, step.name);
    }
    if let Some(check) = &setup.after_step {
        check(step.name).unwrap_or_else(|e| panic!("{}: {e}", step.name));
    }
}
