//! The official MCP registry: its REST API (`GET /v0.1/servers`, cursor
//! paging through `metadata.nextCursor`, `version=latest`, optional
//! `updated_since`) and local dumps of it (an array of server.json, or the
//! list envelope `{"servers": [{"server": ..., "_meta": ...}]}`).
//!
//! Entries whose registry status is `deleted` are dropped (the API returns
//! them when `updated_since` is set). When one name appears at several
//! versions (a dump), the one marked `isLatest` wins, else the highest version.

pub mod server_json;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::http::{self, str_field};
use super::{ServerRecord, Source, SourceError, SourceFuture};

/// The `_meta` key under which the registry puts its own metadata.
pub const OFFICIAL_META: &str = "io.modelcontextprotocol.registry/official";

/// The official registry's API (or any registry implementing the same API).
#[derive(Clone, Debug)]
pub struct OfficialApi {
    /// The list endpoint, with the user's own query parameters kept.
    endpoint: url::Url,
    /// Page size asked for.
    pub limit: usize,
    /// Pages followed at most.
    pub page_cap: usize,
}

impl OfficialApi {
    /// From a base URL (`https://registry.modelcontextprotocol.io`) or the full
    /// list endpoint (`…/v0.1/servers`, or `…/v0/servers`). Query parameters
    /// given by the user (`updated_since`, `search`) are kept.
    pub fn new(base: &str) -> Result<OfficialApi, SourceError> {
        let u = http::parse_url("official registry", base)?;
        Ok(OfficialApi {
            endpoint: http::endpoint(&u, "/servers", "/v0.1/servers"),
            limit: 100,
            page_cap: http::DEFAULT_PAGE_CAP,
        })
    }

    /// Only servers updated since this RFC 3339 time (incremental sync).
    pub fn updated_since(mut self, since: &str) -> OfficialApi {
        self.endpoint
            .query_pairs_mut()
            .append_pair("updated_since", since);
        self
    }

    fn page_url(&self, cursor: Option<&str>) -> String {
        let limit = self.limit.to_string();
        let has_version = self.endpoint.query_pairs().any(|(k, _)| k == "version");
        let mut pairs: Vec<(&str, &str)> = vec![("limit", &limit)];
        if !has_version {
            pairs.push(("version", "latest"));
        }
        if let Some(c) = cursor {
            pairs.push(("cursor", c));
        }
        http::with_query(&self.endpoint, &pairs)
    }

    async fn fetch(&self) -> Result<Vec<ServerRecord>, SourceError> {
        let client = http::client()?;
        let mut entries = Vec::new();
        let mut cursor: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        for page in 1..=self.page_cap {
            let url = self.page_url(cursor.as_deref());
            let body = http::get_json(&client, &url, page, None).await?;
            let servers = http::servers_of(&body, &url, page)?;
            entries.extend(servers.iter().cloned());
            let next = body
                .get("metadata")
                .and_then(|m| str_field(m, "nextCursor").or_else(|| str_field(m, "next_cursor")))
                .map(str::to_owned);
            match next {
                None => return Ok(records_from_entries(&entries, "official")),
                Some(c) if servers.is_empty() => {
                    return Err(SourceError::Http {
                        url,
                        message: format!(
                            "page {page}: empty page with a next cursor `{c}` (the registry is looping)"
                        ),
                    })
                }
                Some(c) => {
                    http::follow_cursor(&mut seen, &c, &url, page, "registry")?;
                    cursor = Some(c);
                }
            }
        }
        Err(SourceError::Http {
            url: self.endpoint.to_string(),
            message: format!(
                "stopped after {} pages of {} servers: more remain (raise the page cap)",
                self.page_cap, self.limit
            ),
        })
    }
}

impl Source for OfficialApi {
    fn describe(&self) -> String {
        format!("official registry {}", self.endpoint)
    }

    fn records(&self) -> SourceFuture<'_> {
        Box::pin(self.fetch())
    }
}

/// A local dump of the official registry, or any file of server.json documents.
#[derive(Clone, Debug)]
pub struct OfficialDump {
    pub path: PathBuf,
    /// Label recorded as the records' source (`official`, or `bundled`).
    pub label: String,
}

impl OfficialDump {
    pub fn new(path: &Path) -> OfficialDump {
        OfficialDump {
            path: path.to_owned(),
            label: "official".to_owned(),
        }
    }
}

