//! The checks run against one nameserver address: its SOA (reachable, authoritative,
//! serial), every expected rrset, a name that must not exist, and, where the provider
//! allows AXFR, records it serves that the zone file does not have.

use nsync_core::name::NameText;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use nsync_core::rdata::{canonical_bytes, format_rdata};
use nsync_core::zone::{Rrset, Zone};

use crate::dnssec::denial::{Denial, nxdomain};
use crate::dnssec::matrix::AddressDnssec;
use crate::dnssec::probe::{self, KeySet};
use crate::dnssec::validate::{self, Verdict};

use super::client::QueryError;
use super::expect::{Cuts, Expected, is_delegation};
use super::transport::Asker;
use super::{Finding, FindingKind};

/// Who the address belongs to, for findings.
#[derive(Clone, Debug)]
pub struct Place {
    pub zone: Name,
    pub provider: String,
    pub nameserver: String,
    pub address: String,
}

impl Place {
    pub fn finding(&self, kind: FindingKind) -> Finding {
        Finding {
            kind,
            zone: self.zone.to_text(),
            provider: self.provider.clone(),
            nameserver: self.nameserver.clone(),
            address: Some(self.address.clone()),
            name: None,
            rtype: None,
            expected: None,
            actual: None,
        }
    }
}

/// One checked question at one address: a JUnit test case.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub rtype: String,
    /// Indexes into the address's findings that belong to this case.
    pub failures: Vec<usize>,
}

/// Queries by result, for the Prometheus counter.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub by_result: BTreeMap<&'static str, u64>,
    pub latencies: Vec<Duration>,
    /// Answers that came over UDP (or over TCP after a TC), and answers that came only
    /// over TCP after every UDP datagram went unanswered.
    pub udp_answered: u64,
    pub tcp_only: u64,
}

impl Tally {
    fn count(&mut self, result: &Result<super::client::Answer, QueryError>) {
        let label = match result {
            Ok(a) => {
                self.latencies.push(a.latency);
                if a.udp_lost {
                    self.tcp_only += 1;
                } else {
                    self.udp_answered += 1;
                }
                match a.message.metadata.response_code {
                    ResponseCode::NoError => "noerror",
                    ResponseCode::NXDomain => "nxdomain",
                    ResponseCode::Refused => "refused",
                    ResponseCode::ServFail => "servfail",
                    _ => "other_rcode",
                }
            }
            Err(QueryError::Timeout) => "timeout",
            Err(QueryError::OnlyInvalid(_)) => "invalid_only",
            Err(QueryError::Network(_)) => "network_error",
        };
        *self.by_result.entry(label).or_default() += 1;
    }
}

#[derive(Debug, Default)]
pub struct AddressResult {
    /// Wall time of the rrset queries, for the rate in queries per second.
    pub query_time: Duration,
    pub serial: Option<u32>,
    pub reachable: bool,
    pub checked: usize,
    pub findings: Vec<Finding>,
    pub cases: Vec<Case>,
    pub tally: Tally,
    /// Packets from this address that were not the answer (did not parse, or answered
    /// another question) and were dropped while waiting for the real one.
    pub discarded: u64,
    /// Its DNSKEY set and who signed what, for the comparison across providers.
    pub dnssec: AddressDnssec,
}

impl AddressResult {
    fn push(&mut self, case: &str, rtype: &str, finding: Option<Finding>) {
        let mut failures = Vec::new();
        if let Some(f) = finding {
            failures.push(self.findings.len());
            self.findings.push(f);
        }
        self.cases.push(Case {
            name: case.to_string(),
            rtype: rtype.to_string(),
            failures,
        });
    }
}

fn values(records: &[&Record]) -> String {
    let mut v: Vec<String> = records.iter().map(|r| format_rdata(&r.data)).collect();
    v.sort();
    if v.is_empty() {
        "(nothing)".into()
    } else {
        v.join(" | ")
    }
}

