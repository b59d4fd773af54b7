//! Streamable HTTP: POST JSON-RPC with `Accept: application/json,
//! text/event-stream`, read a JSON or SSE body, carry `Mcp-Session-Id` and
//! `MCP-Protocol-Version`, DELETE the session at the end.
//!
//! [`Web`] is the HTTP plumbing both HTTP transports share: redirects are
//! followed by hand so every hop is checked against private addresses, and
//! the user's headers (their credentials) never leave the origin they gave.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde_json::Value;
use tokio::time::{timeout_at, Instant};
use url::Url;

use super::conn::{ConnError, Reply};
use super::jsonrpc::{self, Incoming, Notes};
use super::netcheck::{check_url, GuardedResolver};
use super::sse::{next_event, SseParser};
use super::{AnomalyKind, AuthInfo, Era, ProbeOptions};

const MAX_REDIRECTS: usize = 5;

/// A configured HTTP client for one probe.
#[derive(Clone)]
pub struct Web {
    client: reqwest::Client,
    headers: HeaderMap,
    origin: url::Origin,
    allow_private: bool,
}

impl Web {
    pub fn new(
        base: &Url,
        headers: &[(String, String)],
        opts: &ProbeOptions,
    ) -> Result<Web, ConnError> {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            let name = HeaderName::from_bytes(k.trim().as_bytes())
                .map_err(|_| ConnError::Protocol(format!("bad header name {k:?}")))?;
            let value = HeaderValue::from_str(v.trim())
                .map_err(|_| ConnError::Protocol(format!("bad value for header {k}")))?;
            map.append(name, value);
        }
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(opts.connect_timeout)
            .no_proxy()
            .user_agent(concat!("mcp-risk/", env!("CARGO_PKG_VERSION")));
        if !opts.allow_private {
            b = b.dns_resolver(Arc::new(GuardedResolver));
        }
        let client = b
            .build()
            .map_err(|e| ConnError::Protocol(format!("cannot build the HTTP client: {e}")))?;
        Ok(Web {
            client,
            headers: map,
            origin: base.origin(),
            allow_private: opts.allow_private,
        })
    }

    /// Sends one request, following redirects by hand (each hop re-checked).
    /// Returns the response and the URL that answered.
    pub async fn send(
        &self,
        method: Method,
        url: &Url,
        extra: &[(&str, String)],
        body: Option<Vec<u8>>,
        deadline: Instant,
    ) -> Result<(reqwest::Response, Url), ConnError> {
        let mut url = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            check_url(&url, self.allow_private).await?;
            let mut req = self.client.request(method.clone(), url.clone());
            if url.origin() == self.origin {
                req = req.headers(self.headers.clone());
            }
            for (k, v) in extra {
                req = req.header(*k, v.as_str());
            }
            if let Some(b) = &body {
                req = req.body(b.clone());
            }
            let resp = match timeout_at(deadline, req.send()).await {
                Err(_) => return Err(ConnError::Timeout(format!("{method} {url}"))),
                Ok(Err(e)) => return Err(send_error(&url, &e)),
                Ok(Ok(r)) => r,
            };
            if resp.status().is_redirection() {
                if let Some(loc) = resp.headers().get("location").and_then(|l| l.to_str().ok()) {
                    url = url
                        .join(loc)
                        .map_err(|e| ConnError::Protocol(format!("bad redirect {loc:?}: {e}")))?;
                    continue;
                }
            }
            return Ok((resp, url));
        }
        Err(ConnError::Protocol(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }

    /// Reads a body up to `max` bytes.
    pub async fn read_body(
        mut resp: reqwest::Response,
        deadline: Instant,
        max: usize,
    ) -> Result<Vec<u8>, ConnError> {
        let mut out = Vec::new();
        loop {
            match timeout_at(deadline, resp.chunk()).await {
                Err(_) => return Err(ConnError::Timeout("the response body".into())),
                Ok(Err(e)) => {
                    return Err(ConnError::Closed(format!("reading the body failed: {e}")))
                }
                Ok(Ok(None)) => return Ok(out),
                Ok(Ok(Some(b))) => {
                    out.extend_from_slice(&b);
                    if out.len() > max {
                        return Err(ConnError::TooMuchOutput(max));
                    }
                }
            }
        }
    }
}

