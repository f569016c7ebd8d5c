//! The testkit's lossy DNS relay as a program, for bench/lossy.sh:
//! `dns_relay LISTEN TARGET DROP DELAY_MS JITTER_MS DUPLICATE` (rates 0..1).

use std::time::Duration;

use nsync_testkit::dns_relay::{self, Impairment};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [listen, target, drop, delay, jitter, duplicate] = args.as_slice() else {
        eprintln!("usage: dns_relay LISTEN TARGET DROP DELAY_MS JITTER_MS DUPLICATE");
        std::process::exit(2);
    };
    let number = |s: &str| -> f64 {
        s.parse().unwrap_or_else(|_| {
            eprintln!("dns_relay: {s} is not a number");
            std::process::exit(2)
        })
    };
    let imp = Impairment {
        drop: number(drop),
        delay: Duration::from_secs_f64(number(delay) / 1000.0),
        jitter: Duration::from_secs_f64(number(jitter) / 1000.0),
        duplicate: number(duplicate),
        ..Impairment::default()
    };
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    rt.block_on(async {
        let (addr, _) = dns_relay::start(
            listen.parse().expect("LISTEN is IP:PORT"),
            target.parse().expect("TARGET is IP:PORT"),
            imp,
            42,
        )
        .await;
        println!("relaying {addr} -> {target}");
        std::future::pending::<()>().await;
    });
}
