//! Registry sources. Each source (the official MCP registry, Docker's catalog,
//! Glama/Smithery-style APIs, agent-client config files, tools/list files, a
//! servers file) is one module behind the [`Source`] trait and yields
//! [`ServerRecord`]s: who the server is and how to reach it.

pub mod arg;
pub mod config;
pub mod docker;
pub mod files;
pub mod glama;
pub mod http;
pub mod official;
pub mod packages;
pub mod prepare;
pub mod smithery;

pub use arg::{open, source_from_arg, Opened};

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::mcp::{ProbeTarget, Status};

/// Which package ecosystem a package comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageRegistry {
    Npm,
    Pypi,
    Oci,
    Nuget,
    Mcpb,
}

/// A package to install at a pinned version and run over stdio.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageLaunch {
    pub registry: PackageRegistry,
    pub identifier: String,
    pub version: String,
    /// Arguments for the runtime (e.g. node/python flags), resolved.
    #[serde(default)]
    pub runtime_args: Vec<String>,
    /// Arguments for the package, from declared defaults only.
    #[serde(default)]
    pub package_args: Vec<String>,
    /// Declared environment variables with obvious dummy values (recorded).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// How to reach a server, or why it cannot be reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Launch {
    /// A command to run as given (argv, never a shell).
    Stdio {
        command: String,
        #[serde(default)]
        args: Vec<String>,
        #[serde(default)]
        env: BTreeMap<String, String>,
    },
    /// A remote endpoint.
    Remote {
        url: String,
        #[serde(default)]
        headers: Vec<(String, String)>,
        /// Legacy HTTP+SSE rather than Streamable HTTP.
        #[serde(default)]
        sse: bool,
    },
    /// A package to install and run (needs `--allow-exec` unless curated).
    Package(PackageLaunch),
    /// The tool list came with the record (a tools/list file, a registry API
    /// that carries tools): nothing to run.
    Tools { tools: Vec<Value> },
    /// Known not reachable as described, with the status to record.
    Unavailable { status: Status, reason: String },
}

impl Launch {
    /// The probe target of a launch that needs no preparation (a command as
    /// given, a remote endpoint); `None` for the others.
    pub fn probe_target(&self) -> Option<ProbeTarget> {
        match self {
            Launch::Stdio { command, args, env } => Some(ProbeTarget::Stdio {
                command: command.clone(),
                args: args.clone(),
                env: env.clone(),
            }),
            Launch::Remote { url, headers, sse } => Some(ProbeTarget::Http {
                url: url.clone(),
                headers: headers.clone(),
                sse: *sse,
            }),
            Launch::Package(_) | Launch::Tools { .. } | Launch::Unavailable { .. } => None,
        }
    }
}

impl From<ProbeTarget> for Launch {
    fn from(t: ProbeTarget) -> Launch {
        match t {
            ProbeTarget::Stdio { command, args, env } => Launch::Stdio { command, args, env },
            ProbeTarget::Http { url, headers, sse } => Launch::Remote { url, headers, sse },
        }
    }
}

/// One server as a source describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServerRecord {
    /// Stable identity within the source (e.g. `io.github.owner/name`, or a file stem).
    pub name: String,
    /// The source kind (`file`, `servers`, `official`, `docker`, `glama`, `smithery`, `config`).
    pub source: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub launch: Launch,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Input(#[from] crate::input::InputError),
    #[error("{what}: {message}")]
    Invalid { what: String, message: String },
    #[error("{url}: {message}")]
    Http { url: String, message: String },
}

pub type SourceFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<ServerRecord>, SourceError>> + Send + 'a>>;

/// A place server records come from.
pub trait Source: Send + Sync {
    /// A short description for progress and errors (e.g. the path or URL).
    fn describe(&self) -> String;
    /// All the records this source holds (a paged API follows its cursors).
    fn records(&self) -> SourceFuture<'_>;
}

/// The curated default registry (data/registry.json), embedded so `scan` works
/// from any directory. Official server.json format, versions pinned.
pub const BUNDLED_REGISTRY: &str = include_str!("../../data/registry.json");

/// The bundled registry as a source. Its packages are curated and pinned, so
/// `scan` launches them (sandboxed) without `--allow-exec`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bundled;

impl Source for Bundled {
    fn describe(&self) -> String {
        "bundled registry (data/registry.json)".to_owned()
    }

    fn records(&self) -> SourceFuture<'_> {
        Box::pin(async {
            official::parse_dump(
                BUNDLED_REGISTRY.as_bytes(),
                "bundled data/registry.json",
                "bundled",
            )
        })
    }
}
