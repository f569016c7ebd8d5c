//! Route 53 when things go wrong, against moto_server behind a fault-injecting relay
//! (moto checks no signatures and never throttles, so the faults are injected, in the
//! shapes the Route 53 API documents): throttling then success, rejected credentials,
//! a missing zone, a 5xx in the middle of a multi-batch write (the re-run converges),
//! paging that never ends.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use common::lab::Lab;
use common::{Scratch, nsync};
use nsync_testkit::http_relay::{self as http_proxy, Action};

fn moto(lab: &Lab) -> SocketAddr {
    format!("{}:{}", lab.var("LAB_MOTO_IP"), lab.var("LAB_MOTO_PORT"))
        .parse()
        .unwrap()
}

fn via(lab: &Lab, relay: SocketAddr) -> String {
    lab.route53_provider("r53")
        .replace(&moto(lab).to_string(), &relay.to_string())
}

fn setup(table: &str, zone: &str, text: &str) -> Scratch {
    let config = format!("{table}\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"r53\"]\n");
    Scratch::new(&[("nsync.toml", &config), ("z.zone", text)])
}

fn error_body(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>x</RequestId></ErrorResponse>"
    )
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn throttling_is_retried_until_it_succeeds() {
    let lab = Lab::get();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let relay = rt.block_on(http_proxy::start(
        moto(&lab),
        Arc::new(|n, _, _| {
            if n < 2 {
                Action::Respond {
                    status: 400,
                    body: error_body("Throttling", "Rate exceeded"),
                }
            } else {
                Action::Forward
            }
        }),
    ));
    let scratch = setup(
        &via(&lab, relay),
        "r53-throttle.test.",
        "$TTL 300\nwww A 192.0.2.1\n",
    );
    let _guard = rt.enter();
    nsync(&["sync", "--yes", "--create-missing"])
        .dir(scratch.path())
        .run()
        .code(0)
        .stderr_has("Throttling: Rate exceeded; retrying in");
    assert_eq!(nsync(&["plan", "-q"]).dir(scratch.path()).run().code, 0);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn rejected_credentials_are_auth_failed() {
    let lab = Lab::get();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The query-protocol shape AWS uses for signature errors.
    let body = "<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>".to_string();
    let relay = rt.block_on(http_proxy::start(
        moto(&lab),
        Arc::new(move |_, _, _| Action::Respond {
            status: 403,
            body: body.clone(),
        }),
    ));
    let scratch = setup(
        &via(&lab, relay),
        "r53-auth.test.",
        "$TTL 300\nwww A 192.0.2.1\n",
    );
    let _guard = rt.enter();
    nsync(&["plan"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stdout_has("HTTP 403 Forbidden InvalidClientTokenId: The security token included in the request is invalid.")
        .stdout_has("check access_key_id and secret_access_key")
        .stdout_has("error: auth_failed");
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_missing_zone_is_zone_missing() {
    let lab = Lab::get();
    let scratch = setup(
        &lab.route53_provider("r53"),
        "r53-absent.test.",
        "$TTL 300\nwww A 192.0.2.1\n",
    );
    nsync(&["sync", "--yes"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stdout_has("FAILED: zone_missing")
        .stdout_has("no public hosted zone named r53-absent.test.");
    // A configured zone id that does not exist: NoSuchHostedZone.
    let table = lab.route53_provider("r53") + "hosted_zone_id = \"ZNOSUCHZONE123\"\n";
    let scratch = setup(&table, "r53-absent.test.", "$TTL 300\nwww A 192.0.2.1\n");
    nsync(&["plan"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stdout_has("NoSuchHostedZone")
        .stdout_has("error: zone_missing");
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_server_error_mid_batch_fails_and_a_rerun_converges() {
    let lab = Lab::get();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The third write and every one after fails with a 500: two batches land.
    let writes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = writes.clone();
    let relay = rt.block_on(http_proxy::start(
        moto(&lab),
        Arc::new(move |_, method, path| {
            if method == "POST"
                && path.ends_with("/rrset")
                && counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 2
            {
                Action::Respond {
                    status: 500,
                    body: error_body("InternalFailure", "We encountered an internal error."),
                }
            } else {
                Action::Forward
            }
        }),
    ));
    // Start from an empty zone: moto keeps its state for as long as the lab runs.
    let empty = setup(
        &lab.route53_provider("r53"),
        "r53-batch.test.",
        "$TTL 300\n",
    );
    nsync(&["sync", "--yes", "--force", "--create-missing", "-q"])
        .dir(empty.path())
        .run()
        .code(0);
    let hosts: String = (0..2500)
        .map(|i| format!("h{i:04} A 192.0.2.{}\n", i % 250 + 1))
        .collect();
    let text = format!("$TTL 300\n{hosts}");
    let scratch = setup(&via(&lab, relay), "r53-batch.test.", &text);
    let _guard = rt.enter();
    let ran = nsync(&["sync", "--yes", "--force", "--create-missing"])
        .dir(scratch.path())
        .run();
    ran.code(2)
        .stdout_has("FAILED: temporary")
        .stdout_has("InternalFailure")
        .stdout_has("gave up after 5 attempts");
    let direct = setup(&lab.route53_provider("r53"), "r53-batch.test.", &text);
    let plan = nsync(&["plan", "--format", "json"])
        .dir(direct.path())
        .run()
        .json();
    let creates = plan["targets"][0]["creates"].as_u64().unwrap();
    assert!(
        creates > 0 && creates < 2500,
        "two batches of 500 landed before the failure: {creates} left"
    );
    nsync(&["sync", "--yes", "--force"])
        .dir(direct.path())
        .run()
        .code(0);
    assert_eq!(nsync(&["plan", "-q"]).dir(direct.path()).run().code, 0);
}

static GET_CHANGES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// AWS answers a change PENDING, then INSYNC once every Route 53 nameserver has it (moto
/// says INSYNC at once): `sync --wait` polls GetChange until then, before asking DNS.
#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn sync_wait_polls_getchange_until_insync() {
    use std::sync::atomic::Ordering;
    let lab = Lab::get();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let relay = rt.block_on(http_proxy::start(
        moto(&lab),
        Arc::new(|_, method, path| {
            if method == "POST" && path.ends_with("/rrset") {
                return Action::ForwardEdited(|body| {
                    body.replace("<Status>INSYNC</Status>", "<Status>PENDING</Status>")
                });
            }
            if method == "GET" && path.contains("/change/") {
                let n = GET_CHANGES.fetch_add(1, Ordering::SeqCst);
                if n < 2 {
                    let id = path.rsplit('/').next().unwrap_or("C1");
                    return Action::Respond {
                        status: 200,
                        body: format!("<?xml version=\"1.0\"?>\n<GetChangeResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeInfo><Id>/change/{id}</Id><Status>PENDING</Status><SubmittedAt>2026-12-01T00:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>"),
                    };
                }
            }
            Action::Forward
        }),
    ));
    // sync --wait resolves the provider's nameserver names: from the lab's root only.
    let scratch = setup(
        &format!("{}{}", common::PRIVATE_ROOT, via(&lab, relay)),
        "r53-insync.test.",
        // moto keeps its zones while it runs: a new value each run, so there is a write.
        &format!(
            "$TTL 300\nwww A 192.0.2.1\n@ TXT \"run {}\"\n",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ),
    );
    let _guard = rt.enter();
    let ran = nsync(&["sync", "--yes", "--create-missing", "--wait", "20s"])
        .dir(scratch.path())
        .run();
    // Three GetChange calls: PENDING, PENDING, then moto's INSYNC.
    assert_eq!(GET_CHANGES.load(Ordering::SeqCst), 3, "{ran:?}");
    // moto's nameservers (awsdns names) do not resolve in the lab: the change cannot be
    // confirmed by DNS, and sync says so rather than claim it arrived.
    ran.code(2)
        .stdout_has("no nameserver address could be asked");
    assert_eq!(nsync(&["plan", "-q"]).dir(scratch.path()).run().code, 0);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn a_page_marker_that_never_ends_stops_with_an_error() {
    let lab = Lab::get();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Every page of rrsets says there is more, from the same marker.
    let relay = rt.block_on(http_proxy::start(
        moto(&lab),
        Arc::new(|_, method, path| {
            if method == "GET" && path.contains("/rrset") {
                return Action::ForwardEdited(|body| {
                    body.replace(
                        "<IsTruncated>false</IsTruncated>",
                        "<IsTruncated>true</IsTruncated><NextRecordName>loop.r53-pages.test.</NextRecordName><NextRecordType>A</NextRecordType>",
                    )
                });
            }
            Action::Forward
        }),
    ));
    let scratch = setup(
        &via(&lab, relay),
        "r53-pages.test.",
        "$TTL 300\nwww A 192.0.2.1\n",
    );
    let _guard = rt.enter();
    nsync(&["sync", "--yes", "--create-missing"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stdout_has("ListResourceRecordSets")
        .stdout_has("the API sent the same next-page marker twice (loop.r53-pages.test. A)")
        .stdout_has("FAILED: permanent");
}
