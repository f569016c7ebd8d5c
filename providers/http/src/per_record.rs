//! For APIs that keep one record per value, each with an id (Cloudflare, DigitalOcean):
//! values read are grouped into nsync's rrsets with the ids kept beside them, and a
//! change set becomes the record writes it means: ids to delete, ids whose TTL changes,
//! values to create. The requests themselves stay with each provider.

use std::collections::HashMap;
use std::sync::Mutex;

use nsync_core::provider::{Change, ChangeSet};
use nsync_core::rdata::Rdata;
use nsync_core::zone::{Rrset, RrsetKey, Zone};
use nsync_core::{Name, RecordType};

/// A record's id and what it holds, from the last read: writes need the ids.
#[derive(Clone, Debug)]
pub struct Held<Id> {
    pub id: Id,
    pub canonical: Vec<u8>,
    pub ttl: u32,
}

/// The ids of every rrset of one zone.
pub type HeldZone<Id> = HashMap<RrsetKey, Vec<Held<Id>>>;

/// Records as read, page by page, grouped into rrsets (the first record's TTL is the
/// rrset's).
pub struct Collect<Id> {
    sets: HashMap<RrsetKey, Collected<Id>>,
}

struct Collected<Id> {
    name: Name,
    ttl: u32,
    rdata: Vec<Rdata>,
    held: Vec<Held<Id>>,
}

impl<Id> Default for Collect<Id> {
    fn default() -> Self {
        Collect {
            sets: HashMap::new(),
        }
    }
}

impl<Id> Collect<Id> {
    pub fn add(&mut self, name: Name, rtype: RecordType, ttl: u32, rdata: Rdata, id: Id) {
        let entry = self
            .sets
            .entry(RrsetKey::of(&name, rtype))
            .or_insert_with(|| Collected {
                name,
                ttl,
                rdata: Vec::new(),
                held: Vec::new(),
            });
        entry.held.push(Held {
            id,
            canonical: rdata.wire().to_vec(),
            ttl,
        });
        entry.rdata.push(rdata);
    }

    /// The zone read, and the ids of its records.
    pub fn finish(self, origin: &Name) -> (Zone, HeldZone<Id>) {
        let mut zone = Zone::new(origin.clone());
        let mut held = HashMap::new();
        for (key, c) in self.sets {
            zone.insert(Rrset::new(c.name, key.rtype, c.ttl, c.rdata));
            held.insert(key, c.held);
        }
        (zone, held)
    }
}

/// The ids of each zone as last read, kept between a provider's read and its write.
pub struct HeldZones<Id>(Mutex<HashMap<Name, HeldZone<Id>>>);

impl<Id> Default for HeldZones<Id> {
    fn default() -> Self {
        HeldZones(Mutex::new(HashMap::new()))
    }
}

impl<Id: Clone> HeldZones<Id> {
    pub fn get(&self, origin: &Name) -> Option<HeldZone<Id>> {
        self.0.lock().ok().and_then(|h| h.get(origin).cloned())
    }

    pub fn put(&self, origin: &Name, held: HeldZone<Id>) {
        if let Ok(mut h) = self.0.lock() {
            h.insert(origin.clone(), held);
        }
    }

    /// Forgets a zone's ids: after a write they are out of date.
    pub fn forget(&self, origin: &Name) {
        if let Ok(mut h) = self.0.lock() {
            h.remove(origin);
        }
    }
}

/// The record writes one change set means.
pub struct Writes<'c, Id> {
    pub deletes: Vec<Id>,
    /// Records kept whose TTL changes to the rrset's, with the value they hold.
    pub ttl_changes: Vec<(Id, &'c Rrset, &'c Rdata)>,
    /// Records kept whose value changes in place (with `Pairing::Replace`): a value the
    /// rrset no longer has, given one it gains.
    pub replaces: Vec<(Id, &'c Rrset, &'c Rdata)>,
    /// Values to create, with the rrset they belong to.
    pub creates: Vec<(&'c Rrset, &'c Rdata)>,
}