/// What went wrong with an answer as a whole, if anything.
fn answer_problem(
    place: &Place,
    result: &Result<super::client::Answer, QueryError>,
    want_aa: bool,
) -> Option<Finding> {
    match result {
        Err(QueryError::Timeout) => Some(place.finding(FindingKind::Timeout)),
        Err(e @ QueryError::OnlyInvalid(_)) => {
            let mut f = place.finding(FindingKind::Timeout);
            f.actual = Some(e.to_string());
            Some(f)
        }
        Err(QueryError::Network(e)) => {
            let mut f = place.finding(FindingKind::Unreachable);
            f.actual = Some(e.clone());
            Some(f)
        }
        Ok(a) => {
            let m = &a.message.metadata;
            let kind = match m.response_code {
                ResponseCode::NoError if want_aa && !m.authoritative => {
                    FindingKind::NotAuthoritative
                }
                ResponseCode::NoError => return None,
                ResponseCode::Refused => FindingKind::Refused,
                ResponseCode::ServFail => FindingKind::Servfail,
                ResponseCode::NXDomain => FindingKind::Missing,
                _ => FindingKind::BadRcode,
            };
            let mut f = place.finding(kind);
            f.actual = Some(rcode_and_authority(m.response_code, m.authoritative));
            Some(f)
        }
    }
}

/// Which questions to ask an address: all of them, or (re-checking with `--wait`) only
/// the cases that failed last time, by (name, type) as [`Case`] names them.
#[derive(Clone, Debug, Default)]
pub enum Scope {
    #[default]
    Everything,
    Only {
        cases: BTreeSet<(String, String)>,
        nonexistent: bool,
    },
}

impl Scope {
    fn wants(&self, name: &str, rtype: &str) -> bool {
        match self {
            Scope::Everything => true,
            Scope::Only { cases, .. } => cases.contains(&(name.to_string(), rtype.to_string())),
        }
    }

    fn wants_nonexistent(&self) -> bool {
        match self {
            Scope::Everything => true,
            Scope::Only { nonexistent, .. } => *nonexistent,
        }
    }
}

/// The case name of the name-that-does-not-exist probe: stable, since CI systems track
/// test cases by name across runs.
pub fn nonexistent_case(origin: &Name) -> String {
    format!("(a name that does not exist).{}", origin.to_text())
}

impl AddressResult {
    /// What to ask again: the failed cases (the SOA is always asked first anyway).
    /// `None` when the SOA itself failed: then everything is asked again.
    pub fn failed_scope(&self, origin: &Name) -> Option<Scope> {
        self.serial?;
        let nx = nonexistent_case(origin);
        let mut cases = BTreeSet::new();
        let mut nonexistent = false;
        for c in self.cases.iter().filter(|c| !c.failures.is_empty()) {
            if c.name == nx {
                nonexistent = true;
            } else if c.rtype != "SOA" || c.name != origin.to_text() {
                cases.insert((c.name.clone(), c.rtype.clone()));
            }
        }
        Some(Scope::Only { cases, nonexistent })
    }

    /// This result with the cases of `again` (a re-check of some of them) in place of the
    /// old ones; the SOA, serial and reachability are `again`'s, the query counts add up.
    pub fn merge(self, again: AddressResult) -> AddressResult {
        let mut fresh: BTreeMap<(String, String), Option<Finding>> = BTreeMap::new();
        for c in &again.cases {
            let f = c.failures.first().map(|i| again.findings[*i].clone());
            fresh.insert((c.name.clone(), c.rtype.clone()), f);
        }
        let mut out = AddressResult {
            query_time: self.query_time,
            serial: again.serial,
            reachable: again.reachable,
            checked: self.checked,
            tally: self.tally,
            discarded: self.discarded + again.discarded,
            dnssec: self.dnssec,
            ..AddressResult::default()
        };
        out.dnssec.absorb(again.dnssec);
        for (k, v) in again.tally.by_result {
            *out.tally.by_result.entry(k).or_default() += v;
        }
        out.tally.latencies.extend(again.tally.latencies);
        for c in &self.cases {
            let key = (c.name.clone(), c.rtype.clone());
            let finding = match fresh.remove(&key) {
                Some(f) => f,
                None => c.failures.first().map(|i| self.findings[*i].clone()),
            };
            out.push(&c.name, &c.rtype, finding);
        }
        out
    }

    /// No finding at this address.
    pub fn agrees(&self) -> bool {
        self.findings.is_empty()
    }
}

