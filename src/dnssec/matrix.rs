//! The zone's keys across providers (RFC 8901 §4, RFC 6840 §5.11): what each address
//! showed of its DNSSEC, and what is wrong between them: one provider's zone-signing key
//! missing from another's DNSKEY set, a provider the parent's DS set does not cover,
//! providers on different algorithms, CDS/CDNSKEY that disagree, a DNSKEY answer too
//! large for UDP, signatures close to expiry, an address serving the zone unsigned.

use std::collections::{BTreeMap, BTreeSet};

use hickory_proto::dnssec::rdata::DS;
use hickory_proto::rr::Name;
use nsync_core::name::NameText;

use super::keys::Key;
use super::{before, show_span, show_time};

/// What one address showed of the zone's DNSSEC.
#[derive(Clone, Debug, Default)]
pub struct AddressDnssec {
    /// The DNSKEY question was answered (NOERROR, authoritative); `keys` is what it holds.
    pub answered: bool,
    pub keys: Vec<Key>,
    /// Keys whose signature over the DNSKEY set validates: the key-signing keys in use.
    pub dnskey_signers: BTreeSet<Key>,
    /// Keys whose signatures over the zone's other rrsets validate: zone-signing keys in use.
    pub zone_signers: BTreeSet<Key>,
    /// The TTL the DNSKEY set is served with: keys published there get the same.
    pub dnskey_ttl: Option<u32>,
    /// The DNSKEY answer did not fit the EDNS buffer and needed TCP.
    pub dnskey_truncated: bool,
    /// CDS and CDNSKEY rdata on the wire, sorted: compared between addresses.
    pub cds: Vec<Vec<u8>>,
    pub cdnskey: Vec<Vec<u8>>,
    /// The signed rrset whose valid signatures run out first: (expiration, "name TYPE").
    pub earliest: Option<(u32, String)>,
}

impl AddressDnssec {
    /// Notes a validated rrset: who signed it and until when.
    pub fn signed(&mut self, what: String, expires: u32, by: &BTreeSet<Key>) {
        self.zone_signers.extend(by.iter().cloned());
        if self
            .earliest
            .as_ref()
            .is_none_or(|(e, _)| before(expires, *e))
        {
            self.earliest = Some((expires, what));
        }
    }

    /// Adds what a later look at the same address saw (verify --wait asks again).
    pub fn absorb(&mut self, later: AddressDnssec) {
        let earliest = self.earliest.take();
        let zone_signers = std::mem::take(&mut self.zone_signers);
        *self = AddressDnssec {
            zone_signers: zone_signers
                .into_iter()
                .chain(later.zone_signers.clone())
                .collect(),
            ..later
        };
        if let Some((e, what)) = earliest
            && self.earliest.as_ref().is_none_or(|(l, _)| before(e, *l))
        {
            self.earliest = Some((e, what));
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Unsigned,
    Expiring,
    DnskeyIncomplete,
    DsMissingForProvider,
    AlgorithmMismatch,
    CdsInconsistent,
    DnskeyTruncated,
}

/// One address as the matrix sees it.
pub struct Observed<'a> {
    pub provider: &'a str,
    pub nameserver: &'a str,
    pub address: &'a str,
    pub dnssec: &'a AddressDnssec,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: Kind,
    pub provider: String,
    /// (nameserver, address) for a problem at one address; `None` for the provider's.
    pub at: Option<(String, String)>,
    pub name: String,
    pub rtype: String,
    pub expected: String,
    pub actual: String,
}

/// What the matrix needs beyond the addresses.
pub struct Context<'a> {
    pub zone: &'a Name,
    /// The parent's DS set, if it could be read.
    pub parent_ds: Option<&'a [DS]>,
    /// nsync.toml says the zone is signed (multi-signer).
    pub declared: bool,
    pub now: u32,
    /// Signatures expiring sooner than this many seconds are reported.
    pub window: u32,
}

