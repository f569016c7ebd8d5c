//! A FAKE DigitalOcean API for tests: no emulator of DigitalOcean's API exists, so this
//! in-repo server follows its documented API v2
//! (https://docs.digitalocean.com/reference/api/reference/domains/ and
//! .../domain-records/, https://docs.digitalocean.com/reference/api/digitalocean/
//! #section/Introduction (Rate Limit, Links & Pagination, HTTP Statuses), and
//! https://docs.digitalocean.com/notes/2023/api-rate-limit): Bearer tokens (401
//! `Unauthorized` otherwise); `GET/POST /v2/domains`, `GET /v2/domains/{name}` (404
//! `not_found`); records with integer ids, `GET .../records?page&per_page` (at most 200,
//! `links.pages.next`, `meta.total`), `POST`, `PATCH`/`PUT`, `DELETE .../records/{id}`
//! (201, 200, 204); a new domain holds an SOA and the three NS records
//! ns1-3.digitalocean.com; the record checks the reference states (the eight types, TTL
//! 30 and up, TXT data at most 512 octets, host names ending with a dot or `@`) and the
//! ones peers found (a CAA issue/issuewild value needs a final dot, which is stored
//! without it; CAA whitespace, TXT backslashes and null MX refused: see `invalid`)
//! answered with 422 `unprocessable_entity`; a PATCH is checked as the record it leaves; `ratelimit-limit`,
//! `ratelimit-remaining` and `ratelimit-reset` on every answer, and 429
//! `too_many_requests` with `Retry-After` when the budget is spent. Only the documented
//! record fields are stored (others in a body are dropped), each type's own are required
//! (MX priority; SRV priority, weight, port; CAA flags and tag), and `stored_zone` reads
//! what is stored by the fake's own rules, for the conformance suite.
//! Not reproduced: the hourly budget beside the per-minute one (one window here, of any
//! length a test sets), `links.pages.first/prev/last`, DigitalOcean's own rewriting of
//! data (it may show host names without the final dot: the client reads both).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use nsync_testkit::http_fake::{self, Knobbed, Knobs, Request, Response};
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub struct Record {
    pub id: u64,
    pub body: Value,
}

#[derive(Clone, Debug)]
pub struct Domain {
    pub name: String,
    pub records: Vec<Record>,
}

/// The request budget: `limit` requests per `window`.
pub struct Budget {
    pub limit: u64,
    pub window: Duration,
    started: Instant,
    used: u64,
}

impl Budget {
    pub fn new(limit: u64, window: Duration) -> Budget {
        Budget {
            limit,
            window,
            started: Instant::now(),
            used: 0,
        }
    }
}

pub struct State {
    pub tokens: Vec<String>,
    pub domains: Vec<Domain>,
    next_id: u64,
    pub knobs: Knobs,
    pub budget: Budget,
    /// Requests answered 429 because the budget was spent.
    pub over_budget: usize,
    /// Writes (POST, PATCH, PUT, DELETE on records) answered 2xx.
    pub writes: usize,
    /// The account's `status` (`active`, `warning`, `locked`).
    pub account_status: String,
}

impl Default for State {
    fn default() -> State {
        State {
            tokens: Vec::new(),
            domains: Vec::new(),
            next_id: 0,
            knobs: Knobs::default(),
            // Far more than any test spends: the documented 250 a minute would make the
            // suite's 1,000-record steps take minutes. Tests of pacing set a small one.
            budget: Budget::new(1_000_000, Duration::from_secs(60)),
            over_budget: 0,
            writes: 0,
            account_status: "active".into(),
        }
    }
}

pub type Control = Arc<Mutex<State>>;

const TYPES: [&str; 9] = ["A", "AAAA", "CAA", "CNAME", "MX", "NS", "SRV", "TXT", "SOA"];

