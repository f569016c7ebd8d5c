//! audit's findings without a lab: providers are fakes built by a test kind (their health
//! and their zone scripted), nameservers and the parent zone are a scripted transport.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use hickory_proto::op::ResponseCode;
use nsync_core::kind::{Kind, no_value_checks};
use nsync_core::provider::{
    Capabilities, ChangeSet, ErrorKind, Provider, ProviderError, ZoneState,
};
use nsync_core::settings::Settings;
use nsync_core::{Name, RecordType};

use super::{Report, run_with};
use crate::invocation::Invocation;
use crate::targets::{DesiredZone, Workspace};
use crate::verify::client::QueryLimits;
use crate::verify::script::{Reply, Script, ScriptedAt, block_on, ok};

/// What a fake provider answers.
#[derive(Clone)]
struct Fake {
    health: Result<(), ProviderError>,
    read: Result<ZoneState, ProviderError>,
}

struct FakeProvider {
    name: String,
    fake: Fake,
}

#[async_trait::async_trait]
impl Provider for FakeProvider {
    fn name(&self) -> &str {
        &self.name
    }
    fn capabilities(&self) -> &Capabilities {
        &FAKE.capabilities
    }
    async fn read_zone(&self, _: &Name) -> Result<ZoneState, ProviderError> {
        self.fake.read.clone()
    }
    async fn apply(&self, _: &Name, _: &ChangeSet) -> Result<(), ProviderError> {
        Ok(())
    }
    async fn health(&self) -> Result<(), ProviderError> {
        self.fake.health.clone()
    }
}

/// Fakes by provider name (unique per test: tests run in parallel).
fn fakes() -> &'static Mutex<HashMap<String, Fake>> {
    static FAKES: OnceLock<Mutex<HashMap<String, Fake>>> = OnceLock::new();
    FAKES.get_or_init(Default::default)
}

fn build_fake(name: &str, _: &Settings) -> Result<Arc<dyn Provider>, ProviderError> {
    let fake = fakes()
        .lock()
        .unwrap()
        .get(name)
        .cloned()
        .expect("a fake for this provider");
    Ok(Arc::new(FakeProvider {
        name: name.to_string(),
        fake,
    }))
}

/// A kind that stores TTLs of 60 s and more (as Cloudflare), to see ttl_clamped.
static FAKE: Kind = Kind {
    name: "fake",
    summary: "a provider scripted by the test",
    keys: &[],
    capabilities: Capabilities::FULL.with_ttl(60, nsync_core::zone::MAX_TTL),
    check_values: no_value_checks,
    check_rrset: nsync_core::kind::no_rrset_checks,
    build: build_fake,
};

const PARENT: &str = "203.0.113.1:53";

fn zone(text: &str) -> nsync_core::zone::Zone {
    crate::verify::script::example_zone(text)
}

fn err(kind: ErrorKind, provider: &str) -> ProviderError {
    ProviderError::new(kind, provider, "read zone", "scripted")
}

/// Providers (name, nameserver name, addresses, fake) on zone example.test.; the parent
/// is PARENT, the root hint.
fn workspace(providers: &[(&str, &str, &[&str], Fake)], zone_text: &str) -> Workspace {
    let mut text = format!("[resolver]\nroot_hints = [\"{PARENT}\"]\n\n");
    for (name, ns, addresses, fake) in providers {
        fakes()
            .lock()
            .unwrap()
            .insert(name.to_string(), fake.clone());
        let list: Vec<String> = addresses.iter().map(|a| format!("\"{a}\"")).collect();
        text.push_str(&format!(
            "[providers.{name}]\nkind = \"zonefile\"\ndirectory = \"unused\"\nnameservers = [{{ name = \"{ns}\", addresses = [{}] }}]\n\n",
            list.join(", ")
        ));
    }
    let names: Vec<String> = providers.iter().map(|p| format!("\"{}\"", p.0)).collect();
    text.push_str(&format!(
        "[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [{}]\n",
        names.join(", ")
    ));
    let (config, diags) = crate::config::parse_config(std::path::Path::new("nsync.toml"), &text);
    assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
    let mut config = config.unwrap();
    for pc in config.providers.values_mut() {
        pc.kind = &FAKE;
    }
    let desired = DesiredZone {
        config: config.zones[0].clone(),
        zone: zone(zone_text),
        files: Vec::new(),
    };
    Workspace {
        config,
        zones: vec![Arc::new(desired)],
    }
}

/// A provider holding `zone_text` and the apex NS sync writes there: the union of the
/// nameservers `ns` of every provider of the zone.
fn serving(zone_text: &str, ns: &[&str]) -> Fake {
    let apex: String = ns.iter().map(|n| format!("@ NS {n}\n")).collect();
    Fake {
        health: Ok(()),
        read: Ok(ZoneState {
            zone: zone(&format!("{zone_text}{apex}")),
            nameservers: Vec::new(),
            notices: Vec::new(),
            held: Vec::new(),
            ttl_set_by_provider: Vec::new(),
        }),
    }
}

