//! Memory and task limits for a whole server (everything it starts
//! included), with control groups where we may make them: cgroup v2
//! (`memory.max`, `pids.max`) or, on a host that mounts the v1 controllers,
//! v1 (`memory.limit_in_bytes`, `pids.max`). Each server gets a group of its
//! own, which its child joins before exec and which is removed once the
//! server is gone; whether it hit a limit is read from the group's event
//! counters. Where neither works (unprivileged, or no controllers), the
//! credentials' RLIMIT_AS / RLIMIT_NPROC bound each process instead.
//!
//! cgroup v2 only lets a group with no processes of its own hand
//! controllers to its children, so the crawler moves itself into a leaf
//! (`mcp-risk-<pid>/crawler`) of its own group first and makes the servers'
//! groups beside it.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Mutex, OnceLock};

use super::Limits;

/// Where servers' groups are made.
#[derive(Debug)]
enum Parent {
    V2(PathBuf),
    V1 { memory: PathBuf, pids: PathBuf },
}

/// One server's group(s).
#[derive(Debug)]
pub struct Group {
    /// The directories (one for v2, one per controller for v1).
    dirs: Vec<PathBuf>,
    /// Their `cgroup.procs` files, for the child to join.
    pub(super) procs: Vec<CString>,
    v2: bool,
    limits: Limits,
    /// Whether it bounds tasks too (v2 always does).
    tasks: bool,
    /// Servers it has held, this one included.
    uses: u32,
    /// Its event counters when this server got it.
    base: Counters,
}

/// Limit events a group has seen: OOM kills and refused forks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counters {
    oom_kills: u64,
    fork_refusals: u64,
}

/// Servers one group holds (one after another) before it is removed: making
/// and removing a memory group costs the kernel about as much as the rest of
/// a launch, so groups are reused like network namespaces.
const MAX_USES: u32 = 64;

/// Groups not in use.
static FREE: Mutex<Vec<Group>> = Mutex::new(Vec::new());

/// Finds, once, where per-server groups can be made (as root only).
fn parent() -> Option<&'static Parent> {
    static FOUND: OnceLock<Option<Parent>> = OnceLock::new();
    FOUND.get_or_init(find).as_ref()
}

/// The cgroup paths of this process (hierarchy name or "" for v2 -> path)
/// and the cgroup mounts (fstype, super options, root, mount point).
fn find() -> Option<Parent> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mount_of = |fstype: &str, controller: Option<&str>| -> Option<(String, PathBuf)> {
        mounts.lines().find_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let mut r = right.split_whitespace();
            let (ty, _src, opts) = (r.next()?, r.next()?, r.next().unwrap_or(""));
            if ty != fstype || controller.is_some_and(|c| !opts.split(',').any(|o| o == c)) {
                return None;
            }
            let f: Vec<&str> = left.split_whitespace().collect();
            Some((f.get(3)?.to_string(), PathBuf::from(f.get(4)?)))
        })
    };
    let path_in = |root: &str, mnt: &Path, cg: &str| -> PathBuf {
        let rel = cg.strip_prefix(root).unwrap_or(cg).trim_start_matches('/');
        mnt.join(rel)
    };
    let line_of = |pred: &dyn Fn(&str) -> bool| -> Option<String> {
        own.lines().find_map(|l| {
            let mut p = l.splitn(3, ':');
            let (_, names, path) = (p.next()?, p.next()?, p.next()?);
            pred(names).then(|| path.to_string())
        })
    };
    // v2: a unified hierarchy with both controllers.
    if let (Some(cg), Some((root, mnt))) = (line_of(&|n| n.is_empty()), mount_of("cgroup2", None)) {
        let dir = path_in(&root, &mnt, &cg);
        if let Some(p) = v2_parent(&dir) {
            return Some(Parent::V2(p));
        }
    }
    // v1: the memory and pids hierarchies.
    let mem = line_of(&|n| n.split(',').any(|c| c == "memory"))?;
    let pids = line_of(&|n| n.split(',').any(|c| c == "pids"))?;
    let (mroot, mmnt) = mount_of("cgroup", Some("memory"))?;
    let (proot, pmnt) = mount_of("cgroup", Some("pids"))?;
    // v1 has no rule against groups beside processes: the servers' groups go
    // straight into ours, so nothing is left behind when we exit.
    let memory = path_in(&mroot, &mmnt, &mem);
    let pids = path_in(&proot, &pmnt, &pids);
    let writable = |d: &Path| {
        std::ffi::CString::new(d.as_os_str().as_bytes())
            // SAFETY: access(2) on a NUL-terminated path.
            .is_ok_and(|c| unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0)
    };
    if !(writable(&memory) && writable(&pids)) {
        return None;
    }
    sweep(&memory);
    sweep(&pids);
    Some(Parent::V1 { memory, pids })
}

