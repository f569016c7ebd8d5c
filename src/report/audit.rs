//! How audit findings look: a table sorted by severity, JSON, JUnit.

use comfy_table::{Cell, Color};
use serde_json::json;

use crate::audit::{Finding, Report, Severity};
use crate::report::junit::Cases;
use crate::report::plan::{colored, new_table};
use crate::report::style::Style;

pub fn table(report: &Report, style: Style) -> String {
    if report.findings.is_empty() {
        return format!("{}\n", style.green("audit: no findings"));
    }
    let mut t = new_table(vec!["severity", "kind", "zone", "provider", "what to do"]);
    for f in &report.findings {
        let color = match f.severity {
            Severity::Critical => Color::Red,
            Severity::Warning => Color::Yellow,
            Severity::Info => Color::Blue,
        };
        t.add_row(vec![
            colored(Cell::new(f.severity.as_str()), color, style),
            Cell::new(f.kind),
            Cell::new(&f.zone),
            Cell::new(&f.provider),
            Cell::new(&f.detail),
        ]);
    }
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{t}\n{} critical, {} warning, {} info\n",
        count(Severity::Critical),
        count(Severity::Warning),
        count(Severity::Info)
    )
}

pub fn json(report: &Report) -> String {
    let findings: Vec<_> = report
        .findings
        .iter()
        .map(|f| json!({"severity": f.severity.as_str(), "kind": f.kind, "zone": f.zone, "provider": f.provider, "detail": f.detail}))
        .collect();
    format!("{:#}\n", json!({"findings": findings}))
}

/// Which check a finding fails, for JUnit.
fn check_of(f: &Finding) -> &'static str {
    match f.kind {
        "auth_failed" | "account_suspended" | "zone_missing" | "provider_error" => "health",
        "drift_missing" | "drift_extra" | "drift_changed" | "ttl_clamped" => "drift",
        "nameserver_lame" | "serial_mismatch" => "nameservers",
        _ => "delegation",
    }
}

pub fn junit(report: &Report) -> String {
    let mut cases = Cases::new("  ");
    let mut seen: Vec<(String, String, &'static str)> = report.checked.clone();
    for f in &report.findings {
        let key = (f.zone.clone(), f.provider.clone(), check_of(f));
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    for (zone, provider, check) in &seen {
        let fails: Vec<(&str, String)> = report
            .findings
            .iter()
            .filter(|f| {
                &f.zone == zone
                    && &f.provider == provider
                    && check_of(f) == *check
                    && f.severity != Severity::Info
            })
            .map(|f| (f.kind, format!("{}: {}", f.severity.as_str(), f.detail)))
            .collect();
        let class = if provider.is_empty() {
            zone.clone()
        } else {
            format!("{zone}{provider}")
        };
        cases.case(&class, check, &fails);
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"nsync audit\" tests=\"{}\" failures=\"{}\">\n{}</testsuite>\n",
        cases.tests, cases.failures, cases.text
    )
}
