//! One table of faults, run against every fixture with an HTTP API through a
//! fault-injecting relay in front of it (PowerDNS's own API in the lab, moto for Route 53,
//! the in-repo fake for Cloudflare): rate limited then fine, server errors then fine, a
//! dropped connection, one write failing half way through a batch, rejected credentials,
//! a missing zone. Sync either converges after retries or fails that provider with the
//! right kind, and a re-run plans nothing.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use libtest_mimic::Failed;
use nsync_testkit::dns_relay;
use nsync_testkit::faults::{DnsFault, Fault};
use nsync_testkit::fixture::runtime;
use nsync_testkit::{HttpApi, PROVIDER, Started, http_relay};

use crate::common::{Scratch, nsync};

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

pub fn run_fault(kind: &str, started: &Started, f: &HttpApi, fault: &Fault) -> Result<(), Failed> {
    let target: SocketAddr = started
        .api
        .ok_or("the fixture declares an HTTP API but started none")?;
    let (rule, injected) = fault.rule(f.zone_missing, f.batches);
    let relay = runtime().block_on(http_relay::start(target, rule));
    let scratch = Scratch::new(&[("z.zone", &zone_text(now(), 0))]);
    let dir = scratch.path();
    // The fault's own settings go at the end of the provider's table.
    let direct = format!(
        "{}{}\n[zones.\"{}\"]\nfile = \"z.zone\"\nproviders = [\"{PROVIDER}\"]\n",
        started.table,
        fault.table_lines(),
        f.zone
    );
    let config = direct.replace(&target.to_string(), &relay.to_string());
    if config == direct {
        return Err(format!("{kind}: the provider table does not name {target}").into());
    }
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
    let began = std::time::Instant::now();
    let ran = nsync(&args).dir(dir).run();
    let took = began.elapsed();
    eprintln!("{kind}: the faulted sync took {took:?}");
    // Retries are capped (5 attempts, backoff under 30 s): a fault costs bounded time.
    if took > std::time::Duration::from_secs(90) {
        return Err(format!("{kind}: the faulted sync took {took:?}").into());
    }
    if injected.load(Ordering::SeqCst) == 0 {
        return Err(format!("{}: the fault was never injected: {ran:?}", kind).into());
    }
    let expect_kind = fault.expected_kind();
    match expect_kind {
        None => {
            if ran.code != 0 {
                return Err(format!("{}: sync did not converge: {ran:?}", kind).into());
            }
        }
        Some(kind) => {
            if ran.code != 2 {
                return Err(format!("{}: expected exit 2: {ran:?}", kind).into());
            }
            let json = ran.json();
            let got = &json["targets"][0]["error"]["kind"];
            if got != kind {
                return Err(format!("{}: expected {kind}, got {got}: {json:#}", kind).into());
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
        return Err(format!("{}: a plan after the re-run is not empty: {plan:?}", kind).into());
    }
    Ok(())
}

/// One DNS fault against a fixture that talks DNS to its server: the relay in front of
/// the server (the table's `server` points at it), a sync that moves every record, then
/// a re-run straight to the server that must plan nothing.
pub fn run_dns_fault(
    kind: &str,
    started: &Started,
    zone: &str,
    fault: &DnsFault,
) -> Result<(), Failed> {
    let target = started
        .server
        .ok_or("the fixture declares DNS faults but serves no DNS")?;
    let (relay, counters) = runtime().block_on(dns_relay::start(
        "127.0.0.1:0".parse().expect("an address"),
        target,
        fault.impairment(),
        23,
    ));
    let scratch = Scratch::new(&[("z.zone", &zone_text(now(), 1))]);
    let dir = scratch.path();
    let direct = format!(
        "{}\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"{PROVIDER}\"]\n",
        started.table
    );
    let config = direct.replace(&target.to_string(), &relay.to_string());
    if config == direct {
        return Err(format!("{kind}: the provider table does not name {target}").into());
    }
    let _guard = runtime().enter();
    // From the other variant, straight to the server, so the faulted sync moves every
    // record in several UPDATE messages.
    std::fs::write(dir.join("nsync.toml"), &direct).unwrap();
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(dir)
        .run()
        .code(0);
    std::fs::write(dir.join("z.zone"), zone_text(now(), 0)).unwrap();
    std::fs::write(dir.join("nsync.toml"), &config).unwrap();
    let began = std::time::Instant::now();
    let ran = nsync(&["sync", "--yes", "--force", "--format", "json"])
        .dir(dir)
        .run();
    eprintln!("{kind}: the faulted sync took {:?}", began.elapsed());
    if fault.cuts() && counters.cut.load(Ordering::SeqCst) == 0 {
        return Err(format!("{kind}: no connection was cut: {ran:?}").into());
    }
    if ran.code != 0 {
        return Err(format!("{kind}: sync did not converge through the fault: {ran:?}").into());
    }
    std::fs::write(dir.join("nsync.toml"), &direct).unwrap();
    let plan = nsync(&["plan", "-q"]).dir(dir).run();
    if plan.code != 0 {
        return Err(format!("{kind}: a plan after the faulted sync is not empty: {plan:?}").into());
    }
    Ok(())
}
