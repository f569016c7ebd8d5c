//! `nsync audit`'s engine: is each provider alive and holding the zone (the story behind
//! nsync is a provider that cancelled an account by mistake), has anyone edited records
//! behind nsync's back, do all nameservers answer, and does the parent's delegation give
//! real redundancy. Every finding says what to do.

pub mod delegation;
pub mod dnssec;

use nsync_core::name::NameText;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::StreamExt;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, RecordType};
use nsync_core::Name;
use nsync_core::provider::{Change, ErrorKind, ProviderError};

use crate::invocation::Invocation;
use crate::plan::{PlanInput, plan};
use crate::targets::{DesiredZone, Workspace};
use crate::verify::client::{QueryError, QueryLimits};
use crate::verify::resolve::Resolver;
use crate::verify::transport::Transport;
use crate::verify::{configured_union, nameservers_of};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Critical,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// Stable: auth_failed, account_suspended, zone_missing, provider_error, drift_missing,
    /// drift_extra, drift_changed, ttl_clamped, nameserver_lame, serial_mismatch,
    /// zone_not_delegated, delegation_missing_provider, delegation_unknown_nameserver,
    /// glue_mismatch, single_provider, same_network, and for signed zones dnssec_bogus,
    /// dnssec_expiring, dnssec_unsigned, dnskey_incomplete, ds_missing_for_provider,
    /// algorithm_mismatch, cds_inconsistent, dnskey_truncated.
    pub kind: &'static str,
    pub zone: String,
    /// Empty for findings about the zone as a whole.
    pub provider: String,
    pub detail: String,
}

#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// What was checked, per zone and provider, for JUnit's passing cases.
    pub checked: Vec<(String, String, &'static str)>,
}

impl Report {
    fn add(
        &mut self,
        severity: Severity,
        kind: &'static str,
        zone: &Name,
        provider: &str,
        detail: String,
    ) {
        self.findings.push(Finding {
            severity,
            kind,
            zone: zone.to_text(),
            provider: provider.to_string(),
            detail,
        });
    }

    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).min()
    }

    fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (a.severity, &a.zone, &a.provider, a.kind, &a.detail).cmp(&(
                b.severity,
                &b.zone,
                &b.provider,
                b.kind,
                &b.detail,
            ))
        });
    }
}

/// A provider's nameserver addresses, as far as they could be found.
struct ProviderAddresses {
    provider: String,
    names: Vec<Name>,
    addresses: Vec<(String, SocketAddr)>,
}

pub async fn run(ws: &Workspace, inv: &Invocation, limits: QueryLimits) -> Report {
    run_with(ws, inv, limits, Arc::new(crate::verify::transport::Sockets)).await
}

/// [`run`] over a given transport (tests script the nameservers).
pub async fn run_with(
    ws: &Workspace,
    inv: &Invocation,
    limits: QueryLimits,
    transport: Arc<dyn Transport>,
) -> Report {
    let resolver = Arc::new(Resolver::new(
        ws.config.resolver.root_hints.clone(),
        ws.config.resolver.recursive.clone(),
        limits,
        transport.clone(),
    ));
    let transport = &transport;
    let resolver = &resolver;
    let per_zone: Vec<Report> = futures_util::stream::iter(&ws.zones)
        .map(|zone| async move {
            let mut report = Report::default();
            audit_zone(ws, inv, zone, resolver, limits, transport, &mut report).await;
            report
        })
        .buffered(crate::verify::ZONES_AT_ONCE)
        .collect()
        .await;
    let mut report = Report::default();
    for zone in per_zone {
        report.findings.extend(zone.findings);
        report.checked.extend(zone.checked);
    }
    report.sort();
    report
}

fn health_finding(report: &mut Report, zone: &Name, provider: &str, e: &ProviderError) {
    let z = zone.to_text();
    match &e.kind {
        ErrorKind::AuthFailed => report.add(
            Severity::Critical,
            "auth_failed",
            zone,
            provider,
            format!("provider {provider}: credentials rejected ({}: {}); the token may be revoked or the account closed: fix the secret in nsync.toml's reference, then run nsync audit again", e.operation, e.message),
        ),
        ErrorKind::AccountSuspended => report.add(
            Severity::Critical,
            "account_suspended",
            zone,
            provider,
            format!("provider {provider}: the account or token is not in good standing ({}: {}); the provider may stop serving the zone: settle the account or issue a new token", e.operation, e.message),
        ),
        ErrorKind::ZoneMissing => report.add(
            Severity::Critical,
            "zone_missing",
            zone,
            provider,
            format!(
                "provider {provider}: zone {z} is gone ({}); the account may be cancelled; restore it, then run nsync sync --create-missing",
                e.message.split("; ").next().unwrap_or(&e.message)
            ),
        ),
        _ => report.add(
            Severity::Critical,
            "provider_error",
            zone,
            provider,
            format!("provider {provider}: cannot read zone {z} ({}: {}); check that the provider is reachable", e.operation, e.message),
        ),
    }
}

