//! Shards and merge, end to end: a mock official registry on 127.0.0.1
//! lists 20 servers (paged by cursor) whose remotes are tiny MCP servers this
//! test runs on loopback. One crawl into a.db equals three `--shard i/3`
//! crawls merged (same servers, statuses, tools and verdicts), and a shard
//! killed midway resumes on rerun without probing the servers it finished.

#[path = "registry_support/mock.rs"]
mod mock;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_risk::pipeline::shard::Shard;
use mcp_risk::store::Store;
use rusqlite::Connection;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const SERVERS: usize = 20;
const PAGE: usize = 7;

fn name(i: usize) -> String {
    format!("com.example/srv-{i:02}")
}

/// The tools server `i` lists: a read tool for all, writes and destructive
/// tools for some, so the verdicts differ between servers.
fn tools(i: usize) -> Value {
    let mut t = vec![
        json!({"name": format!("list_items_{i}"), "description": "Lists the items in the catalogue.",
        "inputSchema": {"type": "object"}}),
    ];
    if i % 2 == 0 {
        t.push(json!({"name": "update_record", "description": "Updates a record with new field values.",
            "inputSchema": {"type": "object", "properties": {"id": {"type": "string"}}}}));
    }
    if i % 3 == 0 {
        t.push(json!({"name": "delete_repository", "description": "Permanently deletes a repository and all its data.",
            "inputSchema": {"type": "object", "properties": {"repo": {"type": "string"}}}}));
    }
    if i % 5 == 0 {
        t.push(
            json!({"name": "get_status", "description": "Returns the status.",
            "annotations": {"readOnlyHint": true}, "inputSchema": {"type": "object"}}),
        );
    }
    Value::Array(t)
}

/// The loopback MCP servers: `POST /mcp/srv-NN` speaks Streamable HTTP
/// (JSON bodies); `srv-04` answers 404 (not an MCP server). It counts
/// tools/list requests per server, and with a budget set it answers only
/// that many more tools/list requests and holds the rest until the budget
/// is lifted (how the test stops a crawl at a known point).
#[derive(Default)]
struct Mcp {
    lists: Mutex<BTreeMap<String, usize>>,
    /// `usize::MAX`: no budget.
    budget: AtomicUsize,
}

impl Mcp {
    fn lists(&self) -> BTreeMap<String, usize> {
        self.lists.lock().unwrap().clone()
    }
}

async fn mcp_server(state: Arc<Mcp>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let state = state.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut parts = line.split_whitespace();
                    let method = parts.next().unwrap_or("").to_owned();
                    let path = parts.next().unwrap_or("").to_owned();
                    let mut len = 0usize;
                    loop {
                        let mut h = String::new();
                        if r.read_line(&mut h).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            if k.trim().eq_ignore_ascii_case("content-length") {
                                len = v.trim().parse().unwrap_or(0);
                            }
                        }
                    }
                    let mut body = vec![0; len];
                    if r.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let server = path.trim_start_matches("/mcp/").to_owned();
                    let (status, body) = answer(&state, &method, &server, &body).await;
                    let head = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    if w.write_all(head.as_bytes()).await.is_err()
                        || w.write_all(body.as_bytes()).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    port
}

