//! The install cache at scale, offline: stand-in npm, pnpm and uv scripts
//! (shell scripts that lay out what the real ones would, and log what they
//! were asked), a budget small enough to evict, a "full disk", and the two
//! concurrency limits of a crawl (installs, probes).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

#[allow(dead_code)]
mod common;

use mcp_risk::crawl::{crawl_pending, CrawlOptions, CrawlReport, Pending};
use mcp_risk::mcp::{ProbeOptions, ProbeTarget, Status};
use mcp_risk::registry::packages::cache::{self, disk_usage, evict_to_budget};
use mcp_risk::registry::packages::{Installer, MARKER};
use mcp_risk::registry::{Launch, PackageLaunch, PackageRegistry, ServerRecord};
use mcp_risk::store::Store;

fn script(dir: &Path, name: &str, body: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.to_string_lossy().into_owned()
}

/// A stand-in npm: logs `install-start NAME` / `install-end NAME` to
/// `events`, sleeps (so overlaps show), and installs a package holding a
/// `kb` KB blob whose bin is a shell script that logs `probe-start` /
/// `probe-end` around a short sleep and exits 1 (a crashed server). A
/// package whose name contains `full` fails as npm does on a full disk,
/// leaving a partial install behind.
fn fake_npm(dir: &Path, events: &Path, kb: usize) -> String {
    let body = format!(
        r#"prefix=""; spec=""
while [ $# -gt 0 ]; do
  case "$1" in --prefix|--cache) [ "$1" = --prefix ] && prefix="$2"; shift;; -*|install) ;; *) spec="$1";; esac; shift
done
name="${{spec%@*}}"
echo "install-start $name" >> "{events}"
sleep 0.2
pkg="$prefix/node_modules/$name"
mkdir -p "$pkg/bin"
if [ "${{name#*full}}" != "$name" ]; then
  head -c 8192 /dev/zero > "$pkg/partial"
  echo "npm error code ENOSPC" >&2
  echo "npm error nospc ENOSPC: no space left on device, write" >&2
  echo "install-end $name" >> "{events}"
  exit 228
fi
head -c {bytes} /dev/urandom > "$pkg/blob"
printf '{{"name":"%s","bin":{{"srv":"bin/srv"}}}}' "$name" > "$pkg/package.json"
printf '#!/bin/sh\necho "probe-start %s" >> "{events}"\nsleep 0.2\necho "probe-end %s" >> "{events}"\nexit 1\n' "$name" "$name" > "$pkg/bin/srv"
chmod +x "$pkg/bin/srv"
echo "install-end $name" >> "{events}"
"#,
        events = events.display(),
        bytes = kb * 1024
    );
    script(dir, "npm", &body)
}

fn npm_pkg(name: &str) -> PackageLaunch {
    PackageLaunch {
        registry: PackageRegistry::Npm,
        identifier: name.into(),
        version: "1.0.0".into(),
        runtime_args: vec![],
        package_args: vec![],
        env: Default::default(),
    }
}

fn listed(name: &str) -> Pending {
    Pending::Listed {
        record: ServerRecord {
            name: format!("io.test/{name}"),
            source: "test".into(),
            version: None,
            description: None,
            launch: Launch::Package(npm_pkg(name)),
        },
        allow_exec: true,
    }
}

fn options(inst: Installer, install_jobs: usize, concurrency: usize) -> CrawlOptions {
    let mut probe = ProbeOptions::default().with_total_timeout(Duration::from_secs(10));
    probe.sandbox = false;
    CrawlOptions {
        concurrency,
        install_jobs,
        probe,
        installer: Some(Arc::new(inst)),
        ..CrawlOptions::default()
    }
}

/// Crawls `names` (each an npm package server) into `store` as the run `key`.
fn crawl(store: &Arc<Store>, key: &str, names: &[&str], opts: &CrawlOptions) -> CrawlReport {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pending = names.iter().map(|n| listed(n)).collect();
    crawl_pending(&rt, store, &[key.to_owned()], pending, opts).unwrap()
}

fn events(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(e, n)| (e.to_owned(), n.to_owned()))
        .collect()
}

