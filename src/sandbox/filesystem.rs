//! What a sandboxed server sees of the filesystem: an allow-list, not the
//! host with holes. Its root is a fresh size-capped tmpfs holding
//!
//! - the system's runtime directories read-only (`/usr`, `/lib*`, `/bin`,
//!   `/sbin`, `/etc` without its secrets), symlinks kept as symlinks;
//! - the server's own install directory (the package root of its program
//!   and of absolute paths among its arguments, and the interpreter's) and
//!   the working directory, read-only, at their own paths;
//! - a fresh `/proc` of its own PID namespace (read-only: no sysctl writes),
//!   a minimal `/dev` (null, zero, full, random, urandom, tty, its own pts
//!   and shm), empty writable `/tmp`, `/var/tmp` and HOME, an empty `/run`;
//! - nothing else: no host `/tmp` or `/run` (so no docker, dbus, ssh-agent
//!   or database sockets), no other repositories, dotfiles or caches.
//!
//! The credential paths of [`SECRET_DIRS`]/[`SECRET_FILES`] stay covered as a
//! second line, for when the working directory is the crawling user's HOME.
//!
//! The parent plans the view as a list of [`Op`]s; the child runs them with
//! raw syscalls (see [`build`]) and pivots into the new root.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// HOME inside the view (a directory of the root tmpfs, writable).
pub const HOME: &str = "/sandbox/home";
/// TMPDIR inside the view.
pub const TMP: &str = "/tmp";

/// System directories given read-only (a symlink, like `/bin -> usr/bin`,
/// is recreated as a symlink).
const SYSTEM: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc",
];

/// Credentials, keys and shell histories a server has no business reading,
/// relative to the crawling user's HOME: directories, then files. Only
/// reachable when an exposed directory holds them.
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
/// The host's own secrets under `/etc`.
const HOST_SECRET_DIRS: &[&str] = &["/etc/ssh", "/etc/ssl/private", "/etc/sudoers.d"];
const HOST_SECRET_FILES: &[&str] = &[
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/shadow-",
    "/etc/gshadow-",
    "/etc/sudoers",
    "/etc/security/opasswd",
];

/// Devices in the minimal /dev: name, major, minor.
const DEVICES: &[(&str, u32, u32)] = &[
    ("null", 1, 3),
    ("zero", 1, 5),
    ("full", 1, 7),
    ("random", 1, 8),
    ("urandom", 1, 9),
    ("tty", 5, 0),
];

/// What one step does (in the child, relative to the new root).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Kind {
    /// mkdir `dst` (an existing one is fine) with mode `mode`.
    Dir = 1,
    /// symlink `dst` -> `src`.
    Link = 2,
    /// mkdir `dst`, bind `src` there (with its submounts), read-only,
    /// nosuid, nodev.
    BindDir = 3,
    /// A device: mknod `dst` (device `dev`), or where that is not allowed
    /// (a user namespace) an empty file with `src` bound on it.
    Dev = 4,
    /// An empty, unreadable, read-only tmpfs on the directory `dst`.
    HideDir = 5,
    /// /dev/null bound on the file `dst`.
    HideFile = 6,
    /// A fresh procfs of the server's PID namespace on `dst`, read-only.
    Proc = 7,
    /// A new devpts instance on `dst`.
    Pts = 8,
}

/// One step, owned (kept by the parent while the child runs).
#[derive(Clone, Debug)]
pub(super) struct Op {
    pub kind: Kind,
    pub src: Option<CString>,
    /// Relative to the new root (no leading `/`).
    pub dst: CString,
    pub mode: u32,
    pub dev: u64,
}

/// The same, as the child reads it.
#[repr(C)]
#[derive(Clone, Copy)]
pub(super) struct RawOp {
    kind: u8,
    src: *const libc::c_char,
    dst: *const libc::c_char,
    mode: u32,
    dev: u64,
}

impl Op {
    fn new(kind: Kind, src: Option<&Path>, dst: &str, mode: u32, dev: u64) -> Option<Op> {
        Some(Op {
            kind,
            src: match src {
                Some(p) => Some(CString::new(p.as_os_str().as_bytes()).ok()?),
                None => None,
            },
            dst: CString::new(dst.trim_start_matches('/')).ok()?,
            mode,
            dev,
        })
    }

