//! Referrals (RFC 1034 4.3.2, step 3b): a query for a name at or below a zone cut is
//! answered with the delegation, not with data: no AA bit, the child's NS in the
//! authority section, their addresses from the zone (glue) in the additional section.
//! hickory's in-memory handler answers an NS query at the cut authoritatively and sets
//! AA on its referrals, which resolvers may take for an authoritative "no data"; so the
//! server answers these itself, from the cuts of each zone it serves.

use std::collections::BTreeMap;
use std::iter;

use hickory_proto::op::{Edns, Header, HeaderCounts, Metadata, ResponseCode};
use hickory_proto::rr::{LowerName, Record, RecordType};
use hickory_server::server::{Request, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use nsync_core::zone::Zone;

/// One delegation: the child's NS records and the glue for them.
#[derive(Clone)]
pub struct Delegation {
    ns: Vec<Record>,
    glue: Vec<Record>,
}

/// The zone cuts below a zone's apex.
#[derive(Default)]
pub struct Cuts(BTreeMap<LowerName, Delegation>);

impl Cuts {
    pub fn of(zone: &Zone) -> Cuts {
        let mut cuts = BTreeMap::new();
        for rrset in zone.rrsets() {
            if rrset.rtype != RecordType::NS || rrset.name == zone.origin {
                continue;
            }
            let ns: Vec<Record> = rrset
                .rdata()
                .iter()
                .map(|r| {
                    Record::from_rdata(rrset.name.clone(), rrset.ttl, r.to_hickory(rrset.rtype))
                })
                .collect();
            let mut glue = Vec::new();
            for target in rrset
                .rdata()
                .iter()
                .filter_map(|r| match r.to_hickory(RecordType::NS) {
                    hickory_proto::rr::RData::NS(n) => Some(n.0),
                    _ => None,
                })
            {
                for rtype in [RecordType::A, RecordType::AAAA] {
                    if let Some(addrs) = zone.get(&target, rtype) {
                        glue.extend(addrs.rdata().iter().map(|r| {
                            Record::from_rdata(target.clone(), addrs.ttl, r.to_hickory(rtype))
                        }));
                    }
                }
            }
            cuts.insert(LowerName::new(&rrset.name), Delegation { ns, glue });
        }
        Cuts(cuts)
    }

    /// The delegation a query for `name` (in the zone `origin`) must be referred to: the
    /// highest cut at or above it. A DS query at the cut itself is the parent's to answer.
    pub fn referral(
        &self,
        origin: &LowerName,
        name: &LowerName,
        rtype: RecordType,
    ) -> Option<&Delegation> {
        if self.0.is_empty() {
            return None;
        }
        let mut highest = None;
        let mut at = name.clone();
        while at != *origin && !at.is_root() {
            if let Some(d) = self.0.get(&at) {
                highest = Some((at.clone(), d));
            }
            at = at.base_name();
        }
        match highest {
            Some((cut, _)) if cut == *name && rtype == RecordType::DS => None,
            Some((_, d)) => Some(d),
            None => None,
        }
    }
}

/// The zone of `name` among those served: the longest origin that contains it.
pub fn zone_of<'a, T>(
    zones: &'a std::collections::HashMap<LowerName, T>,
    name: &LowerName,
) -> Option<(&'a LowerName, &'a T)> {
    let mut at = name.clone();
    loop {
        if let Some(entry) = zones.get_key_value(&at) {
            return Some(entry);
        }
        if at.is_root() {
            return None;
        }
        at = at.base_name();
    }
}

/// Refuses `request` (a zone transfer from an address not allowed one).
pub async fn refuse(request: &Request, mut response_handle: impl ResponseHandler) -> ResponseInfo {
    let mut metadata = Metadata::response_from_request(&request.metadata);
    metadata.response_code = ResponseCode::Refused;
    let response = MessageResponseBuilder::new(&request.queries, None).build(
        metadata,
        iter::empty(),
        iter::empty(),
        iter::empty(),
        iter::empty(),
    );
    match response_handle.send_response(response).await {
        Ok(info) => info,
        Err(_) => ResponseInfo::from(Header {
            metadata,
            counts: HeaderCounts::default(),
        }),
    }
}

