//! Package preparation with stand-in package managers (shell scripts that
//! lay out what npm and pip would), so caching, locking, failures and the
//! launch policy are tested without the network.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use mcp_risk::mcp::{ProbeTarget, Status};
use mcp_risk::registry::packages::{Installer, MARKER};
use mcp_risk::registry::prepare::{prepare_all, Prepared};
use mcp_risk::registry::{Launch, PackageLaunch, PackageRegistry, ServerRecord};

fn script(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.to_string_lossy().into_owned()
}

/// A fake npm: counts its runs, sleeps a little (so concurrent callers
/// overlap), then installs a package whose bin is `bin/srv.js`.
fn fake_npm(dir: &Path) -> (String, PathBuf) {
    let count = dir.join("npm-runs");
    let body = format!(
        r#"echo run >> "{count}"
prefix=""; spec=""
while [ $# -gt 0 ]; do
  case "$1" in --prefix) prefix="$2"; shift;; -*|install) ;; *) spec="$1";; esac; shift
done
sleep 0.3
name="${{spec%@*}}"
mkdir -p "$prefix/node_modules/$name/bin"
printf '{{"name":"%s","bin":{{"srv":"bin/srv.js"}}}}' "$name" > "$prefix/node_modules/$name/package.json"
echo 'process.exit(0)' > "$prefix/node_modules/$name/bin/srv.js"
echo "added 1 package"
"#,
        count = count.display()
    );
    (script(dir, "npm", &body), count)
}

fn npm_pkg(name: &str) -> PackageLaunch {
    PackageLaunch {
        registry: PackageRegistry::Npm,
        identifier: name.into(),
        version: "1.2.3".into(),
        runtime_args: vec![],
        package_args: vec!["--flag".into()],
        env: [("API_KEY".to_owned(), "dummy".to_owned())].into(),
    }
}

fn runs(count: &Path) -> usize {
    std::fs::read_to_string(count)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

#[tokio::test]
async fn npm_install_is_cached_locked_and_redone_after_a_kill() {
    let tmp = tempfile::tempdir().unwrap();
    let (npm, count) = fake_npm(tmp.path());
    let mut inst = Installer::new(&tmp.path().join("cache"));
    inst.npm = npm;
    let pkg = npm_pkg("@acme/srv");

    // Two concurrent prepares of one package install it once.
    let (a, b) = tokio::join!(inst.prepare(&pkg), inst.prepare(&pkg));
    let target = a.unwrap();
    assert_eq!(target, b.unwrap());
    assert_eq!(runs(&count), 1);
    let ProbeTarget::Stdio { command, args, env } = &target else {
        panic!()
    };
    assert!(command.ends_with("node"), "{command}");
    assert!(
        args[0].ends_with("node_modules/@acme/srv/bin/srv.js"),
        "{args:?}"
    );
    assert_eq!(args[1], "--flag");
    assert_eq!(env["API_KEY"], "dummy");
    let dir = tmp.path().join("cache/npm/@acme+srv@1.2.3");
    assert!(dir.join(MARKER).is_file());

    // Cached: no second install.
    inst.prepare(&pkg).await.unwrap();
    assert_eq!(runs(&count), 1);

    // A bin written for another interpreter runs as itself, not under node.
    let bin = dir.join("node_modules/@acme/srv/bin/srv.js");
    std::fs::write(&bin, "#!/bin/sh\nexit 0\n").unwrap();
    let ProbeTarget::Stdio { command, args, .. } = inst.prepare(&pkg).await.unwrap() else {
        panic!()
    };
    assert!(command.ends_with("bin/srv.js"), "{command}");
    assert_eq!(args, ["--flag"]);

    // A killed install leaves no marker: it is redone from scratch.
    std::fs::remove_file(dir.join(MARKER)).unwrap();
    std::fs::write(dir.join("half-written"), "x").unwrap();
    inst.prepare(&pkg).await.unwrap();
    assert_eq!(runs(&count), 2);
    assert!(!dir.join("half-written").exists());
}

#[tokio::test]
async fn install_failures_are_statuses_with_the_log_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let mut inst = Installer::new(&tmp.path().join("cache"));
    inst.npm = script(
        tmp.path(),
        "npm",
        "echo 'npm error 404 Not Found - GET https://registry.npmjs.org/nope' >&2\nexit 1\n",
    );
    let (status, reason) = inst.prepare(&npm_pkg("nope")).await.unwrap_err();
    assert_eq!(status, Status::InstallFailed);
    assert!(
        reason.contains("404 Not Found") && reason.contains("exited"),
        "{reason}"
    );
    assert!(!tmp
        .path()
        .join("cache/npm/nope@1.2.3")
        .join(MARKER)
        .exists());

    // Names and versions that are not one pinned package never reach npm.
    let (status, _) = inst
        .prepare(&npm_pkg("git+https://evil.example/x.git"))
        .await
        .unwrap_err();
    assert_eq!(status, Status::InstallFailed);
    let mut unpinned = npm_pkg("ok-name");
    unpinned.version = "^1.0.0".into();
    assert_eq!(
        inst.prepare(&unpinned).await.unwrap_err().0,
        Status::NeedsConfig
    );

    // A missing package manager says what is missing.
    inst.npm = tmp
        .path()
        .join("no-npm-here")
        .to_string_lossy()
        .into_owned();
    let (status, reason) = inst.prepare(&npm_pkg("other")).await.unwrap_err();
    assert_eq!(status, Status::InstallFailed);
    assert!(reason.contains("cannot run"), "{reason}");
}