/// The most `kind`s (install, probe) running at once, from the event log.
fn max_overlap(evs: &[(String, String)], kind: &str) -> usize {
    let (mut now, mut max) = (0usize, 0usize);
    for (e, _) in evs {
        if *e == format!("{kind}-start") {
            now += 1;
            max = max.max(now);
        } else if *e == format!("{kind}-end") {
            now -= 1;
        }
    }
    max
}

fn statuses(store: &Store, run: i64) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = store
        .run_attempts(run)
        .unwrap()
        .into_iter()
        .map(|a| (a.server, a.status))
        .collect();
    v.sort();
    v
}

fn npm_dir(cache: &Path, name: &str) -> PathBuf {
    cache.join("npm").join(format!("{name}@1.0.0"))
}

/// The servers the tiny-budget crawls install, oldest first.
const FIVE: [&str; 5] = ["p1", "p2", "p3", "p4", "p5"];
/// A cache budget that holds about two of the fake installs.
const TINY_BUDGET: u64 = 700 * 1024;

/// A crawl of [`FIVE`] under [`TINY_BUDGET`] and what it ran with.
struct TinyRun {
    store: Arc<Store>,
    opts: CrawlOptions,
    report: CrawlReport,
    cache_dir: PathBuf,
    log: PathBuf,
}

/// Crawls [`FIVE`], one install at a time, under [`TINY_BUDGET`], in `tmp`;
/// `tool(installer, bin dir, log)` gives the installer its fake tool.
fn crawl_on_a_tiny_budget(tmp: &Path, tool: impl FnOnce(&mut Installer, &Path, &Path)) -> TinyRun {
    let log = tmp.join("log");
    let cache_dir = tmp.join("cache");
    let mut inst = Installer::new(&cache_dir);
    tool(&mut inst, &tmp.join("bin"), &log);
    let mut opts = options(inst, 1, 1);
    opts.cache_budget = Some(TINY_BUDGET);
    let store = Arc::new(Store::open(tmp.join("db.sqlite")).unwrap());
    let report = crawl(&store, "test", &FIVE, &opts);
    TinyRun {
        store,
        opts,
        report,
        cache_dir,
        log,
    }
}

#[test]
fn a_tiny_budget_evicts_least_recently_used_installs_once_probed() {
    let tmp = tempfile::tempdir().unwrap();
    let TinyRun {
        store,
        opts,
        report,
        cache_dir,
        log,
    } = crawl_on_a_tiny_budget(tmp.path(), |inst, bin, log| {
        inst.npm = fake_npm(bin, log, 300)
    });
    let (names, budget) = (FIVE, TINY_BUDGET);

    // Every server was installed, probed and stored; a re-probe reinstalls.
    let st = statuses(&store, report.run);
    assert_eq!(st.len(), 5);
    assert!(st.iter().all(|(_, s)| s == "crashed"), "{st:?}");
    let cache = report.cache.expect("packages were installed");
    assert!(cache.evicted.installs >= 2, "{cache:?}");
    assert!(cache.bytes <= budget, "{cache:?}");
    assert_eq!(cache.bytes, disk_usage(&cache_dir));
    // Least recently used first: what is left is the newest installs.
    let kept: Vec<bool> = names
        .iter()
        .map(|n| npm_dir(&cache_dir, n).join(MARKER).is_file())
        .collect();
    assert!(kept[4], "the newest install stays: {kept:?}");
    let first_kept = kept.iter().position(|k| *k).unwrap();
    assert!(kept[first_kept..].iter().all(|k| *k), "{kept:?}");
    assert!(first_kept >= 2, "{kept:?}");
    for n in &names[..first_kept] {
        assert!(!npm_dir(&cache_dir, n).exists(), "{n} left half-deleted");
    }
    assert!(
        !cache_dir.join(cache::TRASH).exists()
            || cache_dir
                .join(cache::TRASH)
                .read_dir()
                .unwrap()
                .next()
                .is_none()
    );

    // A new run over a warm cache already over its budget: the installs its
    // servers still need are kept until they are probed, so none is
    // installed twice (only those evicted above are installed again).
    let before = events(&log).len();
    let report = crawl(&store, "test-again", &names, &opts);
    assert_eq!(statuses(&store, report.run).len(), 5);
    // Installs run side by side, so they start in any order.
    let mut again: Vec<String> = events(&log)[before..]
        .iter()
        .filter(|(e, _)| e == "install-start")
        .map(|(_, n)| n.clone())
        .collect();
    again.sort();
    let evicted_first: Vec<String> = names[..first_kept].iter().map(|n| n.to_string()).collect();
    assert_eq!(again, evicted_first, "reinstalled: {again:?}");
    assert!(report.cache.unwrap().bytes <= budget);
}

