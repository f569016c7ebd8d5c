//! The akamai provider: the zone and its record sets; a sync is one change list (create,
//! put the whole new set of record sets, submit), discarded if anything fails before the
//! submission. Secondary zones are read, never written.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use hickory_proto::rr::Name;
use nsync_core::name::NameText;
use nsync_core::provider::{
    Capabilities, Change, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState, async_trait,
};
use nsync_core::settings::Settings;
use nsync_core::zone::Zone;
use nsync_http::reqwest::Method;
use serde_json::{Value, json};

use crate::client::{Client, Tokens};
use crate::{BASE_PATH, kind, records};

/// Record sets a page.
const PAGE_SIZE: u64 = 1000;

/// A zone as last read: its type, and every record set as Akamai holds it (SOA and
/// types nsync leaves alone included: a change list's record sets replace them all).
#[derive(Clone)]
struct Read {
    zone_type: String,
    sets: Vec<Value>,
}

pub struct Akamai {
    name: String,
    client: Client,
    contract_id: Option<String>,
    group_id: Option<String>,
    read: Mutex<HashMap<Name, Read>>,
    /// Zones with a change list this process opened and has not yet submitted or
    /// discarded (one whose creation's answer was lost still counts).
    opened: Mutex<HashSet<String>>,
}

fn key_of(v: &Value) -> (String, String) {
    (
        v["name"]
            .as_str()
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_lowercase(),
        v["type"].as_str().unwrap_or_default().to_string(),
    )
}

impl Akamai {
    pub fn from_settings(name: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let host = settings.require_str(name, "host")?;
        let default_endpoint = format!("https://{host}");
        let endpoint = settings.str("endpoint").unwrap_or(&default_endpoint);
        nsync_http::endpoint::require(name, "endpoint", endpoint, false)?;
        let tokens = Tokens {
            client_token: settings.require_secret(name, "client_token")?,
            client_secret: settings.require_secret(name, "client_secret")?,
            access_token: settings.require_secret(name, "access_token")?,
        };
        Ok(Akamai {
            name: name.to_string(),
            client: Client::new(
                name,
                &format!("{}{BASE_PATH}", endpoint.trim_end_matches('/')),
                tokens,
                nsync_http::request_timeout(settings),
            )?,
            contract_id: settings.str("contract_id").map(str::to_string),
            group_id: settings.str("group_id").map(str::to_string),
            read: Mutex::new(HashMap::new()),
            opened: Mutex::new(HashSet::new()),
        })
    }

    async fn discard(&self, zone: &str) {
        let _ = self
            .client
            .call(
                Method::DELETE,
                &format!("/changelists/{zone}"),
                None,
                &format!("discard the change list of {zone}"),
            )
            .await;
        if let Ok(mut o) = self.opened.lock() {
            o.remove(zone);
        }
    }

    /// Opens the zone's change list. One left open by this process (its answer lost) is
    /// discarded and opened again; one opened by someone else is theirs to finish.
    async fn open(&self, zone: &str) -> Result<(), ProviderError> {
        let operation = format!("open a change list for {zone}");
        let mark = || {
            if let Ok(mut o) = self.opened.lock() {
                o.insert(zone.to_string());
            }
        };
        for attempt in 0..2 {
            match self
                .client
                .call(
                    Method::POST,
                    &format!("/changelists?zone={zone}"),
                    None,
                    &operation,
                )
                .await
            {
                Ok(_) => {
                    mark();
                    return Ok(());
                }
                // No answer: the list may have been opened; if so, it is this process's.
                Err(e) if e.kind == ErrorKind::Temporary => {
                    mark();
                    return Err(e);
                }
                Err(e) if e.message.contains("HTTP 409") => {
                    let mine = attempt == 0 && self.opened.lock().is_ok_and(|o| o.contains(zone));
                    if !mine {
                        return Err(self.client.api.error(ErrorKind::Permanent, &operation, format!("{} (someone has a change list open for this zone; submit or discard it in Control Center, then run again)", e.message)));
                    }
                    self.discard(zone).await;
                }
                Err(e) => return Err(e),
            }
        }
        Err(self.client.api.error(
            ErrorKind::Temporary,
            &operation,
            "the change list could not be opened",
        ))
    }

    async fn write(&self, zone: &str, sets: Vec<Value>) -> Result<(), ProviderError> {
        self.client
            .call(
                Method::PUT,
                &format!("/changelists/{zone}/recordsets"),
                Some(&json!({"recordsets": sets})),
                &format!("put the record sets of {zone} into its change list"),
            )
            .await?;
        self.client
            .call(
                Method::POST,
                &format!("/changelists/{zone}/submit"),
                None,
                &format!("submit the change list of {zone}"),
            )
            .await?;
        if let Ok(mut o) = self.opened.lock() {
            o.remove(zone);
        }
        Ok(())
    }
}

