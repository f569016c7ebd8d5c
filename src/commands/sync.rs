//! `nsync sync`: plan every target, run every safety check on every plan, and only then
//! write, to all providers at once. A provider that fails does not stop the others; the
//! summary says which failed and why, and running sync again finishes the job.

use nsync_core::name::NameText;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::bail;
use comfy_table::{Cell, Color};
use nsync_core::Name;
use nsync_core::provider::{ChangeSet, ErrorKind, Provider, ProviderError};
use serde_json::json;

use crate::backup;
use crate::cli::{Global, SyncArgs};
use crate::config::{Config, Safety};
use crate::plan::{Counts, PlanInput, plan};
use crate::report::plan::{colored, diff_text, error_json, new_table};
use crate::report::progress::Progress;
use crate::report::style::Style;
use crate::report::{Log, Outcome, write_result};
use crate::retry::RetryPolicy;
use crate::targets::{Target, TargetPlan, Targets, load_and_read_then, plan_all};

/// What happened at one target.
enum TargetResult {
    InSync,
    Applied {
        changes: usize,
        took: Duration,
        backup: String,
    },
    Failed(ProviderError),
}

pub fn run(global: &Global, args: &SyncArgs) -> anyhow::Result<Outcome> {
    let json = super::wants_json(global, "sync")?;
    let inv = super::invocation(global);
    let log = inv.log.clone();
    let policy = RetryPolicy::default();
    let rt = super::runtime()?;
    // Held until run returns: from before the first read to after the last write.
    let mut locks = None;
    let (ws, mut targets) = load_and_read_then(&inv, &policy, &log, &rt, |config, zones| {
        locks = Some(crate::lock::lock_zones(
            &config.base_dir(),
            zones,
            "sync",
            args.wait_lock,
        )?);
        Ok(())
    })?;
    if args.create_missing {
        rt.block_on(create_missing(&mut targets, &policy, &log));
    }
    let plans = plan_all(&targets);
    let style = Style::result(global.color, global.output.is_some());

    // A zone-file rrset on what a provider holds through a feature of its own: never
    // written over, and --force does not change that.
    let held: Vec<String> = targets
        .iter()
        .flat_map(crate::targets::held_conflicts)
        .collect();
    if !held.is_empty() {
        for h in &held {
            log.error(h);
        }
        bail!(
            "the zone file collides with records a provider holds through a feature nsync cannot write; nothing was written to any provider"
        );
    }
    // Every safety check on every plan before the first write.
    let violations = safety_violations(&ws.config.safety, &targets, &plans);
    if !violations.is_empty() && !args.force {
        for v in &violations {
            log.error(v);
        }
        bail!(
            "the plan exceeds the [safety] thresholds; nothing was written to any provider. Check the zone file, or run again with --force if the change is intended"
        );
    }
    for v in &violations {
        log.warn(&format!("{v} (--force given)"));
    }

    let total: usize = plans
        .iter()
        .flatten()
        .map(|p| p.changes.changes.len())
        .sum();
    if !json {
        print!("{}", diff_text(&targets, &plans, style));
        std::io::stdout().flush().ok();
    }
    if total > 0 && !args.yes {
        confirm(
            total,
            plans
                .iter()
                .flatten()
                .filter(|p| !p.changes.changes.is_empty())
                .count(),
        )?;
    }

    let progress = Progress::new(&inv.log, inv.quiet);
    let results = rt.block_on(apply_all(
        &ws.config, &targets, plans, &policy, &log, &progress,
    ));
    // Multi-signer zones: the providers' keys, once the records are in place.
    let mut keys_ok = true;
    for desired in ws
        .zones
        .iter()
        .filter(|z| z.config.dnssec == crate::config::DnssecMode::MultiSigner)
    {
        let ask = |keys: usize, providers: usize| -> Result<(), String> {
            if args.yes {
                return Ok(());
            }
            confirm(keys, providers).map_err(|e| e.to_string())
        };
        keys_ok &= rt.block_on(crate::dnssec::exchange::sync_zone(&ws, &inv, desired, &ask));
    }
    let applied = results
        .iter()
        .any(|r| matches!(r, TargetResult::Applied { .. }));
    let propagation = match args.wait {
        Some(wait) if applied => Some(rt.block_on(wait_for_propagation(
            &ws, &inv, &targets, &results, wait, &log,
        ))),
        Some(_) => None,
        None => {
            if applied {
                log.info("written; a change may take a while to reach every nameserver (secondaries, anycast): `nsync sync --wait 5m` waits for it, `nsync verify --wait 5m` checks it");
            }
            None
        }
    };
    let text = if json {
        json_report(&targets, &results, propagation.as_deref())
    } else {
        table(&targets, &results, propagation.as_deref(), style)
    };
    write_result(global.output.as_deref(), &text)?;
    let stale = propagation
        .iter()
        .flatten()
        .flatten()
        .any(|p| !p.missing.is_empty());
    if stale {
        log.error(&format!(
            "the writes are done, but some nameservers did not serve them within --wait {:?}; `nsync verify --wait 5m` keeps checking",
            args.wait.unwrap_or_default()
        ));
    }
    Ok(
        if stale || !keys_ok || results.iter().any(|r| matches!(r, TargetResult::Failed(_))) {
            Outcome::Failed
        } else {
            Outcome::Ok
        },
    )
}

