//! The protocol conversation, transport-independent: negotiate the era
//! (legacy `initialize` first, the 2026 `server/discover` + `_meta` when the
//! server asks for it), then page through `tools/list`.
//!
//! Results accumulate in [`Found`] as they arrive, so a probe cut short by
//! its total deadline still reports what it had.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Map, Value};
use tokio::time::Instant;

use super::conn::{Conn, ConnError};
use super::jsonrpc::{self, is_modern_version, Notes, RpcError, LEGACY_VERSION, MODERN_VERSION};
use super::{AnomalyKind, Era, ProbeOptions, Status};

/// What the conversation learnt so far.
#[derive(Debug, Default)]
pub struct Found {
    pub era: Option<Era>,
    pub protocol_version: Option<String>,
    pub server_info: Option<Value>,
    pub tools: Vec<Value>,
}

/// Why the conversation stopped early.
#[derive(Debug)]
pub struct Fail {
    pub status: Status,
    pub detail: String,
    /// The transport failure behind it, when there was one.
    pub conn: Option<ConnError>,
}

impl Fail {
    pub fn new(status: Status, detail: impl Into<String>) -> Fail {
        Fail {
            status,
            detail: detail.into(),
            conn: None,
        }
    }
}

impl From<ConnError> for Fail {
    fn from(e: ConnError) -> Fail {
        Fail {
            status: e.status(),
            detail: e.to_string(),
            conn: Some(e),
        }
    }
}

/// Deadlines of one probe.
#[derive(Clone, Copy, Debug)]
pub struct Deadlines {
    pub total: Instant,
    pub init: Duration,
    pub list: Duration,
}

impl Deadlines {
    pub fn new(opts: &ProbeOptions, start: Instant) -> Deadlines {
        Deadlines {
            total: start + opts.total_timeout,
            init: opts.init_timeout,
            list: opts.list_timeout,
        }
    }

    fn within(&self, d: Duration) -> Instant {
        (Instant::now() + d).min(self.total)
    }
}

/// Negotiates the era and lists every tool into `found`.
pub async fn run(
    conn: &mut Conn,
    opts: &ProbeOptions,
    dl: Deadlines,
    found: &mut Found,
    notes: &mut Notes,
) -> Result<(), Fail> {
    negotiate(conn, dl, found, notes).await?;
    list_tools(conn, opts, dl, found, notes).await
}

/// Goes straight to the modern era (`server/discover`), then lists tools:
/// for HTTP servers that reject a legacy initialize with a bare 400.
pub async fn run_modern(
    conn: &mut Conn,
    opts: &ProbeOptions,
    dl: Deadlines,
    found: &mut Found,
    notes: &mut Notes,
) -> Result<(), Fail> {
    modern(conn, Vec::new(), dl, found, notes).await?;
    list_tools(conn, opts, dl, found, notes).await
}

