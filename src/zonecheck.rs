//! Checks of a zone file against nsync.toml: what neither file can tell alone. `check`
//! reports them, and plan and sync refuse to start on them, like any zone-file error.

use nsync_core::Name;
use nsync_core::builder::ZoneRead;
use nsync_core::diag::{Diagnostic, Location};
use nsync_core::name::NameText;
use nsync_core::rdata::Rdata;
use nsync_core::zone::Zone;
use nsync_core::{RData, RecordType};

use crate::config::{Config, ZoneConfig};

/// The zone-file checks that need nsync.toml, or that apply only to a zone nsync will
/// write (not to what a provider already holds, which nsync reads as it is).
pub fn zone_file_problems(config: &Config, zone: &ZoneConfig, read: &ZoneRead) -> Vec<Diagnostic> {
    let mut diags = nameserver_glue(zone, read);
    diags.extend(union_glue(config, zone, &read.zone));
    diags
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
        if !pc.kind.capabilities.apex_ns {
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
