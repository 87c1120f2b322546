//! Git access: the repository around a catalog, the baseline a check compares against, and the
//! catalog as it was at a commit ([`GitTree`]), read from Git objects without a checkout.

use std::path::Path;
use std::sync::Mutex;

use git2::{ObjectType, Oid, Repository};

use crate::tree::{
    CatalogPath, DirEntry, EntryKind, FileTree, GitEntry, TreeError, MAX_FILE_BYTES,
};

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GitError {
    #[error("{0} is not inside a Git repository")]
    #[diagnostic(
        code(evcat::not_a_repository),
        help("`evcat check` compares the catalog with its Git history; run `git init` and commit the catalog, or use `evcat compat` on files")
    )]
    NotARepository(String),
    #[error("unknown revision `{0}`")]
    #[diagnostic(
        code(evcat::unknown_revision),
        help("give a branch, tag or commit that exists locally, e.g. origin/main (run `git fetch` first)")
    )]
    UnknownRevision(String),
    #[error("the baseline commit {0} is not in this clone (it is shallow)")]
    #[diagnostic(
        code(evcat::shallow_clone),
        help("fetch the history: `git fetch --deepen=50` (or `git fetch --unshallow`); in GitHub Actions set `fetch-depth: 0` on actions/checkout")
    )]
    Shallow(String),
    #[error("the repository has no commits yet")]
    #[diagnostic(code(evcat::no_commits), help("commit the catalog first"))]
    NoCommits,
    #[error("{0}")]
    #[diagnostic(code(evcat::git))]
    Git(#[from] git2::Error),
}

/// The repository a catalog lives in.
pub struct CatalogRepository {
    repository: Repository,
    /// The catalog's folder relative to the work tree (`` when at its root).
    prefix: String,
}

/// What a check compares against.
pub enum Baseline {
    /// A commit to compare with, and why it was chosen.
    Commit { id: Oid, description: String },
    /// HEAD is the root commit and the catalog is committed: there is nothing earlier.
    RootCommit,
}

