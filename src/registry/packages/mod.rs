//! Package launching: installs a registry package at its pinned version into
//! a cache directory (with network, outside the sandbox) and returns the
//! [`ProbeTarget`] that runs it (inside the sandbox, offline).
//!
//! - npm: `npm install` into an isolated prefix per `name@version`, run as
//!   `node <bin>` from the package's own package.json (never `npx` at run
//!   time, which would reach the network).
//! - PyPI: a venv per `name==version`, run through its console script.
//! - OCI: `docker`/`podman pull` when an engine actually answers, run with
//!   `--network none`; without one the server is `skipped_policy`.
//! - NuGet and MCPB are `skipped_policy` with the reason.
//!
//! Install-time code: npm runs with `--ignore-scripts` and pip with
//! `--only-binary=:all:`, so installing never executes package code outside
//! the sandbox (the bundled registry is verified to work this way). A
//! package that needs a build step fails with `install_failed` and says so.
//!
//! Cache: `<cache>/<ecosystem>/<name>@<version>/` (`<ecosystem>`: npm, pypi), with a marker file written
//! only after a successful install (a killed install is redone) and a lock
//! file per package directory (concurrent scans install once). A failed
//! install's directory is removed. The marker records the install's size;
//! its mtime is when the install was last used. [`cache`] keeps the cache
//! within a budget.
//!
//! Shared stores ([`Installer::detect_shared_stores`], the default of `scan`
//! and `crawl` unless `--no-shared-stores`): PyPI through `uv` (one cache
//! under `<cache>/uv`, hardlinked into each venv), npm through `pnpm` (one
//! content-addressed store under `<cache>/pnpm-store`, hardlinked into each
//! package's own `node_modules`), else npm with one `--cache <cache>/npm-cache`
//! and `--prefer-offline`. Every file a server runs stays inside its own
//! package directory (hardlinks, or symlinks within it), which is what the
//! sandbox exposes. The registries' usual environment variables are honoured
//! (`npm_config_registry` by npm and pnpm; `PIP_INDEX_URL` by pip, and by uv
//! when neither `UV_DEFAULT_INDEX` nor `UV_INDEX_URL` is set).
//!
//! A full disk during an install (ENOSPC in the install log or an I/O
//! error) is `disk_full`, and the partial install is removed.

pub mod cache;
mod npm;
mod oci;
mod pypi;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::OnceCell;

use super::{PackageLaunch, PackageRegistry};
use crate::mcp::{ProbeTarget, Status};

/// Written in a package directory once its install succeeded.
pub const MARKER: &str = ".mcp-risk-installed";
/// Bytes of an install log kept in an `install_failed` reason.
const LOG_TAIL: usize = 2000;

/// Why a package cannot be run: the status to record and a reason.
pub type PrepareError = (Status, String);

/// Installs packages into one cache directory. The tool paths can be changed
/// (tests use stand-ins; users with several Pythons can pick one).
#[derive(Debug)]
pub struct Installer {
    pub cache_dir: PathBuf,
    pub npm: String,
    pub node: String,
    pub python: String,
    /// Container engines tried in order.
    pub engines: Vec<String>,
    pub install_timeout: Duration,
    /// Install PyPI packages with this `uv` (shared cache) instead of venv+pip.
    pub uv: Option<String>,
    /// Install npm packages with this `pnpm` (shared store) instead of npm.
    pub pnpm: Option<String>,
    /// Give npm one shared `--cache` and `--prefer-offline` (when pnpm is not used).
    pub npm_shared_cache: bool,
    engine: OnceCell<Result<String, String>>,
}

impl Installer {
    pub fn new(cache_dir: &Path) -> Installer {
        Installer {
            cache_dir: cache_dir.to_owned(),
            npm: "npm".to_owned(),
            node: "node".to_owned(),
            python: "python3".to_owned(),
            engines: vec!["docker".to_owned(), "podman".to_owned()],
            install_timeout: Duration::from_secs(600),
            uv: None,
            pnpm: None,
            npm_shared_cache: false,
            engine: OnceCell::new(),
        }
    }

