//! The provider contract: what nsync asks of every DNS provider (read a zone, apply
//! changes, say what it can store) and the kinds of failure the rest of nsync acts on.
//!
//! Providers are chosen at run time from nsync.toml (`Arc<dyn Provider>`), so the trait's
//! async methods go through `async_trait` (boxed futures).

use crate::name::NameText;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

/// Provider crates implement the trait with this attribute, from here (one version).
pub use async_trait::async_trait;
use hickory_proto::rr::{Name, RecordType};

use crate::rdata::SUPPORTED_TYPES;
use crate::zone::{MAX_TTL, Rrset, Zone};

use hickory_proto::rr::RData;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Who writes the apex NS rrset at a provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApexNs {
    /// nsync writes it: the zone file's, or the union of every provider's nameservers.
    Managed,
    /// The provider keeps its own nameservers there and nsync may add others (the
    /// union), never remove the provider's (Azure, NS1).
    AddOnly,
    /// The provider's own; nsync never writes it and audit checks the delegation
    /// instead (Cloudflare).
    ProviderOwned,
}

impl ApexNs {
    /// Whether nsync writes the apex NS there at all.
    pub fn writable(self) -> bool {
        self != ApexNs::ProviderOwned
    }

    /// A word for tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ApexNs::Managed => "managed",
            ApexNs::AddOnly => "add_only",
            ApexNs::ProviderOwned => "provider_owned",
        }
    }
}

/// A documented request budget of an API: `requests` per `seconds`. The budget the API
/// reports in its headers, where it does, is the one nsync paces by; this is what the
/// README shows and what nsync assumes before the first answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub seconds: u32,
}

/// What a provider can store, declared up front so `nsync check` and `plan` reject what
/// a provider cannot hold before anything is written anywhere.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    pub record_types: &'static [RecordType],
    /// The TTL range the provider stores as given; a zone with TTLs outside it is refused
    /// (the provider would serve another TTL than the others).
    pub min_ttl: u32,
    pub max_ttl: u32,
    /// Who writes the apex NS rrset there.
    pub apex_ns: ApexNs,
    /// The most records one write request may carry, where the API has such a limit.
    pub max_batch_records: Option<usize>,
    /// The API's documented request budgets (per minute, per hour ...).
    pub rate_limits: &'static [RateLimit],
    /// Whether nsync can publish other signers' keys in the provider's DNSKEY set, which a
    /// zone signed by several providers needs (RFC 8901 model 2).
    pub foreign_keys: ForeignKeys,
}

/// Can the provider serve another signer's DNSKEY beside its own?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForeignKeys {
    /// Yes: [`Provider::publish_apex_dnssec`] adds them.
    Publishable,
    /// No, and why (shown by `nsync check` for a multi-signer zone).
    Not(&'static str),
}

impl Capabilities {
    /// Everything the zone model holds: servers nsync talks to over DNS or files.
    pub const FULL: Capabilities = Capabilities {
        record_types: SUPPORTED_TYPES,
        min_ttl: 0,
        max_ttl: MAX_TTL,
        apex_ns: ApexNs::Managed,
        max_batch_records: None,
        rate_limits: &[],
        foreign_keys: ForeignKeys::Not(
            "nsync does not publish DNSKEY records through this provider",
        ),
    };

    /// The record types the provider stores (for a kind that lacks some).
    pub const fn with_types(mut self, types: &'static [RecordType]) -> Capabilities {
        self.record_types = types;
        self
    }

    /// The TTL range the provider stores as given.
    pub const fn with_ttl(mut self, min: u32, max: u32) -> Capabilities {
        self.min_ttl = min;
        self.max_ttl = max;
        self
    }

    /// Who writes the apex NS.
    pub const fn with_apex_ns(mut self, apex_ns: ApexNs) -> Capabilities {
        self.apex_ns = apex_ns;
        self
    }

    /// The most records one write request may carry.
    pub const fn with_batch(mut self, records: usize) -> Capabilities {
        self.max_batch_records = Some(records);
        self
    }

    /// Whether other signers' DNSKEYs can be published there.
    pub const fn with_foreign_keys(mut self, foreign_keys: ForeignKeys) -> Capabilities {
        self.foreign_keys = foreign_keys;
        self
    }

    /// The API's documented request budgets.
    pub const fn with_rate_limits(mut self, limits: &'static [RateLimit]) -> Capabilities {
        self.rate_limits = limits;
        self
    }

    pub fn supports(&self, rtype: RecordType) -> bool {
        self.record_types.contains(&rtype)
    }
}

