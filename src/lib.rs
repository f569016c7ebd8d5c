//! The nsync library: everything the `nsync` binary does, importable by the integration
//! tests and benchmarks so they drive the same code paths as the command line.

pub mod audit;
pub mod backup;
pub mod cli;
pub mod commands;
pub mod config;
pub mod dnssec;
pub mod invocation;
pub mod lock;
pub mod plan;
pub mod providers;
pub mod report;
pub mod retry;
pub mod secret_pins;
pub mod selftest;
pub mod serve;
pub mod statedir;
pub mod targets;
pub mod verify;
pub mod zonecheck;
// The zone files and the spanned TOML reader live in nsync-core (one zone-file home),
// re-exported here under the paths the binary and the tests use.
pub use nsync_core::{tomlspan, zonefile};
