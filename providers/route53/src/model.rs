//! Route 53's REST-XML shapes, as far as nsync reads them
//! (https://docs.aws.amazon.com/Route53/latest/APIReference/).

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ListHostedZonesByNameResponse {
    #[serde(rename = "HostedZones", default)]
    pub hosted_zones: HostedZones,
}

#[derive(Debug, Default, Deserialize)]
pub struct HostedZones {
    #[serde(rename = "HostedZone", default)]
    pub zones: Vec<HostedZone>,
}

#[derive(Debug, Deserialize)]
pub struct HostedZone {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Config", default)]
    pub config: Option<HostedZoneConfig>,
}

#[derive(Debug, Deserialize)]
pub struct HostedZoneConfig {
    #[serde(rename = "PrivateZone", default)]
    pub private_zone: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct GetHostedZoneResponse {
    #[serde(rename = "DelegationSet", default)]
    pub delegation_set: Option<DelegationSet>,
}

#[derive(Debug, Deserialize)]
pub struct CreateHostedZoneResponse {
    #[serde(rename = "HostedZone")]
    pub hosted_zone: HostedZone,
}

#[derive(Debug, Deserialize)]
pub struct DelegationSet {
    #[serde(rename = "NameServers", default)]
    pub name_servers: NameServers,
}

#[derive(Debug, Default, Deserialize)]
pub struct NameServers {
    #[serde(rename = "NameServer", default)]
    pub name_servers: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct ListResourceRecordSetsResponse {
    #[serde(rename = "ResourceRecordSets", default)]
    pub sets: ResourceRecordSets,
    #[serde(rename = "IsTruncated", default)]
    pub is_truncated: Option<String>,
    #[serde(rename = "NextRecordName", default)]
    pub next_name: Option<String>,
    #[serde(rename = "NextRecordType", default)]
    pub next_type: Option<String>,
    #[serde(rename = "NextRecordIdentifier", default)]
    pub next_identifier: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ResourceRecordSets {
    #[serde(rename = "ResourceRecordSet", default)]
    pub sets: Vec<ResourceRecordSet>,
}

#[derive(Debug, Deserialize)]
pub struct ResourceRecordSet {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Type")]
    pub rtype: String,
    #[serde(rename = "TTL", default)]
    pub ttl: Option<u32>,
    #[serde(rename = "ResourceRecords", default)]
    pub records: Option<ResourceRecords>,
    #[serde(rename = "AliasTarget", default)]
    pub alias_target: Option<AliasTarget>,
    #[serde(rename = "SetIdentifier", default)]
    pub set_identifier: Option<String>,
    /// The routing policy of a set with a SetIdentifier: which of these it carries.
    #[serde(rename = "Weight", default)]
    pub weight: Option<String>,
    #[serde(rename = "Region", default)]
    pub region: Option<String>,
    #[serde(rename = "Failover", default)]
    pub failover: Option<String>,
    #[serde(rename = "GeoLocation", default)]
    pub geo_location: Option<serde::de::IgnoredAny>,
    #[serde(rename = "GeoProximityLocation", default)]
    pub geo_proximity: Option<serde::de::IgnoredAny>,
    #[serde(rename = "MultiValueAnswer", default)]
    pub multi_value: Option<String>,
    #[serde(rename = "CidrRoutingConfig", default)]
    pub cidr: Option<serde::de::IgnoredAny>,
}

/// An alias's target (API reference, `AliasTarget`): what it answers with.
#[derive(Debug, Deserialize)]
pub struct AliasTarget {
    #[serde(rename = "DNSName", default)]
    pub dns_name: String,
}

impl ResourceRecordSet {
    /// The Route 53 feature that makes this set one nsync cannot write, if any: an alias,
    /// or a routing policy (weighted, latency, failover, geolocation, geoproximity,
    /// multivalue answer, IP-based), each named as the console names it.
    pub fn feature(&self) -> Option<String> {
        let policy = if self.weight.is_some() {
            "weighted"
        } else if self.region.is_some() {
            "latency"
        } else if self.failover.is_some() {
            "failover"
        } else if self.geo_location.is_some() {
            "geolocation"
        } else if self.geo_proximity.is_some() {
            "geoproximity"
        } else if self.multi_value.is_some() {
            "multivalue answer"
        } else if self.cidr.is_some() {
            "IP-based"
        } else {
            "routing"
        };
        let routing = self
            .set_identifier
            .as_ref()
            .map(|id| format!("{policy} routing policy, set {id}"));
        let alias = self
            .alias_target
            .as_ref()
            .map(|a| format!("an alias to {}", a.dns_name));
        match (alias, routing) {
            (Some(a), Some(r)) => Some(format!("{a} ({r})")),
            (a, r) => a.or(r),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ResourceRecords {
    #[serde(rename = "ResourceRecord", default)]
    pub records: Vec<ResourceRecord>,
}

#[derive(Debug, Deserialize)]
pub struct ResourceRecord {
    #[serde(rename = "Value")]
    pub value: String,
}

/// `<ErrorResponse><Error><Code>..` (REST-XML) or `<ErrorResponse><Errors><Error>..`
/// (query protocol, seen from auth failures).
#[derive(Debug, Deserialize)]
pub struct ErrorResponse {
    #[serde(rename = "Error", default)]
    pub error: Option<ErrorDetail>,
    #[serde(rename = "Errors", default)]
    pub errors: Option<Errors>,
}

#[derive(Debug, Deserialize)]
pub struct Errors {
    #[serde(rename = "Error", default)]
    pub error: Option<ErrorDetail>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    #[serde(rename = "Code", default)]
    pub code: String,
    #[serde(rename = "Message", default)]
    pub message: String,
}

/// `<InvalidChangeBatch><Messages><Message>..`: how AWS reports a rejected change batch.
#[derive(Debug, Deserialize)]
pub struct InvalidChangeBatch {
    #[serde(rename = "Messages", default)]
    pub messages: Messages,
}

#[derive(Debug, Default, Deserialize)]
pub struct Messages {
    #[serde(rename = "Message", default)]
    pub messages: Vec<String>,
}

/// An API error as nsync reads it from either body shape.
pub fn parse_error(body: &str) -> (String, String) {
    if body.contains("<InvalidChangeBatch")
        && let Ok(b) = quick_xml::de::from_str::<InvalidChangeBatch>(body)
    {
        return ("InvalidChangeBatch".into(), b.messages.messages.join("; "));
    }
    if let Ok(e) = quick_xml::de::from_str::<ErrorResponse>(body)
        && let Some(d) = e.error.or(e.errors.and_then(|e| e.error))
    {
        return (d.code, d.message);
    }
    (String::new(), body.trim().chars().take(300).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_error_shapes() {
        let moto = r#"<?xml version="1.0" encoding="utf-8"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: ZNOPE</Message><message>No hosted zone found with ID: ZNOPE</message></Error><RequestId>5rZ</RequestId></ErrorResponse>"#;
        assert_eq!(
            parse_error(moto),
            (
                "NoSuchHostedZone".into(),
                "No hosted zone found with ID: ZNOPE".into()
            )
        );
        let aws = r#"<InvalidChangeBatch xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Messages><Message>Tried to create resource record set duplicate.example.com. type A, but it already exists</Message></Messages><RequestId>x</RequestId></InvalidChangeBatch>"#;
        let (code, msg) = parse_error(aws);
        assert_eq!(code, "InvalidChangeBatch");
        assert!(msg.contains("already exists"));
        let query = "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message><Type>Sender</Type></Error></Errors></ErrorResponse>";
        assert_eq!(parse_error(query).0, "SignatureDoesNotMatch");
    }

    #[test]
    fn record_sets_with_paging() {
        let xml = r#"<ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet><Name>raw.test.</Name><Type>TXT</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>"a"</Value></ResourceRecord><ResourceRecord><Value>"b &amp; c"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet><ResourceRecordSet><Name>alias.raw.test.</Name><Type>A</Type><AliasTarget><HostedZoneId>Z</HostedZoneId><DNSName>x.</DNSName></AliasTarget></ResourceRecordSet></ResourceRecordSets><IsTruncated>true</IsTruncated><NextRecordName>raw.test.</NextRecordName><NextRecordType>TXT</NextRecordType><MaxItems>2</MaxItems></ListResourceRecordSetsResponse>"#;
        let r: ListResourceRecordSetsResponse = quick_xml::de::from_str(xml).unwrap();
        assert_eq!(r.sets.sets.len(), 2);
        assert_eq!(
            r.sets.sets[0].records.as_ref().unwrap().records[1].value,
            "\"b & c\""
        );
        assert!(r.sets.sets[1].alias_target.is_some());
        assert_eq!(r.is_truncated.as_deref(), Some("true"));
        assert_eq!(r.next_type.as_deref(), Some("TXT"));
    }
}

/// ChangeResourceRecordSets' and GetChange's answer: the change and whether it is live.
#[derive(Debug, Deserialize)]
pub struct ChangeResponse {
    #[serde(rename = "ChangeInfo")]
    pub change_info: ChangeInfo,
}

#[derive(Debug, Deserialize)]
pub struct ChangeInfo {
    #[serde(rename = "Id")]
    pub id: String,
    /// `PENDING`, then `INSYNC` once every Route 53 nameserver serves the change.
    #[serde(rename = "Status")]
    pub status: String,
}