/// How a written target's change reached its nameservers under `--wait`.
struct Propagated {
    /// The slowest address's time to serve it, counted from the end of the writes.
    slowest: Option<Duration>,
    /// Addresses that did not serve it in the time waited; when no address of the
    /// provider could be asked at all (names that do not resolve), a note saying so.
    missing: Vec<String>,
}

/// `--wait`: once every write is done, asks the provider where its API can tell (Route 53:
/// until INSYNC), then every address of every written provider by DNS, re-asking what
/// differs with backoff, until all serve the zone file or the time is up.
async fn wait_for_propagation(
    ws: &crate::targets::Workspace,
    inv: &crate::invocation::Invocation,
    targets: &[Target],
    results: &[TargetResult],
    wait: Duration,
    log: &Log,
) -> Vec<Option<Propagated>> {
    let since = Instant::now();
    let until = since + wait;
    let written: Vec<&Target> = targets
        .iter()
        .zip(results)
        .filter(|(_, r)| matches!(r, TargetResult::Applied { .. }))
        .map(|(t, _)| t)
        .collect();
    let settles = written.iter().filter_map(|t| {
        let provider = t.provider.clone()?;
        let origin = t.origin().clone();
        let name = t.provider_name.clone();
        Some(async move {
            match tokio::time::timeout_at(until.into(), provider.settle(&origin)).await {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(format!("{name}: {e}")),
                Err(_) => Some(format!(
                    "{name}: the provider still reports the change as pending"
                )),
            }
        })
    });
    for problem in futures_util::future::join_all(settles)
        .await
        .into_iter()
        .flatten()
    {
        log.warn(&problem);
    }
    let mut options = crate::verify::Options::from_settings(&ws.config.verify);
    options.wait = Some(crate::verify::Wait { since, until });
    options.only = Some(
        written
            .iter()
            .map(|t| (t.origin().clone(), t.provider_name.clone()))
            .collect(),
    );
    let report = crate::verify::run(ws, inv, options).await;
    targets
        .iter()
        .zip(results)
        .map(|(t, r)| {
            if !matches!(r, TargetResult::Applied { .. }) {
                return None;
            }
            let mut p = Propagated {
                slowest: None,
                missing: Vec::new(),
            };
            let mut asked = 0;
            for a in report
                .zones
                .iter()
                .filter(|z| z.zone == *t.origin())
                .flat_map(|z| &z.addresses)
                .filter(|a| a.provider == t.provider_name)
            {
                asked += 1;
                match a.agreed_after {
                    Some(d) => p.slowest = Some(p.slowest.map_or(d, |s: Duration| s.max(d))),
                    None => p.missing.push(a.address.clone()),
                }
            }
            // Nothing could be asked: the change cannot be said to have arrived.
            if asked == 0 {
                p.missing
                    .push("(no nameserver address could be asked: see `nsync verify`)".into());
            }
            Some(p)
        })
        .collect()
}

