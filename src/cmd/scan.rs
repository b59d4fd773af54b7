//! `mcp-risk scan`: the main job. Reads its arguments, runs the scan
//! pipeline ([`crate::pipeline::scan`]: sources listed, each server
//! installed and probed, streaming, with a progress bar per stage), then
//! classifies, writes policies and pages, and prints the summary (the
//! same on a terminal and piped; piped, each server's outcome is also one
//! plain stderr line as it finishes, where a terminal gets progress bars).
//! `registry prepare` uses [`prepare_sources`] and [`render`] (preparation
//! alone).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::emit;
use crate::cli::ScanArgs;
use crate::crawl::{self, CrawlOptions};
use crate::exit;
use crate::mcp::ProbeOptions;
use crate::mcp::ProbeTarget;
use crate::registry::packages::{default_cache_dir, Installer};
use crate::registry::prepare::Prepared;
use crate::store::Store;
use crate::text::terminal_safe;

pub use crate::pipeline::scan::{resolve_sources, ResolvedSource, ScanPrep};

/// Lists every source and prepares every server (installing packages,
/// `--concurrency` at a time) without probing, with a progress bar on stderr.
pub async fn prepare_sources(args: &ScanArgs) -> anyhow::Result<ScanPrep> {
    let cache_dir = args.cache.clone().unwrap_or_else(default_cache_dir);
    let mut installer = Installer::new(&cache_dir);
    if !args.install.no_shared_stores {
        installer.detect_shared_stores();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} preparing [{bar:30}] {pos}/{len} {elapsed} {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let prep = crate::pipeline::scan::prepare_sources(
        &args.sources,
        args.allow_exec,
        &installer,
        args.concurrency,
        |s| {
            bar.set_message(terminal_safe(&s.record.name));
            bar.inc(1);
        },
    )
    .await;
    bar.finish_and_clear();
    prep
}

pub fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let rt = super::runtime()?;
    let store =
        Arc::new(Store::open(&args.db).with_context(|| format!("opening {}", args.db.display()))?);
    // Packages start cold (Python imports, node module loading): give every
    // phase the whole --timeout; the total deadline still bounds the probe.
    let total = Duration::from_secs(args.timeout.max(1));
    let mut probe = ProbeOptions::default().with_total_timeout(total);
    probe.init_timeout = total;
    probe.list_timeout = total;
    probe.allow_private = args.allow_private;
    let cache_dir = args.cache.clone().unwrap_or_else(default_cache_dir);
    // allow_exec stays off here: each listed record carries its source's
    // launch permission (the bundled registry, or --allow-exec).
    let opts = CrawlOptions {
        concurrency: args.concurrency.max(1),
        install_jobs: args.install.install_jobs.max(1),
        cache_budget: args.install.budget(&cache_dir),
        shared_stores: !args.install.no_shared_stores,
        refresh: args.refresh,
        probe,
        progress: true,
        cache_dir: Some(cache_dir),
        shard: args.shard,
        ..CrawlOptions::default()
    };
    let scanned = crate::pipeline::scan::scan(&rt, &store, &args.sources, args.allow_exec, &opts)?;
    for e in &scanned.source_errors {
        eprintln!("error: {}", terminal_safe(e));
    }
    let Some(crawled) = scanned.crawled else {
        anyhow::bail!("the sources named no servers");
    };

    // Classify, write policies and pages. With nothing to classify the
    // crawl's own summary still says what became of each server.
    let reports = match crate::pipeline::classify_store(&store) {
        Ok(r) => r,
        Err(e) => {
            print!("{}", crawl_summary(&crawled, started.elapsed()));
            if !crawled.summary.contains_key(&crate::mcp::Status::Ok) {
                anyhow::bail!(
                    "no server listed its tools, so nothing was classified (each server's status is above; `mcp-risk crawl --format json` gives every detail)"
                );
            }
            return Err(e);
        }
    };
    let emitted = emit::emit(&reports, &args.out)?;
    store.flush()?;
    let tally = emit::tally(&reports, 10);
    print!(
        "{}",
        summary(&crawled, &tally, &emitted, &args.db, started.elapsed())
    );

    let code = match exit::fail_on(tally.worst_risk.map(|w| (w, None)), args.fail_on) {
        exit::OK if !scanned.source_errors.is_empty() => exit::ERROR,
        c => c,
    };
    Ok(exit::code(code))
}

