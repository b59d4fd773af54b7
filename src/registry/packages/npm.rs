//! npm packages: an isolated `--prefix` per `name@version`, run as
//! `node <bin>` resolved from the installed package.json.

use std::path::Path;

use serde_json::Value;

use super::{cache, open_slot, run_step, stdio, which, Installer, PrepareError};
use crate::mcp::{ProbeTarget, Status};
use crate::registry::PackageLaunch;

/// npm's package-name rule: lowercase URL-safe, optionally `@scope/`. Anything
/// else (a URL, a path, a git spec) is refused before npm sees it.
fn valid_name(name: &str) -> bool {
    let part = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_' | '~')
            })
    };
    match name.strip_prefix('@') {
        Some(scoped) => scoped
            .split_once('/')
            .is_some_and(|(scope, pkg)| part(scope) && part(pkg)),
        None => part(name),
    }
}

pub(super) async fn prepare(
    inst: &Installer,
    pkg: &PackageLaunch,
) -> Result<ProbeTarget, PrepareError> {
    let slot = open_slot(inst, pkg, "npm", "@", valid_name, "an npm package name").await?;
    let dir = &slot.dir;
    if slot.fresh.is_some() {
        let result = match install(inst, pkg, dir).await {
            Ok(()) => bin_path(dir, &pkg.identifier).map(|_| ()),
            Err(e) => Err(e),
        };
        slot.finish(result).await?;
    }
    let bin = bin_path(dir, &pkg.identifier)?;
    if runs_itself(Path::new(&bin)) {
        return Ok(stdio(bin, pkg.package_args.clone(), &pkg.env));
    }
    let mut args = vec![bin];
    args.extend(pkg.package_args.iter().cloned());
    Ok(stdio(which(&inst.node), args, &pkg.env))
}

/// Installs `name@version` into `dir`: with pnpm (the shared store under the
/// cache, hardlinked into `dir/node_modules`), else with npm (an isolated
/// `--prefix`, with the shared cache when asked). Never runs install scripts.
async fn install(inst: &Installer, pkg: &PackageLaunch, dir: &Path) -> Result<(), PrepareError> {
    let spec = format!("{}@{}", pkg.identifier, pkg.version);
    let prefix = dir.to_string_lossy().into_owned();
    let log = dir.join("install.log");
    if let Some(pnpm) = &inst.pnpm {
        let manifest = dir.join("package.json");
        std::fs::write(
            &manifest,
            "{\"name\":\"mcp-risk-install\",\"private\":true}\n",
        )
        .map_err(|e| {
            (
                super::io_status(&e),
                format!("cannot write {}: {e}", manifest.display()),
            )
        })?;
        let store = inst
            .cache_dir
            .join(cache::PNPM_STORE)
            .to_string_lossy()
            .into_owned();
        // The store is in use (not pruned) until the install is done.
        let _store = cache::store_lease(&inst.cache_dir, cache::PNPM_STORE).await;
        // Resolve first (metadata only, nothing fetched into the store),
        // then install exactly that resolution.
        // pnpm 12 reads only its own `pnpm_config_registry`, not npm's
        // variable: hand it npm's registry so a mirror is not bypassed.
        let registry = pnpm_registry_flag(
            std::env::var("pnpm_config_registry").ok(),
            std::env::var("npm_config_registry")
                .or_else(|_| std::env::var("NPM_CONFIG_REGISTRY"))
                .ok(),
        );
        let mut common = vec![
            "--dir",
            prefix.as_str(),
            "--store-dir",
            store.as_str(),
            "--ignore-scripts",
            "--prod",
            "--config.node-linker=isolated",
            "--config.confirmModulesPurge=false",
            // Every file inside the package directory (hardlinks), none
            // behind a symlink into a global store the sandbox hides.
            "--config.enable-global-virtual-store=false",
            "--reporter=append-only",
            "--loglevel=warn",
        ];
        common.extend(registry.as_deref());
        let mut resolve = vec!["add", "--lockfile-only"];
        resolve.extend(&common);
        resolve.push(&spec);
        run_step(pnpm, &resolve, &log, inst.install_timeout).await?;
        if !peer_trouble(&std::fs::read_to_string(&log).unwrap_or_default()) {
            let mut install = vec!["install", "--frozen-lockfile"];
            install.extend(&common);
            return run_step(pnpm, &install, &log, inst.install_timeout).await;
        }
        // pnpm settles a peer dependency on a version outside its range
        // (where npm nests a matching copy), and the server may not even
        // start: install it with npm, as the plain path would.
        use std::io::Write;
        for leftover in ["node_modules", "package.json", "pnpm-lock.yaml"] {
            let p = dir.join(leftover);
            let _ = std::fs::remove_dir_all(&p).or_else(|_| std::fs::remove_file(&p));
        }
        if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(&log) {
            let _ = writeln!(
                f,
                "mcp-risk: peer dependency trouble under pnpm; installing with npm"
            );
        }
    }
    let npm_cache = inst.cache_dir.join(cache::NPM_CACHE);
    let npm_cache = npm_cache.to_string_lossy().into_owned();
    let _store = if inst.npm_shared_cache {
        Some(cache::store_lease(&inst.cache_dir, cache::NPM_CACHE).await)
    } else {
        None
    };
    let mut args = vec![
        "install",
        "--prefix",
        &prefix,
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--omit=dev",
        "--loglevel=warn",
    ];
    if inst.npm_shared_cache {
        args.extend(["--cache", &npm_cache, "--prefer-offline"]);
    }
    args.push(&spec);
    run_step(&inst.npm, &args, &log, inst.install_timeout).await
}

