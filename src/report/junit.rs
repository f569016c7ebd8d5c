//! JUnit XML, which every CI system shows: verify and audit report each check as a test
//! case, so a broken nameserver appears where the team already looks for failed tests.

use std::fmt::Write;

/// Escapes text for an XML attribute value.
pub fn xml(s: &str) -> String {
    // XML 1.0 has no way to write most control characters, escaped or not: they are
    // shown as `\u{..}` first, so every report is well formed whatever an answer held.
    let s = if s
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        s.chars()
            .map(|c| {
                if c.is_control() && !matches!(c, '\n' | '\t') {
                    format!("\\u{{{:x}}}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        s.to_string()
    };
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The `<testcase>` elements of one suite, with the counts its `<testsuite>` carries.
pub struct Cases {
    pub text: String,
    pub tests: usize,
    pub failures: usize,
    indent: &'static str,
}

impl Cases {
    /// `indent` is the testcase's indentation; failures sit two spaces deeper.
    pub fn new(indent: &'static str) -> Cases {
        Cases {
            text: String::new(),
            tests: 0,
            failures: 0,
            indent,
        }
    }

    /// One case; it failed if `failures` (type, message) is not empty.
    pub fn case(&mut self, class: &str, name: &str, failures: &[(&str, String)]) {
        let indent = self.indent;
        self.tests += 1;
        let _ = write!(
            self.text,
            "{indent}<testcase classname=\"{}\" name=\"{}\"",
            xml(class),
            xml(name)
        );
        if failures.is_empty() {
            self.text.push_str("/>\n");
            return;
        }
        self.failures += 1;
        self.text.push_str(">\n");
        for (kind, message) in failures {
            let _ = writeln!(
                self.text,
                "{indent}  <failure type=\"{}\" message=\"{}\"/>",
                xml(kind),
                xml(message)
            );
        }
        let _ = writeln!(self.text, "{indent}</testcase>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_answers_keep_the_report_well_formed() {
        assert_eq!(
            xml("a\u{1b}[2J<b>&\u{0}"),
            "a\\u{1b}[2J&lt;b&gt;&amp;\\u{0}"
        );
        assert_eq!(xml("line\nnext\ttab"), "line\nnext\ttab");
    }

    #[test]
    fn a_failed_case_carries_its_failures_escaped_and_is_counted() {
        let mut cases = Cases::new("  ");
        cases.case("z.", "ok", &[]);
        cases.case("z.", "a<b", &[("mismatch", "said \"x\" & 'y'".into())]);
        assert_eq!((cases.tests, cases.failures), (2, 1));
        assert_eq!(
            cases.text,
            "  <testcase classname=\"z.\" name=\"ok\"/>\n  <testcase classname=\"z.\" name=\"a&lt;b\">\n    <failure type=\"mismatch\" message=\"said &quot;x&quot; &amp; &apos;y&apos;\"/>\n  </testcase>\n"
        );
    }
}
