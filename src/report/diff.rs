//! `evcat diff`: what changed between the baseline and now, for a person reviewing a PR.

use std::fmt::Write as _;

use crate::check::{ChangeKind, EventChange};

fn breaking_count(change: &EventChange) -> usize {
    change
        .differences
        .iter()
        .filter(|difference| difference.breaking)
        .count()
}

fn verdict(change: &EventChange) -> &'static str {
    match change.kind {
        ChangeKind::Added => "added",
        ChangeKind::Removed if change.breaking => "REMOVED (breaking)",
        ChangeKind::Removed => "removed",
        ChangeKind::Changed if change.breaking => "BREAKING",
        ChangeKind::Changed => "compatible",
    }
}

pub fn text(baseline: &str, changes: &[EventChange]) -> String {
    let mut out = format!("diff against {baseline}\n");
    if changes.is_empty() {
        out.push_str("no event changed\n");
        return out;
    }
    for change in changes {
        let _ = writeln!(out, "\n{} {}", verdict(change), change.event);
        for note in &change.notes {
            let _ = writeln!(out, "  {note}");
        }
        for difference in &change.differences {
            let location = difference.line.map_or_else(
                || difference.file.clone(),
                |line| format!("{}:{line}", difference.file),
            );
            let _ = writeln!(
                out,
                "  {} {} at {} ({location})",
                if difference.breaking {
                    "breaking"
                } else {
                    "ok      "
                },
                difference.kind,
                difference.path
            );
        }
        if !change.consumers.is_empty() {
            let _ = writeln!(out, "  consumers: {}", change.consumers.join(", "));
        }
    }
    out
}

pub fn markdown(baseline: &str, changes: &[EventChange]) -> String {
    let breaking: usize = changes.iter().map(breaking_count).sum::<usize>()
        + changes
            .iter()
            .filter(|change| change.breaking && breaking_count(change) == 0)
            .count();
    let mut out = format!("### Event catalog changes\n\nCompared with `{baseline}`.");
    if changes.is_empty() {
        out.push_str(" No event changed.\n");
        return out;
    }
    let _ = writeln!(
        out,
        " {} event{} changed; {} breaking change{}.\n",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        breaking,
        if breaking == 1 { "" } else { "s" }
    );
    out.push_str("| Event | Change | Level | Details | Consumers |\n|---|---|---|---|---|\n");
    for change in changes {
        let mut details: Vec<String> = change.notes.clone();
        details.extend(change.differences.iter().map(|difference| {
            format!(
                "{}`{}` at `{}`",
                if difference.breaking { "⚠️ " } else { "" },
                difference.kind,
                difference.path
            )
        }));
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            change.event,
            verdict(change),
            change.level.unwrap_or("-"),
            escape(&details.join("<br>")),
            escape(&change.consumers.join(", "))
        );
    }
    approvals(&mut out, changes);
    out
}

/// Who must approve each breaking change: the event's owner and its consumers' teams.
fn approvals(out: &mut String, changes: &[EventChange]) {
    let breaking: Vec<&EventChange> = changes.iter().filter(|change| change.breaking).collect();
    if breaking.is_empty() {
        return;
    }
    out.push_str("\n**Approvals needed for breaking changes**\n\n");
    for change in breaking {
        let teams: Vec<String> = change
            .approvers
            .iter()
            .map(|approver| approver.describe("`"))
            .collect();
        let teams = if teams.is_empty() {
            "no owner or consuming team is known: set `owner:` on the event or its domain".into()
        } else {
            teams.join("; ")
        };
        let _ = writeln!(out, "- `{}`: {}", change.event, escape(&teams));
    }
}

/// Keeps table cells intact.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub fn json(baseline: &str, changes: &[EventChange]) -> String {
    let document = serde_json::json!({
        "version": 1,
        "baseline": baseline,
        "changes": changes,
    });
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}
