//! The ns1 provider: the zone with its record list (one request), then one request per
//! rrset changed: DELETE, then POST (update), then PUT (create), so a CNAME can replace
//! an address at one name.

use hickory_proto::rr::Name;
use nsync_core::name::{NameText, absolute_owner};
use nsync_core::provider::{
    Capabilities, Change, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState, async_trait,
};
use nsync_core::rdata::{managed_type, parse_rdata_text};
use nsync_core::settings::Settings;
use nsync_core::zone::{Rrset, Zone};
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
        let root = Name::root();
        let mut zone = Zone::new(origin.clone());
        let mut notices = Vec::new();
        if z["secondary"]["enabled"].as_bool() == Some(true) {
            notices.push("the zone is a secondary at NS1 (it transfers from a primary); writes to it will fail".to_string());
        }
        for r in z["records"].as_array().cloned().unwrap_or_default() {
            let Some(rtype) = r["type"].as_str().and_then(managed_type) else {
                continue;
            };
            let domain = r["domain"].as_str().unwrap_or_default();
            if r["link"].is_string() {
                notices.push(format!(
                    "{domain} {rtype} is linked to another record; nsync leaves it as it is"
                ));
                continue;
            }
            let name = absolute_owner(domain)
                .map_err(|e| {
                    self.client.api.error(
                        ErrorKind::Permanent,
                        &operation,
                        format!("record domain {domain}: {e}"),
                    )
                })?
                .to_lowercase();
            let mut rdata = Vec::new();
            for short in r["short_answers"].as_array().cloned().unwrap_or_default() {
                let text = records::presentation(rtype, short.as_str().unwrap_or_default());
                rdata.push(parse_rdata_text(rtype, &text, &root).map_err(|e| {
                    self.client.api.error(
                        ErrorKind::Permanent,
                        &operation,
                        format!("{domain} {rtype} `{text}`: {e}"),
                    )
                })?);
            }
            let ttl = r["ttl"].as_u64().unwrap_or(3600) as u32;
            zone.insert(Rrset::new(name, rtype, ttl, rdata));
        }
        let nameservers = nsync_http::api::names(&z["dns_servers"]);
        Ok(ZoneState {
            zone,
            nameservers,
            notices,
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
