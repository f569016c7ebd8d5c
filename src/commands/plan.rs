//! `nsync plan`: reads every provider and prints the changes sync would make.
//! Exit 0 in sync, 1 changes pending, 2 a provider could not be read.

use crate::cli::Global;
use crate::report::plan::{diff_text, plan_json, summary_table};
use crate::report::style::Style;
use crate::report::{Outcome, write_result};
use crate::retry::RetryPolicy;
use crate::targets::{load_and_read, plan_all};
use nsync_core::name::NameText;

pub fn run(global: &Global) -> anyhow::Result<Outcome> {
    let json = super::wants_json(global, "plan")?;
    let inv = super::invocation(global);
    let log = inv.log.clone();
    let rt = super::runtime()?;
    let (ws, targets) = load_and_read(&inv, &RetryPolicy::default(), &log, &rt)?;
    let plans = plan_all(&targets);
    let text = if json {
        plan_json(&targets, &plans)
    } else {
        let style = Style::result(global.color, global.output.is_some());
        format!(
            "{}\n{}",
            diff_text(&targets, &plans, style),
            summary_table(&targets, &plans, style)
        )
    };
    write_result(global.output.as_deref(), &text)?;
    // Multi-signer zones: the keys sync would publish, read from what each provider serves.
    let mut keys_pending = false;
    for desired in ws
        .zones
        .iter()
        .filter(|z| z.config.dnssec == crate::config::DnssecMode::MultiSigner)
    {
        let (_, keys) = rt.block_on(crate::dnssec::exchange::observe(&ws, &inv, desired));
        let pending: Vec<_> = crate::dnssec::exchange::plan(&keys)
            .into_iter()
            .filter(|p| inv.selection.provider(&p.provider))
            .collect();
        let lines = crate::dnssec::exchange::describe(&desired.zone.origin, &pending, &keys);
        if lines.is_empty() {
            log.info(&format!(
                "{}: every provider's DNSKEY set holds every provider's keys",
                desired.zone.origin.to_text()
            ));
        }
        for line in lines {
            log.info(&line);
            keys_pending = true;
        }
        // The CDS/CDNSKEY sets follow once every DNSKEY set is complete.
        if pending.is_empty()
            && desired.config.publish_cds
            && let Some(wanted) = crate::dnssec::exchange::cds_wanted(&desired.zone.origin, &keys)
        {
            for (p, n) in crate::dnssec::exchange::cds_missing(&keys, &wanted) {
                if inv.selection.provider(&p) {
                    log.info(&format!(
                        "{} at {p}: + {n} CDS/CDNSKEY record(s)",
                        desired.zone.origin.to_text()
                    ));
                    keys_pending = true;
                }
            }
        }
    }
    let outcome = if plans.iter().any(|p| p.is_err()) {
        Outcome::Failed
    } else if keys_pending
        || plans
            .iter()
            .any(|p| p.as_ref().is_ok_and(|p| !p.changes.changes.is_empty()))
    {
        Outcome::Findings
    } else {
        Outcome::Ok
    };
    // Zones of a million rrsets take a noticeable time to free, and the process is about
    // to end: leave that to the operating system.
    std::mem::forget((ws, targets, plans));
    Ok(outcome)
}
