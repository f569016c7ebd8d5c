//! Builds a zone from records read one by one, keeping where each came from, and runs
//! the checks that need the whole zone (CNAME beside other data, MX/NS/SRV pointing at an
//! alias, DS without a delegation, an rrset too large for one DNS message).
//!
//! Every check here is one pass over the rrsets in canonical order (an owner's types sit
//! side by side) or a hash lookup, so a zone of a million rrsets checks in linear time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use hickory_proto::rr::{Name, RecordType};

use crate::diag::{Diagnostic, Location};
use crate::name::format_name;
use crate::rdata::Rdata;
use crate::rdata::wire::Cursor;
use crate::zone::{Rrset, RrsetKey, Zone, owner_key_from_labels};

/// The largest DNS message over TCP (RFC 1035 §4.2.2): an rrset that cannot fit one can
/// be neither served in an answer nor carried in one UPDATE.
pub const MAX_MESSAGE_OCTETS: usize = 65_535;

/// A place in one of the files read, kept small: a zone of a million rrsets keeps one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Loc {
    file: u32,
    line: u32,
    column: u32,
}

/// Where each rrset of a zone read from files was defined, so later checks (a provider's
/// capabilities, say) can point at a line.
#[derive(Debug, Default)]
pub struct Locations {
    files: Vec<PathBuf>,
    at: HashMap<RrsetKey, Loc>,
}

impl Locations {
    pub fn get(&self, key: &RrsetKey) -> Option<Location> {
        self.at.get(key).map(|l| self.location(*l))
    }

