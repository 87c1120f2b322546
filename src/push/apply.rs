//! Writing a plan that is known to succeed, in dependency order; the two checks that can only
//! be asked while writing happen here.
//!
//! Registrations are written in waves: a wave holds those whose references were all written in
//! earlier waves. A remote registry gets each wave's writes from several threads at once (its
//! round trips overlap); an embedded one, one at a time. A failure stops the push after the
//! wave it happened in: what the wave wrote is complete, and the next push continues.

use std::collections::{HashMap, HashSet};

use super::plan::stored_schema;
use super::{Outcome, PlannedItem, Progress, Registration, Verdict};
use crate::registry::{concurrently, Lookup, OneAtATime, Registry, Writes};

/// How many writes a remote registry gets at once: as for lookups, enough to hide round trips,
/// few enough not to look like a flood.
const WRITE_CONCURRENCY: usize = 8;

/// Writes a plan that is known to succeed, in dependency order.
pub(super) struct Apply<'a> {
    pub(super) registry: &'a mut dyn Registry,
    pub(super) registrations: &'a [Registration],
    /// Registered versions, by registration index: references need them.
    pub(super) versions: HashMap<usize, u32>,
    pub(super) writes: usize,
    pub(super) progress: &'a dyn Progress,
}

/// What writing one registration did.
struct Written {
    writes: usize,
    /// The version registered, when later registrations reference it.
    version: Option<u32>,
    registered_id: Option<u32>,
    verdict: Option<Verdict>,
    messages: Option<Vec<String>>,
    failure: Option<String>,
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
        for wave in self.waves(&work) {
            let written = self.write_wave(&wave, items, &referenced);
            for (index, written) in wave.iter().zip(written) {
                let item = &mut items[*index];
                self.writes += written.writes;
                if let Some(version) = written.version {
                    self.versions.insert(*index, version);
                }
                item.registered_id = written.registered_id.or(item.registered_id);
                if let Some(verdict) = written.verdict {
                    item.verdict = verdict;
                }
                if let Some(messages) = written.messages {
                    item.messages = messages;
                }
                if let (Some(reason), None) = (written.failure, &stopped) {
                    stopped = Some((item.subject.clone(), reason));
                }
            }
            self.progress.advance(wave.len());
            if stopped.is_some() {
                break;
            }
        }
        self.progress.end();
        if let Err(error) = self.registry.finish_writes() {
            return Outcome::PushFailed {
                reason: format!("saving what was written failed: {error}; running the push again writes it anew"),
                writes: 0,
            };
        }
        match stopped {
            Some((subject, reason)) => Outcome::PushFailed {
                reason: format!(
                    "{subject}: {reason}. Stopped after {} write(s); each schema written is complete \
                     with its references, and running the push again continues from here",
                    self.writes
                ),
                writes: self.writes,
            },
            None => Outcome::Pushed,
        }
    }

    /// The work in waves, each in plan order: a registration comes after every one it
    /// references (registrations reference only earlier ones).
    fn waves(&self, work: &[usize]) -> Vec<Vec<usize>> {
        let mut wave_of: HashMap<usize, usize> = HashMap::new();
        let mut waves: Vec<Vec<usize>> = Vec::new();
        for &index in work {
            let wave = self.registrations[index]
                .references
                .iter()
                .filter_map(|(_, reference)| wave_of.get(reference).map(|wave| wave + 1))
                .max()
                .unwrap_or(0);
            wave_of.insert(index, wave);
            if waves.len() <= wave {
                waves.resize_with(wave + 1, Vec::new);
            }
            waves[wave].push(index);
        }
        waves
    }

    /// Writes one wave; the results come back in the wave's order.
    fn write_wave(
        &mut self,
        wave: &[usize],
        items: &[PlannedItem],
        referenced: &HashSet<usize>,
    ) -> Vec<Written> {
        let registrations = self.registrations;
        let versions = &self.versions;
        let write = |writes: &dyn Writes, index: usize| {
            write_one(
                writes,
                registrations,
                versions,
                index,
                &items[index],
                referenced,
            )
        };
        if let Some(writes) = self.registry.concurrent_writes() {
            concurrently(wave, WRITE_CONCURRENCY, |&index| write(writes, index))
        } else {
            let one_at_a_time = OneAtATime(std::cell::RefCell::new(&mut *self.registry));
            let mut written = Vec::new();
            for &index in wave {
                let result = write(&one_at_a_time, index);
                let failed = result.failure.is_some();
                written.push(result);
                // One at a time, a failure stops the wave where it happened.
                if failed {
                    break;
                }
            }
            written
        }
    }
}

/// Sets the level, asks a deferred check, registers, and looks up the new version when later
/// registrations reference it.
fn write_one(
    writes: &dyn Writes,
    registrations: &[Registration],
    versions: &HashMap<usize, u32>,
    index: usize,
    item: &PlannedItem,
    referenced: &HashSet<usize>,
) -> Written {
    let mut written = Written {
        writes: 0,
        version: None,
        registered_id: None,
        verdict: None,
        messages: None,
        failure: None,
    };
    let registration = &registrations[index];
    if let Some(change) = item.level_change {
        if let Err(error) = writes.set_compatibility(&registration.subject, change.to) {
            written.failure = Some(format!("setting the level failed: {error}"));
            return written;
        }
        written.writes += 1;
    }
    if !item.action.registers() {
        return written;
    }
    let Some(schema) = stored_schema(registrations, registration, versions) else {
        written.failure = Some("a reference was not registered".into());
        return written;
    };
    if matches!(item.verdict, Verdict::Deferred { .. }) {
        match writes.check(&registration.subject, &schema, registration.level) {
            Err(error) => {
                written.failure = Some(format!("the compatibility check failed: {error}"));
                return written;
            }
            Ok(answer) if !answer.compatible => {
                written.verdict = Some(Verdict::Incompatible);
                written.messages = Some(answer.messages);
                written.failure = Some("the registry found it incompatible".into());
                return written;
            }
            Ok(_) => written.verdict = Some(Verdict::Compatible),
        }
    }
    match writes.register(&registration.subject, &schema) {
        Ok(id) => {
            written.writes += 1;
            written.registered_id = Some(id);
        }
        Err(error) => {
            if matches!(error.code, 409 | 40901) {
                written.verdict = Some(Verdict::Incompatible);
                written.messages = Some(vec![error.message.clone()]);
            }
            written.failure = Some(format!("registration failed: {error}"));
            return written;
        }
    }
    if referenced.contains(&index) {
        match writes.lookup(&registration.subject, &schema) {
            Ok(Lookup::Found { version, .. }) => written.version = Some(version),
            Ok(_) => written.failure = Some("registered, yet the registry does not find it".into()),
            Err(error) => {
                written.failure = Some(format!("looking up its new version failed: {error}"))
            }
        }
    }
    written
}
