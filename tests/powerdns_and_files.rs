//! The powerdns and zonefile providers beyond the conformance suite: PowerDNS failures
//! (a wrong API key, a deleted zone, the server going away mid-sync) and one zone synced
//! to rfc2136@BIND, powerdns and zonefile at once.

mod common;

use std::net::SocketAddr;
use std::path::Path;

use common::lab::Lab;
use common::{Ran, Scratch, nsync};

const ZONE: &str =
    "$TTL 300\nwww A 192.0.2.1\napi AAAA 2001:db8::1\n@ MX 10 www\n@ TXT \"v=spf1 -all\"\n";

fn setup(zone: &str, providers: &[(&str, String)], text: &str) -> Scratch {
    let mut config: String = providers.iter().map(|(_, t)| format!("{t}\n")).collect();
    let names: Vec<String> = providers.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    config.push_str(&format!(
        "[zones.\"{zone}.\"]\nfile = \"zone.zone\"\nproviders = [{}]\n",
        names.join(", ")
    ));
    Scratch::new(&[("nsync.toml", &config), ("zone.zone", text)])
}

fn sync(dir: &Path) -> Ran {
    nsync(&["sync", "--yes", "--force", "--color", "never"])
        .dir(dir)
        .run()
}

fn plan_code(dir: &Path) -> i32 {
    nsync(&["plan", "-q"]).dir(dir).run().code
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_wrong_api_key_is_auth_failed() {
    let lab = Lab::get();
    let bad = Scratch::new(&[("bad.key", "not-the-key\n")]);
    let table = lab.powerdns_provider("pdns").replace(
        &lab.dir.join("keys/pdns-api.key").display().to_string(),
        &bad.path().join("bad.key").display().to_string(),
    );
    let scratch = setup("t17.test", &[("pdns", table)], ZONE);
    let ran = nsync(&["plan"]).dir(scratch.path()).run();
    ran.code(2)
        .stdout_has("t17.test. at pdns (powerdns): GET zone t17.test.: HTTP 401 Unauthorized")
        .stdout_has("check `api_key`")
        .stdout_has("error: auth_failed");
    assert!(
        !ran.stdout.contains("not-the-key") && !ran.stderr.contains("not-the-key"),
        "the key is never printed"
    );
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_deleted_zone_is_zone_missing_and_only_create_missing_brings_it_back() {
    let lab = Lab::get();
    let scratch = setup(
        "t17.test",
        &[
            ("bind", lab.rfc2136_provider("bind", "bind")),
            ("pdns", lab.powerdns_provider("pdns")),
        ],
        ZONE,
    );
    sync(scratch.path()).code(0);
    let url = format!(
        "{}/api/v1/servers/localhost/zones/t17.test.",
        lab.var("LAB_PDNS_API_URL")
    );
    let key = format!("X-API-Key: {}", lab.var("LAB_PDNS_API_KEY"));
    let deleted = std::process::Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "DELETE",
            "-H",
            &key,
            &url,
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&deleted.stdout), "204");

    // Without --create-missing: PowerDNS fails with zone_missing, BIND is still applied.
    std::fs::write(
        scratch.path().join("zone.zone"),
        format!("{ZONE}new A 192.0.2.7\n"),
    )
    .unwrap();
    sync(scratch.path())
        .code(2)
        .stdout_has("FAILED: zone_missing")
        .stdout_has("HTTP 404 Not Found")
        .stdout_has("1 of 2 target(s) failed; the others were applied");
    // With it: the zone is created (with the apex NS of every provider), then synced.
    nsync(&["sync", "--yes", "--create-missing"])
        .dir(scratch.path())
        .run()
        .code(0)
        .stderr_has("creating missing zone t17.test.");
    assert_eq!(plan_code(scratch.path()), 0);
}

