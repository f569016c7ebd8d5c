//! Builds a zone from records read one by one, keeping where each came from, and runs
//! the checks that need the whole zone (CNAME beside other data, MX/NS/SRV pointing at an
//! alias, DS without a delegation, an rrset too large for one DNS message).
//!
//! Every check here is one pass over the rrsets in canonical order (an owner's types sit
//! side by side) or a hash lookup, so a zone of a million rrsets checks in linear time.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use hickory_proto::rr::{Name, RecordType};

use crate::diag::{Diagnostic, Location};
use crate::name::format_name;
use crate::rdata::Rdata;
use crate::rdata::wire::Cursor;
use crate::zone::{Rrset, RrsetKey, Zone, owner_key, owner_key_from_labels};

/// The largest DNS message over TCP (RFC 1035 §4.2.2): an rrset that cannot fit one can
/// be neither served in an answer nor carried in one UPDATE.
pub const MAX_MESSAGE_OCTETS: usize = 65_535;

/// A place in one of the files read, kept small: a zone of a million rrsets keeps one
/// per record while it is read, and one per rrset after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub file: u32,
    pub line: u32,
    pub column: u32,
}

/// Where each rrset of a zone read from files was defined, in the zone's canonical order,
/// so later checks (a provider's capabilities, say) can point at a line.
#[derive(Debug, Default)]
pub struct Locations {
    files: Vec<PathBuf>,
    in_order: Vec<Pos>,
}

impl Locations {
    fn location(&self, p: Pos) -> Location {
        Location::new(self.files[p.file as usize].clone(), p.line, p.column)
    }
}

/// A zone read from files: the zone, what is wrong with it, where each rrset was defined,
/// and every file read (`$INCLUDE`s too, even those holding no records), for `--watch`.
#[derive(Debug)]
pub struct ZoneRead {
    pub zone: Zone,
    pub diagnostics: Vec<Diagnostic>,
    pub locations: Locations,
    pub files: Vec<PathBuf>,
}

impl ZoneRead {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Each rrset with the place it was defined. (The zone as read: an rrset added to
    /// `zone` afterwards has no place, and the pairing assumes none was.)
    pub fn located(&self) -> impl Iterator<Item = (&Rrset, Option<Location>)> {
        let mut places = self.locations.in_order.iter();
        self.zone
            .rrsets()
            .map(move |r| (r, places.next().map(|p| self.locations.location(*p))))
    }
}

/// An owner name with its canonical key, made once and shared by the records after it.
#[derive(Clone, Debug)]
pub struct Owner {
    pub name: Name,
    key: Box<[u8]>,
    in_zone: bool,
}

impl Owner {
    pub fn new(name: Name, origin: &Name) -> Owner {
        let key = owner_key(&name);
        let in_zone = origin.zone_of(&name);
        Owner { name, key, in_zone }
    }
}

struct Pending {
    name: Name,
    rtype: RecordType,
    ttl: u32,
    at: Pos,
    /// Defined as one whole rrset (TOML) rather than record by record (master files).
    whole: bool,
    /// The records' data, and where each was read (side by side: the data moves into the
    /// zone as it is, without a copy).
    rdata: Vec<Rdata>,
    places: Vec<Pos>,
}

/// Collects records into rrsets. Records arrive in file order, nearly always an rrset's
/// records one after another: each such run is kept as it comes (a record of the run the
/// last one went to costs a comparison), and in `finish` the runs are sorted into
/// canonical order once and the runs of one rrset joined. No hashing, no lookups.
pub struct ZoneBuilder {
    origin: Name,
    runs: Vec<(RrsetKey, Pending)>,
    diagnostics: Vec<Diagnostic>,
    files: Vec<PathBuf>,
}

impl ZoneBuilder {
    pub fn new(origin: Name) -> Self {
        ZoneBuilder {
            origin: origin.to_lowercase(),
            runs: Vec::new(),
            diagnostics: Vec::new(),
            files: Vec::new(),
        }
    }