const SOA7: &str =
    "example.test. 300 SOA ns1.example.net. hostmaster.example.test. 7 3600 600 86400 300";
const SOA8: &str =
    "example.test. 300 SOA ns1.example.net. hostmaster.example.test. 8 3600 600 86400 300";

/// Every address answers the SOA (serial 7); the parent's answer is `parent`.
fn transport(parent: Reply, at: Vec<(&str, Script)>) -> Arc<ScriptedAt> {
    let mut map: HashMap<SocketAddr, Arc<Script>> = at
        .into_iter()
        .map(|(a, s)| (a.parse().unwrap(), Arc::new(s)))
        .collect();
    map.insert(
        PARENT.parse().unwrap(),
        Arc::new(Script::default().on("example.test.", RecordType::NS, vec![parent])),
    );
    Arc::new(ScriptedAt {
        default: Arc::new(Script::default().on(
            "example.test.",
            RecordType::SOA,
            vec![ok(&[SOA7])],
        )),
        at: map,
    })
}

fn audit(ws: &Workspace, t: Arc<ScriptedAt>) -> Report {
    let limits = QueryLimits {
        timeout: std::time::Duration::from_millis(200),
        retries: 0,
        max_in_flight: 4,
    };
    block_on(run_with(
        ws,
        &Invocation::on("nsync.toml".into()),
        limits,
        t,
    ))
}

fn kinds(r: &Report) -> Vec<(&'static str, String)> {
    let mut k: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.kind, f.provider.clone()))
        .collect();
    k.sort();
    k
}

const ZONE: &str = "$TTL 300\nwww A 192.0.2.1\n";
const H: &[&str] = &["ns1.example.net.", "ns2.example.org."];
const FOUR: &[&str] = &[
    "ns1.example.net.",
    "ns2.example.org.",
    "ns3.example.com.",
    "ns4.example.info.",
];
/// In-zone nameservers, so the zone file carries their glue.
const G_ZONE: &str = "$TTL 300\nwww A 192.0.2.1\nns1 A 192.0.2.53\nns2 A 192.0.2.54\n";
const G: &[&str] = &["ns1.example.test.", "ns2.example.test."];

/// The parent delegates to the two providers of H (out of zone: no glue).
fn delegated_to_both() -> Reply {
    delegated_to(
        &[
            "example.test. 86400 NS ns1.example.net.",
            "example.test. 86400 NS ns2.example.org.",
        ],
        &[],
    )
}

fn delegated_to(names: &[&'static str], glue: &[&'static str]) -> Reply {
    Reply::Referral(names.to_vec(), glue.to_vec())
}

