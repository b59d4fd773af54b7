//! How a stdio server is launched: argv directly (never a shell), a cleared
//! environment plus declared dummy values, and, sandboxed, nothing of the
//! host it was not given:
//!
//! - namespaces (`namespaces.rs`): no network (only `lo`), its own PID
//!   namespace (nothing it starts outlives it, it sees no other process),
//!   its own IPC namespace, its own mount namespace;
//! - an allow-list view of the filesystem (`filesystem.rs`): the system
//!   read-only, its install and working directories read-only, a fresh /proc
//!   and minimal /dev, its own tmpfs for HOME and /tmp, nothing else;
//! - credentials (`credentials.rs`): no capabilities, a uid of its own when
//!   we are root, a fresh session keyring, memory and task limits.
//!
//! Processes are made with `clone(CLONE_VM | CLONE_VFORK)` (see `spawn.rs`).
//! Privileged, the child gets its namespaces from clone and joins a network
//! namespace lent by a pool (`netpool.rs`); unprivileged, clone makes a user
//! namespace too. Which works is found once per process by a forked test
//! child. When none works the launch fails closed with
//! [`SandboxError::Unavailable`]: running untrusted code with the network is
//! only done when the caller disabled the sandbox.

use std::collections::BTreeMap;
use std::ffi::{CString, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::DirBuilderExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

mod cgroup;
mod credentials;
mod filesystem;
mod launcher;
mod namespaces;
mod netpool;
mod spawn;
pub use credentials::Limits;
pub use launcher::{launch, Job};
pub use namespaces::{netns_support, Netns};
pub use spawn::Proc;

/// Why a server could not be launched.
#[derive(Debug, Error)]
pub enum SandboxError {
    #[error("no sandbox available: {0} (use --no-sandbox to run it without one, with the network and your environment)")]
    Unavailable(String),
    #[error("command not found: {0}")]
    NotFound(String),
    #[error("could not start {0}: {1}")]
    Spawn(String, io::Error),
    #[error("could not create a temporary directory: {0}")]
    Home(io::Error),
}

/// What to launch.
#[derive(Clone, Debug)]
pub struct Launch<'a> {
    pub program: &'a str,
    pub args: &'a [String],
    /// Declared variables (only these, plus PATH, HOME, LANG and TMPDIR, in the sandbox).
    pub env: &'a BTreeMap<String, String>,
    pub sandbox: bool,
    /// Memory and task limits (sandboxed only).
    pub limits: Limits,
}

/// A launched server. Dropping it kills the whole process group and removes
/// its temporary directory.
pub struct Spawned {
    pub proc: Proc,
    /// Process group id (= the child's pid): `kill(-pgid)` reaches grandchildren.
    pub pgid: i32,
    /// What isolated it, e.g. `netns+pidns+...+clearenv`, or `none`.
    pub kind: String,
    /// Without the view: the server's HOME; with it: where its root tmpfs
    /// was mounted before the pivot (an empty directory on the host).
    _dir: Option<TempDir>,
    /// The pooled network namespace it runs in, if any.
    lease: Option<netpool::Lease>,
    /// Its control group(s), where limits are kept that way.
    group: Option<cgroup::Group>,
}

impl Spawned {
    /// SIGKILL to the whole process group (grandchildren included).
    pub fn kill_group(&self) {
        kill_group(self.pgid);
    }

    /// Did it run into its memory or task limit (as far as its control
    /// group tells; rlimits leave only what the server printed)?
    pub fn limit_hit(&self) -> Option<String> {
        self.group.as_ref().and_then(cgroup::Group::limit_hit)
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        kill_group(self.pgid);
        // Once the server (the init of its PID namespace) is reaped, nothing
        // it started is left in the network namespace, which can serve the
        // next server; otherwise the namespace is dropped.
        let gone = matches!(self.proc.try_wait(), Ok(Some(_)));
        if let Some(lease) = self.lease.take().filter(|_| gone) {
            lease.give_back();
        }
        // Likewise its control group (empty once the PID namespace's init
        // is reaped); otherwise it is removed.
        if let Some(group) = self.group.take().filter(|_| gone) {
            group.give_back();
        }
    }
}

