//! `mcp-risk classify`: gather tools (from `--input` today; the store,
//! configs and live probes plug into [`gather`] / [`render_and_exit`]),
//! classify, render, and map the worst risk to an exit code.
//!
//! `--input --format json` streams: each file is parsed into borrowed raw
//! tools, classified and serialised in parallel chunks, and written as it
//! goes, so a 224k-tool catalogue needs little more memory than its text.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::classify::{classify_tools, Options, Risk, Verdict};
use crate::cli::{ClassifyArgs, ClassifyFormat};
use crate::input::ServerTools;

/// Tools classified and serialised per parallel batch.
const CHUNK: usize = 8192;

/// Where the tools come from. Only `--input` is wired in this module; the
/// others return an error that names what is missing.
pub fn gather(args: &ClassifyArgs) -> anyhow::Result<Vec<ServerTools>> {
    if let Some(path) = &args.input {
        return crate::input::load(path).with_context(|| "loading --input".to_owned());
    }
    if let Some(name) = &args.server {
        let store = super::db::open_existing(&args.db)?;
        return Ok(vec![super::db::one_server(&store, name)?]);
    }
    let opts = super::live::options(args.timeout, args.allow_private);
    if let Some(config) = &args.config {
        return super::live::config_servers(config, args.allow_exec, &opts);
    }
    if let Some(url) = &args.url {
        let target = crate::mcp::ProbeTarget::Http {
            url: url.clone(),
            headers: super::live::parse_headers(&args.headers)?,
            sse: false,
        };
        return Ok(vec![super::live::probe_one(target, &opts)?]);
    }
    if args.stdio {
        let target = super::live::stdio_target(&args.command)?;
        return Ok(vec![super::live::probe_one(target, &opts)?]);
    }
    anyhow::bail!("say what to classify: --input PATH (a tools/list file or a directory of *.json), --server NAME, --config FILE, --url URL or --stdio -- CMD")
}

pub fn run(args: &ClassifyArgs) -> anyhow::Result<ExitCode> {
    crate::classify::try_engine().map_err(anyhow::Error::msg)?;
    if let (Some(path), ClassifyFormat::Json) = (&args.input, args.format) {
        return stream_json(path, args);
    }
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
    let written = match args.format {
        ClassifyFormat::Json => crate::report::json::write(&mut out, &results),
        ClassifyFormat::Sarif => crate::report::sarif::write(&mut out, &results),
        ClassifyFormat::Table => {
            let opts = crate::report::terminal::TableOptions::detect();
            crate::report::terminal::write(&mut out, &results, &opts)
        }
    };
    finish(written.and_then(|_| out.flush()))?;
    let worst = results
        .iter()
        .flat_map(|(_, vs)| vs.iter().map(|v| v.risk))
        .max();
    Ok(crate::exit::code(exit_code(worst, args.fail_on)))
}

/// A closed pipe (`| head`) ends output quietly; other write errors are errors.
fn finish(r: std::io::Result<()>) -> anyhow::Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r.context("writing to stdout")?),
    }
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

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    tools: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
}

/// The raw tools of one file in any accepted shape (see `crate::input`),
/// borrowed from its text.
fn raw_tools<'a>(text: &'a str, path: &Path) -> anyhow::Result<Vec<&'a RawValue>> {
    let json_err = |e: serde_json::Error| {
        anyhow::anyhow!(
            "{}:{}:{}: not valid JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    };
    let t = text.trim_start();
    if t.starts_with('[') {
        return serde_json::from_str(text).map_err(json_err);
    }
    let env: Envelope = serde_json::from_str(text).map_err(json_err)?;
    if let Some(tools) = env.tools {
        return Ok(tools);
    }
    if let Some(r) = env.result {
        return raw_tools(r.get(), path);
    }
    Err(crate::input::InputError::Shape {
        path: path.to_owned(),
    }
    .into())
}

fn server_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "server".to_owned())
}

/// `--input PATH --format json`, streamed (same bytes as the v1 writer).
fn stream_json(path: &Path, args: &ClassifyArgs) -> anyhow::Result<ExitCode> {
    let files: Vec<PathBuf> = if std::fs::metadata(path)
        .map_err(|source| crate::input::InputError::Io {
            path: path.to_owned(),
            source,
        })?
        .is_dir()
    {
        let f = crate::input::json_files(path)?;
        if f.is_empty() {
            return Err(crate::input::InputError::EmptyDir {
                path: path.to_owned(),
            }
            .into());
        }
        f
    } else {
        vec![path.to_owned()]
    };
    let engine = crate::classify::engine();
    let ignore = args.ignore_annotations;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut worst: Option<Risk> = None;
    let mut write = |out: &mut std::io::BufWriter<_>| -> anyhow::Result<()> {
        out.write_all(b"{\"schema_version\":1,\"servers\":[")?;
        for (i, f) in files.iter().enumerate() {
            let text =
                std::fs::read_to_string(f).map_err(|source| crate::input::InputError::Io {
                    path: f.clone(),
                    source,
                })?;
            let raw = raw_tools(&text, f)?;
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(b"{\"server\":")?;
            serde_json::to_writer(&mut *out, &server_name(f))?;
            out.write_all(b",\"tools\":[")?;
            for (c, chunk) in raw.chunks(CHUNK).enumerate() {
                let done: Vec<(Risk, Vec<u8>)> = chunk
                    .par_iter()
                    .map(|r| {
                        let v: serde_json::Value =
                            serde_json::from_str(r.get()).unwrap_or(serde_json::Value::Null);
                        let verdict = engine.classify(&v, ignore);
                        let bytes = serde_json::to_vec(&crate::report::json::Tool::from(&verdict))
                            .unwrap_or_default();
                        (verdict.risk, bytes)
                    })
                    .collect();
                for (k, (risk, bytes)) in done.iter().enumerate() {
                    worst = worst.max(Some(*risk));
                    if c > 0 || k > 0 {
                        out.write_all(b",")?;
                    }
                    out.write_all(bytes)?;
                }
            }
            out.write_all(b"]}")?;
        }
        out.write_all(b"]}\n")?;
        Ok(())
    };
    match write(&mut out) {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) => {}
        r => r?,
    }
    finish(out.flush())?;
    Ok(crate::exit::code(exit_code(worst, args.fail_on)))
}
