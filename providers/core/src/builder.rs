//! Builds a zone from records read out of a file, and checks the rules that span records:
//! the same rrset twice, one TTL per rrset, CNAME beside other data or at the apex, names
//! outside the zone, DS without a delegation. Both zone file formats feed this one builder,
//! so both enforce exactly the same rules.

use std::collections::BTreeMap;

use hickory_proto::rr::{Name, RData, RecordType};

use crate::diag::{Diagnostic, Location};
use crate::rdata::canonical_bytes;
use crate::zone::{Rrset, RrsetKey, Zone};

struct Pending {
    ttl: u32,
    location: Location,
    rdata: Vec<(RData, Location)>,
}

/// A zone read from a file: the zone, what is wrong with it, and where each rrset was
/// defined (so later checks, such as a provider's capabilities, can point at a line).
#[derive(Debug)]
pub struct ZoneRead {
    pub zone: Zone,
    pub diagnostics: Vec<Diagnostic>,
    pub locations: BTreeMap<RrsetKey, Location>,
}

impl ZoneRead {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

pub struct ZoneBuilder {
    origin: Name,
    pending: BTreeMap<RrsetKey, Pending>,
    diagnostics: Vec<Diagnostic>,
}

impl ZoneBuilder {
    pub fn new(origin: Name) -> Self {
        ZoneBuilder {
            origin: origin.to_lowercase(),
            pending: BTreeMap::new(),
            diagnostics: Vec::new(),
        }
    }

