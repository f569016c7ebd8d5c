//! The zone model: a zone is its origin and a set of rrsets, kept in canonical order
//! (RFC 4034 §6.1: names compared label by label from the right, case-insensitively; then
//! type), so that files, plans and diffs come out in the same order every time.
//!
//! Built for zones of a million rrsets: each rrset is keyed by its owner's canonical key
//! (lower-case labels, right to left, see [`owner_key`]), so ordering and lookup are byte
//! comparisons; rdata are kept in canonical wire form, sorted and deduplicated once when
//! the rrset is built. hickory's `Name` stays on the rrset for the code at the edges.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use hickory_proto::rr::{Name, RecordType};

use crate::diag::excerpt;
use crate::name::format_name;
use crate::rdata::{Rdata, format_wire};

/// The largest TTL RFC 2181 §8 allows.
pub const MAX_TTL: u32 = 2_147_483_647;

/// What to do about a bad TTL; shared by every reader.
pub const TTL_HINT: &str =
    "a TTL is seconds from 0 to 2147483647 (RFC 2181), or with units like 1h30m";

/// A name as a byte string whose byte order is the DNS's canonical order (RFC 4034 §6.1):
/// the labels from the root down, lower-cased, each closed by a 0 octet. Octets 0 and 1
/// inside a label are written as 1,1 and 1,2, so that no label byte sorts below the close
/// and a shorter label still sorts before a longer one it starts.
pub fn owner_key(name: &Name) -> Box<[u8]> {
    // A name has at most 127 labels; no allocation for the list of them.
    let mut labels: [&[u8]; 128] = [&[]; 128];
    let mut n = 0;
    for label in name.iter() {
        labels[n] = label;
        n += 1;
    }
    owner_key_from_labels(&labels[..n])
}

/// [`owner_key`] of the name made of `labels`, leftmost first (as on the wire).
pub fn owner_key_from_labels(labels: &[&[u8]]) -> Box<[u8]> {
    let mut key = Vec::with_capacity(labels.iter().map(|l| l.len() + 1).sum::<usize>() + 2);
    for label in labels.iter().rev() {
        for &b in label.iter() {
            match b {
                0 | 1 => key.extend_from_slice(&[1, b + 1]),
                b => key.push(b.to_ascii_lowercase()),
            }
        }
        key.push(0);
    }
    key.into_boxed_slice()
}

/// An rrset's identity: its owner's canonical key and its type.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RrsetKey {
    owner: Box<[u8]>,
    pub rtype: RecordType,
}

impl RrsetKey {
    pub fn new(name: Name, rtype: RecordType) -> Self {
        RrsetKey::of(&name, rtype)
    }

    pub fn of(name: &Name, rtype: RecordType) -> Self {
        RrsetKey {
            owner: owner_key(name),
            rtype,
        }
    }

    /// A key from an owner key already made (see [`owner_key`]).
    pub fn from_owner_key(owner: Box<[u8]>, rtype: RecordType) -> Self {
        RrsetKey { owner, rtype }
    }

    /// Whether this is the key of `owner`'s rrset of `rtype`, without building one.
    pub fn is(&self, owner: &[u8], rtype: RecordType) -> bool {
        self.rtype == rtype && *self.owner == *owner
    }

    /// The owner's canonical key (see [`owner_key`]).
    pub fn owner(&self) -> &[u8] {
        &self.owner
    }

    /// Whether this rrset's owner is `other`'s owner.
    pub fn same_owner(&self, other: &RrsetKey) -> bool {
        self.owner == other.owner
    }
}

impl Ord for RrsetKey {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_octets(&self.owner, &other.owner)
            .then_with(|| u16::from(self.rtype).cmp(&u16::from(other.rtype)))
    }
}

/// Byte order of two short strings, eight octets at a time: owner keys are 10 to 40
/// octets, where a call to `memcmp` costs more than the comparison (sorting a
/// million-rrset zone spent a seventh of its time there).
fn compare_octets(a: &[u8], b: &[u8]) -> Ordering {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_be_bytes(a[i..i + 8].try_into().expect("eight octets"));
        let y = u64::from_be_bytes(b[i..i + 8].try_into().expect("eight octets"));
        if x != y {
            return x.cmp(&y);
        }
        i += 8;
    }
    a[i..].cmp(&b[i..])
}

