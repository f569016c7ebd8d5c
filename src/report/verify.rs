//! How verify results look: a table per zone and the findings under it, PRODUCT.md's
//! JSON, and JUnit XML with one test case per (address, rrset) so CI systems show each
//! failure natively.

use nsync_core::name::NameText;
use std::fmt::Write as _;

use comfy_table::{Cell, Color};
use serde_json::{Value, json};

use crate::report::junit::{Cases, xml};
use crate::report::plan::{colored, new_table};
use crate::report::style::Style;
use crate::verify::{Finding, Report};

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("-")
}

pub fn finding_line(f: &Finding) -> String {
    let mut line = format!(
        "{} at {} {} {}",
        f.kind.as_str(),
        f.provider,
        f.nameserver,
        opt(&f.address)
    );
    if let Some(name) = &f.name {
        let _ = write!(line, ": {name} {}", opt(&f.rtype));
    }
    match (&f.expected, &f.actual) {
        (Some(e), Some(a)) => {
            let _ = write!(line, ": expected {e}, got {a}");
        }
        (None, Some(a)) => {
            let _ = write!(line, ": {a}");
        }
        (Some(e), None) => {
            let _ = write!(line, ": expected {e}");
        }
        (None, None) => {}
    }
    line
}

pub fn table(report: &Report, style: Style) -> String {
    let mut out = String::new();
    for zone in &report.zones {
        let mut header = vec![
            "provider",
            "nameserver",
            "address",
            "serial",
            "rrsets checked",
            "mismatches",
            "errors",
            "median latency",
        ];
        if report.waited {
            header.push("propagated in");
        }
        let mut t = new_table(header);
        for a in &zone.addresses {
            let (m, e) = (a.mismatches(), a.errors());
            let mut row = vec![
                Cell::new(&a.provider),
                Cell::new(&a.nameserver),
                Cell::new(&a.address),
                Cell::new(a.result.serial.map_or("-".into(), |s| s.to_string())),
                Cell::new(a.result.checked),
                if m > 0 {
                    colored(Cell::new(m), Color::Red, style)
                } else {
                    Cell::new(m)
                },
                if e > 0 {
                    colored(Cell::new(e), Color::Red, style)
                } else {
                    Cell::new(e)
                },
                Cell::new(a.median_latency().map_or("-".into(), |d| {
                    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
                })),
            ];
            if report.waited {
                row.push(match a.agreed_after {
                    Some(d) => Cell::new(format!("{:.1} s", d.as_secs_f64())),
                    None => colored(Cell::new("never (in the time waited)"), Color::Red, style),
                });
            }
            t.add_row(row);
        }
        let findings = zone.all_findings();
        let verdict = if findings.is_empty() {
            style.green("consistent")
        } else {
            style.red(&format!("{} finding(s)", findings.len()))
        };
        let _ = writeln!(out, "{}: {verdict}\n{t}", zone.zone.to_text());
        for f in findings {
            let _ = writeln!(out, "  {}", style.red(&finding_line(f)));
        }
    }
    out
}

fn finding_json(f: &Finding) -> Value {
    json!({
        "kind": f.kind.as_str(),
        "zone": f.zone,
        "provider": f.provider,
        "nameserver": f.nameserver,
        "address": f.address,
        "name": f.name,
        "type": f.rtype,
        "expected": f.expected,
        "actual": f.actual,
    })
}

pub fn json(report: &Report) -> String {
    let zones: Vec<Value> = report
        .zones
        .iter()
        .map(|z| {
            let nameservers: Vec<Value> = z
                .addresses
                .iter()
                .map(|a| {
                    let mut row = json!({
                        "provider": a.provider,
                        "name": a.nameserver,
                        "address": a.address,
                        "serial": a.result.serial,
                        "checked": a.result.checked,
                        "mismatches": a.mismatches(),
                        "errors": a.errors(),
                        "reachable": a.result.reachable,
                        "median_latency_ms": a.median_latency().map(|d| d.as_secs_f64() * 1000.0),
                        "queries_per_second": (a.result.query_time.as_secs_f64() > 0.0).then(|| (a.result.checked as f64 / a.result.query_time.as_secs_f64()).round()),
                        "discarded_packets": a.result.discarded,
                    });
                    if report.waited {
                        // null: the address never served the zone file's data in the time waited.
                        row["propagation_seconds"] =
                            json!(a.agreed_after.map(|d| (d.as_secs_f64() * 1000.0).round() / 1000.0));
                        row["propagated"] = json!(a.agreed_after.is_some());
                    }
                    row
                })
                .collect();
            json!({
                "zone": z.zone.to_text(),
                "nameservers": nameservers,
                "findings": z.all_findings().into_iter().map(finding_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    format!(
        "{:#}\n",
        json!({"consistent": report.consistent(), "took_ms": report.took.as_secs_f64() * 1000.0, "zones": zones})
    )
}

/// JUnit XML: a suite per zone, a case per (address, checked question), and a case for
/// each finding that belongs to no single question (serials, extras, unresolvable names).
pub fn junit(report: &Report) -> String {
    let mut suites = String::new();
    let (mut total, mut failed) = (0, 0);
    for z in &report.zones {
        let mut cases = Cases::new("    ");
        let failure = |f: &Finding| (f.kind.as_str(), finding_line(f));
        for a in &z.addresses {
            let class = format!(
                "{}.{}.{}",
                a.provider,
                a.nameserver.trim_end_matches('.'),
                a.address
            );
            for c in &a.result.cases {
                let fails: Vec<_> = c
                    .failures
                    .iter()
                    .map(|i| failure(&a.result.findings[*i]))
                    .collect();
                cases.case(&class, &format!("{} {}", c.name, c.rtype), &fails);
            }
        }
        for f in &z.findings {
            let class = format!(
                "{}.{}.{}",
                f.provider,
                f.nameserver.trim_end_matches('.'),
                opt(&f.address)
            );
            cases.case(
                &class,
                &format!("{} {} {}", f.kind.as_str(), opt(&f.name), opt(&f.rtype)),
                &[failure(f)],
            );
        }
        total += cases.tests;
        failed += cases.failures;
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n{}  </testsuite>\n",
            xml(&z.zone.to_text()),
            cases.tests,
            cases.failures,
            cases.text
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"nsync verify\" tests=\"{total}\" failures=\"{failed}\" time=\"{:.3}\">\n{suites}</testsuites>\n",
        report.took.as_secs_f64()
    )
}
