//! `mcp-risk scan`: the main job. Resolves the sources (none given: the
//! bundled registry, embedded in the binary), lists their servers, prepares
//! each one (installing packages into the cache) with a progress bar, and
//! prints what it prepared. Crawling, classifying, policies and pages follow
//! from [`prepare_sources`]'s result.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use std::sync::Arc;

use super::emit;
use crate::cli::ScanArgs;
use crate::crawl::{self, CrawlOptions};
use crate::exit;
use crate::mcp::ProbeOptions;
use crate::mcp::ProbeTarget;
use crate::registry::packages::{default_cache_dir, Installer};
use crate::registry::prepare::{prepare_all, Prepared, PreparedServer};
use crate::registry::{Bundled, ServerRecord, Source};
use crate::store::Store;
use crate::text::terminal_safe;

/// One source to read, and whether its packages may be launched.
pub struct ResolvedSource {
    pub source: Box<dyn Source>,
    pub allow_exec: bool,
}

/// What the preparation produced.
pub struct ScanPrep {
    pub servers: Vec<PreparedServer>,
    /// Sources that could not be read, as `description: error`.
    pub source_errors: Vec<String>,
    pub cache_dir: PathBuf,
    pub elapsed: Duration,
}

/// The sources for `scan`: the bundled registry when none is given (curated,
/// so it launches without `--allow-exec`); any other source launches only
/// with `--allow-exec`.
pub fn resolve_sources(args: &[String], allow_exec: bool) -> anyhow::Result<Vec<ResolvedSource>> {
    if args.is_empty() {
        return Ok(vec![ResolvedSource {
            source: Box::new(Bundled),
            allow_exec: true,
        }]);
    }
    args.iter()
        .map(|a| {
            let source = crate::registry::open(a)?.into_source();
            let curated = a == "bundled";
            Ok(ResolvedSource {
                source,
                allow_exec: allow_exec || curated,
            })
        })
        .collect()
}

/// Lists every source and prepares every server, with progress bars on stderr.
pub async fn prepare_sources(args: &ScanArgs) -> anyhow::Result<ScanPrep> {
    let started = Instant::now();
    let sources = resolve_sources(&args.sources, args.allow_exec)?;
    let cache_dir = args.cache.clone().unwrap_or_else(default_cache_dir);
    let installer = Installer::new(&cache_dir);

    let mut records: Vec<(ServerRecord, bool)> = Vec::new();
    let mut source_errors = Vec::new();
    for s in &sources {
        let spin =
            ProgressBar::new_spinner().with_message(format!("listing {}", s.source.describe()));
        spin.enable_steady_tick(Duration::from_millis(120));
        match s.source.records().await {
            Ok(recs) => records.extend(recs.into_iter().map(|r| (r, s.allow_exec))),
            Err(e) => source_errors.push(format!("{}: {e}", s.source.describe())),
        }
        spin.finish_and_clear();
    }

    let records = crate::pipeline::shard::apply(args.shard, records, |(r, _)| r.name.as_str());
    let bar = ProgressBar::new(records.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} preparing [{bar:30}] {pos}/{len} {elapsed} {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let servers = prepare_all(records, &installer, args.concurrency, |s| {
        bar.set_message(terminal_safe(&s.record.name));
        bar.inc(1);
    })
    .await;
    bar.finish_and_clear();
    Ok(ScanPrep {
        servers,
        source_errors,
        cache_dir,
        elapsed: started.elapsed(),
    })
}

pub fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let rt = super::runtime()?;
    let prep = rt.block_on(prepare_sources(args))?;
    for e in &prep.source_errors {
        eprintln!("error: {}", terminal_safe(e));
    }
    if prep.servers.is_empty() {
        anyhow::bail!("the sources named no servers");
    }
    eprintln!(
        "prepared {} servers in {:.1}s (install cache: {})",
        prep.servers.len(),
        prep.elapsed.as_secs_f64(),
        prep.cache_dir.display()
    );

    // Crawl: each server is probed as preparation left it (preparation is
    // where the launch policy was applied).
    let store =
        Arc::new(Store::open(&args.db).with_context(|| format!("opening {}", args.db.display()))?);
    // Packages start cold (Python imports, node module loading): give every
    // phase the whole --timeout; the total deadline still bounds the probe.
    let total = Duration::from_secs(args.timeout.max(1));
    let mut probe = ProbeOptions::default().with_total_timeout(total);
    probe.init_timeout = total;
    probe.list_timeout = total;
    probe.allow_private = args.allow_private;
    // allow_exec stays off: prepare_sources applied the launch policy, and
    // the crawler probes prepared servers as they are.
    let opts = CrawlOptions {
        concurrency: args.concurrency.max(1),
        refresh: args.refresh,
        probe,
        progress: true,
        cache_dir: Some(prep.cache_dir.clone()),
        shard: args.shard,
        ..CrawlOptions::default()
    };
    let keys: Vec<String> = if args.sources.is_empty() {
        {
            use sha2::{Digest, Sha256};
            let digest = hex::encode(Sha256::digest(crate::registry::BUNDLED_REGISTRY.as_bytes()));
            vec![format!("bundled:{}", &digest[..16])]
        }
    } else {
        args.sources.iter().map(|a| crawl::source_key(a)).collect()
    };
    let crawled = crawl::crawl_prepared(&rt, &store, &keys, prep.servers, &opts)?;

    // Classify, write policies and pages.
    let reports = crate::pipeline::classify_store(&store)?;
    let emitted = emit::emit(&reports, &args.out)?;
    store.flush()?;
    let tally = emit::tally(&reports, 10);
    print!(
        "{}",
        summary(&crawled, &tally, &emitted, &args.db, started.elapsed())
    );

    let code = match exit::fail_on(tally.worst_risk.map(|w| (w, None)), args.fail_on) {
        exit::OK if !prep.source_errors.is_empty() => exit::ERROR,
        c => c,
    };
    Ok(exit::code(code))
}

