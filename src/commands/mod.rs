//! One module per subcommand; `run` dispatches.

pub mod audit;
pub mod check;
pub mod completions;
pub mod demo;
pub mod dnssec;
pub mod import;
pub mod plan;
pub mod restore;
pub mod selftest;
pub mod serve;
pub mod sync;
pub mod verify;

use std::sync::Arc;

use anyhow::Context;
use nsync_core::provider::Provider;

use crate::cli::{Cli, Command, DnssecAction, Format, Global};
use crate::config::{Config, config_path, read_config};
use crate::report::Outcome;

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let global = cli.global;
    match cli.command {
        Command::Check => check::run(&global),
        Command::Completions { shell } => completions::run(shell),
        Command::Plan => plan::run(&global),
        Command::Sync(args) => sync::run(&global, &args),
        Command::Verify(args) => verify::run(&global, &args),
        Command::Audit => audit::run(&global),
        Command::Dnssec {
            action: DnssecAction::Status,
        } => dnssec::run(&global),
        Command::Import => import::run(&global),
        Command::Restore(args) => restore::run(&global, &args),
        Command::Selftest(args) => selftest::run(&global, &args),
        Command::Man => man(),
        Command::Serve(args) => serve::run(&global, &args),
        Command::Demo => demo::run(&global),
    }
}

/// The runtime for commands that talk to providers: they read and write concurrently.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("starting the async runtime: {e}"))
}

/// `--format` for commands that print a table or JSON: true for JSON; any other format
/// is refused by name rather than ignored.
pub fn wants_json(global: &Global, command: &str) -> anyhow::Result<bool> {
    match global.format {
        None | Some(Format::Table) => Ok(false),
        Some(Format::Json) => Ok(true),
        Some(other) => anyhow::bail!(
            "nsync {command}: --format {other:?} is not available here; use table or json"
        ),
    }
}

/// The run as the code below commands/ sees it, resolved once from the flags.
pub fn invocation(global: &Global) -> crate::invocation::Invocation {
    if global.verbose > 0 && !global.quiet {
        // Detail lines from below the commands (the API kit's pacing) go where `-v` lines go.
        nsync_core::detail::set_sink(|line| eprintln!("{line}"));
    }
    crate::invocation::Invocation {
        config_path: config_path(global.config.as_deref()),
        selection: crate::invocation::Selection {
            zones: global.zones.clone(),
            providers: global.providers.clone(),
        },
        allow_include_outside: global.allow_include_outside,
        log: crate::report::Log::new(global.quiet, global.verbose, global.color),
        quiet: global.quiet,
    }
}

/// For the commands that work on one named provider (import, restore): the config,
/// which must be valid, and that provider built from it. The kind is returned for
/// messages that name where data came from.
pub fn one_provider(
    global: &Global,
    provider: &str,
) -> anyhow::Result<(Config, Arc<dyn Provider>, &'static str)> {
    let path = config_path(global.config.as_deref());
    let (config, diags) = read_config(&path);
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        anyhow::bail!("{d}\n(run `nsync check` for every problem)");
    }
    let config = config.context("reading the config")?;
    let pc = config.providers.get(provider).with_context(|| {
        format!(
            "--provider {provider}: no such provider in {}",
            path.display()
        )
    })?;
    if let Some(why) = crate::secret_pins::problems(pc).into_iter().next() {
        anyhow::bail!("{}: {why}", pc.location);
    }
    for (key, reference, at) in pc.settings.secrets() {
        if let Err(why) = reference.resolve() {
            anyhow::bail!(
                "{at}: provider {provider}: `{key} = \"{reference}\"` cannot be resolved: {why}; set it (or point the reference at a readable file), then run again"
            );
        }
    }
    let kind = pc.kind.name;
    let built = pc.build().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((config, built, kind))
}

/// The man page, from the same clap definitions as `--help`.
fn man() -> anyhow::Result<Outcome> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_mangen::Man::new(crate::cli::Cli::command()).render(&mut out)?;
    std::io::Write::write_all(&mut std::io::stdout(), &out)?;
    Ok(Outcome::Ok)
}
