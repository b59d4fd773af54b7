//! `mcp-risk policy` end to end: files written, stdout mode, errors, and
//! `policy check` over what was written and over a broken file.

use std::process::{Command, Output};

use super::{corpus_dir, corpus_len};

fn mcp_risk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
        .args(args)
        .output()
        .expect("run mcp-risk")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn writes_every_format_and_the_files_check_ok() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let input = corpus_dir();
    let input = input.to_str().unwrap();
    for format in ["policylayer", "intercept", "claude-code", "codex"] {
        let o = mcp_risk(&["policy", "--input", input, "--format", format, "--out", out]);
        assert!(o.status.success(), "{format}: {}", text(&o.stderr));
        assert!(text(&o.stdout).contains("wrote "), "{format}");
    }
    for name in [
        "github.json",
        "github.reasons.json",
        "github.yaml",
        "github.claude.json",
        "github.codex.toml",
    ] {
        assert!(dir.path().join(name).is_file(), "{name}");
    }
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(".yaml") || (n.ends_with(".json") && n.matches('.').count() == 1)
        })
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2 * corpus_len());
    let mut args = vec!["policy", "check"];
    args.extend(files.iter().map(String::as_str));
    let o = mcp_risk(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout)
            .lines()
            .filter(|l| l.starts_with("OK "))
            .count(),
        2 * corpus_len()
    );
    // A directory: every policy in it, sidecars recognised and skipped.
    let o = mcp_risk(&["policy", "check", out]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("OK ")).count(),
        2 * corpus_len()
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("SKIP ")).count(),
        2 * corpus_len()
    );
    // Sidecars and agent settings are recognised and skipped, not failed.
    let sidecar = dir.path().join("github.reasons.json");
    let o = mcp_risk(&["policy", "check", sidecar.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(text(&o.stdout).starts_with("SKIP "), "{}", text(&o.stdout));
}

#[test]
fn stdout_mode_needs_one_server() {
    let input = corpus_dir();
    let o = mcp_risk(&["policy", "--input", input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("--out DIR"), "{}", text(&o.stderr));

    let one = input.join("time.json");
    let o = mcp_risk(&[
        "policy",
        "--input",
        one.to_str().unwrap(),
        "--format",
        "policylayer",
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["default"], "deny");
}

#[test]
fn database_mode_says_what_to_do() {
    let o = mcp_risk(&["policy", "--server", "github", "--db", "/nonexistent.db"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("no database at /nonexistent.db"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn check_fails_with_locations() {
    let dir = tempfile::tempdir().unwrap();
    let bad_json = dir.path().join("bad.json");
    std::fs::write(
        &bad_json,
        r#"{"version":"1","default":"deny","hide":["a"],"tools":{"a":{}}}"#,
    )
    .unwrap();
    let bad_yaml = dir.path().join("bad.yaml");
    std::fs::write(
        &bad_yaml,
        "version: \"1\"\ntools:\n  a:\n    rules:\n      - name: r\n        rate_limit: 3/week\n",
    )
    .unwrap();
    let o = mcp_risk(&[
        "policy",
        "check",
        bad_json.to_str().unwrap(),
        bad_yaml.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("bad.json:/tools/a: tool \"a\" is both hidden"),
        "{err}"
    );
    assert!(err.contains("bad.yaml:6:9: rate_limit window"), "{err}");
}

/// `--all --db` writes one policy per crawled server, and each passes `check`.
#[test]
fn database_mode_writes_every_crawled_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let corpus = corpus_dir();
    let o = mcp_risk(&[
        "crawl",
        "--db",
        db.to_str().unwrap(),
        corpus.join("time.json").to_str().unwrap(),
        corpus.join("memory.json").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = dir.path().join("pol");
    let o = mcp_risk(&[
        "policy",
        "--all",
        "--db",
        db.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(out.join("time.json").is_file() && out.join("memory.json").is_file());
    let o = mcp_risk(&["policy", "check", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = mcp_risk(&["policy", "--server", "memory", "--db", db.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["hide"].as_array().is_some_and(|h| !h.is_empty())
            || v["tools"]["delete_entities"].is_object()
    );
}

/// `--server-key NAME`: the Claude Code and Codex files address the server by
/// the user's own name for it; without it, stderr says how to rename.
#[test]
fn server_key_names_the_server_in_agent_client_files() {
    let one = corpus_dir().join("mongodb.json");
    let one = one.to_str().unwrap();
    let o = mcp_risk(&[
        "policy",
        "--input",
        one,
        "--format",
        "claude-code",
        "--server-key",
        "mongo",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("\"mcp__mongo__drop-database\""), "{out}");
    assert!(!text(&o.stderr).contains("--server-key"));

    let o = mcp_risk(&["policy", "--input", one, "--format", "codex"]);
    assert!(o.status.success());
    assert!(text(&o.stdout).contains("[mcp_servers.mongodb]"));
    assert!(
        text(&o.stderr).contains("rerun with --server-key NAME"),
        "{}",
        text(&o.stderr)
    );

    let dir = corpus_dir();
    let o = mcp_risk(&[
        "policy",
        "--input",
        dir.to_str().unwrap(),
        "--format",
        "claude-code",
        "--server-key",
        "x",
        "--out",
        "/nonexistent/never",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("--server-key names one server"),
        "{}",
        text(&o.stderr)
    );
}
