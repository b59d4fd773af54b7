//! The crawl orchestrator: sources → server records → one outcome per server
//! → the store.
//!
//! Each server goes through two stages with their own limits, streaming:
//! its package (if any) is installed (`install_jobs` at once; network and
//! disk bound), then it is probed (`concurrency` at once; CPU bound), and
//! stored, without waiting for the other installs. Preparation is
//! [`prepare_one`] (the one place that decides what may run) unless `scan`
//! prepared it already: a tool list that came with the record gets the
//! checks a served one gets ([`crate::mcp::tools::check`]) and is stored
//! (status `ok`, transport `none`); an unavailable or disallowed record
//! stores its status; anything to launch or reach is probed by
//! [`crate::mcp::probe::probe`]. One failing server is one row, never the
//! end of the crawl.
//!
//! The install cache stays within `cache_budget`: once a server is probed
//! its install is no longer in use, and the least recently used installs
//! not in use are evicted when the cache is over the budget, then the
//! shared stores no install is using are pruned if that was not enough
//! ([`crate::registry::packages::cache`]).
//!
//! A run is identified by its sources: crawling the same sources after an
//! interrupted run resumes it, skipping servers already done unless
//! `refresh`. Every attempt is committed in a transaction by the store's
//! writer, so a SIGKILL at any moment leaves a consistent database.

mod outcome;
mod progress;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::mcp::{ProbeOptions, ProbeOutcome, Status};
use crate::registry::files::{self, Local};
use crate::registry::packages::cache::{Budget, CacheReport};
use crate::registry::packages::{Installer, Lease};
use crate::registry::prepare::{prepare_one, Prepared, PreparedServer};
use crate::registry::{Launch, Opened, ServerRecord, SourceError};
use crate::store::{NewAttempt, Store, StoreError};
use outcome::{launch_json, outcome_of_prepared};
use progress::Progress;

/// How to crawl.
#[derive(Clone, Debug)]
pub struct CrawlOptions {
    /// Servers probed at once (at least 1).
    pub concurrency: usize,
    /// Packages installed at once (at least 1).
    pub install_jobs: usize,
    /// Keep the install cache within this many bytes (`None`: no limit).
    pub cache_budget: Option<u64>,
    /// Install through the shared stores (uv, pnpm, npm's cache) when there.
    pub shared_stores: bool,
    /// Launch stdio servers and packages; without it they are `skipped_policy`.
    pub allow_exec: bool,
    /// Re-probe servers already done in a resumed run.
    pub refresh: bool,
    /// Per-probe knobs (timeouts, sandbox, allow_private).
    pub probe: ProbeOptions,
    /// Draw progress bars on stderr (they stay hidden when it is not a terminal).
    pub progress: bool,
    /// Package install cache (`None`: the default, ~/.cache/mcp-risk).
    pub cache_dir: Option<std::path::PathBuf>,
    /// Install with this installer (its own tools and cache directory)
    /// instead of one made from `cache_dir` and `shared_stores`.
    pub installer: Option<Arc<Installer>>,
    /// Crawl only this shard's servers (`--shard i/N`), as a run of its own.
    pub shard: Option<crate::pipeline::shard::Shard>,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            concurrency: 8,
            install_jobs: 4,
            cache_budget: None,
            shared_stores: false,
            allow_exec: false,
            refresh: false,
            probe: ProbeOptions::default(),
            progress: false,
            cache_dir: None,
            installer: None,
            shard: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("no servers found in the sources given ({0})")]
    Empty(String),
}

/// What a crawl did.
#[derive(Clone, Debug, Default)]
pub struct CrawlReport {
    pub run: i64,
    /// An interrupted run with the same sources was picked up.
    pub resumed: bool,
    /// Servers skipped because the resumed run already had them.
    pub already_done: usize,
    /// Servers handled by this invocation.
    pub handled: usize,
    /// Servers of the whole run, by status.
    pub summary: BTreeMap<Status, u64>,
    /// Sources that failed as a whole (reported, not fatal).
    pub source_errors: Vec<String>,
    /// Server names given by more than one record (the first one was kept).
    pub duplicates: Vec<String>,
    /// The install cache at the end (when any package was to be installed).
    pub cache: Option<CacheReport>,
    /// How packages were installed (`uv, pnpm`, `pip, npm`, ...).
    pub stores: String,
}

