//! `nsync demo`: the whole workflow in a few seconds, with no accounts, no root and no
//! installed DNS server. Three of nsync's own nameservers (`builtin` providers) and a
//! parent zone run in-process on 127.0.0.1, and the real commands run against them:
//! plan, sync, verify; then a record is changed behind nsync's back and a nameserver dies,
//! and verify and audit find both; sync repairs the drift.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};
use hickory_proto::rr::{Name, RData, RecordType};
use nsync_core::provider::Provider;
use nsync_core::rdata::parse_rdata_text;
use nsync_core::settings::{Setting, Settings};
use nsync_core::zone::{Rrset, Zone};

use crate::cli::{Global, SyncArgs, VerifyArgs};
use crate::report::Outcome;
use crate::report::style::Style;
use crate::serve::{Zones, bind, load, start};

const ZONE_FILE: &str = include_str!("../../zones/demo.test.toml");
const PROVIDERS: [&str; 3] = ["alpha", "bravo", "charlie"];

enum Control {
    Stop(usize),
    StopAll,
}

/// The in-process nameservers, on their own thread and runtime: the commands the demo
/// runs start runtimes of their own.
struct Servers {
    root: SocketAddr,
    providers: Vec<(SocketAddr, Zones)>,
    control: tokio::sync::mpsc::UnboundedSender<Control>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Servers {
    fn start(dir: &Path) -> anyhow::Result<Servers> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (control, mut control_rx) = tokio::sync::mpsc::unbounded_channel();
        let dir = dir.to_path_buf();
        let thread = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let started = async {
                    let local: SocketAddr = "127.0.0.1:0".parse()?;
                    let root_zones = Zones::default();
                    let (root, root_handler) = parent_zone()?;
                    root_zones.upsert(&root, root_handler).await;
                    let (udp, tcp) = bind(local).await?;
                    let root_server = start(udp, tcp, root_zones, None).await?;
                    let mut servers = Vec::new();
                    for p in PROVIDERS {
                        let (udp, tcp) = bind(local).await?;
                        servers.push(start(udp, tcp, Zones::default(), Some(dir.join(p))).await?);
                    }
                    anyhow::Ok((root_server, servers))
                };
                let (root_server, servers) = match started.await {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let info = servers
                    .iter()
                    .map(|s| (s.address, s.zones.clone()))
                    .collect();
                let _ = ready_tx.send(Ok((root_server.address, info)));
                let mut servers: Vec<Option<_>> = servers.into_iter().map(Some).collect();
                while let Some(cmd) = control_rx.recv().await {
                    match cmd {
                        Control::Stop(i) => {
                            if let Some(s) = servers.get_mut(i).and_then(Option::take) {
                                s.stop().await;
                            }
                        }
                        Control::StopAll => break,
                    }
                }
                for s in servers.into_iter().flatten() {
                    s.stop().await;
                }
                root_server.stop().await;
            });
        });
        let (root, providers) = ready_rx
            .recv()
            .context("the demo's nameservers did not start")??;
        Ok(Servers {
            root,
            providers,
            control,
            thread: Some(thread),
        })
    }

    /// Waits until every running server has looked at its folder since `since`.
    fn wait_loaded(&self, since: SystemTime, running: &[usize]) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if running
                .iter()
                .all(|i| self.providers[*i].1.last_scan() > since)
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn stop(&self, i: usize) {
        let _ = self.control.send(Control::Stop(i));
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        let _ = self.control.send(Control::StopAll);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap_or_else(|_| Name::root())
}

