//! How a stdio server is launched: argv directly (never a shell), a cleared
//! environment plus declared dummy values, a fresh temporary HOME, no network
//! (a network namespace with only `lo`), a PID namespace of its own (so
//! nothing it starts outlives it), its own process group, no capabilities and
//! cheap rlimits.
//!
//! Processes are made with `clone(CLONE_VM | CLONE_VFORK)` (see `spawn.rs`).
//! Privileged, the child gets a new PID namespace from clone and joins a
//! network namespace lent by a pool (`netpool.rs`); unprivileged, clone makes
//! a user, network and PID namespace per server. Which works is found once per
//! process by a forked test child. When none works the launch fails closed
//! with [`SandboxError::Unavailable`]: running untrusted code with the network
//! is only done when the caller disabled the sandbox.

use std::collections::BTreeMap;
use std::ffi::{CString, OsString};
use std::io;
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use thiserror::Error;

mod launcher;
mod netpool;
mod spawn;
pub use launcher::{launch, Job};
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
    #[error("could not create a temporary HOME: {0}")]
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
}

/// A launched server. Dropping it kills the whole process group and removes
/// the temporary HOME.
pub struct Spawned {
    pub proc: Proc,
    /// Process group id (= the child's pid): `kill(-pgid)` reaches grandchildren.
    pub pgid: i32,
    /// What isolated it, e.g. `netns+clearenv`, or `none`.
    pub kind: String,
    home: Option<TempHome>,
    /// The pooled network namespace it runs in, if any.
    lease: Option<netpool::Lease>,
}

impl Spawned {
    /// SIGKILL to the whole process group (grandchildren included).
    pub fn kill_group(&self) {
        kill_group(self.pgid);
    }

