//! Desired zone vs what a provider holds -> the ordered changes for that provider.
//!
//! Per rrset: create, update or delete. Left out: the apex SOA (each provider owns it),
//! ignored names (never touched), apex NS where the provider owns it, and types the
//! provider cannot hold (`check` rejects those earlier). TTLs are compared as the
//! provider will store them, so a TTL a provider raises to its minimum is not a change
//! on every run.

use nsync_core::name::NameText;
use nsync_core::provider::{Capabilities, Change, ChangeSet};
use nsync_core::zone::{Rrset, Zone};
use nsync_core::{Name, RData, RecordType};

use crate::config::IgnorePattern;

/// The TTL of an apex NS rrset nsync creates where there was none.
pub const DEFAULT_APEX_NS_TTL: u32 = 3600;

pub struct PlanInput<'a> {
    pub desired: &'a Zone,
    pub current: &'a Zone,
    pub ignore: &'a [IgnorePattern],
    pub capabilities: &'a Capabilities,
    /// Written as the apex NS when the zone file has none: every provider's nameservers.
    pub union_nameservers: &'a [Name],
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub creates: usize,
    pub updates: usize,
    pub deletes: usize,
}

impl Counts {
    pub fn of(changes: &ChangeSet) -> Counts {
        let mut c = Counts::default();
        for change in &changes.changes {
            match change {
                Change::Create(_) => c.creates += 1,
                Change::Update { .. } => c.updates += 1,
                Change::Delete(_) => c.deletes += 1,
            }
        }
        c
    }

    pub fn total(&self) -> usize {
        self.creates + self.updates + self.deletes
    }
}

fn is_apex_ns(zone: &Zone, rrset: &Rrset) -> bool {
    rrset.rtype == RecordType::NS && rrset.name == zone.origin
}

/// What nsync manages at this provider: the zone minus what the rules above leave out.
fn managed<'z>(zone: &'z Zone, input: &'z PlanInput<'_>) -> impl Iterator<Item = &'z Rrset> + 'z {
    zone.rrsets().filter(move |r| {
        r.rtype != RecordType::SOA
            && input.capabilities.supports(r.rtype)
            && !input.ignore.iter().any(|p| p.matches(&r.name))
            && (input.capabilities.apex_ns || !is_apex_ns(zone, r))
    })
}

/// The number of rrsets nsync manages at the provider now: the base of the safety
/// thresholds.
pub fn managed_count(input: &PlanInput<'_>) -> usize {
    managed(input.current, input).count()
}

/// The desired zone as this provider should hold it.
fn desired_for_provider(input: &PlanInput<'_>) -> Zone {
    let caps = input.capabilities;
    let mut zone = Zone::new(input.desired.origin.clone());
    for r in managed(input.desired, input) {
        let ttl = r.ttl.clamp(caps.min_ttl, caps.max_ttl);
        zone.insert(Rrset::new(r.name.clone(), r.rtype, ttl, r.rdata().to_vec()));
    }
    let origin = &input.desired.origin;
    let has_apex_ns = input.desired.get(origin, RecordType::NS).is_some();
    if !has_apex_ns && caps.apex_ns && !input.union_nameservers.is_empty() {
        let ttl = input
            .current
            .get(origin, RecordType::NS)
            .map_or(DEFAULT_APEX_NS_TTL, |r| r.ttl);
        let rdata = input
            .union_nameservers
            .iter()
            .map(|n| RData::NS(hickory_proto::rr::rdata::NS(n.clone())))
            .collect();
        zone.insert(Rrset::new(origin.clone(), RecordType::NS, ttl, rdata));
    }
    zone
}

/// The changes that make the provider hold the desired zone: deletions first, then
/// updates, then creations, each in canonical order.
pub fn plan(input: &PlanInput<'_>) -> ChangeSet {
    let desired = desired_for_provider(input);
    let mut deletes = Vec::new();
    let mut updates = Vec::new();
    let mut creates = Vec::new();
    for current in managed(input.current, input) {
        if is_apex_ns(input.current, current) && desired.get(&current.name, current.rtype).is_none()
        {
            // No apex NS wanted and none to write: leave the provider's own alone.
            continue;
        }
        if desired.get(&current.name, current.rtype).is_none() {
            deletes.push(Change::Delete(current.clone()));
        }
    }
    for want in desired.rrsets() {
        match input.current.get(&want.name, want.rtype) {
            None => creates.push(Change::Create(want.clone())),
            Some(have) if have != want => updates.push(Change::Update {
                from: have.clone(),
                to: want.clone(),
            }),
            Some(_) => {}
        }
    }
    ChangeSet {
        changes: deletes.into_iter().chain(updates).chain(creates).collect(),
    }
}

