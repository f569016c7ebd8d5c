//! How plans and sync results look: a readable diff per target, a summary table, JSON.

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use nsync_core::name::NameText;
use nsync_core::provider::{ApexNs, Change, ProviderError};
use nsync_core::zone::Rrset;
use serde_json::{Value, json};

use crate::plan::{Counts, describe};
use crate::report::style::Style;
use crate::targets::{Target, TargetPlan};

/// The diff of every target, `+` green, `-` red, `~` yellow.
pub fn diff_text(
    targets: &[Target],
    plans: &[Result<TargetPlan, ProviderError>],
    style: Style,
) -> String {
    let mut out = String::new();
    for (t, p) in targets.iter().zip(plans) {
        let head = format!(
            "{} at {} ({})",
            t.origin().to_text(),
            t.provider_name,
            t.kind
        );
        match p {
            Err(e) => out.push_str(&format!(
                "{}: {}: {}\n",
                style.red(&head),
                e.operation,
                e.message
            )),
            Ok(plan) if plan.changes.changes.is_empty() => {
                out.push_str(&format!("{head}: in sync\n"));
                out.push_str(&apex_ns_note(t));
            }
            Ok(plan) => {
                let c = Counts::of(&plan.changes);
                out.push_str(&format!(
                    "{head}: {} to create, {} to update, {} to delete\n",
                    c.creates, c.updates, c.deletes
                ));
                out.push_str(&apex_ns_note(t));
                for change in &plan.changes.changes {
                    let (sign, text) = describe(change);
                    let line = format!("  {sign} {text}");
                    out.push_str(&match sign {
                        '+' => style.green(&line),
                        '-' => style.red(&line),
                        _ => style.yellow(&line),
                    });
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// Where nsync cannot write the apex NS at all, the plan says so once per target (the
/// delegation is then audit's to check, not sync's to fix).
fn apex_ns_note(t: &Target) -> String {
    let mut out = String::new();
    if t.capabilities.apex_ns == ApexNs::ProviderOwned {
        out.push_str(&format!(
            "  (the apex NS there is {}'s own: nsync does not write it; `nsync audit` checks that the delegation names it)\n",
            t.kind
        ));
    }
    for h in t.state.iter().flat_map(|s| &s.held) {
        out.push_str(&format!(
            "  = held at {}: {} {} ({}); nsync leaves it as it is\n",
            t.provider_name,
            h.name.to_text(),
            h.rtype,
            h.feature
        ));
    }
    out
}

/// The summary table: one row per target.
pub fn summary_table(
    targets: &[Target],
    plans: &[Result<TargetPlan, ProviderError>],
    style: Style,
) -> String {
    let mut table = new_table(vec![
        "zone", "provider", "create", "update", "delete", "status",
    ]);
    for (t, p) in targets.iter().zip(plans) {
        let (c, status) = match p {
            Ok(plan) => {
                let c = Counts::of(&plan.changes);
                let status = if c.total() == 0 {
                    "in sync".to_string()
                } else {
                    "changes pending".to_string()
                };
                (c, status)
            }
            Err(e) => (Counts::default(), format!("error: {}", e.kind.as_str())),
        };
        let status_cell = match p {
            Err(_) => colored(Cell::new(status), Color::Red, style),
            Ok(_) if c.total() > 0 => colored(Cell::new(status), Color::Yellow, style),
            Ok(_) => colored(Cell::new(status), Color::Green, style),
        };
        table.add_row(vec![
            Cell::new(t.origin().to_text()),
            Cell::new(&t.provider_name),
            Cell::new(c.creates),
            Cell::new(c.updates),
            Cell::new(c.deletes),
            status_cell,
        ]);
    }
    format!("{table}\n")
}

/// A table in the house style. Long cells wrap to the terminal's width when there is a
/// usable one; in pipes, files and odd terminals rows stay whole.
pub fn new_table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_header(header);
    let arrangement = match t.width() {
        Some(w) if w >= 60 => ContentArrangement::Dynamic,
        _ => ContentArrangement::Disabled,
    };
    t.set_content_arrangement(arrangement);
    t
}

pub fn colored(cell: Cell, color: Color, style: Style) -> Cell {
    if style.enabled() {
        cell.fg(color)
    } else {
        cell
    }
}

fn rrset_json(r: &Rrset) -> Value {
    json!({
        "name": r.name.to_text(),
        "type": r.rtype.to_string(),
        "ttl": r.ttl,
        "values": r.values(),
    })
}

pub fn change_json(change: &Change) -> Value {
    match change {
        Change::Create(r) => json!({"action": "create", "new": rrset_json(r)}),
        Change::Delete(r) => json!({"action": "delete", "old": rrset_json(r)}),
        Change::Update { from, to } => {
            json!({"action": "update", "old": rrset_json(from), "new": rrset_json(to)})
        }
    }
}

pub fn error_json(e: &ProviderError) -> Value {
    json!({"kind": e.kind.as_str(), "operation": e.operation, "message": e.message})
}

/// `{"changes_pending", "targets": [{"zone","provider","kind","status","creates",...}]}`
pub fn plan_json(targets: &[Target], plans: &[Result<TargetPlan, ProviderError>]) -> String {
    let mut pending = false;
    let rows: Vec<Value> = targets
        .iter()
        .zip(plans)
        .map(|(t, p)| {
            let mut row =
                json!({"zone": t.origin().to_text(), "provider": t.provider_name, "kind": t.kind});
            match p {
                Ok(plan) => {
                    let c = Counts::of(&plan.changes);
                    pending |= c.total() > 0;
                    row["status"] = json!(if c.total() == 0 {
                        "in_sync"
                    } else {
                        "changes_pending"
                    });
                    row["creates"] = json!(c.creates);
                    row["updates"] = json!(c.updates);
                    row["deletes"] = json!(c.deletes);
                    row["changes"] = json!(
                        plan.changes
                            .changes
                            .iter()
                            .map(change_json)
                            .collect::<Vec<_>>()
                    );
                }
                Err(e) => {
                    row["status"] = json!("error");
                    row["error"] = error_json(e);
                }
            }
            row
        })
        .collect();
    format!(
        "{:#}\n",
        json!({"changes_pending": pending, "targets": rows})
    )
}
