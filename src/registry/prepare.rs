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

/// Prepares one record.
pub async fn prepare_one(rec: &ServerRecord, installer: &Installer, allow_exec: bool) -> Prepared {
    let no_exec = || Prepared::Skipped {
        status: Status::SkippedPolicy,
        reason: "launching local servers needs --allow-exec".to_owned(),
    };
    match &rec.launch {
        Launch::Tools { tools } => Prepared::Tools {
            tools: tools.clone(),
        },
        Launch::Unavailable { status, reason } => Prepared::Skipped {
            status: *status,
            reason: reason.clone(),
        },
        Launch::Remote { url, headers, sse } => Prepared::Probe {
            target: ProbeTarget::Http {
                url: url.clone(),
                headers: headers.clone(),
                sse: *sse,
            },
        },
        Launch::Stdio { .. } | Launch::Package(_) if !allow_exec => no_exec(),
        Launch::Stdio { command, args, env } => Prepared::Probe {
            target: ProbeTarget::Stdio {
                command: command.clone(),
                args: args.clone(),
                env: env.clone(),
            },
        },
        Launch::Package(pkg) => match installer.prepare(pkg).await {
            Ok(target) => Prepared::Probe { target },
            Err((status, reason)) => Prepared::Skipped { status, reason },
        },
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
