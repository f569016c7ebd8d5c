//! A target is one zone at one provider. This module loads the config and zone files,
//! builds the providers, and reads every target's current state concurrently, retrying
//! temporary failures; plan and sync both start here.

use nsync_core::name::NameText;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use nsync_core::diag::Diagnostic;
use nsync_core::provider::{
    ApexNs, Capabilities, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState,
};
use nsync_core::zone::Zone;
use nsync_core::{Name, RecordType};

use crate::config::{Config, ZoneConfig, read_config};
use crate::invocation::Invocation;
use crate::plan::{PlanInput, managed_count, plan};
use crate::report::Log;
use crate::retry::{RetryPolicy, retry};
use crate::zonefile::read_zone_file;

/// A zone as the zone file wants it.
pub struct DesiredZone {
    pub config: ZoneConfig,
    pub zone: Zone,
    /// The zone file and every file `$INCLUDE`d into it that holds a record: what
    /// `verify --watch` watches for edits.
    pub files: Vec<PathBuf>,
}

pub struct Workspace {
    pub config: Config,
    pub zones: Vec<Arc<DesiredZone>>,
}

/// Loads nsync.toml and the zone files selected by `--zone`. Any error stops here, with
/// every diagnostic printed: nothing is written to a provider on bad input.
pub fn load(inv: &Invocation, log: &Log) -> anyhow::Result<Workspace> {
    load_with(inv, log, |_| {})
}

/// [`load`], calling `before_zones` with the config once it is known to be valid and
/// before the zone files are read: plan and sync start reading the providers there, so
/// that parsing a large zone file and reading the providers overlap.
pub fn load_with(
    inv: &Invocation,
    log: &Log,
    before_zones: impl FnOnce(&Config),
) -> anyhow::Result<Workspace> {
    let path = inv.config_path.clone();
    let (config, mut diags) = read_config(&path);
    if let Some(config) = &config
        && !diags.iter().any(Diagnostic::is_error)
    {
        before_zones(config);
    }
    let mut zones = Vec::new();
    if let Some(config) = &config {
        for z in &config.zones {
            if !inv.selection.zone(&z.origin) {
                continue;
            }
            let read = read_zone_file(
                &z.file,
                &z.origin,
                &z.read_policy_for(inv.allow_include_outside),
            );
            diags.extend(crate::zonecheck::zone_file_problems(config, z, &read));
            diags.extend(read.diagnostics);
            let mut files = vec![z.file.clone()];
            for f in &read.files {
                if !files.contains(f) {
                    files.push(f.clone());
                }
            }
            zones.push(Arc::new(DesiredZone {
                config: z.clone(),
                zone: read.zone,
                files,
            }));
        }
    }
    for d in diags.iter().filter(|d| !d.is_error()) {
        log.info(&d.to_string());
    }
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        for d in &errors {
            eprintln!("{d}");
        }
        bail!(
            "{} error(s) in the config or zone files; nothing was changed at any provider. Fix them (`nsync check` lists them), then run again",
            errors.len()
        );
    }
    let Some(config) = config else {
        bail!("cannot read {}", path.display());
    };
    for wanted in &inv.selection.zones {
        if !config.zones.iter().any(|z| {
            crate::invocation::Selection {
                zones: vec![wanted.clone()],
                providers: Vec::new(),
            }
            .zone(&z.origin)
        }) {
            bail!(
                "--zone {wanted}: no such zone in {}; run `nsync check` to list the zones",
                path.display()
            );
        }
    }
    for wanted in &inv.selection.providers {
        if !config.providers.contains_key(wanted) {
            bail!(
                "--provider {wanted}: no such provider in {}",
                path.display()
            );
        }
    }
    Ok(Workspace { config, zones })
}

/// One zone at one provider, and what was found there.
pub struct Target {
    pub desired: Arc<DesiredZone>,
    pub provider_name: String,
    pub kind: &'static str,
    pub capabilities: Capabilities,
    pub provider: Option<Arc<dyn Provider>>,
    /// Nameserver names from nsync.toml for this provider (may be empty).
    pub configured_ns: Vec<Name>,
    pub state: Result<ZoneState, ProviderError>,
    pub read_time: Duration,
    /// The zone's apex NS union, from every provider of the zone (whatever `--provider`
    /// selected); `None` when some provider's nameservers are unknown.
    pub union: Option<Vec<Name>>,
    /// The provider's `deadline_seconds`: its whole write is bounded by it too.
    pub deadline: Duration,
}

impl Target {
    pub fn origin(&self) -> &Name {
        &self.desired.zone.origin
    }
}

