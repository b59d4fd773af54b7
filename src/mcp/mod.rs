//! A hand-written, tolerant MCP client (not rmcp): a crawler must record bad
//! servers, not fail on them. It only ever sends initialize /
//! notifications/initialized / server/discover / tools/list (never
//! `tools/call`), answers server requests with -32601 and keeps every tool's
//! raw JSON.
//!
//! [`probe::probe`] is the entry point: one target in, one [`ProbeOutcome`] out,
//! in bounded time, whatever the server does.

pub mod conn;
pub mod http;
pub mod jsonrpc;
pub mod netcheck;
pub mod probe;
pub mod session;
pub mod sse;
pub mod stdio;
pub mod tools;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use strum::{AsRefStr, Display, EnumIter, EnumString, IntoStaticStr};

/// Every outcome of a probe is exactly one of these. Stored as data, by
/// the snake_case name serde and strum both give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(IntoStaticStr, EnumString, EnumIter, Display)]
#[strum(serialize_all = "snake_case")]
pub enum Status {
    Ok,
    AuthRequired,
    NeedsConfig,
    NeedsNetwork,
    Unreachable,
    NotMcp,
    ProtocolError,
    Timeout,
    Crashed,
    RefusedPrivateAddress,
    SkippedPolicy,
    InstallFailed,
    /// It crashed writing where the sandbox allows no writes (outside HOME
    /// and TMPDIR): it needs `--no-sandbox`, or a fix upstream.
    ReadOnlyFs,
    /// It ran into the sandbox's memory or task limit.
    ResourceLimit,
    /// The disk filled up while installing it (or storing its result): the
    /// partial install was removed; a rerun with more space (or a smaller
    /// `--cache-budget`) retries it.
    DiskFull,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Status> {
        s.parse().ok()
    }
}

/// Which generation of the protocol the server spoke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Era {
    /// `initialize` + `notifications/initialized` (protocol up to 2025-11-25).
    Legacy,
    /// `server/discover` and per-request `_meta` (protocol 2026-07-28).
    Modern,
}

/// How the client reached the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    Stdio,
    StreamableHttp,
    Sse,
}

/// Something wrong with what the server sent that did not stop the probe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    /// The tool concerned (by name, or `#index` when it has none).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tool: Option<String>,
    pub kind: AnomalyKind,
    pub detail: String,
}

/// What an [`Anomaly`] is about. Stored as its stable kebab-case name.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, AsRefStr, EnumString, EnumIter, Display,
)]
#[strum(serialize_all = "kebab-case")]
pub enum AnomalyKind {
    // The transport and JSON-RPC framing.
    NonJsonLine,
    /// A JSON line that is no JSON-RPC message (a log line in JSON).
    NonJsonrpcLine,
    OversizedLine,
    MissingJsonrpc,
    BadJsonrpcVersion,
    StringId,
    UnexpectedResponse,
    ServerRequest,
    /// The server sent a JSON-RPC batch array (read, item by item).
    Batch,
    NotificationRejected,
    FallbackToSse,
    // The handshake.
    InitializeAnsweredModern,
    MissingProtocolVersion,
    NoToolsCapability,
    // tools/list and its pages.
    MissingTools,
    ResultIsArray,
    PageError,
    PageCap,
    RepeatedCursor,
    BadCursor,
    // One tool (mcp::tools::check).
    ToolNotObject,
    MissingName,
    EmptyName,
    NameNotString,
    DuplicateToolName,
    DescriptionNotString,
    MissingInputSchema,
    NullInputSchema,
    InputSchemaNotObject,
    InputSchemaNotObjectType,
    AnnotationsNotObject,
    /// A kind this build does not name (a newer probe, an older database):
    /// kept as written. Parsing never fails (strum derives `From<&str>`).
    #[strum(default, transparent)]
    Other(String),
}

impl AnomalyKind {
    pub fn as_str(&self) -> &str {
        self.as_ref()
    }
}

impl PartialEq<&str> for AnomalyKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for AnomalyKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AnomalyKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<AnomalyKind, D::Error> {
        Ok(AnomalyKind::from(String::deserialize(d)?.as_str()))
    }
}