    pub(super) fn raw(&self) -> RawOp {
        RawOp {
            kind: self.kind as u8,
            src: self.src.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            dst: self.dst.as_ptr(),
            mode: self.mode,
            dev: self.dev,
        }
    }
}

/// A planned view: its steps, where the server starts, and a label.
pub(super) struct View {
    pub ops: Vec<Op>,
    /// The working directory inside the view (absolute).
    pub cwd: CString,
    /// Per-server directories given read-only (for the label).
    pub exposed: Vec<PathBuf>,
    /// The paths it is run with (its arguments that name existing files or
    /// directories, absolute or relative to the working directory).
    needed: Vec<PathBuf>,
}

/// The steps every view shares (found once): system directories, /etc's
/// secrets covered, the skeleton, /proc and /dev.
fn system_ops() -> &'static [Op] {
    static OPS: OnceLock<Vec<Op>> = OnceLock::new();
    OPS.get_or_init(|| {
        let mut ops = Vec::new();
        for dir in SYSTEM {
            let p = Path::new(dir);
            let Ok(meta) = p.symlink_metadata() else {
                continue;
            };
            if meta.file_type().is_symlink() {
                if let Ok(target) = std::fs::read_link(p) {
                    ops.extend(Op::new(Kind::Link, Some(&target), dir, 0, 0));
                }
            } else if meta.is_dir() {
                ops.extend(Op::new(Kind::BindDir, Some(p), dir, 0o755, 0));
            }
        }
        ops.extend(hide_ops(
            HOST_SECRET_DIRS.iter().map(PathBuf::from),
            HOST_SECRET_FILES.iter().map(PathBuf::from),
        ));
        for (dir, mode) in [
            ("proc", 0o555),
            ("dev", 0o755),
            ("dev/pts", 0o755),
            ("dev/shm", 0o1777),
            ("tmp", 0o1777),
            ("var", 0o755),
            ("var/tmp", 0o1777),
            ("run", 0o755),
            ("sandbox", 0o755),
        ] {
            ops.extend(Op::new(Kind::Dir, None, dir, mode, 0));
        }
        ops.extend(Op::new(Kind::Proc, None, "proc", 0, 0));
        // Key descriptions of everyone who shares its uid (unprivileged).
        for f in ["proc/keys", "proc/key-users"] {
            ops.extend(Op::new(Kind::HideFile, None, f, 0, 0));
        }
        for (name, major, minor) in DEVICES {
            let host = Path::new("/dev").join(name);
            let dev = libc::makedev(*major, *minor);
            ops.extend(Op::new(
                Kind::Dev,
                Some(&host),
                &format!("dev/{name}"),
                0o666,
                dev,
            ));
        }
        ops.extend(Op::new(Kind::Pts, None, "dev/pts", 0, 0));
        for (link, target) in [
            ("dev/ptmx", "pts/ptmx"),
            ("dev/fd", "/proc/self/fd"),
            ("dev/stdin", "/proc/self/fd/0"),
            ("dev/stdout", "/proc/self/fd/1"),
            ("dev/stderr", "/proc/self/fd/2"),
        ] {
            ops.extend(Op::new(Kind::Link, Some(Path::new(target)), link, 0, 0));
        }
        ops
    })
}

/// Steps that cover the existing `dirs` and `files`.
fn hide_ops(dirs: impl Iterator<Item = PathBuf>, files: impl Iterator<Item = PathBuf>) -> Vec<Op> {
    let mut ops = Vec::new();
    for d in dirs.filter(|d| d.is_dir()) {
        ops.extend(Op::new(Kind::HideDir, None, &d.to_string_lossy(), 0, 0));
    }
    for f in files.filter(|f| f.is_file()) {
        ops.extend(Op::new(Kind::HideFile, None, &f.to_string_lossy(), 0, 0));
    }
    ops
}

/// Places shared with other programs, never given whole even when they are
/// the working directory (their sockets and other users' files are there).
const SHARED: &[&str] = &[
    "/", "/tmp", "/var/tmp", "/run", "/var/run", "/var", "/dev", "/dev/shm", "/proc", "/sys",
    "/home", "/mnt", "/media", "/opt", "/srv",
];

