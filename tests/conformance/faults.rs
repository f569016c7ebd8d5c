//! One table of faults, run against every fixture with an HTTP API through a
//! fault-injecting relay in front of it (PowerDNS's own API in the lab, moto for Route 53,
//! the in-repo fake for Cloudflare): rate limited then fine, server errors then fine, a
//! dropped connection, one write failing half way through a batch, rejected credentials,
//! a missing zone. A fault sync must ride out converges within that one sync: a plan
//! straight to the API after it is empty, with nothing run in between (sync does not read
//! back, so an adapter that lost a write would show here and not be mended by a re-run).
//! A fault that must fail fails that provider with the right kind, and then a re-run
//! without the fault converges.

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
    let (rule, counted) = fault.rule(f.zone_missing, f.writes);
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
    if matches!(fault, Fault::MiddleWriteFails) {
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
    eprintln!("{kind}: the faulted sync took {:?}", began.elapsed());
    if counted.injected.load(Ordering::SeqCst) == 0 {
        return Err(format!("{kind}: the fault was never injected: {ran:?}").into());
    }
    let writes = counted.writes.load(Ordering::SeqCst);
    if matches!(fault, Fault::MiddleWriteFails) && writes < f.writes {
        return Err(format!(
            "{kind}: the sync sent {writes} write(s), the fixture declares {}: the failing one was not half way",
            f.writes
        )
        .into());
    }
    std::fs::write(dir.join("nsync.toml"), &direct).unwrap();
    let plan_now = || nsync(&["plan", "-q"]).dir(dir).run();
    match fault.expected_kind() {
        None => {
            if ran.code != 0 {
                return Err(format!("{kind}: sync did not converge: {ran:?}").into());
            }
            // Straight after the faulted sync, straight to the API: everything is there.
            let plan = plan_now();
            if plan.code != 0 {
                return Err(format!(
                    "{kind}: sync exited 0 through the fault but the provider lacks part of the change: {plan:?}"
                )
                .into());
            }
        }
        Some(expected) => {
            if ran.code != 2 {
                return Err(format!("{kind}: expected exit 2: {ran:?}").into());
            }
            let json = ran.json();
            let got = &json["targets"][0]["error"]["kind"];
            if got != expected {
                return Err(format!("{kind}: expected {expected}, got {got}: {json:#}").into());
            }
            // Without the fault, one sync finishes the job and a plan after it is empty.
            let mut rerun = vec!["sync", "--yes", "--force", "-q"];
            if f.create_missing {
                rerun.push("--create-missing");
            }
            nsync(&rerun).dir(dir).run().code(0);
            let plan = plan_now();
            if plan.code != 0 {
                return Err(
                    format!("{kind}: a plan after the re-run is not empty: {plan:?}").into(),
                );
            }
        }
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

/// One documented answer of an account not in order, answered to every request: sync
/// fails that provider with the error kind it is, writing nothing, and audit reports it
/// as a finding of that kind (`auth_failed` is not `account_suspended`: one is fixed in
/// nsync.toml, the other at the provider's billing page).
pub fn run_account(
    kind: &str,
    started: &Started,
    f: &HttpApi,
    state: &nsync_testkit::fixture::AccountState,
) -> Result<(), Failed> {
    let target: SocketAddr = started
        .api
        .ok_or("the fixture declares an HTTP API but started none")?;
    let (status, body) = (state.status, state.body);
    let rule: http_relay::Rule = std::sync::Arc::new(move |_, _, _| http_relay::Action::Respond {
        status,
        body: body.to_string(),
    });
    let relay = runtime().block_on(http_relay::start(target, rule));
    let scratch = Scratch::new(&[("z.zone", &zone_text(now(), 0))]);
    let dir = scratch.path();
    let config = format!(
        "{}{}\n[zones.\"{}\"]\nfile = \"z.zone\"\nproviders = [\"{PROVIDER}\"]\n",
        crate::common::PRIVATE_ROOT,
        started.table,
        f.zone
    )
    .replace(&target.to_string(), &relay.to_string());
    std::fs::write(dir.join("nsync.toml"), config).unwrap();
    let _guard = runtime().enter();
    let ran = nsync(&["sync", "--yes", "--force", "--format", "json"])
        .dir(dir)
        .run();
    if ran.code != 2 {
        return Err(format!("{kind} ({}): expected exit 2: {ran:?}", state.case).into());
    }
    let json = ran.json();
    let got = &json["targets"][0]["error"]["kind"];
    if got != state.kind {
        return Err(format!(
            "{kind} ({}): sync said {got}, not {}: {json:#}",
            state.case, state.kind
        )
        .into());
    }
    let audit = nsync(&["audit", "--format", "json"]).dir(dir).run().json();
    let found = audit["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|x| x["kind"] == state.kind);
    if !found {
        return Err(format!(
            "{kind} ({}): audit has no {} finding: {audit:#}",
            state.case, state.kind
        )
        .into());
    }
    Ok(())
}
