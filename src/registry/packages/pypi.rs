//! PyPI packages: a venv per `name==version`, installed from wheels only,
//! run through the package's console script.

use std::path::{Path, PathBuf};

use super::{cache, open_slot, run_step, run_step_env, stdio, which, Installer, PrepareError};
use crate::mcp::{ProbeTarget, Status};
use crate::registry::PackageLaunch;

/// PEP 508 names: letters, digits, `.`, `_`, `-` (refuses URLs and paths).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// PEP 503 normalisation (`Foo.Bar_baz` ≡ `foo-bar-baz`).
fn normalize(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '.' | '_' | '-') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

pub(super) async fn prepare(
    inst: &Installer,
    pkg: &PackageLaunch,
) -> Result<ProbeTarget, PrepareError> {
    let slot = open_slot(inst, pkg, "pypi", "==", valid_name, "a PyPI package name").await?;
    let dir = &slot.dir;
    let venv = dir.join("venv");
    if slot.fresh.is_some() {
        let result = match install(inst, pkg, dir, &venv).await {
            Ok(()) => console_script(&venv, &pkg.identifier).map(|_| ()),
            Err(e) => Err(e),
        };
        slot.finish(result).await?;
    }
    let script = console_script(&venv, &pkg.identifier)?;
    Ok(stdio(
        script.to_string_lossy().into_owned(),
        pkg.package_args.clone(),
        &pkg.env,
    ))
}

/// Installs `name==version` from wheels only into `venv`: with uv (one cache
/// under the mcp-risk cache, hardlinked into the venv), else with the venv's pip.
async fn install(
    inst: &Installer,
    pkg: &PackageLaunch,
    dir: &Path,
    venv: &Path,
) -> Result<(), PrepareError> {
    let log = dir.join("install.log");
    let venv_s = venv.to_string_lossy().into_owned();
    let spec = format!("{}=={}", pkg.identifier, pkg.version);
    if let Some(uv) = &inst.uv {
        // The cache is in use (not pruned) until the install is done.
        let _store = cache::store_lease(&inst.cache_dir, cache::UV_CACHE).await;
        let envs = uv_env(&inst.cache_dir);
        let python = which(&inst.python);
        run_step_env(
            uv,
            &["venv", "--quiet", "--python", &python, &venv_s],
            &envs,
            &log,
            inst.install_timeout,
        )
        .await?;
        let venv_python = venv
            .join("bin")
            .join("python")
            .to_string_lossy()
            .into_owned();
        return run_step_env(
            uv,
            &[
                "pip",
                "install",
                "--python",
                &venv_python,
                "--only-binary",
                ":all:",
                &spec,
            ],
            &envs,
            &log,
            inst.install_timeout,
        )
        .await;
    }
    run_step(
        &inst.python,
        &["-m", "venv", &venv_s],
        &log,
        inst.install_timeout,
    )
    .await?;
    let pip = venv.join("bin").join("pip").to_string_lossy().into_owned();
    run_step(
        &pip,
        &[
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--only-binary=:all:",
            &spec,
        ],
        &log,
        inst.install_timeout,
    )
    .await
}

/// uv's environment: its cache under the mcp-risk cache, hardlinked into
/// the venvs, no Python downloads, and pip's index when uv has none of its own.
fn uv_env(cache_dir: &Path) -> Vec<(&'static str, String)> {
    let mut envs = vec![
        (
            "UV_CACHE_DIR",
            cache_dir
                .join(cache::UV_CACHE)
                .to_string_lossy()
                .into_owned(),
        ),
        ("UV_LINK_MODE", "hardlink".to_owned()),
        ("UV_PYTHON_DOWNLOADS", "never".to_owned()),
        ("UV_NO_PROGRESS", "1".to_owned()),
    ];
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    if !set("UV_DEFAULT_INDEX") && !set("UV_INDEX_URL") {
        if let Some(pip) = std::env::var("PIP_INDEX_URL")
            .ok()
            .filter(|v| !v.is_empty())
        {
            envs.push(("UV_DEFAULT_INDEX", pip));
        }
    }
    envs
}

/// The console script the package declares (entry_points.txt of its
/// dist-info): the one named like the package, else its only one, else the
/// first that mentions mcp.
fn console_script(venv: &Path, name: &str) -> Result<PathBuf, PrepareError> {
    let fail = |why: String| (Status::InstallFailed, why);
    let want = normalize(name);
    let lib = venv.join("lib");
    let site = std::fs::read_dir(&lib)
        .map_err(|e| fail(format!("{}: {e}", lib.display())))?
        .filter_map(Result::ok)
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .ok_or_else(|| fail(format!("no site-packages under {}", lib.display())))?;
    let dist = std::fs::read_dir(&site)
        .map_err(|e| fail(format!("{}: {e}", site.display())))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            let f = p.file_name().unwrap_or_default().to_string_lossy();
            f.strip_suffix(".dist-info")
                .and_then(|stem| stem.rsplit_once('-'))
                .is_some_and(|(n, _)| normalize(n) == want)
        })
        .ok_or_else(|| fail(format!("{name} is not installed in {}", venv.display())))?;
    let entry_points = std::fs::read_to_string(dist.join("entry_points.txt")).unwrap_or_default();
    let mut scripts: Vec<String> = Vec::new();
    let mut in_section = false;
    for line in entry_points.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[console_scripts]";
        } else if in_section {
            if let Some((script, _)) = line.split_once('=') {
                scripts.push(script.trim().to_owned());
            }
        }
    }
    scripts.sort();
    let pick = scripts
        .iter()
        .find(|s| normalize(s) == want)
        .or_else(|| (scripts.len() == 1).then(|| &scripts[0]))
        .or_else(|| scripts.iter().find(|s| s.contains("mcp")))
        .or_else(|| scripts.first())
        .ok_or_else(|| fail(format!("{name} declares no console script to run")))?;
    let path = venv.join("bin").join(pick);
    if pick.contains('/') || !path.is_file() {
        return Err(fail(format!("{name}: console script {pick} is missing")));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503() {
        assert_eq!(
            normalize("awslabs.dynamodb-mcp-server"),
            "awslabs-dynamodb-mcp-server"
        );
        assert_eq!(normalize("mcp_server__Time"), "mcp-server-time");
        assert!(valid_name("mcp-server-fetch"));
        assert!(!valid_name("https://evil/x.whl"));
    }
}