/// `--registry=URL` for pnpm when npm's registry variable names one and
/// pnpm's own does not (pnpm honours its own variable itself).
fn pnpm_registry_flag(pnpm_own: Option<String>, npm: Option<String>) -> Option<String> {
    if pnpm_own.is_some_and(|v| !v.is_empty()) {
        return None;
    }
    npm.filter(|v| !v.trim().is_empty())
        .map(|v| format!("--registry={}", v.trim()))
}

/// Whether pnpm's output says a peer dependency was left unmet or resolved
/// outside its range (pnpm 12: "peer dependency has issues"; earlier:
/// "unmet peer").
fn peer_trouble(log: &str) -> bool {
    log.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        (l.contains("peer dependenc") && l.contains("issues")) || l.contains("unmet peer")
    })
}

/// A bin that is a native executable, or a script for another interpreter
/// (`#!/bin/sh`), is run as it is; JavaScript is run with node.
fn runs_itself(bin: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 128];
    let n = std::fs::File::open(bin)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = &head[..n];
    if head.starts_with(b"\x7fELF") {
        return true;
    }
    if let Some(rest) = head.strip_prefix(b"#!") {
        let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
        return !String::from_utf8_lossy(line).contains("node");
    }
    false
}

/// The absolute path of the package's executable script: its only `bin`, or
/// the one named like the package.
fn bin_path(dir: &Path, name: &str) -> Result<String, PrepareError> {
    let pkg_dir = dir.join("node_modules").join(name);
    let manifest = pkg_dir.join("package.json");
    let fail = |why: String| (Status::InstallFailed, why);
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| fail(format!("{}: {e}", manifest.display())))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| fail(format!("{}: not valid JSON: {e}", manifest.display())))?;
    let short = name.rsplit('/').next().unwrap_or(name);
    let rel = match v.get("bin") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(bins)) => {
            let pick = bins
                .get(short)
                .or_else(|| bins.get(name))
                .or_else(|| (bins.len() == 1).then(|| bins.values().next()).flatten())
                .or_else(|| {
                    // Several commands: prefer one that mentions mcp, then the first by name.
                    let mut keys: Vec<&String> = bins.keys().collect();
                    keys.sort();
                    let key = keys
                        .iter()
                        .find(|k| k.contains("mcp"))
                        .or_else(|| keys.first())?;
                    bins.get(*key)
                });
            match pick.and_then(Value::as_str) {
                Some(s) => s.to_owned(),
                None => return Err(fail(format!("{name}: `bin` names no script"))),
            }
        }
        _ => {
            return Err(fail(format!(
                "{name} declares no executable (`bin` in package.json)"
            )))
        }
    };
    let path = pkg_dir.join(rel.trim_start_matches("./"));
    // The bin must stay inside the package (it is attacker-controlled text).
    let canon = path
        .canonicalize()
        .map_err(|e| fail(format!("{name}: bin {}: {e}", path.display())))?;
    let root = pkg_dir
        .canonicalize()
        .map_err(|e| fail(format!("{}: {e}", pkg_dir.display())))?;
    if !canon.starts_with(&root) {
        return Err(fail(format!(
            "{name}: bin {rel} points outside the package"
        )));
    }
    Ok(canon.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnpm_is_given_npms_registry_unless_it_has_its_own() {
        let url = || Some("http://127.0.0.1:4873/".to_owned());
        assert_eq!(
            pnpm_registry_flag(None, url()).as_deref(),
            Some("--registry=http://127.0.0.1:4873/")
        );
        assert_eq!(pnpm_registry_flag(url(), url()), None);
        assert_eq!(pnpm_registry_flag(None, None), None);
        assert_eq!(
            pnpm_registry_flag(Some(String::new()), Some(" ".into())),
            None
        );
    }

    #[test]
    fn peer_trouble_is_read_from_pnpm_output() {
        assert!(peer_trouble(
            "Progress: done\n✗ 1 peer dependency has issues: zod (see \"pnpm peers check\")\n"
        ));
        assert!(peer_trouble(" WARN  Issues with peer dependencies found\n└─┬ x\n  └── ✕ unmet peer zod@^3.25: found 3.24.1"));
        assert!(!peer_trouble(
            "Packages: +12\nProgress: resolved 12, reused 12, downloaded 0, added 12, done\n"
        ));
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_name("@modelcontextprotocol/server-memory"));
        assert!(valid_name("firecrawl-mcp"));
        assert!(!valid_name("git+https://example.com/x.git"));
        assert!(!valid_name("../evil"));
        assert!(!valid_name("@scope"));
        assert!(!valid_name("file:/etc"));
    }
}