impl CatalogRepository {
    pub fn discover(catalog_root: &Path) -> Result<Self, GitError> {
        // libgit2 re-hashes every object it reads by default, which Git itself does not (it
        // leaves that to `git fsck`): a third of a history walk's time. Reads trust the
        // repository, as git's own commands do. Its object cache is off: evcat reads each tree
        // it needs once (or keeps what it reuses), and in a packed repository the cache held
        // 60 MiB of trees at 50,000 events (check peaked at 313 MiB with it, 249 MiB without,
        // in the same time; history and the site took the same time too).
        static TRUST_OBJECTS: std::sync::Once = std::sync::Once::new();
        TRUST_OBJECTS.call_once(|| {
            git2::opts::strict_hash_verification(false);
            git2::opts::enable_caching(false);
        });
        let repository = Repository::discover(catalog_root)
            .map_err(|_| GitError::NotARepository(catalog_root.display().to_string()))?;
        let workdir = repository
            .workdir()
            .ok_or_else(|| GitError::NotARepository(catalog_root.display().to_string()))?;
        let workdir = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
        let root =
            std::fs::canonicalize(catalog_root).unwrap_or_else(|_| catalog_root.to_path_buf());
        let prefix = root
            .strip_prefix(&workdir)
            .map(|relative| relative.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        Ok(CatalogRepository { repository, prefix })
    }

    pub fn repository(&self) -> &Repository {
        &self.repository
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The commit HEAD points at.
    pub fn head(&self) -> Result<Oid, GitError> {
        match self.repository.head() {
            Ok(head) => Ok(head.peel_to_commit()?.id()),
            Err(_) => Err(GitError::NoCommits),
        }
    }

    /// Whether HEAD's commit is on `branch` (its tip or an ancestor of it). The local branch is
    /// asked first, then `origin/<branch>`, as CI checkouts often have only the remote one.
    /// `None` when neither exists.
    pub fn head_on_branch(&self, branch: &str) -> Result<Option<bool>, GitError> {
        let head = self.head()?;
        let tip = [
            format!("refs/heads/{branch}"),
            format!("refs/remotes/origin/{branch}"),
        ]
        .iter()
        .find_map(|name| self.repository.find_reference(name).ok())
        .and_then(|reference| reference.peel_to_commit().ok());
        let Some(tip) = tip else {
            return Ok(None);
        };
        let tip = tip.id();
        Ok(Some(
            tip == head || self.repository.graph_descendant_of(tip, head)?,
        ))
    }

    /// The baseline: the merge base of HEAD and `against`, else HEAD when the catalog has
    /// uncommitted changes (`catalog_dirty` tells, asked only when needed), else HEAD's parent.
    pub fn baseline(
        &self,
        against: Option<&str>,
        catalog_dirty: impl FnOnce() -> Result<bool, GitError>,
    ) -> Result<Baseline, GitError> {
        let head = match self.repository.head() {
            Ok(head) => head.peel_to_commit()?,
            Err(_) => return Err(GitError::NoCommits),
        };
        if let Some(revision) = against {
            let object = self
                .repository
                .revparse_single(revision)
                .map_err(|_| self.unresolved(revision))?;
            let target = object.peel_to_commit()?;
            let base = self
                .repository
                .merge_base(head.id(), target.id())
                .map_err(|_| {
                    if self.repository.is_shallow() {
                        GitError::Shallow(format!("merge base of HEAD and {revision}"))
                    } else {
                        GitError::UnknownRevision(format!(
                            "{revision} (no common ancestor with HEAD)"
                        ))
                    }
                })?;
            return Ok(Baseline::Commit {
                id: base,
                description: format!("merge base of HEAD and {revision}"),
            });
        }
        if catalog_dirty()? {
            return Ok(Baseline::Commit {
                id: head.id(),
                description: "HEAD (the catalog has uncommitted changes)".to_string(),
            });
        }
        match head.parent_ids().next() {
            Some(parent) if self.repository.find_commit(parent).is_ok() => Ok(Baseline::Commit {
                id: parent,
                description: "HEAD's parent".to_string(),
            }),
            Some(parent) => Err(GitError::Shallow(short(parent))),
            // A shallow clone shows its oldest fetched commit without parents.
            None if self.is_shallow_boundary(head.id()) => Err(GitError::Shallow(format!(
                "the parent of {}",
                short(head.id())
            ))),
            None => Ok(Baseline::RootCommit),
        }
    }

    /// Why `revision` does not resolve: a name that does not exist is unknown, shallow clone or
    /// not; a commit id or an ancestor (`~`, `^`) missing from a shallow clone is the cut.
    fn unresolved(&self, revision: &str) -> GitError {
        let names_history = revision.contains(['~', '^'])
            || (revision.len() >= 4 && revision.chars().all(|ch| ch.is_ascii_hexdigit()));
        if self.repository.is_shallow() && names_history {
            GitError::Shallow(revision.to_string())
        } else {
            GitError::UnknownRevision(revision.to_string())
        }
    }

    /// Whether `commit` is where a shallow clone's history was cut (listed in `.git/shallow`).
    fn is_shallow_boundary(&self, commit: Oid) -> bool {
        self.repository.is_shallow()
            && std::fs::read_to_string(self.repository.path().join("shallow"))
                .is_ok_and(|list| list.lines().any(|line| line.trim() == commit.to_string()))
    }

    /// The catalog as it was at `commit`.
    pub fn tree_at(&self, commit: Oid) -> Result<GitTree, GitError> {
        self.tree_opener(commit).open()
    }

    /// What [`CatalogRepository::tree_at`] needs, to do it on another thread.
    pub fn tree_opener(&self, commit: Oid) -> TreeOpener {
        TreeOpener {
            path: self.repository.path().to_path_buf(),
            prefix: self.prefix.clone(),
            commit,
        }
    }

    /// Commits from `start` back through first parents, newest first (`start` included), and
    /// why the walk ended.
    pub fn first_parent_history(&self, start: Oid, limit: usize) -> FirstParentHistory {
        let mut commits = Vec::new();
        let mut current = Some(start);
        while let Some(id) = current {
            if commits.len() >= limit {
                return FirstParentHistory {
                    commits,
                    end: HistoryEnd::Limit,
                };
            }
            let Ok(commit) = self.repository.find_commit(id) else {
                // A parent that is not in this clone: the history of a shallow clone ends here.
                return FirstParentHistory {
                    commits,
                    end: HistoryEnd::Shallow,
                };
            };
            commits.push(id);
            current = commit.parent_ids().next();
            if current.is_none() && self.is_shallow_boundary(id) {
                return FirstParentHistory {
                    commits,
                    end: HistoryEnd::Shallow,
                };
            }
        }
        FirstParentHistory {
            commits,
            end: HistoryEnd::Root,
        }
    }
}

/// Opens the catalog's tree at a commit, on any thread (see [`CatalogRepository::tree_opener`]).
pub struct TreeOpener {
    path: std::path::PathBuf,
    prefix: String,
    commit: Oid,
}

impl TreeOpener {
    pub fn open(self) -> Result<GitTree, GitError> {
        GitTree::new(Repository::open(&self.path)?, self.commit, &self.prefix)
    }
}

/// The commits of a first-parent walk, newest first, and why it ended.
pub struct FirstParentHistory {
    pub commits: Vec<Oid>,
    pub end: HistoryEnd,
}

/// Why a history walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryEnd {
    /// At the repository's first commit: the whole history was seen.
    Root,
    /// At a shallow clone's boundary: older commits are not in this clone.
    Shallow,
    /// At the walk's limit on commits.
    Limit,
}

/// How deep a folder `CommitView` keeps may be, in `/`s: `domains/<d>/events` has two.
const KEPT_FOLDER_DEPTH: usize = 3;

/// A light view of the catalog at a commit: trees are navigated on demand, nothing is indexed.
/// For history walks, which visit many commits but few folders of each.
pub struct CommitView<'r> {
    repository: &'r Repository,
    root: Option<git2::Tree<'r>>,
    /// Folders looked up, by path: a walk reads many files of the same folders, and each
    /// lookup from the root would inflate every tree on the way again.
    trees: std::cell::RefCell<std::collections::HashMap<String, Option<git2::Tree<'r>>>>,
}

