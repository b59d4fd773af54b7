//! The MCP client and the sandbox against a fake server that misbehaves in
//! every way the crawl issue names. Each probe must end in bounded time with
//! the right status and every salvageable tool kept.

// Not every helper serves this file (some are the interrupt and crawl tests').
#[allow(dead_code)]
mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{description, kinds, names, opts, stdio, wait_until_gone, FakeHttp, FAKE};
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
    let start = Instant::now();
    let out = run(&stdio("oversized-answer"), &opts()).await;
    assert_eq!(out.status, Status::ProtocolError, "{out:?}");
    assert!(kinds(&out).contains(&"oversized-line".to_string()));
    // Recognised as the answer: no waiting for the list deadline.
    assert!(
        out.detail.as_deref().unwrap_or("").contains("over the"),
        "{out:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
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

/// Runs `mode` (which starts a `sleeper` child marked with a token) and
/// waits until no process with that token runs on the host.
async fn assert_grandchild_dies(mode: &str) -> mcp_risk::mcp::ProbeOutcome {
    let token = format!("grandchild-token-{}-{mode}", std::process::id());
    let mut env = BTreeMap::new();
    env.insert("FAKE_TOKEN".to_string(), token.clone());
    let target = ProbeTarget::Stdio {
        command: FAKE.into(),
        args: vec![mode.into()],
        env,
    };
    let o = run(&target, &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    // It did start one (its pid, as its PID namespace numbers it).
    let pid = description(&o.tools, "grandchild");
    assert!(pid.starts_with("pid ") && pid.len() > 4, "{pid}");
    let t = token.clone();
    tokio::task::spawn_blocking(move || wait_until_gone(&t, Duration::from_secs(3)))
        .await
        .unwrap();
    o
}

#[tokio::test]
async fn grandchildren_die_with_the_server() {
    assert_grandchild_dies("grandchildren").await;
}

#[tokio::test]
async fn a_daemon_that_left_the_process_group_dies_too() {
    // setsid(2) escapes kill(-pgid); the server's PID namespace does not let
    // anything it started outlive it.
    let o = assert_grandchild_dies("daemon").await;
    assert!(
        o.sandbox.as_deref().unwrap_or("").contains("pidns"),
        "{:?}",
        o.sandbox
    );
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
async fn a_sandboxed_server_writes_only_in_its_own_tmpfs() {
    // A directory it can see (inside our working directory, which it gets
    // read-only) and one of the host's /tmp (which it does not get at all:
    // its /tmp is its own).
    let visible = std::env::current_dir()
        .unwrap()
        .join("target")
        .join(format!("mcp-risk-fs-test-{}", std::process::id()));
    let host_tmp = std::env::temp_dir().join(format!("mcp-risk-fs-test-{}", std::process::id()));
    let mut reports = Vec::new();
    for dir in [&visible, &host_tmp] {
        std::fs::create_dir_all(dir).unwrap();
        let mut env = BTreeMap::new();
        env.insert("FAKE_WRITE_DIR".to_string(), dir.display().to_string());
        let target = ProbeTarget::Stdio {
            command: FAKE.into(),
            args: vec!["fs".into()],
            env,
        };
        let o = run(&target, &opts()).await;
        let escaped = dir.join("written-by-the-server").exists();
        let _ = std::fs::remove_dir_all(dir);
        assert_eq!(o.status, Status::Ok, "{o:?}");
        assert!(!escaped, "the server wrote into {}", dir.display());
        reports.push(o);
    }
    let o = &reports[0];
    assert!(
        o.sandbox.as_deref().unwrap_or("").contains("view("),
        "{:?}",
        o.sandbox
    );
    assert_eq!(description(&o.tools, "home-write"), "ok");
    let refused = description(&o.tools, "outside-write");
    assert!(
        refused.starts_with("refused") && refused.contains("Read-only"),
        "{refused}"
    );
    let refused = description(&reports[1].tools, "outside-write");
    assert!(
        refused.starts_with("refused") && refused.contains("No such file"),
        "{refused}"
    );
    assert_eq!(description(&o.tools, "tmpdir"), "/tmp");
    assert_eq!(description(&o.tools, "home"), "/sandbox/home");
}

#[test]
fn a_sandboxed_server_cannot_read_our_credentials() {
    // A crawling user with an SSH key and an npm token, run from its HOME:
    // the working directory is given (read-only), the credentials in it
    // stay covered. Outside it, nothing of HOME exists for the server.
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
    let probe_from = |cwd: &std::path::Path| -> String {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
            .env("HOME", home.path())
            .current_dir(cwd)
            .args(["probe", "--format", "json", "--", "/usr/bin/env"])
            .arg(format!("FAKE_READ={read}"))
            .args([FAKE, "fs"])
            .output()
            .unwrap();
        let o: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(o["status"], "ok", "{o}");
        o["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "read")
            .unwrap()["description"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let report = probe_from(home.path());
    assert!(!report.contains("SECRET"), "{report}");
    assert!(report.contains("id_ed25519=refused"), "{report}");
    assert!(report.contains(".npmrc=\"\""), "{report}");
    assert!(report.contains(".profile=\"harmless\""), "{report}");
    // Run from elsewhere, HOME is not in the view at all (this was a
    // deny-list: everything not covered was readable).
    let report = probe_from(std::path::Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(!report.contains("SECRET"), "{report}");
    assert!(!report.contains("harmless"), "{report}");
    assert_eq!(report.matches("No such file").count(), 3, "{report}");
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

// ---------------------------------------------------------------------------
// Sandbox v2: a hostile server sees only what it was given (issue 12).

/// What the hostile fixture needs from the host: a unix socket in /tmp (and
/// in /run when we may write there), a SysV segment, a key in our session
/// keyring, a file outside everything the server is given. Cleaned up on drop.
struct Bait {
    dir: tempfile::TempDir,
    sockets: Vec<std::path::PathBuf>,
    _listeners: Vec<std::os::unix::net::UnixListener>,
    shm_key: i32,
    shm_id: i32,
    key_desc: String,
    key_id: i64,
}

impl Bait {
    fn new() -> Bait {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(dir.path().join("secret"), "SECRET-FILE").unwrap();
        let mut sockets = vec![dir.path().join("agent.sock")];
        let run =
            std::path::PathBuf::from(format!("/run/mcp-risk-test-{}.sock", std::process::id()));
        if std::fs::metadata("/run").is_ok_and(|m| !m.permissions().readonly()) {
            sockets.push(run);
        }
        let mut listeners = Vec::new();
        sockets.retain(|p| {
            let _ = std::fs::remove_file(p);
            match std::os::unix::net::UnixListener::bind(p) {
                Ok(l) => {
                    // Anyone may connect: only the sandbox stands in the way.
                    let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o777));
                    listeners.push(l);
                    true
                }
                Err(_) => false,
            }
        });
        let shm_key = 0x4d52_0000 | (std::process::id() as i32 & 0xfff0);
        // SAFETY: shmget with integer arguments; removed on drop.
        let shm_id = unsafe { libc::shmget(shm_key, 4096, libc::IPC_CREAT | 0o666) };
        let key_desc = format!("mcp-risk-test-key-{}", std::process::id());
        let desc = std::ffi::CString::new(key_desc.clone()).unwrap();
        const KEY_SPEC_SESSION_KEYRING: i32 = -3;
        // SAFETY: add_key(2) with NUL-terminated strings and a byte payload.
        let key_id = unsafe {
            libc::syscall(
                libc::SYS_add_key,
                c"user".as_ptr(),
                desc.as_ptr(),
                b"SECRET-KEY".as_ptr(),
                10usize,
                KEY_SPEC_SESSION_KEYRING,
            )
        };
        Bait {
            dir,
            sockets,
            _listeners: listeners,
            shm_key,
            shm_id,
            key_desc,
            key_id,
        }
    }

    /// The fixture's variables, as NAME=VALUE.
    fn env(&self) -> Vec<String> {
        let sockets: Vec<String> = self
            .sockets
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let mut read = vec![self.dir.path().join("secret").display().to_string()];
        // The crawling user's dotfiles, where there are any.
        if let Some(home) = std::env::var_os("HOME") {
            for f in [".bashrc", ".gitconfig", ".profile"] {
                let p = std::path::Path::new(&home).join(f);
                if p.is_file() {
                    read.push(p.display().to_string());
                }
            }
        }
        vec![
            format!("FAKE_PEER_PID={}", std::process::id()),
            format!("FAKE_SOCKETS={}", sockets.join(":")),
            format!("FAKE_SHM_KEY={}", self.shm_key),
            format!("FAKE_KEY={}", self.key_desc),
            format!("FAKE_KEY_ID={}", self.key_id),
            format!("FAKE_READ={}", read.join(":")),
        ]
    }

    /// Every attempt of the hostile fixture was refused or bounded.
    fn assert_held(&self, tools: &[serde_json::Value], root: bool, label: &str) {
        let d = |name: &str| description(tools, name).to_string();
        // 1. Its own /proc: only itself, no peer to spy on or write through.
        assert_eq!(d("pids"), "1");
        let peer = d("peer");
        assert_eq!(peer.matches("=refused").count(), 5, "{peer}");
        // 2. No host sockets, no shared temporary or runtime directories.
        let socks = d("sockets");
        assert!(!self.sockets.is_empty());
        assert_eq!(
            socks.matches("=refused").count(),
            self.sockets.len(),
            "{socks}"
        );
        assert_eq!(
            d("shared-dirs"),
            "/tmp=0 /var/tmp=0 /run=0 /var/run=0 /dev/shm=0"
        );
        // 6. A minimal /dev: no kmsg, console, kvm, fuse, loop, tun, disks;
        // no controlling terminal; /dev/null works.
        let devs = d("devices");
        assert_eq!(devs.matches("=refused").count(), 10, "{devs}");
        assert_eq!(d("dev-null"), "ok");
        // 5. Its own IPC namespace: not our segment, and its own is gone.
        let ipc = d("ipc");
        assert!(ipc.starts_with("host=refused"), "{ipc}");
        // SAFETY: shmget with integer arguments (lookup only).
        let left = unsafe { libc::shmget(self.shm_key + 1, 0, 0) };
        assert!(
            left < 0,
            "the server's SysV segment outlived it on the host"
        );
        // 4. Not our keyrings: no key of ours listed, none read by its id.
        let keys = d("keys");
        assert!(keys.starts_with("sees-host-key=false"), "{keys}");
        assert!(keys.contains("read=refused"), "{keys}");
        assert!(!keys.contains("SECRET"), "{keys}");
        // 3. Bounded memory and tasks: per process with rlimits (a control
        // group bounds what is used, not what is mapped).
        let map = d("map-3g");
        if label.contains("limits(rlimit") {
            assert!(map.starts_with("refused"), "{map}");
        } else {
            assert!(label.contains("cgroup"), "{label}");
        }
        let threads: u32 = d("threads").parse().unwrap();
        assert!(threads < 512, "{threads} threads");
        // 7. Nothing outside the allow-list.
        let read = d("read");
        assert!(!read.contains("SECRET"), "{read}");
        assert!(!read.contains("=\""), "{read}");
        if root {
            // A uid of its own: not root.
            assert_ne!(d("uid"), "0");
        }
    }
}

impl Drop for Bait {
    fn drop(&mut self) {
        for p in &self.sockets {
            let _ = std::fs::remove_file(p);
        }
        // SAFETY: IPC_RMID on our own segment; KEYCTL_REVOKE on our own key.
        unsafe {
            if self.shm_id >= 0 {
                libc::shmctl(self.shm_id, libc::IPC_RMID, std::ptr::null_mut());
            }
            if self.key_id > 0 {
                libc::syscall(libc::SYS_keyctl, 3 /* KEYCTL_REVOKE */, self.key_id);
            }
        }
    }
}

fn with_env(mode: &str, vars: &[String]) -> ProbeTarget {
    let env = vars
        .iter()
        .filter_map(|v| v.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ProbeTarget::Stdio {
        command: FAKE.into(),
        args: vec![mode.into()],
        env,
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[tokio::test]
async fn a_hostile_server_sees_and_reaches_only_what_it_was_given() {
    let bait = Bait::new();
    let o = run(&with_env("hostile", &bait.env()), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    let label = o.sandbox.clone().unwrap_or_default();
    for part in ["pidns", "ipcns", "mntns", "view(", "keyring", "limits("] {
        assert!(label.contains(part), "{label}");
    }
    bait.assert_held(&o.tools, is_root() && !label.contains("userns"), &label);
}

/// The same, run by an unprivileged user (a user namespace instead of
/// privilege), where this machine lets us become one: `setpriv` as root.
#[test]
fn a_hostile_server_is_held_unprivileged_too() {
    use std::os::unix::fs::PermissionsExt as _;
    if !is_root() || !std::path::Path::new("/usr/bin/setpriv").exists() {
        eprintln!("skipped: needs root and setpriv to become an unprivileged user");
        return;
    }
    // Not in /tmp: the server gets its own directory, and the host's /tmp
    // must look empty to it.
    let bin = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::set_permissions(bin.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mr = bin.path().join("mcp-risk");
    let fake = bin.path().join("fake-server");
    std::fs::copy(env!("CARGO_BIN_EXE_mcp-risk"), &mr).unwrap();
    std::fs::copy(FAKE, &fake).unwrap();
    let bait = Bait::new();
    let probe_as_nobody = |extra: &[&str], mode: &str| -> serde_json::Value {
        let out = std::process::Command::new("/usr/bin/setpriv")
            .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .arg(&mr)
            .args(["probe", "--format", "json", "--timeout", "20"])
            .args(extra)
            .args(["--", "/usr/bin/env"])
            .args(bait.env())
            .arg(&fake)
            .arg(mode)
            .current_dir(bin.path())
            .env("HOME", bin.path())
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let o = probe_as_nobody(&[], "hostile");
    if o["status"] == "skipped_policy" {
        eprintln!(
            "skipped: no unprivileged user namespaces here: {}",
            o["detail"]
        );
        return;
    }
    assert_eq!(o["status"], "ok", "{o}");
    assert!(o["sandbox"].as_str().unwrap().contains("userns"), "{o}");
    let tools: Vec<serde_json::Value> = o["tools"].as_array().unwrap().clone();
    bait.assert_held(&tools, false, o["sandbox"].as_str().unwrap());
    let o = probe_as_nobody(&["--memory-limit", "256"], "memhog");
    assert_eq!(o["status"], "resource_limit", "{o}");
}

#[tokio::test]
async fn a_server_that_eats_memory_is_stopped_and_says_so() {
    let o = ProbeOptions {
        limits: mcp_risk::sandbox::Limits {
            memory: 256 << 20,
            tasks: 512,
        },
        ..opts()
    };
    let out = run(&stdio("memhog"), &o).await;
    assert_eq!(out.status, Status::ResourceLimit, "{out:?}");
    let label = out.sandbox.clone().unwrap_or_default();
    if label.contains("limits(cgroup") {
        // The kernel stops the whole group and its counters say why.
        assert!(
            out.detail.as_deref().unwrap().contains("memory limit"),
            "{out:?}"
        );
    } else {
        // Per process: the allocation fails and the server says so.
        assert!(out.stderr_tail.contains("memory allocation"), "{out:?}");
    }
}

#[tokio::test]
async fn a_crash_on_the_read_only_filesystem_is_named() {
    let out = run(&stdio("erofs"), &opts()).await;
    assert_eq!(out.status, Status::ReadOnlyFs, "{out:?}");
    assert!(
        out.detail.as_deref().unwrap().contains("--no-sandbox"),
        "{out:?}"
    );
}

#[test]
fn timeout_sets_the_phase_deadlines() {
    // `--timeout 60` used to leave initialize and tools/list at 20 s each.
    let o = ProbeOptions::default().with_total_timeout(Duration::from_secs(60));
    assert_eq!(o.init_timeout, Duration::from_secs(60));
    assert_eq!(o.list_timeout, Duration::from_secs(60));
    let o = ProbeOptions::default().with_total_timeout(Duration::from_secs(5));
    assert_eq!(o.init_timeout, Duration::from_secs(5));
    assert!(o.connect_timeout <= Duration::from_secs(5));
}

#[tokio::test]
async fn a_json_log_line_is_not_a_missing_jsonrpc_anomaly() {
    let o = run(&stdio("otel"), &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    assert_eq!(kinds(&o), ["non-jsonrpc-line"]);
    assert!(
        o.anomalies[0].detail.contains("JSON but not JSON-RPC"),
        "{:?}",
        o.anomalies
    );
}

#[tokio::test]
async fn name_resolution_failing_in_a_tools_list_error_needs_the_network() {
    let o = run(&stdio("dnsfail"), &opts()).await;
    assert_eq!(o.status, Status::NeedsNetwork, "{o:?}");
}

#[tokio::test]
async fn a_tools_list_result_that_is_no_tool_list_is_a_protocol_error() {
    let o = run(&stdio("notalist"), &opts()).await;
    assert_eq!(o.status, Status::ProtocolError, "{o:?}");
    assert!(o.tools.is_empty());
    let k = kinds(&o);
    assert!(k.contains(&"result-is-array".to_string()), "{k:?}");
    assert_eq!(
        k.iter().filter(|k| *k == "tool-not-object").count(),
        3,
        "{k:?}"
    );
}

#[tokio::test]
async fn an_unreadable_answer_fails_at_once_with_the_reason() {
    for (mode, why) in [("surrogate", "hex escape"), ("deepnest", "recursion limit")] {
        let start = Instant::now();
        let o = run(&stdio(mode), &opts()).await;
        assert_eq!(o.status, Status::ProtocolError, "{mode}: {o:?}");
        let detail = o.detail.clone().unwrap_or_default();
        assert!(
            detail.contains("not readable JSON") && detail.contains(why),
            "{detail}"
        );
        // Well before the 5 s list deadline.
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{mode}: {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn secrets_can_come_from_the_environment_or_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("server.env");
    std::fs::write(&file, "# a comment\nFROM_FILE=file-value\n\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
        .args(["probe", "--format", "json", "--env-file"])
        .arg(&file)
        .args(["--", FAKE, "env"])
        .output()
        .unwrap();
    let o: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(o["status"], "ok", "{o}");
    let env = o["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "environment")
        .unwrap()["description"]
        .clone();
    assert_eq!(env, "FROM_FILE,HOME,LANG,PATH,TMPDIR");
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
        .args(["probe", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--header-env") && help.contains("--env-file"),
        "{help}"
    );
}

#[tokio::test]
async fn a_server_whose_files_are_roots_only_still_runs() {
    // A `mktemp -d` directory is 0700: a server of its own uid could not
    // even start from it, so it keeps ours (still without capabilities).
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let fake = dir.path().join("fake-server");
    std::fs::copy(FAKE, &fake).unwrap();
    let target = ProbeTarget::Stdio {
        command: fake.display().to_string(),
        args: vec!["good".into()],
        env: BTreeMap::new(),
    };
    let o = run(&target, &opts()).await;
    assert_eq!(o.status, Status::Ok, "{o:?}");
    if is_root() {
        let label = o.sandbox.unwrap_or_default();
        assert!(
            label.contains("uid0") || label.contains("userns"),
            "{label}"
        );
    }
}