pub async fn check_address(
    client: Arc<dyn Asker>,
    place: Place,
    expected: Arc<Expected>,
) -> AddressResult {
    check_address_in(client, place, expected, &Scope::Everything).await
}

pub async fn check_address_in(
    client: Arc<dyn Asker>,
    place: Place,
    expected: Arc<Expected>,
    scope: &Scope,
) -> AddressResult {
    let mut out = AddressResult::default();
    let zone = &expected.zone;
    let origin = zone.origin.clone();

    // The SOA first: an address that does not answer it gets one finding, not thousands.
    let soa = client.query(&origin, RecordType::SOA).await;
    out.tally.count(&soa);
    if let Some(mut f) = answer_problem(&place, &soa, true) {
        f.name = Some(origin.to_text());
        f.rtype = Some("SOA".into());
        f.expected = Some("an authoritative answer (NOERROR, aa)".into());
        out.reachable = !matches!(f.kind, FindingKind::Timeout | FindingKind::Unreachable);
        out.push(&origin.to_text(), "SOA", Some(f));
        return out;
    }
    out.reachable = true;
    if let Ok(a) = &soa {
        out.serial = a.message.answers.iter().find_map(|r| match &r.data {
            RData::SOA(s) => Some(s.serial),
            _ => None,
        });
    }
    // The address's DNSKEY set, against which every answer's signatures are checked.
    let now = crate::dnssec::now32(std::time::SystemTime::now());
    let (dnssec, keyset) = probe::keys(&*client, &origin, now).await;
    out.dnssec = dnssec;
    let signed = !out.dnssec.keys.is_empty();
    let soa_finding = match &soa {
        Ok(a) if signed => signature_problem(
            &place,
            &mut out.dnssec,
            &a.message.answers,
            &origin,
            RecordType::SOA,
            now,
            &origin,
        ),
        _ => None,
    };
    out.push(&origin.to_text(), "SOA", soa_finding);
    // A case whenever there are keys, valid or not (or only revoked ones): `--wait`
    // re-checks replace it then.
    if signed || matches!(keyset, KeySet::Bogus(_)) {
        let finding = match keyset {
            KeySet::Bogus(why) => {
                let mut f = place.finding(FindingKind::DnssecBogus);
                f.name = Some(origin.to_text());
                f.rtype = Some("DNSKEY".into());
                f.expected = Some("a DNSKEY set signed by one of its own keys".into());
                f.actual = Some(format!(
                    "{why}: validating resolvers that ask this address fail for the whole zone"
                ));
                Some(f)
            }
            KeySet::Valid | KeySet::Absent => None,
        };
        out.push(&origin.to_text(), "DNSKEY", finding);
    }

    // Every expected rrset, by as many workers as the client lets queries fly at once:
    // a fixed pool pulling from a shared index, not a task per rrset.
    let queries_started = std::time::Instant::now();
    let cuts = Cuts::of(zone);
    let todo: Arc<Vec<Rrset>> = Arc::new(
        zone.rrsets()
            .filter(|r| !cuts.occludes(&r.name))
            .filter(|r| scope.wants(&r.name.to_text(), &r.rtype.to_string()))
            .cloned()
            .collect(),
    );
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..client.max_in_flight().min(todo.len()) {
        let (client, todo, next) = (client.clone(), todo.clone(), next.clone());
        set.spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(rrset) = todo.get(i) else {
                    return done;
                };
                let result = client.query(&rrset.name, rrset.rtype).await;
                done.push((i, result));
            }
        });
    }
    let mut answers = Vec::with_capacity(todo.len());
    while let Some(joined) = set.join_next().await {
        if let Ok(part) = joined {
            answers.extend(part);
        }
    }
    out.query_time = queries_started.elapsed();
    // Back in canonical order, so reports list findings the same way every run.
    answers.sort_by_key(|(i, _)| *i);
    for (i, result) in answers {
        let rrset = &todo[i];
        out.tally.count(&result);
        out.checked += 1;
        let mut finding = compare(&place, zone, &expected, rrset, &result);
        // A referral's NS is the child's and unsigned; everything else a signed zone
        // answers must validate.
        if finding.is_none()
            && signed
            && !is_delegation(zone, rrset)
            && let Ok(a) = &result
        {
            finding = signature_problem(
                &place,
                &mut out.dnssec,
                &a.message.answers,
                &rrset.name,
                rrset.rtype,
                now,
                &origin,
            );
        }
        out.push(&rrset.name.to_text(), &rrset.rtype.to_string(), finding);
    }

    // A name that does not exist must say so, authoritatively.
    let wildcard = Name::from_ascii("*")
        .ok()
        .and_then(|w| w.append_domain(&origin).ok());
    let covered = wildcard.is_some_and(|w| zone.rrsets().any(|r| r.name == w));
    if !covered
        && scope.wants_nonexistent()
        && let Some(probe) = nonexistent_name(&origin)
    {
        let result = client.query(&probe, RecordType::A).await;
        out.tally.count(&result);
        let finding = match &result {
            Ok(a)
                if a.message.metadata.response_code == ResponseCode::NXDomain
                    && a.message.metadata.authoritative =>
            {
                signed
                    .then(|| {
                        denial_problem(&place, &a.message.authorities, &out.dnssec, &probe, now)
                    })
                    .flatten()
            }
            Ok(a) => {
                let mut f = place.finding(FindingKind::NxdomainExpected);
                f.name = Some(probe.to_text());
                f.rtype = Some("A".into());
                f.expected = Some(rcode_and_authority(ResponseCode::NXDomain, true));
                f.actual = Some(rcode_and_authority(
                    a.message.metadata.response_code,
                    a.message.metadata.authoritative,
                ));
                Some(f)
            }
            Err(_) => answer_problem(&place, &result, true),
        };
        // A stable case name: CI systems track test cases by name across runs.
        out.push(&nonexistent_case(&origin), "A", finding);
    }
    // Answered, but never over UDP: resolvers ask over UDP and go to TCP only when an
    // answer is truncated, so for them this address does not answer at all.
    if out.tally.udp_answered == 0 && out.tally.tcp_only > 0 {
        let mut f = place.finding(FindingKind::UdpUnanswered);
        f.name = Some(origin.to_text());
        f.expected = Some("answers over UDP, as resolvers ask".into());
        f.actual = Some(format!(
            "none of {} queries got an answer over UDP (or only packets that were not the answer); each was answered over TCP. Resolvers retry over TCP only when an answer says TC, so to them this address is dead: check what drops or mangles UDP on its path",
            out.tally.tcp_only
        ));
        out.push("udp", "UDP", Some(f));
    }
    out
}