/// Whether the zone is signed at all: some address serves keys, the parent holds a DS,
/// or nsync.toml says so. Only then is an address without keys a problem.
pub fn is_signed(seen: &[Observed<'_>], cx: &Context<'_>) -> bool {
    cx.declared
        || cx.parent_ds.is_some_and(|ds| !ds.is_empty())
        || seen.iter().any(|o| !o.dnssec.keys.is_empty())
}

pub fn problems(seen: &[Observed<'_>], cx: &Context<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    if !is_signed(seen, cx) {
        return out;
    }
    let zone = cx.zone.to_text();
    let at =
        |o: &Observed<'_>, kind: Kind, rtype: &str, expected: String, actual: String| Problem {
            kind,
            provider: o.provider.to_string(),
            at: Some((o.nameserver.to_string(), o.address.to_string())),
            name: zone.clone(),
            rtype: rtype.to_string(),
            expected,
            actual,
        };
    let why_signed = if cx.parent_ds.is_some_and(|ds| !ds.is_empty()) {
        "the parent holds a DS for the zone"
    } else if seen.iter().any(|o| !o.dnssec.keys.is_empty()) {
        "other addresses serve DNSKEYs"
    } else {
        "nsync.toml declares it signed"
    };
    for o in seen
        .iter()
        .filter(|o| o.dnssec.answered && o.dnssec.keys.is_empty())
    {
        out.push(at(
            o,
            Kind::Unsigned,
            "DNSKEY",
            format!("a DNSKEY set: the zone is signed ({why_signed})"),
            "no DNSKEY: this address serves the zone unsigned, and validating resolvers that ask it fail".into(),
        ));
    }
    for o in seen {
        if let Some((expires, what)) = &o.dnssec.earliest {
            let left = i64::from(expires.wrapping_sub(cx.now) as i32);
            if left < i64::from(cx.window) {
                let mut p = at(
                    o,
                    Kind::Expiring,
                    "RRSIG",
                    format!(
                        "signatures valid for at least {}",
                        show_span(i64::from(cx.window))
                    ),
                    format!(
                        "the signature of {what} expires at {} UTC, in {}: signers refresh signatures well before they run out, so this one may have stopped re-signing",
                        show_time(*expires),
                        show_span(left)
                    ),
                );
                p.name = what.split(' ').next().unwrap_or(&zone).to_string();
                out.push(p);
            }
        }
        if o.dnssec.dnskey_truncated {
            out.push(at(
                o,
                Kind::DnskeyTruncated,
                "DNSKEY",
                "a DNSKEY answer that fits 1232 octets over UDP".into(),
                "the DNSKEY answer was truncated and needed TCP: resolvers behind networks that block TCP or fragments cannot validate; use fewer or smaller keys (algorithm 13)".into(),
            ));
        }
    }
    out.extend(incomplete(seen, cx, &at));
    out.extend(algorithms(seen, &zone));
    out.extend(cds(seen, &at));
    if let Some(ds) = cx.parent_ds.filter(|ds| !ds.is_empty()) {
        out.extend(ds_coverage(seen, cx.zone, ds));
    }
    out
}

type At<'f> = dyn Fn(&Observed<'_>, Kind, &str, String, String) -> Problem + 'f;

