//! A zone file is input from a pull request, and `nsync check` runs on it in CI beside
//! the job's secrets. These tests pin that no zone file makes nsync print a secret, read
//! outside its folder, hang, or read without bound; each is a regression test for an
//! attack that worked once (`$INCLUDE /proc/self/environ` printed the environment).

mod common;

use std::time::{Duration, Instant};

use common::{Ran, Scratch, nsync};

const SECRET: &str = "nsync-test-secret-7f3a9c1e5b";

fn config(extra: &str) -> String {
    format!(
        "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n{extra}"
    )
}

/// Runs `nsync check` in `scratch` with a secret in the environment, and asserts that it
/// refused the input, quickly, without the secret or a raw control byte in its output.
fn check(scratch: &Scratch, args: &[&str]) -> Ran {
    let mut all = vec!["check", "--color", "never"];
    all.extend_from_slice(args);
    let started = Instant::now();
    let ran = nsync(&all)
        .dir(scratch.path())
        .env("NSYNC_TEST_SECRET", SECRET)
        .run();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "check took {:?}",
        started.elapsed()
    );
    assert_eq!(ran.code, 2, "the input is refused: {ran:?}");
    let output = format!("{}{}", ran.stdout, ran.stderr);
    assert!(!output.contains(SECRET), "the secret was printed: {output}");
    assert!(
        !output.bytes().any(|b| b == 0x1b || b == 0x07 || b == 0),
        "a raw control byte reached the output: {output:?}"
    );
    ran
}

fn zone_with(text: &str) -> Scratch {
    Scratch::new(&[("nsync.toml", &config("")), ("z.zone", text)])
}

#[test]
fn include_of_the_environment_is_refused_and_nothing_of_it_printed() {
    let scratch = zone_with("$TTL 60\n$INCLUDE /proc/self/environ\n");
    check(&scratch, &[]).stderr_has("system file");
    // Even when the user allows reading outside the folder.
    check(&scratch, &["--allow-include-outside"]).stderr_has("system file");
    let allowed = Scratch::new(&[
        ("nsync.toml", &config("allow_include_outside = true\n")),
        ("z.zone", "$TTL 60\n$INCLUDE /proc/self/environ\n"),
    ]);
    check(&allowed, &[]).stderr_has("system file");
}

#[test]
fn include_outside_the_folder_is_refused_unless_allowed() {
    let outside = Scratch::new(&[("hosts.zone", "h1 A 192.0.2.7\n")]);
    let path = outside.path().join("hosts.zone");
    let text = format!("$TTL 60\n$INCLUDE {}\n", path.display());
    let scratch = zone_with(&text);
    check(&scratch, &[])
        .stderr_has("z.zone:2:")
        .stderr_has("is outside");
    nsync(&["check", "--allow-include-outside"])
        .dir(scratch.path())
        .run()
        .code(0);
    // A symlink inside the folder that leads out is outside too.
    let linked = zone_with("$TTL 60\n$INCLUDE link.zone\n");
    std::os::unix::fs::symlink(&path, linked.path().join("link.zone")).unwrap();
    check(&linked, &[]).stderr_has("is outside");
    // The zone file itself follows the same rule.
    let far = Scratch::new(&[(
        "nsync.toml",
        &config("").replace("\"z.zone\"", &format!("{:?}", path.display().to_string())),
    )]);
    check(&far, &[]).stderr_has("is outside");
}

#[test]
fn special_files_never_block_or_fill_memory() {
    let scratch = zone_with("$TTL 60\n$INCLUDE /dev/zero\n");
    check(&scratch, &["--allow-include-outside"]).stderr_has("system file");
    let fifo = zone_with("$TTL 60\n$INCLUDE pipe.zone\n");
    let made = std::process::Command::new("mkfifo")
        .arg(fifo.path().join("pipe.zone"))
        .status()
        .expect("mkfifo (coreutils) runs");
    assert!(made.success());
    check(&fifo, &[]).stderr_has("not a regular file");
    let folder = zone_with("$TTL 60\n$INCLUDE sub\n");
    std::fs::create_dir(folder.path().join("sub")).unwrap();
    check(&folder, &[]).stderr_has("is a folder");
}