    /// Uses the shared stores: `uv` and `pnpm` when they are on PATH (or, for
    /// a tool `pip install --user` put in `~/.local/bin` off PATH, there),
    /// and npm's shared cache otherwise.
    pub fn detect_shared_stores(&mut self) {
        let user_bin = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(".local").join("bin"));
        let found = |p: &str| {
            which::which(p)
                .or_else(|e| {
                    let dir = user_bin.as_deref().ok_or(e)?;
                    which::which_in(p, Some(dir), dir)
                })
                .ok()
                .map(|p| p.to_string_lossy().into_owned())
        };
        self.uv = found("uv");
        self.pnpm = found("pnpm");
        self.npm_shared_cache = true;
    }

    /// How packages are installed, for the scan summary: `uv`, `pnpm`,
    /// `npm --cache` or `pip`/`npm`.
    pub fn describe_stores(&self) -> String {
        let py = if self.uv.is_some() { "uv" } else { "pip" };
        let js = match (&self.pnpm, self.npm_shared_cache) {
            (Some(_), _) => "pnpm",
            (None, true) => "npm (shared cache)",
            (None, false) => "npm",
        };
        format!("{py}, {js}")
    }

    /// How to prune the shared stores this installer uses, each with its
    /// own tool: `pnpm store prune` (drops files no install links to any
    /// more), `uv cache prune --ci` (drops downloaded wheels, kept by every
    /// venv that links them, and anything unreachable; packages are
    /// installed from wheels only, so nothing built is lost), and `npm cache
    /// verify` (garbage-collects what npm's index no longer references).
    /// uv and pnpm only when this installer has them.
    pub fn pruners(&self) -> Vec<cache::Pruner> {
        let dir = |store: &str| self.cache_dir.join(store).to_string_lossy().into_owned();
        let pruner = |store: &'static str, program: &str, args: Vec<String>| cache::Pruner {
            store,
            program: program.to_owned(),
            args,
            timeout: self.install_timeout,
        };
        let mut out = Vec::new();
        if let Some(pnpm) = &self.pnpm {
            // A prune also empties pnpm's metadata cache, by default the
            // user's own (~/.cache/pnpm): point it at an empty one of ours.
            let metadata = self
                .cache_dir
                .join(format!("{}.prune-cache", cache::PNPM_STORE));
            out.push(pruner(
                cache::PNPM_STORE,
                pnpm,
                vec![
                    "store".into(),
                    "prune".into(),
                    "--store-dir".into(),
                    dir(cache::PNPM_STORE),
                    format!("--config.cache-dir={}", metadata.to_string_lossy()),
                    "--reporter=append-only".into(),
                ],
            ));
        }
        if let Some(uv) = &self.uv {
            out.push(pruner(
                cache::UV_CACHE,
                uv,
                vec![
                    "cache".into(),
                    "prune".into(),
                    "--ci".into(),
                    "--cache-dir".into(),
                    dir(cache::UV_CACHE),
                ],
            ));
        }
        out.push(pruner(
            cache::NPM_CACHE,
            &self.npm,
            vec![
                "cache".into(),
                "verify".into(),
                "--cache".into(),
                dir(cache::NPM_CACHE),
                "--loglevel=warn".into(),
            ],
        ));
        out
    }

    /// The directory a package installs into (npm and PyPI only).
    pub fn install_dir(&self, pkg: &PackageLaunch) -> Option<PathBuf> {
        match pkg.registry {
            PackageRegistry::Npm => Some(self.package_dir("npm", pkg, "@")),
            PackageRegistry::Pypi => Some(self.package_dir("pypi", pkg, "==")),
            _ => None,
        }
    }

    /// Marks the package's install as in use until the lease is dropped
    /// (a shared lock on `<dir>.use`): eviction leaves it alone, in this
    /// process and any other on the same cache. `None` for packages that
    /// are not installed into the cache.
    pub async fn lease(&self, pkg: &PackageLaunch) -> Option<Lease> {
        let dir = self.install_dir(pkg)?;
        let path = cache::sibling(&dir, ".use");
        std::fs::create_dir_all(path.parent()?).ok()?;
        tokio::task::spawn_blocking(move || flock_file(&path, libc::LOCK_SH).ok())
            .await
            .ok()
            .flatten()
            .map(|file| Lease { _file: file, dir })
    }

    /// Installs (or reuses) the package and returns how to run it.
    pub async fn prepare(&self, pkg: &PackageLaunch) -> Result<ProbeTarget, PrepareError> {
        match pkg.registry {
            PackageRegistry::Npm => npm::prepare(self, pkg).await,
            PackageRegistry::Pypi => pypi::prepare(self, pkg).await,
            PackageRegistry::Oci => oci::prepare(self, pkg).await,
            PackageRegistry::Nuget => Err((
                Status::SkippedPolicy,
                format!(
                    "nuget package {} is not launched: .NET tool packages are not supported",
                    pkg.identifier
                ),
            )),
            PackageRegistry::Mcpb => Err((
                Status::SkippedPolicy,
                format!(
                    "mcpb bundle {} is not launched: MCP bundles are not supported",
                    pkg.identifier
                ),
            )),
        }
    }

    /// The package's directory in the cache (names made safe for a path).
    fn package_dir(&self, ecosystem: &str, pkg: &PackageLaunch, sep: &str) -> PathBuf {
        self.cache_dir.join(ecosystem).join(format!(
            "{}{sep}{}",
            path_safe(&pkg.identifier),
            path_safe(&pkg.version)
        ))
    }
}

