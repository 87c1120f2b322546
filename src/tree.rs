//! A read-only tree of files, addressed by catalog-relative paths.
//!
//! The catalog loader reads through [`FileTree`] only, so the same code loads the working copy
//! ([`DiskTree`]) and, later, the catalog as it was at any Git commit, straight from Git objects.
//!
//! Paths are [`CatalogPath`]s: `/`-separated, relative to the catalog root, normalized, and
//! guaranteed not to leave the root. A path that would climb out (`..`, an absolute path) cannot
//! be built, and a symlink that resolves outside the root cannot be read.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The largest file the loader reads. Catalog files are small; anything bigger is a mistake
/// (a data dump committed by accident) and reading it would only cost time and memory.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// A normalized path inside the catalog, e.g. `domains/payments/events/Paid/event.yaml`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CatalogPath(String);

/// Why a user-written relative path cannot become a [`CatalogPath`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error(
        "`{0}` is an absolute path; paths in the catalog are relative to the file that names them"
    )]
    Absolute(String),
    #[error("`{0}` climbs out of the catalog root")]
    EscapesRoot(String),
    #[error("the path is empty")]
    Empty,
}

impl CatalogPath {
    /// The catalog root itself.
    pub fn root() -> Self {
        CatalogPath(String::new())
    }

    /// Builds a path from a relative, `/`-separated string, resolving `.` and `..`.
    pub fn parse(relative: &str) -> Result<Self, PathError> {
        Self::root().join(relative)
    }

    /// Joins a user-written relative path (from a YAML file, an import) onto this directory.
    pub fn join(&self, relative: &str) -> Result<Self, PathError> {
        if relative.is_empty() {
            return Err(PathError::Empty);
        }
        if relative.starts_with('/') || relative.starts_with('\\') || has_drive_prefix(relative) {
            return Err(PathError::Absolute(relative.to_string()));
        }
        let mut parts: Vec<&str> = self.segments().collect();
        for segment in relative.split(['/', '\\']) {
            match segment {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(PathError::EscapesRoot(relative.to_string()));
                    }
                }
                other => parts.push(other),
            }
        }
        Ok(CatalogPath(parts.join("/")))
    }

    /// Appends one plain name (a directory entry) to this path.
    pub fn child(&self, name: &str) -> Self {
        if self.0.is_empty() {
            CatalogPath(name.to_string())
        } else {
            CatalogPath(format!("{}/{}", self.0, name))
        }
    }

    pub fn parent(&self) -> CatalogPath {
        match self.0.rfind('/') {
            Some(index) => CatalogPath(self.0[..index].to_string()),
            None => CatalogPath::root(),
        }
    }

    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or("")
    }

    pub fn extension(&self) -> Option<&str> {
        let name = self.file_name();
        name.rfind('.').map(|dot| &name[dot + 1..])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|segment| !segment.is_empty())
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether this path is `dir` or inside it (by whole segments).
    pub fn starts_with(&self, dir: &CatalogPath) -> bool {
        dir.is_root()
            || self.0 == dir.0
            || (self.0.starts_with(&dir.0) && self.0.as_bytes().get(dir.0.len()) == Some(&b'/'))
    }
}

fn has_drive_prefix(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

impl fmt::Display for CatalogPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str(".")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// What kind of entry a directory listing holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub kind: EntryKind,
}

/// Why a file in the tree could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    #[error("no such file")]
    NotFound,
    #[error("it is a symlink that points outside the catalog")]
    EscapesRoot,
    #[error("it is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("it is not a regular file")]
    NotAFile,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A read-only tree of files. Implementations must never hand out anything outside their root.
pub trait FileTree: Send + Sync {
    /// The file's bytes; [`TreeError::TooLarge`] past [`MAX_FILE_BYTES`].
    fn read(&self, path: &CatalogPath) -> Result<Vec<u8>, TreeError>;

    /// The entries of a directory, sorted by name; an empty list when it does not exist.
    fn list(&self, dir: &CatalogPath) -> Result<Vec<DirEntry>, TreeError>;

