//! Agent-client configuration files, so developers audit the servers they
//! actually use: `.mcp.json` and Claude Desktop / Cursor / Windsurf
//! (`mcpServers`), VS Code (`servers`, or `mcp.servers` in settings.json),
//! and Codex (`[mcp_servers.NAME]` in config.toml). Commands, arguments,
//! environment values and headers are kept exactly as the user wrote them
//! (they are the user's own). Values VS Code would prompt for
//! (`${input:...}`) cannot be known, so such a server is `needs_config`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::http::str_field;
use super::{Launch, ServerRecord, Source, SourceError, SourceFuture};
use crate::mcp::{ProbeTarget, Status};

#[derive(Clone, Debug)]
pub struct ConfigFile {
    pub path: PathBuf,
}

impl ConfigFile {
    pub fn new(path: &Path) -> ConfigFile {
        ConfigFile {
            path: path.to_owned(),
        }
    }

    fn read(&self) -> Result<Vec<ServerRecord>, SourceError> {
        let text =
            std::fs::read_to_string(&self.path).map_err(|source| crate::input::InputError::Io {
                path: self.path.clone(),
                source,
            })?;
        let what = self.path.display().to_string();
        let is_toml = self.path.extension().is_some_and(|e| e == "toml");
        let doc: Value = if is_toml {
            toml::from_str(&text).map_err(|e| SourceError::Invalid {
                what: what.clone(),
                message: format!("not valid TOML: {e}"),
            })?
        } else {
            parse_jsonc(&text).map_err(|e| SourceError::Invalid {
                what: what.clone(),
                message: format!("line {}: not valid JSON: {e}", e.line()),
            })?
        };
        parse(&doc).ok_or_else(|| SourceError::Invalid {
            what,
            message: "no MCP servers found: expected `mcpServers` (.mcp.json, Claude Desktop, Cursor), `servers` or `mcp.servers` (VS Code), or `mcp_servers` (Codex)".to_owned(),
        })
    }
}

/// VS Code and Claude allow comments and trailing commas in these files.
fn parse_jsonc(text: &str) -> Result<Value, serde_json::Error> {
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(e) => {
            let cleaned = strip_jsonc(text);
            serde_json::from_str(&cleaned).map_err(|_| e)
        }
    }
}

/// Removes `//` and `/* */` comments outside strings, and trailing commas.
fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_str = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            _ => out.push(c),
        }
    }
    // Trailing commas: `,` followed by whitespace and `}` or `]`.
    let mut res = String::with_capacity(out.len());
    let bytes: Vec<char> = out.chars().collect();
    let mut in_str = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_str {
            res.push(c);
            if c == '\\' && i + 1 < bytes.len() {
                res.push(bytes[i + 1]);
                i += 1;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            res.push(c);
        } else if c == ',' {
            let next = bytes[i + 1..].iter().find(|c| !c.is_whitespace());
            if !matches!(next, Some('}') | Some(']')) {
                res.push(c);
            }
        } else {
            res.push(c);
        }
        i += 1;
    }
    res
}

/// The servers map of any supported client's config.
fn servers_map(doc: &Value) -> Option<&Map<String, Value>> {
    for key in ["mcpServers", "servers", "mcp_servers"] {
        if let Some(m) = doc.get(key).and_then(Value::as_object) {
            return Some(m);
        }
    }
    // VS Code user settings.json: `"mcp": {"servers": {...}}`.
    doc.get("mcp")
        .and_then(|m| m.get("servers"))
        .and_then(Value::as_object)
}

/// Records from a parsed config (`None` when it holds no servers map).
pub fn parse(doc: &Value) -> Option<Vec<ServerRecord>> {
    let map = servers_map(doc)?;
    let mut out: Vec<ServerRecord> = map
        .iter()
        .map(|(name, entry)| ServerRecord {
            name: name.clone(),
            source: "config".to_owned(),
            version: None,
            description: None,
            launch: launch(entry),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Some(out)
}

/// Whether a JSON document looks like a client config (for autodetection).
pub fn looks_like_config(doc: &Value) -> bool {
    servers_map(doc).is_some_and(|m| {
        m.values().all(|e| {
            e.get("command").is_some() || e.get("url").is_some() || e.get("serverUrl").is_some()
        })
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn prompts_user(values: impl IntoIterator<Item = String>) -> Option<String> {
    values.into_iter().find(|v| v.contains("${input:"))
}

fn launch(entry: &Value) -> Launch {
    let url = str_field(entry, "url")
        .or_else(|| str_field(entry, "serverUrl"))
        .or_else(|| str_field(entry, "httpUrl"));
    if let Some(url) = url {
        let headers = string_map(entry.get("headers"));
        if let Some(v) = prompts_user(headers.values().cloned()) {
            return Launch::Unavailable {
                status: Status::NeedsConfig,
                reason: format!("a header takes `{v}`, which the client prompts the user for"),
            };
        }
        let sse =
            str_field(entry, "type") == Some("sse") || str_field(entry, "transport") == Some("sse");
        return Launch::Probe(ProbeTarget::Http {
            url: url.to_owned(),
            headers: headers.into_iter().collect(),
            sse,
        });
    }
    let Some(command) = str_field(entry, "command") else {
        return Launch::Unavailable {
            status: Status::NeedsConfig,
            reason: "entry has neither a command nor a url".to_owned(),
        };
    };
    let args = strings(entry.get("args"));
    let env = string_map(entry.get("env"));
    if let Some(v) = prompts_user(args.iter().chain(env.values()).cloned()) {
        return Launch::Unavailable {
            status: Status::NeedsConfig,
            reason: format!("takes `{v}`, which the client prompts the user for"),
        };
    }
    Launch::Probe(ProbeTarget::Stdio {
        command: command.to_owned(),
        args,
        env,
    })
}

impl Source for ConfigFile {
    fn describe(&self) -> String {
        format!("client config {}", self.path.display())
    }

    fn records(&self) -> SourceFuture<'_> {
        Box::pin(async move { self.read() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc_comments_and_trailing_commas() {
        let v =
            parse_jsonc("{\n // c\n \"a\": \"http://x//y\", /* b */ \"b\": [1,2,],\n}").unwrap();
        assert_eq!(v["a"], "http://x//y");
        assert_eq!(v["b"].as_array().unwrap().len(), 2);
    }
}
