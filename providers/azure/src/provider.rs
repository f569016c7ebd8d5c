//! The azure provider: the zone under its subscription and resource group, its record
//! sets page by page with their ETags, and one conditional request per rrset changed:
//! DELETE and PUT with `If-Match` on the ETag read, PUT with `If-None-Match: *` to create.

use std::collections::HashMap;
use std::sync::Mutex;

use hickory_proto::rr::Name;
use nsync_core::name::NameText;
use nsync_core::provider::{
    Capabilities, Change, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState, async_trait,
};
use nsync_core::settings::Settings;
use nsync_core::zone::{Rrset, RrsetKey, Zone};
use nsync_http::reqwest::Method;
use serde_json::json;

use crate::client::{Client, Condition, Credentials};
use crate::{API_VERSION, DEFAULT_AUTHORITY, DEFAULT_ENDPOINT, kind, records};

/// Each record set's ETag and `metadata` as last read: a write is conditional on the
/// first and carries the second.
type ReadSets = HashMap<RrsetKey, (String, serde_json::Value)>;

pub struct Azure {
    name: String,
    subscription: String,
    resource_group: String,
    client: Client,
    /// Each record set's ETag, from the last read.
    etags: Mutex<HashMap<Name, ReadSets>>,
}

impl Azure {
    pub fn from_settings(name: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let endpoint = settings.str("endpoint").unwrap_or(DEFAULT_ENDPOINT);
        nsync_http::endpoint::require(name, "endpoint", endpoint, false)?;
        let authority = settings.str("authority").unwrap_or(DEFAULT_AUTHORITY);
        nsync_http::endpoint::require(name, "authority", authority, false)?;
        let credentials = Credentials {
            authority: authority.to_string(),
            tenant_id: settings.require_str(name, "tenant_id")?.to_string(),
            client_id: settings.require_str(name, "client_id")?.to_string(),
            client_secret: settings.require_secret(name, "client_secret")?,
        };
        Ok(Azure {
            name: name.to_string(),
            subscription: settings.require_str(name, "subscription_id")?.to_string(),
            resource_group: settings.require_str(name, "resource_group")?.to_string(),
            client: Client::new(
                name,
                endpoint,
                credentials,
                nsync_http::request_timeout(settings),
            )?,
            etags: Mutex::new(HashMap::new()),
        })
    }

    fn zone_path(&self, origin: &Name) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/dnsZones/{}",
            self.subscription,
            self.resource_group,
            origin.to_lowercase().to_text().trim_end_matches('.')
        )
    }

    fn set_path(&self, origin: &Name, r: &Rrset) -> String {
        format!(
            "{}/{}/{}?api-version={API_VERSION}",
            self.zone_path(origin),
            r.rtype,
            records::relative_name(&r.name, origin)
        )
    }
}

#[async_trait]
impl Provider for Azure {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        &kind::KIND.capabilities
    }

    async fn read_zone(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
        let zone_path = self.zone_path(origin);
        let zone_obj = self
            .client
            .call(
                Method::GET,
                &format!("{zone_path}?api-version={API_VERSION}"),
                None,
                None,
                &format!("read zone {}", origin.to_text()),
            )
            .await?;
        let mut zone = Zone::new(origin.clone());
        let mut held = Vec::new();
        let mut etags = HashMap::new();
        let mut next = format!("{zone_path}/recordsets?api-version={API_VERSION}&$top=100");
        let mut paging = nsync_http::Paging::default();
        let mut page = 1;
        loop {
            let operation = format!("list record sets of {} (page {page})", origin.to_text());
            let answer = self
                .client
                .call(Method::GET, &next, None, None, &operation)
                .await?;
            for set in answer["value"].as_array().into_iter().flatten() {
                if let Some(h) = records::held(set, origin) {
                    held.push(h);
                    continue;
                }
                let rrset = records::from_record_set(set, origin)
                    .map_err(|e| self.client.api.error(ErrorKind::Permanent, &operation, e))?;
                if let Some(rrset) = rrset {
                    if let Some(etag) = set["etag"].as_str() {
                        let metadata = set["properties"]["metadata"].clone();
                        etags.insert(rrset.key(), (etag.to_string(), metadata));
                    }
                    zone.insert(rrset);
                }
            }
            match answer["nextLink"].as_str() {
                Some(link) if !link.is_empty() => {
                    paging.next(&self.name, &operation, link.to_string())?;
                    next = link.to_string();
                    page += 1;
                }
                _ => break,
            }
        }
        if let Ok(mut e) = self.etags.lock() {
            e.insert(origin.clone(), etags);
        }
        let nameservers = nsync_http::api::names(&zone_obj["properties"]["nameServers"]);
        Ok(ZoneState {
            zone,
            nameservers,
            notices: Vec::new(),
            held,
            ttl_set_by_provider: Vec::new(),
        })
    }

    async fn apply(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
        let known = self.etags.lock().ok().and_then(|e| e.get(origin).cloned());
        let etags = match known {
            Some(e) => e,
            None => {
                self.read_zone(origin).await?;
                self.etags
                    .lock()
                    .ok()
                    .and_then(|e| e.get(origin).cloned())
                    .unwrap_or_default()
            }
        };
        if let Ok(mut e) = self.etags.lock() {
            e.remove(origin);
        }
        let total = changes.changes.len();
        for (i, change) in changes.changes.iter().enumerate() {
            let (method, r, verb) = match change {
                Change::Delete(r) => (Method::DELETE, r, "delete"),
                Change::Update { to, .. } => (Method::PUT, to, "update"),
                Change::Create(r) => (Method::PUT, r, "create"),
            };
            let operation = format!(
                "{verb} {} {} ({}/{total})",
                r.name.to_text(),
                r.rtype,
                i + 1
            );
            let read = etags.get(&r.key());
            let condition = match (change, read) {
                (Change::Create(_), _) => Condition::Absent,
                (_, Some((etag, _))) => Condition::Matches(etag),
                // Read without an ETag: Azure always sends one; nothing to write blind.
                (_, None) => {
                    return Err(self.client.api.error(
                        ErrorKind::Temporary,
                        &operation,
                        "no ETag was read for this record set; nsync reads the zone again",
                    ));
                }
            };
            // A PUT replaces the whole record set: the metadata someone set on it (in the
            // portal, by another tool) goes with it unless it is sent again.
            let body = (method == Method::PUT).then(|| {
                let mut properties = records::properties(r);
                if let Some((_, metadata)) = read
                    && metadata.is_object()
                {
                    properties["metadata"] = metadata.clone();
                }
                json!({ "properties": properties })
            });
            self.client
                .call(
                    method,
                    &self.set_path(origin, r),
                    body.as_ref(),
                    Some(condition),
                    &operation,
                )
                .await?;
        }
        Ok(())
    }

    async fn create_zone(&self, origin: &Name, _nameservers: &[Name]) -> Result<(), ProviderError> {
        self.client
            .call(
                Method::PUT,
                &format!("{}?api-version={API_VERSION}", self.zone_path(origin)),
                Some(&json!({"location": "global", "properties": {"zoneType": "Public"}})),
                Some(Condition::Absent),
                &format!("create zone {}", origin.to_text()),
            )
            .await
            .map(|_| ())
    }
}