    pub fn origin(&self) -> &Name {
        &self.origin
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Records that `path` was read (an `$INCLUDE` may hold no records at all) and
    /// returns its number for [`Pos`].
    pub fn note_file(&mut self, path: &Path) -> u32 {
        if let Some(i) = self.files.iter().rposition(|f| f == path) {
            return i as u32;
        }
        self.files.push(path.to_path_buf());
        (self.files.len() - 1) as u32
    }

    fn pos(&mut self, location: &Location) -> Pos {
        Pos {
            file: self.note_file(&location.path),
            line: location.line,
            column: location.column,
        }
    }

    fn location(&self, p: Pos) -> Location {
        Location::new(self.files[p.file as usize].clone(), p.line, p.column)
    }

    /// Takes in what another builder of the same zone read (the second half of a file):
    /// its runs after this one's, so the runs of an rrset keep the order they were read.
    pub fn absorb(&mut self, other: ZoneBuilder) {
        let map: Vec<u32> = other.files.iter().map(|f| self.note_file(f)).collect();
        let identity = map.iter().enumerate().all(|(i, f)| i as u32 == *f);
        let mut runs = other.runs;
        if !identity {
            let remap = |p: &mut Pos| p.file = map[p.file as usize];
            for (_, run) in &mut runs {
                remap(&mut run.at);
                run.places.iter_mut().for_each(remap);
            }
        }
        self.runs.append(&mut runs);
        self.diagnostics.extend(other.diagnostics);
    }

    /// Makes room for about `rrsets` more rrsets.
    pub fn reserve(&mut self, rrsets: usize) {
        self.runs.reserve(rrsets);
    }

    /// Checks an owner name before its records are added; false when it is unusable.
    fn owner_ok(&mut self, name: &Name, at: Pos) -> bool {
        if !self.origin.zone_of(name) {
            self.report_outside(name, at);
            return false;
        }
        true
    }

    fn report_outside(&mut self, name: &Name, at: Pos) {
        {
            let origin = format_name(&self.origin);
            let d = Diagnostic::error(
                self.location(at),
                format!(
                    "name `{}` is outside the zone {origin}",
                    crate::diag::excerpt(&format_name(name)),
                ),
            )
            .with_hint(format!(
                "write names relative to the origin, or absolute names ending in .{origin}"
            ));
            self.report(d);
        }
    }

    /// Adds one record as a master file has it: records of one name and type join one rrset.
    pub fn add_record(
        &mut self,
        name: Name,
        rtype: RecordType,
        ttl: u32,
        rdata: Rdata,
        location: Location,
    ) {
        let at = self.pos(&location);
        self.add_record_at(name, rtype, ttl, rdata, at);
    }

    /// [`add_record`](Self::add_record) with the place as a [`Pos`] from [`note_file`](Self::note_file).
    pub fn add_record_at(
        &mut self,
        name: Name,
        rtype: RecordType,
        ttl: u32,
        rdata: Rdata,
        at: Pos,
    ) {
        let owner = Owner::new(name, &self.origin);
        self.add_record_for(&owner, rtype, ttl, rdata, at);
    }

    /// [`add_record_at`](Self::add_record_at) for an owner made once for the records that
    /// share it: a record of the rrset the last one went to costs a comparison, not a key.
    pub fn add_record_for(
        &mut self,
        owner: &Owner,
        rtype: RecordType,
        ttl: u32,
        rdata: Rdata,
        at: Pos,
    ) {
        if !owner.in_zone {
            self.report_outside(&owner.name, at);
            return;
        }
        if let Some((key, run)) = self.runs.last_mut()
            && key.is(&owner.key, rtype)
        {
            if run.ttl != ttl {
                let (first_ttl, first_line) = (run.ttl, run.at.line);
                let key = key.to_string();
                let d = Diagnostic::error(
                    self.location(at),
                    format!("TTL {ttl} differs from TTL {first_ttl} of the same rrset {key} at line {first_line}"),
                )
                .with_hint("an rrset has one TTL: give every record of this name and type the same TTL");
                self.diagnostics.push(d);
                return;
            }
            run.rdata.push(rdata);
            run.places.push(at);
            return;
        }
        let key = RrsetKey::from_owner_key(owner.key.clone(), rtype);
        let run = Pending {
            name: owner.name.clone(),
            rtype,
            ttl,
            at,
            whole: false,
            rdata: vec![rdata],
            places: vec![at],
        };
        self.runs.push((key, run));
    }

    /// Adds a whole rrset as the TOML format has it: a second entry for the same name and
    /// type is an error, because the user meant one of them to be something else.
    pub fn add_rrset(
        &mut self,
        name: Name,
        rtype: RecordType,
        ttl: u32,
        rdata: Vec<(Rdata, Location)>,
        location: Location,
    ) {
        let at = self.pos(&location);
        if !self.owner_ok(&name, at) {
            return;
        }
        let key = RrsetKey::of(&name, rtype);
        let (rdata, places): (Vec<Rdata>, Vec<Pos>) = rdata
            .into_iter()
            .map(|(r, l)| {
                let p = self.pos(&l);
                (r, p)
            })
            .unzip();
        let pending = Pending {
            name,
            rtype,
            ttl,
            at,
            whole: true,
            rdata,
            places,
        };
        // A second [[rrset]] of the same name and type is found in `finish`.
        self.runs.push((key, pending));
    }

    /// Runs the checks across rrsets and returns the zone with every diagnostic found.
    pub fn finish(mut self) -> ZoneRead {
        let mut found = Vec::new();
        let mut keyed = self.sorted_runs();
        join_runs(&mut keyed, &mut found);
        self.drop_duplicates(&mut keyed, &mut found);
        self.check_cname(&keyed, &mut found);
        self.check_targets_not_cname(&keyed, &mut found);
        self.check_targets_have_addresses(&keyed, &mut found);
        self.check_delegations(&keyed, &mut found);
        self.check_message_size(&keyed, &mut found);
        let mut in_order = Vec::with_capacity(keyed.len());
        let rrsets = keyed.into_iter().map(|(key, p)| {
            in_order.push(p.at);
            let rrset = Rrset::from_sorted(p.name, p.rtype, p.ttl, p.rdata);
            (key, rrset)
        });
        let zone = Zone::from_sorted(self.origin.clone(), rrsets);
        let mut diagnostics = self.diagnostics;
        diagnostics.extend(found.into_iter().map(|(at, d)| {
            let mut d: Diagnostic = d;
            d.location = Location::new(self.files[at.file as usize].clone(), at.line, at.column);
            d
        }));
        diagnostics.sort_by(|a, b| a.location.cmp(&b.location));
        ZoneRead {
            zone,
            diagnostics,
            locations: Locations {
                files: self.files.clone(),
                in_order,
            },
            files: self.files,
        }
    }

    /// The runs in canonical order, the runs of one rrset in the order they were read.
    /// Sorted by proxy: a small entry per run holding the
    /// first sixteen octets of its owner key below the origin (which every key shares),
    /// so that most comparisons touch neither the keys' own memory nor move the large
    /// entries; only ties compare whole keys.
    fn sorted_runs(&mut self) -> Vec<(RrsetKey, Pending)> {
        let keyed = std::mem::take(&mut self.runs);
        let below = owner_key(&self.origin).len();
        let word = |o: &[u8], at: usize| -> u64 {
            let mut w = [0u8; 8];
            if let Some(part) = o.get(at..) {
                let n = part.len().min(8);
                w[..n].copy_from_slice(&part[..n]);
            }
            u64::from_be_bytes(w)
        };
        let mut order: Vec<(u64, u64, u32)> = keyed
            .iter()
            .enumerate()
            .map(|(i, (k, _))| {
                let o = k.owner().get(below..).unwrap_or_default();
                (word(o, 0), word(o, 8), i as u32)
            })
            .collect();
        // Past the last label an owner key holds no 0 octets (labels are not empty), so
        // zero padding sorts a shorter key before a longer one it starts, as it should.
        order.sort_unstable_by(|a, b| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then_with(|| keyed[a.2 as usize].0.cmp(&keyed[b.2 as usize].0))
                .then(a.2.cmp(&b.2))
        });
        // Put each run where the order says, in place: position j takes the run that was
        // at order[j], one cycle of the permutation at a time.
        let mut keyed = keyed;
        let mut placed = vec![false; keyed.len()];
        for start in 0..keyed.len() {
            let mut at = start;
            while !placed[at] {
                placed[at] = true;
                let from = order[at].2 as usize;
                if from == start {
                    break;
                }
                keyed.swap(at, from);
                at = from;
            }
        }
        keyed
    }

