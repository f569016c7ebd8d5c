//! The conformance suite every provider passes, after DNSControl's integration tests: a
//! chain of small state transitions. After each one is applied, planning again must show
//! zero changes, and a direct RD=0 query to the server must return the new data.
//! One test per (provider, transition): each brings the zone to the step before it, then
//! applies its own, so a failure names the step and hides none after it.

mod common;

use nsync_core::name::NameText;
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use common::dns::query;
use common::lab::Lab;
use libtest_mimic::{Arguments, Trial};
use nsync::config::IgnorePattern;
use nsync::plan::{PlanInput, describe, plan};
use nsync_core::provider::{Provider, ZoneState};
use nsync_core::rdata::canonical_bytes;
use nsync_core::zone::{Rrset, Zone};
use nsync_core::{Name, RecordType};
use nsync_testkit::transitions::{Transition, desired_zone, transitions};

fn ignore_patterns(t: &Transition, origin: &Name) -> Vec<IgnorePattern> {
    t.ignore
        .iter()
        .map(|n| {
            IgnorePattern::Exact(Name::from_ascii(format!("{n}.{}", origin.to_text())).unwrap())
        })
        .collect()
}

fn plan_for(
    provider: &dyn Provider,
    desired: &Zone,
    state: &ZoneState,
    ignore: &[IgnorePattern],
    ns: &[Name],
) -> Vec<String> {
    let input = PlanInput {
        desired,
        current: &state.zone,
        ignore,
        capabilities: provider.capabilities(),
        union_nameservers: ns,
    };
    plan(&input)
        .changes
        .iter()
        .map(|c| {
            let (sign, text) = describe(c);
            format!("{sign} {text}")
        })
        .collect()
}

/// True when `name` lies below a delegation of the zone other than at the cut itself:
/// a server answers such names with a referral, not with the data.
fn occluded(zone: &Zone, name: &Name) -> bool {
    zone.rrsets().any(|r| {
        r.rtype == RecordType::NS
            && r.name != zone.origin
            && r.name.zone_of(name)
            && r.name != *name
    })
}

/// Asks the server directly and compares what it serves with the desired rrset.
fn check_served(server: IpAddr, zone: &Zone, want: &Rrset, step: &str) {
    if occluded(zone, &want.name) || (want.rtype == RecordType::NS && want.name == zone.origin) {
        return;
    }
    let answer = query(server, &want.name, want.rtype);
    let delegation = want.rtype == RecordType::NS && want.name != zone.origin;
    let section = if delegation {
        &answer.authorities
    } else {
        &answer.answers
    };
    let got: Vec<_> = section
        .iter()
        .filter(|r| r.record_type() == want.rtype && r.name == want.name)
        .collect();
    let mut got_bytes: Vec<Vec<u8>> = got.iter().map(|r| canonical_bytes(&r.data)).collect();
    got_bytes.sort();
    let mut want_bytes: Vec<Vec<u8>> = want.rdata().iter().map(|r| r.wire().to_vec()).collect();
    want_bytes.sort();
    assert_eq!(
        got_bytes, want_bytes,
        "{step}: {server} serves other data for {} {}: {got:?}",
        want.name, want.rtype
    );
    if !delegation {
        assert!(
            got.iter().all(|r| r.ttl == want.ttl),
            "{step}: {server} serves TTL {:?} for {} {}, want {}",
            got.first().map(|r| r.ttl),
            want.name,
            want.rtype,
            want.ttl
        );
    }
}

fn check_gone(server: IpAddr, zone: &Zone, old: &Rrset, ignore: &[IgnorePattern], step: &str) {
    if occluded(zone, &old.name)
        || zone.get(&old.name, old.rtype).is_some()
        || ignore.iter().any(|p| p.matches(&old.name))
    {
        return;
    }
    let answer = query(server, &old.name, old.rtype);
    // The authority section too: a delegation that is still there comes back as a
    // referral (NS in authority), not as an answer.
    let left: Vec<_> = answer
        .answers
        .iter()
        .chain(&answer.authorities)
        .filter(|r| r.record_type() == old.rtype && r.name == old.name)
        .collect();
    assert!(
        left.is_empty(),
        "{step}: {server} still serves {} {}: {left:?}",
        old.name,
        old.rtype
    );
}

