//! Splits RFC 1035 presentation text into entries (one record or directive each) of tokens.
//!
//! hickory's own zone lexer drops line numbers, so this one keeps the byte offset of every
//! token; the reader turns offsets into file:line:column for its diagnostics.
//! RFC 1035 §5.1: parentheses continue an entry across lines, `;` starts a comment,
//! a line starting with blank space reuses the previous owner, `\X` and `\DDD` escape.
//!
//! Entries come one at a time ([`Lexer`]) and tokens borrow the text, so reading a zone
//! of a million records never holds more than one entry's tokens.

use std::borrow::Cow;

/// One token: its text as written, and the octets it stands for once escapes are resolved
/// (borrowed from the text when there were none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub raw: &'a str,
    pub bytes: Cow<'a, [u8]>,
    pub quoted: bool,
    pub offset: usize,
}

impl Token<'_> {
    /// The unescaped text, for tokens that must be text (numbers, type names, directives).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }
}

/// One logical entry: the tokens of a record or directive, which may span lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub tokens: Vec<Token<'a>>,
    /// The entry's first line started with blank space: the owner is the previous one.
    pub blank_owner: bool,
    /// Line and column (1-based) of the first token, counted as the text is read.
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub offset: usize,
    pub message: String,
    pub hint: Option<String>,
}

/// Every entry of `text` at once; for short texts (a TOML value, a provider's answer).
pub fn lex(text: &str) -> Result<Vec<Entry<'_>>, LexError> {
    Lexer::new(text).collect()
}

/// The entries of a text, one at a time.
pub struct Lexer<'a> {
    text: &'a str,
    at: usize,
    /// The line `at` is on, and where that line starts.
    line: u32,
    line_start: usize,
    failed: bool,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Self {
        Lexer::starting_at(text, 0, 1)
    }

    /// The entries from `offset` on, which is the start of line `line` (counted from 1).
    pub fn starting_at(text: &'a str, offset: usize, line: u32) -> Self {
        Lexer {
            text,
            at: offset,
            line,
            line_start: offset,
            failed: false,
        }
    }

    fn entry(&mut self) -> Result<Option<Entry<'a>>, LexError> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut current = Entry {
            tokens: Vec::new(),
            blank_owner: false,
            line: 0,
            column: 0,
        };
        let mut depth = 0usize;
        let mut paren_open_at = 0usize;
        let mut line_start = self.at == 0 || bytes[self.at - 1] == b'\n';
        let mut i = self.at;
        while i < bytes.len() {
            let b = bytes[i];
            if line_start && depth == 0 {
                current.blank_owner = b == b' ' || b == b'\t';
            }
            line_start = false;
            match b {
                b'\n' => {
                    line_start = true;
                    i += 1;
                    self.line += 1;
                    self.line_start = i;
                    if depth == 0 && !current.tokens.is_empty() {
                        self.at = i;
                        return Ok(Some(current));
                    }
                }
                b' ' | b'\t' | b'\r' => i += 1,
                b';' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'(' => {
                    if depth == 0 {
                        paren_open_at = i;
                    }
                    depth += 1;
                    i += 1;
                }
                b')' => {
                    if depth == 0 {
                        return Err(LexError {
                            offset: i,
                            message: "`)` without a matching `(`".into(),
                            hint: Some("remove it, or open the group with `(` earlier".into()),
                        });
                    }
                    depth -= 1;
                    i += 1;
                }
                _ => {
                    if current.tokens.is_empty() {
                        // Only blank space comes before an entry's first token on its
                        // line, so octets and characters count the same here.
                        current.line = self.line;
                        current.column = (i - self.line_start) as u32 + 1;
                    }
                    let (token, next) = if b == b'"' {
                        quoted(text, i)?
                    } else {
                        unquoted(text, i)?
                    };
                    // A string may hold escaped newlines: the lines go on counting.
                    if let Some(last) = text[i..next].rfind('\n') {
                        self.line += text[i..next].matches('\n').count() as u32;
                        self.line_start = i + last + 1;
                    }
                    current.tokens.push(token);
                    i = next;
                }
            }
        }
        self.at = i;
        if depth > 0 {
            return Err(LexError {
                offset: paren_open_at,
                message: "`(` is never closed".into(),
                hint: Some("add the matching `)` at the end of the record".into()),
            });
        }
        Ok((!current.tokens.is_empty()).then_some(current))
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Result<Entry<'a>, LexError>;

    /// The next entry; after an error, nothing more (the rest cannot be trusted).
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.entry() {
            Ok(entry) => entry.map(Ok),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

fn quoted(text: &str, start: usize) -> Result<(Token<'_>, usize), LexError> {
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut i = start + 1;
    loop {
        match bytes.get(i) {
            None | Some(b'\n') => {
                return Err(LexError {
                    offset: start,
                    message: "quoted string is never closed".into(),
                    hint: Some(
                        "end it with `\"` on the same line; write `\\\"` for a quote inside".into(),
                    ),
                });
            }
            Some(b'"') => break,
            // A newline escaped inside a string is a newline octet of it, as BIND reads it.
            Some(b'\\') if matches!(bytes.get(i + 1), Some(b'\n')) => {
                let buf = out.get_or_insert_with(|| bytes[start + 1..i].to_vec());
                buf.push(b'\n');
                i += 2;
            }
            Some(b'\\') => {
                let buf = out.get_or_insert_with(|| bytes[start + 1..i].to_vec());
                i = escape(text, i, buf)?;
            }
            Some(&b) => {
                if let Some(buf) = out.as_mut() {
                    buf.push(b);
                }
                i += 1;
            }
        }
    }
    let bytes = match out {
        Some(v) => Cow::Owned(v),
        None => Cow::Borrowed(&bytes[start + 1..i]),
    };
    let token = Token {
        raw: &text[start..=i],
        bytes,
        quoted: true,
        offset: start,
    };
    Ok((token, i + 1))
}

fn unquoted(text: &str, start: usize) -> Result<(Token<'_>, usize), LexError> {
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"' => break,
            b'\\' => {
                let buf = out.get_or_insert_with(|| bytes[start..i].to_vec());
                i = escape(text, i, buf)?;
            }
            _ => {
                if let Some(buf) = out.as_mut() {
                    buf.push(b);
                }
                i += 1;
            }
        }
    }
    let resolved = match out {
        Some(v) => Cow::Owned(v),
        None => Cow::Borrowed(&bytes[start..i]),
    };
    let token = Token {
        raw: &text[start..i],
        bytes: resolved,
        quoted: false,
        offset: start,
    };
    Ok((token, i))
}

