//! `mcp-risk registry` (hidden): lists a source's servers, or prepares their
//! launches, without probing anything. Used to debug sources and by
//! scripts/bench_registry.sh.

use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;

use crate::cli::{RegistryArgs, RegistryCommand, ScanArgs, TableOrJson};
use crate::exit;
use crate::mcp::ProbeTarget;
use crate::registry::Launch;
use crate::text::terminal_safe;

use super::scan::{prepare_sources, render, resolve_sources};

pub fn run(args: &RegistryArgs) -> anyhow::Result<ExitCode> {
    let rt = super::runtime()?;
    match &args.command {
        RegistryCommand::List { sources, format } => rt.block_on(list(sources, *format)),
        RegistryCommand::Prepare {
            sources,
            allow_exec,
            cache,
            concurrency,
            no_shared_stores,
            format,
        } => {
            let scan = ScanArgs {
                sources: sources.clone(),
                db: crate::cli::DEFAULT_DB.into(),
                out: "reports".into(),
                allow_exec: *allow_exec,
                allow_private: false,
                concurrency: *concurrency,
                refresh: false,
                shard: None,
                timeout: 60,
                cache: cache.clone(),
                install: crate::cli::InstallArgs {
                    no_shared_stores: *no_shared_stores,
                    ..Default::default()
                },
                fail_on: None,
            };
            let prep = rt.block_on(prepare_sources(&scan))?;
            match format {
                TableOrJson::Table => print!("{}", render(&prep)),
                TableOrJson::Json => println!("{}", serde_json::to_string_pretty(&prep.servers)?),
            }
            for e in &prep.source_errors {
                eprintln!("error: {}", terminal_safe(e));
            }
            Ok(exit::code(if prep.source_errors.is_empty() {
                exit::OK
            } else {
                exit::ERROR
            }))
        }
    }
}

fn kind(l: &Launch) -> &'static str {
    match l {
        Launch::Probe(ProbeTarget::Stdio { .. }) => "stdio",
        Launch::Probe(ProbeTarget::Http { .. }) => "remote",
        Launch::Package(_) => "package",
        Launch::Tools { .. } => "tools",
        Launch::Unavailable { .. } => "unavailable",
    }
}

async fn list(sources: &[String], format: TableOrJson) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut all = Vec::new();
    for s in resolve_sources(sources, false)? {
        let recs = s
            .source
            .records()
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", s.source.describe()))?;
        all.extend(recs);
    }
    let elapsed = started.elapsed();
    match format {
        TableOrJson::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "count": all.len(),
                "elapsed_ms": elapsed.as_millis() as u64,
                "servers": all,
            }))?
        ),
        TableOrJson::Table => {
            let mut counts = std::collections::BTreeMap::new();
            for r in &all {
                let detail = match &r.launch {
                    Launch::Package(p) => format!(
                        "{} {}@{}",
                        serde_json::to_value(p.registry)?.as_str().unwrap_or("?"),
                        p.identifier,
                        p.version
                    ),
                    Launch::Probe(ProbeTarget::Http { url, .. }) => url.clone(),
                    Launch::Probe(ProbeTarget::Stdio { command, .. }) => command.clone(),
                    Launch::Tools { tools } => format!("{} tools", tools.len()),
                    Launch::Unavailable { status, reason } => format!("{status}: {reason}"),
                };
                *counts.entry(kind(&r.launch)).or_insert(0usize) += 1;
                println!(
                    "{}  {}  {}",
                    terminal_safe(&r.name),
                    kind(&r.launch),
                    terminal_safe(&detail)
                );
            }
            let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
            println!(
                "\n{} servers listed in {:.2}s ({})",
                all.len(),
                elapsed.as_secs_f64(),
                parts.join(", ")
            );
        }
    }
    Ok(exit::code(exit::OK))
}