/// One target being read: the index of its zone among the selected zones, its provider's
/// name, the provider (or why it could not be built), and whether `--provider` selected
/// it (the others are read only for what the whole zone derives from them).
type ReadEntry = (
    usize,
    String,
    Result<Arc<dyn Provider>, ProviderError>,
    bool,
);

/// The reads of every selected target's current state, under way.
pub struct PendingReads {
    entries: Vec<ReadEntry>,
    set: tokio::task::JoinSet<(usize, Result<ZoneState, ProviderError>, Duration)>,
}

/// Builds every selected target's provider and starts reading its zone, all at once, on
/// the runtime of `handle`. Reading changes nothing, so it may start before the zone
/// files are parsed; a zone file with errors still stops everything before any write.
pub fn start_reads(
    config: &Config,
    inv: &Invocation,
    policy: &RetryPolicy,
    log: &Log,
    handle: &tokio::runtime::Handle,
) -> PendingReads {
    let mut entries = Vec::new();
    let selected_zones = config
        .zones
        .iter()
        .filter(|z| inv.selection.zone(&z.origin));
    for (zi, z) in selected_zones.enumerate() {
        for name in &z.providers {
            let chosen = inv.selection.provider(name);
            let pc = &config.providers[name];
            // `--provider` chooses where to write, never what: a provider left out still
            // counts in the apex NS union, and is read when nsync.toml does not name its
            // nameservers (reading changes nothing).
            if !chosen && !pc.nameservers.is_empty() {
                entries.push((zi, name.clone(), Err(not_read(name)), false));
                continue;
            }
            entries.push((zi, name.clone(), pc.build(), chosen));
        }
    }
    let zones: Vec<&ZoneConfig> = config
        .zones
        .iter()
        .filter(|z| inv.selection.zone(&z.origin))
        .collect();
    let mut set = tokio::task::JoinSet::new();
    for (i, (zi, _, provider, _)) in entries.iter().enumerate() {
        let Ok(provider) = provider.clone() else {
            continue;
        };
        let origin = zones[*zi].origin.clone();
        let policy = *policy;
        let log = log.clone();
        let deadline = config.providers[&entries[i].1].deadline;
        set.spawn_on(
            async move {
                let start = Instant::now();
                let read = retry(
                    &policy,
                    || provider.read_zone(&origin),
                    |e, wait| log.info(&format!("{e}; retrying in {wait:.1?}")),
                );
                let state = match tokio::time::timeout(deadline, read).await {
                    Ok(state) => state,
                    Err(_) => Err(past_deadline(provider.name(), "read zone", deadline)),
                };
                (i, state, start.elapsed())
            },
            handle,
        );
    }
    PendingReads { entries, set }
}

/// The error of a provider that did not finish within its deadline.
pub fn past_deadline(provider: &str, operation: &str, deadline: Duration) -> ProviderError {
    ProviderError::new(
        ErrorKind::Temporary,
        provider,
        operation,
        format!(
            "no result within its deadline of {} s (deadline_seconds), retries and timeouts included; nsync gave up on it so the other providers are not held back",
            deadline.as_secs()
        ),
    )
}

fn not_read(provider: &str) -> ProviderError {
    ProviderError::new(
        ErrorKind::Permanent,
        provider,
        "read zone",
        "not read: not selected by --provider",
    )
}

/// Waits for the reads [`start_reads`] began and pairs each with its desired zone. Only
/// the targets `--provider` selected are returned; each carries the apex NS union of its
/// zone worked out from every provider of the zone.
pub async fn finish_reads(reads: PendingReads, ws: &Workspace, log: &Log) -> Targets {
    let PendingReads { entries, mut set } = reads;
    let mut results: Vec<Option<(Result<ZoneState, ProviderError>, Duration)>> =
        (0..entries.len()).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, state, took)) => results[i] = Some((state, took)),
            Err(e) => log.error(&format!("a provider task failed: {e}")),
        }
    }
    let mut chosen = Vec::with_capacity(entries.len());
    let all: Vec<Target> = entries
        .into_iter()
        .zip(results)
        .map(|((zi, name, provider, selected), result)| {
            chosen.push(selected);
            let desired = ws.zones[zi].clone();
            let pc = &ws.config.providers[&name];
            let (state, read_time) = match (&provider, result) {
                (Err(e), _) => (Err(e.clone()), Duration::ZERO),
                (Ok(_), Some((state, took))) => (state, took),
                (Ok(_), None) => (
                    Err(ProviderError::new(
                        ErrorKind::Temporary,
                        &pc.name,
                        "read zone",
                        "the read did not finish",
                    )),
                    Duration::ZERO,
                ),
            };
            if let Ok(s) = &state
                && selected
            {
                log.info(&format!(
                    "provider {}: read {} ({} rrsets) in {:.0?}",
                    pc.name,
                    desired.zone.origin.to_text(),
                    s.zone.len(),
                    read_time
                ));
            }
            Target {
                desired,
                provider_name: pc.name.clone(),
                kind: pc.kind.name,
                capabilities: provider
                    .as_ref()
                    .map_or(pc.kind.capabilities.clone(), |p| p.capabilities().clone()),
                provider: provider.ok(),
                configured_ns: pc.nameservers.iter().map(|n| n.name.clone()).collect(),
                state,
                read_time,
                union: None,
                deadline: pc.deadline,
            }
        })
        .collect();
    let (mut selected, mut context) = (Vec::new(), Vec::new());
    for (t, chosen) in all.into_iter().zip(chosen) {
        if chosen {
            selected.push(t);
        } else {
            context.push(t);
        }
    }
    let mut targets = Targets { selected, context };
    targets.refresh_unions();
    targets
}

