//! A FAKE Azure DNS (Azure Resource Manager) API and Entra ID token endpoint for tests:
//! Microsoft ships no emulator of Azure DNS, so this in-repo server follows the Azure DNS
//! REST reference for api-version 2018-05-01
//! (https://learn.microsoft.com/en-us/rest/api/dns/: Zones get/create-or-update, Record
//! Sets list-by-dns-zone, create-or-update, delete), ARM's conventions (ETags with
//! `If-Match`/`If-None-Match`, 412 `PreconditionFailed`, `nextLink` paging, the
//! `{"error": {"code", "message"}}` body; Microsoft.Network's budgets (1000 writes and
//! 10000 reads per 5 minutes) told in `x-ms-ratelimit-remaining-subscription-resource-
//! requests` and `-resource-entities-read` (lists), 429 with Retry-After when spent:
//! https://learn.microsoft.com/azure/azure-resource-manager/management/
//! request-limits-and-throttling) and the
//! client-credentials grant (https://learn.microsoft.com/entra/identity-platform/
//! v2-oauth2-client-creds-grant-flow). Two listeners: the token endpoint
//! (`/{tenant}/oauth2/v2.0/token`) and ARM. A new zone holds its SOA and Azure's four NS;
//! the apex NS cannot lose them (400) and cannot be deleted; subscription and resource
//! group are matched exactly (404 `SubscriptionNotFound`, `ResourceGroupNotFound`);
//! `api-version` must be 2018-05-01.
//! A PUT replaces the record set whole, `metadata` included (absent: gone). A null MX and
//! an empty TXT are refused (DNSControl's providers/azuredns/auditrecords.go).
//! Not reproduced: alias record sets' resolution (a `targetResource` a test stores is
//! served as stored), private zones, the record-set limits per zone, the global
//! throttling limit, tags.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nsync_testkit::fixture::{Field, Fields};
use nsync_testkit::http_fake::{self, Knobbed, Knobs, Request, Response};
use serde_json::{Value, json};

pub const NAME_SERVERS: [&str; 4] = [
    "ns1-01.azure-dns.com.",
    "ns2-01.azure-dns.net.",
    "ns3-01.azure-dns.org.",
    "ns4-01.azure-dns.info.",
];
pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";
pub const SUBSCRIPTION: &str = "00000000-1111-2222-3333-444444444444";

#[derive(Clone, Debug)]
pub struct RecordSet {
    pub name: String,
    pub rtype: String,
    pub etag: String,
    pub properties: Value,
}

/// Each type's record list in a record set's `properties` (API version 2018-05-01,
/// azure-rest-api-specs dns.json `RecordSetProperties`), and its fields in presentation
/// order. CNAME is one object, not a list.
const RECORD_LISTS: &[(&str, &str, Fields)] = &[
    ("A", "ARecords", &[("ipv4Address", Field::Word)]),
    ("AAAA", "AAAARecords", &[("ipv6Address", Field::Word)]),
    ("CNAME", "CNAMERecord", &[("cname", Field::Host)]),
    (
        "MX",
        "MXRecords",
        &[("preference", Field::Num), ("exchange", Field::Host)],
    ),
    ("NS", "NSRecords", &[("nsdname", Field::Host)]),
    ("PTR", "PTRRecords", &[("ptrdname", Field::Host)]),
    (
        "SRV",
        "SRVRecords",
        &[
            ("priority", Field::Num),
            ("weight", Field::Num),
            ("port", Field::Num),
            ("target", Field::Host),
        ],
    ),
    ("TXT", "TXTRecords", &[("value", Field::Texts)]),
    (
        "CAA",
        "CAARecords",
        &[
            ("flags", Field::Num),
            ("tag", Field::Word),
            ("value", Field::Text),
        ],
    ),
];

/// The zone `origin` as this fake holds it, read from each record set's typed properties
/// by the fake's own table (the conformance suite's independent view of what a step
/// wrote).
pub fn stored_zone(state: &Control, origin: &nsync_core::Name) -> nsync_core::zone::Zone {
    use nsync_testkit::fixture::{present, stored_name, zone_from_presentations};
    let s = state.lock().unwrap();
    let name = origin.to_ascii();
    let name = name.trim_end_matches('.');
    let sets: Vec<_> = s
        .zones
        .iter()
        .filter(|z| z.name == name)
        .flat_map(|z| &z.sets)
        .filter_map(|set| {
            let (_, key, fields) = RECORD_LISTS.iter().find(|(t, _, _)| *t == set.rtype)?;
            let list = &set.properties[*key];
            let texts = match list.as_array() {
                Some(items) => items.iter().map(|v| present(fields, v)).collect(),
                None => vec![present(fields, list)],
            };
            Some((
                stored_name(&set.name, origin, true),
                set.rtype.parse().expect("a stored type"),
                set.properties["TTL"].as_u64().unwrap_or_default() as u32,
                texts,
            ))
        })
        .collect();
    drop(s);
    zone_from_presentations(origin, sets)
}