    /// The same data twice in one rrset: reported at the second, kept once. Leaves every
    /// rrset's data sorted and unique.
    fn drop_duplicates(
        &self,
        keyed: &mut [(RrsetKey, Pending)],
        found: &mut Vec<(Pos, Diagnostic)>,
    ) {
        for (key, pending) in keyed.iter_mut() {
            if pending.rdata.len() < 2 {
                continue;
            }
            // Stable, so of equal data the first in the file comes first.
            let mut order: Vec<usize> = (0..pending.rdata.len()).collect();
            order.sort_by(|&a, &b| pending.rdata[a].cmp(&pending.rdata[b]));
            let mut kept: Vec<(Rdata, Pos)> = Vec::with_capacity(pending.rdata.len());
            let mut rdata: Vec<Option<Rdata>> = pending.rdata.drain(..).map(Some).collect();
            for i in order {
                let (r, at) = (rdata[i].take().expect("each once"), pending.places[i]);
                match kept.last() {
                    Some((last, first)) if *last == r => {
                        let d = if pending.whole {
                            Diagnostic::error(
                                Location::file(""),
                                format!("duplicate value in {key}"),
                            )
                            .with_hint("remove the repeated value")
                        } else {
                            Diagnostic::error(
                                Location::file(""),
                                format!(
                                    "duplicate record: {key} with the same data as line {}",
                                    first.line
                                ),
                            )
                            .with_hint("remove one of the two lines")
                        };
                        found.push((at, d));
                    }
                    _ => kept.push((r, at)),
                }
            }
            (pending.rdata, pending.places) = kept.into_iter().unzip();
        }
    }