impl CatalogRepository {
    pub fn view(&self, commit: Oid) -> Result<CommitView<'_>, GitError> {
        let tree = self.repository.find_commit(commit)?.tree()?;
        let root = if self.prefix.is_empty() {
            Some(tree)
        } else {
            tree.get_path(Path::new(&self.prefix))
                .ok()
                .filter(|entry| entry.kind() == Some(ObjectType::Tree))
                .and_then(|entry| self.repository.find_tree(entry.id()).ok())
        };
        Ok(CommitView {
            repository: &self.repository,
            root,
            trees: std::cell::RefCell::default(),
        })
    }
}

impl<'r> CommitView<'r> {
    fn entry(&self, path: &CatalogPath) -> Option<git2::TreeEntry<'static>> {
        let (dir, name) = path
            .as_str()
            .rsplit_once('/')
            .unwrap_or(("", path.as_str()));
        let tree = self.tree_at(dir)?;
        let entry = tree.get_name(name)?.to_owned();
        Some(entry)
    }

    /// The folder at `dir` (`""`: the root), remembered for this commit.
    fn tree_at(&self, dir: &str) -> Option<git2::Tree<'r>> {
        if dir.is_empty() {
            return self.root.clone();
        }
        if let Some(known) = self.trees.borrow().get(dir) {
            return known.clone();
        }
        let (parent, name) = dir.rsplit_once('/').unwrap_or(("", dir));
        let tree = self.tree_at(parent).and_then(|parent| {
            let entry = parent.get_name(name)?;
            if entry.kind() != Some(ObjectType::Tree) {
                return None;
            }
            self.repository.find_tree(entry.id()).ok()
        });
        // Only the folders many files share (`domains/<d>/events` and above) are kept: keeping
        // every event's folder held 40 MiB more at 50,000 events for lookups made once or twice.
        if dir.matches('/').count() < KEPT_FOLDER_DEPTH {
            self.trees
                .borrow_mut()
                .insert(dir.to_string(), tree.clone());
        }
        tree
    }

    /// The blob id of a file.
    pub fn blob_id(&self, path: &CatalogPath) -> Option<Oid> {
        self.entry(path)
            .filter(|entry| entry.kind() == Some(ObjectType::Blob))
            .map(|entry| entry.id())
    }

    /// The entries of a folder of one kind (trees or blobs): name and object id.
    fn children(&self, dir: &CatalogPath, kind: ObjectType) -> Vec<(String, Oid)> {
        self.tree_at(dir.as_str())
            .map(|tree| {
                tree.iter()
                    .filter(|entry| entry.kind() == Some(kind))
                    .filter_map(|entry| Some((entry.name().ok()?.to_string(), entry.id())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The folders in a folder, each with its tree id (equal ids: equal contents).
    pub fn folder_ids(&self, dir: &CatalogPath) -> Vec<(String, Oid)> {
        self.children(dir, ObjectType::Tree)
    }

    /// The names of the folders in a folder.
    pub fn folders(&self, dir: &CatalogPath) -> Vec<String> {
        let folders = self.children(dir, ObjectType::Tree);
        folders.into_iter().map(|(name, _)| name).collect()
    }

    /// The names of the files in a folder.
    pub fn files(&self, dir: &CatalogPath) -> Vec<String> {
        let files = self.children(dir, ObjectType::Blob);
        files.into_iter().map(|(name, _)| name).collect()
    }

    /// A blob's bytes; `None` past the catalog's file size limit, as for files on disk.
    pub fn read(&self, id: Oid) -> Option<Vec<u8>> {
        self.repository
            .find_blob(id)
            .ok()
            .filter(|blob| blob.size() as u64 <= MAX_FILE_BYTES)
            .map(|blob| blob.content().to_vec())
    }
}

/// Who made a commit, when, and its first line.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CommitInfo {
    pub id: String,
    pub short: String,
    /// UTC, as `2026-12-02T15:07:36Z`.
    pub date: String,
    pub author: String,
    pub message: String,
}

impl CatalogRepository {
    pub fn commit_info(&self, id: Oid) -> Option<CommitInfo> {
        let commit = self.repository.find_commit(id).ok()?;
        let author = commit.author();
        Some(CommitInfo {
            id: id.to_string(),
            short: short(id),
            date: utc_date(commit.time().seconds()),
            author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            message: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default())
                .into_owned(),
        })
    }
}

/// Seconds since the epoch as an ISO 8601 UTC time (Howard Hinnant's civil-from-days).
pub fn utc_date(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let time = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        time / 3_600,
        time % 3_600 / 60,
        time % 60
    )
}

/// The first characters of a commit id, as people show them.
pub fn short(id: Oid) -> String {
    id.to_string().chars().take(10).collect()
}

#[cfg(test)]
mod date_tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc_date(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::utc_date(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::utc_date(1_796_137_656), "2026-12-01T15:07:36Z");
        assert_eq!(super::utc_date(-1), "1969-12-31T23:59:59Z");
    }
}

