//! Desired zone vs what a provider holds -> the ordered changes for that provider.
//!
//! Per rrset: create, update or delete. Left out: the apex SOA (each provider owns it),
//! ignored names (never touched), apex NS where the provider owns it, and types the
//! provider cannot hold (`check` rejects those earlier). TTLs are compared as the
//! provider will store them, so a TTL a provider raises to its minimum is not a change
//! on every run.

use nsync_core::name::NameText;
use nsync_core::provider::{ApexNs, Capabilities, Change, ChangeSet};
use std::borrow::Cow;

use nsync_core::zone::{Paired, Rrset, RrsetKey, Zone};
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
    /// The nameservers the provider reports for the zone: where it keeps them in the
    /// apex NS (`ApexNs::AddOnly`), the apex NS written there always holds them.
    pub own_nameservers: &'a [Name],
    /// Rrsets whose TTL the provider sets itself (`ZoneState::ttl_set_by_provider`,
    /// sorted): their TTL is taken as read.
    pub ttl_set_by_provider: &'a [RrsetKey],
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

/// Whether nsync manages `r` at this provider: the rules above, less the apex NS.
fn manages(input: &PlanInput<'_>, r: &Rrset) -> bool {
    r.rtype != RecordType::SOA
        && input.capabilities.supports(r.rtype)
        && !input.ignore.iter().any(|p| p.matches(&r.name))
}

/// What nsync manages at this provider: the zone minus what the rules above leave out.
fn managed<'z>(zone: &'z Zone, input: &'z PlanInput<'_>) -> impl Iterator<Item = &'z Rrset> + 'z {
    zone.rrsets().filter(move |r| {
        manages(input, r) && (input.capabilities.apex_ns.writable() || !is_apex_ns(zone, r))
    })
}

/// The number of rrsets nsync manages at the provider now: the base of the safety
/// thresholds.
pub fn managed_count(input: &PlanInput<'_>) -> usize {
    managed(input.current, input).count()
}

/// The desired rrset as this provider stores it: its TTL within the provider's range.
fn as_stored<'r>(input: &PlanInput<'_>, r: &'r Rrset) -> Cow<'r, Rrset> {
    let caps = input.capabilities;
    let ttl = r.ttl.clamp(caps.min_ttl, caps.max_ttl);
    if ttl == r.ttl {
        Cow::Borrowed(r)
    } else {
        let mut r = r.clone();
        r.ttl = ttl;
        Cow::Owned(r)
    }
}

/// The apex NS this provider should hold: the zone file's, or the union of every
/// provider's nameservers when the file has none, plus the provider's own where it
/// cannot remove them; `None` leaves the provider's alone.
fn wanted_apex_ns<'r>(input: &'r PlanInput<'_>) -> Option<Cow<'r, Rrset>> {
    let caps = input.capabilities;
    if !caps.apex_ns.writable() {
        return None;
    }
    let origin = &input.desired.origin;
    let add_own = |rrset: Cow<'r, Rrset>| -> Cow<'r, Rrset> {
        if caps.apex_ns != ApexNs::AddOnly {
            return rrset;
        }
        let mut names: Vec<Name> = rrset.rdata().iter().filter_map(ns_name).collect();
        let before = names.len();
        for own in input.own_nameservers {
            if !names.contains(own) {
                names.push(own.clone());
            }
        }
        if names.len() == before {
            return rrset;
        }
        Cow::Owned(ns_rrset(origin, rrset.ttl, &names))
    };
    if let Some(ns) = input.desired.get(origin, RecordType::NS) {
        return manages(input, ns).then(|| add_own(as_stored(input, ns)));
    }
    if input.union_nameservers.is_empty() {
        return None;
    }
    let ttl = input
        .current
        .get(origin, RecordType::NS)
        .map_or(DEFAULT_APEX_NS_TTL, |r| r.ttl);
    Some(add_own(Cow::Owned(ns_rrset(
        origin,
        ttl,
        input.union_nameservers,
    ))))
}

fn ns_rrset(origin: &Name, ttl: u32, names: &[Name]) -> Rrset {
    let rdata: Vec<RData> = names
        .iter()
        .map(|n| RData::NS(hickory_proto::rr::rdata::NS(n.clone())))
        .collect();
    Rrset::new(origin.clone(), RecordType::NS, ttl, rdata)
}

fn ns_name(rdata: &nsync_core::rdata::Rdata) -> Option<Name> {
    match rdata.to_hickory(RecordType::NS) {
        RData::NS(ns) => Some(ns.0),
        _ => None,
    }
}

