//! A FAKE NS1 API for tests: NS1 publishes no emulator (its Go client's `mockns1` is a
//! request-matching stub, not a server with state), so this in-repo server follows the
//! NS1 Connect API reference (https://developer.ibm.com/apis/catalog/ns1--ibm-ns1-connect-api/:
//! Zones and Records) and its rate-limit page
//! (https://www.ibm.com/docs/en/ns1-connect?topic=api-rate-limiting): the key in
//! `X-NSONE-Key` (401 `{"message":"Unauthorized"}` otherwise); `GET /v1/zones/{zone}` with
//! `dns_servers` and the record list (`domain`, `type`, `ttl`, `short_answers`), 404
//! `{"message":"zone not found"}`; `PUT /v1/zones/{zone}` creates a zone holding its apex
//! NS (the four `dns_servers`); per record `GET`, `PUT` (create; 400 "record already
//! exists"), `POST` (update; 404 "record not found"), `DELETE` on
//! `/v1/zones/{zone}/{domain}/{type}`; `X-RateLimit-By`, `-Limit`, `-Remaining` and
//! `-Period` on every answer from a token bucket per method, and 429 `{"message":"rate
//! limit exceeded"}` when it is empty. Each answer's fields are checked against its type
//! (their count, numbers in range, addresses, host names; 400 otherwise), and
//! `stored_zone` reads what is stored by the fake's own rules, for the conformance suite.
//! Advanced records (record `meta`, `filters`) are stored and listed with their `tier`
//! (2 with meta, 3 with filters) and their answers flattened into `short_answers`, as the
//! zone list shows them; a linked record lists its `link`; an update keeps `meta` and
//! `filters` unless it sends them.
//! Not reproduced: regions, answer-level meta, filters' effect on answers, linked zones,
//! paging of very large zones (`Link` headers), DNSSEC.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nsync_testkit::http_fake::{Knobbed, Knobs, Request, Response};
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub struct Record {
    pub id: String,
    pub domain: String,
    pub rtype: String,
    pub ttl: u64,
    /// Each answer's fields.
    pub answers: Vec<Vec<String>>,
    /// What NS1's advanced records add: record `meta` and a filter chain (geo, weights,
    /// up/down). Either makes the record tier 2 (meta) or 3 (filters) in the zone's list.
    pub meta: Value,
    pub filters: Vec<Value>,
    /// The record this one answers as (a linked record).
    pub link: Option<String>,
}

impl Record {
    /// A geo CNAME as NS1 users make them: two regions' answers and a filter chain that
    /// picks one by the asker's country (tier 3).
    pub fn geo_cname(id: &str, domain: &str) -> Record {
        Record {
            id: id.into(),
            domain: domain.into(),
            rtype: "CNAME".into(),
            ttl: 60,
            answers: vec![
                vec!["eu.cdn.example.net".into()],
                vec!["us.cdn.example.net".into()],
            ],
            meta: json!({}),
            filters: vec![
                json!({"filter": "geotarget_country", "config": {}}),
                json!({"filter": "select_first_n", "config": {"N": 1}}),
            ],
            link: None,
        }
    }

    fn tier(&self) -> u64 {
        if !self.filters.is_empty() {
            3
        } else if self.meta.as_object().is_some_and(|m| !m.is_empty()) {
            2
        } else {
            1
        }
    }
}

#[derive(Clone, Debug)]
pub struct Zone {
    pub name: String,
    pub records: Vec<Record>,
}

