//! Process creation for stdio servers, the way `posix_spawn` does it:
//! `clone(CLONE_VM | CLONE_VFORK)`, so the child borrows our address space
//! until it execs instead of copying it. `fork(2)` from a multithreaded
//! process copies every page table and then pays a copy-on-write fault and a
//! TLB shootdown across cores for each page either side touches; at hundreds
//! of launches a second that was most of the crawler's CPU. `posix_spawn`
//! itself cannot make a network namespace or drop capabilities, hence this.
//!
//! The child runs on its own small stack in our memory, so it may only make
//! raw syscalls on data prepared beforehand: no allocation, no locks, no
//! signal handlers (all signals are blocked across the clone and every
//! disposition is reset to the default in the child before they are
//! unblocked). Failures before exec are reported through a shared struct.
//!
//! Waiting uses a pidfd (Linux 5.3+) registered with tokio, or polling where
//! there is none. Children are reaped by pid; nothing here ever waits for
//! "any child", so other spawners in the process are unaffected.

use std::ffi::{c_int, c_void, CString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt as _;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::unix::AsyncFd;

/// Everything the child needs, prepared (allocated) before the clone.
pub(super) struct Plan {
    pub path: CString,
    pub argv: Vec<CString>,
    pub envp: Vec<CString>,
    /// Where the server starts (inside the view, when there is one).
    pub cwd: Option<CString>,
    /// Namespaces clone(2) makes for the child (CLONE_NEW*), or 0.
    pub clone_flags: c_int,
    /// A network namespace the child joins (a pooled one), or -1.
    pub join_net: RawFd,
    /// Sandboxed: bring a fresh namespace's `lo` up, drop every capability,
    /// a fresh session keyring, the limits.
    pub isolate: bool,
    /// With a view: the host directory its root tmpfs is mounted on before
    /// the pivot (see `filesystem::build`).
    pub staging: Option<CString>,
    /// The view's steps (empty without one).
    pub view: Vec<super::filesystem::Op>,
    /// In a new user namespace: our uid and gid mapped to themselves (lines
    /// for /proc/self/uid_map and gid_map), so files the server makes in its
    /// tmpfs HOME have an owner.
    pub id_maps: Option<(CString, CString)>,
    /// Run as root: the uid (and gid) the server becomes.
    pub server_uid: Option<u32>,
    /// RLIMIT_AS and RLIMIT_NPROC, where no control group bounds the
    /// server's memory or tasks.
    pub rlimit_memory: Option<u64>,
    pub rlimit_tasks: Option<u64>,
    /// `cgroup.procs` files the child joins first.
    pub cgroup_procs: Vec<CString>,
}

/// What the child reads (pointers into `Plan`) and where it reports a failure.
#[repr(C)]
struct ChildCtx {
    path: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    cwd: *const libc::c_char,
    fds: [RawFd; 3],
    fresh_net: bool,
    join_net: RawFd,
    isolate: bool,
    staging: *const libc::c_char,
    view: *const super::filesystem::RawOp,
    uid_map: *const libc::c_char,
    gid_map: *const libc::c_char,
    server_uid: Option<u32>,
    rlimit_memory: Option<u64>,
    rlimit_tasks: Option<u64>,
    cgroup_procs: *const *const libc::c_char,
    /// PR_SET_PDEATHSIG(SIGKILL) before exec (see [`lives_for_good`]).
    pdeathsig: bool,
    /// Set by the child before `_exit(127)`: the errno and the step.
    errno: AtomicI32,
    step: AtomicI32,
}

const STEP_SETSID: i32 = 1;
const STEP_NETNS: i32 = 2;
const STEP_PRIVILEGES: i32 = 3;
const STEP_MOUNT: i32 = 7;
const STEP_IDMAP: i32 = 8;
const STEP_KEYRING: i32 = 9;
const STEP_LIMITS: i32 = 10;
const STEP_CGROUP: i32 = 11;
const STEP_FDS: i32 = 4;
const STEP_CHDIR: i32 = 5;
const STEP_EXEC: i32 = 6;

const EXEC: &str = "exec";

fn step_name(step: i32) -> &'static str {
    match step {
        STEP_SETSID => "setsid",
        STEP_NETNS => "joining the network namespace",
        STEP_PRIVILEGES => "dropping capabilities",
        STEP_MOUNT => "building the filesystem view",
        STEP_KEYRING => "making a session keyring and refusing keyctl",
        STEP_LIMITS => "setting resource limits",
        STEP_CGROUP => "joining its control group",
        STEP_IDMAP => "mapping our uid into the user namespace",
        STEP_FDS => "setting up stdin/stdout/stderr",
        STEP_CHDIR => "chdir to the working directory",
        _ => EXEC,
    }
}

