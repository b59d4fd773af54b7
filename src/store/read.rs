//! Read queries (on their own connection: WAL lets them run beside the writer).
//! Every list comes back in a stable order.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use serde_json::Value;

use super::{Store, StoreError};
use crate::classify::Verdict;
use crate::mcp::Status;

/// A server as stored, with its most recent attempt.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerRow {
    pub id: i64,
    pub name: String,
    pub source: String,
    pub version: Option<String>,
    pub description: Option<String>,
    /// How to reach it (a serialized `Launch` or `ProbeTarget`).
    pub launch: Value,
    /// Status of the most recent attempt.
    pub last_status: Option<String>,
    pub last_attempt_at: Option<String>,
    /// Tools seen by the last ok attempt.
    pub tool_count: i64,
}

/// One attempt to reach a server.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttemptRow {
    pub id: i64,
    pub server: String,
    pub run: Option<i64>,
    pub at: String,
    pub transport: String,
    pub era: Option<String>,
    pub protocol_version: Option<String>,
    pub status: String,
    pub detail: Option<String>,
    pub duration_ms: i64,
    pub stderr_tail: String,
    pub sandbox: Option<String>,
    pub anomalies: Value,
    pub server_info: Option<Value>,
    pub tool_count: i64,
}

/// One stored version of a tool definition.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolVersion {
    /// The id to key classifications on.
    pub id: i64,
    pub name: String,
    pub sha256: String,
    /// The tool object as served.
    pub raw: Value,
    pub first_seen: String,
    pub last_seen: String,
}

/// A full-text match.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchHit {
    pub server: String,
    pub tool: String,
    pub tool_id: i64,
    pub description: Option<String>,
}

/// A crawl run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub sources: Vec<String>,
    pub started: String,
    pub finished: Option<String>,
    pub status: String,
}

fn json_col(r: &Row<'_>, i: usize) -> rusqlite::Result<Value> {
    let s: String = r.get(i)?;
    Ok(serde_json::from_str(&s).unwrap_or(Value::String(s)))
}

