//! The SQLite store: migrations, history across crawls, NULL hints, FTS
//! search, the classification cache and crawl runs.

use mcp_risk::classify::{classify_tools, Options};
use mcp_risk::mcp::{AnomalyKind, ProbeOutcome, Status, Transport};
use mcp_risk::store::{definition_hash, schema, Store, StoreError};
use rusqlite::Connection;
use serde_json::{json, Value};
use strum::IntoEnumIterator;

fn ok(tools: Vec<Value>) -> ProbeOutcome {
    let mut o = ProbeOutcome::failed(Status::Ok, "");
    o.detail = None;
    o.transport = Some(Transport::Stdio);
    o.protocol_version = Some("2025-11-25".into());
    o.server_info = Some(json!({"name": "fake", "version": "1"}));
    o.tools = tools;
    o.duration_ms = 12;
    o.sandbox = Some("none".into());
    o
}

fn launch() -> Value {
    json!({"kind": "stdio", "command": "fake", "args": []})
}

fn tool(name: &str, desc: &str) -> Value {
    json!({"name": name, "description": desc, "inputSchema": {"type": "object"}})
}

#[test]
fn migrates_an_empty_database_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/db.sqlite");
    drop(Store::open(&path).unwrap());
    let c = Connection::open(&path).unwrap();
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, schema::MIGRATIONS.len() as i64);
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    for table in [
        "server",
        "crawl_run",
        "attempt",
        "tool",
        "attempt_tool",
        "classification",
        "tool_fts",
    ] {
        let n: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "table {table} missing");
    }
    // Reopening applies nothing twice.
    drop(c);
    let s = Store::open(&path).unwrap();
    assert!(s.servers().unwrap().is_empty());
    drop(s);

    // A database from a newer mcp-risk is refused, not mangled.
    let c = Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", 99).unwrap();
    drop(c);
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::TooNew { found: 99, .. })
    ));
}

#[test]
fn history_across_crawls_keeps_versions_and_raw_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let s = Store::open(&path).unwrap();

    // Key order and unusual fields are kept exactly as served.
    let a: Value = serde_json::from_str(
        r#"{"name":"a","inputSchema":{"type":"object"},"description":"A","x-extra":[1]}"#,
    )
    .unwrap();
    let b1 = tool("b", "B one");
    let b2 = tool("b", "B two");
    let c = tool("c", "C");

    s.record_probe(
        "srv",
        "probe",
        &launch(),
        &ok(vec![a.clone(), b1.clone(), c.clone()]),
        None,
    )
    .unwrap();
    assert_eq!(s.tools_at_previous_crawl("srv").unwrap(), None);

    s.record_probe(
        "srv",
        "probe",
        &launch(),
        &ok(vec![a.clone(), b2.clone()]),
        None,
    )
    .unwrap();
    assert_eq!(s.latest_tools("srv").unwrap(), vec![a.clone(), b2.clone()]);
    assert_eq!(
        s.tools_at_previous_crawl("srv").unwrap(),
        Some(vec![a.clone(), b1.clone(), c.clone()])
    );
    assert_eq!(
        serde_json::to_string(&s.latest_tools("srv").unwrap()[0]).unwrap(),
        r#"{"name":"a","inputSchema":{"type":"object"},"description":"A","x-extra":[1]}"#
    );

    // A failed attempt changes nothing about the latest tools.
    s.record_probe(
        "srv",
        "probe",
        &launch(),
        &ProbeOutcome::failed(Status::Timeout, "no answer in 30 s"),
        None,
    )
    .unwrap();
    assert_eq!(s.latest_tools("srv").unwrap(), vec![a.clone(), b2.clone()]);

    // An identical crawl adds no tool rows.
    s.record_probe(
        "srv",
        "probe",
        &launch(),
        &ok(vec![a.clone(), b2.clone()]),
        None,
    )
    .unwrap();
    drop(s);

    let db = Connection::open(&path).unwrap();
    let rows: Vec<(String, String, String, String)> = db
        .prepare("SELECT name, sha256, first_seen, last_seen FROM tool ORDER BY name, id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(names, ["a", "b", "b", "c"]);
    assert_eq!(rows[0].1, definition_hash(&a));
    assert!(
        rows[0].3 >= rows[0].2,
        "last_seen never precedes first_seen: {:?}",
        rows[0]
    );
    assert_eq!(rows[3].2, rows[3].3, "c was seen once");
    let attempts: Vec<(String, i64)> = db
        .prepare("SELECT status, tool_count FROM attempt ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        attempts,
        [
            ("ok".into(), 3),
            ("ok".into(), 2),
            ("timeout".into(), 0),
            ("ok".into(), 2)
        ]
    );
}