/// Removes the empty groups a crawler that is gone left in `dir`
/// (`mcp-risk-<pid>-server-<n>`, when no process `pid` exists).
fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("mcp-risk-")
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir(e.path());
        }
    }
}

/// Makes `dir/mcp-risk-<pid>` a parent with memory and pids delegated to
/// its children, moving this process into its leaf `crawler`. Our own group
/// can only hand controllers down once no process is left in it: that works
/// when we were alone there (a container's init, a service of its own);
/// otherwise we move back and fall back to rlimits.
fn v2_parent(dir: &Path) -> Option<PathBuf> {
    let has = |f: &Path, c: &str| {
        std::fs::read_to_string(f).is_ok_and(|t| t.split_whitespace().any(|w| w == c))
    };
    let ctl = dir.join("cgroup.controllers");
    if !has(&ctl, "memory") || !has(&ctl, "pids") {
        return None;
    }
    let ours = dir.join(format!("mcp-risk-{}", std::process::id()));
    let leaf = ours.join("crawler");
    std::fs::create_dir_all(&leaf).ok()?;
    let me = std::process::id().to_string();
    let undo = || {
        let _ = std::fs::write(dir.join("cgroup.procs"), &me);
        let _ = std::fs::remove_dir(&leaf);
        let _ = std::fs::remove_dir(&ours);
    };
    let enable = |d: &Path| std::fs::write(d.join("cgroup.subtree_control"), "+memory +pids");
    if std::fs::write(leaf.join("cgroup.procs"), &me).is_err() {
        undo();
        return None;
    }
    let delegated = has(&dir.join("cgroup.subtree_control"), "memory")
        && has(&dir.join("cgroup.subtree_control"), "pids");
    if (!delegated && enable(dir).is_err()) || enable(&ours).is_err() {
        undo();
        return None;
    }
    Some(ours)
}

/// A group for one server with `limits` (a free one, or a new one), or
/// `None` where groups are not available (the caller falls back to rlimits).
///
/// With `tasks` false, a v1 host gets no pids group (the server's own uid
/// bounds its tasks with RLIMIT_NPROC, and each group a child joins costs
/// the kernel a synchronisation of milliseconds).
pub(super) fn lease(limits: &Limits, tasks: bool) -> Option<Group> {
    let reused = FREE.lock().ok().and_then(|mut free| {
        let i = free
            .iter()
            .position(|g| g.limits == *limits && g.tasks == tasks)?;
        Some(free.swap_remove(i))
    });
    let mut g = match reused {
        Some(mut g) => {
            g.uses += 1;
            g
        }
        None => create(limits, tasks)?,
    };
    g.base = g.counters();
    Some(g)
}

