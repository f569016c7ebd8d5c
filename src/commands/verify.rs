//! `nsync verify`: every address of every nameserver of every provider, checked against
//! the zone file. Exit 0 consistent, 1 inconsistent, 2 could not verify. `--watch`
//! repeats and logs only changes, picking up edits to nsync.toml and the zone files it
//! names; `--metrics` serves Prometheus metrics meanwhile.

use nsync_core::name::NameText;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use anyhow::bail;

use crate::backup::timestamp;
use crate::cli::{Format, Global, VerifyArgs};
use crate::invocation::Invocation;
use crate::report::progress::Progress;
use crate::report::style::Style;
use crate::report::verify::{finding_line, json, junit, table};
use crate::report::{Log, Outcome, write_result};
use crate::targets::{Workspace, load};
use crate::verify::metrics::{self, Metrics};
use crate::verify::{Options, Report, Wait, run as verify_run};

fn outcome(report: &Report) -> Outcome {
    if report.could_not_verify() {
        Outcome::Failed
    } else if report.consistent() {
        Outcome::Ok
    } else {
        Outcome::Findings
    }
}

fn options(ws: &Workspace, args: &VerifyArgs) -> Options {
    let mut o = Options::from_settings(&ws.config.verify);
    if let Some(w) = args.dnssec_window {
        o.dnssec_window = w;
    }
    o.wait = args.wait.map(|w| {
        let since = Instant::now();
        Wait {
            since,
            until: since + w,
        }
    });
    o
}

pub fn run(global: &Global, args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let format = global.format.unwrap_or(Format::Table);
    if !matches!(format, Format::Table | Format::Json | Format::Junit) {
        bail!("nsync verify: --format {format:?} is not available here; use table, json or junit");
    }
    if args.metrics.is_some() && args.watch.is_none() {
        bail!("--metrics serves metrics while watching: add --watch SECONDS");
    }
    let inv = super::invocation(global);
    let log = inv.log.clone();
    let ws = load(&inv, &log)?;
    let rt = super::runtime()?;
    match args.watch {
        None => {
            let task = Progress::new(&inv.log, inv.quiet).start("verify");
            task.message("asking every address of every nameserver");
            let report = rt.block_on(verify_run(&ws, &inv, options(&ws, args)));
            let addresses: usize = report.zones.iter().map(|z| z.addresses.len()).sum();
            log_discarded(&report, &log);
            task.done(&format!(
                "{addresses} address(es) checked in {:.0?}",
                report.took
            ));
            let text = match format {
                Format::Json => json(&report),
                Format::Junit => junit(&report),
                _ => table(
                    &report,
                    Style::result(global.color, global.output.is_some()),
                ),
            };
            write_result(global.output.as_deref(), &text)?;
            Ok(outcome(&report))
        }
        Some(seconds) => rt.block_on(watch(
            ws,
            &inv,
            args,
            Duration::from_secs(seconds.max(1)),
            &log,
        )),
    }
}

/// Runs verify every `every`, logging findings as they appear and clear, until Ctrl-C.
async fn watch(
    mut ws: Workspace,
    inv: &Invocation,
    args: &VerifyArgs,
    every: Duration,
    log: &Log,
) -> anyhow::Result<Outcome> {
    let metrics = Arc::new(Mutex::new(Metrics::default()));
    let server = match &args.metrics {
        Some(addr) => {
            let listener = metrics::bind(addr).await?;
            log.info(&format!(
                "serving Prometheus metrics on http://{}/metrics",
                listener.local_addr()?
            ));
            Some(tokio::spawn(metrics::serve(listener, metrics.clone())))
        }
        None => None,
    };
    let mut hold = crate::verify::hold::Hold::new(args.hold);
    let mut last = Outcome::Ok;
    let mut first = true;
    let mut files = watched_files(inv, &ws);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let report = tokio::select! {
            r = verify_run(&ws, inv, options(&ws, args)) => r,
            _ = &mut ctrl_c => break,
        };
        if let Ok(mut m) = metrics.lock() {
            m.record(&report);
        }
        let now: BTreeSet<String> = report
            .zones
            .iter()
            .flat_map(|z| z.all_findings())
            .map(|f| f.identity())
            .collect();
        let stamp = timestamp(report.finished);
        let (raised, cleared) = hold.round(&now);
        for z in &report.zones {
            for f in z.all_findings() {
                if raised.contains(&f.identity()) {
                    eprintln!("{stamp} FINDING {}", finding_line(f));
                }
            }
        }
        for gone in cleared {
            eprintln!("{stamp} CLEARED {gone}");
        }
        if first {
            let total: usize = report.zones.iter().map(|z| z.addresses.len()).sum();
            log.info(&format!(
                "{stamp} first run: {total} address(es), {} finding(s); watching every {}s",
                now.len(),
                every.as_secs()
            ));
            first = false;
        }
        last = outcome(&report);
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = &mut ctrl_c => break,
        }
        // A long-running watcher follows the files it checks against, as a team edits
        // them; a broken edit is reported once and the last good version stays in use.
        let now_files = watched_files(inv, &ws);
        if now_files != files {
            files = now_files;
            let stamp = timestamp(SystemTime::now());
            match load(inv, log) {
                Ok(new) => {
                    log.info(&format!(
                        "{stamp} reloaded the configuration: {} zone(s)",
                        new.zones.len()
                    ));
                    // An edited zone starts the propagation clock of each of its providers.
                    for z in &new.zones {
                        let before = ws.zones.iter().find(|o| o.zone.origin == z.zone.origin);
                        if before.is_some_and(|o| o.zone == z.zone) {
                            continue;
                        }
                        let edited = z
                            .files
                            .iter()
                            .filter_map(|f| std::fs::metadata(f).ok()?.modified().ok())
                            .max()
                            .unwrap_or_else(SystemTime::now);
                        if let Ok(mut m) = metrics.lock() {
                            m.zone_changed(&z.zone.origin.to_text(), &z.config.providers, edited);
                        }
                    }
                    ws = new;
                    files = watched_files(inv, &ws);
                }
                Err(e) => eprintln!(
                    "{stamp} RELOAD FAILED {e:#}; still checking against the previous version"
                ),
            }
        }
    }
    if let Some(s) = server {
        s.abort();
    }
    log.info("verify --watch stopped");
    Ok(last)
}

/// What `--watch` reloads on: nsync.toml and the files of the zones it checks
/// (`$INCLUDE`s that hold records too), by modification time and size.
fn watched_files(inv: &Invocation, ws: &Workspace) -> Vec<(PathBuf, Option<(SystemTime, u64)>)> {
    std::iter::once(inv.config_path.clone())
        .chain(ws.zones.iter().flat_map(|z| z.files.iter().cloned()))
        .map(|path| {
            let seen = std::fs::metadata(&path)
                .ok()
                .and_then(|m| Some((m.modified().ok()?, m.len())));
            (path, seen)
        })
        .collect()
}

/// `-v`: which addresses sent packets that were not the answer. They were dropped and the
/// real answers waited for, so they change no result, but they say something is wrong
/// on the path (a spoofer, a broken middlebox, a server sending garbage).
fn log_discarded(report: &Report, log: &Log) {
    for z in &report.zones {
        for a in z.addresses.iter().filter(|a| a.result.discarded > 0) {
            log.detail(&format!(
                "verify: {} ({} {}) sent {} packet(s) that were not the answer (did not parse, answered another question, or came late); dropped",
                a.address, a.provider, a.nameserver, a.result.discarded
            ));
        }
    }
}
