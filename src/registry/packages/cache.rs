//! The install cache's size and budget: how much it holds, what a budget
//! string means, and least-recently-used eviction of finished installs.
//!
//! Each finished install's marker records its size (`bytes`) and its mtime
//! is "last used" (touched whenever the install is reused). A server being
//! installed holds its directory's `.lock`; a server being probed holds a
//! shared lock on its directory's `.use` file ([`super::Installer::lease`]).
//! Eviction takes both exclusively without waiting, so it never touches an
//! install in use, by this process or another one on the same cache. It
//! removes the marker first and renames the directory into `<cache>/.trash`
//! before deleting it, so a crash midway never leaves a half-deleted install
//! that looks finished (the next install of that package starts afresh, and
//! the next eviction empties the trash).
//!
//! The shared stores (uv's cache, pnpm's store, npm's cache) are counted in
//! the cache's size and never evicted: they hold what many installs share.
//! When evicting installs leaves the cache over its budget, each store is
//! pruned with its own tool's command ([`Pruner`]), which drops what no
//! install still uses (the files of evicted installs). An install holds its
//! store ([`store_lease`]) while it runs: a read guard on the store's gate
//! in this process and a shared lock on its `.use` file. A prune takes the
//! gate for writing, so it waits for this process's running installs and
//! new ones wait for it, then takes the file lock exclusively without
//! waiting: a store another process is installing with is skipped (and
//! pruned by a later pass). Servers being probed never read a store: their
//! installs hold their own hardlinks or copies.

use std::collections::{HashMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use super::MARKER;

/// The default budget's ceiling: 20 GiB.
pub const DEFAULT_BUDGET_MAX: u64 = 20 << 30;
/// Eviction brings the cache down to this share of the budget, so the next
/// few installs do not each trigger one.
const LOW_WATER: f64 = 0.9;
/// The ecosystems whose installs are evictable (directories under the cache).
const ECOSYSTEMS: [&str; 2] = ["npm", "pypi"];
/// Where evicted installs go before they are deleted.
pub const TRASH: &str = ".trash";
/// uv's cache under the install cache (PyPI installs through uv).
pub const UV_CACHE: &str = "uv";
/// pnpm's content-addressed store under the install cache.
pub const PNPM_STORE: &str = "pnpm-store";
/// npm's shared download cache under the install cache.
pub const NPM_CACHE: &str = "npm-cache";

/// Parses a cache budget: bytes (`1000000`), or a number with a suffix K, M,
/// G or T (powers of 1024; `KB`, `KiB`, `G`, `GB` alike, any case, decimals
/// allowed: `1.5GB`). `0` and `none` mean no budget (`None`).
pub fn parse_size(s: &str) -> Result<Option<u64>, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size (e.g. 20G, 500M, 1.5GB, 1000000, none)"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit
        .strip_suffix("ib")
        .or_else(|| unit.strip_suffix('b'))
        .unwrap_or(&unit);
    let mult: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(format!("`{s}`: unknown unit (use K, M, G or T)")),
    };
    let bytes = (num * mult as f64).round();
    if !bytes.is_finite() || bytes < 0.0 {
        return Err(format!("`{s}` is not a size"));
    }
    Ok((bytes >= 1.0).then_some(bytes as u64))
}

/// A size for people: `1.9 GB`, `512.0 MB`, `12 KB` (powers of 1024).
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes >= 1 << 30 {
        format!("{:.1} GB", b / (1u64 << 30) as f64)
    } else if bytes >= 1 << 20 {
        format!("{:.1} MB", b / (1u64 << 20) as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1 << 10))
    }
}