impl Source for OfficialDump {
    fn describe(&self) -> String {
        format!("official registry dump {}", self.path.display())
    }

    fn records(&self) -> SourceFuture<'_> {
        Box::pin(async move {
            let bytes =
                std::fs::read(&self.path).map_err(|source| crate::input::InputError::Io {
                    path: self.path.clone(),
                    source,
                })?;
            let what = self.path.display().to_string();
            parse_dump(&bytes, &what, &self.label)
        })
    }
}

/// Records from dump bytes (a JSON array of server.json or of list entries, or
/// the list envelope). `what` names the input in errors.
pub fn parse_dump(bytes: &[u8], what: &str, label: &str) -> Result<Vec<ServerRecord>, SourceError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| SourceError::Invalid {
        what: what.to_owned(),
        message: format!("line {}: not valid JSON: {e}", e.line()),
    })?;
    let entries =
        match &v {
            Value::Array(a) => a.as_slice(),
            Value::Object(o) => match o.get("servers") {
                Some(Value::Array(a)) => a.as_slice(),
                _ if o.contains_key("name") => std::slice::from_ref(&v),
                _ => return Err(SourceError::Invalid {
                    what: what.to_owned(),
                    message:
                        "expected an array of server.json, a server.json, or {\"servers\": [...]}"
                            .to_owned(),
                }),
            },
            _ => {
                return Err(SourceError::Invalid {
                    what: what.to_owned(),
                    message: "expected a JSON array or object".to_owned(),
                })
            }
        };
    Ok(records_from_entries(entries, label))
}

/// Whether a JSON document looks like official server.json data (for
/// autodetecting a plain path).
pub fn looks_like_dump(v: &Value) -> bool {
    let first = match v {
        Value::Array(a) => a.first(),
        Value::Object(o) => match o.get("servers") {
            Some(Value::Array(a)) => a.first(),
            _ => Some(v),
        },
        _ => None,
    };
    let Some(first) = first else {
        return false;
    };
    let server = first.get("server").unwrap_or(first);
    server.get("name").is_some()
        && (server.get("packages").is_some()
            || server.get("remotes").is_some()
            || server.get("$schema").is_some()
            || server.get("version").is_some())
}

/// One list entry split into its server.json and the registry's metadata.
fn split_entry(entry: &Value) -> (&Value, Option<&Value>) {
    match entry.get("server") {
        Some(s) if s.is_object() => (s, entry.get("_meta").and_then(|m| m.get(OFFICIAL_META))),
        _ => (entry, entry.get("_meta").and_then(|m| m.get(OFFICIAL_META))),
    }
}

/// Records from list entries: deleted ones dropped, one record per name, sorted.
pub fn records_from_entries(entries: &[Value], label: &str) -> Vec<ServerRecord> {
    let mut best: BTreeMap<String, (bool, ServerRecord)> = BTreeMap::new();
    for entry in entries {
        let (server, meta) = split_entry(entry);
        if meta.and_then(|m| str_field(m, "status")) == Some("deleted") {
            continue;
        }
        let Some(rec) = server_json::record(server, label) else {
            continue;
        };
        let latest = meta
            .and_then(|m| m.get("isLatest"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let replace = match best.get(&rec.name) {
            None => true,
            Some((old_latest, old)) => match (latest, *old_latest) {
                (true, false) => true,
                (false, true) => false,
                _ => version_cmp(rec.version.as_deref(), old.version.as_deref()).is_ge(),
            },
        };
        if replace {
            best.insert(rec.name.clone(), (latest, rec));
        }
    }
    best.into_values().map(|(_, r)| r).collect()
}

/// Compares versions by their numeric dot-separated parts (enough for the
/// semver-ish versions registries carry), falling back to text.
fn version_cmp(a: Option<&str>, b: Option<&str>) -> std::cmp::Ordering {
    let key = |s: &str| -> Vec<u64> {
        s.split(['.', '-', '+'])
            .map_while(|p| p.parse::<u64>().ok())
            .collect()
    };
    match (a, b) {
        (Some(a), Some(b)) => key(a).cmp(&key(b)).then_with(|| a.cmp(b)),
        (a, b) => a.is_some().cmp(&b.is_some()),
    }
}