    pub fn origin(&self) -> &Name {
        &self.origin
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Checks an owner name before its records are added; false when it is unusable.
    fn owner_ok(&mut self, name: &Name, location: &Location) -> bool {
        if !self.origin.zone_of(name) {
            self.report(
                Diagnostic::error(
                    location.clone(),
                    format!(
                        "name `{}` is outside the zone {}",
                        name.to_ascii(),
                        self.origin.to_ascii()
                    ),
                )
                .with_hint(format!(
                    "write names relative to the origin, or absolute names ending in .{}",
                    self.origin.to_ascii()
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
        rdata: RData,
        location: Location,
    ) {
        if !self.owner_ok(&name, &location) {
            return;
        }
        let key = RrsetKey::new(name, rtype);
        match self.pending.get_mut(&key) {
            None => {
                let pending = Pending {
                    ttl,
                    location: location.clone(),
                    rdata: vec![(rdata, location)],
                };
                self.pending.insert(key, pending);
            }
            Some(pending) => {
                let bytes = canonical_bytes(&rdata);
                if let Some((_, first)) = pending
                    .rdata
                    .iter()
                    .find(|(r, _)| canonical_bytes(r) == bytes)
                {
                    let d = Diagnostic::error(
                        location,
                        format!(
                            "duplicate record: {key} with the same data as line {}",
                            first.line
                        ),
                    )
                    .with_hint("remove one of the two lines");
                    self.diagnostics.push(d);
                    return;
                }
                if pending.ttl != ttl {
                    let d = Diagnostic::error(
                        location,
                        format!("TTL {ttl} differs from TTL {} of the same rrset {key} at line {}", pending.ttl, pending.location.line),
                    )
                    .with_hint("an rrset has one TTL: give every record of this name and type the same TTL");
                    self.diagnostics.push(d);
                    return;
                }
                pending.rdata.push((rdata, location));
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
        rdata: Vec<(RData, Location)>,
        location: Location,
    ) {
        if !self.owner_ok(&name, &location) {
            return;
        }
        let key = RrsetKey::new(name, rtype);
        if let Some(first) = self.pending.get(&key) {
            let d = Diagnostic::error(
                location,
                format!(
                    "the same rrset twice: {key} is also defined at line {}",
                    first.location.line
                ),
            )
            .with_hint("merge the values into one [[rrset]] entry");
            self.diagnostics.push(d);
            return;
        }
        let mut seen: Vec<Vec<u8>> = Vec::new();
        let mut unique = Vec::new();
        for (r, loc) in rdata {
            let bytes = canonical_bytes(&r);
            if seen.contains(&bytes) {
                self.diagnostics.push(
                    Diagnostic::error(loc, format!("duplicate value in {key}"))
                        .with_hint("remove the repeated value"),
                );
                continue;
            }
            seen.push(bytes);
            unique.push((r, loc));
        }
        self.pending.insert(
            key,
            Pending {
                ttl,
                location,
                rdata: unique,
            },
        );
    }

    /// Runs the checks across rrsets and returns the zone with every diagnostic found.
    pub fn finish(mut self) -> ZoneRead {
        self.check_cname();
        self.check_targets_not_cname();
        self.check_delegations();
        let mut zone = Zone::new(self.origin.clone());
        let mut locations = BTreeMap::new();
        for (key, pending) in self.pending {
            let rdata = pending.rdata.into_iter().map(|(r, _)| r).collect();
            zone.insert(Rrset::new(key.name.clone(), key.rtype, pending.ttl, rdata));
            locations.insert(key, pending.location);
        }
        let mut diagnostics = self.diagnostics;
        diagnostics.sort_by(|a, b| a.location.cmp(&b.location));
        ZoneRead {
            zone,
            diagnostics,
            locations,
        }
    }

    fn check_cname(&mut self) {
        let mut found = Vec::new();
        for (key, pending) in &self.pending {
            if key.rtype != RecordType::CNAME {
                continue;
            }
            if key.name == self.origin {
                found.push(
                    Diagnostic::error(pending.location.clone(), "CNAME at the zone apex: the apex must hold SOA and NS, and a CNAME cannot stand beside other data")
                        .with_hint("use A/AAAA records at the apex, or a provider's ALIAS feature outside nsync"),
                );
                continue;
            }
            if pending.rdata.len() > 1 {
                found.push(
                    Diagnostic::error(
                        pending.location.clone(),
                        format!(
                            "{key} has {} values; a CNAME has exactly one",
                            pending.rdata.len()
                        ),
                    )
                    .with_hint("keep one target"),
                );
            }
            let others: Vec<String> = self
                .pending
                .keys()
                .filter(|k| k.name == key.name && k.rtype != RecordType::CNAME)
                .map(|k| k.rtype.to_string())
                .collect();
            if !others.is_empty() {
                found.push(
                    Diagnostic::error(
                        pending.location.clone(),
                        format!(
                            "CNAME beside other data at {}: {} also exist there (RFC 1034 §3.6.2)",
                            key.name.to_ascii(),
                            others.join(", ")
                        ),
                    )
                    .with_hint("remove the CNAME, or move the other records to another name"),
                );
            }
        }
        self.diagnostics.extend(found);
    }

    /// RFC 2181 §10.3: MX, NS and SRV must name a host, not an alias. BIND refuses such
    /// an update outright, so it is caught here rather than half way through a sync.
    fn check_targets_not_cname(&mut self) {
        let aliases: Vec<&Name> = self
            .pending
            .keys()
            .filter(|k| k.rtype == RecordType::CNAME)
            .map(|k| &k.name)
            .collect();
        let mut found = Vec::new();
        for (key, pending) in &self.pending {
            for (rdata, at) in &pending.rdata {
                let target = match rdata {
                    RData::MX(mx) => &mx.exchange,
                    RData::NS(ns) => &ns.0,
                    RData::SRV(srv) => &srv.target,
                    _ => continue,
                };
                if aliases.contains(&target) {
                    found.push(
                        Diagnostic::error(
                            at.clone(),
                            format!("{key} points at {}, which is a CNAME (RFC 2181 §10.3)", target.to_ascii()),
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
            if key.name == self.origin {
                found.push(
                    Diagnostic::error(pending.location.clone(), "DS at the zone apex: the apex DS lives in the parent zone")
                        .with_hint("give the DS to the parent zone's operator (registrar); keep DS here only for delegated subzones"),
                );
            } else if !self
                .pending
                .contains_key(&RrsetKey::new(key.name.clone(), RecordType::NS))
            {
                found.push(
                    Diagnostic::error(
                        pending.location.clone(),
                        format!(
                            "DS at {} without NS: a DS needs a delegation at the same name",
                            key.name.to_ascii()
                        ),
                    )
                    .with_hint("add the NS records of the delegated subzone at the same name"),
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

    fn rd(t: RecordType, s: &str) -> RData {
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
        let ds = "1 13 2 aabbccdd";
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
