//! Checks of a zone file against nsync.toml: what neither file can tell alone. `check`
//! reports them, and plan and sync refuse to start on them, like any zone-file error.

use nsync_core::Name;
use nsync_core::builder::ZoneRead;
use nsync_core::diag::{Diagnostic, Location};
use nsync_core::name::NameText;
use nsync_core::provider::{ApexNs, ForeignKeys};
use nsync_core::rdata::Rdata;
use nsync_core::zone::{Rrset, Zone};
use nsync_core::{RData, RecordType};

use crate::config::{Config, ProviderConfig, ZoneConfig};

/// The zone-file checks that need nsync.toml, or that apply only to a zone nsync will
/// write (not to what a provider already holds, which nsync reads as it is).
pub fn zone_file_problems(config: &Config, zone: &ZoneConfig, read: &ZoneRead) -> Vec<Diagnostic> {
    let mut diags = nameserver_glue(zone, read);
    diags.extend(union_glue(config, zone, &read.zone));
    diags.extend(what_providers_cannot_store(config, zone, read));
    diags.extend(multi_signer_problems(config, zone));
    diags
}

/// A multi-signer zone needs every provider to serve the others' keys: one that cannot
/// would leave every other provider's answers bogus for resolvers that take its DNSKEY
/// set, so check names it before anything is written.
fn multi_signer_problems(config: &Config, zone: &ZoneConfig) -> Vec<Diagnostic> {
    if zone.dnssec != crate::config::DnssecMode::MultiSigner {
        return Vec::new();
    }
    zone.providers
        .iter()
        .filter_map(|p| config.providers.get(p))
        .filter_map(|p| match p.kind.capabilities.foreign_keys {
            ForeignKeys::Publishable => None,
            ForeignKeys::Not(why) => Some(
                Diagnostic::error(
                    zone.location.clone(),
                    format!(
                        "zone {} is multi-signer, but provider {} ({}) cannot serve another signer's DNSKEY: {why}",
                        zone.origin.to_text(),
                        p.name,
                        p.kind.name
                    ),
                )
                .with_hint(format!(
                    "take {} out of the zone's providers, or leave out dnssec = \"multi-signer\" (each provider then signs alone, and verify reports the keys missing between them)",
                    p.name
                )),
            ),
        })
        .collect()
}

/// Every rrset against every provider of the zone (whatever `--provider` selected: the
/// zone is served by all of them, and one that cannot hold a record would serve a
/// different zone): a type it lacks, a TTL outside its range, data its own check
/// refuses. Errors here stop check, plan and sync before any provider is written, so a
/// record is never skipped silently at one provider. The apex SOA is each provider's
/// own; ignored names are never synced.
fn what_providers_cannot_store(
    config: &Config,
    zone: &ZoneConfig,
    read: &ZoneRead,
) -> Vec<Diagnostic> {
    let providers: Vec<&ProviderConfig> = zone
        .providers
        .iter()
        .filter_map(|p| config.providers.get(p))
        .collect();
    let mut diags = Vec::new();
    for (rrset, at) in read.located() {
        if rrset.rtype == RecordType::SOA || zone.ignore.iter().any(|p| p.matches(&rrset.name)) {
            continue;
        }
        let at = at.unwrap_or_else(|| Location::file(&zone.file));
        let apex_ns = rrset.rtype == RecordType::NS && rrset.name == zone.origin;
        let record = || format!("{} {}", rrset.name.to_text(), rrset.rtype);
        for p in &providers {
            let caps = &p.kind.capabilities;
            let who = || format!("provider {} ({})", p.name, p.kind.name);
            if apex_ns {
                apex_ns_problems(&who(), p, rrset, &at, &mut diags);
                continue;
            }
            if !caps.supports(rrset.rtype) {
                diags.push(
                    Diagnostic::error(
                        at.clone(),
                        format!(
                            "{} cannot store {} records ({})",
                            who(),
                            rrset.rtype,
                            record()
                        ),
                    )
                    .with_hint(
                        "remove the record, or take this provider off the zone in nsync.toml",
                    ),
                );
                continue;
            }
            if !(caps.min_ttl..=caps.max_ttl).contains(&rrset.ttl) {
                let (bound, fix) = if rrset.ttl < caps.min_ttl {
                    ("minimum", format!("use a TTL of {} or more", caps.min_ttl))
                } else {
                    ("maximum", format!("use a TTL of {} or less", caps.max_ttl))
                };
                diags.push(
                    Diagnostic::error(
                        at.clone(),
                        format!(
                            "{}: TTL {} is outside what {} stores ({}..{}); it would serve another TTL than the other providers",
                            record(), rrset.ttl, who(), caps.min_ttl, caps.max_ttl
                        ),
                    )
                    .with_hint(format!("{fix} (the {bound} there), so every provider serves the same TTL")),
                );
            }
            if let Some(problem) = (p.kind.check_rrset)(rrset) {
                let message = format!("{}: {}: {}", who(), record(), problem.message);
                let d = if problem.refused {
                    Diagnostic::error(at.clone(), message)
                } else {
                    Diagnostic::warning(at.clone(), message)
                };
                diags.push(d.with_hint(problem.hint));
            }
        }
    }
    diags
}