#[tokio::test]
async fn eviction_goes_by_last_use_and_skips_installs_in_use() {
    let tmp = tempfile::tempdir().unwrap();
    let cache_dir = tmp.path().join("cache");
    let inst = Installer::new(&cache_dir);
    let now = SystemTime::now();
    // a used a minute ago, b two minutes ago, c three minutes ago.
    for (name, age) in [("a", 60), ("b", 120), ("c", 180)] {
        let dir = npm_dir(&cache_dir, name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("blob"), vec![name.as_bytes()[0]; 100 * 1024]).unwrap();
        let marker = dir.join(MARKER);
        std::fs::write(&marker, "{}").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&marker)
            .unwrap()
            .set_modified(now - Duration::from_secs(age))
            .unwrap();
    }
    let order: Vec<String> = cache::installs(&cache_dir)
        .iter()
        .map(|i| i.dir.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(order, ["c@1.0.0", "b@1.0.0", "a@1.0.0"]);

    // c is being probed: it stays, and the next least recently used goes.
    let lease = inst
        .lease(&npm_pkg("c"))
        .await
        .expect("an npm install leases");
    let current = disk_usage(&cache_dir);
    let evicted = evict_to_budget(&cache_dir, 250 * 1024, current, &Default::default());
    assert_eq!(evicted.installs, 1, "{evicted:?}");
    assert!(npm_dir(&cache_dir, "c").join(MARKER).is_file());
    assert!(!npm_dir(&cache_dir, "b").exists());
    assert!(npm_dir(&cache_dir, "a").join(MARKER).is_file());

    // Released, it is the least recently used; unless the run still needs it.
    drop(lease);
    let keep = [npm_dir(&cache_dir, "c")].into_iter().collect();
    let evicted = evict_to_budget(&cache_dir, 150 * 1024, disk_usage(&cache_dir), &keep);
    assert_eq!(evicted.installs, 1, "{evicted:?}");
    assert!(npm_dir(&cache_dir, "c").join(MARKER).is_file());
    assert!(!npm_dir(&cache_dir, "a").exists());
    std::fs::create_dir_all(npm_dir(&cache_dir, "a")).unwrap();
    std::fs::write(npm_dir(&cache_dir, "a").join("blob"), vec![1u8; 100 * 1024]).unwrap();
    std::fs::write(npm_dir(&cache_dir, "a").join(MARKER), "{}").unwrap();
    let evicted = evict_to_budget(
        &cache_dir,
        150 * 1024,
        disk_usage(&cache_dir),
        &Default::default(),
    );
    assert_eq!(evicted.installs, 1, "{evicted:?}");
    assert!(!npm_dir(&cache_dir, "c").exists());
    assert!(npm_dir(&cache_dir, "a").join(MARKER).is_file());

    // Under budget: nothing goes.
    let evicted = evict_to_budget(
        &cache_dir,
        10 << 20,
        disk_usage(&cache_dir),
        &Default::default(),
    );
    assert_eq!(evicted, cache::Evicted::default());
}