/// The finding for an answered rrset whose signatures do not validate against the
/// address's DNSKEY set, or that has none; a valid one is noted for expiry and signers.
fn signature_problem(
    place: &Place,
    seen: &mut AddressDnssec,
    section: &[Record],
    name: &Name,
    rtype: RecordType,
    now: u32,
    zone: &Name,
) -> Option<Finding> {
    let verdict = validate::rrset(section, name, rtype, &seen.keys, zone, now);
    let (kind, actual) = match verdict {
        Verdict::Valid { expires, by } => {
            seen.signed(format!("{} {rtype}", name.to_text()), expires, &by);
            return None;
        }
        Verdict::Unsigned => (
            FindingKind::DnssecUnsigned,
            "answered without an RRSIG in a signed zone: validating resolvers reject the answer"
                .to_string(),
        ),
        Verdict::Bogus(why) => (
            FindingKind::DnssecBogus,
            format!("{why}: validating resolvers reject the answer"),
        ),
    };
    let mut f = place.finding(kind);
    f.name = Some(name.to_text());
    f.rtype = Some(rtype.to_string());
    f.expected = Some("a signature that validates with this address's DNSKEY set".into());
    f.actual = Some(actual);
    Some(f)
}

/// The finding for an NXDOMAIN without a valid proof of non-existence.
fn denial_problem(
    place: &Place,
    authority: &[Record],
    seen: &AddressDnssec,
    probe: &Name,
    now: u32,
) -> Option<Finding> {
    let (kind, actual) = match nxdomain(probe, &place.zone, authority, &seen.keys, now) {
        Denial::Proven => return None,
        Denial::Unsigned => (
            FindingKind::DnssecUnsigned,
            "NXDOMAIN without NSEC or NSEC3 in a signed zone: validating resolvers answer SERVFAIL for names that do not exist".to_string(),
        ),
        Denial::Bogus(why) => (
            FindingKind::DnssecBogus,
            format!("{why}: validating resolvers answer SERVFAIL for names that do not exist"),
        ),
        Denial::Insecure(why) => (FindingKind::DnssecInsecure, why),
    };
    let mut f = place.finding(kind);
    f.name = Some(probe.to_text());
    f.rtype = Some(if kind == FindingKind::DnssecUnsigned {
        "NSEC".into()
    } else {
        "NSEC/NSEC3".into()
    });
    f.expected = Some("a signed proof that the name and any wildcard do not exist".into());
    f.actual = Some(actual);
    Some(f)
}

