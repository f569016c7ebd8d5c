//! Keys and signatures made in tests: a zone signed here, so validation, denial and the
//! key matrix are checked against signatures with known faults (expired, by a key not in
//! the set, over other data) that no lab server would produce on demand.

use hickory_proto::dnssec::crypto::EcdsaSigningKey;
use hickory_proto::dnssec::rdata::sig::SigInput;
use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, RRSIG};
use hickory_proto::dnssec::{Algorithm, SigningKey, TBS};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType, SerialNumber};

use super::keys::Key;

pub fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

/// A key of the zone and its private half.
pub struct TestKey {
    pub key: Key,
    private: EcdsaSigningKey,
    zone: Name,
}

impl TestKey {
    /// A new ECDSA P-256 key (algorithm 13) with the given flags (256 ZSK, 257 KSK).
    pub fn new(zone: &str, flags: u16) -> TestKey {
        let der = EcdsaSigningKey::generate_pkcs8(Algorithm::ECDSAP256SHA256).unwrap();
        let private = EcdsaSigningKey::from_pkcs8(&der, Algorithm::ECDSAP256SHA256).unwrap();
        let dnskey = DNSKEY::with_flags(flags, private.to_public_key().unwrap());
        TestKey {
            key: Key::from_dnskey(&dnskey).unwrap(),
            private,
            zone: name(zone),
        }
    }

    /// The key's DNSKEY record.
    pub fn record(&self) -> Record {
        Record::from_rdata(
            self.zone.clone(),
            3600,
            RData::DNSSEC(DNSSECRData::DNSKEY(self.key.dnskey.clone())),
        )
    }

    /// An RRSIG over the rrset `name` `rtype` in `records`, valid from `inception` to
    /// `expiration` (seconds since the epoch).
    pub fn sign(&self, records: &[Record], inception: u32, expiration: u32) -> Record {
        let first = records[0].clone();
        let rtype: RecordType = first.record_type();
        let input = SigInput {
            type_covered: rtype,
            algorithm: Algorithm::ECDSAP256SHA256,
            num_labels: first.name.num_labels(),
            original_ttl: first.ttl,
            sig_expiration: SerialNumber::new(expiration),
            sig_inception: SerialNumber::new(inception),
            key_tag: self.key.id.tag,
            signer_name: self.zone.clone(),
        };
        let tbs = TBS::from_input(&first.name, DNSClass::IN, &input, records.iter()).unwrap();
        let sig = self.private.sign(&tbs).unwrap();
        Record::from_rdata(
            first.name.clone(),
            first.ttl,
            RData::DNSSEC(DNSSECRData::RRSIG(RRSIG::from_sig(input, sig))),
        )
    }
}

/// An A rrset of one address.
pub fn a(owner: &str, ip: [u8; 4]) -> Record {
    Record::from_rdata(
        name(owner),
        300,
        RData::A(hickory_proto::rr::rdata::A(ip.into())),
    )
}

/// Now as DNSSEC counts it, and a day.
pub fn now() -> u32 {
    super::now32(std::time::SystemTime::now())
}

pub const DAY: u32 = 86_400;
