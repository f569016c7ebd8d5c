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
            || (apex_ns && !caps.apex_ns.writable())
        {
            continue;
        }
        let ttl = r.ttl.clamp(caps.min_ttl, caps.max_ttl);
        zone.insert(Rrset::new(r.name.clone(), r.rtype, ttl, r.rdata().to_vec()));
    }
    let has_apex_ns = desired.get(origin, RecordType::NS).is_some();
    if let Some(union) = union
        && !has_apex_ns
        && caps.apex_ns.writable()
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

/// The zone cuts below the apex (names with NS). A name below a cut (not at it) is
/// answered with a referral, so its data (glue) is not checked by query.
pub struct Cuts {
    origin: Name,
    cuts: std::collections::BTreeSet<Name>,
}

impl Cuts {
    pub fn of(zone: &Zone) -> Cuts {
        let cuts = zone
            .rrsets()
            .filter(|r| r.rtype == RecordType::NS && r.name != zone.origin)
            .map(|r| r.name.clone())
            .collect();
        Cuts {
            origin: zone.origin.clone(),
            cuts,
        }
    }

    /// Walks up from the name's parent to the apex: a few label steps per name, not a
    /// scan of the zone (which made a 10,000-rrset verify quadratic).
    pub fn occludes(&self, name: &Name) -> bool {
        if self.cuts.is_empty() {
            return false;
        }
        let mut n = name.base_name();
        while n.num_labels() > self.origin.num_labels() {
            if self.cuts.contains(&n) {
                return true;
            }
            n = n.base_name();
        }
        false
    }
}

/// An NS rrset below the apex: answered as a referral.
pub fn is_delegation(zone: &Zone, rrset: &Rrset) -> bool {
    rrset.rtype == RecordType::NS && rrset.name != zone.origin
}
