//! Writing a plan that is known to succeed, in dependency order; the two checks that can only
//! be asked while writing happen here.

use std::collections::{HashMap, HashSet};

use super::plan::stored_schema;
use super::{Outcome, PlannedItem, Progress, Registration, Verdict};
use crate::registry::{Lookup, Registry};

/// Writes a plan that is known to succeed, in dependency order.
pub(super) struct Apply<'a> {
    pub(super) registry: &'a mut dyn Registry,
    pub(super) registrations: &'a [Registration],
    /// Registered versions, by registration index: references need them.
    pub(super) versions: HashMap<usize, u32>,
    pub(super) writes: usize,
    pub(super) progress: &'a dyn Progress,
}

impl Apply<'_> {
    pub(super) fn run(&mut self, items: &mut [PlannedItem], environment: &str) -> Outcome {
        let work: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.action.registers() || item.level_change.is_some())
            .map(|(index, _)| index)
            .collect();
        if work.is_empty() {
            return Outcome::Pushed;
        }
        self.progress
            .begin(&format!("{environment}: writing"), work.len());
        let referenced: HashSet<usize> = self
            .registrations
            .iter()
            .flat_map(|registration| registration.references.iter().map(|(_, index)| *index))
            .collect();
        // An embedded registry makes the whole run durable at once (one write of its state, not
        // one per registration); killed before that, it still holds its state from before.
        self.registry.begin_writes();
        let mut stopped = None;
        for index in work {
            if let Err(reason) = self.apply_one(index, &mut items[index], &referenced) {
                stopped = Some(format!(
                    "{}: {reason}. Stopped after {} write(s); each schema written is complete \
                     with its references, and running the push again continues from here",
                    items[index].subject, self.writes
                ));
                break;
            }
            self.progress.advance(1);
        }
        self.progress.end();
        if let Err(error) = self.registry.finish_writes() {
            return Outcome::PushFailed {
                reason: format!("saving what was written failed: {error}; running the push again writes it anew"),
                writes: 0,
            };
        }
        match stopped {
            Some(reason) => Outcome::PushFailed {
                reason,
                writes: self.writes,
            },
            None => Outcome::Pushed,
        }
    }

    fn apply_one(
        &mut self,
        index: usize,
        item: &mut PlannedItem,
        referenced: &HashSet<usize>,
    ) -> Result<(), String> {
        let registration = &self.registrations[index];
        if let Some(change) = item.level_change {
            self.registry
                .set_compatibility(&registration.subject, change.to)
                .map_err(|error| format!("setting the level failed: {error}"))?;
            self.writes += 1;
        }
        if !item.action.registers() {
            return Ok(());
        }
        let schema = stored_schema(self.registrations, registration, &self.versions)
            .ok_or("a reference was not registered")?;
        if matches!(item.verdict, Verdict::Deferred { .. }) {
            let answer = self
                .registry
                .check(&registration.subject, &schema, registration.level)
                .map_err(|error| format!("the compatibility check failed: {error}"))?;
            if !answer.compatible {
                item.verdict = Verdict::Incompatible;
                item.messages = answer.messages;
                return Err("the registry found it incompatible".to_string());
            }
            item.verdict = Verdict::Compatible;
        }
        let id = self
            .registry
            .register(&registration.subject, &schema)
            .map_err(|error| {
                if matches!(error.code, 409 | 40901) {
                    item.verdict = Verdict::Incompatible;
                    item.messages = vec![error.message.clone()];
                }
                format!("registration failed: {error}")
            })?;
        self.writes += 1;
        item.registered_id = Some(id);
        if referenced.contains(&index) {
            match self.registry.lookup(&registration.subject, &schema) {
                Ok(Lookup::Found { version, .. }) => {
                    self.versions.insert(index, version);
                }
                Ok(_) => return Err("registered, yet the registry does not find it".to_string()),
                Err(error) => return Err(format!("looking up its new version failed: {error}")),
            }
        }
        Ok(())
    }
}
