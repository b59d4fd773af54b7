//! Helpers for the probe and interrupt tests: the fake server's path, short deadlines,
//! a fake HTTP server process killed when the test ends, and live processes by command line.

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
