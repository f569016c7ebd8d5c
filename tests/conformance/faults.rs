//! One table of faults, run against every HTTP provider kind through a fault-injecting
//! relay in front of its API (PowerDNS's own API in the lab, moto for Route 53, the
//! in-repo fake for Cloudflare): rate limited then fine, server errors then fine, a
//! dropped connection, one write failing half way through a batch, rejected credentials,
//! a missing zone. Each is a test of its own per (kind, fault), registered at run time:
//! sync either converges after retries or fails that provider with the right kind, and a
//! re-run plans nothing. Lab fixtures are ignored by a plain `cargo test`, with the reason.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};

use common::lab::Lab;
use common::{Scratch, nsync};
use libtest_mimic::{Arguments, Failed, Trial};
use nsync_testkit::faults::Fault;
use nsync_testkit::http_relay;

/// One HTTP provider kind, as the fault table needs it.
struct Fixture {
    kind: &'static str,
    needs_lab: bool,
    zone: &'static str,
    /// Where the relay forwards to (the API, the emulator or the fake).
    target: fn() -> SocketAddr,
    /// The provider table with its endpoint at the relay, and any secret files in `dir`.
    table: fn(relay: SocketAddr, dir: &std::path::Path) -> String,
    /// How this API says "no such zone", as its documentation gives it.
    zone_missing: (u16, &'static str),
    create_missing: bool,
    /// Whether a large change takes several write requests (else the one write fails).
    batches: bool,
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Runtime::new().expect("runtime"))
}

/// The Cloudflare fake, started once and shared (its zones persist, like a real account).
fn cloudflare_fake() -> SocketAddr {
    static URL: OnceLock<SocketAddr> = OnceLock::new();
    *URL.get_or_init(|| {
        use common::cloudflare_fake::{self, State};
        let state = Arc::new(Mutex::new(State::default()));
        {
            let mut s = state.lock().unwrap();
            s.tokens.push(("cf-faults-token".into(), "active".into()));
            s.add_zone("cf-faults.test");
        }
        let url = runtime().block_on(cloudflare_fake::start(state));
        url.trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    })
}

fn fixtures() -> Vec<Fixture> {
    vec![
        Fixture {
            kind: "powerdns",
            needs_lab: true,
            zone: "t25.test.",
            target: || {
                let lab = Lab::get();
                let url = lab.var("LAB_PDNS_API_URL");
                url.trim_start_matches("http://").parse().unwrap()
            },
            table: |relay, _| {
                Lab::get().powerdns_provider("p").replace(
                    Lab::get()
                        .var("LAB_PDNS_API_URL")
                        .trim_start_matches("http://"),
                    &relay.to_string(),
                )
            },
            zone_missing: (404, "{\"error\": \"Could not find domain 't25.test.'\"}"),
            create_missing: false,
            // One PATCH per sync.
            batches: false,
        },
        Fixture {
            kind: "route53",
            needs_lab: true,
            zone: "r53-faults.test.",
            target: || {
                let lab = Lab::get();
                format!("{}:{}", lab.var("LAB_MOTO_IP"), lab.var("LAB_MOTO_PORT"))
                    .parse()
                    .unwrap()
            },
            table: |relay, _| {
                let lab = Lab::get();
                let moto = format!("{}:{}", lab.var("LAB_MOTO_IP"), lab.var("LAB_MOTO_PORT"));
                lab.route53_provider("p").replace(&moto, &relay.to_string())
            },
            zone_missing: (
                404,
                "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found</Message></Error><RequestId>x</RequestId></ErrorResponse>",
            ),
            create_missing: true,
            batches: true,
        },
        Fixture {
            kind: "cloudflare",
            needs_lab: false,
            zone: "cf-faults.test.",
            target: cloudflare_fake,
            table: |relay, dir| {
                let token = dir.join("cf-token");
                std::fs::write(&token, "cf-faults-token\n").unwrap();
                format!(
                    "[providers.p]\nkind = \"cloudflare\"\nendpoint = \"http://{relay}/client/v4\"\napi_token = \"file:{}\"\n",
                    token.display()
                )
            },
            zone_missing: (
                404,
                "{\"success\":false,\"errors\":[{\"code\":7003,\"message\":\"Could not route to /zones, perhaps your object identifier is invalid?\"}],\"messages\":[],\"result\":null}",
            ),
            create_missing: false,
            batches: true,
        },
    ]
}

