//! Probing on the spot for `classify --url`, `--stdio` and `--config`: the
//! developer's quick audit before connecting an agent. The servers' tools
//! come back as [`ServerTools`], exactly like `--input`, so one renderer serves.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, Context as _};

use crate::input::ServerTools;
use crate::mcp::probe::probe;
use crate::mcp::{ProbeOptions, ProbeTarget, Status};
use crate::registry::config::ConfigFile;
use crate::registry::packages::{default_cache_dir, Installer};
use crate::registry::prepare::{prepare_one, Prepared};
use crate::registry::Source;
use crate::text::terminal_safe;

/// Parses repeated `--header 'Name: value'` arguments.
pub fn parse_headers(headers: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .with_context(|| format!("--header {h:?} is not 'Name: value'"))
        })
        .collect()
}

/// Probe options for an on-the-spot audit: sandboxed, every phase may use
/// the whole timeout (cold starts of npx/uvx packages are slow).
pub fn options(timeout_secs: u64, allow_private: bool) -> ProbeOptions {
    let total = Duration::from_secs(timeout_secs.max(1));
    let mut o = ProbeOptions::default().with_total_timeout(total);
    o.init_timeout = total;
    o.list_timeout = total;
    o.allow_private = allow_private;
    o
}

/// Probes one target; a server that did not list its tools is an error
/// that names its status and why, after the last lines of its stderr (as
/// `probe` shows them). The server is named `name` if given, else after its
/// initialize answer (see [`super::probe::name_of`]).
pub fn probe_one(
    target: ProbeTarget,
    opts: &ProbeOptions,
    name: Option<&str>,
) -> anyhow::Result<ServerTools> {
    let rt = super::runtime()?;
    let outcome = rt.block_on(probe(&target, opts));
    let name = name
        .map(str::to_owned)
        .unwrap_or_else(|| super::probe::name_of(&target, Some(&outcome)));
    if outcome.status != Status::Ok {
        if !outcome.stderr_tail.trim().is_empty() {
            eprintln!("stderr of {} (last lines):", terminal_safe(&name));
            eprint!("{}", super::probe::stderr_lines(&outcome.stderr_tail));
        }
        bail!(
            "{}: {} ({}){}",
            terminal_safe(&name),
            outcome.status,
            terminal_safe(outcome.detail.as_deref().unwrap_or("no detail")),
            hint(&target, outcome.status)
        );
    }
    Ok(ServerTools {
        server: name,
        tools: outcome.tools,
        origin: probed_origin(&target),
    })
}

/// Where a probed server's tools "came from", for SARIF locations: the URL,
/// or the script a stdio command runs (its first argument that is a file),
/// else the command.
fn probed_origin(target: &ProbeTarget) -> std::path::PathBuf {
    match target {
        ProbeTarget::Http { url, .. } => std::path::PathBuf::from(url),
        ProbeTarget::Stdio { command, args, .. } => args
            .iter()
            .find(|a| !a.starts_with('-') && std::path::Path::new(a).is_file())
            .unwrap_or(command)
            .into(),
    }
}

/// A launcher that downloads its package when it starts (`npx -y pkg`,
/// `uvx pkg`, ...): the package it names, if any.
pub fn downloads_at_start(command: &str, args: &[String]) -> Option<String> {
    let base = command.rsplit('/').next().unwrap_or(command);
    let pkg = || {
        args.iter()
            .find(|a| !a.starts_with('-') && *a != "run" && *a != "dlx" && *a != "x")
            .cloned()
    };
    match base {
        "npx" | "uvx" | "bunx" | "pipx" => pkg(),
        "pnpm" | "yarn" if args.first().is_some_and(|a| a == "dlx") => pkg(),
        "uv" if args.first().is_some_and(|a| a == "tool") => {
            args.iter().skip(2).find(|a| !a.starts_with('-')).cloned()
        }
        _ => None,
    }
}

/// One line on why a sandboxed probe of a downloading launcher failed.
fn hint(target: &ProbeTarget, status: Status) -> String {
    let ProbeTarget::Stdio { command, args, .. } = target else {
        return String::new();
    };
    if status == Status::Ok {
        return String::new();
    }
    match downloads_at_start(command, args) {
        Some(pkg) => format!(
            ". `{}` downloads {} when it starts, and the sandbox has no network: \
             install it first (npm: `npm install {}`, then `--stdio -- node node_modules/...`; \
             PyPI: `pip install {}`, then `--stdio -- python -m MODULE`), or put it in a config \
             and use `mcp-risk classify --config FILE --allow-exec`, which installs npx/uvx packages into the cache",
            terminal_safe(command.rsplit('/').next().unwrap_or(command)),
            terminal_safe(&pkg),
            terminal_safe(&pkg),
            terminal_safe(&pkg)
        ),
        None => String::new(),
    }
}

/// The stdio command the user typed after `--`.
pub fn stdio_target(command: &[String]) -> anyhow::Result<ProbeTarget> {
    let Some((cmd, rest)) = command.split_first() else {
        crate::usage!("give the server's command after `--`, e.g. `mcp-risk classify --stdio -- node ./build/index.js` (an installed server: the sandbox has no network, so `npx -y` cannot download one)");
    };
    Ok(ProbeTarget::Stdio {
        command: cmd.clone(),
        args: rest.to_vec(),
        env: BTreeMap::new(),
    })
}

/// Every server of an agent-client config, probed (stdio ones only with
/// `allow_exec`, always sandboxed). Servers that could not be listed are
/// reported on stderr and left out (the second list names them, so a
/// partial audit cannot pass `--fail-on`); none listed at all is an error.
pub fn config_servers(
    path: &std::path::Path,
    allow_exec: bool,
    opts: &ProbeOptions,
) -> anyhow::Result<(Vec<ServerTools>, Vec<String>)> {
    let rt = super::runtime()?;
    let source = ConfigFile::new(path);
    let records = rt
        .block_on(source.records())
        .with_context(|| format!("reading {}", path.display()))?;
    let installer = Installer::new(&default_cache_dir());
    let mut out = Vec::new();
    let mut failed = Vec::new();
    for rec in records {
        let prepared = rt.block_on(prepare_one(&rec, &installer, allow_exec));
        let result = match prepared {
            Prepared::Tools { tools } => Ok(tools),
            Prepared::Skipped { status, reason } => Err(format!("{status}: {reason}")),
            Prepared::Probe { target } => {
                let o = rt.block_on(probe(&target, opts));
                if o.status == Status::Ok {
                    Ok(o.tools)
                } else {
                    Err(format!("{}: {}", o.status, o.detail.unwrap_or_default()))
                }
            }
        };
        match result {
            Ok(tools) => out.push(ServerTools {
                server: rec.name,
                tools,
                origin: path.to_owned(),
            }),
            Err(why) => failed.push((rec.name, why)),
        }
    }
    for (name, why) in &failed {
        eprintln!(
            "not classified: {}: {}",
            terminal_safe(name),
            terminal_safe(why)
        );
    }
    if out.is_empty() {
        bail!(
            "no server in {} listed its tools{}",
            path.display(),
            if allow_exec {
                ""
            } else {
                " (stdio servers need --allow-exec to be launched, sandboxed)"
            }
        );
    }
    Ok((out, failed.into_iter().map(|(name, _)| name).collect()))
}
