//! `evcat site build` and `evcat site serve`: load the catalog, find its Git repository (the
//! site shows history when there is one), build the site, and serve it when asked.

use std::path::{Path, PathBuf};

use clap::Args;

use super::commands::{catalog_root, load_catalog_at};
use super::{CliError, Ui, EXIT_OK};
use crate::site::{SiteOptions, SiteSummary};

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// The folder to write the site into (replaced on each build; it must be a site evcat
    /// built, or empty, or missing).
    #[arg(long, default_value = "site", value_name = "DIR")]
    out: PathBuf,
    /// Where the site will be published (for `sitemap.xml`), e.g. https://acme.github.io/events/.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// The site's title; the catalog's name by default.
    #[arg(long, value_name = "TITLE")]
    title: Option<String>,
}

fn build_site(catalog: Option<&Path>, args: &BuildArgs, ui: &Ui) -> Result<PathBuf, CliError> {
    let root = catalog_root(catalog)?;
    let loaded = load_catalog_at(&root)?;
    if !loaded.findings.is_empty() && !ui.quiet {
        eprintln!(
            "warning: {} file(s) of the catalog have problems and may be missing from the site; \
             run `evcat lint` for details",
            loaded.findings.len()
        );
    }
    let repository = crate::git::CatalogRepository::discover(&root).ok();
    let started = std::time::Instant::now();
    let options = SiteOptions {
        out: args.out.clone(),
        title: args.title.clone(),
        base_url: args.base_url.clone(),
        history_batch: crate::site::HISTORY_BATCH,
    };
    let SiteSummary {
        pages,
        files,
        bytes,
    } = crate::site::build(&loaded.catalog, repository.as_ref(), &options)?;
    if !ui.quiet {
        eprintln!(
            "wrote {pages} pages ({files} files, {:.1} MiB) to {} in {:.1} s",
            bytes as f64 / (1024.0 * 1024.0),
            args.out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(args.out.clone())
}

pub fn build(catalog: Option<&Path>, args: &BuildArgs, ui: &Ui) -> Result<u8, CliError> {
    build_site(catalog, args, ui)?;
    Ok(EXIT_OK)
}

pub fn serve(
    catalog: Option<&Path>,
    args: &BuildArgs,
    listen: std::net::SocketAddr,
    ui: &Ui,
) -> Result<u8, CliError> {
    let dir = build_site(catalog, args, ui)?;
    let listener = std::net::TcpListener::bind(listen).map_err(CliError::Output)?;
    let address = listener.local_addr().map_err(CliError::Output)?;
    eprintln!(
        "serving {} on http://{address}/ (Ctrl-C stops)",
        dir.display()
    );
    crate::site::serve::serve(listener, dir).map_err(CliError::Output)?;
    Ok(EXIT_OK)
}
