//! The route53 provider: the hosted zone by name, rrsets page by page, changes in
//! batches, and `settle` on GetChange until INSYNC.

use nsync_core::name::NameText;
use std::collections::HashMap;
use std::sync::Mutex;

use hickory_proto::rr::Name;
use nsync_core::name::absolute_owner;
use nsync_core::provider::{
    Capabilities, ChangeSet, ErrorKind, HeldRrset, Provider, ProviderError, ZoneState, async_trait,
};
use nsync_core::rdata::{managed_type, parse_rdata_text};
use nsync_core::settings::Settings;
use nsync_core::zone::{Rrset, Zone};
use nsync_http::reqwest::Method;

use crate::client::Client;
use crate::records::{batches, octal_to_decimal, xml_escape};
use crate::{kind, model};

pub struct Route53 {
    client: Client,
    hosted_zone_id: Option<String>,
    ids: nsync_http::ZoneIds,
    /// Changes written per zone that Route 53 last reported PENDING: `settle` waits for them.
    pending: Mutex<HashMap<Name, Vec<String>>>,
}

/// Between two GetChange calls. AWS: changes usually reach every nameserver within 60 s.
const SETTLE_PAUSE: std::time::Duration = std::time::Duration::from_secs(2);

impl Route53 {
    pub fn from_settings(name: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let akid = settings.require_secret(name, "access_key_id")?;
        let secret = settings.require_secret(name, "secret_access_key")?;
        let token = settings.resolve_secret(name, "session_token")?;
        let endpoint = settings
            .str("endpoint")
            .unwrap_or(crate::client::DEFAULT_ENDPOINT);
        nsync_http::endpoint::require(name, "endpoint", endpoint, false)?;
        Ok(Route53 {
            client: Client::new(
                name,
                endpoint,
                akid,
                secret,
                token,
                nsync_http::request_timeout(settings),
            )?,
            hosted_zone_id: settings
                .str("hosted_zone_id")
                .map(|s| s.trim_start_matches("/hostedzone/").to_string()),
            ids: nsync_http::ZoneIds::default(),
            pending: Mutex::new(HashMap::new()),
        })
    }

    /// The hosted zone id: configured, else the one public zone of that exact name.
    async fn zone_id(&self, origin: &Name) -> Result<String, ProviderError> {
        if let Some(id) = &self.hosted_zone_id {
            return Ok(id.clone());
        }
        if let Some(id) = self.ids.get(origin) {
            return Ok(id);
        }
        let operation = format!("ListHostedZonesByName {}", origin.to_text());
        let query = vec![
            ("dnsname".to_string(), origin.to_text()),
            ("maxitems".to_string(), "100".to_string()),
        ];
        let body = self
            .client
            .call(Method::GET, "/hostedzonesbyname", &query, None, &operation)
            .await?;
        let list: model::ListHostedZonesByNameResponse =
            quick_xml::de::from_str(&body).map_err(|e| {
                self.client.api.error(
                    ErrorKind::Permanent,
                    &operation,
                    format!("unexpected answer: {e}"),
                )
            })?;
        let wanted = origin.to_text().to_ascii_lowercase();
        let public: Vec<&model::HostedZone> = list
            .hosted_zones
            .zones
            .iter()
            .filter(|z| {
                z.name.to_ascii_lowercase() == wanted
                    || format!("{}.", z.name.to_ascii_lowercase()) == wanted
            })
            .filter(|z| z.config.as_ref().and_then(|c| c.private_zone.as_deref()) != Some("true"))
            .collect();
        let id = match public.as_slice() {
            [] => {
                return Err(self.client.api.error(
                    ErrorKind::ZoneMissing,
                    &operation,
                    format!("no public hosted zone named {} in this account; it may have been deleted, or the account closed", origin.to_text()),
                ));
            }
            [one] => one.id.trim_start_matches("/hostedzone/").to_string(),
            _ => {
                return Err(self.client.api.error(
                    ErrorKind::Permanent,
                    &operation,
                    format!("{} public hosted zones are named {}; set hosted_zone_id in nsync.toml to choose one", public.len(), origin.to_text()),
                ));
            }
        };
        self.ids.remember(origin, id.clone());
        Ok(id)
    }
}

#[async_trait]
impl Provider for Route53 {
    fn name(&self) -> &str {
        &self.client.provider
    }

    fn capabilities(&self) -> &Capabilities {
        // The kind's declaration is the one source: check and verify read it too.
        &kind::KIND.capabilities
    }