/// Two lines on the install cache: where, then how big, the budget, what
/// was evicted and which shared stores were pruned, and how packages were
/// installed.
pub fn cache_line(c: &CacheReport, stores: &str) -> String {
    use crate::registry::packages::cache::human;
    let budget = match c.budget {
        Some(b) => format!("budget {}", human(b)),
        None => "no budget".to_owned(),
    };
    let evicted = if c.evicted.installs > 0 {
        format!(
            "; evicted {} installs, {}",
            c.evicted.installs,
            human(c.evicted.bytes)
        )
    } else {
        String::new()
    };
    let pruned = if c.pruned.stores.is_empty() {
        String::new()
    } else {
        format!(
            "; pruned {}, {}",
            c.pruned.stores.join(", "),
            human(c.pruned.bytes)
        )
    };
    format!(
        "install cache: {}\n               {}, {budget}{evicted}{pruned}; installed with {stores}",
        c.dir.display(),
        human(c.bytes)
    )
}

/// The identity of a source argument: local paths made absolute, so a crawl
/// resumed from another directory is recognised.
pub fn source_key(arg: &str) -> String {
    std::fs::canonicalize(arg)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| arg.to_owned())
}

/// A server waiting to be crawled. A tools/list file is read only when its
/// turn comes, so a crawl of many files holds a few tool lists at a time,
/// not all of them.
#[derive(Clone, Debug)]
pub enum Pending {
    Record(ServerRecord),
    ToolsFile {
        name: String,
        path: PathBuf,
    },
    /// Already prepared: probed as prepared, never checked again.
    Prepared(PreparedServer),
    /// A listed record (`scan`) launched by its own permission (its source
    /// is curated, or `--allow-exec`), stored with what preparation made of
    /// its launch (an installed package as its command).
    Listed {
        record: ServerRecord,
        allow_exec: bool,
    },
}

impl Pending {
    pub fn name(&self) -> &str {
        match self {
            Pending::Record(r) => &r.name,
            Pending::ToolsFile { name, .. } => name,
            Pending::Prepared(p) => &p.record.name,
            Pending::Listed { record, .. } => &record.name,
        }
    }

    /// The package it installs, if it installs one.
    fn package(&self, allow_exec: bool) -> Option<&crate::registry::PackageLaunch> {
        let (record, allowed) = match self {
            Pending::Record(r) => (r, allow_exec),
            Pending::Listed { record, allow_exec } => (record, *allow_exec),
            _ => return None,
        };
        match &record.launch {
            Launch::Package(p) if allowed => Some(p),
            _ => None,
        }
    }

    /// Prepares it (installing its package under an install permit, with
    /// the install leased until the lease is dropped): the record to store,
    /// what to do with it, and the lease.
    async fn prepare(
        self,
        installer: &Arc<Installer>,
        installs: &Semaphore,
        progress: &Progress,
        allow_exec: bool,
    ) -> (ServerRecord, Prepared, Option<Lease>) {
        let mut lease = None;
        if let Some(pkg) = self.package(allow_exec) {
            lease = installer.lease(pkg).await;
        }
        let (record, allowed, as_prepared) = match self {
            Pending::Prepared(p) => {
                let record = ServerRecord {
                    launch: p.prepared.launch(),
                    ..p.record
                };
                return (record, p.prepared, None);
            }
            Pending::ToolsFile { path, .. } => (files::tools_record(&path), false, false),
            Pending::Record(r) => (r, allow_exec, false),
            Pending::Listed { record, allow_exec } => (record, allow_exec, true),
        };
        let installs_one =
            lease.is_some() || matches!(&record.launch, Launch::Package(_) if allowed);
        let _permit = if installs_one {
            let p = installs.acquire().await.ok();
            progress.installing(&record.name);
            p
        } else {
            None
        };
        let prepared = {
            let (installer, rec) = (Arc::clone(installer), record.clone());
            tokio::spawn(async move { prepare_one(&rec, &installer, allowed).await })
                .await
                .unwrap_or_else(|e| Prepared::Skipped {
                    status: Status::Crashed,
                    reason: format!("mcp-risk's preparation failed internally: {e}"),
                })
        };
        if installs_one {
            progress.installed();
        }
        let record = if as_prepared {
            ServerRecord {
                launch: prepared.launch(),
                ..record
            }
        } else {
            record
        };
        (record, prepared, lease)
    }
}