/// Is `p` inside what every view already shows?
fn in_system(p: &Path) -> bool {
    SYSTEM.iter().any(|s| p.starts_with(s))
}

/// The directory a program or script belongs to: the package tree that
/// holds it (above the topmost `node_modules`, or a Python venv with its
/// `pyvenv.cfg`), else the directory above a `bin`, else its own directory.
fn install_root(file: &Path) -> Option<PathBuf> {
    let comps: Vec<Component> = file.components().collect();
    if let Some(i) = comps
        .iter()
        .position(|c| c.as_os_str() == "node_modules")
        .filter(|&i| i > 1)
    {
        return Some(comps[..i].iter().collect());
    }
    let parent = file.parent()?;
    for dir in parent.ancestors().take(4) {
        if dir.join("pyvenv.cfg").is_file() {
            return Some(dir.to_path_buf());
        }
    }
    if parent.file_name().is_some_and(|n| n == "bin") {
        return parent.parent().map(Path::to_path_buf);
    }
    Some(parent.to_path_buf())
}

/// The interpreter a script names on its `#!` line, if any.
fn shebang(file: &Path) -> Option<PathBuf> {
    use std::io::Read as _;
    let mut head = [0u8; 256];
    let n = std::fs::File::open(file).ok()?.read(&mut head).ok()?;
    let rest = head[..n].strip_prefix(b"#!")?;
    let line = rest.split(|&b| b == b'\n').next()?;
    let word = String::from_utf8_lossy(line)
        .split_whitespace()
        .next()?
        .to_string();
    Some(PathBuf::from(word))
}

/// The `home` of a Python venv (where its interpreter lives).
fn venv_home(venv: &Path) -> Option<PathBuf> {
    let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).ok()?;
    cfg.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "home").then(|| PathBuf::from(v.trim()))
    })
}

/// The directories one server needs besides the system's: the install roots
/// of `program` (resolved), of its interpreter and of absolute paths among
/// `args`, each as given and with symlinks followed, and `cwd` (unless it is
/// `/`). Sorted, with directories inside others dropped.
fn exposed(program: &Path, args: &[String], cwd: Option<&Path>) -> Vec<PathBuf> {
    let mut files = vec![program.to_path_buf()];
    if let Some(interp) = shebang(program) {
        files.push(interp);
    }
    files.extend(
        args.iter()
            .map(Path::new)
            .filter(|p| p.is_absolute() && p.exists())
            .map(Path::to_path_buf),
    );
    let mut dirs = Vec::new();
    // A directory it is given (a root to serve) is given itself, no more.
    files.retain(|f| {
        if f.is_dir() {
            dirs.push(f.clone());
        }
        !f.is_dir()
    });
    for f in &files {
        for p in [Some(f.clone()), f.canonicalize().ok()]
            .into_iter()
            .flatten()
        {
            if let Some(root) = install_root(&p) {
                if let Some(home) = venv_home(&root) {
                    dirs.extend(
                        home.canonicalize()
                            .ok()
                            .and_then(|h| install_root(&h.join("python"))),
                    );
                }
                dirs.push(root);
            }
        }
    }
    dirs.extend(cwd.map(Path::to_path_buf));
    let mut dirs: Vec<PathBuf> = dirs
        .into_iter()
        .filter_map(|d| d.canonicalize().ok())
        .filter(|d| d.is_dir() && !SHARED.iter().any(|s| d == Path::new(s)) && !in_system(d))
        .collect();
    dirs.sort();
    dirs.dedup();
    let mut kept: Vec<PathBuf> = Vec::new();
    for d in dirs {
        if !kept.iter().any(|k| d.starts_with(k)) {
            kept.push(d);
        }
    }
    kept
}

