//! Hostile and huge input to the offline commands (issue 13): no tool is
//! downgraded by being unreadable, the streaming and loading paths agree,
//! memory stays near the input's size, stdout is a valid document or empty,
//! bulk commands skip a bad file with exit 3, concurrent opens of a new
//! database migrate once. Every hostile file is generated here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mcp_risk::classify::{self, Class, Risk, Verdict};
use mcp_risk::input::{self, tolerant};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_mcp-risk");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run mcp-risk")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The destructive tool of the issue, with `extra` spliced into its members.
fn delete_all_files(extra: &str) -> String {
    format!(
        r#"{{"tools":[{{"name":"list_files","description":"Lists the files of a folder.","inputSchema":{{"type":"object","properties":{{"path":{{"type":"string"}}}}}}}},{{"name":"delete_all_files","description":"Deletes every file in the workspace permanently.","inputSchema":{{"type":"object","properties":{{"path":{{"type":"string"}}}}}},{extra}"annotations":{{"destructiveHint":true}}}}]}}"#
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// The tools of the v1 document on stdout, by name.
fn tools_of(stdout: &[u8]) -> Vec<Value> {
    let doc: Value = serde_json::from_slice(stdout).expect("stdout is one JSON document");
    doc["servers"]
        .as_array()
        .expect("servers")
        .iter()
        .flat_map(|s| s["tools"].as_array().expect("tools").clone())
        .collect()
}

fn named<'a>(tools: &'a [Value], name: &str) -> &'a Value {
    tools
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no tool {name} in {tools:?}"))
}

