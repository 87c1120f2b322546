//! Renders a plan or push ([`PushReport`]): per environment a table of subjects with their
//! action and the registry's verdict, the registry's messages under failures, then a summary.

use std::fmt::Write;

use crate::push::{Action, EnvironmentReport, Outcome, PlannedItem, PushReport, Summary, Verdict};

pub fn json(report: &PushReport) -> String {
    // Serializing plain data with string keys cannot fail.
    serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
}

pub fn human(report: &PushReport) -> String {
    let mut out = String::new();
    for environment in &report.environments {
        environment_section(&mut out, environment, report.dry_run);
    }
    out
}

/// One line per environment: how it ended (what `-q` prints).
pub fn outcome_lines(report: &PushReport) -> String {
    report
        .environments
        .iter()
        .map(|environment| {
            outcome_line(
                &environment.name,
                &environment.outcome,
                &environment.summary,
                report.dry_run,
            ) + "\n"
        })
        .collect()
}

fn environment_section(out: &mut String, environment: &EnvironmentReport, dry_run: bool) {
    let _ = writeln!(
        out,
        "Environment {} ({})",
        environment.name, environment.registry
    );
    let rows: Vec<[String; 4]> = environment.items.iter().map(row).collect();
    let mut widths = [7, 4, 6, 7];
    for cells in &rows {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    if !rows.is_empty() {
        let header = ["SUBJECT", "KIND", "ACTION", "VERDICT"].map(str::to_string);
        write_row(out, &header, &widths);
    }
    for (cells, item) in rows.iter().zip(&environment.items) {
        write_row(out, cells, &widths);
        for message in &item.messages {
            let _ = writeln!(out, "      {message}");
        }
    }
    let _ = writeln!(out, "{}", summary_line(&environment.summary));
    let _ = writeln!(
        out,
        "{}\n",
        outcome_line(
            &environment.name,
            &environment.outcome,
            &environment.summary,
            dry_run
        )
    );
}

fn write_row(out: &mut String, cells: &[String; 4], widths: &[usize; 4]) {
    let line = cells
        .iter()
        .zip(widths)
        .map(|(cell, width)| format!("{cell:<width$}"))
        .collect::<Vec<_>>()
        .join("  ");
    let _ = writeln!(out, "  {}", line.trim_end());
}

fn row(item: &PlannedItem) -> [String; 4] {
    let mut action = match &item.action {
        Action::Unchanged { version, id } => format!("unchanged (version {version}, id {id})"),
        Action::NewSubject => "new subject".to_string(),
        Action::NewVersion => "new version".to_string(),
        Action::RegisterAfterReferences => "register after its references".to_string(),
        Action::Skipped { reason } => format!("skipped: {reason}"),
    };
    if let Some(change) = item.level_change {
        let _ = write!(
            action,
            "; set compatibility {} -> {}",
            change.from.as_str(),
            change.to.as_str()
        );
    }
    if let Some(id) = item.registered_id {
        let _ = write!(action, "; registered as id {id}");
    }
    let verdict = match &item.verdict {
        Verdict::NotNeeded => "-".to_string(),
        Verdict::Compatible => "compatible".to_string(),
        Verdict::Incompatible => "INCOMPATIBLE".to_string(),
        Verdict::Deferred { detail } => detail.clone(),
        Verdict::OrderBlocked { detail } => format!("BLOCKED: {detail}"),
        Verdict::Failed { detail } => format!("FAILED: {detail}"),
    };
    [item.subject.clone(), item.kind.to_string(), action, verdict]
}

fn summary_line(summary: &Summary) -> String {
    let mut line = format!(
        "  {} subject(s): {} unchanged, {} new subject(s), {} new version(s), {} level change(s), {} skipped",
        summary.subjects,
        summary.unchanged,
        summary.new_subjects,
        summary.new_versions,
        summary.level_changes,
        summary.skipped
    );
    if summary.failed > 0 {
        let _ = write!(line, ", {} failed", summary.failed);
    }
    let _ = write!(line, "; {} write(s)", summary.writes);
    if let Some(requests) = summary.requests {
        let _ = write!(line, ", {requests} request(s) received");
    }
    if let Some(requests) = summary.order_gate_requests {
        let _ = write!(line, ", {requests} sent to the previous environment");
    }
    line
}

fn outcome_line(name: &str, outcome: &Outcome, summary: &Summary, dry_run: bool) -> String {
    match outcome {
        Outcome::Planned if dry_run => format!("{name}: plan OK (dry run, nothing written)"),
        Outcome::Planned => format!("{name}: plan OK"),
        Outcome::Pushed if summary.writes == 0 => format!("{name}: up to date, nothing written"),
        Outcome::Pushed => format!("{name}: pushed"),
        Outcome::PlanFailed { reason } => format!("{name}: FAILED: {reason}"),
        Outcome::PushFailed { reason, .. } => format!("{name}: FAILED while writing: {reason}"),
        Outcome::Blocked { reason } => format!("{name}: BLOCKED: {reason}"),
        Outcome::NotReached => {
            format!("{name}: not reached (an earlier environment failed); nothing written")
        }
    }
}
