//! `mcp-risk crawl` and `mcp-risk diff` end to end: file sources, failures
//! as rows, resuming an interrupted run, SIGKILL halfway, drift between two
//! crawls.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[allow(dead_code)]
mod common;

use mcp_risk::crawl::source_key;
use mcp_risk::mcp::{ProbeOutcome, Status};
use mcp_risk::store::Store;
use rusqlite::Connection;
use serde_json::{json, Value};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
}

fn run(args: &[&str]) -> Output {
    let out = bin().args(args).output().expect("run mcp-risk");
    assert!(
        out.status.success(),
        "mcp-risk {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// (server, status) of every attempt of a run, sorted.
fn statuses(db: &Path, run: i64) -> Vec<(String, String)> {
    let c = Connection::open(db).unwrap();
    let mut st = c
        .prepare(
            "SELECT s.name, a.status FROM attempt a JOIN server s ON s.id = a.server_id
             WHERE a.run_id = ?1 ORDER BY s.name",
        )
        .unwrap();
    st.query_map([run], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn tools_file(dir: &Path, name: &str, n: usize) -> PathBuf {
    let tools: Vec<Value> = (0..n)
        .map(|i| {
            json!({"name": format!("{name}_tool_{i}"), "description": format!("Tool {i} of {name}"),
                   "inputSchema": {"type": "object", "properties": {"id": {"type": "string"}}}})
        })
        .collect();
    let path = dir.join(format!("{name}.json"));
    write_json(&path, &json!({"tools": tools}));
    path
}

#[test]
fn file_sources_and_a_malformed_file_become_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tools");
    std::fs::create_dir(&dir).unwrap();
    tools_file(&dir, "alpha", 3);
    write_json(
        &dir.join("beta.json"),
        &json!({"jsonrpc": "2.0", "id": 1, "result": {"tools": [{"name": "b"}]}}),
    );
    std::fs::write(dir.join("broken.json"), "{\"tools\": [").unwrap();
    write_json(&dir.join("shapeless.json"), &json!({"hello": 1}));
    write_json(
        &dir.join("dups.json"),
        &json!([{"name": "x", "description": "first", "inputSchema": {"type": "object"}},
                {"name": "x", "description": "second", "inputSchema": {"type": "object"}},
                {"name": "y"}]),
    );
    let servers = tmp.path().join("servers.json");
    write_json(
        &servers,
        &json!({"servers": {
            "local": {"command": "definitely-not-run", "args": ["x"]},
            "remote": {"url": "http://127.0.0.1:9/mcp"},
            "inline": {"tools": [{"name": "i1"}, {"name": "i2"}]},
            "empty": {}
        }}),
    );
    let db = tmp.path().join("db.sqlite");
    let out = run(&["crawl", "--db", p(&db), p(&dir), p(&servers)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("9 servers"), "{stdout}");

    let got = statuses(&db, 1);
    let status = |n: &str| got.iter().find(|(s, _)| s == n).unwrap().1.clone();
    assert_eq!(got.len(), 9, "{got:?}");
    assert_eq!(status("alpha"), "ok");
    assert_eq!(status("beta"), "ok");
    assert_eq!(status("inline"), "ok");
    assert_eq!(status("broken"), "not_mcp");
    assert_eq!(status("shapeless"), "not_mcp");
    assert_eq!(status("local"), "skipped_policy");
    assert_eq!(status("empty"), "needs_config");
    // Never reached without --allow-private; the exact status is the client's.
    assert_ne!(status("remote"), "ok");

    let store = Store::open(&db).unwrap();
    assert_eq!(store.latest_tools("alpha").unwrap().len(), 3);
    assert_eq!(store.latest_tools("inline").unwrap().len(), 2);
    let summary = store.run_summary(1).unwrap();
    assert_eq!(summary[&Status::Ok], 4);
    // A tool list from a file is checked like a served one.
    let dups = store.latest_tools("dups").unwrap();
    assert_eq!(dups.len(), 2);
    assert_eq!(dups[0]["description"], "first");
    let c = Connection::open(&db).unwrap();
    let anomalies: String = c
        .query_row(
            "SELECT a.anomalies FROM attempt a JOIN server s ON s.id = a.server_id
             WHERE s.name = 'dups'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let kinds: Vec<String> = serde_json::from_str::<Vec<Value>>(&anomalies)
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["duplicate-tool-name", "missing-input-schema"]);
    assert_eq!(store.run(1).unwrap().unwrap().status, "finished");
}

#[test]
fn crawl_json_lists_the_run_the_summary_and_every_attempt() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tools");
    std::fs::create_dir(&dir).unwrap();
    tools_file(&dir, "alpha", 3);
    std::fs::write(dir.join("broken.json"), "{\"tools\": [").unwrap();
    let db = tmp.path().join("db.sqlite");
    let out = run(&["crawl", "--format", "json", "--db", p(&db), p(&dir)]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(doc["run"], 1);
    assert_eq!(doc["servers"], 2);
    assert_eq!(doc["summary"], json!({"ok": 1, "not_mcp": 1}));
    let attempts = doc["attempts"].as_array().unwrap();
    let names: Vec<&str> = attempts
        .iter()
        .map(|a| a["server"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alpha", "broken"]);
    assert_eq!(attempts[0]["status"], "ok");
    assert_eq!(attempts[0]["tools"], 3);
    assert_eq!(attempts[1]["status"], "not_mcp");
    assert!(attempts[1]["detail"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
}

#[test]
fn an_interrupted_run_is_resumed_not_restarted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tools");
    std::fs::create_dir(&dir).unwrap();
    for name in ["a", "b", "c", "d", "e", "f"] {
        tools_file(&dir, name, 2);
    }
    let db = tmp.path().join("db.sqlite");
    // An earlier invocation of the same crawl got through two servers.
    {
        let store = Store::open(&db).unwrap();
        let run = store.start_run(&[source_key(p(&dir))], false).unwrap();
        for name in ["b", "e"] {
            let o = ProbeOutcome::failed(Status::Timeout, "from the interrupted invocation");
            store
                .record_probe(name, "file", &json!({}), &o, Some(run.id))
                .unwrap();
        }
    }
    let out = run(&["crawl", "--db", p(&db), p(&dir)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("resumed"), "{stdout}");
    assert!(stdout.contains("(4 this time, 2 already done)"), "{stdout}");
    let got = statuses(&db, 1);
    let expect: Vec<(String, String)> = [
        ("a", "ok"),
        ("b", "timeout"),
        ("c", "ok"),
        ("d", "ok"),
        ("e", "timeout"),
        ("f", "ok"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, expect);

    // The run is finished: the same sources now start run 2, from scratch.
    run(&["crawl", "--db", p(&db), p(&dir)]);
    assert_eq!(statuses(&db, 2).len(), 6);
    assert!(statuses(&db, 2).iter().all(|(_, s)| s == "ok"));
}

#[test]
fn diff_reports_renames_flips_additions_and_removals() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tools");
    std::fs::create_dir(&dir).unwrap();
    let schema = json!({"type": "object", "properties": {"path": {"type": "string"}}});
    let file = dir.join("fs.json");
    write_json(
        &file,
        &json!({"tools": [
            {"name": "read_file", "description": "Read the contents of a file", "inputSchema": schema},
            {"name": "sync_dir", "description": "Sync a directory", "inputSchema": {"type": "object"},
             "annotations": {"readOnlyHint": false, "destructiveHint": false}},
            {"name": "old_only", "description": "Goes away", "inputSchema": {"type": "object", "properties": {"q": {}}}},
            {"name": "stable", "description": "Never changes", "inputSchema": {"type": "object"}}
        ]}),
    );
    tools_file(&dir, "other", 2);
    let db = tmp.path().join("db.sqlite");
    run(&["crawl", "--db", p(&db), p(&dir)]);
    write_json(
        &file,
        &json!({"tools": [
            {"name": "file_read", "description": "Read the contents of a file", "inputSchema": schema},
            {"name": "sync_dir", "description": "Sync a directory", "inputSchema": {"type": "object"},
             "annotations": {"readOnlyHint": false, "destructiveHint": true}},
            {"name": "stable", "description": "Never changes", "inputSchema": {"type": "object"}},
            {"name": "evil\u{1b}[2Jname", "description": "new", "inputSchema": {"type": "object"}}
        ]}),
    );
    run(&["crawl", "--db", p(&db), p(&dir)]);

    let out = run(&["diff", "--db", p(&db), "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    let servers = doc["servers"].as_array().unwrap();
    assert_eq!(servers.len(), 2, "{doc:#}");
    let other = servers.iter().find(|s| s["server"] == "other").unwrap();
    assert_eq!(other["unchanged"], 2);
    let fs = servers.iter().find(|s| s["server"] == "fs").unwrap();
    assert_eq!(fs["unchanged"], 1);
    assert_eq!(fs["renamed"][0]["renamed_from"], "read_file");
    assert_eq!(fs["renamed"][0]["name"], "file_read");
    assert_eq!(fs["removed"][0]["name"], "old_only");
    assert_eq!(fs["added"][0]["name"], "evil\u{1b}[2Jname");
    let changed = fs["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["name"], "sync_dir");
    assert_eq!(changed[0]["fields"], json!(["annotations"]));
    assert_eq!(
        changed[0]["annotation_flips"],
        json!([{"hint": "destructiveHint", "from": false, "to": true}])
    );
    assert_eq!(changed[0]["turned_destructive"], true);

    // The same, for people: the flip first, hostile names escaped.
    let out = run(&["diff", "--db", p(&db), "--server", "fs"]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with("!! 1 tool(s) turned destructive: fs/sync_dir"),
        "{table}"
    );
    assert!(
        table.contains("read_file → file_read (likely rename"),
        "{table}"
    );
    assert!(table.contains("destructiveHint false → true"), "{table}");
    assert!(table.contains("evil\\u{1b}[2Jname"), "{table}");
    assert!(!table.contains('\u{1b}'), "{table}");
    // Deterministic.
    let again = run(&["diff", "--db", p(&db), "--server", "fs"]);
    assert_eq!(table.as_bytes(), again.stdout.as_slice());

    let unknown = bin()
        .args(["diff", "--db", p(&db), "--server", "nope"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no server named \"nope\""));
}

/// SIGKILL halfway through a crawl: the database passes `integrity_check`,
/// and running the same crawl again resumes the run and finishes it with
/// every server exactly once.
#[test]
fn sigkill_halfway_leaves_a_consistent_database_that_resumes() {
    const FILES: usize = 1200;
    const SLOW: usize = 6;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tools");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..FILES {
        tools_file(&dir, &format!("s{i:04}"), 8);
    }
    // Stdio servers that never answer end in a timeout once the MCP client
    // runs them; they keep the crawl busy while it is killed.
    let servers: serde_json::Map<String, Value> = (0..SLOW)
        .map(|i| {
            (
                format!("slow{i}"),
                json!({"command": "sleep", "args": ["30"]}),
            )
        })
        .collect();
    let servers_file = tmp.path().join("servers.json");
    write_json(&servers_file, &json!({ "servers": servers }));
    let db = tmp.path().join("db.sqlite");
    let args = [
        "crawl",
        "--db",
        p(&db),
        "--allow-exec",
        "--no-sandbox",
        "--timeout",
        "1",
        "--concurrency",
        "2",
        p(&servers_file),
        p(&dir),
    ];

    let mut child = bin()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill once some attempts are committed (or give up waiting).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // Read-only, and only once the crawler made the file: never race it
        // for creating the database.
        let n: i64 = Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|c| {
                c.busy_timeout(Duration::from_secs(1))?;
                c.query_row("SELECT COUNT(*) FROM attempt", [], |r| r.get(0))
            })
            .unwrap_or(0);
        if n >= 20 || Instant::now() > deadline {
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let c = Connection::open(&db).unwrap();
    let (done, finished) = common::first_run_state(&c);
    // Every committed attempt is whole: its tool links match its count.
    let torn: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM attempt a WHERE a.tool_count !=
               (SELECT COUNT(*) FROM attempt_tool l WHERE l.attempt_id = a.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(torn, 0);
    eprintln!(
        "killed after {done} attempts (run finished: {})",
        finished.is_some()
    );
    drop(c);

    let out = run(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let total = (FILES + SLOW) as i64;
    let c = Connection::open(&db).unwrap();
    let (n, distinct): (i64, i64) = c
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT server_id) FROM attempt WHERE run_id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    if finished.is_none() {
        // Killed midway: the rerun resumed run 1 and did only the rest.
        assert!(stdout.contains("resumed"), "{stdout}");
        assert!(
            stdout.contains(&format!("{} this time", total - done)),
            "{done} done before the kill; {stdout}"
        );
        let runs: i64 = c
            .query_row("SELECT COUNT(*) FROM crawl_run", [], |r| r.get(0))
            .unwrap();
        assert_eq!(runs, 1);
    }
    assert_eq!((n, distinct), (total, total));
    let finished: Option<String> = c
        .query_row("SELECT finished FROM crawl_run WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(finished.is_some());
}
