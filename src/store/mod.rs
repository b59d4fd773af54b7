//! The SQLite store: schema and ordered migrations (by `user_version`), one
//! writer thread fed by a channel, and the queries the other stages read.
//!
//! The store is the only join between crawling and classifying: it keeps every
//! tool definition verbatim with history, so classification re-runs offline.
//!
//! # Public API (what other stages call)
//!
//! - [`Store::open`]: creates parent directories, opens in WAL mode with a busy
//!   timeout, applies pending migrations, starts the writer thread.
//! - Writes (all go through the single writer thread, batched in transactions):
//!   [`Store::record_probe`] (one probe's outcome, used by `probe --db`),
//!   [`Store::record_attempt`] / [`Store::submit_attempt`] (the crawler),
//!   [`Store::start_run`] / [`Store::finish_run`], [`Store::put_classification`],
//!   [`Store::flush`]. The blocking forms must not be called from inside an
//!   async task; use [`Store::submit_attempt`] there and await its receiver.
//! - Reads: [`Store::servers`], [`Store::latest_tools`] (raw JSON of the last
//!   ok attempt), [`Store::latest_tool_versions`], [`Store::tools_at_previous_crawl`],
//!   [`Store::ok_attempts`], [`Store::attempt_tools`], [`Store::get_classification`],
//!   [`Store::search`] (FTS5), [`Store::run_summary`], [`Store::run_attempts`].
//!
//! Identity: a server is identified by its `name` across sources (the last
//! source to name it is recorded). A crawl run is identified by its sources
//! (sorted, deduplicated); an unfinished run with the same sources is resumed.
//! "A crawl" of a server, for history and drift, is one `ok` attempt.

pub mod merge;
mod read;
pub mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use crate::classify::Verdict;
use crate::mcp::ProbeOutcome;

pub use read::{AttemptRow, RunRow, SearchHit, ServerRow, ToolVersion};
use writer::Op;
pub use writer::RunStart;

/// Errors of the store. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the database directory {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the database has schema version {found} but this mcp-risk knows only {known}: upgrade mcp-risk or use another --db")]
    TooNew { found: i64, known: i64 },
    #[error("no server named {0:?} in the database (see `mcp-risk crawl` or `probe --db`)")]
    UnknownServer(String),
    #[error("another mcp-risk process (a crawl?) holds the database for writing and did not let go within the busy timeout: wait for it to finish, or use another --db")]
    Busy,
    #[error("the database writer stopped: {0}")]
    Writer(String),
    #[error("stored JSON is unreadable: {0}")]
    Json(#[from] serde_json::Error),
}

/// One attempt to record: who the server is, how it was reached, what came back.
#[derive(Clone, Debug)]
pub struct NewAttempt {
    pub name: String,
    /// Source kind (`file`, `servers`, `probe`, ...).
    pub source: String,
    pub version: Option<String>,
    pub description: Option<String>,
    /// How to reach it (a serialized `Launch` or `ProbeTarget`).
    pub launch: Value,
    /// The crawl run, or `None` for a one-off probe.
    pub run: Option<i64>,
    pub outcome: ProbeOutcome,
}

/// The SQLite store. `Send + Sync`: share it behind an `Arc`.
pub struct Store {
    path: PathBuf,
    read: Mutex<Connection>,
    tx: Option<mpsc::Sender<Op>>,
    writer: Option<JoinHandle<()>>,
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Switching to WAL needs an exclusive lock and does not always wait on
    // the busy handler: retry while another process holds the file briefly.
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => break other?,
        }
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

