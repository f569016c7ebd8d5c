//! nsync provider `route53`: Amazon Route 53. Finds the zone by name (public zones only),
//! reads its rrsets page by page, and writes with ChangeResourceRecordSets in batches of
//! at most 1,000 values and 32,000 characters (an UPSERT counts twice). Route 53 owns the
//! apex SOA; alias and routing-policy rrsets are left alone.

pub mod client;
#[cfg(feature = "testkit")]
pub mod fixture;
pub mod kind;
pub mod model;
pub mod sigv4;

pub use kind::KIND;

use nsync_core::name::NameText;
use std::collections::HashMap;
use std::sync::Mutex;

use hickory_proto::rr::Name;
use nsync_core::name::absolute_owner;
use nsync_core::provider::{
    BoxFuture, Capabilities, Change, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState,
};
use nsync_core::rdata::{managed_type, parse_rdata_text};
use nsync_core::settings::Settings;
use nsync_core::zone::{Rrset, Zone};
use nsync_http::reqwest::Method;

use client::Client;

pub const CAPABILITIES: Capabilities = Capabilities::FULL.with_batch(MAX_BATCH_VALUES);

/// Per ChangeResourceRecordSets request (an UPSERT's values count twice).
pub const MAX_BATCH_VALUES: usize = 1000;
pub const MAX_BATCH_CHARS: usize = 32_000;

pub struct Route53 {
    client: Client,
    hosted_zone_id: Option<String>,
    ids: nsync_http::ZoneIds,
    /// Changes written per zone that Route 53 last reported PENDING: `settle` waits for them.
    pending: Mutex<HashMap<Name, Vec<String>>>,
}

/// Between two GetChange calls. AWS: changes usually reach every nameserver within 60 s.
const SETTLE_PAUSE: std::time::Duration = std::time::Duration::from_secs(2);

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Route 53 writes escapes in octal (`\052` is `*`); nsync's presentation format, like
/// RFC 1035, in decimal. These two convert between them.
/// A name as Route 53 takes it: every octet other than a-z, 0-9, `-` and `_` as a
/// three-digit octal escape (AWS: "DNS domain name format"), so `a\.b` is `a\056b` and
/// `\@` is `\100`; a wildcard label stays `*`.
pub fn route53_name(name: &Name) -> String {
    if name.is_root() {
        return ".".into();
    }
    let mut out = String::new();
    for (i, label) in name.iter().enumerate() {
        if i == 0 && label == b"*" {
            out.push('*');
        } else {
            for b in label.iter().map(u8::to_ascii_lowercase) {
                if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("\\{b:03o}"));
                }
            }
        }
        out.push('.');
    }
    out
}

pub fn octal_to_decimal(s: &str) -> String {
    convert_escapes(s, 8, 10)
}

pub fn decimal_to_octal(s: &str) -> String {
    convert_escapes(s, 10, 8)
}

