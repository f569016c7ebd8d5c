//! The command line as users meet it: help, exit codes, where output goes.

mod common;

use common::{Scratch, nsync, repo_root};

const COMMANDS: &[&str] = &[
    "check",
    "plan",
    "sync",
    "verify",
    "audit",
    "import",
    "restore",
    "serve",
    "demo",
    "completions",
];

#[test]
fn help_lists_every_command_with_examples() {
    let ran = nsync(&["--help"]).run();
    ran.code(0).stdout_has("Examples:");
    for command in COMMANDS {
        ran.stdout_has(&format!("  {command}"));
        let sub = nsync(&[command, "--help"]).run();
        sub.code(0).stdout_has("Examples:\n  nsync ");
    }
}

#[test]
fn import_and_restore_say_what_they_need() {
    let scratch = Scratch::new(&[]);
    nsync(&["import"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stdout_empty()
        .stderr_has("needs one --provider and one --zone");
    nsync(&["restore", "x.zone"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("needs one --provider");
}

#[test]
fn the_man_page_comes_from_the_same_definitions() {
    let ran = nsync(&["man"]).run();
    ran.code(0)
        .stdout_has(".TH nsync 1")
        .stdout_has("nsync\\-verify");
}

#[test]
fn plan_and_sync_refuse_bad_input_before_touching_any_provider() {
    let bad = Scratch::new(&[
        (
            "nsync.toml",
            "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        ),
        ("z.zone", "$TTL 60\nwww A 192.0.2\n"),
    ]);
    for args in [&["plan"][..], &["sync", "--yes"]] {
        nsync(args)
            .dir(bad.path())
            .run()
            .code(2)
            .stdout_empty()
            .stderr_has("z.zone:2:7: error: A record data `192.0.2` does not parse")
            .stderr_has("nothing was changed at any provider");
    }
}

#[test]
fn check_passes_on_the_example_zones() {
    nsync(&["check"])
        .dir(&repo_root())
        .run()
        .code(0)
        .stdout_has("example.test.  20 rrsets")
        .stdout_has("other.test.  5 rrsets")
        .stdout_has("nsync.toml: valid (0 errors, 0 warnings)");
}

#[test]
fn check_json_describes_zones_and_providers_without_secrets() {
    let ran = nsync(&["check", "--format", "json"])
        .dir(&repo_root())
        .run();
    ran.code(0);
    let report = ran.json();
    assert_eq!(report["valid"], true);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
    assert_eq!(report["zones"][0]["zone"], "example.test.");
    assert_eq!(report["zones"][0]["rrsets"], 20);
    assert_eq!(report["providers"][0]["name"], "bind");
    assert_eq!(
        report["providers"][0]["nameservers"][0]["addresses"][0],
        "127.0.10.1"
    );
    assert!(
        !ran.stdout.contains("NSYNC_TSIG_SECRET"),
        "secret references are not part of the report"
    );
}

#[test]
fn global_flags_go_before_or_after_the_command() {
    let root = repo_root();
    let config = root.join("nsync.toml");
    let config = config.to_str().unwrap();
    let scratch = Scratch::new(&[]);
    nsync(&["--config", config, "check", "--zone", "other.test"])
        .dir(scratch.path())
        .run()
        .code(0)
        .stdout_has("other.test.  5 rrsets");
    nsync(&["check", "--config", config, "--zone", "other.test."])
        .dir(scratch.path())
        .run()
        .code(0)
        .stdout_has("other.test.  5 rrsets");
}

#[test]
fn config_comes_from_nsync_config_when_no_flag() {
    let config = repo_root().join("nsync.toml");
    let scratch = Scratch::new(&[]);
    nsync(&["check"])
        .dir(scratch.path())
        .env("NSYNC_CONFIG", config.to_str().unwrap())
        .run()
        .code(0);
}

#[test]
fn missing_config_says_where_to_look() {
    let scratch = Scratch::new(&[]);
    nsync(&["check"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("nsync.toml:1:1: error: cannot read config")
        .stderr_has("hint: run nsync in the folder that holds nsync.toml, or pass --config FILE");
}

#[test]
fn unknown_zone_or_provider_filter_is_an_error() {
    nsync(&["check", "--zone", "exmple.test"])
        .dir(&repo_root())
        .run()
        .code(2)
        .stderr_has("--zone exmple.test: no such zone")
        .stderr_has("did you mean example.test.?");
    nsync(&["check", "--provider", "bnd"])
        .dir(&repo_root())
        .run()
        .code(2)
        .stderr_has("did you mean bind?");
}

#[test]
fn output_flag_writes_the_result_to_a_file() {
    let scratch = Scratch::new(&[]);
    let out = scratch.path().join("check.json");
    nsync(&[
        "check",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ])
    .dir(&repo_root())
    .run()
    .code(0)
    .stdout_empty();
    let text = std::fs::read_to_string(out).unwrap();
    assert!(text.contains("\"valid\": true"), "{text}");
}

#[test]
fn formats_a_command_cannot_write_are_refused() {
    nsync(&["check", "--format", "junit"])
        .dir(&repo_root())
        .run()
        .code(2)
        .stderr_has("use table or json");
}

#[test]
fn completions_are_generated() {
    nsync(&["completions", "bash"])
        .run()
        .code(0)
        .stdout_has("_nsync()");
    nsync(&["completions", "zsh"])
        .run()
        .code(0)
        .stdout_has("#compdef nsync");
}

#[test]
fn colors_follow_the_flag() {
    let bad = Scratch::new(&[("nsync.toml", "[zones]\n")]);
    let ran = nsync(&["check", "--color", "always"]).dir(bad.path()).run();
    ran.code(2).stderr_has("\u{1b}[31merror\u{1b}[0m");
    let ran = nsync(&["check"]).dir(bad.path()).run();
    ran.code(2);
    assert!(
        !ran.stderr.contains('\u{1b}'),
        "no colors in a pipe: {}",
        ran.stderr
    );
}