async fn audit_zone(
    ws: &Workspace,
    inv: &Invocation,
    desired: &Arc<DesiredZone>,
    resolver: &Arc<Resolver>,
    limits: QueryLimits,
    transport: &Arc<dyn Transport>,
    report: &mut Report,
) {
    let origin = desired.zone.origin.clone();
    let z = origin.to_text();
    let union = configured_union(&ws.config, desired);
    let mut all: Vec<ProviderAddresses> = Vec::new();
    for pname in &desired.config.providers {
        if !inv.selection.provider(pname) {
            continue;
        }
        let pc = &ws.config.providers[pname];
        let caps = &pc.kind.capabilities;

        // TTLs the provider cannot store as asked.
        for r in desired.zone.rrsets() {
            let stored = r.ttl.clamp(caps.min_ttl, caps.max_ttl);
            if stored != r.ttl {
                report.add(
                    Severity::Info,
                    "ttl_clamped",
                    &origin,
                    pname,
                    format!("{} {}: TTL {} is stored as {stored} at provider {pname} ({}); use {stored} in the zone file so every provider serves one TTL", r.name.to_text(), r.rtype, r.ttl, pc.kind.name),
                );
            }
        }

        // Health and drift: read what the provider holds.
        report.checked.push((z.clone(), pname.clone(), "health"));
        let provider = match pc.build() {
            Ok(p) => Some(p),
            Err(e) => {
                health_finding(report, &origin, pname, &e);
                None
            }
        };
        let mut reported_ns = Vec::new();
        if let Some(provider) = &provider
            && let Err(e) = provider.health().await
        {
            health_finding(report, &origin, pname, &e);
        }
        if let Some(provider) = &provider {
            match provider.read_zone(&origin).await {
                Ok(state) => {
                    for h in &state.held {
                        report.add(
                            Severity::Info,
                            "provider_feature",
                            &origin,
                            pname,
                            format!(
                                "provider {pname} holds {} {} as {}: nsync leaves it as it is, and that provider may answer for it differently from the others",
                                h.name.to_text(),
                                h.rtype,
                                h.feature
                            ),
                        );
                    }
                    for notice in &state.notices {
                        report.add(
                            Severity::Info,
                            "provider_notice",
                            &origin,
                            pname,
                            format!("provider {pname}: {notice}"),
                        );
                    }
                    report.checked.push((z.clone(), pname.clone(), "drift"));
                    reported_ns = state.nameservers.clone();
                    let input = PlanInput {
                        desired: &desired.zone,
                        current: &state.zone,
                        ignore: &desired.config.ignore,
                        capabilities: caps,
                        union_nameservers: union.as_deref().unwrap_or(&[]),
                        own_nameservers: &state.nameservers,
                        ttl_set_by_provider: &state.ttl_set_by_provider,
                    };
                    for change in plan(&input).changes {
                        drift_finding(report, &origin, pname, &change);
                    }
                }
                Err(e) => health_finding(report, &origin, pname, &e),
            }
        }

        // DNS health: every address of the provider's nameservers.
        let nameservers = nameservers_of(pc, provider.as_ref(), &origin)
            .await
            .unwrap_or_default();
        let mut pa = ProviderAddresses {
            provider: pname.clone(),
            names: nameservers.iter().filter_map(|n| n.name.clone()).collect(),
            addresses: Vec::new(),
        };
        // A provider named by its own address (an RFC 2136 primary) cannot tell which
        // of the zone's NS are its own; the others report theirs.
        if pa.names.is_empty()
            && provider
                .as_ref()
                .is_none_or(|p| p.own_addresses().is_empty())
        {
            pa.names = reported_ns;
        }
        for ns in &nameservers {
            let addrs = ns.addresses(resolver).await;
            match addrs {
                Ok(list) => pa.addresses.extend(list.into_iter().map(|a| (ns.label.clone(), a))),
                Err(e) => report.add(
                    Severity::Critical,
                    "nameserver_lame",
                    &origin,
                    pname,
                    format!("nameserver {} of provider {pname} has no address ({e}); fix its A/AAAA records or the provider's nameserver list", ns.label),
                ),
            }
        }
        report
            .checked
            .push((z.clone(), pname.clone(), "nameservers"));
        check_nameservers(report, &origin, pname, &pa.addresses, limits, transport).await;
        all.push(pa);
    }
    let log = inv.log.clone();
    for p in &all {
        let shown: Vec<String> = p
            .addresses
            .iter()
            .map(|(l, a)| format!("{l} {}", crate::config::show_address(a)))
            .collect();
        log.detail(&format!(
            "audit: provider {} serves {z} on {}",
            p.provider,
            shown.join(", ")
        ));
    }
    report
        .checked
        .push((z.clone(), String::new(), "delegation"));
    let providers: Vec<_> = all
        .iter()
        .map(|p| (p.provider.clone(), p.names.clone(), p.addresses.clone()))
        .collect();
    delegation::check(report, &origin, &providers, resolver, &log).await;
    let addresses: Vec<(String, Vec<(String, SocketAddr)>)> = all
        .iter()
        .map(|p| (p.provider.clone(), p.addresses.clone()))
        .collect();
    report.checked.push((z.clone(), String::new(), "dnssec"));
    dnssec::check(
        report,
        &origin,
        &addresses,
        desired.config.dnssec.declared(),
        ws.config.verify.dnssec_expiry_days,
        limits,
        transport,
        resolver,
    )
    .await;
}

