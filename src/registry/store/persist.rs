//! How the store's state reaches the disk. `state.json` is a snapshot; each change after it is
//! one line appended to `journal.jsonl` and fsynced before the change is acknowledged, so a
//! registration costs a small write, not a rewrite of the whole state (which grew the bytes
//! written with the square of the registry's size). Opening replays the journal onto the
//! snapshot and compacts both into a new snapshot; a last line cut short by a crash is a change
//! that was never acknowledged, and is dropped. A push into an embedded registry writes one
//! snapshot at its end instead (see `Store::defer_saves`); the served registry syncs the journal
//! itself after releasing its lock (see `Store::sync_by_caller`).

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{
    storage, CompatibilityLevel, Mode, RegistryError, State, Store, StoredSchema, SubjectState,
};

pub(super) const STATE_FILE: &str = "state.json";
const JOURNAL_FILE: &str = "journal.jsonl";

/// A journal longer than this is compacted into the snapshot at the next change.
const JOURNAL_LIMIT: u64 = 16 * 1024 * 1024;

/// One change: the registry-wide settings, and what one subject and one new schema became.
#[derive(Serialize, Deserialize)]
struct Change {
    next_id: u32,
    compatibility: CompatibilityLevel,
    mode: Mode,
    #[serde(default)]
    schema: Option<(u32, StoredSchema)>,
    /// The subject's state; `None` inside when it was removed for good.
    #[serde(default)]
    subject: Option<(String, Option<SubjectState>)>,
}

impl Change {
    fn apply(self, state: &mut State) {
        state.next_id = self.next_id;
        state.compatibility = self.compatibility;
        state.mode = self.mode;
        if let Some((id, schema)) = self.schema {
            state.schemas.insert(id, schema);
        }
        match self.subject {
            Some((name, Some(subject))) => {
                state.subjects.insert(name, subject);
            }
            Some((name, None)) => {
                state.subjects.remove(&name);
            }
            None => {}
        }
    }
}

/// The state in `dir`: the snapshot with the journal replayed onto it, and whether there was a
/// journal (the caller then compacts).
pub(super) fn load(dir: &Path) -> Result<(State, bool), RegistryError> {
    let snapshot = dir.join(STATE_FILE);
    let mut state = match fs::read(&snapshot) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|error| storage(format!("{} is damaged: {error}", snapshot.display())))?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => State {
            next_id: 1,
            ..State::default()
        },
        Err(error) => return Err(storage(error)),
    };
    let journal = dir.join(JOURNAL_FILE);
    let text = match fs::read_to_string(&journal) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok((state, false)),
        Err(error) => return Err(storage(error)),
    };
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        match serde_json::from_str::<Change>(line) {
            Ok(change) => change.apply(&mut state),
            // Cut short by a crash while it was written: never acknowledged.
            Err(_) if index + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(error) => {
                return Err(storage(format!(
                    "{} is damaged at line {}: {error}",
                    journal.display(),
                    index + 1
                )))
            }
        }
    }
    Ok((state, true))
}

impl Store {
    /// Makes a change durable: one journal line (or, while saves are deferred, nothing yet).
    /// `subject` and `schema` name what the change touched.
    pub(super) fn save_change(
        &mut self,
        subject: Option<&str>,
        schema: Option<u32>,
    ) -> Result<(), RegistryError> {
        self.generation += 1;
        if self.deferred {
            self.dirty = true;
            return Ok(());
        }
        let change = Change {
            next_id: self.state.next_id,
            compatibility: self.state.compatibility,
            mode: self.state.mode,
            schema: schema.and_then(|id| Some((id, self.state.schemas.get(&id)?.clone()))),
            subject: subject.map(|name| (name.to_string(), self.state.subjects.get(name).cloned())),
        };
        let mut line = serde_json::to_vec(&change).map_err(storage)?;
        line.push(b'\n');
        let journal = match &mut self.journal {
            Some(journal) => journal,
            None => {
                let path = self.dir.join(JOURNAL_FILE);
                let created = !path.exists();
                let journal = fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(storage)?;
                if created {
                    sync_folder(&self.dir)?;
                }
                self.journal.insert(journal)
            }
        };
        journal.write_all(&line).map_err(storage)?;
        if self.sync_by_caller {
            self.unsynced = true;
        } else {
            journal.sync_data().map_err(storage)?;
        }
        if journal.metadata().map_err(storage)?.len() > JOURNAL_LIMIT {
            self.compact()?;
        }
        Ok(())
    }

