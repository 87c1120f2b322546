//! Soft and permanent deletes of versions and subjects, as Confluent orders them: a permanent
//! delete follows a soft one, and a version other schemas refer to cannot be deleted.

use super::{subject_not_found, version_not_found, RegistryError, Store, VersionSelector};

impl Store {
    /// Deletes one version: soft first, then (with `permanent`) for good.
    pub fn delete_version(
        &mut self,
        subject: &str,
        selector: VersionSelector,
        permanent: bool,
    ) -> Result<u32, RegistryError> {
        self.writable(subject)?;
        let state = self.existing_subject(subject)?;
        let position = match selector {
            VersionSelector::Latest => state
                .versions
                .iter()
                .rposition(|entry| !entry.deleted || permanent),
            VersionSelector::Number(number) => state
                .versions
                .iter()
                .position(|entry| entry.version == number),
        };
        let position = position.ok_or_else(|| match selector {
            VersionSelector::Number(number) => version_not_found(subject, number),
            VersionSelector::Latest => subject_not_found(subject),
        })?;
        let version = state.versions[position].version;
        if self.referenced(subject, version) {
            return Err(referenced_error(subject, version));
        }
        let state = self.existing_subject(subject)?;
        match (permanent, state.versions[position].deleted) {
            (false, true) => {
                return Err(RegistryError::new(
                    40406,
                    format!("Subject '{subject}' Version {version} was soft deleted. Set permanent=true to delete permanently"),
                ))
            }
            (true, false) => {
                return Err(RegistryError::new(
                    40407,
                    format!("Subject '{subject}' Version {version} was not deleted first before being permanently deleted"),
                ))
            }
            (false, false) => state.versions[position].deleted = true,
            (true, true) => {
                state.versions.remove(position);
            }
        }
        self.save_change(Some(subject), None)?;
        Ok(version)
    }

    /// Deletes a subject: soft (its versions hidden), then (with `permanent`) for good.
    pub fn delete_subject(
        &mut self,
        subject: &str,
        permanent: bool,
    ) -> Result<Vec<u32>, RegistryError> {
        self.writable(subject)?;
        let state = self.existing_subject(subject)?;
        let all_soft_deleted = state.versions.iter().all(|entry| entry.deleted);
        // A soft delete answers with the versions it deleted (those still live); a permanent
        // one with every version it removes.
        let versions: Vec<u32> = state
            .versions
            .iter()
            .filter(|entry| permanent || !entry.deleted)
            .map(|entry| entry.version)
            .collect();
        if let Some(&version) = versions
            .iter()
            .find(|&&version| self.referenced(subject, version))
        {
            return Err(referenced_error(subject, version));
        }
        let state = self.existing_subject(subject)?;
        if permanent {
            if !all_soft_deleted {
                return Err(RegistryError::new(
                    40405,
                    format!("Subject '{subject}' was not deleted first before being permanently deleted"),
                ));
            }
            self.state.subjects.remove(subject);
        } else {
            if all_soft_deleted {
                return Err(RegistryError::new(
                    40404,
                    format!("Subject '{subject}' was soft deleted. Set permanent=true to delete permanently"),
                ));
            }
            for entry in &mut state.versions {
                entry.deleted = true;
            }
        }
        self.save_change(Some(subject), None)?;
        Ok(versions)
    }
}

impl Store {
    /// Whether a live version of any subject refers to `subject` `version`.
    fn referenced(&self, subject: &str, version: u32) -> bool {
        self.every_version()
            .filter(|(_, entry)| !entry.deleted)
            .any(|(_, entry)| {
                self.state.schemas.get(&entry.id).is_some_and(|schema| {
                    schema.references.iter().any(|reference| {
                        reference.subject == subject && reference.version == version
                    })
                })
            })
    }
}

/// Confluent's answer to deleting a version other schemas refer to.
fn referenced_error(subject: &str, version: u32) -> RegistryError {
    RegistryError::new(
        42206,
        format!(
            "One or more references exist to the schema {{subject={subject},version={version}}}; delete the schemas that refer to it first"
        ),
    )
}