async fn answer(state: &Mcp, method: &str, server: &str, body: &[u8]) -> (&'static str, String) {
    let index: Option<usize> = server.strip_prefix("srv-").and_then(|n| n.parse().ok());
    let Some(i) = index.filter(|&i| i < SERVERS && i != 4) else {
        return ("404 Not Found", String::new());
    };
    match method {
        "POST" => {}
        "DELETE" => return ("200 OK", String::new()),
        _ => return ("405 Method Not Allowed", String::new()),
    }
    let msg: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(id) = msg.get("id").cloned() else {
        return ("202 Accepted", String::new());
    };
    let result = match msg["method"].as_str().unwrap_or("") {
        "initialize" => json!({"protocolVersion": msg["params"]["protocolVersion"].clone(),
            "capabilities": {"tools": {}}, "serverInfo": {"name": server, "version": "1.0.0"}}),
        "tools/list" => {
            // Take one from the budget, or wait until it is lifted.
            loop {
                let b = state.budget.load(Ordering::SeqCst);
                if b == usize::MAX {
                    break;
                }
                if b > 0
                    && state
                        .budget
                        .compare_exchange(b, b - 1, Ordering::SeqCst, Ordering::SeqCst)
                        .is_ok()
                {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            *state
                .lists
                .lock()
                .unwrap()
                .entry(server.to_owned())
                .or_default() += 1;
            json!({"tools": tools(i)})
        }
        other => {
            let e = json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": format!("Method not found: {other}")}});
            return ("200 OK", e.to_string());
        }
    };
    (
        "200 OK",
        json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string(),
    )
}

/// The registry's entries: remotes on the MCP port, and one that needs a
/// secret header (needs_config, never probed). Listed newest first and
/// paged, so page order differs from name order.
fn entries(mcp_port: u16) -> Vec<Value> {
    (0..SERVERS)
        .rev()
        .map(|i| {
            let mut remote = json!({"type": "streamable-http", "url": format!("http://127.0.0.1:{mcp_port}/mcp/srv-{i:02}")});
            if i == 9 {
                remote["headers"] = json!([{"name": "Authorization", "isRequired": true, "isSecret": true}]);
            }
            json!({"server": {"name": name(i), "description": format!("server {i}"), "version": "1.0.0",
                              "remotes": [remote]},
                   "_meta": {"io.modelcontextprotocol.registry/official": {"status": "active", "isLatest": true}}})
        })
        .collect()
}

struct Fixture {
    _rt: tokio::runtime::Runtime,
    mcp: Arc<Mcp>,
    registry: String,
    reg: mock::Mock,
    dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mcp = Arc::new(Mcp {
        budget: AtomicUsize::new(usize::MAX),
        ..Mcp::default()
    });
    let port = rt.block_on(mcp_server(mcp.clone()));
    let all = entries(port);
    let reg = rt.block_on(mock::serve(move |target| {
        let start: usize = mock::query(target, "cursor")
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let end = (start + PAGE).min(all.len());
        let mut meta = json!({"count": end - start});
        if end < all.len() {
            meta["nextCursor"] = json!(end.to_string());
        }
        (
            200,
            json!({"servers": all[start..end], "metadata": meta}).to_string(),
        )
    }));
    Fixture {
        _rt: rt,
        mcp,
        registry: format!("official:{}/v0.1/servers", reg.base),
        reg,
        dir: tempfile::tempdir().unwrap(),
    }
}

fn crawl_cmd(f: &Fixture, db: &Path, shard: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcp-risk"));
    c.args(["crawl", "--allow-private", "--timeout", "20", "--db"])
        .arg(db)
        .arg(&f.registry)
        .env_remove("MCP_RISK_SHARD")
        .env_remove("JOB_COMPLETION_INDEX");
    if let Some(s) = shard {
        c.args(["--shard", s]);
    }
    c
}

fn ok(out: Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// What a database says about its servers, without ids or times: each
/// server's last status and tool count, its current tools, and (for the
/// servers with tools) every tool's verdict, from the store's cache when a
/// shard classified it already.
fn content(db: &Path) -> BTreeMap<String, Value> {
    let store = Store::open(db).unwrap();
    let mut out = BTreeMap::new();
    for s in store.servers().unwrap() {
        out.insert(
            s.name.clone(),
            json!({"status": s.last_status, "tool_count": s.tool_count,
                   "source": s.source, "launch": s.launch,
                   "tools": store.latest_tools(&s.name).unwrap()}),
        );
    }
    for r in mcp_risk::pipeline::classify_store(&store).unwrap() {
        out.get_mut(&r.name).unwrap()["verdicts"] = serde_json::to_value(&r.verdicts).unwrap();
    }
    out
}

#[test]
fn three_merged_shards_equal_one_crawl_and_a_killed_shard_resumes() {
    let started = Instant::now();
    let f = fixture();
    let d = f.dir.path();
    let whole = d.join("a.db");
    ok(crawl_cmd(&f, &whole, None).output().unwrap());
    let lists_once = f.mcp.lists();
    // The registry was read page by page (20 servers, 7 a page).
    let pages = f.reg.paths();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[2].contains("cursor=14"), "{pages:?}");
    // 20 servers: 18 probed (srv-04 is not MCP, srv-09 needs a secret).
    assert_eq!(lists_once.len(), SERVERS - 2, "{lists_once:?}");

    // Three shards, one taken from JOB_COMPLETION_INDEX as in the Job.
    let shards: Vec<PathBuf> = (0..3).map(|i| d.join(format!("s{i}.db"))).collect();
    for (i, db) in shards.iter().enumerate() {
        let mut c = crawl_cmd(
            &f,
            db,
            Some(if i == 2 { "auto/3" } else { ["0/3", "1/3"][i] }),
        );
        if i == 2 {
            c.env("JOB_COMPLETION_INDEX", "2");
        }
        let json = ok(c.args(["--format", "json"]).output().unwrap());
        let doc: Value = serde_json::from_str(&json).unwrap();
        let shard = Shard::new(i as u64, 3).unwrap();
        let got: Vec<&str> = doc["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["server"].as_str().unwrap())
            .collect();
        let want: Vec<String> = (0..SERVERS)
            .map(name)
            .filter(|n| shard.contains(n))
            .collect();
        assert_eq!(got, want, "shard {i}/3 crawled its servers and only them");
        assert!(!got.is_empty(), "20 servers leave no shard of 3 empty");
    }
    // Each server was probed once more in all: the shards are disjoint.
    let lists_shards = f.mcp.lists();
    for (srv, n) in &lists_shards {
        assert_eq!(
            *n, 2,
            "{srv} probed {n} times over the crawl and the shards"
        );
    }
    // One shard classifies before the merge: its cached verdicts travel.
    mcp_risk::pipeline::classify_store(&Store::open(&shards[0]).unwrap()).unwrap();

    let merged = d.join("merged.db");
    let mut inputs = shards.clone();
    inputs.reverse();
    let out = ok(Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
        .arg("merge")
        .arg(&merged)
        .args(&inputs)
        .output()
        .unwrap());
    assert!(out.contains("merged 3 database(s)"), "{out}");
    let want = content(&whole);
    assert_eq!(want.len(), SERVERS);
    assert_eq!(want["com.example/srv-04"]["status"], "not_mcp");
    assert_eq!(want["com.example/srv-09"]["status"], "needs_config");
    assert_eq!(want["com.example/srv-00"]["tool_count"], 4);
    assert_eq!(
        content(&merged),
        want,
        "merged shards differ from one crawl"
    );
    // Merging again changes nothing.
    let again = ok(Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
        .arg("merge")
        .arg(&merged)
        .args(&shards)
        .output()
        .unwrap());
    assert_eq!(content(&merged), want, "{again}");

    // `scan --shard` prepares and probes only its shard's servers.
    let before_scan = f.mcp.lists();
    let scan_db = d.join("scan.db");
    ok(Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
        .args([
            "scan",
            "--allow-private",
            "--timeout",
            "20",
            "--shard",
            "1/3",
            "--db",
        ])
        .arg(&scan_db)
        .arg("--out")
        .arg(d.join("scan-out"))
        .arg(&f.registry)
        .env_remove("MCP_RISK_SHARD")
        .output()
        .unwrap());
    let shard1 = Shard::new(1, 3).unwrap();
    let scanned: Vec<String> = content(&scan_db).into_keys().collect();
    let want1: Vec<String> = (0..SERVERS)
        .map(name)
        .filter(|n| shard1.contains(n))
        .collect();
    assert_eq!(scanned, want1);
    for (srv, n) in f.mcp.lists() {
        let again = n - before_scan.get(&srv).copied().unwrap_or(0);
        let mine = shard1.contains(&format!("com.example/{srv}"));
        assert_eq!(
            again,
            usize::from(mine),
            "{srv} probed {again} times by scan --shard 1/3"
        );
    }

    // Shard 2 (the largest: 11 probed servers) again into a fresh database,
    // stopped after 3 servers answered tools/list (the fourth is held), then
    // SIGKILLed.
    let killed = d.join("killed.db");
    let before = f.mcp.lists();
    f.mcp.budget.store(3, Ordering::SeqCst);
    let mut child = crawl_cmd(&f, &killed, Some("2/3"))
        .args(["--concurrency", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let stored = |db: &Path| -> i64 {
        Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|c| {
                c.query_row(
                    "SELECT COUNT(*) FROM attempt WHERE status = 'ok'",
                    [],
                    |r| r.get(0),
                )
            })
            .unwrap_or(0)
    };
    // srv-09 (needs a secret) is stored without a probe; wait for the 3
    // answered probes.
    while stored(&killed) < 3 {
        assert!(
            Instant::now() < deadline,
            "the shard crawl never stored 3 servers"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the crawl ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let mid = f.mcp.lists();
    let done_before_kill: Vec<String> = mid
        .iter()
        .filter(|(s, n)| before.get(*s) != Some(n))
        .map(|(s, _)| s.clone())
        .collect();
    assert_eq!(done_before_kill.len(), 3, "{mid:?}");
    f.mcp.budget.store(usize::MAX, Ordering::SeqCst);

    let rerun = ok(crawl_cmd(&f, &killed, Some("2/3")).output().unwrap());
    assert!(
        rerun.contains("resumed") && rerun.contains("already done"),
        "{rerun}"
    );
    let after = f.mcp.lists();
    for s in &done_before_kill {
        assert_eq!(after[s], mid[s], "{s} was probed again after the resume");
    }
    let runs: i64 = Connection::open(&killed)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM crawl_run WHERE finished IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(runs, 1, "one run, resumed and finished");
    assert_eq!(
        content(&killed),
        content(&shards[2]),
        "the resumed shard differs from an uninterrupted one"
    );
    eprintln!("shard test took {:.1}s", started.elapsed().as_secs_f64());
}

/// The Kubernetes manifests parse, the crawl Job is Indexed, each pod's
/// command takes its shard and database from JOB_COMPLETION_INDEX with the
/// Job's completion count as N, and the merge Job merges that many shards
/// and writes policies and pages.
#[test]
fn the_kubernetes_jobs_agree_on_the_shards() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/k8s");
    let load = |f: &str| -> Value {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{f}: {e}"))
    };
    let crawl = load("crawl-job.yaml");
    let merge = load("merge-job.yaml");
    let pvc = load("pvc.yaml");
    assert_eq!(crawl["kind"], "Job");
    assert_eq!(crawl["spec"]["completionMode"], "Indexed");
    let n = crawl["spec"]["completions"].as_u64().unwrap();
    assert!(n > 1);
    assert!(crawl["spec"]["parallelism"].as_u64().unwrap() <= n);
    let pod = &crawl["spec"]["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    let c = &pod["containers"][0];
    let args: Vec<&str> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args[0], "crawl");
    let at = |flag: &str| args[args.iter().position(|a| *a == flag).unwrap() + 1];
    assert_eq!(at("--shard"), format!("$(JOB_COMPLETION_INDEX)/{n}"));
    assert_eq!(at("--db"), "/data/shard-$(JOB_COMPLETION_INDEX).db");
    // The argument is what Kubernetes substitutes: check it parses as a shard.
    let last = at("--shard").replace("$(JOB_COMPLETION_INDEX)", &(n - 1).to_string());
    assert_eq!(
        last.parse::<Shard>().unwrap(),
        Shard::new(n - 1, n).unwrap()
    );
    // The data volume is the claim pvc.yaml makes, mounted at /data.
    let claim = pvc["metadata"]["name"].as_str().unwrap();
    assert_eq!(pvc["spec"]["accessModes"][0], "ReadWriteMany");
    for job in [&crawl, &merge] {
        let spec = &job["spec"]["template"]["spec"];
        let vol = spec["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == "data")
            .unwrap();
        assert_eq!(vol["persistentVolumeClaim"]["claimName"], claim);
        let mounts = spec["containers"][0]["volumeMounts"].as_array().unwrap();
        assert!(mounts
            .iter()
            .any(|m| m["name"] == "data" && m["mountPath"] == "/data"));
    }

    let m = &merge["spec"]["template"]["spec"]["containers"][0];
    let shards = m["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "SHARDS")
        .unwrap()["value"]
        .as_str()
        .unwrap();
    assert_eq!(
        shards,
        n.to_string(),
        "the merge Job's SHARDS is the crawl's N"
    );
    let script = m["args"][0].as_str().unwrap();
    for step in [
        "/data/shard-$i.db",
        "mcp-risk merge /data/mcp-risk.db $inputs",
        "mcp-risk policy --all --db /data/mcp-risk.db",
        "mcp-risk pages --db /data/mcp-risk.db",
    ] {
        assert!(
            script.contains(step),
            "merge script lacks {step:?}:\n{script}"
        );
    }
    let syntax = Command::new("sh")
        .args(["-n", "-c", script])
        .output()
        .unwrap();
    assert!(syntax.status.success(), "{syntax:?}");
}