#[test]
fn a_full_disk_is_disk_full_the_partial_install_goes_and_the_crawl_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("events");
    let cache_dir = tmp.path().join("cache");
    let mut inst = Installer::new(&cache_dir);
    inst.npm = fake_npm(&tmp.path().join("bin"), &log, 4);
    let opts = options(inst, 2, 2);
    let store = Arc::new(Store::open(tmp.path().join("db.sqlite")).unwrap());
    let report = crawl(&store, "test", &["before", "disk-full", "after"], &opts);
    assert_eq!(
        statuses(&store, report.run),
        [
            ("io.test/after".to_owned(), "crashed".to_owned()),
            ("io.test/before".to_owned(), "crashed".to_owned()),
            ("io.test/disk-full".to_owned(), "disk_full".to_owned()),
        ]
    );
    let full = store
        .run_attempts(report.run)
        .unwrap()
        .into_iter()
        .find(|a| a.status == "disk_full")
        .unwrap();
    assert!(
        full.detail
            .as_deref()
            .unwrap_or("")
            .contains("no space left"),
        "{:?}",
        full.detail
    );
    assert!(
        !npm_dir(&cache_dir, "disk-full").exists(),
        "partial install left"
    );
    assert!(npm_dir(&cache_dir, "after").join(MARKER).is_file());
    assert_eq!(report.summary.get(&Status::DiskFull), Some(&1));
}

#[test]
fn installs_and_probes_keep_their_own_limits_and_stream() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("events");
    let mut inst = Installer::new(&tmp.path().join("cache"));
    inst.npm = fake_npm(&tmp.path().join("bin"), &log, 4);
    let opts = options(inst, 2, 1);
    let store = Arc::new(Store::open(tmp.path().join("db.sqlite")).unwrap());
    let names = ["s1", "s2", "s3", "s4", "s5", "s6"];
    let report = crawl(&store, "test", &names, &opts);
    assert_eq!(report.handled, 6);
    let evs = events(&log);
    assert_eq!(evs.len(), 24, "{evs:?}");
    assert_eq!(max_overlap(&evs, "install"), 2, "{evs:?}");
    assert_eq!(max_overlap(&evs, "probe"), 1, "{evs:?}");
    // Streaming: the first probe starts before the last install ends.
    let first_probe = evs.iter().position(|(e, _)| e == "probe-start").unwrap();
    let last_install = evs.iter().rposition(|(e, _)| e == "install-end").unwrap();
    assert!(first_probe < last_install, "{evs:?}");
    // Each server is probed after its own install.
    for n in names {
        let i = evs.iter().position(|(e, m)| e == "install-end" && m == n);
        let p = evs.iter().position(|(e, m)| e == "probe-start" && m == n);
        assert!(i < p, "{n}: {evs:?}");
    }
}

/// A stand-in uv: logs its arguments and environment, `venv DIR` makes a
/// venv, `pip install --python PY ... SPEC` installs a dist-info with a
/// console script into PY's venv.
fn fake_uv(dir: &Path, log: &Path) -> String {
    let body = format!(
        r#"echo "uv $* | UV_CACHE_DIR=$UV_CACHE_DIR UV_LINK_MODE=$UV_LINK_MODE UV_DEFAULT_INDEX=$UV_DEFAULT_INDEX" >> "{log}"
if [ "$1" = venv ]; then
  for a in "$@"; do venv="$a"; done
  mkdir -p "$venv/bin" "$venv/lib/python3.11/site-packages"
  : > "$venv/bin/python"
  exit 0
fi
py=""; prev=""
for a in "$@"; do [ "$prev" = --python ] && py="$a"; prev="$a"; done
venv=$(dirname "$(dirname "$py")")
site="$venv/lib/python3.11/site-packages/demo_server-1.0.0.dist-info"
mkdir -p "$site"
printf '[console_scripts]\ndemo-server = demo:main\n' > "$site/entry_points.txt"
printf '#!/bin/sh\n' > "$venv/bin/demo-server"; chmod +x "$venv/bin/demo-server"
"#,
        log = log.display()
    );
    script(dir, "uv", &body)
}

/// A stand-in pnpm: logs its arguments; `add --lockfile-only SPEC` writes
/// the spec as its "lockfile" (and reports peer trouble for a name with
/// `peer`); `install --frozen-lockfile` installs it into `--dir`, linked
/// from a virtual store inside it (as pnpm lays it out).
fn fake_pnpm(dir: &Path, log: &Path) -> String {
    let body = format!(
        r#"echo "pnpm $*" >> "{log}"
d=""; spec=""; cmd="$1"
while [ $# -gt 0 ]; do
  case "$1" in --dir|--store-dir) [ "$1" = --dir ] && d="$2"; shift;; -*|add|install) ;; *) spec="$1";; esac; shift