#[test]
fn absent_hints_are_null_not_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let s = Store::open(&path).unwrap();
    let tools = vec![
        tool("plain", "no annotations"),
        json!({"name": "partial", "annotations": {"readOnlyHint": false, "destructiveHint": "yes"}}),
    ];
    s.record_probe("srv", "probe", &launch(), &ok(tools), None)
        .unwrap();
    drop(s);
    let db = Connection::open(&path).unwrap();
    type Hints = (Option<bool>, Option<bool>, Option<bool>, Option<bool>);
    let get = |name: &str| -> Hints {
        db.query_row(
            "SELECT read_only_hint, destructive_hint, idempotent_hint, open_world_hint
             FROM tool WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
    };
    assert_eq!(get("plain"), (None, None, None, None));
    // A non-boolean hint counts as absent.
    assert_eq!(get("partial"), (Some(false), None, None, None));
}

#[test]
fn full_text_search_over_names_and_descriptions() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("db.sqlite")).unwrap();
    s.record_probe(
        "files",
        "probe",
        &launch(),
        &ok(vec![
            tool("read_file", "Reads a file from disk"),
            tool("remove_path", "Deletes a directory tree"),
        ]),
        None,
    )
    .unwrap();
    s.record_probe(
        "db",
        "probe",
        &launch(),
        &ok(vec![tool("drop_table", "Deletes a table and its rows")]),
        None,
    )
    .unwrap();
    let hits: Vec<(String, String)> = s
        .search("delete")
        .unwrap()
        .into_iter()
        .map(|h| (h.server, h.tool))
        .collect();
    assert_eq!(hits.len(), 2);
    assert!(hits.contains(&("files".into(), "remove_path".into())));
    assert!(hits.contains(&("db".into(), "drop_table".into())));
    let by_name = s.search("file").unwrap();
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name[0].tool, "read_file");
    // FTS syntax in user text is not interpreted.
    assert!(s.search("\"unbalanced OR NEAR(").unwrap().is_empty());
    assert!(s.search("").unwrap().is_empty());
}

#[test]
fn classification_cache_is_keyed_by_tool_version_and_ruleset() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("db.sqlite")).unwrap();
    let t = json!({"name": "wipe", "annotations": {"destructiveHint": true}});
    s.record_probe("srv", "probe", &launch(), &ok(vec![t.clone()]), None)
        .unwrap();
    let versions = s.latest_tool_versions("srv").unwrap();
    assert_eq!(versions.len(), 1);
    let id = versions[0].id;
    assert!(s.get_classification(id, "rules-1").unwrap().is_none());
    let v = classify_tools(&[t], &Options::default()).remove(0);
    s.put_classification(id, "rules-1", &v).unwrap();
    assert_eq!(
        s.get_classification(id, "rules-1").unwrap(),
        Some(v.clone())
    );
    assert!(s.get_classification(id, "rules-2").unwrap().is_none());
    // Re-classifying under the same ruleset replaces the row.
    let mut v2 = v.clone();
    v2.rationale = "second opinion".into();
    s.put_classification(id, "rules-1", &v2).unwrap();
    assert_eq!(s.get_classification(id, "rules-1").unwrap(), Some(v2));
    assert!(matches!(
        s.latest_tool_versions("nope"),
        Err(StoreError::UnknownServer(_))
    ));
}

