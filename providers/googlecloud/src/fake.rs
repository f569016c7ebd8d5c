//! A FAKE Google Cloud DNS API (with its OAuth token endpoint) for tests: Google ships no
//! emulator of Cloud DNS, so this in-repo server follows the Cloud DNS v1 REST reference
//! (https://cloud.google.com/dns/docs/reference/rest/v1: managedZones list/create,
//! resourceRecordSets list, changes create/get), its quotas
//! (https://cloud.google.com/dns/quotas: 1,000 additions and 1,000 deletions per change),
//! Google's error shape (https://cloud.google.com/apis/design/errors) and the
//! service-account flow (https://developers.google.com/identity/protocols/oauth2/service-account):
//! `POST /token` takes a `jwt-bearer` grant, checks the JWT's RS256 signature against the
//! test key (testdata/service-account.json), its `iss`, `aud`, `scope` and an `exp` at
//! most an hour after `iat`, and answers `{access_token, expires_in, token_type}`; the
//! API takes only live tokens (401 `UNAUTHENTICATED` otherwise). A new zone holds
//! Google's SOA and four NS; rrsets page by `maxResults` and `pageToken`; a change is
//! atomic: every deletion must equal an rrset as it is stored, its TTL and every rrdata
//! text for text in any order (412 `conditionNotMet`; octodns #661, external-dns #3311;
//! rrdatas are kept and served in the order and text written, never sorted), no
//! addition may exist after the deletions (409 `alreadyExists`); it is `pending` when
//! created and `done` when asked again.
//! Not reproduced: private zones and views, DNSSEC, routing policies, per-project rate
//! quotas (429s come from the fault relay), the change ids' history beyond the last.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nsync_testkit::http_fake::{self, Knobbed, Knobs, Request, Response};
use serde_json::{Value, json};

pub const TEST_KEY: &str = include_str!("../testdata/service-account.json");
pub const NAME_SERVERS: [&str; 4] = [
    "ns-cloud-a1.googledomains.com.",
    "ns-cloud-a2.googledomains.com.",
    "ns-cloud-a3.googledomains.com.",
    "ns-cloud-a4.googledomains.com.",
];

#[derive(Clone, Debug, PartialEq)]
pub struct RrsetJson {
    pub name: String,
    pub rtype: String,
    pub ttl: u64,
    pub rrdatas: Vec<String>,
    /// A routing policy (geo, weighted round robin, primary-backup) in place of
    /// `rrdatas`, kept as given (https://cloud.google.com/dns/docs/reference/rest/v1/
    /// resourceRecordSets: `routingPolicy`).
    pub routing_policy: Option<Value>,
}

impl RrsetJson {
    fn from(v: &Value) -> RrsetJson {
        let rrdatas: Vec<String> = v["rrdatas"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str().map(str::to_string))
            .collect();
        // Kept in the order and the text given: Cloud DNS serves rrdatas as they were
        // written (a deletion's are compared with them regardless of order).
        RrsetJson {
            name: v["name"].as_str().unwrap_or_default().to_lowercase(),
            rtype: v["type"].as_str().unwrap_or_default().to_string(),
            ttl: v["ttl"].as_u64().unwrap_or(0),
            rrdatas,
            routing_policy: v.get("routingPolicy").filter(|p| p.is_object()).cloned(),
        }
    }

    fn json(&self) -> Value {
        let mut v = json!({"kind": "dns#resourceRecordSet", "name": self.name, "type": self.rtype, "ttl": self.ttl});
        match &self.routing_policy {
            Some(p) => v["routingPolicy"] = p.clone(),
            None => v["rrdatas"] = json!(self.rrdatas),
        }
        v
    }
}

/// The managed zone for `origin` as this fake holds it: its rrdatas are RFC 1035
/// presentation text with absolute names, read as such (the conformance suite's
/// independent view of what a step wrote).
pub fn stored_zone(state: &Control, origin: &nsync_core::Name) -> nsync_core::zone::Zone {
    use nsync_testkit::fixture::{stored_name, zone_from_presentations};
    let s = state.lock().unwrap();
    let dns_name = origin.to_ascii();
    let sets = s
        .zones
        .iter()
        .filter(|z| z.dns_name == dns_name)
        .flat_map(|z| &z.rrsets)
        // A routing policy has no rrdatas to read: it is held, never nsync's.
        .filter(|r| r.routing_policy.is_none())
        .map(|r| {
            (
                stored_name(&r.name, origin, false),
                r.rtype.parse().expect("a stored type"),
                r.ttl as u32,
                r.rrdatas.clone(),
            )
        })
        .collect::<Vec<_>>();
    // Read outside the lock: a panic here must not poison the fake for other tests.
    drop(s);
    zone_from_presentations(origin, sets)
}