/// Builds a provider the way nsync does: from an nsync.toml provider table.
fn provider_from_toml(table: &str) -> Arc<dyn Provider> {
    let name = table
        .trim_start_matches("[providers.")
        .split(']')
        .next()
        .unwrap()
        .to_string();
    let text = format!(
        "{table}\n[zones.\"conformance.test.\"]\nfile = \"unused.zone\"\nproviders = [\"{name}\"]\n"
    );
    let (config, diags) = nsync::config::parse_config(Path::new("conformance.toml"), &text);
    assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
    let pc = &config.unwrap().providers[&name];
    let provider = pc.build().expect("provider");
    // One source of what a provider can store: check and verify read the kind's
    // declaration, plan and sync the built provider's.
    assert_eq!(
        provider.capabilities(),
        &pc.kind.capabilities,
        "{name}: the built provider's capabilities differ from its kind's"
    );
    provider
}

/// Where one provider's suite runs: how to build it, its zone, the nameserver to ask
/// after each step (none for API emulators and fakes, which serve no DNS).
struct Fixture {
    name: &'static str,
    /// Needs the lab: ignored by a plain `cargo test`, run by tests/run.sh.
    needs_lab: bool,
    zone: &'static str,
    /// Whether the provider stores owner names with any octet (PowerDNS's API does not).
    any_octet_owners: bool,
    setup: fn() -> Setup,
}

/// A check run after each step, given the step's name.
type StepCheck = Box<dyn Fn(&str) + Send + Sync>;

struct Setup {
    provider: Arc<dyn Provider>,
    server: Option<IpAddr>,
    /// A provider-specific check after a step (the fake counts batch requests).
    after_step: Option<StepCheck>,
}

fn lab_rfc2136(server: &str) -> Setup {
    let lab = Lab::get();
    Setup {
        provider: provider_from_toml(&lab.rfc2136_provider(server, server)),
        server: Some(lab.ip(server)),
        after_step: None,
    }
}

fn fixtures() -> Vec<Fixture> {
    let mut all = lab_and_fake_fixtures();
    if let Some(real) = real_account() {
        all.push(real);
    }
    all
}

/// `NSYNC_TEST=<kind>`: the suite against a real account, for users and maintainers (never
/// in CI, never by default: tests talk to loopback only). `NSYNC_TEST_TABLE` is the
/// provider table as in nsync.toml (`[providers.real]`, secrets as `env:` references) and
/// `NSYNC_TEST_ZONE` a zone the account holds that the suite may empty and rewrite;
/// `NSYNC_TEST_ANY_OCTET=1` where the provider stores owner names with any octet.
fn real_account() -> Option<Fixture> {
    let kind = std::env::var("NSYNC_TEST").ok()?;
    let zone = std::env::var("NSYNC_TEST_ZONE").unwrap_or_else(|_| {
        panic!("NSYNC_TEST={kind} needs NSYNC_TEST_ZONE (a zone the suite may rewrite)")
    });
    Some(Fixture {
        name: Box::leak(format!("real_{kind}").into_boxed_str()),
        needs_lab: false,
        zone: Box::leak(zone.into_boxed_str()),
        any_octet_owners: std::env::var("NSYNC_TEST_ANY_OCTET").is_ok_and(|v| v == "1"),
        setup: || {
            let table = std::env::var("NSYNC_TEST_TABLE")
                .expect("NSYNC_TEST needs NSYNC_TEST_TABLE: the provider table, as in nsync.toml");
            Setup {
                provider: provider_from_toml(&table),
                server: None,
                after_step: None,
            }
        },
    })
}