/// Makes a new group.
fn create(limits: &Limits, tasks: bool) -> Option<Group> {
    static N: AtomicU64 = AtomicU64::new(0);
    let parent = parent()?;
    let name = format!(
        "mcp-risk-{}-server-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    // (index into dirs, file, value)
    type Files = Vec<(usize, &'static str, String)>;
    let (dirs, files, v2): (Vec<PathBuf>, Files, bool) = match parent {
        Parent::V2(p) => (
            vec![p.join(&name)],
            vec![
                (0, "memory.max", limits.memory.to_string()),
                (0, "memory.swap.max", "0".into()),
                (0, "pids.max", limits.tasks.to_string()),
            ],
            true,
        ),
        Parent::V1 { memory, pids } => (
            if tasks {
                vec![memory.join(&name), pids.join(&name)]
            } else {
                vec![memory.join(&name)]
            },
            vec![
                (0, "memory.limit_in_bytes", limits.memory.to_string()),
                (0, "memory.memsw.limit_in_bytes", limits.memory.to_string()),
                (1, "pids.max", limits.tasks.to_string()),
            ]
            .into_iter()
            .filter(|(i, _, _)| tasks || *i == 0)
            .collect(),
            false,
        ),
    };
    let mut made = Vec::new();
    for d in &dirs {
        if std::fs::create_dir(d).is_err() {
            remove_later(made);
            return None;
        }
        made.push(d.clone());
    }
    for (i, file, value) in files {
        let path = dirs[i].join(file);
        // swap files are absent without swap accounting: fine.
        if std::fs::write(&path, value).is_err()
            && file != "memory.swap.max"
            && !file.contains("memsw")
        {
            remove_later(made);
            return None;
        }
    }
    let procs = dirs
        .iter()
        .filter_map(|d| CString::new(d.join("cgroup.procs").as_os_str().as_bytes()).ok())
        .collect();
    static SWEEP: std::sync::Once = std::sync::Once::new();
    SWEEP.call_once(|| {
        // SAFETY: registering a plain extern "C" function.
        unsafe { libc::atexit(remove_free_at_exit) };
    });
    Some(Group {
        dirs: made,
        procs,
        v2,
        limits: *limits,
        tasks: tasks || v2,
        uses: 1,
        base: Counters::default(),
    })
}

/// At exit: the free groups are empty; remove them. (Groups still in use
/// are removed by their servers' drop; a crawler that is killed leaves its
/// groups to the next one's sweep, see [`sweep`].)
extern "C" fn remove_free_at_exit() {
    if let Ok(mut free) = FREE.try_lock() {
        for g in free.drain(..) {
            for d in &g.dirs {
                let _ = std::fs::remove_dir(d);
            }
            std::mem::forget(g);
        }
    }
}

impl Group {
    /// Reads the group's event counters.
    fn counters(&self) -> Counters {
        let count = |file: &Path, key: &str| -> u64 {
            std::fs::read_to_string(file)
                .ok()
                .and_then(|t| {
                    t.lines().find_map(|l| {
                        let (k, v) = l.split_once(' ')?;
                        (k == key).then(|| v.trim().parse().ok()).flatten()
                    })
                })
                .unwrap_or(0)
        };
        let (mem, pids) = if self.v2 {
            (&self.dirs[0], &self.dirs[0])
        } else {
            (&self.dirs[0], self.dirs.get(1).unwrap_or(&self.dirs[0]))
        };
        let oom_file = if self.v2 {
            "memory.events"
        } else {
            "memory.oom_control"
        };
        Counters {
            oom_kills: count(&mem.join(oom_file), "oom_kill"),
            fork_refusals: count(&pids.join("pids.events"), "max"),
        }
    }

    /// Did the server run into a limit since it got this group? A
    /// description, from the group's event counters: an OOM kill in the
    /// group, a fork or thread refused by its task limit.
    pub fn limit_hit(&self) -> Option<String> {
        let now = self.counters();
        let mut hits = Vec::new();
        if now.oom_kills > self.base.oom_kills {
            hits.push("memory");
        }
        if now.fork_refusals > self.base.fork_refusals {
            hits.push("tasks");
        }
        (!hits.is_empty()).then(|| format!("it reached its {} limit", hits.join(" and ")))
    }

    pub fn label(&self) -> &'static str {
        match (self.v2, self.tasks) {
            (true, _) => "cgroup2",
            (false, true) => "cgroup1",
            (false, false) => "cgroup1-mem+rlimit-tasks",
        }
    }

    /// Does the group bound the server's tasks (else RLIMIT_NPROC must)?
    pub fn bounds_tasks(&self) -> bool {
        self.tasks
    }

    /// Returns the group for the next server (or removes it when worn
    /// out). Only call once the server and everything it started are gone.
    pub fn give_back(self) {
        if self.uses < MAX_USES {
            if let Ok(mut free) = FREE.lock() {
                free.push(self);
            }
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        remove_later(std::mem::take(&mut self.dirs));
    }
}

/// Removes groups on a background thread: rmdir of a group waits for the
/// kernel to retire it (milliseconds), and one whose last task is still
/// exiting is retried a few times.
fn remove_later(dirs: Vec<PathBuf>) {
    static QUEUE: OnceLock<Option<Mutex<Sender<Vec<PathBuf>>>>> = OnceLock::new();
    if dirs.is_empty() {
        return;
    }
    let q = QUEUE.get_or_init(|| {
        let (tx, rx) = channel::<Vec<PathBuf>>();
        std::thread::Builder::new()
            .name("mcp-risk-cgroups".into())
            .spawn(move || {
                for dirs in rx {
                    for d in dirs {
                        for attempt in 0..50 {
                            match std::fs::remove_dir(&d) {
                                Err(e) if e.raw_os_error() == Some(libc::EBUSY) && attempt < 49 => {
                                    std::thread::sleep(std::time::Duration::from_millis(20))
                                }
                                _ => break,
                            }
                        }
                    }
                }
            })
            .ok()
            .map(|_| Mutex::new(tx))
    });
    match q.as_ref().and_then(|m| m.lock().ok()) {
        Some(tx) => {
            let _ = tx.send(dirs);
        }
        None => {
            for d in dirs {
                let _ = std::fs::remove_dir(d);
            }
        }
    }
}

/// In the child, before exec: joins the group (writing 0 moves the writer).
/// Async-signal-safe.
pub(super) fn join(procs: *const *const libc::c_char) -> io::Result<()> {
    // SAFETY: a NULL-terminated array of NUL-terminated strings prepared by
    // the parent; open/write/close only.
    unsafe {
        let mut p = procs;
        while !(*p).is_null() {
            let fd = libc::open(*p, libc::O_WRONLY | libc::O_CLOEXEC);
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            let n = libc::write(fd, c"0".as_ptr() as *const libc::c_void, 1);
            let err = io::Error::last_os_error();
            libc::close(fd);
            if n != 1 {
                return Err(err);
            }
            p = p.add(1);
        }
    }
    Ok(())
}
