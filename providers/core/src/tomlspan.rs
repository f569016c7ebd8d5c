//! Reads TOML as a tree that remembers where every key and value was written, so that
//! nsync.toml and TOML zone files report every problem at file:line:column, all at once,
//! with "did you mean" for misspelt keys. serde's derive stops at the first error.

use std::ops::Range;
use std::path::Path;

use crate::diag::{Diagnostic, LineIndex, Location};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A parsed TOML document with its line index.
pub struct Doc<'a> {
    index: LineIndex<'a>,
    pub root: Spanned<DeTable<'a>>,
}

impl<'a> Doc<'a> {
    /// Parses `text`; a syntax error becomes one diagnostic at its place.
    pub fn parse(path: &'a Path, text: &'a str) -> Result<Doc<'a>, Diagnostic> {
        let index = LineIndex::new(path, text);
        match DeTable::parse(text) {
            Ok(root) => Ok(Doc { index, root }),
            Err(e) => {
                let at = e.span().map_or(0, |s| s.start);
                let message = e.message().trim().to_string();
                Err(
                    Diagnostic::error(index.location(at), format!("TOML syntax: {message}"))
                        .with_hint("see https://toml.io for the syntax"),
                )
            }
        }
    }

    pub fn at(&self, span: Range<usize>) -> Location {
        self.index.location(span.start)
    }
}

/// A value with where it was written.
pub type Value<'i> = Spanned<DeValue<'i>>;

/// Looks up `key` in a table.
pub fn get<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<&'t Value<'i>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref() == key)
        .map(|(_, v)| v)
}

/// Collects typed reads from one table, and at the end reports keys nobody asked for.
pub struct TableReader<'d, 't, 'i> {
    doc: &'d Doc<'i>,
    table: &'t DeTable<'i>,
    /// How the table is named in messages, e.g. "[providers.bind]".
    pub what: String,
    known: Vec<&'static str>,
}

impl<'d, 't, 'i> TableReader<'d, 't, 'i> {
    pub fn new(doc: &'d Doc<'i>, table: &'t DeTable<'i>, what: impl Into<String>) -> Self {
        TableReader {
            doc,
            table,
            what: what.into(),
            known: Vec::new(),
        }
    }

    pub fn doc(&self) -> &'d Doc<'i> {
        self.doc
    }

    /// The value at `key`, marking the key as known.
    pub fn value(&mut self, key: &'static str) -> Option<&'t Value<'i>> {
        self.known.push(key);
        get(self.table, key)
    }

    pub fn loc(&self, v: &Value<'_>) -> Location {
        self.doc.at(v.span())
    }

    fn wrong_type(&self, key: &str, v: &Value<'_>, want: &str) -> Diagnostic {
        Diagnostic::error(
            self.loc(v),
            format!(
                "`{key}` in {} must be {want}, not {}",
                self.what,
                v.get_ref().type_str()
            ),
        )
    }

    pub fn string(
        &mut self,
        key: &'static str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(String, Location)> {
        let v = self.value(key)?;
        match v.get_ref().as_str() {
            Some(s) => Some((s.to_string(), self.loc(v))),
            None => {
                diags.push(self.wrong_type(key, v, "a string"));
                None
            }
        }
    }

    pub fn integer(
        &mut self,
        key: &'static str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(i64, Location)> {
        let v = self.value(key)?;
        let parsed = v
            .get_ref()
            .as_integer()
            .and_then(|i| i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok());
        match parsed {
            Some(n) => Some((n, self.loc(v))),
            None => {
                diags.push(self.wrong_type(key, v, "a whole number"));
                None
            }
        }
    }

    pub fn boolean(
        &mut self,
        key: &'static str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(bool, Location)> {
        let v = self.value(key)?;
        match v.get_ref().as_bool() {
            Some(b) => Some((b, self.loc(v))),
            None => {
                diags.push(self.wrong_type(key, v, "true or false"));
                None
            }
        }
    }

    /// An array of strings; each item keeps its own location.
    pub fn strings(
        &mut self,
        key: &'static str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Vec<(String, Location)>> {
        let v = self.value(key)?;
        let Some(items) = v.get_ref().as_array() else {
            diags.push(self.wrong_type(key, v, "an array of strings"));
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push((s.to_string(), self.loc(item))),
                None => diags.push(self.wrong_type(key, item, "a string")),
            }
        }
        Some(out)
    }

    pub fn table(
        &mut self,
        key: &'static str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(&'t DeTable<'i>, Location)> {
        let v = self.value(key)?;
        match v.get_ref().as_table() {
            Some(t) => Some((t, self.loc(v))),
            None => {
                diags.push(self.wrong_type(key, v, "a table"));
                None
            }
        }
    }

    /// A required key that is missing: reported at the table itself.
    pub fn missing(&self, key: &str, at: &Location, example: &str) -> Diagnostic {
        Diagnostic::error(at.clone(), format!("{} is missing `{key}`", self.what))
            .with_hint(format!("add `{key} = {example}`"))
    }

    /// Reports every key of the table that no read asked for, with a suggestion.
    pub fn finish(self, diags: &mut Vec<Diagnostic>) {
        for (key, _) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.known.contains(&name) {
                continue;
            }
            let mut d = Diagnostic::error(
                self.doc.at(key.span()),
                format!("unknown key `{name}` in {}", self.what),
            );
            d = match did_you_mean(name, &self.known) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => d.with_hint(format!("known keys: {}", self.known.join(", "))),
            };
            diags.push(d);
        }
    }
}

/// The closest known word, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_only_when_close() {
        assert_eq!(
            did_you_mean("provders", &["providers", "zones"]),
            Some("providers")
        );
        assert_eq!(did_you_mean("xyz", &["providers", "zones"]), None);
    }

    #[test]
    fn unknown_keys_and_wrong_types_have_locations() {
        let path = Path::new("n.toml");
        let text = "a = 1\nbee = \"x\"\nc = [1]\n";
        let doc = Doc::parse(path, text).unwrap();
        let mut diags = Vec::new();
        let mut t = TableReader::new(&doc, doc.root.get_ref(), "the top level");
        assert_eq!(t.integer("a", &mut diags).unwrap().0, 1);
        assert!(t.strings("c", &mut diags).unwrap().is_empty());
        t.value("be");
        t.finish(&mut diags);
        let got: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            got[0],
            "n.toml:3:6: error: `c` in the top level must be a string, not integer"
        );
        assert!(
            got[1].starts_with(
                "n.toml:2:1: error: unknown key `bee` in the top level\n  hint: did you mean `be`?"
            ),
            "{got:?}"
        );
    }

    #[test]
    fn syntax_errors_have_a_location() {
        let d = Doc::parse(Path::new("n.toml"), "a = 1\nb = = 2\n")
            .err()
            .unwrap();
        assert_eq!(d.location.line, 2, "{d}");
    }
}
