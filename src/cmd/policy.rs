//! `mcp-risk policy`: writes recommended policies (one file set per server),
//! or `mcp-risk policy check FILE...` validates policies.
//!
//! Verdicts reach the writers as `Vec<(server, Vec<Verdict>)>`, whatever their
//! source (`--input`, or `--server`/`--all` from the `--db` store).

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};

use crate::classify::{self, Verdict};
use crate::cli::{PolicyArgs, PolicyCommand, PolicyFormat, PolicyWriteArgs};
use crate::exit;
use crate::policy::{self, check, Format};
use crate::text::terminal_safe;

pub fn run(args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        Some(PolicyCommand::Check { files }) => run_check(files),
        None => run_write(&args.write),
    }
}

fn format_of(f: PolicyFormat) -> Format {
    match f {
        PolicyFormat::Policylayer => Format::PolicyLayer,
        PolicyFormat::Intercept => Format::Intercept,
        PolicyFormat::ClaudeCode => Format::ClaudeCode,
        PolicyFormat::Codex => Format::Codex,
    }
}

/// One server's name and verdicts.
type ServerVerdicts = (String, Vec<Verdict>);

/// The verdicts of each server named by the arguments, and how many
/// `--input` files were skipped.
fn load_verdicts(args: &PolicyWriteArgs) -> anyhow::Result<(Vec<ServerVerdicts>, usize)> {
    let opts = classify::Options {
        ignore_annotations: args.ignore_annotations,
    };
    let mut skipped = 0;
    let servers = if let Some(input) = &args.input {
        let loaded = crate::input::load_all(input, args.strict)?;
        skipped = loaded.skipped.len();
        loaded.servers
    } else if let Some(name) = &args.server {
        let store = super::db::open_existing(&args.db)?;
        vec![super::db::one_server(&store, name)?]
    } else if args.all {
        let store = super::db::open_existing(&args.db)?;
        crate::pipeline::all_servers(&store)?
    } else {
        crate::usage!("say what to write a policy for: --input PATH, --server NAME --db PATH or --all --db PATH")
    };
    let verdicts = servers
        .into_iter()
        .map(|s| {
            let mut v = classify::classify_tools(&s.tools, &opts);
            for n in &s.notes {
                if let Some(v) = v.get_mut(n.index) {
                    crate::input::tolerant::apply_notes(v, std::slice::from_ref(&n.note));
                }
            }
            (s.server, v)
        })
        .collect();
    Ok((verdicts, skipped))
}

fn run_write(args: &PolicyWriteArgs) -> anyhow::Result<ExitCode> {
    let (servers, skipped) = load_verdicts(args)?;
    let format = format_of(args.format);
    let key = args.server_key.as_deref();
    if key.is_some() && servers.len() != 1 {
        bail!(
            "--server-key names one server, but the input has {}: give --server NAME or a single --input file",
            servers.len()
        );
    }
    if key.is_none() && matches!(format, Format::ClaudeCode | Format::Codex) {
        // The user's own name for the server is known only when it was
        // crawled from their config; say how to rename otherwise.
        let _ = writeln!(
            std::io::stderr().lock(),
            "note: the {} file addresses each server by its name as crawled; if your client config names it differently, rerun with --server-key NAME (one server) or replace the name in the file",
            if format == Format::ClaudeCode { "Claude Code (mcp__NAME__tool)" } else { "Codex ([mcp_servers.NAME])" }
        );
    }
    match &args.out {
        None => {
            let [(server, verdicts)] = servers.as_slice() else {
                bail!(
                    "{} servers in the input: give --out DIR to write one file per server",
                    servers.len()
                );
            };
            // The policy itself (not the reasons sidecar) goes to stdout.
            let files = policy::render_keyed(format, server, key, verdicts);
            let mut out = std::io::stdout().lock();
            out.write_all(files[0].contents.as_bytes())?;
            out.flush()?;
        }
        Some(dir) => {
            let written = write_all_keyed(dir, format, &servers, key)?;
            let mut out = std::io::stdout().lock();
            if args.verbose {
                for path in &written {
                    writeln!(out, "wrote {}", terminal_safe(&path.display().to_string()))?;
                }
            }
            writeln!(
                out,
                "wrote {} file{} for {} server{} into {}",
                written.len(),
                if written.len() == 1 { "" } else { "s" },
                servers.len(),
                if servers.len() == 1 { "" } else { "s" },
                terminal_safe(&dir.display().to_string())
            )?;
        }
    }
    Ok(exit::code(if skipped > 0 {
        exit::INPUT_SKIPPED
    } else {
        exit::OK
    }))
}