fn drift_finding(report: &mut Report, zone: &Name, provider: &str, change: &Change) {
    let show = |r: &nsync_core::zone::Rrset| {
        format!(
            "{} {} {} {}",
            r.name.to_text(),
            r.ttl,
            r.rtype,
            r.values().join(" | ")
        )
    };
    let (kind, detail) = match change {
        Change::Create(r) => (
            "drift_missing",
            format!(
                "provider {provider} lacks {} that the zone file has; someone deleted it there: run nsync sync to put it back",
                show(r)
            ),
        ),
        Change::Delete(r) => (
            "drift_extra",
            format!(
                "provider {provider} has {}, which the zone file does not: someone added it there by hand; add it to the zone file to keep it, or run nsync sync to remove it",
                show(r)
            ),
        ),
        Change::Update { from, to } => (
            "drift_changed",
            format!(
                "provider {provider} has {} where the zone file says {}: edited behind nsync's back; run nsync sync to restore it, or change the zone file",
                show(from),
                show(to)
            ),
        ),
    };
    report.add(Severity::Warning, kind, zone, provider, detail);
}

/// Every address must answer the zone's SOA authoritatively; one provider, one serial.
async fn check_nameservers(
    report: &mut Report,
    zone: &Name,
    provider: &str,
    addresses: &[(String, SocketAddr)],
    limits: QueryLimits,
    transport: &Arc<dyn Transport>,
) {
    let mut serials: BTreeMap<String, u32> = BTreeMap::new();
    for (label, ip) in addresses {
        let at = format!("{label} ({})", crate::config::show_address(ip));
        let client = match transport.connect(*ip, limits).await {
            Ok(c) => c,
            Err(e) => {
                report.add(
                    Severity::Critical,
                    "nameserver_lame",
                    zone,
                    provider,
                    format!("{at}: {e}"),
                );
                continue;
            }
        };
        let problem = match client.query(zone, RecordType::SOA).await {
            Err(QueryError::Timeout) => Some("no answer (timeout)".to_string()),
            Err(e) => Some(e.to_string()),
            Ok(a) => {
                let m = &a.message;
                let serial = m.answers.iter().find_map(|r| match &r.data {
                    RData::SOA(s) => Some(s.serial),
                    _ => None,
                });
                match (m.metadata.response_code, m.metadata.authoritative, serial) {
                    (ResponseCode::NoError, true, Some(s)) => {
                        serials.insert(at.clone(), s);
                        None
                    }
                    (ResponseCode::NoError, false, _) => Some(
                        "answers without authority (not aa): it does not serve the zone"
                            .to_string(),
                    ),
                    (ResponseCode::NoError, true, None) => {
                        Some("answers aa but without the SOA".to_string())
                    }
                    (rcode, _, _) => Some(format!(
                        "answers {}: it does not serve the zone",
                        nsync_core::rcode::mnemonic(rcode)
                    )),
                }
            }
        };
        if let Some(p) = problem {
            report.add(
                Severity::Critical,
                "nameserver_lame",
                zone,
                provider,
                format!("nameserver {at} of provider {provider} is lame: {p}; resolvers that pick it fail; restore the zone there or take it out of the delegation"),
            );
        }
    }
    if let Some(newest) = serials.values().max().copied() {
        for (at, serial) in &serials {
            if *serial != newest {
                report.add(
                    Severity::Warning,
                    "serial_mismatch",
                    zone,
                    provider,
                    format!("{at} serves serial {serial}, other addresses of provider {provider} serve {newest}: a stale secondary; check its zone transfers (NOTIFY, allow-transfer, TSIG)"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