done
if [ "$cmd" = add ]; then
  echo "$spec" > "$d/pnpm-lock.yaml"
  case "$spec" in *peer*) echo '✗ 1 peer dependency has issues: zod (see "pnpm peers check")';; esac
  exit 0
fi
spec=$(cat "$d/pnpm-lock.yaml")
name="${{spec%@*}}"
real="$d/node_modules/.pnpm/$name@1.0.0/node_modules/$name"
mkdir -p "$real/bin"
printf '{{"name":"%s","bin":"bin/srv.js"}}' "$name" > "$real/package.json"
echo 'process.exit(0)' > "$real/bin/srv.js"
ln -s ".pnpm/$name@1.0.0/node_modules/$name" "$d/node_modules/$name"
"#,
        log = log.display()
    );
    script(dir, "pnpm", &body)
}

#[tokio::test]
async fn shared_stores_install_through_uv_and_pnpm_and_fall_back_to_npm() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    let log = tmp.path().join("log");
    let cache_dir = tmp.path().join("cache");
    let mut inst = Installer::new(&cache_dir);
    inst.uv = Some(fake_uv(&bin, &log));
    inst.pnpm = Some(fake_pnpm(&bin, &log));
    inst.npm = script(
        &bin,
        "npm",
        &format!("echo \"npm $*\" >> \"{}\"\nexit 1\n", log.display()),
    );
    assert_eq!(inst.describe_stores(), "uv, pnpm");

    // PyPI through uv: wheels only, its cache under ours, hardlinked.
    let pkg = PackageLaunch {
        registry: PackageRegistry::Pypi,
        identifier: "demo-server".into(),
        version: "1.0.0".into(),
        runtime_args: vec![],
        package_args: vec![],
        env: Default::default(),
    };
    let ProbeTarget::Stdio { command, .. } = inst.prepare(&pkg).await.unwrap() else {
        panic!()
    };
    assert!(
        command.ends_with("pypi/demo-server==1.0.0/venv/bin/demo-server"),
        "{command}"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let uv_cache = cache_dir.join("uv");
    assert!(text.contains("uv venv"), "{text}");
    assert!(
        text.contains("uv pip install --python")
            && text.contains("--only-binary :all: demo-server==1.0.0"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "UV_CACHE_DIR={} UV_LINK_MODE=hardlink",
            uv_cache.display()
        )),
        "{text}"
    );

    // npm through pnpm: the store under our cache, no scripts, the bin
    // resolved through the package's own node_modules.
    let ProbeTarget::Stdio { args, .. } = inst.prepare(&npm_pkg("demo-js")).await.unwrap() else {
        panic!()
    };
    let pkg_dir = npm_dir(&cache_dir, "demo-js");
    assert!(
        args[0].starts_with(
            &pkg_dir
                .canonicalize()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        ) && args[0].ends_with("node_modules/demo-js/bin/srv.js"),
        "{args:?}"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains(&format!(
            "--store-dir {}",
            cache_dir.join("pnpm-store").display()
        )) && text.contains("--ignore-scripts"),
        "{text}"
    );
    assert!(
        text.contains("pnpm add --lockfile-only")
            && text.contains("pnpm install --frozen-lockfile"),
        "{text}"
    );
    let npm_ran = |t: &str| t.lines().any(|l| l.starts_with("npm install"));
    assert!(!npm_ran(&text), "npm ran beside pnpm: {text}");

    // A peer dependency pnpm resolved out of its range: npm redoes it.
    let (status, _) = inst.prepare(&npm_pkg("peer-js")).await.unwrap_err();
    assert_eq!(status, Status::InstallFailed, "the stand-in npm fails");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains(&format!(
            "npm install --prefix {}",
            npm_dir(&cache_dir, "peer-js").display()
        )),
        "{text}"
    );
    assert!(!npm_dir(&cache_dir, "peer-js").exists());

    // Without pnpm: npm with the shared cache, offline first.
    inst.pnpm = None;
    inst.npm_shared_cache = true;
    assert_eq!(inst.describe_stores(), "uv, npm (shared cache)");
    let (status, _) = inst.prepare(&npm_pkg("other-js")).await.unwrap_err();
    assert_eq!(status, Status::InstallFailed);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains(&format!(
            "--cache {} --prefer-offline",
            cache_dir.join("npm-cache").display()
        )),
        "{text}"
    );
    // The plain path: no shared cache.
    inst.npm_shared_cache = false;
    inst.uv = None;
    assert_eq!(inst.describe_stores(), "pip, npm");
}

