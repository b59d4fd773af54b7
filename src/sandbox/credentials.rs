//! Who the server is: no capabilities, a uid of its own (run as root), a
//! fresh session keyring, and resource limits. Everything here runs in the
//! child before exec, so it is async-signal-safe: raw syscalls on stack data.

use std::io;
use std::sync::atomic::{AtomicU32, Ordering};

/// Limits on what one server may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Address space of each process, in bytes (RLIMIT_AS).
    pub memory: u64,
    /// Processes and threads the server may have at once (RLIMIT_NPROC,
    /// counted per uid, which is the server's own).
    pub tasks: u64,
}

impl Default for Limits {
    /// Sized for real servers: node and Python servers use 50-300 MB and a
    /// few dozen threads; a headless browser stays well inside.
    fn default() -> Self {
        Limits {
            memory: 2 << 30,
            tasks: 512,
        }
    }
}

/// The first uid handed to servers run as root: far above any real user's.
const UID_BASE: u32 = 0x5000_0000;
/// Servers of one crawler take uids from a window of this many, in turn.
const UID_WINDOW: u32 = 1 << 16;

/// A uid (and gid) for the next server started as root. Each server running
/// at once gets its own, so the kernel keeps them apart as different users:
/// none can signal, trace or read another's /proc entries or files, and the
/// task limit (RLIMIT_NPROC, counted per uid) is per server. Two crawlers
/// start their windows at different places (by pid).
pub fn next_server_uid() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let start = std::process::id().wrapping_mul(2_654_435_761) % UID_WINDOW;
    UID_BASE + (start.wrapping_add(n) % UID_WINDOW)
}

