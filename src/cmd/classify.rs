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
use serde_json::value::RawValue;

use crate::classify::{classify_tools, Options, Risk, Verdict};
use crate::cli::{ClassifyArgs, ClassifyFormat};
use crate::input::ServerTools;

/// Tools per parallel batch (one task, one output buffer).
const CHUNK: usize = 512;

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

/// Where the tools come from: `--input`, `--server` (the store), `--config`,
/// `--url` or `--stdio`; none of them is an error that lists all five.
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
    if let Some(tool) = &args.explain {
        return explain(gather(args)?, tool, args.ignore_annotations);
    }
    if let (Some(path), ClassifyFormat::Json) = (&args.input, args.format) {
        return stream_json(path, args);
    }
    let servers = gather(args)?;
    render_and_exit(servers, args)
}

/// `--explain TOOL`: the trace of every tool of that name, in its server's context.
fn explain(servers: Vec<ServerTools>, tool: &str, ignore: bool) -> anyhow::Result<ExitCode> {
    let engine = crate::classify::engine();
    let mut found = 0;
    let mut out = String::new();
    for s in &servers {
        let ctx = crate::classify::context::Context::of(engine, &s.tools);
        for t in s.tools.iter().filter(|t| {
            t.get("name")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(tool))
        }) {
            found += 1;
            let trace = engine.trace(t, ignore, &ctx);
            out.push_str(&format!(
                "server: {}\n",
                crate::text::terminal_safe(&s.server)
            ));
            out.push_str(&crate::classify::explain::render(engine, &trace));
            out.push('\n');
        }
    }
    anyhow::ensure!(
        found > 0,
        "no tool named `{}` in what was classified; `mcp-risk classify` without --explain lists the tools",
        crate::text::terminal_safe(tool)
    );
    finish(std::io::stdout().lock().write_all(out.as_bytes()))?;
    Ok(crate::exit::code(crate::exit::OK))
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

/// One batch of raw tools, borrowed from the input text.
type Batch<'a> = Vec<&'a RawValue>;

/// Streams the elements of a JSON array to `emit` in batches of [`CHUNK`].
struct SeqSink<'s, 'a>(&'s mut dyn FnMut(Batch<'a>));

impl<'de> serde::de::Visitor<'de> for SeqSink<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sequence")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut batch = Vec::with_capacity(CHUNK);
        while let Some(t) = seq.next_element::<&'de RawValue>()? {
            batch.push(t);
            if batch.len() == CHUNK {
                (self.0)(std::mem::replace(&mut batch, Vec::with_capacity(CHUNK)));
            }
        }
        if !batch.is_empty() {
            (self.0)(batch);
        }
        Ok(())
    }
}

/// `tools: Option<[...]>`: streamed; `Ok(true)` when the array was there.
struct OptSeq<'s, 'a>(SeqSink<'s, 'a>);

impl<'de> serde::de::DeserializeSeed<'de> for OptSeq<'_, 'de> {
    type Value = bool;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> serde::de::Visitor<'de> for OptSeq<'_, 'de> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("option")
    }
    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_seq(self.0).map(|_| true)
    }
}

/// What an envelope object held.
enum Found<'a> {
    Tools,
    Result(&'a RawValue),
    Neither,
}

/// The envelope `{"tools": [...]}` or `{"result": {...}}` (tools win), with
/// the errors a derived struct would give (same messages, duplicate fields).
struct EnvelopeSink<'s, 'a>(&'s mut dyn FnMut(Batch<'a>));