/// An apex NS rrset in the zone file, at one provider: left alone where the provider
/// owns it (said once, here); where nsync may only add to it, the provider's own
/// nameservers (as nsync.toml names them) must be in it, or that provider would serve
/// an apex NS the others do not.
fn apex_ns_problems(
    who: &str,
    p: &ProviderConfig,
    rrset: &Rrset,
    at: &Location,
    diags: &mut Vec<Diagnostic>,
) {
    match p.kind.capabilities.apex_ns {
        ApexNs::Managed => {}
        ApexNs::ProviderOwned => diags.push(
            Diagnostic::warning(
                at.clone(),
                format!("{who} serves its own apex NS; nsync will not write these there (`nsync audit` checks the delegation instead)"),
            )
            .with_hint("list every provider's nameservers here, or leave apex NS out and let nsync write the union"),
        ),
        ApexNs::AddOnly => {
            let listed: Vec<Name> = rrset.rdata().iter().filter_map(ns_target).collect();
            let missing: Vec<String> = p
                .nameservers
                .iter()
                .filter(|ns| !listed.contains(&ns.name))
                .map(|ns| ns.name.to_text())
                .collect();
            if !missing.is_empty() {
                diags.push(
                    Diagnostic::error(
                        at.clone(),
                        format!(
                            "{who} keeps its own nameservers in the apex NS and nsync cannot remove them, but this apex NS lacks {}",
                            missing.join(", ")
                        ),
                    )
                    .with_hint("add them to the apex NS here, or leave apex NS out and let nsync write the union"),
                );
            }
        }
    }
}

fn has_address(zone: &Zone, name: &Name) -> bool {
    zone.get(name, RecordType::A).is_some() || zone.get(name, RecordType::AAAA).is_some()
}

fn ns_target(rdata: &Rdata) -> Option<Name> {
    match rdata.to_hickory(RecordType::NS) {
        RData::NS(ns) => Some(ns.0),
        _ => None,
    }
}

/// A nameserver named inside the zone (`ns1.example.com.` in example.com.'s apex NS, or
/// `ns.sub.example.com.` for a delegated `sub`) is reachable only through address records
/// the zone itself holds: glue, or the in-zone host. Without them the delegation is lame,
/// and BIND refuses the whole UPDATE ("name server sanity check failed") while Knot and
/// PowerDNS accept it, so the providers would end up different.
fn nameserver_glue(zone: &ZoneConfig, read: &ZoneRead) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (rrset, at) in read.located() {
        if rrset.rtype != RecordType::NS {
            continue;
        }
        for target in rrset.rdata().iter().filter_map(ns_target) {
            if !zone.origin.zone_of(&target) || has_address(&read.zone, &target) {
                continue;
            }
            diags.push(
                Diagnostic::error(
                    at.clone().unwrap_or_else(|| Location::file(&zone.file)),
                    format!(
                        "{} NS names {}, inside this zone, which has no A or AAAA here (missing glue)",
                        rrset.name.to_text(),
                        target.to_text()
                    ),
                )
                .with_hint("add the nameserver's A and/or AAAA records to the zone file, or name a nameserver outside the zone"),
            );
        }
    }
    diags
}

/// Without apex NS in the zone file, sync writes the union of the providers' configured
/// nameservers. A name in that union inside the zone needs its address records in the
/// zone file, as an NS record written there would (BIND refuses the UPDATE otherwise,
/// and resolvers could not reach it). Every provider of the zone counts, whatever
/// `--provider` selected: the union is the zone's.
fn union_glue(config: &Config, zone: &ZoneConfig, desired: &Zone) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if desired.get(&zone.origin, RecordType::NS).is_some() {
        return diags;
    }
    let mut seen = Vec::new();
    for pc in zone
        .providers
        .iter()
        .filter_map(|p| config.providers.get(p))
    {
        if !pc.kind.capabilities.apex_ns.writable() {
            continue;
        }
        for ns in &pc.nameservers {
            if !zone.origin.zone_of(&ns.name)
                || has_address(desired, &ns.name)
                || seen.contains(&ns.name)
            {
                continue;
            }
            seen.push(ns.name.clone());
            diags.push(
                Diagnostic::error(
                    pc.location.clone(),
                    format!(
                        "provider {}'s nameserver {} is inside zone {}, whose file ({}) has no A or AAAA for it (missing glue); sync would write it into the apex NS",
                        pc.name,
                        ns.name.to_text(),
                        zone.origin.to_text(),
                        zone.file.display()
                    ),
                )
                .with_hint("add the nameserver's A and/or AAAA records to the zone file"),
            );
        }
    }
    diags
}
