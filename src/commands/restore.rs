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
    let Some(backup_path) = &args.backup else {
        return list_backups(global, provider);
    };
    // .nsync/backups/ZONE/PROVIDER/STAMP.zone names its zone.
    let zone_dir = backup_path
        .parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());
    let origin = match (global.zones.as_slice(), zone_dir) {
        ([z], _) => {
            nsync_core::name::parse_name(z.trim_end_matches('.'), &nsync_core::Name::root())
                .map_err(|e| anyhow::anyhow!("zone {z}: {e}"))?
        }
        ([], Some(stem)) => match nsync_core::name::from_file_stem(stem) {
            Some(origin) => origin,
            None => bail!(
                "cannot tell the zone of {}; give --zone ZONE",
                backup_path.display()
            ),
        },
        _ => bail!(
            "cannot tell the zone of {}; give --zone ZONE",
            backup_path.display()
        ),
    };
    let backup = read_master_file(
        backup_path,
        &origin,
        &nsync_core::zonefile::ReadPolicy::beside(backup_path),
    );
    if let Some(d) = backup.diagnostics.iter().find(|d| d.is_error()) {
        bail!("{d}");
    }
    let (config, p, _) = super::one_provider(global, provider)?;
    // A restore is a write like sync's: never at the same time as a sync of the zone.
    let _lock = crate::lock::lock_zones(
        &config.base_dir(),
        std::slice::from_ref(&origin),
        "restore",
        None,
    )?;
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
        own_nameservers: &state.nameservers,
        ttl_set_by_provider: &state.ttl_set_by_provider,
    };
    let changes = plan(&input);
    // A restore of an old backup can delete much of a zone: the same thresholds as sync.
    let violations = crate::commands::sync::threshold_violations(
        &config.safety,
        provider,
        &origin,
        crate::plan::managed_count(&input),
        &changes,
    );
    let log = crate::report::Log::new(global.quiet, global.verbose, global.color);
    if !violations.is_empty() && !args.force {
        for v in &violations {
            log.error(v);
        }
        bail!(
            "restoring {} exceeds the [safety] thresholds; nothing was written. Check that it is the backup you mean, or run again with --force",
            backup_path.display()
        );
    }
    for v in &violations {
        log.warn(&format!("{v} (--force given)"));
    }
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
                backup_path.display()
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
    // What is there now is backed up first, as sync does: a restore can be undone.
    let saved = crate::backup::save(
        &config.base_dir(),
        provider,
        &state.zone,
        std::time::SystemTime::now(),
    )?;
    log.info(&format!(
        "backed up {} at {provider} to {} before restoring",
        origin.to_text(),
        saved.display()
    ));
    rt.block_on(p.apply(&origin, &changes))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Read back: a write the server had already received from a run killed just before
    // (kill -9 mid-sync) can land after this restore's read, and undo part of it. The
    // server applies writes in order, so once ours is answered a second look sees it.
    let mut rounds = 0;
    loop {
        let now = rt
            .block_on(p.read_zone(&origin))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let again = plan(&PlanInput {
            current: &now.zone,
            own_nameservers: &now.nameservers,
            ttl_set_by_provider: &now.ttl_set_by_provider,
            ..input
        });
        if again.changes.is_empty() {
            break;
        }
        rounds += 1;
        if rounds > RESTORE_ROUNDS {
            bail!(
                "{} at {provider} still differs from {} in {} rrset(s) after {RESTORE_ROUNDS} more rounds: something else is writing the zone; stop it, then restore again",
                origin.to_text(),
                backup_path.display(),
                again.changes.len()
            );
        }
        log.warn(&format!(
            "{} at {provider} changed while it was restored ({} rrset(s), a write that landed late); writing the difference again",
            origin.to_text(),
            again.changes.len()
        ));
        rt.block_on(p.apply(&origin, &again))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    write_result(
        global.output.as_deref(),
        &format!(
            "restored {} at {provider} from {}: {} created, {} updated, {} deleted (what was there is in {})\n",
            origin.to_text(),
            backup_path.display(),
            counts.creates,
            counts.updates,
            counts.deletes,
            saved.display()
        ),
    )?;
    Ok(Outcome::Ok)
}

/// Read-backs after a restore before it gives up: each one that differs is written again.
const RESTORE_ROUNDS: usize = 3;

/// Without a file: the backups of the zone at the provider, newest first, one path a line,
/// so the first line is what to restore to undo the last sync.
fn list_backups(global: &Global, provider: &str) -> anyhow::Result<Outcome> {
    let [zone] = global.zones.as_slice() else {
        bail!("give the backup file to restore, or one --zone to list its backups at {provider}");
    };
    let origin =
        nsync_core::name::parse_name(zone.trim_end_matches('.'), &nsync_core::Name::root())
            .map_err(|e| anyhow::anyhow!("zone {zone}: {e}"))?;
    let (config, _, _) = super::one_provider(global, provider)?;
    let dir = crate::backup::folder(&config.base_dir(), &origin, provider);
    let found = crate::backup::list(&dir);
    if found.is_empty() {
        bail!(
            "no backups of {} from {provider} in {}",
            origin.to_text(),
            dir.display()
        );
    }
    let mut text = String::new();
    for path in found {
        text.push_str(&format!("{}\n", path.display()));
    }
    write_result(global.output.as_deref(), &text)?;
    Ok(Outcome::Ok)
}
