//! Cloudflare against the in-repo fake API: 429 with retry-after then success, a rejected
//! token, a missing zone, a 5xx in the middle of a multi-batch write (the re-run
//! converges), a disabled token (audit: account_suspended), proxied records (kept
//! proxied, with their comment and tags, when their value changes; their TTL is
//! Cloudflare's), TTLs below Cloudflare's minimum; and one zone synced to rfc2136@BIND,
//! route53 and cloudflare at once.

mod common;

use std::sync::{Arc, Mutex};

use common::cloudflare_fake::{self, Control, State};
use common::lab::Lab;
use common::{PRIVATE_ROOT, Scratch, nsync};

struct Fake {
    rt: tokio::runtime::Runtime,
    state: Control,
    url: String,
}

fn fake(zones: &[&str], tokens: &[(&str, &str)]) -> Fake {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        for (t, st) in tokens {
            s.tokens.push((t.to_string(), st.to_string()));
        }
        for z in zones {
            s.add_zone(z);
        }
        s.knobs.retry_after = 1;
    }
    let url = rt.block_on(cloudflare_fake::start(state.clone()));
    Fake { rt, state, url }
}

fn cf_table(url: &str, token_file: &std::path::Path) -> String {
    format!(
        "[providers.cf]\nkind = \"cloudflare\"\nendpoint = \"{url}\"\napi_token = \"file:{}\"\n",
        token_file.display()
    )
}