    /// Writes the whole state as the snapshot, then drops the journal it now contains.
    pub(super) fn compact(&mut self) -> Result<(), RegistryError> {
        // The journal is about to be removed: a later change opens a new one. The snapshot
        // holds (durably) whatever it had that was not synced yet.
        self.journal = None;
        self.unsynced = false;
        self.write_snapshot()?;
        match fs::remove_file(self.dir.join(JOURNAL_FILE)) {
            Ok(()) => sync_folder(&self.dir),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(storage(error)),
        }
    }

    /// The snapshot, written atomically and durably: temp file, fsync, rename, fsync folder.
    fn write_snapshot(&self) -> Result<(), RegistryError> {
        let bytes = serde_json::to_vec(&self.state).map_err(storage)?;
        let temporary = self.dir.join(format!("{STATE_FILE}.tmp"));
        let mut file = fs::File::create(&temporary).map_err(storage)?;
        file.write_all(&bytes).map_err(storage)?;
        file.sync_all().map_err(storage)?;
        fs::rename(&temporary, self.dir.join(STATE_FILE)).map_err(storage)?;
        sync_folder(&self.dir)
    }
}

/// A rename or a new file is durable only once its folder is synced.
fn sync_folder(dir: &Path) -> Result<(), RegistryError> {
    fs::File::open(dir)
        .and_then(|folder| folder.sync_all())
        .map_err(storage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Format;
    use crate::registry::store::{Deleted, VersionSelector};

    fn avro(name: &str) -> StoredSchema {
        StoredSchema {
            schema: format!(r#"{{"type":"record","name":"{name}","fields":[]}}"#),
            schema_type: Format::Avro,
            references: Vec::new(),
        }
    }

    #[test]
    fn changes_are_journalled_and_replayed() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut store = Store::open(dir.path()).unwrap();
            store.register("a", avro("A")).unwrap();
            store.register("b", avro("B")).unwrap();
            store
                .set_compatibility(Some("a"), CompatibilityLevel::Full)
                .unwrap();
            store.delete_subject("b", false).unwrap();
            store.delete_subject("b", true).unwrap();
            // Every change is one line, not a rewrite of the whole state.
            let journal = fs::read_to_string(dir.path().join(JOURNAL_FILE)).unwrap();
            assert_eq!(journal.lines().count(), 5);
            assert!(!dir.path().join(STATE_FILE).exists());
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.subjects(Deleted::Include), ["a"]);
        assert_eq!(
            store.subject_compatibility("a"),
            Some(CompatibilityLevel::Full)
        );
        assert_eq!(store.version("a", VersionSelector::Latest).unwrap().id, 1);
        // Opening compacted the journal into the snapshot.
        assert!(!dir.path().join(JOURNAL_FILE).exists());
        assert!(dir.path().join(STATE_FILE).exists());
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_a_damaged_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut store = Store::open(dir.path()).unwrap();
            store.register("a", avro("A")).unwrap();
            store.register("b", avro("B")).unwrap();
        }
        let journal = dir.path().join(JOURNAL_FILE);
        let text = fs::read_to_string(&journal).unwrap();
        let torn = &text[..text.len() - 10]; // The second line, cut short by a crash.
        fs::write(&journal, torn).unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.subjects(Deleted::Hide), ["a"]);
        drop(store);

        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(JOURNAL_FILE), "{not json}\n{}\n").unwrap();
        let error = Store::open(dir.path()).err().expect("damaged journal");
        assert!(
            error.message.contains("damaged at line 1"),
            "{}",
            error.message
        );
    }
}
