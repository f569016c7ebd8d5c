//! Proof that a name does not exist (RFC 4035 §5.4 for NSEC, RFC 5155 §8.4 for NSEC3): the
//! NXDOMAIN answer to verify's probe must carry signed records showing that no such name
//! and no wildcard that could answer it exist. Without the proof a validating resolver
//! treats the NXDOMAIN as bogus and its users get SERVFAIL.

use hickory_proto::dnssec::rdata::{DNSSECRData, NSEC, NSEC3};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::keys::Key;
use super::validate::{Verdict, rrset};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denial {
    Proven,
    /// The answer carries no NSEC or NSEC3 at all.
    Unsigned,
    Bogus(String),
    /// A proof resolvers do not check and take as insecure: NSEC3 with more iterations
    /// than RFC 9276 §3.2 lets them accept.
    Insecure(String),
}

/// NSEC3 iterations above which resolvers treat an answer as insecure (RFC 9276 §3.2;
/// BIND and Unbound use 150; 0 is what RFC 9276 asks zones to use).
pub const MAX_NSEC3_ITERATIONS: u16 = 150;

/// Checks the authority section of an NXDOMAIN answer for `qname` in `zone`.
pub fn nxdomain(qname: &Name, zone: &Name, authority: &[Record], keys: &[Key], now: u32) -> Denial {
    let nsecs: Vec<(&Name, &NSEC)> = authority
        .iter()
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::NSEC(n)) => Some((&r.name, n)),
            _ => None,
        })
        .collect();
    let nsec3s: Vec<(&Name, &NSEC3)> = authority
        .iter()
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::NSEC3(n)) => Some((&r.name, n)),
            _ => None,
        })
        .collect();
    if nsecs.is_empty() && nsec3s.is_empty() {
        return Denial::Unsigned;
    }
    // Every record of the proof must itself validate, or a forger could write one.
    let mut owners: Vec<(&Name, RecordType)> = nsecs
        .iter()
        .map(|(n, _)| (*n, RecordType::NSEC))
        .chain(nsec3s.iter().map(|(n, _)| (*n, RecordType::NSEC3)))
        .collect();
    owners.sort();
    owners.dedup();
    for (owner, rtype) in owners {
        match rrset(authority, owner, rtype, keys, zone, now) {
            Verdict::Valid { .. } => {}
            Verdict::Unsigned => {
                return Denial::Bogus(format!("the {rtype} at {owner} carries no signature"));
            }
            Verdict::Bogus(why) => return Denial::Bogus(format!("the {rtype} at {owner}: {why}")),
        }
    }
    if !nsecs.is_empty() {
        nsec_proof(qname, &nsecs)
    } else {
        nsec3_proof(qname, zone, &nsec3s)
    }
}

/// `name` lies strictly between `owner` and `next` in canonical order; the last NSEC of
/// a zone points back at the apex and covers everything after its owner.
fn between<T: Ord>(owner: &T, next: &T, name: &T) -> bool {
    if owner < next {
        owner < name && name < next
    } else {
        owner < name || name < next
    }
}

/// How many labels two names share from the right.
fn common_labels(a: &Name, b: &Name) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
        .count()
}

fn wildcard_of(name: &Name) -> Option<Name> {
    Name::from_ascii("*").ok()?.append_domain(name).ok()
}