    pub fn home(&self) -> Option<&Path> {
        self.home.as_ref().map(|h| h.0.as_path())
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        kill_group(self.pgid);
        // Once the server (the init of its PID namespace) is reaped, nothing
        // it started is left in the network namespace, which can serve the
        // next server; otherwise the namespace is dropped.
        if let Some(lease) = self.lease.take() {
            if matches!(self.proc.try_wait(), Ok(Some(_))) {
                lease.give_back();
            }
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

/// A private temporary directory used as HOME, removed on drop.
struct TempHome(PathBuf);

impl TempHome {
    /// A new one in `base`.
    fn new_in(base: &Path) -> io::Result<TempHome> {
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
        Ok(TempHome(dir))
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        // Most servers write nothing there: one rmdir then.
        if std::fs::remove_dir(&self.0).is_err() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Which namespaces this machine lets us make (found once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Netns {
    /// A user namespace first (we are not privileged).
    pub user: bool,
    /// A PID namespace too, with the server as its init: when the server
    /// dies the kernel kills everything it started, even processes that left
    /// its process group with setsid(2).
    pub pid: bool,
    /// A mount namespace in which every mount is read-only and nosuid, but
    /// for a fresh size-capped tmpfs on the server's HOME (see [`readonly_fs`]).
    pub fs: bool,
}

impl Netns {
    /// The namespace flags for clone/unshare when everything is made fresh.
    fn flags(self) -> libc::c_int {
        let mut f = libc::CLONE_NEWNET;
        if self.user {
            f |= libc::CLONE_NEWUSER;
        }
        if self.pid {
            f |= libc::CLONE_NEWPID;
        }
        if self.fs {
            f |= libc::CLONE_NEWNS;
        }
        f
    }

    /// Reused network namespaces are only safe when nothing a server started
    /// can outlive it (a PID namespace) and when we can join them (privileged).
    fn pooled(self) -> bool {
        self.pid && !self.user
    }

    pub fn label(self) -> String {
        let mut parts = Vec::new();
        if self.user {
            parts.push("userns");
        }
        parts.push("netns");
        if self.pid {
            parts.push("pidns");
        }
        if self.fs {
            parts.push("rofs");
        }
        parts.push("clearenv");
        parts.join("+")
    }
}

/// Finds, once, which way of making namespaces works here, best first.
pub fn netns_support() -> Result<Netns, String> {
    static FOUND: OnceLock<Result<Netns, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            for fs in [true, false] {
                for (user, pid) in [(false, true), (true, true), (false, false), (true, false)] {
                    let mode = Netns { user, pid, fs };
                    if try_in_child(mode) {
                        return Ok(mode);
                    }
                }
            }
            Err("unshare(CLONE_NEWNET) and unshare(CLONE_NEWUSER|CLONE_NEWNET) both failed (no privilege and no unprivileged user namespaces)".into())
        })
        .clone()
}

/// Forks a child that only tries to make `mode`'s namespaces (and, with
/// `fs`, the read-only view with a tmpfs on /tmp, its own) and exits with
/// the result.
fn try_in_child(mode: Netns) -> bool {
    // SAFETY: the child calls only async-signal-safe syscalls (unshare,
    // mount, _exit) before exiting, so forking a multithreaded process is
    // sound here.
    unsafe {
        let pid = libc::fork();
        if pid < 0 {
            return false;
        }
        if pid == 0 {
            let mut ok = libc::unshare(mode.flags()) == 0;
            if ok && mode.fs {
                let none = [std::ptr::null()];
                ok = readonly_fs(c"/tmp".as_ptr(), none.as_ptr(), none.as_ptr()).is_ok();
            }
            libc::_exit(if ok { 0 } else { 1 });
        }
        let mut status = 0;
        if libc::waitpid(pid, &mut status, 0) != pid {
            return false;
        }
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
    }
}

/// In a new mount namespace (before exec): stops mount events propagating
/// to or from the host, covers `hide_dirs` with empty unreadable tmpfs and
/// `hide_files` with /dev/null (see [`secrets`]), makes every mount
/// read-only and nosuid (the server can change no file outside HOME: not
/// your dotfiles, not the package cache, not the crawl database, not
/// /proc/sys), and mounts a fresh tmpfs, capped at 128 MiB and 16k files, on
/// `home`. The hide lists are NULL-terminated arrays; a path that vanished
/// meanwhile is skipped. Async-signal-safe: raw syscalls on NUL-terminated
/// strings prepared beforehand.
fn readonly_fs(
    home: *const libc::c_char,
    hide_dirs: *const *const libc::c_char,
    hide_files: *const *const libc::c_char,
) -> io::Result<()> {
    #[repr(C)]
    struct MountAttr {
        attr_set: u64,
        attr_clr: u64,
        propagation: u64,
        userns_fd: u64,
    }
    const MOUNT_ATTR_RDONLY: u64 = 0x1;
    const MOUNT_ATTR_NOSUID: u64 = 0x2;
    // SAFETY: mount(2) and mount_setattr(2) on static or caller-provided
    // NUL-terminated strings and a stack struct.
    unsafe {
        let root = c"/".as_ptr();
        if libc::mount(
            std::ptr::null(),
            root,
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
        // One empty tmpfs on the first directory, bind mounts of it on the
        // others (cheaper than a superblock each).
        let mut first: *const libc::c_char = std::ptr::null();
        let mut d = hide_dirs;
        while !(*d).is_null() {
            let rc = if first.is_null() {
                libc::mount(
                    c"tmpfs".as_ptr(),
                    *d,
                    c"tmpfs".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                    c"size=4k,nr_inodes=1,mode=000".as_ptr() as *const libc::c_void,
                )
            } else {
                libc::mount(first, *d, std::ptr::null(), libc::MS_BIND, std::ptr::null())
            };
            if rc == 0 {
                if first.is_null() {
                    first = *d;
                }
            } else if io::Error::last_os_error().raw_os_error() != Some(libc::ENOENT) {
                return Err(io::Error::last_os_error());
            }
            d = d.add(1);
        }
        let mut f = hide_files;
        while !(*f).is_null() {
            if libc::mount(
                c"/dev/null".as_ptr(),
                *f,
                std::ptr::null(),
                libc::MS_BIND,
                std::ptr::null(),
            ) != 0
                && io::Error::last_os_error().raw_os_error() != Some(libc::ENOENT)
            {
                return Err(io::Error::last_os_error());
            }
            f = f.add(1);
        }
        let attr = MountAttr {
            attr_set: MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID,
            attr_clr: 0,
            propagation: 0,
            userns_fd: 0,
        };
        if libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            root,
            libc::AT_RECURSIVE as libc::c_uint,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
        if libc::mount(
            c"tmpfs".as_ptr(),
            home,
            c"tmpfs".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV,
            c"size=128m,nr_inodes=16384,mode=700".as_ptr() as *const libc::c_void,
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Credentials, keys and shell histories a server has no business reading,
/// relative to the crawling user's HOME: directories, then files.
const SECRET_DIRS: &[&str] = &[
    ".ssh",
    ".gnupg",
    ".aws",
    ".azure",
    ".kube",
    ".docker",
    ".password-store",
    ".terraform.d",
    ".config/gcloud",
    ".config/gh",
    ".config/hub",
    ".config/op",
    ".local/share/keyrings",
    ".mozilla",
    ".config/google-chrome",
    ".config/chromium",
    ".claude",
    ".codex",
];
const SECRET_FILES: &[&str] = &[
    ".npmrc",
    ".yarnrc",
    ".pypirc",
    ".netrc",
    ".pgpass",
    ".my.cnf",
    ".git-credentials",
    ".cargo/credentials",
    ".cargo/credentials.toml",
    ".bash_history",
    ".zsh_history",
    ".python_history",
    ".node_repl_history",
    ".psql_history",
    ".mysql_history",
    ".sqlite_history",
];
/// The host's own secrets, readable by a server run as root.
const HOST_SECRET_DIRS: &[&str] = &["/etc/ssh"];
const HOST_SECRET_FILES: &[&str] = &["/etc/shadow", "/etc/gshadow"];

/// A path, and the same as a C string for the child.
type CPath = (PathBuf, CString);

/// The secret paths that exist here (found once): directories and files.
/// With the read-only filesystem the server sees them empty.
fn secrets() -> &'static (Vec<CPath>, Vec<CPath>) {
    static FOUND: OnceLock<(Vec<CPath>, Vec<CPath>)> = OnceLock::new();
    FOUND.get_or_init(|| {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        let found = |rel: &[&str], host: &[&str], kind: fn(&Path) -> bool| -> Vec<CPath> {
            rel.iter()
                .filter_map(|r| home.as_ref().map(|h| h.join(r)))
                .chain(host.iter().map(PathBuf::from))
                .filter(|p| kind(p))
                .filter_map(|p| {
                    Some((p.clone(), CString::new(p.into_os_string().into_vec()).ok()?))
                })
                .collect()
        };
        (
            found(SECRET_DIRS, HOST_SECRET_DIRS, Path::is_dir),
            found(SECRET_FILES, HOST_SECRET_FILES, Path::is_file),
        )
    })
}

/// Where mountpoints for HOME go when the server gets a tmpfs there: the
/// host's /dev/shm when we can write it (a mkdir and rmdir there skip the
/// disk's journal; the server's files land in its own tmpfs either way).
fn home_base(fs: bool) -> PathBuf {
    static SHM: OnceLock<bool> = OnceLock::new();
    let shm = Path::new("/dev/shm");
    let usable = *SHM.get_or_init(|| {
        std::fs::metadata(shm).map(|m| m.is_dir()).unwrap_or(false) && TempHome::new_in(shm).is_ok()
    });
    if fs && usable {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Launches `l` with piped stdin/stdout/stderr, in its own process group, in
/// the sandbox unless `l.sandbox` is false.
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
    let home = if let Some(mode) = netns {
        let home = TempHome::new_in(&home_base(mode.fs)).map_err(SandboxError::Home)?;
        env.insert(
            "PATH".into(),
            std::env::var_os("PATH").unwrap_or_else(default_path),
        );
        env.insert("HOME".into(), home.0.clone().into_os_string());
        // Everything but HOME is read-only: temporary files go there too.
        env.insert("TMPDIR".into(), home.0.clone().into_os_string());
        env.insert(
            "LANG".into(),
            std::env::var_os("LANG").unwrap_or_else(|| "C.UTF-8".into()),
        );
        Some(home)
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
        tmpfs_home: None,
        hide_dirs: Vec::new(),
        hide_files: Vec::new(),
        clone_flags: 0,
        join_net: -1,
        isolate: netns.is_some(),
        id_maps: None,
    };
    let mut lease = None;
    if let (Some(mode), Some(home)) = (netns, &home) {
        let home = cstr(home.0.as_os_str().as_bytes(), "HOME")?;
        if mode.fs {
            // The server starts where we are (read-only to it), so `probe --
            // node server.js` finds server.js; HOME is its tmpfs. Secrets are
            // covered, but never what the server itself is, or where it starts.
            plan.tmpfs_home = Some(home);
            let cwd = std::env::current_dir().unwrap_or_default();
            let hide = |found: &[CPath]| -> Vec<CString> {
                found
                    .iter()
                    .filter(|(p, _)| !path.starts_with(p) && !cwd.starts_with(p))
                    .map(|(_, c)| c.clone())
                    .collect()
            };
            let (dirs, files) = secrets();
            plan.hide_dirs = hide(dirs);
            plan.hide_files = hide(files);
        } else {
            // Without a read-only filesystem it starts in HOME, the only
            // place it may write.
            plan.cwd = Some(home);
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
            // SAFETY: geteuid/getegid have no preconditions.
            let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
            plan.id_maps = Some((
                cstr(format!("{uid} {uid} 1").as_bytes(), "uid map")?,
                cstr(format!("{gid} {gid} 1").as_bytes(), "gid map")?,
            ));
        }
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
    Ok(Spawned {
        pgid: proc.pid(),
        proc,
        kind: netns.map_or("none".to_string(), |n| n.label()),
        home,
        lease,
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
    let dirs = path_var.cloned().unwrap_or_else(default_path);
    std::env::split_paths(&dirs)
        .map(|d| d.join(program))
        .find(|p| {
            std::fs::metadata(p)
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

fn default_path() -> OsString {
    "/usr/local/bin:/usr/bin:/bin".into()
}

/// Drops every capability for good, in the child before exec: the bounding
/// set (so exec cannot grant root its capabilities back), the ambient set,
/// and the effective/permitted/inheritable sets; locks the "root is not
/// special" securebits and sets no_new_privs so setuid binaries gain nothing.
/// The server keeps its uid, so it still reads files its user owns (the
/// package cache), but it cannot join other namespaces, mount, load modules,
/// trace other processes or reconfigure the network. Async-signal-safe: plain
/// prctl/capset syscalls on stack data.
/// Empties this thread's capability bounding set, which only limits what a
/// later exec can grant. Launcher threads do it once and hand it down empty;
/// dropping a capability commits new credentials even when it is already
/// gone, so only those still there are dropped. Async-signal-safe.
fn empty_bounding_set() -> io::Result<()> {
    // Capability numbers are below 64; PR_CAPBSET_READ fails with EINVAL past
    // the kernel's last one, which ends the loop.
    for cap in 0..64 as libc::c_ulong {
        // SAFETY: prctl with integer arguments.
        match unsafe { libc::prctl(libc::PR_CAPBSET_READ, cap, 0, 0, 0) } {
            0 => continue,
            1 => {}
            _ => break,
        }
        // SAFETY: as above.
        if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

fn drop_privileges() -> io::Result<()> {
    const SECBIT_NOROOT: libc::c_ulong = 1 << 0;
    const SECBIT_NOROOT_LOCKED: libc::c_ulong = 1 << 1;
    const SECBIT_NO_SETUID_FIXUP: libc::c_ulong = 1 << 2;
    const SECBIT_NO_SETUID_FIXUP_LOCKED: libc::c_ulong = 1 << 3;
    const SECBIT_NO_CAP_AMBIENT_RAISE: libc::c_ulong = 1 << 6;
    const SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED: libc::c_ulong = 1 << 7;
    // SAFETY: prctl and capset with integer arguments and a stack struct.
    unsafe {
        empty_bounding_set()?;
        // Ambient capabilities: cleared (may be unsupported on old kernels).
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        );
        let bits = SECBIT_NOROOT
            | SECBIT_NOROOT_LOCKED
            | SECBIT_NO_SETUID_FIXUP
            | SECBIT_NO_SETUID_FIXUP_LOCKED
            | SECBIT_NO_CAP_AMBIENT_RAISE
            | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
        if libc::prctl(libc::PR_SET_SECUREBITS, bits, 0, 0, 0) != 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1 as libc::c_ulong, 0, 0, 0) != 0 {
            return Err(io::Error::last_os_error());
        }
        #[repr(C)]
        struct CapHeader {
            version: u32,
            pid: libc::c_int,
        }
        #[repr(C)]
        struct CapData {
            effective: u32,
            permitted: u32,
            inheritable: u32,
        }
        let mut header = CapHeader {
            version: 0x2008_0522,
            pid: 0,
        };
        let data = [
            CapData {
                effective: 0,
                permitted: 0,
                inheritable: 0,
            },
            CapData {
                effective: 0,
                permitted: 0,
                inheritable: 0,
            },
        ];
        if libc::syscall(
            libc::SYS_capset,
            &mut header as *mut CapHeader,
            data.as_ptr(),
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Brings `lo` up inside the fresh namespace, so servers that talk to
/// themselves on 127.0.0.1 still work; nothing else exists there.
fn loopback_up() {
    // SAFETY: plain socket/ioctl/close on a stack-allocated ifreq.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM, 0);
        if fd < 0 {
            return;
        }
        let mut req: libc::ifreq = std::mem::zeroed();
        req.ifr_name[0] = b'l' as libc::c_char;
        req.ifr_name[1] = b'o' as libc::c_char;
        if libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req) == 0 {
            req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            libc::ioctl(fd, libc::SIOCSIFFLAGS, &req);
        }
        libc::close(fd);
    }
}

/// Cheap limits: no core dumps, bounded files and descriptors. No RLIMIT_AS:
/// node reserves far more address space than it uses.
fn limits() {
    let set = |res, soft: u64, hard: u64| {
        let lim = libc::rlimit {
            rlim_cur: soft as libc::rlim_t,
            rlim_max: hard as libc::rlim_t,
        };
        // SAFETY: setrlimit with a valid pointer to a stack value.
        unsafe {
            libc::setrlimit(res, &lim);
        }
    };
    set(libc::RLIMIT_CORE, 0, 0);
    set(libc::RLIMIT_FSIZE, 1 << 30, 1 << 30);
    set(libc::RLIMIT_NOFILE, 4096, 4096);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_home_is_private_and_removed() {
        let h = TempHome::new_in(&std::env::temp_dir()).unwrap();
        let p = h.0.clone();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        drop(h);
        assert!(!p.exists());
    }
}
