//! Probe one server: launch or connect, negotiate the era, list every tool,
//! then tear down (kill the process group / DELETE the session), all under a
//! total deadline. Whatever happens becomes one [`ProbeOutcome`].

use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use url::Url;

use super::conn::{Conn, ConnError};
use super::http::{HttpConn, Web};
use super::jsonrpc::Notes;
use super::session::{self, Deadlines, Fail, Found};
use super::sse::SseConn;
use super::stdio::{StdioConn, Tail};
use super::{AnomalyKind, ProbeOptions, ProbeOutcome, ProbeTarget, Status, Transport};
use crate::sandbox::{self, SandboxError};

/// State that survives a probe cut short by the total deadline.
#[derive(Default)]
struct Ctx {
    transport: Option<Transport>,
    sandbox: Option<String>,
    conn: Option<Conn>,
}

/// Probes one target in bounded time. Never panics, never fails: every
/// outcome is a [`ProbeOutcome`] with one status.
pub async fn probe(target: &ProbeTarget, opts: &ProbeOptions) -> ProbeOutcome {
    let start = Instant::now();
    let dl = Deadlines::new(opts, start);
    let mut notes = Notes::default();
    let mut found = Found::default();
    let mut ctx = Ctx::default();
    let stderr = Arc::new(Mutex::new(Tail::new(opts.stderr_tail_bytes)));
    let driven = drive(target, opts, dl, &mut ctx, &mut found, &mut notes, &stderr);
    let result = match tokio::time::timeout_at(dl.total, driven).await {
        Ok(r) => r,
        Err(_) => Err(Fail::new(
            Status::Timeout,
            format!(
                "the probe took longer than its {}s total deadline",
                opts.total_timeout.as_secs_f32()
            ),
        )),
    };
    if let Some(conn) = ctx.conn.as_mut() {
        conn.close(Duration::from_millis(500)).await;
    }
    let limit_hit = ctx.conn.as_ref().and_then(Conn::limit_hit);
    drop(ctx.conn.take());
    let stderr_tail = stderr.lock().map(|t| t.text()).unwrap_or_default();
    let (status, detail, auth) = match result {
        Ok(()) => (Status::Ok, None, None),
        Err(f) => {
            let auth = match &f.conn {
                Some(ConnError::Auth(info, _)) => Some(info.clone()),
                _ => None,
            };
            let (status, detail) = match limit_hit {
                // Whatever it looked like, the kernel says it hit a limit.
                Some(why)
                    if matches!(f.status, Status::Crashed | Status::Timeout | Status::NotMcp) =>
                {
                    (Status::ResourceLimit, format!("{}; {why}", f.detail))
                }
                _ => refine(f.status, f.detail, &notes, &stderr_tail),
            };
            (status, Some(detail), auth)
        }
    };
    ProbeOutcome {
        status,
        detail,
        transport: ctx.transport,
        era: found.era,
        protocol_version: found.protocol_version,
        server_info: found.server_info,
        tools: found.tools,
        anomalies: notes.finish(),
        duration_ms: start.elapsed().as_millis() as u64,
        stderr_tail,
        sandbox: ctx.sandbox,
        auth,
    }
}

/// Sharpens a failure with what the server printed: a crash that complains
/// about a missing key needs configuration; one that cannot resolve a host
/// (in stderr or in its JSON-RPC error) needs the network; one that could
/// not write its files met the read-only filesystem; one out of memory or
/// threads met the limits; output with no JSON-RPC at all is not MCP.
fn refine(status: Status, detail: String, notes: &Notes, stderr: &str) -> (Status, String) {
    let silent_rpc = notes.jsonrpc_messages == 0 && notes.non_json_lines() > 0;
    match status {
        Status::Crashed | Status::Timeout if READ_ONLY.is_match(stderr) => (
            Status::ReadOnlyFs,
            format!(
                "{detail}; stderr shows a write refused by the read-only filesystem (the sandbox lets a server write only in HOME and TMPDIR; --no-sandbox runs it as it is)"
            ),
        ),
        Status::Crashed => {
            if NET_FAILURE.is_match(stderr) {
                (
                    Status::NeedsNetwork,
                    format!(
                        "{detail}; stderr shows a network failure (the sandbox has no network)"
                    ),
                )
            } else if RESOURCE_LIMIT.is_match(stderr) {
                (
                    Status::ResourceLimit,
                    format!(
                        "{detail}; stderr shows it ran out of memory or tasks (the sandbox's limits)"
                    ),
                )
            } else if CONFIG_REQUEST.is_match(stderr) {
                (
                    Status::NeedsConfig,
                    format!("{detail}; stderr asks for configuration"),
                )
            } else if silent_rpc {
                (
                    Status::NotMcp,
                    format!(
                        "{detail}; it printed {} line(s), none of them JSON-RPC",
                        notes.non_json_lines()
                    ),
                )
            } else {
                (Status::Crashed, detail)
            }
        }
        Status::ProtocolError
            if detail.contains("JSON-RPC error") && NET_FAILURE.is_match(&detail) =>
        {
            (
                Status::NeedsNetwork,
                format!("{detail} (a network failure; the sandbox has no network)"),
            )
        }
        Status::Timeout if notes.oversized > 0 => (
            Status::ProtocolError,
            format!("{detail}; a line over the size cap was dropped (probably the answer)"),
        ),
        Status::Timeout if silent_rpc => (
            Status::NotMcp,
            format!(
                "{detail}; it printed {} line(s), none of them JSON-RPC",
                notes.non_json_lines()
            ),
        ),
        s => (s, detail),
    }
}

