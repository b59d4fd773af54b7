//! Smithery-style registry API: `GET {base}/servers?page=N&pageSize=M`
//! (page-numbered, `pagination.totalPages`), authenticated with a bearer key
//! read from the `SMITHERY_API_KEY` environment variable. The list does not
//! carry tools, so each server's detail (`GET {base}/servers/{qualifiedName}`)
//! is fetched: its `tools` when present, else the server is recorded as
//! `needs_config` (a hosted server needs the user's key and configuration).

use futures::stream::{self, StreamExt};
use serde_json::Value;

use super::http::{self, str_field};
use super::{Launch, ServerRecord, Source, SourceError, SourceFuture};
use crate::mcp::Status;

/// The environment variable holding the Smithery API key.
pub const KEY_ENV: &str = "SMITHERY_API_KEY";

/// Detail requests in flight at once.
const DETAIL_CONCURRENCY: usize = 8;

#[derive(Clone, Debug)]
pub struct SmitheryApi {
    base: url::Url,
    key: Option<String>,
    pub page_size: usize,
    pub page_cap: usize,
}

impl SmitheryApi {
    /// From the API base (`https://registry.smithery.ai`); the key comes from
    /// `SMITHERY_API_KEY` when set.
    pub fn new(base: &str) -> Result<SmitheryApi, SourceError> {
        let mut u = http::parse_url("smithery API", base)?;
        let path = u.path().trim_end_matches('/').to_owned();
        if let Some(stripped) = path.strip_suffix("/servers") {
            u.set_path(stripped);
        }
        Ok(SmitheryApi {
            base: u,
            key: std::env::var(KEY_ENV).ok().filter(|k| !k.is_empty()),
            page_size: 100,
            page_cap: http::DEFAULT_PAGE_CAP,
        })
    }

    /// Uses this key instead of the environment's.
    pub fn with_key(mut self, key: Option<String>) -> SmitheryApi {
        self.key = key;
        self
    }

    fn url(&self, path: &str) -> url::Url {
        let mut u = self.base.clone();
        let base = u.path().trim_end_matches('/').to_owned();
        u.set_path(&format!("{base}{path}"));
        u
    }

    async fn fetch(&self) -> Result<Vec<ServerRecord>, SourceError> {
        let client = http::client()?;
        let key = self.key.as_deref();
        let list = self.url("/servers");
        let size = self.page_size.to_string();
        let mut items: Vec<Value> = Vec::new();
        let mut done = false;
        for page in 1..=self.page_cap {
            let n = page.to_string();
            let url = http::with_query(&list, &[("page", &n), ("pageSize", &size)]);
            let body = http::get_json(&client, &url, page, key)
                .await
                .map_err(|e| self.explain_auth(e))?;
            let servers = http::servers_of(&body, &url, page)?;
            items.extend(servers.iter().cloned());
            let total = body
                .get("pagination")
                .and_then(|p| p.get("totalPages"))
                .and_then(Value::as_u64);
            let last = match total {
                Some(t) => page as u64 >= t,
                None => servers.len() < self.page_size,
            };
            if last || servers.is_empty() {
                done = true;
                break;
            }
        }
        if !done {
            return Err(SourceError::Http {
                url: list.to_string(),
                message: format!("stopped after {} pages: more remain", self.page_cap),
            });
        }
        let mut records: Vec<ServerRecord> = stream::iter(items)
            .map(|item| self.complete(&client, item))
            .buffer_unordered(DETAIL_CONCURRENCY)
            .filter_map(|r| async move { r })
            .collect()
            .await;
        records.sort_by(|a, b| a.name.cmp(&b.name));
        records.dedup_by(|a, b| a.name == b.name);
        Ok(records)
    }

    fn explain_auth(&self, e: SourceError) -> SourceError {
        match e {
            SourceError::Http { url, message }
                if self.key.is_none() && (message.contains("401") || message.contains("403")) =>
            {
                SourceError::Http {
                    url,
                    message: format!("{message} (set {KEY_ENV} to your Smithery API key)"),
                }
            }
            other => other,
        }
    }

    /// A record for one list item, fetching its detail when the item carries no tools.
    async fn complete(&self, client: &reqwest::Client, item: Value) -> Option<ServerRecord> {
        let name = str_field(&item, "qualifiedName")?.to_owned();
        let description = str_field(&item, "description").map(str::to_owned);
        let detail = if has_tools(&item) {
            Ok(item)
        } else {
            // The qualified name's own slash stays a path separator, as the API expects.
            let u = self.url(&format!("/servers/{name}"));
            http::get_json(client, u.as_str(), 1, self.key.as_deref()).await
        };
        let launch = match detail {
            Ok(d) if has_tools(&d) => Launch::Tools {
                tools: d["tools"].as_array().cloned().unwrap_or_default(),
            },
            Ok(d) => {
                let where_ = str_field(&d, "deploymentUrl")
                    .map(|u| format!(" (hosted at {u})"))
                    .unwrap_or_default();
                Launch::Unavailable {
                    status: Status::NeedsConfig,
                    reason: format!(
                        "the registry lists no tools for this server{where_}; connecting needs the user's Smithery key and configuration"
                    ),
                }
            }
            Err(e) => Launch::Unavailable {
                status: Status::Unreachable,
                reason: e.to_string(),
            },
        };
        Some(ServerRecord {
            name,
            source: "smithery".to_owned(),
            version: None,
            description,
            launch,
        })
    }
}

fn has_tools(v: &Value) -> bool {
    v.get("tools")
        .and_then(Value::as_array)
        .is_some_and(|t| !t.is_empty())
}

impl Source for SmitheryApi {
    fn describe(&self) -> String {
        format!("smithery API {}", self.base)
    }

    fn records(&self) -> SourceFuture<'_> {
        Box::pin(self.fetch())
    }
}
