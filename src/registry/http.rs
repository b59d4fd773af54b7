//! The HTTP side shared by the paged registry APIs (official, Glama,
//! Smithery): one reqwest client with timeouts, and a JSON GET whose errors
//! name the URL and the page, so a broken page is a clear error for that
//! source, never a panic.

use std::time::Duration;

use serde_json::Value;

use super::SourceError;

/// Pages followed at most by any paged source (a runaway registry, or one that
/// never says it is done, stops here with an error).
pub const DEFAULT_PAGE_CAP: usize = 2_000;

/// Bytes of one page at most (a registry page is tens of kilobytes).
const MAX_PAGE_BYTES: usize = 64 << 20;

/// Builds the client every registry source uses.
pub fn client() -> Result<reqwest::Client, SourceError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("mcp-risk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SourceError::Http {
            url: String::new(),
            message: format!("cannot build an HTTP client: {e}"),
        })
}

/// GETs one page and parses it as JSON. `page` (1-based) is only for messages.
pub async fn get_json(
    client: &reqwest::Client,
    url: &str,
    page: usize,
    bearer: Option<&str>,
) -> Result<Value, SourceError> {
    let err = |message: String| SourceError::Http {
        url: url.to_owned(),
        message: format!("page {page}: {message}"),
    };
    let mut req = client.get(url).header("accept", "application/json");
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.map_err(|e| err(describe(&e)))?;
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|e| err(describe(&e)))?;
    if !status.is_success() {
        let body = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
        return Err(err(format!("HTTP {status}: {}", body.trim())));
    }
    if bytes.len() > MAX_PAGE_BYTES {
        return Err(err(format!(
            "response of {} bytes is too large",
            bytes.len()
        )));
    }
    serde_json::from_slice(&bytes).map_err(|e| err(format!("not valid JSON: {e}")))
}

/// reqwest's Display hides the cause (e.g. "error sending request"); walk the chain.
fn describe(e: &reqwest::Error) -> String {
    let mut s = if e.is_timeout() {
        "timed out".to_owned()
    } else {
        e.to_string()
    };
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// Appends query pairs to a base URL (keeping the user's own, such as
/// `updated_since` or `search`).
pub fn with_query(base: &url::Url, pairs: &[(&str, &str)]) -> String {
    let mut u = base.clone();
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    u.to_string()
}

/// Parses a user-given URL, with a message that says what was expected.
pub fn parse_url(what: &str, s: &str) -> Result<url::Url, SourceError> {
    let u = url::Url::parse(s).map_err(|e| SourceError::Invalid {
        what: what.to_owned(),
        message: format!("`{s}` is not a URL: {e}"),
    })?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(SourceError::Invalid {
            what: what.to_owned(),
            message: format!("`{s}`: only http and https URLs are supported"),
        });
    }
    Ok(u)
}

/// Sets a URL's path to `suffix` under the base path unless the user already
/// gave the full endpoint (its path ends with `ends_with`).
pub fn endpoint(base: &url::Url, ends_with: &str, suffix: &str) -> url::Url {
    let mut u = base.clone();
    let path = u.path().trim_end_matches('/').to_owned();
    if !path.ends_with(ends_with) {
        u.set_path(&format!("{path}{suffix}"));
    }
    u
}

/// The `servers` array of one page of a paged list; an error naming the page
/// when the body has none.
pub fn servers_of<'a>(
    body: &'a Value,
    url: &str,
    page: usize,
) -> Result<&'a Vec<Value>, SourceError> {
    body.get("servers")
        .and_then(Value::as_array)
        .ok_or_else(|| SourceError::Http {
            url: url.to_owned(),
            message: format!("page {page}: no `servers` array in the response"),
        })
}

/// Records a page cursor as followed; an error when it already was (`who`,
/// the API or the registry, is looping).
pub fn follow_cursor(
    seen: &mut std::collections::HashSet<String>,
    cursor: &str,
    url: &str,
    page: usize,
    who: &str,
) -> Result<(), SourceError> {
    if seen.insert(cursor.to_owned()) {
        return Ok(());
    }
    Err(SourceError::Http {
        url: url.to_owned(),
        message: format!(
            "page {page}: cursor `{cursor}` was already followed (the {who} is looping)"
        ),
    })
}

/// Text of a JSON field, if it is a non-empty string.
pub fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}
