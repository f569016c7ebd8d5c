//! The first five minutes: `nsync demo` runs the whole workflow with no lab, no root and
//! no account; `nsync serve` serves a folder the builtin provider syncs to.

mod common;

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Scratch, nsync};
use hickory_proto::rr::{Name, RecordType};

#[test]
fn the_demo_shows_each_step_and_its_result() {
    let scratch = Scratch::new(&[]);
    let started = Instant::now();
    let ran = nsync(&["demo", "--color", "never"])
        .dir(scratch.path())
        .run();
    ran.code(0);
    let out = &ran.stdout;
    let after = |marker: &str| -> &str {
        out.split(marker)
            .nth(1)
            .unwrap_or_else(|| panic!("no {marker:?} in\n{out}"))
    };
    // Step by step, each with its own result.
    assert!(
        after("Step 1/8: nsync plan")
            .contains("│ demo.test. ┆ charlie  ┆ 11     ┆ 0      ┆ 0      ┆ changes pending │"),
        "{out}"
    );
    let sync = after("Step 2/8: nsync sync --yes");
    for p in ["alpha", "bravo", "charlie"] {
        assert!(
            sync.contains(&format!("┆ {p:<8} ┆ applied ┆ 11 ")),
            "{p}: {sync}"
        );
    }
    assert!(
        after("Step 3/8: nsync verify").starts_with("\nEvery nameserver")
            && after("Step 3/8").contains("demo.test.: consistent"),
        "{out}"
    );
    let verify = after("Step 5/8: nsync verify");
    assert!(
        verify.contains("mismatch at bravo ns2.demo.test."),
        "{verify}"
    );
    assert!(verify.contains("203.0.113.66"), "{verify}");
    assert!(
        verify.contains("timeout at charlie ns3.demo.test."),
        "{verify}"
    );
    let audit = after("Step 6/8: nsync audit");
    assert!(
        audit.contains("drift_changed") && audit.contains("provider bravo has api.demo.test."),
        "{audit}"
    );
    assert!(
        audit.contains("nameserver_lame") && audit.contains("charlie"),
        "{audit}"
    );
    assert!(
        after("Step 7/8: nsync sync --yes").contains("┆ bravo    ┆ applied ┆ 1 "),
        "{out}"
    );
    let last = after("Step 8/8: nsync verify");
    assert!(
        last.contains("demo.test.: 1 finding(s)") && last.contains("timeout at charlie"),
        "{last}"
    );
    assert!(out.contains("To use nsync with real providers"), "{out}");
    // No lab and no root needed; a demo that takes minutes is no demo.
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(
        std::fs::read_dir(scratch.path()).unwrap().next().is_none(),
        "the demo leaves nothing behind in the working directory"
    );
}

fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn soa_serial(addr: SocketAddr, zone: &str) -> Option<u32> {
    use hickory_proto::op::{Message, MessageType, OpCode, Query};
    let mut q = Message::new(7, MessageType::Query, OpCode::Query);
    q.add_query(Query::query(
        Name::from_ascii(zone).unwrap(),
        RecordType::SOA,
    ));
    let sock = std::net::UdpSocket::bind((IpAddr::from([127, 0, 0, 1]), 0)).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    sock.send_to(&q.to_vec().unwrap(), addr).ok()?;
    let mut buf = [0u8; 4096];
    let n = sock.recv(&mut buf).ok()?;
    let answer = Message::from_vec(&buf[..n]).ok()?;
    answer.answers.iter().find_map(|r| match &r.data {
        hickory_proto::rr::RData::SOA(s) => Some(s.serial),
        _ => None,
    })
}

