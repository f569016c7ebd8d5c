//! `nsync import`: writes what a provider holds as a zone file, so a team adopting nsync
//! starts from what is live. The apex SOA and the provider's own apex NS are left out:
//! each provider keeps its own SOA, and nsync writes the union of every provider's
//! nameservers as the apex NS.

use anyhow::bail;
use nsync_core::RecordType;
use nsync_core::name::NameText;
use nsync_core::zonefile::write_master_file;

use crate::cli::{Format, Global};
use crate::report::{Outcome, write_result};
use crate::zonefile::toml_zone::write_toml_zone;

pub fn run(global: &Global) -> anyhow::Result<Outcome> {
    let format = match global.format {
        None | Some(Format::Toml) => Format::Toml,
        Some(Format::Zone) => Format::Zone,
        Some(other) => {
            bail!("nsync import: --format {other:?} is not available here; use toml or zone")
        }
    };
    let ([provider], [zone]) = (global.providers.as_slice(), global.zones.as_slice()) else {
        bail!(
            "nsync import needs one --provider and one --zone, e.g. nsync import --provider pdns --zone example.com."
        );
    };
    let (_, p, kind) = super::one_provider(global, provider)?;
    let fqdn = if zone.ends_with('.') {
        zone.clone()
    } else {
        format!("{zone}.")
    };
    let origin = nsync_core::name::parse_name(&fqdn, &nsync_core::Name::root())
        .map_err(|e| anyhow::anyhow!("--zone {zone}: {e}"))?;
    let state = super::runtime()?
        .block_on(p.read_zone(&origin))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut zone_data = state.zone;
    zone_data.remove(&nsync_core::zone::RrsetKey::new(
        origin.clone(),
        RecordType::NS,
    ));
    let header = [
        format!("imported from provider {provider} ({kind}) by nsync import"),
        "the apex SOA and the apex NS are left out: each provider keeps its own SOA, and nsync sync writes the".to_string(),
        "union of every provider's nameservers as the apex NS (add an apex NS rrset here to choose it yourself)".to_string(),
    ];
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let text = match format {
        Format::Zone => write_master_file(&zone_data, &header),
        _ => write_toml_zone(&zone_data, &header),
    };
    write_result(global.output.as_deref(), &text)?;
    if let Some(out) = &global.output {
        eprintln!(
            "wrote {} rrsets of {} from {provider} to {}; add it to nsync.toml as [zones.\"{}\"] file = \"{}\"",
            zone_data.len(),
            origin.to_text(),
            out.display(),
            origin.to_text(),
            out.display()
        );
    }
    Ok(Outcome::Ok)
}
