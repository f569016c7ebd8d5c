//! A FAKE Akamai Edge DNS API for tests: Akamai ships no emulator of Edge DNS, so this
//! in-repo server follows the Edge DNS (Config DNS v2) API reference
//! (https://techdocs.akamai.com/edge-dns/reference: zones, record sets, change lists,
//! data/authorities, errors as RFC 7807 problem details) and EdgeGrid
//! (https://techdocs.akamai.com/developer/docs/authenticate-with-edgegrid): every
//! request's `Authorization` is recomputed from the test credentials, the request's
//! method, host, path, query and body (401 "The signature does not match" otherwise).
//! A zone has one change list at a time (409 when one is open); a change list holds the
//! zone's record sets, replaced whole by `PUT .../recordsets`, applied by `submit` only;
//! secondary zones take no change list (400); the SOA and the apex NS must stay in a
//! change list's record sets (400). A zone made by `POST /zones` holds no record set
//! until a first (empty) change list is submitted, which makes its SOA and NS
//! (DNSControl's akamaiEdgeDnsService.go createZone). TXT rdata holding a double quote or
//! a backslash is refused (400: DNSControl's akamaiedgedns/auditrecords.go, verified
//! 2023-12-12; the message is this fake's own).
//! Not reproduced: zone versions and their history, the `stale` flag, bulk zone
//! operations, TSIG for secondaries, rate-limit headers, timestamps' clock-skew window.

use std::sync::{Arc, Mutex};

use nsync_testkit::http_fake::{self, Knobbed, Knobs, Request, Response};
use serde_json::{Value, json};

use crate::edgegrid;

pub const CLIENT_TOKEN: &str = "akab-client-token-nsync-test";
pub const CLIENT_SECRET: &str = "bnN5bmMtdGVzdC1jbGllbnQtc2VjcmV0LWZha2UtMDE=";
pub const ACCESS_TOKEN: &str = "akab-access-token-nsync-test";
pub const CONTRACT: &str = "1-1NSYNC";
pub const AUTHORITIES: [&str; 3] = ["a1-64.akam.net.", "a7-65.akam.net.", "a12-66.akam.net."];

pub struct EdgeZone {
    pub name: String,
    pub zone_type: String,
    pub sets: Vec<Value>,
    /// The open change list's record sets, if one is open.
    pub change_list: Option<Vec<Value>>,
}

#[derive(Default)]
pub struct State {
    pub zones: Vec<EdgeZone>,
    pub knobs: Knobs,
    pub submissions: usize,
    pub discarded: usize,
    /// Fail the next `PUT .../recordsets` with 500.
    pub fail_next_put: bool,
}

pub type Control = Arc<Mutex<State>>;

impl State {
    /// A zone as Edge DNS holds it once set up: its SOA and the account's nameservers at
    /// the apex.
    pub fn add_zone(&mut self, name: &str, zone_type: &str) {
        self.zones.push(EdgeZone {
            name: name.into(),
            zone_type: zone_type.into(),
            sets: apex_sets(name),
            change_list: None,
        });
    }
}

/// The SOA and NS record sets Edge DNS makes for a zone.
fn apex_sets(name: &str) -> Vec<Value> {
    vec![
        json!({"name": name, "type": "SOA", "ttl": 86400, "rdata": [format!("{} hostmaster.{name}. 1 3600 600 604800 300", AUTHORITIES[0])]}),
        json!({"name": name, "type": "NS", "ttl": 86400, "rdata": AUTHORITIES}),
    ]
}

/// Whether a TXT rdata's text holds a double quote or a backslash (an escaped `\"` or
/// `\\` inside its quoted strings), which Edge DNS refuses.
fn txt_has_quote_or_backslash(rdata: &str) -> bool {
    let mut chars = rdata.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.next(), Some('"' | '\\')) {
            return true;
        }
    }
    false
}

