//! The command line, as clap derive definitions only: every command of PRODUCT.md with a
//! one-line description and real examples. Behaviour lives in `commands/`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  nsync check                          validate nsync.toml and every zone file, offline
  nsync plan --zone example.com.       show what sync would change at each provider
  nsync sync --yes --wait 5m           apply, then wait until every nameserver serves it
  nsync verify --wait 1m               prove every nameserver answers what the zone file says";

#[derive(Parser, Debug)]
#[command(
    name = "nsync",
    version,
    about = "Keep one DNS zone identical on several providers, and prove it nameserver by nameserver",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes, before or after the command name.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// The config file [default: nsync.toml in the working directory]
    #[arg(long, global = true, env = "NSYNC_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only this zone (repeatable)
    #[arg(long = "zone", global = true, value_name = "ZONE")]
    pub zones: Vec<String>,
    /// Only this provider (repeatable)
    #[arg(long = "provider", global = true, value_name = "NAME")]
    pub providers: Vec<String>,
    /// Output format; verify and audit also take junit, import takes toml or zone
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write results to FILE instead of standard output
    #[arg(long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// More detail on standard error (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on standard error
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Let zone files $INCLUDE files outside the folder that holds nsync.toml (only when
    /// every change to the zone files is trusted)
    #[arg(long, global = true)]
    pub allow_include_outside: bool,
    /// Colors: auto uses them on a terminal unless NO_COLOR is set
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Junit,
    Toml,
    Zone,
}

