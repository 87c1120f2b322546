//! A data product's end of life: a deprecated event says when it goes and what replaces it
//! (`G011`); its consumers are warned before the sunset (`G009`) and stopped after it (`G008`);
//! the replacement is a real, approved event, not a way back to the deprecated one (`G010`).

use std::collections::HashMap;

use time::{Date, Month};

use crate::catalog::{Catalog, Deprecation, Event, Status};
use crate::findings::{closest, finding, Findings, Site};
use crate::rules;
use crate::source::Seg;

/// How far ahead consumers are warned of a sunset, unless `G009`'s `days` says otherwise.
pub const DEFAULT_SUNSET_WARNING_DAYS: u32 = 30;

/// `today` is the date sunsets are compared with (UTC, from the clock, in `lint`).
pub fn check(catalog: &Catalog, warning_days: u32, today: Date, findings: &mut Findings) {
    let events = EventIndex::new(catalog);
    for event in &catalog.events {
        let Some(deprecation) = &event.spec.deprecation else {
            if event.spec.status == Status::Deprecated {
                findings.push(
                    finding(
                        rules::DEPRECATION_REQUIRED,
                        Site::value(&event.file, vec![Seg::key("status")]),
                        format!(
                            "event `{}` is deprecated but does not say when it goes or what \
                             replaces it",
                            event.spec.name
                        ),
                    )
                    .with_help(
                        "add `deprecation: { since: YYYY-MM-DD, sunset: YYYY-MM-DD, \
                         replacement: Name }`",
                    ),
                );
            }
            continue;
        };
        let dates = Dates::of(event, deprecation, findings);
        if let Some(sunset) = dates.sunset {
            check_sunset(catalog, event, sunset, warning_days, today, findings);
        }
        if let Some(replacement) = &deprecation.replacement {
            check_replacement(&events, event, replacement, findings);
        }
    }
}

fn at(event: &Event, key: &str) -> Site {
    Site::value(&event.file, vec![Seg::key("deprecation"), Seg::key(key)])
}

/// A deprecation's dates, each reported where it is not a real `YYYY-MM-DD` date.
struct Dates {
    sunset: Option<Date>,
}

impl Dates {
    fn of(event: &Event, deprecation: &Deprecation, findings: &mut Findings) -> Dates {
        let mut read = |key: &str, written: &Option<String>| {
            let written = written.as_deref()?;
            let date = parse_date(written);
            // A text not shaped YYYY-MM-DD is reported by event.yaml's JSON Schema already.
            if date.is_none() && is_date_shaped(written) {
                findings.push(
                    finding(
                        rules::INVALID_VALUE,
                        at(event, key),
                        format!("`{written}` is not a date of the calendar"),
                    )
                    .with_help("write a real date as YYYY-MM-DD, e.g. 2027-03-31"),
                );
            }
            date
        };
        let since = read("since", &deprecation.since);
        let sunset = read("sunset", &deprecation.sunset);
        if let (Some(since), Some(sunset)) = (since, sunset) {
            if since > sunset {
                findings.push(
                    finding(
                        rules::INVALID_VALUE,
                        at(event, "sunset"),
                        format!("the sunset {sunset} is before the deprecation ({since})"),
                    )
                    .with_help("the sunset comes after `since`: consumers need time to move"),
                );
            }
        }
        Dates { sunset }
    }
}

fn is_date_shaped(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        })
}

