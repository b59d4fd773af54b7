//! `mcp-risk merge`: joins crawl databases (one per shard, or one per
//! machine) into one.
//!
//! Rows are matched by their natural keys, never by ids (each database
//! numbers its own rows):
//!
//! - a server by its name; `first_seen` is the earliest, `last_seen` the
//!   latest, and source, version, description and launch come from the row
//!   seen last;
//! - a crawl run by its sources and start time; it is finished when any copy
//!   finished;
//! - an attempt of a run by its server and run (the run keeps one attempt
//!   per server: the latest); a one-off attempt (`probe --db`) by its
//!   server, time, status and duration;
//! - a tool version by server, tool name and definition hash; `first_seen`
//!   the earliest, `last_seen` the latest;
//! - a cached verdict by tool version and ruleset key (the latest one).
//!
//! Where copies of one row differ, the choice is made by the row's content
//! (latest time first, then every column in order), never by which input
//! came first. OUT is rebuilt from scratch with ids in time order (attempts
//! by time, so "the latest attempt" is still the highest id), written to a
//! temporary file beside it and renamed over it: the same inputs in any
//! order give the same database, merging an input twice changes nothing,
//! and an interrupted merge leaves OUT as it was.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags};

use super::{schema, StoreError};

/// Rows in the merged database.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub servers: u64,
    pub runs: u64,
    pub attempts: u64,
    pub tools: u64,
    pub classifications: u64,
}

/// What a merge did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MergeReport {
    /// OUT's rows before the merge (zero when it did not exist).
    pub before: Counts,
    /// OUT's rows after.
    pub after: Counts,
}

/// A step of the merge, for a progress display.
#[derive(Clone, Debug)]
pub enum Step<'a> {
    /// Reading one database (OUT first when it exists), `i` of `n`.
    Reading { path: &'a Path, i: usize, n: usize },
    /// Writing the merged rows of one table.
    Writing(&'static str),
}

/// Why a merge refused to start. (Database errors are [`StoreError`]s.)
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(
        "{0}: no such file (merge reads mcp-risk databases written by `crawl --db` or `scan --db`)"
    )]
    Missing(PathBuf),
    #[error("{path} has schema version {found} but this mcp-risk writes version {known}: merge only databases of the same mcp-risk version (open an older one once with this mcp-risk, e.g. `mcp-risk servers --db {path}`, to upgrade it){}", if *found == 0 { " — or it is not an mcp-risk database" } else { "" })]
    OtherVersion {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("cannot replace {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for MergeError {
    fn from(e: rusqlite::Error) -> Self {
        MergeError::Store(StoreError::Sqlite(e))
    }
}

fn open_plain(path: &Path) -> Result<Connection, rusqlite::Error> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    c.busy_timeout(std::time::Duration::from_secs(30))?;
    Ok(c)
}

/// Checks an input: it exists and has exactly this mcp-risk's schema.
fn check_input(path: &Path) -> Result<(), MergeError> {
    if !path.is_file() {
        return Err(MergeError::Missing(path.to_owned()));
    }
    let c = open_plain(path)?;
    let found: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = schema::MIGRATIONS.len() as i64;
    if found != known {
        return Err(MergeError::OtherVersion {
            path: path.to_owned(),
            found,
            known,
        });
    }
    Ok(())
}

