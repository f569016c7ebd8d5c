//! `nsync restore`: puts a backup written by `sync` back on the provider it came from,
//! exactly as it was (apex NS included), through the same plan and apply as sync.

use nsync_core::name::NameText;
use std::io::{BufRead, IsTerminal, Write};

use anyhow::bail;
use nsync_core::zonefile::read_master_file;

use crate::cli::{Global, RestoreArgs};
use crate::plan::{Counts, PlanInput, describe, plan};
use crate::report::{Outcome, write_result};

pub fn run(global: &Global, args: &RestoreArgs) -> anyhow::Result<Outcome> {
    let [provider] = global.providers.as_slice() else {
        bail!("nsync restore needs one --provider: the provider the backup was taken from");
    };
    // .nsync/backups/ZONE/PROVIDER/TIMESTAMP.zone names its zone.
    let zone_dir = args
        .backup
        .parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());
    let zone = match (global.zones.as_slice(), zone_dir) {
        ([z], _) => z.clone(),
        ([], Some(z)) if z.ends_with('.') => z.to_string(),
        _ => bail!(
            "cannot tell the zone of {}; give --zone ZONE",
            args.backup.display()
        ),
    };
    let origin =
        nsync_core::name::parse_name(zone.trim_end_matches('.'), &nsync_core::Name::root())
            .map_err(|e| anyhow::anyhow!("zone {zone}: {e}"))?;
    let backup = read_master_file(
        &args.backup,
        &origin,
        &nsync_core::zonefile::ReadPolicy::beside(&args.backup),
    );
    if let Some(d) = backup.diagnostics.iter().find(|d| d.is_error()) {
        bail!("{d}");
    }
    let (config, p, _) = super::one_provider(global, provider)?;
    let rt = super::runtime()?;
    let state = rt
        .block_on(p.read_zone(&origin))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let ignore = config
        .zones
        .iter()
        .find(|z| z.origin == origin)
        .map(|z| z.ignore.clone())
        .unwrap_or_default();
    let input = PlanInput {
        desired: &backup.zone,
        current: &state.zone,
        ignore: &ignore,
        capabilities: p.capabilities(),
        union_nameservers: &[],
    };
    let changes = plan(&input);
    let mut text = String::new();
    for c in &changes.changes {
        let (sign, line) = describe(c);
        text.push_str(&format!("  {sign} {line}\n"));
    }
    let counts = Counts::of(&changes);
    if counts.total() == 0 {
        write_result(
            global.output.as_deref(),
            &format!(
                "{} at {provider} already matches {}\n",
                origin.to_text(),
                args.backup.display()
            ),
        )?;
        return Ok(Outcome::Ok);
    }
    print!("{text}");
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!("refusing to write without --yes: standard input is not a terminal");
        }
        eprint!("Restore {} change(s) to {provider}? [y/N] ", counts.total());
        std::io::stderr().flush().ok();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "yes" | "Y") {
            bail!("not confirmed; nothing was written");
        }
    }
    rt.block_on(p.apply(&origin, &changes))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    write_result(
        global.output.as_deref(),
        &format!(
            "restored {} at {provider} from {}: {} created, {} updated, {} deleted\n",
            origin.to_text(),
            args.backup.display(),
            counts.creates,
            counts.updates,
            counts.deletes
        ),
    )?;
    Ok(Outcome::Ok)
}