    fn check_cname(&self, keyed: &[(RrsetKey, Pending)], found: &mut Vec<(Pos, Diagnostic)>) {
        // An owner's rrsets are adjacent in canonical order: one pass finds each group.
        let mut start = 0;
        while start < keyed.len() {
            let mut end = start + 1;
            while end < keyed.len() && keyed[end].0.same_owner(&keyed[start].0) {
                end += 1;
            }
            let group = &keyed[start..end];
            start = end;
            let Some((cname, pending)) = group.iter().find(|(k, _)| k.rtype == RecordType::CNAME)
            else {
                continue;
            };
            let at = pending.at;
            if pending.name == self.origin {
                found.push((at,
                    Diagnostic::error(Location::file(""), "CNAME at the zone apex: the apex must hold SOA and NS, and a CNAME cannot stand beside other data")
                        .with_hint("use A/AAAA records at the apex, or a provider's ALIAS feature outside nsync"),
                ));
                continue;
            }
            if pending.rdata.len() > 1 {
                found.push((
                    at,
                    Diagnostic::error(
                        Location::file(""),
                        format!(
                            "{cname} has {} values; a CNAME has exactly one",
                            pending.rdata.len()
                        ),
                    )
                    .with_hint("keep one target"),
                ));
            }
            let others: Vec<String> = group
                .iter()
                .filter(|(k, _)| k.rtype != RecordType::CNAME)
                .map(|(k, _)| k.rtype.to_string())
                .collect();
            if !others.is_empty() {
                found.push((
                    at,
                    Diagnostic::error(
                        Location::file(""),
                        format!(
                            "CNAME beside other data at {}: {} also exist there (RFC 1034 §3.6.2)",
                            crate::diag::excerpt(&format_name(&pending.name)),
                            others.join(", ")
                        ),
                    )
                    .with_hint("remove the CNAME, or move the other records to another name"),
                ));
            }
        }
    }

