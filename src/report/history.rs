//! `evcat history` as text for a terminal and as Markdown (for a pull request or a wiki page).
//! Commit messages and names are the catalog's users' words: in Markdown they are escaped so
//! a pipe, a newline or HTML cannot break the table.

use std::fmt::Write as _;

use crate::discover::text::clean;
use crate::history::{EventHistory, SchemaVersion};

fn verdict_words(version: &SchemaVersion) -> String {
    match (&version.verdict, &version.problem) {
        (_, Some(problem)) => format!("not checked: {problem}"),
        (None, None) => "first version".to_string(),
        (Some(verdict), None) if verdict.compatible => {
            format!("compatible ({})", version.level.as_str())
        }
        (Some(_), None) => format!("BREAKING ({})", version.level.as_str()),
    }
}

fn differences(version: &SchemaVersion) -> Vec<String> {
    version
        .verdict
        .iter()
        .flat_map(|verdict| &verdict.differences)
        .map(|difference| {
            let line = difference
                .line
                .map(|line| format!(" (line {line})"))
                .unwrap_or_default();
            format!(
                "{}{} {} at {}{line} against v{}",
                if difference.breaking {
                    "breaking: "
                } else {
                    ""
                },
                difference.kind,
                match difference.direction {
                    crate::compat::Direction::Backward => "backward",
                    crate::compat::Direction::Forward => "forward",
                },
                difference.path,
                difference.against
            )
        })
        .collect()
}

pub fn human(history: &EventHistory) -> String {
    let mut out = format!("history of {}\n", clean(&history.event));
    for version in &history.versions {
        let _ = writeln!(
            out,
            "\n{} v{}  {}  {}  {}\n  {}\n  {}: {}",
            version.role.as_str(),
            version.number,
            version.commit.short,
            version.commit.date,
            clean(&version.commit.author),
            clean(&version.commit.message),
            clean(&version.file),
            verdict_words(version)
        );
        for difference in differences(version) {
            let _ = writeln!(out, "    {}", clean(&difference));
        }
    }
    if !history.changes.is_empty() {
        out.push_str("\nmanifest changes:\n");
        for change in &history.changes {
            let _ = writeln!(
                out,
                "  {}  {}  {}",
                change.commit.short,
                change.commit.date,
                clean(&change.what.join("; "))
            );
        }
    }
    out.push_str(&completeness(history));
    out
}

/// The newest `count` schema versions and manifest changes, newest first, a line each (for
/// `evcat show`).
pub fn recent(history: &EventHistory, count: usize) -> Vec<String> {
    let versions = history.versions.iter().map(|version| {
        let line = format!(
            "{} {} {} v{}: {} ({})",
            version.commit.date,
            version.commit.short,
            version.role.as_str(),
            version.number,
            verdict_words(version),
            clean(&version.commit.message)
        );
        (version.order, line)
    });
    let changes = history.changes.iter().map(|change| {
        let line = format!(
            "{} {} {}",
            change.commit.date,
            change.commit.short,
            clean(&change.what.join("; "))
        );
        (change.order, line)
    });
    let mut lines: Vec<(usize, String)> = versions.chain(changes).collect();
    // Newest first; within a commit, the schema before the manifest.
    lines.sort_by_key(|(order, _)| std::cmp::Reverse(*order));
    lines
        .into_iter()
        .take(count)
        .map(|(_, line)| line)
        .collect()
}

fn completeness(history: &EventHistory) -> String {
    if history.complete {
        format!(
            "\n{} commits walked, back to the first.\n",
            history.commits_walked
        )
    } else {
        format!(
            "\nwarning: the history stops after {} commits (a shallow clone or the walk's limit); \
             older versions are not shown. `git fetch --unshallow` fetches them.\n",
            history.commits_walked
        )
    }
}

/// Text safe in a Markdown table cell.
fn cell(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push_str("\\`"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn markdown(history: &EventHistory) -> String {
    let mut out = format!("### History of `{}`\n\n", cell(&history.event));
    out.push_str(
        "| Schema | Version | Commit | Date | Author | Message | Verdict | Differences |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for version in &history.versions {
        let _ = writeln!(
            out,
            "| {} | v{} | {} | {} | {} | {} | {} | {} |",
            version.role.as_str(),
            version.number,
            version.commit.short,
            version.commit.date,
            cell(&version.commit.author),
            cell(&version.commit.message),
            cell(&verdict_words(version)),
            differences(version)
                .iter()
                .map(|difference| cell(difference))
                .collect::<Vec<_>>()
                .join("<br>")
        );
    }
    if !history.changes.is_empty() {
        out.push_str("\n| Commit | Date | Change |\n|---|---|---|\n");
        for change in &history.changes {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                change.commit.short,
                change.commit.date,
                cell(&change.what.join("; "))
            );
        }
    }
    out.push_str(&completeness(history));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(
            super::cell("a|b\n<script>&`x`"),
            "a\\|b &lt;script&gt;&amp;\\`x\\`"
        );
    }
}