/// One line of a readable diff, without colour: `+`, `-` or `~`, then the rrset.
pub fn describe(change: &Change) -> (char, String) {
    fn show(r: &Rrset) -> String {
        let values: Vec<String> = r.values();
        format!(
            "{} {} {} {}",
            r.name.to_text(),
            r.ttl,
            r.rtype,
            values.join(" | ")
        )
    }
    match change {
        Change::Create(r) => ('+', show(r)),
        Change::Delete(r) => ('-', show(r)),
        Change::Update { from, to } => {
            let mut parts = Vec::new();
            if from.ttl != to.ttl {
                parts.push(format!("ttl {} -> {}", from.ttl, to.ttl));
            }
            if !from.same_rdata(to) {
                let old: Vec<String> = from.values();
                let new: Vec<String> = to.values();
                parts.push(format!("{} -> {}", old.join(" | "), new.join(" | ")));
            }
            (
                '~',
                format!("{} {} {}", to.name.to_text(), to.rtype, parts.join("; ")),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::zonefile::parse_zone_text;

    fn zone(text: &str) -> Zone {
        let read = parse_zone_text(Path::new("z.zone"), &format!("$TTL 300\n{text}"), &origin());
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        read.zone
    }

    fn origin() -> Name {
        Name::from_ascii("example.test.").unwrap()
    }

    fn lines(
        desired: &str,
        current: &str,
        ignore: &[IgnorePattern],
        caps: &Capabilities,
        ns: &[&str],
    ) -> Vec<String> {
        let (d, c) = (zone(desired), zone(current));
        let ns: Vec<Name> = ns.iter().map(|n| Name::from_ascii(n).unwrap()).collect();
        let input = PlanInput {
            desired: &d,
            current: &c,
            ignore,
            capabilities: caps,
            union_nameservers: &ns,
        };
        plan(&input)
            .changes
            .iter()
            .map(|ch| {
                let (sign, text) = describe(ch);
                format!("{sign} {text}")
            })
            .collect()
    }

    #[test]
    fn creates_updates_deletes_in_that_order_of_deletes_first() {
        let got = lines(
            "a A 192.0.2.1\nb A 192.0.2.2\nc 60 A 192.0.2.3\n",
            "b A 192.0.2.9\nc A 192.0.2.3\nd TXT \"x\"\n",
            &[],
            &Capabilities::FULL,
            &[],
        );
        assert_eq!(
            got,
            [
                "- d.example.test. 300 TXT \"x\"",
                "~ b.example.test. A 192.0.2.9 -> 192.0.2.2",
                "~ c.example.test. A ttl 300 -> 60",
                "+ a.example.test. 300 A 192.0.2.1",
            ]
        );
    }

    #[test]
    fn no_changes_when_equal_whatever_the_order_and_case() {
        let got = lines(
            "A.example.test. A 192.0.2.2\na A 192.0.2.1\n",
            "a A 192.0.2.1\na A 192.0.2.2\n",
            &[],
            &Capabilities::FULL,
            &[],
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn ignored_names_are_never_touched() {
        let ignore = [IgnorePattern::Exact(
            Name::from_ascii("_acme-challenge.example.test.").unwrap(),
        )];
        let got = lines(
            "_acme-challenge TXT \"new\"\n",
            "_acme-challenge TXT \"old\"\n",
            &ignore,
            &Capabilities::FULL,
            &[],
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn apex_ns_is_the_union_of_providers_when_the_file_has_none() {
        let ns = ["ns1.example.test.", "ns2.example.net."];
        let got = lines(
            "a A 192.0.2.1\n",
            "@ 86400 NS ns1.example.test.\na A 192.0.2.1\n",
            &[],
            &Capabilities::FULL,
            &ns,
        );
        assert_eq!(
            got,
            ["~ example.test. NS ns1.example.test. -> ns1.example.test. | ns2.example.net."]
        );
        // Already the union: nothing to do.
        let got = lines(
            "a A 192.0.2.1\n",
            "@ NS ns1.example.test.\n@ NS ns2.example.net.\na A 192.0.2.1\n",
            &[],
            &Capabilities::FULL,
            &ns,
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn apex_ns_is_left_alone_where_the_provider_owns_it() {
        let caps = Capabilities {
            apex_ns: false,
            ..Capabilities::FULL
        };
        let got = lines(
            "@ NS ns9.example.net.\n",
            "@ NS ns1.provider.net.\n",
            &[],
            &caps,
            &["ns1.example.test."],
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn ttls_are_compared_as_the_provider_stores_them() {
        let caps = Capabilities {
            min_ttl: 60,
            ..Capabilities::FULL
        };
        let got = lines("a 30 A 192.0.2.1\n", "a 60 A 192.0.2.1\n", &[], &caps, &[]);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn cname_replacing_an_address_deletes_first() {
        let got = lines(
            "www CNAME example.test.\n",
            "www A 192.0.2.1\n",
            &[],
            &Capabilities::FULL,
            &[],
        );
        assert_eq!(
            got,
            [
                "- www.example.test. 300 A 192.0.2.1",
                "+ www.example.test. 300 CNAME example.test."
            ]
        );
    }
}