/// Free bytes (for unprivileged users) on the filesystem holding `dir`, or
/// its nearest existing ancestor.
pub fn free_space(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let existing = dir.ancestors().find(|d| d.exists())?;
    let c = std::ffi::CString::new(existing.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs fills the struct we pass; the path is NUL-terminated.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    (rc == 0).then(|| st.f_bavail as u64 * st.f_frsize as u64)
}

/// The default budget: the smaller of 20 GiB and half the free space of the
/// cache's filesystem now.
pub fn default_budget(cache_dir: &Path) -> u64 {
    free_space(cache_dir)
        .map(|f| (f / 2).min(DEFAULT_BUDGET_MAX))
        .unwrap_or(DEFAULT_BUDGET_MAX)
}

/// Disk used under `dir`: allocated blocks, each inode counted once (a file
/// hardlinked from a shared store into several installs is counted once).
pub fn disk_usage(dir: &Path) -> u64 {
    let mut seen = HashSet::new();
    usage(dir, &mut seen, 0)
}

/// Disk used by the files only `dir` holds: like [`disk_usage`], but files
/// with other hard links (shared with a store) are left out. What evicting
/// `dir` would free.
pub fn unique_usage(dir: &Path) -> u64 {
    let mut seen = HashSet::new();
    usage(dir, &mut seen, 1)
}

/// Disk used by the files `dir` holds alone or shares with one other link
/// (a store's copy): what evicting `dir` and then pruning the stores frees.
pub fn prunable_usage(dir: &Path) -> u64 {
    let mut seen = HashSet::new();
    usage(dir, &mut seen, 2)
}

/// Allocated bytes under `dir`, each inode once; with `max_links` > 0,
/// only files with at most that many hard links.
fn usage(dir: &Path, seen: &mut HashSet<(u64, u64)>, max_links: u64) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(md) = e.path().symlink_metadata() else {
                continue;
            };
            if md.is_dir() {
                stack.push(e.path());
            }
            if max_links > 0 && md.is_file() && md.nlink() > max_links {
                continue;
            }
            if seen.insert((md.dev(), md.ino())) {
                total += md.blocks() * 512;
            }
        }
    }
    total
}

/// One finished install in the cache.
#[derive(Clone, Debug)]
pub struct CachedInstall {
    pub dir: PathBuf,
    /// Its size when installed (from the marker), else measured now.
    pub bytes: u64,
    pub last_used: SystemTime,
}

/// The finished installs (directories with a marker), least recently used first.
pub fn installs(cache_dir: &Path) -> Vec<CachedInstall> {
    let mut out = Vec::new();
    for eco in ECOSYSTEMS {
        let Ok(entries) = std::fs::read_dir(cache_dir.join(eco)) else {
            continue;
        };
        for e in entries.flatten() {
            let dir = e.path();
            let marker = dir.join(MARKER);
            let Ok(md) = marker.metadata() else {
                continue;
            };
            let bytes = match installs_size(&dir) {
                0 => disk_usage(&dir),
                n => n,
            };
            out.push(CachedInstall {
                dir,
                bytes,
                last_used: md.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            });
        }
    }
    out.sort_by(|a, b| a.last_used.cmp(&b.last_used).then(a.dir.cmp(&b.dir)));
    out
}

/// The finished installs' directories (a marker in each), without sizing them.
fn finished_dirs(cache_dir: &Path) -> HashSet<PathBuf> {
    ECOSYSTEMS
        .iter()
        .filter_map(|eco| std::fs::read_dir(cache_dir.join(eco)).ok())
        .flat_map(|entries| entries.flatten().map(|e| e.path()))
        .filter(|dir| dir.join(MARKER).is_file())
        .collect()
}

/// `<dir>` + `suffix` beside it (`x@1` → `x@1.lock`).
pub(super) fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_owned();
    name.push(suffix);
    dir.with_file_name(name)
}

/// An exclusive lock taken without waiting: `None` when someone holds it.
fn try_exclusive(path: &Path) -> Option<std::fs::File> {
    use std::os::fd::AsRawFd;
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .ok()?;
    // SAFETY: flock on a descriptor we own; released when `f` closes.
    let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    (rc == 0).then_some(f)
}

