//! Primaries that never finish: a transfer that drips forever stops at
//! `transfer_timeout_seconds` whatever the per-message timeout says, with a message that
//! names the setting; nothing retries it.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::{Scratch, nsync};

#[test]
fn a_transfer_that_never_ends_is_stopped_at_its_deadline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                // A length prefix promising 65,535 octets, then one octet at a time.
                let _ = stream.write_all(&[0xff, 0xff]);
                loop {
                    std::thread::sleep(Duration::from_millis(200));
                    if stream.write_all(&[0]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let scratch = Scratch::new(&[
        ("secret", "c2VjcmV0LXNlY3JldC1zZWNyZXQ=\n"),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    let config = format!(
        "[providers.drip]\nkind = \"rfc2136\"\nserver = \"{addr}\"\ntimeout_seconds = 60\ntransfer_timeout_seconds = 2\ntsig = {{ name = \"k\", algorithm = \"hmac-sha256\", secret = \"file:{}\" }}\n\n[zones.\"drip.test.\"]\nfile = \"z.zone\"\nproviders = [\"drip\"]\n",
        scratch.path().join("secret").display()
    );
    std::fs::write(scratch.path().join("nsync.toml"), config).unwrap();
    let began = Instant::now();
    let ran = nsync(&["plan"]).dir(scratch.path()).run();
    let took = began.elapsed();
    ran.code(2)
        .stdout_has("the transfer had not ended after 2 s");
    assert!(
        took < Duration::from_secs(20),
        "stopped at its deadline, not retried: {took:?}"
    );
}