#[test]
fn every_file_read_is_capped() {
    let big = format!("$TTL 60\n{}", "www A 192.0.2.1\n".repeat(100));
    let scratch = Scratch::new(&[
        ("nsync.toml", &config("max_file_bytes = 1000\n")),
        ("z.zone", "$TTL 60\n$INCLUDE big.zone\n"),
        ("big.zone", &big),
    ]);
    check(&scratch, &[]).stderr_has("capped at 1000 octets");
    let direct = Scratch::new(&[
        ("nsync.toml", &config("max_file_bytes = 1000\n")),
        ("z.zone", &big),
    ]);
    check(&direct, &[]).stderr_has("capped at 1000 octets");
}

#[test]
fn a_deep_include_chain_is_a_depth_limit_and_a_cycle_a_loop() {
    let mut files: Vec<(String, String)> = vec![("nsync.toml".into(), config(""))];
    files.push(("z.zone".into(), "$TTL 60\n$INCLUDE f1.zone\n".into()));
    for i in 1..=17 {
        files.push((
            format!("f{i}.zone"),
            format!("h{i} A 192.0.2.1\n$INCLUDE f{}.zone\n", i + 1),
        ));
    }
    files.push(("f18.zone".into(), "last A 192.0.2.1\n".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let chain = Scratch::new(&refs);
    let ran = check(&chain, &[]);
    ran.stderr_has("deep; nsync reads at most 16");
    assert!(!ran.stderr.contains("loops"), "{ran:?}");
    let cycle = Scratch::new(&[
        ("nsync.toml", &config("")),
        ("z.zone", "$TTL 60\n$INCLUDE a.zone\n"),
        ("a.zone", "a A 192.0.2.1\n$INCLUDE b.zone\n"),
        ("b.zone", "b A 192.0.2.1\n$INCLUDE ./a.zone\n"),
    ]);
    check(&cycle, &[])
        .stderr_has("b.zone:2:")
        .stderr_has("loops back");
}

#[test]
fn huge_input_is_quoted_in_short_pieces() {
    let name = "a".repeat(1_000_000);
    let scratch = zone_with(&format!("$TTL 60\n{name} A 192.0.2.1\n"));
    let ran = check(&scratch, &[]);
    assert!(
        ran.stderr.len() < 2_000,
        "a 1 MB name is not echoed whole: {} octets of output",
        ran.stderr.len()
    );
    ran.stderr_has("more characters");
    let value = "x".repeat(70_000);
    let caa = zone_with(&format!("$TTL 60\n@ CAA 0 issue {value}\n"));
    check(&caa, &[]).stderr_has("at most 65535");
}

#[test]
fn control_bytes_in_names_are_printed_escaped() {
    // An escaped ESC in a name, and a raw one: both reach the output only as \027.
    let scratch = zone_with(
        "$TTL 60\n\\027[2J CNAME x.example.net.\n\\027[2J A 192.0.2.1\n\u{1b}[31m MX 10 mail\n",
    );
    let ran = check(&scratch, &["--format", "json"]);
    let text = format!("{}{}", ran.stdout, ran.stderr);
    assert!(
        text.contains("\\\\027[2J") || text.contains("\\027[2J"),
        "{text}"
    );
}

#[test]
fn an_rrset_too_large_for_one_message_is_refused_at_its_line() {
    let mut text = String::from("$TTL 60\n");
    for i in 0..400 {
        text.push_str(&format!("big TXT \"{i:03}{}\"\n", "y".repeat(197)));
    }
    let scratch = zone_with(&text);
    check(&scratch, &[])
        .stderr_has("z.zone:2:")
        .stderr_has("one DNS message holds at most 65535");
}