fn rules_of(tool: &Value) -> Vec<String> {
    tool["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .map(|e| e["rule"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Checks a hostile variant of the destructive tool through both paths:
/// still destructive and critical, an anomaly of `kind` in its evidence,
/// `--fail-on high` exits 14, and the JSON and table modes agree.
fn not_downgraded(extra: &str, kind: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "hostile.json", &delete_all_files(extra));
    let f = f.to_str().expect("utf-8 path");
    let json = run(&[
        "classify",
        "--input",
        f,
        "--format",
        "json",
        "--fail-on",
        "high",
    ]);
    assert_eq!(code(&json), 14, "stream path: {}", stderr(&json));
    let tools = tools_of(&json.stdout);
    let t = named(&tools, "delete_all_files");
    assert_eq!(t["class"], "destructive", "{t}");
    assert_eq!(t["risk"], "critical", "{t}");
    assert!(rules_of(t).contains(&kind.to_owned()), "{t}");
    assert!(stderr(&json).contains(kind), "{}", stderr(&json));
    let table = run(&["classify", "--input", f, "--fail-on", "high"]);
    assert_eq!(code(&table), 14, "tolerant path: {}", stderr(&table));
    assert!(String::from_utf8_lossy(&table.stdout).contains("delete_all_files"));
}

#[test]
fn a_lone_surrogate_does_not_downgrade_a_tool() {
    not_downgraded(r#""_meta":{"x":"\ud800"},"#, "input-repaired");
}

#[test]
fn a_200_deep_schema_does_not_downgrade_a_tool() {
    let deep = format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200));
    not_downgraded(&format!(r#""_meta":{deep},"#), "input-nesting-cut");
}

#[test]
fn a_number_out_of_range_does_not_downgrade_a_tool() {
    not_downgraded(r#""_meta":{"x":1e999},"#, "input-repaired");
}

#[test]
fn a_huge_description_is_cut_with_an_anomaly() {
    let pad = "lorem ipsum ".repeat(200_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "big.json",
        &json!({"tools": [{"name": "delete_all_files", "description": format!("Deletes every file permanently. {pad}")}]}).to_string(),
    );
    let o = run(&[
        "classify",
        "--input",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let tools = tools_of(&o.stdout);
    let t = named(&tools, "delete_all_files");
    assert_eq!(t["class"], "destructive");
    assert!(
        rules_of(t).contains(&"input-field-truncated".to_owned()),
        "{t}"
    );
    assert!(t["signals"]
        .as_array()
        .unwrap()
        .contains(&json!("suspicious_description")));
}

/// Runs the binary with `args` under GNU time (stdout, stderr and the peak
/// to files in `dir`). Returns the exit code, the binary's own peak
/// resident size in KiB, and its stderr.
///
/// Not `wait4` on a child spawned from here: std spawns with posix_spawn
/// (the child shares this process's memory until exec), and at exec the
/// kernel folds the high-water RSS of the memory left behind into the new
/// program's `ru_maxrss` (fs/exec.c, `exec_mmap`: `setmax_mm_hiwater_rss`).
/// The child then "peaked" at whatever this test process had ever held,
/// other tests' 64 MB strings included (464 MB once on a fresh clone). A
/// fork counts the parent's current RSS the same way. GNU time is a fresh,
/// small process that forks the binary itself, so at most its own ~2 MB
/// can leak into the figure.
fn run_measured(dir: &Path, args: &[&str]) -> (i32, usize, String) {
    let time = Path::new("/usr/bin/time");
    assert!(
        time.is_file(),
        "GNU time not found at /usr/bin/time: run scripts/install-deps.sh (it apt-installs Debian's `time`)"
    );
    let (peak, err) = (dir.join("measured.peak"), dir.join("measured.err"));
    let status = Command::new(time)
        .args(["-f", "%M", "-o"])
        .arg(&peak)
        .arg("--")
        .arg(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(dir.join("measured.out")).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"))
        .status()
        .expect("run mcp-risk under /usr/bin/time");
    let text = std::fs::read_to_string(&err).unwrap_or_default();
    // The last line is the figure ("Command terminated by signal N" or
    // "exited with non-zero status" may come before it).
    let report = std::fs::read_to_string(&peak).expect("time's report");
    let kb = report
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("time's report: {report:?}"));
    (status.code().expect("time exited"), kb, text)
}

/// Peak memory of `classify` on a 64 MB description stays a small multiple
/// of the input (the issue measured 2.7 GB for 200 MB before the cap).
#[test]
fn peak_memory_stays_near_the_input_size() {
    let mb = 64usize;
    let dir = tempfile::tempdir().expect("tempdir");
    let desc = "Deletes files. ".to_owned() + &"x".repeat(mb << 20);
    let f = write(
        dir.path(),
        "huge.json",
        &json!({"tools": [{"name": "delete_file", "description": desc}]}).to_string(),
    );
    let mut peak_kb = 0;
    for format in ["json", "table"] {
        let (status, kb, err) = run_measured(
            dir.path(),
            &[
                "classify",
                "--input",
                f.to_str().unwrap(),
                "--format",
                format,
            ],
        );
        assert_eq!(status, 0, "{err}");
        peak_kb = peak_kb.max(kb);
    }
    let input_kb = mb << 10;
    assert!(
        peak_kb < 3 * input_kb + (64 << 10),
        "peak {peak_kb} KiB for a {input_kb} KiB input"
    );
}

#[test]
fn an_unreadable_tool_is_treated_as_the_worst() {
    // Not JSON at all: the tolerant reader still gives a value and a note.
    let (v, notes) = tolerant::tool_value(r#"{"name":"wipe","x":"#);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].kind, tolerant::NoteKind::Unreadable);
    let mut verdict: Verdict = classify::engine().classify(&v, true);
    tolerant::apply_notes(&mut verdict, &notes);
    assert_eq!(verdict.class, Class::Destructive);
    assert_eq!(verdict.risk, Risk::Critical);
    assert!(verdict
        .evidence
        .iter()
        .any(|e| e.rule == "input-unreadable"));
}

/// The v1 document the loading (tolerant) path gives for `path`.
fn loaded_document(path: &Path) -> Vec<u8> {
    let loaded = input::load_all(path, false).expect("load");
    let results: Vec<(String, Vec<Verdict>)> = loaded
        .servers
        .iter()
        .map(|s| {
            let mut vs = classify::classify_tools(&s.tools, &classify::Options::default());
            for n in &s.notes {
                tolerant::apply_notes(&mut vs[n.index], std::slice::from_ref(&n.note));
            }
            (s.server.clone(), vs)
        })
        .collect();
    let mut out = Vec::new();
    mcp_risk::report::json::write(&mut out, &results).expect("write");
    out
}

/// Every corpus file, plus hostile ones, gives the same bytes through the
/// streaming `--format json` path as through the loading path.
#[test]
fn streaming_and_loading_paths_agree_over_the_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut n = 0;
    for f in input::json_files(&corpus).expect("corpus") {
        std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).expect("copy");
        n += 1;
    }
    assert!(n >= 9, "the fixture corpus has {n} files");
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    write(
        dir.path(),
        "zz-surrogate.json",
        &delete_all_files(r#""_meta":"\udc00","#),
    );
    write(
        dir.path(),
        "zz-deep.json",
        &delete_all_files(&format!(r#""x":{deep},"#)),
    );
    write(
        dir.path(),
        "zz-number.json",
        &delete_all_files(r#""x":-1e400,"#),
    );
    // Tools that are arrays or have names that are not strings count as no
    // name and no annotations in the server's context on both paths (the
    // streaming path once read a two-element array as a name and hints).
    let odd: Vec<String> = (0..4)
        .map(|i| format!(r#"["store_item{i}_delete", {{"readOnlyHint": false, "destructiveHint": true}}]"#))
        .chain((0..4).map(|i| format!(r#"{{"name": {i}}}"#)))
        .chain([r#"{"name": "store_item_get", "description": "Gets an item.", "annotations": {"readOnlyHint": false, "destructiveHint": true}}"#.to_owned()])
        .collect();
    write(
        dir.path(),
        "zz-odd-tools.json",
        &format!(r#"{{"tools": [{}]}}"#, odd.join(",")),
    );
    assert_same_paths(dir.path());
}

/// The warning lines of `o`'s stderr.
fn warnings(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .map(str::to_owned)
        .collect()
}

/// The streaming `--format json` path labels a malformed tool in its
/// warnings as the loading path does (`--format table`): by its name when
/// that is a non-empty string, `#index` otherwise. The streaming path once
/// printed a name that is the number 42 as "42".
#[test]
fn streaming_and_loading_paths_warn_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Lone surrogates make a tool with a good name noted too (repaired).
    let odd = [
        r#"{"name": 42}"#,
        r#"{"name": "42", "_meta": "\udc00"}"#,
        r#"{"name": -1e400}"#,
        r#"{"name": "-1", "_meta": "\udc00"}"#,
        r#"{"name": true}"#,
        r#"{"name": "true", "_meta": "\udc00"}"#,
        r#"{"name": [1, 2]}"#,
        r#"{"name": {"a": 1}}"#,
        r#"{"name": ""}"#,
        r#"{"name": null}"#,
        r#"{"description": "no name"}"#,
        "7",
        r#""a string""#,
        r#"["wipe_all", {"destructiveHint": true}]"#,
        r#"{"name": "list_files", "_meta": "\udc00"}"#,
    ];
    let plain = r#"{"name": "get_item", "description": "Gets an item."}"#;
    // In the first batch, and again after 100 plain tools (a later batch).
    let mut tools: Vec<&str> = vec![plain];
    tools.extend(odd);
    tools.extend(std::iter::repeat_n(plain, 100));
    tools.extend(odd);
    write(
        dir.path(),
        "a-odd.json",
        &format!(r#"{{"tools": [{}]}}"#, tools.join(",")),
    );
    write(
        dir.path(),
        "b-odd-only.json",
        &format!(r#"{{"tools": [{}]}}"#, odd.join(",")),
    );
    let (json, table) = (
        run(&[
            "classify",
            "--input",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
        ]),
        run(&[
            "classify",
            "--input",
            dir.path().to_str().unwrap(),
            "--format",
            "table",
        ]),
    );
    assert!(matches!(code(&json), 0 | 3), "{}", stderr(&json));
    assert!(matches!(code(&table), 0 | 3), "{}", stderr(&table));
    let (streamed, loaded) = (warnings(&json), warnings(&table));
    assert_eq!(streamed, loaded);
    let text = streamed.join("\n");
    for label in [
        "tool #1:",
        "tool \"42\":",
        "tool #3:",
        "tool \"-1\":",
        "tool #5:",
        "tool #7:",
        "tool #8:",
        "tool #12:",
        "tool #14:",
        "tool \"list_files\":",
        "tool #116:",
        "tool #118:",
        "tool #0:",
    ] {
        assert!(text.contains(label), "{label} in\n{text}");
    }
    assert!(!text.contains("tool \"{"), "{text}");
    assert!(!text.contains("tool \"[1"), "{text}");
    assert_same_paths(dir.path());
}

fn assert_same_paths(dir: &Path) {
    let o = run(&[
        "classify",
        "--input",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(matches!(code(&o), 0 | 3), "{}", stderr(&o));
    let loaded = loaded_document(dir);
    if o.stdout != loaded {
        let (a, b) = (tools_of(&o.stdout), tools_of(&loaded));
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y);
        }
        panic!("documents differ outside the tools");
    }
}

/// By hand: `MCP_RISK_COMPARE_DIR=/some/corpus cargo test --test hostile
/// compare_dir -- --ignored` compares the two paths over any directory.
#[test]
#[ignore]
fn compare_dir() {
    let dir = std::env::var("MCP_RISK_COMPARE_DIR").expect("set MCP_RISK_COMPARE_DIR");
    assert_same_paths(Path::new(&dir));
}

/// A directory with one bad file among good ones.
fn mixed_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.json", &delete_all_files(""));
    write(
        dir.path(),
        "b-bad.json",
        r#"{"schema_version":1,"servers":["#,
    );
    write(
        dir.path(),
        "c.json",
        r#"[{"name":"get_time","description":"Returns the time."}]"#,
    );
    dir
}

#[test]
fn classify_json_skips_a_bad_file_with_exit_3() {
    let dir = mixed_dir();
    let d = dir.path().to_str().unwrap();
    let o = run(&["classify", "--input", d, "--format", "json"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("skipped") && stderr(&o).contains("b-bad.json"));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let servers: Vec<&str> = doc["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["server"].as_str().unwrap())
        .collect();
    assert_eq!(servers, ["a", "c"]);
    // --fail-on wins over 3.
    let o = run(&[
        "classify",
        "--input",
        d,
        "--format",
        "json",
        "--fail-on",
        "high",
    ]);
    assert_eq!(code(&o), 14);
}

#[test]
fn classify_table_skips_a_bad_file_with_exit_3() {
    let dir = mixed_dir();
    let o = run(&["classify", "--input", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("delete_all_files") && out.contains("get_time"));
}

#[test]
fn strict_stops_with_a_valid_document_on_stdout() {
    let dir = mixed_dir();
    let o = run(&[
        "classify",
        "--input",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
        "--strict",
    ]);
    assert_eq!(code(&o), 1);
    let doc: Value = serde_json::from_slice(&o.stdout).expect("stdout stays valid JSON");
    assert_eq!(doc["servers"].as_array().unwrap().len(), 1);
}

#[test]
fn a_bad_single_file_leaves_stdout_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "bad.json", r#"{"tools":[{"name":"x"},"#);
    let o = run(&[
        "classify",
        "--input",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        o.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn a_file_that_is_not_utf8_is_skipped() {
    let dir = mixed_dir();
    std::fs::write(dir.path().join("d.json"), b"[{\"name\":\"a\xff\"}]").unwrap();
    let o = run(&[
        "classify",
        "--input",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("not UTF-8"), "{}", stderr(&o));
}

#[test]
fn eval_skips_a_bad_file_with_exit_3() {
    let dir = mixed_dir();
    let d = dir.path().to_str().unwrap();
    let o = run(&["eval", "--input", d]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("b-bad.json"));
    assert_eq!(code(&run(&["eval", "--input", d, "--strict"])), 1);
}

#[test]
fn pages_skips_a_bad_file_with_exit_3() {
    let dir = mixed_dir();
    let out = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().unwrap();
    let o = run(&["pages", "--input", d, "--out", out.path().to_str().unwrap()]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(out.path().join("index.html").exists());
    let o = run(&[
        "pages",
        "--input",
        d,
        "--out",
        out.path().to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(code(&o), 1);
}

#[test]
fn policy_skips_a_bad_file_and_prints_one_summary_line() {
    let dir = mixed_dir();
    let out = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().unwrap();
    let o_dir = out.path().to_str().unwrap();
    let o = run(&["policy", "--input", d, "--out", o_dir]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let lines: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("wrote ") && lines[0].contains("for 2 servers"));
    let o = run(&["policy", "--input", d, "--out", o_dir, "--verbose"]);
    let n = String::from_utf8_lossy(&o.stdout).lines().count();
    assert!(n > 2, "--verbose lists every file");
    assert_eq!(
        code(&run(&["policy", "--input", d, "--out", o_dir, "--strict"])),
        1
    );
}

/// Two servers whose names meet on one file stem (`a.b` and `a-b` both read
/// `a-b`) are both written, each under its own hashed name, instead of the
/// run being refused; every file passes `policy check`.
#[test]
fn policy_writes_colliding_server_names_to_distinct_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tools = r#"{"tools":[{"name":"list_files","description":"Lists files.","inputSchema":{"type":"object"}}]}"#;
    std::fs::write(dir.path().join("a.b.json"), tools).unwrap();
    std::fs::write(dir.path().join("a-b.json"), tools).unwrap();
    std::fs::write(dir.path().join("other.json"), tools).unwrap();
    let out = tempfile::tempdir().expect("tempdir");
    let o_dir = out.path().to_str().unwrap();
    let o = run(&[
        "policy",
        "--input",
        dir.path().to_str().unwrap(),
        "--out",
        o_dir,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".reasons.json"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"other.json".to_owned()), "{names:?}");
    let hashed: Vec<&String> = names.iter().filter(|n| n.starts_with("a-b-")).collect();
    assert_eq!(hashed.len(), 2, "{names:?}");
    assert!(hashed.iter().all(|n| n.len() == "a-b-12345678.json".len()));
    assert_eq!(code(&run(&["policy", "check", o_dir])), 0);
}

#[test]
fn exit_3_is_documented() {
    for cmd in ["classify", "eval", "pages", "policy"] {
        let o = run(&[cmd, "--help"]);
        let help = String::from_utf8_lossy(&o.stdout);
        assert!(help.contains("--strict"), "{cmd}");
        assert!(help.contains("  3   "), "{cmd}: {help}");
    }
}

#[test]
fn concurrent_opens_of_a_new_database_migrate_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("new.db");
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || mcp_risk::store::Store::open(&db).map(|_| ()))
        })
        .collect();
    for h in handles {
        h.join().expect("thread").expect("every open succeeds");
    }
}

/// Whether process `pid` has `path` open (a crawl opens its database before
/// its first statement).
fn has_open(pid: u32, path: &Path) -> bool {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|p| p == path))
}

/// Several crawls of one new database at once all succeed, over a few
/// rounds. A lock held on the new, empty file keeps every crawl at its first
/// statement until all of them have the file open, so they reach the schema
/// creation and the start of their run together (without it, two crawls
/// met there in about one run of ten). The old writer began its
/// transactions DEFERRED: a second crawl read the runs, then failed to
/// upgrade to writing with "database is locked", because SQLite does not
/// wait for a lock a reader upgrades; one round failed in two.
#[test]
fn concurrent_crawls_of_a_new_database_all_succeed() {
    const CRAWLS: usize = 6;
    let dir = tempfile::tempdir().expect("tempdir");
    let tools = write(dir.path(), "srv.json", &delete_all_files(""));
    for round in 0..2 {
        let db = dir.path().join(format!("crawl{round}.db"));
        let gate = rusqlite::Connection::open(&db).expect("gate");
        gate.execute_batch("BEGIN EXCLUSIVE")
            .expect("lock the new file");
        let children = crawls_with_the_database_open(CRAWLS, &db, &tools);
        gate.execute_batch("ROLLBACK").expect("unlock");
        drop(gate);
        for c in children {
            let o = c.wait_with_output().expect("wait");
            assert_eq!(code(&o), 0, "round {round}: {}", stderr(&o));
        }
        let c = rusqlite::Connection::open(&db).expect("db");
        let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).expect(sql) };
        assert_eq!(
            count("PRAGMA user_version"),
            mcp_risk::store::schema::MIGRATIONS.len() as i64
        );
        assert_eq!(count("SELECT count(*) FROM server"), 1);
        // Crawls of the same sources may resume one another's run, so
        // there are between 1 and CRAWLS runs, each with its attempt.
        let runs = count("SELECT count(*) FROM crawl_run WHERE finished IS NOT NULL");
        assert!((1..=CRAWLS as i64).contains(&runs), "{runs} runs");
        assert_eq!(
            count("SELECT count(*) FROM crawl_run"),
            runs,
            "a run unfinished"
        );
        assert_eq!(count("SELECT count(DISTINCT run_id) FROM attempt"), runs);
    }
}

/// Crawls wait for another writer of their database instead of failing:
/// while a write lock is held, each crawl gets as far as starting its run,
/// and finishes once the lock is let go. The old writer's DEFERRED
/// transaction read first and then failed at once, with "database is
/// locked", to upgrade to writing (SQLite calls no busy handler for that).
#[test]
fn crawls_wait_for_another_writer_of_their_database() {
    const CRAWLS: usize = 3;
    let dir = tempfile::tempdir().expect("tempdir");
    let tools = write(dir.path(), "srv.json", &delete_all_files(""));
    let db = dir.path().join("held.db");
    drop(mcp_risk::store::Store::open(&db).expect("create the database"));
    let gate = rusqlite::Connection::open(&db).expect("gate");
    gate.execute_batch("BEGIN IMMEDIATE")
        .expect("hold the write lock");
    let children = crawls_with_the_database_open(CRAWLS, &db, &tools);
    // Time to open the store (no write needed: it is up to date) and reach
    // the start of the run, where the lock is needed.
    std::thread::sleep(std::time::Duration::from_millis(500));
    gate.execute_batch("COMMIT").expect("let go");
    drop(gate);
    for c in children {
        let o = c.wait_with_output().expect("wait");
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
}

/// Clean files are read verbatim: the tolerant reader changes nothing that
/// serde_json reads.
#[test]
fn clean_corpus_files_are_read_verbatim() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    for f in input::json_files(&corpus).expect("corpus") {
        let st = input::load_file(&f).expect("load");
        assert!(st.notes.is_empty(), "{}: {:?}", f.display(), st.notes);
        let v: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        let tools = mcp_risk::input::tools_of(v).expect("tools");
        assert_eq!(st.tools, tools, "{}", f.display());
    }
}

/// Starts `n` crawls of `tools` into `db` and returns once each has the
/// database open (or has already exited, which is as far as it gets).
fn crawls_with_the_database_open(
    n: usize,
    db: &std::path::Path,
    tools: &std::path::Path,
) -> Vec<std::process::Child> {
    let mut children: Vec<_> = (0..n)
        .map(|_| {
            Command::new(BIN)
                .args([
                    "crawl",
                    "--db",
                    db.to_str().unwrap(),
                    tools.to_str().unwrap(),
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("crawl")
        })
        .collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !children
        .iter_mut()
        .all(|c| has_open(c.id(), db) || c.try_wait().is_ok_and(|s| s.is_some()))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the crawls never opened {db:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    children
}