impl PartialOrd for RrsetKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for RrsetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RrsetKey({self})")
    }
}

impl fmt::Display for RrsetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Rebuilt from the key: labels root first, each closed by 0, 0/1 escaped.
        let mut labels: Vec<Vec<u8>> = Vec::new();
        let mut label = Vec::new();
        let mut bytes = self.owner.iter();
        while let Some(&b) = bytes.next() {
            match b {
                0 => labels.push(std::mem::take(&mut label)),
                1 => label.push(bytes.next().map_or(0, |n| n - 1)),
                b => label.push(b),
            }
        }
        labels.reverse();
        let name = Name::from_labels(labels).unwrap_or_default();
        write!(f, "{} {}", excerpt(&format_name(&name)), self.rtype)
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
    rdata: Vec<Rdata>,
}

impl Rrset {
    /// An rrset of `rdata` (nsync's own [`Rdata`], or hickory's `RData`).
    pub fn new<R: Into<Rdata>>(name: Name, rtype: RecordType, ttl: u32, rdata: Vec<R>) -> Self {
        let mut rdata: Vec<Rdata> = rdata.into_iter().map(Into::into).collect();
        rdata.sort_unstable();
        rdata.dedup();
        Rrset {
            name,
            rtype,
            ttl,
            rdata,
        }
    }

    /// An rrset from data already lower-cased, sorted and deduplicated (a reader's).
    pub(crate) fn from_sorted(name: Name, rtype: RecordType, ttl: u32, rdata: Vec<Rdata>) -> Self {
        debug_assert!(rdata.windows(2).all(|w| w[0] < w[1]));
        Rrset {
            name,
            rtype,
            ttl,
            rdata,
        }
    }

    pub fn key(&self) -> RrsetKey {
        RrsetKey::of(&self.name, self.rtype)
    }

    /// The records' data in canonical wire form, in canonical order.
    pub fn rdata(&self) -> &[Rdata] {
        &self.rdata
    }

    /// The records' data as hickory's types, for code at the edges that wants fields.
    pub fn records(&self) -> Vec<hickory_proto::rr::RData> {
        self.rdata
            .iter()
            .map(|r| r.to_hickory(self.rtype))
            .collect()
    }

    /// Same records, whatever the TTL.
    pub fn same_rdata(&self, other: &Rrset) -> bool {
        self.rdata == other.rdata
    }

    /// The rdata in presentation format, in canonical order.
    pub fn values(&self) -> Vec<String> {
        self.rdata
            .iter()
            .map(|r| format_wire(self.rtype, r.wire()))
            .collect()
    }
}

impl PartialEq for Rrset {
    fn eq(&self, other: &Self) -> bool {
        self.rtype == other.rtype
            && self.ttl == other.ttl
            && self.rdata == other.rdata
            && self.name == other.name
    }
}

impl Eq for Rrset {}

/// One zone: its origin and its rrsets in canonical order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    pub origin: Name,
    rrsets: BTreeMap<RrsetKey, Rrset>,
}

