//! `evcat site`: the catalog as a static website, rendered from the discovery model (the same
//! one `list`, `show` and `search` use) and the events' histories from one walk of Git.
//!
//! Flow: `Discovery::build(Fields)` → `history::histories` for every event → every page rendered
//! on all cores ([`pages`], [`event_page`]; HTML through maud, which escapes every value) and
//! written at once into a fresh folder beside the output → the search index ([`search_index`]) →
//! the folder replaces the output, so a failed build never leaves half a site.

mod event_page;
mod highlight;
pub mod layout;
mod pages;
pub mod search_index;
pub mod serve;
mod svg;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::catalog::{Catalog, EventId};
use crate::discover::{Detail, Discovery};
use crate::git::CatalogRepository;
use crate::history::EventHistory;
use layout::PagePath;

/// A file in the output folder that says evcat built it: only such a folder is replaced.
pub const MARKER: &str = ".evcat-site";

const STYLE: &str = include_str!("assets/site.css");
const SCRIPT: &str = include_str!("assets/search.js");

/// How many changes the home page lists.
const RECENT: usize = 25;

pub struct SiteOptions {
    pub out: PathBuf,
    pub title: Option<String>,
    /// Where the site is published, for `sitemap.xml`.
    pub base_url: Option<String>,
    /// How many events' histories are walked and held at once ([`HISTORY_BATCH`]).
    pub history_batch: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} exists and was not built by evcat (no {MARKER} in it): refusing to replace it; \
         choose another --out or remove it"
    )]
    NotASite { path: PathBuf },
}

/// What a build wrote.
#[derive(Debug)]
pub struct SiteSummary {
    pub pages: usize,
    pub files: usize,
    pub bytes: u64,
}

/// What every page renders from.
pub struct Site<'a> {
    pub catalog: &'a Catalog,
    pub discovery: &'a Discovery,
    pub title: String,
    pub recent: Vec<RecentChange>,
}

/// A line of the home page's recent changes.
pub struct RecentChange {
    pub date: String,
    pub event: String,
    pub what: String,
    pub breaking: bool,
    pub commit: String,
    pub message: String,
}

pub fn build(
    catalog: &Catalog,
    repository: Option<&CatalogRepository>,
    options: &SiteOptions,
) -> Result<SiteSummary, SiteError> {
    let discovery = Discovery::build(catalog, Detail::Fields);
    let mut site = Site {
        catalog,
        discovery: &discovery,
        title: options
            .title
            .clone()
            .unwrap_or_else(|| discovery.catalog.clone()),
        recent: Vec::new(),
    };
    let staging = Staging::begin(&options.out)?;
    match render(&mut site, repository, options, &staging) {
        Ok(written) => staging.finish(&written),
        Err(error) => {
            staging.abandon();
            Err(error)
        }
    }
}

/// Renders every file of the site into `staging` as it goes (a page is written as soon as it
/// is rendered, so the site is never held in memory whole); returns each file's path and size.
/// The event pages come first: the home page lists the recent changes found in their histories.
fn render(
    site: &mut Site<'_>,
    repository: Option<&CatalogRepository>,
    options: &SiteOptions,
    staging: &Staging,
) -> Result<Written, SiteError> {
    let batch = options.history_batch.max(1);
    let (mut written, recent) = event_pages(site, repository, batch, staging)?;
    site.recent = recent;
    let site = &*site;
    let discovery = site.discovery;
    let put = |path: PagePath, html: String| staging.put(path.as_str(), &html);
    written.push(put(PagePath::home(), pages::home(site))?);
    written.push(put(PagePath::map(), pages::domain_map(site))?);
    let others: Vec<Vec<(String, u64)>> = [
        (discovery.domains.par_iter())
            .map(|d| put(PagePath::domain(&d.name), pages::domain(site, d)))
            .collect::<Result<_, _>>()?,
        (discovery.services.par_iter())
            .map(|s| put(PagePath::service(&s.name), pages::service(site, s)))
            .collect::<Result<_, _>>()?,
        (discovery.teams.par_iter())
            .map(|t| put(PagePath::team(&t.id), pages::team(site, t)))
            .collect::<Result<_, _>>()?,
        (discovery.schemas.par_iter())
            .map(|s| put(PagePath::schema(&s.path), pages::shared_schema(site, s)))
            .collect::<Result<_, _>>()?,
    ]
    .into();
    written.extend(others.into_iter().flatten());
    if let Some(base) = options.base_url.as_deref() {
        let map = sitemap(base, &written);
        written.push(staging.put("sitemap.xml", &map)?);
    }
    written.push(staging.put("assets/site.css", STYLE)?);
    written.push(staging.put("assets/search.js", SCRIPT)?);
    for (path, content) in search_index::files(discovery) {
        written.push(staging.put(&path, &content)?);
    }
    written.push(staging.put(MARKER, "evcat site\n")?);
    Ok(written)
}

/// The files written: each one's path in the site and size.
type Written = Vec<(String, u64)>;