impl State {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        28_448_428 + self.next_id
    }

    /// A domain as DigitalOcean creates it: its SOA and its three NS records.
    pub fn add_domain(&mut self, name: &str) {
        let mut records = Vec::new();
        let soa = json!({"type": "SOA", "name": "@", "data": "1800", "priority": null, "port": null, "ttl": 1800, "weight": null, "flags": null, "tag": null});
        records.push(Record {
            id: self.id(),
            body: soa,
        });
        for n in 1..=3 {
            records.push(Record {
                id: self.id(),
                body: json!({"type": "NS", "name": "@", "data": format!("ns{n}.digitalocean.com"), "priority": null, "port": null, "ttl": 1800, "weight": null, "flags": null, "tag": null}),
            });
        }
        self.domains.push(Domain {
            name: name.to_string(),
            records,
        });
    }

    /// Counts one request against the budget: its headers, or the 429 when it is spent.
    fn spend(&mut self) -> (Vec<(String, String)>, bool) {
        let b = &mut self.budget;
        if b.started.elapsed() >= b.window {
            b.started = Instant::now();
            b.used = 0;
        }
        let reset = SystemTime::now() + b.window.saturating_sub(b.started.elapsed());
        let reset = reset
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs_f64().ceil() as u64);
        let over = b.used >= b.limit;
        if !over {
            b.used += 1;
        }
        let mut headers = vec![
            ("ratelimit-limit".to_string(), b.limit.to_string()),
            (
                "ratelimit-remaining".to_string(),
                (b.limit - b.used).to_string(),
            ),
            ("ratelimit-reset".to_string(), reset.to_string()),
        ];
        if over {
            let wait = b.window.saturating_sub(b.started.elapsed()).as_secs() + 1;
            headers.push(("retry-after".into(), wait.to_string()));
        }
        (headers, over)
    }
}

fn error(id: &str, message: &str) -> Value {
    json!({"id": id, "message": message, "request_id": "4d9d8375-3c56-4925-a3e7-eceeb9f3d8bd"})
}

fn record_json(r: &Record) -> Value {
    let mut v = r.body.clone();
    v["id"] = json!(r.id);
    v
}

/// The fields of a domain record in the reference; anything else in a body is not stored.
const FIELDS: [&str; 9] = [
    "type", "name", "data", "priority", "port", "ttl", "weight", "flags", "tag",
];

/// `body`'s documented fields over `onto` (a new record's defaults, or the record a PATCH
/// or PUT changes).
fn merge_fields(onto: &mut Value, body: &Value) {
    for k in FIELDS {
        if let Some(v) = body.get(k) {
            onto[k] = v.clone();
        }
    }
}

/// The checks the reference states for a record body; the 422 message when one fails.
fn invalid(body: &Value) -> Option<String> {
    let rtype = body["type"].as_str().unwrap_or_default();
    if !TYPES[..8].contains(&rtype) {
        return Some(format!("Type {rtype} is not a valid record type"));
    }
    if body["name"].as_str().is_none_or(str::is_empty) {
        return Some("Name can't be blank".into());
    }
    let data_text = body["data"].as_str().unwrap_or_default();
    if data_text.is_empty() {
        return Some("Data can't be blank".into());
    }
    // The fields each type needs (the reference: "priority: for SRV and MX records",
    // "port, weight: for SRV records", "flags, tag: for CAA records").
    let int = |k: &str, max: u64| body[k].as_u64().is_some_and(|v| v <= max);
    let needs: &[(&str, u64)] = match rtype {
        "MX" => &[("priority", 65535)],
        "SRV" => &[("priority", 65535), ("weight", 65535), ("port", 65535)],
        "CAA" => &[("flags", 255)],
        _ => &[],
    };
    for (k, max) in needs {
        if !int(k, *max) {
            return Some(format!(
                "{} must be an integer from 0 to {max} for {rtype} records",
                k
            ));
        }
    }
    if rtype == "CAA" && !matches!(body["tag"].as_str(), Some("issue" | "issuewild" | "iodef")) {
        return Some("Tag must be one of issue, issuewild, iodef".into());
    }
    let address_ok = match rtype {
        "A" => data_text.parse::<std::net::Ipv4Addr>().is_ok(),
        "AAAA" => data_text.parse::<std::net::Ipv6Addr>().is_ok(),
        _ => true,
    };
    if !address_ok {
        return Some(format!("Data is not a valid {rtype} address"));
    }
    if let Some(ttl) = body["ttl"].as_u64()
        && ttl < 30
    {
        return Some("TTL must be at least 30 seconds".into());
    }
    let data = body["data"].as_str().unwrap_or_default();
    let tag = body["tag"].as_str().unwrap_or_default();
    match rtype {
        "TXT" if data.len() > 512 => Some("Data is too long (maximum is 512 characters)".into()),
        // DNSControl's audit: TXT with a backslash (verified 2023-11-11), CAA with
        // whitespace, null MX (2020-12-28). The wording is this fake's own.
        "TXT" if data.contains('\\') => Some("Data is invalid".into()),
        "CAA" if data.contains(char::is_whitespace) => Some("Data is invalid".into()),
        "MX" if data == "." => Some("Data is invalid".into()),
        // octodns PR #692, terraform-provider-digitalocean #1010: issue and issuewild
        // values need the final dot.
        "CAA" if matches!(tag, "issue" | "issuewild") && !data.ends_with('.') => {
            Some("Data needs to end with a dot (.)".into())
        }
        "CNAME" | "MX" | "NS" | "SRV" if data != "@" && !data.ends_with('.') => {
            Some("Data needs to end with a dot (.)".into())
        }
        _ => None,
    }
}