    /// Whether a file is there, even one that [`FileTree::read`] will refuse (a symlink out).
    fn exists(&self, path: &CatalogPath) -> bool;

    /// How to show the tree's root to a person (a directory, or `rev:dir`).
    fn describe(&self) -> String;

    /// The entry at `path` as Git records it: a file's blob id, or a symlink's (the blob of its
    /// target text) with the target. `None` when there is no file or symlink there. Unlike
    /// [`FileTree::read`], no size limit applies and symlinks are not followed, so two trees
    /// agree on an entry exactly when Git would.
    fn entry(&self, path: &CatalogPath) -> Option<GitEntry>;

    /// Drops what was kept to answer [`FileTree::entry`] cheaply, once its caller has every
    /// entry it needs (a check at 50,000 events holds 20 MiB of Git's index otherwise).
    fn forget_known_blobs(&self) {}
}

/// A file or symlink as Git records it (see [`FileTree::entry`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitEntry {
    /// The Git blob id.
    pub blob_id: git2::Oid,
    /// For a symlink, the target as written in the link.
    pub link: Option<String>,
}

impl GitEntry {
    /// Where a symlink at `path` leads, when it stays inside the catalog.
    pub fn link_target(&self, path: &CatalogPath) -> Option<CatalogPath> {
        path.parent().join(self.link.as_deref()?).ok()
    }
}

/// The Git blob id of some bytes.
pub fn blob_id_of(bytes: &[u8]) -> Option<git2::Oid> {
    git2::Oid::hash_object(git2::ObjectType::Blob, bytes).ok()
}

/// The catalog as it is on disk.
#[derive(Debug)]
pub struct DiskTree {
    root: PathBuf,
    /// Folders already known to stay inside the root (or not): each is checked once.
    checked_dirs: Mutex<HashMap<CatalogPath, bool>>,
    known_blobs: Mutex<Option<Box<dyn KnownBlobs>>>,
}

/// Blob ids known without reading a file, for files whose stat data shows they did not change
/// since they were recorded (Git's index): [`FileTree::entry`] then hashes only what may differ.
pub trait KnownBlobs: Send + Sync + fmt::Debug {
    fn blob_id(&self, path: &CatalogPath, metadata: &fs::Metadata) -> Option<git2::Oid>;
}

impl DiskTree {
    /// A tree rooted at `root`, which must be an existing directory.
    pub fn new(root: &Path) -> std::io::Result<Self> {
        let root = fs::canonicalize(root)?;
        Ok(DiskTree {
            root,
            checked_dirs: Mutex::new(HashMap::new()),
            known_blobs: Mutex::new(None),
        })
    }

    /// Takes blob ids from `known` where it vouches for a file, instead of hashing the file.
    pub fn with_known_blobs(self, known: Box<dyn KnownBlobs>) -> Self {
        *self
            .known_blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(known);
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn disk_path(&self, path: &CatalogPath) -> PathBuf {
        let mut full = self.root.clone();
        full.extend(path.segments());
        full
    }

    /// Whether `path`, if it is a symlink, resolves inside the root (plain entries always do).
    fn entry_inside(&self, path: &CatalogPath) -> Result<bool, TreeError> {
        let full = self.disk_path(path);
        let metadata = match fs::symlink_metadata(&full) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(TreeError::NotFound)
            }
            Err(error) => return Err(TreeError::Io(error)),
        };
        if !metadata.file_type().is_symlink() {
            return Ok(true);
        }
        match fs::canonicalize(&full) {
            Ok(resolved) => Ok(resolved.starts_with(&self.root)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(TreeError::NotFound),
            Err(error) => Err(TreeError::Io(error)),
        }
    }

    /// Whether a folder and every folder above it stay inside the root; remembered per folder,
    /// so a catalog of many files costs one `lstat` per folder rather than a full path
    /// resolution per file.
    fn dir_inside(&self, dir: &CatalogPath) -> Result<bool, TreeError> {
        if dir.is_root() {
            return Ok(true);
        }
        if let Some(&known) = self
            .checked_dirs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(dir)
        {
            return Ok(known);
        }
        let inside = self.dir_inside(&dir.parent())? && self.entry_inside(dir)?;
        self.checked_dirs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(dir.clone(), inside);
        Ok(inside)
    }