pub struct DnsZone {
    pub name: String,
    pub sets: Vec<RecordSet>,
}

pub struct State {
    pub client_secret: String,
    pub resource_group: String,
    pub zones: Vec<DnsZone>,
    pub knobs: Knobs,
    tokens: Vec<(String, Instant)>,
    pub token_lifetime: Duration,
    pub token_requests: usize,
    next_etag: u64,
    /// Answers 412 because an ETag did not match.
    pub precondition_failed: usize,
    /// Someone else edits this record set (zone, name, type) just before nsync's next
    /// write arrives: between nsync's read and its write.
    pub edit_before_write: Option<(String, String, String)>,
    pub writes: usize,
    /// Microsoft.Network's own budgets, which Azure DNS answers with instead of ARM's
    /// subscription reads/writes: writes and deletes, reads of one resource, and lists.
    pub budgets: [Bucket; 3],
    /// Requests answered 429 because their budget was spent.
    pub throttled: usize,
}

/// A token bucket as ARM throttles (the 2024 regional token-bucket algorithm): `size`
/// tokens, refilled evenly over `refill`.
#[derive(Clone, Debug)]
pub struct Bucket {
    pub size: f64,
    pub refill: Duration,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub fn new(size: u32, refill: Duration) -> Bucket {
        Bucket {
            size: size as f64,
            refill,
            tokens: size as f64,
            at: Instant::now(),
        }
    }

    /// Takes a token if one is there; the tokens left after.
    fn take(&mut self) -> Option<u64> {
        let now = Instant::now();
        let rate = self.size / self.refill.as_secs_f64().max(0.001);
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * rate).min(self.size);
        self.at = now;
        if self.tokens < 1.0 {
            return None;
        }
        self.tokens -= 1.0;
        Some(self.tokens as u64)
    }
}

/// Microsoft.Network's documented limits are 1000 writes/deletes and 10000 reads per 5
/// minutes (request-limits-and-throttling, "Network throttling"); by default this fake
/// gives far more, as the suite's 1,201-rrset steps would otherwise take minutes. Tests
/// of pacing set small ones.
fn network_budgets() -> [Bucket; 3] {
    let five_minutes = Duration::from_secs(300);
    [
        Bucket::new(1_000_000, five_minutes),
        Bucket::new(1_000_000, five_minutes),
        Bucket::new(1_000_000, five_minutes),
    ]
}

impl Default for State {
    fn default() -> State {
        State {
            client_secret: "azure-test-secret".into(),
            resource_group: "DNS-Zones".into(),
            zones: Vec::new(),
            knobs: Knobs::default(),
            tokens: Vec::new(),
            token_lifetime: Duration::from_secs(3599),
            token_requests: 0,
            next_etag: 0,
            precondition_failed: 0,
            edit_before_write: None,
            writes: 0,
            budgets: network_budgets(),
            throttled: 0,
        }
    }
}

pub type Control = Arc<Mutex<State>>;

impl State {
    fn etag(&mut self) -> String {
        self.next_etag += 1;
        format!(
            "{:08x}-0000-4000-8000-{:012x}",
            self.next_etag,
            self.next_etag * 7919
        )
    }

    /// A zone as Azure creates it: its SOA and Azure's four NS at the apex.
    pub fn add_zone(&mut self, name: &str) {
        let (e1, e2) = (self.etag(), self.etag());
        self.zones.push(DnsZone {
            name: name.into(),
            sets: vec![
                RecordSet {
                    name: "@".into(),
                    rtype: "NS".into(),
                    etag: e1,
                    properties: json!({"TTL": 172800, "NSRecords": NAME_SERVERS.iter().map(|n| json!({"nsdname": n})).collect::<Vec<_>>()}),
                },
                RecordSet {
                    name: "@".into(),
                    rtype: "SOA".into(),
                    etag: e2,
                    properties: json!({"TTL": 3600, "SOARecord": {"host": NAME_SERVERS[0], "email": "azuredns-hostmaster.microsoft.com", "serialNumber": 1, "refreshTime": 3600, "retryTime": 300, "expireTime": 2419200, "minimumTTL": 300}}),
                },
            ],
        });
    }

