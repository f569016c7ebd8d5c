//! A FAKE Cloudflare API for tests: no emulator of Cloudflare's DNS API exists, so this
//! in-repo server follows Cloudflare's documented API v4
//! (https://developers.cloudflare.com/api/resources/dns/subresources/records/ and
//! .../records/methods/batch, .../zones/, .../user/subresources/tokens/methods/verify, and
//! https://developers.cloudflare.com/fundamentals/api/reference/limits/):
//! the `{success, errors, messages, result, result_info}` envelope, Bearer tokens,
//! pagination (`page`, `per_page` capped at 100 here), record ids, the batch endpoint
//! (deletes, patches, puts, posts in that order, all or nothing, at most 200 operations as
//! on the Free plan), TTL 1 ("automatic") or 60..86400 (code 9021 otherwise), 429 with
//! `retry-after`, the error codes 10000/1000 (authentication) and 7003 (unknown zone), and
//! single-record POST/PATCH/DELETE for accounts without the batch endpoint.
//! Records carry what users set in the dashboard: `proxied` (only A, AAAA and CNAME can
//! be, code 9004 otherwise: https://developers.cloudflare.com/dns/proxy-status/; a
//! proxied record's TTL is "automatic", stored and returned as 1 whatever is sent:
//! .../dns/manage-dns-records/reference/ttl/), `comment` and `tags`
//! (.../dns/manage-dns-records/reference/record-attributes/). A PATCH changes only the
//! fields it sends (the records `edit` method), a PUT replaces the record (`update`).
//! Faults (rate limits, 5xx) are switched on by the tests through `Control`.

use std::sync::{Arc, Mutex};

use nsync_testkit::fixture::{Field, Fields};
use nsync_testkit::http_fake::{self, Knobbed, Knobs, Request, Response};
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub struct Record {
    pub id: String,
    pub rtype: String,
    pub name: String,
    pub content: String,
    pub ttl: u64,
    pub proxied: bool,
    pub priority: Option<u64>,
    pub data: Option<Value>,
    /// Set through the dashboard or API, kept by every write that does not send them.
    pub comment: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Zone {
    pub id: String,
    pub name: String,
    pub records: Vec<Record>,
}

#[derive(Default)]
pub struct State {
    /// token -> "active" | "disabled" | "expired"
    pub tokens: Vec<(String, String)>,
    pub zones: Vec<Zone>,
    next_id: u64,
    /// Rate limit (429 with `retry-after`) or fail (500) the next calls.
    pub knobs: Knobs,
    /// Fail every batch from this one on (counting from 0) with HTTP 500.
    pub fail_batches_from: Option<usize>,
    pub batches: usize,
    /// Act as an API without the batch endpoint (answers it with 404, code 7000).
    pub no_batch_endpoint: bool,
    /// Records written one at a time (POST, PATCH, DELETE on dns_records).
    pub single_writes: usize,
    /// Store TXT content with its quotes taken off and its strings run together, as a
    /// careless API might (for the tests of `nsync selftest`, which must notice).
    pub unquote_txt: bool,
}

pub type Control = Arc<Mutex<State>>;

impl State {
    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("{:032x}", self.next_id * 0x9E37_79B9)
    }

    pub fn add_zone(&mut self, name: &str) -> String {
        let id = self.id();
        self.zones.push(Zone {
            id: id.clone(),
            name: name.to_string(),
            records: Vec::new(),
        });
        id
    }

    pub fn add_record(
        &mut self,
        zone: &str,
        rtype: &str,
        name: &str,
        content: &str,
        ttl: u64,
        proxied: bool,
    ) {
        let id = self.id();
        if let Some(z) = self.zones.iter_mut().find(|z| z.name == zone) {
            z.records.push(Record {
                id,
                rtype: rtype.into(),
                name: name.into(),
                content: content.into(),
                // Proxied records are kept at TTL 1, "automatic".
                ttl: if proxied { 1 } else { ttl },
                proxied,
                priority: None,
                data: None,
                comment: None,
                tags: Vec::new(),
            });
        }
    }
}