    /// Opens a file, refusing one that resolves outside the root. On Unix a plain file is opened
    /// with `O_NOFOLLOW`, so only symlinks pay for resolving where they lead.
    fn open_inside(&self, path: &CatalogPath) -> Result<fs::File, TreeError> {
        if !self.dir_inside(&path.parent())? {
            return Err(TreeError::EscapesRoot);
        }
        let full = self.disk_path(path);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            match reading_without_blocking()
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                .open(&full)
            {
                Ok(file) => return Ok(file),
                // A symlink: resolved below.
                Err(error) if error.raw_os_error() == Some(libc::ELOOP) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    return Err(TreeError::NotFound)
                }
                Err(error) => return Err(TreeError::Io(error)),
            }
        }
        if !self.entry_inside(path)? {
            return Err(TreeError::EscapesRoot);
        }
        reading_without_blocking()
            .open(&full)
            .map_err(|error| match error.kind() {
                std::io::ErrorKind::NotFound => TreeError::NotFound,
                _ => TreeError::Io(error),
            })
    }

    /// The disk path of an entry, refusing one that resolves outside the root.
    fn resolve_inside(&self, path: &CatalogPath) -> Result<PathBuf, TreeError> {
        if !self.dir_inside(&path.parent())? || !self.entry_inside(path)? {
            return Err(TreeError::EscapesRoot);
        }
        Ok(self.disk_path(path))
    }
}

/// Options to open a file for reading without waiting: O_NONBLOCK, because opening a FIFO for
/// reading would otherwise wait for a writer forever (the reader then refuses anything that is
/// not a regular file).
fn reading_without_blocking() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options
}

