//! The scan pipeline, as library calls: resolve the sources, list their
//! records (the "records listed" step, where a filter such as a shard fits),
//! then stream every server through install → probe → store with the
//! crawler ([`crate::crawl::crawl_pending`]). `scan` (cmd/scan.rs) only
//! reads its arguments, calls [`scan`] and the report stages, and prints.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

use crate::crawl::{self, CrawlOptions, CrawlReport, Pending};
use crate::registry::packages::Installer;
use crate::registry::prepare::{prepare_all, PreparedServer};
use crate::registry::{Bundled, ServerRecord, Source};
use crate::store::Store;

/// One source to read, and whether its packages may be launched.
pub struct ResolvedSource {
    pub source: Box<dyn Source>,
    pub allow_exec: bool,
}

/// The sources for `scan`: the bundled registry when none is given (curated,
/// so it launches without `--allow-exec`); any other source launches only
/// with `--allow-exec`.
pub fn resolve_sources(args: &[String], allow_exec: bool) -> anyhow::Result<Vec<ResolvedSource>> {
    if args.is_empty() {
        return Ok(vec![ResolvedSource {
            source: Box::new(Bundled),
            allow_exec: true,
        }]);
    }
    args.iter()
        .map(|a| {
            let source = crate::registry::open(a)?.into_source();
            let curated = a == "bundled";
            Ok(ResolvedSource {
                source,
                allow_exec: allow_exec || curated,
            })
        })
        .collect()
}

/// The identity of a scan's run: the bundled registry by its content (a new
/// registry is a new run), other sources as [`crawl::source_key`].
pub fn run_keys(args: &[String]) -> Vec<String> {
    if args.is_empty() {
        use sha2::{Digest, Sha256};
        let digest = hex::encode(Sha256::digest(crate::registry::BUNDLED_REGISTRY.as_bytes()));
        vec![format!("bundled:{}", &digest[..16])]
    } else {
        args.iter().map(|a| crawl::source_key(a)).collect()
    }
}

/// Every record of the sources with its launch permission, and the sources
/// that could not be read (as `description: error`). A spinner per source
/// when `progress`.
pub async fn list_records(
    sources: &[ResolvedSource],
    progress: bool,
) -> (Vec<(ServerRecord, bool)>, Vec<String>) {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for s in sources {
        let spin = progress.then(|| {
            let spin =
                ProgressBar::new_spinner().with_message(format!("listing {}", s.source.describe()));
            spin.enable_steady_tick(Duration::from_millis(120));
            spin
        });
        match s.source.records().await {
            Ok(recs) => records.extend(recs.into_iter().map(|r| (r, s.allow_exec))),
            Err(e) => errors.push(format!("{}: {e}", s.source.describe())),
        }
        if let Some(spin) = spin {
            spin.finish_and_clear();
        }
    }
    (records, errors)
}

/// What a scan's crawl did.
pub struct Scanned {
    /// `None` when the sources named no servers.
    pub crawled: Option<CrawlReport>,
    /// Sources that could not be read, as `description: error`.
    pub source_errors: Vec<String>,
}

/// Lists the sources and crawls every server they name, streaming each
/// through install (`opts.install_jobs` at once) and probe
/// (`opts.concurrency` at once) into `store`. Crawls nothing when the
/// sources name no servers.
pub fn scan(
    rt: &tokio::runtime::Runtime,
    store: &Arc<Store>,
    sources: &[String],
    allow_exec: bool,
    opts: &CrawlOptions,
) -> anyhow::Result<Scanned> {
    let resolved = resolve_sources(sources, allow_exec)?;
    let (records, source_errors) = rt.block_on(list_records(&resolved, opts.progress));
    // Records listed: a filter over `records` (a shard) goes here.
    if records.is_empty() {
        return Ok(Scanned {
            crawled: None,
            source_errors,
        });
    }
    let pending = records
        .into_iter()
        .map(|(record, allow_exec)| Pending::Listed { record, allow_exec })
        .collect();
    let crawled = crawl::crawl_pending(rt, store, &run_keys(sources), pending, opts)?;
    Ok(Scanned {
        crawled: Some(crawled),
        source_errors,
    })
}

/// What preparation alone produced (`registry prepare`).
pub struct ScanPrep {
    pub servers: Vec<PreparedServer>,
    /// Sources that could not be read, as `description: error`.
    pub source_errors: Vec<String>,
    pub cache_dir: PathBuf,
    pub elapsed: Duration,
}

/// Lists every source and prepares (installs) every server without probing
/// any, `jobs` at a time, calling `on_done` as each finishes.
pub async fn prepare_sources<F>(
    sources: &[String],
    allow_exec: bool,
    installer: &Installer,
    jobs: usize,
    on_done: F,
) -> anyhow::Result<ScanPrep>
where
    F: Fn(&PreparedServer),
{
    let started = Instant::now();
    let resolved = resolve_sources(sources, allow_exec)?;
    let (records, source_errors) = list_records(&resolved, true).await;
    let servers = prepare_all(records, installer, jobs, on_done).await;
    Ok(ScanPrep {
        servers,
        source_errors,
        cache_dir: installer.cache_dir.clone(),
        elapsed: started.elapsed(),
    })
}
