//! The powerdns provider: a zone read with one GET, a change set written as one PATCH.

use hickory_proto::rr::{Name, RData, RecordType};
use nsync_core::name::NameText;
use nsync_core::provider::{
    Capabilities, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState, async_trait,
};
use nsync_core::settings::Settings;
use nsync_http::reqwest::Method;

use crate::config::PowerDnsConfig;
use crate::{client, kind, model, records};

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
}

#[async_trait]
impl Provider for PowerDns {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        // The kind's declaration is the one source: check and verify read it too.
        &kind::KIND.capabilities
    }

    async fn read_zone(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
        let operation = format!("GET zone {}", origin.to_text());
        let body = self
            .client
            .call(Method::GET, &zone_path(origin), None, &operation)
            .await?;
        let api: model::Zone = serde_json::from_str(&body).map_err(|e| {
            self.client.api.error(
                ErrorKind::Permanent,
                &operation,
                format!("the answer is not the zone JSON nsync knows: {e}"),
            )
        })?;
        let zone = records::zone_from(origin, api.rrsets)
            .map_err(|e| self.client.api.error(ErrorKind::Permanent, &operation, e))?;
        let nameservers = zone.apex_nameservers();
        Ok(ZoneState {
            zone,
            nameservers,
            notices: Vec::new(),
            held: Vec::new(),
            ttl_set_by_provider: Vec::new(),
        })
    }

    async fn apply(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
        let rrsets = records::patch(changes);
        let body = serde_json::to_string(&model::Patch { rrsets }).map_err(|e| {
            self.client
                .api
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

    /// Another signer's keys, and the CDS and CDNSKEY sets, go in the zone's own rrsets of
    /// those types, which PowerDNS serves (and signs) beside the keys of its cryptokeys
    /// table when `direct-dnskey=yes` is set. Each type given is replaced whole, as the
    /// full set wanted; DNSKEYs of PowerDNS's own are left out (they would be served twice).
    async fn publish_apex_dnssec(
        &self,
        origin: &Name,
        ttl: u32,
        records: &[RData],
    ) -> Result<(), ProviderError> {
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        let mut own: Vec<String> = Vec::new();
        if records
            .iter()
            .any(|r| r.record_type() == RecordType::DNSKEY)
        {
            let operation = format!("GET cryptokeys of {}", origin.to_text());
            let body = self
                .client
                .call(
                    Method::GET,
                    &format!("{}/cryptokeys", zone_path(origin)),
                    None,
                    &operation,
                )
                .await?;
            let keys: Vec<model::CryptoKey> = serde_json::from_str(&body).map_err(|e| {
                self.client.api.error(
                    ErrorKind::Permanent,
                    &operation,
                    format!("the answer is not the cryptokeys JSON nsync knows: {e}"),
                )
            })?;
            own = keys
                .iter()
                .filter_map(|k| k.dnskey.as_deref())
                .map(squeeze)
                .collect();
        }
        let mut rrsets = Vec::new();
        for rtype in [RecordType::DNSKEY, RecordType::CDS, RecordType::CDNSKEY] {
            if !records.iter().any(|r| r.record_type() == rtype) {
                continue;
            }
            let records = records
                .iter()
                .filter(|r| r.record_type() == rtype)
                .map(|r| r.to_string())
                .filter(|content| rtype != RecordType::DNSKEY || !own.contains(&squeeze(content)))
                .map(|content| model::Record {
                    content,
                    disabled: false,
                })
                .collect();
            rrsets.push(model::RRSet {
                name: origin.to_text(),
                rtype: rtype.to_string(),
                ttl: Some(ttl),
                changetype: Some("REPLACE".into()),
                records,
            });
        }
        let body = serde_json::to_string(&model::Patch { rrsets }).map_err(|e| {
            self.client
                .api
                .error(ErrorKind::Permanent, "encode PATCH", e.to_string())
        })?;
        let operation = format!("PATCH the apex DNSSEC records of {}", origin.to_text());
        self.client
            .call(Method::PATCH, &zone_path(origin), Some(body), &operation)
            .await
            .map(|_| ())
    }

    async fn create_zone(&self, origin: &Name, nameservers: &[Name]) -> Result<(), ProviderError> {
        let zone = model::NewZone {
            name: origin.to_text(),
            kind: "Native".into(),
            nameservers: nameservers.iter().map(|n| n.to_text()).collect(),
            soa_edit_api: "INCREASE".into(),
        };
        let body = serde_json::to_string(&zone).map_err(|e| {
            self.client
                .api
                .error(ErrorKind::Permanent, "encode zone", e.to_string())
        })?;
        let operation = format!("POST zone {}", origin.to_text());
        self.client
            .call(Method::POST, "/zones", Some(body), &operation)
            .await
            .map(|_| ())
    }
}
