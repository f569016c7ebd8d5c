//! `nsync audit`: provider health, drift, nameserver and delegation findings.
//! Exit 0 when nothing is a warning or worse, 1 otherwise, 2 when audit could not run.

use anyhow::bail;

use crate::audit::{Severity, run as audit_run};
use crate::cli::{Format, Global};
use crate::report::audit::{json, junit, table};
use crate::report::style::Style;
use crate::report::{Outcome, write_result};
use crate::targets::load;
use crate::verify::client::QueryLimits;

pub fn run(global: &Global) -> anyhow::Result<Outcome> {
    let format = global.format.unwrap_or(Format::Table);
    if !matches!(format, Format::Table | Format::Json | Format::Junit) {
        bail!("nsync audit: --format {format:?} is not available here; use table, json or junit");
    }
    let inv = super::invocation(global);
    let log = inv.log.clone();
    let ws = load(&inv, &log)?;
    // Audit reads every provider: a secret it cannot resolve is this run's error, not a
    // finding about the provider's health.
    crate::targets::require_secrets(&ws.config, &inv)?;
    let limits = QueryLimits::from_settings(&ws.config.verify);
    let report = super::runtime()?.block_on(audit_run(&ws, &inv, limits));
    let text = match format {
        Format::Json => json(&report),
        Format::Junit => junit(&report),
        _ => table(
            &report,
            Style::result(global.color, global.output.is_some()),
        ),
    };
    write_result(global.output.as_deref(), &text)?;
    Ok(match report.worst() {
        Some(Severity::Critical | Severity::Warning) => Outcome::Findings,
        _ => Outcome::Ok,
    })
}
