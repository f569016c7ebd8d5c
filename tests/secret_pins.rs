//! A secret pinned, in the environment that holds it, to where it may go: a config whose
//! endpoint points elsewhere (as a pull request could make it) is refused before any
//! request, and `NSYNC_REQUIRE_PINS` refuses unpinned `env:` secrets.

mod common;

use std::sync::{Arc, Mutex};

use common::{Scratch, nsync};
use nsync_cloudflare::fake::{self, State};

#[test]
fn a_pinned_secret_goes_nowhere_else() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        s.tokens.push(("pinned-token".into(), "active".into()));
        s.add_zone("pin.test");
    }
    let url = rt.block_on(fake::start(state.clone()));
    let origin = url.trim_end_matches("/client/v4").to_string();
    let scratch = Scratch::new(&[("z.zone", "$TTL 300\nwww A 192.0.2.1\n")]);
    let config = format!(
        "[providers.cf]\nkind = \"cloudflare\"\nendpoint = \"{url}\"\napi_token = \"env:CF_TOKEN\"\n\n[zones.\"pin.test.\"]\nfile = \"z.zone\"\nproviders = [\"cf\"]\n"
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    let _guard = rt.enter();
    let plan = |pin: Option<&str>, require: bool| {
        let mut run = nsync(&["plan"])
            .dir(scratch.path())
            .env("CF_TOKEN", "pinned-token")
            .env_remove("NSYNC_PIN_CF_TOKEN")
            .env_remove("NSYNC_REQUIRE_PINS");
        if let Some(p) = pin {
            run = run.env("NSYNC_PIN_CF_TOKEN", p);
        }
        if require {
            run = run.env("NSYNC_REQUIRE_PINS", "1");
        }
        run.run()
    };
    let ran = plan(Some("https://api.cloudflare.com"), false);
    ran.code(2)
        .stderr_has("may be sent only to https://api.cloudflare.com")
        .stderr_has(&format!("`endpoint` sends it to {origin}"));
    assert!(!ran.stderr.contains("pinned-token") && !ran.stdout.contains("pinned-token"));
    let ran = plan(None, true);
    ran.code(2).stderr_has("has no NSYNC_PIN_CF_TOKEN");
    // Pinned where it points: the plan runs.
    assert_eq!(plan(Some(&origin), true).code, 1, "changes pending");
}
