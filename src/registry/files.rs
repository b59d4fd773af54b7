//! Local file sources: tools/list files (or directories of them) and servers
//! files.
//!
//! # tools/list files
//!
//! A file or a directory of `*.json` (sorted, not recursive), each holding what
//! `--input` accepts: `{"tools": [...]}`, a JSON-RPC response whose `result`
//! holds that, or a bare array of tools. Each file is one server named after
//! its stem, with [`Launch::Tools`]: nothing is run. A file that cannot be read
//! or holds no tool list becomes a record with [`Launch::Unavailable`]
//! (`not_mcp` and the reason), so one bad file is a row in the crawl, not the
//! end of it.
//!
//! # Servers files
//!
//! JSON naming servers and how to reach them, in either shape:
//!
//! ```json
//! {"servers": {
//!   "everything": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"],
//!                  "env": {"API_KEY": "dummy"}},
//!   "remote":     {"url": "https://example.com/mcp", "headers": {"X-Api-Key": "dummy"}},
//!   "legacy":     {"url": "https://example.com/sse", "transport": "sse"},
//!   "offline":    {"tools": [{"name": "get", "inputSchema": {"type": "object"}}]}
//! }}
//! ```
//!
//! or an array of the same objects, each with a `"name"`:
//! `[{"name": "everything", "command": "npx", "args": [...]}, ...]`.
//!
//! Per entry: `command` (string) with optional `args` (strings) and `env`
//! (string values) is a stdio server; `url` with optional `headers` (an object,
//! or an array of `"Name: value"` strings) and `transport` (`"sse"` or
//! `"streamable-http"`, the default; `"sse": true` also works) is a remote
//! one; `tools` gives the tool list directly. Optional `description` and
//! `version` are kept. An entry that names none of these, or has wrong types,
//! becomes a `needs_config` record with the reason.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{Launch, ServerRecord, Source, SourceError, SourceFuture};
use crate::input;
use crate::mcp::{ProbeTarget, Status};

/// Source kind recorded for tools/list files.
pub const KIND_FILE: &str = "file";
/// Source kind recorded for servers-file entries.
pub const KIND_SERVERS: &str = "servers";

/// A tools/list file or a directory of them.
#[derive(Clone, Debug)]
pub struct ToolsFiles {
    pub path: PathBuf,
}

/// A servers file (see the module docs for its shapes).
#[derive(Clone, Debug)]
pub struct ServersFile {
    pub path: PathBuf,
}

/// A server's name from its file: the stem.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn unavailable(name: String, source: &str, status: Status, reason: String) -> ServerRecord {
    ServerRecord {
        name,
        source: source.to_owned(),
        version: None,
        description: None,
        launch: Launch::Unavailable { status, reason },
    }
}

/// The record of one tools/list file (an unavailable one when it is unreadable).
pub fn tools_record(path: &Path) -> ServerRecord {
    match input::load_file(path) {
        Ok(st) => ServerRecord {
            name: st.server,
            source: KIND_FILE.to_owned(),
            version: None,
            description: None,
            launch: Launch::Tools { tools: st.tools },
        },
        Err(e) => unavailable(stem(path), KIND_FILE, Status::NotMcp, e.to_string()),
    }
}

impl ToolsFiles {
    /// Reads every record now (used by the async [`Source`] impl).
    pub fn load(&self) -> Result<Vec<ServerRecord>, SourceError> {
        let meta = std::fs::metadata(&self.path).map_err(|source| input::InputError::Io {
            path: self.path.clone(),
            source,
        })?;
        if meta.is_dir() {
            let files = input::json_files(&self.path)?;
            if files.is_empty() {
                return Err(input::InputError::EmptyDir {
                    path: self.path.clone(),
                }
                .into());
            }
            Ok(files.iter().map(|f| tools_record(f)).collect())
        } else {
            Ok(vec![tools_record(&self.path)])
        }
    }
}

impl Source for ToolsFiles {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn records(&self) -> SourceFuture<'_> {
        Box::pin(async move { self.load() })
    }
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>, String> {
    match v {
        Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{what} must hold only strings"))
            })
            .collect(),
        _ => Err(format!("{what} must be an array of strings")),
    }
}