/// A random name under the zone, so no cache or wildcard accident can answer it.
fn nonexistent_name(origin: &Name) -> Option<Name> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Name::from_ascii(format!("nsync-nx-{:x}", nanos as u64 ^ 0x5eed_cafe))
        .ok()?
        .append_domain(origin)
        .ok()
}

fn compare(
    place: &Place,
    zone: &Zone,
    expected: &Expected,
    want: &Rrset,
    result: &Result<super::client::Answer, QueryError>,
) -> Option<Finding> {
    let delegation = is_delegation(zone, want);
    let mut problem = answer_problem(place, result, !delegation);
    let name_type = |f: &mut Finding| {
        f.name = Some(want.name.to_text());
        f.rtype = Some(want.rtype.to_string());
        f.expected = Some(format!("{} {}", want.ttl, want.values().join(" | ")));
    };
    if let Some(f) = problem.as_mut() {
        name_type(f);
        return problem;
    }
    let Ok(answer) = result else { return None };
    let message: &Message = &answer.message;
    let section = if delegation && message.answers.is_empty() {
        &message.authorities
    } else {
        &message.answers
    };
    let got: Vec<&Record> = section
        .iter()
        .filter(|r| r.record_type() == want.rtype && r.name == want.name)
        .collect();
    let mut have: Vec<Vec<u8>> = got.iter().map(|r| canonical_bytes(&r.data)).collect();
    have.sort();
    let mut wanted: Vec<Vec<u8>> = want.rdata().iter().map(|r| r.wire().to_vec()).collect();
    wanted.sort();
    if have != wanted {
        let mut f = place.finding(if got.is_empty() {
            FindingKind::Missing
        } else {
            FindingKind::Mismatch
        });
        name_type(&mut f);
        f.actual = Some(if got.is_empty() {
            "(nothing)".into()
        } else {
            format!("{} {}", got[0].ttl, values(&got))
        });
        return Some(f);
    }
    let ttl_checked = !delegation && !expected.ttl_unchecked.contains(&want.key());
    if ttl_checked && let Some(bad) = got.iter().find(|r| r.ttl != want.ttl) {
        let mut f = place.finding(FindingKind::TtlMismatch);
        name_type(&mut f);
        f.expected = Some(format!("TTL {}", want.ttl));
        f.actual = Some(format!("TTL {}", bad.ttl));
        return Some(f);
    }
    None
}

/// Rrsets the server holds (seen by AXFR) that the zone file does not have.
pub fn extra_records(
    place: &Place,
    expected: &Zone,
    served: &Zone,
    ignored: impl Fn(&Name) -> bool,
) -> Vec<Finding> {
    served
        .rrsets()
        .filter(|r| expected.get(&r.name, r.rtype).is_none() && !ignored(&r.name))
        .filter(|r| !(r.rtype == RecordType::NS && r.name == expected.origin))
        .map(|r| {
            let mut f = place.finding(FindingKind::Extra);
            f.name = Some(r.name.to_text());
            f.rtype = Some(r.rtype.to_string());
            f.expected = Some("(nothing)".into());
            f.actual = Some(format!("{} {}", r.ttl, r.values().join(" | ")));
            f
        })
        .collect()
}

/// An answer's code as operators write it, and whether it claimed authority (the AA bit):
/// "NXDOMAIN (authoritative)", "REFUSED (not authoritative)".
fn rcode_and_authority(rcode: ResponseCode, authoritative: bool) -> String {
    let authority = if authoritative {
        "authoritative"
    } else {
        "not authoritative"
    };
    format!("{} ({authority})", nsync_core::rcode::mnemonic(rcode))
}
