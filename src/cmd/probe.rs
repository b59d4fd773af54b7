//! `mcp-risk probe`: fetch one server's tools/list (a stdio command, sandboxed
//! unless `--no-sandbox`, or a URL) and show what was found, as a table for
//! people or one JSON object. Exit 0 when the status is ok, 1 otherwise.
//!
//! Hidden `--repeat N --concurrency C` probe the same target N times, C at
//! once, and print throughput as JSON (used by scripts/bench_probe.sh).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::StreamExt;
use serde_json::{json, Value};

use crate::cli::{ProbeArgs, TableOrJson};
use crate::exit;
use crate::mcp::probe::probe;
use crate::mcp::{ProbeOptions, ProbeOutcome, ProbeTarget, Status};
use crate::text::terminal_safe;

pub fn run(args: &ProbeArgs) -> anyhow::Result<ExitCode> {
    let mut target = target(args)?;
    // Sandboxed, `npx -y pkg` / `uvx pkg` cannot download: run the cached,
    // pinned install instead (as `scan` and `classify --stdio` do).
    if let (
        false,
        ProbeTarget::Stdio {
            command,
            args: a,
            env,
        },
    ) = (args.no_sandbox, &target)
    {
        let rt = super::runtime()?;
        let name = args.name.clone().unwrap_or_else(|| default_name(&target));
        let cache = args
            .cache
            .clone()
            .unwrap_or_else(crate::registry::packages::default_cache_dir);
        if let Some(installed) = super::live::install_launcher(&rt, &name, command, a, env, &cache)
        {
            target = installed.map_err(anyhow::Error::msg)?;
        }
    }
    let opts = ProbeOptions {
        sandbox: !args.no_sandbox,
        allow_private: args.allow_private,
        limits: crate::sandbox::Limits {
            memory: args.memory_limit.max(16) << 20,
            tasks: args.max_tasks.max(1),
        },
        ..ProbeOptions::default()
    }
    .with_total_timeout(Duration::from_secs(args.timeout.max(1)));
    let rt = super::runtime()?;
    if args.repeat > 0 {
        let report = rt.block_on(repeat(&target, &opts, args.repeat, args.concurrency.max(1)));
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(exit::code(exit::OK));
    }
    let outcome = rt.block_on(probe(&target, &opts));
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| name_of(&target, Some(&outcome)));
    if let Some(db) = &args.db {
        let store =
            crate::store::Store::open(db).with_context(|| format!("opening {}", db.display()))?;
        let launch = serde_json::to_value(&target)?;
        if let Some(old) = store.servers()?.into_iter().find(|r| r.name == name) {
            if old.launch != launch && args.name.is_none() {
                eprintln!(
                    "note: {:?} in {} was launched differently before; this probe is its new latest crawl (pass --name to store it as another server)",
                    terminal_safe(&name),
                    db.display()
                );
            }
        }
        store.record_probe(&name, "probe", &launch, &outcome, None)?;
        store.flush()?;
        eprintln!(
            "stored as {:?} in {} (see `mcp-risk classify --server {} --db {}`)",
            terminal_safe(&name),
            db.display(),
            terminal_safe(&name),
            db.display()
        );
    }
    match args.format {
        TableOrJson::Json => {
            let mut v = serde_json::to_value(&outcome)?;
            if let Value::Object(m) = &mut v {
                m.insert("server".into(), Value::String(name));
            }
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        TableOrJson::Table => print!("{}", table(&name, &outcome)),
    }
    Ok(exit::code(if outcome.status == Status::Ok {
        exit::OK
    } else {
        exit::ERROR
    }))
}