fn lab_and_fake_fixtures() -> Vec<Fixture> {
    vec![
        Fixture {
            name: "rfc2136_on_bind",
            needs_lab: true,
            zone: "t01.test.",
            any_octet_owners: true,
            setup: || lab_rfc2136("bind"),
        },
        Fixture {
            name: "rfc2136_on_knot",
            needs_lab: true,
            zone: "t01.test.",
            any_octet_owners: true,
            setup: || lab_rfc2136("knot"),
        },
        Fixture {
            name: "rfc2136_on_powerdns",
            needs_lab: true,
            zone: "t01.test.",
            any_octet_owners: true,
            setup: || lab_rfc2136("pdns"),
        },
        Fixture {
            name: "powerdns_http_api",
            needs_lab: true,
            zone: "t16.test.",
            any_octet_owners: false,
            setup: || {
                let lab = Lab::get();
                Setup {
                    provider: provider_from_toml(&lab.powerdns_provider("pdns-api")),
                    server: Some(lab.ip("pdns")),
                    after_step: None,
                }
            },
        },
        Fixture {
            name: "zonefile_served_by_knot",
            needs_lab: true,
            zone: "zf.test.",
            any_octet_owners: true,
            setup: || {
                let lab = Lab::get();
                Setup {
                    provider: provider_from_toml(&lab.zonefile_provider("files")),
                    server: Some(lab.ip("knot")),
                    after_step: None,
                }
            },
        },
        Fixture {
            name: "route53_on_moto",
            needs_lab: true,
            zone: "r53.test.",
            any_octet_owners: true,
            setup: || Setup {
                provider: provider_from_toml(&Lab::get().route53_provider("r53")),
                server: None,
                after_step: None,
            },
        },
        // Cloudflare has no emulator: its suite runs against the in-repo fake API.
        Fixture {
            name: "cloudflare_fake_api",
            needs_lab: false,
            zone: "cf.test.",
            any_octet_owners: true,
            setup: cloudflare_fake,
        },
    ]
}

/// The runtime every trial runs on, and that keeps the Cloudflare fake serving between
/// trials.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Runtime::new().expect("runtime"))
}

fn cloudflare_fake() -> Setup {
    use common::cloudflare_fake::{self, State};
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        s.tokens
            .push(("cf-conformance-token".into(), "active".into()));
        s.add_zone("cf.test");
    }
    let url = runtime().block_on(cloudflare_fake::start(state.clone()));
    let dir = std::env::temp_dir().join(format!("nsync-conformance-cf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("token"), "cf-conformance-token\n").unwrap();
    let table = format!(
        "[providers.cf]\nkind = \"cloudflare\"\nendpoint = \"{url}\"\napi_token = \"file:{}\"\n",
        dir.join("token").display()
    );
    let _guard = runtime().enter();
    Setup {
        provider: provider_from_toml(&table),
        server: None,
        after_step: Some(Box::new(move |step| {
            if step == "1,000 rrsets at once" {
                assert!(
                    state.lock().unwrap().batches >= 5,
                    "1,000 creates went through the batch endpoint, 200 a request"
                );
            }
        })),
    }
}

/// Each fixture is set up once, and its steps run one at a time (they share its zone).
fn setup_of(f: &Fixture) -> (Arc<Setup>, MutexGuard<'static, ()>) {
    type Slot = (Mutex<()>, OnceLock<Arc<Setup>>);
    static SLOTS: OnceLock<Mutex<HashMap<&'static str, &'static Slot>>> = OnceLock::new();
    let slot: &'static Slot = {
        let mut slots = SLOTS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        slots
            .entry(f.name)
            .or_insert_with(|| Box::leak(Box::new((Mutex::new(()), OnceLock::new()))))
    };
    let turn = slot.0.lock().unwrap_or_else(|e| e.into_inner());
    let setup = slot.1.get_or_init(|| Arc::new((f.setup)())).clone();
    (setup, turn)
}

/// The zone at the provider, created where the provider can when it is missing.
async fn ensure_zone(provider: &dyn Provider, origin: &Name) -> ZoneState {
    match provider.read_zone(origin).await {
        Ok(state) => state,
        Err(e) if e.kind == nsync_core::provider::ErrorKind::ZoneMissing => {
            provider
                .create_zone(origin, &[])
                .await
                .expect("create the zone");
            provider.read_zone(origin).await.expect("read the new zone")
        }
        Err(e) => panic!("read the zone: {e}"),
    }
}

/// Writes `step`'s zone with nsync's plan; the caller checks the result.
async fn apply_step(provider: &dyn Provider, origin: &Name, step: &Transition, ns: &[Name]) {
    let desired = desired_zone(step, origin);
    let ignore = ignore_patterns(step, origin);
    let state = provider
        .read_zone(origin)
        .await
        .unwrap_or_else(|e| panic!("{}: read: {e}", step.name));
    let input = PlanInput {
        desired: &desired,
        current: &state.zone,
        ignore: &ignore,
        capabilities: provider.capabilities(),
        union_nameservers: ns,
    };
    provider
        .apply(origin, &plan(&input))
        .await
        .unwrap_or_else(|e| panic!("{}: apply: {e}", step.name));
}

