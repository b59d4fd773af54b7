//! `mcp-risk crawl`: crawl sources into the database, then print a summary by
//! status and the servers that were not reached. Failures are data: the exit
//! code is 0 whenever the crawl ran, unless `--strict` asks for 3 when a
//! server broke (see [`broke`]).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde_json::{json, Value};

use crate::cli::{CrawlArgs, TableOrJson};
use crate::crawl::{self, CrawlOptions};
use crate::exit;
use crate::mcp::{ProbeOptions, Status};
use crate::registry::packages::default_cache_dir;
use crate::store::Store;
use crate::text::terminal_safe;

/// Non-ok servers listed after the summary at most.
const MAX_LISTED: usize = 25;

pub fn run(args: &CrawlArgs) -> anyhow::Result<ExitCode> {
    let store =
        Arc::new(Store::open(&args.db).with_context(|| format!("opening {}", args.db.display()))?);
    let mut probe = ProbeOptions::default().with_total_timeout(Duration::from_secs(args.timeout));
    probe.sandbox = !args.no_sandbox;
    probe.allow_private = args.allow_private;
    let cache_dir = args.cache.clone().unwrap_or_else(default_cache_dir);
    let opts = CrawlOptions {
        concurrency: args.concurrency.max(1),
        install_jobs: args.install.install_jobs.max(1),
        cache_budget: args.install.budget(&cache_dir),
        shared_stores: !args.install.no_shared_stores,
        allow_exec: args.allow_exec,
        refresh: args.refresh,
        probe,
        progress: std::io::stderr().is_terminal(),
        cache_dir: Some(cache_dir),
        installer: None,
        shard: args.shard,
    };
    let rt = super::runtime()?;
    let report = crawl::crawl(&rt, &store, &args.sources, &opts)?;

    for e in &report.source_errors {
        eprintln!("warning: source skipped: {}", terminal_safe(e));
    }
    for d in &report.duplicates {
        eprintln!(
            "warning: server {:?} named twice; the first one was kept",
            terminal_safe(d)
        );
    }

    let mut out = std::io::stdout().lock();
    let total: u64 = report.summary.values().sum();
    if args.format == TableOrJson::Json {
        let attempts = store.run_attempts(report.run)?;
        let doc = json!({
            "run": report.run,
            "resumed": report.resumed,
            "db": args.db.display().to_string(),
            "servers": total,
            "handled": report.handled,
            "already_done": report.already_done,
            "summary": report.summary.iter().map(|(s, n)| (s.as_str().to_string(), json!(n))).collect::<serde_json::Map<String, Value>>(),
            "source_errors": report.source_errors,
            "duplicates": report.duplicates,
            "cache": report.cache.as_ref().map(|c| json!({
                "dir": c.dir.display().to_string(),
                "bytes": c.bytes,
                "budget": c.budget,
                "evicted_installs": c.evicted.installs,
                "evicted_bytes": c.evicted.bytes,
                "pruned_stores": c.pruned.stores,
                "pruned_bytes": c.pruned.bytes,
            })),
            "attempts": attempts.iter().map(|a| json!({
                "server": a.server,
                "status": a.status,
                "detail": a.detail,
                "transport": a.transport,
                "era": a.era,
                "protocol_version": a.protocol_version,
                "tools": a.tool_count,
                "sandbox": a.sandbox,
                "duration_ms": a.duration_ms,
            })).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
        return Ok(strict_code(args, &report.summary));
    }
    writeln!(
        out,
        "crawl run {} {}: {} servers ({} this time{}) into {}",
        report.run,
        if report.resumed { "resumed" } else { "done" },
        total,
        report.handled,
        if report.already_done > 0 {
            format!(", {} already done", report.already_done)
        } else {
            String::new()
        },
        args.db.display()
    )?;
    writeln!(out)?;
    writeln!(out, "{:<26} {:>8}", "status", "servers")?;
    for (status, n) in &report.summary {
        writeln!(out, "{:<26} {:>8}", status.as_str(), n)?;
    }
    writeln!(out, "{:<26} {:>8}", "total", total)?;
    if let Some(c) = &report.cache {
        writeln!(out)?;
        writeln!(out, "{}", crawl::cache_line(c, &report.stores))?;
    }

    let failed: Vec<_> = store
        .run_attempts(report.run)?
        .into_iter()
        .filter(|a| a.status != Status::Ok.as_str())
        .collect();
    if !failed.is_empty() {
        writeln!(out)?;
        writeln!(out, "not reached:")?;
        for a in failed.iter().take(MAX_LISTED) {
            let detail = a.detail.as_deref().unwrap_or("");
            writeln!(
                out,
                "  {:<32} {:<24} {}",
                terminal_safe(&a.server),
                a.status,
                terminal_safe(&truncate(detail, 120))
            )?;
        }
        if failed.len() > MAX_LISTED {
            writeln!(
                out,
                "  ... and {} more (all are in the database)",
                failed.len() - MAX_LISTED
            )?;
        }
    }
    Ok(strict_code(args, &report.summary))
}

/// Statuses that mean a server or its install broke, as opposed to a skip
/// by design (needs_config, auth_required, needs_network, skipped_policy,
/// refused_private_address): what `--strict` fails on.
pub fn broke(s: Status) -> bool {
    matches!(
        s,
        Status::Crashed
            | Status::Timeout
            | Status::ProtocolError
            | Status::NotMcp
            | Status::Unreachable
            | Status::InstallFailed
            | Status::DiskFull
    )
}

fn strict_code(args: &CrawlArgs, summary: &std::collections::BTreeMap<Status, u64>) -> ExitCode {
    let broken: u64 = summary
        .iter()
        .filter(|(s, _)| broke(**s))
        .map(|(_, n)| n)
        .sum();
    if args.strict && broken > 0 {
        eprintln!(
            "--strict: {broken} server(s) crashed, timed out or failed otherwise → exit {}",
            exit::CRAWL_FAILURES
        );
        return exit::code(exit::CRAWL_FAILURES);
    }
    exit::code(exit::OK)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}