fn nsec_proof(qname: &Name, nsecs: &[(&Name, &NSEC)]) -> Denial {
    let Some((owner, nsec)) = nsecs
        .iter()
        .find(|(owner, n)| between(*owner, n.next_domain_name(), qname))
    else {
        return Denial::Bogus(format!("no NSEC covers {qname}"));
    };
    // The closest encloser: the longest ancestor of the name that exists, which the
    // covering NSEC's two ends tell.
    let labels = common_labels(qname, owner).max(common_labels(qname, nsec.next_domain_name()));
    let encloser = qname.trim_to(labels);
    let Some(wildcard) = wildcard_of(&encloser) else {
        return Denial::Bogus(format!("cannot form the wildcard of {encloser}"));
    };
    if nsecs.iter().any(|(owner, _)| **owner == wildcard) {
        return Denial::Bogus(format!(
            "an NSEC shows that {wildcard} exists, so {qname} should have been answered from it"
        ));
    }
    if nsecs
        .iter()
        .any(|(owner, n)| between(*owner, n.next_domain_name(), &wildcard))
    {
        Denial::Proven
    } else {
        Denial::Bogus(format!(
            "no NSEC covers {wildcard}: the answer does not prove that no wildcard answers {qname}"
        ))
    }
}

fn nsec3_proof(qname: &Name, zone: &Name, nsec3s: &[(&Name, &NSEC3)]) -> Denial {
    let (_, first) = nsec3s[0];
    let (algorithm, salt, iterations) = (first.hash_algorithm(), first.salt(), first.iterations());
    // Not even hashed: the cost is the attack (CVE-2023-50868), and resolvers stopped.
    if iterations > MAX_NSEC3_ITERATIONS {
        return Denial::Insecure(format!(
            "the NSEC3 chain uses {iterations} iterations; resolvers take answers above {MAX_NSEC3_ITERATIONS} as insecure (RFC 9276 §3.2), so names that do not exist are not proven to anyone: sign with 0 iterations and no salt"
        ));
    }
    let hash = |name: &Name| -> Option<Vec<u8>> {
        algorithm
            .hash(salt, name, iterations)
            .ok()
            .map(|d| d.as_ref().to_vec())
    };
    // Each NSEC3's own hash (its first label, base32hex) and the next one.
    let mut chain: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for (owner, n) in nsec3s {
        let label = owner.iter().next().unwrap_or_default();
        let Ok(own) = data_encoding::BASE32_DNSSEC.decode(label) else {
            return Denial::Bogus(format!("the NSEC3 owner {owner} is not a base32hex hash"));
        };
        if owner.base_name() != *zone {
            return Denial::Bogus(format!(
                "the NSEC3 owner {owner} is not directly under the zone"
            ));
        }
        chain.push((own, n.next_hashed_owner_name().to_vec()));
    }
    let matches = |h: &[u8]| chain.iter().any(|(own, _)| own == h);
    let covers = |h: &[u8]| {
        chain
            .iter()
            .any(|(own, next)| between(&own.as_slice(), &next.as_slice(), &h))
    };
    // The closest encloser: the longest ancestor whose hash an NSEC3 matches.
    let mut encloser = None;
    let mut candidate = qname.base_name();
    while candidate.num_labels() >= zone.num_labels() {
        if hash(&candidate).is_some_and(|h| matches(&h)) {
            encloser = Some(candidate.clone());
            break;
        }
        if candidate == *zone {
            break;
        }
        candidate = candidate.base_name();
    }
    let Some(encloser) = encloser else {
        return Denial::Bogus(format!(
            "no NSEC3 matches an ancestor of {qname}: the closest encloser proof is missing"
        ));
    };
    let next_closer = qname.trim_to(usize::from(encloser.num_labels()) + 1);
    if !hash(&next_closer).is_some_and(|h| covers(&h)) {
        return Denial::Bogus(format!("no NSEC3 covers the hash of {next_closer}"));
    }
    let Some(wildcard) = wildcard_of(&encloser) else {
        return Denial::Bogus(format!("cannot form the wildcard of {encloser}"));
    };
    match hash(&wildcard) {
        Some(h) if matches(&h) => Denial::Bogus(format!(
            "an NSEC3 shows that {wildcard} exists, so {qname} should have been answered from it"
        )),
        Some(h) if covers(&h) => Denial::Proven,
        _ => Denial::Bogus(format!(
            "no NSEC3 covers the hash of {wildcard}: the answer does not prove that no wildcard answers {qname}"
        )),
    }
}
