//! The README stays true to the code: its providers table is the one the code generates,
//! its two first commands are the ones CI runs, and its CI recipes work as written
//! against the lab with the example nsync.toml.

mod common;

use common::lab::Lab;
use common::{Scratch, repo_root};

#[test]
fn the_providers_table_is_generated_from_the_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let inside = readme
        .split("<!-- providers:begin -->\n")
        .nth(1)
        .and_then(|rest| rest.split("<!-- providers:end -->").next())
        .expect("README.md has the providers:begin/end markers");
    let generated = nsync::providers::markdown_table();
    assert_eq!(
        inside, generated,
        "README.md's providers table is stale: run `cargo run --example providers_table` and paste it between the markers"
    );
}

#[test]
fn the_keys_table_is_generated_from_the_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let inside = readme
        .split("<!-- kinds-keys:begin -->\n")
        .nth(1)
        .and_then(|rest| rest.split("<!-- kinds-keys:end -->").next())
        .expect("README.md has the kinds-keys:begin/end markers");
    assert_eq!(
        inside,
        nsync::providers::keys_table(),
        "README.md's table of keys is stale: run `cargo run --example providers_table` and paste its first table between the markers"
    );
}

#[test]
fn the_readme_starts_with_the_demo_and_the_test_suite() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first_block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    assert!(
        first_block.starts_with("cargo run --release -- demo"),
        "{first_block}"
    );
    assert!(first_block.contains("\nbash tests/run.sh"), "{first_block}");
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        ci.contains("cargo run --release --quiet -- demo") && ci.contains("bash tests/run.sh"),
        "CI runs both"
    );
}

/// The nsync commands of the README's CI recipes (GitHub Actions `run:` lines and GitLab
/// `script:` items), in order.
fn ci_commands(readme: &str) -> Vec<String> {
    let section = readme
        .split("### Review on pull requests, apply on merge")
        .nth(1)
        .and_then(|s| s.split("\n### ").next())
        .expect("the CI recipes section");
    section
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("run: ").or_else(|| l.strip_prefix("- ")))
        .filter(|l| l.starts_with("nsync "))
        .map(|l| l.split("  #").next().unwrap_or(l).trim().to_string())
        .collect()
}

#[test]
#[ignore = "needs the test lab: bash tests/lab/up.sh (tests/run.sh runs every lab test)"]
fn the_ci_recipes_work_as_written_against_the_lab() {
    let lab = Lab::get();
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let commands = ci_commands(&readme);
    assert!(
        commands.iter().any(|c| c.contains("sync --yes --wait"))
            && commands.iter().any(|c| c.contains("verify --wait")),
        "{commands:?}"
    );
    let scratch = Scratch::new(&[(
        "nsync.toml",
        &std::fs::read_to_string(repo_root().join("nsync.toml")).unwrap(),
    )]);
    let dir = scratch.path();
    std::fs::create_dir_all(dir.join("zones")).unwrap();
    for entry in std::fs::read_dir(repo_root().join("zones")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("zones").join(path.file_name().unwrap())).unwrap();
    }
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_nsync"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The lab's example zones may hold what another test wrote there: bring them to the
    // example files first, so the recipe starts from the state a repository would have
    // (its thresholds would otherwise refuse a sync of someone else's leftovers).
    let setup = std::process::Command::new(env!("CARGO_BIN_EXE_nsync"))
        .args(["sync", "--yes", "--force", "-q"])
        .current_dir(dir)
        .env("NSYNC_TSIG_SECRET", lab.var("LAB_TSIG_SECRET"))
        .env("PDNS_API_KEY", lab.var("LAB_PDNS_API_KEY"))
        .env_remove("NSYNC_CONFIG")
        .output()
        .unwrap();
    assert!(
        setup.status.success(),
        "{}",
        String::from_utf8_lossy(&setup.stderr)
    );
    for command in &commands {
        let out = std::process::Command::new("bash")
            .args(["-c", command])
            .current_dir(dir)
            .env("PATH", &path)
            .env("NSYNC_TSIG_SECRET", lab.var("LAB_TSIG_SECRET"))
            .env("PDNS_API_KEY", lab.var("LAB_PDNS_API_KEY"))
            .env_remove("NSYNC_CONFIG")
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        // The pull-request plan may say "changes pending" (1): the recipe continues.
        let allowed = if command == "nsync plan" {
            code <= 1
        } else {
            code == 0
        };
        assert!(
            allowed,
            "`{command}` exited {code}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let junit = std::fs::read_to_string(dir.join("verify.xml")).unwrap();
    assert!(junit.contains("failures=\"0\""), "{junit}");
}

/// The code the README shows: its inline code spans and the lines of its code blocks.
fn code_in(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            out.push(line.to_string());
        } else {
            out.extend(line.split('`').skip(1).step_by(2).map(str::to_string));
        }
    }
    out
}

