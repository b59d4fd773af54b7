//! The crawl orchestrator: sources → server records → one outcome per server
//! → the store.
//!
//! Each record is handled on its own task, at most `concurrency` at once,
//! and goes through [`prepare_one`] (the one place that decides what may
//! run) unless `scan` prepared it already: a tool list that came with the
//! record gets the checks a served one gets ([`crate::mcp::tools::check`])
//! and is stored (status `ok`, transport `none`); an unavailable or
//! disallowed record stores its status; anything to launch or reach is
//! probed by [`crate::mcp::probe::probe`]. One failing server is one row,
//! never the end of the crawl.
//!
//! A run is identified by its sources: crawling the same sources after an
//! interrupted run resumes it, skipping servers already done unless
//! `refresh`. Every attempt is committed in a transaction by the store's
//! writer, so a SIGKILL at any moment leaves a consistent database.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::mcp::jsonrpc::Notes;
use crate::mcp::{ProbeOptions, ProbeOutcome, Status};
use crate::registry::files::{self, Local};
use crate::registry::prepare::{prepare_one, Prepared, PreparedServer};
use crate::registry::{Launch, Opened, ServerRecord, SourceError};
use crate::store::{NewAttempt, Store, StoreError};
use crate::text::terminal_safe;

/// How to crawl.
#[derive(Clone, Debug)]
pub struct CrawlOptions {
    /// Servers handled at once (at least 1).
    pub concurrency: usize,
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
    /// Crawl only this shard's servers (`--shard i/N`), as a run of its own.
    pub shard: Option<crate::pipeline::shard::Shard>,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            concurrency: 8,
            allow_exec: false,
            refresh: false,
            probe: ProbeOptions::default(),
            progress: false,
            cache_dir: None,
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
}

/// The identity of a source argument: local paths made absolute, so a crawl
/// resumed from another directory is recognised.
pub fn source_key(arg: &str) -> String {
    std::fs::canonicalize(arg)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| arg.to_owned())
}

/// One record's outcome, whatever happens: prepared (the launch check and
/// any install) by [`prepare_one`], then probed.
async fn outcome_of(record: &ServerRecord, opts: &CrawlOptions) -> ProbeOutcome {
    let cache = opts
        .cache_dir
        .clone()
        .unwrap_or_else(crate::registry::packages::default_cache_dir);
    let installer = crate::registry::packages::Installer::new(&cache);
    let prepared = prepare_one(record, &installer, opts.allow_exec).await;
    outcome_of_prepared(prepared, opts).await
}

/// The outcome of a prepared server: probed, its tools checked, or the
/// status preparation gave it.
async fn outcome_of_prepared(prepared: Prepared, opts: &CrawlOptions) -> ProbeOutcome {
    match prepared {
        Prepared::Tools { tools } => {
            // The same checks as a served list (mcp::tools::check).
            let mut notes = Notes::default();
            let tools = crate::mcp::tools::check(tools, &mut notes);
            let anomalies = notes.finish();
            ProbeOutcome {
                status: Status::Ok,
                detail: None,
                transport: None,
                era: None,
                protocol_version: None,
                server_info: None,
                tools,
                anomalies,
                duration_ms: 0,
                stderr_tail: String::new(),
                sandbox: None,
                auth: None,
            }
        }
        Prepared::Skipped { status, reason } => ProbeOutcome::failed(status, reason),
        Prepared::Probe { target } => crate::mcp::probe::probe(&target, &opts.probe).await,
    }
}

fn launch_json(record: &ServerRecord) -> Value {
    match &record.launch {
        // The tools are stored as tool rows; keep the server row small.
        Launch::Tools { tools } => serde_json::json!({"kind": "tools", "count": tools.len()}),
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    }
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
    /// Already prepared (`scan`): probed as prepared, never checked again.
    Prepared(PreparedServer),
}

impl Pending {
    pub fn name(&self) -> &str {
        match self {
            Pending::Record(r) => &r.name,
            Pending::ToolsFile { name, .. } => name,
            Pending::Prepared(p) => &p.record.name,
        }
    }

    /// True when handling it means launching or reaching a server.
    fn probes(&self) -> bool {
        match self {
            Pending::Record(r) => {
                !matches!(r.launch, Launch::Tools { .. } | Launch::Unavailable { .. })
            }
            Pending::ToolsFile { .. } => false,
            Pending::Prepared(p) => matches!(p.prepared, Prepared::Probe { .. }),
        }
    }