    async fn read_zone(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
        let id = self.zone_id(origin).await?;
        let operation = format!("GetHostedZone {id} ({})", origin.to_text());
        let body = self
            .client
            .call(
                Method::GET,
                &format!("/hostedzone/{id}"),
                &[],
                None,
                &operation,
            )
            .await?;
        let hz: model::GetHostedZoneResponse = quick_xml::de::from_str(&body).map_err(|e| {
            self.client.api.error(
                ErrorKind::Permanent,
                &operation,
                format!("unexpected answer: {e}"),
            )
        })?;
        let nameservers = hz
            .delegation_set
            .map(|d| d.name_servers.name_servers)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| {
                Name::from_ascii(format!("{}.", n.trim_end_matches('.')))
                    .ok()
                    .map(|n| n.to_lowercase())
            })
            .collect();
        let mut zone = Zone::new(origin.clone());
        let mut held = Vec::new();
        let mut query: Vec<(String, String)> = vec![("maxitems".into(), "300".into())];
        let mut paging = nsync_http::Paging::default();
        loop {
            let operation = format!("ListResourceRecordSets {id} ({})", origin.to_text());
            let body = self
                .client
                .call(
                    Method::GET,
                    &format!("/hostedzone/{id}/rrset"),
                    &query,
                    None,
                    &operation,
                )
                .await?;
            let page: model::ListResourceRecordSetsResponse = quick_xml::de::from_str(&body)
                .map_err(|e| {
                    self.client.api.error(
                        ErrorKind::Permanent,
                        &operation,
                        format!("unexpected answer: {e}"),
                    )
                })?;
            let (rrsets, page_held) = page_rrsets(&page.sets.sets)
                .map_err(|e| self.client.api.error(ErrorKind::Permanent, &operation, e))?;
            for rrset in rrsets {
                zone.insert(rrset);
            }
            held.extend(page_held);
            if page.is_truncated.as_deref() != Some("true") {
                break;
            }
            paging.next(
                &self.client.provider,
                &operation,
                [&page.next_name, &page.next_type, &page.next_identifier]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
            )?;
            query = vec![("maxitems".into(), "300".into())];
            if let Some(n) = page.next_name {
                query.push(("name".into(), n));
            }
            if let Some(t) = page.next_type {
                query.push(("type".into(), t));
            }
            if let Some(i) = page.next_identifier {
                query.push(("identifier".into(), i));
            }
        }
        Ok(ZoneState {
            zone,
            nameservers,
            notices: Vec::new(),
            held,
            ttl_set_by_provider: Vec::new(),
        })
    }

    async fn apply(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
        let id = self.zone_id(origin).await?;
        let batches = batches(changes);
        let total = batches.len();
        for (i, batch) in batches.into_iter().enumerate() {
            let operation = format!(
                "ChangeResourceRecordSets {id} ({}) batch {}/{total}",
                origin.to_text(),
                i + 1
            );
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeBatch><Comment>nsync sync</Comment><Changes>{}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>",
                batch.join("")
            );
            let answer = self
                .client
                .call(
                    Method::POST,
                    &format!("/hostedzone/{id}/rrset"),
                    &[],
                    Some(body),
                    &operation,
                )
                .await?;
            if let Ok(r) = quick_xml::de::from_str::<model::ChangeResponse>(&answer)
                && r.change_info.status != "INSYNC"
                && let Ok(mut pending) = self.pending.lock()
            {
                pending
                    .entry(origin.clone())
                    .or_default()
                    .push(r.change_info.id.trim_start_matches("/change/").to_string());
            }
        }
        Ok(())
    }

    async fn create_zone(&self, origin: &Name, _nameservers: &[Name]) -> Result<(), ProviderError> {
        let operation = format!("CreateHostedZone {}", origin.to_text());
        let reference = format!(
            "nsync-{}-{}",
            origin.to_text(),
            nsync_core::clock::timestamp(std::time::SystemTime::now())
        );
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateHostedZoneRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Name>{}</Name><CallerReference>{}</CallerReference><HostedZoneConfig><Comment>created by nsync sync --create-missing</Comment><PrivateZone>false</PrivateZone></HostedZoneConfig></CreateHostedZoneRequest>",
            xml_escape(&origin.to_text()),
            xml_escape(&reference)
        );
        let answer = self
            .client
            .call(Method::POST, "/hostedzone", &[], Some(body), &operation)
            .await?;
        if let Ok(created) = quick_xml::de::from_str::<model::CreateHostedZoneResponse>(&answer) {
            self.ids.remember(
                origin,
                created.hosted_zone.id.trim_start_matches("/hostedzone/"),
            );
        }
        Ok(())
    }

    /// GetChange for each change written to `origin` until all are INSYNC.
    async fn settle(&self, origin: &Name) -> Result<(), ProviderError> {
        let ids = self
            .pending
            .lock()
            .map(|mut p| p.remove(origin).unwrap_or_default())
            .unwrap_or_default();
        for id in ids {
            let operation = format!("GetChange {id} ({})", origin.to_text());
            loop {
                let answer = self
                    .client
                    .call(Method::GET, &format!("/change/{id}"), &[], None, &operation)
                    .await?;
                let status = quick_xml::de::from_str::<model::ChangeResponse>(&answer)
                    .map(|r| r.change_info.status)
                    .map_err(|e| {
                        ProviderError::new(
                            ErrorKind::Permanent,
                            &self.client.provider,
                            &operation,
                            format!("the answer is not a GetChange response: {e}"),
                        )
                    })?;
                if status == "INSYNC" {
                    break;
                }
                tokio::time::sleep(SETTLE_PAUSE).await;
            }
        }
        Ok(())
    }
}

