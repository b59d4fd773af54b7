//! The newcomer's path (issue 15): what a new user types and sees. Golden
//! outputs are insta snapshots in tests/snapshots (`newcomer__*.snap`);
//! temporary paths are replaced by placeholders before snapshotting.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use mcp_risk::mcp::{ProbeOutcome, Status};
use mcp_risk::store::Store;
use serde_json::{json, Value};

const FAKE: &str = env!("CARGO_BIN_EXE_mcp-risk-fake-server");

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcp-risk"));
    c.env_remove("COLUMNS").env("NO_COLOR", "1");
    c
}

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/corpus")
        .join(name)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A database holding registry-named servers (their tools from the fixture
/// corpus), as `scan` would leave it.
fn registry_db(dir: &Path) -> PathBuf {
    let db = dir.join("m.db");
    let store = Store::open(&db).unwrap();
    let servers = [
        (
            "io.github.modelcontextprotocol/filesystem",
            "filesystem.json",
            json!({"kind": "package", "registry": "npm",
                   "identifier": "@modelcontextprotocol/server-filesystem", "version": "1.0.0"}),
        ),
        (
            "io.github.modelcontextprotocol/memory",
            "memory.json",
            json!({"kind": "package", "registry": "npm",
                   "identifier": "@modelcontextprotocol/server-memory", "version": "1.0.0"}),
        ),
        (
            "io.github.mongodb-js/mongodb-mcp-server",
            "mongodb.json",
            json!({"kind": "package", "registry": "npm",
                   "identifier": "mongodb-mcp-server", "version": "1.0.0"}),
        ),
        (
            "io.github.ClickHouse/mcp-clickhouse",
            "time.json",
            json!({"kind": "package", "registry": "pypi",
                   "identifier": "mcp-clickhouse", "version": "0.1.0"}),
        ),
    ];
    for (name, file, launch) in servers {
        let doc: Value = serde_json::from_slice(&std::fs::read(corpus(file)).unwrap()).unwrap();
        let tools = doc["tools"].as_array().unwrap().clone();
        let mut o = ProbeOutcome::failed(Status::Ok, "");
        o.detail = None;
        o.tools = tools;
        store
            .record_probe(name, "bundled", &launch, &o, None)
            .unwrap();
    }
    store.flush().unwrap();
    db
}

fn classify_server(db: &Path, query: &str) -> Output {
    bin()
        .args(["classify", "--format", "json", "--server", query, "--db"])
        .arg(db)
        .output()
        .unwrap()
}

#[test]
fn server_takes_the_names_people_type() {
    let dir = tempfile::tempdir().unwrap();
    let db = registry_db(dir.path());
    for (typed, full) in [
        ("filesystem", "io.github.modelcontextprotocol/filesystem"),
        ("mongodb", "io.github.mongodb-js/mongodb-mcp-server"),
        (
            "io.github.clickhouse/mcp-clickhouse",
            "io.github.ClickHouse/mcp-clickhouse",
        ),
        (
            "@modelcontextprotocol/server-memory",
            "io.github.modelcontextprotocol/memory",
        ),
        ("MEMORY", "io.github.modelcontextprotocol/memory"),
    ] {
        let out = classify_server(&db, typed);
        assert!(out.status.success(), "{typed}: {}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["servers"][0]["server"], full, "{typed}");
        assert!(stderr(&out).contains(&format!("server: {full}")), "{typed}");
    }
    // policy --server and diff --server resolve the same way.
    let out = bin()
        .args(["policy", "--server", "mongodb", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("drop-database"));
    let out = bin()
        .args(["diff", "--format", "json", "--server", "filesystem", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["not_comparable"][0]["server"],
        "io.github.modelcontextprotocol/filesystem"
    );
}

#[test]
fn several_matches_are_listed_and_none_says_how_to_add_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = registry_db(dir.path());
    let show = |o: &Output| {
        format!(
            "exit: {:?}\n{}",
            o.status.code(),
            stderr(o).replace(&db.display().to_string(), "[DB]")
        )
    };
    insta::assert_snapshot!(
        "server_ambiguous",
        show(&classify_server(&db, "modelcontextprotocol"))
    );
    insta::assert_snapshot!(
        "server_did_you_mean",
        show(&classify_server(&db, "filesytem"))
    );
    insta::assert_snapshot!("server_unknown", show(&classify_server(&db, "dock")));
}

#[test]
fn a_server_known_nowhere_gets_one_line_on_how_to_audit_it() {
    // No database and not in the bundled registry (a name the bundled
    // registry knows would be installed and probed: network, not for tests).
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["classify", "--server", "no-such-server-zz", "--db"])
        .arg(dir.path().join("none.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("the bundled registry does not know it"),
        "{err}"
    );
    assert!(err.contains("classify --url URL"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn servers_lists_the_database_with_counts_and_worst_risk() {
    let dir = tempfile::tempdir().unwrap();
    let db = registry_db(dir.path());
    let out = bin().args(["servers", "--db"]).arg(&db).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!(
        "servers_table",
        stdout(&out).replace(&db.display().to_string(), "[DB]")
    );
    let out = bin()
        .args(["servers", "--format", "json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mongo = v["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["server"] == "io.github.mongodb-js/mongodb-mcp-server")
        .unwrap();
    assert_eq!(mongo["worst_risk"], "critical");
    assert_eq!(mongo["package"], "mongodb-mcp-server");
    assert!(mongo["tools"].as_u64().unwrap() > 20);
}

#[test]
fn fail_on_says_why_it_tripped() {
    let out = bin()
        .args(["classify", "--fail-on", "high", "--input"])
        .arg(corpus("mongodb.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(14));
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|l| l.starts_with("worst: critical (") && l.ends_with(") ≥ high → exit 14")),
        "{err}"
    );
    // The streamed JSON path says it too, with the same tool.
    let table_line = err
        .lines()
        .find(|l| l.starts_with("worst: "))
        .unwrap()
        .to_owned();
    let out = bin()
        .args([
            "classify",
            "--format",
            "json",
            "--fail-on",
            "high",
            "--input",
        ])
        .arg(corpus("mongodb.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(14));
    assert!(stderr(&out).contains(&table_line), "{}", stderr(&out));
    // Not tripped: nothing on stderr.
    let out = bin()
        .args(["classify", "--fail-on", "critical", "--input"])
        .arg(corpus("time.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!stderr(&out).contains("worst:"));
}

#[test]
fn usage_mistakes_exit_2_and_every_command_documents_its_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["classify"],
        vec!["classify", "--stdio"],
        vec!["classify", "--name", "x", "--input", "t.json"],
        vec!["pages", "--out", "site"],
        vec!["policy"],
    ] {
        let out = bin().current_dir(dir.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).starts_with("error: "), "{args:?}");
    }
    for cmd in [
        "scan", "probe", "crawl", "classify", "eval", "rules", "policy", "pages", "diff", "servers",
    ] {
        let out = bin().args([cmd, "--help"]).output().unwrap();
        assert!(out.status.success());
        assert!(
            stdout(&out).contains("Exit codes:\n  0 "),
            "{cmd} --help has no exit codes"
        );
    }
    let out = bin().args(["crawl", "--help"]).output().unwrap();
    assert!(stdout(&out).contains("3   with --strict"));
}

#[test]
fn crawl_strict_fails_when_a_server_broke() {
    let dir = tempfile::tempdir().unwrap();
    let servers = dir.path().join("servers.json");
    std::fs::write(
        &servers,
        serde_json::to_vec(&json!({"servers": {
            "good": {"command": FAKE, "args": ["minimal"]},
            "broken": {"command": FAKE, "args": ["exit"]},
        }}))
        .unwrap(),
    )
    .unwrap();
    let db = dir.path().join("c.db");
    let crawl = |strict: bool| {
        let mut c = bin();
        c.args([
            "crawl",
            "--allow-exec",
            "--timeout",
            "20",
            "--refresh",
            "--db",
        ])
        .arg(&db);
        if strict {
            c.arg("--strict");
        }
        c.arg(&servers).output().unwrap()
    };
    let out = crawl(false);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = crawl(true);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--strict: 1 server(s)"),
        "{}",
        stderr(&out)
    );
}

/// `scan` piped (a CI log): the same summary as on a terminal on stdout,
/// one plain line per server on stderr as each finishes (no bars, no
/// escapes); when no server could be listed, the statuses still print
/// before the error.
#[test]
fn scan_piped_prints_its_summary_and_a_line_per_server() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let out = bin()
        .arg("scan")
        .arg("--db")
        .arg(dir.path().join("s.db"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg(&corpus)
        .output()
        .unwrap();
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{e}");
    assert!(o.contains("scanned 12 servers in "), "{o}");
    assert!(o.contains("\n  ok                          12\n"), "{o}");
    assert!(o.contains("416 tools classified:"), "{o}");
    assert!(
        o.contains("riskiest tools:") && o.contains("database:  "),
        "{o}"
    );
    // The summary fits an 80-column terminal (paths here are short).
    for line in o.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 12, "{e}");
    for (k, line) in lines.iter().enumerate() {
        assert!(line.starts_with(&format!("[{}/12] ", k + 1)), "{line}");
        assert!(
            line.contains(": ok, ") && line.ends_with(" tools"),
            "{line}"
        );
    }
    assert!(e.contains("] filesystem: ok, 14 tools\n"), "{e}");
    assert!(!o.contains('\x1b') && !e.contains('\x1b') && !e.contains('\r'));

    // Nothing listed: the statuses, then the error.
    let servers = dir.path().join("servers.json");
    std::fs::write(
        &servers,
        serde_json::to_vec(&json!({"servers": {"broken": {"command": FAKE, "args": ["exit"]}}}))
            .unwrap(),
    )
    .unwrap();
    let out = bin()
        .args(["scan", "--allow-exec", "--timeout", "20", "--db"])
        .arg(dir.path().join("b.db"))
        .arg("--out")
        .arg(dir.path().join("out-b"))
        .arg(&servers)
        .output()
        .unwrap();
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(
        o.contains("scanned 1 servers in ") && o.contains("  crashed "),
        "{o}"
    );
    assert!(e.starts_with("[1/1] broken: crashed, "), "{e}");
    assert!(e.contains("error: no server listed its tools"), "{e}");
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let mut child = bin()
        .args(["rules", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before anything is written: every write fails.
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_os_error_is_said_once() {
    let out = bin()
        .args(["classify", "--input", "/nonexistent/tools.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
}

#[test]
fn a_crashed_stdio_server_shows_its_error_line() {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("node missing: run scripts/install-deps.sh");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args([
            "classify",
            "--timeout",
            "20",
            "--stdio",
            "--",
            "node",
            "./nope.js",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("Cannot find module"), "{err}");
    assert!(err.contains("crashed"), "{err}");
}

#[test]
fn a_downloading_launcher_gets_one_line_on_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    // A stand-in `bunx` (a launcher we do not install for the user) that
    // fails at once the way a download without network does.
    let npx = dir.path().join("bunx");
    std::fs::write(
        &npx,
        "#!/bin/sh\necho 'npm error network request failed' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&npx, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = bin()
        .args(["classify", "--timeout", "20", "--stdio", "--"])
        .arg(&npx)
        .args(["-y", "@modelcontextprotocol/server-everything"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("`bunx` downloads @modelcontextprotocol/server-everything when it starts, and the sandbox has no network"),
        "{err}"
    );
    // The CLI's own hints no longer suggest `npx -y`.
    let out = bin().args(["classify", "--stdio"]).output().unwrap();
    assert!(!stderr(&out).contains("npx -y @"), "{}", stderr(&out));
    let out = bin().args(["probe"]).output().unwrap();
    assert!(!stderr(&out).contains("npx -y @"), "{}", stderr(&out));
}

#[test]
fn stdio_servers_are_named_after_themselves_not_their_launcher() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    for mode in ["minimal", "modern"] {
        let out = bin()
            .args(["probe", "--timeout", "20", "--db"])
            .arg(&db)
            .args(["--", FAKE, mode])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let store = Store::open(&db).unwrap();
    let names: Vec<String> = store
        .servers()
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, vec!["fake-minimal", "fake-modern"]);
    // classify takes --name for --stdio.
    let out = bin()
        .args([
            "classify",
            "--format",
            "json",
            "--timeout",
            "20",
            "--name",
            "mine",
            "--stdio",
            "--",
        ])
        .args([FAKE, "minimal"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["servers"][0]["server"], "mine");
    // Without --name, the name it gives itself.
    let out = bin()
        .args([
            "classify",
            "--format",
            "json",
            "--timeout",
            "20",
            "--stdio",
            "--",
        ])
        .args([FAKE, "minimal"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["servers"][0]["server"], "fake-minimal");
}

#[test]
fn a_partial_config_audit_never_passes_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("mcp.json");
    std::fs::write(
        &config,
        serde_json::to_vec(&json!({"mcpServers": {
            "fine": {"command": FAKE, "args": ["minimal"]},
            "broken": {"command": FAKE, "args": ["exit"]},
        }}))
        .unwrap(),
    )
    .unwrap();
    let out = bin()
        .args([
            "classify",
            "--allow-exec",
            "--timeout",
            "20",
            "--fail-on",
            "critical",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("not classified: broken"), "{err}");
    assert!(
        err.contains("partial audit: 1 server(s) not classified (broken)"),
        "{err}"
    );
    // Remote servers are opt-in like local ones (their headers carry tokens).
    let remote = dir.path().join("remote.json");
    std::fs::write(
        &remote,
        serde_json::to_vec(&json!({"mcpServers": {
            "far": {"url": "http://127.0.0.1:9/mcp", "headers": {"Authorization": "Bearer t"}},
        }}))
        .unwrap(),
    )
    .unwrap();
    let out = bin()
        .args(["classify", "--allow-exec", "--timeout", "5", "--config"])
        .arg(&remote)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "not classified: far: skipped_policy: contacting a remote server needs --allow-remote"
        ),
        "{err}"
    );
    assert!(err.contains("remote servers need --allow-remote"), "{err}");
    // Without --fail-on the partial audit still shows what it could.
    let out = bin()
        .args(["classify", "--allow-exec", "--timeout", "20", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Display width of a line (the table is ASCII plus `…`).
fn width(l: &str) -> usize {
    l.chars().count()
}

#[test]
fn the_table_fits_80_columns_and_wide_cuts_nothing() {
    let out = bin()
        .env("COLUMNS", "80")
        .args(["classify", "--input"])
        .arg(corpus("github.json"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.lines().all(|l| width(l) <= 80), "{text}");
    let names = |text: &str| -> Vec<String> {
        text.lines()
            .skip(2)
            .take_while(|l| !l.is_empty())
            .filter(|l| !l.starts_with(' '))
            .map(|l| l.split(' ').next().unwrap().to_owned())
            .collect()
    };
    // With the rationale under its row, names take its room: none is cut.
    let whole = names(&text);
    assert_eq!(whole.len(), 117);
    assert!(whole.iter().all(|n| !n.contains('…')), "{text}");
    // Narrower still, truncated names stay distinct.
    let narrow = bin()
        .env("COLUMNS", "40")
        .args(["classify", "--input"])
        .arg(corpus("github.json"))
        .output()
        .unwrap();
    let narrow = stdout(&narrow);
    let cut = names(&narrow);
    assert_eq!(cut.len(), 117);
    let unique: std::collections::BTreeSet<&String> = cut.iter().collect();
    assert_eq!(unique.len(), cut.len(), "truncated names collide");
    assert!(cut.iter().any(|n| n.contains('…')), "{narrow}");
    // The rationale is there in full (wrapped under its row), not cut.
    let v: Value = serde_json::from_slice(
        &bin()
            .args(["classify", "--format", "json", "--input"])
            .arg(corpus("github.json"))
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let first = v["servers"][0]["tools"][0]["rationale"].as_str().unwrap();
    let joined: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(joined.contains(first), "{first}");
    insta::assert_snapshot!(
        "table_80_columns_head",
        text.lines().take(12).collect::<Vec<_>>().join("\n")
    );

    let out = bin()
        .env("COLUMNS", "80")
        .args(["classify", "--wide", "--input"])
        .arg(corpus("github.json"))
        .output()
        .unwrap();
    let wide = stdout(&out);
    assert!(wide.contains("manage_repository_notification_subscription "));
    assert!(wide.lines().any(|l| l.ends_with(first)));
    assert!(!wide.contains('…'));
}

#[test]
fn install_leaves_the_test_fixture_out() {
    let manifest: toml::Table =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let bins = manifest["bin"].as_array().unwrap();
    let fake = bins
        .iter()
        .find(|b| b["name"].as_str() == Some("mcp-risk-fake-server"))
        .unwrap();
    // `cargo install` builds default features only: the fixture must need a
    // feature that is not a default one.
    let needs: Vec<&str> = fake["required-features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(needs, vec!["test-fixtures"]);
    let defaults = manifest["features"]
        .get("default")
        .and_then(|d| d.as_array())
        .cloned()
        .unwrap_or_default();
    assert!(defaults.iter().all(|d| d.as_str() != Some("test-fixtures")));
    // ... and the tests turn it on through the self dev-dependency.
    let me = &manifest["dev-dependencies"]["mcp-risk"];
    assert!(me["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f.as_str() == Some("test-fixtures")));
}

#[test]
fn diff_does_not_report_a_default_that_is_the_current_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let file = dir.path().join("clock.json");
    let tools = |since: &str| {
        json!({"tools": [{"name": "logs_since", "description": "Lists log lines since a time",
            "inputSchema": {"type": "object", "properties": {
                "since": {"type": "string", "format": "date-time", "default": since}}}}]})
    };
    for since in ["2026-12-06T01:00:00.000Z", "2026-12-06T01:05:00.000Z"] {
        std::fs::write(&file, serde_json::to_vec(&tools(since)).unwrap()).unwrap();
        let out = bin()
            .args(["crawl", "--refresh", "--db"])
            .arg(&db)
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = bin()
        .args(["diff", "--server", "clock", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("1 server(s) unchanged"), "{text}");
    assert!(
        text.contains("1 tool(s) counted unchanged: only a timestamp-like default in the input schema moved (clock/logs_since)"),
        "{text}"
    );
    let out = bin()
        .args(["diff", "--format", "json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["servers"][0]["volatile"], json!(["logs_since"]));
    assert_eq!(v["servers"][0]["changed"], json!([]));
}
