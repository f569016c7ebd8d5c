//! The one suite every provider kind passes, registered at run time over the fixtures of
//! every kind in nsync's registry (`nsync::providers::fixtures()`, each provider crate's
//! `fixture` module), as OpenDAL's behaviour tests do: one test per (fixture, transition),
//! one import round trip per fixture, and one test per (fixture, fault) where the fixture
//! has an HTTP API. A fixture that needs the lab is ignored by a plain `cargo test`, with
//! the reason; tests/run.sh runs them all. `NSYNC_TEST=<kind>` adds a real account.

#[path = "../common/mod.rs"]
mod common;
mod faults;
mod import;
mod secrets;
mod steps;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime};

use libtest_mimic::{Arguments, Failed, Trial};
use nsync_core::Name;
use nsync_core::provider::Provider;
use nsync_testkit::faults::{DnsFault, Fault};
use nsync_testkit::fixture::{Declared, Fixture, PROVIDER, Started, runtime, scratch};
use nsync_testkit::transitions::{Transition, desired_zone, transitions, unstorable};

/// Builds a provider the way nsync does: from an nsync.toml provider table.
fn provider_from_toml(table: &str) -> Arc<dyn Provider> {
    let text = format!(
        "{table}\n[zones.\"conformance.test.\"]\nfile = \"unused.zone\"\nproviders = [\"{PROVIDER}\"]\n"
    );
    let (config, diags) = nsync::config::parse_config(Path::new("conformance.toml"), &text);
    assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
    let pc = &config.expect("a config").providers[PROVIDER];
    let provider = pc.build().expect("provider");
    // One source of what a provider can store: check and verify read the kind's
    // declaration, plan and sync the built provider's.
    assert_eq!(
        provider.capabilities(),
        &pc.kind.capabilities,
        "{}: the built provider's capabilities differ from its kind's",
        pc.kind.name
    );
    provider
}

/// `NSYNC_TEST=<kind>`: the suite against a real account, for users and maintainers (never
/// in CI, never by default: tests talk to loopback only). `NSYNC_TEST_TABLE` is the
/// provider table as in nsync.toml (`[providers.under_test]`, secrets as `env:`
/// references) and `NSYNC_TEST_ZONE` a zone the account holds that the suite may empty
/// and rewrite; `NSYNC_TEST_ANY_OCTET=1` where the provider stores owner names with any
/// octet.
fn real_account() -> Option<Box<dyn Fixture>> {
    let kind = std::env::var("NSYNC_TEST").ok()?;
    let zone = std::env::var("NSYNC_TEST_ZONE").unwrap_or_else(|_| {
        panic!("NSYNC_TEST={kind} needs NSYNC_TEST_ZONE (a zone the suite may rewrite)")
    });
    let kind = nsync::providers::find(&kind)
        .unwrap_or_else(|| panic!("NSYNC_TEST={kind}: no such kind in this build"));
    Some(Box::new(Declared {
        name: Box::leak(format!("real_{}", kind.name).into_boxed_str()),
        kind: kind.name,
        needs: None,
        zone: Box::leak(zone.into_boxed_str()),
        any_octet_owners: std::env::var("NSYNC_TEST_ANY_OCTET").is_ok_and(|v| v == "1"),
        http_api: None,
        dns_faults: false,
        held_features: &[],
        start: || {
            let table = std::env::var("NSYNC_TEST_TABLE")
                .expect("NSYNC_TEST needs NSYNC_TEST_TABLE: the provider table, as in nsync.toml");
            Started::api(table, None)
        },
    }))
}