#[derive(Clone, Copy)]
struct IndexEntry {
    id: Oid,
    kind: EntryKind,
    symlink: bool,
}

/// The catalog at one commit. One walk of the commit's tree builds a path index; reads then
/// look blobs up by id. The repository sits behind a mutex because libgit2 handles are not Sync.
pub struct GitTree {
    repository: Mutex<Repository>,
    /// Every path, sorted (a sorted list takes a third of a map's memory).
    index: Vec<(Box<str>, IndexEntry)>,
    label: String,
}

impl GitTree {
    fn new(repository: Repository, commit: Oid, prefix: &str) -> Result<Self, GitError> {
        let index = Self::index(&repository, commit, prefix)?;
        // The walk left every tree it parsed in the handle's object cache (35 MiB at 50,000
        // events); later reads are blobs by id, so they go through a fresh handle.
        let repository = Repository::open(repository.path())?;
        Ok(GitTree {
            repository: Mutex::new(repository),
            index,
            label: if prefix.is_empty() {
                short(commit)
            } else {
                format!("{}:{prefix}", short(commit))
            },
        })
    }

    /// Every path of the catalog's folder at `commit`; empty when the folder did not exist.
    fn index(
        repository: &Repository,
        commit: Oid,
        prefix: &str,
    ) -> Result<Vec<(Box<str>, IndexEntry)>, GitError> {
        let mut index = Vec::new();
        let tree = repository.find_commit(commit)?.tree()?;
        let root = if prefix.is_empty() {
            tree
        } else {
            match tree.get_path(Path::new(prefix)) {
                Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                    repository.find_tree(entry.id())?
                }
                _ => return Ok(index),
            }
        };
        root.walk(git2::TreeWalkMode::PreOrder, |directory, entry| {
            let Ok(name) = entry.name() else {
                return git2::TreeWalkResult::Skip;
            };
            let kind = if entry.kind() == Some(ObjectType::Tree) {
                EntryKind::Dir
            } else {
                EntryKind::File
            };
            index.push((
                format!("{directory}{name}").into_boxed_str(),
                IndexEntry {
                    id: entry.id(),
                    kind,
                    symlink: entry.filemode() == 0o120000,
                },
            ));
            git2::TreeWalkResult::Ok
        })?;
        index.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(index)
    }

    fn get(&self, path: &str) -> Option<&IndexEntry> {
        self.index
            .binary_search_by(|(candidate, _)| (**candidate).cmp(path))
            .ok()
            .map(|at| &self.index[at].1)
    }

    /// Every file path in the tree.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.index
            .iter()
            .filter(|(_, entry)| entry.kind == EntryKind::File)
            .map(|(path, _)| &**path)
    }

    /// A blob's bytes, refusing one over the size limit unless `any_size`.
    fn blob(&self, id: Oid, any_size: bool) -> Result<Vec<u8>, TreeError> {
        let repository = self
            .repository
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let blob = repository
            .find_blob(id)
            .map_err(|error| TreeError::Io(std::io::Error::other(error.message().to_string())))?;
        let size = blob.size() as u64;
        if size > MAX_FILE_BYTES && !any_size {
            return Err(TreeError::TooLarge {
                size,
                limit: MAX_FILE_BYTES,
            });
        }
        Ok(blob.content().to_vec())
    }
}