/// What `scan` prints at the end: statuses, counts, the riskiest tools, where
/// to look. Every line the summary writes itself fits 80 columns; a path the
/// user chose or a server's name longer than the line is shown whole.
fn summary(
    crawled: &crawl::CrawlReport,
    tally: &emit::Tally,
    emitted: &emit::Emitted,
    db: &std::path::Path,
    elapsed: Duration,
) -> String {
    let mut out = crawl_summary(crawled, elapsed);
    let list = |counts: Vec<String>| counts.join(", ");
    let head = format!("{} tools classified: ", tally.tools);
    out.push_str(&format!(
        "\n{head}{}\n{:<width$}{}\n",
        list(
            tally
                .by_class
                .iter()
                .map(|(c, n)| format!("{n} {c}"))
                .collect()
        ),
        "risk:",
        list(
            tally
                .by_risk
                .iter()
                .map(|(r, n)| format!("{n} {r}"))
                .collect()
        ),
        width = head.len(),
    ));
    if !tally.worst.is_empty() {
        out.push_str("\nriskiest tools:\n");
        let short = short_server_names(tally);
        for (server, tool, risk, class) in &tally.worst {
            out.push_str(&format!(
                "  {:<9} {:<12} {} / {}\n",
                risk.as_str(),
                class.as_str(),
                terminal_safe(short.get(server.as_str()).copied().unwrap_or(server)),
                terminal_safe(tool)
            ));
        }
    }
    out.push_str(&format!(
        "\ndatabase:  {}\npolicies:  {} ({} files)\n           policy.json, Intercept YAML, Claude Code and Codex settings\npages:     {} ({} files, {:.1} MB)\n",
        db.display(),
        emitted.policy_dir.display(),
        emitted.policy_files,
        emitted.site_dir.join("index.html").display(),
        emitted.pages.files,
        emitted.pages.bytes as f64 / 1e6,
    ));
    out.push_str(
        "\nnext:\n  mcp-risk servers                 the servers, tool counts, worst risk\n  mcp-risk classify --server NAME  one server's verdicts (NAME: any unique\n                                   part of its name, e.g. filesystem)\n  mcp-risk diff                    what changed since the previous scan\n",
    );
    out
}

/// The last part of a server's name (`io.github.acme/acme-mcp`: `acme-mcp`).
fn last(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The riskiest tools' servers by the last part of their names
/// (`io.github.acme/acme-mcp` as `acme-mcp`), which `classify --server`
/// accepts, when that part names one server of the scan only.
fn short_server_names(tally: &emit::Tally) -> std::collections::HashMap<&str, &str> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for server in &tally.servers {
        *seen.entry(last(server)).or_default() += 1;
    }
    tally
        .worst
        .iter()
        .filter_map(|(server, ..)| {
            let short = last(server);
            (short != server && seen.get(short) == Some(&1)).then_some((server.as_str(), short))
        })
        .collect()
}

/// The crawl's part of the summary: servers by status, the install cache.
fn crawl_summary(crawled: &crawl::CrawlReport, elapsed: Duration) -> String {
    let mut out = String::new();
    let servers: u64 = crawled.summary.values().sum();
    out.push_str(&format!(
        "\nscanned {servers} servers in {:.1}s\n",
        elapsed.as_secs_f64()
    ));
    for (status, n) in &crawled.summary {
        out.push_str(&format!("  {:<24} {n:>5}\n", status.as_str()));
    }
    if let Some(c) = &crawled.cache {
        out.push_str(&format!("\n{}\n", crawl::cache_line(c, &crawled.stores)));
    }
    out
}

/// One line of what a prepared server will be.
pub fn describe(p: &Prepared) -> String {
    match p {
        Prepared::Probe {
            target: ProbeTarget::Stdio { command, args, env },
        } => {
            let mut s = format!("stdio: {command}");
            for a in args {
                s.push(' ');
                s.push_str(a);
            }
            if !env.is_empty() {
                let keys: Vec<&str> = env.keys().map(String::as_str).collect();
                s.push_str(&format!(" (env: {})", keys.join(", ")));
            }
            s
        }
        Prepared::Probe {
            target: ProbeTarget::Http { url, sse, .. },
        } => format!("remote{}: {url}", if *sse { " (sse)" } else { "" }),
        Prepared::Tools { tools } => format!("{} tools from the registry", tools.len()),
        Prepared::Skipped { status, reason } => {
            format!("{status}: {}", reason.lines().next().unwrap_or(""))
        }
    }
}

/// The table and summary `scan` prints for its preparation step.
pub fn render(prep: &ScanPrep) -> String {
    let width = prep
        .servers
        .iter()
        .map(|s| s.record.name.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 60);
    let mut out = String::new();
    let (mut stdio, mut remote, mut tools, mut skipped) = (0, 0, 0, 0);
    for s in &prep.servers {
        match &s.prepared {
            Prepared::Probe {
                target: ProbeTarget::Stdio { .. },
            } => stdio += 1,
            Prepared::Probe { .. } => remote += 1,
            Prepared::Tools { .. } => tools += 1,
            Prepared::Skipped { .. } => skipped += 1,
        }
        out.push_str(&format!(
            "{:<width$}  {:<9} {}\n",
            terminal_safe(&s.record.name),
            terminal_safe(&s.record.source),
            terminal_safe(&describe(&s.prepared)),
        ));
    }
    out.push_str(&format!(
        "\n{} servers prepared in {:.1}s: {stdio} to run in the sandbox, {remote} remote, {tools} with tools from the registry, {skipped} not probed\n",
        prep.servers.len(),
        prep.elapsed.as_secs_f64(),
    ));
    out.push_str(&format!("install cache: {}\n", prep.cache_dir.display()));
    out
}