/// Turns command-line sources into pending servers: tools/list files (alone
/// or in a directory) stay unread until crawled; other sources yield their
/// records. Returns the pending servers (first of each name), the sources that
/// failed as a whole, and the duplicate names dropped.
pub async fn plan(args: &[String]) -> Result<(Vec<Pending>, Vec<String>, Vec<String>), CrawlError> {
    let mut pending = Vec::new();
    let mut errors = Vec::new();
    for a in args {
        let local = match crate::registry::open(a) {
            Ok(Opened::Local(Local::Tools(t))) => t.path,
            Ok(opened) => {
                let source = opened.into_source();
                match source.records().await {
                    Ok(rs) => pending.extend(rs.into_iter().map(Pending::Record)),
                    Err(e) => errors.push(format!("{}: {e}", source.describe())),
                }
                continue;
            }
            Err(e) => {
                errors.push(format!("{a}: {e}"));
                continue;
            }
        };
        if local.is_dir() {
            match crate::input::json_files(&local) {
                Ok(fs) if fs.is_empty() => {
                    errors.push(format!("{a}: a directory with no *.json files"))
                }
                Ok(fs) => pending.extend(fs.into_iter().map(|p| Pending::ToolsFile {
                    name: files::stem(&p),
                    path: p,
                })),
                Err(e) => errors.push(e.to_string()),
            }
        } else {
            pending.push(Pending::ToolsFile {
                name: files::stem(&local),
                path: local,
            });
        }
    }
    let mut seen = BTreeSet::new();
    let mut dups = Vec::new();
    pending.retain(|p| {
        let fresh = seen.insert(p.name().to_owned());
        if !fresh {
            dups.push(p.name().to_owned());
        }
        fresh
    });
    Ok((pending, errors, dups))
}

/// Crawls pending servers (see [`Pending`]) as the run identified by
/// `run_sources`, storing one attempt per server. Blocks; drives the async
/// work on `rt`.
pub fn crawl_pending(
    rt: &tokio::runtime::Runtime,
    store: &Arc<Store>,
    run_sources: &[String],
    pending: Vec<Pending>,
    opts: &CrawlOptions,
) -> Result<CrawlReport, CrawlError> {
    use crate::pipeline::shard::{self, Shard};
    let pending = shard::apply(opts.shard, pending, |p| p.name());
    let run = store.start_run(&Shard::run_key(opts.shard, run_sources), opts.refresh)?;
    let todo: Vec<Pending> = pending
        .into_iter()
        .filter(|p| !run.done.contains(p.name()))
        .collect();
    let already_done = run.done.len();
    let handled = todo.len();
    let installs_total = todo
        .iter()
        .filter(|p| p.package(opts.allow_exec).is_some())
        .count();
    let progress = Arc::new(Progress::new(
        todo.len() as u64,
        installs_total as u64,
        opts.progress,
    ));
    let installer = match &opts.installer {
        Some(i) => Arc::clone(i),
        None => {
            let cache_dir = opts
                .cache_dir
                .clone()
                .unwrap_or_else(crate::registry::packages::default_cache_dir);
            let mut installer = Installer::new(&cache_dir);
            if opts.shared_stores {
                installer.detect_shared_stores();
            }
            Arc::new(installer)
        }
    };
    let cache_dir = installer.cache_dir.clone();
    let stores = installer.describe_stores();
    let needed: Vec<PathBuf> = todo
        .iter()
        .filter_map(|p| p.package(opts.allow_exec))
        .filter_map(|pkg| installer.install_dir(pkg))
        .collect();
    let (write_errors, cache) = rt.block_on(async {
        let budget = Arc::new(if installs_total > 0 {
            Budget::new(&cache_dir, opts.cache_budget, needed)
                .await
                .with_pruners(installer.pruners())
        } else {
            Budget::new_unmeasured(&cache_dir)
        });
        let probes = Arc::new(Semaphore::new(opts.concurrency.max(1)));
        let installs = Arc::new(Semaphore::new(opts.install_jobs.max(1)));
        // Servers between the start of their install and the end of their
        // probe: installs run ahead of probes by at most `install_jobs`.
        let window = Arc::new(Semaphore::new(
            opts.concurrency.max(1) + opts.install_jobs.max(1),
        ));
        let mut set = JoinSet::new();
        let mut errors: Vec<StoreError> = Vec::new();
        for item in todo {
            let permit = Arc::clone(&window)
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            let (store, opts, progress) = (Arc::clone(store), opts.clone(), Arc::clone(&progress));
            let (installer, installs, probes, budget) = (
                Arc::clone(&installer),
                Arc::clone(&installs),
                Arc::clone(&probes),
                Arc::clone(&budget),
            );
            let run_id = run.id;
            set.spawn(async move {
                let _permit = permit;
                let (record, prepared, lease) = item
                    .prepare(&installer, &installs, &progress, opts.allow_exec)
                    .await;
                let started = Instant::now();
                let probing = matches!(prepared, Prepared::Probe { .. });
                let _probe_permit = if probing {
                    probes.acquire().await.ok()
                } else {
                    None
                };
                let spinner = probing.then(|| progress.spinner(&record.name));
                let probe_opts = opts.probe.clone();
                let outcome =
                    tokio::spawn(async move { outcome_of_prepared(prepared, &probe_opts).await })
                        .await
                        .unwrap_or_else(|e| {
                            let mut o = ProbeOutcome::failed(
                                Status::Crashed,
                                format!("mcp-risk's probe failed internally: {e}"),
                            );
                            o.duration_ms = started.elapsed().as_millis() as u64;
                            o
                        });
                drop(_probe_permit);
                if let Some(sp) = spinner {
                    progress.remove(&sp);
                }
                let mut status = outcome.status;
                let (listed, mut detail) = (outcome.tools.len(), outcome.detail.clone());
                let attempt = |outcome: ProbeOutcome| NewAttempt {
                    launch: launch_json(&record),
                    name: record.name.clone(),
                    source: record.source.clone(),
                    version: record.version.clone(),
                    description: record.description.clone(),
                    run: Some(run_id),
                    outcome,
                };
                let mut res = submit(&store, attempt(outcome)).await;
                if let Err(e) = &res {
                    if disk_full(e) {
                        // The tool rows did not fit: record the outcome
                        // alone (a few bytes), which may; SQLite rolled the
                        // failed transaction back, so the database is whole.
                        status = Status::DiskFull;
                        let why = format!("the database's disk is full: {e}");
                        detail = Some(why.clone());
                        res = submit(&store, attempt(ProbeOutcome::failed(status, why))).await;
                    }
                }
                // Probed and stored: its install may be evicted now.
                if let Some(lease) = lease {
                    let dir = lease.dir.clone();
                    drop(lease);
                    budget.used(&dir).await;
                }
                progress.done(&record.name, status, listed, detail.as_deref());
                res.map(|_| ())
            });
            while let Some(r) = set.try_join_next() {
                if let Ok(Err(e)) = r {
                    errors.push(e);
                }
            }
        }
        while let Some(r) = set.join_next().await {
            if let Ok(Err(e)) = r {
                errors.push(e);
            }
        }
        let cache = if installs_total > 0 {
            budget.settle().await;
            Some(budget.report().await)
        } else {
            None
        };
        (errors, cache)
    });
    progress.finish();
    if let Some(e) = write_errors.into_iter().next() {
        // The run stays unfinished so a rerun resumes it.
        return Err(e.into());
    }
    store.finish_run(run.id)?;
    Ok(CrawlReport {
        run: run.id,
        resumed: run.resumed,
        already_done,
        handled,
        summary: store.run_summary(run.id)?,
        source_errors: Vec::new(),
        duplicates: Vec::new(),
        cache,
        stores,
    })
}