fn string_map(v: &Value, what: &str) -> Result<BTreeMap<String, String>, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("{what} must be an object of strings"))?;
    obj.iter()
        .map(|(k, x)| {
            x.as_str()
                .map(|s| (k.clone(), s.to_owned()))
                .ok_or_else(|| format!("{what}.{k} must be a string"))
        })
        .collect()
}

fn headers(v: &Value) -> Result<Vec<(String, String)>, String> {
    match v {
        Value::Object(_) => Ok(string_map(v, "headers")?.into_iter().collect()),
        Value::Array(_) => strings(v, "headers")?
            .into_iter()
            .map(|h| match h.split_once(':') {
                Some((k, val)) => Ok((k.trim().to_owned(), val.trim().to_owned())),
                None => Err(format!("header {h:?} is not 'Name: value'")),
            })
            .collect(),
        _ => Err("headers must be an object or an array of 'Name: value'".into()),
    }
}

/// How one servers-file entry is reached, or why it cannot be.
fn launch_of(spec: &Map<String, Value>) -> Result<Launch, String> {
    if let Some(cmd) = spec.get("command") {
        let command = cmd
            .as_str()
            .filter(|c| !c.is_empty())
            .ok_or("command must be a non-empty string")?
            .to_owned();
        let args = spec
            .get("args")
            .map(|a| strings(a, "args"))
            .transpose()?
            .unwrap_or_default();
        let env = spec
            .get("env")
            .map(|e| string_map(e, "env"))
            .transpose()?
            .unwrap_or_default();
        return Ok(Launch::Probe(ProbeTarget::Stdio { command, args, env }));
    }
    if let Some(url) = spec.get("url") {
        let url = url
            .as_str()
            .filter(|u| !u.is_empty())
            .ok_or("url must be a non-empty string")?
            .to_owned();
        let headers = spec
            .get("headers")
            .map(headers)
            .transpose()?
            .unwrap_or_default();
        let sse = match (spec.get("transport"), spec.get("sse")) {
            (Some(Value::String(t)), _) => match t.as_str() {
                "sse" => true,
                "streamable-http" | "streamable_http" | "http" => false,
                other => {
                    return Err(format!(
                        "unknown transport {other:?} (sse or streamable-http)"
                    ))
                }
            },
            (Some(_), _) => return Err("transport must be a string".into()),
            (None, Some(Value::Bool(b))) => *b,
            (None, Some(_)) => return Err("sse must be true or false".into()),
            (None, None) => false,
        };
        return Ok(Launch::Probe(ProbeTarget::Http { url, headers, sse }));
    }
    if let Some(tools) = spec.get("tools") {
        return match input::tools_of(tools.clone()) {
            Some(tools) => Ok(Launch::Tools { tools }),
            None => Err("tools must be a tool array or {\"tools\": [...]}".into()),
        };
    }
    Err("names no command, url or tools".into())
}

fn entry_record(name: String, spec: &Value) -> ServerRecord {
    let Some(obj) = spec.as_object() else {
        return unavailable(
            name,
            KIND_SERVERS,
            Status::NeedsConfig,
            "the entry is not a JSON object".into(),
        );
    };
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
    match launch_of(obj) {
        Ok(launch) => ServerRecord {
            name,
            source: KIND_SERVERS.to_owned(),
            version: text("version"),
            description: text("description"),
            launch,
        },
        Err(reason) => unavailable(name, KIND_SERVERS, Status::NeedsConfig, reason),
    }
}

/// Records from a parsed servers file; `fallback` names what cannot be named.
pub fn servers_from_value(v: &Value, fallback: &str) -> Vec<ServerRecord> {
    let list = match v {
        Value::Object(o) => o.get("servers").unwrap_or(&Value::Null),
        other => other,
    };
    match list {
        Value::Object(m) => m
            .iter()
            .map(|(name, spec)| entry_record(name.clone(), spec))
            .collect(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let name = spec
                    .get("name")
                    .and_then(Value::as_str)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned);
                match name {
                    Some(n) => entry_record(n, spec),
                    None => unavailable(
                        format!("{fallback}#{i}"),
                        KIND_SERVERS,
                        Status::NeedsConfig,
                        "the entry has no \"name\"".into(),
                    ),
                }
            })
            .collect(),
        _ => vec![unavailable(
            fallback.to_owned(),
            KIND_SERVERS,
            Status::NeedsConfig,
            "a servers file holds {\"servers\": {NAME: SPEC}} or [{\"name\": NAME, ...}]".into(),
        )],
    }
}