/// The targets `--provider` and `--zone` selected (what plan and sync work on, as a
/// slice), and the zone's other providers, kept only for what the zone derives from all
/// of them.
pub struct Targets {
    selected: Vec<Target>,
    context: Vec<Target>,
}

impl Targets {
    /// Works out every selected target's apex NS union again, from every provider of its
    /// zone (after `--create-missing` has created and read zones).
    pub fn refresh_unions(&mut self) {
        let unions: Vec<Option<Vec<Name>>> = self
            .selected
            .iter()
            .map(|t| union_nameservers(self.selected.iter().chain(&self.context), t.origin()))
            .collect();
        for (t, u) in self.selected.iter_mut().zip(unions) {
            t.union = u;
        }
    }
}

impl std::ops::Deref for Targets {
    type Target = [Target];
    fn deref(&self) -> &[Target] {
        &self.selected
    }
}

impl std::ops::DerefMut for Targets {
    fn deref_mut(&mut self) -> &mut [Target] {
        &mut self.selected
    }
}

/// Loads the config and zone files and reads every selected target, the reads running
/// while the zone files are parsed.
pub fn load_and_read(
    inv: &Invocation,
    policy: &RetryPolicy,
    log: &Log,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<(Workspace, Targets)> {
    load_and_read_then(inv, policy, log, rt, |_, _| Ok(()))
}

/// Every secret reference of the providers this run will call (those of the selected
/// zones that `--provider` selected) must resolve before any of them is called. An unset
/// variable or unreadable file is this run's configuration error, said with the
/// reference and the file line: never a provider's authentication failure, which would
/// send an operator to look for a revoked token.
pub fn require_secrets(config: &Config, inv: &Invocation) -> anyhow::Result<()> {
    let mut names: Vec<&String> = config
        .zones
        .iter()
        .filter(|z| inv.selection.zone(&z.origin))
        .flat_map(|z| z.providers.iter())
        .filter(|p| inv.selection.provider(p))
        .collect();
    names.sort();
    names.dedup();
    let mut problems = Vec::new();
    for name in names {
        let Some(pc) = config.providers.get(name) else {
            continue;
        };
        for why in crate::secret_pins::problems(pc) {
            problems.push(Diagnostic::error(pc.location.clone(), why).with_hint(
                "point the endpoint back where the secret may go, or change the pin in the environment that holds the secret",
            ));
        }
        for (key, reference, at) in pc.settings.secrets() {
            if let Err(why) = reference.resolve() {
                problems.push(
                    Diagnostic::error(
                        at.clone(),
                        format!(
                            "provider {name}: `{key} = \"{reference}\"` cannot be resolved: {why}"
                        ),
                    )
                    .with_hint(
                        "set it (or point the reference at a readable file), then run again",
                    ),
                );
            }
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    for d in &problems {
        eprintln!("{d}");
    }
    bail!(
        "{} secret reference(s) in {} cannot be resolved; nothing was read from or written to any provider",
        problems.len(),
        config.path.display()
    )
}

/// [`load_and_read`], calling `before_reads` with the valid config and the selected
/// zones before any provider is read: sync takes its zone locks there.
pub fn load_and_read_then(
    inv: &Invocation,
    policy: &RetryPolicy,
    log: &Log,
    rt: &tokio::runtime::Runtime,
    before_reads: impl FnOnce(&Config, &[Name]) -> anyhow::Result<()>,
) -> anyhow::Result<(Workspace, Targets)> {
    let mut reads = None;
    let mut refused = None;
    let ws = load_with(inv, log, |config| {
        let zones: Vec<Name> = config
            .zones
            .iter()
            .filter(|z| inv.selection.zone(&z.origin))
            .map(|z| z.origin.clone())
            .collect();
        match require_secrets(config, inv).and_then(|()| before_reads(config, &zones)) {
            Ok(()) => reads = Some(start_reads(config, inv, policy, log, rt.handle())),
            Err(e) => refused = Some(e),
        }
    })?;
    if let Some(e) = refused {
        return Err(e);
    }
    let reads = reads.expect("a valid config starts the reads");
    let targets = rt.block_on(finish_reads(reads, &ws, log));
    Ok((ws, targets))
}

/// The nameservers every provider of `zone` serves it on: configured ones, else what the
/// provider reports. `None` when that is unknown for any provider (it could not be read,
/// or it cannot tell, as an RFC 2136 primary cannot): then the apex NS is left alone,
/// because writing a union that misses a provider would take it out of the zone.
fn union_nameservers<'a>(
    targets: impl Iterator<Item = &'a Target>,
    zone: &Name,
) -> Option<Vec<Name>> {
    let mut union: Vec<Name> = Vec::new();
    for t in targets.filter(|t| t.origin() == zone) {
        let mut names = if !t.configured_ns.is_empty() {
            t.configured_ns.clone()
        } else {
            match &t.state {
                Ok(s) if !s.nameservers.is_empty() => s.nameservers.clone(),
                _ => return None,
            }
        };
        // Nameservers a provider keeps in its apex NS whatever nsync writes are served
        // there anyway: the union names them, so every provider serves the same set.
        if t.capabilities.apex_ns == ApexNs::AddOnly
            && let Ok(s) = &t.state
        {
            names.extend(s.nameservers.iter().cloned());
        }
        for n in names {
            if !union.contains(&n) {
                union.push(n);
            }
        }
    }
    union.sort();
    Some(union)
}

/// The plan for one target, or why there is none.
pub struct TargetPlan {
    pub changes: ChangeSet,
    /// Rrsets nsync manages at the provider now (the base of the safety percentages).
    pub managed: usize,
}

/// The zone file's rrsets that would land on what the provider holds through a feature
/// nsync cannot represent (`ZoneState::held`): the same owner and type, or a CNAME beside
/// it. Each would be written over the held one without its feature (or refused half way
/// through a batch), so plan refuses the target and sync refuses to start.
pub fn held_conflicts(target: &Target) -> Vec<String> {
    let Ok(state) = &target.state else {
        return Vec::new();
    };
    let zone = &target.desired.zone;
    state
        .held
        .iter()
        .filter(|h| !target.desired.config.ignore.iter().any(|p| p.matches(&h.name)))
        .filter_map(|h| {
            // A CNAME stands alone at its owner: it collides with any type there.
            let clash = if h.rtype == RecordType::CNAME {
                zone.rrsets().find(|r| r.name == h.name).map(|r| r.rtype)
            } else {
                [h.rtype, RecordType::CNAME]
                    .into_iter()
                    .find(|t| zone.get(&h.name, *t).is_some())
            }?;
            Some(format!(
                "{} {clash} in the zone file lands on {} {} that provider {} holds as {}, which nsync cannot write: it would be written over without it. Leave the name out of the zone file (nsync then leaves it as the provider has it) or add it to the zone's `ignore`",
                h.name.to_text(),
                h.name.to_text(),
                h.rtype,
                target.provider_name,
                h.feature
            ))
        })
        .collect()
}

pub fn plan_target(target: &Target, union: &[Name]) -> Result<TargetPlan, ProviderError> {
    let state = target.state.as_ref().map_err(Clone::clone)?;
    let conflicts = held_conflicts(target);
    if !conflicts.is_empty() {
        return Err(ProviderError::new(
            nsync_core::provider::ErrorKind::Permanent,
            &target.provider_name,
            "plan",
            conflicts.join("; "),
        ));
    }
    let input = PlanInput {
        desired: &target.desired.zone,
        current: &state.zone,
        ignore: &target.desired.config.ignore,
        capabilities: &target.capabilities,
        union_nameservers: union,
        own_nameservers: &state.nameservers,
        ttl_set_by_provider: &state.ttl_set_by_provider,
    };
    Ok(TargetPlan {
        changes: plan(&input),
        managed: managed_count(&input),
    })
}

/// Plans every target, each with its zone's apex NS union.
pub fn plan_all(targets: &[Target]) -> Vec<Result<TargetPlan, ProviderError>> {
    targets
        .iter()
        .map(|t| plan_target(t, t.union.as_deref().unwrap_or(&[])))
        .collect()
}
