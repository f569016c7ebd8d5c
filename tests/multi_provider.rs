//! One zone on Route 53 (moto), NS1 (fake) and Google Cloud DNS (fake) at once: sync,
//! plan empty, then verify and audit. The fakes serve no DNS, so each provider's
//! nameserver role is played by nsync's built-in server serving exactly what that
//! provider holds (read back through its API, SOA added), its nameservers pinned there.

mod common;

use std::sync::{Arc, Mutex};

use common::lab::Lab;
use common::{PRIVATE_ROOT, Scratch, nsync};
use nsync_core::name::NameText;
use nsync_core::{Name, RecordType};

const ZONE: &str = "$TTL 300\nwww A 192.0.2.1\napi AAAA 2001:db8::1\n@ MX 10 mail.example.net.\n@ TXT \"v=spf1 -all\"\n_sip._tcp SRV 10 5 5060 sip.example.net.\n@ CAA 0 issue \"letsencrypt.org\"\n";

struct Fakes {
    rt: tokio::runtime::Runtime,
    ns1: String,
    google: String,
    _state: (nsync_ns1::fake::Control, nsync_googlecloud::fake::Control),
}

fn fakes(zone: &str) -> Fakes {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ns1 = Arc::new(Mutex::new(nsync_ns1::fake::State::default()));
    ns1.lock().unwrap().keys.push("multi-key".into());
    ns1.lock().unwrap().add_zone(zone.trim_end_matches('.'));
    let google = Arc::new(Mutex::new(nsync_googlecloud::fake::State::default()));
    google.lock().unwrap().add_zone("multi-zone", zone);
    let ns1_url = rt.block_on(nsync_ns1::fake::start(ns1.clone()));
    let google_base = rt.block_on(nsync_googlecloud::fake::start(google.clone()));
    Fakes {
        rt,
        ns1: ns1_url,
        google: google_base,
        _state: (ns1, google),
    }
}

