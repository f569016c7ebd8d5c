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
use nsync::zonefile::parse_zone_text;
use nsync_core::provider::{Provider, ZoneState};
use nsync_core::rdata::canonical_bytes;
use nsync_core::zone::{Rrset, Zone};
use nsync_core::{Name, RecordType};

/// One step: the zone as it should be after it, and the names to leave alone.
struct Transition {
    name: &'static str,
    zone: String,
    ignore: &'static [&'static str],
    /// Owner names holding octets beyond letters, digits, `-` and `_`; run only where the
    /// provider stores such names (PowerDNS's API refuses them: HTTP 422 "contains
    /// unsupported characters").
    any_octet_owners: bool,
}

fn t(name: &'static str, zone: &str) -> Transition {
    Transition {
        name,
        zone: zone.to_string(),
        ignore: &[],
        any_octet_owners: false,
    }
}

fn transitions() -> Vec<Transition> {
    let long = "x".repeat(300);
    let many: String = (0..1000)
        .map(|i| format!("h{i:04} A 192.0.2.{}\n", i % 250 + 1))
        .collect();
    let many_changed: String = (0..1000)
        .map(|i| format!("h{i:04} A 198.51.100.{}\n", i % 250 + 1))
        .collect();
    vec![
        t("start empty", ""),
        t("create A at the apex", "@ A 192.0.2.1\n"),
        t("create A at a label", "@ A 192.0.2.1\nwww A 192.0.2.2\n"),
        t(
            "create a wildcard",
            "@ A 192.0.2.1\nwww A 192.0.2.2\n*.wild A 192.0.2.3\n",
        ),
        t(
            "change a value",
            "@ A 192.0.2.1\nwww A 192.0.2.20\n*.wild A 192.0.2.3\n",
        ),
        t(
            "change a TTL",
            "@ A 192.0.2.1\nwww 60 A 192.0.2.20\n*.wild A 192.0.2.3\n",
        ),
        t(
            "add a value to an rrset",
            "@ A 192.0.2.1\n@ A 192.0.2.9\nwww 60 A 192.0.2.20\n",
        ),
        t(
            "several types at one label",
            "multi A 192.0.2.4\nmulti AAAA 2001:db8::4\nmulti TXT \"hello\"\nmulti MX 10 mx.example.net.\n",
        ),
        t("CNAME", "alias CNAME www.example.net.\nmulti A 192.0.2.4\n"),
        t(
            "CNAME -> A at one name",
            "alias A 192.0.2.5\nmulti A 192.0.2.4\n",
        ),
        t(
            "A -> CNAME at one name",
            "alias CNAME www.example.net.\nmulti A 192.0.2.4\n",
        ),
        t("CNAME target change", "alias CNAME other.example.net.\n"),
        t(
            "MX rrset",
            "@ MX 10 mx1.example.net.\n@ MX 20 mx2.example.net.\n",
        ),
        t(
            "MX preference change",
            "@ MX 5 mx1.example.net.\n@ MX 20 mx2.example.net.\n",
        ),
        t("null MX", "@ MX 0 .\n"),
        t(
            "SRV",
            "_sip._tcp SRV 10 60 5060 sip.example.net.\n_sip._tcp SRV 20 0 5060 sip2.example.net.\n",
        ),
        t(
            "CAA",
            "@ CAA 0 issue \"letsencrypt.org\"\n@ CAA 0 issuewild \";\"\n@ CAA 128 iodef \"mailto:sec@example.net\"\n",
        ),
        t("TXT with quotes", "q TXT \"say \\\"hi\\\" to them\"\n"),
        t(
            "TXT with semicolons",
            "_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:d@example.net\"\n",
        ),
        t(
            "TXT with backslashes",
            "b TXT \"back\\\\slash and \\\\\\\\ two\"\n",
        ),
        t(
            "TXT of 300 octets (TOML, split)",
            &format!(
                "[[rrset]]\nname = \"long\"\ntype = \"TXT\"\nttl = 300\nvalues = [\"{long}\"]\n"
            ),
        ),
        t(
            "TXT with many strings",
            "m TXT \"one\" \"two\" \"three\" \"four\" \"five\"\nm TXT \"second record\"\n",
        ),
        t(
            "TXT with non-ASCII octets",
            "u TXT \"caf\\195\\169 \\000 nul\"\n",
        ),
        t(
            "delegation NS below the apex",
            "sub NS ns1.example.net.\nsub NS ns2.example.net.\n",
        ),
        t(
            "delegation with DS and glue",
            "sub NS ns1.sub\nsub NS ns2.example.net.\nsub DS 31589 13 2 3490a6806d47f17a34c29e2ce80e8a999ffbe4be3f5a4e3c1a2b3c4d5e6f7081\nns1.sub A 192.0.2.53\n",
        ),
        t(
            "SSHFP and TLSA",
            "h SSHFP 4 2 9d5fab2c7e0b1f3a4c6d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d\n_443._tcp.h TLSA 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6\n",
        ),
        t(
            "HTTPS and SVCB",
            "@ HTTPS 1 . alpn=\"h2,h3\" port=8443\n_dns.ns SVCB 1 ns.example.net. alpn=\"dot\"\n",
        ),
        t(
            "NAPTR and PTR",
            "n NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.net!\" .\n4.2 PTR host.example.net.\n",
        ),
        t(
            "underscore and punycode names",
            "_acme-x TXT \"v\"\nxn--bcher-kva A 192.0.2.6\n",
        ),
        t("mixed case names are one rrset", "MiXeD A 192.0.2.7\n"),
        // Escapes read as BIND reads them (CAA values and alpn lists lost theirs), written
        // and read back by every provider.
        t(
            "escapes in data",
            "caa CAA 0 issue \"a\\065b\"\ncaa CAA 0 issue \"q\\\"b\\\\s\"\nsvc HTTPS 1 . alpn=\"f\\\\\\\\oo\\\\,bar,h2\"\nctl TXT \"tab\\009 nul\\000 del\\127\"\n",
        ),
        // `a\.b` is one label (it was merged with `a.b`), `\@` a label (it was the apex).
        Transition {
            name: "escaped dot and @ in owner names",
            zone: "a\\.b TXT \"one label\"\na.b TXT \"two labels\"\n\\@ TXT \"a label, not the apex\"\n".into(),
            ignore: &[],
            any_octet_owners: true,
        },
        t("1,000 rrsets at once", &many),
        t("1,000 rrsets changed", &many_changed),
        t("delete everything managed", ""),
        t(
            "a name to be ignored later",
            "_acme-challenge TXT \"token-1\"\nkeep A 192.0.2.8\n",
        ),
        Transition {
            name: "ignored names are left alone",
            zone: "keep A 192.0.2.9\n".into(),
            ignore: &["_acme-challenge"],
            any_octet_owners: false,
        },
        t("end empty", ""),
    ]
}

fn desired_zone(t: &Transition, origin: &Name) -> Zone {
    let (path, text) = if t.zone.starts_with("[[rrset]]") {
        ("t.toml", t.zone.clone())
    } else {
        ("t.zone", format!("$TTL 300\n{}", t.zone))
    };
    let read = parse_zone_text(Path::new(path), &text, origin);
    assert!(
        read.diagnostics.is_empty(),
        "{}: {:?}",
        t.name,
        read.diagnostics
    );
    read.zone
}

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
