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
/// that names its status and why.
pub fn probe_one(target: ProbeTarget, opts: &ProbeOptions) -> anyhow::Result<ServerTools> {
    let name = super::probe::default_name(&target);
    let rt = super::runtime()?;
    let outcome = rt.block_on(probe(&target, opts));
    if outcome.status != Status::Ok {
        let tail = outcome.stderr_tail.lines().last().unwrap_or("").to_owned();
        bail!(
            "{}: {} ({}){}",
            terminal_safe(&name),
            outcome.status,
            terminal_safe(outcome.detail.as_deref().unwrap_or("no detail")),
            if tail.is_empty() {
                String::new()
            } else {
                format!("; stderr: {}", terminal_safe(&tail))
            }
        );
    }
    Ok(ServerTools {
        server: name,
        tools: outcome.tools,
        origin: std::path::PathBuf::from("probe"),
        notes: Vec::new(),
    })
}

/// The stdio command the user typed after `--`.
pub fn stdio_target(command: &[String]) -> anyhow::Result<ProbeTarget> {
    let Some((cmd, rest)) = command.split_first() else {
        bail!("give the server's command after `--`, e.g. `mcp-risk classify --stdio -- npx -y @modelcontextprotocol/server-everything`");
    };
    Ok(ProbeTarget::Stdio {
        command: cmd.clone(),
        args: rest.to_vec(),
        env: BTreeMap::new(),
    })
}

/// Every server of an agent-client config, probed (stdio ones only with
/// `allow_exec`, always sandboxed). Servers that could not be listed are
/// reported on stderr and left out; none listed at all is an error.
pub fn config_servers(
    path: &std::path::Path,
    allow_exec: bool,
    opts: &ProbeOptions,
) -> anyhow::Result<Vec<ServerTools>> {
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
                notes: Vec::new(),
            }),
            Err(why) => failed.push(format!("{}: {why}", rec.name)),
        }
    }
    for f in &failed {
        eprintln!("not classified: {}", terminal_safe(f));
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
    Ok(out)
}