/// An HTTP relay in front of the PowerDNS API that forwards reads and, for a PATCH,
/// closes the connection without an answer: the server went away mid-sync.
async fn dying_api(target: SocketAddr) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 1 << 20];
                let mut got = 0;
                // Read the request head (and any body that came with it).
                loop {
                    let Ok(n) = client.read(&mut buf[got..]).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    got += n;
                    if buf[..got].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                if buf.starts_with(b"PATCH") {
                    return; // dropped: no answer, connection closed
                }
                let head = String::from_utf8_lossy(&buf[..got]).replacen(
                    "\r\n",
                    "\r\nConnection: close\r\n",
                    1,
                );
                let Ok(mut server) = tokio::net::TcpStream::connect(target).await else {
                    return;
                };
                let _ = server.write_all(head.as_bytes()).await;
                let mut answer = Vec::new();
                let _ = server.read_to_end(&mut answer).await;
                let _ = client.write_all(&answer).await;
            });
        }
    });
    addr
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn powerdns_going_away_mid_sync_fails_alone_and_a_rerun_converges() {
    let lab = Lab::get();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let api: SocketAddr = lab
        .var("LAB_PDNS_API_URL")
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let relay = rt.block_on(dying_api(api));
    let _guard = rt.enter();
    let dying = lab
        .powerdns_provider("pdns")
        .replace(lab.var("LAB_PDNS_API_URL"), &format!("http://{relay}"));
    // A value of this run: every provider has something to write, whatever an earlier
    // run left there.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let zone = format!("{ZONE}run TXT \"{nanos}\"\n");
    let scratch = setup(
        "t18.test",
        &[
            ("bind", lab.rfc2136_provider("bind", "bind")),
            ("knot", lab.rfc2136_provider("knot", "knot")),
            ("pdns", dying),
        ],
        &zone,
    );
    let ran = sync(scratch.path());
    ran.code(2)
        .stdout_has("FAILED: temporary")
        .stdout_has("gave up after 5 attempts")
        .stdout_has("1 of 3 target(s) failed; the others were applied");
    let direct = setup(
        "t18.test",
        &[
            ("bind", lab.rfc2136_provider("bind", "bind")),
            ("knot", lab.rfc2136_provider("knot", "knot")),
            ("pdns", lab.powerdns_provider("pdns")),
        ],
        &zone,
    );
    let plan = nsync(&["plan", "--format", "json"])
        .dir(direct.path())
        .run();
    let report = plan.json();
    let status = |p: &str| {
        report["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["provider"] == p)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("bind"), "in_sync");
    assert_eq!(status("knot"), "in_sync");
    assert_eq!(
        status("pdns"),
        "changes_pending",
        "PowerDNS got nothing: a PATCH is all or nothing"
    );
    sync(direct.path()).code(0);
    assert_eq!(plan_code(direct.path()), 0);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn one_zone_on_bind_powerdns_and_files_at_once_plans_zero_changes() {
    let lab = Lab::get();
    let files = Scratch::new(&[]);
    let zonefile = format!(
        "[providers.files]\nkind = \"zonefile\"\ndirectory = \"{}\"\n",
        files.path().display()
    );
    let rich = format!(
        "{ZONE}_sip._tcp SRV 10 5 5060 www\n@ CAA 0 issue \"letsencrypt.org\"\nlong TXT \"{}\"\nsub NS ns1.example.net.\nsub DS 31589 13 2 3490a6806d47f17a34c29e2ce80e8a999ffbe4be3f5a4e3c1a2b3c4d5e6f7081\n@ HTTPS 1 . alpn=h2\n",
        "x".repeat(200)
    );
    let scratch = setup(
        "t19.test",
        &[
            ("bind", lab.rfc2136_provider("bind", "bind")),
            ("pdns", lab.powerdns_provider("pdns")),
            ("files", zonefile),
        ],
        &rich,
    );
    // The zone file does not exist yet at the zonefile provider: it is created on request.
    nsync(&["sync", "--yes", "--force", "--create-missing"])
        .dir(scratch.path())
        .run()
        .code(0);
    let plan = nsync(&["plan", "--format", "json"])
        .dir(scratch.path())
        .run();
    plan.code(0);
    let report = plan.json();
    assert_eq!(report["changes_pending"], false, "{report:#}");
    assert_eq!(report["targets"].as_array().unwrap().len(), 3);
    let written = std::fs::read_to_string(files.path().join("t19.test.zone")).unwrap();
    assert!(written.contains("written by nsync"), "{written}");
    assert!(written.contains(" SOA "), "{written}");
}
