//! Which namespaces a server gets, found once per process by a forked test
//! child: network (only `lo`), PID (the server is its init: when it dies
//! the kernel kills everything it started), IPC (SysV segments and POSIX
//! queues die with it), mount (the allow-list view of `filesystem.rs`) and,
//! unprivileged, a user namespace that makes the others possible.

use std::sync::OnceLock;

/// Which namespaces this machine lets us make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Netns {
    /// A user namespace first (we are not privileged).
    pub user: bool,
    /// A PID namespace too, with the server as its init: when the server
    /// dies the kernel kills everything it started, even processes that left
    /// its process group with setsid(2).
    pub pid: bool,
    /// An IPC namespace: the server's SysV objects and POSIX message queues
    /// are its own and go with it.
    pub ipc: bool,
    /// A mount namespace with the allow-list view of the filesystem (needs
    /// `pid`, for the server's own /proc).
    pub fs: bool,
}

impl Netns {
    /// The namespace flags for clone/unshare when everything is made fresh.
    pub(super) fn flags(self) -> libc::c_int {
        let mut f = libc::CLONE_NEWNET;
        if self.user {
            f |= libc::CLONE_NEWUSER;
        }
        if self.pid {
            f |= libc::CLONE_NEWPID;
        }
        if self.ipc {
            f |= libc::CLONE_NEWIPC;
        }
        if self.fs {
            f |= libc::CLONE_NEWNS;
        }
        f
    }

    /// Reused network namespaces are only safe when nothing a server started
    /// can outlive it (a PID namespace) and when we can join them (privileged).
    pub(super) fn pooled(self) -> bool {
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
        if self.ipc {
            parts.push("ipcns");
        }
        if self.fs {
            parts.push("mntns");
        }
        parts.join("+")
    }
}

/// Finds, once, which way of making namespaces works here, best first.
pub fn netns_support() -> Result<Netns, String> {
    static FOUND: OnceLock<Result<Netns, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            for (fs, ipc) in [(true, true), (true, false), (false, true), (false, false)] {
                for (user, pid) in [(false, true), (true, true), (false, false), (true, false)] {
                    let mode = Netns {
                        user,
                        pid,
                        ipc,
                        fs: fs && pid,
                    };
                    if fs && !pid {
                        continue;
                    }
                    if try_in_child(mode) {
                        return Ok(mode);
                    }
                }
            }
            Err("unshare(CLONE_NEWNET) and unshare(CLONE_NEWUSER|CLONE_NEWNET) both failed (no privilege and no unprivileged user namespaces)".into())
        })
        .clone()
}

/// Forks a child that only tries to make `mode`'s namespaces and exits with
/// the result. With `fs`, a grandchild (the init of the new PID namespace)
/// also builds the system part of the view on /tmp and pivots into it.
fn try_in_child(mode: Netns) -> bool {
    let view = mode
        .fs
        .then(|| super::filesystem::plan(std::path::Path::new("/"), &[], None, None));
    let raw = view
        .as_ref()
        .map(|v| super::filesystem::raw_ops(&v.ops))
        .unwrap_or_default();
    // SAFETY: geteuid/getegid have no preconditions.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    let maps = super::id_maps(uid, gid);
    // SAFETY: the children call only async-signal-safe syscalls (unshare,
    // fork, mount, waitpid, _exit) on data prepared before the fork, so
    // forking a multithreaded process is sound here.
    unsafe {
        let pid = libc::fork();
        if pid < 0 {
            return false;
        }
        if pid == 0 {
            if libc::unshare(mode.flags()) != 0 {
                libc::_exit(1);
            }
            if mode.user {
                if let Some((u, g)) = &maps {
                    if super::spawn::write_id_maps(u.as_ptr(), g.as_ptr()).is_err() {
                        libc::_exit(1);
                    }
                }
            }
            if !mode.fs {
                libc::_exit(0);
            }
            let inner = libc::fork();
            if inner == 0 {
                let ok =
                    super::filesystem::build(c"/tmp".as_ptr(), raw.as_ptr(), None, c"/".as_ptr())
                        .is_ok();
                libc::_exit(if ok { 0 } else { 1 });
            }
            libc::_exit(if inner > 0 && exited_ok(inner) { 0 } else { 1 });
        }
        exited_ok(pid)
    }
}

/// Waits for `pid`; did it exit with 0?
fn exited_ok(pid: libc::pid_t) -> bool {
    let mut status = 0;
    // SAFETY: waitpid on our own child.
    if unsafe { libc::waitpid(pid, &mut status, 0) } != pid {
        return false;
    }
    libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
}

/// Brings `lo` up inside a fresh network namespace, so servers that talk to
/// themselves on 127.0.0.1 still work; nothing else exists there.
pub(super) fn loopback_up() {
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
