//! The digitalocean provider: the domain by name, its records 200 a page, and writes one
//! record per request (DigitalOcean has no batch endpoint), deletions first so a CNAME
//! can replace an address at one name.

use hickory_proto::rr::Name;
use nsync_core::name::NameText;
use nsync_core::provider::{
    Capabilities, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState, async_trait,
};
use nsync_core::rdata::Rdata;
use nsync_core::settings::Settings;
use nsync_core::zone::Rrset;
use nsync_http::per_record::{self, Collect, HeldZone, HeldZones};
use nsync_http::reqwest::Method;
use serde_json::{Value, json};

use crate::client::Client;
use crate::{DEFAULT_ENDPOINT, NAMESERVERS, kind, records};

/// Records a page: the API's most.
const PER_PAGE: u64 = 200;

pub struct DigitalOcean {
    name: String,
    client: Client,
    held: HeldZones<u64>,
}

fn bare(origin: &Name) -> String {
    origin
        .to_lowercase()
        .to_text()
        .trim_end_matches('.')
        .to_string()
}

impl DigitalOcean {
    pub fn from_settings(name: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let token = settings.require_secret(name, "api_token")?;
        let endpoint = settings.str("endpoint").unwrap_or(DEFAULT_ENDPOINT);
        nsync_http::endpoint::require(name, "endpoint", endpoint, false)?;
        Ok(DigitalOcean {
            name: name.to_string(),
            client: Client::new(name, endpoint, token, nsync_http::request_timeout(settings))?,
            held: HeldZones::default(),
        })
    }

    fn body(origin: &Name, r: &Rrset, rdata: &Rdata) -> Value {
        let mut body = records::fields(r.rtype, rdata);
        body["type"] = json!(r.rtype.to_string());
        body["name"] = json!(records::relative_name(&r.name, origin));
        body["ttl"] = json!(r.ttl);
        body
    }

    async fn held_for(&self, origin: &Name) -> Result<HeldZone<u64>, ProviderError> {
        if let Some(h) = self.held.get(origin) {
            return Ok(h);
        }
        self.read_zone(origin).await?;
        Ok(self.held.get(origin).unwrap_or_default())
    }
}

#[async_trait]
impl Provider for DigitalOcean {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        &kind::KIND.capabilities
    }

    async fn read_zone(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
        let domain = bare(origin);
        self.client
            .call(
                Method::GET,
                &format!("/domains/{domain}"),
                None,
                &format!("find domain {domain}"),
            )
            .await?;
        let mut read = Collect::default();
        let mut page = 1u64;
        let mut paging = nsync_http::Paging::default();
        loop {
            let operation = format!("list records of {} (page {page})", origin.to_text());
            let answer = self
                .client
                .call(
                    Method::GET,
                    &format!("/domains/{domain}/records?page={page}&per_page={PER_PAGE}"),
                    None,
                    &operation,
                )
                .await?;
            // An answer without the list is not DigitalOcean's (a proxy's page, another
            // API): read as an empty domain it would make the plan create everything.
            let Some(list) = answer["domain_records"].as_array().cloned() else {
                return Err(self.client.api.error(
                    ErrorKind::Permanent,
                    &operation,
                    format!(
                        "the answer has no `domain_records` list: {}; is `endpoint` DigitalOcean's API?",
                        nsync_http::api::excerpt(&answer.to_string(), 160)
                    ),
                ));
            };
            for r in &list {
                let record = records::read_record(r, origin)
                    .map_err(|e| self.client.api.error(ErrorKind::Permanent, &operation, e))?;
                if let Some((name, rtype, ttl, rdata)) = record {
                    read.add(
                        name,
                        rtype,
                        ttl,
                        rdata,
                        r["id"].as_u64().unwrap_or_default(),
                    );
                }
            }
            let total = answer["meta"]["total"].as_u64().unwrap_or(0);
            let has_next = answer["links"]["pages"]["next"].is_string();
            if list.is_empty() || (!has_next && page * PER_PAGE >= total) {
                break;
            }
            page += 1;
            paging.next(&self.name, &operation, page.to_string())?;
        }
        let (zone, held) = read.finish(origin);
        self.held.put(origin, held);
        Ok(ZoneState {
            zone,
            nameservers: NAMESERVERS
                .iter()
                .filter_map(|n| Name::from_ascii(n).ok())
                .collect(),
            notices: Vec::new(),
            held: Vec::new(),
            ttl_set_by_provider: Vec::new(),
        })
    }

    async fn apply(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
        let held = self.held_for(origin).await?;
        let domain = bare(origin);
        let w = per_record::writes(changes, &held, per_record::Pairing::DeleteCreate);
        let deletes = w.deletes;
        // The whole record, not just the TTL: DigitalOcean checks the record a PATCH
        // leaves, and it stores some data without the final dot that a write needs
        // (CAA values), so a TTL-only PATCH of such a record is answered 422.
        let patches: Vec<(u64, Value)> = w
            .ttl_changes
            .iter()
            .map(|(id, to, d)| (*id, Self::body(origin, to, d)))
            .collect();
        let posts: Vec<Value> = w
            .creates
            .iter()
            .map(|(r, d)| Self::body(origin, r, d))
            .collect();
        // Forget what was read before the first write: a failure part way leaves the
        // provider between two states, and the next sync reads it again.
        self.held.forget(origin);
        let (n_del, n_patch, n_post) = (deletes.len(), patches.len(), posts.len());
        for (i, id) in deletes.into_iter().enumerate() {
            let op = format!("delete record {id} of {domain} ({}/{n_del})", i + 1);
            self.client
                .call(
                    Method::DELETE,
                    &format!("/domains/{domain}/records/{id}"),
                    None,
                    &op,
                )
                .await?;
        }
        for (i, (id, body)) in patches.into_iter().enumerate() {
            let op = format!(
                "change the TTL of record {id} of {domain} ({}/{n_patch})",
                i + 1
            );
            self.client
                .call(
                    Method::PATCH,
                    &format!("/domains/{domain}/records/{id}"),
                    Some(body),
                    &op,
                )
                .await?;
        }
        for (i, body) in posts.into_iter().enumerate() {
            let op = format!(
                "create {} {} record in {domain} ({}/{n_post})",
                body["name"].as_str().unwrap_or_default(),
                body["type"].as_str().unwrap_or_default(),
                i + 1
            );
            self.client
                .call(
                    Method::POST,
                    &format!("/domains/{domain}/records"),
                    Some(body),
                    &op,
                )
                .await?;
        }
        Ok(())
    }

    async fn health(&self) -> Result<(), ProviderError> {
        self.client
            .call(Method::GET, "/account", None, "read the account")
            .await
            .and_then(|a| match a["account"]["status"].as_str() {
                Some("active") | None => Ok(()),
                Some(other) => Err(self.client.api.error(
                    ErrorKind::AccountSuspended,
                    "read the account",
                    format!(
                        "DigitalOcean says the account is `{other}`: {}",
                        a["account"]["status_message"].as_str().unwrap_or_default()
                    ),
                )),
            })
    }

    async fn create_zone(&self, origin: &Name, _nameservers: &[Name]) -> Result<(), ProviderError> {
        self.client
            .call(
                Method::POST,
                "/domains",
                Some(json!({"name": bare(origin)})),
                &format!("create domain {}", origin.to_text()),
            )
            .await
            .map(|_| ())
    }
}
