//! SIGINT and SIGTERM: stop every server we started, keep the database
//! consistent, exit 130 or 143.
//!
//! A signal's default action ends the process without running destructors,
//! so the kill-on-drop of [`crate::sandbox::Spawned`] never fires and the
//! servers would live on as orphans. Instead:
//!
//! - every started server is in a process-wide registry ([`register`], by
//!   `sandbox::spawn` right after the clone; [`unregister`] when its handle
//!   is dropped). Its pid is its process group (it runs `setsid`) and,
//!   sandboxed, the init of its own PID namespace, so `kill(-pid, SIGKILL)`
//!   ends everything it started;
//! - [`install`] (called by `cmd::runtime()`, so by every command that
//!   launches servers) waits for SIGINT/SIGTERM on a thread of its own. No
//!   work is done inside a signal handler: tokio's handler only wakes that
//!   thread;
//! - that thread first closes the commit gate ([`commit_gate`], held by the
//!   store's writer around each transaction): a transaction under way
//!   commits, no later one starts. So the attempts of the servers we are
//!   about to kill are never recorded as crashes, and the run is not marked
//!   finished: the same command resumes it. Then it kills the registered
//!   servers (and any launched from now on), waits up to two seconds for
//!   them to go, removes their temporary directories, prints one line and
//!   exits 130 (SIGINT) or 143 (SIGTERM).
//!
//! SIGKILL of mcp-risk itself runs nothing of ours: for that the launcher
//! threads (which live as long as the process) give each child
//! PR_SET_PDEATHSIG(SIGKILL) (see `sandbox::spawn`).

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::{Mutex, Once, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

/// How long we wait for the killed servers to be gone.
const WAIT: Duration = Duration::from_secs(2);

struct Child {
    /// Its pid, which is also its process group.
    pid: i32,
    /// Its temporary directory (HOME, or its view's staging directory).
    dir: Option<PathBuf>,
}

struct Registry {
    children: Vec<Child>,
    /// Launches between their start and [`register`] (or failure).
    launching: usize,
    /// Set once a signal came: a server registered later is killed at once.
    stopping: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    children: Vec::new(),
    launching: 0,
    stopping: false,
});

/// Held (shared) by the store's writer around each transaction; taken
/// (exclusively, for good) when a signal came.
static GATE: RwLock<()> = RwLock::new(());

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// A server started: `pid` is its process group (and its PID namespace's
/// init, sandboxed). Killed at once if we are already stopping.
pub fn register(pid: i32) {
    let mut r = registry();
    if r.stopping {
        kill_group(pid);
    }
    r.children.push(Child { pid, dir: None });
}

/// Held by a launch from before its clone until it has registered the
/// child (or failed), so a signal in between waits for it.
pub struct Launching(());

impl Launching {
    pub fn start() -> Launching {
        registry().launching += 1;
        Launching(())
    }
}

impl Drop for Launching {
    fn drop(&mut self) {
        registry().launching -= 1;
    }
}

/// A child started some other way (an installer through tokio::process,
/// in a process group of its own): registered until this is dropped.
pub struct Registered(i32);

impl Registered {
    pub fn new(pid: i32) -> Registered {
        register(pid);
        Registered(pid)
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        unregister(self.0);
    }
}

/// The temporary directory of a registered server, removed once it is
/// killed on a signal.
pub fn attach_dir(pid: i32, dir: PathBuf) {
    if let Some(c) = registry().children.iter_mut().find(|c| c.pid == pid) {
        c.dir = Some(dir);
    }
}

/// Its handle was dropped (it was killed and, mostly, reaped then).
/// Once stopping, it stays listed: one killed at registration may be
/// dropped before [`stop_all`] takes it, and is still counted there.
pub fn unregister(pid: i32) {
    let mut r = registry();
    if !r.stopping {
        r.children.retain(|c| c.pid != pid);
    }
}

/// Held while a transaction is written. Blocks for good once a signal
/// came (the process is about to exit then).
pub fn commit_gate() -> RwLockReadGuard<'static, ()> {
    GATE.read().unwrap_or_else(|e| e.into_inner())
}

fn kill_group(pid: i32) {
    if pid > 1 {
        // SAFETY: kill(2) with a negative pid signals a process group.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

/// Is the server `pid` (and, unsandboxed, what is left of its process
/// group) gone? Reaps it if it is our zombie; another thread may have.
fn gone(pid: i32) -> bool {
    let mut status = 0;
    // SAFETY: waitpid on our own child, non-blocking.
    let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    if r == 0 {
        return false;
    }
    // Reaped now or before (ECHILD). Anything left in its group?
    // SAFETY: signal 0 only checks that the group exists.
    let left = unsafe { libc::kill(-pid, 0) } == 0;
    !left
}

/// Kills every registered server (and those registered meanwhile: a launch
/// may be between its clone and [`register`]), waits for them, removes
/// their directories; returns how many there were.
pub fn stop_all() -> usize {
    let take = || {
        let mut r = registry();
        r.stopping = true;
        (std::mem::take(&mut r.children), r.launching)
    };
    let (mut children, _) = take();
    let deadline = Instant::now() + WAIT;
    let mut waiting: Vec<i32> = Vec::new();
    loop {
        for c in &children[..] {
            if !waiting.contains(&c.pid) {
                kill_group(c.pid);
                waiting.push(c.pid);
            }
        }
        waiting.retain(|&pid| !gone(pid));
        // Killed at registration; counted and waited for here.
        let (late, launching) = take();
        let settled = waiting.is_empty() && late.is_empty() && launching == 0;
        if settled || Instant::now() >= deadline {
            children.extend(late);
            break;
        }
        children.extend(late);
        std::thread::sleep(Duration::from_millis(10));
    }
    for c in &children {
        if let Some(dir) = &c.dir {
            if std::fs::remove_dir(dir).is_err() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
    children.len()
}

/// Handles SIGINT and SIGTERM for the rest of the process (once; later
/// calls do nothing). Meant for the CLI's commands, not for library users.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The handlers are registered here, before we return, so a signal
        // that comes early is not lost to the default action.
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
        {
            Ok(rt) => rt,
            Err(_) => return,
        };
        use tokio::signal::unix::{signal, SignalKind};
        let handlers = rt.block_on(async {
            Ok::<_, std::io::Error>((
                signal(SignalKind::interrupt())?,
                signal(SignalKind::terminate())?,
            ))
        });
        let Ok((mut int, mut term)) = handlers else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("mcp-risk-signals".into())
            .spawn(move || {
                let code = rt.block_on(async {
                    tokio::select! {
                        _ = int.recv() => crate::exit::INTERRUPTED_SIGINT,
                        _ = term.recv() => crate::exit::INTERRUPTED_SIGTERM,
                    }
                });
                stop(code)
            });
        drop(spawned);
    });
}

/// After a signal: no more commits, no servers, one line, exit.
fn stop(code: u8) -> ! {
    // Wait for a transaction under way, then hold the gate for good.
    std::mem::forget(GATE.write().unwrap_or_else(|e| e.into_inner()));
    let n = stop_all();
    let servers = if n == 1 { "server" } else { "servers" };
    // A progress bar may hold the terminal's last line.
    let clear = if std::io::stderr().is_terminal() {
        "\r\x1b[2K"
    } else {
        ""
    };
    eprintln!("{clear}interrupted: stopped {n} {servers}; rerun the same command to resume");
    std::process::exit(i32::from(code))
}