/// A record as DigitalOcean keeps it once taken: a CAA value without the final dot the
/// write needed (DNSControl's client: "the value returned from API doesn't contain a
/// trailing dot"; terraform-provider-digitalocean #421).
fn as_stored(mut body: Value) -> Value {
    if body["type"] == "CAA"
        && let Some(d) = body["data"].as_str()
        && let Some(bare) = d.strip_suffix('.')
    {
        body["data"] = json!(bare);
    }
    body
}

fn handle(state: &Control, request: &Request) -> (u16, Vec<(String, String)>, Value) {
    let mut s = state.lock().unwrap();
    match s.knobs.take() {
        Some(Knobbed::RateLimited { retry_after }) => {
            return (
                429,
                vec![("retry-after".into(), retry_after.to_string())],
                error("too_many_requests", "API Rate limit exceeded."),
            );
        }
        Some(Knobbed::Failing) => {
            return (
                500,
                vec![],
                error("server_error", "Unexpected server-side error"),
            );
        }
        None => {}
    }
    let (headers, over) = s.spend();
    if over {
        s.over_budget += 1;
        return (
            429,
            headers,
            error("too_many_requests", "API Rate limit exceeded."),
        );
    }
    let known = request
        .bearer()
        .is_some_and(|t| s.tokens.iter().any(|k| k == t));
    if !known {
        return (
            401,
            headers,
            error("Unauthorized", "Unable to authenticate you"),
        );
    }
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let method = request.method.as_str();
    let segments = request.segments("/v2");
    let not_found = || {
        error(
            "not_found",
            "The resource you were accessing could not be found.",
        )
    };
    let (status, answer) = match (method, segments.as_slice()) {
        ("GET", ["account"]) => (
            200,
            json!({"account": {"status": s.account_status, "status_message": "", "email_verified": true}}),
        ),
        ("POST", ["domains"]) => {
            let name = body["name"].as_str().unwrap_or_default().to_string();
            if s.domains.iter().any(|d| d.name == name) {
                (422, error("unprocessable_entity", "Name already exists"))
            } else {
                s.add_domain(&name);
                (
                    201,
                    json!({"domain": {"name": name, "ttl": 1800, "zone_file": null}}),
                )
            }
        }
        (_, ["domains", name, rest @ ..]) => {
            let Some(di) = s.domains.iter().position(|d| d.name == *name) else {
                return (404, headers, not_found());
            };
            match (method, rest) {
                ("GET", []) => (
                    200,
                    json!({"domain": {"name": name, "ttl": 1800, "zone_file": ""}}),
                ),
                ("GET", ["records"]) => {
                    let per_page = request
                        .param("per_page")
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(20usize)
                        .clamp(1, 200);
                    let page = request
                        .param("page")
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(1usize);
                    let all = &s.domains[di].records;
                    let (chunk, pages) = http_fake::page(all, page, per_page);
                    let mut links = json!({});
                    if page < pages {
                        links = json!({"pages": {"next": format!("https://api.digitalocean.com/v2/domains/{name}/records?page={}&per_page={per_page}", page + 1)}});
                    }
                    (
                        200,
                        json!({"domain_records": chunk.iter().map(record_json).collect::<Vec<_>>(), "links": links, "meta": {"total": all.len()}}),
                    )
                }
                ("POST", ["records"]) => match invalid(&body) {
                    Some(why) => (422, error("unprocessable_entity", &why)),
                    None => {
                        let id = s.id();
                        let mut stored = json!({"priority": null, "port": null, "ttl": 1800, "weight": null, "flags": null, "tag": null});
                        merge_fields(&mut stored, &body);
                        let r = Record {
                            id,
                            body: as_stored(stored),
                        };
                        let out = record_json(&r);
                        s.domains[di].records.push(r);
                        s.writes += 1;
                        (201, json!({"domain_record": out}))
                    }
                },
                ("PATCH" | "PUT", ["records", id]) => {
                    let id: u64 = id.parse().unwrap_or(0);
                    let Some(ri) = s.domains[di].records.iter().position(|r| r.id == id) else {
                        return (404, headers, not_found());
                    };
                    let mut next = s.domains[di].records[ri].body.clone();
                    merge_fields(&mut next, &body);
                    if let Some(why) = invalid(&next) {
                        (422, error("unprocessable_entity", &why))
                    } else {
                        s.domains[di].records[ri].body = as_stored(next);
                        s.writes += 1;
                        let out = record_json(&s.domains[di].records[ri]);
                        (200, json!({"domain_record": out}))
                    }
                }
                ("DELETE", ["records", id]) => {
                    let id: u64 = id.parse().unwrap_or(0);
                    let before = s.domains[di].records.len();
                    s.domains[di].records.retain(|r| r.id != id);
                    if s.domains[di].records.len() == before {
                        (404, not_found())
                    } else {
                        s.writes += 1;
                        (204, Value::Null)
                    }
                }
                _ => (404, not_found()),
            }
        }
        _ => (404, not_found()),
    };
    (status, headers, answer)
}