    /// The record to store, and its preparation when it is already done.
    fn into_record(self) -> (ServerRecord, Option<Prepared>) {
        match self {
            Pending::Record(r) => (r, None),
            Pending::ToolsFile { path, .. } => (files::tools_record(&path), None),
            Pending::Prepared(p) => {
                let record = ServerRecord {
                    launch: p.prepared.launch(),
                    ..p.record
                };
                (record, Some(p.prepared))
            }
        }
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

/// Progress display: an overall bar with counts by status, plus a spinner
/// per server being probed. Hidden when stderr is not a terminal.
struct Progress {
    multi: MultiProgress,
    overall: ProgressBar,
    counts: Mutex<BTreeMap<Status, u64>>,
}

impl Progress {
    fn new(total: u64, visible: bool) -> Progress {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let overall = multi.add(ProgressBar::new(total));
        overall.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Progress {
            multi,
            overall,
            counts: Mutex::new(BTreeMap::new()),
        }
    }

    fn spinner(&self, name: &str) -> ProgressBar {
        let sp = self.multi.add(ProgressBar::new_spinner());
        sp.set_message(format!("probing {}", terminal_safe(name)));
        sp.enable_steady_tick(Duration::from_millis(120));
        sp
    }

    fn done(&self, status: Status) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        *c.entry(status).or_default() += 1;
        let msg = c
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(" · ");
        self.overall.set_message(msg);
        self.overall.inc(1);
    }
}

/// Crawls servers already prepared (`scan`) as the run identified by
/// `run_sources`: each is probed as prepared.
pub fn crawl_prepared(
    rt: &tokio::runtime::Runtime,
    store: &Arc<Store>,
    run_sources: &[String],
    servers: Vec<PreparedServer>,
    opts: &CrawlOptions,
) -> Result<CrawlReport, CrawlError> {
    let pending = servers.into_iter().map(Pending::Prepared).collect();
    crawl_pending(rt, store, run_sources, pending, opts)
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
    let progress = Arc::new(Progress::new(todo.len() as u64, opts.progress));
    let handled = todo.len();
    let write_errors = rt.block_on(async {
        let sem = Arc::new(Semaphore::new(opts.concurrency.max(1)));
        let mut set = JoinSet::new();
        let mut errors: Vec<StoreError> = Vec::new();
        for item in todo {
            let permit = Arc::clone(&sem)
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            let (store, opts, progress) = (Arc::clone(store), opts.clone(), Arc::clone(&progress));
            let run_id = run.id;
            set.spawn(async move {
                let _permit = permit;
                let spinner = item.probes().then(|| progress.spinner(item.name()));
                let (record, prepared) = item.into_record();
                let started = Instant::now();
                let probe = tokio::spawn({
                    let (record, opts) = (record.clone(), opts.clone());
                    async move {
                        match prepared {
                            Some(p) => outcome_of_prepared(p, &opts).await,
                            None => outcome_of(&record, &opts).await,
                        }
                    }
                });
                let outcome = probe.await.unwrap_or_else(|e| {
                    let mut o = ProbeOutcome::failed(
                        Status::Crashed,
                        format!("mcp-risk's probe failed internally: {e}"),
                    );
                    o.duration_ms = started.elapsed().as_millis() as u64;
                    o
                });
                if let Some(sp) = spinner {
                    sp.finish_and_clear();
                    progress.multi.remove(&sp);
                }
                let status = outcome.status;
                let res = store
                    .submit_attempt(NewAttempt {
                        launch: launch_json(&record),
                        name: record.name,
                        source: record.source,
                        version: record.version,
                        description: record.description,
                        run: Some(run_id),
                        outcome,
                    })
                    .await
                    .unwrap_or_else(|_| Err(StoreError::Writer("no reply".into())));
                progress.done(status);
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
        errors
    });
    progress.overall.finish_and_clear();
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
    })
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
    use serde_json::json;

    #[tokio::test]
    async fn a_tool_list_from_a_record_is_checked_as_a_served_one() {
        let tools = vec![
            json!({"name": "a", "inputSchema": {"type": "object"}}),
            json!({"name": "a", "inputSchema": {"type": "object"}, "description": 3}),
            json!({"inputSchema": "nope"}),
            json!(42),
        ];
        let mut notes = Notes::default();
        let served = crate::mcp::tools::check(tools.clone(), &mut notes);
        let o = outcome_of_prepared(Prepared::Tools { tools }, &CrawlOptions::default()).await;
        assert_eq!(o.status, Status::Ok);
        assert_eq!(o.tools, served);
        assert_eq!(o.anomalies, notes.finish());
        let kinds: Vec<(&str, &str)> = o
            .anomalies
            .iter()
            .map(|a| (a.tool.as_deref().unwrap_or(""), a.kind.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a", "duplicate-tool-name"),
                ("#2", "missing-name"),
                ("#2", "input-schema-not-object"),
                ("#3", "tool-not-object"),
            ]
        );
        assert_eq!(o.tools.len(), 2);
    }
}