/// One transition: the zone is first brought to the step before it (so every step is a
/// test of its own, whatever ran before), then this step is applied and checked: a second
/// plan is empty, the ignored name is untouched, and the server serves exactly the new
/// data and nothing of the old.
async fn run_step(setup: &Setup, origin: &Name, before: Option<&Transition>, step: &Transition) {
    let provider = setup.provider.as_ref();
    let first = ensure_zone(provider, origin).await;
    // Keep the lab's apex NS as it is: it is what the delegation points at. Empty where
    // the provider cannot tell (RFC 2136): the apex NS is then left alone.
    let ns = first.nameservers.clone();
    let previous = match before {
        Some(b) => {
            apply_step(provider, origin, b, &ns).await;
            desired_zone(b, origin)
        }
        None => Zone::new(origin.clone()),
    };
    apply_step(provider, origin, step, &ns).await;
    let desired = desired_zone(step, origin);
    let ignore = ignore_patterns(step, origin);
    let after = provider.read_zone(origin).await.expect("read again");
    let left = plan_for(provider, &desired, &after, &ignore, &ns);
    assert!(
        left.is_empty(),
        "{} ({}): a second plan is not empty: {left:#?}",
        step.name,
        provider.name()
    );
    if !step.ignore.is_empty() {
        let kept = Name::from_ascii(format!("_acme-challenge.{}", origin.to_text())).unwrap();
        // Exactly the value the earlier step wrote: untouched, not merely present.
        let value = after.zone.get(&kept, RecordType::TXT).map(|r| r.values());
        assert_eq!(
            value,
            Some(vec!["\"token-1\"".to_string()]),
            "{}: the ignored name was touched",
            step.name
        );
        if let Some(server) = setup.server {
            let served: Vec<String> = query(server, &kept, RecordType::TXT)
                .answers
                .iter()
                .map(|r| nsync_core::rdata::format_rdata(&r.data))
                .collect();
            assert_eq!(
                served,
                ["\"token-1\""],
                "{}: the ignored name is not served as it was",
                step.name
            );
        }
    }
    if let Some(server) = setup.server {
        for want in desired.rrsets() {
            check_served(server, &desired, want, step.name);
        }
        for old in previous.rrsets() {
            check_gone(server, &desired, old, &ignore, step.name);
        }
    }
    if let Some(check) = &setup.after_step {
        check(step.name);
    }
}

/// Shown before each lab trial's name: why a plain `cargo test` ignores it (tests/run.sh
/// starts the lab and runs them all).
const NEEDS_LAB: &str = "needs the lab";

/// One test per (provider, transition), registered at run time: a failing step shows as
/// that step, and the steps after it still run. Lab fixtures are ignored by a plain
/// `cargo test` with the reason, never passed.
fn main() {
    let args = Arguments::from_args();
    let mut trials = vec![Trial::test("the_suite_has_at_least_30_transitions", || {
        if transitions().len() >= 30 {
            Ok(())
        } else {
            Err("fewer than 30 transitions".into())
        }
    })];
    for f in fixtures() {
        let f = Arc::new(f);
        let steps: Arc<Vec<Transition>> = Arc::new(
            transitions()
                .into_iter()
                .filter(|t| !t.any_octet_owners || f.any_octet_owners)
                .collect(),
        );
        for i in 0..steps.len() {
            let (f2, steps2) = (f.clone(), steps.clone());
            let name = format!("{}::{:02} {}", f.name, i, steps[i].name);
            let trial = Trial::test(name, move || {
                let (setup, _turn) = setup_of(&f2);
                let origin = Name::from_ascii(f2.zone).unwrap();
                let before = i.checked_sub(1).map(|b| &steps2[b]);
                runtime().block_on(run_step(&setup, &origin, before, &steps2[i]));
                Ok(())
            })
            .with_ignored_flag(f.needs_lab);
            trials.push(if f.needs_lab {
                trial.with_kind(NEEDS_LAB)
            } else {
                trial
            });
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