impl ChildFailed {
    /// The command itself could not be run (the last step).
    pub fn at_exec(&self) -> bool {
        self.step == EXEC
    }
}

/// Why the child failed before running the server.
#[derive(Debug)]
pub(super) struct ChildFailed {
    pub step: &'static str,
    pub error: io::Error,
}

/// A started child: its pid (= process group), our ends of its pipes, and
/// how to wait for it.
pub struct Proc {
    pid: i32,
    pidfd: Option<OwnedFd>,
    watch: Option<AsyncFd<OwnedFd>>,
    status: Option<ExitStatus>,
    /// Our ends of its stdin, stdout and stderr pipes (taken by the user).
    pub stdin: Option<OwnedFd>,
    pub stdout: Option<OwnedFd>,
    pub stderr: Option<OwnedFd>,
}

/// Children killed but not yet reaped when their handle was dropped; reaped
/// (without blocking) at the next spawn.
static UNREAPED: Mutex<Vec<i32>> = Mutex::new(Vec::new());

fn reap_unreaped() {
    if let Ok(mut pids) = UNREAPED.lock() {
        pids.retain(|&pid| {
            let mut status = 0;
            // SAFETY: waitpid on one of our own children, non-blocking.
            let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            r == 0
        });
    }
}

thread_local! {
    static LIVES_FOR_GOOD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the calling thread as one that lives as long as the process (the
/// launcher threads). Children cloned from it get PR_SET_PDEATHSIG(SIGKILL):
/// should we be SIGKILLed (no handler runs then), the kernel kills them.
/// The parent death signal fires when the *thread* that cloned the child
/// exits, not the process, so it is never set for children cloned on other
/// threads (tokio's blocking threads exit after 10 s idle, which would kill
/// a server in mid-probe).
pub(super) fn lives_for_good() {
    LIVES_FOR_GOOD.with(|c| c.set(true));
}

/// A pipe whose ends are both above 2 (so the child's dup2 onto 0..2 never
/// overwrites another end) and close-on-exec: (read, write).
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe2 writes two descriptors into the array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by nobody else.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    Ok((above_stdio(r)?, above_stdio(w)?))
}

fn above_stdio(fd: OwnedFd) -> io::Result<OwnedFd> {
    if fd.as_raw_fd() > 2 {
        return Ok(fd);
    }
    // SAFETY: F_DUPFD_CLOEXEC on a valid descriptor returns a new one we own.
    let dup = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
    if dup < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `dup` is a fresh descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(dup) })
}

/// A NULL-terminated array of pointers into `strings` (which must outlive it).
fn pointers(strings: &[CString]) -> Vec<*const libc::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

/// A child stack from mmap with a guard page at its low end.
struct Stack {
    base: *mut c_void,
    len: usize,
}

impl Stack {
    const LEN: usize = 128 * 1024;

    fn new() -> io::Result<Stack> {
        // SAFETY: an anonymous private mapping; checked for MAP_FAILED.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                Self::LEN,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the first page of the mapping we just made.
        unsafe { libc::mprotect(base, 4096, libc::PROT_NONE) };
        Ok(Stack {
            base,
            len: Self::LEN,
        })
    }

    /// The initial stack pointer (stacks grow down), 16-byte aligned.
    fn top(&self) -> *mut c_void {
        ((self.base as usize + self.len) & !15) as *mut c_void
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly the mapping made in `new`.
        unsafe { libc::munmap(self.base, self.len) };
    }
}