/// How many events' histories are walked and held at once. A history holds every parsed
/// version of the event's schemas (transitive levels compare against all of them), so the site
/// of a catalog with a long history would otherwise hold all of it: over 8 GiB for 10,000 events
/// with 20 versions each, 630 MiB in batches of 500. Each batch walks the commits again, which
/// costs little: unchanged domains and event folders are skipped by their tree ids.
pub const HISTORY_BATCH: usize = 500;

/// The event pages, with each event's history from Git when there is a repository, and the
/// most recent changes among those histories.
fn event_pages(
    site: &Site<'_>,
    repository: Option<&CatalogRepository>,
    batch_size: usize,
    staging: &Staging,
) -> Result<(Written, Vec<RecentChange>), SiteError> {
    let mut written = Vec::with_capacity(site.discovery.events.len());
    let mut recent = Vec::new();
    for batch in site.discovery.events.chunks(batch_size) {
        let histories = repository.and_then(|repository| {
            let ids: Vec<EventId> = batch
                .iter()
                .map(|event| EventId {
                    domain: event.domain.clone(),
                    name: event.name.clone(),
                })
                .collect();
            crate::history::histories(repository, &ids).ok()
        });
        let pages: Written = batch
            .par_iter()
            .enumerate()
            .map(|(index, event)| {
                let history = histories.as_ref().and_then(|all| all.get(index));
                let html = event_page::event(site, event, history);
                staging.put(PagePath::event(&event.id).as_str(), &html)
            })
            .collect::<Result<_, _>>()?;
        written.extend(pages);
        if let Some(histories) = &histories {
            recent.extend(recent_changes(histories));
        }
    }
    Ok((written, most_recent(recent)))
}

fn sitemap(base: &str, files: &[(String, u64)]) -> String {
    let base = base.trim_end_matches('/');
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, _) in files
        .iter()
        .filter(|(path, _)| path.ends_with("index.html"))
    {
        let page = path.trim_end_matches("index.html");
        let url = maud::html! { (format!("{base}/{page}")) }.into_string();
        xml.push_str(&format!("  <url><loc>{url}</loc></url>\n"));
    }
    xml.push_str("</urlset>\n");
    xml
}

/// The newest schema versions and manifest changes over all events.
fn recent_changes(histories: &[EventHistory]) -> Vec<RecentChange> {
    let mut changes: Vec<RecentChange> = Vec::new();
    for history in histories {
        for version in &history.versions {
            let breaking = version.verdict.as_ref().is_some_and(|v| !v.compatible);
            changes.push(RecentChange {
                date: version.commit.date.clone(),
                event: history.event.clone(),
                what: format!("{} schema v{}", version.role.as_str(), version.number),
                breaking,
                commit: version.commit.short.clone(),
                message: version.commit.message.clone(),
            });
        }
        for change in &history.changes {
            changes.push(RecentChange {
                date: change.commit.date.clone(),
                event: history.event.clone(),
                what: change.what.join("; "),
                breaking: false,
                commit: change.commit.short.clone(),
                message: change.commit.message.clone(),
            });
        }
    }
    most_recent(changes)
}

/// The newest [`RECENT`] changes, newest first (then by event: the same list whatever the
/// batches were).
fn most_recent(mut changes: Vec<RecentChange>) -> Vec<RecentChange> {
    changes.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.event.cmp(&b.event)));
    changes.truncate(RECENT);
    changes
}

/// A new folder beside the output that receives the site's files; [`Staging::finish`] puts it
/// in the output's place, so a failed build never leaves half a site.
struct Staging {
    out: PathBuf,
    dir: PathBuf,
}

fn write_failed(path: &Path) -> impl FnOnce(std::io::Error) -> SiteError {
    let path = path.to_path_buf();
    move |source| SiteError::Write { path, source }
}

impl Staging {
    fn begin(out: &Path) -> Result<Staging, SiteError> {
        if out.exists() && !out.join(MARKER).is_file() && !is_empty_dir(out) {
            return Err(SiteError::NotASite {
                path: out.to_path_buf(),
            });
        }
        let parent = out
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(write_failed(parent))?;
        let name = out
            .file_name()
            .map_or("site".into(), |name| name.to_string_lossy().to_string());
        let dir = parent.join(format!(".{name}.building-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(write_failed(&dir))?;
        }
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
        })
    }

    /// Writes one file (`path` is relative, `/`-separated); returns its path and size.
    fn put(&self, path: &str, content: &str) -> Result<(String, u64), SiteError> {
        let target = self.dir.join(path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(write_failed(dir))?;
        }
        std::fs::write(&target, content).map_err(write_failed(&target))?;
        Ok((path.to_string(), content.len() as u64))
    }

    fn finish(self, written: &[(String, u64)]) -> Result<SiteSummary, SiteError> {
        let replaced = if self.out.exists() {
            std::fs::remove_dir_all(&self.out)
        } else {
            Ok(())
        };
        if let Err(error) = replaced.and_then(|()| std::fs::rename(&self.dir, &self.out)) {
            let out = self.out.clone();
            self.abandon();
            return Err(write_failed(&out)(error));
        }
        Ok(SiteSummary {
            pages: written
                .iter()
                .filter(|(path, _)| path.ends_with(".html"))
                .count(),
            files: written.len(),
            bytes: written.iter().map(|(_, size)| size).sum(),
        })
    }

    fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}