/// SIGKILL a process group; harmless when it is already gone.
pub fn kill_group(pgid: i32) {
    if pgid > 1 {
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is touched.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// A private temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    /// A new one in `base`.
    fn new_in(base: &Path) -> io::Result<TempDir> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!(
            "mcp-risk-home-{}-{n}-{nanos:x}",
            std::process::id()
        ));
        // Made 0700 at once (a umask can only take bits away).
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Most servers write nothing there: one rmdir then.
        if std::fs::remove_dir(&self.0).is_err() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Lines for /proc/self/uid_map and gid_map mapping `uid` and `gid` to
/// themselves.
fn id_maps(uid: u32, gid: u32) -> Option<(CString, CString)> {
    Some((
        CString::new(format!("{uid} {uid} 1")).ok()?,
        CString::new(format!("{gid} {gid} 1")).ok()?,
    ))
}

/// Launches `l` with piped stdin/stdout/stderr, in its own session and
/// process group, in the sandbox unless `l.sandbox` is false.
pub fn spawn(l: &Launch<'_>) -> Result<Spawned, SandboxError> {
    let netns = if l.sandbox {
        Some(netns_support().map_err(SandboxError::Unavailable)?)
    } else {
        None
    };
    let bad = |what: &str| {
        SandboxError::Spawn(
            l.program.to_string(),
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{what} contains a NUL byte"),
            ),
        )
    };
    let mut env: BTreeMap<OsString, OsString> = BTreeMap::new();
    let dir = if let Some(mode) = netns {
        let base = if mode.fs {
            filesystem::staging_base()
        } else {
            std::env::temp_dir()
        };
        let dir = TempDir::new_in(&base).map_err(SandboxError::Home)?;
        let (home, tmp) = if mode.fs {
            (filesystem::HOME.into(), filesystem::TMP.into())
        } else {
            // Without the view the only writable place is this directory.
            (
                dir.0.clone().into_os_string(),
                dir.0.clone().into_os_string(),
            )
        };
        env.insert(
            "PATH".into(),
            std::env::var_os("PATH").unwrap_or_else(default_path),
        );
        env.insert("HOME".into(), home);
        env.insert("TMPDIR".into(), tmp);
        env.insert(
            "LANG".into(),
            std::env::var_os("LANG").unwrap_or_else(|| "C.UTF-8".into()),
        );
        Some(dir)
    } else {
        env.extend(std::env::vars_os());
        None
    };
    for (k, v) in l.env {
        env.insert(k.into(), v.into());
    }
    let path = resolve(l.program, env.get(std::ffi::OsStr::new("PATH")))
        .ok_or_else(|| SandboxError::NotFound(l.program.to_string()))?;
    let cstr = |b: &[u8], what: &str| CString::new(b).map_err(|_| bad(what));
    let mut argv = vec![cstr(l.program.as_bytes(), "the command")?];
    for a in l.args {
        argv.push(cstr(a.as_bytes(), "an argument")?);
    }
    let mut envp = Vec::with_capacity(env.len());
    for (k, v) in &env {
        let mut kv = k.as_bytes().to_vec();
        kv.push(b'=');
        kv.extend_from_slice(v.as_bytes());
        envp.push(cstr(&kv, "an environment variable")?);
    }
    let mut plan = spawn::Plan {
        path: cstr(path.as_os_str().as_bytes(), "the command")?,
        argv,
        envp,
        cwd: None,
        staging: None,
        view: Vec::new(),
        clone_flags: 0,
        join_net: -1,
        isolate: netns.is_some(),
        id_maps: None,
        server_uid: None,
        rlimit_memory: Some(l.limits.memory),
        rlimit_tasks: Some(l.limits.tasks),
        cgroup_procs: Vec::new(),
    };
    let mut group = None;
    let mut kind = String::from("none");
    let mut lease = None;
    if let (Some(mode), Some(dir)) = (netns, &dir) {
        let mut label = mode.label();
        // SAFETY: geteuid/getegid have no preconditions.
        let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
        // Root without a user namespace: a uid of its own, so it is no
        // longer the owner of everything root owns; unless its own files are
        // for root only (then it keeps uid 0, still without capabilities).
        let own_uid = !mode.user && uid == 0;
        if own_uid && !mode.fs {
            plan.server_uid = Some(credentials::next_server_uid());
            label.push_str("+uid");
        }
        if mode.fs {
            let cwd = std::env::current_dir().ok();
            let user_home = std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from);
            let view = filesystem::plan(&path, l.args, cwd.as_deref(), user_home.as_deref());
            if own_uid {
                if view.others_may_run(&path) {
                    plan.server_uid = Some(credentials::next_server_uid());
                    label.push_str("+uid");
                } else {
                    label.push_str("+uid0(its files are root's only)");
                }
            }
            label.push('+');
            label.push_str(&view.label());
            plan.staging = Some(cstr(dir.0.as_os_str().as_bytes(), "the staging directory")?);
            plan.cwd = Some(view.cwd);
            plan.view = view.ops;
        } else {
            // Without the view it starts in its HOME.
            if let Some(id) = plan.server_uid {
                std::os::unix::fs::chown(&dir.0, Some(id), Some(id)).map_err(SandboxError::Home)?;
            }
            plan.cwd = Some(cstr(dir.0.as_os_str().as_bytes(), "HOME")?);
        }
        if mode.pooled() {
            let l = netpool::lease().map_err(|e| {
                SandboxError::Spawn(
                    l.program.to_string(),
                    io::Error::new(e.kind(), format!("making a network namespace: {e}")),
                )
            })?;
            plan.join_net = l.fd();
            plan.clone_flags = mode.flags() & !libc::CLONE_NEWNET;
            lease = Some(l);
        } else {
            plan.clone_flags = mode.flags();
        }
        if mode.user {
            plan.id_maps = id_maps(uid, gid);
        }
        // The whole server in a control group where we may make one; else
        // per-process rlimits.
        let how = match cgroup::lease(&l.limits, plan.server_uid.is_none()) {
            Some(g) => {
                plan.cgroup_procs = g.procs.clone();
                plan.rlimit_memory = None;
                if g.bounds_tasks() {
                    plan.rlimit_tasks = None;
                }
                let how = g.label();
                group = Some(g);
                how
            }
            None => "rlimit",
        };
        label.push_str(&format!(
            "+keyring+limits({how}:mem={}M,tasks={})+clearenv",
            l.limits.memory >> 20,
            l.limits.tasks
        ));
        kind = label;
    }
    let proc = spawn::start(&plan).map_err(|f| {
        if f.at_exec() && f.error.kind() == io::ErrorKind::NotFound {
            SandboxError::NotFound(l.program.to_string())
        } else {
            SandboxError::Spawn(
                l.program.to_string(),
                io::Error::new(f.error.kind(), format!("{}: {}", f.step, f.error)),
            )
        }
    })?;
    if let Some(d) = &dir {
        crate::interrupt::attach_dir(proc.pid(), d.0.clone());
    }
    Ok(Spawned {
        pgid: proc.pid(),
        proc,
        kind,
        _dir: dir,
        lease,
        group,
    })
}

/// Where `program` is: a path (made absolute against our working directory,
/// which the child may not start in) or the first executable file of that
/// name on `path_var`.
fn resolve(program: &str, path_var: Option<&OsString>) -> Option<PathBuf> {
    if program.is_empty() {
        return None;
    }
    if program.contains('/') {
        let p = Path::new(program);
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().ok()?.join(p)
        };
        return p.exists().then_some(p);
    }
    // The same lookup as the installer's (the `which` crate): the first
    // executable file of that name on PATH.
    let dirs = path_var.cloned().unwrap_or_else(default_path);
    which::which_in(program, Some(dirs), std::env::current_dir().ok()?).ok()
}

fn default_path() -> OsString {
    "/usr/local/bin:/usr/bin:/bin".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn temp_dir_is_private_and_removed() {
        let h = TempDir::new_in(&std::env::temp_dir()).unwrap();
        let p = h.0.clone();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        drop(h);
        assert!(!p.exists());
    }
}