/// On a terminal, asks; anywhere else, refuses: an unattended sync must say `--yes`.
fn confirm(changes: usize, providers: usize) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "refusing to write without --yes: standard input is not a terminal (in CI, run `nsync sync --yes`)"
        );
    }
    eprint!("Apply {changes} change(s) to {providers} provider(s)? [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        bail!("not confirmed; nothing was written");
    }
    Ok(())
}

/// RFC-minded safety: a plan that deletes or updates more than the configured share of
/// the rrsets a provider holds is more likely a broken zone file than an intent.
fn safety_violations(
    safety: &Safety,
    targets: &[Target],
    plans: &[Result<TargetPlan, ProviderError>],
) -> Vec<String> {
    let mut out = Vec::new();
    for (t, p) in targets.iter().zip(plans) {
        let Ok(plan) = p else { continue };
        out.extend(threshold_violations(
            safety,
            &t.provider_name,
            t.origin(),
            plan.managed,
            &plan.changes,
        ));
    }
    out
}

/// One provider's plan against the thresholds: `managed` is how many rrsets nsync
/// manages there now. Restore is held to the same ones.
pub fn threshold_violations(
    safety: &Safety,
    provider: &str,
    origin: &Name,
    managed: usize,
    changes: &nsync_core::provider::ChangeSet,
) -> Vec<String> {
    let mut out = Vec::new();
    {
        if managed < 10 {
            return out;
        }
        let c = Counts::of(changes);
        for (what, n, limit, key) in [
            (
                "deletes",
                c.deletes,
                safety.max_delete_percent,
                "max_delete_percent",
            ),
            (
                "updates",
                c.updates,
                safety.max_update_percent,
                "max_update_percent",
            ),
        ] {
            if n * 100 > limit as usize * managed {
                out.push(format!(
                    "provider {provider}, zone {}: the plan {what} {n} of {managed} rrsets ({}%), above {key} = {limit}",
                    origin.to_text(),
                    n * 100 / managed
                ));
            }
        }
    }
    out
}

/// `--create-missing`: creates the zone where a provider says it is missing, then reads
/// it again. Without the flag a missing zone stays an error: a re-created zone at a
/// hosted provider gets new nameservers, which would break the delegation silently.
async fn create_missing(targets: &mut Targets, policy: &RetryPolicy, log: &Log) {
    let unions: Vec<Vec<Name>> = targets
        .iter()
        .map(|t| t.union.clone().unwrap_or_else(|| t.configured_ns.clone()))
        .collect();
    for (t, union) in targets.iter_mut().zip(unions) {
        let missing = matches!(&t.state, Err(e) if e.kind == ErrorKind::ZoneMissing);
        let Some(provider) = t.provider.clone() else {
            continue;
        };
        if !missing {
            continue;
        }
        let origin = t.origin().clone();
        log.info(&format!(
            "provider {}: creating missing zone {} (--create-missing)",
            t.provider_name,
            origin.to_text()
        ));
        let created =
            crate::retry::retry(policy, || provider.create_zone(&origin, &union), |_, _| {}).await;
        t.state = match created {
            Ok(()) => crate::retry::retry(policy, || provider.read_zone(&origin), |_, _| {}).await,
            Err(e) => Err(e),
        };
    }
    targets.refresh_unions();
}