/// Starts `plan` with piped stdin/stdout/stderr in its own process group.
pub(super) fn start(plan: &Plan) -> Result<Proc, ChildFailed> {
    let os = |step: &'static str| move |error: io::Error| ChildFailed { step, error };
    // Until the child is registered: a signal meanwhile waits for it.
    let _launching = crate::interrupt::Launching::start();
    reap_unreaped();
    let (in_r, in_w) = pipe().map_err(os("creating pipes"))?;
    let (out_r, out_w) = pipe().map_err(os("creating pipes"))?;
    let (err_r, err_w) = pipe().map_err(os("creating pipes"))?;
    let argv = pointers(&plan.argv);
    let envp = pointers(&plan.envp);
    let view = super::filesystem::raw_ops(&plan.view);
    let cgroup_procs = pointers(&plan.cgroup_procs);
    let ctx = ChildCtx {
        path: plan.path.as_ptr(),
        argv: argv.as_ptr(),
        envp: envp.as_ptr(),
        cwd: plan.cwd.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
        fds: [in_r.as_raw_fd(), out_w.as_raw_fd(), err_w.as_raw_fd()],
        fresh_net: plan.clone_flags & libc::CLONE_NEWNET != 0,
        join_net: plan.join_net,
        isolate: plan.isolate,
        staging: plan
            .staging
            .as_ref()
            .map_or(std::ptr::null(), |c| c.as_ptr()),
        view: view.as_ptr(),
        uid_map: plan
            .id_maps
            .as_ref()
            .map_or(std::ptr::null(), |m| m.0.as_ptr()),
        gid_map: plan
            .id_maps
            .as_ref()
            .map_or(std::ptr::null(), |m| m.1.as_ptr()),
        server_uid: plan.server_uid,
        rlimit_memory: plan.rlimit_memory,
        rlimit_tasks: plan.rlimit_tasks,
        cgroup_procs: cgroup_procs.as_ptr(),
        pdeathsig: LIVES_FOR_GOOD.with(std::cell::Cell::get),
        errno: AtomicI32::new(0),
        step: AtomicI32::new(0),
    };
    // One stack per launching thread, kept: unmapping one per launch cost a
    // TLB shootdown across cores each time.
    thread_local! {
        static STACK: std::cell::RefCell<Option<Stack>> = const { std::cell::RefCell::new(None) };
    }
    let top = STACK.with(|cell| -> io::Result<usize> {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = Some(Stack::new()?);
        }
        Ok(cell.as_ref().map_or(0, |s| s.top() as usize))
    });
    let top = top.map_err(os("allocating the child's stack"))? as *mut c_void;
    // SAFETY: all signals are blocked across the clone so no handler of ours
    // runs on the child's stack; the child only makes raw syscalls on `ctx`
    // (alive until it execs or exits: CLONE_VFORK suspends this thread until
    // then) and on its own stack.
    let pid = unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        let pid = libc::clone(
            child_main,
            top,
            libc::CLONE_VM | libc::CLONE_VFORK | plan.clone_flags | libc::SIGCHLD,
            &ctx as *const ChildCtx as *mut c_void,
        );
        let err = io::Error::last_os_error();
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        if pid < 0 {
            return Err(ChildFailed {
                step: "clone",
                error: err,
            });
        }
        pid
    };
    drop((in_r, out_w, err_w));
    let step = ctx.step.load(Ordering::Acquire);
    if step != 0 {
        let mut status = 0;
        // SAFETY: reaping our own child, which has already exited.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        return Err(ChildFailed {
            step: step_name(step),
            error: io::Error::from_raw_os_error(ctx.errno.load(Ordering::Acquire)),
        });
    }
    // Killed on SIGINT/SIGTERM until its handle is dropped.
    crate::interrupt::register(pid);
    Ok(Proc {
        pid,
        pidfd: pidfd_open(pid),
        watch: None,
        status: None,
        stdin: Some(in_w),
        stdout: Some(out_r),
        stderr: Some(err_r),
    })
}

