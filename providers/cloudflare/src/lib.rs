//! nsync provider `cloudflare`: Cloudflare DNS. Zone by name, records page by page, and
//! writes through the batch endpoint (one database transaction per batch, at most 200
//! operations on the Free plan). Each Cloudflare record has an id, so an rrset maps to
//! several records. TTL 1 means "automatic" (300 s); otherwise 60..86400. Proxied
//! records are read as they are and reported; nsync never changes `proxied`.
//! Layout (as every API crate): kind.rs (KIND), client.rs, model.rs (the API's JSON),
//! error.rs (its failures), records.rs (its records <-> nsync's), provider.rs.

pub mod client;
pub mod error;
#[cfg(feature = "testkit")]
pub mod fake;
#[cfg(feature = "testkit")]
pub mod fixture;
pub mod kind;
pub mod model;
pub mod provider;
pub mod records;

pub use kind::KIND;
pub use provider::Cloudflare;

use nsync_core::provider::{ApexNs, Capabilities, RateLimit};

pub const DEFAULT_ENDPOINT: &str = "https://api.cloudflare.com/client/v4";

/// TTL 60..86400 (30 on Enterprise); apex NS belongs to Cloudflare; 200 batch operations
/// on the Free plan.
pub const CAPABILITIES: Capabilities = Capabilities::FULL
    .with_ttl(60, 86_400)
    .with_apex_ns(ApexNs::ProviderOwned)
    .with_batch(MAX_BATCH_OPS)
    // 1,200 requests per 5 minutes per user
    // (https://developers.cloudflare.com/fundamentals/api/reference/limits/).
    .with_rate_limits(&[RateLimit {
        requests: 1200,
        seconds: 300,
    }]);

pub const MAX_BATCH_OPS: usize = 200;
/// What TTL 1 ("automatic") means.
pub const AUTO_TTL: u32 = 300;
