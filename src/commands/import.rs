//! `nsync import`: writes what a provider holds as a zone file, so a team adopting nsync
//! starts from what is live. The apex SOA and the provider's own apex NS are left out:
//! each provider keeps its own SOA, and nsync writes the union of every provider's
//! nameservers as the apex NS.

use anyhow::{Context, bail};
use nsync_core::RecordType;
use nsync_core::masterfile::write_master_file;

use crate::cli::{Format, Global};
use crate::config::{config_path, read_config};
use crate::providers;
use crate::report::{Outcome, write_result};
use crate::zonefile::toml_format::write_toml_zone;

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
    let path = config_path(global.config.as_deref());
    let (config, diags) = read_config(&path);
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        bail!("{d}\n(run `nsync check` for every problem)");
    }
    let config = config.context("reading the config")?;
    let pc = config.providers.get(provider).with_context(|| {
        format!(
            "--provider {provider}: no such provider in {}",
            path.display()
        )
    })?;
    let fqdn = if zone.ends_with('.') {
        zone.clone()
    } else {
        format!("{zone}.")
    };
    let origin = nsync_core::name::parse_name(&fqdn, &nsync_core::Name::root())
        .map_err(|e| anyhow::anyhow!("--zone {zone}: {e}"))?;
    let p = providers::build(pc).map_err(|e| anyhow::anyhow!("{e}"))?;
    let state = super::runtime()?
        .block_on(p.read_zone(&origin))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut zone_data = state.zone;
    zone_data.remove(&nsync_core::zone::RrsetKey::new(
        origin.clone(),
        RecordType::NS,
    ));
    let header = [
        format!("imported from provider {provider} ({}) by nsync import", pc.kind.kind),
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
            origin.to_ascii(),
            out.display(),
            origin.to_ascii(),
            out.display()
        );
    }
    Ok(Outcome::Ok)
}
