//! nsync-core: what every part of nsync shares. The record model, zone files, diagnostics,
//! secrets and the provider contract; no network code, so every provider crate can depend on it.

pub mod builder;
pub mod clock;
pub mod detail;
pub mod diag;
pub mod failpoint;
pub mod kind;
pub mod name;
pub mod outside;
pub mod provider;
pub mod rcode;
pub mod rdata;
pub mod secret;
pub mod settings;
#[doc(hidden)]
pub mod testing;
pub mod tomlspan;
pub mod zone;
pub mod zonefile;

pub use hickory_proto::rr::{Name, RData, RecordType};