#[test]
fn serve_serves_what_the_builtin_provider_syncs_and_follows_changes() {
    let port = free_port();
    let config = format!(
        "{}[providers.home]\nkind = \"builtin\"\ndirectory = \"zones-served\"\nlisten = [\"127.0.0.1:{port}\"]\nnameservers = [{{ name = \"ns.home.test.\", addresses = [\"127.0.0.1:{port}\"] }}]\n\n[zones.\"home.test.\"]\nfile = \"home.zone\"\nproviders = [\"home\"]\n",
        common::PRIVATE_ROOT
    );
    let scratch = Scratch::new(&[
        ("nsync.toml", &config),
        (
            "home.zone",
            "$TTL 300\n@ NS ns.home.test.\nns A 127.0.0.1\nwww A 192.0.2.1\n",
        ),
    ]);
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let mut server = Command::new(env!("CARGO_BIN_EXE_nsync"))
        .args(["serve", "--provider", "home"])
        .current_dir(scratch.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(server.stderr.take().unwrap());
    let mut lines = stderr.lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains(&format!("on 127.0.0.1:{port}")), "{first}");
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let wait_serial = |want: Option<u32>| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = soa_serial(addr, "home.test.");
            if let Some(serial) = got
                && (want.is_none() || got == want)
            {
                return serial;
            }
            assert!(
                Instant::now() < deadline,
                "nsync serve never served serial {want:?} (got {got:?})"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let first_serial = wait_serial(None);
    nsync(&["verify"])
        .dir(scratch.path())
        .run()
        .code(0)
        .stdout_has("home.test.: consistent");
    // A sync writes the folder; the server picks the change up by itself.
    std::fs::write(
        scratch.path().join("home.zone"),
        "$TTL 300\n@ NS ns.home.test.\nns A 127.0.0.1\nwww A 192.0.2.2\n",
    )
    .unwrap();
    nsync(&["sync", "--yes", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    wait_serial(Some(first_serial + 1));
    nsync(&["verify"])
        .dir(scratch.path())
        .run()
        .code(0)
        .stdout_has("home.test.: consistent");
    assert!(
        Command::new("kill")
            .args(["-INT", &server.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert!(
        server.wait().unwrap().success(),
        "Ctrl-C stops nsync serve cleanly"
    );
}

#[test]
fn verify_checks_ipv6_addresses_too() {
    // Ports are picked free and then released, so another test may take one before
    // nsync serve binds it (it then exits): pick again, a few times, until one serves.
    for attempt in 0..5 {
        if verify_on_ipv6_ports(attempt == 4) {
            return;
        }
    }
}

/// One try of [`verify_checks_ipv6_addresses_too`]; false when nsync serve could not
/// bind the ports picked (only the last try fails the test for it).
fn verify_on_ipv6_ports(last: bool) -> bool {
    let (port4, port6) = (free_port(), {
        let s = std::net::UdpSocket::bind("[::1]:0").expect("IPv6 loopback");
        s.local_addr().unwrap().port()
    });
    let config = format!(
        "{}[providers.home]\nkind = \"builtin\"\ndirectory = \"served\"\nlisten = [\"127.0.0.1:{port4}\", \"[::1]:{port6}\"]\nnameservers = [{{ name = \"ns.six.test.\", addresses = [\"127.0.0.1:{port4}\", \"[::1]:{port6}\"] }}]\n\n[zones.\"six.test.\"]\nfile = \"six.zone\"\nproviders = [\"home\"]\n",
        common::PRIVATE_ROOT
    );
    let scratch = Scratch::new(&[
        ("nsync.toml", &config),
        (
            "six.zone",
            "$TTL 300\n@ NS ns.six.test.\nns AAAA ::1\nwww AAAA 2001:db8::6\n",
        ),
    ]);
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    let mut server = Command::new(env!("CARGO_BIN_EXE_nsync"))
        .args(["serve", "--provider", "home", "-q"])
        .current_dir(scratch.path())
        .spawn()
        .unwrap();
    let v6: SocketAddr = format!("[::1]:{port6}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while soa_serial_v6(v6).is_none() {
        if !last && server.try_wait().ok().flatten().is_some() {
            return false;
        }
        assert!(
            Instant::now() < deadline,
            "nsync serve never answered on {v6}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let report = nsync(&["verify", "--format", "json"])
        .dir(scratch.path())
        .run();
    let _ = Command::new("kill")
        .args(["-INT", &server.id().to_string()])
        .status();
    let _ = server.wait();
    report.code(0);
    let json = report.json();
    let addresses: Vec<&str> = json["zones"][0]["nameservers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["address"].as_str().unwrap())
        .collect();
    assert_eq!(addresses.len(), 2, "{json:#}");
    assert!(
        addresses.contains(&format!("[::1]:{port6}").as_str()),
        "{addresses:?}"
    );
    true
}

fn soa_serial_v6(addr: SocketAddr) -> Option<u32> {
    use hickory_proto::op::{Message, MessageType, OpCode, Query};
    let mut q = Message::new(9, MessageType::Query, OpCode::Query);
    q.add_query(Query::query(
        Name::from_ascii("six.test.").unwrap(),
        RecordType::SOA,
    ));
    let sock = std::net::UdpSocket::bind("[::1]:0").ok()?;
    sock.set_read_timeout(Some(Duration::from_millis(300)))
        .ok()?;
    sock.send_to(&q.to_vec().ok()?, addr).ok()?;
    let mut buf = [0u8; 4096];
    let n = sock.recv(&mut buf).ok()?;
    let answer = Message::from_vec(&buf[..n]).ok()?;
    answer.answers.iter().find_map(|r| match &r.data {
        hickory_proto::rr::RData::SOA(s) => Some(s.serial),
        _ => None,
    })
}

/// Runs nsync under a pseudo-terminal (util-linux `script`), answering its prompt.
fn on_a_terminal(dir: &std::path::Path, args: &str, answer: &str) -> (i32, String) {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_nsync"));
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux)");
    use std::io::{Read, Write};
    // Answer once the prompt is there (the terminal carries stderr too), or not at all if
    // nsync ends without asking.
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("[y/N]") {
        match stdout.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
        }
    }
    let _ = child.stdin.take().unwrap().write_all(answer.as_bytes());
    let _ = stdout.read_to_end(&mut seen);
    let status = child.wait().unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&seen).into_owned(),
    )
}

#[test]
fn sync_asks_on_a_terminal_and_writes_only_when_told_yes() {
    let config = "[providers.home]\nkind = \"builtin\"\ndirectory = \"served\"\n\n[zones.\"ask.test.\"]\nfile = \"ask.zone\"\nproviders = [\"home\"]\n";
    let scratch = Scratch::new(&[
        ("nsync.toml", config),
        ("ask.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    std::fs::write(
        scratch.path().join("ask.zone"),
        "$TTL 300\nwww A 192.0.2.2\n",
    )
    .unwrap();
    let (code, out) = on_a_terminal(scratch.path(), "sync --color never", "n\n");
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("Apply 1 change(s) to 1 provider(s)? [y/N]")
            && out.contains("not confirmed; nothing was written"),
        "{out}"
    );
    assert_eq!(
        nsync(&["plan", "-q"]).dir(scratch.path()).run().code,
        1,
        "nothing was written"
    );
    let (code, out) = on_a_terminal(scratch.path(), "sync --color never", "y\n");
    assert_eq!(code, 0, "{out}");
    assert_eq!(nsync(&["plan", "-q"]).dir(scratch.path()).run().code, 0);
}

/// The rcode of an AXFR of `zone` at `addr`, asked from `source`.
fn axfr_rcode(source: IpAddr, addr: SocketAddr, zone: &str) -> hickory_proto::op::ResponseCode {
    use hickory_proto::op::{Message, MessageType, OpCode, Query};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::new(source, 0)).unwrap();
        let mut stream = socket.connect(addr).await.unwrap();
        let mut q = Message::new(9, MessageType::Query, OpCode::Query);
        q.add_query(Query::query(
            Name::from_ascii(zone).unwrap(),
            RecordType::AXFR,
        ));
        let bytes = q.to_vec().unwrap();
        stream
            .write_all(&(bytes.len() as u16).to_be_bytes())
            .await
            .unwrap();
        stream.write_all(&bytes).await.unwrap();
        let len = stream.read_u16().await.unwrap();
        let mut buf = vec![0u8; len as usize];
        stream.read_exact(&mut buf).await.unwrap();
        Message::from_vec(&buf).unwrap().metadata.response_code
    })
}

#[test]
fn serve_gives_zone_transfers_only_to_the_addresses_allowed() {
    // As for the IPv6 test: a port picked free may be taken before serve binds it.
    for attempt in 0..5 {
        if transfers_on_a_free_port(attempt == 4) {
            return;
        }
    }
}

fn transfers_on_a_free_port(last: bool) -> bool {
    let port = free_port();
    let scratch = Scratch::new(&[(
        "zones/xfr.test.zone",
        "$TTL 300\n@ SOA ns.xfr.test. h.xfr.test. 1 3600 600 86400 300\n@ NS ns.xfr.test.\nns A 127.0.0.1\n",
    )]);
    let listen = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_nsync"))
        .args([
            "serve",
            "--directory",
            "zones",
            "--listen",
            &listen,
            "--allow-transfer",
            "127.0.0.2",
        ])
        .current_dir(scratch.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(server.stderr.take().unwrap());
    let _first = stderr.lines().next();
    let addr: SocketAddr = listen.parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while soa_serial(addr, "xfr.test.").is_none() {
        if !last && server.try_wait().ok().flatten().is_some() {
            return false;
        }
        assert!(Instant::now() < deadline, "never served");
        std::thread::sleep(Duration::from_millis(50));
    }
    use hickory_proto::op::ResponseCode;
    assert_eq!(
        axfr_rcode([127, 0, 0, 3].into(), addr, "xfr.test."),
        ResponseCode::Refused
    );
    assert_eq!(
        axfr_rcode([127, 0, 0, 2].into(), addr, "xfr.test."),
        ResponseCode::NoError
    );
    let _ = Command::new("kill")
        .args(["-INT", &server.id().to_string()])
        .status();
    let _ = server.wait();
    true
}