/// The builtin kind: the zonefile storage served by nsync's own nameserver (`nsync
/// serve`), which lives in this crate, so its fixture does too. Needs nothing: the server
/// runs in this process on a loopback port.
fn builtin() -> Box<dyn Fixture> {
    Box::new(Declared {
        name: "builtin_served_by_nsync",
        kind: "builtin",
        needs: None,
        zone: "builtin.test.",
        any_octet_owners: true,
        http_api: None,
        dns_faults: false,
        held_features: &[],
        start: || {
            let dir: PathBuf = scratch("builtin").join("zones");
            std::fs::create_dir_all(&dir).expect("the builtin folder");
            let running = runtime().block_on(async {
                let (udp, tcp) = nsync::serve::bind("127.0.0.1:0".parse().expect("an address"))
                    .await
                    .expect("bind the builtin server");
                nsync::serve::start(udp, tcp, Default::default(), Some(dir.clone()))
                    .await
                    .expect("start the builtin server")
            });
            let server: SocketAddr = running.address;
            let zones = running.zones.clone();
            // Served for the rest of the run.
            std::mem::forget(running);
            Started {
                server: Some(server),
                // The server picks the folder up by polling: wait for a look at it that
                // began after the write.
                settle: Some(Box::new(move || {
                    let written = SystemTime::now();
                    while zones.last_scan() <= written {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                })),
                ..Started::api(
                    format!(
                        "[providers.{PROVIDER}]\nkind = \"builtin\"\ndirectory = \"{}\"\nlisten = [\"{server}\"]\n",
                        dir.display()
                    ),
                    None,
                )
            }
        },
    })
}

/// Records the provider holds through its own features, planted in its store as its API
/// would hold them, come through syncs that create, change and delete everything around
/// them byte for byte, are listed by plan, and a zone-file rrset landing on them is
/// refused with nothing written.
fn held_survive(started: &Started, zone: &str) -> Result<(), Failed> {
    struct Remove<'a>(&'a nsync_testkit::HeldPlant, &'a str);
    impl Drop for Remove<'_> {
        fn drop(&mut self) {
            (self.0.remove)(self.1);
        }
    }
    let held = started
        .held
        .as_ref()
        .ok_or("the fixture declares held features but plants none")?;
    let bare = zone.trim_end_matches('.');
    (held.plant)(bare);
    let _remove = Remove(held, bare);
    let before = (held.snapshot)(bare);
    if before.is_empty() {
        return Err("the fixture planted nothing".into());
    }
    let config = format!(
        "{}\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"{PROVIDER}\"]\n",
        started.table
    );
    let scratch = common::Scratch::new(&[("nsync.toml", &config), ("z.zone", "$TTL 300\n")]);
    let dir = scratch.path();
    let _guard = runtime().enter();
    let steps = [
        "$TTL 300\nwww A 192.0.2.1\nmail MX 10 mx.example.net.\nt TXT \"held test\"\n",
        "$TTL 600\nwww A 192.0.2.2\nt TXT \"held test, changed\"\n",
        "$TTL 300\n",
    ];
    for (i, text) in steps.iter().enumerate() {
        std::fs::write(dir.join("z.zone"), text).unwrap();
        let ran = common::nsync(&["sync", "--yes", "--force", "-q"])
            .dir(dir)
            .run();
        if ran.code != 0 {
            return Err(format!("step {i}: sync failed: {ran:?}").into());
        }
        let now = (held.snapshot)(bare);
        if now != before {
            return Err(
                format!("step {i} changed a held record:\nbefore {before}\nafter  {now}").into(),
            );
        }
    }
    let plan = common::nsync(&["plan"]).dir(dir).run();
    if !plan.stdout.contains(&format!(
        "= held at {PROVIDER}: {}.{zone} {}",
        held.owner, held.rtype
    )) {
        return Err(format!("plan does not list the held record: {}", plan.stdout).into());
    }
    let value = match held.rtype {
        "CNAME" => "elsewhere.example.net.",
        "AAAA" => "2001:db8::99",
        _ => "192.0.2.99",
    };
    std::fs::write(
        dir.join("z.zone"),
        format!(
            "$TTL 300\nwww A 192.0.2.1\n{} {} {value}\n",
            held.owner, held.rtype
        ),
    )
    .unwrap();
    let ran = common::nsync(&["sync", "--yes", "--force"]).dir(dir).run();
    if ran.code != 2 || !ran.stderr.contains("holds as") {
        return Err(format!("a zone-file rrset on a held record was not refused: {ran:?}").into());
    }
    if (held.snapshot)(bare) != before {
        return Err("the refused sync changed the held record".into());
    }
    Ok(())
}

