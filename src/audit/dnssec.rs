//! audit's DNSSEC checks for signed zones: at every address of every provider, the DNSKEY
//! set (signed by one of its own keys) and the SOA's signature; then the keys across
//! providers and the parent's DS set (RFC 8901), as verify does, without asking every
//! rrset.

use nsync_core::name::NameText;
use std::net::SocketAddr;
use std::sync::Arc;

use hickory_proto::rr::{Name, RecordType};

use super::{Report, Severity};
use crate::dnssec::matrix::{AddressDnssec, Context, Kind, Observed, is_signed, problems};
use crate::dnssec::probe::{KeySet, keys};
use crate::dnssec::validate::{Verdict, rrset};
use crate::verify::client::QueryLimits;
use crate::verify::resolve::Resolver;
use crate::verify::transport::Transport;

fn severity(kind: Kind) -> Severity {
    match kind {
        Kind::Expiring | Kind::CdsInconsistent | Kind::DnskeyTruncated => Severity::Warning,
        _ => Severity::Critical,
    }
}

fn kind_name(kind: Kind) -> &'static str {
    crate::verify::FindingKind::of_dnssec(kind).as_str()
}

/// (provider, (nameserver label, address) pairs) for every provider audited.
pub type Addresses = [(String, Vec<(String, SocketAddr)>)];

#[allow(clippy::too_many_arguments)]
pub async fn check(
    report: &mut Report,
    zone: &Name,
    addresses: &Addresses,
    declared: bool,
    window_days: u32,
    limits: QueryLimits,
    transport: &Arc<dyn Transport>,
    resolver: &Resolver,
) {
    let now = crate::dnssec::now32(std::time::SystemTime::now());
    let mut seen: Vec<(String, String, String, AddressDnssec)> = Vec::new();
    for (provider, list) in addresses {
        for (label, addr) in list {
            let Ok(client) = transport.connect(*addr, limits).await else {
                continue;
            };
            let (mut dnssec, state) = keys(&*client, zone, now).await;
            let at = format!(
                "nameserver {label} ({}) of provider {provider}",
                crate::config::show_address(addr)
            );
            if let KeySet::Bogus(why) = state {
                report.add(
                    Severity::Critical,
                    "dnssec_bogus",
                    zone,
                    provider,
                    format!("{at}: the DNSKEY set of {} does not validate ({why}): validating resolvers that ask it fail for the whole zone; fix signing at {provider}", zone.to_text()),
                );
            }
            if !dnssec.keys.is_empty()
                && let Ok(a) = client.query(zone, RecordType::SOA).await
            {
                let verdict = rrset(
                    &a.message.answers,
                    zone,
                    RecordType::SOA,
                    &dnssec.keys,
                    zone,
                    now,
                );
                match verdict {
                    Verdict::Valid { expires, by } => {
                        dnssec.signed(format!("{} SOA", zone.to_text()), expires, &by);
                    }
                    Verdict::Unsigned => report.add(
                        Severity::Critical,
                        "dnssec_unsigned",
                        zone,
                        provider,
                        format!("{at}: the SOA comes without a signature in a signed zone: validating resolvers reject its answers; fix signing at {provider}"),
                    ),
                    Verdict::Bogus(why) => report.add(
                        Severity::Critical,
                        "dnssec_bogus",
                        zone,
                        provider,
                        format!("{at}: the SOA's signature does not validate ({why}): validating resolvers reject its answers; fix signing at {provider}"),
                    ),
                }
            }
            seen.push((
                provider.clone(),
                label.clone(),
                crate::config::show_address(addr),
                dnssec,
            ));
        }
    }
    let observed: Vec<Observed<'_>> = seen
        .iter()
        .map(|(p, n, a, d)| Observed {
            provider: p,
            nameserver: n,
            address: a,
            dnssec: d,
        })
        .collect();
    let mut cx = Context {
        zone,
        parent_ds: None,
        declared,
        now,
        window: window_days.saturating_mul(86_400),
    };
    if !is_signed(&observed, &cx) {
        return;
    }
    let ds = resolver.parent_ds(zone).await.ok();
    cx.parent_ds = ds.as_deref();
    for p in problems(&observed, &cx) {
        let at = match &p.at {
            Some((ns, addr)) => format!("nameserver {ns} ({addr}) of provider {}: ", p.provider),
            None => format!("provider {}: ", p.provider),
        };
        report.add(
            severity(p.kind),
            kind_name(p.kind),
            zone,
            &p.provider,
            format!(
                "{at}{} {}: expected {}; got {}",
                p.name, p.rtype, p.expected, p.actual
            ),
        );
    }
}
