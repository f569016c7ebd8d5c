//! An API endpoint that redirects elsewhere (a 307 to another origin, as a hijacked or
//! misconfigured endpoint would): nsync follows no redirect, so the other server never
//! sees the credentials or the write, and the provider fails naming where it pointed.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Scratch, nsync};
use nsync_testkit::http_fake::{self, Request, Response};

#[test]
fn a_redirect_to_another_origin_is_not_followed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let reached = Arc::new(AtomicUsize::new(0));
    let seen = reached.clone();
    let elsewhere = rt.block_on(http_fake::serve(Arc::new(move |_: &Request| {
        seen.fetch_add(1, Ordering::SeqCst);
        Response::json(200, "{}".into())
    })));
    let target = format!("http://{elsewhere}/api/v1/servers/localhost/zones/r.test.");
    let redirecting = rt.block_on(http_fake::serve(Arc::new(move |_: &Request| {
        let mut r = Response::json(307, String::new());
        r.headers = vec![("location".into(), target.clone())];
        r
    })));
    let scratch = Scratch::new(&[
        ("key", "secret-api-key\n"),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    let config = format!(
        "[providers.p]\nkind = \"powerdns\"\nurl = \"http://{redirecting}\"\napi_key = \"file:{}\"\n\n[zones.\"r.test.\"]\nfile = \"z.zone\"\nproviders = [\"p\"]\n",
        scratch.path().join("key").display()
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    let _guard = rt.enter();
    let ran = nsync(&["sync", "--yes"]).dir(scratch.path()).run();
    ran.code(2)
        .stdout_has("HTTP 307 Temporary Redirect")
        .stdout_has(&format!("redirects to http://{elsewhere}/"))
        .stdout_has("nsync follows no redirect");
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "nothing reached the other origin"
    );
    assert!(!ran.stdout.contains("secret-api-key") && !ran.stderr.contains("secret-api-key"));
}

#[test]
fn an_api_key_http_cannot_carry_is_a_config_error_not_retried() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let reached = Arc::new(AtomicUsize::new(0));
    let seen = reached.clone();
    let server = rt.block_on(http_fake::serve(Arc::new(move |_: &Request| {
        seen.fetch_add(1, Ordering::SeqCst);
        Response::json(200, "{}".into())
    })));
    let scratch = Scratch::new(&[
        ("key", "bad\u{7}key\n"),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    let config = format!(
        "[providers.p]\nkind = \"powerdns\"\nurl = \"http://{server}\"\napi_key = \"file:{}\"\n\n[zones.\"k.test.\"]\nfile = \"z.zone\"\nproviders = [\"p\"]\n",
        scratch.path().join("key").display()
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    let _guard = rt.enter();
    let ran = nsync(&["plan", "--format", "json"])
        .dir(scratch.path())
        .run();
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(
        ran.stdout.contains("holds characters HTTP cannot carry"),
        "{ran:?}"
    );
    assert!(ran.stdout.contains("config_error"), "{ran:?}");
    assert!(
        !ran.stderr.contains("retrying"),
        "not retried: {}",
        ran.stderr
    );
    assert_eq!(reached.load(Ordering::SeqCst), 0, "nothing was sent");
}