fn tables(lab: &Lab, f: &Fakes, dir: &std::path::Path, pins: &[String; 3]) -> String {
    std::fs::write(dir.join("ns1-key"), "multi-key\n").unwrap();
    std::fs::write(
        dir.join("gc.json"),
        nsync_googlecloud::fake::key_file_for(&f.google),
    )
    .unwrap();
    for k in ["ns1-key", "gc.json"] {
        std::fs::set_permissions(
            dir.join(k),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
    }
    format!(
        "{PRIVATE_ROOT}\n{}{}\n[providers.ns1]\nkind = \"ns1\"\nendpoint = \"{}\"\napi_key = \"file:{}\"\n{}\n[providers.gc]\nkind = \"googlecloud\"\nendpoint = \"{}/dns/v1\"\nproject = \"nsync-test\"\ncredentials = \"file:{}\"\n{}\n",
        lab.route53_provider("r53"),
        pins[0],
        f.ns1,
        dir.join("ns1-key").display(),
        pins[1],
        f.google,
        dir.join("gc.json").display(),
        pins[2],
    )
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn one_zone_on_route53_ns1_and_google_syncs_plans_empty_verifies_and_audits() {
    let lab = Lab::get();
    // moto keeps zones between runs: a new zone each run.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let zone = format!("m{run}.test.");
    let f = fakes(&zone);
    let scratch = Scratch::new(&[("z.zone", ZONE)]);
    let dir = scratch.path();
    let no_pins = [String::new(), String::new(), String::new()];
    let zones =
        format!("[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"r53\", \"ns1\", \"gc\"]\n");
    std::fs::write(
        dir.join("nsync.toml"),
        format!("{}{zones}", tables(&lab, &f, dir, &no_pins)),
    )
    .unwrap();
    nsync(&["sync", "--yes", "--force", "--create-missing", "-q"])
        .dir(dir)
        .run()
        .code(0);
    let plan = nsync(&["plan", "--format", "json"]).dir(dir).run();
    plan.code(0);
    assert_eq!(plan.json()["changes_pending"], false);

    // What each provider holds, read back through its API, served by nsync on loopback.
    let (config, diags) = nsync::config::read_config(&dir.join("nsync.toml"));
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let config = config.unwrap();
    let origin = Name::from_ascii(&zone).unwrap();
    let mut pins = Vec::new();
    let mut running = Vec::new();
    let mut union: Vec<Name> = Vec::new();
    for p in ["r53", "ns1", "gc"] {
        let provider = {
            let _g = f.rt.enter();
            config.providers[p].build().unwrap()
        };
        let state = f.rt.block_on(provider.read_zone(&origin)).unwrap();
        let apex = state
            .zone
            .get(&origin, RecordType::NS)
            .expect("the apex NS written");
        for n in apex.rdata() {
            let t =
                Name::from_ascii(nsync_core::rdata::format_wire(RecordType::NS, n.wire())).unwrap();
            if !union.contains(&t) {
                union.push(t);
            }
        }
        let folder = dir.join(format!("served-{p}"));
        std::fs::create_dir_all(&folder).unwrap();
        let text = format!(
            "{zone} 300 IN SOA ns.{p}.example. hostmaster.{p}.example. 1 3600 600 604800 300\n{}",
            nsync_core::zonefile::write_master_file(&state.zone, &[])
        );
        std::fs::write(folder.join(format!("{zone}zone")), text).unwrap();
        let server = f.rt.block_on(async {
            let (udp, tcp) = nsync::serve::bind("127.0.0.1:0".parse().unwrap())
                .await
                .unwrap();
            nsync::serve::start(udp, tcp, Default::default(), Some(folder))
                .await
                .unwrap()
        });
        let names: Vec<String> = state
            .nameservers
            .iter()
            .map(|n| {
                format!(
                    "{{ name = \"{}\", addresses = [\"{}\"] }}",
                    n.to_text(),
                    server.address
                )
            })
            .collect();
        pins.push(format!("nameservers = [{}]\n", names.join(", ")));
        running.push(server);
    }
    assert!(
        union.len() >= 12,
        "every provider's nameservers in the union: {union:?}"
    );
    let pins: [String; 3] = [pins[0].clone(), pins[1].clone(), pins[2].clone()];
    std::fs::write(
        dir.join("nsync.toml"),
        format!("{}{zones}", tables(&lab, &f, dir, &pins)),
    )
    .unwrap();
    let plan = nsync(&["plan", "--format", "json"]).dir(dir).run();
    assert_eq!(
        plan.code, 0,
        "pinning the nameservers keeps the union: {}",
        plan.stdout
    );
    let verify = nsync(&["verify", "--format", "json"]).dir(dir).run();
    assert_eq!(
        verify.code, 0,
        "every provider serves the zone file: {}\n{}",
        verify.stdout, verify.stderr
    );
    let report = verify.json();
    let servers = report["zones"][0]["nameservers"]
        .as_array()
        .unwrap()
        .clone();
    for p in ["r53", "ns1", "gc"] {
        let of_p: Vec<&serde_json::Value> = servers.iter().filter(|s| s["provider"] == p).collect();
        assert!(
            of_p.len() >= 4,
            "{p}: each of its nameservers asked: {report:#}"
        );
        for s in of_p {
            // Six rrsets and the apex NS, each answered as the zone file says.
            assert_eq!(
                (s["checked"].as_u64(), s["mismatches"].as_u64()),
                (Some(7), Some(0)),
                "{s}"
            );
        }
    }
    // The check has teeth: NS1's server loses a record, and verify names NS1.
    let folder = dir.join("served-ns1");
    let file = folder.join(format!("{zone}zone"));
    let text = std::fs::read_to_string(&file).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("www "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(text, without, "the served file has www");
    let written = std::time::SystemTime::now();
    std::fs::write(&file, without).unwrap();
    while running[1].zones.last_scan() <= written {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let broken = nsync(&["verify", "--format", "json"]).dir(dir).run();
    assert_eq!(broken.code, 1, "{}", broken.stdout);
    let findings = broken.json()["zones"][0]["findings"].clone();
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["provider"] == "ns1"),
        "only NS1 differs: {findings:#}"
    );
    assert!(findings.to_string().contains("www."), "{findings:#}");
    let audit = nsync(&["audit", "--format", "json"]).dir(dir).run();
    let report = audit.json();
    let kinds: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !kinds.iter().any(|k| k.starts_with("drift")
            || k.contains("unreachable")
            || k == "auth_failed"
            || k == "zone_missing"),
        "no drift, every provider read: {report:#}"
    );
}
