//! `nsync selftest --provider P --zone Z`: before a new account is trusted, every record
//! type its kind claims is written to a scratch zone there, changed, deleted, and read
//! back after each step; the report says per type what the account stored exactly, what
//! it changed (values, TTL) and what it refused. Exit 0 only if every step round-trips.

use anyhow::bail;
use nsync_core::name::NameText;
use nsync_core::provider::{Change, ChangeSet, ErrorKind, Provider};
use nsync_core::zone::Rrset;
use nsync_core::{Name, RecordType};
use serde_json::json;

use crate::cli::{Global, SelftestArgs};
use crate::report::{Outcome, write_result};
use crate::selftest::{LABEL, Sample, is_sample_name, samples};

/// How one step came back.
enum Step {
    Exact,
    Changed(String),
    Refused(String),
}

impl Step {
    fn ok(&self) -> bool {
        matches!(self, Step::Exact)
    }

    fn text(&self) -> String {
        match self {
            Step::Exact => "stored exactly".into(),
            Step::Changed(how) => format!("changed: {how}"),
            Step::Refused(why) => format!("refused: {why}"),
        }
    }
}

struct TypeReport {
    rtype: RecordType,
    /// Refused by nsync's own knowledge of the kind, before any write.
    known: Option<String>,
    steps: Vec<(&'static str, Step)>,
}

pub fn run(global: &Global, args: &SelftestArgs) -> anyhow::Result<Outcome> {
    let json = super::wants_json(global, "selftest")?;
    let [provider] = global.providers.as_slice() else {
        bail!("nsync selftest needs one --provider: the account to test");
    };
    let [zone] = global.zones.as_slice() else {
        bail!(
            "nsync selftest needs one --zone: a scratch zone at that provider (selftest writes and deletes records in it)"
        );
    };
    let origin =
        nsync_core::name::parse_name(zone.trim_end_matches('.'), &nsync_core::Name::root())
            .map_err(|e| anyhow::anyhow!("zone {zone}: {e}"))?;
    let (config, p, kind_name) = super::one_provider(global, provider)?;
    let kind = config.providers[provider.as_str()].kind;
    let _lock = crate::lock::lock_zones(
        &config.base_dir(),
        std::slice::from_ref(&origin),
        "selftest",
        None,
    )?;
    let rt = super::runtime()?;
    let state = match rt.block_on(p.read_zone(&origin)) {
        Err(e) if e.kind == ErrorKind::ZoneMissing && args.create_missing => {
            rt.block_on(p.create_zone(&origin, &[]))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            rt.block_on(p.read_zone(&origin))
                .map_err(|e| anyhow::anyhow!("{e}"))?
        }
        Err(e) => bail!(
            "{e}\n(selftest needs the scratch zone at {provider}: create it there, or add --create-missing)"
        ),
        Ok(state) => state,
    };
    let foreign: Vec<String> = state
        .zone
        .rrsets()
        .filter(|r| {
            r.rtype != RecordType::SOA
                && !(r.rtype == RecordType::NS && r.name == origin)
                && !is_sample_name(&r.name, &origin)
        })
        .map(|r| format!("{} {}", r.name.to_text(), r.rtype))
        .chain(
            state
                .held
                .iter()
                .map(|h| format!("{} {} ({})", h.name.to_text(), h.rtype, h.feature)),
        )
        .collect();
    if !foreign.is_empty() && !args.force {
        bail!(
            "{} at {provider} holds {} rrset(s) beside its SOA and NS ({}{}): selftest writes and deletes records, so it runs only on an empty scratch zone. Name another zone, or add --force (selftest then touches only names under {LABEL}.{})",
            origin.to_text(),
            foreign.len(),
            foreign[..foreign.len().min(3)].join(", "),
            if foreign.len() > 3 { ", ..." } else { "" },
            origin.to_text()
        );
    }
    let samples = samples(&origin, p.capabilities()).map_err(|e| anyhow::anyhow!(e))?;
    let mut reports = Vec::new();
    for sample in &samples {
        let known = sample
            .first
            .iter()
            .chain(&sample.second)
            .find_map(|r| (kind.check_rrset)(r))
            .filter(|problem| problem.refused)
            .map(|problem| problem.message);
        let steps = match &known {
            Some(_) => Vec::new(),
            None => rt.block_on(trial(p.as_ref(), &origin, sample)),
        };
        reports.push(TypeReport {
            rtype: sample.rtype,
            known,
            steps,
        });
    }
    let left = rt.block_on(clean_up(p.as_ref(), &origin));
    let passed = reports.iter().all(|r| r.steps.iter().all(|(_, s)| s.ok())) && left.is_ok();
    let text = if json {
        let types: Vec<_> = reports
            .iter()
            .map(|r| {
                json!({
                    "type": r.rtype.to_string(),
                    "refused_by_nsync": r.known,
                    "steps": r.steps.iter().map(|(name, s)| json!({
                        "step": name,
                        "ok": s.ok(),
                        "result": s.text(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut out = serde_json::to_string_pretty(&json!({
            "provider": provider,
            "kind": kind_name,
            "zone": origin.to_text(),
            "round_trips": passed,
            "types": types,
            "clean_up": left.as_ref().err(),
        }))?;
        out.push('\n');
        out
    } else {
        let mut out = format!(
            "selftest of {provider} ({kind_name}) on {}: {} types\n",
            origin.to_text(),
            reports.len()
        );
        for r in &reports {
            match &r.known {
                Some(why) => out.push_str(&format!(
                    "  {:<6} not written: nsync refuses it for {kind_name} ({why})\n",
                    r.rtype.to_string()
                )),
                None => {
                    for (name, step) in &r.steps {
                        out.push_str(&format!(
                            "  {:<6} {:<7} {}\n",
                            r.rtype.to_string(),
                            name,
                            step.text()
                        ));
                    }
                }
            }
        }
        if let Err(e) = &left {
            out.push_str(&format!("clean up: {e}\n"));
        }
        out.push_str(if passed {
            "every step round-trips: nsync can keep this account in step with the others\n"
        } else {
            "some steps did not round-trip: the zone file's records of those types would not be served as written there\n"
        });
        out
    };
    write_result(None, &text)?;
    Ok(if passed {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}

/// Create, change, delete one type's sample, reading back after each step.
async fn trial(p: &dyn Provider, origin: &Name, sample: &Sample) -> Vec<(&'static str, Step)> {
    let mut steps = Vec::new();
    let creates = ChangeSet {
        changes: sample.first.iter().cloned().map(Change::Create).collect(),
    };
    let created = write_and_read(p, origin, &creates, &sample.first).await;
    let ok = created.ok();
    steps.push(("create", created));
    if !ok {
        return steps;
    }
    let updates = ChangeSet {
        changes: sample
            .first
            .iter()
            .zip(&sample.second)
            .filter(|(from, to)| from != to)
            .map(|(from, to)| Change::Update {
                from: from.clone(),
                to: to.clone(),
            })
            .collect(),
    };
    let updated = write_and_read(p, origin, &updates, &sample.second).await;
    steps.push(("update", updated));
    let deletes = ChangeSet {
        changes: sample.second.iter().cloned().map(Change::Delete).collect(),
    };
    let deleted = match p.apply(origin, &deletes).await {
        Err(e) => Step::Refused(e.to_string()),
        Ok(()) => match p.read_zone(origin).await {
            Err(e) => Step::Refused(format!("reading back: {e}")),
            Ok(state) => {
                let still: Vec<String> = sample
                    .second
                    .iter()
                    .filter(|r| state.zone.get(&r.name, r.rtype).is_some())
                    .map(|r| format!("{} {} is still there", r.name.to_text(), r.rtype))
                    .collect();
                if still.is_empty() {
                    Step::Exact
                } else {
                    Step::Changed(still.join("; "))
                }
            }
        },
    };
    steps.push(("delete", deleted));
    steps
}

async fn write_and_read(
    p: &dyn Provider,
    origin: &Name,
    changes: &ChangeSet,
    wanted: &[Rrset],
) -> Step {
    if let Err(e) = p.apply(origin, changes).await {
        return Step::Refused(e.to_string());
    }
    let state = match p.read_zone(origin).await {
        Ok(s) => s,
        Err(e) => return Step::Refused(format!("reading back: {e}")),
    };
    let mut differences = Vec::new();
    for want in wanted {
        match state.zone.get(&want.name, want.rtype) {
            None => differences.push(format!(
                "{} {} is not there after the write",
                want.name.to_text(),
                want.rtype
            )),
            Some(have) if have == want => {}
            Some(have) => {
                if have.ttl != want.ttl {
                    differences.push(format!("TTL {} came back as {}", want.ttl, have.ttl));
                }
                let (w, h) = (want.values(), have.values());
                if w != h {
                    differences.push(format!(
                        "wrote [{}], read back [{}]",
                        w.join(", "),
                        h.join(", ")
                    ));
                }
            }
        }
    }
    if differences.is_empty() {
        Step::Exact
    } else {
        Step::Changed(differences.join("; "))
    }
}

/// Deletes whatever the samples left under the test label (a step that failed part way).
async fn clean_up(p: &dyn Provider, origin: &Name) -> Result<(), String> {
    let state = p.read_zone(origin).await.map_err(|e| e.to_string())?;
    let left: Vec<Change> = state
        .zone
        .rrsets()
        .filter(|r| is_sample_name(&r.name, origin))
        .cloned()
        .map(Change::Delete)
        .collect();
    if left.is_empty() {
        return Ok(());
    }
    let n = left.len();
    p.apply(origin, &ChangeSet { changes: left })
        .await
        .map_err(|e| format!("{n} rrset(s) under {LABEL} could not be deleted: {e}"))
}
