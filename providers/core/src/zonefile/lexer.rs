//! Splits RFC 1035 presentation text into entries (one record or directive each) of tokens.
//!
//! hickory's own zone lexer drops line numbers, so this one keeps the byte offset of every
//! token; the reader turns offsets into file:line:column for its diagnostics.
//! RFC 1035 §5.1: parentheses continue an entry across lines, `;` starts a comment,
//! a line starting with blank space reuses the previous owner, `\X` and `\DDD` escape.

/// One token: its text as written, and the bytes it stands for once escapes are resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub raw: String,
    pub bytes: Vec<u8>,
    pub quoted: bool,
    pub offset: usize,
}

impl Token {
    /// The unescaped text, for tokens that must be text (numbers, type names, directives).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// One logical entry: the tokens of a record or directive, which may span lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub tokens: Vec<Token>,
    /// The entry's first line started with blank space: the owner is the previous one.
    pub blank_owner: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub offset: usize,
    pub message: String,
    pub hint: Option<String>,
}

pub fn lex(text: &str) -> Result<Vec<Entry>, LexError> {
    let bytes = text.as_bytes();
    let mut entries = Vec::new();
    let mut current = Entry {
        tokens: Vec::new(),
        blank_owner: false,
    };
    let mut depth = 0usize;
    let mut paren_open_at = 0usize;
    let mut line_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if line_start && depth == 0 {
            current.blank_owner = b == b' ' || b == b'\t';
        }
        line_start = false;
        match b {
            b'\n' => {
                if depth == 0 && !current.tokens.is_empty() {
                    entries.push(std::mem::replace(
                        &mut current,
                        Entry {
                            tokens: Vec::new(),
                            blank_owner: false,
                        },
                    ));
                }
                line_start = true;
                i += 1;
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
            b'"' => {
                let (token, next) = quoted(text, i)?;
                current.tokens.push(token);
                i = next;
            }
            _ => {
                let (token, next) = unquoted(text, i)?;
                current.tokens.push(token);
                i = next;
            }
        }
    }
    if depth > 0 {
        return Err(LexError {
            offset: paren_open_at,
            message: "`(` is never closed".into(),
            hint: Some("add the matching `)` at the end of the record".into()),
        });
    }
    if !current.tokens.is_empty() {
        entries.push(current);
    }
    Ok(entries)
}

fn quoted(text: &str, start: usize) -> Result<(Token, usize), LexError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
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
            Some(b'\\') => i = escape(text, i, &mut out)?,
            Some(&b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    let token = Token {
        raw: text[start..=i].to_string(),
        bytes: out,
        quoted: true,
        offset: start,
    };
    Ok((token, i + 1))
}

fn unquoted(text: &str, start: usize) -> Result<(Token, usize), LexError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"' => break,
            b'\\' => i = escape(text, i, &mut out)?,
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    let token = Token {
        raw: text[start..i].to_string(),
        bytes: out,
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

    fn raws(e: &Entry) -> Vec<&str> {
        e.tokens.iter().map(|t| t.raw.as_str()).collect()
    }

    #[test]
    fn entries_tokens_comments_and_blank_owner() {
        let entries = lex("www 300 IN A 192.0.2.1 ; web\n  TXT \"a b\" \"c\\\"d\"\n").unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(raws(&entries[0]), ["www", "300", "IN", "A", "192.0.2.1"]);
        assert!(!entries[0].blank_owner);
        assert!(entries[1].blank_owner);
        assert_eq!(entries[1].tokens[1].bytes, b"a b");
        assert_eq!(entries[1].tokens[2].bytes, b"c\"d");
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
        assert_eq!(entries[0].tokens[0].bytes, b"a.b");
        assert_eq!(entries[0].tokens[1].bytes, b"A x");
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
