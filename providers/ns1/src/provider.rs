//! The ns1 provider: the zone with its record list (one request), then one request per
//! rrset changed: DELETE, then POST (update), then PUT (create), so a CNAME can replace
//! an address at one name.

use hickory_proto::rr::Name;
use nsync_core::name::NameText;
use nsync_core::provider::{
    Capabilities, Change, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState, async_trait,
};
use nsync_core::settings::Settings;
use nsync_core::zone::Rrset;
use nsync_http::reqwest::Method;
use serde_json::{Value, json};

use crate::client::Client;
use crate::{DEFAULT_ENDPOINT, kind, records};

pub struct Ns1 {
    name: String,
    client: Client,
}

fn bare(name: &Name) -> String {
    let text = name.to_lowercase().to_text();
    text.trim_end_matches('.').to_string()
}

impl Ns1 {
    pub fn from_settings(name: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let key = settings.require_secret(name, "api_key")?;
        let endpoint = settings.str("endpoint").unwrap_or(DEFAULT_ENDPOINT);
        nsync_http::endpoint::require(name, "endpoint", endpoint, false)?;
        Ok(Ns1 {
            name: name.to_string(),
            client: Client::new(name, endpoint, key, nsync_http::request_timeout(settings))?,
        })
    }

    fn record_path(origin: &Name, r: &Rrset) -> String {
        format!("/zones/{}/{}/{}", bare(origin), bare(&r.name), r.rtype)
    }

    fn record_body(origin: &Name, r: &Rrset) -> Value {
        json!({
            "zone": bare(origin),
            "domain": bare(&r.name),
            "type": r.rtype.to_string(),
            "ttl": r.ttl,
            "answers": r.rdata().iter().map(|d| records::answer(r.rtype, d)).collect::<Vec<_>>(),
        })
    }
}

#[async_trait]
impl Provider for Ns1 {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        &kind::KIND.capabilities
    }

    async fn read_zone(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
        let zone_name = bare(origin);
        let operation = format!("read zone {zone_name}");
        let z = self
            .client
            .call(
                Method::GET,
                &format!("/zones/{zone_name}"),
                None,
                &operation,
            )
            .await?;
        let read = records::zone_from(origin, &z)
            .map_err(|e| self.client.api.error(ErrorKind::Permanent, &operation, e))?;
        let nameservers = nsync_http::api::names(&z["dns_servers"]);
        Ok(ZoneState {
            zone: read.zone,
            nameservers,
            notices: read.notices,
            held: read.held,
            ttl_set_by_provider: Vec::new(),
        })
    }

    async fn apply(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
        let total = changes.changes.len();
        for (i, change) in changes.changes.iter().enumerate() {
            let (method, r, body, verb) = match change {
                Change::Delete(r) => (Method::DELETE, r, None, "delete"),
                Change::Update { to, .. } => (
                    Method::POST,
                    to,
                    Some(Self::record_body(origin, to)),
                    "update",
                ),
                Change::Create(r) => (Method::PUT, r, Some(Self::record_body(origin, r)), "create"),
            };
            let operation = format!(
                "{verb} {} {} ({}/{total})",
                r.name.to_text(),
                r.rtype,
                i + 1
            );
            self.client
                .call(method, &Self::record_path(origin, r), body, &operation)
                .await?;
        }
        Ok(())
    }

    async fn create_zone(&self, origin: &Name, _nameservers: &[Name]) -> Result<(), ProviderError> {
        let zone_name = bare(origin);
        self.client
            .call(
                Method::PUT,
                &format!("/zones/{zone_name}"),
                Some(json!({"zone": zone_name})),
                &format!("create zone {zone_name}"),
            )
            .await
            .map(|_| ())
    }
}
