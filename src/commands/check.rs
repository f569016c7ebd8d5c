//! `nsync check`: validates nsync.toml and every zone file offline, and checks each zone
//! against what each of its providers can store, so CI rejects a pull request before any
//! provider is touched. Exit 0 valid, 2 invalid.

use nsync_core::name::NameText;
use std::path::Path;

use anyhow::bail;
use nsync_core::Name;
use nsync_core::builder::ZoneRead;
use nsync_core::diag::{Diagnostic, Location};
use serde_json::json;

use crate::cli::{Format, Global};
use crate::config::{Config, ZoneConfig, config_path, read_config};
use crate::report::style::Style;
use crate::report::{Outcome, write_result};
use crate::tomlspan::did_you_mean;
use crate::zonefile::{ZoneFormat, read_zone_file};

/// What one zone file held, for the summary.
struct ZoneSummary {
    origin: Name,
    file: String,
    format: ZoneFormat,
    rrsets: usize,
    records: usize,
    providers: Vec<String>,
    defined_at: String,
}

pub fn run(global: &Global) -> anyhow::Result<Outcome> {
    let format = if super::wants_json(global, "check")? {
        Format::Json
    } else {
        Format::Table
    };
    let path = config_path(global.config.as_deref());
    let (config, mut diags) = read_config(&path);
    let mut summaries = Vec::new();
    if let Some(config) = &config {
        let zones = selected_zones(config, &global.zones)?;
        // `--provider` must name providers; what each provider of a zone can store is
        // checked for all of them, as plan and sync refuse a zone any of them cannot hold.
        known_providers(config, &global.providers)?;
        for zone in zones {
            let mut read = read_zone_file(
                &zone.file,
                &zone.origin,
                &zone.read_policy_for(global.allow_include_outside),
            );
            check_zone(zone, &read, &mut diags);
            diags.extend(crate::zonecheck::zone_file_problems(config, zone, &read));
            summaries.push(ZoneSummary {
                origin: zone.origin.clone(),
                file: zone.file.display().to_string(),
                format: ZoneFormat::of(&zone.file),
                rrsets: read.zone.len(),
                records: read.zone.record_count(),
                providers: zone.providers.clone(),
                defined_at: zone.location.to_string(),
            });
            diags.extend(std::mem::take(&mut read.diagnostics));
            // A zone of a million rrsets takes a noticeable time to free, and the process
            // is about to end: leave it to the operating system.
            std::mem::forget(read);
        }
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let outcome = if errors > 0 {
        Outcome::Failed
    } else {
        Outcome::Ok
    };
    match format {
        Format::Json => write_result(
            global.output.as_deref(),
            &json_report(&path, config.as_ref(), &diags, &summaries),
        )?,
        _ => table_report(global, &path, &diags, &summaries)?,
    }
    Ok(outcome)
}

/// `--zone` filters; a zone that is not configured is an error, not an empty success.
fn selected_zones<'c>(
    config: &'c Config,
    wanted: &[String],
) -> anyhow::Result<Vec<&'c ZoneConfig>> {
    if wanted.is_empty() {
        return Ok(config.zones.iter().collect());
    }
    let mut out = Vec::new();
    for w in wanted {
        let fqdn = if w.ends_with('.') {
            w.to_ascii_lowercase()
        } else {
            format!("{}.", w.to_ascii_lowercase())
        };
        match config.zones.iter().find(|z| z.origin.to_text() == fqdn) {
            Some(z) => out.push(z),
            None => {
                let names: Vec<String> = config.zones.iter().map(|z| z.origin.to_text()).collect();
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                let hint = did_you_mean(&fqdn, &refs).map_or_else(
                    || format!("configured zones: {}", names.join(", ")),
                    |s| format!("did you mean {s}?"),
                );
                bail!(
                    "--zone {w}: no such zone in {}; {hint}",
                    config.path.display()
                );
            }
        }
    }
    Ok(out)
}

fn known_providers(config: &Config, wanted: &[String]) -> anyhow::Result<()> {
    for w in wanted {
        if !config.providers.contains_key(w) {
            let names: Vec<&str> = config.providers.keys().map(String::as_str).collect();
            let hint = did_you_mean(w, &names).map_or_else(
                || format!("configured providers: {}", names.join(", ")),
                |s| format!("did you mean {s}?"),
            );
            bail!(
                "--provider {w}: no such provider in {}; {hint}",
                config.path.display()
            );
        }
    }
    Ok(())
}

