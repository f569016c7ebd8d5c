//! Names that try to be paths: a zone whose one label holds `/` (legal in DNS), a legal
//! 254-octet zone name, provider names like `../../x`, and symbolic links planted in
//! `.nsync`. Every file nsync writes stays under `.nsync` and the zonefile folder, named
//! by the zone's file-name form; a planted link is refused, nothing written through it.

mod common;

use common::{Scratch, nsync};

/// A folder outside the scratch one, with no dot in its path, for a zone to aim at.
fn victim_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(format!("/tmp/nsynchostile{tag}{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn config(zone: &str, provider: &str) -> String {
    format!(
        "[providers.{provider}]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"{zone}\"]\nfile = \"z.zone\"\nproviders = [\"{provider}\"]\n"
    )
}

fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() && !p.is_symlink() {
            out.extend(files_under(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

#[test]
fn a_zone_named_like_a_path_writes_only_under_nsync_and_the_zone_folder() {
    let victim = victim_dir("zone");
    let zone = format!("{}/victim.", victim.display());
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(&zone, "files")),
        ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
    ]);
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    assert!(
        files_under(&victim).is_empty(),
        "{:?}",
        files_under(&victim)
    );
    let written = files_under(scratch.path());
    let stem = format!(
        "%2F{}%2Fvictim.",
        victim
            .display()
            .to_string()
            .trim_start_matches('/')
            .replace('/', "%2F")
    );
    assert!(
        written
            .iter()
            .any(|f| f.ends_with(&format!("out/{stem}zone"))),
        "{written:#?}"
    );
    assert!(
        written
            .iter()
            .any(|f| f.ends_with(&format!(".nsync/locks/{stem}lock")))
    );
    assert_eq!(nsync(&["plan", "-q"]).dir(scratch.path()).run().code, 0);
    let _ = std::fs::remove_dir_all(&victim);
}

#[test]
fn a_legal_254_octet_zone_name_gets_a_lock_and_a_file() {
    let labels = [
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61),
    ];
    let zone = format!("{}.", labels.join("."));
    let scratch = Scratch::new(&[
        ("nsync.toml", &config(&zone, "files")),
        ("z.zone", "$TTL 300\n@ A 192.0.2.1\n"),
    ]);
    nsync(&["sync", "--yes", "--create-missing", "-q"])
        .dir(scratch.path())
        .run()
        .code(0);
    assert_eq!(nsync(&["plan", "-q"]).dir(scratch.path()).run().code, 0);
}

#[test]
fn provider_names_that_are_paths_are_refused_by_check() {
    for name in ["../../x", "/abs/path", "a\\u001b[2Jb"] {
        let toml = format!(
            "[providers.\"{name}\"]\nkind = \"zonefile\"\ndirectory = \"out\"\n\n[zones.\"example.test.\"]\nfile = \"z.zone\"\nproviders = [\"{name}\"]\n"
        );
        let scratch = Scratch::new(&[
            ("nsync.toml", &toml),
            ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
        ]);
        let ran = nsync(&["check"]).dir(scratch.path()).run();
        ran.code(2).stderr_has("is not allowed");
        assert!(
            !ran.stderr.contains('\u{1b}'),
            "no raw escape: {}",
            ran.stderr
        );
        assert!(!scratch.path().join(".nsync").exists());
    }
}

#[test]
fn a_symlink_planted_in_nsync_is_refused_and_nothing_is_written_through_it() {
    for planted in [".nsync", ".nsync/locks", ".nsync/backups"] {
        let victim = victim_dir("link");
        let scratch = Scratch::new(&[
            ("nsync.toml", &config("example.test.", "files")),
            ("z.zone", "$TTL 300\nwww A 192.0.2.1\n"),
        ]);
        let link = scratch.path().join(planted);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let ran = nsync(&["sync", "--yes", "--create-missing", "-q"])
            .dir(scratch.path())
            .run();
        assert_eq!(ran.code, 2, "{planted}: {ran:?}");
        assert!(
            format!("{}{}", ran.stdout, ran.stderr).contains("is a symbolic link"),
            "{planted}: {ran:?}"
        );
        assert!(
            files_under(&victim).is_empty(),
            "{planted}: {:?}",
            files_under(&victim)
        );
        let _ = std::fs::remove_dir_all(&victim);
    }
}