/// `crawl` picks pnpm and uv up from PATH (uv given pip's index), and
/// `--no-shared-stores` forces npm.
#[test]
fn the_crawl_command_uses_pnpm_on_path_unless_told_not_to() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    let log = tmp.path().join("log");
    fake_pnpm(&bin, &log);
    fake_uv(&bin, &log);
    // The plain path's python: logs and fails (no index is ever reached).
    script(
        &bin,
        "python3",
        &format!("echo \"python3 $*\" >> \"{}\"\nexit 1\n", log.display()),
    );
    script(
        &bin,
        "npm",
        &format!("echo \"npm $*\" >> \"{}\"\nexit 1\n", log.display()),
    );
    let dump = tmp.path().join("servers.json");
    std::fs::write(
        &dump,
        r#"[{"name": "io.test/demo", "description": "d", "version": "1.0.0",
            "packages": [{"registryType": "npm", "identifier": "demo-js", "version": "1.0.0",
                          "transport": {"type": "stdio"}}]},
           {"name": "io.test/py", "description": "p", "version": "1.0.0",
            "packages": [{"registryType": "pypi", "identifier": "demo-server", "version": "1.0.0",
                          "transport": {"type": "stdio"}}]}]"#,
    )
    .unwrap();
    let path = common::path_with(&bin);
    let run = |cache: &str, extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
            .args(["crawl", "--allow-exec", "--no-sandbox", "--timeout", "5"])
            .arg("--db")
            .arg(tmp.path().join(format!("{cache}.db")))
            .arg("--cache")
            .arg(tmp.path().join(cache))
            .args(["--cache-budget", "1.5GB", "--install-jobs", "2"])
            .args(extra)
            .arg(format!("official:{}", dump.display()))
            .env("PATH", &path)
            .env("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
            .env_remove("UV_DEFAULT_INDEX")
            .env_remove("UV_INDEX_URL")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = run("c1", &[]);
    assert!(
        out.contains("install cache:") && out.contains("budget 1.5 GB"),
        "{out}"
    );
    assert!(out.contains("installed with uv, pnpm"), "{out}");
    let text = std::fs::read_to_string(&log).unwrap();
    let npm_ran = |t: &str| t.lines().any(|l| l.starts_with("npm install"));
    assert!(text.contains("pnpm add") && !npm_ran(&text), "{text}");
    assert!(
        text.contains("uv pip install")
            && text.contains("UV_DEFAULT_INDEX=http://127.0.0.1:9/simple"),
        "{text}"
    );

    let out = run("c2", &["--no-shared-stores"]);
    assert!(out.contains("installed with pip, npm"), "{out}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(npm_ran(&text), "{text}");
    assert!(text.contains("python3 -m venv"), "{text}");
    assert!(!text.contains("--prefer-offline"), "{text}");
}

/// A stand-in pnpm with a real store: `install` puts a `kb` KB blob for the
/// package into `--store-dir` (once) and hardlinks it into the package, as
/// pnpm does, logging whether the store's `.use` lock was held while it
/// ran (`store held` / `store free`); `store prune` deletes the store's
/// files no package links to any more, as `pnpm store prune` does.
fn fake_pnpm_store(dir: &Path, log: &Path, kb: usize) -> String {
    let body = format!(
        r#"echo "pnpm $*" >> "{log}"
d=""; store=""; spec=""; cmd="$1"
while [ $# -gt 0 ]; do
  case "$1" in --dir) d="$2"; shift;; --store-dir) store="$2"; shift;; -*|add|install|store|prune) ;; *) spec="$1";; esac; shift