impl FileTree for GitTree {
    fn read(&self, path: &CatalogPath) -> Result<Vec<u8>, TreeError> {
        // Symlinks stored in Git are followed while they stay inside the catalog, as many hops
        // as Linux allows before it says ELOOP.
        let mut current = path.clone();
        for _ in 0..MAX_SYMLINK_HOPS {
            let entry = self.get(current.as_str()).ok_or(TreeError::NotFound)?;
            if entry.kind != EntryKind::File {
                return Err(TreeError::NotAFile);
            }
            if !entry.symlink {
                return self.blob(entry.id, false);
            }
            let target = String::from_utf8_lossy(&self.blob(entry.id, true)?).into_owned();
            current = current
                .parent()
                .join(&target)
                .map_err(|_| TreeError::EscapesRoot)?;
        }
        Err(TreeError::NotAFile)
    }

    fn list(&self, dir: &CatalogPath) -> Result<Vec<DirEntry>, TreeError> {
        let prefix = if dir.is_root() {
            String::new()
        } else {
            format!("{}/", dir.as_str())
        };
        let start = self
            .index
            .partition_point(|(path, _)| **path < *prefix.as_str());
        Ok(self.index[start..]
            .iter()
            .take_while(|(path, _)| path.starts_with(&prefix))
            .filter(|(path, _)| !path[prefix.len()..].contains('/'))
            .filter(|(path, _)| !path[prefix.len()..].starts_with('.'))
            .map(|(path, entry)| DirEntry {
                name: path[prefix.len()..].to_string(),
                kind: entry.kind,
            })
            .collect())
    }

    fn exists(&self, path: &CatalogPath) -> bool {
        self.get(path.as_str())
            .is_some_and(|entry| entry.kind == EntryKind::File)
    }

    fn describe(&self) -> String {
        self.label.clone()
    }

    fn entry(&self, path: &CatalogPath) -> Option<GitEntry> {
        let entry = self
            .get(path.as_str())
            .filter(|entry| entry.kind == EntryKind::File)?;
        let link = if entry.symlink {
            Some(String::from_utf8(self.blob(entry.id, true).ok()?).ok()?)
        } else {
            None
        };
        Some(GitEntry {
            blob_id: entry.id,
            link,
        })
    }
}

/// How many symlinks a path may pass through before evcat gives up (Linux's limit).
const MAX_SYMLINK_HOPS: usize = 40;

/// The blob id of what a file holds, symlinks followed inside the catalog: equal in two trees
/// exactly when the bytes evcat would read are equal. `None` when the file is missing, leads
/// out of the catalog or is not a file.
pub fn content_id(tree: &dyn FileTree, path: &CatalogPath) -> Option<Oid> {
    content_id_by(|path| tree.entry(path), path)
}

/// [`content_id`] over any source of entries (a cache, for instance).
pub fn content_id_by(
    entry: impl Fn(&CatalogPath) -> Option<GitEntry>,
    path: &CatalogPath,
) -> Option<Oid> {
    let mut current = path.clone();
    for _ in 0..MAX_SYMLINK_HOPS {
        let found = entry(&current)?;
        match found.link_target(&current) {
            None if found.link.is_none() => return Some(found.blob_id),
            None => return None,
            Some(target) => current = target,
        }
    }
    None
}

/// Whether Git would see a difference at `path` between two sources of entries: the entries
/// themselves, and for a symlink inside the catalog, what it leads to (a link is unchanged when
/// its target file is edited).
pub fn entries_differ(
    left: impl Fn(&CatalogPath) -> Option<GitEntry>,
    right: impl Fn(&CatalogPath) -> Option<GitEntry>,
    path: &CatalogPath,
) -> bool {
    let mut current = path.clone();
    for _ in 0..MAX_SYMLINK_HOPS {
        let found = left(&current);
        if found != right(&current) {
            return true;
        }
        match found.and_then(|entry| entry.link_target(&current)) {
            Some(target) => current = target,
            None => return false,
        }
    }
    false
}