/// Empties this thread's capability bounding set, which only limits what a
/// later exec can grant. Launcher threads do it once and hand it down empty;
/// dropping a capability commits new credentials even when it is already
/// gone, so only those still there are dropped. Async-signal-safe.
pub(super) fn empty_bounding_set() -> io::Result<()> {
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

/// Drops every capability for good, in the child before exec: the bounding
/// set (so exec cannot grant root its capabilities back), the ambient set,
/// and the effective/permitted/inheritable sets; locks the "root is not
/// special" securebits and sets no_new_privs so setuid binaries gain nothing.
/// With `uid`, the server also becomes that user and group (no
/// supplementary groups) first: as root it would otherwise still pass every
/// permission check on files and processes owned by root. Without it (a
/// user namespace, or a crawler that is not root) it keeps our uid. It
/// cannot join other namespaces, mount, load modules, trace other processes
/// or reconfigure the network. Async-signal-safe: plain prctl/capset/setres*
/// syscalls on stack data.
pub(super) fn drop_privileges(uid: Option<u32>) -> io::Result<()> {
    const SECBIT_NOROOT: libc::c_ulong = 1 << 0;
    const SECBIT_NOROOT_LOCKED: libc::c_ulong = 1 << 1;
    const SECBIT_NO_SETUID_FIXUP: libc::c_ulong = 1 << 2;
    const SECBIT_NO_SETUID_FIXUP_LOCKED: libc::c_ulong = 1 << 3;
    const SECBIT_NO_CAP_AMBIENT_RAISE: libc::c_ulong = 1 << 6;
    const SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED: libc::c_ulong = 1 << 7;
    // SAFETY: prctl, setgroups, setres[ug]id and capset with integer
    // arguments and stack structs.
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
        if let Some(id) = uid {
            // Group first: changing it needs CAP_SETGID, which the uid
            // change would take away.
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setresgid(id, id, id) != 0
                || libc::setresuid(id, id, id) != 0
            {
                return Err(io::Error::last_os_error());
            }
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

/// Gives the child a new, empty session keyring of its own (it inherits
/// ours otherwise, and with it every key we hold). Its user keyring is that
/// of its own uid, or of a fresh user namespace. Async-signal-safe.
pub(super) fn fresh_keyring() -> io::Result<()> {
    const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
    // SAFETY: keyctl(2) with a NULL name makes an anonymous keyring.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            KEYCTL_JOIN_SESSION_KEYRING,
            std::ptr::null::<libc::c_char>(),
        )
    };
    match rc {
        // Kernels without keyrings have nothing to hide.
        r if r >= 0 => Ok(()),
        _ if io::Error::last_os_error().raw_os_error() == Some(libc::ENOSYS) => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

/// Refuses the key-management syscalls (keyctl, add_key, request_key) with
/// ENOSYS: a server has no use for kernel keyrings, and one that shares our
/// uid (a user namespace maps it to itself) could otherwise read the keys
/// we own by their serial number. A seccomp filter; needs no_new_privs
/// (set by [`drop_privileges`]). Async-signal-safe: a static program.
pub(super) fn refuse_keyrings() -> io::Result<()> {
    #[repr(C)]
    struct SockFilter {
        code: u16,
        jt: u8,
        jf: u8,
        k: u32,
    }
    #[repr(C)]
    struct SockFprog {
        len: u16,
        filter: *const SockFilter,
    }
    const LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
    const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const JGE_K: u16 = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    const RET_K: u16 = 0x06; // BPF_RET | BPF_K
    const RET_ALLOW: u32 = 0x7fff_0000;
    const RET_ENOSYS: u32 = 0x0005_0000 | libc::ENOSYS as u32;
    #[cfg(target_arch = "x86_64")]
    const ARCH: u32 = 0xc000_003e;
    #[cfg(target_arch = "aarch64")]
    const ARCH: u32 = 0xc000_00b7;
    // x32 syscalls on x86_64 carry this bit: refused alike.
    const X32: u32 = 0x4000_0000;
    let f = |code, jt, jf, k| SockFilter { code, jt, jf, k };
    let prog = [
        // Another architecture's syscall numbers: leave them be (this
        // filter is about keyrings, not a jail).
        f(LD_W_ABS, 0, 0, 4),
        f(JEQ_K, 0, 5, ARCH),
        f(LD_W_ABS, 0, 0, 0),
        f(JGE_K, 4, 0, X32),
        f(JEQ_K, 3, 0, libc::SYS_keyctl as u32),
        f(JEQ_K, 2, 0, libc::SYS_add_key as u32),
        f(JEQ_K, 1, 0, libc::SYS_request_key as u32),
        f(RET_K, 0, 0, RET_ALLOW),
        f(RET_K, 0, 0, RET_ENOSYS),
    ];
    let fprog = SockFprog {
        len: prog.len() as u16,
        filter: prog.as_ptr(),
    };
    // SAFETY: prctl(PR_SET_SECCOMP) with a pointer to a stack program.
    let rc = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER as libc::c_ulong,
            &fprog as *const SockFprog,
            0,
            0,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Resource limits: no core dumps, bounded files and descriptors and, when
/// no control group bounds the whole server, address space per process and
/// tasks per uid (see [`Limits`]).
pub(super) fn set_limits(memory: Option<u64>, tasks: Option<u64>) -> io::Result<()> {
    let set = |res, soft: u64, hard: u64| -> io::Result<()> {
        let lim = libc::rlimit {
            rlim_cur: soft as libc::rlim_t,
            rlim_max: hard as libc::rlim_t,
        };
        // SAFETY: setrlimit with a valid pointer to a stack value.
        if unsafe { libc::setrlimit(res, &lim) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    };
    set(libc::RLIMIT_CORE, 0, 0)?;
    set(libc::RLIMIT_FSIZE, 1 << 30, 1 << 30)?;
    set(libc::RLIMIT_NOFILE, 4096, 4096)?;
    if let Some(m) = memory {
        set(libc::RLIMIT_AS, m, m)?;
    }
    if let Some(t) = tasks {
        set(libc::RLIMIT_NPROC, t, t)?;
    }
    Ok(())
}