/// Installs and resolves the package with the default tools.
pub async fn prepare(pkg: &PackageLaunch, cache_dir: &Path) -> Result<ProbeTarget, PrepareError> {
    Installer::new(cache_dir).prepare(pkg).await
}

/// The default cache: `$XDG_CACHE_HOME/mcp-risk`, else `~/.cache/mcp-risk`.
pub fn default_cache_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("mcp-risk");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h).join(".cache").join("mcp-risk");
    }
    std::env::temp_dir().join("mcp-risk-cache")
}

fn path_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '_' | '-') {
                c
            } else {
                '+'
            }
        })
        .collect()
}

/// A version must be one exact version: no ranges, tags, URLs or paths.
fn check_version(pkg: &PackageLaunch) -> Result<(), PrepareError> {
    let v = &pkg.version;
    let ok = !v.is_empty()
        && v != "latest"
        && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'));
    if ok {
        Ok(())
    } else {
        Err((
            Status::NeedsConfig,
            format!(
                "{} version `{}` is not one pinned version",
                pkg.identifier, pkg.version
            ),
        ))
    }
}

/// An exclusive lock on a package directory, held until dropped.
struct DirLock(#[allow(dead_code)] std::fs::File);

/// A package's install in use (see [`Installer::lease`]), until dropped.
pub struct Lease {
    _file: std::fs::File,
    /// The install's directory.
    pub dir: PathBuf,
}

/// Opens (creating) `path` and flocks it with `op`, waiting.
fn flock_file(path: &Path, op: libc::c_int) -> std::io::Result<std::fs::File> {
    use std::os::fd::AsRawFd;
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    // SAFETY: flock on a file descriptor we own; released when `f` closes.
    let rc = unsafe { libc::flock(f.as_raw_fd(), op) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(f)
}

/// The status of an I/O failure: `disk_full` when the disk is.
fn io_status(e: &std::io::Error) -> Status {
    match e.raw_os_error() {
        Some(libc::ENOSPC) | Some(libc::EDQUOT) => Status::DiskFull,
        _ => Status::InstallFailed,
    }
}

/// Whether an installer's output says the disk is full.
fn says_disk_full(log: &str) -> bool {
    log.contains("No space left on device")
        || log.contains("ENOSPC")
        || log.contains("Disk quota exceeded")
}

async fn lock(dir: &Path) -> Result<DirLock, PrepareError> {
    let lock_path = cache::sibling(dir, ".lock");
    let fail = |e: std::io::Error| {
        (
            io_status(&e),
            format!("cannot lock {}: {e}", lock_path.display()),
        )
    };
    if let Some(parent) = lock_path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let path = lock_path.clone();
    tokio::task::spawn_blocking(move || flock_file(&path, libc::LOCK_EX).map(DirLock))
        .await
        .map_err(|e| fail(std::io::Error::other(e)))?
        .map_err(fail)
}

/// A package's directory in the cache, locked for as long as this lives.
struct Slot {
    dir: PathBuf,
    /// When no finished install is there: the (new, empty) directory was
    /// made at this instant and the caller installs into it.
    fresh: Option<std::time::Instant>,
    _lock: DirLock,
}

/// The common start of an npm or PyPI install: the name passes `valid` (else
/// "`name` is not {what}"), the version is one pinned version, and the
/// package's directory is locked and, when it holds no finished install,
/// made anew.
async fn open_slot(
    inst: &Installer,
    pkg: &PackageLaunch,
    ecosystem: &str,
    sep: &str,
    valid: fn(&str) -> bool,
    what: &str,
) -> Result<Slot, PrepareError> {
    if !valid(&pkg.identifier) {
        return Err((
            Status::InstallFailed,
            format!("`{}` is not {what}", pkg.identifier),
        ));
    }
    check_version(pkg)?;
    let dir = inst.package_dir(ecosystem, pkg, sep);
    let lock = lock(&dir).await?;
    let mut fresh = None;
    if installed(&dir).await? {
        // Last used now (what eviction orders by).
        let _ = std::fs::File::options()
            .write(true)
            .open(dir.join(MARKER))
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
    } else {
        fresh = Some(std::time::Instant::now());
        std::fs::create_dir_all(&dir).map_err(|e| {
            (
                io_status(&e),
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
    }
    Ok(Slot {
        dir,
        fresh,
        _lock: lock,
    })
}

impl Slot {
    /// Ends a fresh install: on success the marker (with the install's time
    /// and size) is written; on failure the partial install is removed.
    async fn finish<T>(&self, result: Result<T, PrepareError>) -> Result<T, PrepareError> {
        let result = match (result, self.fresh) {
            (Ok(v), Some(started)) => mark_installed(&self.dir, started).map(|()| v),
            (r, _) => r,
        };
        if result.is_err() {
            remove_dir(self.dir.clone()).await;
        }
        result
    }
}

async fn remove_dir(dir: PathBuf) {
    let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(dir)).await;
}

/// Whether `dir` holds a finished install; a partial one is removed (off the
/// async threads: a half-made venv is hundreds of megabytes).
async fn installed(dir: &Path) -> Result<bool, PrepareError> {
    if dir.join(MARKER).is_file() {
        return Ok(true);
    }
    if dir.exists() {
        let owned = dir.to_owned();
        tokio::task::spawn_blocking(move || std::fs::remove_dir_all(&owned))
            .await
            .map_err(std::io::Error::other)
            .and_then(|r| r)
            .map_err(|e| {
                (
                    Status::InstallFailed,
                    format!("cannot clear partial install {}: {e}", dir.display()),
                )
            })?;
    }
    Ok(false)
}

fn mark_installed(dir: &Path, started: std::time::Instant) -> Result<(), PrepareError> {
    let body = format!(
        "{{\"install_ms\":{},\"bytes\":{}}}\n",
        started.elapsed().as_millis(),
        cache::disk_usage(dir)
    );
    std::fs::write(dir.join(MARKER), body).map_err(|e| {
        (
            io_status(&e),
            format!("cannot write {}: {e}", dir.join(MARKER).display()),
        )
    })
}

/// Runs one install step with its output appended to `log`; a failure is
/// `install_failed` with the log's tail.
async fn run_step(
    program: &str,
    args: &[&str],
    log: &Path,
    timeout: Duration,
) -> Result<(), PrepareError> {
    run_step_env(program, args, &[], log, timeout).await
}

/// [`run_step`] with extra environment variables. An install that fails
/// saying the disk is full is `disk_full`.
async fn run_step_env(
    program: &str,
    args: &[&str],
    envs: &[(&str, String)],
    log: &Path,
    timeout: Duration,
) -> Result<(), PrepareError> {
    use std::io::Write;
    let fail = |why: String| (Status::InstallFailed, why);
    let io_fail = |e: std::io::Error| {
        (
            io_status(&e),
            format!("cannot write {}: {e}", log.display()),
        )
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(io_fail)?;
    writeln!(file, "$ {program} {}", args.join(" ")).map_err(io_fail)?;
    let err_file = file.try_clone().map_err(io_fail)?;
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(std::process::Stdio::null())
        .stdout(file)
        .stderr(err_file)
        // A group of its own, killed whole on SIGINT/SIGTERM (see
        // crate::interrupt) with whatever it started.
        .process_group(0)
        .kill_on_drop(true);
    let launching = crate::interrupt::Launching::start();
    let mut child = cmd
        .spawn()
        .map_err(|e| fail(format!("cannot run `{program}`: {e} (is it installed?)")))?;
    let _registered = child
        .id()
        .map(|pid| crate::interrupt::Registered::new(pid as i32));
    drop(launching);
    let status = match tokio::time::timeout(timeout, child.wait()).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Err(fail(format!("`{program}` failed: {e}"))),
        Err(_) => {
            let _ = child.kill().await;
            return Err(fail(format!(
                "`{program} {}` took longer than {}s\n{}",
                args.join(" "),
                timeout.as_secs(),
                log_tail(log)
            )));
        }
    };
    if status.success() {
        Ok(())
    } else {
        let tail = log_tail(log);
        let why = if says_disk_full(&tail) {
            Status::DiskFull
        } else {
            Status::InstallFailed
        };
        Err((
            why,
            format!(
                "`{program} {}` exited with {status}\n{tail}",
                args.join(" ")
            ),
        ))
    }
}

/// The last bytes of an install log (on a character boundary).
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut start = text.len().saturating_sub(LOG_TAIL);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    text[start..].trim().to_owned()
}

/// Looks a program up on PATH, so the target names an absolute path (the
/// sandbox's PATH may differ); falls back to the bare name.
fn which(program: &str) -> String {
    if program.contains('/') {
        return program.to_owned();
    }
    which::which(program)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| program.to_owned())
}

fn stdio(command: String, args: Vec<String>, env: &BTreeMap<String, String>) -> ProbeTarget {
    ProbeTarget::Stdio {
        command,
        args,
        env: env.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_safe_keeps_scopes_readable_and_blocks_traversal() {
        assert_eq!(path_safe("@scope/name"), "@scope+name");
        assert_eq!(path_safe("../../etc"), "..+..+etc");
    }
}
