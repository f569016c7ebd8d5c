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
        .stdout_has("example.test.  24 rrsets")
        .stdout_has("other.test.  5 rrsets")
        .stdout_has("nsync.toml: valid (0 errors, 0 warnings)");
}

#[test]
fn check_json_describes_zones_and_providers_without_secrets() {
    // Secret values set, as in CI: the report must carry neither them nor their names.
    let (tsig, api) = ("c2VjcmV0LXRzaWctdmFsdWU=", "pdns-secret-api-key-value");
    let ran = nsync(&["check", "--format", "json"])
        .dir(&repo_root())
        .env("NSYNC_TSIG_SECRET", tsig)
        .env("PDNS_API_KEY", api)
        .run();
    ran.code(0);
    let report = ran.json();
    assert_eq!(report["valid"], true);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
    assert_eq!(report["zones"][0]["zone"], "example.test.");
    assert_eq!(report["zones"][0]["rrsets"], 24);
    assert_eq!(report["providers"][0]["name"], "bind");
    assert_eq!(
        report["providers"][0]["nameservers"][0]["addresses"][0],
        "127.0.10.1"
    );
    for leak in [tsig, api, "NSYNC_TSIG_SECRET"] {
        assert!(
            !ran.stdout.contains(leak) && !ran.stderr.contains(leak),
            "{leak} is in the report: {ran:?}"
        );
    }
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

#[test]
fn nameservers_inside_the_zone_without_glue_are_refused_at_their_line() {
    let config = "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\nnameservers = [\"ns1.example.test.\", \"ns.example.net.\"]\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n";
    // In the zone file's apex NS: the error is at the NS record's line.
    let scratch = Scratch::new(&[
        ("nsync.toml", config),
        (
            "z.zone",
            "$TTL 300\n@ NS ns.example.net.\n@ NS ns2.example.test.\nwww A 192.0.2.1\n",
        ),
    ]);
    nsync(&["check"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("z.zone:2:1: error: example.test. NS names ns2.example.test., inside this zone, which has no A or AAAA here (missing glue)");
    // No apex NS in the file: sync would write the configured names, so the provider's
    // nameserver inside the zone needs its address too; plan and sync refuse as well.
    std::fs::write(scratch.path().join("z.zone"), "$TTL 300\nwww A 192.0.2.1\n").unwrap();
    nsync(&["check"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("nsync.toml:1:1: error: provider a's nameserver ns1.example.test. is inside zone example.test., whose file (z.zone) has no A or AAAA for it (missing glue)");
    nsync(&["sync", "--yes"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("missing glue")
        .stderr_has("nothing was changed at any provider");
    assert!(!scratch.path().join("out").exists());
    std::fs::write(
        scratch.path().join("z.zone"),
        "$TTL 300\nwww A 192.0.2.1\nns1 AAAA 2001:db8::53\n",
    )
    .unwrap();
    nsync(&["check"]).dir(scratch.path()).run().code(0);
}

#[test]
fn one_zone_listed_twice_is_refused_naming_both_entries() {
    let scratch = Scratch::new(&[
        (
            "nsync.toml",
            "[providers.a]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n\n[zones.\"EXAMPLE.TEST\"]\nfile = \"z.zone\"\nproviders = [\"a\"]\n",
        ),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    nsync(&["check"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("nsync.toml:9:8: error: zone example.test. is listed twice: [zones.\"EXAMPLE.TEST\"] here and [zones.\"example.test.\"] at line 5");
}

#[test]
fn a_secret_that_cannot_be_resolved_is_this_runs_error_not_a_provider_failure() {
    let config = format!(
        "{}[providers.bind]\nkind = \"rfc2136\"\nserver = \"127.0.10.1:53\"\ntsig = {{ name = \"nsync-key\", algorithm = \"hmac-sha256\", secret = \"env:NSYNC_TEST_NEVER_SET\" }}\n\n[providers.pdns]\nkind = \"powerdns\"\nurl = \"http://127.0.30.1:8081\"\napi_key = \"file:keys/missing\"\n\n[zones.\"t01.test.\"]\nfile = \"z.zone\"\nproviders = [\"bind\", \"pdns\"]\n",
        common::PRIVATE_ROOT
    );
    let scratch = Scratch::new(&[
        ("nsync.toml", &config),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    for command in [&["plan"][..], &["sync", "--yes"], &["audit"]] {
        let ran = nsync(command)
            .dir(scratch.path())
            .env_remove("NSYNC_TEST_NEVER_SET")
            .run();
        ran.code(2)
            .stderr_has("nsync.toml:6:66: error: provider bind: `tsig.secret = \"env:NSYNC_TEST_NEVER_SET\"` cannot be resolved: environment variable NSYNC_TEST_NEVER_SET is not set")
            .stderr_has("provider pdns: `api_key = \"file:")
            .stderr_has("keys/missing\"` cannot be resolved: cannot read secret file")
            .stderr_has("nothing was read from or written to any provider");
        assert!(
            !ran.stdout.contains("auth_failed") && !ran.stderr.contains("auth_failed"),
            "{command:?}: {ran:?}"
        );
    }
    // Only the providers this run calls need their secrets.
    nsync(&["plan", "--provider", "pdns"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("1 secret reference(s)");
}

#[test]
fn a_secret_file_others_can_read_is_a_warning_at_check_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let config = "[providers.p]\nkind = \"powerdns\"\nurl = \"http://127.0.0.1:8081\"\nallow_insecure_http = true\napi_key = \"file:keys/pdns\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"p\"]\n";
    let scratch = Scratch::new(&[
        ("nsync.toml", config),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
        ("keys/pdns", "not-a-real-key\n"),
    ]);
    let key = scratch.path().join("keys/pdns");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let ran = nsync(&["check"]).dir(scratch.path()).run();
    ran.code(0)
        .stderr_has("nsync.toml:5:11: warning: provider p: `api_key` is read from")
        .stderr_has("which group or others can read (mode 644)")
        .stderr_has("hint: chmod 600 keys/pdns");
    let ran = nsync(&["check"]).dir(scratch.path()).run();
    assert!(!ran.stderr.contains("not-a-real-key"), "{}", ran.stderr);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let ran = nsync(&["check"]).dir(scratch.path()).run();
    ran.code(0);
    let ran = nsync(&["check"]).dir(scratch.path()).run();
    assert!(!ran.stderr.contains("group or others"), "{}", ran.stderr);
}

#[test]
fn an_http_timeout_out_of_range_is_refused_at_its_line() {
    let config = "[providers.cf]\nkind = \"cloudflare\"\napi_token = \"env:NSYNC_TEST_CF_TOKEN\"\ntimeout_seconds = 0\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"cf\"]\n";
    let scratch = Scratch::new(&[
        ("nsync.toml", config),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    nsync(&["check"])
        .dir(scratch.path())
        .run()
        .code(2)
        .stderr_has("nsync.toml:4:19: error: provider cf: `timeout_seconds = 0` is out of range")
        .stderr_has("use 1 to 600 seconds");
}

#[test]
fn an_address_at_a_service_name_is_a_warning_for_rfc2136_only() {
    let config = "[providers.bind]\nkind = \"rfc2136\"\nserver = \"127.0.0.1:53\"\ntsig = { name = \"k\", algorithm = \"hmac-sha256\", secret = \"env:NSYNC_TEST_TSIG\" }\n\n[providers.files]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"bind\", \"files\"]\n";
    let scratch = Scratch::new(&[
        ("nsync.toml", config),
        (
            "z.zone",
            "$TTL 300\nwww A 192.0.2.1\n_sip._tcp A 192.0.2.2\n",
        ),
    ]);
    let ran = nsync(&["check"]).dir(scratch.path()).run();
    let ran = ran.code(0);
    let _ = ran.stderr_has("z.zone:3:1: warning: provider bind (rfc2136): _sip._tcp.example.test. A: an address record at a name with `_`; BIND refuses it by default (check-names)");
    let ran = nsync(&["check"]).dir(scratch.path()).run();
    assert_eq!(
        ran.stderr.matches("check-names").count(),
        2,
        "one warning and its hint, for bind only: {}",
        ran.stderr
    );
}
