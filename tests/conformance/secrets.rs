//! No secret is ever shown: for every fixture with credentials, `check`, `plan` and
//! `sync` at `-vvv`, with the right credentials and with wrong ones, print neither, and
//! the parsed configuration's `Debug` holds references, never values.

use libtest_mimic::Failed;
use nsync_testkit::fixture::secret_file;
use nsync_testkit::{PROVIDER, Started};

use crate::common::{Scratch, nsync};

/// The `file:` references of a provider table and the secrets they hold.
fn file_secrets(table: &str) -> Vec<(String, String)> {
    table
        .split("\"file:")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|path| {
            let value = std::fs::read_to_string(path).unwrap_or_default();
            (path.to_string(), value.trim().to_string())
        })
        .collect()
}

pub fn never_shown(kind: &str, started: &Started, zone: &str) -> Result<(), Failed> {
    let secrets = file_secrets(&started.table);
    if secrets.is_empty() || secrets.iter().any(|(_, v)| v.len() < 8) {
        return Err(format!("{kind}: no secret of 8 or more characters found in the table").into());
    }
    let zone_table =
        format!("[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"{PROVIDER}\"]\n");
    let scratch = Scratch::new(&[("z.zone", "$TTL 300\nsecrets-check TXT \"x\"\n")]);
    let dir = scratch.path();
    // Wrong credentials of the same shape: base64, as a TSIG secret must be.
    let mut wrong_table = started.table.clone();
    let mut wrong = Vec::new();
    for (i, (path, _)) in secrets.iter().enumerate() {
        let value = format!("d3JvbmctbnN5bmMtc2VjcmV0LXt{i}9LXRoYXQtbXVzdC1uZXZlci1zaG93");
        let file = dir.join(format!("wrong-{i}"));
        secret_file(&file, &format!("{value}\n"));
        wrong_table = wrong_table.replace(path.as_str(), &file.display().to_string());
        wrong.push(value);
    }
    let all: Vec<&str> = secrets
        .iter()
        .map(|(_, v)| v.as_str())
        .chain(wrong.iter().map(String::as_str))
        .collect();
    let _guard = nsync_testkit::fixture::runtime().enter();
    for (what, table) in [("right", &started.table), ("wrong", &wrong_table)] {
        let config = format!("{table}\n{zone_table}");
        std::fs::write(dir.join("nsync.toml"), &config).unwrap();
        let (parsed, _) = nsync::config::parse_config(&dir.join("nsync.toml"), &config);
        let debug = format!("{parsed:?}");
        for command in [
            &["-vvv", "check", "--format", "json"][..],
            &["-vvv", "plan"],
            &["-vvv", "sync", "--yes", "--force"],
        ] {
            let ran = nsync(command).dir(dir).run();
            for secret in &all {
                if ran.stdout.contains(secret) || ran.stderr.contains(secret) {
                    return Err(format!(
                        "{kind}, {what} credentials: `nsync {}` printed a secret:\n{}\n{}",
                        command.join(" "),
                        ran.stdout,
                        ran.stderr
                    )
                    .into());
                }
            }
        }
        if let Some(s) = all.iter().find(|s| debug.contains(**s)) {
            return Err(format!(
                "{kind}: the config's Debug shows a secret ({} chars)",
                s.len()
            )
            .into());
        }
    }
    Ok(())
}