/// Checks the zone against its own ignore list (what its providers can store is checked
/// by zonecheck, for plan and sync too).
fn check_zone(zone: &ZoneConfig, read: &ZoneRead, diags: &mut Vec<Diagnostic>) {
    for (rrset, at) in read.located() {
        let at = at.unwrap_or_else(|| Location::file(&zone.file));
        if let Some(pattern) = zone.ignore.iter().find(|p| p.matches(&rrset.name)) {
            diags.push(
                Diagnostic::warning(
                    at.clone(),
                    format!(
                        "{} {} is at an ignored name ({pattern:?}); nsync will never sync it",
                        rrset.name.to_text(),
                        rrset.rtype
                    ),
                )
                .with_hint("remove it from the zone file, or from `ignore` in nsync.toml"),
            );
        }
    }
}

fn diag_json(d: &Diagnostic) -> serde_json::Value {
    json!({
        "file": d.location.path.display().to_string(),
        "line": d.location.line,
        "column": d.location.column,
        "message": d.message,
        "hint": d.hint,
    })
}

/// The resolved providers, so CI logs show what nsync understood (never secrets).
fn providers_json(config: &Config) -> Vec<serde_json::Value> {
    config
        .providers
        .values()
        .map(|p| {
            let caps = &p.kind.capabilities;
            json!({
                "name": p.name,
                "kind": p.kind.name,
                "kind_summary": p.kind.summary,
                "defined_at": p.location.to_string(),
                "nameservers": p.nameservers.iter().map(|ns| json!({
                    "name": ns.name.to_text(),
                    "addresses": ns.addresses.iter().map(crate::config::show_address).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "capabilities": {
                    "record_types": caps.record_types.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                    "min_ttl": caps.min_ttl,
                    "max_ttl": caps.max_ttl,
                    "apex_ns": caps.apex_ns.as_str(),
                    "rate_limits": caps.rate_limits.iter().map(|l| json!({"requests": l.requests, "seconds": l.seconds})).collect::<Vec<_>>(),
                    "max_batch_records": caps.max_batch_records,
                },
            })
        })
        .collect()
}

fn json_report(
    path: &Path,
    config: Option<&Config>,
    diags: &[Diagnostic],
    zones: &[ZoneSummary],
) -> String {
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(diag_json)
        .collect();
    let warnings: Vec<_> = diags
        .iter()
        .filter(|d| !d.is_error())
        .map(diag_json)
        .collect();
    let zones: Vec<_> = zones
        .iter()
        .map(|z| {
            json!({
                "zone": z.origin.to_text(),
                "file": z.file,
                "format": if z.format == ZoneFormat::Toml { "toml" } else { "zone" },
                "rrsets": z.rrsets,
                "records": z.records,
                "providers": z.providers,
                "defined_at": z.defined_at,
            })
        })
        .collect();
    let mut report = json!({
        "valid": errors.is_empty(),
        "config": path.display().to_string(),
        "errors": errors,
        "warnings": warnings,
        "zones": zones,
    });
    if let Some(config) = config {
        report["providers"] = json!(providers_json(config));
        report["safety"] = json!({
            "max_delete_percent": config.safety.max_delete_percent,
            "max_update_percent": config.safety.max_update_percent,
        });
        report["resolver"] = json!({
            "root_hints": config.resolver.root_hints.iter().map(crate::config::show_address).collect::<Vec<_>>(),
            "recursive": config.resolver.recursive.iter().map(crate::config::show_address).collect::<Vec<_>>(),
        });
    }
    format!("{report:#}\n")
}

/// Diagnostics go to standard error as `file:line:col: error: ...`, the summary to
/// standard output.
fn table_report(
    global: &Global,
    path: &Path,
    diags: &[Diagnostic],
    zones: &[ZoneSummary],
) -> anyhow::Result<()> {
    let err_style = Style::stderr(global.color);
    for d in diags {
        if global.quiet && !d.is_error() {
            continue;
        }
        let level = if d.is_error() {
            err_style.red("error")
        } else {
            err_style.yellow("warning")
        };
        eprintln!("{}: {level}: {}", d.location, d.message);
        if let Some(hint) = &d.hint {
            eprintln!("  hint: {hint}");
        }
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let out_style = Style::stdout(global.color);
    let mut text = String::new();
    for z in zones {
        text.push_str(&format!(
            "{}  {} rrsets, {} records from {} -> {}\n",
            z.origin.to_text(),
            z.rrsets,
            z.records,
            z.file,
            z.providers.join(", ")
        ));
    }
    let verdict = if errors == 0 {
        out_style.green(&format!("{}: valid", path.display()))
    } else {
        out_style.red(&format!("{}: invalid", path.display()))
    };
    text.push_str(&format!(
        "{verdict} ({errors} errors, {warnings} warnings)\n"
    ));
    write_result(global.output.as_deref(), &text)
}