    /// RFC 2181 §10.3: MX, NS and SRV must name a host, not an alias. BIND refuses such
    /// an update outright, so it is caught here rather than half way through a sync.
    fn check_targets_not_cname(
        &self,
        keyed: &[(RrsetKey, Pending)],
        found: &mut Vec<(Pos, Diagnostic)>,
    ) {
        let aliases: HashSet<&[u8]> = keyed
            .iter()
            .filter(|(k, _)| k.rtype == RecordType::CNAME)
            .map(|(k, _)| k.owner())
            .collect();
        if aliases.is_empty() {
            return;
        }
        let types = [RecordType::MX, RecordType::NS, RecordType::SRV];
        for (key, labels, at) in host_targets(keyed, &types) {
            if aliases.contains(&owner_key_from_labels(&labels)[..]) {
                let target = Name::from_labels(labels).unwrap_or_default();
                found.push((*at,
                        Diagnostic::error(
                            Location::file(""),
                            format!("{key} points at {}, which is a CNAME (RFC 2181 §10.3)", format_name(&target)),
                        )
                        .with_hint("point it at the host's own name (the CNAME's target); servers such as BIND refuse this"),
                    ));
            }
        }
    }

    /// An MX or SRV target inside the zone that holds no address (no A or AAAA at it,
    /// nor a wildcard covering it, nor a delegation above it) is a warning: BIND refuses
    /// an UPDATE that adds such a record (its check-mx), and mail to it cannot be
    /// delivered anyway.
    fn check_targets_have_addresses(
        &self,
        keyed: &[(RrsetKey, Pending)],
        found: &mut Vec<(Pos, Diagnostic)>,
    ) {
        let origin = owner_key(&self.origin);
        let with = |types: &[RecordType]| -> HashSet<&[u8]> {
            keyed
                .iter()
                .filter(|(k, p)| types.contains(&k.rtype) && p.name != self.origin)
                .map(|(k, _)| k.owner())
                .collect()
        };
        let hosts = addresses(keyed);
        let cuts = with(&[RecordType::NS]);
        // Every owner key ends with a 0 after each label: its ancestors are its prefixes
        // that end there.
        let covered = |key: &[u8]| {
            if hosts.contains(key) {
                return true;
            }
            let mut wildcard = Vec::with_capacity(key.len() + 2);
            for (i, &b) in key.iter().enumerate() {
                if b != 0 || i + 1 < origin.len() {
                    continue;
                }
                let ancestor = &key[..=i];
                if ancestor.len() < key.len() && cuts.contains(ancestor) {
                    return true;
                }
                wildcard.clear();
                wildcard.extend_from_slice(ancestor);
                wildcard.extend_from_slice(b"*\0");
                if wildcard.len() <= key.len() + 1 && hosts.contains(&wildcard[..]) {
                    return true;
                }
            }
            false
        };
        for (key, labels, at) in host_targets(keyed, &[RecordType::MX, RecordType::SRV]) {
            let target = owner_key_from_labels(&labels);
            if labels.is_empty() || !target.starts_with(&origin) || covered(&target) {
                continue;
            }
            let name = Name::from_labels(labels).unwrap_or_default();
            found.push((
                    *at,
                    Diagnostic::warning(
                        Location::file(""),
                        format!(
                            "{key} points at {}, which has no A or AAAA in this zone",
                            crate::diag::excerpt(&format_name(&name))
                        ),
                    )
                    .with_hint("add the target's address records; BIND refuses an UPDATE that adds such a record"),
                ));
        }
    }