/// Removes one install unless it is being installed or used: the marker
/// first, then the directory renamed into the trash and deleted. Returns
/// whether it was removed.
pub fn evict_one(cache_dir: &Path, dir: &Path) -> bool {
    let Some(_install) = try_exclusive(&sibling(dir, ".lock")) else {
        return false;
    };
    let Some(_use) = try_exclusive(&sibling(dir, ".use")) else {
        return false;
    };
    if std::fs::remove_file(dir.join(MARKER)).is_err() {
        return false;
    }
    let trash = cache_dir.join(TRASH);
    let _ = std::fs::create_dir_all(&trash);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let to = trash.join(format!(
        "{}-{}-{nanos}",
        dir.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    match std::fs::rename(dir, &to) {
        Ok(()) => {
            let _ = std::fs::remove_dir_all(&to);
        }
        // Without its marker the install is redone on next use anyway.
        Err(_) => {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    true
}

/// Empties the trash (what an interrupted eviction left).
pub fn empty_trash(cache_dir: &Path) {
    let _ = std::fs::remove_dir_all(cache_dir.join(TRASH));
}

/// What an eviction pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evicted {
    pub installs: usize,
    pub bytes: u64,
}

/// When the cache is over `budget`, evicts least recently used installs
/// (skipping those in use and those in `keep`) until it is at most 90% of
/// it, or nothing more can go. `current` is the cache's size measured by
/// the caller.
pub fn evict_to_budget(
    cache_dir: &Path,
    budget: u64,
    current: u64,
    keep: &HashSet<PathBuf>,
) -> Evicted {
    evict_until(cache_dir, budget, current, keep, false)
}

/// [`evict_to_budget`]; with `will_prune`, an install's files shared only
/// with a store count as freed (the stores are pruned next), so installs
/// that share everything with a store are not all evicted for nothing.
fn evict_until(
    cache_dir: &Path,
    budget: u64,
    current: u64,
    keep: &HashSet<PathBuf>,
    will_prune: bool,
) -> Evicted {
    let mut done = Evicted::default();
    if current <= budget {
        return done;
    }
    let target = (budget as f64 * LOW_WATER) as u64;
    let mut size = current;
    for install in installs(cache_dir) {
        if size <= target {
            break;
        }
        if keep.contains(&install.dir) {
            continue;
        }
        let frees = unique_usage(&install.dir);
        let expected = if will_prune {
            prunable_usage(&install.dir)
        } else {
            frees
        };
        if evict_one(cache_dir, &install.dir) {
            size = size.saturating_sub(expected);
            done.installs += 1;
            done.bytes += frees;
        }
    }
    done
}

/// A shared store and the command of its own tool that prunes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pruner {
    /// The store's directory under the cache ([`UV_CACHE`], [`PNPM_STORE`],
    /// [`NPM_CACHE`]).
    pub store: &'static str,
    pub program: String,
    pub args: Vec<String>,
    pub timeout: Duration,
}

/// What pruning the shared stores did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// The stores pruned (directory names), each once, in the order first pruned.
    pub stores: Vec<String>,
    /// How much they shrank.
    pub bytes: u64,
}

impl Pruned {
    fn add(&mut self, other: Pruned) {
        for s in other.stores {
            if !self.stores.contains(&s) {
                self.stores.push(s);
            }
        }
        self.bytes += other.bytes;
    }
}

/// A store's gate in this process: installs read, a prune writes (tokio's
/// lock is fair, so a waiting prune is not starved by a stream of installs).
fn gate(store_dir: &Path) -> Arc<tokio::sync::RwLock<()>> {
    static GATES: OnceLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::RwLock<()>>>>> = OnceLock::new();
    let mut gates = GATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    Arc::clone(gates.entry(store_dir.to_path_buf()).or_default())
}

/// A store in use by an install, until dropped: [`prune_stores`] leaves it
/// alone, in this process and any other on the same cache. Waits while this
/// process prunes it. The file lock is left out when it cannot be made
/// (then no prune can take it either).
pub async fn store_lease(cache_dir: &Path, store: &str) -> StoreLease {
    let dir = cache_dir.join(store);
    let guard = gate(&dir).read_owned().await;
    let path = sibling(&dir, ".use");
    let file = match std::fs::create_dir_all(cache_dir) {
        Ok(()) => tokio::task::spawn_blocking(move || super::flock_file(&path, libc::LOCK_SH).ok())
            .await
            .ok()
            .flatten(),
        Err(_) => None,
    };
    StoreLease {
        _file: file,
        _guard: guard,
    }
}

/// See [`store_lease`].
pub struct StoreLease {
    _file: Option<std::fs::File>,
    _guard: tokio::sync::OwnedRwLockReadGuard<()>,
}

/// Prunes each store that exists with its tool's command (its output in
/// `<store>.prune.log` beside it), once this process's installs using it
/// are done, unless another process's install is using it. A store whose
/// command fails or times out is left as it is and not counted.
pub async fn prune_stores(cache_dir: &Path, pruners: &[Pruner]) -> Pruned {
    let mut done = Pruned::default();
    for p in pruners {
        let dir = cache_dir.join(p.store);
        if !dir.is_dir() {
            continue;
        }
        let _gate = gate(&dir).write_owned().await;
        let Some(_lock) = try_exclusive(&sibling(&dir, ".use")) else {
            continue;
        };
        let measure = |d: PathBuf| async move {
            tokio::task::spawn_blocking(move || disk_usage(&d))
                .await
                .unwrap_or(0)
        };
        let before = measure(dir.clone()).await;
        let log = sibling(&dir, ".prune.log");
        let _ = std::fs::remove_file(&log);
        let args: Vec<&str> = p.args.iter().map(String::as_str).collect();
        if super::run_step(&p.program, &args, &log, p.timeout)
            .await
            .is_err()
        {
            continue;
        }
        let after = measure(dir).await;
        done.stores.push(p.store.to_owned());
        done.bytes += before.saturating_sub(after);
    }
    done
}

/// A crawl's view of the cache: its size, the budget, what was evicted.
/// Between exact measurements it keeps an upper bound (the last measure plus
/// the size of every install that was not in it, counted once), and
/// measures (walks the cache) only when that bound is over the budget.
pub struct Budget {
    dir: PathBuf,
    limit: Option<u64>,
    /// How the shared stores are pruned when evicting installs is not enough.
    pruners: Vec<Pruner>,
    state: tokio::sync::Mutex<BudgetState>,
}

/// Installs the rest of the run still needs, with how many servers need each.
type Needed = std::collections::HashMap<PathBuf, usize>;

#[derive(Default)]
struct BudgetState {
    upper_bound: u64,
    /// Measure again once the upper bound passes this: the budget, or more
    /// when eviction could not get under it (what is left is in use or in
    /// the shared stores), so a cache that cannot shrink is not walked and
    /// emptied after every server.
    next_check: u64,
    evicted: Evicted,
    pruned: Pruned,
    /// Installs of servers this run has not probed yet: never evicted (an
    /// install a server will use soon is not reinstalled twice in one run).
    needed: Needed,
    /// Installs already in `upper_bound` (there at the last measure, or
    /// counted since): reusing one adds nothing, so a warm cache is not
    /// walked again for installs it already held.
    counted: HashSet<PathBuf>,
}

/// The cache at the end of a crawl.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheReport {
    pub dir: PathBuf,
    /// Disk used by the whole cache (installs and shared stores).
    pub bytes: u64,
    pub budget: Option<u64>,
    pub evicted: Evicted,
    /// The shared stores pruned to get under the budget.
    pub pruned: Pruned,
}

