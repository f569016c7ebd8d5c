//! `nsync verify`'s engine: find every address of every nameserver of every provider,
//! ask each what the zone file says should be there, and report every difference as a
//! finding naming provider, nameserver and address. This is what OctoDNS and DNSControl
//! do not do: compare each server with the zone file, not servers with each other.

pub mod checks;
pub mod client;
pub mod expect;
pub mod hold;
pub mod metrics;
pub mod resolve;
pub mod transport;

use nsync_core::name::NameText;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use nsync_core::Name;
use nsync_core::provider::Provider;

use crate::config::{Config, ProviderConfig};
use crate::invocation::Invocation;
use crate::targets::{DesiredZone, Workspace};
use checks::{AddressResult, Place, Scope, check_address, extra_records};
use client::QueryLimits;
use expect::{Expected, expected_zone};
use resolve::Resolver;
use transport::{Asker, Transport};

/// What is wrong, in stable words scripts can match on (PRODUCT.md's `kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    Mismatch,
    Missing,
    Extra,
    TtlMismatch,
    NotAuthoritative,
    NxdomainExpected,
    SerialMismatch,
    Timeout,
    Refused,
    Servfail,
    BadRcode,
    Unreachable,
    Unresolvable,
    ProviderError,
    DnssecBogus,
    DnssecExpiring,
    DnssecUnsigned,
    DnskeyIncomplete,
    DsMissingForProvider,
    AlgorithmMismatch,
    CdsInconsistent,
    DnskeyTruncated,
    /// Answers came only over TCP; every UDP query went unanswered.
    UdpUnanswered,
    /// A signed proof resolvers do not check (NSEC3 iterations past RFC 9276's limit).
    DnssecInsecure,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Mismatch => "mismatch",
            FindingKind::Missing => "missing",
            FindingKind::Extra => "extra",
            FindingKind::TtlMismatch => "ttl_mismatch",
            FindingKind::NotAuthoritative => "not_authoritative",
            FindingKind::NxdomainExpected => "nxdomain_expected",
            FindingKind::SerialMismatch => "serial_mismatch",
            FindingKind::Timeout => "timeout",
            FindingKind::Refused => "refused",
            FindingKind::Servfail => "servfail",
            FindingKind::BadRcode => "bad_rcode",
            FindingKind::Unreachable => "unreachable",
            FindingKind::Unresolvable => "unresolvable",
            FindingKind::ProviderError => "provider_error",
            FindingKind::DnssecBogus => "dnssec_bogus",
            FindingKind::DnssecExpiring => "dnssec_expiring",
            FindingKind::DnssecUnsigned => "dnssec_unsigned",
            FindingKind::DnskeyIncomplete => "dnskey_incomplete",
            FindingKind::DsMissingForProvider => "ds_missing_for_provider",
            FindingKind::AlgorithmMismatch => "algorithm_mismatch",
            FindingKind::CdsInconsistent => "cds_inconsistent",
            FindingKind::DnskeyTruncated => "dnskey_truncated",
            FindingKind::UdpUnanswered => "udp_unanswered",
            FindingKind::DnssecInsecure => "dnssec_insecure",
        }
    }

    /// The kind a cross-provider DNSSEC problem is reported as.
    pub fn of_dnssec(kind: crate::dnssec::matrix::Kind) -> FindingKind {
        use crate::dnssec::matrix::Kind;
        match kind {
            Kind::Unsigned => FindingKind::DnssecUnsigned,
            Kind::Expiring => FindingKind::DnssecExpiring,
            Kind::DnskeyIncomplete => FindingKind::DnskeyIncomplete,
            Kind::DsMissingForProvider => FindingKind::DsMissingForProvider,
            Kind::AlgorithmMismatch => FindingKind::AlgorithmMismatch,
            Kind::CdsInconsistent => FindingKind::CdsInconsistent,
            Kind::DnskeyTruncated => FindingKind::DnskeyTruncated,
        }
    }

    /// Errors are failures to get an answer; the rest are wrong answers.
    pub fn is_error(self) -> bool {
        matches!(
            self,
            FindingKind::Timeout
                | FindingKind::Refused
                | FindingKind::Servfail
                | FindingKind::BadRcode
                | FindingKind::Unreachable
                | FindingKind::Unresolvable
                | FindingKind::ProviderError
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub zone: String,
    pub provider: String,
    pub nameserver: String,
    pub address: Option<String>,
    pub name: Option<String>,
    pub rtype: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl Finding {
    /// A stable identity, for `--watch` to tell a new finding from one already seen.
    pub fn identity(&self) -> String {
        format!(
            "{} {} {} {} {} {} {}",
            self.kind.as_str(),
            self.zone,
            self.provider,
            self.nameserver,
            self.address.as_deref().unwrap_or("-"),
            self.name.as_deref().unwrap_or("-"),
            self.rtype.as_deref().unwrap_or("-")
        )
    }
}

/// One address of one nameserver of one provider, and what it answered.
#[derive(Debug)]
pub struct AddressReport {
    pub provider: String,
    pub nameserver: String,
    pub address: String,
    pub result: AddressResult,
    /// When the address was first seen serving the zone file's data, counted from
    /// [`Wait::since`] (or from the start of verify); `None` if it never did.
    pub agreed_after: Option<Duration>,
}

impl AddressReport {
    pub fn mismatches(&self) -> usize {
        self.result
            .findings
            .iter()
            .filter(|f| !f.kind.is_error())
            .count()
    }

    pub fn errors(&self) -> usize {
        self.result
            .findings
            .iter()
            .filter(|f| f.kind.is_error())
            .count()
    }

    pub fn median_latency(&self) -> Option<Duration> {
        let mut l = self.result.tally.latencies.clone();
        l.sort();
        l.get(l.len() / 2).copied()
    }
}

#[derive(Debug)]
pub struct ZoneReport {
    pub zone: Name,
    pub addresses: Vec<AddressReport>,
    /// Findings that belong to no single address check (unresolvable names, serials,
    /// AXFR extras, provider errors); per-address findings live in `addresses`.
    pub findings: Vec<Finding>,
}

impl ZoneReport {
    /// The address serves exactly the zone file's data: no finding of its own, and none
    /// of the zone's (a serial behind, records beyond the file) names it.
    pub fn address_agrees(&self, a: &AddressReport) -> bool {
        a.result.agrees()
            && !self
                .findings
                .iter()
                .any(|f| f.provider == a.provider && f.address.as_deref() == Some(&a.address))
    }

    pub fn all_findings(&self) -> Vec<&Finding> {
        let mut all: Vec<&Finding> = self
            .addresses
            .iter()
            .flat_map(|a| a.result.findings.iter())
            .chain(self.findings.iter())
            .collect();
        all.sort_by_key(|f| {
            (
                f.provider.clone(),
                f.nameserver.clone(),
                f.address.clone(),
                f.name.clone(),
                f.rtype.clone(),
                f.kind,
            )
        });
        all
    }
}

#[derive(Debug)]
pub struct Report {
    pub zones: Vec<ZoneReport>,
    pub finished: SystemTime,
    pub took: Duration,
    /// `--wait` was given: reports show each address's propagation time.
    pub waited: bool,
}

impl Report {
    pub fn consistent(&self) -> bool {
        self.zones.iter().all(|z| z.all_findings().is_empty())
    }

    /// Nothing at all could be asked for some zone: verify could not do its job there.
    pub fn could_not_verify(&self) -> bool {
        self.zones
            .iter()
            .any(|z| !z.addresses.iter().any(|a| a.result.reachable))
    }
}

#[derive(Clone)]
pub struct Options {
    pub limits: QueryLimits,
    /// How addresses are asked: the network, or a script in tests.
    pub transport: Arc<dyn Transport>,
    /// `--wait`: ask again what fails, with backoff, until it agrees or the time is up.
    pub wait: Option<Wait>,
    /// Only these (zone, provider) pairs (sync --wait checks what it wrote); all when `None`.
    pub only: Option<std::collections::BTreeSet<(Name, String)>>,
    /// Signatures that expire sooner than this are `dnssec_expiring`.
    pub dnssec_window: Duration,
}

/// The default of `[verify] dnssec_expiry_days`: a week leaves time to fix a signer that
/// stopped re-signing before its signatures run out.
pub const DNSSEC_WINDOW: Duration = Duration::from_secs(7 * 86_400);

impl Options {
    /// The options nsync.toml's `[verify]` section sets.
    pub fn from_settings(v: &crate::config::VerifySettings) -> Options {
        let mut o = Options::new(QueryLimits::from_settings(v));
        o.dnssec_window = Duration::from_secs(u64::from(v.dnssec_expiry_days) * 86_400);
        o
    }

    pub fn new(limits: QueryLimits) -> Options {
        Options {
            limits,
            transport: Arc::new(transport::Sockets),
            wait: None,
            only: None,
            dnssec_window: DNSSEC_WINDOW,
        }
    }
}

/// How long `--wait` may take, and from when propagation is measured (the start of
/// verify, or the end of sync's writes).
#[derive(Clone, Copy, Debug)]
pub struct Wait {
    pub since: Instant,
    pub until: Instant,
}

/// The first pause between two re-checks under `--wait`, and the longest: a secondary
/// usually catches up in well under a second, a hosted provider in seconds to a minute.
const FIRST_PAUSE: Duration = Duration::from_millis(200);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

/// A nameserver of a provider: its label in reports, its name (when it has one), and
/// addresses pinned in the config.
pub struct Nameserver {
    pub label: String,
    pub name: Option<Name>,
    pub pinned: Vec<SocketAddr>,
}

impl Nameserver {
    /// Where to ask it: the pinned addresses, else its name's addresses on port 53.
    pub async fn addresses(&self, resolver: &Resolver) -> Result<Vec<SocketAddr>, String> {
        if !self.pinned.is_empty() {
            Ok(self.pinned.clone())
        } else if let Some(name) = &self.name {
            resolver
                .addresses(name)
                .await
                .map(|ips| ips.into_iter().map(|ip| SocketAddr::new(ip, 53)).collect())
        } else {
            Err("no name and no address".to_string())
        }
    }
}

/// The nameservers to check for a provider: those in nsync.toml; else, for rfc2136, the
/// provider's own addresses where it has them (an RFC 2136 primary); else what the
/// provider reports.
pub async fn nameservers_of(
    pc: &ProviderConfig,
    provider: Option<&Arc<dyn Provider>>,
    origin: &Name,
) -> Result<Vec<Nameserver>, String> {
    if !pc.nameservers.is_empty() {
        return Ok(pc
            .nameservers
            .iter()
            .map(|n| Nameserver {
                label: n.name.to_text(),
                name: Some(n.name.clone()),
                pinned: n.addresses.clone(),
            })
            .collect());
    }
    let provider = provider.ok_or("the provider could not be set up")?;
    let own = provider.own_addresses();
    if !own.is_empty() {
        return Ok(own
            .into_iter()
            .map(|addr| Nameserver {
                label: crate::config::show_address(&addr),
                name: None,
                pinned: vec![addr],
            })
            .collect());
    }
    let state = provider
        .read_zone(origin)
        .await
        .map_err(|e| e.to_string())?;
    Ok(state
        .nameservers
        .into_iter()
        .map(|n| Nameserver {
            label: n.to_text(),
            name: Some(n),
            pinned: Vec::new(),
        })
        .collect())
}

/// The names every provider of the zone serves it on, if nsync.toml lists them all.
pub fn configured_union(config: &Config, zone: &DesiredZone) -> Option<Vec<Name>> {
    let mut union = Vec::new();
    for p in &zone.config.providers {
        let pc = &config.providers[p];
        if pc.nameservers.is_empty() {
            return None;
        }
        for n in &pc.nameservers {
            if !union.contains(&n.name) {
                union.push(n.name.clone());
            }
        }
    }
    Some(union)
}

/// Zones checked at once. Bounded because each zone ends in a zone transfer per
/// rfc2136 server, and servers limit concurrent transfers out (BIND: 10 by default).
pub const ZONES_AT_ONCE: usize = 4;

type Clients = tokio::sync::Mutex<BTreeMap<SocketAddr, Arc<dyn Asker>>>;

pub async fn run(ws: &Workspace, inv: &Invocation, options: Options) -> Report {
    let started = std::time::Instant::now();
    let resolver = Arc::new(Resolver::new(
        ws.config.resolver.root_hints.clone(),
        ws.config.resolver.recursive.clone(),
        options.limits,
        options.transport.clone(),
    ));
    // One client per address, shared by every zone: its in-flight bound is then a bound
    // per server, however many zones that server holds.
    let clients: Clients = tokio::sync::Mutex::new(BTreeMap::new());
    let only = options.only.clone();
    let zones = futures_util::stream::iter(ws.zones.iter().filter(|z| {
        only.as_ref()
            .is_none_or(|o| o.iter().any(|(zone, _)| *zone == z.zone.origin))
    }))
    .map(|desired| verify_zone(ws, inv, desired, &resolver, &clients, &options))
    .buffered(ZONES_AT_ONCE)
    .collect()
    .await;
    Report {
        zones,
        finished: SystemTime::now(),
        took: started.elapsed(),
        waited: options.wait.is_some(),
    }
}

async fn verify_zone(
    ws: &Workspace,
    inv: &Invocation,
    desired: &Arc<DesiredZone>,
    resolver: &Arc<Resolver>,
    clients: &Clients,
    options: &Options,
) -> ZoneReport {
    let started = Instant::now();
    let origin = desired.zone.origin.clone();
    let union = configured_union(&ws.config, desired);
    let mut findings = Vec::new();
    let mut checks = tokio::task::JoinSet::new();
    // Transfers start once every query is answered: parsing a large AXFR competes for the
    // CPU with the query workers, and the queries are what measure the nameserver.
    let mut transfers_wanted = Vec::new();
    // What re-checks under --wait need: each address's client and expected zone.
    let mut probes: Vec<(Place, Arc<dyn Asker>, Arc<Expected>)> = Vec::new();
    for pname in &desired.config.providers {
        if !inv.selection.provider(pname) {
            continue;
        }
        if let Some(only) = &options.only
            && !only.contains(&(origin.clone(), pname.clone()))
        {
            continue;
        }
        let pc = &ws.config.providers[pname];
        let provider = pc.build().ok();
        let expected = Arc::new(expected_zone(
            &desired.zone,
            &desired.config.ignore,
            &pc.kind.capabilities,
            union.as_deref(),
        ));
        let place = |ns: &str, addr: &str| Place {
            zone: origin.clone(),
            provider: pname.clone(),
            nameserver: ns.to_string(),
            address: addr.to_string(),
        };
        let nameservers = match nameservers_of(pc, provider.as_ref(), &origin).await {
            Ok(n) => n,
            Err(e) => {
                let mut f = place("-", "-").finding(FindingKind::ProviderError);
                f.address = None;
                f.actual = Some(format!("cannot tell the provider's nameservers: {e}"));
                findings.push(f);
                continue;
            }
        };
        for ns in nameservers {
            let addresses = ns.addresses(resolver).await;
            let addresses = match addresses {
                Ok(a) => {
                    let shown: Vec<String> = a.iter().map(crate::config::show_address).collect();
                    let how = if ns.pinned.is_empty() {
                        "resolved"
                    } else {
                        "pinned in nsync.toml"
                    };
                    inv.log.clone().detail(&format!(
                        "verify: provider {pname} serves {} on {} {} ({how})",
                        origin.to_text(),
                        ns.label,
                        shown.join(", ")
                    ));
                    a
                }
                Err(e) => {
                    let mut f = place(&ns.label, "-").finding(FindingKind::Unresolvable);
                    f.address = None;
                    f.actual = Some(e);
                    findings.push(f);
                    continue;
                }
            };
            for addr in addresses {
                let ip = crate::config::show_address(&addr);
                let mut shared = clients.lock().await;
                let client = match shared.get(&addr) {
                    Some(c) => c.clone(),
                    None => match options.transport.connect(addr, options.limits).await {
                        Ok(c) => {
                            shared.insert(addr, c.clone());
                            c
                        }
                        Err(e) => {
                            let mut f =
                                place(&ns.label, &ip.to_string()).finding(FindingKind::Unreachable);
                            f.actual = Some(e.to_string());
                            findings.push(f);
                            continue;
                        }
                    },
                };
                drop(shared);
                let p = place(&ns.label, &ip.to_string());
                probes.push((p.clone(), client.clone(), expected.clone()));
                checks.spawn(check_one(client, p.clone(), expected.clone()));
                // Where the provider allows a zone transfer (rfc2136 with its key), also
                // see what the server holds beyond the zone file.
                if let Some(provider) = &provider {
                    transfers_wanted.push((addr, p, provider.clone(), expected.clone()));
                }
            }
        }
    }
    let mut addresses = Vec::new();
    while let Some(done) = checks.join_next().await {
        if let Ok(report) = done {
            addresses.push(report);
        }
    }
    addresses.sort_by(|a, b| {
        (&a.provider, &a.nameserver, &a.address).cmp(&(&b.provider, &b.nameserver, &b.address))
    });
    let since = options.wait.map_or(started, |w| w.since);
    mark_agreed(&mut addresses, since);
    if let Some(wait) = options.wait {
        wait_for_agreement(&origin, &mut addresses, &probes, wait, inv).await;
    }
    // Only from addresses that answered the SOA: one that did not would only cost the
    // transfer's timeout, and it is already reported.
    let mut transfers = tokio::task::JoinSet::new();
    let step = options.limits.timeout;
    for (addr, p, provider, expected) in transfers_wanted {
        let answered = addresses.iter().any(|a: &AddressReport| {
            a.address == p.address && a.provider == p.provider && a.result.serial.is_some()
        });
        if !answered {
            continue;
        }
        let (origin, ignore) = (origin.clone(), desired.config.ignore.clone());
        transfers.spawn(async move {
            let Some(transfer) = provider.transfer_zone(addr, &origin, step) else {
                return Vec::new();
            };
            match transfer.await {
                Ok(zone) => extra_records(&p, &expected.zone, &zone, |n| {
                    ignore.iter().any(|i| i.matches(n))
                }),
                // A server that refuses the transfer is already visible through queries.
                Err(_) => Vec::new(),
            }
        });
    }
    while let Some(done) = transfers.join_next().await {
        if let Ok(extra) = done {
            findings.extend(extra);
        }
    }
    findings.extend(serial_findings(&origin, &addresses));
    findings.extend(dnssec_findings(desired, &addresses, resolver, options, inv).await);
    ZoneReport {
        zone: origin,
        addresses,
        findings,
    }
}

async fn check_one(client: Arc<dyn Asker>, place: Place, expected: Arc<Expected>) -> AddressReport {
    let before = client.discarded();
    let counter = client.clone();
    let mut result = check_address(client, place.clone(), expected).await;
    // Shared with other zones' checks of the same address: close enough to say which
    // address sends packets that are not answers.
    result.discarded = counter.discarded().saturating_sub(before);
    AddressReport {
        provider: place.provider,
        nameserver: place.nameserver,
        address: place.address,
        result,
        agreed_after: None,
    }
}

/// The addresses whose SOA serial is behind another address of the same provider: a
/// secondary that has not transferred the newest version yet.
fn behind(addresses: &[AddressReport]) -> Vec<bool> {
    let mut newest: BTreeMap<&str, u32> = BTreeMap::new();
    for a in addresses {
        if let Some(s) = a.result.serial {
            let e = newest.entry(&a.provider).or_insert(s);
            *e = (*e).max(s);
        }
    }
    addresses
        .iter()
        .map(|a| {
            a.result
                .serial
                .is_some_and(|s| newest.get(a.provider.as_str()).is_some_and(|n| s < *n))
        })
        .collect()
}

/// Notes when each address that now serves the zone file's data first did so.
fn mark_agreed(addresses: &mut [AddressReport], since: Instant) {
    let behind = behind(addresses);
    for (a, behind) in addresses.iter_mut().zip(behind) {
        if a.agreed_after.is_none() && a.result.agrees() && !behind {
            a.agreed_after = Some(since.elapsed());
        }
    }
}

/// `--wait`: asks the addresses that do not agree again, only what failed there (or
/// only the SOA, for one merely behind in serial), pausing longer each round, until all
/// agree or the time is up. What is reported afterwards is the last answer of each.
async fn wait_for_agreement(
    origin: &Name,
    addresses: &mut [AddressReport],
    probes: &[(Place, Arc<dyn Asker>, Arc<Expected>)],
    wait: Wait,
    inv: &Invocation,
) {
    let log = inv.log.clone();
    let mut pause = FIRST_PAUSE;
    loop {
        let behind = behind(addresses);
        let failing: Vec<usize> = (0..addresses.len())
            .filter(|&i| !addresses[i].result.agrees() || behind[i])
            .collect();
        let now = Instant::now();
        if failing.is_empty() || now >= wait.until {
            return;
        }
        let pause_now = pause.min(wait.until - now);
        log.detail(&format!(
            "verify --wait: {} address(es) of {} do not serve the zone file's data yet; asking again in {pause_now:.1?}",
            failing.len(),
            origin.to_text()
        ));
        tokio::time::sleep(pause_now).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
        let mut set = tokio::task::JoinSet::new();
        for i in failing {
            let a = &addresses[i];
            let Some((place, client, expected)) = probes.iter().find(|(p, _, _)| {
                p.provider == a.provider && p.nameserver == a.nameserver && p.address == a.address
            }) else {
                continue;
            };
            let scope = if a.result.agrees() {
                Some(Scope::Only {
                    cases: Default::default(),
                    nonexistent: false,
                })
            } else {
                a.result.failed_scope(origin)
            };
            let (place, client, expected) = (place.clone(), client.clone(), expected.clone());
            set.spawn(async move {
                let again = match &scope {
                    Some(s) => checks::check_address_in(client, place, expected, s).await,
                    None => check_address(client, place, expected).await,
                };
                (i, scope.is_some(), again)
            });
        }
        while let Some(done) = set.join_next().await {
            if let Ok((i, partial, again)) = done {
                let old = std::mem::take(&mut addresses[i].result);
                addresses[i].result = if partial { old.merge(again) } else { again };
            }
        }
        mark_agreed(addresses, wait.since);
    }
}

/// The zone's DNSSEC across providers: keys missing from another provider's DNSKEY set,
/// the parent's DS, algorithms, CDS/CDNSKEY, expiry. Nothing for an unsigned zone.
async fn dnssec_findings(
    desired: &DesiredZone,
    addresses: &[AddressReport],
    resolver: &Resolver,
    options: &Options,
    inv: &Invocation,
) -> Vec<Finding> {
    use crate::dnssec::matrix::{Context, Observed, is_signed, problems};
    let origin = &desired.zone.origin;
    let seen: Vec<Observed<'_>> = addresses
        .iter()
        .map(|a| Observed {
            provider: &a.provider,
            nameserver: &a.nameserver,
            address: &a.address,
            dnssec: &a.result.dnssec,
        })
        .collect();
    let now = crate::dnssec::now32(SystemTime::now());
    let window = options
        .dnssec_window
        .as_secs()
        .min(u64::from(u32::MAX >> 1)) as u32;
    let mut cx = Context {
        zone: origin,
        parent_ds: None,
        declared: desired.config.dnssec.declared(),
        now,
        window,
    };
    if !is_signed(&seen, &cx) {
        return Vec::new();
    }
    // The DS set is the parent's: read from its own servers, by the root hints.
    let ds = match resolver.parent_ds(origin).await {
        Ok(ds) => Some(ds),
        Err(e) => {
            inv.log.clone().detail(&format!(
                "verify: cannot read the DS set of {} at its parent ({e}); the DS check is left out",
                origin.to_text()
            ));
            None
        }
    };
    cx.parent_ds = ds.as_deref();
    problems(&seen, &cx)
        .into_iter()
        .map(|p| {
            let (nameserver, address) = match p.at {
                Some((n, a)) => (n, Some(a)),
                None => ("-".to_string(), None),
            };
            Finding {
                kind: FindingKind::of_dnssec(p.kind),
                zone: origin.to_text(),
                provider: p.provider,
                nameserver,
                address,
                name: Some(p.name),
                rtype: Some(p.rtype),
                expected: Some(p.expected),
                actual: Some(p.actual),
            }
        })
        .collect()
}

/// Every address of one provider must serve the same SOA serial; an address behind the
/// others is a stale secondary.
fn serial_findings(origin: &Name, addresses: &[AddressReport]) -> Vec<Finding> {
    let mut by_provider: BTreeMap<&str, Vec<&AddressReport>> = BTreeMap::new();
    for a in addresses {
        by_provider.entry(&a.provider).or_default().push(a);
    }
    let mut out = Vec::new();
    for (provider, list) in by_provider {
        let newest = list.iter().filter_map(|a| a.result.serial).max();
        let Some(newest) = newest else { continue };
        for a in list {
            if let Some(serial) = a.result.serial
                && serial != newest
            {
                out.push(Finding {
                    kind: FindingKind::SerialMismatch,
                    zone: origin.to_text(),
                    provider: provider.to_string(),
                    nameserver: a.nameserver.clone(),
                    address: Some(a.address.clone()),
                    name: Some(origin.to_text()),
                    rtype: Some("SOA".into()),
                    expected: Some(format!(
                        "serial {newest} (as the provider's other addresses)"
                    )),
                    actual: Some(format!("serial {serial}: this address has not caught up")),
                });
            }
        }
    }
    out
}

#[cfg(test)]
pub mod script;
#[cfg(test)]
mod tests;
