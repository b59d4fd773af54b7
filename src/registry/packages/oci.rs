//! OCI images: pulled with docker or podman when an engine actually answers
//! (`info` succeeds), run with `--network none`; otherwise `skipped_policy`
//! with the reason.

use std::time::Duration;

use super::{run_step, which, Installer, PrepareError};
use crate::mcp::{ProbeTarget, Status};
use crate::registry::PackageLaunch;

/// The image reference: the identifier as given when it carries a tag or
/// digest, else `identifier:version`.
fn image_ref(pkg: &PackageLaunch) -> String {
    let last = pkg.identifier.rsplit('/').next().unwrap_or("");
    if last.contains(':') || last.contains('@') || pkg.version.is_empty() {
        pkg.identifier.clone()
    } else {
        format!("{}:{}", pkg.identifier, pkg.version)
    }
}

fn valid_ref(r: &str) -> bool {
    !r.is_empty()
        && !r.starts_with('-')
        && r.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':' | '@'))
}

/// The first engine whose daemon answers, or why none does.
async fn engine(inst: &Installer) -> Result<String, String> {
    inst.engine
        .get_or_init(|| async {
            let mut why = Vec::new();
            for e in &inst.engines {
                let mut cmd = tokio::process::Command::new(e);
                cmd.args(["info", "--format", "{{.ServerVersion}}"])
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .kill_on_drop(true);
                match tokio::time::timeout(Duration::from_secs(15), cmd.output()).await {
                    Ok(Ok(out)) if out.status.success() => return Ok(which(e)),
                    Ok(Ok(out)) => {
                        let err = String::from_utf8_lossy(&out.stderr);
                        let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                        why.push(format!("{e}: {}", first.trim()));
                    }
                    Ok(Err(err)) => why.push(format!("{e}: {err}")),
                    Err(_) => why.push(format!("{e}: `{e} info` timed out")),
                }
            }
            Err(why.join("; "))
        })
        .await
        .clone()
}

pub(super) async fn prepare(
    inst: &Installer,
    pkg: &PackageLaunch,
) -> Result<ProbeTarget, PrepareError> {
    let image = image_ref(pkg);
    if !valid_ref(&image) {
        return Err((
            Status::InstallFailed,
            format!("`{image}` is not an image reference"),
        ));
    }
    let engine = engine(inst).await.map_err(|why| {
        (
            Status::SkippedPolicy,
            format!("image {image} not run: no working container engine ({why})"),
        )
    })?;
    let dir = inst.cache_dir.join("oci");
    std::fs::create_dir_all(&dir).map_err(|e| {
        (
            Status::InstallFailed,
            format!("cannot create {}: {e}", dir.display()),
        )
    })?;
    // The engine's own image store is the cache: pull only what it lacks.
    let present = tokio::process::Command::new(&engine)
        .args(["image", "inspect", &image])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success());
    if !present {
        let log = dir.join(format!("{}.log", super::path_safe(&image)));
        let _ = std::fs::remove_file(&log);
        run_step(&engine, &["pull", &image], &log, inst.install_timeout).await?;
    }
    let mut args: Vec<String> = ["run", "--rm", "-i", "--network", "none", "--pull", "never"]
        .map(str::to_owned)
        .to_vec();
    for (k, v) in &pkg.env {
        args.push("-e".to_owned());
        args.push(format!("{k}={v}"));
    }
    args.push(image);
    args.extend(pkg.package_args.iter().cloned());
    Ok(ProbeTarget::Stdio {
        command: engine,
        args,
        env: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::PackageRegistry;

    #[test]
    fn image_refs() {
        let mut p = PackageLaunch {
            registry: PackageRegistry::Oci,
            identifier: "docker.io/a/b:1.2".into(),
            version: String::new(),
            runtime_args: vec![],
            package_args: vec![],
            env: Default::default(),
        };
        assert_eq!(image_ref(&p), "docker.io/a/b:1.2");
        p.identifier = "mcp/fetch".into();
        p.version = "latest".into();
        assert_eq!(image_ref(&p), "mcp/fetch:latest");
        assert!(!valid_ref("--privileged"));
    }
}