/// Plans the view for one server. `user_home` is the crawling user's HOME
/// (its credential paths are covered where an exposed directory holds them).
pub(super) fn plan(
    program: &Path,
    args: &[String],
    cwd: Option<&Path>,
    user_home: Option<&Path>,
) -> View {
    let cwd = cwd.and_then(|c| c.canonicalize().ok());
    let exposed = exposed(program, args, cwd.as_deref());
    let mut ops: Vec<Op> = system_ops().to_vec();
    for dir in &exposed {
        let mut parents: Vec<&Path> = dir.ancestors().skip(1).collect();
        parents.reverse();
        for p in parents.into_iter().filter(|p| *p != Path::new("/")) {
            ops.extend(Op::new(Kind::Dir, None, &p.to_string_lossy(), 0o755, 0));
        }
        ops.extend(Op::new(
            Kind::BindDir,
            Some(dir),
            &dir.to_string_lossy(),
            0o755,
            0,
        ));
    }
    if let Some(h) = user_home {
        let inside = |p: &PathBuf| exposed.iter().any(|d| p.starts_with(d));
        ops.extend(hide_ops(
            SECRET_DIRS.iter().map(|r| h.join(r)).filter(inside),
            SECRET_FILES.iter().map(|r| h.join(r)).filter(inside),
        ));
    }
    ops.extend(Op::new(Kind::Dir, None, HOME, 0o700, 0));
    // Where it starts: our working directory when it is in the view and a
    // server of its own uid may enter it.
    let start = cwd
        .clone()
        .filter(|c| in_system(c) || others_reach(&exposed, c))
        .unwrap_or_else(|| PathBuf::from(HOME));
    let needed = args
        .iter()
        .map(|a| match &cwd {
            Some(c) if !Path::new(a).is_absolute() => c.join(a),
            _ => PathBuf::from(a),
        })
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    View {
        ops,
        cwd: CString::new(start.as_os_str().as_bytes()).unwrap_or_else(|_| c"/".into()),
        exposed,
        needed,
    }
}

/// May a user other than the owner reach `p` (every directory from its
/// exposed root down to it searchable, `p` itself included)? The view's
/// own directories above an exposed one are searchable by anyone.
fn others_reach(exposed: &[PathBuf], p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    let Some(root) = exposed.iter().find(|d| p.starts_with(d)) else {
        return false;
    };
    p.ancestors().take_while(|a| a.starts_with(root)).all(|a| {
        std::fs::metadata(a).is_ok_and(|m| !m.is_dir() || m.permissions().mode() & 0o001 != 0)
    })
}

impl View {
    /// Can a server of its own uid (not the owner, not root) run `program`
    /// here: reach it, read and execute it? When not (a `mktemp -d`
    /// directory is 0700), the server keeps our uid.
    pub fn others_may_run(&self, program: &Path) -> bool {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.permissions().mode());
        let reach = |p: &Path| in_system(p) || others_reach(&self.exposed, p);
        let program = program
            .canonicalize()
            .unwrap_or_else(|_| program.to_path_buf());
        reach(&program)
            && mode(&program) & 0o005 == 0o005
            && self
                .needed
                .iter()
                // What is not in the view (its own /tmp) does not count.
                .filter(|p| self.exposed.iter().any(|d| p.starts_with(d)))
                .all(|p| reach(p) && (p.is_dir() || mode(p) & 0o004 != 0))
    }

    /// How the layout is recorded in the sandbox label.
    pub fn label(&self) -> String {
        let mut s = String::from("view(sys-ro");
        for d in &self.exposed {
            s.push_str(",ro:");
            s.push_str(&d.to_string_lossy());
        }
        s.push_str(",home+tmp:tmpfs,proc,devmin)");
        s
    }
}

/// Size and file caps of the server's root tmpfs (HOME, /tmp and every
/// other writable place share it).
const ROOT_TMPFS: &std::ffi::CStr = c"size=128m,nr_inodes=16384,mode=755";

#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}
const MOUNT_ATTR_RDONLY: u64 = 0x1;
const MOUNT_ATTR_NOSUID: u64 = 0x2;
const MOUNT_ATTR_NODEV: u64 = 0x4;
const MOUNT_ATTR_NOEXEC: u64 = 0x8;