/// `nsync selftest` on the fixture's zone (beside the transitions' records, so
/// `--force`): every type the kind claims and nsync does not refuse for it is created,
/// changed and deleted exactly, and nothing of the test is left behind.
fn selftest(table: &str, zone: &str) -> Result<(), Failed> {
    let config =
        format!("{table}\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"{PROVIDER}\"]\n");
    let scratch = common::Scratch::new(&[("nsync.toml", &config), ("z.zone", "$TTL 300\n")]);
    let _guard = runtime().enter();
    let ran = common::nsync(&[
        "selftest",
        "--provider",
        PROVIDER,
        "--zone",
        zone,
        "--force",
        "--create-missing",
        "--format",
        "json",
    ])
    .dir(scratch.path())
    .run();
    if ran.code != 0 {
        return Err(format!(
            "selftest did not round-trip (exit {}):\n{}\n{}",
            ran.code, ran.stdout, ran.stderr
        )
        .into());
    }
    let report = ran.json();
    let steps: usize = report["types"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t["steps"].as_array().map_or(0, Vec::len))
        .sum();
    if steps < 3 {
        return Err(format!("selftest wrote almost nothing: {report:#}").into());
    }
    Ok(())
}

fn fixtures() -> Vec<Box<dyn Fixture>> {
    let mut all = nsync::providers::fixtures();
    all.push(builtin());
    all.extend(real_account());
    all
}

/// Each fixture is started once, and its tests run one at a time (they share its zones).
fn started(f: &dyn Fixture) -> (Arc<Started>, MutexGuard<'static, ()>) {
    type Slot = (Mutex<()>, OnceLock<Arc<Started>>);
    static SLOTS: OnceLock<Mutex<HashMap<String, &'static Slot>>> = OnceLock::new();
    let slot: &'static Slot = {
        let mut slots = SLOTS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        slots
            .entry(f.name().to_string())
            .or_insert_with(|| Box::leak(Box::new((Mutex::new(()), OnceLock::new()))))
    };
    let turn = slot.0.lock().unwrap_or_else(|e| e.into_inner());
    let started = slot.1.get_or_init(|| Arc::new(f.start())).clone();
    (started, turn)
}

/// The fixture's tests: ignored with its reason where it needs what is not running.
/// The kind a fixture runs (every fixture's kind is in the registry).
fn kind_of(f: &dyn Fixture) -> &'static nsync_core::kind::Kind {
    nsync::providers::find(f.kind()).expect("the fixture's kind is registered")
}

fn trial(
    f: &dyn Fixture,
    name: String,
    run: impl FnOnce() -> Result<(), Failed> + Send + 'static,
) -> Trial {
    let t = Trial::test(format!("{}::{name}", f.name()), run);
    match f.needs() {
        Some(reason) => t.with_ignored_flag(true).with_kind(reason),
        None => t,
    }
}

