//! `mcp-risk classify`: gather tools (`--input`, the store, an agent config,
//! a live probe: [`gather`]), classify, render, and map the worst risk to an
//! exit code.
//!
//! `--input --format json` streams ([`crate::pipeline::stream`]): each file
//! is classified and written as it goes, so a 224k-tool catalogue needs
//! little more memory than its text.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::classify::{classify_tools, Options, Verdict};
use crate::cli::{ClassifyArgs, ClassifyFormat};
use crate::input::{tolerant, ServerTools, ToolNote};

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
    if let Some(path) = &args.input {
        return crate::input::load(path)
            .with_context(|| "loading --input".to_owned())
            .map(all);
    }
    let opts = super::live::options(args.timeout, args.allow_private);
    let cache = args
        .cache
        .clone()
        .unwrap_or_else(crate::registry::packages::default_cache_dir);
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
            if let Some(found) = super::live::from_bundled(name, &opts, &cache)? {
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
            super::live::config_servers(config, args.allow_exec, args.allow_remote, &opts, &cache)?;
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
            if let Some(installed) =
                super::live::install_launcher(&rt, &name, command, a, env, &cache)
            {
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
    if args.name.is_some() && !(args.stdio || args.url.is_some()) {
        crate::usage!("--name names the server of --stdio or --url; --input, --server and --config name their own");
    }
    if let Some(tool) = &args.explain {
        return explain(gather(args)?.servers, tool, args.ignore_annotations);
    }
    if let (Some(path), ClassifyFormat::Json) = (&args.input, args.format) {
        return stream_json(path, args);
    }
    if let Some(path) = &args.input {
        let loaded = crate::input::load_all(path, args.strict).context("loading --input")?;
        let code = render(loaded.servers, args, loaded.skipped.len())?;
        return Ok(crate::exit::code(code));
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
/// code for `--fail-on` (after its one stderr line when it trips). Any
/// `Vec<ServerTools>` source feeds this.
pub fn render_and_exit(servers: Vec<ServerTools>, args: &ClassifyArgs) -> anyhow::Result<u8> {
    render(servers, args, 0)
}

/// [`render_and_exit`] when `skipped` input files were left out: the exit
/// code says so unless `--fail-on` already failed.
fn render(servers: Vec<ServerTools>, args: &ClassifyArgs, skipped: usize) -> anyhow::Result<u8> {
    let opts = Options {
        ignore_annotations: args.ignore_annotations,
    };
    let origins: Vec<PathBuf> = servers.iter().map(|s| s.origin.clone()).collect();
    let results: Vec<(String, Vec<Verdict>)> = servers
        .into_iter()
        .map(|s| {
            let mut v = classify_tools(&s.tools, &opts);
            apply_tool_notes(&mut v, &s.notes);
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
    Ok(final_code(
        crate::exit::fail_on(worst, args.fail_on),
        skipped,
    ))
}

/// Raises each verdict by the anomalies of reading its tool.
pub(crate) fn apply_tool_notes(verdicts: &mut [Verdict], notes: &[ToolNote]) {
    for group in notes.chunk_by(|a, b| a.index == b.index) {
        if let Some(v) = verdicts.get_mut(group[0].index) {
            let ns: Vec<tolerant::Note> = group.iter().map(|n| n.note.clone()).collect();
            tolerant::apply_notes(v, &ns);
        }
    }
}

/// The `--fail-on` code, or [`crate::exit::INPUT_SKIPPED`] when it is 0 and
/// some input was skipped.
fn final_code(code: u8, skipped: usize) -> u8 {
    match code {
        crate::exit::OK if skipped > 0 => crate::exit::INPUT_SKIPPED,
        c => c,
    }
}

/// A closed pipe (`| head`) ends output quietly; other write errors are errors.
fn finish(r: std::io::Result<()>) -> anyhow::Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r.context("writing to stdout")?),
    }
}

/// `--input PATH --format json`, streamed (same bytes as the v1 writer).
/// Stdout holds a valid document or nothing: nothing is written before the
/// first file parses, and an error after that still closes the document.
fn stream_json(path: &Path, args: &ClassifyArgs) -> anyhow::Result<ExitCode> {
    let (files, is_dir) = crate::input::input_files(path)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, raw_stdout(&stdout));
    let (summary, result) = crate::pipeline::stream::write_json(
        &mut out,
        &files,
        is_dir && !args.strict,
        args.ignore_annotations,
    );
    match result {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) => {}
        r => r?,
    }
    finish(out.flush())?;
    let code = crate::exit::fail_on(
        summary
            .worst
            .as_ref()
            .map(|(w, name)| (*w, Some(name.as_str()))),
        args.fail_on,
    );
    Ok(crate::exit::code(final_code(code, summary.skipped)))
}

/// Standard output for a large streamed document: on Unix a handle of its
/// own on the same file (a `dup` of descriptor 1), written without
/// `Stdout`'s line buffering, which searches every buffered megabyte for a
/// newline (a document of 117 MB has one, at its end). Anywhere else, or
/// when descriptor 1 cannot be duplicated, `Stdout` itself.
fn raw_stdout(stdout: &std::io::Stdout) -> Box<dyn Write + '_> {
    #[cfg(unix)]
    if let Ok(fd) = std::os::fd::AsFd::as_fd(stdout).try_clone_to_owned() {
        return Box::new(std::fs::File::from(fd));
    }
    Box::new(stdout.lock())
}