#[async_trait]
impl Provider for Akamai {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        &kind::KIND.capabilities
    }

    async fn read_zone(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
        let zone_name = records::bare(origin);
        let z = self
            .client
            .call(
                Method::GET,
                &format!("/zones/{zone_name}"),
                None,
                &format!("read zone {zone_name}"),
            )
            .await?;
        let zone_type = z["type"].as_str().unwrap_or("primary").to_ascii_lowercase();
        let mut notices = Vec::new();
        if zone_type != "primary" {
            notices.push(format!(
                "the zone is a {zone_type} zone at Akamai: read-only there; nsync will not write it"
            ));
        }
        let mut zone = Zone::new(origin.clone());
        let mut sets = Vec::new();
        let mut page = 1u64;
        let mut paging = nsync_http::Paging::default();
        loop {
            let operation = format!("list record sets of {zone_name} (page {page})");
            let answer = self
                .client
                .call(
                    Method::GET,
                    &format!("/zones/{zone_name}/recordsets?page={page}&pageSize={PAGE_SIZE}"),
                    None,
                    &operation,
                )
                .await?;
            let list = answer["recordsets"].as_array().cloned().unwrap_or_default();
            for v in &list {
                if let Some(r) = records::from_akamai(v)
                    .map_err(|e| self.client.api.error(ErrorKind::Permanent, &operation, e))?
                {
                    zone.insert(r);
                }
            }
            let total = answer["metadata"]["totalElements"].as_u64().unwrap_or(0);
            sets.extend(list.iter().cloned());
            if list.is_empty() || page * PAGE_SIZE >= total {
                break;
            }
            page += 1;
            paging.next(&self.name, &operation, page.to_string())?;
        }
        // The account's nameservers for the zone's contract, which Akamai serves it on.
        let mut nameservers = Vec::new();
        if let Some(contract) = z["contractId"].as_str() {
            let a = self
                .client
                .call(
                    Method::GET,
                    &format!("/data/authorities?contractIds={contract}"),
                    None,
                    "read the contract's nameservers",
                )
                .await?;
            for c in a["contracts"].as_array().into_iter().flatten() {
                nameservers.extend(nsync_http::api::names(&c["authorities"]));
            }
        }
        if let Ok(mut r) = self.read.lock() {
            r.insert(origin.clone(), Read { zone_type, sets });
        }
        Ok(ZoneState {
            zone,
            nameservers,
            notices,
            held: Vec::new(),
            ttl_set_by_provider: Vec::new(),
        })
    }

    async fn apply(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
        let zone = records::bare(origin);
        let known = self.read.lock().ok().and_then(|r| r.get(origin).cloned());
        let read = match known {
            Some(r) => r,
            None => {
                self.read_zone(origin).await?;
                self.read
                    .lock()
                    .ok()
                    .and_then(|r| r.get(origin).cloned())
                    .ok_or_else(|| {
                        self.client.api.error(
                            ErrorKind::Temporary,
                            "prepare the change list",
                            "the zone could not be read",
                        )
                    })?
            }
        };
        if let Ok(mut r) = self.read.lock() {
            r.remove(origin);
        }
        if read.zone_type != "primary" {
            return Err(self.client.api.error(ErrorKind::Unsupported, &format!("write {zone}"), format!("{zone} is a {} zone at Akamai, which is read-only there; make it primary, or take this provider off the zone", read.zone_type)));
        }
        // The record sets after the change: the ones read, less those deleted or
        // replaced, plus the new ones.
        let mut sets: Vec<Value> = read.sets;
        for change in &changes.changes {
            let (gone, new) = match change {
                Change::Delete(r) => (Some(r), None),
                Change::Update { from, to } => (Some(from), Some(to)),
                Change::Create(r) => (None, Some(r)),
            };
            if let Some(g) = gone {
                let key = key_of(&records::to_akamai(g));
                sets.retain(|v| key_of(v) != key);
            }
            if let Some(n) = new {
                let v = records::to_akamai(n);
                let key = key_of(&v);
                sets.retain(|s| key_of(s) != key);
                sets.push(v);
            }
        }
        self.open(&zone).await?;
        if let Err(e) = self.write(&zone, sets).await {
            // Nothing was submitted: leave the zone as it was, and no list open.
            self.discard(&zone).await;
            return Err(e);
        }
        Ok(())
    }

    async fn create_zone(&self, origin: &Name, _nameservers: &[Name]) -> Result<(), ProviderError> {
        let operation = format!("create zone {}", origin.to_text());
        let Some(contract) = &self.contract_id else {
            return Err(self.client.api.error(ErrorKind::Config, &operation, "creating a zone needs the contract: set `contract_id` (and `group_id`) in this provider's table"));
        };
        let mut path = format!("/zones?contractId={contract}");
        if let Some(g) = &self.group_id {
            path.push_str(&format!("&gid={g}"));
        }
        self.client
            .call(Method::POST, &path, Some(&json!({"zone": records::bare(origin), "type": "PRIMARY", "comment": "created by nsync"})), &operation)
            .await?;
        // A new zone holds no record set, not even its SOA and NS, until a first change
        // list is submitted: submitting an empty one has Edge DNS make them (as peers
        // do), so the first sync's change list can carry them as every later one must.
        let zone = records::bare(origin);
        self.open(&zone).await?;
        self.client
            .call(
                Method::POST,
                &format!("/changelists/{zone}/submit"),
                None,
                &format!("submit {zone}'s first change list (Edge DNS makes its SOA and NS)"),
            )
            .await?;
        if let Ok(mut o) = self.opened.lock() {
            o.remove(&zone);
        }
        Ok(())
    }
}