/// The zone `origin` as this fake holds it: each record set's `rdata` is presentation
/// text, read as such (the conformance suite's independent view of what a step wrote).
pub fn stored_zone(state: &Control, origin: &nsync_core::Name) -> nsync_core::zone::Zone {
    use nsync_testkit::fixture::{stored_name, zone_from_presentations};
    let s = state.lock().unwrap();
    let name = origin.to_ascii();
    let name = name.trim_end_matches('.');
    let sets = s
        .zones
        .iter()
        .filter(|z| z.name == name)
        .flat_map(|z| &z.sets)
        .map(|v| {
            let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            let rdata = v["rdata"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect();
            (
                stored_name(&text("name"), origin, false),
                text("type").parse().expect("a stored type"),
                v["ttl"].as_u64().unwrap_or_default() as u32,
                rdata,
            )
        })
        .collect::<Vec<_>>();
    // Read outside the lock: a panic here must not poison the fake for other tests.
    drop(s);
    zone_from_presentations(origin, sets)
}

fn problem(status: u16, title: &str, detail: &str) -> Value {
    json!({"type": format!("https://problems.luna.akamaiapis.net/config-dns/v2/{}", title.to_lowercase().replace(' ', "-")), "title": title, "status": status, "detail": detail})
}

/// EdgeGrid's check, as the gateway does it.
fn signed_right(request: &Request) -> bool {
    let Some(auth) = request.header("authorization") else {
        return false;
    };
    let field = |k: &str| {
        auth.split(';')
            .map(|p| p.trim().trim_start_matches("EG1-HMAC-SHA256 "))
            .find_map(|p| p.strip_prefix(&format!("{k}=")))
            .unwrap_or_default()
            .to_string()
    };
    if field("client_token") != CLIENT_TOKEN || field("access_token") != ACCESS_TOKEN {
        return false;
    }
    let query: Vec<String> = request
        .query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let path_and_query = if query.is_empty() {
        request.path.clone()
    } else {
        format!("{}?{}", request.path, query.join("&"))
    };
    let expected = edgegrid::authorization(
        &edgegrid::Credentials {
            client_token: CLIENT_TOKEN,
            client_secret: CLIENT_SECRET,
            access_token: ACCESS_TOKEN,
            max_body: 131_072,
        },
        &edgegrid::Signed {
            method: &request.method,
            scheme: "http",
            host: request.header("host").unwrap_or_default(),
            path_and_query: &path_and_query,
            headers: &[],
            body: &request.body,
        },
        &field("timestamp"),
        &field("nonce"),
    );
    expected == auth
}

fn key(v: &Value) -> (String, String) {
    (
        v["name"].as_str().unwrap_or_default().to_lowercase(),
        v["type"].as_str().unwrap_or_default().to_string(),
    )
}

fn handle(state: &Control, request: &Request) -> (u16, Value) {
    let mut s = state.lock().unwrap();
    match s.knobs.take() {
        Some(Knobbed::RateLimited { .. }) => {
            return (
                429,
                problem(
                    429,
                    "Too Many Requests",
                    "The rate limit for this API client has been exceeded.",
                ),
            );
        }
        Some(Knobbed::Failing) => {
            return (
                503,
                problem(
                    503,
                    "Service Unavailable",
                    "The service is temporarily unavailable.",
                ),
            );
        }
        None => {}
    }
    if !signed_right(request) {
        return (
            401,
            problem(401, "Not authorized", "The signature does not match"),
        );
    }
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let segments = request.segments(crate::BASE_PATH);
    match (request.method.as_str(), segments.as_slice()) {
        ("GET", ["data", "authorities"]) => (
            200,
            json!({"contracts": [{"contractId": CONTRACT, "authorities": AUTHORITIES}]}),
        ),
        ("POST", ["zones"]) => {
            let name = body["zone"].as_str().unwrap_or_default().to_lowercase();
            if s.zones.iter().any(|z| z.name == name) {
                return (
                    409,
                    problem(409, "Conflict", &format!("Zone \"{name}\" already exists")),
                );
            }
            let t = body["type"].as_str().unwrap_or("PRIMARY").to_lowercase();
            // A new zone holds nothing until a first change list is submitted: that one
            // makes its SOA and NS (DNSControl's akamaiEdgeDnsService.go createZone,
            // "Indirectly create NS and SOA records").
            s.zones.push(EdgeZone {
                name: name.clone(),
                zone_type: t.clone(),
                sets: Vec::new(),
                change_list: None,
            });
            (
                201,
                json!({"zone": name, "type": t.to_uppercase(), "contractId": CONTRACT}),
            )
        }
        (method, ["zones", zone, rest @ ..]) => {
            let Some(z) = s.zones.iter().find(|z| z.name == *zone) else {
                return (
                    404,
                    problem(404, "Not Found", &format!("Zone \"{zone}\" not found")),
                );
            };
            match (method, rest) {
                ("GET", []) => (
                    200,
                    json!({"zone": z.name, "type": z.zone_type.to_uppercase(), "contractId": CONTRACT, "activationState": "ACTIVE"}),
                ),
                ("GET", ["recordsets"]) => {
                    let size = request
                        .param("pageSize")
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(25usize)
                        .clamp(1, 1000);
                    let page = request
                        .param("page")
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(1usize);
                    let (chunk, _) = http_fake::page(&z.sets, page, size);
                    (
                        200,
                        json!({"metadata": {"zone": z.name, "page": page, "pageSize": size, "totalElements": z.sets.len()}, "recordsets": chunk}),
                    )
                }
                _ => (404, problem(404, "Not Found", "No such resource")),
            }
        }
        ("POST", ["changelists"]) => {
            let zone = request.param("zone").unwrap_or_default().to_string();
            let Some(z) = s.zones.iter_mut().find(|z| z.name == zone) else {
                return (
                    404,
                    problem(404, "Not Found", &format!("Zone \"{zone}\" not found")),
                );
            };
            if z.zone_type != "primary" {
                return (
                    400,
                    problem(
                        400,
                        "Bad Request",
                        &format!(
                            "Zone \"{zone}\" is a {} zone; change lists are for primary zones",
                            z.zone_type
                        ),
                    ),
                );
            }
            if z.change_list.is_some() {
                return (
                    409,
                    problem(
                        409,
                        "Conflict",
                        &format!("A change list already exists for zone \"{zone}\""),
                    ),
                );
            }
            z.change_list = Some(z.sets.clone());
            (
                201,
                json!({"zone": zone, "changeTag": "3a0c5e66-f4aa-46c5-9ee0-7a6bc3b29cc3", "stale": false}),
            )
        }
        (method, ["changelists", zone, rest @ ..]) => {
            let zone = zone.to_string();
            let fail_put = s.fail_next_put;
            let Some(zi) = s.zones.iter().position(|z| z.name == zone) else {
                return (
                    404,
                    problem(404, "Not Found", &format!("Zone \"{zone}\" not found")),
                );
            };
            if s.zones[zi].change_list.is_none() {
                return (
                    404,
                    problem(
                        404,
                        "Not Found",
                        &format!("No change list exists for zone \"{zone}\""),
                    ),
                );
            }
            match (method, rest) {
                ("DELETE", []) => {
                    s.zones[zi].change_list = None;
                    s.discarded += 1;
                    (204, Value::Null)
                }
                ("PUT", ["recordsets"]) => {
                    if fail_put {
                        s.fail_next_put = false;
                        return (
                            500,
                            problem(500, "Internal Server Error", "An unexpected error occurred"),
                        );
                    }
                    let sets = body["recordsets"].as_array().cloned().unwrap_or_default();
                    let apex =
                        |t: &str| sets.iter().any(|v| key(v) == (zone.clone(), t.to_string()));
                    if !apex("SOA") || !apex("NS") {
                        return (
                            400,
                            problem(
                                400,
                                "Bad Request",
                                "The zone apex must have an SOA and an NS record set",
                            ),
                        );
                    }
                    let mut seen = std::collections::HashSet::new();
                    for v in &sets {
                        let quoted = v["type"] == "TXT"
                            && v["rdata"].as_array().is_some_and(|a| {
                                a.iter()
                                    .any(|r| r.as_str().is_some_and(txt_has_quote_or_backslash))
                            });
                        if quoted {
                            return (
                                400,
                                problem(
                                    400,
                                    "Bad Request",
                                    &format!("Invalid TXT rdata in record set {}", v["name"]),
                                ),
                            );
                        }
                        if !seen.insert(key(v))
                            || v["rdata"].as_array().is_none_or(|a| a.is_empty())
                        {
                            return (
                                400,
                                problem(
                                    400,
                                    "Bad Request",
                                    &format!("Invalid record set {} {}", v["name"], v["type"]),
                                ),
                            );
                        }
                        let name = key(v).0;
                        if name != zone && !name.ends_with(&format!(".{zone}")) {
                            return (
                                400,
                                problem(
                                    400,
                                    "Bad Request",
                                    &format!("Record set {name} is not in zone {zone}"),
                                ),
                            );
                        }
                    }
                    s.zones[zi].change_list = Some(sets);
                    (204, Value::Null)
                }
                ("POST", ["submit"]) => {
                    let mut sets = s.zones[zi].change_list.take().unwrap_or_default();
                    if sets.is_empty() {
                        sets = apex_sets(&zone);
                    }
                    s.zones[zi].sets = sets;
                    s.submissions += 1;
                    (204, Value::Null)
                }
                _ => (404, problem(404, "Not Found", "No such resource")),
            }
        }
        _ => (404, problem(404, "Not Found", "No such resource")),
    }
}

/// Starts the fake on 127.0.0.1; returns its base URL (the API is under `/config-dns/v2`).
pub async fn start(state: Control) -> String {
    let addr = http_fake::serve(Arc::new(move |request: &Request| {
        let (status, answer) = handle(&state, request);
        let body = if answer.is_null() {
            String::new()
        } else {
            answer.to_string()
        };
        let mut r = Response::json(status, body);
        if (400..600).contains(&status) {
            r.content_type = "application/problem+json";
        }
        r
    }))
    .await;
    format!("http://{addr}")
}
