//! The single writer thread. Every write reaches SQLite here, in batches: the
//! thread takes whatever is queued (up to [`BATCH`] operations), applies each
//! inside its own savepoint of one transaction, commits, and only then
//! answers. A crash or SIGKILL therefore loses at most the uncommitted batch
//! and never leaves half an attempt behind.

use std::collections::BTreeSet;
use std::sync::mpsc::Receiver;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use super::{canonical_json, tool_name, NewAttempt, StoreError};
use crate::tool::ToolDef;

/// Operations queued in one transaction at most.
const BATCH: usize = 256;

/// `now` as stored: UTC, millisecond precision, sortable text.
pub(super) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// A crawl run started or resumed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunStart {
    pub id: i64,
    /// True when an unfinished run with the same sources was picked up.
    pub resumed: bool,
    /// Servers already done in the resumed run (empty with `refresh`).
    pub done: BTreeSet<String>,
}

pub(super) enum Op {
    StartRun {
        sources: String,
        refresh: bool,
        reply: Reply<RunStart>,
    },
    FinishRun {
        run: i64,
        reply: Reply<()>,
    },
    Attempt {
        attempt: Box<NewAttempt>,
        reply: Reply<i64>,
    },
    Classification {
        tool_id: i64,
        ruleset: String,
        verdict: String,
        reply: Reply<()>,
    },
    Flush {
        reply: Reply<()>,
    },
}

/// An applied operation waiting for the commit before it is answered.
enum Done {
    Run(Reply<RunStart>, Result<RunStart, StoreError>),
    Id(Reply<i64>, Result<i64, StoreError>),
    Unit(Reply<()>, Result<(), StoreError>),
}

impl Done {
    fn answer(self, commit: &Result<(), String>) {
        fn pick<T>(r: Result<T, StoreError>, c: &Result<(), String>) -> Result<T, StoreError> {
            match c {
                Ok(()) => r,
                Err(m) => Err(StoreError::Writer(format!("commit failed: {m}"))),
            }
        }
        // A caller that stopped waiting is not an error.
        match self {
            Done::Run(tx, r) => drop(tx.send(pick(r, commit))),
            Done::Id(tx, r) => drop(tx.send(pick(r, commit))),
            Done::Unit(tx, r) => drop(tx.send(pick(r, commit))),
        }
    }
}

/// The writer loop: runs until every `Store` handle is dropped.
pub(super) fn run(mut conn: Connection, rx: Receiver<Op>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let mut done = Vec::with_capacity(batch.len());
        // After SIGINT/SIGTERM this blocks until the process exits: no
        // attempt of a server killed on the signal is recorded.
        let gate = crate::interrupt::commit_gate();
        // IMMEDIATE: take the write lock up front. A deferred transaction
        // reads first (start_run's SELECT) and then upgrades to a writer;
        // SQLite does not call the busy handler for that upgrade, so while
        // another process (a second crawl of the same database) writes, the
        // upgrade fails at once with SQLITE_BUSY ("database is locked").
        // BEGIN IMMEDIATE waits on the busy timeout like any other lock.
        let commit = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(mut tx) => {
                for op in batch {
                    done.push(apply_in_savepoint(&mut tx, op));
                }
                tx.commit().map_err(|e| e.to_string())
            }
            Err(e) => {
                let msg = e.to_string();
                for op in batch {
                    done.push(refuse(op, &msg));
                }
                Err(msg)
            }
        };
        drop(gate);
        for d in done {
            d.answer(&commit);
        }
    }
}

fn refuse(op: Op, msg: &str) -> Done {
    let err = || StoreError::Writer(msg.to_owned());
    match op {
        Op::StartRun { reply, .. } => Done::Run(reply, Err(err())),
        Op::Attempt { reply, .. } => Done::Id(reply, Err(err())),
        Op::FinishRun { reply, .. } | Op::Classification { reply, .. } | Op::Flush { reply } => {
            Done::Unit(reply, Err(err()))
        }
    }
}

/// Applies one operation; a failure rolls back only that operation.
fn apply_in_savepoint(tx: &mut Transaction<'_>, op: Op) -> Done {
    let sp = match tx.savepoint() {
        Ok(sp) => sp,
        Err(e) => return refuse(op, &e.to_string()),
    };
    let done = match op {
        Op::StartRun {
            sources,
            refresh,
            reply,
        } => Done::Run(reply, start_run(&sp, &sources, refresh)),
        Op::FinishRun { run, reply } => Done::Unit(reply, finish_run(&sp, run)),
        Op::Attempt { attempt, reply } => Done::Id(reply, insert_attempt(&sp, &attempt)),
        Op::Classification {
            tool_id,
            ruleset,
            verdict,
            reply,
        } => Done::Unit(
            reply,
            sp.execute(
                &format!(
                    "INSERT INTO classification (tool_id, ruleset, verdict, created)
                     VALUES (?1, ?2, ?3, {NOW})
                     ON CONFLICT (tool_id, ruleset) DO UPDATE SET verdict = excluded.verdict,
                     created = excluded.created"
                ),
                params![tool_id, ruleset, verdict],
            )
            .map(|_| ())
            .map_err(StoreError::from),
        ),
        Op::Flush { reply } => Done::Unit(reply, Ok(())),
    };
    let ok = match &done {
        Done::Run(_, r) => r.is_ok(),
        Done::Id(_, r) => r.is_ok(),
        Done::Unit(_, r) => r.is_ok(),
    };
    // Dropping a savepoint rolls it back.
    let end = if ok {
        sp.commit()
    } else {
        drop(sp);
        Ok(())
    };
    match (end, done) {
        (Ok(()), d) => d,
        (Err(e), d) => {
            let msg = e.to_string();
            match d {
                Done::Run(t, _) => Done::Run(t, Err(StoreError::Writer(msg))),
                Done::Id(t, _) => Done::Id(t, Err(StoreError::Writer(msg))),
                Done::Unit(t, _) => Done::Unit(t, Err(StoreError::Writer(msg))),
            }
        }
    }
}