/// What `scan` prints at the end: statuses, counts, the riskiest tools, where to look.
fn summary(
    crawled: &crawl::CrawlReport,
    tally: &emit::Tally,
    emitted: &emit::Emitted,
    db: &std::path::Path,
    elapsed: Duration,
) -> String {
    let mut out = String::new();
    let servers: u64 = crawled.summary.values().sum();
    out.push_str(&format!(
        "\nscanned {servers} servers in {:.1}s\n",
        elapsed.as_secs_f64()
    ));
    for (status, n) in &crawled.summary {
        out.push_str(&format!("  {:<24} {n:>5}\n", status.as_str()));
    }
    out.push_str(&format!("\n{} tools classified:", tally.tools));
    for (class, n) in &tally.by_class {
        out.push_str(&format!(" {n} {class}"));
    }
    out.push_str(" |");
    for (risk, n) in &tally.by_risk {
        out.push_str(&format!(" {n} {risk}"));
    }
    out.push('\n');
    if !tally.worst.is_empty() {
        out.push_str("\nriskiest tools:\n");
        for (server, tool, risk, class) in &tally.worst {
            out.push_str(&format!(
                "  {:<9} {:<12} {} / {}\n",
                risk.as_str(),
                class.as_str(),
                terminal_safe(server),
                terminal_safe(tool)
            ));
        }
    }
    out.push_str(&format!(
        "\ndatabase:  {}\npolicies:  {} ({} files: policy.json, Intercept YAML, Claude Code, Codex)\npages:     {} ({} files, {:.1} MB)\n",
        db.display(),
        emitted.policy_dir.display(),
        emitted.policy_files,
        emitted.site_dir.join("index.html").display(),
        emitted.pages.files,
        emitted.pages.bytes as f64 / 1e6,
    ));
    out.push_str("next:      mcp-risk servers                  (the servers, their tool counts and worst risk)\n           mcp-risk classify --server NAME   (one server's verdicts; any unique part of its name, e.g. filesystem)\n           mcp-risk diff                     (what changed since the previous scan)\n");
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