/// The changes that make the provider hold the desired zone: deletions first, then
/// updates, then creations, each in canonical order. One pass over both zones side by
/// side, so a plan of a million rrsets costs a walk, not a lookup per rrset.
pub fn plan(input: &PlanInput<'_>) -> ChangeSet {
    let mut deletes = Vec::new();
    let mut updates = Vec::new();
    let mut creates = Vec::new();
    let mut step = |want: Option<Cow<'_, Rrset>>, have: Option<&Rrset>| match (want, have) {
        (Some(want), None) => creates.push(Change::Create(want.into_owned())),
        (None, Some(have)) => deletes.push(Change::Delete(have.clone())),
        (Some(want), Some(have)) if *have != *want => updates.push(Change::Update {
            from: have.clone(),
            to: want.into_owned(),
        }),
        _ => {}
    };
    let apex_ns = RrsetKey::of(&input.desired.origin, RecordType::NS);
    let mut apex_ns_done = false;
    let apex_have = || {
        input
            .current
            .get_key(&apex_ns)
            .filter(|r| input.capabilities.apex_ns.writable() && manages(input, r))
    };
    for (key, paired) in input.desired.merge(input.current) {
        if !apex_ns_done && *key >= apex_ns {
            apex_ns_done = true;
            // No apex NS wanted and none to write: the provider's own stay as they are.
            if let Some(want) = wanted_apex_ns(input) {
                step(Some(want), apex_have());
            }
            if *key == apex_ns {
                continue;
            }
        }
        match paired {
            Paired::Left(want) => {
                if manages(input, want) {
                    step(Some(as_stored(input, want)), None);
                }
            }
            Paired::Right(have) => {
                if manages(input, have) {
                    step(None, Some(have));
                }
            }
            Paired::Both(want, have) => {
                let want = manages(input, want).then(|| {
                    let stored = as_stored(input, want);
                    if stored.ttl != have.ttl
                        && input.ttl_set_by_provider.binary_search(key).is_ok()
                    {
                        let mut r = stored.into_owned();
                        r.ttl = have.ttl;
                        Cow::Owned(r)
                    } else {
                        stored
                    }
                });
                step(want, manages(input, have).then_some(have));
            }
        }
    }
    if !apex_ns_done && let Some(want) = wanted_apex_ns(input) {
        step(Some(want), apex_have());
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
        lines_own(desired, current, ignore, caps, ns, &[])
    }

    fn lines_own(
        desired: &str,
        current: &str,
        ignore: &[IgnorePattern],
        caps: &Capabilities,
        ns: &[&str],
        own: &[&str],
    ) -> Vec<String> {
        let (d, c) = (zone(desired), zone(current));
        let names = |ns: &[&str]| -> Vec<Name> {
            ns.iter().map(|n| Name::from_ascii(n).unwrap()).collect()
        };
        let (ns, own) = (names(ns), names(own));
        let input = PlanInput {
            desired: &d,
            current: &c,
            ignore,
            capabilities: caps,
            union_nameservers: &ns,
            own_nameservers: &own,
            ttl_set_by_provider: &[],
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
        let ns = ["ns1.example.net.", "ns2.example.net."];
        let got = lines(
            "a A 192.0.2.1\n",
            "@ 86400 NS ns1.example.net.\na A 192.0.2.1\n",
            &[],
            &Capabilities::FULL,
            &ns,
        );
        assert_eq!(
            got,
            ["~ example.test. NS ns1.example.net. -> ns1.example.net. | ns2.example.net."]
        );
        // Already the union: nothing to do.
        let got = lines(
            "a A 192.0.2.1\n",
            "@ NS ns1.example.net.\n@ NS ns2.example.net.\na A 192.0.2.1\n",
            &[],
            &Capabilities::FULL,
            &ns,
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn apex_ns_is_left_alone_where_the_provider_owns_it() {
        let caps = Capabilities::FULL.with_apex_ns(nsync_core::provider::ApexNs::ProviderOwned);
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
    fn apex_ns_keeps_the_providers_own_where_nsync_may_only_add() {
        let caps = Capabilities::FULL.with_apex_ns(ApexNs::AddOnly);
        let own = ["ns1-01.azure-dns.com.", "ns2-01.azure-dns.net."];
        // The union already holds them (as the union of every provider's does): written as is.
        let got = lines_own(
            "a A 192.0.2.1\n",
            "@ NS ns1-01.azure-dns.com.\n@ NS ns2-01.azure-dns.net.\na A 192.0.2.1\n",
            &[],
            &caps,
            &[
                "ns1-01.azure-dns.com.",
                "ns2-01.azure-dns.net.",
                "ns1.example.net.",
            ],
            &own,
        );
        assert_eq!(
            got,
            [
                "~ example.test. NS ns1-01.azure-dns.com. | ns2-01.azure-dns.net. -> ns1.example.net. | ns1-01.azure-dns.com. | ns2-01.azure-dns.net."
            ]
        );
        // A zone file's apex NS without them: they stay, so the plan converges instead of
        // asking every run for a deletion the provider refuses.
        let got = lines_own(
            "@ NS ns1.example.net.\n",
            "@ NS ns1-01.azure-dns.com.\n@ NS ns2-01.azure-dns.net.\n",
            &[],
            &caps,
            &[],
            &own,
        );
        assert_eq!(
            got,
            [
                "~ example.test. NS ns1-01.azure-dns.com. | ns2-01.azure-dns.net. -> ns1.example.net. | ns1-01.azure-dns.com. | ns2-01.azure-dns.net."
            ]
        );
        let got = lines_own(
            "@ NS ns1.example.net.\n",
            "@ NS ns1-01.azure-dns.com.\n@ NS ns2-01.azure-dns.net.\n@ NS ns1.example.net.\n",
            &[],
            &caps,
            &[],
            &own,
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn ttls_are_compared_as_the_provider_stores_them() {
        let caps = Capabilities::FULL.with_ttl(60, nsync_core::zone::MAX_TTL);
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