fn transition_trials(f: &Arc<dyn Fixture>, trials: &mut Vec<Trial>) {
    let steps: Arc<Vec<Transition>> = Arc::new(
        transitions()
            .into_iter()
            .filter(|t| !t.any_octet_owners || f.any_octet_owners())
            .collect(),
    );
    let kind = kind_of(f.as_ref());
    let origin = Name::from_ascii(f.zone()).expect("the fixture's zone");
    for i in 0..steps.len() {
        let (f2, steps2) = (f.clone(), steps.clone());
        let lacks = unstorable(&desired_zone(&steps[i], &origin), kind);
        if !lacks.is_empty() {
            // Not run on what is left of it: the kind must refuse it before any write.
            trials.push(trial(
                f.as_ref(),
                format!(
                    "{:02} {} (not applicable: {}{})",
                    i,
                    steps[i].name,
                    lacks[0],
                    match lacks.len() {
                        1 => String::new(),
                        n => format!(", and {} more", n - 1),
                    }
                ),
                move || {
                    let (started, _turn) = started(f2.as_ref());
                    refused_by_check(&started.table, f2.zone(), &steps2[i], &lacks)
                },
            ));
            continue;
        }
        trials.push(trial(
            f.as_ref(),
            format!("{:02} {}", i, steps[i].name),
            move || {
                let (started, _turn) = started(f2.as_ref());
                let provider = {
                    let _guard = runtime().enter();
                    provider_from_toml(&started.table)
                };
                let origin = Name::from_ascii(f2.zone()).expect("the fixture's zone");
                let before = i.checked_sub(1).map(|b| &steps2[b]);
                runtime().block_on(steps::run_step(
                    provider.as_ref(),
                    kind_of(f2.as_ref()),
                    &started,
                    &origin,
                    before,
                    &steps2[i],
                ));
                Ok(())
            },
        ));
    }
}