/// The bytes of an open file, refusing anything but a regular file of at most `limit` bytes.
fn read_regular(file: fs::File, limit: u64) -> Result<Vec<u8>, TreeError> {
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(TreeError::NotAFile);
    }
    if metadata.len() > limit {
        return Err(TreeError::TooLarge {
            size: metadata.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // Read at most one byte past the limit, in case the file grew after the metadata call.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(TreeError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Reads a file named outside the catalog (on the command line, or in settings: a CA bundle, a
/// credential file): a regular file of at most `limit` bytes. A FIFO or device is refused
/// without blocking on it.
pub fn read_os_file(path: &Path, limit: u64) -> Result<Vec<u8>, TreeError> {
    let file = reading_without_blocking()
        .open(path)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => TreeError::NotFound,
            _ => TreeError::Io(error),
        })?;
    read_regular(file, limit)
}

impl FileTree for DiskTree {
    fn read(&self, path: &CatalogPath) -> Result<Vec<u8>, TreeError> {
        read_regular(self.open_inside(path)?, MAX_FILE_BYTES)
    }

    fn list(&self, dir: &CatalogPath) -> Result<Vec<DirEntry>, TreeError> {
        let resolved = match self.resolve_inside(dir) {
            Ok(resolved) => resolved,
            Err(TreeError::NotFound) => return Ok(Vec::new()),
            Err(error) => return Err(error),
        };
        if !resolved.is_dir() {
            return Ok(Vec::new());
        }
        let mut entries = Vec::new();
        // The folder is inside the root (resolved above), so each real folder in it is too:
        // remembered, so reading their files costs no `lstat` of the folder.
        let mut inside = vec![dir.clone()];
        for entry in fs::read_dir(&resolved)? {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue; // Names that are not UTF-8 cannot be named in the catalog either.
            };
            if name.starts_with('.') {
                continue;
            }
            // The entry's own type comes with the listing; only a symlink costs a `stat`, which
            // follows it, so a link to a directory lists as a directory.
            let is_dir = match entry.file_type() {
                Ok(kind) if kind.is_symlink() => {
                    fs::metadata(entry.path()).is_ok_and(|m| m.is_dir())
                }
                Ok(kind) => {
                    if kind.is_dir() {
                        inside.push(dir.child(&name));
                    }
                    kind.is_dir()
                }
                Err(_) => false,
            };
            let kind = if is_dir {
                EntryKind::Dir
            } else {
                EntryKind::File
            };
            entries.push(DirEntry { name, kind });
        }
        self.checked_dirs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(inside.into_iter().map(|dir| (dir, true)));
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    fn exists(&self, path: &CatalogPath) -> bool {
        // `symlink_metadata` does not follow links: a link out of the catalog exists, and reading
        // it then reports the escape instead of a missing file.
        match fs::symlink_metadata(self.disk_path(path)) {
            Ok(metadata) if metadata.file_type().is_symlink() => true,
            Ok(metadata) => metadata.is_file(),
            Err(_) => false,
        }
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn forget_known_blobs(&self) {
        self.known_blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    fn entry(&self, path: &CatalogPath) -> Option<GitEntry> {
        if !self.dir_inside(&path.parent()).ok()? {
            return None;
        }
        let full = self.disk_path(path);
        let metadata = fs::symlink_metadata(&full).ok()?;
        if metadata.file_type().is_symlink() {
            let target = fs::read_link(&full).ok()?;
            let target = target.to_str()?.to_string();
            return Some(GitEntry {
                blob_id: blob_id_of(target.as_bytes())?,
                link: Some(target),
            });
        }
        if !metadata.is_file() {
            return None; // A FIFO or device is never opened: reading it could block forever.
        }
        let known = self
            .known_blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|known| known.blob_id(path, &metadata));
        if let Some(id) = known {
            return Some(GitEntry {
                blob_id: id,
                link: None,
            });
        }
        // Hashed as a stream, so a file over the read limit still has its id.
        let id = git2::Oid::hash_file(git2::ObjectType::Blob, &full).ok()?;
        Some(GitEntry {
            blob_id: id,
            link: None,
        })
    }
}

/// Finds the catalog root: `explicit` when given, else the nearest directory holding `evcat.yaml`
/// from `start` upward.
pub fn discover_root(explicit: Option<&Path>, start: &Path) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.to_path_buf());
    }
    let mut current = Some(start);
    while let Some(dir) = current {
        if dir.join(crate::catalog::SETTINGS_FILE).is_file() {
            return Some(dir.to_path_buf());
        }
        current = dir.parent();
    }
    None
}

/// Turns an OS path under `root` into a catalog path (for paths given on the command line).
pub fn to_catalog_path(root: &Path, path: &Path) -> Option<CatalogPath> {
    let relative = path.strip_prefix(root).ok()?;
    let mut result = CatalogPath::root();
    for component in relative.components() {
        match component {
            Component::Normal(name) => result = result.child(name.to_str()?),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_normalizes_and_refuses_escapes() {
        let dir = CatalogPath::parse("domains/pay/events/Paid").unwrap();
        assert_eq!(
            dir.join("examples/./a.json").unwrap().as_str(),
            "domains/pay/events/Paid/examples/a.json"
        );
        assert_eq!(
            dir.join("../../schemas/money.avsc").unwrap().as_str(),
            "domains/pay/schemas/money.avsc"
        );
        assert!(matches!(
            dir.join("../../../../../etc/passwd"),
            Err(PathError::EscapesRoot(_))
        ));
        assert!(matches!(
            dir.join("/etc/passwd"),
            Err(PathError::Absolute(_))
        ));
        assert!(matches!(dir.join("C:\\x"), Err(PathError::Absolute(_))));
        assert!(matches!(dir.join(""), Err(PathError::Empty)));
    }

    #[test]
    fn path_parts() {
        let path = CatalogPath::parse("a/b/schema.avsc").unwrap();
        assert_eq!(path.file_name(), "schema.avsc");
        assert_eq!(path.extension(), Some("avsc"));
        assert_eq!(path.parent().as_str(), "a/b");
        assert_eq!(CatalogPath::root().to_string(), ".");
    }
}