impl Budget {
    /// Measures the cache (a walk of it, when there is a limit) and empties
    /// an old trash. `needed`:
    /// the install directories of the servers this run will probe (one entry
    /// per server), kept until each has been probed.
    pub async fn new(dir: &Path, limit: Option<u64>, needed: Vec<PathBuf>) -> Budget {
        let mut counts = Needed::new();
        for d in needed {
            *counts.entry(d).or_default() += 1;
        }
        let owned = dir.to_path_buf();
        let measure = limit.is_some();
        let (bytes, counted) = tokio::task::spawn_blocking(move || {
            empty_trash(&owned);
            if measure {
                (disk_usage(&owned), finished_dirs(&owned))
            } else {
                (0, HashSet::new())
            }
        })
        .await
        .unwrap_or_default();
        Budget {
            dir: dir.to_path_buf(),
            limit,
            pruners: Vec::new(),
            state: tokio::sync::Mutex::new(BudgetState {
                upper_bound: bytes,
                next_check: limit.unwrap_or(u64::MAX),
                evicted: Evicted::default(),
                pruned: Pruned::default(),
                needed: counts,
                counted,
            }),
        }
    }

    /// Prunes the shared stores with these commands when evicting installs
    /// leaves the cache over the share of the budget eviction aims at.
    pub fn with_pruners(mut self, pruners: Vec<Pruner>) -> Budget {
        self.pruners = pruners;
        self
    }