#[tokio::test]
async fn pypi_venv_and_console_script() {
    let tmp = tempfile::tempdir().unwrap();
    // A fake python whose `-m venv DIR` makes a venv whose pip installs a
    // dist-info declaring two console scripts.
    let pip = r#"spec=""; for a in "$@"; do spec="$a"; done
venv=$(dirname "$(dirname "$0")")
site="$venv/lib/python3.11/site-packages/demo_mcp_server-0.4.1.dist-info"
mkdir -p "$site"
printf '[console_scripts]\ndemo-helper = demo:helper\ndemo-mcp-server = demo:main\n' > "$site/entry_points.txt"
printf '#!/bin/sh\n' > "$venv/bin/demo-mcp-server"; chmod +x "$venv/bin/demo-mcp-server"
printf '#!/bin/sh\n' > "$venv/bin/demo-helper"; chmod +x "$venv/bin/demo-helper"
"#;
    let python = format!(
        "venv=\"$3\"\nmkdir -p \"$venv/bin\"\ncat > \"$venv/bin/pip\" <<'PIP'\n#!/bin/sh\n{pip}PIP\nchmod +x \"$venv/bin/pip\"\n"
    );
    let mut inst = Installer::new(&tmp.path().join("cache"));
    inst.python = script(tmp.path(), "python3", &python);
    let pkg = PackageLaunch {
        registry: PackageRegistry::Pypi,
        identifier: "Demo.MCP_server".into(),
        version: "0.4.1".into(),
        runtime_args: vec![],
        package_args: vec!["--local-timezone".into(), "UTC".into()],
        env: Default::default(),
    };
    let ProbeTarget::Stdio { command, args, .. } = inst.prepare(&pkg).await.unwrap() else {
        panic!()
    };
    assert!(command.ends_with("venv/bin/demo-mcp-server"), "{command}");
    assert_eq!(args, ["--local-timezone", "UTC"]);
}

#[tokio::test]
async fn oci_without_an_engine_and_unsupported_registries_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut inst = Installer::new(tmp.path());
    inst.engines = vec![tmp.path().join("no-docker").to_string_lossy().into_owned()];
    let mut pkg = npm_pkg("mcp/fetch");
    pkg.registry = PackageRegistry::Oci;
    pkg.version = "latest".into();
    let (status, reason) = inst.prepare(&pkg).await.unwrap_err();
    assert_eq!(status, Status::SkippedPolicy);
    assert!(reason.contains("no working container engine"), "{reason}");
    pkg.registry = PackageRegistry::Nuget;
    assert_eq!(
        inst.prepare(&pkg).await.unwrap_err().0,
        Status::SkippedPolicy
    );
    pkg.registry = PackageRegistry::Mcpb;
    assert_eq!(
        inst.prepare(&pkg).await.unwrap_err().0,
        Status::SkippedPolicy
    );
}

#[tokio::test]
async fn launching_needs_permission_and_order_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let (npm, count) = fake_npm(tmp.path());
    let mut inst = Installer::new(&tmp.path().join("cache"));
    inst.npm = npm;
    let rec = |name: &str, launch: Launch| ServerRecord {
        name: name.into(),
        source: "test".into(),
        version: None,
        description: None,
        launch,
    };
    let records = vec![
        (rec("pkg-denied", Launch::Package(npm_pkg("denied"))), false),
        (
            rec(
                "cmd-denied",
                Launch::Probe(ProbeTarget::Stdio {
                    command: "srv".into(),
                    args: vec![],
                    env: Default::default(),
                }),
            ),
            false,
        ),
        (
            rec(
                "remote",
                Launch::Probe(ProbeTarget::Http {
                    url: "https://r.example/mcp".into(),
                    headers: vec![],
                    sse: false,
                }),
            ),
            false,
        ),
        (
            rec(
                "tools",
                Launch::Tools {
                    tools: vec![serde_json::json!({"name": "t"})],
                },
            ),
            false,
        ),
        (
            rec("pkg-allowed", Launch::Package(npm_pkg("allowed"))),
            true,
        ),
        (
            rec(
                "unavailable",
                Launch::Unavailable {
                    status: Status::NeedsConfig,
                    reason: "why".into(),
                },
            ),
            true,
        ),
    ];
    let seen = std::sync::Mutex::new(0);
    let out = prepare_all(records, &inst, 3, |_| *seen.lock().unwrap() += 1).await;
    assert_eq!(*seen.lock().unwrap(), 6);
    let names: Vec<&str> = out.iter().map(|s| s.record.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "pkg-denied",
            "cmd-denied",
            "remote",
            "tools",
            "pkg-allowed",
            "unavailable"
        ]
    );
    for s in &out[..2] {
        assert!(
            matches!(&s.prepared, Prepared::Skipped { status: Status::SkippedPolicy, reason } if reason.contains("--allow-exec"))
        );
    }
    assert!(matches!(
        &out[2].prepared,
        Prepared::Probe {
            target: ProbeTarget::Http { .. }
        }
    ));
    assert!(matches!(&out[3].prepared, Prepared::Tools { tools } if tools.len() == 1));
    assert!(matches!(
        &out[4].prepared,
        Prepared::Probe {
            target: ProbeTarget::Stdio { .. }
        }
    ));
    assert!(matches!(
        &out[5].prepared,
        Prepared::Skipped {
            status: Status::NeedsConfig,
            ..
        }
    ));
    assert_eq!(runs(&count), 1, "only the allowed package was installed");
}