/// One of the fixed patterns below (a typo fails every probe test that
/// reads a stderr tail).
fn pattern(re: &str) -> regex::Regex {
    regex::Regex::new(re).expect("a valid pattern")
}

/// Words a process prints when it could not reach the network. Error codes
/// are matched whole and case-sensitively (`ModuleNotFoundError` is not
/// `ENOTFOUND`).
static NET_FAILURE: LazyLock<regex::Regex> = LazyLock::new(|| {
    pattern(
        r"\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH)\b|(?i)\b(network is unreachable|temporary failure in name resolution|name or service not known|failed to resolve|could not resolve host|getaddrinfo failed)\b",
    )
});

/// What a process prints when a write met a read-only filesystem.
static READ_ONLY: LazyLock<regex::Regex> =
    LazyLock::new(|| pattern(r"\bEROFS\b|(?i)\bread-only file ?system\b"));

/// What a process prints when an allocation, a fork or a thread was refused.
static RESOURCE_LIMIT: LazyLock<regex::Regex> = LazyLock::new(|| {
    pattern(
        r"\b(ENOMEM|EAGAIN|MemoryError)\b|(?i)\b(out of memory|cannot allocate memory|memory allocation of \d+ bytes failed|allocation failed|bad_alloc|resource temporarily unavailable|can't start new thread|failed to spawn thread)",
    )
});

/// Words a process prints when it wants a key, token or setting.
static CONFIG_REQUEST: LazyLock<regex::Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)\b(api[_ -]?key|access[_ -]?token|auth[_ -]?token|[A-Z0-9_]*TOKEN\b.{0,40}(required|missing|not set)|environment variable|env var|is required|are required|missing required|not set|credentials|must be set|must provide)",
    )
});