/// The blob ids Git's index records for the catalog's files, trusted for a file whose stat data
/// (size, modification and change times, inode) still equal the index's, as `git status`
/// trusts them: a clean work tree is then compared without hashing its files. Entries that
/// could be stale are never trusted: a file modified no earlier than the index was written
/// ("racily clean"), conflicted, assume-valid, skip-worktree or intent-to-add entries.
pub struct IndexedBlobs {
    /// Entries under the catalog's folder, sorted by catalog path.
    entries: Vec<(Box<str>, IndexedFile)>,
    /// When the index was written, as (seconds, nanoseconds).
    written: (i64, i64),
}

impl std::fmt::Debug for IndexedBlobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexedBlobs")
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}

/// The stat fields the index records (their low 32 bits, as Git keeps them) and the blob id.
struct IndexedFile {
    size: u32,
    mtime: (i32, u32),
    ctime: (i32, u32),
    ino: u32,
    id: Oid,
}

const INDEX_ASSUME_VALID: u16 = 0x8000;
const INDEX_STAGE_MASK: u16 = 0x3000;
const INDEX_SKIP_WORKTREE: u16 = 1 << 14;
const INDEX_INTENT_TO_ADD: u16 = 1 << 13;

impl IndexedBlobs {
    /// The index of the repository around the catalog; `None` when it cannot be read (every
    /// file is then hashed, as before).
    pub fn read(repository: &CatalogRepository) -> Option<Self> {
        let index_file = repository.repository.path().join("index");
        let written = file_time(&std::fs::metadata(&index_file).ok()?)?;
        // Opened on its own, not through the repository (which would keep it in memory for as
        // long as the repository lives: 20 MiB at 50,000 events); dropped once copied.
        let index = git2::Index::open(&index_file).ok()?;
        let prefix = match repository.prefix.as_str() {
            "" => String::new(),
            prefix => format!("{prefix}/"),
        };
        let entries = index
            .iter()
            .filter(|entry| {
                entry.flags & (INDEX_ASSUME_VALID | INDEX_STAGE_MASK) == 0
                    && entry.flags_extended & (INDEX_SKIP_WORKTREE | INDEX_INTENT_TO_ADD) == 0
            })
            .filter_map(|entry| {
                let path = std::str::from_utf8(&entry.path).ok()?;
                let path = path.strip_prefix(prefix.as_str())?;
                let file = IndexedFile {
                    size: entry.file_size,
                    mtime: (entry.mtime.seconds(), entry.mtime.nanoseconds()),
                    ctime: (entry.ctime.seconds(), entry.ctime.nanoseconds()),
                    ino: entry.ino,
                    id: entry.id,
                };
                Some((Box::<str>::from(path), file))
            })
            .collect::<Vec<(Box<str>, IndexedFile)>>();
        // Git keeps its index sorted by path; sorted again in case a tool did not.
        let mut entries = entries;
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Some(IndexedBlobs { entries, written })
    }
}

/// A file's modification time as (seconds, nanoseconds) since the epoch.
#[cfg(unix)]
fn file_time(metadata: &std::fs::Metadata) -> Option<(i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.mtime(), metadata.mtime_nsec()))
}

#[cfg(not(unix))]
fn file_time(_metadata: &std::fs::Metadata) -> Option<(i64, i64)> {
    None
}

impl crate::tree::KnownBlobs for IndexedBlobs {
    #[cfg(unix)]
    fn blob_id(&self, path: &CatalogPath, metadata: &std::fs::Metadata) -> Option<Oid> {
        use std::os::unix::fs::MetadataExt;
        let at = self
            .entries
            .binary_search_by(|(candidate, _)| (**candidate).cmp(path.as_str()))
            .ok()?;
        let indexed = &self.entries[at].1;
        let same = indexed.size == metadata.size() as u32
            && indexed.mtime == (metadata.mtime() as i32, metadata.mtime_nsec() as u32)
            && indexed.ctime == (metadata.ctime() as i32, metadata.ctime_nsec() as u32)
            && indexed.ino == metadata.ino() as u32;
        let racy = (metadata.mtime(), metadata.mtime_nsec()) >= self.written;
        (same && !racy).then_some(indexed.id)
    }

    #[cfg(not(unix))]
    fn blob_id(&self, _path: &CatalogPath, _metadata: &std::fs::Metadata) -> Option<Oid> {
        None
    }
}