    /// A budget that never measures (a crawl that installs nothing).
    pub fn new_unmeasured(dir: &Path) -> Budget {
        Budget {
            dir: dir.to_path_buf(),
            limit: None,
            pruners: Vec::new(),
            state: tokio::sync::Mutex::new(BudgetState::default()),
        }
    }

    /// A server done with the install in `install_dir`: its size counts
    /// (an upper bound), and when the cache may be over the budget it is
    /// measured and least recently used installs neither in use nor needed
    /// later in the run are evicted.
    pub async fn used(&self, install_dir: &Path) {
        let mut st = self.state.lock().await;
        if let Some(n) = st.needed.get_mut(install_dir) {
            *n -= 1;
            if *n == 0 {
                st.needed.remove(install_dir);
            }
        }
        let Some(limit) = self.limit else {
            return;
        };
        if st.counted.insert(install_dir.to_path_buf()) {
            st.upper_bound += installs_size(install_dir);
        }
        if st.upper_bound <= st.next_check {
            return;
        }
        self.evict(&mut st, limit).await;
    }

    /// The run is over (no install is in use or needed any more): when the
    /// cache may still be over the budget, least recently used installs are
    /// evicted. Installs kept while a server still needed them, with no
    /// install done after them, would otherwise leave it over the budget.
    pub async fn settle(&self) {
        let Some(limit) = self.limit else {
            return;
        };
        let mut st = self.state.lock().await;
        if st.upper_bound > limit {
            self.evict(&mut st, limit).await;
        }
    }

    /// Measures the cache and evicts least recently used installs that no
    /// server still needs, down to the budget. With pruners, the shared
    /// stores are pruned first when the cache is over the budget (what
    /// earlier evictions left in them goes before any install does), and
    /// again after evicting when the cache is still over the share of the
    /// budget eviction aims at.
    async fn evict(&self, st: &mut BudgetState, limit: u64) {
        let will_prune = !self.pruners.is_empty();
        let mut current = self.measure().await;
        if will_prune && current > limit {
            current = self.prune(st, current).await;
        }
        let dir = self.dir.clone();
        let keep: HashSet<PathBuf> = st.needed.keys().cloned().collect();
        let (evicted, mut now) = tokio::task::spawn_blocking(move || {
            let evicted = evict_until(&dir, limit, current, &keep, will_prune);
            let now = if evicted.installs > 0 {
                disk_usage(&dir)
            } else {
                current
            };
            (evicted, now)
        })
        .await
        .unwrap_or((Evicted::default(), current));
        if will_prune && evicted.installs > 0 && now > (limit as f64 * LOW_WATER) as u64 {
            now = self.prune(st, now).await;
        }
        let dir = self.dir.clone();
        st.counted = tokio::task::spawn_blocking(move || finished_dirs(&dir))
            .await
            .unwrap_or_default();
        st.upper_bound = now;
        st.next_check = if now > limit { now + limit / 10 } else { limit };
        st.evicted.installs += evicted.installs;
        st.evicted.bytes += evicted.bytes;
    }

    /// Prunes the shared stores no install is using; the cache's size after
    /// (`size` when nothing was pruned).
    async fn prune(&self, st: &mut BudgetState, size: u64) -> u64 {
        let pruned = prune_stores(&self.dir, &self.pruners).await;
        let any = !pruned.stores.is_empty();
        st.pruned.add(pruned);
        if any {
            self.measure().await
        } else {
            size
        }
    }