/// The types whose value is a `data` object (the API reference's per-type record
/// schemas), with its fields in presentation order.
const DATA_FIELDS: &[(&str, Fields)] = &[
    (
        "SRV",
        &[
            ("priority", Field::Num),
            ("weight", Field::Num),
            ("port", Field::Num),
            ("target", Field::Host),
        ],
    ),
    (
        "CAA",
        &[
            ("flags", Field::Num),
            ("tag", Field::Word),
            ("value", Field::Text),
        ],
    ),
    (
        "SSHFP",
        &[
            ("algorithm", Field::Num),
            ("type", Field::Num),
            ("fingerprint", Field::Word),
        ],
    ),
    (
        "TLSA",
        &[
            ("usage", Field::Num),
            ("selector", Field::Num),
            ("matching_type", Field::Num),
            ("certificate", Field::Word),
        ],
    ),
    (
        "DS",
        &[
            ("key_tag", Field::Num),
            ("algorithm", Field::Num),
            ("digest_type", Field::Num),
            ("digest", Field::Word),
        ],
    ),
    (
        "HTTPS",
        &[
            ("priority", Field::Num),
            ("target", Field::Word),
            ("value", Field::Word),
        ],
    ),
    (
        "SVCB",
        &[
            ("priority", Field::Num),
            ("target", Field::Word),
            ("value", Field::Word),
        ],
    ),
    (
        "NAPTR",
        &[
            ("order", Field::Num),
            ("preference", Field::Num),
            ("flags", Field::Text),
            ("service", Field::Text),
            ("regex", Field::Text),
            ("replacement", Field::Host),
        ],
    ),
];

/// The zone `origin` as this fake holds it, read by its own rules from what it stored
/// (the conformance suite's independent view of what a step wrote): `data` objects by
/// the per-type schemas, MX as `priority` and a host, CNAME/NS/PTR hosts without their
/// final dot, TXT content as quoted strings (one unquoted text split every 255 octets),
/// other content as it is.
pub fn stored_zone(state: &Control, origin: &nsync_core::Name) -> nsync_core::zone::Zone {
    use nsync_testkit::fixture::{present, split_text, stored_name, zone_from_presentations};
    let s = state.lock().unwrap();
    let name = origin.to_ascii();
    let name = name.trim_end_matches('.');
    let sets: Vec<_> = s
        .zones
        .iter()
        .filter(|z| z.name == name)
        .flat_map(|z| &z.records)
        .map(|r| {
            let host = |h: &str| present(&[("h", Field::Host)], &json!({ "h": h }));
            let text = match (r.rtype.as_str(), &r.data) {
                (t, Some(d)) if DATA_FIELDS.iter().any(|(k, _)| *k == t) => {
                    let (_, fields) = DATA_FIELDS.iter().find(|(k, _)| *k == t).unwrap();
                    present(fields, d)
                }
                ("MX", _) => format!("{} {}", r.priority.unwrap_or_default(), host(&r.content)),
                ("CNAME" | "NS" | "PTR", _) => host(&r.content),
                ("TXT", _) if !r.content.starts_with('"') => split_text(&r.content),
                _ => r.content.clone(),
            };
            (
                stored_name(&r.name, origin, false),
                r.rtype.parse().expect("a stored type"),
                r.ttl as u32,
                vec![text],
            )
        })
        .collect();
    drop(s);
    zone_from_presentations(origin, sets)
}

fn envelope(result: Value, info: Option<Value>) -> Value {
    let mut e = json!({"success": true, "errors": [], "messages": [], "result": result});
    if let Some(i) = info {
        e["result_info"] = i;
    }
    e
}

fn failure(code: i64, message: &str) -> Value {
    json!({"success": false, "errors": [{"code": code, "message": message}], "messages": [], "result": null})
}

