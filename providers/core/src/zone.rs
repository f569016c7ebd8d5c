//! The zone model: a zone is its origin and a set of rrsets, kept in canonical order
//! (RFC 4034 §6: names right to left, case-insensitive; then type) so that files, plans
//! and diffs come out in the same order every time.

use std::collections::BTreeMap;
use std::fmt;

use hickory_proto::rr::{Name, RData, RecordType};

use crate::rdata::{canonical_bytes, format_rdata};

/// The largest TTL RFC 2181 §8 allows.
pub const MAX_TTL: u32 = 2_147_483_647;

/// What to do about a bad TTL; shared by every reader.
pub const TTL_HINT: &str =
    "a TTL is seconds from 0 to 2147483647 (RFC 2181), or with units like 1h30m";

/// An rrset's identity: owner name (lower-case) and type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RrsetKey {
    pub name: Name,
    pub rtype: RecordType,
}

impl RrsetKey {
    pub fn new(name: Name, rtype: RecordType) -> Self {
        RrsetKey {
            name: name.to_lowercase(),
            rtype,
        }
    }
}

impl fmt::Display for RrsetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name.to_ascii(), self.rtype)
    }
}

/// All records of one name and type: one TTL, a set of rdata.
///
/// The rdata are sorted by their canonical wire form and duplicates removed, so two rrsets
/// with the same data compare equal however their records were ordered or spelled.
#[derive(Clone, Debug)]
pub struct Rrset {
    pub name: Name,
    pub rtype: RecordType,
    pub ttl: u32,
    rdata: Vec<RData>,
}

impl Rrset {
    pub fn new(name: Name, rtype: RecordType, ttl: u32, rdata: Vec<RData>) -> Self {
        let mut keyed: Vec<(Vec<u8>, RData)> = rdata
            .into_iter()
            .map(|r| (canonical_bytes(&r), r))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        keyed.dedup_by(|a, b| a.0 == b.0);
        Rrset {
            name: name.to_lowercase(),
            rtype,
            ttl,
            rdata: keyed.into_iter().map(|(_, r)| r).collect(),
        }
    }

    pub fn key(&self) -> RrsetKey {
        // The name is lower-cased on construction already.
        RrsetKey {
            name: self.name.clone(),
            rtype: self.rtype,
        }
    }

    pub fn rdata(&self) -> &[RData] {
        &self.rdata
    }

    /// Same records, whatever the TTL.
    pub fn same_rdata(&self, other: &Rrset) -> bool {
        self.rdata.len() == other.rdata.len()
            && self
                .rdata
                .iter()
                .zip(&other.rdata)
                .all(|(a, b)| canonical_bytes(a) == canonical_bytes(b))
    }

    /// The rdata in presentation format, in canonical order.
    pub fn values(&self) -> Vec<String> {
        self.rdata.iter().map(format_rdata).collect()
    }
}

impl PartialEq for Rrset {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.rtype == other.rtype
            && self.ttl == other.ttl
            && self.same_rdata(other)
    }
}

impl Eq for Rrset {}

/// One zone: its origin and its rrsets in canonical order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    pub origin: Name,
    rrsets: BTreeMap<RrsetKey, Rrset>,
}

impl Zone {
    pub fn new(origin: Name) -> Self {
        Zone {
            origin: origin.to_lowercase(),
            rrsets: BTreeMap::new(),
        }
    }

    /// Adds or replaces the rrset of its name and type; returns the one replaced.
    pub fn insert(&mut self, rrset: Rrset) -> Option<Rrset> {
        self.rrsets.insert(rrset.key(), rrset)
    }

    pub fn remove(&mut self, key: &RrsetKey) -> Option<Rrset> {
        self.rrsets.remove(key)
    }

    pub fn get(&self, name: &Name, rtype: RecordType) -> Option<&Rrset> {
        self.rrsets.get(&RrsetKey::new(name.clone(), rtype))
    }