async fn submit(store: &Store, attempt: NewAttempt) -> Result<i64, StoreError> {
    store
        .submit_attempt(attempt)
        .await
        .unwrap_or_else(|_| Err(StoreError::Writer("no reply".into())))
}

/// Whether a write failed because the database's disk (or its size limit) is full.
fn disk_full(e: &StoreError) -> bool {
    match e {
        StoreError::Sqlite(e) => e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull),
        other => other.to_string().contains("database or disk is full"),
    }
}

/// Crawls the sources named by `args` (see [`plan`]).
pub fn crawl(
    rt: &tokio::runtime::Runtime,
    store: &Arc<Store>,
    args: &[String],
    opts: &CrawlOptions,
) -> Result<CrawlReport, CrawlError> {
    let (pending, source_errors, duplicates) = rt.block_on(plan(args))?;
    if pending.is_empty() {
        return Err(CrawlError::Empty(source_errors.join("; ")));
    }
    let keys: Vec<String> = args.iter().map(|a| source_key(a)).collect();
    let mut report = crawl_pending(rt, store, &keys, pending, opts)?;
    report.source_errors = source_errors;
    report.duplicates = duplicates;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real SQLITE_FULL (a page limit stands in for a full disk) is read
    /// as a full disk; other store errors are not.
    #[test]
    fn a_full_database_is_a_full_disk() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (b BLOB); PRAGMA max_page_count = 4;")
            .unwrap();
        let err = conn
            .execute("INSERT INTO t VALUES (zeroblob(1000000))", [])
            .unwrap_err();
        let e = StoreError::Sqlite(err);
        assert!(disk_full(&e), "{e}");
        assert!(!disk_full(&StoreError::Busy));
        assert!(!disk_full(&StoreError::Writer("no reply".into())));
    }
}