/// Writes every server's files into `dir`, two servers whose names meet on
/// one stem each under its own hashed stem ([`policy::file_stems`]); refuses
/// to let one server be written twice.
pub fn write_all(
    dir: &Path,
    format: Format,
    servers: &[(String, Vec<Verdict>)],
) -> anyhow::Result<Vec<PathBuf>> {
    write_all_keyed(dir, format, servers, None)
}

/// [`write_all`], with the server's name in the user's client config
/// (`--server-key`) for the Claude Code and Codex files.
fn write_all_keyed(
    dir: &Path,
    format: Format,
    servers: &[(String, Vec<Verdict>)],
    client_key: Option<&str>,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stems = policy::file_stems(&servers.iter().map(|(s, _)| s).collect::<Vec<_>>());
    let mut names = BTreeSet::new();
    let mut written = Vec::new();
    for ((server, verdicts), stem) in servers.iter().zip(&stems) {
        for f in policy::render_as(format, server, stem, client_key, verdicts) {
            if !names.insert(f.name.clone()) {
                bail!(
                    "two servers map to the same file name {} (server {:?}); rename one",
                    f.name,
                    terminal_safe(server)
                );
            }
            let path = dir.join(&f.name);
            std::fs::write(&path, f.contents.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Expands directories into their policy files (`*.json`, `*.yaml`,
/// `*.yml`, sorted), so `policy check out/` checks what `policy --out out/` wrote.
fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if !p.is_dir() {
            files.push(p.clone());
            continue;
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir(p)
            .with_context(|| format!("cannot read {}", p.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|f| {
                f.is_file()
                    && f.extension()
                        .is_some_and(|x| x == "json" || x == "yaml" || x == "yml")
            })
            .collect();
        found.sort();
        if found.is_empty() {
            bail!("{}: no *.json or *.yaml files to check", p.display());
        }
        files.extend(found);
    }
    Ok(files)
}

fn run_check(paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let files = expand(paths)?;
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    for file in &files {
        let shown = terminal_safe(&file.display().to_string());
        let report = match check::check_file(file) {
            Ok(r) => r,
            Err(e) => {
                failed = true;
                writeln!(err, "{}", terminal_safe(&e.to_string()))?;
                continue;
            }
        };
        if report.kind == check::Kind::NotAPolicy {
            writeln!(out, "SKIP {shown} ({})", report.kind.as_str())?;
        } else if report.diagnostics.is_empty() {
            let plural = if report.tools == 1 { "" } else { "s" };
            writeln!(
                out,
                "OK {shown} ({}, {} tool{plural})",
                report.kind.as_str(),
                report.tools
            )?;
        } else {
            failed = true;
            for d in &report.diagnostics {
                writeln!(
                    err,
                    "{shown}:{}: {}",
                    terminal_safe(&d.location),
                    terminal_safe(&d.message)
                )?;
            }
            writeln!(
                err,
                "FAIL {shown} ({}, {} error{})",
                report.kind.as_str(),
                report.errors,
                if report.errors == 1 { "" } else { "s" }
            )?;
        }
    }
    Ok(exit::code(if failed { exit::ERROR } else { exit::OK }))
}
