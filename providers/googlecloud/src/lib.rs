//! nsync provider `googlecloud`: Google Cloud DNS (API v1). A service-account key (a
//! `file:` secret) signs an OAuth 2 JWT (RS256) for a bearer token, cached until it
//! expires; the managed zone is found by its DNS name; rrsets are read page by page and
//! written as one atomic change (additions and deletions, the deletions exactly as read),
//! polled until Google says it is done.
//! Layout (as every API crate): kind.rs (KIND), auth.rs (the JWT and the token),
//! client.rs, error.rs (its failures), records.rs (its rrsets <-> nsync's), provider.rs.

pub mod auth;
pub mod client;
pub mod error;
#[cfg(feature = "testkit")]
pub mod fake;
#[cfg(feature = "testkit")]
pub mod fixture;
pub mod kind;
pub mod provider;
pub mod records;

pub use kind::KIND;
pub use provider::GoogleCloud;

use nsync_core::provider::Capabilities;

pub const DEFAULT_ENDPOINT: &str = "https://dns.googleapis.com/dns/v1";

/// The OAuth scope Cloud DNS writes need.
pub const SCOPE: &str = "https://www.googleapis.com/auth/ndev.clouddns.readwrite";

/// Additions (and deletions) one change may carry: the `rrsetAdditionsPerChange` and
/// `rrsetDeletionsPerChange` quotas' default (https://cloud.google.com/dns/quotas).
pub const MAX_PER_CHANGE: usize = 1000;

/// Every type nsync models (Cloud DNS takes them all, in master-file presentation); the
/// apex NS is an ordinary rrset there; rrsets, not records, per change.
pub const CAPABILITIES: Capabilities = Capabilities::FULL.with_batch(MAX_PER_CHANGE);