/// The domain `origin` as this fake holds it, read by the fake's own rules from the
/// records it stored in DigitalOcean's shape (the conformance suite's independent view):
/// `@` is the domain; MX is `priority data`, SRV `priority weight port data`, CAA `flags
/// tag "data"`; TXT data is one text, served split every 255 octets. The provider's SOA
/// (its data a TTL, not an SOA) is left out.
pub fn stored_zone(state: &Control, origin: &nsync_core::Name) -> nsync_core::zone::Zone {
    use nsync_testkit::fixture::{
        Field, present, split_text, stored_name, zone_from_presentations,
    };
    let s = state.lock().unwrap();
    let domain = origin.to_ascii();
    let domain = domain.trim_end_matches('.');
    let sets: Vec<_> = s
        .domains
        .iter()
        .filter(|d| d.name == domain)
        .flat_map(|d| d.records.iter().map(|r| &r.body))
        .map(|b| {
            let rtype = b["type"].as_str().unwrap_or_default();
            let data = b["data"].as_str().unwrap_or_default();
            let text = match rtype {
                "MX" => present(&[("priority", Field::Num), ("data", Field::Host)], b),
                "SRV" => present(
                    &[
                        ("priority", Field::Num),
                        ("weight", Field::Num),
                        ("port", Field::Num),
                        ("data", Field::Host),
                    ],
                    b,
                ),
                "CAA" => present(
                    &[
                        ("flags", Field::Num),
                        ("tag", Field::Word),
                        ("data", Field::Text),
                    ],
                    b,
                ),
                "TXT" => split_text(data),
                _ if data == "@" => origin.to_ascii(),
                _ => data.to_string(),
            };
            (
                stored_name(b["name"].as_str().unwrap_or_default(), origin, true),
                rtype.parse().expect("a stored type"),
                b["ttl"].as_u64().unwrap_or_default() as u32,
                vec![text],
            )
        })
        .collect();
    drop(s);
    zone_from_presentations(origin, sets)
}

/// Starts the fake on 127.0.0.1 with a random port; returns its API base URL.
pub async fn start(state: Control) -> String {
    let addr = http_fake::serve(Arc::new(move |request: &Request| {
        let (status, headers, answer) = handle(&state, request);
        let body = if status == 204 {
            String::new()
        } else {
            answer.to_string()
        };
        let mut response = Response::json(status, body);
        response.headers = headers;
        response
    }))
    .await;
    format!("http://{addr}/v2")
}