#[test]
fn two_healthy_providers_on_two_networks_delegated_to_both_audit_clean() {
    let ws = workspace(
        &[
            ("h1", "ns1.example.net.", &["192.0.2.53"], serving(ZONE, H)),
            (
                "h2",
                "ns2.example.org.",
                &["198.51.100.53"],
                serving(ZONE, H),
            ),
        ],
        ZONE,
    );
    let r = audit(&ws, transport(delegated_to_both(), vec![]));
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn provider_health_findings_each_have_their_kind() {
    let ws = workspace(
        &[
            (
                "auth",
                "ns1.example.net.",
                &["192.0.2.53"],
                Fake {
                    health: Err(err(ErrorKind::AuthFailed, "auth")),
                    ..serving(ZONE, FOUR)
                },
            ),
            (
                "susp",
                "ns2.example.org.",
                &["198.51.100.53"],
                Fake {
                    health: Err(err(ErrorKind::AccountSuspended, "susp")),
                    ..serving(ZONE, FOUR)
                },
            ),
            (
                "gone",
                "ns3.example.com.",
                &["203.0.113.53"],
                Fake {
                    health: Ok(()),
                    read: Err(err(ErrorKind::ZoneMissing, "gone")),
                },
            ),
            (
                "down",
                "ns4.example.info.",
                &["192.0.2.153"],
                Fake {
                    health: Ok(()),
                    read: Err(err(ErrorKind::Temporary, "down")),
                },
            ),
        ],
        ZONE,
    );
    let r = audit(
        &ws,
        transport(
            delegated_to(
                &[
                    "example.test. 86400 NS ns1.example.net.",
                    "example.test. 86400 NS ns2.example.org.",
                    "example.test. 86400 NS ns3.example.com.",
                    "example.test. 86400 NS ns4.example.info.",
                ],
                &[],
            ),
            vec![],
        ),
    );
    assert_eq!(
        kinds(&r),
        vec![
            ("account_suspended", "susp".to_string()),
            ("auth_failed", "auth".to_string()),
            ("provider_error", "down".to_string()),
            ("zone_missing", "gone".to_string()),
        ]
    );
}

#[test]
fn drift_clamped_ttls_and_provider_notices_are_reported() {
    let held = "$TTL 300\nwww A 192.0.2.99\nold A 192.0.2.2\n";
    let mut fake = serving(held, H);
    if let Ok(state) = &mut fake.read {
        state.notices.push("www is proxied".into());
    }
    let ws = workspace(
        &[
            ("d1", "ns1.example.net.", &["192.0.2.53"], fake),
            (
                "d2",
                "ns2.example.org.",
                &["198.51.100.53"],
                serving("$TTL 300\nwww A 192.0.2.1\nnew 30 A 192.0.2.3\n", H),
            ),
        ],
        "$TTL 300\nwww A 192.0.2.1\nnew 30 A 192.0.2.3\n",
    );
    let r = audit(&ws, transport(delegated_to_both(), vec![]));
    let d1: Vec<_> = kinds(&r)
        .into_iter()
        .filter(|(_, p)| p == "d1")
        .map(|(k, _)| k)
        .collect();
    // new: missing (and its TTL of 30 is clamped); old: extra; www: changed.
    assert_eq!(
        d1,
        [
            "drift_changed",
            "drift_extra",
            "drift_missing",
            "provider_notice",
            "ttl_clamped"
        ]
    );
    let d2: Vec<_> = kinds(&r)
        .into_iter()
        .filter(|(_, p)| p == "d2")
        .map(|(k, _)| k)
        .collect();
    // The fake stores 60 s at least, so it holds `new` at 60: that is drift too.
    assert!(d2.contains(&"ttl_clamped"), "{d2:?}");
}

#[test]
fn lame_and_stale_nameservers_are_found() {
    let ws = workspace(
        &[
            (
                "n1",
                "ns1.example.net.",
                &["192.0.2.53", "192.0.2.54"],
                serving(ZONE, H),
            ),
            (
                "n2",
                "ns2.example.org.",
                &["198.51.100.53"],
                serving(ZONE, H),
            ),
        ],
        ZONE,
    );
    let r = audit(
        &ws,
        transport(
            delegated_to_both(),
            vec![
                (
                    "192.0.2.54:53",
                    Script::default().on("example.test.", RecordType::SOA, vec![ok(&[SOA8])]),
                ),
                (
                    "198.51.100.53:53",
                    Script::default().on(
                        "example.test.",
                        RecordType::SOA,
                        vec![Reply::Answer(ResponseCode::Refused, false, vec![])],
                    ),
                ),
            ],
        ),
    );
    assert_eq!(
        kinds(&r),
        vec![
            ("nameserver_lame", "n2".to_string()),
            ("serial_mismatch", "n1".to_string())
        ]
    );
}

#[test]
fn delegation_findings_each_have_their_kind() {
    let providers: &[(&str, &str, &[&str], Fake)] = &[
        (
            "g1",
            "ns1.example.test.",
            &["192.0.2.53"],
            serving(G_ZONE, G),
        ),
        (
            "g2",
            "ns2.example.test.",
            &["192.0.2.54"],
            serving(G_ZONE, G),
        ),
    ];
    let zone_text = G_ZONE;
    let ws = workspace(providers, zone_text);
    // The parent knows g1 only, with the wrong glue, and a server nobody configured.
    let r = audit(
        &ws,
        transport(
            delegated_to(
                &[
                    "example.test. 86400 NS ns1.example.test.",
                    "example.test. 86400 NS ns9.example.com.",
                ],
                &["ns1.example.test. 86400 A 192.0.2.99"],
            ),
            vec![],
        ),
    );
    assert_eq!(
        kinds(&r),
        vec![
            ("delegation_missing_provider", "g2".to_string()),
            ("delegation_unknown_nameserver", String::new()),
            ("glue_mismatch", String::new()),
            ("same_network", String::new()),
        ]
    );
    // Delegated to g1 alone: a single point of failure.
    let r = audit(
        &ws,
        transport(
            delegated_to(
                &["example.test. 86400 NS ns1.example.test."],
                &["ns1.example.test. 86400 A 192.0.2.53"],
            ),
            vec![],
        ),
    );
    let k = kinds(&r);
    assert!(k.contains(&("single_provider", "g1".to_string())), "{k:?}");
    // Not delegated at all.
    let r = audit(
        &ws,
        transport(Reply::Answer(ResponseCode::NXDomain, true, vec![]), vec![]),
    );
    assert!(
        kinds(&r).contains(&("zone_not_delegated", String::new())),
        "{:?}",
        r.findings
    );
}