fn counts(c: &Connection, db: &str) -> Result<Counts, rusqlite::Error> {
    let n = |t: &str| -> Result<u64, rusqlite::Error> {
        c.query_row(&format!("SELECT count(*) FROM {db}.{t}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n as u64)
    };
    Ok(Counts {
        servers: n("server")?,
        runs: n("crawl_run")?,
        attempts: n("attempt")?,
        tools: n("tool")?,
        classifications: n("classification")?,
    })
}

const STAGING: &str = "
CREATE TEMP TABLE m_server (name, source, version, description, launch, first_seen, last_seen);
CREATE TEMP TABLE m_run (sources, started, finished, status);
CREATE TEMP TABLE m_attempt (src, src_id, server, k, run_sources, run_started, at, transport,
  era, protocol_version, status, detail, duration_ms, stderr_tail, sandbox, anomalies,
  server_info, auth, tool_count);
CREATE TEMP TABLE m_attempt_tool (src, src_attempt, position, server, name, sha256);
CREATE TEMP TABLE m_tool (server, name, sha256, raw, title, description, read_only_hint,
  destructive_hint, idempotent_hint, open_world_hint, first_seen, last_seen);
CREATE TEMP TABLE m_class (server, name, sha256, ruleset, verdict, created);
";

/// Copies one attached database (`src`) into the staging tables, as input `k`.
fn stage(c: &Connection, k: i64) -> Result<(), rusqlite::Error> {
    c.execute_batch(
        "INSERT INTO m_server SELECT name, source, version, description, launch, first_seen,
           last_seen FROM src.server;
         INSERT INTO m_run SELECT sources, started, finished, status FROM src.crawl_run;
         INSERT INTO m_tool SELECT s.name, t.name, t.sha256, t.raw, t.title, t.description,
           t.read_only_hint, t.destructive_hint, t.idempotent_hint, t.open_world_hint,
           t.first_seen, t.last_seen
           FROM src.tool t JOIN src.server s ON s.id = t.server_id;
         INSERT INTO m_class SELECT s.name, t.name, t.sha256, c.ruleset, c.verdict, c.created
           FROM src.classification c JOIN src.tool t ON t.id = c.tool_id
           JOIN src.server s ON s.id = t.server_id;",
    )?;
    // The attempt's identity: its run (sources and start) for a crawl, or
    // its own time, status and duration for a one-off probe.
    c.execute(
        "INSERT INTO m_attempt SELECT ?1, a.id, s.name,
           CASE WHEN r.id IS NULL
             THEN 'probe' || char(31) || a.at || char(31) || a.status || char(31) || a.duration_ms
             ELSE 'run' || char(31) || r.sources || char(31) || r.started END,
           r.sources, r.started, a.at, a.transport, a.era, a.protocol_version, a.status,
           a.detail, a.duration_ms, a.stderr_tail, a.sandbox, a.anomalies, a.server_info,
           a.auth, a.tool_count
         FROM src.attempt a JOIN src.server s ON s.id = a.server_id
         LEFT JOIN src.crawl_run r ON r.id = a.run_id",
        [k],
    )?;
    c.execute(
        "INSERT INTO m_attempt_tool SELECT ?1, l.attempt_id, l.position, s.name, t.name, t.sha256
         FROM src.attempt_tool l JOIN src.tool t ON t.id = l.tool_id
         JOIN src.server s ON s.id = t.server_id",
        [k],
    )?;
    Ok(())
}

/// The merged tables, in the order they are written (names for [`Step::Writing`]).
const WRITES: &[(&str, &str)] = &[
    (
        "servers",
        "INSERT INTO main.server (name, source, version, description, launch, first_seen, last_seen)
         SELECT name, source, version, description, launch, fs, ls FROM (
           SELECT *, min(first_seen) OVER w AS fs, max(last_seen) OVER w AS ls,
             row_number() OVER (PARTITION BY name ORDER BY last_seen DESC, source, version,
               description, launch) AS rn
           FROM m_server WINDOW w AS (PARTITION BY name))
         WHERE rn = 1 ORDER BY name",
    ),
    (
        "runs",
        "INSERT INTO main.crawl_run (sources, started, finished, status)
         SELECT sources, started, max(finished),
           CASE WHEN max(finished) IS NOT NULL THEN 'finished' ELSE min(status) END
         FROM m_run GROUP BY sources, started ORDER BY started, sources",
    ),
    (
        "tools",
        "INSERT INTO main.tool (server_id, name, raw, sha256, title, description, read_only_hint,
           destructive_hint, idempotent_hint, open_world_hint, first_seen, last_seen)
         SELECT s.id, t.name, t.raw, t.sha256, t.title, t.description, t.read_only_hint,
           t.destructive_hint, t.idempotent_hint, t.open_world_hint, t.fs, t.ls
         FROM (SELECT *, min(first_seen) OVER w AS fs, max(last_seen) OVER w AS ls,
                 row_number() OVER (PARTITION BY server, name, sha256 ORDER BY first_seen, raw,
                   title, description, read_only_hint, destructive_hint, idempotent_hint,
                   open_world_hint) AS rn
               FROM m_tool WINDOW w AS (PARTITION BY server, name, sha256)) t
         JOIN main.server s ON s.name = t.server
         WHERE t.rn = 1 ORDER BY t.fs, t.server, t.name, t.sha256;
         INSERT INTO main.tool_fts (rowid, name, description)
         SELECT id, name, coalesce(description, '') FROM main.tool ORDER BY id;",
    ),
    (
        "attempts",
        "CREATE TEMP TABLE m_pick AS
         SELECT row_number() OVER (ORDER BY at, server, k) AS new_id, * FROM (
           SELECT *, row_number() OVER (PARTITION BY server, k ORDER BY at DESC, status,
             detail, duration_ms, transport, era, protocol_version, tool_count, stderr_tail,
             sandbox, anomalies, server_info, auth, src, src_id) AS rn
           FROM m_attempt)
         WHERE rn = 1;
         INSERT INTO main.attempt (id, server_id, run_id, at, transport, era, protocol_version,
           status, detail, duration_ms, stderr_tail, sandbox, anomalies, server_info, auth,
           tool_count)
         SELECT p.new_id, s.id, r.id, p.at, p.transport, p.era, p.protocol_version, p.status,
           p.detail, p.duration_ms, p.stderr_tail, p.sandbox, p.anomalies, p.server_info,
           p.auth, p.tool_count
         FROM m_pick p JOIN main.server s ON s.name = p.server
         LEFT JOIN main.crawl_run r ON r.sources = p.run_sources AND r.started = p.run_started
         ORDER BY p.new_id;
         CREATE INDEX temp.m_attempt_tool_src ON m_attempt_tool (src, src_attempt);
         INSERT INTO main.attempt_tool (attempt_id, position, tool_id)
         SELECT p.new_id, l.position, t.id
         FROM m_pick p JOIN m_attempt_tool l ON l.src = p.src AND l.src_attempt = p.src_id
         JOIN main.server s ON s.name = l.server
         JOIN main.tool t ON t.server_id = s.id AND t.name = l.name AND t.sha256 = l.sha256
         ORDER BY p.new_id, l.position;",
    ),
    (
        "verdicts",
        "INSERT INTO main.classification (tool_id, ruleset, verdict, created)
         SELECT t.id, c.ruleset, c.verdict, c.created
         FROM (SELECT *, row_number() OVER (PARTITION BY server, name, sha256, ruleset
                 ORDER BY created DESC, verdict) AS rn FROM m_class) c
         JOIN main.server s ON s.name = c.server
         JOIN main.tool t ON t.server_id = s.id AND t.name = c.name AND t.sha256 = c.sha256
         WHERE c.rn = 1 ORDER BY t.id, c.ruleset",
    ),
];

/// The [`Step::Writing`] steps of a merge.
pub const WRITTEN_TABLES: usize = WRITES.len();

/// The temporary file a merge into `out` builds.
fn temp_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".merging");
    out.with_file_name(name)
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn remove_if_present(path: &Path) -> Result<(), MergeError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(MergeError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Merges `inputs` into `out` (which may exist: its rows are merged too).
/// `progress` hears of each step. Every input is checked before anything
/// is written: a missing file or another schema version is refused.
pub fn merge(
    out: &Path,
    inputs: &[PathBuf],
    mut progress: impl FnMut(Step<'_>),
) -> Result<MergeReport, MergeError> {
    for i in inputs {
        check_input(i)?;
    }
    let mut sources: Vec<PathBuf> = Vec::new();
    let before = if out.exists() {
        // Bring OUT to this schema (an older one is migrated, a newer one
        // refused), and fold its write-ahead log into the file.
        let mut c = super::connect(out)?;
        schema::migrate(&mut c)?;
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let n = counts(&c, "main")?;
        drop(c);
        sources.push(out.to_owned());
        n
    } else {
        Counts::default()
    };
    sources.extend(inputs.iter().cloned());

    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
            path: dir.to_owned(),
            source,
        })?;
    }
    let tmp = temp_path(out);
    for p in [tmp.clone(), sidecar(&tmp, "-journal")] {
        remove_if_present(&p)?;
    }
    let after = {
        let mut c = Connection::open_with_flags(
            &tmp,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        c.busy_timeout(std::time::Duration::from_secs(30))?;
        // A scratch file until the rename: durability comes from the rename.
        c.pragma_update(None, "synchronous", "OFF")?;
        c.pragma_update(None, "journal_mode", "OFF")?;
        schema::migrate(&mut c)?;
        c.execute_batch(STAGING)?;
        let n = sources.len();
        for (k, path) in sources.iter().enumerate() {
            progress(Step::Reading { path, i: k + 1, n });
            c.execute(
                "ATTACH DATABASE ?1 AS src",
                [path.to_string_lossy().as_ref()],
            )?;
            let staged = c
                .execute_batch("BEGIN")
                .and_then(|()| stage(&c, k as i64))
                .and_then(|()| c.execute_batch("COMMIT"));
            if staged.is_err() {
                let _ = c.execute_batch("ROLLBACK");
            }
            let detached = c.execute_batch("DETACH DATABASE src");
            staged?;
            detached?;
        }
        let tx = c.transaction()?;
        for (what, sql) in WRITES {
            progress(Step::Writing(what));
            tx.execute_batch(sql)?;
        }
        tx.commit()?;
        let after = counts(&c, "main")?;
        c.pragma_update(None, "journal_mode", "DELETE")?;
        c.pragma_update(None, "synchronous", "FULL")?;
        c.execute("VACUUM", params![])?;
        after
    };
    // OUT's log was folded in above; stale sidecars must not meet the new file.
    for p in [sidecar(out, "-wal"), sidecar(out, "-shm")] {
        remove_if_present(&p)?;
    }
    std::fs::rename(&tmp, out).map_err(|source| MergeError::Io {
        path: out.to_owned(),
        source,
    })?;
    Ok(MergeReport { before, after })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::{ProbeOutcome, Status};
    use crate::store::{NewAttempt, Store};
    use serde_json::json;

    fn outcome(tools: Vec<serde_json::Value>) -> ProbeOutcome {
        let mut o = ProbeOutcome::failed(Status::Ok, String::new());
        o.detail = None;
        o.tools = tools;
        o
    }

    fn attempt(name: &str, run: Option<i64>, tools: Vec<serde_json::Value>) -> NewAttempt {
        NewAttempt {
            name: name.into(),
            source: "file".into(),
            version: None,
            description: None,
            launch: json!({"kind": "tools"}),
            run,
            outcome: outcome(tools),
        }
    }

    /// Every row of every table, by natural keys (no ids), in a stable order.
    fn dump(path: &Path) -> Vec<String> {
        let c = Connection::open(path).unwrap();
        let mut out = Vec::new();
        for sql in [
            "SELECT 'server', name, source, launch, first_seen, last_seen FROM server ORDER BY name",
            "SELECT 'run', sources, started, finished, status FROM crawl_run ORDER BY id",
            "SELECT 'attempt', s.name, a.at, a.status, a.tool_count, r.sources, a.anomalies FROM attempt a
               JOIN server s ON s.id = a.server_id LEFT JOIN crawl_run r ON r.id = a.run_id ORDER BY a.id",
            "SELECT 'link', s.name, a.at, l.position, t.name, t.sha256 FROM attempt_tool l
               JOIN attempt a ON a.id = l.attempt_id JOIN tool t ON t.id = l.tool_id
               JOIN server s ON s.id = a.server_id ORDER BY a.id, l.position",
            "SELECT 'tool', s.name, t.name, t.sha256, t.first_seen, t.last_seen FROM tool t
               JOIN server s ON s.id = t.server_id ORDER BY t.id",
            "SELECT 'verdict', t.name, c.ruleset, c.verdict FROM classification c
               JOIN tool t ON t.id = c.tool_id ORDER BY t.id, c.ruleset",
            "SELECT 'fts', rowid, name FROM tool_fts WHERE tool_fts MATCH 'alpha OR beta OR gamma' ORDER BY rowid",
        ] {
            let mut st = c.prepare(sql).unwrap();
            let cols = st.column_count();
            let rows = st
                .query_map([], |r| {
                    let mut line = Vec::new();
                    for i in 0..cols {
                        let v: rusqlite::types::Value = r.get(i)?;
                        line.push(format!("{v:?}"));
                    }
                    Ok(line.join("|"))
                })
                .unwrap();
            out.extend(rows.map(Result::unwrap));
        }
        out
    }

    /// Two shard databases: a and b, both with history for "shared".
    fn fixtures(dir: &Path) -> (PathBuf, PathBuf) {
        let (a, b) = (dir.join("a.db"), dir.join("b.db"));
        {
            let s = Store::open(&a).unwrap();
            let run = s
                .start_run(&["reg".into(), "shard:0/2".into()], false)
                .unwrap();
            s.record_attempt(attempt(
                "one",
                Some(run.id),
                vec![json!({"name": "alpha", "description": "reads alpha"})],
            ))
            .unwrap();
            s.record_probe(
                "shared",
                "probe",
                &json!({}),
                &outcome(vec![json!({"name": "beta"})]),
                None,
            )
            .unwrap();
            s.finish_run(run.id).unwrap();
            let tools = s.latest_tool_versions("one").unwrap();
            let v = crate::classify::engine().classify(&tools[0].raw, false);
            s.put_classification(tools[0].id, "rs", &v).unwrap();
            s.flush().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        {
            let s = Store::open(&b).unwrap();
            let run = s
                .start_run(&["reg".into(), "shard:1/2".into()], false)
                .unwrap();
            s.record_attempt(attempt("two", Some(run.id), vec![json!({"name": "gamma"})]))
                .unwrap();
            s.record_probe(
                "shared",
                "probe",
                &json!({}),
                &outcome(vec![json!({"name": "beta", "description": "changed"})]),
                None,
            )
            .unwrap();
            // Unfinished: a killed shard.
            s.flush().unwrap();
        }
        (a, b)
    }

    #[test]
    fn merge_is_idempotent_order_free_and_keeps_history_in_time_order() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = fixtures(dir.path());
        let ab = dir.path().join("ab.db");
        let ba = dir.path().join("ba.db");
        let r = merge(&ab, &[a.clone(), b.clone()], |_| {}).unwrap();
        assert_eq!(r.before, Counts::default());
        assert_eq!(
            r.after,
            Counts {
                servers: 3,
                runs: 2,
                attempts: 4,
                tools: 4,
                classifications: 1
            }
        );
        merge(&ba, &[b.clone(), a.clone()], |_| {}).unwrap();
        assert_eq!(dump(&ab), dump(&ba), "input order changed the result");
        // Byte for byte, ids included.
        assert_eq!(std::fs::read(&ab).unwrap(), std::fs::read(&ba).unwrap());
        // Merging again, or into itself, changes nothing.
        let once = dump(&ab);
        let again = merge(&ab, &[a.clone(), b.clone(), a.clone()], |_| {}).unwrap();
        assert_eq!(again.before, again.after);
        assert_eq!(dump(&ab), once);
        // One by one into an existing OUT gives the same as all at once.
        let step = dir.path().join("step.db");
        merge(&step, std::slice::from_ref(&b), |_| {}).unwrap();
        merge(&step, std::slice::from_ref(&a), |_| {}).unwrap();
        assert_eq!(dump(&step), once);

        let s = Store::open(&ab).unwrap();
        // "shared" was probed in a then b: the latest attempt is b's, and
        // both definitions of beta are kept with their first/last seen.
        let latest = s.latest_tools("shared").unwrap();
        assert_eq!(latest[0]["description"], "changed");
        let history = s.ok_attempts("shared", 10).unwrap();
        assert_eq!(history.len(), 2);
        assert!(history[0].at > history[1].at, "newest first, by id");
        assert_eq!(s.latest_tools("one").unwrap()[0]["name"], "alpha");
        let tv = s.latest_tool_versions("one").unwrap();
        assert!(s.get_classification(tv[0].id, "rs").unwrap().is_some());
        assert_eq!(s.search("gamma").unwrap().len(), 1);
        // b's run was unfinished and stays so: rerunning shard 1 resumes it.
        let run = s
            .start_run(&["reg".into(), "shard:1/2".into()], false)
            .unwrap();
        assert!(run.resumed);
        assert!(run.done.contains("two"));
    }

    #[test]
    fn refuses_missing_inputs_and_other_schema_versions() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = fixtures(dir.path());
        let out = dir.path().join("out.db");
        let missing = dir.path().join("nope.db");
        let e = merge(&out, &[a.clone(), missing], |_| {}).unwrap_err();
        assert!(matches!(e, MergeError::Missing(_)), "{e}");
        let old = dir.path().join("old.db");
        Connection::open(&old)
            .unwrap()
            .execute_batch("CREATE TABLE x (y); PRAGMA user_version = 7;")
            .unwrap();
        let e = merge(&out, &[a, old], |_| {}).unwrap_err();
        assert!(e.to_string().contains("schema version 7"), "{e}");
        assert!(!out.exists(), "nothing written when an input is refused");
    }
}