/// The rrsets nsync manages in one page of ListResourceRecordSets, and those Route 53
/// holds through a feature nsync cannot write (aliases, routing policies): the reader of
/// Route 53's answers, apart from the network so that it can be fuzzed.
pub fn page_rrsets(
    sets: &[model::ResourceRecordSet],
) -> Result<(Vec<Rrset>, Vec<HeldRrset>), String> {
    let root = Name::root();
    let mut out = Vec::new();
    let mut held = Vec::new();
    for set in sets {
        let Some(rtype) = managed_type(&set.rtype) else {
            continue;
        };
        // Read as a master file's name, so `\056` is a dot inside a label.
        let name = absolute_owner(&octal_to_decimal(&set.name))
            .map_err(|e| format!("owner {}: {e}", set.name))?;
        if let Some(feature) = set.feature() {
            held.push(HeldRrset {
                name: name.to_lowercase(),
                rtype,
                feature,
            });
            continue;
        }
        let mut rdata = Vec::new();
        for r in set.records.iter().flat_map(|r| &r.records) {
            // Route 53's names are absolute, with or without the final dot.
            let value = octal_to_decimal(&r.value);
            let d = parse_rdata_text(rtype, &value, &root)
                .map_err(|e| format!("{} {} `{}`: {e}", set.name, set.rtype, r.value))?;
            rdata.push(d);
        }
        if !rdata.is_empty() {
            out.push(Rrset::new(name, rtype, set.ttl.unwrap_or(0), rdata));
        }
    }
    Ok((out, held))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page as ListResourceRecordSets answers it (API reference examples): a plain
    /// set, an alias, a weighted pair and a failover alias.
    #[test]
    fn aliases_and_routing_policies_are_held_not_read_nor_skipped() {
        let xml = r#"<ListResourceRecordSetsResponse><ResourceRecordSets>
<ResourceRecordSet><Name>www.example.com.</Name><Type>A</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
<ResourceRecordSet><Name>example.com.</Name><Type>A</Type><AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId><DNSName>dualstack.lb-1.us-east-1.elb.amazonaws.com.</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget></ResourceRecordSet>
<ResourceRecordSet><Name>api.example.com.</Name><Type>A</Type><SetIdentifier>eu</SetIdentifier><Weight>70</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.10</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
<ResourceRecordSet><Name>api.example.com.</Name><Type>A</Type><SetIdentifier>us</SetIdentifier><Weight>30</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.20</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>
<ResourceRecordSet><Name>app.example.com.</Name><Type>A</Type><SetIdentifier>primary</SetIdentifier><Failover>PRIMARY</Failover><AliasTarget><HostedZoneId>Z2</HostedZoneId><DNSName>primary.example.net.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget></ResourceRecordSet>
</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#;
        let page: model::ListResourceRecordSetsResponse = quick_xml::de::from_str(xml).unwrap();
        let (rrsets, held) = page_rrsets(&page.sets.sets).unwrap();
        assert_eq!(rrsets.len(), 1, "{rrsets:?}");
        assert_eq!(rrsets[0].name.to_ascii(), "www.example.com.");
        let features: Vec<(String, String)> = held
            .iter()
            .map(|h| (h.name.to_ascii(), h.feature.clone()))
            .collect();
        assert_eq!(
            features,
            [
                (
                    "example.com.".to_string(),
                    "an alias to dualstack.lb-1.us-east-1.elb.amazonaws.com.".to_string()
                ),
                (
                    "api.example.com.".to_string(),
                    "weighted routing policy, set eu".to_string()
                ),
                (
                    "api.example.com.".to_string(),
                    "weighted routing policy, set us".to_string()
                ),
                (
                    "app.example.com.".to_string(),
                    "an alias to primary.example.net. (failover routing policy, set primary)"
                        .to_string()
                ),
            ]
        );
    }
}
