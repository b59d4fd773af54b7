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
///
/// A launch that needs no preparation is a [`ProbeTarget`] as it stands. The
/// JSON keeps its own names: `{"kind":"stdio",...}` and `{"kind":"remote",...}`
/// (a [`ProbeTarget::Http`] inside a launch is written `remote`; `http` is read
/// too), so stored launches and user-visible output are unchanged.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Launch {
    /// A package to install and run (needs `--allow-exec` unless curated).
    Package(PackageLaunch),
    /// The tool list came with the record (a tools/list file, a registry API
    /// that carries tools): nothing to run.
    Tools { tools: Vec<Value> },
    /// Known not reachable as described, with the status to record.
    Unavailable { status: Status, reason: String },
    /// A command to run as given (argv, never a shell) or a remote endpoint.
    #[serde(untagged)]
    Probe(ProbeTarget),
}

impl Serialize for Launch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        /// The variants whose JSON the derive writes as it is.
        #[derive(Serialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        enum Plain<'a> {
            Package(&'a PackageLaunch),
            Tools { tools: &'a [Value] },
            Unavailable { status: &'a Status, reason: &'a str },
        }
        match self {
            Launch::Probe(ProbeTarget::Http { url, headers, sse }) => {
                let mut st = s.serialize_struct("Launch", 4)?;
                st.serialize_field("kind", "remote")?;
                st.serialize_field("url", url)?;
                st.serialize_field("headers", headers)?;
                st.serialize_field("sse", sse)?;
                st.end()
            }
            Launch::Probe(t) => t.serialize(s),
            Launch::Package(p) => Plain::Package(p).serialize(s),
            Launch::Tools { tools } => Plain::Tools { tools }.serialize(s),
            Launch::Unavailable { status, reason } => {
                Plain::Unavailable { status, reason }.serialize(s)
            }
        }
    }
}

impl From<ProbeTarget> for Launch {
    fn from(t: ProbeTarget) -> Launch {
        Launch::Probe(t)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The JSON of the probe-target launches is pinned: stored launches
    /// (`launch` column) and user output read `stdio` and `remote` for a
    /// launch, `stdio` and `http` for a bare probe target.
    #[test]
    fn launch_and_probe_target_json_is_pinned() {
        let stdio = ProbeTarget::Stdio {
            command: "npx".into(),
            args: vec!["-y".into(), "srv".into()],
            env: BTreeMap::from([("TOKEN".to_owned(), "x".to_owned())]),
        };
        let http = ProbeTarget::Http {
            url: "https://example.com/mcp".into(),
            headers: vec![("Authorization".into(), "Bearer x".into())],
            sse: true,
        };
        let stdio_json =
            r#"{"kind":"stdio","command":"npx","args":["-y","srv"],"env":{"TOKEN":"x"}}"#;
        let remote_json = r#"{"kind":"remote","url":"https://example.com/mcp","headers":[["Authorization","Bearer x"]],"sse":true}"#;
        let http_json = r#"{"kind":"http","url":"https://example.com/mcp","headers":[["Authorization","Bearer x"]],"sse":true}"#;

        let launch = Launch::from(stdio.clone());
        assert_eq!(serde_json::to_string(&launch).unwrap(), stdio_json);
        assert_eq!(serde_json::to_string(&stdio).unwrap(), stdio_json);
        assert_eq!(serde_json::from_str::<Launch>(stdio_json).unwrap(), launch);
        assert_eq!(
            serde_json::from_str::<ProbeTarget>(stdio_json).unwrap(),
            stdio
        );

        let launch = Launch::from(http.clone());
        assert_eq!(serde_json::to_string(&launch).unwrap(), remote_json);
        assert_eq!(serde_json::to_string(&http).unwrap(), http_json);
        assert_eq!(serde_json::from_str::<Launch>(remote_json).unwrap(), launch);
        assert_eq!(
            serde_json::from_str::<ProbeTarget>(http_json).unwrap(),
            http
        );

        // Defaults still apply when the optional fields are absent.
        assert_eq!(
            serde_json::from_value::<Launch>(json!({"kind": "remote", "url": "u"})).unwrap(),
            Launch::Probe(ProbeTarget::Http {
                url: "u".into(),
                headers: vec![],
                sse: false
            })
        );
        assert_eq!(
            serde_json::from_value::<Launch>(json!({"kind": "stdio", "command": "c"})).unwrap(),
            Launch::Probe(ProbeTarget::Stdio {
                command: "c".into(),
                args: vec![],
                env: BTreeMap::new()
            })
        );
    }

    /// The other launches keep their JSON too.
    #[test]
    fn other_launches_round_trip() {
        for v in [
            json!({"kind": "tools", "tools": [{"name": "t"}]}),
            json!({"kind": "unavailable", "status": "timeout", "reason": "slow"}),
            json!({"kind": "package", "registry": "npm", "identifier": "srv", "version": "1.0.0",
                   "runtime_args": [], "package_args": ["--stdio"], "env": {}}),
        ] {
            let launch: Launch = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(serde_json::to_value(&launch).unwrap(), v);
        }
        assert!(serde_json::from_value::<Launch>(json!({"kind": "nope"})).is_err());
    }
}