fn record_json(r: &Record) -> Value {
    let mut v = json!({"id": r.id, "type": r.rtype, "name": r.name, "content": r.content, "ttl": r.ttl, "proxied": r.proxied});
    if let Some(p) = r.priority {
        v["priority"] = json!(p);
    }
    if let Some(d) = &r.data {
        v["data"] = d.clone();
    }
    v["comment"] = json!(r.comment);
    v["tags"] = json!(r.tags);
    v
}

fn valid_ttl(ttl: u64) -> bool {
    ttl == 1 || (60..=86_400).contains(&ttl)
}

/// A record as the API takes it (POST, or a batch `posts` entry).
fn record_from(body: &Value, id: String) -> Record {
    let mut r = Record {
        id,
        rtype: String::new(),
        name: String::new(),
        content: String::new(),
        ttl: 1,
        proxied: false,
        priority: None,
        data: None,
        comment: None,
        tags: Vec::new(),
    };
    patch(&mut r, body);
    r
}

/// A PATCH: only the fields sent change; `proxied`, `comment` and `tags` stay as they
/// were unless sent. The content of structured types is made the way Cloudflare shows
/// it. A proxied record's TTL is 1 ("automatic") whatever is sent.
fn patch(r: &mut Record, body: &Value) {
    if let Some(t) = body["type"].as_str() {
        r.rtype = t.to_string();
    }
    if let Some(n) = body["name"].as_str() {
        r.name = n.to_string();
    }
    if let Some(d) = body.get("data").filter(|d| d.is_object()) {
        r.data = Some(d.clone());
        r.content = d
            .as_object()
            .map(|o| {
                o.values()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
    }
    if let Some(c) = body["content"].as_str() {
        r.content = c.to_string();
    }
    if let Some(p) = body["priority"].as_u64() {
        r.priority = Some(p);
    }
    if let Some(t) = body["ttl"].as_u64() {
        r.ttl = t;
    }
    if let Some(p) = body["proxied"].as_bool() {
        r.proxied = p;
    }
    if let Some(c) = body.get("comment") {
        r.comment = c.as_str().map(str::to_string);
    }
    if let Some(t) = body["tags"].as_array() {
        r.tags = t
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect();
    }
    if r.proxied {
        r.ttl = 1;
    }
}

/// Why Cloudflare would refuse this record body, if it would: a TTL out of range
/// (9021), or `proxied` on a type that cannot be proxied (9004; only A, AAAA and CNAME
/// can, https://developers.cloudflare.com/dns/proxy-status/).
fn refusal(body: &Value, current: Option<&Record>) -> Option<(u16, Value)> {
    if let Some(ttl) = body["ttl"].as_u64()
        && !valid_ttl(ttl)
    {
        return Some((
            400,
            failure(
                9021,
                "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.",
            ),
        ));
    }
    let rtype = body["type"]
        .as_str()
        .or(current.map(|r| r.rtype.as_str()))
        .unwrap_or_default();
    let proxied = body["proxied"]
        .as_bool()
        .unwrap_or(current.is_some_and(|r| r.proxied));
    if proxied && !matches!(rtype, "A" | "AAAA" | "CNAME") {
        return Some((400, failure(9004, "This record type cannot be proxied.")));
    }
    None
}

fn handle(state: &Control, request: &Request) -> (u16, Vec<(String, String)>, Value) {
    let (method, token) = (request.method.as_str(), request.bearer());
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let body = &body;
    let mut s = state.lock().unwrap();
    match s.knobs.take() {
        Some(Knobbed::RateLimited { retry_after }) => {
            return (
                429,
                vec![("retry-after".into(), retry_after.to_string())],
                failure(
                    971,
                    "Please wait and consider throttling your request speed",
                ),
            );
        }
        Some(Knobbed::Failing) => {
            return (
                500,
                vec![],
                failure(10001, "service temporarily unavailable"),
            );
        }
        None => {}
    }
    let status = token
        .and_then(|t| s.tokens.iter().find(|(k, _)| k == t))
        .map(|(_, st)| st.clone());
    let param = |key: &str| request.param(key).map(str::to_string);
    let segments = request.segments("/client/v4");
    if segments == ["user", "tokens", "verify"] {
        return match status {
            Some(st) => (
                200,
                vec![],
                envelope(json!({"id": "token-id", "status": st}), None),
            ),
            None => (401, vec![], failure(1000, "Invalid API Token")),
        };
    }
    match status.as_deref() {
        Some("active") => {}
        Some(_) => return (401, vec![], failure(1000, "Invalid API Token")),
        None => return (403, vec![], failure(10000, "Authentication error")),
    }
    match (method, segments.as_slice()) {
        ("GET", ["zones"]) => {
            let wanted = param("name");
            let zones: Vec<Value> = s
                .zones
                .iter()
                .filter(|z| wanted.as_deref().is_none_or(|w| w == z.name))
                .map(|z| json!({"id": z.id, "name": z.name, "status": "active", "paused": false, "type": "full", "name_servers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]}))
                .collect();
            let n = zones.len();
            (
                200,
                vec![],
                envelope(
                    json!(zones),
                    Some(
                        json!({"page": 1, "per_page": 50, "count": n, "total_count": n, "total_pages": 1}),
                    ),
                ),
            )
        }
        ("POST", ["zones"]) => {
            let name = body["name"].as_str().unwrap_or_default().to_string();
            if s.zones.iter().any(|z| z.name == name) {
                return (
                    400,
                    vec![],
                    failure(1061, "There is another zone with the same domain name."),
                );
            }
            let id = s.add_zone(&name);
            (
                200,
                vec![],
                envelope(
                    json!({"id": id, "name": name, "status": "pending", "name_servers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]}),
                    None,
                ),
            )
        }
        (_, ["zones", id, rest @ ..]) => {
            let Some(zi) = s.zones.iter().position(|z| z.id == *id) else {
                return (
                    404,
                    vec![],
                    failure(
                        7003,
                        &format!(
                            "Could not route to /zones/{id}, perhaps your object identifier is invalid?"
                        ),
                    ),
                );
            };
            match (method, rest) {
                ("GET", ["dns_records"]) => {
                    let per_page = param("per_page")
                        .and_then(|p| p.parse::<usize>().ok())
                        .unwrap_or(100)
                        .clamp(5, 100);
                    let page = param("page")
                        .and_then(|p| p.parse::<usize>().ok())
                        .unwrap_or(1)
                        .max(1);
                    let all = &s.zones[zi].records;
                    let total_pages = all.len().div_ceil(per_page).max(1);
                    let chunk: Vec<Value> = all
                        .iter()
                        .skip((page - 1) * per_page)
                        .take(per_page)
                        .map(record_json)
                        .collect();
                    let info = json!({"page": page, "per_page": per_page, "count": chunk.len(), "total_count": all.len(), "total_pages": total_pages});
                    (200, vec![], envelope(json!(chunk), Some(info)))
                }
                ("POST", ["dns_records", "batch"]) if s.no_batch_endpoint => {
                    (404, vec![], failure(7000, "No route for that URI"))
                }
                ("POST", ["dns_records"]) => {
                    if let Some((status, body)) = refusal(body, None) {
                        return (status, vec![], body);
                    }
                    s.single_writes += 1;
                    let id = s.id();
                    let r = record_from(body, id);
                    let out = record_json(&r);
                    s.zones[zi].records.push(r);
                    (200, vec![], envelope(out, None))
                }
                ("PATCH", ["dns_records", record]) => {
                    s.single_writes += 1;
                    let Some(r) = s.zones[zi].records.iter_mut().find(|r| r.id == *record) else {
                        return (404, vec![], failure(81044, "Record does not exist."));
                    };
                    if let Some((status, body)) = refusal(body, Some(r)) {
                        return (status, vec![], body);
                    }
                    patch(r, body);
                    let out = record_json(r);
                    (200, vec![], envelope(out, None))
                }
                ("DELETE", ["dns_records", record]) => {
                    s.single_writes += 1;
                    let before = s.zones[zi].records.len();
                    s.zones[zi].records.retain(|r| r.id != *record);
                    if s.zones[zi].records.len() == before {
                        return (404, vec![], failure(81044, "Record does not exist."));
                    }
                    (200, vec![], envelope(json!({"id": record}), None))
                }
                ("POST", ["dns_records", "batch"]) => {
                    let n = s.batches;
                    s.batches += 1;
                    if s.fail_batches_from.is_some_and(|from| n >= from) {
                        return (500, vec![], failure(10001, "Internal server error"));
                    }
                    let list = |k: &str| body[k].as_array().cloned().unwrap_or_default();
                    let (deletes, patches, puts, posts) = (
                        list("deletes"),
                        list("patches"),
                        list("puts"),
                        list("posts"),
                    );
                    if deletes.len() + patches.len() + puts.len() + posts.len() > 200 {
                        return (
                            400,
                            vec![],
                            failure(81062, "batch exceeds the limit of 200 operations"),
                        );
                    }
                    // All or nothing: every check before any change.
                    let ids: Vec<String> =
                        s.zones[zi].records.iter().map(|r| r.id.clone()).collect();
                    for op in deletes.iter().chain(&patches).chain(&puts) {
                        if !ids.iter().any(|i| Some(i.as_str()) == op["id"].as_str()) {
                            return (404, vec![], failure(81044, "Record does not exist."));
                        }
                    }
                    for op in patches.iter().chain(&puts).chain(&posts) {
                        let current = s.zones[zi]
                            .records
                            .iter()
                            .find(|r| Some(r.id.as_str()) == op["id"].as_str());
                        if let Some((status, body)) = refusal(op, current) {
                            return (status, vec![], body);
                        }
                    }
                    for op in &deletes {
                        s.zones[zi]
                            .records
                            .retain(|r| Some(r.id.as_str()) != op["id"].as_str());
                    }
                    for op in &patches {
                        if let Some(r) = s.zones[zi]
                            .records
                            .iter_mut()
                            .find(|r| Some(r.id.as_str()) == op["id"].as_str())
                        {
                            patch(r, op);
                        }
                    }
                    for op in &puts {
                        if let Some(i) = s.zones[zi]
                            .records
                            .iter()
                            .position(|r| Some(r.id.as_str()) == op["id"].as_str())
                        {
                            let id = s.zones[zi].records[i].id.clone();
                            s.zones[zi].records[i] = record_from(op, id);
                        }
                    }
                    let mut created = Vec::new();
                    for op in &posts {
                        let id = s.id();
                        let r = record_from(op, id);
                        created.push(record_json(&r));
                        s.zones[zi].records.push(r);
                    }
                    if s.unquote_txt {
                        for r in &mut s.zones[zi].records {
                            if r.rtype == "TXT" {
                                r.content = r.content.replace("\" \"", "").replace('"', "");
                            }
                        }
                    }
                    (
                        200,
                        vec![],
                        envelope(
                            json!({"deletes": deletes, "patches": patches, "puts": puts, "posts": created}),
                            None,
                        ),
                    )
                }
                _ => (404, vec![], failure(7000, "No route for that URI")),
            }
        }
        _ => (404, vec![], failure(7000, "No route for that URI")),
    }
}

/// Starts the fake on 127.0.0.1 with a random port; returns its API base URL.
pub async fn start(state: Control) -> String {
    let addr = http_fake::serve(Arc::new(move |request: &Request| {
        let (status, headers, answer) = handle(&state, request);
        let mut response = Response::json(status, answer.to_string());
        response.headers = headers;
        response
    }))
    .await;
    format!("http://{addr}/client/v4")
}
