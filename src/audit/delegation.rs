//! The parent's view: the NS set and glue the parent zone's own servers hand out, against
//! the providers' nameservers. A provider left out of the delegation gives no redundancy;
//! a delegation to one provider is the single point of failure nsync exists to remove.

use nsync_core::name::NameText;
use std::net::IpAddr;
use std::sync::Arc;

use nsync_core::Name;

use super::{Report, Severity};
use crate::verify::resolve::Resolver;

/// (provider, nameserver names, (label, address) pairs)
pub type ProviderNameservers = (String, Vec<Name>, Vec<(String, std::net::SocketAddr)>);

fn network(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
    }
}

pub async fn check(
    report: &mut Report,
    zone: &Name,
    providers: &[ProviderNameservers],
    resolver: &Arc<Resolver>,
    log: &crate::report::Log,
) {
    let z = zone.to_text();
    let delegation = match resolver.delegation(zone).await {
        Ok(d) => d,
        Err(e) => {
            report.add(Severity::Critical, "zone_not_delegated", zone, "", format!("the parent of {z} does not delegate it as expected: {e}; ask the registrar to delegate it to every provider's nameservers"));
            return;
        }
    };
    let delegated = &delegation.nameservers;
    let parent = delegation.parent_server;
    let names: Vec<String> = delegated.iter().map(|n| n.to_text()).collect();
    log.detail(&format!(
        "audit: the parent ({}) delegates {z} to {}",
        crate::config::show_address(&parent),
        names.join(", ")
    ));

    // Which provider does each delegated nameserver belong to?
    let owner = |ns: &Name| {
        providers
            .iter()
            .find(|(_, names, _)| names.contains(ns))
            .map(|(p, _, _)| p.clone())
    };
    let mut providers_delegated: Vec<String> = Vec::new();
    for ns in delegated {
        match owner(ns) {
            Some(p) => {
                if !providers_delegated.contains(&p) {
                    providers_delegated.push(p);
                }
            }
            None => report.add(
                Severity::Warning,
                "delegation_unknown_nameserver",
                zone,
                "",
                format!("the parent ({}) delegates {z} to {}, which no provider in nsync.toml serves it on; remove it at the registrar, or add its provider to nsync.toml", crate::config::show_address(&parent), ns.to_text()),
            ),
        }
    }
    for (p, names, _) in providers {
        if names.is_empty() {
            continue;
        }
        if !names.iter().any(|n| delegated.contains(n)) {
            let list: Vec<String> = names.iter().map(|n| n.to_text()).collect();
            report.add(
                Severity::Warning,
                "delegation_missing_provider",
                zone,
                p,
                format!("provider {p} serves {z} on {} but the parent ({}) does not delegate to it: it adds no redundancy; add its nameservers at the registrar", list.join(", "), crate::config::show_address(&parent)),
            );
        }
    }
    if providers_delegated.len() == 1 && delegated.iter().all(|n| owner(n).is_some()) {
        report.add(
            Severity::Warning,
            "single_provider",
            zone,
            &providers_delegated[0],
            format!("the parent delegates {z} to provider {} only: a single point of failure; delegate to the nameservers of a second provider too", providers_delegated[0]),
        );
    }

    // Glue must match the addresses the nameservers really have.
    for (name, glue_ip) in &delegation.glue {
        let real: Vec<IpAddr> = providers
            .iter()
            .filter(|(_, names, _)| names.contains(name))
            .flat_map(|(_, _, addrs)| {
                addrs
                    .iter()
                    .filter(|(l, _)| l == &name.to_text())
                    .map(|(_, a)| a.ip())
            })
            .collect();
        if !real.is_empty() && !real.contains(glue_ip) {
            let real: Vec<String> = real.iter().map(|a| a.to_string()).collect();
            report.add(
                Severity::Critical,
                "glue_mismatch",
                zone,
                "",
                format!("the parent's glue says {} is {glue_ip}, but it is {}; resolvers are sent to the wrong address: correct the glue at the registrar", name.to_text(), real.join(", ")),
            );
        }
    }

    // Every nameserver address in one network: one outage or route leak takes all.
    let addresses: Vec<IpAddr> = providers
        .iter()
        .flat_map(|(_, _, a)| a.iter().map(|(_, addr)| addr.ip()))
        .collect();
    if addresses.len() > 1 {
        let first = network(&addresses[0]);
        if addresses.iter().all(|a| network(a) == first) {
            report.add(
                Severity::Warning,
                "same_network",
                zone,
                "",
                format!("every nameserver address of {z} is in {first}: one network failure takes them all; use providers on different networks"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_slash_24_and_slash_48() {
        assert_eq!(network(&"192.0.2.7".parse().unwrap()), "192.0.2.0/24");
        assert_eq!(
            network(&"2001:db8:1:2::53".parse().unwrap()),
            "2001:db8:1::/48"
        );
    }
}
