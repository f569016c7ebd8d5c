//! The cloudflare provider: zone by name, records page by page, writes through the batch
//! endpoint (or record by record where an account has none).

use hickory_proto::rr::{Name, RecordType};
use nsync_core::name::{NameText, absolute_owner};
use nsync_core::provider::{
    Capabilities, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState, async_trait,
};
use nsync_core::rdata::{managed_type, parse_rdata_text};
use nsync_core::settings::Settings;
use nsync_core::zone::RrsetKey;
use nsync_http::per_record::{self, Collect, HeldZones, Pairing};
use nsync_http::reqwest::Method;
use serde_json::{Value, json};

use crate::client::Client;
use crate::{AUTO_TTL, DEFAULT_ENDPOINT, MAX_BATCH_OPS, kind, records};

pub struct Cloudflare {
    name: String,
    client: Client,
    account_id: Option<String>,
    zone_ids: nsync_http::ZoneIds,
    held: HeldZones<RecordRef>,
}

/// One record as read: its id, and whether Cloudflare proxies it (which a write must
/// keep: a proxied record re-created without `proxied` exposes the origin address).
#[derive(Clone, Debug)]
pub struct RecordRef {
    id: String,
    proxied: bool,
}

impl Cloudflare {
    pub fn from_settings(name: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let token = settings.require_secret(name, "api_token")?;
        let endpoint = settings.str("endpoint").unwrap_or(DEFAULT_ENDPOINT);
        nsync_http::endpoint::require(name, "endpoint", endpoint, false)?;
        Ok(Cloudflare {
            name: name.to_string(),
            client: Client::new(name, endpoint, token, nsync_http::request_timeout(settings))?,
            account_id: settings.str("account_id").map(str::to_string),
            zone_ids: nsync_http::ZoneIds::default(),
            held: HeldZones::default(),
        })
    }