impl ServersFile {
    /// Reads every record now (used by the async [`Source`] impl).
    pub fn load(&self) -> Result<Vec<ServerRecord>, SourceError> {
        let bytes = std::fs::read(&self.path).map_err(|source| input::InputError::Io {
            path: self.path.clone(),
            source,
        })?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| input::InputError::Json {
            path: self.path.clone(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Ok(servers_from_value(&v, &stem(&self.path)))
    }
}

impl Source for ServersFile {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn records(&self) -> SourceFuture<'_> {
        Box::pin(async move { self.load() })
    }
}

/// True when a parsed file looks like a servers file rather than a tool list:
/// a `"servers"` key, or a non-empty array whose every entry has a `command`,
/// `url` or `tools` key and no `inputSchema`.
pub fn looks_like_servers(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.contains_key("servers") && !o.contains_key("tools"),
        Value::Array(a) => {
            !a.is_empty()
                && a.iter().all(|e| {
                    e.as_object().is_some_and(|o| {
                        !o.contains_key("inputSchema")
                            && ["command", "url", "tools"]
                                .iter()
                                .any(|k| o.contains_key(*k))
                    })
                })
        }
        _ => false,
    }
}

/// What a local path names: tools/list files (one, or a directory of them)
/// or a servers file.
#[derive(Clone, Debug)]
pub enum Local {
    Tools(ToolsFiles),
    Servers(ServersFile),
}

impl Local {
    pub fn into_source(self) -> Box<dyn Source> {
        match self {
            Local::Tools(t) => Box::new(t),
            Local::Servers(s) => Box::new(s),
        }
    }
}

/// Tells what a local path names: a directory is tools/list files, a file
/// that [`looks_like_servers`] is a servers file, any other file one
/// tools/list file. Fails only when the path does not exist.
pub fn local(path: &Path) -> Result<Local, SourceError> {
    let meta = std::fs::metadata(path).map_err(|source| input::InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    let path = path.to_owned();
    if meta.is_dir() {
        return Ok(Local::Tools(ToolsFiles { path }));
    }
    let is_servers = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .is_some_and(|v| looks_like_servers(&v));
    Ok(if is_servers {
        Local::Servers(ServersFile { path })
    } else {
        Local::Tools(ToolsFiles { path })
    })
}

/// The source a local path names (see [`local`]).
pub fn detect(path: &Path) -> Result<Box<dyn Source>, SourceError> {
    local(path).map(Local::into_source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_servers_shapes() {
        let map = json!({"servers": {
            "a": {"command": "srv", "args": ["--x"], "env": {"K": "v"}},
            "b": {"url": "http://127.0.0.1:1/mcp", "headers": ["X-K: v"], "transport": "sse"},
            "c": {"nothing": true}
        }});
        let recs = servers_from_value(&map, "f");
        assert_eq!(recs.len(), 3);
        assert!(
            matches!(&recs[0].launch, Launch::Probe(ProbeTarget::Stdio { command, args, env })
            if command == "srv" && args == &["--x"] && env["K"] == "v")
        );
        assert!(
            matches!(&recs[1].launch, Launch::Probe(ProbeTarget::Http { headers, sse: true, .. })
            if headers == &[("X-K".to_owned(), "v".to_owned())])
        );
        assert!(matches!(
            &recs[2].launch,
            Launch::Unavailable {
                status: Status::NeedsConfig,
                ..
            }
        ));

        let arr = json!([{"name": "a", "command": "srv"}, {"command": "nameless"}]);
        assert!(looks_like_servers(&arr));
        let recs = servers_from_value(&arr, "f");
        assert_eq!(recs[0].name, "a");
        assert_eq!(recs[1].name, "f#1");
        assert!(!looks_like_servers(
            &json!([{"name": "t", "inputSchema": {}}])
        ));
    }
}