pub struct ManagedZone {
    pub name: String,
    pub dns_name: String,
    pub rrsets: Vec<RrsetJson>,
}

pub struct State {
    pub project: String,
    pub zones: Vec<ManagedZone>,
    pub knobs: Knobs,
    /// Tokens issued, with their expiry.
    tokens: Vec<(String, Instant)>,
    /// How long issued tokens live (Google's are an hour).
    pub token_lifetime: Duration,
    pub token_requests: usize,
    /// Changes created; a change is `done` from its first `get`.
    pub changes: usize,
    pending: Vec<String>,
    /// Refuse every JWT (a deleted key).
    pub key_revoked: bool,
}

impl Default for State {
    fn default() -> State {
        State {
            project: "nsync-test".into(),
            zones: Vec::new(),
            knobs: Knobs::default(),
            tokens: Vec::new(),
            token_lifetime: Duration::from_secs(3600),
            token_requests: 0,
            changes: 0,
            pending: Vec::new(),
            key_revoked: false,
        }
    }
}

pub type Control = Arc<Mutex<State>>;

impl State {
    /// A zone as Cloud DNS creates it: its SOA and its four NS.
    pub fn add_zone(&mut self, name: &str, dns_name: &str) {
        self.zones.push(ManagedZone {
            name: name.into(),
            dns_name: dns_name.into(),
            rrsets: vec![
                RrsetJson {
                    name: dns_name.into(),
                    rtype: "NS".into(),
                    ttl: 21600,
                    rrdatas: NAME_SERVERS.iter().map(|s| s.to_string()).collect(),
                    routing_policy: None,
                },
                RrsetJson {
                    name: dns_name.into(),
                    rtype: "SOA".into(),
                    ttl: 21600,
                    rrdatas: vec![format!(
                        "{} cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300",
                        NAME_SERVERS[0]
                    )],
                    routing_policy: None,
                },
            ],
        });
    }
}

fn error(code: u16, reason: &str, status: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status,
        "errors": [{"domain": "global", "reason": reason, "message": message}]}})
}

fn oauth_error(e: &str, d: &str) -> Value {
    json!({"error": e, "error_description": d})
}

fn b64(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

/// The token endpoint's check of a `jwt-bearer` grant.
fn check_assertion(body: &str) -> Result<(), &'static str> {
    let form: Vec<(&str, &str)> = body
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let get = |k| form.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    if get("grant_type") != Some("urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer") {
        return Err("Invalid grant_type.");
    }
    let jwt = get("assertion").ok_or("Missing required parameter: assertion")?;
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, c, s] = parts[..] else {
        return Err("Invalid JWT.");
    };
    let header: Value = b64(h)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("Invalid JWT.")?;
    let claims: Value = b64(c)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("Invalid JWT.")?;
    let account = crate::auth::parse_key_file(TEST_KEY).map_err(|_| "no test key")?;
    let public = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        account.public_key().as_ref(),
    );
    let signature = b64(s).ok_or("Invalid JWT Signature.")?;
    if header["alg"] != "RS256"
        || public
            .verify(format!("{h}.{c}").as_bytes(), &signature)
            .is_err()
    {
        return Err("Invalid JWT Signature.");
    }
    if claims["iss"] != account.client_email.as_str() {
        return Err("Invalid issuer.");
    }
    if claims["aud"]
        .as_str()
        .is_none_or(|a| !a.ends_with("/token"))
    {
        return Err("Invalid JWT: audience.");
    }
    if claims["scope"] != crate::SCOPE {
        return Err("Invalid OAuth scope or ID token audience provided.");
    }
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap_or(0),
        claims["exp"].as_u64().unwrap_or(0),
    );
    if exp <= iat || exp - iat > 3600 {
        return Err(
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.",
        );
    }
    Ok(())
}