/// A step a kind cannot store: `nsync check` of it with the fixture's provider fails,
/// naming every rrset the kind lacks, so plan and sync would refuse it before writing.
fn refused_by_check(
    table: &str,
    zone: &str,
    step: &Transition,
    lacks: &[String],
) -> Result<(), Failed> {
    let (file, text) = if step.zone.starts_with("[[rrset]]") {
        ("z.toml", step.zone.clone())
    } else {
        ("z.zone", format!("$TTL 300\n{}", step.zone))
    };
    let config =
        format!("{table}\n[zones.\"{zone}\"]\nfile = \"{file}\"\nproviders = [\"{PROVIDER}\"]\n");
    let scratch = common::Scratch::new(&[("nsync.toml", &config), (file, &text)]);
    let ran = common::nsync(&["check", "--color", "never"])
        .dir(scratch.path())
        .run();
    if ran.code == 0 {
        return Err(
            format!("check accepts a zone the kind cannot store ({lacks:?}): {ran:?}").into(),
        );
    }
    let said = format!("{}{}", ran.stdout, ran.stderr);
    for lack in lacks {
        let rrset = lack.split(':').next().unwrap_or(lack);
        if !said.contains(rrset) {
            return Err(format!("check does not name {rrset}: {said}").into());
        }
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let all: Vec<Arc<dyn Fixture>> = fixtures().into_iter().map(Arc::from).collect();
    let mut trials = vec![
        Trial::test("the_suite_has_at_least_30_transitions", || {
            if transitions().len() >= 30 {
                Ok(())
            } else {
                Err("fewer than 30 transitions".into())
            }
        }),
        // A kind in the registry without a fixture would pass this suite by not being in
        // it.
        {
            let covered: Vec<&'static str> = all.iter().map(|f| f.kind()).collect();
            Trial::test("every_kind_has_a_fixture", move || {
                let missing: Vec<&str> = nsync::providers::names()
                    .into_iter()
                    .filter(|k| !covered.contains(k))
                    .collect();
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "no fixture for kind(s) {missing:?}: add one to the crate's fixture module"
                    )
                    .into())
                }
            })
        },
    ];
    // Each fixture's tests in a list of their own, then dealt out one per fixture in turn:
    // libtest-mimic hands tests to its threads in list order, and a fixture runs one test
    // at a time, so listed fixture by fixture the threads would wait on one fixture.
    let mut per_fixture: Vec<Vec<Trial>> = Vec::new();
    for f in &all {
        let mut trials = Vec::new();
        transition_trials(f, &mut trials);
        let f2 = f.clone();
        trials.push(trial(f.as_ref(), "random zones".into(), move || {
            let (started, _turn) = started(f2.as_ref());
            let provider = {
                let _guard = runtime().enter();
                provider_from_toml(&started.table)
            };
            let origin = Name::from_ascii(f2.zone()).expect("the fixture's zone");
            // A new seed each run (printed, to replay one), six zones in a row: each is
            // applied over the one before, read back, planned again and asked by DNS.
            let seed = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_secs());
            eprintln!("{}: random zones from seed {seed}", f2.name());
            for k in 0..6 {
                let before = nsync_testkit::transitions::random(seed + k);
                let step = nsync_testkit::transitions::random(seed + k + 1);
                runtime().block_on(steps::run_step(
                    provider.as_ref(),
                    kind_of(f2.as_ref()),
                    &started,
                    &origin,
                    Some(&before),
                    &step,
                ));
            }
            Ok(())
        }));
        if !f.held_features().is_empty() {
            let f2 = f.clone();
            let name = format!("held records survive ({})", f.held_features().join(", "));
            trials.push(trial(f.as_ref(), name, move || {
                let (started, _turn) = started(f2.as_ref());
                held_survive(&started, f2.zone())
            }));
        }
        let f2 = f.clone();
        trials.push(trial(
            f.as_ref(),
            "selftest round-trips".into(),
            move || {
                let (started, _turn) = started(f2.as_ref());
                selftest(&started.table, f2.zone())
            },
        ));
        let f2 = f.clone();
        trials.push(trial(f.as_ref(), "import round trip".into(), move || {
            let (started, _turn) = started(f2.as_ref());
            import::round_trip(&started.table, f2.zone(), kind_of(f2.as_ref()));
            Ok(())
        }));
        if f.dns_faults() || f.http_api().is_some() {
            let f2 = f.clone();
            trials.push(trial(f.as_ref(), "secrets never shown".into(), move || {
                let (started, _turn) = started(f2.as_ref());
                secrets::never_shown(f2.kind(), &started, f2.zone())
            }));
        }
        if f.dns_faults() {
            for (i, (name, _)) in DnsFault::all().iter().enumerate() {
                let f2 = f.clone();
                trials.push(trial(f.as_ref(), format!("dns fault: {name}"), move || {
                    let (started, _turn) = started(f2.as_ref());
                    let (_, fault) = DnsFault::all().into_iter().nth(i).expect("the fault");
                    faults::run_dns_fault(f2.kind(), &started, f2.zone(), &fault)
                }));
            }
        }
        if f.http_api().is_some() {
            for (i, (name, _)) in Fault::all().iter().enumerate() {
                let f2 = f.clone();
                trials.push(trial(f.as_ref(), format!("fault: {name}"), move || {
                    let (started, _turn) = started(f2.as_ref());
                    let (_, fault) = Fault::all().into_iter().nth(i).expect("the fault");
                    let api = f2.http_api().expect("an HTTP API");
                    let _guard = runtime().enter();
                    faults::run_fault(f2.kind(), &started, api, &fault)
                }));
            }
        }
        if let Some(api) = f.http_api() {
            for (i, state) in api.accounts.iter().enumerate() {
                let f2 = f.clone();
                trials.push(trial(
                    f.as_ref(),
                    format!("account: {}", state.case),
                    move || {
                        let (started, _turn) = started(f2.as_ref());
                        let api = f2.http_api().expect("an HTTP API");
                        faults::run_account(f2.kind(), &started, api, &api.accounts[i])
                    },
                ));
            }
        }
        per_fixture.push(trials);
    }
    let mut queues: Vec<_> = per_fixture.into_iter().map(Vec::into_iter).collect();
    loop {
        let before = trials.len();
        trials.extend(queues.iter_mut().filter_map(Iterator::next));
        if trials.len() == before {
            break;
        }
    }
    let mut args = args;
    // The fixtures wait on servers and fakes, not on the CPU: one thread per fixture.
    if args.test_threads.is_none() {
        args.test_threads = Some(all.len());
    }
    libtest_mimic::run(&args, trials).exit();
}