    /// The cache's size (a walk of it).
    async fn measure(&self) -> u64 {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || disk_usage(&dir))
            .await
            .unwrap_or(0)
    }

    /// The cache now (a walk of it).
    pub async fn report(&self) -> CacheReport {
        let st = self.state.lock().await;
        let bytes = self.measure().await;
        CacheReport {
            dir: self.dir.clone(),
            bytes,
            budget: self.limit,
            evicted: st.evicted,
            pruned: st.pruned.clone(),
        }
    }
}

/// An install's size from its marker (0 when it is not finished).
fn installs_size(dir: &Path) -> u64 {
    std::fs::read_to_string(dir.join(MARKER))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("bytes").and_then(serde_json::Value::as_u64))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("20G"), Ok(Some(20 << 30)));
        assert_eq!(parse_size("500M"), Ok(Some(500 << 20)));
        assert_eq!(parse_size("1.5GB"), Ok(Some(3 << 29)));
        assert_eq!(parse_size("2gib"), Ok(Some(2 << 30)));
        assert_eq!(parse_size("1000000"), Ok(Some(1_000_000)));
        assert_eq!(parse_size("64k"), Ok(Some(64 << 10)));
        assert_eq!(parse_size("0"), Ok(None));
        assert_eq!(parse_size("none"), Ok(None));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5X").is_err());
        assert!(parse_size("").is_err());
    }

    #[tokio::test]
    async fn reusing_an_install_the_cache_held_adds_nothing_to_the_bound() {
        let tmp = tempfile::tempdir().unwrap();
        let old = tmp.path().join("npm").join("old@1");
        let new = tmp.path().join("npm").join("new@1");
        std::fs::create_dir_all(&old).unwrap();
        std::fs::write(old.join(MARKER), "{\"bytes\":4096}\n").unwrap();
        let budget = Budget::new(tmp.path(), Some(1 << 30), Vec::new()).await;
        let start = budget.state.lock().await.upper_bound;
        budget.used(&old).await;
        budget.used(&old).await;
        assert_eq!(budget.state.lock().await.upper_bound, start);
        // A new install counts once, however many servers use it.
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join(MARKER), "{\"bytes\":8192}\n").unwrap();
        budget.used(&new).await;
        budget.used(&new).await;
        assert_eq!(budget.state.lock().await.upper_bound, start + 8192);
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human(3 << 29), "1.5 GB");
        assert_eq!(human(5 << 20), "5.0 MB");
        assert_eq!(human(1), "1 KB");
    }

    #[test]
    fn usage_counts_a_hardlinked_file_once_and_unique_leaves_it_out() {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("store");
        let inst = tmp.path().join("inst");
        std::fs::create_dir_all(&store).unwrap();
        std::fs::create_dir_all(&inst).unwrap();
        std::fs::write(store.join("wheel"), vec![7u8; 64 << 10]).unwrap();
        std::fs::hard_link(store.join("wheel"), inst.join("wheel")).unwrap();
        std::fs::write(inst.join("own"), vec![1u8; 16 << 10]).unwrap();
        let all = disk_usage(tmp.path());
        let inst_all = disk_usage(&inst);
        let inst_own = unique_usage(&inst);
        assert!(((80 << 10)..(100 << 10)).contains(&all), "{all}");
        assert!(inst_all >= (80 << 10), "{inst_all}");
        assert!((16 << 10..32 << 10).contains(&inst_own), "{inst_own}");
        // Shared only with the store: freed once the store is pruned too.
        let prunable = prunable_usage(&inst);
        assert!(((80 << 10)..(100 << 10)).contains(&prunable), "{prunable}");
        std::fs::hard_link(store.join("wheel"), tmp.path().join("other")).unwrap();
        let prunable = prunable_usage(&inst);
        assert!((16 << 10..32 << 10).contains(&prunable), "{prunable}");
    }
}
