//! A DNSKEY set as one address serves it, each key named as operators and `dig` name it:
//! key tag, algorithm, and whether it is a key-signing key (the SEP flag, 257) or a
//! zone-signing key (256). Keys are the same key when their rdata is the same: two keys
//! can share a tag.

use std::fmt;

use hickory_proto::dnssec::Verifier;
use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData};
use hickory_proto::rr::{Name, RData, Record};

/// How a key is named in findings: tag and algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId {
    pub tag: u16,
    pub algorithm: u8,
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key {} (algorithm {})", self.tag, self.algorithm)
    }
}

#[derive(Clone, Debug)]
pub struct Key {
    pub id: KeyId,
    pub flags: u16,
    pub dnskey: DNSKEY,
    /// The rdata on the wire: what makes two keys the same key.
    pub wire: Vec<u8>,
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.wire == other.wire
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> std::cmp::Ordering {
        (self.id, &self.wire).cmp(&(other.id, &other.wire))
    }
}

impl Key {
    pub fn from_dnskey(dnskey: &DNSKEY) -> Option<Key> {
        let wire =
            nsync_core::rdata::canonical_bytes(&RData::DNSSEC(DNSSECRData::DNSKEY(dnskey.clone())));
        let tag = dnskey.calculate_key_tag().ok()?;
        Some(Key {
            id: KeyId {
                tag,
                algorithm: u8::from(dnskey.algorithm()),
            },
            flags: dnskey.flags(),
            dnskey: dnskey.clone(),
            wire,
        })
    }

    /// A key-signing key by its flags (257): what a DS at the parent points at.
    pub fn is_ksk(&self) -> bool {
        self.dnskey.secure_entry_point()
    }

    /// "key 40134 (algorithm 13, flags 257)": the flags, not a role, since one key with
    /// flags 257 may sign everything (a CSK, as BIND's and PowerDNS's defaults do).
    pub fn describe(&self) -> String {
        format!(
            "key {} (algorithm {}, flags {})",
            self.id.tag, self.id.algorithm, self.flags
        )
    }
}

/// The zone keys at the apex among `records` (an answer section): keys with the zone-key
/// flag and not revoked (RFC 5011), the only ones that may validate the zone's data.
/// Whether the apex DNSKEY set has zone keys, and every one of them is revoked.
pub fn only_revoked(records: &[Record], origin: &Name) -> bool {
    let zone: Vec<&DNSKEY> = records
        .iter()
        .filter(|r| r.name == *origin)
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::DNSKEY(k)) if k.zone_key() => Some(k),
            _ => None,
        })
        .collect();
    !zone.is_empty() && zone.iter().all(|k| k.revoke())
}

pub fn zone_keys(records: &[Record], origin: &Name) -> Vec<Key> {
    let mut keys: Vec<Key> = records
        .iter()
        .filter(|r| r.name == *origin)
        .filter_map(|r| match &r.data {
            // A revoked key validates nothing (RFC 5011 §2.1); a key of an algorithm
            // nsync cannot check makes no zone bogus (RFC 6840 §5.2: without a
            // supported algorithm the zone is insecure to a resolver).
            RData::DNSSEC(DNSSECRData::DNSKEY(k))
                if k.zone_key() && !k.revoke() && k.algorithm().is_supported() =>
            {
                Key::from_dnskey(k)
            }
            _ => None,
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}