/// Resolves the escape at `at` (a backslash) into `out`; returns the offset after it.
fn escape(text: &str, at: usize, out: &mut Vec<u8>) -> Result<usize, LexError> {
    crate::name::unescape(text, at, out).map_err(|message| LexError {
        offset: at,
        message,
        hint: Some("`\\X` is the character X, `\\DDD` the octet DDD in decimal (000 to 255); write `\\\\` for a backslash".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raws<'a>(e: &Entry<'a>) -> Vec<&'a str> {
        e.tokens.iter().map(|t| t.raw).collect()
    }

    #[test]
    fn entries_tokens_comments_and_blank_owner() {
        let entries = lex("www 300 IN A 192.0.2.1 ; web\n  TXT \"a b\" \"c\\\"d\"\n").unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(raws(&entries[0]), ["www", "300", "IN", "A", "192.0.2.1"]);
        assert!(!entries[0].blank_owner);
        assert!(entries[1].blank_owner);
        assert_eq!(&entries[1].tokens[1].bytes[..], b"a b");
        assert_eq!(&entries[1].tokens[2].bytes[..], b"c\"d");
        assert!(entries[1].tokens[2].quoted);
    }

    #[test]
    fn parentheses_join_lines() {
        let text = "@ SOA ns1 host (\n 1 ; serial\n 2 3 4 5 )\nnext A 1.2.3.4\n";
        let entries = lex(text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].tokens.len(), 9);
        assert_eq!(entries[1].tokens[0].offset, text.find("next").unwrap());
    }

    #[test]
    fn escapes() {
        let entries = lex("a\\.b \\065\\032x\n").unwrap();
        assert_eq!(&entries[0].tokens[0].bytes[..], b"a.b");
        assert_eq!(&entries[0].tokens[1].bytes[..], b"A x");
        assert!(lex("\\999\n").is_err());
    }

    #[test]
    fn unbalanced_and_unclosed() {
        let e = lex("a A (\n1.2.3.4\n").unwrap_err();
        assert_eq!(e.offset, 4);
        assert!(lex("a A )\n").is_err());
        let e = lex("a TXT \"open\nb A 1.2.3.4\n").unwrap_err();
        assert!(e.message.contains("never closed"));
    }
}