/// Sends the referral to `delegation` for `request`.
pub async fn send(
    request: &Request,
    delegation: &Delegation,
    mut response_handle: impl ResponseHandler,
) -> ResponseInfo {
    let mut metadata = Metadata::response_from_request(&request.metadata);
    metadata.authoritative = false;
    metadata.response_code = ResponseCode::NoError;
    let edns = request.edns.as_ref().map(|asked| {
        let mut e = Edns::new();
        e.set_max_payload(asked.max_payload().max(512));
        e
    });
    let response = MessageResponseBuilder::new(&request.queries, edns.as_ref()).build(
        metadata,
        iter::empty(),
        delegation.ns.iter(),
        iter::empty(),
        delegation.glue.iter(),
    );
    match response_handle.send_response(response).await {
        Ok(info) => info,
        Err(_) => {
            let mut failed = Metadata::response_from_request(&request.metadata);
            failed.response_code = ResponseCode::ServFail;
            ResponseInfo::from(Header {
                metadata: failed,
                counts: HeaderCounts::default(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::zonefile::parse_master_text;

    fn cuts() -> (LowerName, Cuts) {
        let origin = hickory_proto::rr::Name::from_ascii("z.test.").unwrap();
        let text = "$TTL 300\n@ NS ns1\nns1 A 192.0.2.1\nsub NS ns1.sub\nsub NS ns.example.\nns1.sub A 192.0.2.2\ndeep.sub NS ns.example.\n";
        let read = parse_master_text(std::path::Path::new("z.zone"), text, &origin);
        (LowerName::new(&origin), Cuts::of(&read.zone))
    }

    fn name(n: &str) -> LowerName {
        LowerName::new(&hickory_proto::rr::Name::from_ascii(n).unwrap())
    }

    #[test]
    fn names_at_and_below_a_cut_are_referred_with_glue() {
        let (origin, cuts) = cuts();
        for (n, t) in [
            ("sub.z.test.", RecordType::NS),
            ("www.sub.z.test.", RecordType::A),
        ] {
            let d = cuts.referral(&origin, &name(n), t).expect("a referral");
            assert_eq!(d.ns.len(), 2, "{n}");
            assert_eq!(d.glue.len(), 1, "{n}: the in-zone NS target's address");
        }
    }

    #[test]
    fn the_highest_cut_wins_and_ds_at_the_cut_is_the_parents() {
        let (origin, cuts) = cuts();
        // deep.sub is below sub: the parent refers to sub, as a resolver expects.
        let d = cuts
            .referral(&origin, &name("deep.sub.z.test."), RecordType::A)
            .unwrap();
        assert_eq!(d.ns[0].name.to_ascii(), "sub.z.test.");
        assert!(
            cuts.referral(&origin, &name("sub.z.test."), RecordType::DS)
                .is_none()
        );
        // A DS below the top cut is still the child's business: referred.
        assert!(
            cuts.referral(&origin, &name("deep.sub.z.test."), RecordType::DS)
                .is_some()
        );
        assert!(
            cuts.referral(&origin, &name("z.test."), RecordType::NS)
                .is_none()
        );
        assert!(
            cuts.referral(&origin, &name("ns1.z.test."), RecordType::A)
                .is_none()
        );
    }

    #[test]
    fn a_query_falls_in_the_longest_served_zone() {
        let mut zones = std::collections::HashMap::new();
        zones.insert(name("."), 0);
        zones.insert(name("z.test."), 1);
        assert_eq!(
            zone_of(&zones, &name("a.z.test.")).map(|(_, v)| *v),
            Some(1)
        );
        assert_eq!(
            zone_of(&zones, &name("other.test.")).map(|(_, v)| *v),
            Some(0)
        );
        zones.remove(&name("."));
        assert!(zone_of(&zones, &name("other.test.")).is_none());
    }
}