/// The parent: a root zone that delegates demo.test. to ns1..ns3.demo.test., with glue.
fn parent_zone() -> anyhow::Result<(Name, load::Served)> {
    let root = Name::root();
    let mut zone = Zone::new(root.clone());
    let rd = |t: RecordType, v: &str| parse_rdata_text(t, v, &root).map_err(|e| anyhow::anyhow!(e));
    zone.insert(Rrset::new(
        root.clone(),
        RecordType::NS,
        86400,
        vec![rd(RecordType::NS, "a.root.demo.")?],
    ));
    zone.insert(Rrset::new(
        name("a.root.demo."),
        RecordType::A,
        86400,
        vec![rd(RecordType::A, "127.0.0.1")?],
    ));
    let ns: Vec<nsync_core::rdata::Rdata> = (1..=3)
        .map(|i| rd(RecordType::NS, &format!("ns{i}.demo.test.")))
        .collect::<anyhow::Result<_>>()?;
    zone.insert(Rrset::new(name("demo.test."), RecordType::NS, 86400, ns));
    for i in 1..=3 {
        zone.insert(Rrset::new(
            name(&format!("ns{i}.demo.test.")),
            RecordType::A,
            86400,
            vec![rd(RecordType::A, "127.0.0.1")?],
        ));
    }
    let soa = RData::try_from_str(
        RecordType::SOA,
        "a.root.demo. hostmaster.root.demo. 1 1800 900 604800 86400",
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let served = load::served(
        &zone,
        soa,
        86400,
        hickory_server::zone_handler::AxfrPolicy::Deny,
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    Ok((root, served))
}

fn config(servers: &Servers) -> String {
    let mut text = format!(
        "# Written by `nsync demo`: three built-in providers on 127.0.0.1, and a parent zone.\n[resolver]\nroot_hints = [\"{}\"]\n\n[verify]\ntimeout_ms = 300\nretries = 0\n\n",
        servers.root
    );
    for (i, p) in PROVIDERS.iter().enumerate() {
        text.push_str(&format!(
            "[providers.{p}]\nkind = \"builtin\"\ndirectory = \"{p}\"\nnameservers = [{{ name = \"ns{}.demo.test.\", addresses = [\"{}\"] }}]\n\n",
            i + 1,
            servers.providers[i].0
        ));
    }
    text.push_str("[zones.\"demo.test.\"]\nfile = \"demo.test.toml\"\nproviders = [\"alpha\", \"bravo\", \"charlie\"]\n");
    text
}

/// Each provider "account" has the zone already, empty: an SOA and the apex NS.
fn create_empty_zones(dir: &Path) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let origin = name("demo.test.");
    let ns: Vec<Name> = (1..=3)
        .map(|i| name(&format!("ns{i}.demo.test.")))
        .collect();
    for p in PROVIDERS {
        let mut s = Settings::default();
        s.insert(
            "directory",
            Setting::Str(dir.join(p).display().to_string()),
            nsync_core::diag::Location::file("demo"),
        );
        let provider =
            nsync_zonefile::ZoneFiles::from_settings(p, &s).map_err(|e| anyhow::anyhow!("{e}"))?;
        rt.block_on(provider.create_zone(&origin, &ns))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

struct Narrator {
    style: Style,
    steps: usize,
    step: usize,
}

impl Narrator {
    fn say(&mut self, title: &str, why: &str) {
        self.step += 1;
        println!(
            "\n{} {}\n{why}\n",
            self.style
                .bold_cyan(&format!("==> Step {}/{}:", self.step, self.steps)),
            self.style.bold_cyan(title)
        );
    }
}

fn expect(step: &str, got: Outcome, want: Outcome, failures: &mut Vec<String>) {
    if got != want {
        failures.push(format!(
            "{step}: exit {} where {} was expected",
            got.exit_code(),
            want.exit_code()
        ));
    }
}

pub fn run(global: &Global) -> anyhow::Result<Outcome> {
    let dir = std::env::temp_dir().join(format!("nsync-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let result = demo(global, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn demo(global: &Global, dir: &Path) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    create_empty_zones(dir)?;
    std::fs::write(dir.join("demo.test.toml"), ZONE_FILE)?;
    let servers = Servers::start(dir)?;
    std::fs::write(dir.join("nsync.toml"), config(&servers))?;
    servers.wait_loaded(SystemTime::now(), &[0, 1, 2]);

    let g = Global {
        config: Some(dir.join("nsync.toml")),
        zones: Vec::new(),
        providers: Vec::new(),
        format: None,
        output: None,
        verbose: 0,
        quiet: true,
        allow_include_outside: false,
        color: global.color,
    };
    let style = Style::stdout(global.color);
    let mut n = Narrator {
        style,
        steps: 8,
        step: 0,
    };
    let mut failures = Vec::new();
    let verify_args = VerifyArgs {
        watch: None,
        metrics: None,
        wait: None,
        hold: 1,
        dnssec_window: None,
    };
    let sync_args = SyncArgs {
        yes: true,
        force: false,
        create_missing: false,
        wait: None,
        wait_lock: None,
    };
    println!(
        "nsync demo: three DNS providers (alpha, bravo, charlie; nsync's own nameservers on 127.0.0.1 ports {}, {}, {}) and a parent zone that delegates demo.test. to them.\nThe zone file: zones/demo.test.toml. Nothing here needs an account or root.",
        servers.providers[0].0.port(),
        servers.providers[1].0.port(),
        servers.providers[2].0.port()
    );

    n.say("nsync plan", "Each provider has the zone, still empty. The plan shows, per provider, what sync would write.");
    expect(
        "plan",
        super::plan::run(&g)?,
        Outcome::Findings,
        &mut failures,
    );

    n.say("nsync sync --yes", "The same records go to all three providers at once; each provider's old records are backed up first.");
    expect(
        "sync",
        super::sync::run(&g, &sync_args)?,
        Outcome::Ok,
        &mut failures,
    );
    // The files are written: wait for a look at the folders that began after that.
    servers.wait_loaded(SystemTime::now(), &[0, 1, 2]);

    n.say(
        "nsync verify",
        "Every nameserver of every provider is asked, directly, for every record of the zone file.",
    );
    expect(
        "verify",
        super::verify::run(&g, &verify_args)?,
        Outcome::Ok,
        &mut failures,
    );

    n.say(
        "someone edits a record at bravo by hand, and charlie's nameserver goes down",
        "This is how multi-provider DNS goes wrong in real life: a console edit at one provider, an outage or a cancelled account at another.",
    );
    let bravo = dir.join("bravo/demo.test.zone");
    let text = std::fs::read_to_string(&bravo)?;
    if !text.contains("192.0.2.40") {
        bail!("the demo zone file at bravo does not hold the record to change");
    }
    std::fs::write(&bravo, text.replacen("192.0.2.40", "203.0.113.66", 1))?;
    servers.wait_loaded(SystemTime::now(), &[1]);
    servers.stop(2);
    println!(
        "bravo: api.demo.test. A 192.0.2.40 changed to 203.0.113.66\ncharlie: nameserver on {} stopped",
        servers.providers[2].0
    );

    n.say("nsync verify", "verify compares each nameserver with the zone file, so it names the wrong record and the dead server.");
    expect(
        "verify after the damage",
        super::verify::run(&g, &verify_args)?,
        Outcome::Findings,
        &mut failures,
    );

    n.say(
        "nsync audit",
        "audit reads each provider and the parent's delegation: the edit shows as drift, the dead server as lame. (The demo runs everything on 127.0.0.1, so audit rightly warns that all nameservers share one network.)",
    );
    expect(
        "audit",
        super::audit::run(&g)?,
        Outcome::Findings,
        &mut failures,
    );

    n.say("nsync sync --yes", "sync puts the zone file's record back at bravo; the zone kept resolving from alpha meanwhile.");
    expect(
        "repairing sync",
        super::sync::run(&g, &sync_args)?,
        Outcome::Ok,
        &mut failures,
    );
    servers.wait_loaded(SystemTime::now(), &[0, 1]);

    n.say("nsync verify", "alpha and bravo agree with the zone file again; charlie stays down until someone brings it back, and verify keeps saying so.");
    expect(
        "verify after the repair",
        super::verify::run(&g, &verify_args)?,
        Outcome::Findings,
        &mut failures,
    );

    drop(servers);
    println!(
        "\nDone in {:.1} s. To use nsync with real providers: write an nsync.toml like the one in this repository (providers rfc2136, powerdns, zonefile or builtin; secrets as env:NAME), run `nsync check`, `nsync plan`, `nsync sync`, then `nsync verify` and `nsync audit` in CI or with --watch. See README.md.",
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        Ok(Outcome::Ok)
    } else {
        for f in &failures {
            eprintln!("nsync demo: {f}");
        }
        Ok(Outcome::Failed)
    }
}