done
if [ "$cmd" = store ]; then
  find "$store" -type f -links 1 -delete
  exit 0
fi
if [ "$cmd" = add ]; then echo "$spec" > "$d/pnpm-lock.yaml"; exit 0; fi
if flock -n -x "$store.use" true; then echo "store free" >> "{log}"; else echo "store held" >> "{log}"; fi
spec=$(cat "$d/pnpm-lock.yaml"); name="${{spec%@*}}"
mkdir -p "$store/files"
[ -f "$store/files/$name" ] || head -c {bytes} /dev/urandom > "$store/files/$name"
pkg="$d/node_modules/$name"; mkdir -p "$pkg/bin"
ln "$store/files/$name" "$pkg/blob"
printf '{{"name":"%s","bin":{{"srv":"bin/srv"}}}}' "$name" > "$pkg/package.json"
printf '#!/bin/sh\nexit 1\n' > "$pkg/bin/srv"; chmod +x "$pkg/bin/srv"
"#,
        log = log.display(),
        bytes = kb * 1024
    );
    script(dir, "pnpm", &body)
}

/// Evicting installs frees little while pnpm's store still holds their
/// files: the crawl prunes the store (never while an install uses it),
/// ends under its budget, keeps the store's files of the installs it kept,
/// and says what it pruned.
#[test]
fn a_tiny_budget_prunes_the_shared_store_of_evicted_installs() {
    let tmp = tempfile::tempdir().unwrap();
    let TinyRun {
        store,
        report,
        cache_dir,
        log,
        ..
    } = crawl_on_a_tiny_budget(tmp.path(), |inst, bin, log| {
        inst.pnpm = Some(fake_pnpm_store(bin, log, 200))
    });
    let (names, budget) = (FIVE, TINY_BUDGET);
    assert_eq!(statuses(&store, report.run).len(), 5);

    let cache = report.cache.clone().expect("packages were installed");
    assert_eq!(cache.pruned.stores, ["pnpm-store"], "{cache:?}");
    assert!(cache.pruned.bytes >= 200 * 1024, "{cache:?}");
    assert!(cache.evicted.installs >= 2, "{cache:?}");
    assert!(cache.bytes <= budget, "{cache:?}");
    assert_eq!(cache.bytes, disk_usage(&cache_dir));
    // The store keeps exactly the files of the installs that stayed.
    let mut in_store: Vec<String> = std::fs::read_dir(cache_dir.join("pnpm-store/files"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    in_store.sort();
    let kept: Vec<String> = names
        .iter()
        .filter(|n| npm_dir(&cache_dir, n).join(MARKER).is_file())
        .map(|n| n.to_string())
        .collect();
    // An install whose files only the store shares counts what a prune
    // frees, so eviction does not empty the cache for the budget's sake.
    assert!(
        kept.len() >= 2 && kept.contains(&"p5".to_owned()),
        "{kept:?}"
    );
    assert_eq!(in_store, kept);
    // Every install held the store; the prune ran with pnpm's own command,
    // on our store and away from the user's pnpm metadata cache.
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.matches("store held").count(), 5, "{text}");
    assert!(!text.contains("store free"), "{text}");
    let prune = format!(
        "pnpm store prune --store-dir {} --config.cache-dir={}",
        cache_dir.join("pnpm-store").display(),
        cache_dir.join("pnpm-store.prune-cache").display()
    );
    assert!(text.contains(&prune), "{text}");
    let line = mcp_risk::crawl::cache_line(&cache, "pnpm");
    assert!(line.contains("; pruned pnpm-store, "), "{line}");
}

/// Each shared store is pruned with its own tool, only when it exists, and
/// never while an install uses it: a prune waits for this process's
/// installs and skips a store another process is installing with; a prune
/// that fails counts for nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stores_are_pruned_by_their_own_tools_and_never_while_in_use() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    let log = tmp.path().join("log");
    let cache_dir = tmp.path().join("cache");
    let mut inst = Installer::new(&cache_dir);
    inst.pnpm = Some(fake_pnpm_store(&bin, &log, 1));
    inst.uv = Some(script(
        &bin,
        "uv",
        &format!("echo \"uv $*\" >> \"{}\"\nexit 2\n", log.display()),
    ));
    inst.npm = script(
        &bin,
        "npm",
        &format!("echo \"npm $*\" >> \"{}\"\n", log.display()),
    );
    let pruners = inst.pruners();
    let commands: Vec<(&str, String)> = pruners
        .iter()
        .map(|p| (p.store, p.args[..3].join(" ")))
        .collect();
    assert_eq!(
        commands,
        [
            (cache::PNPM_STORE, "store prune --store-dir".to_owned()),
            (cache::UV_CACHE, "cache prune --ci".to_owned()),
            (cache::NPM_CACHE, "cache verify --cache".to_owned()),
        ]
    );
    let pnpm_store = cache_dir.join(cache::PNPM_STORE);
    std::fs::create_dir_all(pnpm_store.join("files")).unwrap();
    std::fs::create_dir_all(cache_dir.join(cache::UV_CACHE)).unwrap();
    let orphan = pnpm_store.join("files/orphan");
    std::fs::write(&orphan, vec![1u8; 64 << 10]).unwrap();
    std::fs::write(pnpm_store.join("files/linked"), vec![2u8; 64 << 10]).unwrap();
    std::fs::create_dir_all(tmp.path().join("install")).unwrap();
    std::fs::hard_link(
        pnpm_store.join("files/linked"),
        tmp.path().join("install/linked"),
    )
    .unwrap();
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();

    // Another process is installing with the pnpm store (a shared lock on
    // its own open file, as another process's would be): it is skipped.
    let other = std::fs::File::create(cache_dir.join("pnpm-store.use")).unwrap();
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a descriptor this test owns.
        assert_eq!(unsafe { libc::flock(other.as_raw_fd(), libc::LOCK_SH) }, 0);
    }
    let pruned = cache::prune_stores(&cache_dir, &pruners).await;
    drop(other);
    assert!(pruned.stores.is_empty(), "{pruned:?}");
    assert!(orphan.is_file());
    let text = log_text();
    assert!(!text.contains("pnpm store prune"), "{text}");
    // uv ran (and failed: not counted); npm's cache does not exist.
    assert!(text.contains("uv cache prune --ci --cache-dir"), "{text}");
    assert!(!text.contains("npm cache"), "{text}");

    // An install in this process is using it: the prune waits for it.
    let lease = cache::store_lease(&cache_dir, cache::PNPM_STORE).await;
    let prune = tokio::spawn({
        let (cache_dir, pruners) = (cache_dir.clone(), pruners.clone());
        async move { cache::prune_stores(&cache_dir, &pruners).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!prune.is_finished());
    assert!(orphan.is_file());
    assert!(!log_text().contains("pnpm store prune"));
    // Released: what no install links to goes, what one does stays.
    drop(lease);
    let pruned = prune.await.unwrap();
    let prune_log = std::fs::read_to_string(cache_dir.join("pnpm-store.prune.log"));
    assert_eq!(
        pruned.stores,
        [cache::PNPM_STORE],
        "{pruned:?} {prune_log:?}"
    );
    assert!(pruned.bytes >= 64 << 10, "{pruned:?}");
    assert!(!orphan.exists());
    assert!(pnpm_store.join("files/linked").is_file());

    // npm's cache once it exists, with npm's own garbage collection.
    std::fs::create_dir_all(cache_dir.join(cache::NPM_CACHE)).unwrap();
    let pruned = cache::prune_stores(&cache_dir, &pruners).await;
    assert_eq!(pruned.stores, [cache::PNPM_STORE, cache::NPM_CACHE]);
    let text = log_text();
    assert!(
        text.contains(&format!(
            "npm cache verify --cache {}",
            cache_dir.join(cache::NPM_CACHE).display()
        )),
        "{text}"
    );
}
