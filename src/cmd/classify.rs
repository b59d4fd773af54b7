//! `mcp-risk classify`: gather `ServerTools` (from `--input` today; the store,
//! configs and live probes plug into [`gather`]), classify, render, and map
//! the worst risk to an exit code.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use crate::classify::{classify_tools, Options, Risk, Verdict};
use crate::cli::{ClassifyArgs, ClassifyFormat};
use crate::input::ServerTools;

/// Where the tools come from. Only `--input` is wired in this module; the
/// others return an error that names what is missing.
pub fn gather(args: &ClassifyArgs) -> anyhow::Result<Vec<ServerTools>> {
    if let Some(path) = &args.input {
        return crate::input::load(path).with_context(|| "loading --input".to_owned());
    }
    if args.server.is_some() {
        anyhow::bail!("`classify --server` needs the SQLite store, which is not wired into this build yet; export the server's tools/list to a file and use --input");
    }
    if args.config.is_some() {
        anyhow::bail!("`classify --config` needs the client-config reader and MCP client, which are not wired into this build yet; use --input with a saved tools/list");
    }
    if args.url.is_some() {
        anyhow::bail!("`classify --url` needs the MCP client (probe), which is not wired into this build yet; use --input with a saved tools/list");
    }
    if args.stdio {
        anyhow::bail!("`classify --stdio` needs the MCP client and sandbox, which are not wired into this build yet; use --input with a saved tools/list");
    }
    anyhow::bail!("say what to classify: --input PATH (a tools/list file or a directory of *.json), --server NAME, --config FILE, --url URL or --stdio -- CMD")
}

pub fn run(args: &ClassifyArgs) -> anyhow::Result<ExitCode> {
    crate::classify::try_engine().map_err(anyhow::Error::msg)?;
    let servers = gather(args)?;
    render_and_exit(servers, args)
}

/// Classifies, renders to stdout in the chosen format, and returns the exit
/// code for `--fail-on`. Any `Vec<ServerTools>` source feeds this.
pub fn render_and_exit(servers: Vec<ServerTools>, args: &ClassifyArgs) -> anyhow::Result<ExitCode> {
    let opts = Options {
        ignore_annotations: args.ignore_annotations,
    };
    let results: Vec<(String, Vec<Verdict>)> = servers
        .into_iter()
        .map(|s| {
            let v = classify_tools(&s.tools, &opts);
            (s.server, v)
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    match args.format {
        ClassifyFormat::Json => crate::report::json::write(&mut out, &results)?,
        ClassifyFormat::Sarif => crate::report::sarif::write(&mut out, &results)?,
        ClassifyFormat::Table => {
            let opts = crate::report::terminal::TableOptions::detect();
            crate::report::terminal::write(&mut out, &results, &opts)?
        }
    }
    out.flush()?;
    let worst = results
        .iter()
        .flat_map(|(_, vs)| vs.iter().map(|v| v.risk))
        .max();
    Ok(crate::exit::code(exit_code(worst, args.fail_on)))
}

/// 0 unless the worst risk reaches `fail_on`; then 11..=14 by the worst risk.
pub fn exit_code(worst: Option<Risk>, fail_on: Option<Risk>) -> u8 {
    match (worst, fail_on) {
        (Some(w), Some(f)) if w >= f => match w {
            Risk::Low => crate::exit::WORST_LOW,
            Risk::Medium => crate::exit::WORST_MEDIUM,
            Risk::High => crate::exit::WORST_HIGH,
            Risk::Critical => crate::exit::WORST_CRITICAL,
        },
        _ => crate::exit::OK,
    }
}