    async fn zone(&self, origin: &Name) -> Result<(String, Value), ProviderError> {
        let bare = origin.to_text().trim_end_matches('.').to_string();
        let operation = format!("find zone {bare}");
        let mut path = format!("/zones?name={bare}&per_page=50");
        if let Some(a) = &self.account_id {
            path.push_str(&format!("&account.id={a}"));
        }
        let (result, _) = self
            .client
            .call(Method::GET, &path, None, &operation)
            .await?;
        let zone = result
            .as_array()
            .and_then(|zones| zones.iter().find(|z| z["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&bare))))
            .cloned()
            .ok_or_else(|| self.client.api.error(ErrorKind::ZoneMissing, &operation, format!("no zone named {bare} in this account; it may have been deleted, or the account closed")))?;
        let id = zone["id"].as_str().unwrap_or_default().to_string();
        self.zone_ids.remember(origin, id.clone());
        Ok((id, zone))
    }

    /// Writes without the batch endpoint: DELETE, PATCH and POST per record. Not atomic,
    /// which is why the batch endpoint comes first; a failure part way is finished by the
    /// next sync, which plans from what is there.
    async fn one_by_one(
        &self,
        zone_id: &str,
        origin: &Name,
        ops: &[(&str, Value)],
    ) -> Result<(), ProviderError> {
        for (kind, op) in ops {
            let record = op["id"].as_str().unwrap_or_default();
            let (method, path, body) = match *kind {
                "deletes" => (
                    Method::DELETE,
                    format!("/zones/{zone_id}/dns_records/{record}"),
                    None,
                ),
                "patches" => (
                    Method::PATCH,
                    format!("/zones/{zone_id}/dns_records/{record}"),
                    Some(op.clone()),
                ),
                _ => (
                    Method::POST,
                    format!("/zones/{zone_id}/dns_records"),
                    Some(op.clone()),
                ),
            };
            let operation = format!(
                "{method} record of {} (no batch endpoint)",
                origin.to_text()
            );
            self.client.call(method, &path, body, &operation).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Provider for Cloudflare {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> &Capabilities {
        // The kind's declaration is the one source: check and verify read it too.
        &kind::KIND.capabilities
    }

    async fn read_zone(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
        let (id, zone_obj) = self.zone(origin).await?;
        let mut notices = Vec::new();
        if let Some(status) = zone_obj["status"].as_str()
            && status != "active"
        {
            notices.push(format!(
                "zone status is `{status}`, not active: Cloudflare does not serve it as a full zone"
            ));
        }
        if zone_obj["paused"].as_bool() == Some(true) {
            notices.push("the zone is paused".to_string());
        }
        let nameservers: Vec<Name> = nsync_http::api::names(&zone_obj["name_servers"]);
        let mut read = Collect::default();
        let mut proxied = Vec::new();
        let root = Name::root();
        let mut page = 1;
        let mut paging = nsync_http::Paging::default();
        loop {
            let operation = format!("list records of {} (page {page})", origin.to_text());
            let (result, info) = self
                .client
                .call(
                    Method::GET,
                    &format!("/zones/{id}/dns_records?page={page}&per_page=100"),
                    None,
                    &operation,
                )
                .await?;
            for r in result.as_array().cloned().unwrap_or_default() {
                let Some(rtype) = r["type"].as_str().and_then(managed_type) else {
                    continue;
                };
                let owner = r["name"].as_str().unwrap_or_default();
                let name = absolute_owner(owner)
                    .map_err(|e| {
                        self.client.api.error(
                            ErrorKind::Permanent,
                            &operation,
                            format!("record name {owner}: {e}"),
                        )
                    })?
                    .to_lowercase();
                if rtype == RecordType::NS && name == *origin {
                    continue; // Cloudflare's own apex NS
                }
                let text = records::from_cloudflare(
                    rtype,
                    r["content"].as_str().unwrap_or_default(),
                    r["priority"].as_u64(),
                    r.get("data"),
                );
                let rdata = parse_rdata_text(rtype, &text, &root).map_err(|e| {
                    self.client.api.error(
                        ErrorKind::Permanent,
                        &operation,
                        format!("{owner} {rtype} `{text}`: {e}"),
                    )
                })?;
                let ttl = match r["ttl"].as_u64().unwrap_or(1) {
                    1 => AUTO_TTL,
                    t => t as u32,
                };
                let is_proxied = r["proxied"].as_bool() == Some(true);
                if is_proxied {
                    notices.push(format!("{} {rtype} is proxied: Cloudflare answers with its own addresses; nsync keeps `proxied` (and the TTL Cloudflare sets for it) as it is", name.to_text()));
                    proxied.push(RrsetKey::of(&name, rtype));
                }
                let id = r["id"].as_str().unwrap_or_default().to_string();
                read.add(
                    name,
                    rtype,
                    ttl,
                    rdata,
                    RecordRef {
                        id,
                        proxied: is_proxied,
                    },
                );
            }
            let total = info.as_ref().map_or(1, |i| i.total_pages.max(1));
            if info.as_ref().map_or(page, |i| i.page.max(page)) >= total {
                break;
            }
            page += 1;
            paging.next(&self.name, &operation, page.to_string())?;
        }
        let (zone, held) = read.finish(origin);
        self.held.put(origin, held);
        proxied.sort();
        proxied.dedup();
        Ok(ZoneState {
            zone,
            nameservers,
            notices,
            held: Vec::new(),
            // Cloudflare keeps proxied records at TTL 1 ("automatic") whatever is sent.
            ttl_set_by_provider: proxied,
        })
    }

    async fn apply(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
        let held = match self.held.get(origin) {
            Some(h) => h,
            None => {
                self.read_zone(origin).await?;
                self.held.get(origin).unwrap_or_default()
            }
        };
        let id = match self.zone_ids.get(origin) {
            Some(id) => id,
            None => self.zone(origin).await?.0,
        };
        // A changed value is patched in place, so the record keeps its `proxied`,
        // `comment` and `tags` (a PATCH changes only the fields it sends).
        let w = per_record::writes(changes, &held, Pairing::Replace);
        let deletes = w.deletes.into_iter().map(|r| json!({"id": r.id}));
        let retimed = w
            .ttl_changes
            .into_iter()
            .filter(|(r, _, _)| !r.proxied)
            .map(|(r, to, _)| json!({"id": r.id, "ttl": to.ttl}));
        let rewritten = w.replaces.into_iter().map(|(r, to, d)| {
            let mut body = records::record_body(to, d);
            body["id"] = json!(r.id);
            if r.proxied {
                body.as_object_mut().map(|o| o.remove("ttl"));
            }
            body
        });
        let patches = retimed.chain(rewritten);
        // A value added to an rrset Cloudflare proxies is proxied too, as the rest.
        let proxied_rrset = |r: &nsync_core::zone::Rrset| {
            held.get(&r.key())
                .is_some_and(|h| !h.is_empty() && h.iter().all(|h| h.id.proxied))
        };
        let posts = w.creates.into_iter().map(|(r, d)| {
            let mut body = records::record_body(r, d);
            if proxied_rrset(r) {
                body["proxied"] = json!(true);
                body["ttl"] = json!(1);
            }
            body
        });
        // Deletions, then patches, then creations, in batches of at most 200 operations:
        // Cloudflare runs each batch in that order too, so a CNAME can replace an A.
        let ops: Vec<(&str, Value)> = deletes
            .map(|o| ("deletes", o))
            .chain(patches.map(|o| ("patches", o)))
            .chain(posts.map(|o| ("posts", o)))
            .collect();
        let total = ops.len().div_ceil(MAX_BATCH_OPS);
        for (i, chunk) in ops.chunks(MAX_BATCH_OPS).enumerate() {
            let mut body = json!({"deletes": [], "patches": [], "posts": []});
            for (kind, op) in chunk {
                if let Some(list) = body[*kind].as_array_mut() {
                    list.push(op.clone());
                }
            }
            let operation = format!(
                "batch {}/{total} for {} ({} operations)",
                i + 1,
                origin.to_text(),
                chunk.len()
            );
            let batch = self
                .client
                .call(
                    Method::POST,
                    &format!("/zones/{id}/dns_records/batch"),
                    Some(body),
                    &operation,
                )
                .await;
            match batch {
                Ok(_) => {}
                // No batch endpoint for this account or API version (code 7000, "No route
                // for that URI"): the same operations, one record at a time, same order.
                Err(e) if i == 0 && e.message.contains(" 7000 ") => {
                    self.one_by_one(&id, origin, &ops).await?;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        self.held.forget(origin);
        Ok(())
    }

    async fn health(&self) -> Result<(), ProviderError> {
        let path = match &self.account_id {
            Some(a) => format!("/accounts/{a}/tokens/verify"),
            None => "/user/tokens/verify".to_string(),
        };
        let (result, _) = self
            .client
            .call(Method::GET, &path, None, "verify the API token")
            .await?;
        match result["status"].as_str() {
            Some("active") | None => Ok(()),
            Some(other) => Err(self.client.api.error(
                ErrorKind::AccountSuspended,
                "verify the API token",
                format!("Cloudflare says the token is `{other}`"),
            )),
        }
    }

    async fn create_zone(&self, origin: &Name, _nameservers: &[Name]) -> Result<(), ProviderError> {
        let mut body = json!({"name": origin.to_text().trim_end_matches('.'), "type": "full"});
        if let Some(a) = &self.account_id {
            body["account"] = json!({"id": a});
        }
        self.client
            .call(
                Method::POST,
                "/zones",
                Some(body),
                &format!("create zone {}", origin.to_text()),
            )
            .await
            .map(|_| ())
    }
}
