//! What each provider's nameservers should answer: the zone file as that provider holds
//! it (the same rules as plan: ignored names and types it cannot hold left out, TTLs as it
//! stores them, apex NS as sync writes it).

use nsync_core::provider::Capabilities;
use nsync_core::zone::{Rrset, RrsetKey, Zone};
use nsync_core::{Name, RData, RecordType};

use crate::config::IgnorePattern;

pub struct Expected {
    pub zone: Zone,
    /// Rrsets whose TTL nsync does not choose (apex NS written from the union keeps
    /// the provider's TTL), so only their data is compared.
    pub ttl_unchecked: Vec<RrsetKey>,
}

pub fn expected_zone(
    desired: &Zone,
    ignore: &[IgnorePattern],
    caps: &Capabilities,
    union: Option<&[Name]>,
) -> Expected {
    let origin = &desired.origin;
    let mut zone = Zone::new(origin.clone());
    let mut ttl_unchecked = Vec::new();
    for r in desired.rrsets() {
        let apex_ns = r.rtype == RecordType::NS && r.name == *origin;
        if !caps.supports(r.rtype)
            || ignore.iter().any(|p| p.matches(&r.name))
            || (apex_ns && !caps.apex_ns)
        {
            continue;
        }
        let ttl = r.ttl.clamp(caps.min_ttl, caps.max_ttl);
        zone.insert(Rrset::new(r.name.clone(), r.rtype, ttl, r.rdata().to_vec()));
    }
    let has_apex_ns = desired.get(origin, RecordType::NS).is_some();
    if let Some(union) = union
        && !has_apex_ns
        && caps.apex_ns
        && !union.is_empty()
    {
        let rdata = union
            .iter()
            .map(|n| RData::NS(hickory_proto::rr::rdata::NS(n.clone())))
            .collect();
        let rrset = Rrset::new(origin.clone(), RecordType::NS, 0, rdata);
        ttl_unchecked.push(rrset.key());
        zone.insert(rrset);
    }
    Expected {
        zone,
        ttl_unchecked,
    }
}

/// True when `name` lies below a delegation (not at the cut): servers answer it with a
/// referral, so its data (glue) is not checked by query.
pub fn occluded(zone: &Zone, name: &Name) -> bool {
    zone.rrsets().any(|r| {
        r.rtype == RecordType::NS
            && r.name != zone.origin
            && r.name.zone_of(name)
            && r.name != *name
    })
}

/// An NS rrset below the apex: answered as a referral.
pub fn is_delegation(zone: &Zone, rrset: &Rrset) -> bool {
    rrset.rtype == RecordType::NS && rrset.name != zone.origin
}
