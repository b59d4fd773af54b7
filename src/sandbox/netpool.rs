//! Network namespaces kept for reuse. Making one costs the kernel about a
//! millisecond of CPU (and as much again to tear it down, on a kernel
//! worker), which capped sandboxed probes at a few hundred a second on two
//! cores. A namespace is lent to one server at a time and taken back only
//! once that server, the init of its own PID namespace, has been reaped, so
//! nothing it started is still inside. Servers run without capabilities and
//! cannot reconfigure it; a namespace still retires after [`MAX_USES`]
//! servers so that whatever state one could leave (a sysctl written as uid
//! 0, a socket in TIME_WAIT) does not travel far.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Mutex;

/// Servers one namespace serves before it is dropped.
pub const MAX_USES: u32 = 64;

/// Namespaces not lent out, with the number of servers each has served.
static FREE: Mutex<Vec<(OwnedFd, u32)>> = Mutex::new(Vec::new());

/// A network namespace lent to one server.
pub struct Lease {
    fd: OwnedFd,
    uses: u32,
}

impl Lease {
    /// A descriptor of the namespace, for setns(2) in the child.
    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Returns the namespace to the pool (or drops it when worn out). Only
    /// call once the server and everything it started are gone.
    pub fn give_back(self) {
        if self.uses < MAX_USES {
            if let Ok(mut free) = FREE.lock() {
                free.push((self.fd, self.uses));
            }
        }
    }
}

/// A free namespace, or a new one.
pub fn lease() -> io::Result<Lease> {
    if let Some((fd, uses)) = FREE.lock().ok().and_then(|mut f| f.pop()) {
        return Ok(Lease { fd, uses: uses + 1 });
    }
    Ok(Lease {
        fd: create()?,
        uses: 1,
    })
}

/// Makes a namespace with only `lo`, up, in a short-lived thread (a thread
/// may change its own network namespace) and keeps a descriptor to it.
fn create() -> io::Result<OwnedFd> {
    std::thread::Builder::new()
        .name("mcp-risk-netns".into())
        .spawn(|| {
            // SAFETY: unshare affects only this thread, which ends right after.
            if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                return Err(io::Error::last_os_error());
            }
            super::namespaces::loopback_up();
            let path = c"/proc/thread-self/ns/net";
            // SAFETY: open(2) on a NUL-terminated path; the result is checked.
            let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: a fresh descriptor we own.
            Ok(unsafe { OwnedFd::from_raw_fd(fd) })
        })?
        .join()
        .map_err(|_| io::Error::other("the namespace thread panicked"))?
}