fn target(args: &ProbeArgs) -> anyhow::Result<ProbeTarget> {
    if let Some(url) = &args.url {
        let mut headers = args
            .headers
            .iter()
            .map(|h| {
                h.split_once(':')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .with_context(|| format!("--header {h:?} is not 'Name: value'"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        for name in &args.header_env {
            let h = std::env::var(name)
                .with_context(|| format!("--header-env {name}: no such environment variable"))?;
            let (k, v) = h
                .split_once(':')
                .with_context(|| format!("--header-env {name}: its value is not 'Name: value'"))?;
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        return Ok(ProbeTarget::Http {
            url: url.clone(),
            headers,
            sse: false,
        });
    }
    let Some((command, rest)) = args.command.split_first() else {
        crate::usage!("give a command after `--` (e.g. `mcp-risk probe -- node ./build/index.js`: an installed server, since the sandbox has no network for `npx -y` to download one) or --url URL");
    };
    let mut env = BTreeMap::new();
    for file in &args.env_file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("--env-file {}", file.display()))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // Only the name is quoted back: the value may be a secret.
            let (k, v) = line.split_once('=').with_context(|| {
                format!(
                    "--env-file {} line {}: not NAME=VALUE",
                    file.display(),
                    n + 1
                )
            })?;
            env.insert(k.trim().to_string(), v.to_string());
        }
    }
    for e in &args.env {
        let (k, v) = e
            .split_once('=')
            .with_context(|| format!("--env {e:?} is not NAME=VALUE"))?;
        env.insert(k.to_string(), v.to_string());
    }
    Ok(ProbeTarget::Stdio {
        command: command.clone(),
        args: rest.to_vec(),
        env,
    })
}

/// The name a probed server is stored and shown under: the name it gives
/// itself in its initialize answer (`serverInfo.name`) unless that is
/// missing or generic, else [`default_name`]. Two different servers started
/// by the same launcher (`node …memory…`, `node …filesystem…`) so get two
/// names instead of one "node" overwritten by the second.
pub fn name_of(target: &ProbeTarget, outcome: Option<&ProbeOutcome>) -> String {
    let told = outcome
        .and_then(|o| o.server_info.as_ref())
        .and_then(|i| i.get("name"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| {
            !n.is_empty()
                && n.chars().count() <= 100
                && !n.chars().any(crate::text::is_hidden_or_control)
                && !GENERIC_NAMES.contains(&n.to_lowercase().as_str())
        });
    match told {
        Some(n) => n.to_owned(),
        None => default_name(target),
    }
}

/// serverInfo names that say nothing about which server it is.
const GENERIC_NAMES: &[&str] = &[
    "server",
    "mcp",
    "mcp-server",
    "mcp_server",
    "mcpserver",
    "example",
    "example-server",
    "my-server",
    "test",
    "unknown",
];

/// Launchers that run a script or module named by their first non-flag argument.
const INTERPRETERS: &[&str] = &[
    "node", "nodejs", "deno", "bun", "python", "python3", "uv", "java", "ruby", "php",
];

/// Path parts that do not name a server (`…/memory/dist/index.js` is "memory").
const FILLER: &[&str] = &[
    "index", "main", "server", "app", "cli", "dist", "build", "src", "lib", "bin", "out", ".",
    "..", "run", "-m",
];

/// A readable server name for a target without asking it: the package for
/// npx/uvx launchers; the script's meaningful path part for interpreters
/// (`node ./memory/dist/index.js` → `memory`); else the command; the host
/// for a URL.
pub fn default_name(target: &ProbeTarget) -> String {
    match target {
        ProbeTarget::Stdio { command, args, .. } => {
            let base = command.rsplit('/').next().unwrap_or(command);
            // `npx -y @scope/pkg` and `uvx pkg` name the package, not the launcher.
            match base {
                "npx" | "uvx" | "pipx" | "bunx" => args
                    .iter()
                    .find(|a| !a.starts_with('-') && *a != "run")
                    .cloned()
                    .unwrap_or_else(|| base.to_string()),
                b if INTERPRETERS.contains(&b) || b.starts_with("python3.") => args
                    .iter()
                    .find(|a| !a.starts_with('-') && *a != "run")
                    .and_then(|script| script_name(script))
                    .unwrap_or_else(|| base.to_string()),
                _ => base.to_string(),
            }
        }
        ProbeTarget::Http { url, .. } => url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| url.clone()),
    }
}

/// The last meaningful part of a script path or module name.
fn script_name(script: &str) -> Option<String> {
    script
        .split(['/', '\\'])
        .rev()
        .map(|part| {
            // Strip a file extension (`index.js`, `server.py`), not a dotted module.
            match part.rsplit_once('.') {
                Some((stem, ext)) if !stem.is_empty() && ext.len() <= 4 && !ext.is_empty() => stem,
                _ => part,
            }
        })
        .find(|p| !p.is_empty() && !FILLER.contains(&p.to_lowercase().as_str()))
        .map(str::to_owned)
}

/// The table for people. Everything the server sent goes through terminal_safe.
pub fn table(name: &str, o: &ProbeOutcome) -> String {
    let mut s = String::new();
    let server = o
        .server_info
        .as_ref()
        .map(|i| {
            let n = i.get("name").map(text).unwrap_or_default();
            let v = i.get("version").map(text).unwrap_or_default();
            format!("{n} {v}").trim().to_string()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "-".into());
    let era = o
        .era
        .map(|e| format!("{e:?}").to_lowercase())
        .unwrap_or_else(|| "-".into());
    let transport = o
        .transport
        .map(|t| {
            serde_json::to_value(t)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        })
        .unwrap_or_else(|| "-".into());
    let _ = writeln!(s, "{:<10} {}", "status", o.status);
    if let Some(d) = &o.detail {
        let _ = writeln!(s, "{:<10} {}", "detail", terminal_safe(d));
    }
    let _ = writeln!(
        s,
        "{:<10} {} (as {})",
        "server",
        terminal_safe(&server),
        terminal_safe(name)
    );
    let sandbox = o
        .sandbox
        .as_deref()
        .map(|x| format!(", sandbox {x}"))
        .unwrap_or_default();
    let _ = writeln!(s, "{:<10} {transport}{sandbox}", "transport");
    let _ = writeln!(
        s,
        "{:<10} {era}, protocol {}",
        "era",
        terminal_safe(o.protocol_version.as_deref().unwrap_or("-"))
    );
    let _ = writeln!(s, "{:<10} {}", "tools", o.tools.len());
    let _ = writeln!(s, "{:<10} {}", "anomalies", o.anomalies.len());
    let _ = writeln!(s, "{:<10} {} ms", "time", o.duration_ms);
    if let Some(a) = &o.auth {
        if let Some(w) = &a.www_authenticate {
            let _ = writeln!(s, "{:<10} {}", "challenge", terminal_safe(w));
        }
        if let Some(r) = &a.resource_metadata {
            let _ = writeln!(s, "{:<10} {}", "metadata", terminal_safe(r));
        }
    }
    if !o.tools.is_empty() {
        let _ = writeln!(s, "\nTOOLS");
        let names: Vec<String> = o
            .tools
            .iter()
            .enumerate()
            .map(|(i, t)| t.get("name").map(text).unwrap_or_else(|| format!("#{i}")))
            .collect();
        let width = names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .min(40);
        for (t, n) in o.tools.iter().zip(&names) {
            let d = t.get("description").map(text).unwrap_or_default();
            let d: String = d.lines().next().unwrap_or("").chars().take(80).collect();
            let _ = writeln!(s, "  {n:<width$}  {}", terminal_safe(&d));
        }
    }
    if !o.anomalies.is_empty() {
        let _ = writeln!(s, "\nANOMALIES");
        for a in &o.anomalies {
            let tool = a
                .tool
                .as_deref()
                .map(|t| format!("[{}] ", terminal_safe(t)))
                .unwrap_or_default();
            let _ = writeln!(s, "  {tool}{}: {}", a.kind, terminal_safe(&a.detail));
        }
    }
    if o.status != Status::Ok && !o.stderr_tail.trim().is_empty() {
        let _ = writeln!(s, "\nSTDERR (last lines)");
        s.push_str(&stderr_lines(&o.stderr_tail));
    }
    s
}

/// The last 10 lines of a server's stderr, each cut to 160 characters,
/// escaped and indented by two spaces (what `probe` and `classify` show
/// when a server did not list its tools). When the error line itself
/// scrolled out of those 10 (Node prints a stack trace and its version
/// after "Error: Cannot find module ..."), it comes first, then `…`.
pub fn stderr_lines(tail: &str) -> String {
    let mut s = String::new();
    let lines: Vec<&str> = tail.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(10);
    let is_error = |l: &str| {
        let t = l.trim_start();
        !t.starts_with("at ")
            && [
                "Error",
                "error:",
                "Exception",
                "Traceback",
                "not found",
                "No such file",
            ]
            .iter()
            .any(|k| t.contains(k))
    };
    let line = |s: &mut String, l: &str| {
        let l: String = l.chars().take(160).collect();
        let _ = writeln!(s, "  {}", terminal_safe(&l));
    };
    if !lines[start..].iter().any(|l| is_error(l)) {
        if let Some(key) = lines[..start].iter().rev().find(|l| is_error(l)) {
            line(&mut s, key);
            s.push_str("  …\n");
        }
    }
    for l in &lines[start..] {
        line(&mut s, l);
    }
    s
}

/// A JSON value as display text: strings bare, anything else as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => terminal_safe(s),
        other => terminal_safe(&other.to_string()),
    }
}

async fn repeat(target: &ProbeTarget, opts: &ProbeOptions, n: usize, c: usize) -> Value {
    let start = Instant::now();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut lat: Vec<u64> = Vec::with_capacity(n);
    let mut results = futures::stream::iter(0..n)
        .map(|_| probe(target, opts))
        .buffer_unordered(c);
    while let Some(o) = results.next().await {
        *statuses.entry(o.status.to_string()).or_default() += 1;
        lat.push(o.duration_ms);
    }
    let secs = start.elapsed().as_secs_f64();
    lat.sort_unstable();
    let p = |q: f64| {
        lat.get(((lat.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    json!({
        "probes": n,
        "concurrency": c,
        "elapsed_s": secs,
        "probes_per_s": n as f64 / secs,
        "ms_per_probe_wall": secs * 1000.0 / n as f64,
        "latency_ms": {"p50": p(0.5), "p90": p(0.9), "max": p(1.0)},
        "statuses": statuses,
    })
}
