//! `nsync completions SHELL`: completion scripts from the same clap definitions as --help.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::report::Outcome;

pub fn run(shell: clap_complete::Shell) -> anyhow::Result<Outcome> {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "nsync", &mut std::io::stdout());
    Ok(Outcome::Ok)
}