fn handle(state: &Control, request: &Request) -> (u16, Vec<(String, String)>, Value) {
    let mut s = state.lock().unwrap();
    match s.knobs.take() {
        Some(Knobbed::RateLimited { retry_after }) => {
            return (
                429,
                vec![("retry-after".into(), retry_after.to_string())],
                error(
                    429,
                    "rateLimitExceeded",
                    "RESOURCE_EXHAUSTED",
                    "Rate Limit Exceeded",
                ),
            );
        }
        Some(Knobbed::Failing) => {
            return (
                503,
                vec![],
                error(503, "backendError", "UNAVAILABLE", "Backend Error"),
            );
        }
        None => {}
    }
    if request.method == "POST" && request.path == "/token" {
        s.token_requests += 1;
        let body = String::from_utf8_lossy(&request.body).to_string();
        if s.key_revoked {
            return (
                400,
                vec![],
                oauth_error("invalid_grant", "Invalid JWT Signature."),
            );
        }
        return match check_assertion(&body) {
            Ok(()) => {
                let token = format!("ya29.fake-{}", s.token_requests);
                let lives = s.token_lifetime;
                s.tokens.push((token.clone(), Instant::now() + lives));
                (
                    200,
                    vec![],
                    json!({"access_token": token, "expires_in": lives.as_secs(), "token_type": "Bearer"}),
                )
            }
            Err(why) => (400, vec![], oauth_error("invalid_grant", why)),
        };
    }
    let live = request.bearer().is_some_and(|t| {
        s.tokens
            .iter()
            .any(|(k, until)| k == t && Instant::now() < *until)
    });
    if !live {
        return (
            401,
            vec![],
            error(
                401,
                "authError",
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            ),
        );
    }
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let project = s.project.clone();
    let segments = request.segments("/dns/v1");
    let (status, answer) = match (request.method.as_str(), segments.as_slice()) {
        (_, ["projects", p, ..]) if *p != project => (
            403,
            error(
                403,
                "forbidden",
                "PERMISSION_DENIED",
                &format!("The caller does not have permission on project {p}"),
            ),
        ),
        ("GET", ["projects", _, "managedZones"]) => {
            let wanted = request.param("dnsName").map(str::to_lowercase);
            let zones: Vec<Value> = s.zones.iter()
                .filter(|z| wanted.as_deref().is_none_or(|w| w == z.dns_name))
                .map(|z| json!({"kind": "dns#managedZone", "name": z.name, "dnsName": z.dns_name, "nameServers": NAME_SERVERS, "visibility": "public", "id": "4242"}))
                .collect();
            (
                200,
                json!({"kind": "dns#managedZonesListResponse", "managedZones": zones}),
            )
        }
        ("POST", ["projects", _, "managedZones"]) => {
            let (name, dns) = (
                body["name"].as_str().unwrap_or_default().to_string(),
                body["dnsName"].as_str().unwrap_or_default().to_lowercase(),
            );
            if s.zones.iter().any(|z| z.name == name) {
                (
                    409,
                    error(
                        409,
                        "alreadyExists",
                        "ALREADY_EXISTS",
                        &format!("The resource 'entity.managedZone' named '{name}' already exists"),
                    ),
                )
            } else {
                s.add_zone(&name, &dns);
                (
                    200,
                    json!({"kind": "dns#managedZone", "name": name, "dnsName": dns, "nameServers": NAME_SERVERS}),
                )
            }
        }
        (method, ["projects", _, "managedZones", zone, rest @ ..]) => {
            let Some(zi) = s.zones.iter().position(|z| z.name == *zone) else {
                return (
                    404,
                    vec![],
                    error(
                        404,
                        "notFound",
                        "NOT_FOUND",
                        &format!(
                            "The 'parameters.managedZone' resource named '{zone}' does not exist."
                        ),
                    ),
                );
            };
            match (method, rest) {
                ("GET", ["rrsets"]) => {
                    let max = request
                        .param("maxResults")
                        .and_then(|m| m.parse().ok())
                        .unwrap_or(1000usize)
                        .clamp(1, 1000);
                    let start: usize = request
                        .param("pageToken")
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(0);
                    let all = &s.zones[zi].rrsets;
                    let (chunk, _) = http_fake::page(all, start / max + 1, max);
                    let mut out = json!({"kind": "dns#resourceRecordSetsListResponse", "rrsets": chunk.iter().map(RrsetJson::json).collect::<Vec<_>>()});
                    if start + max < all.len() {
                        out["nextPageToken"] = json!((start + max).to_string());
                    }
                    (200, out)
                }
                ("POST", ["changes"]) => {
                    let list = |k: &str| body[k].as_array().cloned().unwrap_or_default();
                    let (additions, deletions) = (list("additions"), list("deletions"));
                    if additions.len() > 1000 || deletions.len() > 1000 {
                        return (
                            403,
                            vec![],
                            error(
                                403,
                                "quotaExceeded",
                                "RESOURCE_EXHAUSTED",
                                "Quota exceeded for quota metric 'rrsetAdditionsPerChange'",
                            ),
                        );
                    }
                    let mut next = s.zones[zi].rrsets.clone();
                    for (i, d) in deletions.iter().enumerate() {
                        let d = RrsetJson::from(d);
                        let mut held = next
                            .iter()
                            .position(|r| r.name == d.name && r.rtype == d.rtype);
                        // Equal as Cloud DNS holds it: name, type, TTL and every rrdata as
                        // stored, text for text, in any order.
                        if let Some(h) = held {
                            let sorted = |r: &RrsetJson| {
                                let mut r = r.clone();
                                r.rrdatas.sort();
                                r
                            };
                            if sorted(&next[h]) != sorted(&d) {
                                held = None;
                            }
                        }
                        let Some(h) = held else {
                            return (
                                412,
                                vec![],
                                error(
                                    412,
                                    "conditionNotMet",
                                    "FAILED_PRECONDITION",
                                    &format!(
                                        "Precondition not met for 'entity.change.deletions[{i}]'"
                                    ),
                                ),
                            );
                        };
                        next.remove(h);
                    }
                    for a in &additions {
                        let a = RrsetJson::from(a);
                        if (a.rrdatas.is_empty() && a.routing_policy.is_none()) || a.rtype == "SOA"
                        {
                            return (
                                400,
                                vec![],
                                error(
                                    400,
                                    "invalid",
                                    "INVALID_ARGUMENT",
                                    "Invalid value for 'entity.change.additions'",
                                ),
                            );
                        }
                        if next.iter().any(|r| r.name == a.name && r.rtype == a.rtype) {
                            return (
                                409,
                                vec![],
                                error(
                                    409,
                                    "alreadyExists",
                                    "ALREADY_EXISTS",
                                    &format!(
                                        "The resource 'entity.change.additions[{}][{}]' named '{} ({})' already exists",
                                        a.name, a.rtype, a.name, a.rtype
                                    ),
                                ),
                            );
                        }
                        next.push(a);
                    }
                    s.zones[zi].rrsets = next;
                    s.changes += 1;
                    let id = s.changes.to_string();
                    s.pending.push(id.clone());
                    (
                        200,
                        json!({"kind": "dns#change", "id": id, "status": "pending", "additions": additions, "deletions": deletions}),
                    )
                }
                ("GET", ["changes", id]) => {
                    let id = id.to_string();
                    s.pending.retain(|p| *p != id);
                    (
                        200,
                        json!({"kind": "dns#change", "id": id, "status": "done"}),
                    )
                }
                _ => (404, error(404, "notFound", "NOT_FOUND", "Not Found")),
            }
        }
        _ => (404, error(404, "notFound", "NOT_FOUND", "Not Found")),
    };
    (status, vec![], answer)
}

/// Starts the fake on 127.0.0.1 with a random port; returns its base URL (the API is
/// under `/dns/v1`, the token endpoint at `/token`).
pub async fn start(state: Control) -> String {
    let addr = http_fake::serve(Arc::new(move |request: &Request| {
        let (status, headers, answer) = handle(&state, request);
        let mut response = Response::json(status, answer.to_string());
        response.headers = headers;
        response
    }))
    .await;
    format!("http://{addr}")
}

/// The test key file with its `token_uri` at the fake.
pub fn key_file_for(base: &str) -> String {
    let mut key: Value = serde_json::from_str(TEST_KEY).expect("the test key is JSON");
    key["token_uri"] = json!(format!("{base}/token"));
    key.to_string()
}