    fn location(&self, l: Loc) -> Location {
        Location::new(self.files[l.file as usize].clone(), l.line, l.column)
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
}

struct Pending {
    name: Name,
    ttl: u32,
    at: Loc,
    /// Defined as one whole rrset (TOML) rather than record by record (master files).
    whole: bool,
    rdata: Vec<(Rdata, Loc)>,
}

pub struct ZoneBuilder {
    origin: Name,
    pending: BTreeMap<RrsetKey, Pending>,
    diagnostics: Vec<Diagnostic>,
    files: Vec<PathBuf>,
}

impl ZoneBuilder {
    pub fn new(origin: Name) -> Self {
        ZoneBuilder {
            origin: origin.to_lowercase(),
            pending: BTreeMap::new(),
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

    /// Records that `path` was read (an `$INCLUDE` may hold no records at all).
    pub fn note_file(&mut self, path: &Path) {
        self.file_index(path);
    }

    fn file_index(&mut self, path: &Path) -> u32 {
        // Records come file by file: the last file is nearly always the one.
        if let Some(i) = self.files.iter().rposition(|f| f == path) {
            return i as u32;
        }
        self.files.push(path.to_path_buf());
        (self.files.len() - 1) as u32
    }

    fn loc(&mut self, location: &Location) -> Loc {
        Loc {
            file: self.file_index(&location.path),
            line: location.line,
            column: location.column,
        }
    }

    fn location(&self, l: Loc) -> Location {
        Location::new(self.files[l.file as usize].clone(), l.line, l.column)
    }

    /// Checks an owner name before its records are added; false when it is unusable.
    fn owner_ok(&mut self, name: &Name, location: &Location) -> bool {
        if !self.origin.zone_of(name) {
            let origin = format_name(&self.origin);
            self.report(
                Diagnostic::error(
                    location.clone(),
                    format!(
                        "name `{}` is outside the zone {origin}",
                        crate::diag::excerpt(&format_name(name)),
                    ),
                )
                .with_hint(format!(
                    "write names relative to the origin, or absolute names ending in .{origin}"
                )),
            );
            return false;
        }
        true
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
        if !self.owner_ok(&name, &location) {
            return;
        }
        let at = self.loc(&location);
        let key = RrsetKey::of(&name, rtype);
        match self.pending.get_mut(&key) {
            None => {
                let pending = Pending {
                    name,
                    ttl,
                    at,
                    whole: false,
                    rdata: vec![(rdata, at)],
                };
                self.pending.insert(key, pending);
            }
            Some(pending) => {
                if pending.ttl != ttl {
                    let d = Diagnostic::error(
                        location,
                        format!("TTL {ttl} differs from TTL {} of the same rrset {key} at line {}", pending.ttl, pending.at.line),
                    )
                    .with_hint("an rrset has one TTL: give every record of this name and type the same TTL");
                    self.diagnostics.push(d);
                    return;
                }
                pending.rdata.push((rdata, at));
            }
        }
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
        if !self.owner_ok(&name, &location) {
            return;
        }
        let key = RrsetKey::of(&name, rtype);
        if let Some(first) = self.pending.get(&key) {
            let d = Diagnostic::error(
                location,
                format!(
                    "the same rrset twice: {key} is also defined at line {}",
                    first.at.line
                ),
            )
            .with_hint("merge the values into one [[rrset]] entry");
            self.diagnostics.push(d);
            return;
        }
        let at = self.loc(&location);
        let rdata = rdata
            .into_iter()
            .map(|(r, l)| {
                let l = self.loc(&l);
                (r, l)
            })
            .collect();
        self.pending.insert(
            key,
            Pending {
                name,
                ttl,
                at,
                whole: true,
                rdata,
            },
        );
    }

    /// Runs the checks across rrsets and returns the zone with every diagnostic found.
    pub fn finish(mut self) -> ZoneRead {
        self.drop_duplicates();
        self.check_cname();
        self.check_targets_not_cname();
        self.check_delegations();
        self.check_message_size();
        let mut at = HashMap::with_capacity(self.pending.len());
        let mut rrsets = Vec::with_capacity(self.pending.len());
        for (key, pending) in std::mem::take(&mut self.pending) {
            let rdata: Vec<Rdata> = pending.rdata.into_iter().map(|(r, _)| r).collect();
            at.insert(key.clone(), pending.at);
            let rtype = key.rtype;
            rrsets.push((key, Rrset::new(pending.name, rtype, pending.ttl, rdata)));
        }
        let mut zone = Zone::new(self.origin.clone());
        zone.extend_keyed(rrsets);
        let mut diagnostics = self.diagnostics;
        diagnostics.sort_by(|a, b| a.location.cmp(&b.location));
        ZoneRead {
            zone,
            diagnostics,
            locations: Locations {
                files: self.files.clone(),
                at,
            },
            files: self.files,
        }
    }

    /// The same data twice in one rrset: reported at the second, kept once.
    fn drop_duplicates(&mut self) {
        let mut found = Vec::new();
        for (key, pending) in self.pending.iter_mut() {
            if pending.rdata.len() < 2 {
                continue;
            }
            // Stable, so of equal data the first in the file comes first.
            pending.rdata.sort_by(|a, b| a.0.cmp(&b.0));
            let mut kept: Vec<(Rdata, Loc)> = Vec::with_capacity(pending.rdata.len());
            for (r, at) in pending.rdata.drain(..) {
                match kept.last() {
                    Some((last, first)) if *last == r => {
                        found.push((key.to_string(), *first, at, pending.whole))
                    }
                    _ => kept.push((r, at)),
                }
            }
            pending.rdata = kept;
        }
        for (key, first, at, whole) in found {
            let d = if whole {
                Diagnostic::error(self.location(at), format!("duplicate value in {key}"))
                    .with_hint("remove the repeated value")
            } else {
                Diagnostic::error(
                    self.location(at),
                    format!(
                        "duplicate record: {key} with the same data as line {}",
                        first.line
                    ),
                )
                .with_hint("remove one of the two lines")
            };
            self.diagnostics.push(d);
        }
    }

    fn check_cname(&mut self) {
        let mut found = Vec::new();
        let keys: Vec<&RrsetKey> = self.pending.keys().collect();
        // An owner's rrsets are adjacent in canonical order: one pass finds each group.
        let mut start = 0;
        while start < keys.len() {
            let mut end = start + 1;
            while end < keys.len() && keys[end].same_owner(keys[start]) {
                end += 1;
            }
            let group = &keys[start..end];
            if let Some(cname) = group.iter().find(|k| k.rtype == RecordType::CNAME) {
                let pending = &self.pending[*cname];
                if pending.name == self.origin {
                    found.push(
                        Diagnostic::error(self.location(pending.at), "CNAME at the zone apex: the apex must hold SOA and NS, and a CNAME cannot stand beside other data")
                            .with_hint("use A/AAAA records at the apex, or a provider's ALIAS feature outside nsync"),
                    );
                } else {
                    if pending.rdata.len() > 1 {
                        found.push(
                            Diagnostic::error(
                                self.location(pending.at),
                                format!(
                                    "{cname} has {} values; a CNAME has exactly one",
                                    pending.rdata.len()
                                ),
                            )
                            .with_hint("keep one target"),
                        );
                    }
                    let others: Vec<String> = group
                        .iter()
                        .filter(|k| k.rtype != RecordType::CNAME)
                        .map(|k| k.rtype.to_string())
                        .collect();
                    if !others.is_empty() {
                        found.push(
                            Diagnostic::error(
                                self.location(pending.at),
                                format!(
                                    "CNAME beside other data at {}: {} also exist there (RFC 1034 §3.6.2)",
                                    crate::diag::excerpt(&format_name(&pending.name)),
                                    others.join(", ")
                                ),
                            )
                            .with_hint("remove the CNAME, or move the other records to another name"),
                        );
                    }
                }
            }
            start = end;
        }
        self.diagnostics.extend(found);
    }

    /// RFC 2181 §10.3: MX, NS and SRV must name a host, not an alias. BIND refuses such
    /// an update outright, so it is caught here rather than half way through a sync.
    fn check_targets_not_cname(&mut self) {
        let aliases: HashSet<&[u8]> = self
            .pending
            .keys()
            .filter(|k| k.rtype == RecordType::CNAME)
            .map(|k| k.owner())
            .collect();
        if aliases.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for (key, pending) in &self.pending {
            let skip = match key.rtype {
                RecordType::MX => 2,
                RecordType::NS => 0,
                RecordType::SRV => 6,
                _ => continue,
            };
            for (rdata, at) in &pending.rdata {
                let mut c = Cursor::new(rdata.wire());
                let Some(labels) = c.take(skip).and_then(|_| c.name()) else {
                    continue;
                };
                if aliases.contains(&owner_key_from_labels(&labels)[..]) {
                    let target = Name::from_labels(labels).unwrap_or_default();
                    found.push(
                        Diagnostic::error(
                            self.location(*at),
                            format!("{key} points at {}, which is a CNAME (RFC 2181 §10.3)", format_name(&target)),
                        )
                        .with_hint("point it at the host's own name (the CNAME's target); servers such as BIND refuse this"),
                    );
                }
            }
        }
        self.diagnostics.extend(found);
    }

    /// DS belongs at a delegation (an NS rrset below the apex); at the apex it belongs in
    /// the parent zone, which nsync does not manage.
    fn check_delegations(&mut self) {
        let mut found = Vec::new();
        for (key, pending) in &self.pending {
            if key.rtype != RecordType::DS {
                continue;
            }
            if pending.name == self.origin {
                found.push(
                    Diagnostic::error(self.location(pending.at), "DS at the zone apex: the apex DS lives in the parent zone")
                        .with_hint("give the DS to the parent zone's operator (registrar); keep DS here only for delegated subzones"),
                );
            } else if !self
                .pending
                .contains_key(&RrsetKey::of(&pending.name, RecordType::NS))
            {
                found.push(
                    Diagnostic::error(
                        self.location(pending.at),
                        format!(
                            "DS at {} without NS: a DS needs a delegation at the same name",
                            crate::diag::excerpt(&format_name(&pending.name))
                        ),
                    )
                    .with_hint("add the NS records of the delegated subzone at the same name"),
                );
            }
        }
        self.diagnostics.extend(found);
    }

    /// An rrset whose answer cannot fit one DNS message can be neither served nor sent
    /// in one UPDATE; BIND refuses the UPDATE (and nsync once reported that as a bad key).
    fn check_message_size(&mut self) {
        let mut found = Vec::new();
        for (key, pending) in &self.pending {
            let question = pending.name.len() + 1 + 4;
            let records: usize = pending.rdata.iter().map(|(r, _)| 2 + 10 + r.len()).sum();
            let size = 12 + question + records;
            if size > MAX_MESSAGE_OCTETS {
                found.push(
                    Diagnostic::error(
                        self.location(pending.at),
                        format!(
                            "{key} takes {size} octets in an answer; one DNS message holds at most {MAX_MESSAGE_OCTETS}"
                        ),
                    )
                    .with_hint("no server can answer with this rrset: make the records fewer or shorter"),
                );
            }
        }
        self.diagnostics.extend(found);
    }
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
            rd(RecordType::NS, "ns.ok.example.test."),
            at(4),
        );
        let m = messages(b);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].starts_with("1: DS at the zone apex"));
        assert!(m[1].starts_with("2: DS at sub.example.test. without NS"));
    }
}
