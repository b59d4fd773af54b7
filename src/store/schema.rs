//! The schema, as ordered migrations keyed by `PRAGMA user_version`.
//!
//! Migration `i` (0-based) moves a database from `user_version = i` to
//! `i + 1`. Never edit a shipped migration: append a new one.

use rusqlite::Connection;

use super::StoreError;

/// Every migration, in order. The database's `user_version` is the number
/// already applied.
pub const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
CREATE TABLE server (
    id          INTEGER PRIMARY KEY,
    -- Stable identity: unique across sources (the last source to name it wins).
    name        TEXT NOT NULL UNIQUE,
    -- Source kind: file, servers, official, docker, glama, smithery, config, probe.
    source      TEXT NOT NULL,
    version     TEXT,
    description TEXT,
    -- How to reach it (a serialized registry::Launch or mcp::ProbeTarget).
    launch      TEXT NOT NULL,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL
);

CREATE TABLE crawl_run (
    id          INTEGER PRIMARY KEY,
    -- The sources as given, sorted and deduplicated (a JSON array): a run is
    -- identified by them, so re-running the same sources resumes it.
    sources     TEXT NOT NULL,
    started     TEXT NOT NULL,
    finished    TEXT,
    -- running | finished
    status      TEXT NOT NULL
);
CREATE INDEX crawl_run_sources ON crawl_run(sources, finished);

CREATE TABLE attempt (
    id               INTEGER PRIMARY KEY,
    server_id        INTEGER NOT NULL REFERENCES server(id),
    -- NULL for a one-off `probe --db`.
    run_id           INTEGER REFERENCES crawl_run(id),
    at               TEXT NOT NULL,
    -- stdio | streamable_http | sse | none (tools taken from a file or registry)
    transport        TEXT NOT NULL,
    era              TEXT,
    protocol_version TEXT,
    status           TEXT NOT NULL,
    detail           TEXT,
    duration_ms      INTEGER NOT NULL,
    stderr_tail      TEXT NOT NULL,
    sandbox          TEXT,
    anomalies        TEXT NOT NULL,
    server_info      TEXT,
    auth             TEXT,
    tool_count       INTEGER NOT NULL
);
CREATE UNIQUE INDEX attempt_run_server ON attempt(run_id, server_id) WHERE run_id IS NOT NULL;
CREATE INDEX attempt_server ON attempt(server_id, status, id);

-- One row per distinct definition of a tool: a new row only when the
-- definition (canonical JSON) changes, so history survives across crawls.
CREATE TABLE tool (
    id               INTEGER PRIMARY KEY,
    server_id        INTEGER NOT NULL REFERENCES server(id),
    name             TEXT NOT NULL,
    -- The tool object as served.
    raw              TEXT NOT NULL,
    -- sha256 of the canonical JSON (sorted keys, no whitespace).
    sha256           TEXT NOT NULL,
    title            TEXT,
    description      TEXT,
    -- Declared annotation hints: NULL when absent, never their defaults.
    read_only_hint   INTEGER,
    destructive_hint INTEGER,
    idempotent_hint  INTEGER,
    open_world_hint  INTEGER,
    first_seen       TEXT NOT NULL,
    last_seen        TEXT NOT NULL,
    UNIQUE (server_id, name, sha256)
);

-- Which tool versions each attempt saw, in the order served.
CREATE TABLE attempt_tool (
    attempt_id INTEGER NOT NULL REFERENCES attempt(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    tool_id    INTEGER NOT NULL REFERENCES tool(id),
    PRIMARY KEY (attempt_id, position)
);
CREATE INDEX attempt_tool_tool ON attempt_tool(tool_id);

CREATE TABLE classification (
    tool_id  INTEGER NOT NULL REFERENCES tool(id),
    -- Hash of the rules the verdict came from: re-classify when rules change.
    ruleset  TEXT NOT NULL,
    verdict  TEXT NOT NULL,
    created  TEXT NOT NULL,
    PRIMARY KEY (tool_id, ruleset)
);

-- Full-text search over tool names and descriptions (rowid = tool.id).
CREATE VIRTUAL TABLE tool_fts USING fts5(name, description, tokenize = 'unicode61');
"#,
];

/// Brings the database to the newest schema, one transaction per migration.
/// Refuses a database from a newer mcp-risk rather than guessing.
///
/// Pending migrations run in one `BEGIN IMMEDIATE` transaction that re-reads
/// the version under the write lock: two processes opening a new database at
/// once cannot both create the tables. The second waits (the busy timeout)
/// and then finds nothing to do, or, if the first holds the database longer,
/// fails with [`StoreError::Busy`].
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let version = |c: &Connection| -> Result<i64, StoreError> {
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if v > known {
            return Err(StoreError::TooNew { found: v, known });
        }
        Ok(v)
    };
    // Up to date: no write lock, so readers never wait on a running crawl.
    if version(conn)? == known {
        return Ok(());
    }
    let busy = |e: rusqlite::Error| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            StoreError::Busy
        }
        e => StoreError::Sqlite(e),
    };
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(busy)?;
    let current = version(&tx)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit().map_err(busy)?;
    Ok(())
}