    /// Someone else edits a record set (its TTL, so its ETag moves): nsync's next write
    /// to it, planned from an earlier read, must be refused.
    pub fn concurrent_edit(&mut self, zone: &str, name: &str, rtype: &str) {
        let etag = self.etag();
        if let Some(set) = self
            .zones
            .iter_mut()
            .find(|z| z.name == zone)
            .and_then(|z| {
                z.sets
                    .iter_mut()
                    .find(|s| s.name == name && s.rtype == rtype)
            })
        {
            set.properties["TTL"] = json!(7777);
            set.etag = etag;
        }
    }
}

fn error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message}})
}

fn set_json(zone: &str, s: &RecordSet) -> Value {
    let mut p = s.properties.clone();
    p["fqdn"] = json!(if s.name == "@" {
        format!("{zone}.")
    } else {
        format!("{}.{zone}.", s.name)
    });
    json!({
        "id": format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/dnszones/{zone}/{}/{}", s.rtype, s.name),
        "name": s.name, "type": format!("Microsoft.Network/dnszones/{}", s.rtype),
        "etag": s.etag, "properties": p,
    })
}

const TYPES: [&str; 9] = ["A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SRV", "TXT"];

fn token_endpoint(state: &Control, request: &Request) -> (u16, Value) {
    let mut s = state.lock().unwrap();
    s.token_requests += 1;
    let segments = request.segments("");
    if segments.len() != 4
        || segments[1..] != ["oauth2", "v2.0", "token"]
        || request.method != "POST"
    {
        return (404, json!({"error": "not_found"}));
    }
    if segments[0] != TENANT {
        return (
            400,
            json!({"error": "invalid_request", "error_description": format!("AADSTS90002: Tenant '{}' not found.\r\nTrace ID: 0", segments[0])}),
        );
    }
    let body = String::from_utf8_lossy(&request.body).to_string();
    let form: Vec<(&str, &str)> = body
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let get = |k| {
        form.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| *v)
            .unwrap_or_default()
    };
    if get("grant_type") != "client_credentials"
        || get("scope") != "https%3A%2F%2Fmanagement.azure.com%2F.default"
    {
        return (
            400,
            json!({"error": "invalid_scope", "error_description": "AADSTS70011: The provided request must include a 'scope' input parameter."}),
        );
    }
    if get("client_id") != CLIENT_ID {
        return (
            400,
            json!({"error": "unauthorized_client", "error_description": format!("AADSTS700016: Application with identifier '{}' was not found in the directory.", get("client_id"))}),
        );
    }
    if get("client_secret") != s.client_secret {
        return (
            401,
            json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 0"}),
        );
    }
    let token = format!("eyJ0eXAiOiJKV1Qi.fake.{}", s.token_requests);
    let lives = s.token_lifetime;
    s.tokens.push((token.clone(), Instant::now() + lives));
    (
        200,
        json!({"token_type": "Bearer", "expires_in": lives.as_secs(), "ext_expires_in": lives.as_secs(), "access_token": token}),
    )
}