async fn drive(
    target: &ProbeTarget,
    opts: &ProbeOptions,
    dl: Deadlines,
    ctx: &mut Ctx,
    found: &mut Found,
    notes: &mut Notes,
    stderr: &Arc<Mutex<Tail>>,
) -> Result<(), Fail> {
    match target {
        ProbeTarget::Stdio { command, args, env } => {
            ctx.transport = Some(Transport::Stdio);
            // On a launcher thread: a launch blocks its thread until the
            // child execs (clone with CLONE_VFORK).
            let spawned = sandbox::launch(sandbox::Job {
                program: command.clone(),
                args: args.clone(),
                env: env.clone(),
                sandbox: opts.sandbox,
                limits: opts.limits,
            })
            .await
            .map_err(|e| match e {
                SandboxError::Unavailable(_) => Fail::new(Status::SkippedPolicy, e.to_string()),
                other => Fail::new(Status::Crashed, other.to_string()),
            })?;
            ctx.sandbox = Some(spawned.kind.clone());
            let conn = StdioConn::new(
                spawned,
                stderr.clone(),
                opts.max_line_bytes,
                opts.max_total_bytes,
            )
            .map_err(|e| {
                Fail::new(
                    Status::Crashed,
                    format!("could not watch the server's pipes: {e}"),
                )
            })?;
            let conn = ctx.conn.insert(Conn::Stdio(Box::new(conn)));
            session::run(conn, opts, dl, found, notes).await
        }
        ProbeTarget::Http { url, headers, sse } => {
            let url = Url::parse(url)
                .map_err(|e| Fail::new(Status::NeedsConfig, format!("invalid URL {url:?}: {e}")))?;
            let web = Web::new(&url, headers, opts)?;
            let mut first: Option<u16> = None;
            if !sse {
                ctx.transport = Some(Transport::StreamableHttp);
                let conn = HttpConn::new(web.clone(), url.clone(), opts.max_line_bytes);
                let conn = ctx.conn.insert(Conn::Http(Box::new(conn)));
                match session::run(conn, opts, dl, found, notes).await {
                    Err(Fail {
                        conn:
                            Some(ConnError::HttpStatus {
                                status: s @ (400 | 404 | 405),
                                ..
                            }),
                        ..
                    }) if found.era.is_none() => {
                        // A modern-only server answers a legacy initialize
                        // with 400; ask it in its own terms before SSE.
                        if s == 400 {
                            if let Some(conn) = ctx.conn.as_mut() {
                                let r = session::run_modern(conn, opts, dl, found, notes).await;
                                if r.is_ok() || found.era.is_some() {
                                    return r;
                                }
                            }
                        }
                        notes.push(None, AnomalyKind::FallbackToSse, format!("POST initialize got HTTP {s}; trying the legacy HTTP+SSE transport"));
                        first = Some(s);
                        if let Some(mut c) = ctx.conn.take() {
                            c.close(Duration::from_millis(200)).await;
                        }
                    }
                    other => return other,
                }
            }
            ctx.transport = Some(Transport::Sse);
            let deadline =
                (Instant::now() + opts.connect_timeout.max(opts.init_timeout)).min(dl.total);
            let conn = match SseConn::connect(web, &url, deadline, opts.max_line_bytes).await {
                Ok(c) => c,
                Err(e) => {
                    if let Some(s) = first {
                        if matches!(e, ConnError::HttpStatus { .. } | ConnError::NotMcp(_)) {
                            ctx.transport = Some(Transport::StreamableHttp);
                            return Err(Fail {
                                status: if s == 400 { Status::ProtocolError } else { Status::NotMcp },
                                detail: format!("no MCP endpoint at {url}: POST got HTTP {s}, and the SSE fallback failed ({e})"),
                                conn: Some(e),
                            });
                        }
                    }
                    return Err(e.into());
                }
            };
            let conn = ctx.conn.insert(Conn::Sse(Box::new(conn)));
            session::run(conn, opts, dl, found, notes).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refined(stderr: &str) -> Status {
        refine(Status::Crashed, "exited".into(), &Notes::default(), stderr).0
    }

    #[test]
    fn crashes_are_sharpened_by_what_stderr_says() {
        assert_eq!(
            refined("Error: getaddrinfo ENOTFOUND api.github.com"),
            Status::NeedsNetwork
        );
        assert_eq!(
            refined("GITHUB_PERSONAL_ACCESS_TOKEN not set"),
            Status::NeedsConfig
        );
        assert_eq!(refined("Please provide an API key"), Status::NeedsConfig);
        assert_eq!(
            refined("ModuleNotFoundError: No module named 'mcp.server.fastmcp'"),
            Status::Crashed
        );
        assert_eq!(refined("Segmentation fault"), Status::Crashed);
        assert_eq!(
            refined("Error: EROFS: read-only file system, open '/pkg/node_modules/x/log.txt'"),
            Status::ReadOnlyFs
        );
        assert_eq!(
            refined("OSError: [Errno 30] Read-only file system: '/pkg/venv/cache'"),
            Status::ReadOnlyFs
        );
        assert_eq!(
            refined("memory allocation of 67108864 bytes failed"),
            Status::ResourceLimit
        );
        assert_eq!(
            refined(
                "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"
            ),
            Status::ResourceLimit
        );
        assert_eq!(
            refined("RuntimeError: can't start new thread"),
            Status::ResourceLimit
        );
    }

    #[test]
    fn a_network_failure_in_a_jsonrpc_error_needs_the_network() {
        let (s, _) = refine(
            Status::ProtocolError,
            "tools/list failed: JSON-RPC error -32603: [Errno -3] Temporary failure in name resolution".into(),
            &Notes::default(),
            "",
        );
        assert_eq!(s, Status::NeedsNetwork);
        let (s, _) = refine(
            Status::ProtocolError,
            "tools/list failed: JSON-RPC error -32603: database unavailable".into(),
            &Notes::default(),
            "",
        );
        assert_eq!(s, Status::ProtocolError);
    }
}