async fn apply_all(
    config: &Config,
    targets: &[Target],
    plans: Vec<Result<TargetPlan, ProviderError>>,
    policy: &RetryPolicy,
    log: &Log,
    progress: &Progress,
) -> Vec<TargetResult> {
    let base = config.base_dir();
    let mut results: Vec<Option<TargetResult>> = (0..targets.len()).map(|_| None).collect();
    // Every backup is on disk before the first write anywhere: a sync that dies at any
    // moment of its writes has left a backup of every provider it may have touched.
    let mut ready = Vec::new();
    for (i, (t, p)) in targets.iter().zip(plans).enumerate() {
        let plan = match p {
            Err(e) => {
                results[i] = Some(TargetResult::Failed(e));
                continue;
            }
            Ok(p) if p.changes.changes.is_empty() => {
                results[i] = Some(TargetResult::InSync);
                continue;
            }
            Ok(p) => p,
        };
        let (Some(provider), Ok(state)) = (t.provider.clone(), &t.state) else {
            continue;
        };
        // The backup is written before the first write, or nothing is written at all.
        let backup = match backup::save(&base, &t.provider_name, &state.zone, SystemTime::now()) {
            Ok(path) => path.display().to_string(),
            Err(e) => {
                let err = ProviderError::new(
                    ErrorKind::Permanent,
                    &t.provider_name,
                    "save backup",
                    format!("{e:#}; nothing was written to this provider"),
                );
                results[i] = Some(TargetResult::Failed(err));
                continue;
            }
        };
        nsync_core::failpoint::hit("after-backup", &t.provider_name);
        ready.push((i, t, plan, provider, backup));
    }
    let mut set = tokio::task::JoinSet::new();
    for (i, t, plan, provider, backup) in ready {
        let job = ApplyJob {
            provider,
            origin: t.origin().clone(),
            desired: t.desired.clone(),
            capabilities: t.capabilities.clone(),
            union: t.union.clone().unwrap_or_default(),
        };
        let (policy, log) = (*policy, log.clone());
        let task = progress.start(&format!("{} at {}", job.origin.to_text(), t.provider_name));
        task.message(&format!(
            "applying {} change(s)",
            plan.changes.changes.len()
        ));
        let name = t.provider_name.clone();
        let deadline = t.deadline;
        set.spawn(async move {
            let start = Instant::now();
            let outcome =
                match tokio::time::timeout(deadline, job.run(plan.changes, &policy, &log)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(crate::targets::past_deadline(&name, "apply", deadline)),
                };
            nsync_core::failpoint::hit("after-apply", &name);
            let took = start.elapsed();
            match &outcome {
                Ok(n) => task.done(&format!("{n} change(s) applied in {took:.0?}")),
                Err(e) => task.failed(&format!("{}: {}", e.operation, e.message)),
            }
            (
                i,
                outcome
                    .map(|n| TargetResult::Applied {
                        changes: n,
                        took,
                        backup,
                    })
                    .unwrap_or_else(TargetResult::Failed),
            )
        });
    }
    while let Some(joined) = set.join_next().await {
        if let Ok((i, r)) = joined {
            results[i] = Some(r);
        }
    }
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                TargetResult::Failed(ProviderError::new(
                    ErrorKind::Temporary,
                    "?",
                    "apply",
                    "the write task did not finish",
                ))
            })
        })
        .collect()
}

/// Everything one write needs, owned, so it can run on its own task.
struct ApplyJob {
    provider: Arc<dyn Provider>,
    origin: Name,
    desired: Arc<crate::targets::DesiredZone>,
    capabilities: nsync_core::provider::Capabilities,
    union: Vec<Name>,
}

impl ApplyJob {
    /// Applies, and after a temporary failure reads the zone again and applies what is
    /// still missing: a batch that failed half way is finished, not repeated blindly.
    async fn run(
        &self,
        mut changes: ChangeSet,
        policy: &RetryPolicy,
        log: &Log,
    ) -> Result<usize, ProviderError> {
        let total = changes.changes.len();
        let mut attempt = 1;
        loop {
            // Providers are never handed an empty change set (their contract).
            if changes.changes.is_empty() {
                return Ok(total);
            }
            let err = match self.provider.apply(&self.origin, &changes).await {
                Ok(()) => return Ok(total),
                Err(e) => e,
            };
            let Some(wait) = policy.delay(attempt, &err) else {
                return Err(crate::retry::gave_up(err, attempt));
            };
            log.info(&format!(
                "{err}; reading the zone again and retrying in {wait:.1?}"
            ));
            tokio::time::sleep(wait).await;
            attempt += 1;
            let state = match self.provider.read_zone(&self.origin).await {
                Ok(s) => s,
                Err(e) if e.kind.is_retryable() => continue,
                Err(e) => return Err(e),
            };
            let input = PlanInput {
                desired: &self.desired.zone,
                current: &state.zone,
                ignore: &self.desired.config.ignore,
                capabilities: &self.capabilities,
                union_nameservers: &self.union,
                own_nameservers: &state.nameservers,
                ttl_set_by_provider: &state.ttl_set_by_provider,
            };
            changes = plan(&input);
            if changes.changes.is_empty() {
                return Ok(total);
            }
        }
    }
}