/// What kind of failure a provider call met: this decides retry, exit code and advice.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Credentials rejected (HTTP 401/403, TSIG BADSIG/BADKEY): fix the secret.
    AuthFailed,
    /// The provider says the account is not in good standing (suspended, token disabled).
    AccountSuspended,
    /// The provider does not have the zone (deleted, or the account cancelled).
    ZoneMissing,
    /// The provider asked us to slow down, maybe saying for how long.
    RateLimited { retry_after: Option<Duration> },
    /// Worth retrying: timeouts, connection errors, 5xx.
    Temporary,
    /// Retrying will not help: the request itself was refused.
    Permanent,
    /// The provider cannot do this at all (a record type, an operation).
    Unsupported,
    /// This run's configuration is wrong (a secret reference that cannot be resolved):
    /// nothing was asked of the provider, so it says nothing about the provider's health.
    Config,
}

impl ErrorKind {
    pub fn is_retryable(&self) -> bool {
        matches!(self, ErrorKind::RateLimited { .. } | ErrorKind::Temporary)
    }

    /// A stable short word for tables and JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::AuthFailed => "auth_failed",
            ErrorKind::AccountSuspended => "account_suspended",
            ErrorKind::ZoneMissing => "zone_missing",
            ErrorKind::RateLimited { .. } => "rate_limited",
            ErrorKind::Temporary => "temporary",
            ErrorKind::Permanent => "permanent",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Config => "config_error",
        }
    }
}

/// Reads an HTTP `Retry-After` header: seconds (the form DNS APIs send) or an HTTP-date.
pub fn retry_after(value: Option<&str>) -> Option<Duration> {
    let v = value?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    // The HTTP-date form: as long as until then (nothing, if it is past).
    let at = crate::clock::parse_http_date(v)?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// A failed provider call: which provider, doing what, and the server's own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderError {
    pub kind: ErrorKind,
    pub provider: String,
    pub operation: String,
    pub message: String,
}

impl ProviderError {
    pub fn new(
        kind: ErrorKind,
        provider: &str,
        operation: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        // Messages quote what APIs and servers said: shown escaped and bounded wherever
        // the error goes (terminal, JSON, JUnit).
        use crate::outside::{MAX_QUOTED, printable};
        ProviderError {
            kind,
            provider: printable(provider, 200),
            operation: printable(&operation.into(), MAX_QUOTED),
            message: printable(&message.into(), MAX_QUOTED),
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "provider {}: {}: {}",
            self.provider, self.operation, self.message
        )
    }
}

impl std::error::Error for ProviderError {}

/// What a provider holds for one zone.
#[derive(Clone, Debug)]
pub struct ZoneState {
    /// What nsync manages there: the rrsets it can represent exactly.
    pub zone: Zone,
    /// The names this provider serves the zone on, as it reports them (may be empty).
    pub nameservers: Vec<Name>,
    /// Things nsync leaves alone but the user should know; audit reports them.
    pub notices: Vec<String>,
    /// Rrsets the provider holds that nsync cannot represent exactly: kept out of `zone`,
    /// so that no plan ever updates or deletes them.
    pub held: Vec<HeldRrset>,
    /// Rrsets whose TTL the provider sets itself whatever is written (Cloudflare keeps
    /// proxied records at "automatic"): the plan takes their TTL as read, so they are not
    /// rewritten on every run for a TTL the provider will never store.
    pub ttl_set_by_provider: Vec<crate::zone::RrsetKey>,
}

/// An rrset a provider holds through a feature of its own that nsync cannot represent
/// exactly: a Cloudflare proxied record, a Route 53 alias or routing-policy set, an Azure
/// alias, a Google routing policy. Every adapter reads these too, rather than skipping
/// them (a zone-file rrset of the same owner and type would then be written over them)
/// or reading them as plain rrsets (a plan would then rewrite them without the feature,
/// or delete them). Plan lists them; a zone-file rrset of the same owner and type is
/// refused before any write; audit reports them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldRrset {
    pub name: Name,
    pub rtype: RecordType,
    /// The feature, as the provider's users know it, with what identifies this use of it
    /// ("proxied", "alias to dualstack.lb-1.example.net.", "weighted routing, set id eu").
    pub feature: String,
}

/// One change to one rrset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Create(Rrset),
    Update { from: Rrset, to: Rrset },
    Delete(Rrset),
}

/// The ordered changes for one zone at one provider.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    pub changes: Vec<Change>,
}

