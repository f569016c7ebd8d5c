//! Progress on standard error: bars when it is a terminal, plain log lines when it is
//! not (CI logs), nothing with `-q`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::report::Log;

#[derive(Clone)]
pub struct Progress {
    bars: Option<MultiProgress>,
    log: Log,
}

impl Progress {
    pub fn new(log: &Log, quiet: bool) -> Progress {
        let tty = std::io::stderr().is_terminal() && !quiet;
        Progress {
            bars: tty.then(MultiProgress::new),
            log: log.clone(),
        }
    }

    /// Starts a piece of work with a spinner (or a log line).
    pub fn start(&self, label: &str) -> Task {
        let bar = self.bars.as_ref().map(|m| {
            let bar = m.add(ProgressBar::new_spinner());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix} {msg} ({elapsed})")
            {
                bar.set_style(style);
            }
            bar.set_prefix(label.to_string());
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        if bar.is_none() {
            self.log.info(label);
        }
        Task {
            bar,
            label: label.to_string(),
            log: self.log.clone(),
        }
    }
}

pub struct Task {
    bar: Option<ProgressBar>,
    label: String,
    log: Log,
}

impl Task {
    pub fn message(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(message.to_string()),
            None => self.log.info(&format!("{}: {message}", self.label)),
        }
    }

    pub fn done(self, message: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_style(
                    ProgressStyle::with_template("✓ {prefix} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.finish_with_message(message.to_string());
            }
            None => self.log.info(&format!("{}: {message}", self.label)),
        }
    }

    pub fn failed(self, message: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_style(
                    ProgressStyle::with_template("✗ {prefix} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.finish_with_message(message.to_string());
            }
            None => self.log.error(&format!("{}: {message}", self.label)),
        }
    }
}