    pub fn rrsets(&self) -> impl Iterator<Item = &Rrset> {
        self.rrsets.values()
    }

    pub fn len(&self) -> usize {
        self.rrsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rrsets.is_empty()
    }

    /// The names in the apex NS rrset: the nameservers the zone itself lists.
    pub fn apex_nameservers(&self) -> Vec<Name> {
        self.get(&self.origin, RecordType::NS)
            .map(|ns| {
                ns.rdata
                    .iter()
                    .filter_map(|r| match r {
                        RData::NS(n) => Some(n.0.to_lowercase()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The number of records (rdata) over all rrsets.
    pub fn record_count(&self) -> usize {
        self.rrsets.values().map(|r| r.rdata.len()).sum()
    }
}

/// Reads a TTL: seconds, or with units as BIND writes them (`1h30m`, `2d`, `1w`).
pub fn parse_ttl(text: &str) -> Result<u32, String> {
    let bad = || {
        format!(
            "TTL `{text}` is not a number of seconds (or with units like 1h30m), from 0 to {MAX_TTL}"
        )
    };
    if text.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(
                number
                    .unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(d as u64),
            );
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        total = total.saturating_add(number.take().ok_or_else(bad)?.saturating_mul(unit));
    }
    total = total.saturating_add(number.unwrap_or(0));
    check_ttl(total as i64).map_err(|_| bad())
}

/// Checks a TTL given as a number against RFC 2181's range.
pub fn check_ttl(value: i64) -> Result<u32, String> {
    if (0..=MAX_TTL as i64).contains(&value) {
        Ok(value as u32)
    } else {
        Err(format!("TTL {value} is outside 0..{MAX_TTL} (RFC 2181 §8)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdata::parse_rdata_text;

    fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    #[test]
    fn rrsets_compare_as_sets_of_canonical_rdata() {
        let origin = name("example.test.");
        let a = |s| parse_rdata_text(RecordType::A, s, &origin).unwrap();
        let one = Rrset::new(
            name("WWW.example.test."),
            RecordType::A,
            300,
            vec![a("192.0.2.2"), a("192.0.2.1")],
        );
        let two = Rrset::new(
            name("www.example.test."),
            RecordType::A,
            300,
            vec![a("192.0.2.1"), a("192.0.2.2"), a("192.0.2.1")],
        );
        assert_eq!(one, two);
        assert_eq!(one.values(), ["192.0.2.1", "192.0.2.2"]);
        let longer = Rrset::new(
            name("www.example.test."),
            RecordType::A,
            60,
            vec![a("192.0.2.1")],
        );
        assert_ne!(one, longer);
    }

    #[test]
    fn zone_iterates_in_canonical_order() {
        let origin = name("example.test.");
        let mut zone = Zone::new(origin.clone());
        let txt = |s| parse_rdata_text(RecordType::TXT, s, &origin).unwrap();
        for n in [
            "z.example.test.",
            "a.b.example.test.",
            "example.test.",
            "b.example.test.",
        ] {
            zone.insert(Rrset::new(name(n), RecordType::TXT, 1, vec![txt("\"x\"")]));
        }
        let order: Vec<String> = zone.rrsets().map(|r| r.name.to_ascii()).collect();
        assert_eq!(
            order,
            [
                "example.test.",
                "b.example.test.",
                "a.b.example.test.",
                "z.example.test."
            ]
        );
    }

    #[test]
    fn ttl_units_and_range() {
        assert_eq!(parse_ttl("300").unwrap(), 300);
        assert_eq!(parse_ttl("1h30m").unwrap(), 5400);
        assert_eq!(parse_ttl("1W").unwrap(), 604_800);
        assert!(parse_ttl("2147483648").is_err());
        assert!(parse_ttl("h").is_err());
        assert!(parse_ttl("5x").is_err());
        assert!(check_ttl(-1).is_err());
    }
}