fn pidfd_open(pid: i32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open(2) on our own unreaped child; returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    // SAFETY: a fresh descriptor when non-negative.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// The child: sandbox steps, then exec. Only raw syscalls on prepared data.
extern "C" fn child_main(arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the parent's `ChildCtx`, alive while we run (vfork).
    let ctx = unsafe { &*(arg as *const ChildCtx) };
    let fail = |step: i32| -> c_int {
        let errno = io::Error::last_os_error().raw_os_error().unwrap_or(0);
        ctx.errno.store(errno, Ordering::Release);
        ctx.step.store(step, Ordering::Release);
        // SAFETY: _exit(2) never returns and runs no atexit handlers.
        unsafe { libc::_exit(127) }
    };
    // SAFETY: plain syscalls on the child's own state and on `ctx`.
    unsafe {
        // Our handlers must never run here: every disposition back to the
        // default (which exec would do anyway, and SIGPIPE, ignored by Rust
        // programs, is default again for the server).
        for sig in 1..=libc::SIGRTMAX() {
            if sig == libc::SIGKILL || sig == libc::SIGSTOP {
                continue;
            }
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
        // A session of its own: no controlling terminal (our /dev/tty is
        // not its), and its process group is its pid.
        if libc::setsid() < 0 {
            return fail(STEP_SETSID);
        }
        // While the host's cgroup filesystem is still in view.
        if super::cgroup::join(ctx.cgroup_procs).is_err() {
            return fail(STEP_CGROUP);
        }
        if !ctx.uid_map.is_null() && write_id_maps(ctx.uid_map, ctx.gid_map).is_err() {
            return fail(STEP_IDMAP);
        }
        if ctx.join_net >= 0 {
            if libc::setns(ctx.join_net, libc::CLONE_NEWNET) != 0 {
                return fail(STEP_NETNS);
            }
        } else if ctx.fresh_net {
            super::namespaces::loopback_up();
        }
        let mut cwd = ctx.cwd;
        if !ctx.staging.is_null() {
            if super::filesystem::build(ctx.staging, ctx.view, ctx.server_uid, ctx.cwd).is_err() {
                return fail(STEP_MOUNT);
            }
            cwd = std::ptr::null();
        }
        if ctx.isolate {
            // Only once in the namespaces: without capabilities a server
            // cannot setns(2) back into the host's network (as root it
            // otherwise could, through /proc/1/ns/net).
            if super::credentials::drop_privileges(ctx.server_uid).is_err() {
                return fail(STEP_PRIVILEGES);
            }
            if super::credentials::fresh_keyring().is_err()
                || super::credentials::refuse_keyrings().is_err()
            {
                return fail(STEP_KEYRING);
            }
        }
        // Memory and task limits only in the sandbox; the cheap ones always.
        let (memory, tasks) = if ctx.isolate {
            (ctx.rlimit_memory, ctx.rlimit_tasks)
        } else {
            (None, None)
        };
        if super::credentials::set_limits(memory, tasks).is_err() {
            return fail(STEP_LIMITS);
        }
        for (target, &fd) in ctx.fds.iter().enumerate() {
            // The pipe ends are all above 2, so no dup2 clobbers another.
            if libc::dup2(fd, target as c_int) < 0 {
                return fail(STEP_FDS);
            }
        }
        if !cwd.is_null() && libc::chdir(cwd) != 0 {
            return fail(STEP_CHDIR);
        }
        // After the last credential change (a change of uid clears it).
        // Our launcher thread is held by CLONE_VFORK until we exec, so it
        // cannot have exited before this.
        if ctx.pdeathsig {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
        }
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
        libc::execve(ctx.path, ctx.argv, ctx.envp);
        fail(STEP_EXEC)
    }
}

/// Maps the user namespace we just entered: setgroups denied (required
/// before an unprivileged gid map), then the uid and gid lines.
pub(super) fn write_id_maps(
    uid_map: *const libc::c_char,
    gid_map: *const libc::c_char,
) -> Result<(), ()> {
    write_file(c"/proc/self/setgroups".as_ptr(), c"deny".as_ptr())?;
    write_file(c"/proc/self/uid_map".as_ptr(), uid_map)?;
    write_file(c"/proc/self/gid_map".as_ptr(), gid_map)
}

/// Writes a NUL-terminated string to a file (in the child: raw syscalls).
fn write_file(path: *const libc::c_char, text: *const libc::c_char) -> Result<(), ()> {
    // SAFETY: open/write/close on NUL-terminated strings we were given.
    unsafe {
        let fd = libc::open(path, libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(());
        }
        let len = libc::strlen(text);
        let n = libc::write(fd, text as *const c_void, len);
        libc::close(fd);
        if n == len as isize {
            Ok(())
        } else {
            Err(())
        }
    }
}

impl Proc {
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Reaps the child if it has exited, without blocking.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_some() {
            return Ok(self.status);
        }
        let mut status = 0;
        // SAFETY: waitpid on our own child, non-blocking.
        let r = unsafe { libc::waitpid(self.pid, &mut status, libc::WNOHANG) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        if r == self.pid {
            self.status = Some(ExitStatus::from_raw(status));
        }
        Ok(self.status)
    }

    /// Waits for the child to exit and reaps it.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        loop {
            if let Some(s) = self.try_wait()? {
                return Ok(s);
            }
            if self.watch.is_none() {
                if let Some(fd) = self.pidfd.take() {
                    // SAFETY: the pidfd is ours alone and registered once.
                    let watch = unsafe {
                        AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE)
                    };
                    self.watch = Some(watch.map_err(io::Error::from)?);
                }
            }
            match self.watch.as_ref() {
                // A pidfd turns readable when the process exits.
                // (Cleared at once: the loop's try_wait tells a real exit.)
                Some(watch) => watch.readable().await?.clear_ready(),
                None => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        crate::interrupt::unregister(self.pid);
        if self.status.is_none() && !matches!(self.try_wait(), Ok(Some(_))) {
            if let Ok(mut pids) = UNREAPED.lock() {
                pids.push(self.pid);
            }
        }
    }
}