fn propagated_text(p: &Propagated) -> String {
    match (&p.slowest, p.missing.as_slice()) {
        (_, []) => p
            .slowest
            .map_or("-".into(), |d| format!("{:.1} s", d.as_secs_f64())),
        (_, missing) => format!("not yet at {}", missing.join(", ")),
    }
}

fn table(
    targets: &[Target],
    results: &[TargetResult],
    propagation: Option<&[Option<Propagated>]>,
    style: Style,
) -> String {
    let mut header = vec!["zone", "provider", "result", "changes", "time"];
    if propagation.is_some() {
        header.push("propagated in");
    }
    let mut t = new_table(header);
    for (i, (target, r)) in targets.iter().zip(results).enumerate() {
        let (result, changes, time) = match r {
            TargetResult::InSync => (
                colored(Cell::new("in sync"), Color::Green, style),
                String::from("0"),
                String::new(),
            ),
            TargetResult::Applied { changes, took, .. } => (
                colored(Cell::new("applied"), Color::Green, style),
                changes.to_string(),
                format!("{took:.0?}"),
            ),
            TargetResult::Failed(e) => (
                colored(
                    Cell::new(format!("FAILED: {}", e.kind.as_str())),
                    Color::Red,
                    style,
                ),
                String::from("-"),
                String::new(),
            ),
        };
        let mut row = vec![
            Cell::new(target.origin().to_text()),
            Cell::new(&target.provider_name),
            result,
            Cell::new(changes),
            Cell::new(time),
        ];
        if let Some(all) = propagation {
            row.push(match &all[i] {
                Some(p) if !p.missing.is_empty() => {
                    colored(Cell::new(propagated_text(p)), Color::Red, style)
                }
                Some(p) => Cell::new(propagated_text(p)),
                None => Cell::new(""),
            });
        }
        t.add_row(row);
    }
    let failed = results
        .iter()
        .filter(|r| matches!(r, TargetResult::Failed(_)))
        .count();
    let mut out = format!("{t}\n");
    for (target, r) in targets.iter().zip(results) {
        if let TargetResult::Failed(e) = r {
            out.push_str(&format!(
                "{} at {}: {}: {}\n",
                target.origin().to_text(),
                target.provider_name,
                e.operation,
                e.message
            ));
        }
    }
    if failed > 0 {
        let others = if failed < results.len() {
            "; the others were applied"
        } else {
            ""
        };
        out.push_str(&format!("{failed} of {} target(s) failed{others}. Fix the cause and run `nsync sync` again to finish.\n", results.len()));
    }
    out
}

fn json_report(
    targets: &[Target],
    results: &[TargetResult],
    propagation: Option<&[Option<Propagated>]>,
) -> String {
    let rows: Vec<_> = targets
        .iter()
        .zip(results)
        .enumerate()
        .map(|(i, (t, r))| {
            let mut row =
                json!({"zone": t.origin().to_text(), "provider": t.provider_name, "kind": t.kind});
            match r {
                TargetResult::InSync => row["status"] = json!("in_sync"),
                TargetResult::Applied {
                    changes,
                    took,
                    backup,
                } => {
                    row["status"] = json!("applied");
                    row["changes"] = json!(changes);
                    row["milliseconds"] = json!(took.as_millis() as u64);
                    row["backup"] = json!(backup);
                }
                TargetResult::Failed(e) => {
                    row["status"] = json!("failed");
                    row["error"] = error_json(e);
                }
            }
            if let Some(Some(p)) = propagation.map(|all| &all[i]) {
                row["propagated"] = json!(p.missing.is_empty());
                row["propagation_seconds"] = json!(
                    p.slowest
                        .filter(|_| p.missing.is_empty())
                        .map(|d| (d.as_secs_f64() * 1000.0).round() / 1000.0)
                );
                row["not_propagated"] = json!(p.missing);
            }
            row
        })
        .collect();
    let ok = !results.iter().any(|r| matches!(r, TargetResult::Failed(_)));
    format!("{:#}\n", json!({"success": ok, "targets": rows}))
}
