//! The TOML zone file format of PRODUCT.md: `origin`, a default `ttl`, and `[[rrset]]`
//! entries of `name`, `type`, optional `ttl` and `values` in presentation format.
//!
//! TXT values are the exception people expect from other DNS-as-code tools: a value is
//! plain text, split into 255-octet strings by nsync; a value starting with `"` is taken
//! as presentation format instead (`"\"one\" \"two\""`), for exact control of the strings.

use crate::name::NameText;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::builder::{ZoneBuilder, ZoneRead};
use crate::diag::{Diagnostic, Location};
use crate::name::{NAME_HINT, parse_name, relative_to};
use crate::rdata::{
    Rdata, format_wire, hint, parse_rdata_text, parse_type, supported_list, txt_from_long_text,
    txt_strings,
};
use crate::zone::{TTL_HINT, Zone, check_ttl};
use crate::{Name, RecordType};
use toml::de::DeValue;

use crate::tomlspan::{Doc, TableReader, did_you_mean};

/// The TTL of rrsets that give none, when the file gives no `ttl` either.
pub const DEFAULT_TTL: u32 = 3600;

pub fn parse_toml_zone(path: &Path, text: &str, origin: &Name) -> ZoneRead {
    let mut builder = ZoneBuilder::new(origin.clone());
    builder.note_file(path);
    let doc = match Doc::parse(path, text) {
        Ok(doc) => doc,
        Err(d) => {
            builder.report(d);
            return builder.finish();
        }
    };
    let mut diags = Vec::new();
    let mut top = TableReader::new(&doc, doc.root.get_ref(), "the zone file");
    if let Some((o, at)) = top.string("origin", &mut diags) {
        match parse_name(o.trim_end_matches('.'), &Name::root()) {
            Ok(n) if n == *origin => {}
            Ok(n) => diags.push(
                Diagnostic::error(at, format!("origin `{}` does not match zone {} in nsync.toml", n.to_text(), origin.to_text()))
                    .with_hint("make the zone file's origin and the [zones.\"...\"] name in nsync.toml the same"),
            ),
            Err(e) => diags.push(Diagnostic::error(at, e).with_hint(NAME_HINT)),
        }
    }
    let default_ttl = match top.integer("ttl", &mut diags) {
        Some((n, at)) => check_ttl(n).unwrap_or_else(|e| {
            diags.push(Diagnostic::error(at, e).with_hint(TTL_HINT));
            DEFAULT_TTL
        }),
        None => DEFAULT_TTL,
    };
    if let Some(value) = top.value("rrset") {
        match value.get_ref().as_array() {
            Some(items) => {
                for item in items.iter() {
                    match item.get_ref().as_table() {
                        Some(table) => {
                            let t = TableReader::new(&doc, table, "[[rrset]]");
                            read_rrset(
                                t,
                                doc.at(item.span()),
                                origin,
                                default_ttl,
                                &mut builder,
                                &mut diags,
                            );
                        }
                        None => diags.push(
                            Diagnostic::error(doc.at(item.span()), "each rrset must be a table")
                                .with_hint("write [[rrset]] sections"),
                        ),
                    }
                }
            }
            None => diags.push(
                Diagnostic::error(doc.at(value.span()), "`rrset` must be an array of tables")
                    .with_hint("write each as a [[rrset]] section"),
            ),
        }
    }
    top.finish(&mut diags);
    for d in diags {
        builder.report(d);
    }
    builder.finish()
}

