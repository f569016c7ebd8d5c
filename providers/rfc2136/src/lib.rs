//! nsync provider `rfc2136`: any server that takes TSIG-signed RFC 2136 UPDATE and
//! serves TSIG-signed AXFR (BIND, Knot, PowerDNS with dnsupdate on). Reads by AXFR,
//! writes by UPDATE over TCP, never touches the apex SOA (the server manages the serial).

pub mod axfr;
pub mod config;
#[cfg(feature = "testkit")]
pub mod fixture;
pub mod kind;
pub mod server;
pub mod update;
pub mod wire;

use hickory_proto::rr::Name;
use nsync_core::name::NameText;
use nsync_core::provider::{
    BoxFuture, Capabilities, ChangeSet, Provider, ProviderError, ZoneState, async_trait,
};
use nsync_core::settings::Settings;

pub use config::Rfc2136Config;
pub use kind::KIND;

pub struct Rfc2136 {
    name: String,
    config: Rfc2136Config,
}

impl Rfc2136 {
    pub fn new(name: &str, config: Rfc2136Config) -> Self {
        Rfc2136 {
            name: name.to_string(),
            config,
        }
    }

    pub fn from_settings(name: &str, settings: &Settings) -> Result<Self, ProviderError> {
        Ok(Rfc2136::new(
            name,
            Rfc2136Config::from_settings(name, settings)?,
        ))
    }

    pub fn config(&self) -> &Rfc2136Config {
        &self.config
    }

    /// Transfers the zone from another address with this provider's key: verify uses it
    /// to see everything a secondary (or the primary) really serves. `timeout` bounds
    /// each step (connect, send, each answer message), as verify's own settings say.
    pub async fn transfer_from(
        &self,
        address: std::net::SocketAddr,
        origin: &Name,
        timeout: std::time::Duration,
    ) -> Result<axfr::Transfer, ProviderError> {
        let mut config = self.config.clone();
        config.server = address;
        config.timeout = timeout;
        let server = server::Server::new(&self.name, &config)?;
        axfr::transfer(&server, origin).await
    }
}

#[async_trait]
impl Provider for Rfc2136 {
    fn name(&self) -> &str {
        &self.name
    }

    fn own_addresses(&self) -> Vec<std::net::SocketAddr> {
        vec![self.config.server]
    }

    fn transfer_zone<'a>(
        &'a self,
        address: std::net::SocketAddr,
        origin: &'a Name,
        timeout: std::time::Duration,
    ) -> Option<BoxFuture<'a, Result<nsync_core::zone::Zone, ProviderError>>> {
        Some(Box::pin(async move {
            self.transfer_from(address, origin, timeout)
                .await
                .map(|t| t.zone)
        }))
    }

    fn capabilities(&self) -> &Capabilities {
        // The kind's declaration is the one source: check and verify read it too.
        &kind::KIND.capabilities
    }

    async fn read_zone(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
        let server = server::Server::new(&self.name, &self.config)?;
        let t = axfr::transfer(&server, origin).await?;
        // A primary cannot tell which of the zone's NS are its own: the apex NS lists
        // every provider's. nsync.toml's `nameservers` says which are.
        let mut notices = Vec::new();
        if t.outside > 0 {
            notices.push(format!(
                "the transfer from {} held {} record(s) whose owner is outside {}; they are not the zone's and were left out",
                self.config.server,
                t.outside,
                origin.to_text()
            ));
        }
        Ok(ZoneState {
            zone: t.zone,
            nameservers: Vec::new(),
            notices,
            held: Vec::new(),
            ttl_set_by_provider: Vec::new(),
        })
    }

    async fn apply(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
        let server = server::Server::new(&self.name, &self.config)?;
        update::apply(&server, origin, changes).await.map(|_| ())
    }

    async fn publish_apex_dnssec(
        &self,
        origin: &Name,
        ttl: u32,
        records: &[hickory_proto::rr::RData],
    ) -> Result<(), ProviderError> {
        let server = server::Server::new(&self.name, &self.config)?;
        update::add_apex_records(&server, origin, ttl, records).await
    }
}