/// mount_setattr(2) on `path` and every mount below it.
///
/// # Safety
/// `path` is a NUL-terminated string.
unsafe fn set_attr(path: *const libc::c_char, set: u64) -> io::Result<()> {
    let attr = MountAttr {
        attr_set: set,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    if libc::syscall(
        libc::SYS_mount_setattr,
        libc::AT_FDCWD,
        path,
        (libc::AT_RECURSIVE | libc::AT_SYMLINK_NOFOLLOW) as libc::c_uint,
        &attr as *const MountAttr,
        std::mem::size_of::<MountAttr>(),
    ) != 0
    {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Builds the view in the child (in its new mount namespace, as the init of
/// its PID namespace) and makes it the root: stops mount events
/// propagating, mounts the root tmpfs on `staging` (any existing directory:
/// the mount is private), runs `ops` (a NULL-`dst`-terminated array)
/// relative to it, gives the HOME directory to `owner` (when the server runs
/// as a uid of its own), pivots into it, drops the host's tree and enters
/// `cwd`. Async-signal-safe: raw syscalls on strings prepared beforehand.
pub(super) fn build(
    staging: *const libc::c_char,
    ops: *const RawOp,
    owner: Option<u32>,
    cwd: *const libc::c_char,
) -> io::Result<()> {
    let fail = || Err(io::Error::last_os_error());
    let exists = || io::Error::last_os_error().raw_os_error() == Some(libc::EEXIST);
    let gone = || io::Error::last_os_error().raw_os_error() == Some(libc::ENOENT);
    // SAFETY: mount(2), mkdir(2) and friends on NUL-terminated strings the
    // parent prepared (alive while the vfork child runs) or static ones.
    unsafe {
        let null = std::ptr::null::<libc::c_char>();
        let none = std::ptr::null::<libc::c_void>();
        if libc::mount(
            null,
            c"/".as_ptr(),
            null,
            libc::MS_REC | libc::MS_PRIVATE,
            none,
        ) != 0
        {
            return fail();
        }
        if libc::mount(
            c"tmpfs".as_ptr(),
            staging,
            c"tmpfs".as_ptr(),
            libc::MS_NOSUID,
            ROOT_TMPFS.as_ptr() as *const libc::c_void,
        ) != 0
            || libc::chdir(staging) != 0
        {
            return fail();
        }
        // Modes as given (1777 for /tmp); the server gets our umask back.
        let umask = libc::umask(0);
        let mut op = ops;
        while !(*op).dst.is_null() {
            let o = *op;
            op = op.add(1);
            let ok = match o.kind {
                k if k == Kind::Dir as u8 => {
                    libc::mkdir(o.dst, o.mode as libc::mode_t) == 0 || exists()
                }
                k if k == Kind::Link as u8 => libc::symlink(o.src, o.dst) == 0 || exists(),
                k if k == Kind::BindDir as u8 => {
                    (libc::mkdir(o.dst, o.mode as libc::mode_t) == 0 || exists())
                        && libc::mount(o.src, o.dst, null, libc::MS_BIND | libc::MS_REC, none) == 0
                        && set_attr(
                            o.dst,
                            MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                        )
                        .is_ok()
                }
                k if k == Kind::Dev as u8 => {
                    libc::mknod(
                        o.dst,
                        libc::S_IFCHR | o.mode as libc::mode_t,
                        o.dev as libc::dev_t,
                    ) == 0
                        || (touch(o.dst)
                            && libc::mount(o.src, o.dst, null, libc::MS_BIND, none) == 0
                            && set_attr(o.dst, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC).is_ok())
                }
                k if k == Kind::HideDir as u8 => {
                    libc::mount(
                        c"tmpfs".as_ptr(),
                        o.dst,
                        c"tmpfs".as_ptr(),
                        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC | libc::MS_RDONLY,
                        c"size=4k,nr_inodes=1,mode=000".as_ptr() as *const libc::c_void,
                    ) == 0
                        || gone()
                }
                k if k == Kind::HideFile as u8 => {
                    libc::mount(c"/dev/null".as_ptr(), o.dst, null, libc::MS_BIND, none) == 0
                        || gone()
                }
                k if k == Kind::Proc as u8 => {
                    libc::mount(
                        c"proc".as_ptr(),
                        o.dst,
                        c"proc".as_ptr(),
                        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC | libc::MS_RDONLY,
                        none,
                    ) == 0
                }
                k if k == Kind::Pts as u8 => {
                    libc::mount(
                        c"devpts".as_ptr(),
                        o.dst,
                        c"devpts".as_ptr(),
                        libc::MS_NOSUID | libc::MS_NOEXEC,
                        c"newinstance,ptmxmode=0666,mode=620".as_ptr() as *const libc::c_void,
                    ) == 0
                }
                _ => true,
            };
            if !ok {
                libc::umask(umask);
                return fail();
            }
        }
        libc::umask(umask);
        if let Some(id) = owner {
            let home = HOME_REL.as_ptr();
            if libc::chown(home, id, id) != 0 {
                return fail();
            }
        }
        // pivot_root(".", ".") stacks the old root on the new one; detaching
        // it leaves only the view.
        let dot = c".".as_ptr();
        if libc::syscall(libc::SYS_pivot_root, dot, dot) != 0
            || libc::umount2(dot, libc::MNT_DETACH) != 0
            || libc::chdir(c"/".as_ptr()) != 0
            || libc::chdir(cwd) != 0
        {
            return fail();
        }
    }
    Ok(())
}

/// [`HOME`] relative to the new root.
const HOME_REL: &std::ffi::CStr = c"sandbox/home";

/// Creates an empty file (a mount point for a bound device).
///
/// # Safety
/// `path` is a NUL-terminated string.
unsafe fn touch(path: *const libc::c_char) -> bool {
    let fd = libc::open(
        path,
        libc::O_WRONLY | libc::O_CREAT | libc::O_CLOEXEC,
        0o644,
    );
    if fd < 0 {
        return io::Error::last_os_error().raw_os_error() == Some(libc::EEXIST);
    }
    libc::close(fd);
    true
}

/// The raw steps for the child, NULL-terminated.
pub(super) fn raw_ops(ops: &[Op]) -> Vec<RawOp> {
    ops.iter()
        .map(Op::raw)
        .chain(std::iter::once(RawOp {
            kind: 0,
            src: std::ptr::null(),
            dst: std::ptr::null(),
            mode: 0,
            dev: 0,
        }))
        .collect()
}

/// Where the view's root is mounted before the pivot: the host's /dev/shm
/// when we can write it (a mkdir and rmdir there skip the disk's journal),
/// else the temporary directory. Any directory would do: the mount is in the
/// server's own namespace.
pub(super) fn staging_base() -> PathBuf {
    static SHM: OnceLock<bool> = OnceLock::new();
    let shm = Path::new("/dev/shm");
    let usable = *SHM.get_or_init(|| {
        std::fs::metadata(shm).map(|m| m.is_dir()).unwrap_or(false)
            && super::TempDir::new_in(shm).is_ok()
    });
    if usable {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_roots() {
        assert_eq!(
            install_root(Path::new("/c/npm/x@1/node_modules/x/dist/index.js")),
            Some(PathBuf::from("/c/npm/x@1"))
        );
        assert_eq!(
            install_root(Path::new("/opt/node/bin/node")),
            Some(PathBuf::from("/opt/node"))
        );
        assert_eq!(
            install_root(Path::new("/srv/app/server.js")),
            Some(PathBuf::from("/srv/app"))
        );
    }

    #[test]
    fn the_view_shows_the_system_read_only_and_nothing_of_home() {
        let v = plan(Path::new("/usr/bin/env"), &[], None, None);
        assert!(v.exposed.is_empty(), "{:?}", v.exposed);
        assert_eq!(v.cwd.to_str().unwrap(), HOME);
        let binds: Vec<&str> = v
            .ops
            .iter()
            .filter(|o| o.kind == Kind::BindDir)
            .map(|o| o.dst.to_str().unwrap())
            .collect();
        assert!(
            binds.contains(&"usr") && binds.contains(&"etc"),
            "{binds:?}"
        );
        assert!(v.ops.iter().any(|o| o.kind == Kind::Proc));
    }

    #[test]
    fn a_script_brings_its_package_and_a_directory_argument_only_itself() {
        let t = tempfile::tempdir().unwrap();
        let pkg = t.path().join("npm/x@1");
        let script = pkg.join("node_modules/x/index.js");
        std::fs::create_dir_all(script.parent().unwrap()).unwrap();
        std::fs::write(&script, "").unwrap();
        let served = t.path().join("data/served");
        std::fs::create_dir_all(&served).unwrap();
        let args = [
            script.display().to_string(),
            served.display().to_string(),
            "/tmp".into(),
        ];
        let v = plan(Path::new("/usr/bin/node"), &args, None, None);
        let want = [pkg.canonicalize().unwrap(), served.canonicalize().unwrap()];
        let mut want = want.to_vec();
        want.sort();
        assert_eq!(v.exposed, want);
    }
}
