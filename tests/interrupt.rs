//! SIGTERM to a crawl stops the servers it started (none is left behind as
//! an orphan), exits 143, records nothing for the killed server and leaves
//! the run unfinished, so the same command resumes it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use serde_json::json;

// The probe tests' helpers; this file uses a few of them.
#[allow(dead_code)]
mod common;

use common::{path_with, running_with, token, wait_until_gone, FAKE};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Attempts of run 1 (0 while the crawler has not made the database yet).
fn attempts(db: &Path) -> i64 {
    if !db.exists() {
        return 0;
    }
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|c| {
            c.busy_timeout(Duration::from_secs(1))?;
            c.query_row("SELECT COUNT(*) FROM attempt", [], |r| r.get(0))
        })
        .unwrap_or(0)
}

fn sigterm_stops_the_servers_and_the_rerun_resumes(sandbox: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let token = token("interrupt", sandbox);
    // One file source, done at once; one stdio server that never answers
    // and never exits by itself (`deaf`: the end of its stdin does not stop
    // it; the token, an argument it ignores, marks it in /proc).
    let tools = tmp.path().join("tools");
    std::fs::create_dir(&tools).unwrap();
    std::fs::write(
        tools.join("quick.json"),
        json!([{"name": "read_thing", "description": "Reads a thing",
                "inputSchema": {"type": "object"}}])
        .to_string(),
    )
    .unwrap();
    let servers = tmp.path().join("servers.json");
    std::fs::write(
        &servers,
        json!({"servers": {"hang": {"command": FAKE, "args": ["deaf", token]}}}).to_string(),
    )
    .unwrap();
    let db = tmp.path().join("db.sqlite");
    let crawl = |timeout: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mcp-risk"));
        c.args([
            "crawl",
            "--db",
            p(&db),
            "--allow-exec",
            "--timeout",
            timeout,
        ]);
        if !sandbox {
            c.arg("--no-sandbox");
        }
        c.args([p(&servers), p(&tools)]);
        c
    };

    let mut child = crawl("60")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the hanging server runs and the file source is committed.
    let deadline = Instant::now() + Duration::from_secs(20);
    let server = loop {
        let found = running_with(&token);
        if !found.is_empty() && attempts(&db) >= 1 {
            break found;
        }
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            panic!(
                "crawl ended before the signal ({status}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(Instant::now() < deadline, "the server never started");
        std::thread::sleep(Duration::from_millis(10));
    };
    // SAFETY: kill(2) on the child we started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let signalled = Instant::now();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(
        stderr.contains("interrupted: stopped 1 server; rerun the same command to resume"),
        "{stderr}"
    );
    // Gone: the crawl waited for it before exiting.
    let left = running_with(&token);
    assert!(
        left.is_empty(),
        "still running {:?} after the crawl exited (server was {server:?})",
        left
    );
    assert!(
        signalled.elapsed() < Duration::from_secs(5),
        "{:?}",
        signalled.elapsed()
    );

    // Nothing recorded for the killed server; the run is not finished.
    let c = Connection::open(&db).unwrap();
    let (n, finished) = common::first_run_state(&c);
    assert_eq!((n, finished), (1, None));
    drop(c);

    // The same crawl (a short timeout this time, so `hang` ends) resumes it.
    let out = crawl("1").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("resumed"), "{stdout}");
    assert!(stdout.contains("(1 this time, 1 already done)"), "{stdout}");
    let c = Connection::open(&db).unwrap();
    let rows: Vec<(String, String)> = c
        .prepare(
            "SELECT s.name, a.status FROM attempt a JOIN server s ON s.id = a.server_id
             WHERE a.run_id = 1 ORDER BY s.name",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["hang", "quick"], "{rows:?}");
    assert_eq!(rows[0].1, "timeout", "{rows:?}");
    let (runs, finished): (i64, Option<String>) = c
        .query_row("SELECT COUNT(*), max(finished) FROM crawl_run", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(runs, 1);
    assert!(finished.is_some());
    assert!(running_with(&token).is_empty());
}

#[test]
fn sigterm_stops_a_sandboxed_crawl() {
    sigterm_stops_the_servers_and_the_rerun_resumes(true);
}

#[test]
fn sigterm_stops_an_unsandboxed_crawl() {
    sigterm_stops_the_servers_and_the_rerun_resumes(false);
}

/// SIGKILL runs no handler of ours: the servers die with the launcher
/// thread that cloned them (PR_SET_PDEATHSIG).
fn sigkill_still_kills_the_server(sandbox: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let token = token("pdeathsig", sandbox);
    let servers = tmp.path().join("servers.json");
    std::fs::write(
        &servers,
        json!({"servers": {"hang": {"command": FAKE, "args": ["deaf", token]}}}).to_string(),
    )
    .unwrap();
    let db = tmp.path().join("db.sqlite");
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcp-risk"));
    c.args(["crawl", "--db", p(&db), "--allow-exec", "--timeout", "60"]);
    if !sandbox {
        c.arg("--no-sandbox");
    }
    let mut child = c
        .arg(p(&servers))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while running_with(&token).is_empty() {
        assert!(child.try_wait().unwrap().is_none(), "crawl ended early");
        assert!(Instant::now() < deadline, "the server never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    wait_until_gone(&token, Duration::from_secs(3));
}

#[test]
fn sigkill_of_a_sandboxed_crawl_kills_its_server() {
    sigkill_still_kills_the_server(true);
}

#[test]
fn sigkill_of_an_unsandboxed_crawl_kills_its_server() {
    sigkill_still_kills_the_server(false);
}

/// An installer (a stand-in npm that starts a process of its own and
/// hangs) is stopped with everything it started.
#[test]
fn sigterm_stops_an_installer_and_what_it_started() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let token = format!("installer-token-{}", std::process::id());
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let npm = bin.join("npm");
    // Not `exec`: the hanging process is npm's child, reached only by
    // killing npm's process group.
    std::fs::write(&npm, format!("#!/bin/sh\n\"{FAKE}\" deaf {token}\n")).unwrap();
    std::fs::set_permissions(&npm, std::fs::Permissions::from_mode(0o755)).unwrap();
    let dump = tmp.path().join("servers.json");
    std::fs::write(
        &dump,
        r#"[{"name": "io.test/demo", "description": "d", "version": "1.0.0",
            "packages": [{"registryType": "npm", "identifier": "demo-js", "version": "1.0.0",
                          "transport": {"type": "stdio"}}]}]"#,
    )
    .unwrap();
    let path = path_with(&bin);
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
        .args([
            "crawl",
            "--allow-exec",
            "--no-sandbox",
            "--no-shared-stores",
        ])
        .arg("--db")
        .arg(tmp.path().join("db.sqlite"))
        .arg("--cache")
        .arg(tmp.path().join("cache"))
        .arg(format!("official:{}", dump.display()))
        .env("PATH", &path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while running_with(&token).is_empty() {
        assert!(child.try_wait().unwrap().is_none(), "crawl ended early");
        assert!(Instant::now() < deadline, "the installer never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: kill(2) on the child we started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("interrupted: stopped 1 server"), "{stderr}");
    let left = running_with(&token);
    assert!(left.is_empty(), "still running: {left:?}");
}