/// How an updated rrset's changed values are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pairing {
    /// Each value it loses is deleted and each it gains created.
    DeleteCreate,
    /// A value it loses is rewritten in place with one it gains, as far as they pair up:
    /// the record keeps its id and whatever else the provider keeps on it (Cloudflare's
    /// `proxied`, `comment`, `tags`), which a delete and a create would lose.
    Replace,
}

/// What `changes` mean record by record, given the ids read (`held`): a deleted rrset's
/// records go, a created one's values come, and an updated one loses the values it no
/// longer has, keeps the others (changing their TTL if it changed) and gains the new.
pub fn writes<'c, Id: Clone>(
    changes: &'c ChangeSet,
    held: &HeldZone<Id>,
    pairing: Pairing,
) -> Writes<'c, Id> {
    let mut w = Writes {
        deletes: Vec::new(),
        ttl_changes: Vec::new(),
        replaces: Vec::new(),
        creates: Vec::new(),
    };
    for change in &changes.changes {
        match change {
            Change::Delete(r) => {
                w.deletes.extend(
                    held.get(&r.key())
                        .into_iter()
                        .flatten()
                        .map(|h| h.id.clone()),
                );
            }
            Change::Create(r) => w.creates.extend(r.rdata().iter().map(|d| (r, d))),
            Change::Update { to, .. } => {
                let current = held.get(&to.key()).map(Vec::as_slice).unwrap_or_default();
                let mut gained = to
                    .rdata()
                    .iter()
                    .filter(|d| !current.iter().any(|h| h.canonical == d.wire()));
                for h in current {
                    match to.rdata().iter().find(|d| d.wire() == h.canonical) {
                        Some(kept) if h.ttl != to.ttl => {
                            w.ttl_changes.push((h.id.clone(), to, kept));
                        }
                        Some(_) => {}
                        None => match (pairing, gained.next()) {
                            (Pairing::Replace, Some(d)) => w.replaces.push((h.id.clone(), to, d)),
                            (_, d) => {
                                w.deletes.push(h.id.clone());
                                w.creates.extend(d.map(|d| (to, d)));
                            }
                        },
                    }
                }
                w.creates.extend(gained.map(|d| (to, d)));
            }
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use nsync_core::rdata::parse_rdata_text;

    #[test]
    fn an_update_deletes_keeps_retimes_and_creates_record_by_record() {
        let origin = Name::from_ascii("example.com.").unwrap();
        let www = Name::from_ascii("www.example.com.").unwrap();
        let a = |t: &str| parse_rdata_text(RecordType::A, t, &origin).unwrap();
        let mut read = Collect::default();
        read.add(www.clone(), RecordType::A, 300, a("192.0.2.1"), 1);
        read.add(www.clone(), RecordType::A, 300, a("192.0.2.2"), 2);
        read.add(origin.clone(), RecordType::A, 300, a("192.0.2.9"), 3);
        let (zone, held) = read.finish(&origin);
        assert_eq!(zone.len(), 2);
        let from = zone.get(&www, RecordType::A).unwrap().clone();
        let to = Rrset::new(www, RecordType::A, 60, vec![a("192.0.2.2"), a("192.0.2.3")]);
        let gone = zone.get(&origin, RecordType::A).unwrap().clone();
        let changes = ChangeSet {
            changes: vec![Change::Delete(gone), Change::Update { from, to }],
        };
        let w = writes(&changes, &held, Pairing::DeleteCreate);
        assert_eq!(w.deletes, [3, 1]);
        assert_eq!(
            w.ttl_changes
                .iter()
                .map(|(id, r, _)| (*id, r.ttl))
                .collect::<Vec<_>>(),
            [(2, 60)]
        );
        assert_eq!(w.creates.len(), 1);
        assert_eq!(w.creates[0].1.wire(), a("192.0.2.3").wire());
        // Paired, the value it loses is rewritten with the one it gains.
        let w = writes(&changes, &held, Pairing::Replace);
        assert_eq!(w.deletes, [3]);
        assert!(w.creates.is_empty());
        assert_eq!(w.replaces.len(), 1);
        assert_eq!(w.replaces[0].0, 1);
        assert_eq!(w.replaces[0].2.wire(), a("192.0.2.3").wire());
    }
}
