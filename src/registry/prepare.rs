//! From server records to what the crawler acts on: a probe target (packages
//! installed into the cache), a tool list the registry already carried, or a
//! status that says why the server is not probed.
//!
//! Launch policy: running a package or a configured command needs the
//! caller's permission (`allow_exec`: `--allow-exec`, or the curated bundled
//! registry); without it the record is `skipped_policy`. Remote endpoints are
//! probed either way (that runs nothing locally).

use std::time::Instant;

use futures::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::Value;

use super::packages::Installer;
use super::{Launch, ServerRecord};
use crate::mcp::{ProbeTarget, Status};

/// What to do with one server.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Prepared {
    /// Probe this target (stdio in the sandbox, or remote).
    Probe { target: ProbeTarget },
    /// The registry carried the tools: store them as they are.
    Tools { tools: Vec<Value> },
    /// Not probed: record this status and reason.
    Skipped { status: Status, reason: String },
}

#[derive(Clone, Debug, Serialize)]
pub struct PreparedServer {
    pub record: ServerRecord,
    pub prepared: Prepared,
    /// Time spent installing or checking the cache, in milliseconds.
    pub prepare_ms: u64,
}

/// Prepares one record: the single place that says what may run (the
/// crawler, `scan`, `registry prepare` and the live commands all come here).
pub async fn prepare_one(rec: &ServerRecord, installer: &Installer, allow_exec: bool) -> Prepared {
    let skipped = |reason: String| Prepared::Skipped {
        status: Status::SkippedPolicy,
        reason,
    };
    match &rec.launch {
        Launch::Tools { tools } => Prepared::Tools {
            tools: tools.clone(),
        },
        Launch::Unavailable { status, reason } => Prepared::Skipped {
            status: *status,
            reason: reason.clone(),
        },
        Launch::Probe(ProbeTarget::Stdio { .. }) if !allow_exec => {
            skipped("launching a stdio server needs --allow-exec".to_owned())
        }
        Launch::Package(p) if !allow_exec => skipped(format!(
            "installing and launching the package {}@{} needs --allow-exec",
            p.identifier, p.version
        )),
        Launch::Package(pkg) => match installer.prepare(pkg).await {
            Ok(target) => Prepared::Probe { target },
            Err((status, reason)) => Prepared::Skipped { status, reason },
        },
        Launch::Probe(target) => Prepared::Probe {
            target: target.clone(),
        },
    }
}

impl Prepared {
    /// The launch a crawl records for a prepared server: what was probed
    /// (an installed package as its command), or why nothing was.
    pub fn launch(&self) -> Launch {
        match self {
            Prepared::Probe { target } => target.clone().into(),
            Prepared::Tools { tools } => Launch::Tools {
                tools: tools.clone(),
            },
            Prepared::Skipped { status, reason } => Launch::Unavailable {
                status: *status,
                reason: reason.clone(),
            },
        }
    }
}

/// Prepares every record, `concurrency` at a time, calling `on_done` as each
/// finishes. The result keeps the input order.
pub async fn prepare_all<F>(
    records: Vec<(ServerRecord, bool)>,
    installer: &Installer,
    concurrency: usize,
    on_done: F,
) -> Vec<PreparedServer>
where
    F: Fn(&PreparedServer),
{
    let mut done: Vec<(usize, PreparedServer)> = stream::iter(records.into_iter().enumerate())
        .map(|(i, (record, allow_exec))| async move {
            let started = Instant::now();
            let prepared = prepare_one(&record, installer, allow_exec).await;
            let server = PreparedServer {
                record,
                prepared,
                prepare_ms: started.elapsed().as_millis() as u64,
            };
            (i, server)
        })
        .buffer_unordered(concurrency.max(1))
        .inspect(|(_, s)| on_done(s))
        .collect()
        .await;
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{PackageLaunch, PackageRegistry};

    fn record(launch: Launch) -> ServerRecord {
        ServerRecord {
            name: "s".into(),
            source: "test".into(),
            version: None,
            description: None,
            launch,
        }
    }

    #[tokio::test]
    async fn prepare_one_decides_what_may_run() {
        let installer = Installer::new(std::path::Path::new("/nonexistent-mcp-risk-cache"));
        let stdio = record(Launch::Probe(ProbeTarget::Stdio {
            command: "srv".into(),
            args: vec![],
            env: Default::default(),
        }));
        assert!(matches!(
            prepare_one(&stdio, &installer, false).await,
            Prepared::Skipped {
                status: Status::SkippedPolicy,
                ..
            }
        ));
        assert!(matches!(
            prepare_one(&stdio, &installer, true).await,
            Prepared::Probe { target: ProbeTarget::Stdio { command, .. } } if command == "srv"
        ));
        let pkg = record(Launch::Package(PackageLaunch {
            registry: PackageRegistry::Npm,
            identifier: "@x/y".into(),
            version: "1.0.0".into(),
            runtime_args: vec![],
            package_args: vec![],
            env: Default::default(),
        }));
        // Installing is the installer's business (tests/registry.rs); here only
        // the policy: without --allow-exec a package is never installed.
        let Prepared::Skipped { status, reason } = prepare_one(&pkg, &installer, false).await
        else {
            panic!("a package ran without --allow-exec");
        };
        assert_eq!(status, Status::SkippedPolicy);
        assert!(
            reason.contains("@x/y@1.0.0") && reason.contains("--allow-exec"),
            "{reason}"
        );
        let remote = record(Launch::Probe(ProbeTarget::Http {
            url: "https://example.invalid/mcp".into(),
            headers: vec![],
            sse: true,
        }));
        assert!(matches!(
            prepare_one(&remote, &installer, false).await,
            Prepared::Probe {
                target: ProbeTarget::Http { sse: true, .. }
            }
        ));
    }
}
