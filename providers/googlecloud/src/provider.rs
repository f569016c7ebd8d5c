//! The googlecloud provider: the managed zone by DNS name, rrsets page by page, and
//! every sync one atomic change (more only above the per-change quota), polled until
//! Cloud DNS says it is done.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hickory_proto::rr::Name;
use nsync_core::name::NameText;
use nsync_core::provider::{
    Capabilities, Change, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState, async_trait,
};
use nsync_core::settings::Settings;
use nsync_core::zone::{Rrset, RrsetKey, Zone};
use nsync_http::reqwest::Method;
use serde_json::{Value, json};

use crate::client::Client;
use crate::{DEFAULT_ENDPOINT, MAX_PER_CHANGE, kind, records};

/// How long a change may stay `pending` before nsync stops waiting for it.
const CHANGE_DONE_WITHIN: Duration = Duration::from_secs(120);

pub struct GoogleCloud {
    name: String,
    project: String,
    client: Client,
    zone_ids: nsync_http::ZoneIds,
    /// Each rrset of the last read as Cloud DNS returned it: a change's deletions must
    /// repeat an rrset exactly as stored (412 `conditionNotMet` otherwise), and nsync's
    /// own rendering of it may differ (order, case, quoting).
    as_read: std::sync::Mutex<HashMap<Name, HashMap<RrsetKey, Value>>>,
}

impl GoogleCloud {
    pub fn from_settings(name: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let project = settings.require_str(name, "project")?.to_string();
        let credentials = settings.require_secret(name, "credentials")?;
        let account = crate::auth::parse_key_file(credentials.expose())
            .map_err(|e| ProviderError::new(ErrorKind::Config, name, "read credentials", e))?;
        let endpoint = settings.str("endpoint").unwrap_or(DEFAULT_ENDPOINT);
        nsync_http::endpoint::require(name, "endpoint", endpoint, false)?;
        Ok(GoogleCloud {
            name: name.to_string(),
            client: Client::new(
                name,
                endpoint,
                account,
                nsync_http::request_timeout(settings),
            )?,
            project,
            zone_ids: nsync_http::ZoneIds::default(),
            as_read: Default::default(),
        })
    }

    fn zones_path(&self) -> String {
        format!("/projects/{}/managedZones", self.project)
    }

    /// The managed zone's resource name and its object.
    async fn zone(&self, origin: &Name) -> Result<(String, Value), ProviderError> {
        let dns_name = origin.to_lowercase().to_text();
        let operation = format!("find managed zone {dns_name}");
        let answer = self
            .client
            .call(
                Method::GET,
                &format!("{}?dnsName={dns_name}", self.zones_path()),
                None,
                &operation,
            )
            .await?;
        let zone = answer["managedZones"]
            .as_array()
            .and_then(|zones| {
                zones.iter().find(|z| {
                    z["dnsName"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&dns_name))
                        && z["visibility"].as_str().is_none_or(|v| v == "public")
                })
            })
            .cloned()
            .ok_or_else(|| self.client.api.error(ErrorKind::ZoneMissing, &operation, format!("no public managed zone for {dns_name} in project {}; it may have been deleted", self.project)))?;
        let id = zone["name"].as_str().unwrap_or_default().to_string();
        self.zone_ids.remember(origin, id.clone());
        Ok((id, zone))
    }

    async fn zone_id(&self, origin: &Name) -> Result<String, ProviderError> {
        match self.zone_ids.get(origin) {
            Some(id) => Ok(id),
            None => Ok(self.zone(origin).await?.0),
        }
    }

    /// Waits until the change is `done`, asking at growing intervals.
    async fn wait_done(
        &self,
        zone: &str,
        change: &Value,
        operation: &str,
    ) -> Result<(), ProviderError> {
        let id = change["id"].as_str().unwrap_or_default().to_string();
        let start = Instant::now();
        let mut status = change["status"].as_str().unwrap_or("pending").to_string();
        let mut pause = Duration::from_millis(100);
        while status != "done" {
            if start.elapsed() > CHANGE_DONE_WITHIN {
                return Err(self.client.api.error(
                    ErrorKind::Temporary,
                    operation,
                    format!(
                        "change {id} is still `{status}` after {} s",
                        CHANGE_DONE_WITHIN.as_secs()
                    ),
                ));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
            let now = self
                .client
                .call(
                    Method::GET,
                    &format!("{}/{zone}/changes/{id}", self.zones_path()),
                    None,
                    operation,
                )
                .await?;
            status = now["status"].as_str().unwrap_or("pending").to_string();
        }
        Ok(())
    }
}

