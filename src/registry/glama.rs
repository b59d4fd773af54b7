//! Glama-style directory API: `GET {base}/v1/servers?first=N&after=CURSOR`,
//! relay-style paging (`pageInfo.endCursor`, `pageInfo.hasNextPage`), each
//! server carrying the tool list the directory captured. Tools come straight
//! from the registry: nothing is run.

use serde_json::Value;

use super::http::{self, str_field};
use super::{Launch, ServerRecord, Source, SourceError, SourceFuture};
use crate::mcp::Status;

#[derive(Clone, Debug)]
pub struct GlamaApi {
    endpoint: url::Url,
    pub page_size: usize,
    pub page_cap: usize,
}

impl GlamaApi {
    /// From a base URL (`https://glama.ai/api/mcp`) or the full list endpoint
    /// (`…/v1/servers`).
    pub fn new(base: &str) -> Result<GlamaApi, SourceError> {
        let u = http::parse_url("glama API", base)?;
        Ok(GlamaApi {
            endpoint: http::endpoint(&u, "/servers", "/v1/servers"),
            page_size: 100,
            page_cap: http::DEFAULT_PAGE_CAP,
        })
    }

    async fn fetch(&self) -> Result<Vec<ServerRecord>, SourceError> {
        let client = http::client()?;
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        let first = self.page_size.to_string();
        for page in 1..=self.page_cap {
            let mut pairs = vec![("first", first.as_str())];
            if let Some(a) = after.as_deref() {
                pairs.push(("after", a));
            }
            let url = http::with_query(&self.endpoint, &pairs);
            let body = http::get_json(&client, &url, page, None).await?;
            let servers = http::servers_of(&body, &url, page)?;
            out.extend(servers.iter().filter_map(record));
            let info = body.get("pageInfo");
            let more = info
                .and_then(|i| i.get("hasNextPage"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if !more {
                out.sort_by(|a, b| a.name.cmp(&b.name));
                out.dedup_by(|a, b| a.name == b.name);
                return Ok(out);
            }
            let Some(end) = info.and_then(|i| str_field(i, "endCursor")) else {
                return Err(SourceError::Http {
                    url,
                    message: format!("page {page}: hasNextPage is true but endCursor is missing"),
                });
            };
            http::follow_cursor(&mut seen, end, &url, page, "API")?;
            after = Some(end.to_owned());
        }
        Err(SourceError::Http {
            url: self.endpoint.to_string(),
            message: format!("stopped after {} pages: more remain", self.page_cap),
        })
    }
}

/// One Glama server: named `namespace/slug` (else its id), its tools as given.
fn record(v: &Value) -> Option<ServerRecord> {
    let name = match (str_field(v, "namespace"), str_field(v, "slug")) {
        (Some(ns), Some(slug)) => format!("{ns}/{slug}"),
        _ => str_field(v, "id")
            .or_else(|| str_field(v, "name"))?
            .to_owned(),
    };
    let tools = v
        .get("tools")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let launch = if tools.is_empty() {
        Launch::Unavailable {
            status: Status::NeedsConfig,
            reason: "the directory lists no tools for this server and gives no way to launch it"
                .to_owned(),
        }
    } else {
        Launch::Tools { tools }
    };
    Some(ServerRecord {
        name,
        source: "glama".to_owned(),
        version: None,
        description: str_field(v, "description").map(str::to_owned),
        launch,
    })
}

impl Source for GlamaApi {
    fn describe(&self) -> String {
        format!("glama API {}", self.endpoint)
    }

    fn records(&self) -> SourceFuture<'_> {
        Box::pin(self.fetch())
    }
}
