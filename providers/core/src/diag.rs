//! Diagnostics with a file, line and column, so every input error points at its cause.
//!
//! Readers collect all the problems of a file before giving up, because a user fixing a
//! zone file wants the whole list at once, not one error per run.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in an input file; lines and columns count from 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub path: PathBuf,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(path: impl Into<PathBuf>, line: u32, column: u32) -> Self {
        Location {
            path: path.into(),
            line,
            column,
        }
    }

    /// The start of a file, for problems that belong to the whole file (it cannot be read).
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location::new(path, 1, 1)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// How serious a diagnostic is: errors make `nsync check` fail, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in an input file, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Location,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(location, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Messages quote input; whatever slipped through unescaped must still not reach a
        // terminal or a CI log as a control sequence.
        let path = sanitize(&self.location.path.display().to_string());
        let (line, column) = (self.location.line, self.location.column);
        write!(
            f,
            "{path}:{line}:{column}: {level}: {}",
            sanitize(&self.message)
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {}", sanitize(hint))?;
        }
        Ok(())
    }
}

/// The most characters of input a message quotes: enough to recognise the mistake, too
/// few to carry a file's contents (a secret, a password hash) into a log.
pub const EXCERPT_CHARS: usize = 80;

/// A piece of input fit to quote in a message: control characters escaped (see
/// [`sanitize`]), and cut after [`EXCERPT_CHARS`] characters, saying how much was left out.
pub fn excerpt(text: &str) -> String {
    let count = text.chars().count();
    if count <= EXCERPT_CHARS {
        return sanitize(text);
    }
    let head: String = text.chars().take(EXCERPT_CHARS).collect();
    format!(
        "{}... ({} more characters)",
        sanitize(&head),
        count - EXCERPT_CHARS
    )
}

/// Text with every control character (C0, DEL, C1, and the Unicode controls a terminal
/// honours, such as bidirectional overrides) written as `\DDD` or `\u{...}`, so that
/// nothing nsync prints can move a cursor, clear a screen or hide text.
pub fn sanitize(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            out.push_str(&format!("\\{:03}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Maps byte offsets of a source text to 1-based line and column numbers.
///
/// Columns count characters, not bytes, so a caret under a non-ASCII name lines up.
pub struct LineIndex<'a> {
    path: &'a Path,
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            path,
            text,
            line_starts,
        }
    }

    pub fn location(&self, offset: usize) -> Location {
        let (line, column) = self.line_col(offset);
        Location::new(self.path, line, column)
    }

    /// The 1-based line and column of `offset`, without building a `Location`.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        (line as u32 + 1, column as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_columns() {
        let text = "ab\ncdé\nf";
        let index = LineIndex::new(Path::new("z"), text);
        assert_eq!(index.location(0), Location::new("z", 1, 1));
        assert_eq!(index.location(3), Location::new("z", 2, 1));
        assert_eq!(
            index.location(text.find('f').unwrap()),
            Location::new("z", 3, 1)
        );
        let after_e = text.find('é').unwrap() + 'é'.len_utf8();
        assert_eq!(index.location(after_e), Location::new("z", 2, 4));
    }

    #[test]
    fn excerpts_are_short_and_escaped() {
        assert_eq!(excerpt("plain"), "plain");
        assert_eq!(excerpt("\u{1b}[2J"), "\\027[2J");
        let long = "x".repeat(1000);
        let e = excerpt(&long);
        assert!(
            e.starts_with(&"x".repeat(80)) && e.ends_with("(920 more characters)"),
            "{e}"
        );
        let d = Diagnostic::error(Location::new("z", 1, 1), "bad \u{7}\u{202e}name");
        assert_eq!(d.to_string(), "z:1:1: error: bad \\007\\u{202e}name");
    }

    #[test]
    fn display_names_file_line_column_and_hint() {
        let d = Diagnostic::error(Location::new("zones/a.zone", 4, 9), "bad A record")
            .with_hint("write an IPv4 address");
        assert_eq!(
            d.to_string(),
            "zones/a.zone:4:9: error: bad A record\n  hint: write an IPv4 address"
        );
    }
}
