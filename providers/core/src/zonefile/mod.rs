//! Zone files, one home for every format: RFC 1035 master files (the lexer, the reader,
//! the writer), nsync's TOML format, and where their input may come from. Each format
//! has one read and one write entry; `read_zone_file` picks the format by extension
//! (`.toml` is nsync's TOML format, anything else a master file).

pub mod generate;
pub mod lexer;
pub mod master;
pub mod source;
pub mod toml_zone;
pub mod write;

use std::path::Path;

use hickory_proto::rr::Name;

use crate::builder::ZoneRead;
use crate::diag::{Diagnostic, Location};
use source::read_source;

pub use master::{parse_master_text, parse_master_text_with, read_master_file};
pub use source::{DEFAULT_MAX_FILE_BYTES, ReadPolicy};
pub use toml_zone::{parse_toml_zone, write_toml_zone};
pub use write::write_master_file;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneFormat {
    Toml,
    Master,
}

impl ZoneFormat {
    pub fn of(path: &Path) -> ZoneFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("toml") => ZoneFormat::Toml,
            _ => ZoneFormat::Master,
        }
    }
}

/// Reads the zone file at `path` for `origin`, in the format its extension says, and
/// the files it includes, all under `policy`.
pub fn read_zone_file(path: &Path, origin: &Name, policy: &ReadPolicy) -> ZoneRead {
    match read_source(path, policy) {
        Ok((text, _)) => parse_zone_text_with(path, &text, origin, policy),
        Err(e) => {
            let mut builder = crate::builder::ZoneBuilder::new(origin.clone());
            builder.report(
                Diagnostic::error(
                    Location::file(path),
                    format!("cannot read zone file: {}", e.message),
                )
                .with_hint(format!(
                    "{}; `file` in nsync.toml is relative to nsync.toml's folder",
                    e.hint
                )),
            );
            builder.finish()
        }
    }
}

/// Reads zone text already in memory; `$INCLUDE`s stay inside `path`'s folder.
pub fn parse_zone_text(path: &Path, text: &str, origin: &Name) -> ZoneRead {
    parse_zone_text_with(path, text, origin, &ReadPolicy::beside(path))
}

pub fn parse_zone_text_with(
    path: &Path,
    text: &str,
    origin: &Name,
    policy: &ReadPolicy,
) -> ZoneRead {
    match ZoneFormat::of(path) {
        ZoneFormat::Toml => toml_zone::parse_toml_zone(path, text, origin),
        ZoneFormat::Master => parse_master_text_with(path, text, origin, policy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::Zone;
    use crate::zonefile::write_master_file;

    fn write_zone(zone: &Zone, format: ZoneFormat, header: &[&str]) -> String {
        match format {
            ZoneFormat::Toml => toml_zone::write_toml_zone(zone, header),
            ZoneFormat::Master => write_master_file(zone, header),
        }
    }

    fn origin() -> Name {
        Name::from_ascii("example.test.").unwrap()
    }

    const MASTER: &str = r#"$ORIGIN example.test.
$TTL 3600
@        300 IN A     192.0.2.1
@        IN NS    ns1.example.test.
@        IN MX    10 mail
@        IN TXT   "v=spf1 mx -all"
@        IN CAA   0 issue "letsencrypt.org"
www      IN CNAME @
_dmarc   IN TXT   "v=DMARC1; p=reject; rua=mailto:dmarc@example.test"
_sip._tcp IN SRV  10 5 5060 sip
sub      IN NS    ns.sub
sub      IN DS    12345 13 2 8d5aa8f1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d
ns1      IN A     192.0.2.53
ns.sub   IN A     192.0.2.54
"#;

    const TOML: &str = r#"origin = "example.test."
ttl = 3600

[[rrset]]
name = "@"
type = "A"
ttl = 300
values = ["192.0.2.1"]

[[rrset]]
name = "@"
type = "NS"
values = ["ns1.example.test."]

[[rrset]]
name = "@"
type = "MX"
values = ["10 mail"]

[[rrset]]
name = "@"
type = "TXT"
values = ["v=spf1 mx -all"]

[[rrset]]
name = "@"
type = "CAA"
values = ['0 issue "letsencrypt.org"']

[[rrset]]
name = "www"
type = "CNAME"
values = ["@"]

[[rrset]]
name = "_dmarc"
type = "TXT"
values = ["v=DMARC1; p=reject; rua=mailto:dmarc@example.test"]

[[rrset]]
name = "_sip._tcp"
type = "SRV"
values = ["10 5 5060 sip"]

[[rrset]]
name = "sub"
type = "NS"
values = ["ns.sub"]

[[rrset]]
name = "sub"
type = "DS"
values = ["12345 13 2 8d5aa8f1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d"]

[[rrset]]
name = "ns1"
type = "A"
values = ["192.0.2.53"]

[[rrset]]
name = "ns.sub"
type = "A"
values = ["192.0.2.54"]
"#;

    fn read(path: &str, text: &str) -> Zone {
        let read = parse_zone_text(Path::new(path), text, &origin());
        assert!(!read.has_errors(), "{path}: {:?}", read.diagnostics);
        read.zone
    }

    #[test]
    fn a_master_file_and_its_toml_translation_are_the_same_zone() {
        assert_eq!(read("a.zone", MASTER), read("a.toml", TOML));
    }

    #[test]
    fn both_writers_round_trip() {
        let zone = read("a.zone", MASTER);
        for format in [ZoneFormat::Toml, ZoneFormat::Master] {
            let path = if format == ZoneFormat::Toml {
                "w.toml"
            } else {
                "w.zone"
            };
            let text = write_zone(&zone, format, &["written by a test"]);
            assert_eq!(read(path, &text), zone, "{text}");
        }
    }

    #[test]
    fn long_txt_is_split_and_written_back_as_plain_text() {
        let long = "k=".to_string() + &"A".repeat(400);
        let text = format!(
            "origin = \"example.test.\"\n[[rrset]]\nname = \"dkim\"\ntype = \"TXT\"\nvalues = [\"{long}\"]\n"
        );
        let zone = read("a.toml", &text);
        let rrset = zone.rrsets().next().unwrap();
        assert_eq!(
            rrset.values()[0],
            format!("\"k={}\" \"{}\"", "A".repeat(253), "A".repeat(147))
        );
        let written = write_zone(&zone, ZoneFormat::Toml, &[]);
        assert!(written.contains(&long), "{written}");
        assert_eq!(read("w.toml", &written), zone);
    }

    #[test]
    fn txt_with_chosen_strings_keeps_them() {
        let text = "origin = \"example.test.\"\n[[rrset]]\nname = \"t\"\ntype = \"TXT\"\nvalues = ['\"one\" \"two\"']\n";
        let zone = read("a.toml", text);
        assert_eq!(zone.rrsets().next().unwrap().values(), ["\"one\" \"two\""]);
        let written = write_zone(&zone, ZoneFormat::Toml, &[]);
        assert_eq!(read("w.toml", &written), zone, "{written}");
    }
}
