//! nsync provider `route53`: Amazon Route 53. Finds the zone by name (public zones only),
//! reads its rrsets page by page, and writes with ChangeResourceRecordSets in batches of
//! at most 1,000 values and 32,000 characters (an UPSERT counts twice). Route 53 owns the
//! apex SOA; alias and routing-policy rrsets are left alone.
//! Layout (as every API crate): kind.rs (KIND), client.rs (+ sigv4.rs), model.rs (the
//! API's XML), error.rs (its failures), records.rs (names, values and change batches),
//! provider.rs.

pub mod client;
pub mod error;
#[cfg(feature = "testkit")]
pub mod fixture;
pub mod kind;
pub mod model;
pub mod provider;
pub mod records;
pub mod sigv4;

pub use kind::KIND;
pub use provider::Route53;
pub use records::{batches, decimal_to_octal, octal_to_decimal, route53_name};

use nsync_core::provider::Capabilities;

pub const CAPABILITIES: Capabilities = Capabilities::FULL.with_batch(MAX_BATCH_VALUES);

/// Per ChangeResourceRecordSets request (an UPSERT's values count twice).
pub const MAX_BATCH_VALUES: usize = 1000;
pub const MAX_BATCH_CHARS: usize = 32_000;