fn opt_json_col(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Value>> {
    let s: Option<String> = r.get(i)?;
    Ok(s.map(|s| serde_json::from_str(&s).unwrap_or(Value::String(s))))
}

const ATTEMPT_COLS: &str = "a.id, s.name, a.run_id, a.at, a.transport, a.era, a.protocol_version,
    a.status, a.detail, a.duration_ms, a.stderr_tail, a.sandbox, a.anomalies, a.server_info,
    a.tool_count";

fn attempt_row(r: &Row<'_>) -> rusqlite::Result<AttemptRow> {
    Ok(AttemptRow {
        id: r.get(0)?,
        server: r.get(1)?,
        run: r.get(2)?,
        at: r.get(3)?,
        transport: r.get(4)?,
        era: r.get(5)?,
        protocol_version: r.get(6)?,
        status: r.get(7)?,
        detail: r.get(8)?,
        duration_ms: r.get(9)?,
        stderr_tail: r.get(10)?,
        sandbox: r.get(11)?,
        anomalies: json_col(r, 12)?,
        server_info: opt_json_col(r, 13)?,
        tool_count: r.get(14)?,
    })
}

fn server_id(c: &Connection, name: &str) -> Result<i64, StoreError> {
    c.query_row("SELECT id FROM server WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| StoreError::UnknownServer(name.to_owned()))
}

/// The ok attempts of a server, newest first.
fn ok_attempt_ids(c: &Connection, server: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
    let mut st = c.prepare_cached(
        "SELECT id FROM attempt WHERE server_id = ?1 AND status = 'ok' ORDER BY id DESC LIMIT ?2",
    )?;
    let ids = st
        .query_map(params![server, limit], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}

fn tools_of(c: &Connection, attempt: i64) -> Result<Vec<ToolVersion>, StoreError> {
    let mut st = c.prepare_cached(
        "SELECT t.id, t.name, t.sha256, t.raw, t.first_seen, t.last_seen
         FROM attempt_tool l JOIN tool t ON t.id = l.tool_id
         WHERE l.attempt_id = ?1 ORDER BY l.position",
    )?;
    let rows = st
        .query_map([attempt], |r| {
            Ok(ToolVersion {
                id: r.get(0)?,
                name: r.get(1)?,
                sha256: r.get(2)?,
                raw: json_col(r, 3)?,
                first_seen: r.get(4)?,
                last_seen: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Turns user text into an FTS5 query: every word must match (as a prefix),
/// and no FTS syntax from the user is interpreted.
fn fts_query(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Store {
    /// Every server, sorted by name.
    pub fn servers(&self) -> Result<Vec<ServerRow>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare(
            "SELECT s.id, s.name, s.source, s.version, s.description, s.launch,
               (SELECT status FROM attempt WHERE server_id = s.id ORDER BY id DESC LIMIT 1),
               (SELECT at FROM attempt WHERE server_id = s.id ORDER BY id DESC LIMIT 1),
               COALESCE((SELECT tool_count FROM attempt WHERE server_id = s.id AND status = 'ok'
                         ORDER BY id DESC LIMIT 1), 0)
             FROM server s ORDER BY s.name",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(ServerRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    source: r.get(2)?,
                    version: r.get(3)?,
                    description: r.get(4)?,
                    launch: json_col(r, 5)?,
                    last_status: r.get(6)?,
                    last_attempt_at: r.get(7)?,
                    tool_count: r.get(8)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The tools (raw JSON as served, in served order) of the server's last ok
    /// attempt; empty when it was never reached.
    pub fn latest_tools(&self, server: &str) -> Result<Vec<Value>, StoreError> {
        Ok(self
            .latest_tool_versions(server)?
            .into_iter()
            .map(|t| t.raw)
            .collect())
    }

    /// Like [`Store::latest_tools`] with the stored version ids (for
    /// classification caching).
    pub fn latest_tool_versions(&self, server: &str) -> Result<Vec<ToolVersion>, StoreError> {
        let c = self.reader();
        let id = server_id(&c, server)?;
        match ok_attempt_ids(&c, id, 1)?.first() {
            Some(&a) => tools_of(&c, a),
            None => Ok(Vec::new()),
        }
    }

    /// The tools of the ok attempt before the last one (`None` when the server
    /// was reached fewer than two times).
    pub fn tools_at_previous_crawl(&self, server: &str) -> Result<Option<Vec<Value>>, StoreError> {
        let c = self.reader();
        let id = server_id(&c, server)?;
        match ok_attempt_ids(&c, id, 2)?.get(1) {
            Some(&a) => Ok(Some(tools_of(&c, a)?.into_iter().map(|t| t.raw).collect())),
            None => Ok(None),
        }
    }

    /// The server's ok attempts, newest first, at most `limit`.
    pub fn ok_attempts(&self, server: &str, limit: usize) -> Result<Vec<AttemptRow>, StoreError> {
        let c = self.reader();
        let id = server_id(&c, server)?;
        let mut st = c.prepare(&format!(
            "SELECT {ATTEMPT_COLS} FROM attempt a JOIN server s ON s.id = a.server_id
             WHERE a.server_id = ?1 AND a.status = 'ok' ORDER BY a.id DESC LIMIT ?2"
        ))?;
        let rows = st
            .query_map(params![id, limit as i64], attempt_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The tool versions one attempt saw, in served order.
    pub fn attempt_tools(&self, attempt: i64) -> Result<Vec<ToolVersion>, StoreError> {
        tools_of(&self.reader(), attempt)
    }

    /// Every attempt of a run, sorted by server name.
    pub fn run_attempts(&self, run: i64) -> Result<Vec<AttemptRow>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare(&format!(
            "SELECT {ATTEMPT_COLS} FROM attempt a JOIN server s ON s.id = a.server_id
             WHERE a.run_id = ?1 ORDER BY s.name"
        ))?;
        let rows = st
            .query_map([run], attempt_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// How many servers of a run ended in each status (statuses with no
    /// server are left out).
    pub fn run_summary(&self, run: i64) -> Result<BTreeMap<Status, u64>, StoreError> {
        let c = self.reader();
        let mut st =
            c.prepare("SELECT status, COUNT(*) FROM attempt WHERE run_id = ?1 GROUP BY status")?;
        let mut out = BTreeMap::new();
        for row in st.query_map([run], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (s, n) = row?;
            if let Some(s) = Status::parse(&s) {
                out.insert(s, n as u64);
            }
        }
        Ok(out)
    }

    /// One crawl run.
    pub fn run(&self, run: i64) -> Result<Option<RunRow>, StoreError> {
        let c = self.reader();
        let row = c
            .query_row(
                "SELECT id, sources, started, finished, status FROM crawl_run WHERE id = ?1",
                [run],
                |r| {
                    let sources: String = r.get(1)?;
                    Ok(RunRow {
                        id: r.get(0)?,
                        sources: serde_json::from_str(&sources).unwrap_or_default(),
                        started: r.get(2)?,
                        finished: r.get(3)?,
                        status: r.get(4)?,
                    })
                },
            )
            .optional()?;
        Ok(row)
    }

    /// The cached verdict for a tool version under a key: the ruleset hash,
    /// and for the pipeline also the server context (`hash/verb-last=..`).
    pub fn get_classification(
        &self,
        tool_id: i64,
        ruleset: &str,
    ) -> Result<Option<Verdict>, StoreError> {
        let c = self.reader();
        let s: Option<String> = c
            .query_row(
                "SELECT verdict FROM classification WHERE tool_id = ?1 AND ruleset = ?2",
                params![tool_id, ruleset],
                |r| r.get(0),
            )
            .optional()?;
        Ok(s.map(|s| serde_json::from_str(&s)).transpose()?)
    }

    /// Full-text search over tool names and descriptions (every word of
    /// `text` must match, as a prefix). One hit per server and tool name (its
    /// newest matching version), best match first, then by server and name.
    pub fn search(&self, text: &str) -> Result<Vec<SearchHit>, StoreError> {
        let q = fts_query(text);
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let c = self.reader();
        let mut st = c.prepare(
            "SELECT s.name, t.name, MAX(t.id), t.description, MIN(f.rank) AS best
             FROM tool_fts f JOIN tool t ON t.id = f.rowid JOIN server s ON s.id = t.server_id
             WHERE tool_fts MATCH ?1
             GROUP BY s.name, t.name
             ORDER BY best, s.name, t.name",
        )?;
        let rows = st
            .query_map([q], |r| {
                Ok(SearchHit {
                    server: r.get(0)?,
                    tool: r.get(1)?,
                    tool_id: r.get(2)?,
                    description: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn fts_query_neutralises_syntax() {
        assert_eq!(fts_query("delete file"), "\"delete\"* \"file\"*");
        assert_eq!(
            fts_query("a\" OR NEAR(b"),
            "\"a\"* \"OR\"* \"NEAR\"* \"b\"*"
        );
        assert_eq!(fts_query("  --- "), "");
    }
}