impl<'de> serde::de::Visitor<'de> for EnvelopeSink<'_, 'de> {
    type Value = Found<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("struct Envelope")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Found<'de>, A::Error> {
        let mut tools: Option<bool> = None;
        let mut result: Option<Option<&'de RawValue>> = None;
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match k.as_ref() {
                "tools" => {
                    if tools.is_some() {
                        return Err(serde::de::Error::duplicate_field("tools"));
                    }
                    tools = Some(map.next_value_seed(OptSeq(SeqSink(&mut *self.0)))?);
                }
                "result" => {
                    if result.is_some() {
                        return Err(serde::de::Error::duplicate_field("result"));
                    }
                    result = Some(map.next_value()?);
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(match (tools, result) {
            (Some(true), _) => Found::Tools,
            (_, Some(Some(r))) => Found::Result(r),
            _ => Found::Neither,
        })
    }
}

/// Streams the raw tools of one file in any accepted shape (see
/// `crate::input`) to `emit`, in order, as the text is parsed.
fn stream_tools<'a>(
    text: &'a str,
    path: &Path,
    emit: &mut dyn FnMut(Batch<'a>),
) -> anyhow::Result<()> {
    let json_err = |e: serde_json::Error| {
        anyhow::anyhow!(
            "{}:{}:{}: not valid JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    };
    let mut de = serde_json::Deserializer::from_str(text);
    if text.trim_start().starts_with('[') {
        serde::Deserializer::deserialize_seq(&mut de, SeqSink(emit))
            .and_then(|_| de.end())
            .map_err(json_err)?;
        return Ok(());
    }
    let found = serde::Deserializer::deserialize_struct(
        &mut de,
        "Envelope",
        &["tools", "result"],
        EnvelopeSink(&mut *emit),
    )
    .and_then(|f| de.end().map(|_| f))
    .map_err(json_err)?;
    match found {
        Found::Tools => Ok(()),
        Found::Result(r) => stream_tools(r.get(), path, emit),
        Found::Neither => Err(crate::input::InputError::Shape {
            path: path.to_owned(),
        }
        .into()),
    }
}

/// Classifies a batch and serialises its verdicts, comma-separated, into one
/// buffer; returns the batch's worst risk too.
fn classify_batch(
    engine: &crate::classify::engine::Engine,
    batch: &[&RawValue],
    ignore: bool,
    ctx: &crate::classify::context::Context,
) -> (Option<Risk>, Vec<u8>) {
    let mut buf = Vec::with_capacity(batch.len() * 640);
    let mut worst = None;
    for (k, r) in batch.iter().enumerate() {
        let verdict = engine.classify_json(r.get(), ignore, ctx);
        worst = worst.max(Some(verdict.risk));
        if k > 0 {
            buf.push(b',');
        }
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut buf, &crate::report::json::Tool::from(&verdict));
    }
    (worst, buf)
}

/// Classifies one file's tools and writes `{"server":..,"tools":[..]}`.
/// The text is parsed whole, then its batches are classified in parallel;
/// nothing of the file is written until it has parsed completely, so an
/// invalid file leaves the same output as before.
fn stream_file<W: Write>(
    out: &mut W,
    text: &str,
    f: &Path,
    first: bool,
    ignore: bool,
    worst: &mut Option<Risk>,
) -> anyhow::Result<()> {
    let engine = crate::classify::engine();
    // Parse first: every tool's verdict depends on its server's context
    // (naming convention, blanket annotations), known only from all of them.
    let mut batches: Vec<Batch<'_>> = Vec::new();
    stream_tools(text, f, &mut |batch| batches.push(batch))?;
    let ctx = {
        use rayon::prelude::*;
        let parts: Vec<(String, Option<crate::tool::Hints>)> = batches
            .par_iter()
            .flat_map_iter(|b| b.iter().map(|r| name_and_hints(r.get())))
            .collect();
        crate::classify::context::Context::from_parts(
            engine,
            parts.iter().map(|(n, h)| (n.as_str(), h.clone())),
        )
    };
    let classified: Vec<(Option<Risk>, Vec<u8>)> = {
        use rayon::prelude::*;
        batches
            .par_iter()
            .map(|b| classify_batch(engine, b, ignore, &ctx))
            .collect()
    };
    if !first {
        out.write_all(b",")?;
    }
    out.write_all(b"{\"server\":")?;
    serde_json::to_writer(&mut *out, &server_name(f))?;
    out.write_all(b",\"tools\":[")?;
    for (i, (w, buf)) in classified.iter().enumerate() {
        *worst = (*worst).max(*w);
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(buf)?;
    }
    out.write_all(b"]}")?;
    Ok(())
}

/// A tool's name and declared hints, read without building the whole value.
fn name_and_hints(raw: &str) -> (String, Option<crate::tool::Hints>) {
    use serde_json::Value;
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(default)]
        name: Option<Value>,
        #[serde(default)]
        annotations: Option<Value>,
    }
    match serde_json::from_str::<Head>(raw) {
        Ok(h) => (
            h.name
                .as_ref()
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            h.annotations
                .as_ref()
                .and_then(crate::tool::Hints::from_annotations),
        ),
        Err(_) => (String::new(), None),
    }
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
            stream_file(out, text, f, i == 0, ignore, &mut worst)?;
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
