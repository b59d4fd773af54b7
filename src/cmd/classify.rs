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

/// The servers whose tools were gathered, and the names of those that
/// could not be (a partial `--config` audit).
pub struct Gathered {
    pub servers: Vec<ServerTools>,
    pub missing: Vec<String>,
}

/// Where the tools come from: `--input`, the store (`--server`), an agent
/// config, or a live probe (`--url`, `--stdio`).
pub fn gather(args: &ClassifyArgs) -> anyhow::Result<Gathered> {
    let all = |servers| Gathered {
        servers,
        missing: Vec::new(),
    };
    if args.name.is_some() && !(args.stdio || args.url.is_some()) {
        crate::usage!("--name names the server of --stdio or --url; --input, --server and --config name their own");
    }
    if let Some(path) = &args.input {
        return crate::input::load(path)
            .with_context(|| "loading --input".to_owned())
            .map(all);
    }
    let opts = super::live::options(args.timeout, args.allow_private);
    if let Some(name) = &args.server {
        // The database first; a server it lacks (or no database yet) is
        // looked up in the bundled registry and probed as `scan` would.
        let store = if args.db.is_file() {
            Some(super::db::open_existing(&args.db)?)
        } else {
            None
        };
        let known = match &store {
            Some(s) => !matches!(super::db::lookup(s, name)?, super::db::Match::None(_)),
            None => false,
        };
        if !known {
            if let Some(found) = super::live::from_bundled(name, &opts)? {
                return Ok(all(vec![found]));
            }
        }
        let Some(store) = store else {
            anyhow::bail!(
                "no server matching {:?}: there is no database at {} (run `mcp-risk scan`, or pass --db PATH) and the bundled registry does not know it; \
                 audit it directly with `mcp-risk classify --url URL` or `mcp-risk classify --stdio -- COMMAND`, or crawl it (`mcp-risk crawl --allow-exec SOURCE`)",
                crate::text::terminal_safe(name),
                args.db.display()
            );
        };
        return Ok(all(vec![super::db::one_server(&store, name)?]));
    }
    if let Some(config) = &args.config {
        let (servers, missing) =
            super::live::config_servers(config, args.allow_exec, args.allow_remote, &opts)?;
        return Ok(Gathered { servers, missing });
    }
    if let Some(url) = &args.url {
        let target = crate::mcp::ProbeTarget::Http {
            url: url.clone(),
            headers: super::live::parse_headers(&args.headers)?,
            sse: false,
        };
        return Ok(all(vec![super::live::probe_one(
            target,
            &opts,
            args.name.as_deref(),
        )?]));
    }
    if args.stdio {
        let mut target = super::live::stdio_target(&args.command)?;
        // `npx -y pkg` / `uvx pkg` would download in a sandbox without
        // network: install the package pinned into the cache, as `scan` does.
        if let crate::mcp::ProbeTarget::Stdio {
            command,
            args: a,
            env,
        } = &target
        {
            let rt = super::runtime()?;
            let name = args
                .name
                .clone()
                .unwrap_or_else(|| super::probe::default_name(&target));
            if let Some(installed) = super::live::install_launcher(&rt, &name, command, a, env) {
                target = installed.map_err(anyhow::Error::msg)?;
            }
        }
        return Ok(all(vec![super::live::probe_one(
            target,
            &opts,
            args.name.as_deref(),
        )?]));
    }
    if !args.command.is_empty() {
        crate::usage!(
            "a command after `--` needs --stdio: `mcp-risk classify --stdio -- {}`",
            args.command.join(" ")
        );
    }
    crate::usage!("say what to classify: --input PATH (a tools/list file or a directory of *.json), --server NAME (`mcp-risk servers` lists them), --config FILE, --url URL or --stdio -- CMD")
}

pub fn run(args: &ClassifyArgs) -> anyhow::Result<ExitCode> {
    crate::classify::try_engine().map_err(anyhow::Error::msg)?;
    if let (Some(path), ClassifyFormat::Json) = (&args.input, args.format) {
        return stream_json(path, args);
    }
    let gathered = gather(args)?;
    let code = render_and_exit(gathered.servers, args)?;
    Ok(partial_audit(code, &gathered.missing, args))
}

/// A partial audit (some servers not classified) never passes `--fail-on`:
/// if nothing classified reached it, exit 1 with one line saying why.
fn partial_audit(code: u8, missing: &[String], args: &ClassifyArgs) -> ExitCode {
    if code == crate::exit::OK && args.fail_on.is_some() && !missing.is_empty() {
        eprintln!(
            "partial audit: {} server(s) not classified ({}) → exit {} under --fail-on",
            missing.len(),
            crate::text::terminal_safe(&missing.join(", ")),
            crate::exit::ERROR
        );
        return crate::exit::code(crate::exit::ERROR);
    }
    crate::exit::code(code)
}