/// `YYYY-MM-DD`, a date of the calendar (no 30 February).
pub fn parse_date(text: &str) -> Option<Date> {
    if !is_date_shaped(text) {
        return None;
    }
    let year = text[0..4].parse().ok()?;
    let month = Month::try_from(text[5..7].parse::<u8>().ok()?).ok()?;
    let day = text[8..10].parse().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

fn check_sunset(
    catalog: &Catalog,
    event: &Event,
    sunset: Date,
    warning_days: u32,
    today: Date,
    findings: &mut Findings,
) {
    if event.spec.consumers.is_empty() {
        return;
    }
    let days_left = (sunset - today).whole_days();
    let consumers = catalog.consumers_with_teams(event).join("; ");
    let name = &event.spec.name;
    let help = "move each consumer to the replacement and remove it from `consumers:`, or agree \
                a later sunset with them";
    if days_left < 0 {
        findings.push(
            finding(
                rules::SUNSET_PASSED,
                at(event, "sunset"),
                format!(
                    "event `{name}` reached its sunset on {sunset} ({} days ago) but is still \
                     consumed by {consumers}",
                    -days_left
                ),
            )
            .with_help(help),
        );
    } else if days_left <= i64::from(warning_days) {
        findings.push(
            finding(
                rules::SUNSET_NEAR,
                at(event, "sunset"),
                format!(
                    "event `{name}` reaches its sunset on {sunset} (in {days_left} days); still \
                     consumed by {consumers}"
                ),
            )
            .with_help(help),
        );
    }
}

/// Events by domain and name, for resolving replacements.
struct EventIndex<'c> {
    by_id: HashMap<(&'c str, &'c str), &'c Event>,
}

impl<'c> EventIndex<'c> {
    fn new(catalog: &'c Catalog) -> Self {
        let mut by_id = HashMap::new();
        for event in &catalog.events {
            by_id
                .entry((event.domain.as_str(), event.spec.name.as_str()))
                .or_insert(event);
        }
        EventIndex { by_id }
    }

    /// `Name` in `from`'s domain, or `domain/Name`.
    fn resolve(&self, from: &Event, written: &str) -> Option<&'c Event> {
        let id = crate::catalog::event_reference(written, &from.domain);
        self.by_id.get(&id).copied()
    }

    /// The closest event as `from` would name it: `Name` in its domain, else `domain/Name`
    /// (built only for an error, as it lists every event).
    fn suggestion(&self, from: &Event, written: &str) -> Option<String> {
        let ids: Vec<String> = self
            .by_id
            .keys()
            .map(|(domain, name)| match *domain == from.domain {
                true => name.to_string(),
                false => format!("{domain}/{name}"),
            })
            .collect();
        closest(written, &ids)
    }
}

fn check_replacement(
    events: &EventIndex<'_>,
    event: &Event,
    written: &str,
    findings: &mut Findings,
) {
    let site = at(event, "replacement");
    let Some(replacement) = events.resolve(event, written) else {
        let help = match events.suggestion(event, written) {
            Some(id) => format!("did you mean `{id}`?"),
            None => "name an event as `Name` (same domain) or `domain/Name`".to_string(),
        };
        findings.push(
            finding(
                rules::REPLACEMENT_INVALID,
                site,
                format!("replacement `{written}` is not an event in the catalog"),
            )
            .with_help(help),
        );
        return;
    };
    if let Some(cycle) = replacement_cycle(events, event) {
        findings.push(
            finding(
                rules::REPLACEMENT_INVALID,
                site,
                format!(
                    "replacements lead back to `{}`: {}",
                    event.spec.name,
                    cycle.join(" → ")
                ),
            )
            .with_help(
                "the last event of a replacement chain is an approved event that replaces nothing",
            ),
        );
    } else if replacement.spec.status != Status::Approved {
        findings.push(
            finding(
                rules::REPLACEMENT_INVALID,
                site,
                format!(
                    "replacement {} is {}, not approved: consumers cannot move to it",
                    replacement.id(),
                    replacement.spec.status.as_str()
                ),
            )
            .with_help("approve the replacement first, or name an approved event"),
        );
    }
}

/// The chain of replacements from `start`, when it comes back to `start`.
fn replacement_cycle(events: &EventIndex<'_>, start: &Event) -> Option<Vec<String>> {
    let mut chain = vec![start.id().to_string()];
    let mut current = start;
    // A chain longer than the catalog has events has looped somewhere else.
    for _ in 0..=events.by_id.len() {
        let written = current.spec.deprecation.as_ref()?.replacement.as_deref()?;
        let next = events.resolve(current, written)?;
        chain.push(next.id().to_string());
        if std::ptr::eq(next, start) {
            return Some(chain);
        }
        current = next;
    }
    None
}