fn arm(state: &Control, request: &Request) -> (u16, Vec<(String, String)>, Value) {
    let mut s = state.lock().unwrap();
    match s.knobs.take() {
        Some(Knobbed::RateLimited { retry_after }) => {
            return (
                429,
                vec![("retry-after".into(), retry_after.to_string())],
                error("TooManyRequests", "The request is being throttled."),
            );
        }
        Some(Knobbed::Failing) => {
            return (
                503,
                vec![],
                error(
                    "ServiceUnavailable",
                    "The service is temporarily unavailable.",
                ),
            );
        }
        None => {}
    }
    let write = request.method != "GET";
    if write && let Some((zone, name, rtype)) = s.edit_before_write.take() {
        s.concurrent_edit(&zone, &name, &rtype);
    }
    // Azure DNS overrides ARM's default limits, so its answers carry the resource-type
    // headers, not `-subscription-reads`/`-writes` (request-limits-and-throttling,
    // "Remaining requests"): `-resource-entities-read` on lists (collection requests),
    // `-resource-requests` on the rest. A spent budget is 429 with Retry-After.
    let list = !write && request.path.ends_with("/recordsets");
    let (bucket, header) = match (write, list) {
        (true, _) => (0, "x-ms-ratelimit-remaining-subscription-resource-requests"),
        (false, false) => (1, "x-ms-ratelimit-remaining-subscription-resource-requests"),
        (false, true) => (
            2,
            "x-ms-ratelimit-remaining-subscription-resource-entities-read",
        ),
    };
    let Some(left) = s.budgets[bucket].take() else {
        s.throttled += 1;
        let b = &s.budgets[bucket];
        let wait = (b.refill.as_secs_f64() / b.size).ceil().max(1.0) as u64;
        return (
            429,
            vec![("retry-after".into(), wait.to_string())],
            error(
                "TooManyRequests",
                "The request is being throttled as the limit has been reached for operation type.",
            ),
        );
    };
    let headers = vec![(header.to_string(), left.to_string())];
    let live = request.bearer().map(|t| {
        s.tokens
            .iter()
            .find(|(k, _)| k == t)
            .map(|(_, until)| Instant::now() < *until)
    });
    match live {
        Some(Some(true)) => {}
        Some(Some(false)) => {
            return (
                401,
                headers,
                error(
                    "ExpiredAuthenticationToken",
                    "The access token expiry UTC time is earlier than current UTC time.",
                ),
            );
        }
        _ => {
            return (
                401,
                headers,
                error("InvalidAuthenticationToken", "The access token is invalid."),
            );
        }
    }
    if request.param("api-version") != Some(crate::API_VERSION) {
        return (
            400,
            headers,
            error(
                "InvalidApiVersionParameter",
                "The api-version is invalid. The supported versions are '2018-05-01'.",
            ),
        );
    }
    let segments = request.segments("");
    let (status, answer) = match segments.as_slice() {
        ["subscriptions", sub, ..] if *sub != SUBSCRIPTION => (
            404,
            error(
                "SubscriptionNotFound",
                &format!("The subscription '{sub}' could not be found."),
            ),
        ),
        ["subscriptions", _, "resourceGroups", rg, ..] if *rg != s.resource_group => (
            404,
            error(
                "ResourceGroupNotFound",
                &format!("Resource group '{rg}' could not be found."),
            ),
        ),
        [
            "subscriptions",
            _,
            "resourceGroups",
            _,
            "providers",
            "Microsoft.Network",
            "dnsZones",
            zone,
            rest @ ..,
        ] => {
            let zone = zone.to_string();
            let zi = s.zones.iter().position(|z| z.name == zone);
            match (request.method.as_str(), rest, zi) {
                ("PUT", [], None) => {
                    s.add_zone(&zone);
                    (
                        201,
                        json!({"name": zone, "location": "global", "properties": {"nameServers": NAME_SERVERS, "zoneType": "Public"}}),
                    )
                }
                (_, _, None) => (
                    404,
                    error(
                        "ResourceNotFound",
                        &format!(
                            "The Resource 'Microsoft.Network/dnszones/{zone}' under resource group '{}' was not found.",
                            s.resource_group
                        ),
                    ),
                ),
                ("GET", [], Some(zi)) => (
                    200,
                    json!({"name": zone, "location": "global", "etag": "00000002-0000-0000-0000-000000000000",
                    "properties": {"maxNumberOfRecordSets": 10000, "numberOfRecordSets": s.zones[zi].sets.len(), "nameServers": NAME_SERVERS, "zoneType": "Public"}}),
                ),
                ("GET", ["recordsets"], Some(zi)) => {
                    let top = request
                        .param("$top")
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(100usize)
                        .clamp(1, 1000);
                    let skip: usize = request
                        .param("$skipToken")
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(0);
                    let all = &s.zones[zi].sets;
                    let (chunk, _) = http_fake::page(all, skip / top + 1, top);
                    let mut out = json!({"value": chunk.iter().map(|r| set_json(&zone, r)).collect::<Vec<_>>()});
                    if skip + top < all.len() {
                        let host = request.header("host").unwrap_or("127.0.0.1");
                        out["nextLink"] = json!(format!(
                            "http://{host}{}?api-version={}&$top={top}&$skipToken={}",
                            request.path,
                            crate::API_VERSION,
                            skip + top
                        ));
                    }
                    (200, out)
                }
                (method, [rtype, name], Some(zi)) => {
                    let (rtype, name) = (rtype.to_string(), name.to_string());
                    if !TYPES.contains(&rtype.as_str()) {
                        return (
                            400,
                            headers,
                            error(
                                "BadRequest",
                                &format!("The record type '{rtype}' is not supported."),
                            ),
                        );
                    }
                    let pos = s.zones[zi]
                        .sets
                        .iter()
                        .position(|r| r.name == name && r.rtype == rtype);
                    let current = pos.map(|i| s.zones[zi].sets[i].etag.clone());
                    let if_match = request.header("if-match").map(str::to_string);
                    let if_none = request.header("if-none-match").map(str::to_string);
                    let precondition_ok = match (&if_match, &if_none, &current) {
                        (Some(m), _, Some(c)) => m == c || m == "*",
                        (Some(_), _, None) => false,
                        (None, Some(n), c) => !(n == "*" && c.is_some()),
                        (None, None, _) => true,
                    };
                    if !precondition_ok {
                        s.precondition_failed += 1;
                        return (
                            412,
                            headers,
                            error(
                                "PreconditionFailed",
                                "The condition specified using HTTP conditional header(s) is not met.",
                            ),
                        );
                    }
                    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
                    match method {
                        "GET" => match pos {
                            Some(i) => (200, set_json(&zone, &s.zones[zi].sets[i])),
                            None => (
                                404,
                                error("NotFound", "The resource record set was not found."),
                            ),
                        },
                        "DELETE" => {
                            if name == "@" && rtype == "NS" {
                                (
                                    400,
                                    error(
                                        "BadRequest",
                                        "The NS record set at the zone apex cannot be deleted.",
                                    ),
                                )
                            } else {
                                match pos {
                                    Some(i) => {
                                        s.zones[zi].sets.remove(i);
                                        s.writes += 1;
                                        (200, Value::Null)
                                    }
                                    None => (204, Value::Null),
                                }
                            }
                        }
                        "PUT" => {
                            let props = body["properties"].clone();
                            let ttl = props["TTL"].as_u64().unwrap_or(0);
                            if !(1..=2_147_483_647).contains(&ttl) {
                                return (
                                    400,
                                    headers,
                                    error(
                                        "BadRequest",
                                        "The value for the record set TTL must be between 1 and 2147483647.",
                                    ),
                                );
                            }
                            // DNSControl's Azure audit (auditrecords.go): a null MX and an
                            // empty TXT are refused. The wording is this fake's own.
                            let null_mx =
                                rtype == "MX"
                                    && props["MXRecords"].as_array().into_iter().flatten().any(
                                        |r| {
                                            r["exchange"]
                                                .as_str()
                                                .is_some_and(|e| e.is_empty() || e == ".")
                                        },
                                    );
                            let empty_txt = rtype == "TXT"
                                && props["TXTRecords"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .any(|r| {
                                        r["value"].as_array().is_none_or(|v| {
                                            v.iter().all(|s| s.as_str().is_none_or(str::is_empty))
                                        })
                                    });
                            if null_mx || empty_txt {
                                return (
                                    400,
                                    headers,
                                    error("BadRequest", "The record data is invalid."),
                                );
                            }
                            if name == "@" && rtype == "NS" {
                                let have: Vec<String> = props["NSRecords"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .filter_map(|r| r["nsdname"].as_str())
                                    .map(|n| format!("{}.", n.trim_end_matches('.')))
                                    .collect();
                                if NAME_SERVERS.iter().any(|n| !have.iter().any(|h| h == n)) {
                                    return (
                                        400,
                                        headers,
                                        error(
                                            "BadRequest",
                                            "The NS record set at the zone apex must contain the Azure DNS name servers assigned to the zone.",
                                        ),
                                    );
                                }
                            }
                            let etag = s.etag();
                            s.writes += 1;
                            let set = RecordSet {
                                name: name.clone(),
                                rtype: rtype.clone(),
                                etag,
                                properties: props,
                            };
                            let out = set_json(&zone, &set);
                            match pos {
                                Some(i) => {
                                    s.zones[zi].sets[i] = set;
                                    (200, out)
                                }
                                None => {
                                    s.zones[zi].sets.push(set);
                                    (201, out)
                                }
                            }
                        }
                        _ => (405, error("MethodNotAllowed", "The method is not allowed.")),
                    }
                }
                _ => (404, error("NotFound", "Not found.")),
            }
        }
        _ => (
            404,
            error(
                "InvalidResourceType",
                "The resource type could not be found.",
            ),
        ),
    };
    (status, headers, answer)
}

/// Starts the token endpoint and ARM on 127.0.0.1; returns their base URLs
/// (`authority`, `endpoint`).
pub async fn start(state: Control) -> (String, String) {
    let s2 = state.clone();
    let tokens = http_fake::serve(Arc::new(move |request: &Request| {
        let (status, answer) = token_endpoint(&s2, request);
        Response::json(status, answer.to_string())
    }))
    .await;
    let api = http_fake::serve(Arc::new(move |request: &Request| {
        let (status, headers, answer) = arm(&state, request);
        let body = if answer.is_null() {
            String::new()
        } else {
            answer.to_string()
        };
        let mut response = Response::json(status, body);
        response.headers = headers;
        response
    }))
    .await;
    (format!("http://{tokens}"), format!("http://{api}"))
}