fn send_error(url: &Url, e: &reqwest::Error) -> ConnError {
    let mut chain = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        src = s.source();
    }
    if chain.contains("refused address") {
        let host = url.host_str().unwrap_or_default().to_string();
        return ConnError::RefusedPrivateAddress(host, "private".into(), None);
    }
    if e.is_timeout() {
        return ConnError::Timeout(format!("connecting to {url}"));
    }
    ConnError::Unreachable(format!("cannot reach {url}: {chain}"))
}

pub fn content_type(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// A 401/403 with its WWW-Authenticate challenge recorded (OAuth is never run).
pub fn auth_error(resp: &reqwest::Response) -> ConnError {
    let challenge = resp
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(", ");
    let info = AuthInfo {
        resource_metadata: resource_metadata(&challenge),
        www_authenticate: (!challenge.is_empty()).then_some(challenge),
    };
    ConnError::Auth(
        info,
        format!("HTTP {} from {}", resp.status().as_u16(), resp.url()),
    )
}

/// The `resource_metadata` parameter of a Bearer challenge.
pub fn resource_metadata(challenge: &str) -> Option<String> {
    let at =
        challenge.to_ascii_lowercase().find("resource_metadata=")? + "resource_metadata=".len();
    let rest = &challenge[at..];
    let v = match rest.strip_prefix('"') {
        Some(q) => q.split('"').next().unwrap_or(""),
        None => rest.split([',', ' ']).next().unwrap_or(""),
    };
    (!v.is_empty()).then(|| v.to_string())
}

/// A Streamable HTTP connection.
pub struct HttpConn {
    web: Web,
    url: Url,
    session: Option<String>,
    version: Option<String>,
    era: Era,
    next_id: u64,
    max_body: usize,
}

impl HttpConn {
    pub fn new(web: Web, url: Url, max_body: usize) -> HttpConn {
        HttpConn {
            web,
            url,
            session: None,
            version: None,
            era: Era::Legacy,
            next_id: 0,
            max_body,
        }
    }

    pub fn set_protocol(&mut self, version: &str, era: Era) {
        self.version = Some(version.to_string());
        self.era = era;
    }

    fn headers(&self, method: &str) -> Vec<(&'static str, String)> {
        let mut h = vec![
            ("accept", "application/json, text/event-stream".to_string()),
            ("content-type", "application/json".to_string()),
        ];
        if let Some(s) = &self.session {
            h.push(("mcp-session-id", s.clone()));
        }
        if let Some(v) = &self.version {
            h.push(("mcp-protocol-version", v.clone()));
        }
        if self.era == Era::Modern {
            h.push(("mcp-method", method.to_string()));
        }
        h
    }

    async fn post(
        &mut self,
        method: &str,
        msg: &Value,
        deadline: Instant,
    ) -> Result<reqwest::Response, ConnError> {
        let body = serde_json::to_vec(msg).expect("a Value serialises");
        let headers = self.headers(method);
        let (resp, final_url) = self
            .web
            .send(Method::POST, &self.url, &headers, Some(body), deadline)
            .await?;
        self.url = final_url;
        if let Some(sid) = resp
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
        {
            self.session = Some(sid.to_string());
        }
        Ok(resp)
    }

    pub async fn notify(
        &mut self,
        method: &str,
        params: Value,
        deadline: Instant,
        notes: &mut Notes,
    ) -> Result<(), ConnError> {
        let resp = self
            .post(method, &jsonrpc::notification(method, params), deadline)
            .await?;
        if !resp.status().is_success() {
            notes.once(
                AnomalyKind::NotificationRejected,
                format!("{method} got HTTP {}", resp.status().as_u16()),
            );
        }
        Ok(())
    }

    pub async fn request(
        &mut self,
        method: &str,
        params: Value,
        deadline: Instant,
        notes: &mut Notes,
    ) -> Result<Reply, ConnError> {
        self.next_id += 1;
        let id = self.next_id;
        let resp = self
            .post(method, &jsonrpc::request(id, method, params), deadline)
            .await?;
        let status = resp.status().as_u16();
        if status == 401 || status == 403 {
            return Err(auth_error(&resp));
        }
        let ct = content_type(&resp);
        if !resp.status().is_success() {
            let url = self.url.to_string();
            // A JSON-RPC error in a 4xx body is an answer (modern servers use 400).
            if let Ok(body) = Web::read_body(resp, deadline, 1 << 16).await {
                if let Some(reply) = find_reply(&body, id, notes) {
                    return Ok(reply);
                }
            }
            return Err(ConnError::HttpStatus { status, url });
        }
        if status == 202 {
            return Err(ConnError::Protocol(format!(
                "HTTP 202 with no answer to {method}"
            )));
        }
        if ct.starts_with("text/event-stream") {
            return self.read_stream(resp, id, method, deadline, notes).await;
        }
        let body = Web::read_body(resp, deadline, self.max_body).await?;
        let head = String::from_utf8_lossy(&body[..body.len().min(256)])
            .trim_start()
            .to_ascii_lowercase();
        if ct.contains("html") || head.starts_with("<!doctype") || head.starts_with("<html") {
            return Err(ConnError::NotMcp(format!(
                "{} served HTML ({ct}), not JSON-RPC",
                self.url
            )));
        }
        if serde_json::from_slice::<Value>(&body).is_err() {
            return Err(ConnError::NotMcp(format!(
                "{} answered {method} with a body that is not JSON ({ct})",
                self.url
            )));
        }
        match find_reply(&body, id, notes) {
            Some(r) => Ok(r),
            None if notes.jsonrpc_messages == 0 => Err(ConnError::NotMcp(format!(
                "{} answered JSON that is not JSON-RPC",
                self.url
            ))),
            None => Err(ConnError::Protocol(format!(
                "no answer to {method} in the response body"
            ))),
        }
    }

    async fn read_stream(
        &mut self,
        mut resp: reqwest::Response,
        id: u64,
        method: &str,
        deadline: Instant,
        notes: &mut Notes,
    ) -> Result<Reply, ConnError> {
        let mut parser = SseParser::new(self.max_body);
        let mut pending = VecDeque::new();
        loop {
            let Some(ev) =
                next_event(&mut resp, &mut parser, &mut pending, deadline, method).await?
            else {
                return Err(ConnError::Protocol(format!(
                    "event stream ended without an answer to {method}"
                )));
            };
            let got = jsonrpc::settle_message(&ev.data, id, notes);
            for answer in got.replies {
                let _ = self.post("", &answer, deadline).await;
            }
            if let Some(end) = got.end {
                return end.map_err(ConnError::Protocol);
            }
        }
    }

    /// DELETEs the session, if the server gave one.
    pub async fn close(&mut self, grace: Duration) {
        let Some(sid) = self.session.take() else {
            return;
        };
        let mut h = vec![("mcp-session-id", sid)];
        if let Some(v) = &self.version {
            h.push(("mcp-protocol-version", v.clone()));
        }
        let _ = self
            .web
            .send(Method::DELETE, &self.url, &h, None, Instant::now() + grace)
            .await;
    }
}

/// The answer to request `id` in a JSON body, if there is one.
fn find_reply(body: &[u8], id: u64, notes: &mut Notes) -> Option<Reply> {
    let v = serde_json::from_slice::<Value>(body).ok()?;
    for inc in jsonrpc::classify(v, notes) {
        if let Incoming::Response { id: rid, outcome } = inc {
            notes.jsonrpc_messages += 1;
            if rid.is_null() || jsonrpc::id_matches(&rid, id, notes) {
                return Some(outcome);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_metadata_is_read_from_the_challenge() {
        assert_eq!(
            resource_metadata(r#"Bearer realm="x", resource_metadata="https://a.example/.well-known/oauth-protected-resource""#).as_deref(),
            Some("https://a.example/.well-known/oauth-protected-resource")
        );
        assert_eq!(
            resource_metadata("Bearer resource_metadata=https://b/x, scope=y").as_deref(),
            Some("https://b/x")
        );
        assert_eq!(resource_metadata("Basic realm=\"x\""), None);
    }
}
