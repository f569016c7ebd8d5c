//! What one address serves of the zone's own DNSSEC records: its DNSKEY set (checked to
//! be signed by one of its own keys), CDS and CDNSKEY. Asked once per address before the
//! rrsets, whose signatures are then validated against this set.

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RecordType};

use super::keys::zone_keys;
use super::matrix::AddressDnssec;
use super::validate::{Verdict, rrset};
use crate::verify::transport::Asker;

/// What the DNSKEY set looked like, beside the observations.
pub enum KeySet {
    /// No DNSKEY here (or no answer to the question: other checks report that).
    Absent,
    /// Keys, and the DNSKEY rrset validates with one of them.
    Valid,
    /// Keys, but their own rrset does not validate (or carries no signature): why.
    Bogus(String),
}

pub async fn keys(client: &dyn Asker, zone: &Name, now: u32) -> (AddressDnssec, KeySet) {
    let mut seen = AddressDnssec::default();
    let Ok(answer) = client.query(zone, RecordType::DNSKEY).await else {
        return (seen, KeySet::Absent);
    };
    let m = &answer.message;
    if m.metadata.response_code != ResponseCode::NoError || !m.metadata.authoritative {
        return (seen, KeySet::Absent);
    }
    seen.answered = true;
    seen.dnskey_truncated = answer.truncated;
    seen.keys = zone_keys(&m.answers, zone);
    seen.dnskey_ttl = m
        .answers
        .iter()
        .find(|r| r.name == *zone && r.record_type() == RecordType::DNSKEY)
        .map(|r| r.ttl);
    // Keys, every one revoked: the zone is signed and nothing may validate it.
    if seen.keys.is_empty() && super::keys::only_revoked(&m.answers, zone) {
        return (
            seen,
            KeySet::Bogus(
                "every zone key in the DNSKEY set carries the REVOKE flag (RFC 5011), so none may validate the zone".into(),
            ),
        );
    }
    // An unsigned zone costs this one question: CDS and CDNSKEY only matter beside keys.
    if seen.keys.is_empty() {
        return (seen, KeySet::Absent);
    }
    let state = match rrset(&m.answers, zone, RecordType::DNSKEY, &seen.keys, zone, now) {
        Verdict::Valid { by, .. } => {
            seen.dnskey_signers = by;
            KeySet::Valid
        }
        Verdict::Unsigned => KeySet::Bogus("the DNSKEY set carries no signature".into()),
        Verdict::Bogus(why) => KeySet::Bogus(why),
    };
    for (rtype, slot) in [
        (RecordType::CDS, &mut seen.cds),
        (RecordType::CDNSKEY, &mut seen.cdnskey),
    ] {
        if let Ok(a) = client.query(zone, rtype).await {
            *slot = a
                .message
                .answers
                .iter()
                .filter(|r| r.name == *zone && r.record_type() == rtype)
                .map(|r| nsync_core::rdata::canonical_bytes(&r.data))
                .collect();
            slot.sort();
        }
    }
    (seen, state)
}