/// Placeholders, a user's own files in examples (`zones/example.com.toml`) and what
/// appears only at run time: never a file of the repository.
fn placeholder(path: &str) -> bool {
    path.contains(['<', '>', '*', '$', '{', '}'])
        || path.contains("example.com")
        || path
            .split('/')
            .any(|seg| seg.len() > 1 && seg.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        || path.starts_with("fuzz/artifacts")
}

#[test]
fn every_file_the_readme_names_exists() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    const TOP: [&str; 9] = [
        "tests",
        "src",
        "providers",
        "fuzz",
        "bench",
        "monitoring",
        "zones",
        "examples",
        ".ci",
    ];
    let mut missing = Vec::new();
    for word in readme.split(|c: char| c.is_whitespace() || "`()[],;\"'|".contains(c)) {
        let word = word
            .trim_end_matches([':', '.', '*'])
            .trim_start_matches("./");
        let path = word.split(':').next().unwrap_or(word);
        let in_repo = path
            .split_once('/')
            .is_some_and(|(top, rest)| TOP.contains(&top) && !rest.is_empty());
        let top_level_doc = !path.contains('/')
            && path.ends_with(".md")
            && path[..path.len() - 3]
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_');
        if (in_repo || top_level_doc) && !placeholder(path) && !repo_root().join(path).exists() {
            missing.push(path.to_string());
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "README.md names files that do not exist: {missing:?}"
    );
}

#[test]
fn every_command_and_flag_the_readme_names_exists() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let mut wrong = Vec::new();
    for code in code_in(&readme) {
        // Each `nsync SUB ...` in the span or line, up to the next shell operator.
        for part in code.split(['|', ';', '&', '#', '>']) {
            let words: Vec<&str> = part.split_whitespace().collect();
            // nsync as the command itself (YAML `run:` and `- ` items, a prompt), not
            // the word in a sentence.
            let Some(at) = words.iter().enumerate().position(|(i, w)| {
                *w == "nsync"
                    && (i == 0
                        || ["-", "$", "sudo", "time"].contains(&words[i - 1])
                        || words[i - 1].ends_with(':'))
            }) else {
                continue;
            };
            let Some(sub) = words.get(at + 1) else {
                continue;
            };
            if sub.starts_with('-') || !sub.chars().all(|c| c.is_ascii_lowercase()) {
                continue;
            }
            // Hidden commands (`nsync man`) are not listed but answer --help.
            let sub_help = common::nsync(&[sub, "--help"]).run();
            if sub_help.code != 0 {
                wrong.push(format!("`{}`: no command {sub}", part.trim()));
                continue;
            }
            let sub_help = sub_help.stdout;
            for flag in words[at + 2..].iter().filter(|w| w.starts_with("--")) {
                let flag = flag.split('=').next().unwrap_or(flag);
                if !sub_help.contains(flag) {
                    wrong.push(format!("`{}`: nsync {sub} has no {flag}", part.trim()));
                }
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "README.md names what nsync lacks:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_accounts_table_holds_every_answer_the_suite_replays() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let inside = readme
        .split("<!-- accounts:begin -->\n")
        .nth(1)
        .and_then(|rest| rest.split("<!-- accounts:end -->").next())
        .expect("README.md has the accounts:begin/end markers");
    let mut declared = 0;
    for f in nsync::providers::fixtures() {
        let Some(api) = f.http_api() else { continue };
        for state in api.accounts {
            declared += 1;
            let row = format!("| `{}` | {} |", f.kind(), state.case);
            let line = inside
                .lines()
                .find(|l| l.starts_with(&row))
                .unwrap_or_else(|| panic!("README's accounts table has no row `{row}`"));
            assert!(
                line.contains(&format!("`{}`", state.kind)),
                "{row}: the suite checks {}, the README says otherwise: {line}",
                state.kind
            );
        }
    }
    assert!(declared >= 10, "{declared} answers declared");
}