impl ChangeSet {
    /// Applies the changes to a zone held in memory (providers that keep whole zones:
    /// files, the built-in server).
    pub fn apply_to(&self, zone: &mut Zone) {
        for change in &self.changes {
            match change {
                Change::Create(r) | Change::Update { to: r, .. } => {
                    zone.insert(r.clone());
                }
                Change::Delete(r) => {
                    zone.remove(&r.key());
                }
            }
        }
    }
}

/// A DNS provider nsync can sync a zone to. Its async methods are `async fn`s through
/// `async_trait` (boxed futures, so `dyn Provider` works); only what a kind does beyond
/// reading and writing needs overriding.
#[async_trait]
pub trait Provider: Send + Sync {
    /// The provider's name in nsync.toml.
    fn name(&self) -> &str;

    fn capabilities(&self) -> &Capabilities;

    /// Reads the zone as the provider holds it; the apex SOA is left out.
    async fn read_zone(&self, origin: &Name) -> Result<ZoneState, ProviderError>;

    /// Applies the changes, in order. Callers never pass an empty change set (sync,
    /// restore and the conformance suite skip it), so providers need no guard of their
    /// own.
    async fn apply(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError>;

    /// The addresses the provider's own server answers on, where its settings say (an
    /// RFC 2136 primary's `server`): verify and audit ask there when nsync.toml lists no
    /// nameservers for it. Empty for providers that report their nameservers by name.
    fn own_addresses(&self) -> Vec<SocketAddr> {
        Vec::new()
    }

    /// A zone transfer from `address` with the provider's credentials, where its servers
    /// allow one (RFC 2136 servers with the TSIG key): verify uses it to find records
    /// beyond the zone file. `None` for providers that have no such thing. `timeout`
    /// bounds each step.
    fn transfer_zone<'a>(
        &'a self,
        _address: SocketAddr,
        _origin: &'a Name,
        _timeout: Duration,
    ) -> Option<BoxFuture<'a, Result<Zone, ProviderError>>> {
        None
    }

    /// Waits until the provider says the last changes applied to `origin` are live on all
    /// its nameservers, where its API can tell (Route 53's GetChange until INSYNC); the
    /// caller bounds the wait. Most providers cannot tell, and DNS is asked anyway.
    async fn settle(&self, _origin: &Name) -> Result<(), ProviderError> {
        Ok(())
    }

    /// Whether the account is in good standing, where the provider's API can tell.
    async fn health(&self) -> Result<(), ProviderError> {
        Ok(())
    }

    /// Makes the provider serve `records` at the apex beside the DNSSEC records its own
    /// signer makes: other signers' DNSKEYs (RFC 8901 model 2: every provider publishes
    /// every provider's zone-signing keys), and the CDS and CDNSKEY sets every provider
    /// must publish alike (RFC 7344). For each type given, `records` holds the whole set
    /// wanted, so a provider may either add what is missing (removing nothing) or replace
    /// its stored copy of that type with exactly these. Only kinds that declare
    /// [`ForeignKeys::Publishable`] are asked.
    async fn publish_apex_dnssec(
        &self,
        origin: &Name,
        _ttl: u32,
        _records: &[RData],
    ) -> Result<(), ProviderError> {
        Err(ProviderError::new(
            ErrorKind::Unsupported,
            self.name(),
            format!("publish DNSKEYs in {}", origin.to_text()),
            "this provider cannot serve another signer's DNSKEY; take it out of the multi-signer zone",
        ))
    }

    /// Creates a missing zone (only with `--create-missing`). Most providers cannot.
    async fn create_zone(&self, origin: &Name, _nameservers: &[Name]) -> Result<(), ProviderError> {
        Err(ProviderError::new(
            ErrorKind::Unsupported,
            self.name(),
            format!("create zone {}", origin.to_text()),
            "this provider cannot create zones; create it with the provider's own tools",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_kinds() {
        assert!(ErrorKind::Temporary.is_retryable());
        assert!(ErrorKind::RateLimited { retry_after: None }.is_retryable());
        assert!(!ErrorKind::AuthFailed.is_retryable());
        assert!(!ErrorKind::ZoneMissing.is_retryable());
    }

    #[test]
    fn errors_name_provider_and_operation() {
        let e = ProviderError::new(
            ErrorKind::AuthFailed,
            "pdns",
            "GET zone example.test.",
            "401 Unauthorized",
        );
        assert_eq!(
            e.to_string(),
            "provider pdns: GET zone example.test.: 401 Unauthorized"
        );
    }
}