/// Classifies, renders to stdout in the chosen format, and returns the exit
/// code for `--fail-on` (after its one stderr line when it trips). Any
/// `Vec<ServerTools>` source feeds this.
pub fn render_and_exit(servers: Vec<ServerTools>, args: &ClassifyArgs) -> anyhow::Result<u8> {
    let opts = Options {
        ignore_annotations: args.ignore_annotations,
    };
    let origins: Vec<PathBuf> = servers.iter().map(|s| s.origin.clone()).collect();
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
        ClassifyFormat::Sarif => {
            let origins: Vec<&Path> = origins.iter().map(PathBuf::as_path).collect();
            crate::report::sarif::write(&mut out, &results, &origins)
        }
        ClassifyFormat::Table => {
            let mut opts = crate::report::terminal::TableOptions::detect();
            opts.wide = args.wide;
            crate::report::terminal::write(&mut out, &results, &opts)
        }
    };
    finish(written.and_then(|_| out.flush()))?;
    // The worst tool (the first of the worst risk, in output order).
    let worst = results
        .iter()
        .flat_map(|(_, vs)| vs.iter())
        .fold(None::<&Verdict>, |w, v| match w {
            Some(w) if w.risk >= v.risk => Some(w),
            _ => Some(v),
        })
        .map(|v| (v.risk, Some(v.name.as_str())));
    Ok(crate::exit::fail_on(worst, args.fail_on))
}

/// A closed pipe (`| head`) ends output quietly; other write errors are errors.
fn finish(r: std::io::Result<()>) -> anyhow::Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r.context("writing to stdout")?),
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
) -> (Option<Risk>, Vec<u8>) {
    let mut buf = Vec::with_capacity(batch.len() * 640);
    let mut worst = None;
    for (k, r) in batch.iter().enumerate() {
        let verdict = engine.classify_json(r.get(), ignore);
        worst = worst.max(Some(verdict.risk));
        if k > 0 {
            buf.push(b',');
        }
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut buf, &crate::report::json::Tool::from(&verdict));
    }
    (worst, buf)
}

/// What the parsing side tells the writing side.
enum Msg {
    Batch(usize, Option<Risk>, Vec<u8>),
    /// Parsing ended: the number of batches, or why the file was refused.
    Parsed(anyhow::Result<usize>),
}

/// Classifies one file's tools and writes `{"server":..,"tools":[..]}`.
/// The text is parsed on one pool thread while batches already found are
/// classified on the others; nothing of the file is written until it has
/// parsed completely, so an invalid file leaves the same output as before.
fn stream_file<W: Write>(
    out: &mut W,
    text: &str,
    f: &Path,
    first: bool,
    ignore: bool,
    worst: &mut Option<Risk>,
) -> anyhow::Result<()> {
    let engine = crate::classify::engine();
    std::thread::scope(|ts| -> anyhow::Result<()> {
        let (tx, rx) = std::sync::mpsc::channel::<Msg>();
        ts.spawn(move || {
            rayon::scope_fifo(|s| {
                let mut n = 0;
                let r = stream_tools(text, f, &mut |batch| {
                    let (tx, idx) = (tx.clone(), n);
                    n += 1;
                    s.spawn_fifo(move |_| {
                        let (w, buf) = classify_batch(engine, &batch, ignore);
                        let _ = tx.send(Msg::Batch(idx, w, buf));
                    });
                });
                let _ = tx.send(Msg::Parsed(r.map(|_| n)));
            });
        });
        let mut pending = std::collections::BTreeMap::new();
        let mut parsed = false;
        let mut next = 0;
        for msg in rx.iter() {
            match msg {
                Msg::Batch(i, w, buf) => {
                    pending.insert(i, (w, buf));
                }
                Msg::Parsed(r) => {
                    r?;
                    parsed = true;
                    if !first {
                        out.write_all(b",")?;
                    }
                    out.write_all(b"{\"server\":")?;
                    serde_json::to_writer(&mut *out, &server_name(f))?;
                    out.write_all(b",\"tools\":[")?;
                }
            }
            if parsed {
                while let Some((w, buf)) = pending.remove(&next) {
                    *worst = (*worst).max(w);
                    if next > 0 {
                        out.write_all(b",")?;
                    }
                    out.write_all(&buf)?;
                    next += 1;
                }
            }
        }
        anyhow::ensure!(parsed && pending.is_empty(), "classification stopped early");
        out.write_all(b"]}")?;
        Ok(())
    })
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
    Ok(crate::exit::code(crate::exit::fail_on(
        worst.map(|w| (w, None)),
        args.fail_on,
    )))
}