impl Store {
    /// Opens (or creates) the database at `path`: creates parent directories,
    /// applies pending migrations, starts the writer thread.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_owned();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
                path: dir.to_owned(),
                source,
            })?;
        }
        let mut wconn = connect(&path)?;
        schema::migrate(&mut wconn)?;
        let rconn = connect(&path)?;
        let (tx, rx) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("mcp-risk-store-writer".into())
            .spawn(move || writer::run(wconn, rx))
            .map_err(|e| StoreError::Writer(e.to_string()))?;
        Ok(Store {
            path,
            read: Mutex::new(rconn),
            tx: Some(tx),
            writer: Some(writer),
        })
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn send(&self, op: Op) -> Result<(), StoreError> {
        self.tx
            .as_ref()
            .ok_or_else(|| StoreError::Writer("closed".into()))?
            .send(op)
            .map_err(|_| StoreError::Writer("the writer thread is gone".into()))
    }

    fn wait<T>(rx: oneshot::Receiver<Result<T, StoreError>>) -> Result<T, StoreError> {
        rx.blocking_recv()
            .map_err(|_| StoreError::Writer("the writer thread dropped a reply".into()))?
    }

    /// Starts a crawl run for these sources, or resumes the unfinished one with
    /// the same sources. With `refresh`, a resumed run re-probes everything
    /// (its attempts are replaced); otherwise [`RunStart::done`] lists the
    /// servers to skip.
    pub fn start_run(&self, sources: &[String], refresh: bool) -> Result<RunStart, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.send(Op::StartRun {
            sources: run_key(sources),
            refresh,
            reply,
        })?;
        Self::wait(rx)
    }

    /// Marks a run finished (a later crawl of the same sources starts afresh).
    pub fn finish_run(&self, run: i64) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        self.send(Op::FinishRun { run, reply })?;
        Self::wait(rx)
    }

    /// Queues one attempt; the receiver yields its id once committed. Safe to
    /// call (and await) from async code.
    pub fn submit_attempt(
        &self,
        attempt: NewAttempt,
    ) -> oneshot::Receiver<Result<i64, StoreError>> {
        let (reply, rx) = oneshot::channel();
        if let Err(e) = self.send(Op::Attempt {
            attempt: Box::new(attempt),
            reply,
        }) {
            let (reply, rx) = oneshot::channel();
            let _ = reply.send(Err(e));
            return rx;
        }
        rx
    }

    /// Records one attempt and waits until it is committed; returns its id.
    pub fn record_attempt(&self, attempt: NewAttempt) -> Result<i64, StoreError> {
        Self::wait(self.submit_attempt(attempt))
    }

    /// Records one probe (what `probe --db` stores): the server `name` from
    /// `source`, reached through `launch` (a serialized target), in crawl
    /// `run` or none. Returns the attempt id.
    pub fn record_probe(
        &self,
        name: &str,
        source: &str,
        launch: &Value,
        outcome: &ProbeOutcome,
        run: Option<i64>,
    ) -> Result<i64, StoreError> {
        self.record_attempt(NewAttempt {
            name: name.to_owned(),
            source: source.to_owned(),
            version: None,
            description: None,
            launch: launch.clone(),
            run,
            outcome: outcome.clone(),
        })
    }

    /// Caches the verdict of one tool version under a ruleset hash (replacing
    /// any earlier verdict for the same pair).
    pub fn put_classification(
        &self,
        tool_id: i64,
        ruleset: &str,
        verdict: &Verdict,
    ) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        self.send(Op::Classification {
            tool_id,
            ruleset: ruleset.to_owned(),
            verdict: serde_json::to_string(verdict)?,
            reply,
        })?;
        Self::wait(rx)
    }

    /// Waits until every write queued so far is committed.
    pub fn flush(&self) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        self.send(Op::Flush { reply })?;
        Self::wait(rx)
    }

    fn reader(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A poisoned lock only means a panic elsewhere mid-read; the
        // connection itself is still usable.
        self.read.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Closing the channel lets the writer drain what is queued and exit.
        self.tx.take();
        if let Some(h) = self.writer.take() {
            let _ = h.join();
        }
    }
}

/// The identity of a crawl run: its sources sorted and deduplicated, as JSON.
pub fn run_key(sources: &[String]) -> String {
    let mut s: Vec<&String> = sources.iter().collect();
    s.sort();
    s.dedup();
    serde_json::to_string(&s).unwrap_or_default()
}

/// JSON with object keys sorted and no whitespace: equal definitions get the
/// same text whatever key order or spacing the server used.
pub fn canonical_json(v: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    write(&m[k], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(v, &mut out);
    out
}

/// sha256 (hex) of [`canonical_json`].
pub fn definition_hash(v: &Value) -> String {
    hex::encode(Sha256::digest(canonical_json(v).as_bytes()))
}

/// The name a tool is stored under: its `name`, or `#index` when it has none.
pub fn tool_name(v: &Value, index: usize) -> String {
    match v.get("name") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => format!("#{index}"),
        Some(other) => other.to_string(),
    }
}

/// A count per status, for summaries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StatusCount {
    pub status: String,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_and_drops_spacing() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": "é\n"}}"#).unwrap();
        assert_eq!(canonical_json(&a), r#"{"a":{"x":"é\n","y":[1,2]},"b":1}"#);
        let b = json!({"a": {"x": "é\n", "y": [1, 2]}, "b": 1});
        assert_eq!(definition_hash(&a), definition_hash(&b));
    }

    #[test]
    fn run_key_ignores_order_and_duplicates() {
        let a = run_key(&["b".into(), "a".into(), "b".into()]);
        assert_eq!(a, run_key(&["a".into(), "b".into()]));
    }
}
