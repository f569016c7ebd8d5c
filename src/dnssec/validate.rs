//! Whether one rrset in an answer is validly signed by one of an address's zone keys, at
//! the time of the check (RFC 4035 §5.3): signer is the zone, the key's tag and algorithm
//! match, now lies between inception and expiration, and the signature verifies over the
//! rrset in canonical form. One valid signature is enough, as for a resolver.

use std::collections::BTreeSet;

use hickory_proto::dnssec::Verifier;
use hickory_proto::dnssec::rdata::{DNSSECRData, RRSIG};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

use super::keys::{Key, KeyId};
use super::{before, show_time};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// At least one signature validates; `expires` is when the last of the valid ones
    /// expires (the rrset turns bogus then), `by` the keys that made them.
    Valid { expires: u32, by: BTreeSet<Key> },
    /// No RRSIG covers the rrset.
    Unsigned,
    /// Signatures are there, and none validates: why, for each.
    Bogus(String),
}

/// The RRSIGs in `section` that cover `name` `rtype`.
pub fn signatures<'a>(
    section: &'a [Record],
    name: &'a Name,
    rtype: RecordType,
) -> impl Iterator<Item = &'a RRSIG> + 'a {
    section.iter().filter_map(move |r| match &r.data {
        RData::DNSSEC(DNSSECRData::RRSIG(sig))
            if r.name == *name && sig.input().type_covered == rtype =>
        {
            Some(sig)
        }
        _ => None,
    })
}

/// Signature verifications one rrset may cost, and keys tried for one signature's key
/// tag: past these the rrset is bogus. KeyTrap (CVE-2023-50387) answers carry many keys
/// sharing a tag and many signatures, so that each answer costs millions of checks;
/// resolvers bounded the work per answer in 2024 (Unbound 1.19.1, BIND 9.18.24), and an
/// answer past these bounds fails at them too.
pub const MAX_VERIFICATIONS_PER_RRSET: usize = 16;
pub const MAX_KEYS_PER_TAG: usize = 4;

/// Validates the rrset `name` `rtype` as it appears in `section` (answer or authority).
pub fn rrset(
    section: &[Record],
    name: &Name,
    rtype: RecordType,
    keys: &[Key],
    zone: &Name,
    now: u32,
) -> Verdict {
    let records: Vec<&Record> = section
        .iter()
        .filter(|r| r.name == *name && r.record_type() == rtype && r.dns_class == DNSClass::IN)
        .collect();
    let mut why = Vec::new();
    let mut expires: Option<u32> = None;
    let mut by = BTreeSet::new();
    let mut any = false;
    let mut budget = MAX_VERIFICATIONS_PER_RRSET;
    // Signatures of an algorithm nsync cannot check neither validate nor condemn the
    // rrset (RFC 6840 §5.2).
    for sig in signatures(section, name, rtype).filter(|s| s.input().algorithm.is_supported()) {
        any = true;
        if budget == 0 {
            why.push(format!(
                "more signature checks than the {MAX_VERIFICATIONS_PER_RRSET} nsync (like resolvers since KeyTrap) spends on one rrset: too many RRSIGs or keys sharing a tag"
            ));
            break;
        }
        match one(sig, name, &records, keys, zone, now, &mut budget) {
            Ok(key) => {
                let e = sig.input().sig_expiration.get();
                expires = Some(expires.map_or(e, |x| if before(x, e) { e } else { x }));
                by.insert(key.clone());
            }
            Err(reason) => why.push(reason),
        }
    }
    match expires {
        Some(expires) => Verdict::Valid { expires, by },
        None if !any => Verdict::Unsigned,
        None => {
            why.dedup();
            Verdict::Bogus(why.join("; "))
        }
    }
}

/// One signature: the key that validates it, or why none does.
fn one<'k>(
    sig: &RRSIG,
    name: &Name,
    records: &[&Record],
    keys: &'k [Key],
    zone: &Name,
    now: u32,
    budget: &mut usize,
) -> Result<&'k Key, String> {
    let input = sig.input();
    let id = KeyId {
        tag: input.key_tag,
        algorithm: u8::from(input.algorithm),
    };
    if input.signer_name != *zone {
        return Err(format!(
            "the signature by {id} names signer {}, not the zone",
            input.signer_name
        ));
    }
    let inception = input.sig_inception.get();
    let expiration = input.sig_expiration.get();
    if before(expiration, now) {
        return Err(format!(
            "the signature by {id} expired at {} (UTC)",
            show_time(expiration)
        ));
    }
    if before(now, inception) {
        return Err(format!(
            "the signature by {id} is not valid before {} (UTC)",
            show_time(inception)
        ));
    }
    let candidates: Vec<&Key> = keys.iter().filter(|k| k.id == id).collect();
    if candidates.is_empty() {
        return Err(format!(
            "the signature is by {id}, which is not in this address's DNSKEY set"
        ));
    }
    if records.is_empty() {
        return Err(format!("the signature by {id} covers no records"));
    }
    if candidates.len() > MAX_KEYS_PER_TAG {
        return Err(format!(
            "{} keys share the signature's tag {id}: nsync (like resolvers since KeyTrap) tries at most {MAX_KEYS_PER_TAG}",
            candidates.len()
        ));
    }
    for key in candidates {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        if key
            .dnskey
            .verify_rrsig(name, DNSClass::IN, sig, records.iter().copied())
            .is_ok()
        {
            return Ok(key);
        }
    }
    Err(format!(
        "the signature by {id} does not verify over the records served"
    ))
}