#[test]
fn runs_resume_until_finished() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("db.sqlite")).unwrap();
    let sources = vec!["b".to_owned(), "a".to_owned()];
    let r1 = s.start_run(&sources, false).unwrap();
    assert!(!r1.resumed);
    s.record_probe("one", "file", &launch(), &ok(vec![]), Some(r1.id))
        .unwrap();
    s.record_probe(
        "two",
        "file",
        &launch(),
        &ProbeOutcome::failed(Status::NotMcp, "x"),
        Some(r1.id),
    )
    .unwrap();

    // Same sources in another order: the same, unfinished run.
    let r2 = s.start_run(&["a".into(), "b".into()], false).unwrap();
    assert_eq!(r2.id, r1.id);
    assert!(r2.resumed);
    assert_eq!(r2.done.iter().collect::<Vec<_>>(), ["one", "two"]);
    // --refresh resumes the run but re-does everything, replacing attempts.
    let r3 = s.start_run(&sources, true).unwrap();
    assert_eq!(r3.id, r1.id);
    assert!(r3.done.is_empty());
    s.record_probe("two", "file", &launch(), &ok(vec![]), Some(r1.id))
        .unwrap();
    let summary = s.run_summary(r1.id).unwrap();
    assert_eq!(summary.get(&Status::Ok), Some(&2));
    assert_eq!(summary.get(&Status::NotMcp), None);
    assert_eq!(s.run_attempts(r1.id).unwrap().len(), 2);

    s.finish_run(r1.id).unwrap();
    let r4 = s.start_run(&sources, false).unwrap();
    assert_ne!(r4.id, r1.id);
    assert!(!r4.resumed);
    assert_eq!(s.run(r1.id).unwrap().unwrap().status, "finished");
}

/// The names the store keeps for outcome statuses and anomaly kinds, as the
/// rule catalogue is snapshotted: renaming one breaks every database already
/// written, so any change shows in review. Each name parses back to itself,
/// and serde writes the same name strum does.
#[test]
fn stored_status_and_anomaly_names_snapshot() {
    let mut lines = vec!["statuses:".to_owned()];
    for s in Status::iter() {
        assert_eq!(Status::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
        lines.push(format!("  {s}"));
    }
    lines.push("anomaly kinds:".to_owned());
    for k in AnomalyKind::iter().filter(|k| !matches!(k, AnomalyKind::Other(_))) {
        assert_eq!(AnomalyKind::from(k.as_str()), k);
        assert_eq!(serde_json::to_value(&k).unwrap(), json!(k.as_str()));
        lines.push(format!("  {k}"));
    }
    // A kind this build does not know is kept as written.
    let other: AnomalyKind = serde_json::from_value(json!("from-a-newer-probe")).unwrap();
    assert_eq!(other, AnomalyKind::Other("from-a-newer-probe".into()));
    assert_eq!(
        serde_json::to_value(&other).unwrap(),
        json!("from-a-newer-probe")
    );
    insta::assert_snapshot!("stored_names", lines.join("\n"));
}

/// A verdict depends on its siblings (the server's naming convention), so the
/// cache is keyed by the server context too: a crawl that adds siblings and
/// flips the convention reclassifies an unchanged tool instead of serving
/// its stale verdict.
#[test]
fn cached_verdicts_follow_the_server_context() {
    use mcp_risk::classify::Class;
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("db.sqlite")).unwrap();
    let verdict_of = |s: &Store, name: &str| {
        let reports = mcp_risk::pipeline::classify_store(s).unwrap();
        let r = &reports[0];
        let i = r
            .tools
            .iter()
            .position(|t| t["name"] == name)
            .expect("tool");
        r.verdicts[i].class
    };
    // Verb-last names: `deploy_plan_get` gets a plan.
    let verb_last: Vec<Value> = [
        "deploy_plan_get",
        "vault_key_get",
        "disk_list",
        "sql_db_create",
    ]
    .iter()
    .map(|n| tool(n, ""))
    .collect();
    s.record_probe("srv", "probe", &launch(), &ok(verb_last.clone()), None)
        .unwrap();
    assert_eq!(verdict_of(&s, "deploy_plan_get"), Class::Read);
    // Verb-first siblings arrive: now `deploy` leads the same, unchanged tool.
    let mut more = verb_last;
    for n in [
        "get_a", "list_b", "create_c", "delete_d", "update_e", "set_f",
    ] {
        more.push(tool(n, ""));
    }
    s.record_probe("srv", "probe", &launch(), &ok(more), None)
        .unwrap();
    assert_eq!(verdict_of(&s, "deploy_plan_get"), Class::Destructive);
}
