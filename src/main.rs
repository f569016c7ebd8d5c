//! nsync: keep one DNS zone identical on several providers, and prove it.
//! main only parses, dispatches and maps the outcome to the exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = nsync::cli::Cli::parse();
    match nsync::commands::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
