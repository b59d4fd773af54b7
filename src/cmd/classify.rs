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
/// Tools per task within a batch (one output buffer each).
const TASK: usize = 64;

/// An input file's bytes: mapped read-only when possible (no copy into fresh,
/// zeroed heap pages, which costs a 331 MB catalogue about half a second),
/// otherwise read.
enum Input {
    Mapped(*const u8, usize),
    Read(Vec<u8>),
}

// SAFETY: the mapping is read-only and owned by this value alone.
unsafe impl Send for Input {}
unsafe impl Sync for Input {}

impl Input {
    fn open(path: &Path) -> Result<Input, crate::input::InputError> {
        use std::os::fd::AsRawFd;
        let io = |source| crate::input::InputError::Io {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len() as usize;
        if len > 0 {
            // SAFETY: a private read-only mapping of a file we opened; the
            // bytes are only read through `Deref`, and unmapped on drop. As
            // with any mapped input (ripgrep's too), a file truncated by
            // another process while we read it can fault.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ,
                    libc::MAP_PRIVATE,
                    file.as_raw_fd(),
                    0,
                )
            };
            if p != libc::MAP_FAILED {
                // SAFETY: `p` maps `len` bytes; advice failing is harmless.
                unsafe { libc::madvise(p, len, libc::MADV_SEQUENTIAL) };
                return Ok(Input::Mapped(p as *const u8, len));
            }
        }
        let mut buf = Vec::with_capacity(len);
        std::io::Read::read_to_end(&mut &file, &mut buf).map_err(io)?;
        Ok(Input::Read(buf))
    }
}

impl std::ops::Deref for Input {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            // SAFETY: the mapping lives as long as `self`.
            Input::Mapped(p, len) => unsafe { std::slice::from_raw_parts(*p, *len) },
            Input::Read(b) => b,
        }
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        if let Input::Mapped(p, len) = *self {
            // SAFETY: unmaps exactly the mapping made in `open`.
            unsafe { libc::munmap(p as *mut libc::c_void, len) };
        }
    }
}

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
            let file = Input::open(f)?;
            let text = std::str::from_utf8(&file).map_err(|_| crate::input::InputError::Io {
                path: f.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "stream did not contain valid UTF-8",
                ),
            })?;
            let raw = raw_tools(text, f)?;
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(b"{\"server\":")?;
            serde_json::to_writer(&mut *out, &server_name(f))?;
            out.write_all(b",\"tools\":[")?;
            for (c, chunk) in raw.chunks(CHUNK).enumerate() {
                // Each task classifies a run of tools and serialises them,
                // comma-separated, into one buffer.
                let done: Vec<(Option<Risk>, Vec<u8>)> = chunk
                    .par_chunks(TASK)
                    .map(|run| {
                        let mut buf = Vec::with_capacity(run.len() * 1024);
                        let mut worst = None;
                        for (k, r) in run.iter().enumerate() {
                            let verdict = engine.classify_json(r.get(), ignore);
                            worst = worst.max(Some(verdict.risk));
                            if k > 0 {
                                buf.push(b',');
                            }
                            // Writing to a Vec cannot fail.
                            let _ = serde_json::to_writer(
                                &mut buf,
                                &crate::report::json::Tool::from(&verdict),
                            );
                        }
                        (worst, buf)
                    })
                    .collect();
                for (k, (risk, bytes)) in done.iter().enumerate() {
                    worst = worst.max(*risk);
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