/// One step of the merge of two zones in canonical order (see [`Zone::merge`]).
pub enum Paired<'a> {
    Left(&'a Rrset),
    Right(&'a Rrset),
    Both(&'a Rrset, &'a Rrset),
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

    /// A zone of rrsets in canonical order, each with the key it was filed under (a
    /// reader's sorted output): built in one pass, not one insertion at a time.
    pub fn from_sorted(origin: Name, rrsets: impl IntoIterator<Item = (RrsetKey, Rrset)>) -> Self {
        Zone {
            origin: origin.to_lowercase(),
            rrsets: rrsets.into_iter().collect(),
        }
    }

    pub fn remove(&mut self, key: &RrsetKey) -> Option<Rrset> {
        self.rrsets.remove(key)
    }

    pub fn get(&self, name: &Name, rtype: RecordType) -> Option<&Rrset> {
        self.rrsets.get(&RrsetKey::of(name, rtype))
    }

    pub fn get_key(&self, key: &RrsetKey) -> Option<&Rrset> {
        self.rrsets.get(key)
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

    /// Walks this zone and `other` side by side in canonical order, once: the diff of
    /// two zones in one pass, whatever their size. Each step comes with its key.
    pub fn merge<'a>(
        &'a self,
        other: &'a Zone,
    ) -> impl Iterator<Item = (&'a RrsetKey, Paired<'a>)> + 'a {
        let mut left = self.rrsets.iter().peekable();
        let mut right = other.rrsets.iter().peekable();
        std::iter::from_fn(move || match (left.peek(), right.peek()) {
            (None, None) => None,
            (Some(_), None) => left.next().map(|(k, l)| (k, Paired::Left(l))),
            (None, Some(_)) => right.next().map(|(k, r)| (k, Paired::Right(r))),
            (Some((lk, _)), Some((rk, _))) => match lk.cmp(rk) {
                Ordering::Less => left.next().map(|(k, l)| (k, Paired::Left(l))),
                Ordering::Greater => right.next().map(|(k, r)| (k, Paired::Right(r))),
                Ordering::Equal => {
                    let (k, l) = left.next()?;
                    let (_, r) = right.next()?;
                    Some((k, Paired::Both(l, r)))
                }
            },
        })
    }

    /// The names in the apex NS rrset: the nameservers the zone itself lists.
    pub fn apex_nameservers(&self) -> Vec<Name> {
        self.get(&self.origin, RecordType::NS)
            .map(|ns| {
                ns.records()
                    .into_iter()
                    .filter_map(|r| match r {
                        hickory_proto::rr::RData::NS(n) => Some(n.0.to_lowercase()),
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

/// Groups records that arrive in any order (an AXFR, a provider's listing) into rrsets and
/// a zone: consecutive records of one rrset cost a name comparison, and the rrsets are
/// sorted once at the end, not inserted one by one.
#[derive(Default)]
pub struct RrsetCollector {
    runs: Vec<(Name, RecordType, u32, Vec<Rdata>)>,
}

/// An rrset on its way into a zone: its owner, TTL and data, under its key.
type Collected = (RrsetKey, (Name, u32, Vec<Rdata>));

impl RrsetCollector {
    pub fn new() -> Self {
        RrsetCollector::default()
    }

    /// Adds one record; a record of an rrset seen before keeps that rrset's first TTL.
    pub fn add(&mut self, name: &Name, rtype: RecordType, ttl: u32, rdata: impl Into<Rdata>) {
        if let Some((last, last_type, _, data)) = self.runs.last_mut()
            && *last_type == rtype
            && *last == *name
        {
            data.push(rdata.into());
            return;
        }
        self.runs
            .push((name.to_lowercase(), rtype, ttl, vec![rdata.into()]));
    }

    pub fn into_zone(self, origin: Name) -> Zone {
        let mut keyed: Vec<Collected> = self
            .runs
            .into_iter()
            .map(|(name, rtype, ttl, data)| (RrsetKey::of(&name, rtype), (name, ttl, data)))
            .collect();
        // Stable: of the runs of one rrset, the first read comes first and gives the TTL.
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        keyed.dedup_by(|(key, (_, _, data)), (last_key, (_, _, last))| {
            let same = *key == *last_key;
            if same {
                last.append(data);
            }
            same
        });
        let rrsets = keyed.into_iter().map(|(key, (name, ttl, data))| {
            let rtype = key.rtype;
            (key, Rrset::new(name, rtype, ttl, data))
        });
        Zone::from_sorted(origin, rrsets)
    }
}

/// Reads a TTL: seconds, or with units as BIND writes them (`1h30m`, `2d`, `1w`).
pub fn parse_ttl(text: &str) -> Result<u32, String> {
    let bad = || {
        format!(
            "TTL `{}` is not a number of seconds (or with units like 1h30m), from 0 to {MAX_TTL}",
            excerpt(text)
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

/// A TTL as BIND's loader reads one: above 2^31-1 but within 32 bits it is set to 0,
/// with a warning (RFC 2181 §8 says such a TTL is read as zero); the warning, if any.
pub fn parse_ttl_as_bind(text: &str) -> Result<(u32, Option<String>), String> {
    match parse_ttl(text) {
        Ok(ttl) => Ok((ttl, None)),
        Err(e) => {
            let number: Option<u64> = text.parse().ok();
            match number {
                Some(n) if n > MAX_TTL as u64 && n <= u32::MAX as u64 => Ok((
                    0,
                    Some(format!(
                        "TTL {n} is above {MAX_TTL}: read as 0, as BIND does (RFC 2181 §8)"
                    )),
                )),
                _ => Err(e),
            }
        }
    }
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
        let order: Vec<String> = zone.rrsets().map(|r| format_name(&r.name)).collect();
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
    fn owner_keys_sort_in_canonical_order() {
        // RFC 4034 §6.1's own example, plus labels holding the octets 0 and 1.
        let names: Vec<Name> = [
            "example.",
            "a.example.",
            "yljkjljk.a.example.",
            "Z.a.example.",
            "zABC.a.EXAMPLE.",
            "z.example.",
            "\\001.z.example.",
            "*.z.example.",
            "\\200.z.example.",
        ]
        .iter()
        .map(|s| {
            crate::name::parse_name_in(s, &Name::root(), crate::name::NameSyntax::Master).unwrap()
        })
        .collect();
        for pair in names.windows(2) {
            assert!(
                owner_key(&pair[0]) < owner_key(&pair[1]),
                "{} < {}",
                pair[0],
                pair[1]
            );
        }
        let a = Name::from_labels([&b"a"[..], &b"x"[..]]).unwrap();
        let a0 = Name::from_labels([&b"a\0"[..], &b"x"[..]]).unwrap();
        let ab = Name::from_labels([&b"a\0b"[..], &b"x"[..]]).unwrap();
        assert!(owner_key(&a) < owner_key(&a0) && owner_key(&a0) < owner_key(&ab));
        let key = RrsetKey::of(&names[6], RecordType::A);
        assert_eq!(key.to_string(), "\\001.z.example. A");
    }

    #[test]
    fn merge_pairs_two_zones_in_one_pass() {
        let origin = name("example.test.");
        let a = |s| parse_rdata_text(RecordType::A, s, &origin).unwrap();
        let mut left = Zone::new(origin.clone());
        let mut right = Zone::new(origin.clone());
        for (left_side, n) in [(true, "a"), (true, "b"), (false, "b"), (false, "c")] {
            let owner = crate::name::parse_name(n, &origin).unwrap();
            let z = if left_side { &mut left } else { &mut right };
            z.insert(Rrset::new(owner, RecordType::A, 1, vec![a("192.0.2.1")]));
        }
        let steps: Vec<String> = left
            .merge(&right)
            .map(|(_, p)| match p {
                Paired::Left(r) => format!("-{}", r.name),
                Paired::Right(r) => format!("+{}", r.name),
                Paired::Both(l, _) => format!("={}", l.name),
            })
            .collect();
        assert_eq!(
            steps,
            ["-a.example.test.", "=b.example.test.", "+c.example.test."]
        );
    }

    #[test]
    fn the_collector_groups_records_in_any_order() {
        let origin = name("example.test.");
        let a = |s| parse_rdata_text(RecordType::A, s, &origin).unwrap();
        let mut c = RrsetCollector::new();
        for (owner, addr) in [
            ("b", "192.0.2.1"),
            ("a", "192.0.2.2"),
            ("B", "192.0.2.3"),
            ("b", "192.0.2.1"),
        ] {
            let owner = crate::name::parse_name(owner, &origin).unwrap();
            c.add(&owner, RecordType::A, 60, a(addr));
        }
        let zone = c.into_zone(origin.clone());
        let got: Vec<(String, Vec<String>)> = zone
            .rrsets()
            .map(|r| (format_name(&r.name), r.values()))
            .collect();
        assert_eq!(
            got,
            [
                ("a.example.test.".to_string(), vec!["192.0.2.2".to_string()]),
                (
                    "b.example.test.".to_string(),
                    vec!["192.0.2.1".to_string(), "192.0.2.3".to_string()]
                ),
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