fn read_rrset(
    mut t: TableReader<'_, '_, '_>,
    at: Location,
    origin: &Name,
    default_ttl: u32,
    builder: &mut ZoneBuilder,
    diags: &mut Vec<Diagnostic>,
) {
    let name = t.string("name", diags);
    let rtype = t.string("type", diags);
    let ttl = t.integer("ttl", diags);
    let values = t.value("values");
    let values = values.and_then(|v| match v.get_ref() {
        DeValue::Array(items) => Some(items.iter().collect::<Vec<_>>()),
        other => {
            diags.push(
                Diagnostic::error(
                    t.loc(v),
                    format!(
                        "`values` must be an array of strings, not {}",
                        other.type_str()
                    ),
                )
                .with_hint("write `values = [\"...\"]`, a list even for one value"),
            );
            None
        }
    });
    let mut missing = false;
    for (key, present, example) in [
        ("name", name.is_some(), "\"www\""),
        ("type", rtype.is_some(), "\"A\""),
        ("values", values.is_some(), "[\"192.0.2.1\"]"),
    ] {
        if !present && t.value(key).is_none() {
            diags.push(t.missing(key, &at, example));
            missing = true;
        }
    }
    let doc = t.doc();
    t.finish(diags);
    let (Some((name, name_at)), Some((rtype_text, type_at)), Some(values)) = (name, rtype, values)
    else {
        return;
    };
    if missing {
        return;
    }
    let owner = match parse_name(&name, origin) {
        Ok(n) => n,
        Err(e) => {
            diags.push(Diagnostic::error(name_at, e).with_hint(NAME_HINT));
            return;
        }
    };
    let Some(rtype) = parse_type(&rtype_text) else {
        let types: Vec<String> = crate::rdata::SUPPORTED_TYPES
            .iter()
            .map(|t| t.to_string())
            .collect();
        let refs: Vec<&str> = types.iter().map(String::as_str).collect();
        let hint = match did_you_mean(&rtype_text.to_ascii_uppercase(), &refs) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("supported types: {}", supported_list()),
        };
        diags.push(
            Diagnostic::error(type_at, format!("unknown record type `{rtype_text}`"))
                .with_hint(hint),
        );
        return;
    };
    if rtype == RecordType::SOA {
        if owner != *origin {
            diags.push(Diagnostic::error(
                type_at,
                format!("SOA at {} is not the zone apex", owner.to_text()),
            ));
        }
        // Each provider owns its apex SOA (PRODUCT.md): accepted and ignored.
        return;
    }
    let ttl = match ttl {
        Some((n, ttl_at)) => match check_ttl(n) {
            Ok(ttl) => ttl,
            Err(e) => {
                diags.push(Diagnostic::error(ttl_at, e).with_hint(TTL_HINT));
                return;
            }
        },
        None => default_ttl,
    };
    if values.is_empty() {
        diags.push(
            Diagnostic::error(at, format!("{} {rtype} has no values", owner.to_text())).with_hint(
                "give at least one value, or remove the [[rrset]] to have nsync delete it",
            ),
        );
        return;
    }
    let mut rdata = Vec::new();
    for v in values {
        let v_at = doc.at(v.span());
        let Some(text) = v.get_ref().as_str() else {
            diags.push(
                Diagnostic::error(
                    v_at,
                    format!("a value must be a string, not {}", v.get_ref().type_str()),
                )
                .with_hint("quote it: values = [\"10 mail\"]"),
            );
            continue;
        };
        let parsed = if rtype == RecordType::TXT && !text.starts_with('"') {
            Ok(txt_from_long_text(text))
        } else {
            parse_rdata_text(rtype, text, origin)
        };
        match parsed {
            Ok(r) => rdata.push((r, v_at)),
            Err(e) => diags.push(Diagnostic::error(v_at, e).with_hint(hint(rtype))),
        }
    }
    if !rdata.is_empty() {
        builder.add_rrset(owner, rtype, ttl, rdata, at);
    }
}

/// Writes the zone in the TOML format, in canonical order; reading it back gives the same zone.
pub fn write_toml_zone(zone: &Zone, header: &[&str]) -> String {
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for r in zone.rrsets() {
        *counts.entry(r.ttl).or_default() += 1;
    }
    let default_ttl = counts
        .iter()
        .max_by_key(|(ttl, n)| (**n, std::cmp::Reverse(**ttl)))
        .map_or(DEFAULT_TTL, |(t, _)| *t);
    let mut out = String::new();
    for line in header {
        let _ = writeln!(out, "# {line}");
    }
    let _ = writeln!(out, "origin = {}", toml_str(&zone.origin.to_text()));
    let _ = writeln!(out, "ttl = {default_ttl}");
    for rrset in zone.rrsets() {
        let _ = writeln!(out, "\n[[rrset]]");
        let _ = writeln!(
            out,
            "name = {}",
            toml_str(&relative_to(&rrset.name, &zone.origin))
        );
        let _ = writeln!(out, "type = {}", toml_str(&rrset.rtype.to_string()));
        if rrset.ttl != default_ttl {
            let _ = writeln!(out, "ttl = {}", rrset.ttl);
        }
        let values: Vec<String> = rrset
            .rdata()
            .iter()
            .map(|r| toml_str(&value_text(rrset.rtype, r)))
            .collect();
        let one_line = format!("values = [{}]", values.join(", "));
        if one_line.len() <= 100 {
            let _ = writeln!(out, "{one_line}");
        } else {
            let _ = writeln!(out, "values = [");
            for v in values {
                let _ = writeln!(out, "  {v},");
            }
            let _ = writeln!(out, "]");
        }
    }
    out
}

/// TXT as plain text when reading it back as plain text gives the same strings;
/// everything else (and TXT with chosen string boundaries) in presentation format.
fn value_text(rtype: RecordType, rdata: &Rdata) -> String {
    if rtype == RecordType::TXT {
        let joined: Vec<u8> = txt_strings(rdata.wire()).concat();
        if let Ok(text) = String::from_utf8(joined)
            && !text.starts_with('"')
            && !text.chars().any(char::is_control)
            && txt_from_long_text(&text) == *rdata
        {
            return text;
        }
    }
    format_wire(rtype, rdata.wire())
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