fn setup(url: &str, token: &str, zone: &str, text: &str) -> Scratch {
    let scratch = Scratch::new(&[("token", &format!("{token}\n")), ("z.zone", text)]);
    let config = format!(
        "{PRIVATE_ROOT}{}\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"cf\"]\n",
        cf_table(url, &scratch.path().join("token"))
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    scratch
}

const ZONE: &str = "$TTL 300\nwww A 192.0.2.1\n@ MX 10 mail.example.net.\n@ TXT \"v=spf1 -all\"\n";

#[test]
fn rate_limits_are_waited_out_then_the_sync_succeeds() {
    let f = fake(&["cf1.test"], &[("good", "active")]);
    f.state.lock().unwrap().knobs.rate_limited = 2;
    let scratch = setup(&f.url, "good", "cf1.test.", ZONE);
    let _guard = f.rt.enter();
    nsync(&["sync", "--yes"])
        .dir(scratch.path())
        .run()
        .code(0)
        .stderr_has("HTTP 429 Too Many Requests: 971")
        .stderr_has("retrying in 1.0s");
    assert_eq!(nsync(&["plan", "-q"]).dir(scratch.path()).run().code, 0);
}

#[test]
fn without_the_batch_endpoint_records_are_written_one_by_one() {
    let f = fake(&["cf6.test"], &[("good", "active")]);
    f.state.lock().unwrap().no_batch_endpoint = true;
    let scratch = setup(&f.url, "good", "cf6.test.", ZONE);
    let _guard = f.rt.enter();
    nsync(&["sync", "--yes", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    std::fs::write(
        scratch.path().join("z.zone"),
        "$TTL 300\nwww 600 A 192.0.2.1\n@ MX 10 mail.example.net.\nnew TXT \"x\"\n",
    )
    .unwrap();
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    assert_eq!(nsync(&["plan", "-q"]).dir(scratch.path()).run().code, 0);
    let s = f.state.lock().unwrap();
    assert!(
        s.single_writes >= 6,
        "posts, a patch and a delete went one by one: {}",
        s.single_writes
    );
}

#[test]
fn a_rejected_token_is_auth_failed() {
    let f = fake(&["cf2.test"], &[("good", "active")]);
    let scratch = setup(&f.url, "not-a-token", "cf2.test.", ZONE);
    let _guard = f.rt.enter();
    let ran = nsync(&["plan"]).dir(scratch.path()).run();
    ran.code(2)
        .stdout_has("HTTP 403 Forbidden: 10000 Authentication error")
        .stdout_has("check api_token")
        .stdout_has("error: auth_failed");
    assert!(
        !ran.stdout.contains("not-a-token") && !ran.stderr.contains("not-a-token"),
        "the token is never printed"
    );
}

#[test]
fn a_missing_zone_is_zone_missing() {
    let f = fake(&[], &[("good", "active")]);
    let scratch = setup(&f.url, "good", "cf3.test.", ZONE);
    let _guard = f.rt.enter();
    nsync(&["sync", "--yes"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stdout_has("FAILED: zone_missing")
        .stdout_has("no zone named cf3.test");
    // --create-missing creates it through the API, then syncs.
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    assert_eq!(nsync(&["plan", "-q"]).dir(scratch.path()).run().code, 0);
}

#[test]
fn a_server_error_mid_batch_fails_and_a_rerun_converges() {
    let f = fake(&["cf4.test"], &[("good", "active")]);
    f.state.lock().unwrap().fail_batches_from = Some(1);
    let hosts: String = (0..500)
        .map(|i| format!("h{i} A 192.0.2.{}\n", i % 250 + 1))
        .collect();
    let scratch = setup(&f.url, "good", "cf4.test.", &format!("$TTL 300\n{hosts}"));
    let _guard = f.rt.enter();
    nsync(&["sync", "--yes", "--force"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stdout_has("FAILED: temporary")
        .stdout_has("gave up after 5 attempts");
    let held = f.state.lock().unwrap().zones[0].records.len();
    assert_eq!(held, 200, "the first batch of 200 landed, the rest did not");
    f.state.lock().unwrap().fail_batches_from = None;
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    assert_eq!(nsync(&["plan", "-q"]).dir(scratch.path()).run().code, 0);
    assert_eq!(f.state.lock().unwrap().zones[0].records.len(), 500);
}

#[test]
fn a_disabled_token_proxied_records_and_ttls_below_the_floor() {
    let f = fake(&["cf5.test"], &[("good", "active"), ("old", "disabled")]);
    f.state
        .lock()
        .unwrap()
        .add_record("cf5.test", "A", "shop.cf5.test", "192.0.2.50", 1, true);
    // TTL 30 is below Cloudflare's floor: it would serve 60 while the others serve 30.
    let low = setup(
        &f.url,
        "good",
        "cf5.test.",
        "$TTL 300\nwww 30 A 192.0.2.1\nshop A 192.0.2.50\n",
    );
    let _guard = f.rt.enter();
    let ran = nsync(&["sync", "--yes"]).dir(low.path()).run();
    ran.code(2).stderr_has(
        "zone:2:1: error: www.cf5.test. A: TTL 30 is outside what provider cf (cloudflare) stores (60..86400)",
    );
    assert_eq!(
        f.state.lock().unwrap().zones[0].records.len(),
        1,
        "nothing written"
    );
    let zone = "$TTL 300\nwww 60 A 192.0.2.1\nshop A 192.0.2.50\n";
    let scratch = setup(&f.url, "good", "cf5.test.", zone);
    nsync(&["sync", "--yes", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let held = f.state.lock().unwrap().zones[0].records.clone();
    let shop = held.iter().find(|r| r.name == "shop.cf5.test").unwrap();
    assert!(shop.proxied, "the proxied record is left as it is");
    let www = held.iter().find(|r| r.name == "www.cf5.test").unwrap();
    assert_eq!(www.ttl, 60);
    // Said once per target: the apex NS is Cloudflare's own.
    let plan = nsync(&["plan"]).dir(scratch.path()).run();
    assert_eq!(
        plan.stdout
            .matches("the apex NS there is cloudflare's own: nsync does not write it")
            .count(),
        1,
        "{}",
        plan.stdout
    );
    assert_eq!(
        nsync(&["plan", "-q"]).dir(scratch.path()).run().code,
        0,
        "and plans as in sync"
    );

    let audit = nsync(&["audit", "--format", "json"])
        .dir(scratch.path())
        .run()
        .json();
    let kinds: Vec<(String, String)> = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("provider_notice".into(), "info".into())),
        "{audit:#}"
    );
    assert!(
        audit.to_string().contains("shop.cf5.test. A is proxied"),
        "{audit:#}"
    );

    let old = setup(&f.url, "old", "cf5.test.", zone);
    let audit = nsync(&["audit", "--format", "json"])
        .dir(old.path())
        .run()
        .json();
    let suspended = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "account_suspended")
        .cloned();
    let suspended = suspended.unwrap_or_else(|| panic!("{audit:#}"));
    assert_eq!(suspended["severity"], "critical");
    assert!(
        suspended["detail"]
            .as_str()
            .unwrap()
            .contains("the token is `disabled`"),
        "{suspended:#}"
    );
}

#[test]
fn a_proxied_record_stays_proxied_with_its_comment_and_tags_when_its_value_changes() {
    let f = fake(&["cf7.test"], &[("good", "active")]);
    {
        let mut s = f.state.lock().unwrap();
        s.add_record("cf7.test", "A", "shop.cf7.test", "192.0.2.50", 1, true);
        let r = s.zones[0].records.last_mut().unwrap();
        r.comment = Some("origin behind the WAF".into());
        r.tags = vec!["team:web".into()];
    }
    let id = f.state.lock().unwrap().zones[0].records[0].id.clone();
    // The file's TTL is not what Cloudflare keeps for a proxied record (1, automatic).
    let scratch = setup(
        &f.url,
        "good",
        "cf7.test.",
        "$TTL 3600\nshop A 192.0.2.60\n",
    );
    let _guard = f.rt.enter();
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let shop = f.state.lock().unwrap().zones[0].records.clone();
    assert_eq!(shop.len(), 1, "{shop:?}");
    let shop = &shop[0];
    assert_eq!(
        (
            shop.id.as_str(),
            shop.content.as_str(),
            shop.proxied,
            shop.ttl
        ),
        (id.as_str(), "192.0.2.60", true, 1),
        "rewritten in place, still proxied: {shop:?}"
    );
    assert_eq!(shop.comment.as_deref(), Some("origin behind the WAF"));
    assert_eq!(shop.tags, ["team:web"]);
    // Converged: no TTL patch on every run for a TTL Cloudflare sets itself.
    let plan = nsync(&["plan", "-q"]).dir(scratch.path()).run();
    assert_eq!(plan.code, 0, "{}", plan.stdout);

    // A value added beside proxied ones is proxied too; a record that is not proxied
    // is written as the file says.
    std::fs::write(
        scratch.path().join("z.zone"),
        "$TTL 3600\nshop A 192.0.2.60\nshop A 192.0.2.61\nwww A 192.0.2.1\n",
    )
    .unwrap();
    nsync(&["sync", "--yes", "--force", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let records = f.state.lock().unwrap().zones[0].records.clone();
    let added = records.iter().find(|r| r.content == "192.0.2.61").unwrap();
    assert!(added.proxied && added.ttl == 1, "{added:?}");
    let www = records.iter().find(|r| r.name == "www.cf7.test").unwrap();
    assert!(!www.proxied && www.ttl == 3600, "{www:?}");
    assert_eq!(nsync(&["plan", "-q"]).dir(scratch.path()).run().code, 0);
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn one_zone_on_bind_route53_and_cloudflare_plans_zero_changes() {
    let lab = Lab::get();
    let f = fake(&["t19.test"], &[("good", "active")]);
    let scratch = Scratch::new(&[("token", "good\n")]);
    let zone = "$TTL 300\nwww A 192.0.2.1\napi AAAA 2001:db8::1\n@ MX 10 mail.example.net.\n@ TXT \"v=spf1 -all\"\n_sip._tcp SRV 10 5 5060 sip.example.net.\n@ CAA 0 issue \"letsencrypt.org\"\nsub NS ns1.example.net.\n";
    let config = format!(
        "{}\n{}\n{}\n[zones.\"t19.test.\"]\nfile = \"z.zone\"\nproviders = [\"bind\", \"r53\", \"cf\"]\n",
        lab.rfc2136_provider("bind", "bind"),
        lab.route53_provider("r53"),
        cf_table(&f.url, &scratch.path().join("token"))
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    std::fs::write(scratch.path().join("z.zone"), zone).unwrap();
    let _guard = f.rt.enter();
    nsync(&["sync", "--yes", "--force", "--create-missing", "-q"])
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
}
