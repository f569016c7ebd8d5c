//! Text that comes from outside (an API's error body, a server's answer, a name in a
//! config file) shown to a person or written into a report: one rendering, so no input
//! can move the cursor, clear the screen, retitle the terminal, hide text behind
//! bidirectional overrides, break a JUnit file, or fill a log with a 200 KB body.

/// `text` with every control character and bidirectional formatting character written
/// as `\u{..}` (so it shows, and round-trips to nothing harmful), cut after `max` chars
/// with a note of how much was left out.
pub fn printable(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max + 32));
    for (shown, c) in text.chars().enumerate() {
        if shown == max {
            let left = text.chars().count() - shown;
            out.push_str(&format!("… ({left} more characters)"));
            break;
        }
        if c.is_control() || is_bidi_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The longest text from outside that a message quotes.
pub const MAX_QUOTED: usize = 2000;

/// Characters that reorder text on a terminal or in an editor (Trojan Source,
/// CVE-2021-42574): embeddings, overrides, isolates and the marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_overrides_show_and_long_text_is_cut() {
        assert_eq!(printable("plain text", 100), "plain text");
        assert_eq!(
            printable("\x1b]0;pwned\x07\x1b[2J\0tail", 100),
            "\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{0}tail"
        );
        assert_eq!(printable("a\u{202e}b", 100), "a\\u{202e}b");
        assert_eq!(printable("line\nnext", 100), "line\\u{a}next");
        let long = "x".repeat(200_000);
        let cut = printable(&long, 10);
        assert_eq!(cut, "xxxxxxxxxx… (199990 more characters)");
        assert_eq!(printable("日本語", 100), "日本語");
    }
}