    /// DS belongs at a delegation (an NS rrset below the apex); at the apex it belongs in
    /// the parent zone, which nsync does not manage.
    fn check_delegations(&self, keyed: &[(RrsetKey, Pending)], found: &mut Vec<(Pos, Diagnostic)>) {
        for (key, pending) in keyed {
            if key.rtype != RecordType::DS {
                continue;
            }
            if pending.name == self.origin {
                found.push((pending.at,
                    Diagnostic::error(Location::file(""), "DS at the zone apex: the apex DS lives in the parent zone")
                        .with_hint("give the DS to the parent zone's operator (registrar); keep DS here only for delegated subzones"),
                ));
                continue;
            }
            let ns = RrsetKey::of(&pending.name, RecordType::NS);
            if keyed.binary_search_by(|(k, _)| k.cmp(&ns)).is_err() {
                found.push((
                    pending.at,
                    Diagnostic::error(
                        Location::file(""),
                        format!(
                            "DS at {} without NS: a DS needs a delegation at the same name",
                            crate::diag::excerpt(&format_name(&pending.name))
                        ),
                    )
                    .with_hint("add the NS records of the delegated subzone at the same name"),
                ));
            }
        }
    }

    /// An rrset whose answer cannot fit one DNS message can be neither served nor sent
    /// in one UPDATE; BIND refuses the UPDATE (and nsync once reported that as a bad key).
    fn check_message_size(
        &self,
        keyed: &[(RrsetKey, Pending)],
        found: &mut Vec<(Pos, Diagnostic)>,
    ) {
        for (key, pending) in keyed {
            let question = pending.name.len() + 1 + 4;
            let records: usize = pending.rdata.iter().map(|r| 2 + 10 + r.len()).sum();
            let size = 12 + question + records;
            if size > MAX_MESSAGE_OCTETS {
                found.push((pending.at,
                    Diagnostic::error(
                        Location::file(""),
                        format!(
                            "{key} takes {size} octets in an answer; one DNS message holds at most {MAX_MESSAGE_OCTETS}"
                        ),
                    )
                    .with_hint("no server can answer with this rrset: make the records fewer or shorter"),
                ));
            }
        }
    }
}

/// The host names that MX, NS and SRV records of `types` point at, as labels, with the
/// rrset and the place of each record.
/// The owner keys holding an A or AAAA rrset.
fn addresses(keyed: &[(RrsetKey, Pending)]) -> HashSet<&[u8]> {
    keyed
        .iter()
        .filter(|(k, _)| matches!(k.rtype, RecordType::A | RecordType::AAAA))
        .map(|(k, _)| k.owner())
        .collect()
}

fn host_targets<'k>(
    keyed: &'k [(RrsetKey, Pending)],
    types: &'k [RecordType],
) -> impl Iterator<Item = (&'k RrsetKey, Vec<&'k [u8]>, &'k Pos)> + 'k {
    keyed
        .iter()
        .filter(move |(key, _)| types.contains(&key.rtype))
        .flat_map(|(key, pending)| {
            let skip = match key.rtype {
                RecordType::MX => 2,
                RecordType::SRV => 6,
                _ => 0,
            };
            pending
                .rdata
                .iter()
                .zip(&pending.places)
                .filter_map(move |(rdata, at)| {
                    let mut c = Cursor::new(rdata.wire());
                    let labels = c.take(skip).and_then(|_| c.name())?;
                    Some((key, labels, at))
                })
        })
}

/// Joins the runs of each rrset (sorted, so they are adjacent): a second [[rrset]] of the
/// same name and type, or a run with another TTL, is an error at its first record.
fn join_runs(sorted: &mut Vec<(RrsetKey, Pending)>, found: &mut Vec<(Pos, Diagnostic)>) {
    // In place: `dedup_by` hands each run with the run kept before it.
    sorted.dedup_by(|(key, run), (last_key, last)| {
        if *last_key != *key {
            return false;
        }
        if last.whole || run.whole {
            let d = Diagnostic::error(
                Location::file(""),
                format!(
                    "the same rrset twice: {key} is also defined at line {}",
                    last.at.line
                ),
            )
            .with_hint("merge the values into one [[rrset]] entry");
            found.push((run.at, d));
        } else if last.ttl != run.ttl {
            let d = Diagnostic::error(
                Location::file(""),
                format!(
                    "TTL {} differs from TTL {} of the same rrset {key} at line {}",
                    run.ttl, last.ttl, last.at.line
                ),
            )
            .with_hint(
                "an rrset has one TTL: give every record of this name and type the same TTL",
            );
            found.push((run.at, d));
        } else {
            last.rdata.append(&mut run.rdata);
            last.places.append(&mut run.places);
        }
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdata::parse_rdata_text;

    fn n(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    fn at(line: u32) -> Location {
        Location::new("z", line, 1)
    }

    fn rd(t: RecordType, s: &str) -> Rdata {
        parse_rdata_text(t, s, &n("example.test.")).unwrap()
    }

    fn messages(b: ZoneBuilder) -> Vec<String> {
        b.finish()
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .map(|d| format!("{}: {}", d.location.line, d.message))
            .collect()
    }

    #[test]
    fn cname_rules() {
        let mut b = ZoneBuilder::new(n("example.test."));
        b.add_record(
            n("example.test."),
            RecordType::CNAME,
            1,
            rd(RecordType::CNAME, "x.test."),
            at(1),
        );
        b.add_record(
            n("www.example.test."),
            RecordType::CNAME,
            1,
            rd(RecordType::CNAME, "x.test."),
            at(2),
        );
        b.add_record(
            n("www.example.test."),
            RecordType::A,
            1,
            rd(RecordType::A, "192.0.2.1"),
            at(3),
        );
        let m = messages(b);
        assert!(m[0].starts_with("1: CNAME at the zone apex"), "{m:?}");
        assert!(
            m[1].starts_with("2: CNAME beside other data") && m[1].contains(": A also"),
            "{m:?}"
        );
    }

    #[test]
    fn duplicates_ttl_and_outside_names() {
        let mut b = ZoneBuilder::new(n("example.test."));
        b.add_record(
            n("a.example.test."),
            RecordType::A,
            1,
            rd(RecordType::A, "192.0.2.1"),
            at(1),
        );
        b.add_record(
            n("a.example.test."),
            RecordType::A,
            1,
            rd(RecordType::A, "192.0.2.1"),
            at(2),
        );
        b.add_record(
            n("a.example.test."),
            RecordType::A,
            2,
            rd(RecordType::A, "192.0.2.2"),
            at(3),
        );
        b.add_record(
            n("a.other.test."),
            RecordType::A,
            2,
            rd(RecordType::A, "192.0.2.2"),
            at(4),
        );
        let m = messages(b);
        assert!(m[0].starts_with("2: duplicate record"), "{m:?}");
        assert!(
            m[1].starts_with("3: TTL 2 differs") && m[1].contains("line 1"),
            "{m:?}"
        );
        assert!(
            m[2].starts_with("4: name `a.other.test.` is outside"),
            "{m:?}"
        );
    }

    #[test]
    fn records_of_one_rrset_spread_through_the_files_join_one_rrset() {
        let mut b = ZoneBuilder::new(n("example.test."));
        for (i, owner) in ["a", "b", "a", "c", "b", "a"].iter().enumerate() {
            let owner = n(&format!("{owner}.example.test."));
            let addr = format!("192.0.2.{i}");
            b.add_record(
                owner,
                RecordType::A,
                1,
                rd(RecordType::A, &addr),
                at(i as u32 + 1),
            );
        }
        b.add_record(
            n("c.example.test."),
            RecordType::A,
            2,
            rd(RecordType::A, "192.0.2.9"),
            at(7),
        );
        let read = b.finish();
        let m: Vec<String> = read
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.location.line, d.message))
            .collect();
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].starts_with("7: TTL 2 differs from TTL 1") && m[0].contains("line 4"),
            "{m:?}"
        );
        let sizes: Vec<(String, usize)> = read
            .zone
            .rrsets()
            .map(|r| (format_name(&r.name), r.rdata().len()))
            .collect();
        assert_eq!(
            sizes,
            [
                ("a.example.test.".to_string(), 3),
                ("b.example.test.".to_string(), 2),
                ("c.example.test.".to_string(), 1)
            ]
        );
    }

    #[test]
    fn same_rrset_twice_in_toml_style() {
        let mut b = ZoneBuilder::new(n("example.test."));
        let v = || vec![(rd(RecordType::A, "192.0.2.1"), at(1))];
        b.add_rrset(n("a.example.test."), RecordType::A, 1, v(), at(1));
        b.add_rrset(n("A.example.test."), RecordType::A, 1, v(), at(5));
        let m = messages(b);
        assert_eq!(m.len(), 1);
        assert!(
            m[0].starts_with("5: the same rrset twice") && m[0].contains("line 1"),
            "{m:?}"
        );
    }

    #[test]
    fn mx_ns_srv_must_not_point_at_a_cname() {
        let mut b = ZoneBuilder::new(n("example.test."));
        b.add_record(
            n("mail.example.test."),
            RecordType::CNAME,
            1,
            rd(RecordType::CNAME, "host.example.test."),
            at(1),
        );
        b.add_record(
            n("example.test."),
            RecordType::MX,
            1,
            rd(RecordType::MX, "10 mail.example.test."),
            at(2),
        );
        b.add_record(
            n("_s._tcp.example.test."),
            RecordType::SRV,
            1,
            rd(RecordType::SRV, "1 1 1 mail.example.test."),
            at(3),
        );
        b.add_record(
            n("example.test."),
            RecordType::MX,
            1,
            rd(RecordType::MX, "20 host.example.test."),
            at(4),
        );
        let m = messages(b);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(
            m[0].starts_with("2: example.test. MX points at mail.example.test., which is a CNAME"),
            "{m:?}"
        );
        assert!(m[1].starts_with("3: "), "{m:?}");
    }

    #[test]
    fn mx_and_srv_targets_in_the_zone_need_addresses() {
        let mut b = ZoneBuilder::new(n("example.test."));
        let mut line = 0;
        let mut add = |b: &mut ZoneBuilder, owner: &str, t: RecordType, v: &str| {
            line += 1;
            b.add_record(n(owner), t, 1, rd(t, v), at(line));
        };
        add(
            &mut b,
            "example.test.",
            RecordType::MX,
            "10 mail.example.test.",
        );
        add(&mut b, "mail.example.test.", RecordType::A, "192.0.2.1");
        add(
            &mut b,
            "example.test.",
            RecordType::MX,
            "20 nowhere.example.test.",
        );
        add(
            &mut b,
            "example.test.",
            RecordType::MX,
            "30 mx.example.net.",
        );
        add(
            &mut b,
            "example.test.",
            RecordType::MX,
            "40 h.wild.example.test.",
        );
        add(
            &mut b,
            "*.wild.example.test.",
            RecordType::AAAA,
            "2001:db8::1",
        );
        add(
            &mut b,
            "_s._tcp.example.test.",
            RecordType::SRV,
            "1 1 1 ns.sub.example.test.",
        );
        add(
            &mut b,
            "sub.example.test.",
            RecordType::NS,
            "ns.example.net.",
        );
        add(&mut b, "nullmx.example.test.", RecordType::MX, "0 .");
        let read = b.finish();
        let m: Vec<String> = read
            .diagnostics
            .iter()
            .map(|d| format!("{}: {:?} {}", d.location.line, d.severity, d.message))
            .collect();
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].starts_with("3: Warning example.test. MX points at nowhere.example.test."),
            "{m:?}"
        );
    }

    #[test]
    fn ds_needs_a_delegation() {
        let ds = "1 13 2 aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899";
        let mut b = ZoneBuilder::new(n("example.test."));
        b.add_record(
            n("example.test."),
            RecordType::DS,
            1,
            rd(RecordType::DS, ds),
            at(1),
        );
        b.add_record(
            n("sub.example.test."),
            RecordType::DS,
            1,
            rd(RecordType::DS, ds),
            at(2),
        );
        b.add_record(
            n("ok.example.test."),
            RecordType::DS,
            1,
            rd(RecordType::DS, ds),
            at(3),
        );
        b.add_record(
            n("ok.example.test."),
            RecordType::NS,
            1,
            rd(RecordType::NS, "ns.example.net."),
            at(4),
        );
        let m = messages(b);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].starts_with("1: DS at the zone apex"));
        assert!(m[1].starts_with("2: DS at sub.example.test. without NS"));
    }
}
