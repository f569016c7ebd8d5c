//! nsync provider `powerdns`: PowerDNS Authoritative through its HTTP API. Reads a zone
//! with one GET, writes a whole change set as one PATCH of rrsets, which PowerDNS applies
//! in one transaction: a sync is atomic per zone.

pub mod client;
pub mod config;
#[cfg(feature = "testkit")]
pub mod fixture;
pub mod kind;
pub mod model;

pub use kind::KIND;

use hickory_proto::rr::Name;
use nsync_core::name::NameText;
use nsync_core::name::absolute_owner;
use nsync_core::provider::{
    BoxFuture, Capabilities, Change, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState,
};
use nsync_core::rdata::{managed_type, parse_rdata_text};
use nsync_core::settings::Settings;
use nsync_core::zone::{Rrset, Zone};
use nsync_http::reqwest::Method;

pub use config::PowerDnsConfig;

pub struct PowerDns {
    name: String,
    client: client::Client,
}

fn zone_path(origin: &Name) -> String {
    // PowerDNS zone ids are the name with its trailing dot; `/` is escaped as `=2F`.
    format!("/zones/{}", origin.to_text().replace('/', "=2F"))
}

impl PowerDns {
    pub fn from_settings(name: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let config = PowerDnsConfig::from_settings(name, settings)?;
        Ok(PowerDns {
            name: name.to_string(),
            client: client::Client::new(name, config)?,
        })
    }

    async fn read(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
        let operation = format!("GET zone {}", origin.to_text());
        let body = self
            .client
            .call(Method::GET, &zone_path(origin), None, &operation)
            .await?;
        let api: model::Zone = serde_json::from_str(&body).map_err(|e| {
            self.client.error(
                ErrorKind::Permanent,
                &operation,
                format!("the answer is not the zone JSON nsync knows: {e}"),
            )
        })?;
        let mut zone = Zone::new(origin.clone());
        for set in api.rrsets {
            let Some(rtype) = managed_type(&set.rtype) else {
                continue;
            };
            // PowerDNS writes names in presentation format, escapes in decimal as BIND does.
            let name = absolute_owner(&set.name).map_err(|e| {
                self.client.error(
                    ErrorKind::Permanent,
                    &operation,
                    format!("owner {}: {e}", set.name),
                )
            })?;
            let mut rdata = Vec::new();
            for record in set.records.iter().filter(|r| !r.disabled) {
                let r = parse_rdata_text(rtype, &record.content, origin).map_err(|e| {
                    self.client.error(
                        ErrorKind::Permanent,
                        &operation,
                        format!("{} {} `{}`: {e}", set.name, set.rtype, record.content),
                    )
                })?;
                rdata.push(r);
            }
            if !rdata.is_empty() {
                zone.insert(Rrset::new(name, rtype, set.ttl.unwrap_or(0), rdata));
            }
        }
        let nameservers = zone.apex_nameservers();
        Ok(ZoneState {
            zone,
            nameservers,
            notices: Vec::new(),
        })
    }

    async fn patch(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
        let set = |r: &Rrset, changetype: &str, with_records: bool| model::RRSet {
            // Lower-case: PowerDNS's API wants names in its canonical form.
            name: r.name.to_lowercase().to_text(),
            rtype: r.rtype.to_string(),
            ttl: with_records.then_some(r.ttl),
            changetype: Some(changetype.to_string()),
            records: if with_records {
                r.values()
                    .into_iter()
                    .map(|content| model::Record {
                        content,
                        disabled: false,
                    })
                    .collect()
            } else {
                Vec::new()
            },
        };
        let rrsets = changes
            .changes
            .iter()
            .map(|c| match c {
                Change::Create(r) | Change::Update { to: r, .. } => set(r, "REPLACE", true),
                Change::Delete(r) => set(r, "DELETE", false),
            })
            .collect();
        let body = serde_json::to_string(&model::Patch { rrsets }).map_err(|e| {
            self.client
                .error(ErrorKind::Permanent, "encode PATCH", e.to_string())
        })?;
        let operation = format!(
            "PATCH zone {} ({} rrsets)",
            origin.to_text(),
            changes.changes.len()
        );
        self.client
            .call(Method::PATCH, &zone_path(origin), Some(body), &operation)
            .await
            .map(|_| ())
    }

    async fn create(&self, origin: &Name, nameservers: &[Name]) -> Result<(), ProviderError> {
        let zone = model::NewZone {
            name: origin.to_text(),
            kind: "Native".into(),
            nameservers: nameservers.iter().map(|n| n.to_text()).collect(),
            soa_edit_api: "INCREASE".into(),
        };
        let body = serde_json::to_string(&zone).map_err(|e| {
            self.client
                .error(ErrorKind::Permanent, "encode zone", e.to_string())
        })?;
        let operation = format!("POST zone {}", origin.to_text());
        self.client
            .call(Method::POST, "/zones", Some(body), &operation)
            .await
            .map(|_| ())
    }
}

impl Provider for PowerDns {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        // The kind's declaration is the one source: check and verify read it too.
        &kind::KIND.capabilities
    }

    fn read_zone<'a>(
        &'a self,
        origin: &'a Name,
    ) -> BoxFuture<'a, Result<ZoneState, ProviderError>> {
        Box::pin(self.read(origin))
    }

    fn apply<'a>(
        &'a self,
        origin: &'a Name,
        changes: &'a ChangeSet,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            if changes.changes.is_empty() {
                return Ok(());
            }
            self.patch(origin, changes).await
        })
    }

    fn create_zone<'a>(
        &'a self,
        origin: &'a Name,
        nameservers: &'a [Name],
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.create(origin, nameservers))
    }
}