/// Every address's DNSKEY set must hold every provider's zone-signing keys: a resolver
/// that took this address's DNSKEY set validates the other providers' answers with it.
fn incomplete(seen: &[Observed<'_>], _cx: &Context<'_>, at: &At<'_>) -> Vec<Problem> {
    let mut zsks: BTreeMap<&str, BTreeSet<&Key>> = BTreeMap::new();
    for o in seen {
        zsks.entry(o.provider)
            .or_default()
            .extend(o.dnssec.zone_signers.iter());
    }
    let mut out = Vec::new();
    for o in seen.iter().filter(|o| !o.dnssec.keys.is_empty()) {
        for (provider, keys) in &zsks {
            if *provider == o.provider {
                continue;
            }
            for key in keys.iter().filter(|k| !o.dnssec.keys.contains(k)) {
                out.push(at(
                    o,
                    Kind::DnskeyIncomplete,
                    "DNSKEY",
                    format!("provider {provider}'s {}, which signs {provider}'s answers", key.describe()),
                    format!(
                        "a DNSKEY set without it: resolvers that take the DNSKEY set from here cannot validate {provider}'s answers; publish {provider}'s key here (with dnssec = \"multi-signer\", nsync sync does)"
                    ),
                ));
            }
        }
    }
    out
}

/// Every provider must sign with the same algorithms (RFC 8901 §5, RFC 6840 §5.11).
fn algorithms(seen: &[Observed<'_>], zone: &str) -> Vec<Problem> {
    let mut by_provider: BTreeMap<&str, BTreeSet<u8>> = BTreeMap::new();
    for o in seen.iter().filter(|o| !o.dnssec.keys.is_empty()) {
        by_provider
            .entry(o.provider)
            .or_default()
            .extend(o.dnssec.keys.iter().map(|k| k.id.algorithm));
    }
    let mut count: BTreeMap<&BTreeSet<u8>, usize> = BTreeMap::new();
    for set in by_provider.values() {
        *count.entry(set).or_default() += 1;
    }
    if count.len() < 2 {
        return Vec::new();
    }
    // The most common set is taken as the zone's; ties go to the first in order.
    let Some((common, _)) = count.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) else {
        return Vec::new();
    };
    let show = |s: &BTreeSet<u8>| s.iter().map(u8::to_string).collect::<Vec<_>>().join(", ");
    let summary: Vec<String> = by_provider
        .iter()
        .map(|(p, s)| format!("{p}: {}", show(s)))
        .collect();
    by_provider
        .iter()
        .filter(|(_, s)| s != common)
        .map(|(p, s)| Problem {
            kind: Kind::AlgorithmMismatch,
            provider: p.to_string(),
            at: None,
            name: zone.to_string(),
            rtype: "DNSKEY".into(),
            expected: format!("algorithm {} as the other providers", show(common)),
            actual: format!(
                "algorithm {}: resolvers that mix one provider's keys with another's signatures fail; move every signer to one algorithm ({})",
                show(s),
                summary.join("; ")
            ),
        })
        .collect()
}

/// An address's CDS and CDNSKEY sets, on the wire.
type CdsPair<'a> = (&'a Vec<Vec<u8>>, &'a Vec<Vec<u8>>);

/// CDS and CDNSKEY must be identical at every address or absent everywhere (RFC 8901 §8,
/// RFC 7344): a parent that polls them would otherwise act on one provider's view.
fn cds(seen: &[Observed<'_>], at: &At<'_>) -> Vec<Problem> {
    let answered: Vec<&Observed<'_>> = seen.iter().filter(|o| o.dnssec.answered).collect();
    let mut count: BTreeMap<CdsPair<'_>, usize> = BTreeMap::new();
    for o in &answered {
        *count.entry((&o.dnssec.cds, &o.dnssec.cdnskey)).or_default() += 1;
    }
    if count.len() < 2 {
        return Vec::new();
    }
    let Some((common, _)) = count.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) else {
        return Vec::new();
    };
    let describe = |cds: &Vec<Vec<u8>>, cdnskey: &Vec<Vec<u8>>| {
        if cds.is_empty() && cdnskey.is_empty() {
            "no CDS or CDNSKEY".to_string()
        } else {
            format!("{} CDS and {} CDNSKEY", cds.len(), cdnskey.len())
        }
    };
    let expected = describe(common.0, common.1);
    answered
        .iter()
        .filter(|o| (&o.dnssec.cds, &o.dnssec.cdnskey) != *common)
        .map(|o| {
            at(
                o,
                Kind::CdsInconsistent,
                "CDS",
                format!("{expected}, as most addresses"),
                format!(
                    "{} here: a parent that reads CDS/CDNSKEY would act on one provider's view; publish the same set everywhere or none",
                    describe(&o.dnssec.cds, &o.dnssec.cdnskey)
                ),
            )
        })
        .collect()
}

/// The parent's DS set must cover a key-signing key of every provider: a resolver that
/// takes the DNSKEY set from a provider whose KSK no DS matches finds the zone bogus.
fn ds_coverage(seen: &[Observed<'_>], zone: &Name, ds: &[DS]) -> Vec<Problem> {
    // The keys that sign each provider's DNSKEY set; where none validates (reported as
    // bogus already), the keys flagged as key-signing keys stand in for them.
    let mut ksks: BTreeMap<&str, BTreeSet<&Key>> = BTreeMap::new();
    for o in seen.iter().filter(|o| !o.dnssec.keys.is_empty()) {
        let entry = ksks.entry(o.provider).or_default();
        if o.dnssec.dnskey_signers.is_empty() {
            entry.extend(o.dnssec.keys.iter().filter(|k| k.is_ksk()));
        } else {
            entry.extend(o.dnssec.dnskey_signers.iter());
        }
    }
    let tags: Vec<String> = ds.iter().map(|d| d.key_tag().to_string()).collect();
    ksks.into_iter()
        .filter(|(_, keys)| {
            !keys
                .iter()
                .any(|k| ds.iter().any(|d| d.covers(zone, &k.dnskey).unwrap_or(false)))
        })
        .map(|(provider, keys)| {
            let named: Vec<String> = keys.iter().map(|k| k.describe()).collect();
            Problem {
                kind: Kind::DsMissingForProvider,
                provider: provider.to_string(),
                at: None,
                name: zone.to_text(),
                rtype: "DS".into(),
                expected: format!(
                    "a DS at the parent for one of the keys that sign its DNSKEY set ({})",
                    if named.is_empty() { "it has none".to_string() } else { named.join(", ") }
                ),
                actual: format!(
                    "the parent's DS set (key tags {}) covers none: resolvers that take {provider}'s DNSKEY set find the zone bogus; add the DS `nsync dnssec status` prints",
                    tags.join(", ")
                ),
            }
        })
        .collect()
}