fn convert_escapes(s: &str, from: u32, to: u32) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 4 <= b.len()
            && b[i + 1..i + 4].iter().all(|c| c.is_ascii_digit())
            && let Ok(v) = u32::from_str_radix(&s[i + 1..i + 4], from)
            && v <= 255
        {
            out.push_str(&if to == 8 {
                format!("\\{v:03o}")
            } else {
                format!("\\{v:03}")
            });
            i += 4;
            continue;
        }
        if b[i] == b'\\' && i + 1 < b.len() {
            out.push_str(&s[i..i + 1 + s[i + 1..].chars().next().map_or(0, char::len_utf8)]);
            i += 1 + s[i + 1..].chars().next().map_or(0, char::len_utf8);
            continue;
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

impl Route53 {
    pub fn from_settings(name: &str, settings: &Settings) -> Result<Self, ProviderError> {
        let akid = settings.require_secret(name, "access_key_id")?;
        let secret = settings.require_secret(name, "secret_access_key")?;
        let token = settings.resolve_secret(name, "session_token")?;
        let endpoint = settings.str("endpoint").unwrap_or(client::DEFAULT_ENDPOINT);
        nsync_http::endpoint::require(name, "endpoint", endpoint, false)?;
        Ok(Route53 {
            client: Client::new(name, endpoint, akid, secret, token)?,
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
                self.client.error(
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
                return Err(self.client.error(
                    ErrorKind::ZoneMissing,
                    &operation,
                    format!("no public hosted zone named {} in this account; it may have been deleted, or the account closed", origin.to_text()),
                ));
            }
            [one] => one.id.trim_start_matches("/hostedzone/").to_string(),
            _ => {
                return Err(self.client.error(
                    ErrorKind::Permanent,
                    &operation,
                    format!("{} public hosted zones are named {}; set hosted_zone_id in nsync.toml to choose one", public.len(), origin.to_text()),
                ));
            }
        };
        self.ids.remember(origin, id.clone());
        Ok(id)
    }

    async fn read(&self, origin: &Name) -> Result<ZoneState, ProviderError> {
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
            self.client.error(
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
        let mut query: Vec<(String, String)> = vec![("maxitems".into(), "300".into())];
        let root = Name::root();
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
                    self.client.error(
                        ErrorKind::Permanent,
                        &operation,
                        format!("unexpected answer: {e}"),
                    )
                })?;
            for set in page.sets.sets {
                // Aliases and routing policies are Route 53 features nsync does not manage.
                if set.alias_target.is_some() || set.set_identifier.is_some() {
                    continue;
                }
                let Some(rtype) = managed_type(&set.rtype) else {
                    continue;
                };
                // Read as a master file's name, so `\056` is a dot inside a label.
                let name = absolute_owner(&octal_to_decimal(&set.name)).map_err(|e| {
                    self.client.error(
                        ErrorKind::Permanent,
                        &operation,
                        format!("owner {}: {e}", set.name),
                    )
                })?;
                let mut rdata = Vec::new();
                for r in set.records.map(|r| r.records).unwrap_or_default() {
                    // Route 53's names are absolute, with or without the final dot.
                    let value = octal_to_decimal(&r.value);
                    let d = parse_rdata_text(rtype, &value, &root).map_err(|e| {
                        self.client.error(
                            ErrorKind::Permanent,
                            &operation,
                            format!("{} {} `{}`: {e}", set.name, set.rtype, r.value),
                        )
                    })?;
                    rdata.push(d);
                }
                if !rdata.is_empty() {
                    zone.insert(Rrset::new(name, rtype, set.ttl.unwrap_or(0), rdata));
                }
            }
            if page.is_truncated.as_deref() != Some("true") {
                break;
            }
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
        })
    }

    async fn write(&self, origin: &Name, changes: &ChangeSet) -> Result<(), ProviderError> {
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

    /// GetChange for each change written to `origin` until all are INSYNC.
    async fn wait_insync(&self, origin: &Name) -> Result<(), ProviderError> {
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

    async fn create(&self, origin: &Name) -> Result<(), ProviderError> {
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
}

fn change_xml(action: &str, r: &Rrset) -> (String, usize, usize) {
    let values: Vec<String> = r.values().iter().map(|v| decimal_to_octal(v)).collect();
    let chars: usize = values.iter().map(String::len).sum();
    let records: String = values
        .iter()
        .map(|v| {
            format!(
                "<ResourceRecord><Value>{}</Value></ResourceRecord>",
                xml_escape(v)
            )
        })
        .collect();
    let xml = format!(
        "<Change><Action>{action}</Action><ResourceRecordSet><Name>{}</Name><Type>{}</Type><TTL>{}</TTL><ResourceRecords>{records}</ResourceRecords></ResourceRecordSet></Change>",
        xml_escape(&route53_name(&r.name)),
        r.rtype,
        r.ttl
    );
    // Route 53 counts an UPSERT's values and characters twice.
    let weight = if action == "UPSERT" { 2 } else { 1 };
    (xml, values.len() * weight, chars * weight)
}

/// The change set as ChangeResourceRecordSets batches: deletions first, then UPSERTs
/// (which, unlike CREATE, never trip over an rrset that already exists).
pub fn batches(changes: &ChangeSet) -> Vec<Vec<String>> {
    let mut ordered = Vec::new();
    for c in &changes.changes {
        if let Change::Delete(r) = c {
            ordered.push(change_xml("DELETE", r));
        }
    }
    for c in &changes.changes {
        match c {
            Change::Create(r) | Change::Update { to: r, .. } => {
                ordered.push(change_xml("UPSERT", r))
            }
            Change::Delete(_) => {}
        }
    }
    let mut out: Vec<Vec<String>> = Vec::new();
    let (mut values, mut chars) = (0, 0);
    for (xml, v, c) in ordered {
        if out.is_empty() || values + v > MAX_BATCH_VALUES || chars + c > MAX_BATCH_CHARS {
            out.push(Vec::new());
            values = 0;
            chars = 0;
        }
        values += v;
        chars += c;
        if let Some(last) = out.last_mut() {
            last.push(xml);
        }
    }
    out
}

impl Provider for Route53 {
    fn name(&self) -> &str {
        &self.client.provider
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
            self.write(origin, changes).await
        })
    }

    fn create_zone<'a>(
        &'a self,
        origin: &'a Name,
        _nameservers: &'a [Name],
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.create(origin))
    }

    fn settle<'a>(&'a self, origin: &'a Name) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.wait_insync(origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::RecordType;

    #[test]
    fn names_are_written_with_octal_escapes() {
        let n = |s: &str| {
            nsync_core::name::parse_name_in(s, &Name::root(), nsync_core::name::NameSyntax::Master)
                .unwrap()
        };
        assert_eq!(
            route53_name(&n("a\\.b.example.test.")),
            "a\\056b.example.test."
        );
        assert_eq!(route53_name(&n("\\@.example.test.")), "\\100.example.test.");
        assert_eq!(
            route53_name(&n("*.x_y-z.example.test.")),
            "*.x_y-z.example.test."
        );
    }

    #[test]
    fn escapes_convert_between_octal_and_decimal() {
        assert_eq!(octal_to_decimal("\\052.example.com."), "\\042.example.com.");
        assert_eq!(decimal_to_octal("\"caf\\195\\169\""), "\"caf\\303\\251\"");
        assert_eq!(
            decimal_to_octal("\"a \\\" b \\\\ c\""),
            "\"a \\\" b \\\\ c\""
        );
        assert_eq!(octal_to_decimal(&decimal_to_octal("x\\255y")), "x\\255y");
    }

    #[test]
    fn batches_respect_values_and_upsert_weight() {
        let origin = Name::from_ascii("example.test.").unwrap();
        let a = |i: usize| {
            let d = parse_rdata_text(RecordType::A, "192.0.2.1", &origin).unwrap();
            Rrset::new(
                Name::from_ascii(format!("h{i}.example.test.")).unwrap(),
                RecordType::A,
                300,
                vec![d],
            )
        };
        let changes = ChangeSet {
            changes: (0..1200).map(|i| Change::Create(a(i))).collect(),
        };
        let b = batches(&changes);
        assert_eq!(
            b.iter().map(Vec::len).collect::<Vec<_>>(),
            [500, 500, 200],
            "UPSERTs count twice"
        );
        let deletes = ChangeSet {
            changes: (0..1200).map(|i| Change::Delete(a(i))).collect(),
        };
        assert_eq!(
            batches(&deletes).iter().map(Vec::len).collect::<Vec<_>>(),
            [1000, 200]
        );
    }
}