/// What to probe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProbeTarget {
    /// Launch a local process (argv directly, never a shell).
    Stdio {
        command: String,
        #[serde(default)]
        args: Vec<String>,
        /// Only these variables (plus PATH, HOME, LANG and TMPDIR) reach a
        /// sandboxed process.
        #[serde(default)]
        env: BTreeMap<String, String>,
    },
    /// A remote server: Streamable HTTP first, legacy HTTP+SSE on fallback
    /// (or first, when `sse` is true because the registry said so). A
    /// [`crate::registry::Launch`] writes this kind as `remote`, so it is read
    /// by that name too.
    #[serde(alias = "remote")]
    Http {
        url: String,
        #[serde(default)]
        headers: Vec<(String, String)>,
        #[serde(default)]
        sse: bool,
    },
}

/// Knobs for one probe. Deadlines are per phase plus a total.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    pub connect_timeout: Duration,
    pub init_timeout: Duration,
    pub list_timeout: Duration,
    pub total_timeout: Duration,
    /// Run stdio servers in the sandbox (no network, cleared env, tmp home).
    pub sandbox: bool,
    /// Allow remote probes to loopback/private/link-local/metadata addresses.
    pub allow_private: bool,
    /// tools/list pages followed at most.
    pub max_pages: usize,
    /// One stdio line (or SSE event / HTTP body) at most, in bytes.
    pub max_line_bytes: usize,
    /// Total bytes read from one server at most.
    pub max_total_bytes: usize,
    /// Bytes of stderr kept (the tail).
    pub stderr_tail_bytes: usize,
    /// Memory and task limits of a sandboxed stdio server.
    pub limits: crate::sandbox::Limits,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            connect_timeout: Duration::from_secs(10),
            init_timeout: Duration::from_secs(20),
            list_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(30),
            sandbox: true,
            allow_private: false,
            max_pages: 50,
            max_line_bytes: 16 << 20,
            max_total_bytes: 64 << 20,
            stderr_tail_bytes: 4096,
            limits: crate::sandbox::Limits::default(),
        }
    }
}

impl ProbeOptions {
    /// All deadlines derived from one user-facing `--timeout SECS` (the
    /// total): initialize and tools/list may each take all of it (a slow
    /// starter, such as a Python venv without bytecode on a read-only
    /// filesystem, needs 15 s or more before it answers), connecting at most
    /// the default 10 s of it.
    pub fn with_total_timeout(mut self, total: Duration) -> Self {
        self.total_timeout = total;
        self.connect_timeout = self.connect_timeout.min(total);
        self.init_timeout = total;
        self.list_timeout = total;
        self
    }
}

/// WWW-Authenticate details recorded on a 401 (OAuth is never run).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthInfo {
    pub www_authenticate: Option<String>,
    /// `resource_metadata` URL from the challenge, when given.
    pub resource_metadata: Option<String>,
}

/// The result of one probe: always produced, whatever the server did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeOutcome {
    pub status: Status,
    /// Human-readable reason for a non-ok status.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
    pub transport: Option<Transport>,
    pub era: Option<Era>,
    pub protocol_version: Option<String>,
    /// `serverInfo` as served.
    pub server_info: Option<Value>,
    /// The tool objects exactly as served (salvaged even when malformed).
    pub tools: Vec<Value>,
    pub anomalies: Vec<Anomaly>,
    pub duration_ms: u64,
    pub stderr_tail: String,
    /// Which sandbox ran the server (`unshare-netns`, `none`, ...); `None` for remote.
    pub sandbox: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub auth: Option<AuthInfo>,
}

impl ProbeOutcome {
    /// An outcome with no data, only a status and a reason.
    pub fn failed(status: Status, detail: impl Into<String>) -> ProbeOutcome {
        ProbeOutcome {
            status,
            detail: Some(detail.into()),
            transport: None,
            era: None,
            protocol_version: None,
            server_info: None,
            tools: Vec::new(),
            anomalies: Vec::new(),
            duration_ms: 0,
            stderr_tail: String::new(),
            sandbox: None,
            auth: None,
        }
    }
}