#[async_trait]
impl Provider for GoogleCloud {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        &kind::KIND.capabilities
    }

    async fn read_zone(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
        let (id, zone_obj) = self.zone(origin).await?;
        let mut zone = Zone::new(origin.clone());
        let mut held = Vec::new();
        let mut raw = HashMap::new();
        let mut token: Option<String> = None;
        let mut paging = nsync_http::Paging::default();
        let mut page = 1;
        loop {
            let operation = format!("list rrsets of {} (page {page})", origin.to_text());
            let mut path = format!("{}/{id}/rrsets?maxResults=1000", self.zones_path());
            if let Some(t) = &token {
                path.push_str(&format!("&pageToken={t}"));
            }
            let answer = self
                .client
                .call(Method::GET, &path, None, &operation)
                .await?;
            for r in answer["rrsets"].as_array().into_iter().flatten() {
                if let Some(h) = records::held(r) {
                    held.push(h);
                    continue;
                }
                let rrset = records::from_google(r)
                    .map_err(|e| self.client.api.error(ErrorKind::Permanent, &operation, e))?;
                if let Some(rrset) = rrset {
                    raw.insert(rrset.key(), r.clone());
                    zone.insert(rrset);
                }
            }
            match answer["nextPageToken"].as_str() {
                Some(next) if !next.is_empty() => {
                    paging.next(&self.name, &operation, next.to_string())?;
                    token = Some(next.to_string());
                    page += 1;
                }
                _ => break,
            }
        }
        if let Ok(mut a) = self.as_read.lock() {
            a.insert(origin.clone(), raw);
        }
        let nameservers = nsync_http::api::names(&zone_obj["nameServers"]);
        Ok(ZoneState {
            zone,
            nameservers,
            notices: Vec::new(),
            held,
            ttl_set_by_provider: Vec::new(),
        })
    }

    async fn apply(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
        let zone = self.zone_id(origin).await?;
        let as_read = self
            .as_read
            .lock()
            .ok()
            .and_then(|a| a.get(origin).cloned())
            .unwrap_or_default();
        // A deletion repeats the rrset as read; one not read here is rendered by nsync.
        let deletion = |r: &Rrset| {
            as_read
                .get(&r.key())
                .cloned()
                .unwrap_or_else(|| records::to_google(r))
        };
        // One change, unless the quota per change makes it several; an update's deletion
        // and addition always travel together, so no change leaves an rrset missing.
        let mut batches: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
        let mut current: (Vec<Value>, Vec<Value>) = (Vec::new(), Vec::new());
        for change in &changes.changes {
            let (add, del) = match change {
                Change::Create(r) => (Some(r), None),
                Change::Delete(r) => (None, Some(r)),
                Change::Update { from, to } => (Some(to), Some(from)),
            };
            if current.0.len() + add.is_some() as usize > MAX_PER_CHANGE
                || current.1.len() + del.is_some() as usize > MAX_PER_CHANGE
            {
                batches.push(std::mem::take(&mut current));
            }
            current.0.extend(add.map(records::to_google));
            current.1.extend(del.map(deletion));
        }
        batches.push(current);
        let total = batches.len();
        for (i, (additions, deletions)) in batches.into_iter().enumerate() {
            let operation = format!(
                "change {}/{total} of {} ({} additions, {} deletions)",
                i + 1,
                origin.to_text(),
                additions.len(),
                deletions.len()
            );
            let body =
                json!({"kind": "dns#change", "additions": additions, "deletions": deletions});
            let change = self
                .client
                .call(
                    Method::POST,
                    &format!("{}/{zone}/changes", self.zones_path()),
                    Some(&body),
                    &operation,
                )
                .await?;
            self.wait_done(&zone, &change, &operation).await?;
        }
        Ok(())
    }

    async fn create_zone(&self, origin: &Name, _nameservers: &[Name]) -> Result<(), ProviderError> {
        let body = json!({
            "name": records::zone_resource_name(origin),
            "dnsName": origin.to_lowercase().to_text(),
            "description": "managed by nsync",
            "visibility": "public",
        });
        self.client
            .call(
                Method::POST,
                &self.zones_path(),
                Some(&body),
                &format!("create managed zone {}", origin.to_text()),
            )
            .await
            .map(|_| ())
    }
}
