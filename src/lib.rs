//! The nsync library: everything the `nsync` binary does, importable by the integration
//! tests and benchmarks so they drive the same code paths as the command line.

pub mod cli;
pub mod commands;
pub mod config;
pub mod kinds;
pub mod report;
pub mod tomlspan;
pub mod zonefile;