async fn negotiate(
    conn: &mut Conn,
    dl: Deadlines,
    found: &mut Found,
    notes: &mut Notes,
) -> Result<(), Fail> {
    let deadline = dl.within(dl.init);
    let params = json!({
        "protocolVersion": LEGACY_VERSION,
        "capabilities": {},
        "clientInfo": jsonrpc::client_info(),
    });
    match conn.request("initialize", params, deadline, notes).await? {
        Ok(Value::Object(result)) => {
            let version = result.get("protocolVersion").and_then(Value::as_str);
            if let Some(v) = version.filter(|v| is_modern_version(v)) {
                notes.once(
                    AnomalyKind::InitializeAnsweredModern,
                    format!("initialize answered with protocol {v}; switching to server/discover"),
                );
                return modern(conn, vec![v.to_string()], dl, found, notes).await;
            }
            if version.is_none() {
                notes.once(
                    AnomalyKind::MissingProtocolVersion,
                    "initialize result has no protocolVersion".into(),
                );
            }
            found.era = Some(Era::Legacy);
            found.protocol_version = version.map(str::to_string);
            found.server_info = result.get("serverInfo").cloned();
            if result
                .get("capabilities")
                .is_none_or(|c| c.get("tools").is_none())
            {
                notes.once(
                    AnomalyKind::NoToolsCapability,
                    "capabilities do not declare tools; listing anyway".into(),
                );
            }
            let v = found
                .protocol_version
                .clone()
                .unwrap_or_else(|| LEGACY_VERSION.into());
            conn.set_protocol(&v, Era::Legacy);
            conn.notify("notifications/initialized", json!({}), deadline, notes)
                .await?;
            Ok(())
        }
        Ok(other) => Err(Fail::new(
            Status::ProtocolError,
            format!("initialize result is {}, not an object", short(&other)),
        )),
        Err(e) => {
            // A modern-only server rejects initialize. Either it says so (the
            // error names 2026-07-28), or it only says "unknown method": try
            // server/discover briefly before calling it a protocol error.
            let budget = if e.looks_modern() {
                dl.init
            } else {
                dl.init.min(Duration::from_secs(2))
            };
            let hint = e.supported_versions();
            let sub = Deadlines { init: budget, ..dl };
            match modern(conn, hint, sub, found, notes).await {
                Ok(()) => Ok(()),
                Err(f) if e.looks_modern() => Err(f),
                Err(_) => Err(Fail::new(
                    Status::ProtocolError,
                    format!("initialize failed: {e}"),
                )),
            }
        }
    }
}

/// The 2026-07-28 era: `server/discover` with `_meta`, retrying once with a
/// version from an UnsupportedProtocolVersionError.
async fn modern(
    conn: &mut Conn,
    hint: Vec<String>,
    dl: Deadlines,
    found: &mut Found,
    notes: &mut Notes,
) -> Result<(), Fail> {
    let deadline = dl.within(dl.init);
    let mut version = pick_version(&hint).unwrap_or_else(|| MODERN_VERSION.to_string());
    for attempt in 0..2 {
        conn.set_protocol(&version, Era::Modern);
        let params = json!({"_meta": jsonrpc::modern_meta(&version)});
        match conn
            .request("server/discover", params, deadline, notes)
            .await?
        {
            Ok(Value::Object(result)) => {
                let supported = jsonrpc::strings(result.get("supportedVersions"));
                if !supported.is_empty() && !supported.contains(&version) {
                    if let Some(v) = pick_version(&supported) {
                        version = v;
                    }
                }
                found.era = Some(Era::Modern);
                found.protocol_version = Some(version.clone());
                found.server_info = result
                    .get("_meta")
                    .and_then(|m| m.get("io.modelcontextprotocol/serverInfo"))
                    .or_else(|| result.get("serverInfo"))
                    .cloned();
                conn.set_protocol(&version, Era::Modern);
                return Ok(());
            }
            Ok(other) => {
                return Err(Fail::new(
                    Status::ProtocolError,
                    format!("server/discover result is {}, not an object", short(&other)),
                ))
            }
            Err(e) if attempt == 0 && e.code == jsonrpc::UNSUPPORTED_VERSION => {
                match pick_version(&e.supported_versions()) {
                    Some(v) if v != version => version = v,
                    _ => return Err(unsupported(&e)),
                }
            }
            Err(e) => return Err(unsupported(&e)),
        }
    }
    Err(Fail::new(
        Status::ProtocolError,
        "no mutually supported protocol version",
    ))
}

fn unsupported(e: &RpcError) -> Fail {
    Fail::new(
        Status::ProtocolError,
        format!("server/discover failed: {e}"),
    )
}

/// The newest modern version in `list` (we speak 2026-07-28; a newer dated
/// version is tried as the same shape).
fn pick_version(list: &[String]) -> Option<String> {
    if list.iter().any(|v| v == MODERN_VERSION) {
        return Some(MODERN_VERSION.to_string());
    }
    list.iter().filter(|v| is_modern_version(v)).max().cloned()
}