/// The zone for one run; `variant` moves every address, so going from one variant to the
/// other is a change large enough to take several write requests where the API batches
/// (over 1,000 values: two Route 53 batches, seven Cloudflare ones).
fn zone_text(run: u128, variant: usize) -> String {
    let mut t = format!("$TTL 300\n@ TXT \"fault run {run}\"\n");
    for i in 0..1200 {
        t.push_str(&format!("h{i} A 192.0.2.{}\n", (i + variant) % 250 + 1));
    }
    t
}

fn now() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn run_fault(f: &Fixture, fault: &Fault) -> Result<(), Failed> {
    let (rule, injected) = fault.rule(f.zone_missing, f.batches);
    let relay = runtime().block_on(http_relay::start((f.target)(), rule));
    let scratch = Scratch::new(&[("z.zone", &zone_text(now(), 0))]);
    let dir = scratch.path();
    let config = format!(
        "{}\n[zones.\"{}\"]\nfile = \"z.zone\"\nproviders = [\"p\"]\n",
        (f.table)(relay, dir),
        f.zone
    );
    let direct = config.replace(&relay.to_string(), &(f.target)().to_string());
    let _guard = runtime().enter();
    if matches!(fault, Fault::SecondWriteFails) {
        // Start from the other variant, straight to the API, so the faulted sync moves
        // every record.
        std::fs::write(dir.join("nsync.toml"), &direct).unwrap();
        std::fs::write(dir.join("z.zone"), zone_text(now(), 1)).unwrap();
        let mut pre = vec!["sync", "--yes", "--force", "-q"];
        if f.create_missing {
            pre.push("--create-missing");
        }
        nsync(&pre).dir(dir).run().code(0);
        std::fs::write(dir.join("z.zone"), zone_text(now(), 0)).unwrap();
    }
    std::fs::write(dir.join("nsync.toml"), &config).unwrap();
    let mut args = vec!["sync", "--yes", "--force", "--format", "json"];
    if f.create_missing {
        args.push("--create-missing");
    }
    let ran = nsync(&args).dir(dir).run();
    if injected.load(Ordering::SeqCst) == 0 {
        return Err(format!("{}: the fault was never injected: {ran:?}", f.kind).into());
    }
    let expect_kind = fault.expected_kind();
    match expect_kind {
        None => {
            if ran.code != 0 {
                return Err(format!("{}: sync did not converge: {ran:?}", f.kind).into());
            }
        }
        Some(kind) => {
            if ran.code != 2 {
                return Err(format!("{}: expected exit 2: {ran:?}", f.kind).into());
            }
            let json = ran.json();
            let got = &json["targets"][0]["error"]["kind"];
            if got != kind {
                return Err(format!("{}: expected {kind}, got {got}: {json:#}", f.kind).into());
            }
        }
    }
    // Without the fault (straight to the API), one sync finishes whatever was left and a
    // plan after it is empty: a re-run always converges.
    std::fs::write(dir.join("nsync.toml"), &direct).unwrap();
    let mut rerun = vec!["sync", "--yes", "--force", "-q"];
    if f.create_missing {
        rerun.push("--create-missing");
    }
    nsync(&rerun).dir(dir).run().code(0);
    let plan = nsync(&["plan", "-q"]).dir(dir).run();
    if plan.code != 0 {
        return Err(format!("{}: a plan after the re-run is not empty: {plan:?}", f.kind).into());
    }
    Ok(())
}

/// One fixture's faults run one at a time: they share its zone.
fn turn(fixture: usize) -> std::sync::MutexGuard<'static, ()> {
    static TURNS: [Mutex<()>; 8] = [const { Mutex::new(()) }; 8];
    TURNS[fixture].lock().unwrap_or_else(|e| e.into_inner())
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for (index, f) in fixtures().into_iter().enumerate() {
        let f = Arc::new(f);
        for (i, (name, _)) in Fault::all().iter().enumerate() {
            let f2 = f.clone();
            let trial = Trial::test(format!("{}::{name}", f.kind), move || {
                let _turn = turn(index);
                let (_, fault) = Fault::all().into_iter().nth(i).unwrap();
                run_fault(&f2, &fault)
            })
            .with_ignored_flag(f.needs_lab);
            trials.push(if f.needs_lab {
                trial.with_kind("needs the lab")
            } else {
                trial
            });
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