fn start_run(c: &Connection, sources: &str, refresh: bool) -> Result<RunStart, StoreError> {
    let open: Option<i64> = c
        .query_row(
            "SELECT id FROM crawl_run WHERE sources = ?1 AND finished IS NULL
             ORDER BY id DESC LIMIT 1",
            [sources],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = open {
        let mut done = BTreeSet::new();
        if !refresh {
            let mut st = c.prepare(
                "SELECT s.name FROM attempt a JOIN server s ON s.id = a.server_id
                 WHERE a.run_id = ?1",
            )?;
            for name in st.query_map([id], |r| r.get::<_, String>(0))? {
                done.insert(name?);
            }
        }
        return Ok(RunStart {
            id,
            resumed: true,
            done,
        });
    }
    c.execute(
        &format!("INSERT INTO crawl_run (sources, started, status) VALUES (?1, {NOW}, 'running')"),
        [sources],
    )?;
    Ok(RunStart {
        id: c.last_insert_rowid(),
        resumed: false,
        done: BTreeSet::new(),
    })
}

fn finish_run(c: &Connection, run: i64) -> Result<(), StoreError> {
    c.execute(
        &format!("UPDATE crawl_run SET finished = {NOW}, status = 'finished' WHERE id = ?1"),
        [run],
    )?;
    Ok(())
}

fn json_text<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    Ok(serde_json::to_string(v)?)
}

fn insert_attempt(c: &Connection, a: &NewAttempt) -> Result<i64, StoreError> {
    let server_id: i64 = c.query_row(
        &format!(
            "INSERT INTO server (name, source, version, description, launch, first_seen, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, {NOW}, {NOW})
             ON CONFLICT (name) DO UPDATE SET source = excluded.source,
               version = excluded.version, description = excluded.description,
               launch = excluded.launch, last_seen = excluded.last_seen
             RETURNING id"
        ),
        params![
            a.name,
            a.source,
            a.version,
            a.description,
            json_text(&a.launch)?
        ],
        |r| r.get(0),
    )?;
    if let Some(run) = a.run {
        // --refresh in a resumed run: the new attempt replaces the old one.
        c.execute(
            "DELETE FROM attempt_tool WHERE attempt_id IN
               (SELECT id FROM attempt WHERE run_id = ?1 AND server_id = ?2)",
            params![run, server_id],
        )?;
        c.execute(
            "DELETE FROM attempt WHERE run_id = ?1 AND server_id = ?2",
            params![run, server_id],
        )?;
    }
    let o = &a.outcome;
    let transport = match o.transport {
        Some(t) => serde_json::to_value(t)?
            .as_str()
            .unwrap_or("none")
            .to_owned(),
        None => "none".to_owned(),
    };
    let era = o
        .era
        .map(|e| serde_json::to_value(e).map(|v| v.as_str().unwrap_or_default().to_owned()))
        .transpose()?;
    c.execute(
        &format!(
            "INSERT INTO attempt (server_id, run_id, at, transport, era, protocol_version,
               status, detail, duration_ms, stderr_tail, sandbox, anomalies, server_info, auth,
               tool_count)
             VALUES (?1, ?2, {NOW}, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        ),
        params![
            server_id,
            a.run,
            transport,
            era,
            o.protocol_version,
            o.status.as_str(),
            o.detail,
            o.duration_ms as i64,
            o.stderr_tail,
            o.sandbox,
            json_text(&o.anomalies)?,
            o.server_info.as_ref().map(json_text).transpose()?,
            o.auth.as_ref().map(json_text).transpose()?,
            o.tools.len() as i64,
        ],
    )?;
    let attempt_id = c.last_insert_rowid();
    let mut find =
        c.prepare_cached("SELECT id FROM tool WHERE server_id = ?1 AND name = ?2 AND sha256 = ?3")?;
    let mut touch =
        c.prepare_cached(&format!("UPDATE tool SET last_seen = {NOW} WHERE id = ?1"))?;
    let mut insert = c.prepare_cached(&format!(
        "INSERT INTO tool (server_id, name, raw, sha256, title, description, read_only_hint,
           destructive_hint, idempotent_hint, open_world_hint, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, {NOW}, {NOW})"
    ))?;
    let mut fts =
        c.prepare_cached("INSERT INTO tool_fts (rowid, name, description) VALUES (?1, ?2, ?3)")?;
    let mut link = c.prepare_cached(
        "INSERT INTO attempt_tool (attempt_id, position, tool_id) VALUES (?1, ?2, ?3)",
    )?;
    for (i, raw) in o.tools.iter().enumerate() {
        let name = tool_name(raw, i);
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            canonical_json(raw).as_bytes(),
        ));
        let existing: Option<i64> = find
            .query_row(params![server_id, name, sha], |r| r.get(0))
            .optional()?;
        let tool_id = match existing {
            Some(id) => {
                touch.execute([id])?;
                id
            }
            None => {
                let def = ToolDef::from_value(raw);
                let hints = def.declared.clone().unwrap_or_default();
                let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
                insert.execute(params![
                    server_id,
                    name,
                    json_text(raw)?,
                    sha,
                    opt(&def.title),
                    opt(&def.description),
                    hints.read_only,
                    hints.destructive,
                    hints.idempotent,
                    hints.open_world,
                ])?;
                let id = c.last_insert_rowid();
                fts.execute(params![id, name, def.description])?;
                id
            }
        };
        link.execute(params![attempt_id, i as i64, tool_id])?;
    }
    Ok(attempt_id)
}