pub use crate::report::style::ColorChoice;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate config and zone files offline, including what each provider can store
    #[command(
        after_help = "Examples:\n  nsync check\n  nsync check --config ci/nsync.toml --format json\n  nsync check --zone example.com."
    )]
    Check,
    /// Read every provider and print the changes sync would make
    #[command(
        after_help = "Examples:\n  nsync plan\n  nsync plan --zone example.com. --provider route53\n  nsync plan --format json > plan.json"
    )]
    Plan,
    /// Plan, run all safety checks, then apply to every provider
    #[command(
        after_help = "Examples:\n  nsync sync            (asks before writing)\n  nsync sync --yes      (in CI)\n  nsync sync --yes --create-missing --provider pdns"
    )]
    Sync(SyncArgs),
    /// Query every address of every nameserver of every provider and compare with the zone file
    #[command(
        after_help = "Examples:\n  nsync verify\n  nsync verify --format junit --output verify.xml\n  nsync verify --watch 60 --metrics 127.0.0.1:9153"
    )]
    Verify(VerifyArgs),
    /// Provider health, drift, delegation and redundancy findings
    #[command(
        after_help = "Examples:\n  nsync audit\n  nsync audit --zone example.com. --format junit --output audit.xml\n  nsync audit --format json | jq '.findings[] | select(.severity == \"critical\")'"
    )]
    Audit,
    /// DNSSEC across providers: the key matrix of each signed zone
    #[command(
        after_help = "Examples:\n  nsync dnssec status\n  nsync dnssec status --zone example.com. --format json"
    )]
    Dnssec {
        #[command(subcommand)]
        action: DnssecAction,
    },
    /// Write a provider's current zone as a zone file
    #[command(
        after_help = "Examples:\n  nsync import --provider pdns --zone example.com. --output zones/example.com.toml\n  nsync import --provider bind --zone example.com. --format zone\n  nsync import --provider r53 --zone example.com. | less"
    )]
    Import,
    /// Put a backup written by sync back on a provider
    #[command(
        after_help = "Examples:\n  nsync restore --provider pdns .nsync/backups/example.com./pdns/20261129T101500Z.zone\n  nsync restore --yes --provider bind .nsync/backups/example.com./bind/20261129T101500.123456Z.zone\n  nsync restore --provider pdns --zone example.com.   (lists the backups, newest first)"
    )]
    Restore(RestoreArgs),
    /// Write, change and delete every record type on a scratch zone of one account, and
    /// report what it stores exactly, changes or refuses
    #[command(
        after_help = "Examples:\n  nsync selftest --provider cf --zone nsync-scratch.example.com.\n  nsync selftest --provider r53 --zone scratch.example.com. --format json"
    )]
    Selftest(SelftestArgs),
    /// Run the built-in authoritative nameserver on a folder of zones
    #[command(
        after_help = "Examples:\n  nsync serve --provider home          (the folder and addresses of a builtin provider)\n  nsync serve --directory /var/lib/nsync/zones --listen 127.0.0.1:5353 --listen [::1]:5353"
    )]
    Serve(ServeArgs),
    /// Print the man page (roff), generated from these same definitions
    #[command(hide = true)]
    Man,
    /// The whole workflow on built-in local nameservers, no accounts needed
    #[command(after_help = "Examples:\n  nsync demo\n  nsync demo --color never > demo.txt")]
    Demo,
    /// Print shell completions
    #[command(
        after_help = "Examples:\n  nsync completions bash > /etc/bash_completion.d/nsync\n  nsync completions zsh > ~/.zfunc/_nsync"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum DnssecAction {
    /// Which provider signs with which key, what each DNSKEY set holds and lacks, and
    /// what the parent's DS set covers (exit 1 when a set lacks a key or the DS a provider)
    Status,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// Do not ask for confirmation
    #[arg(long)]
    pub yes: bool,
    /// Apply even when a plan exceeds the [safety] thresholds
    #[arg(long)]
    pub force: bool,
    /// Create the zone at a provider that does not have it (it may get new nameservers)
    #[arg(long)]
    pub create_missing: bool,
    /// After applying, wait up to DURATION (30s, 5m) until every nameserver serves the change
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait: Option<Duration>,
    /// When another sync holds a zone's lock, wait up to DURATION for it instead of exiting 2
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait_lock: Option<Duration>,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Repeat every SECONDS and log only changes
    #[arg(long, value_name = "SECONDS")]
    pub watch: Option<u64>,
    /// Serve Prometheus metrics on ADDR while watching
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<String>,
    /// Re-check what fails, with backoff, for up to DURATION (30s, 5m) before reporting
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait: Option<Duration>,
    /// With --watch: raise a finding only after ROUNDS runs in a row, and clear it likewise
    #[arg(long, value_name = "ROUNDS", default_value_t = 1, requires = "watch")]
    pub hold: u32,
    /// Report DNSSEC signatures that expire within DURATION (default: [verify]
    /// dnssec_expiry_days, 7 days)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub dnssec_window: Option<Duration>,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file written by sync; without it, the backups of --zone at --provider are listed
    pub backup: Option<PathBuf>,
    /// Do not ask for confirmation
    #[arg(long)]
    pub yes: bool,
    /// Restore even when it exceeds the [safety] thresholds
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct SelftestArgs {
    /// Run on a zone that holds other records too (selftest touches only names under
    /// nsync-selftest.ZONE)
    #[arg(long)]
    pub force: bool,
    /// Create the scratch zone at the provider if it does not have it
    #[arg(long)]
    pub create_missing: bool,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The folder of zone files to serve
    #[arg(long, value_name = "DIR")]
    pub directory: Option<PathBuf>,
    /// Address to listen on (repeatable)
    #[arg(long, value_name = "ADDR")]
    pub listen: Vec<String>,
    /// An address that may transfer the zones (AXFR; repeatable); without it, loopback only
    #[arg(long, value_name = "IP")]
    pub allow_transfer: Vec<std::net::IpAddr>,
}

/// `500ms`, `30s`, `5m`, `1h`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write e.g. 30s, 5m or 1h"))?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "" | "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        "d" => Duration::from_secs(n * 86_400),
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}`; use ms, s, m, h or d"
            ));
        }
    };
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_operators_write_them() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert!(parse_duration("5 minutes").is_err());
        assert!(parse_duration("m").is_err());
    }
}
