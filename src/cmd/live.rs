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
use crate::registry::packages::Installer;
use crate::registry::prepare::{prepare_one, Prepared};
use crate::registry::{Launch, PackageLaunch, PackageRegistry, Source};
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
    let why = hint(&target, outcome.status);
    listed(&target, outcome, name, &why)
}

/// The tools a probe listed; when it did not list them, an error that names
/// the status, its detail and `hint`, after the last lines of the server's
/// stderr (as `probe` shows them).
fn listed(
    target: &ProbeTarget,
    outcome: crate::mcp::ProbeOutcome,
    name: String,
    hint: &str,
) -> anyhow::Result<ServerTools> {
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
            hint
        );
    }
    Ok(ServerTools {
        server: name,
        tools: outcome.tools,
        origin: probed_origin(target),
        notes: Vec::new(),
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

/// `classify --server NAME` for a server the database lacks: when the
/// bundled registry knows it (by the same matching as `--server`), install
/// and probe it under `scan`'s rules (curated and pinned, so no
/// `--allow-exec`; sandboxed, no network; remote ones as with `--url`).
/// `Ok(None)` when the registry does not know it either; an error with one
/// line when it cannot be reached (needs network, a token, configuration).
pub fn from_bundled(
    query: &str,
    opts: &ProbeOptions,
    cache: &std::path::Path,
) -> anyhow::Result<Option<ServerTools>> {
    use super::db::{match_server, Candidate, Match};
    let rt = super::runtime()?;
    let records = rt.block_on(crate::registry::Bundled.records())?;
    let cands: Vec<Candidate> = records
        .iter()
        .map(|r| Candidate {
            name: r.name.clone(),
            aliases: match &r.launch {
                Launch::Package(p) => vec![p.identifier.clone()],
                Launch::Probe(ProbeTarget::Http { url, .. }) => url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            },
        })
        .collect();
    let name = match match_server(&cands, query) {
        Match::One(name) => name,
        Match::Many(names) => bail!(
            "{:?} is not in the database, and matches {} servers of the bundled registry: {}; give more of the name",
            terminal_safe(query),
            names.len(),
            terminal_safe(&names.join(", "))
        ),
        Match::None(_) => return Ok(None),
    };
    let rec = records
        .into_iter()
        .find(|r| r.name == name)
        .context("bundled record vanished")?;
    eprintln!(
        "{} is not in the database; the bundled registry knows it: probing it as `scan` does (installed pinned into the cache, run sandboxed)",
        terminal_safe(&name)
    );
    let installer = Installer::new(cache);
    let target = match rt.block_on(prepare_one(&rec, &installer, true)) {
        Prepared::Tools { tools } => {
            return Ok(Some(ServerTools {
                server: name,
                tools,
                origin: "data/registry.json".into(),
                notes: Vec::new(),
            }))
        }
        Prepared::Skipped { status, reason } => bail!(
            "{}: {status}: {}{}",
            terminal_safe(&name),
            terminal_safe(&reason),
            unreachable_hint(status)
        ),
        Prepared::Probe { target } => target,
    };
    let outcome = rt.block_on(probe(&target, opts));
    let why = unreachable_hint(outcome.status);
    listed(&target, outcome, name, why).map(Some)
}

/// What a user can do about a server that could not be reached.
fn unreachable_hint(status: Status) -> &'static str {
    match status {
        Status::NeedsNetwork => ". It needs the network to list its tools, which the sandbox withholds",
        Status::AuthRequired => ". It needs a token: pass it with `mcp-risk classify --url URL --header 'Authorization: Bearer …'`",
        Status::NeedsConfig => ". It needs configuration (an API key or a path) before it lists its tools",
        Status::InstallFailed => ". Its package could not be installed: is npm / python3 with venv there, and the registry reachable?",
        _ => "",
    }
}

/// A launcher entry that downloads its package at start (`npx -y pkg@1.2.3
/// args`, `uvx pkg==1.2 args`, `uvx pkg@1.2`, `uvx pkg`) as the package
/// install `scan` uses: the registry, the package, its version if the entry
/// pins one (else empty: [`pin_latest`] fills it), the remaining arguments
/// and the entry's environment. `None` for anything else, and for forms we
/// do not map (`npx -p x cmd`, `uvx --from x cmd`, other flags with values).
pub fn as_package(
    command: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
) -> Option<PackageLaunch> {
    let base = command.rsplit('/').next().unwrap_or(command);
    let (registry, quiet_flags): (PackageRegistry, &[&str]) = match base {
        "npx" => (PackageRegistry::Npm, &["-y", "--yes", "-q", "--quiet"]),
        "uvx" => (PackageRegistry::Pypi, &["-q", "--quiet"]),
        _ => return None,
    };
    let mut rest = args.iter();
    let spec = loop {
        let a = rest.next()?;
        if quiet_flags.contains(&a.as_str()) {
            continue;
        }
        if a.starts_with('-') {
            return None;
        }
        break a;
    };
    let (identifier, version) = match registry {
        PackageRegistry::Npm => match spec.rsplit_once('@') {
            Some((name, v)) if !name.is_empty() => (name.to_owned(), v.to_owned()),
            _ => (spec.clone(), String::new()),
        },
        _ => match spec.split_once("==").or_else(|| spec.split_once('@')) {
            Some((name, v)) => (name.trim().to_owned(), v.trim().to_owned()),
            None => (spec.clone(), String::new()),
        },
    };
    let version = if version == "latest" {
        String::new()
    } else {
        version
    };
    Some(PackageLaunch {
        registry,
        identifier,
        version,
        runtime_args: Vec::new(),
        package_args: rest.cloned().collect(),
        env: env.clone(),
    })
}

/// Fills in the current version of an unpinned package from its registry
/// (`npm view`, `pip index versions`: the machine's own clients, which
/// honour its registry and certificate settings as the install does), so
/// it installs pinned into the cache.
pub async fn pin_latest(pkg: &mut PackageLaunch) -> Result<(), String> {
    if !pkg.version.is_empty() {
        return Ok(());
    }
    let found = match pkg.registry {
        PackageRegistry::Npm => {
            let out = client_output(
                "npm",
                &["view", "--json", &pkg.identifier, "version"],
                First,
            )
            .await?;
            serde_json::from_str::<serde_json::Value>(&out)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
        }
        _ => {
            let out = client_output(
                "python3",
                &["-m", "pip", "index", "versions", &pkg.identifier],
                Last,
            )
            .await?;
            // First line: `name (version)`.
            out.lines()
                .next()
                .and_then(|l| l.rsplit_once('(')?.1.strip_suffix(')').map(str::to_owned))
        }
    };
    pkg.version = found.ok_or_else(|| format!("no version of {} found", pkg.identifier))?;
    Ok(())
}

/// Which stderr line of a failing client says why: npm leads with its error
/// code, pip ends with its message.
#[derive(Clone, Copy)]
enum ErrLine {
    First,
    Last,
}
use ErrLine::{First, Last};

/// Runs a package client and returns its stdout, or one line saying what
/// failed (the client's own first or last non-empty stderr line).
async fn client_output(program: &str, args: &[&str], line: ErrLine) -> Result<String, String> {
    let out = tokio::process::Command::new(program)
        .args(args)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let mut lines = err.lines().filter(|l| !l.trim().is_empty());
        let why = match line {
            First => lines.next(),
            Last => lines.next_back(),
        };
        return Err(format!(
            "{program} {} failed: {}",
            args.join(" "),
            why.unwrap_or("").trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Turns a downloading launcher entry into the cached, pinned install and
/// the target to probe, announcing it on stderr; `None` when the entry is
/// not one, `Some(Err)` with one line when it cannot be installed.
pub fn install_launcher(
    rt: &tokio::runtime::Runtime,
    name: &str,
    command: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    cache: &std::path::Path,
) -> Option<Result<ProbeTarget, String>> {
    let mut pkg = as_package(command, args, env)?;
    let launcher = command.rsplit('/').next().unwrap_or(command).to_owned();
    Some(rt.block_on(async {
        pin_latest(&mut pkg).await.map_err(|e| {
            format!(
                "`{launcher}` downloads {} when it starts and the sandbox has no network; its version could not be found ({e}): pin it (`{}@VERSION`)",
                pkg.identifier, pkg.identifier
            )
        })?;
        eprintln!(
            "{}: `{launcher} {}` → {} {}@{} (pinned; installed once into the cache {}; run sandboxed)",
            terminal_safe(name),
            terminal_safe(&args.join(" ")),
            match pkg.registry {
                PackageRegistry::Npm => "npm",
                _ => "PyPI",
            },
            terminal_safe(&pkg.identifier),
            terminal_safe(&pkg.version),
            cache.display()
        );
        Installer::new(cache)
            .prepare(&pkg)
            .await
            .map_err(|(status, why)| format!("{status}: {why}"))
    }))
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

/// Every server of an agent-client config, probed (local ones only with
/// `allow_exec`, always sandboxed, `npx`/`uvx` entries installed pinned into
/// the cache first; remote ones only with `allow_remote`). Servers that could not be listed are
/// reported on stderr and left out (the second list names them, so a
/// partial audit cannot pass `--fail-on`); none listed at all is an error.
pub fn config_servers(
    path: &std::path::Path,
    allow_exec: bool,
    allow_remote: bool,
    opts: &ProbeOptions,
    cache: &std::path::Path,
) -> anyhow::Result<(Vec<ServerTools>, Vec<String>)> {
    let rt = super::runtime()?;
    let source = ConfigFile::new(path);
    let records = rt
        .block_on(source.records())
        .with_context(|| format!("reading {}", path.display()))?;
    let installer = Installer::new(cache);
    let mut out = Vec::new();
    let mut failed = Vec::new();
    for rec in records {
        let prepared = match &rec.launch {
            // Remote servers get the config's headers (often real tokens):
            // contacting them is opt-in, like launching local ones.
            Launch::Probe(ProbeTarget::Http { .. }) if !allow_remote => Prepared::Skipped {
                status: Status::SkippedPolicy,
                reason: "contacting a remote server needs --allow-remote (the config's headers would be sent to it)".into(),
            },
            // `npx -y pkg` / `uvx pkg`: the cached, pinned install `scan` uses.
            Launch::Probe(ProbeTarget::Stdio { command, args, env }) if allow_exec => {
                match install_launcher(&rt, &rec.name, command, args, env, cache) {
                    Some(Ok(target)) => Prepared::Probe { target },
                    Some(Err(why)) => Prepared::Skipped {
                        status: Status::InstallFailed,
                        reason: why,
                    },
                    None => rt.block_on(prepare_one(&rec, &installer, allow_exec)),
                }
            }
            _ => rt.block_on(prepare_one(&rec, &installer, allow_exec)),
        };
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
            match (allow_exec, allow_remote) {
                (true, true) => "",
                (false, true) => " (local servers need --allow-exec to be launched, sandboxed)",
                (true, false) => " (remote servers need --allow-remote to be contacted)",
                (false, false) =>
                    " (local servers need --allow-exec to be launched, sandboxed; remote ones --allow-remote)",
            }
        );
    }
    Ok((out, failed.into_iter().map(|(name, _)| name).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn downloading_launchers_map_to_pinned_packages() {
        let env = BTreeMap::from([("TOKEN".to_owned(), "x".to_owned())]);
        let p = as_package(
            "npx",
            &args(&[
                "-y",
                "@modelcontextprotocol/server-filesystem@2025.1.14",
                "/data",
            ]),
            &env,
        )
        .unwrap();
        assert_eq!(p.registry, PackageRegistry::Npm);
        assert_eq!(p.identifier, "@modelcontextprotocol/server-filesystem");
        assert_eq!(p.version, "2025.1.14");
        assert_eq!(p.package_args, vec!["/data"]);
        assert_eq!(p.env, env);
        // Unpinned (or @latest): the version is looked up before installing.
        let p = as_package("/usr/bin/npx", &args(&["--yes", "@scope/pkg"]), &env).unwrap();
        assert_eq!(
            (p.identifier.as_str(), p.version.as_str()),
            ("@scope/pkg", "")
        );
        let p = as_package("npx", &args(&["-y", "pkg@latest"]), &env).unwrap();
        assert_eq!((p.identifier.as_str(), p.version.as_str()), ("pkg", ""));
        let p = as_package(
            "uvx",
            &args(&["mcp-server-time==2025.9.25", "--local-timezone=UTC"]),
            &env,
        )
        .unwrap();
        assert_eq!(p.registry, PackageRegistry::Pypi);
        assert_eq!(
            (p.identifier.as_str(), p.version.as_str()),
            ("mcp-server-time", "2025.9.25")
        );
        assert_eq!(p.package_args, vec!["--local-timezone=UTC"]);
        let p = as_package("uvx", &args(&["mcp-server-fetch@0.6.2"]), &env).unwrap();
        assert_eq!(
            (p.identifier.as_str(), p.version.as_str()),
            ("mcp-server-fetch", "0.6.2")
        );
        // Forms we do not map are left to run as they are.
        assert!(as_package("npx", &args(&["-p", "pkg", "cmd"]), &env).is_none());
        assert!(as_package("uvx", &args(&["--from", "git+https://x", "cmd"]), &env).is_none());
        assert!(as_package("node", &args(&["index.js"]), &env).is_none());
        assert!(as_package("npx", &args(&["-y"]), &env).is_none());
    }
}