/// A tools/list page that failed (`why`): the probe fails on the first page;
/// on a later one the pages so far are kept and the failure noted.
fn page_failed(page: usize, why: String, notes: &mut Notes) -> Result<(), Fail> {
    if page == 1 {
        return Err(Fail::new(Status::ProtocolError, why));
    }
    notes.push(None, AnomalyKind::PageError, why);
    Ok(())
}

async fn list_tools(
    conn: &mut Conn,
    opts: &ProbeOptions,
    dl: Deadlines,
    found: &mut Found,
    notes: &mut Notes,
) -> Result<(), Fail> {
    let deadline = dl.within(dl.list);
    let mut cursor: Option<String> = None;
    let mut seen = BTreeSet::new();
    let mut raw = Vec::new();
    let mut page = 0usize;
    let result = loop {
        if page >= opts.max_pages.max(1) {
            notes.push(
                None,
                AnomalyKind::PageCap,
                format!("stopped after {page} tools/list pages"),
            );
            break Ok(());
        }
        page += 1;
        let mut params = Map::new();
        if let Some(c) = &cursor {
            params.insert("cursor".into(), Value::String(c.clone()));
        }
        if found.era == Some(Era::Modern) {
            let v = found.protocol_version.as_deref().unwrap_or(MODERN_VERSION);
            params.insert("_meta".into(), jsonrpc::modern_meta(v));
        }
        let reply = match conn
            .request("tools/list", Value::Object(params), deadline, notes)
            .await
        {
            Ok(r) => r,
            Err(e) => break Err(Fail::from(e)),
        };
        let result = match reply {
            Ok(r) => r,
            Err(e) if page == 1 => {
                break page_failed(page, format!("tools/list failed: {e}"), notes)
            }
            Err(e) => {
                break page_failed(page, format!("tools/list page {page} failed: {e}"), notes)
            }
        };
        let (tools, next) = match result {
            Value::Object(mut m) => (m.remove("tools"), m.remove("nextCursor")),
            Value::Array(a) => {
                notes.once(
                    AnomalyKind::ResultIsArray,
                    "tools/list result is a bare array of tools".into(),
                );
                (Some(Value::Array(a)), None)
            }
            other => {
                let f = format!("tools/list result is {}, not an object", short(&other));
                break page_failed(page, f, notes);
            }
        };
        match tools {
            Some(Value::Array(items)) => raw.extend(items),
            None | Some(Value::Null) => notes.push(
                None,
                AnomalyKind::MissingTools,
                format!("page {page} has no tools array"),
            ),
            Some(other) => {
                let f = format!("\"tools\" is {}, not an array", short(&other));
                break page_failed(page, f, notes);
            }
        }
        found.tools = raw.clone();
        match next {
            None | Some(Value::Null) => break Ok(()),
            Some(Value::String(c)) if c.is_empty() => break Ok(()),
            Some(Value::String(c)) => {
                if !seen.insert(c.clone()) {
                    notes.push(
                        None,
                        AnomalyKind::RepeatedCursor,
                        format!("nextCursor {:?} came back; stopped", short_str(&c)),
                    );
                    break Ok(());
                }
                cursor = Some(c);
            }
            Some(other) => {
                notes.push(
                    None,
                    AnomalyKind::BadCursor,
                    format!("nextCursor is {}; stopped", short(&other)),
                );
                break Ok(());
            }
        }
    };
    let served = raw.len();
    found.tools = super::tools::check(raw, notes);
    if result.is_ok() && served > 0 && found.tools.is_empty() {
        // `[1,2,3]` is not an empty tool list.
        return Err(Fail::new(
            Status::ProtocolError,
            format!("tools/list returned {served} item(s), none of them a tool object"),
        ));
    }
    result
}

fn short(v: &Value) -> String {
    short_str(&v.to_string())
}

fn short_str(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}
