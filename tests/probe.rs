//! The MCP client and the sandbox against a fake server that misbehaves in
//! every way the crawl issue names. Each probe must end in bounded time with
//! the right status and every salvageable tool kept.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{description, kinds, names, opts, stdio, FakeHttp, FAKE};
use mcp_risk::mcp::probe::probe;
use mcp_risk::mcp::{Era, ProbeOptions, ProbeTarget, Status, Transport};

async fn run(target: &ProbeTarget, o: &ProbeOptions) -> mcp_risk::mcp::ProbeOutcome {
    let start = Instant::now();
    let out = probe(target, o).await;
    let bound = o.total_timeout + Duration::from_secs(3);
    assert!(
        start.elapsed() < bound,
        "probe took {:?}: {out:?}",
        start.elapsed()
    );
    out
}

#[tokio::test]
async fn well_behaved_stdio_server_is_ok_and_sandboxed() {
    let o = run(&stdio("good"), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(names(&o.tools), ["echo", "delete_file"]);
    assert_eq!(o.era, Some(Era::Legacy));
    assert_eq!(o.protocol_version.as_deref(), Some("2025-11-25"));
    assert_eq!(o.transport, Some(Transport::Stdio));
    assert_eq!(o.server_info.as_ref().unwrap()["name"], "fake-good");
    assert!(
        o.sandbox.as_deref().unwrap().contains("netns"),
        "{:?}",
        o.sandbox
    );
    assert!(o.anomalies.is_empty(), "{:?}", o.anomalies);
}

#[tokio::test]
async fn banner_lines_and_crlf_are_skipped_and_counted() {
    let o = run(&stdio("banner"), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(names(&o.tools), ["echo", "delete_file"]);
    assert_eq!(kinds(&o), ["non-json-line"]);
    assert!(
        o.anomalies[0].detail.starts_with("2 line(s)"),
        "{:?}",
        o.anomalies
    );
}

#[tokio::test]
async fn instant_exit_is_a_crash_with_its_stderr() {
    let o = run(&stdio("exit"), &opts()).await;
    assert_eq!(o.status, Status::Crashed, "{o:?}");
    assert!(
        o.detail.as_deref().unwrap().contains("code 3"),
        "{:?}",
        o.detail
    );
    assert!(o.stderr_tail.contains("fatal: cannot start"));
}

#[tokio::test]
async fn a_crash_asking_for_a_token_needs_config() {
    let o = run(&stdio("crash-config"), &opts()).await;
    assert_eq!(o.status, Status::NeedsConfig, "{o:?}");
}

#[tokio::test]
async fn text_only_output_is_not_mcp() {
    let o = run(&stdio("notmcp"), &opts()).await;
    assert_eq!(o.status, Status::NotMcp, "{o:?}");
}

#[tokio::test]
async fn silence_times_out_at_the_init_deadline() {
    let o = ProbeOptions {
        init_timeout: Duration::from_millis(700),
        ..opts()
    };
    let out = run(&stdio("silent"), &o).await;
    assert_eq!(out.status, Status::Timeout, "{out:?}");
    assert!(out.duration_ms < 3000, "{}", out.duration_ms);
}

#[tokio::test]
async fn the_total_deadline_bounds_everything() {
    let o = ProbeOptions {
        total_timeout: Duration::from_millis(600),
        ..opts()
    };
    let out = run(&stdio("silent"), &o).await;
    assert_eq!(out.status, Status::Timeout, "{out:?}");
    assert!(out.duration_ms < 2500, "{}", out.duration_ms);
}

#[tokio::test]
async fn missing_jsonrpc_and_string_ids_are_tolerated() {
    let o = run(&stdio("nojsonrpc"), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(names(&o.tools), ["echo", "delete_file"]);
    assert_eq!(kinds(&o), ["missing-jsonrpc", "string-id"]);
}

#[tokio::test]
async fn malformed_tools_are_kept_with_per_tool_anomalies() {
    let o = run(&stdio("malformed"), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    // The duplicate and the bare string are left out; everything else stays.
    assert_eq!(o.tools.len(), 5);
    assert_eq!(o.tools[2]["description"], 42);
    assert_eq!(description(&o.tools, "no_schema"), "Lists files");
    let k = kinds(&o);
    for want in [
        "missing-input-schema",
        "null-input-schema",
        "description-not-string",
        "duplicate-tool-name",
        "tool-not-object",
        "missing-name",
        "input-schema-not-object",
        "annotations-not-object",
    ] {
        assert!(k.contains(&want.to_string()), "{want} missing from {k:?}");
    }
    let dup = o
        .anomalies
        .iter()
        .find(|a| a.kind == "duplicate-tool-name")
        .unwrap();
    assert_eq!(dup.tool.as_deref(), Some("no_schema"));
}

#[tokio::test]
async fn a_repeated_cursor_stops_paging_but_keeps_both_pages() {
    let o = run(&stdio("cursorloop"), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(names(&o.tools), ["first", "second"]);
    assert_eq!(kinds(&o), ["repeated-cursor"]);
}

#[tokio::test]
async fn endless_cursors_stop_at_the_page_cap() {
    let o = ProbeOptions {
        max_pages: 4,
        ..opts()
    };
    let out = run(&stdio("pages"), &o).await;
    assert_eq!(out.status, Status::Ok, "{out:?}");
    assert_eq!(names(&out.tools), ["t0", "t1", "t2", "t3"]);
    assert_eq!(kinds(&out), ["page-cap"]);
}

#[tokio::test]
async fn a_jsonrpc_error_on_tools_list_is_a_protocol_error() {
    let o = run(&stdio("rpcerror"), &opts()).await;
    assert_eq!(o.status, Status::ProtocolError, "{o:?}");
    assert!(o
        .detail
        .as_deref()
        .unwrap()
        .contains("database unavailable"));
    assert_eq!(o.era, Some(Era::Legacy));
}

#[tokio::test]
async fn a_result_of_the_wrong_type_is_a_protocol_error() {
    let o = run(&stdio("wrongtype"), &opts()).await;
    assert_eq!(o.status, Status::ProtocolError, "{o:?}");
    assert!(
        o.detail.as_deref().unwrap().contains("not an array"),
        "{:?}",
        o.detail
    );
}

#[tokio::test]
async fn an_oversized_junk_line_is_dropped_and_the_answer_still_read() {
    let o = run(&stdio("oversized"), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(names(&o.tools), ["echo", "delete_file"]);
    assert_eq!(kinds(&o), ["oversized-line"]);
}

#[tokio::test]
async fn an_oversized_answer_is_a_protocol_error_not_a_hang() {
    let o = ProbeOptions {
        list_timeout: Duration::from_millis(700),
        ..opts()
    };
    let out = run(&stdio("oversized-answer"), &o).await;
    assert_eq!(out.status, Status::ProtocolError, "{out:?}");
    assert!(kinds(&out).contains(&"oversized-line".to_string()));
}

#[tokio::test]
async fn a_stderr_flood_is_drained_into_a_bounded_tail() {
    let o = ProbeOptions {
        stderr_tail_bytes: 2048,
        ..opts()
    };
    let out = run(&stdio("stderrflood"), &o).await;
    assert_eq!(out.status, Status::Ok, "{out:?}");
    assert_eq!(out.tools.len(), 2);
    assert!(out.stderr_tail.len() <= 2048, "{}", out.stderr_tail.len());
}

/// Waits until `pid` is gone or a zombie (either way not running).
async fn assert_dies(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit(')')
            .next()
            .and_then(|r| r.split_whitespace().next());
        if matches!(state, None | Some("Z") | Some("X")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "process {pid} still running: {stat}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn grandchild(o: &mcp_risk::mcp::ProbeOutcome) -> u32 {
    description(&o.tools, "grandchild")
        .trim_start_matches("pid ")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn grandchildren_die_with_the_server() {
    let o = run(&stdio("grandchildren"), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_dies(grandchild(&o)).await;
}

#[tokio::test]
async fn a_daemon_that_left_the_process_group_dies_too() {
    // setsid(2) escapes kill(-pgid); the server's PID namespace does not let
    // anything it started outlive it.
    let o = run(&stdio("daemon"), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert!(
        o.sandbox.as_deref().unwrap_or("").contains("pidns"),
        "{:?}",
        o.sandbox
    );
    assert_dies(grandchild(&o)).await;
}

#[tokio::test]
async fn server_requests_before_the_answer_get_method_not_found() {
    let o = run(&stdio("serverrequests"), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    // The server reports what our client answered to roots/list (s1),
    // sampling/createMessage (7) and ping (p).
    assert_eq!(description(&o.tools, "answers"), "7=-32601 p=ok s1=-32601");
    assert_eq!(kinds(&o), ["server-request"]);
}

#[tokio::test]
async fn a_modern_only_stdio_server_is_reached_with_server_discover() {
    let o = run(&stdio("modern"), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(o.era, Some(Era::Modern));
    assert_eq!(o.protocol_version.as_deref(), Some("2026-07-28"));
    assert_eq!(o.server_info.as_ref().unwrap()["name"], "fake-modern");
    assert_eq!(names(&o.tools), ["echo", "delete_file"]);
}

#[tokio::test]
async fn the_sandbox_shows_only_lo_and_none_of_our_environment() {
    // CARGO_MANIFEST_DIR is in this process's environment (cargo sets it).
    assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some());
    let mut env = BTreeMap::new();
    env.insert("DECLARED_DUMMY".to_string(), "x".to_string());
    let target = ProbeTarget::Stdio {
        command: FAKE.into(),
        args: vec!["env".into()],
        env,
    };
    let o = run(&target, &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(description(&o.tools, "interfaces"), "lo");
    // Not even a root server can climb back into the host's network.
    let escape = description(&o.tools, "escape");
    assert!(escape.starts_with("refused"), "{escape}");
    assert_eq!(
        description(&o.tools, "environment"),
        "DECLARED_DUMMY,HOME,LANG,PATH,TMPDIR"
    );
    let home = description(&o.tools, "home");
    assert_ne!(Some(home.to_string()), std::env::var("HOME").ok());
    // It starts where we are (read-only), so relative paths in its
    // arguments work: `probe -- node server.js`.
    assert_eq!(
        description(&o.tools, "cwd"),
        std::env::current_dir().unwrap().display().to_string()
    );
    assert!(
        !std::path::Path::new(home).exists(),
        "temporary HOME {home} left behind"
    );
}

#[tokio::test]
async fn a_sandboxed_server_writes_only_in_its_home() {
    // A directory we can write: the server, running as the same user, could
    // too, but for the read-only mount namespace.
    let outside = std::env::temp_dir().join(format!("mcp-risk-fs-test-{}", std::process::id()));
    std::fs::create_dir_all(&outside).unwrap();
    let mut env = BTreeMap::new();
    env.insert("FAKE_WRITE_DIR".to_string(), outside.display().to_string());
    let target = ProbeTarget::Stdio {
        command: FAKE.into(),
        args: vec!["fs".into()],
        env,
    };
    let o = run(&target, &opts()).await;
    let escaped = outside.join("written-by-the-server").exists();
    let _ = std::fs::remove_dir_all(&outside);
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert!(
        o.sandbox.as_deref().unwrap_or("").contains("rofs"),
        "{:?}",
        o.sandbox
    );
    assert_eq!(description(&o.tools, "home-write"), "ok");
    let refused = description(&o.tools, "outside-write");
    assert!(
        refused.starts_with("refused") && refused.contains("Read-only"),
        "{refused}"
    );
    assert!(!escaped, "the server wrote outside its HOME");
    assert_eq!(
        description(&o.tools, "tmpdir"),
        description(&o.tools, "home")
    );
}

#[test]
fn a_sandboxed_server_cannot_read_our_credentials() {
    // A crawling user with an SSH key and an npm token; the server reads
    // them through absolute paths (its own HOME is elsewhere).
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir(&ssh).unwrap();
    std::fs::write(ssh.join("id_ed25519"), "SECRET-KEY").unwrap();
    std::fs::write(home.path().join(".npmrc"), "_authToken=SECRET-TOKEN").unwrap();
    std::fs::write(home.path().join(".profile"), "harmless").unwrap();
    let read = [
        ssh.join("id_ed25519"),
        home.path().join(".npmrc"),
        home.path().join(".profile"),
    ]
    .map(|p| p.display().to_string())
    .join(":");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
        .env("HOME", home.path())
        .args(["probe", "--format", "json", "--", "/usr/bin/env"])
        .arg(format!("FAKE_READ={read}"))
        .args([FAKE, "fs"])
        .output()
        .unwrap();
    let o: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(o["status"], "ok", "{o}");
    let report = o["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "read")
        .unwrap()["description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!report.contains("SECRET"), "{report}");
    assert!(report.contains("id_ed25519=refused"), "{report}");
    assert!(report.contains(".npmrc=\"\""), "{report}");
    assert!(report.contains(".profile=\"harmless\""), "{report}");
}

#[tokio::test]
async fn without_the_sandbox_the_server_inherits_our_environment() {
    let o = ProbeOptions {
        sandbox: false,
        ..opts()
    };
    let out = run(&stdio("env"), &o).await;
    assert_eq!(out.status, Status::Ok, "{out:?}");
    assert_eq!(out.sandbox.as_deref(), Some("none"));
    assert!(description(&out.tools, "environment").contains("CARGO_MANIFEST_DIR"));
}

#[tokio::test]
async fn a_missing_command_is_reported_not_panicked() {
    let t = ProbeTarget::Stdio {
        command: "/nonexistent/mcp-server".into(),
        args: vec![],
        env: BTreeMap::new(),
    };
    let o = run(&t, &opts()).await;
    assert_eq!(o.status, Status::Crashed, "{o:?}");
    assert!(
        o.detail.as_deref().unwrap().contains("not found"),
        "{:?}",
        o.detail
    );
}

fn private_ok() -> ProbeOptions {
    ProbeOptions {
        allow_private: true,
        ..opts()
    }
}

#[tokio::test]
async fn streamable_http_json_with_session_and_delete() {
    let srv = FakeHttp::start("ok");
    let o = run(&srv.target(), &private_ok()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(o.transport, Some(Transport::StreamableHttp));
    assert_eq!(names(&o.tools), ["echo", "delete_file"]);
    assert_eq!(o.sandbox, None);
    let stats: serde_json::Value = reqwest::get(format!("http://127.0.0.1:{}/_stats", srv.port))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Later requests carried Mcp-Session-Id and MCP-Protocol-Version, and the
    // session was deleted at the end.
    assert_eq!(stats["bad_headers"], 0);
    assert_eq!(stats["deletes"], 1);
}

#[tokio::test]
async fn streamable_http_sse_bodies_with_a_server_request() {
    let srv = FakeHttp::start("sse");
    let o = run(&srv.target(), &private_ok()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(names(&o.tools), ["echo", "delete_file"]);
    assert_eq!(kinds(&o), ["server-request"]);
}

#[tokio::test]
async fn http_401_records_the_challenge_and_metadata() {
    let srv = FakeHttp::start("401");
    let o = run(&srv.target(), &private_ok()).await;
    assert_eq!(o.status, Status::AuthRequired, "{o:?}");
    let auth = o.auth.expect("auth details");
    assert!(auth
        .www_authenticate
        .unwrap()
        .starts_with("Bearer realm=\"fake\""));
    assert_eq!(
        auth.resource_metadata.unwrap(),
        format!(
            "http://127.0.0.1:{}/.well-known/oauth-protected-resource/mcp",
            srv.port
        )
    );
}

#[tokio::test]
async fn an_html_200_is_not_mcp() {
    let srv = FakeHttp::start("html");
    let o = run(&srv.target(), &private_ok()).await;
    assert_eq!(o.status, Status::NotMcp, "{o:?}");
}

#[tokio::test]
async fn a_404_falls_back_to_legacy_sse() {
    let srv = FakeHttp::start("legacy");
    let o = run(&srv.target(), &private_ok()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(o.transport, Some(Transport::Sse));
    assert_eq!(names(&o.tools), ["echo", "delete_file"]);
    assert_eq!(kinds(&o), ["fallback-to-sse"]);
}

#[tokio::test]
async fn a_stalled_http_server_times_out() {
    let srv = FakeHttp::start("stall");
    let o = ProbeOptions {
        init_timeout: Duration::from_millis(700),
        ..private_ok()
    };
    let out = run(&srv.target(), &o).await;
    assert_eq!(out.status, Status::Timeout, "{out:?}");
}

#[tokio::test]
async fn a_modern_only_http_server_is_reached_with_headers_and_meta() {
    let srv = FakeHttp::start("modern");
    let o = run(&srv.target(), &private_ok()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(o.era, Some(Era::Modern));
    assert_eq!(o.protocol_version.as_deref(), Some("2026-07-28"));
    assert_eq!(names(&o.tools), ["echo", "delete_file"]);
}

#[tokio::test]
async fn private_addresses_are_refused_without_allow_private() {
    let srv = FakeHttp::start("ok");
    for url in [
        srv.url(),
        format!("http://localhost:{}/mcp", srv.port),
        "http://169.254.169.254/latest".into(),
        "http://[::1]:9/".into(),
    ] {
        let t = ProbeTarget::Http {
            url: url.clone(),
            headers: vec![],
            sse: false,
        };
        let o = run(&t, &opts()).await;
        assert_eq!(o.status, Status::RefusedPrivateAddress, "{url}: {o:?}");
    }
    let stats: serde_json::Value = reqwest::get(format!("http://127.0.0.1:{}/_stats", srv.port))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        stats["deletes"], 0,
        "a refused probe must not reach the server"
    );
}

#[tokio::test]
async fn nothing_listening_is_unreachable() {
    // Bind then drop to get a port with nothing on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = ProbeTarget::Http {
        url: format!("http://127.0.0.1:{port}/mcp"),
        headers: vec![],
        sse: false,
    };
    let o = run(&t, &private_ok()).await;
    assert_eq!(o.status, Status::Unreachable, "{o:?}");
}

#[tokio::test]
async fn a_bare_400_to_initialize_tries_the_modern_era_before_sse() {
    let srv = FakeHttp::start("modern-bare");
    let o = run(&srv.target(), &private_ok()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(o.era, Some(Era::Modern));
    assert_eq!(o.transport, Some(Transport::StreamableHttp));
    assert_eq!(o.tools.len(), 2);
}

#[tokio::test]
async fn a_target_marked_sse_goes_straight_to_legacy_sse() {
    let srv = FakeHttp::start("legacy");
    let t = ProbeTarget::Http {
        url: srv.url(),
        headers: vec![],
        sse: true,
    };
    let o = run(&t, &private_ok()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(o.transport, Some(Transport::Sse));
    assert!(o.anomalies.is_empty(), "{:?}", o.anomalies);
}

/// `probe --db` stores the outcome; `classify --server` audits it from the store.
#[test]
fn probe_db_stores_and_classify_reads_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let bin = env!("CARGO_BIN_EXE_mcp-risk");
    let out = std::process::Command::new(bin)
        .args(["probe", "--timeout", "10", "--name", "fixture", "--db"])
        .arg(&db)
        .args(["--", common::FAKE, "minimal"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = std::process::Command::new(bin)
        .args([
            "classify", "--server", "fixture", "--format", "json", "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["servers"][0]["server"], "fixture");
    assert_eq!(v["servers"][0]["tools"][0]["name"], "echo");
}