/// A token bucket: `limit` tokens, full again after `period` from empty.
pub struct Bucket {
    pub limit: f64,
    pub period: Duration,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub fn new(limit: u64, period: Duration) -> Bucket {
        Bucket {
            limit: limit as f64,
            period,
            tokens: limit as f64,
            at: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let rate = self.limit / self.period.as_secs_f64();
        self.tokens = (self.tokens + self.at.elapsed().as_secs_f64() * rate).min(self.limit);
        self.at = Instant::now();
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub struct State {
    pub keys: Vec<String>,
    pub zones: Vec<Zone>,
    next_id: u64,
    pub knobs: Knobs,
    /// The bucket each method starts with (`limit`, `period`); tests of pacing set a
    /// small one. The default is far above what a test spends.
    pub budget: (u64, Duration),
    buckets: HashMap<String, Bucket>,
    /// Requests answered 429 because their bucket was empty.
    pub over_budget: usize,
    pub writes: usize,
}

impl Default for State {
    fn default() -> State {
        State {
            keys: Vec::new(),
            zones: Vec::new(),
            next_id: 0,
            knobs: Knobs::default(),
            budget: (1_000_000, Duration::from_secs(300)),
            buckets: HashMap::new(),
            over_budget: 0,
            writes: 0,
        }
    }
}

pub type Control = Arc<Mutex<State>>;

pub const DNS_SERVERS: [&str; 4] = [
    "dns1.p01.nsone.net",
    "dns2.p01.nsone.net",
    "dns3.p01.nsone.net",
    "dns4.p01.nsone.net",
];

const TYPES: [&str; 16] = [
    "A", "AAAA", "ALIAS", "CAA", "CNAME", "DNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SPF", "SRV",
    "TLSA", "TXT", "URLFWD",
];

impl State {
    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("{:024x}", self.next_id * 0x5bd1_e995)
    }

    /// A zone as NS1 creates it: its apex NS holds the four nameservers it serves on.
    pub fn add_zone(&mut self, name: &str) {
        let id = self.id();
        self.zones.push(Zone {
            name: name.to_string(),
            records: vec![Record {
                id,
                domain: name.to_string(),
                rtype: "NS".into(),
                ttl: 3600,
                answers: DNS_SERVERS.iter().map(|s| vec![s.to_string()]).collect(),
                meta: json!({}),
                filters: Vec::new(),
                link: None,
            }],
        });
    }

    fn budget_headers(&mut self, method: &str) -> (Vec<(String, String)>, bool) {
        let (limit, period) = self.budget;
        let bucket = self
            .buckets
            .entry(method.to_string())
            .or_insert_with(|| Bucket::new(limit, period));
        let ok = bucket.take();
        let headers = vec![
            ("x-ratelimit-by".into(), "customer".into()),
            (
                "x-ratelimit-limit".into(),
                format!("{}", bucket.limit as u64),
            ),
            (
                "x-ratelimit-remaining".into(),
                format!("{}", bucket.tokens.max(0.0) as u64),
            ),
            (
                "x-ratelimit-period".into(),
                bucket.period.as_secs().max(1).to_string(),
            ),
        ];
        (headers, ok)
    }
}

fn message(m: &str) -> Value {
    json!({ "message": m })
}

fn record_json(zone: &str, r: &Record) -> Value {
    json!({
        "id": r.id, "zone": zone, "domain": r.domain, "type": r.rtype, "ttl": r.ttl,
        "answers": r.answers.iter().map(|a| json!({"answer": a})).collect::<Vec<_>>(),
        "meta": r.meta, "filters": r.filters, "link": r.link, "tier": r.tier(),
    })
}

fn zone_json(z: &Zone) -> Value {
    json!({
        "zone": z.name, "id": "zone-id", "ttl": 3600, "dns_servers": DNS_SERVERS,
        "primary": {"enabled": false, "secondaries": []},
        "records": z.records.iter().map(|r| json!({
            "domain": r.domain, "id": r.id, "type": r.rtype, "ttl": r.ttl, "tier": r.tier(),
            "link": r.link,
            "short_answers": r.answers.iter().map(|a| a.join(" ")).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The answers of a record body: each `answer` a list of fields (strings or numbers).
fn answers_of(body: &Value) -> Option<Vec<Vec<String>>> {
    body["answers"]
        .as_array()?
        .iter()
        .map(|a| {
            a["answer"].as_array().map(|fields| {
                fields
                    .iter()
                    .map(|f| f.as_str().map_or_else(|| f.to_string(), str::to_string))
                    .collect()
            })
        })
        .collect()
}

/// What a host-name field of an answer is: a name, without or with its final dot.
fn host_ok(f: &str) -> bool {
    f == "."
        || !f.is_empty()
            && nsync_core::name::parse_name(f.trim_end_matches('.'), &nsync_core::Name::root())
                .is_ok()
}

/// The fields each type's answer holds in the API reference (and NS1's Go client's
/// answer constructors): their count and what each must be. The 400 message when an
/// answer does not fit.
fn invalid_answer(rtype: &str, fields: &[String]) -> Option<String> {
    let int = |f: &String, max: u64| f.parse::<u64>().is_ok_and(|v| v <= max);
    let text = |_: &String| true;
    let ok = match (rtype, fields) {
        ("A", [a]) => a.parse::<std::net::Ipv4Addr>().is_ok(),
        ("AAAA", [a]) => a.parse::<std::net::Ipv6Addr>().is_ok(),
        ("CNAME" | "NS" | "PTR" | "ALIAS" | "DNAME", [h]) => host_ok(h),
        ("MX", [p, h]) => int(p, 65535) && host_ok(h),
        ("SRV", [p, w, port, h]) => {
            int(p, 65535) && int(w, 65535) && int(port, 65535) && host_ok(h)
        }
        ("TXT" | "SPF", [t]) => text(t),
        ("CAA", [flags, tag, _]) => int(flags, 255) && !tag.is_empty(),
        ("DS", [tag, alg, digest_type, digest]) => {
            int(tag, 65535)
                && int(alg, 255)
                && int(digest_type, 255)
                && digest.chars().all(|c| c.is_ascii_hexdigit())
        }
        ("TLSA", [u, sel, m, data]) => {
            int(u, 255)
                && int(sel, 255)
                && int(m, 255)
                && data.chars().all(|c| c.is_ascii_hexdigit())
        }
        ("NAPTR", [order, pref, _, _, _, replacement]) => {
            int(order, 65535) && int(pref, 65535) && host_ok(replacement)
        }
        ("URLFWD", [_, _, _, _, _]) => true,
        _ => false,
    };
    (!ok).then(|| format!("invalid: answer {fields:?} is not a valid {rtype} answer"))
}

/// The zone `origin` as this fake holds it, read by its own rules from the answers it
/// stored (the conformance suite's independent view): each answer's fields in the
/// type's order, host names absolute, TXT one text, CAA's value quoted.
pub fn stored_zone(state: &Control, origin: &nsync_core::Name) -> nsync_core::zone::Zone {
    use nsync_testkit::fixture::{Field, Fields, present, stored_name, zone_from_presentations};
    // Each answer's fields by position, in presentation order.
    let fields = |rtype: &str| -> Fields {
        match rtype {
            "CNAME" | "NS" | "PTR" => &[("0", Field::Host)],
            "MX" => &[("0", Field::Num), ("1", Field::Host)],
            "SRV" => &[
                ("0", Field::Num),
                ("1", Field::Num),
                ("2", Field::Num),
                ("3", Field::Host),
            ],
            "TXT" => &[("0", Field::Text)],
            "CAA" => &[("0", Field::Num), ("1", Field::Word), ("2", Field::Text)],
            "NAPTR" => &[
                ("0", Field::Num),
                ("1", Field::Num),
                ("2", Field::Text),
                ("3", Field::Text),
                ("4", Field::Text),
                ("5", Field::Host),
            ],
            _ => &[
                ("0", Field::Word),
                ("1", Field::Word),
                ("2", Field::Word),
                ("3", Field::Word),
            ],
        }
    };
    let s = state.lock().unwrap();
    let name = origin.to_ascii();
    let name = name.trim_end_matches('.');
    let sets: Vec<_> = s
        .zones
        .iter()
        .filter(|z| z.name == name)
        .flat_map(|z| &z.records)
        .filter_map(|r| {
            let rtype = r.rtype.parse().ok()?;
            let texts = r
                .answers
                .iter()
                .map(|a| {
                    let by_position: serde_json::Map<String, Value> = a
                        .iter()
                        .enumerate()
                        .map(|(i, f)| (i.to_string(), json!(f)))
                        .collect();
                    let used = &fields(&r.rtype)[..a.len().min(fields(&r.rtype).len())];
                    present(used, &Value::Object(by_position))
                })
                .collect();
            Some((
                stored_name(&r.domain, origin, false),
                rtype,
                r.ttl as u32,
                texts,
            ))
        })
        .collect();
    drop(s);
    zone_from_presentations(origin, sets)
}

fn handle(state: &Control, request: &Request) -> (u16, Vec<(String, String)>, Value) {
    let mut s = state.lock().unwrap();
    match s.knobs.take() {
        Some(Knobbed::RateLimited { retry_after }) => {
            return (
                429,
                vec![("retry-after".into(), retry_after.to_string())],
                message("rate limit exceeded"),
            );
        }
        Some(Knobbed::Failing) => return (500, vec![], message("internal error")),
        None => {}
    }
    let method = request.method.clone();
    let (headers, ok) = s.budget_headers(&method);
    if !ok {
        s.over_budget += 1;
        return (429, headers, message("rate limit exceeded"));
    }
    let known = request
        .header("x-nsone-key")
        .is_some_and(|k| s.keys.iter().any(|x| x == k));
    if !known {
        return (401, headers, message("Unauthorized"));
    }
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let segments: Vec<String> = request
        .segments("/v1")
        .into_iter()
        .map(str::to_string)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (status, answer) = match (method.as_str(), segments.as_slice()) {
        ("PUT", ["zones", zone]) => {
            if s.zones.iter().any(|z| z.name == *zone) {
                (400, message("zone already exists"))
            } else {
                s.add_zone(zone);
                let z = s.zones.last().map(zone_json).unwrap_or_default();
                (200, z)
            }
        }
        (_, ["zones", zone, rest @ ..]) => {
            let Some(zi) = s.zones.iter().position(|z| z.name == *zone) else {
                return (404, headers, message("zone not found"));
            };
            match (method.as_str(), rest) {
                ("GET", []) => (200, zone_json(&s.zones[zi])),
                (_, [domain, rtype]) => {
                    let in_zone = *domain == *zone || domain.ends_with(&format!(".{zone}"));
                    let pos = s.zones[zi]
                        .records
                        .iter()
                        .position(|r| r.domain == *domain && r.rtype == *rtype);
                    match method.as_str() {
                        _ if !in_zone => (400, message("invalid: domain is not in the zone")),
                        _ if !TYPES.contains(rtype) => {
                            (400, message("invalid: unsupported record type"))
                        }
                        "GET" => match pos {
                            Some(i) => (200, record_json(zone, &s.zones[zi].records[i])),
                            None => (404, message("record not found")),
                        },
                        "DELETE" => match pos {
                            Some(i) => {
                                s.zones[zi].records.remove(i);
                                s.writes += 1;
                                (200, json!({}))
                            }
                            None => (404, message("record not found")),
                        },
                        "PUT" | "POST" => {
                            let Some(answers) = answers_of(&body).filter(|a| !a.is_empty()) else {
                                return (400, headers, message("invalid: a record needs answers"));
                            };
                            if let Some(why) = answers.iter().find_map(|a| invalid_answer(rtype, a))
                            {
                                return (400, headers, message(&why));
                            }
                            let ttl = body["ttl"].as_u64().unwrap_or(3600);
                            match (method.as_str(), pos) {
                                ("PUT", Some(_)) => (400, message("record already exists")),
                                ("POST", None) => (404, message("record not found")),
                                (_, Some(i)) => {
                                    // An update sets what it sends; `meta` and
                                    // `filters` stay unless sent.
                                    let r = &mut s.zones[zi].records[i];
                                    r.answers = answers;
                                    r.ttl = ttl;
                                    if let Some(m) = body.get("meta") {
                                        r.meta = m.clone();
                                    }
                                    if let Some(f) = body["filters"].as_array() {
                                        r.filters = f.clone();
                                    }
                                    let out = record_json(zone, r);
                                    s.writes += 1;
                                    (200, out)
                                }
                                (_, None) => {
                                    let id = s.id();
                                    let r = Record {
                                        id,
                                        domain: domain.to_string(),
                                        rtype: rtype.to_string(),
                                        ttl,
                                        answers,
                                        meta: body.get("meta").cloned().unwrap_or(json!({})),
                                        filters: body["filters"]
                                            .as_array()
                                            .cloned()
                                            .unwrap_or_default(),
                                        link: None,
                                    };
                                    let out = record_json(zone, &r);
                                    s.zones[zi].records.push(r);
                                    s.writes += 1;
                                    (200, out)
                                }
                            }
                        }
                        _ => (405, message("method not allowed")),
                    }
                }
                _ => (404, message("not found")),
            }
        }
        _ => (404, message("not found")),
    };
    (status, headers, answer)
}

/// Starts the fake on 127.0.0.1 with a random port; returns its API base URL.
pub async fn start(state: Control) -> String {
    let addr = nsync_testkit::http_fake::serve(Arc::new(move |request: &Request| {
        let (status, headers, answer) = handle(&state, request);
        let mut response = Response::json(status, answer.to_string());
        response.headers = headers;
        response
    }))
    .await;
    format!("http://{addr}/v1")
}
