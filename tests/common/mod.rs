//! Helpers shared by the probe, interrupt, crawl and install-cache tests: the
//! fake server's path, short deadlines, a fake HTTP server process killed when
//! the test ends, live processes by command line, and a killed crawl's state.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mcp_risk::mcp::{ProbeOptions, ProbeTarget};

pub const FAKE: &str = env!("CARGO_BIN_EXE_mcp-risk-fake-server");

/// Deadlines short enough for a fast suite, long enough for a loaded 2-core box.
pub fn opts() -> ProbeOptions {
    ProbeOptions {
        connect_timeout: Duration::from_secs(3),
        init_timeout: Duration::from_secs(5),
        list_timeout: Duration::from_secs(5),
        total_timeout: Duration::from_secs(8),
        max_line_bytes: 256 << 10,
        max_total_bytes: 8 << 20,
        ..ProbeOptions::default()
    }
}

pub fn stdio(mode: &str) -> ProbeTarget {
    ProbeTarget::Stdio {
        command: FAKE.to_string(),
        args: vec![mode.to_string()],
        env: BTreeMap::new(),
    }
}

/// A fake HTTP server on 127.0.0.1, killed on drop.
pub struct FakeHttp {
    child: Child,
    pub port: u16,
}

impl FakeHttp {
    pub fn start(mode: &str) -> FakeHttp {
        let mut child = Command::new(FAKE)
            .args(["http", mode])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the fake HTTP server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("read the port");
        let port = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        FakeHttp { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }

    pub fn target(&self) -> ProbeTarget {
        ProbeTarget::Http {
            url: self.url(),
            headers: Vec::new(),
            sse: false,
        }
    }
}

impl Drop for FakeHttp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Tool names in order.
pub fn names(tools: &[serde_json::Value]) -> Vec<String> {
    tools
        .iter()
        .map(|t| {
            t.get("name")
                .and_then(|n| n.as_str())
                .unwrap_or("?")
                .to_string()
        })
        .collect()
}

/// Anomaly kinds in order.
pub fn kinds(o: &mcp_risk::mcp::ProbeOutcome) -> Vec<String> {
    o.anomalies.iter().map(|a| a.kind.to_string()).collect()
}

/// The description of the named tool.
pub fn description<'a>(tools: &'a [serde_json::Value], name: &str) -> &'a str {
    tools
        .iter()
        .find(|t| t["name"] == name)
        .and_then(|t| t["description"].as_str())
        .unwrap_or_else(|| panic!("no tool {name}"))
}

/// Host pids of running (not zombie) processes whose command line holds `token`.
pub fn running_with(token: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        if !String::from_utf8_lossy(&cmdline).contains(token) {
            continue;
        }
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        let state = stat
            .rsplit(')')
            .next()
            .and_then(|r| r.split_whitespace().next());
        if !matches!(state, None | Some("Z") | Some("X")) {
            found.push(pid);
        }
    }
    found
}

/// Waits up to `limit` for every process whose command line holds `token`
/// to end; fails the test with the pids still running.
pub fn wait_until_gone(token: &str, limit: std::time::Duration) {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let left = running_with(token);
        if left.is_empty() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running: {left:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A test token naming the test and whether it runs sandboxed, unique to
/// this process: it marks the servers a test starts in /proc.
pub fn token(test: &str, sandbox: bool) -> String {
    format!(
        "{test}-token-{}-{}",
        std::process::id(),
        if sandbox { "sandbox" } else { "nosandbox" }
    )
}

/// `PATH` with `dir` first (fake installers and package managers).
pub fn path_with(dir: &std::path::Path) -> String {
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// The first crawl run of a database whose writer was killed: the database
/// must pass SQLite's integrity check; returns its attempts and whether
/// (when) it finished.
pub fn first_run_state(c: &rusqlite::Connection) -> (i64, Option<String>) {
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    c.query_row(
        "SELECT (SELECT COUNT(*) FROM attempt WHERE run_id = 1), finished
         FROM crawl_run WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}
