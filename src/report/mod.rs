//! Where results go and how they look: results to standard output (or `--output FILE`),
//! everything else to standard error, so `nsync ... --format json | jq` always works.

pub mod audit;
pub mod junit;
pub mod plan;
pub mod progress;
pub mod style;
pub mod verify;

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// What a command found, mapped once to the exit code at the end (PRODUCT.md):
/// 0 all good, 1 changes pending or findings, 2 could not do the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Findings,
    Failed,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Ok => 0,
            Outcome::Findings => 1,
            Outcome::Failed => 2,
        }
    }
}

/// Progress and problems, on standard error: `-q` keeps only errors.
#[derive(Clone, Debug)]
pub struct Log {
    quiet: bool,
    verbose: u8,
    style: style::Style,
}

impl Log {
    pub fn new(quiet: bool, verbose: u8, color: style::ColorChoice) -> Log {
        Log {
            quiet,
            verbose,
            style: style::Style::stderr(color),
        }
    }

    /// Detail for `-v`: how nsync found what it checks (addresses, delegations).
    pub fn detail(&self, message: &str) {
        if self.verbose > 0 && !self.quiet {
            eprintln!("{message}");
        }
    }

    pub fn info(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    pub fn warn(&self, message: &str) {
        if !self.quiet {
            eprintln!("{}: {message}", self.style.yellow("warning"));
        }
    }

    pub fn error(&self, message: &str) {
        eprintln!("{}: {message}", self.style.red("error"));
    }
}

/// Writes a command's result to `--output FILE` or to standard output.
pub fn write_result(output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("writing results to {}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .context("writing to standard output")?;
            out.flush().context("writing to standard output")
        }
    }
}
