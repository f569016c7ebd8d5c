//! One module per subcommand; `run` dispatches. Commands not built yet say so and exit 2,
//! never a fake success.

pub mod check;
pub mod completions;

use crate::cli::{Cli, Command};
use crate::report::Outcome;

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let global = cli.global;
    match cli.command {
        Command::Check => check::run(&global),
        Command::Completions { shell } => completions::run(shell),
        Command::Plan => not_yet("plan"),
        Command::Sync(_) => not_yet("sync"),
        Command::Verify(_) => not_yet("verify"),
        Command::Audit => not_yet("audit"),
        Command::Import => not_yet("import"),
        Command::Restore(_) => not_yet("restore"),
        Command::Serve(_) => not_yet("serve"),
        Command::Demo => not_yet("demo"),
    }
}

fn not_yet(command: &str) -> anyhow::Result<Outcome> {
    eprintln!(
        "nsync {command}: not implemented yet in this build; `nsync check` validates your config and zone files today"
    );
    Ok(Outcome::Failed)
}
