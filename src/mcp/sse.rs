//! Server-sent events: the parser (used by Streamable HTTP responses too) and
//! the legacy HTTP+SSE transport (2024-11-05): GET the stream, wait for the
//! `endpoint` event, POST messages there, read answers from the stream.
//! The endpoint must be on the stream's origin: a server cannot redirect our
//! traffic elsewhere.

use std::collections::VecDeque;

use reqwest::Method;
use serde_json::Value;
use tokio::time::{timeout_at, Instant};
use url::Url;

use super::conn::{ConnError, Reply};
use super::http::{auth_error, Web};
use super::jsonrpc::{self, Incoming, Notes};
use super::AnomalyKind;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub event: String,
    pub data: String,
}

/// An incremental `text/event-stream` parser with a size cap per event.
#[derive(Debug)]
pub struct SseParser {
    buf: Vec<u8>,
    event: String,
    data: String,
    max: usize,
}

impl SseParser {
    pub fn new(max: usize) -> SseParser {
        SseParser {
            buf: Vec::new(),
            event: String::new(),
            data: String::new(),
            max,
        }
    }

    /// Feeds bytes; complete events go to `out`. Errs when one event exceeds the cap.
    pub fn feed(&mut self, chunk: &[u8], out: &mut VecDeque<Event>) -> Result<(), ConnError> {
        self.buf.extend_from_slice(chunk);
        while let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
            let mut line: Vec<u8> = self.buf.drain(..=i).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            self.line(&String::from_utf8_lossy(&line), out);
        }
        if self.buf.len() + self.data.len() > self.max {
            return Err(ConnError::TooMuchOutput(self.max));
        }
        Ok(())
    }

    fn line(&mut self, line: &str, out: &mut VecDeque<Event>) {
        if line.is_empty() {
            if !self.data.is_empty() || !self.event.is_empty() {
                if self.data.ends_with('\n') {
                    self.data.pop();
                }
                out.push_back(Event {
                    event: std::mem::take(&mut self.event),
                    data: std::mem::take(&mut self.data),
                });
            }
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "event" => self.event = value.to_string(),
            _ => {}
        }
    }
}

/// Reads the next event from a response body.
pub async fn next_event(
    resp: &mut reqwest::Response,
    parser: &mut SseParser,
    pending: &mut VecDeque<Event>,
    deadline: Instant,
    what: &str,
) -> Result<Option<Event>, ConnError> {
    loop {
        if let Some(e) = pending.pop_front() {
            return Ok(Some(e));
        }
        match timeout_at(deadline, resp.chunk()).await {
            Err(_) => return Err(ConnError::Timeout(what.to_string())),
            Ok(Err(e)) => return Err(ConnError::Closed(format!("event stream failed: {e}"))),
            Ok(Ok(None)) => return Ok(None),
            Ok(Ok(Some(bytes))) => parser.feed(&bytes, pending)?,
        }
    }
}

/// A legacy HTTP+SSE connection.
pub struct SseConn {
    web: Web,
    endpoint: Url,
    stream: reqwest::Response,
    parser: SseParser,
    pending: VecDeque<Event>,
    next_id: u64,
}

/// A response with a success status; a 401 or 403 is the server asking for
/// credentials, any other failure an HTTP status error naming `url`.
fn accepted(resp: reqwest::Response, url: &Url) -> Result<reqwest::Response, ConnError> {
    let status = resp.status().as_u16();
    if status == 401 || status == 403 {
        return Err(auth_error(&resp));
    }
    if !resp.status().is_success() {
        return Err(ConnError::HttpStatus {
            status,
            url: url.to_string(),
        });
    }
    Ok(resp)
}

impl SseConn {
    /// Opens the stream and waits for the `endpoint` event.
    pub async fn connect(
        web: Web,
        url: &Url,
        deadline: Instant,
        max: usize,
    ) -> Result<SseConn, ConnError> {
        let (stream, final_url) = web
            .send(
                Method::GET,
                url,
                &[("accept", "text/event-stream".into())],
                None,
                deadline,
            )
            .await?;
        let mut stream = accepted(stream, &final_url)?;
        let ct = super::http::content_type(&stream);
        if !ct.starts_with("text/event-stream") {
            return Err(ConnError::NotMcp(format!(
                "GET {final_url} answered {ct:?}, not an event stream"
            )));
        }
        let mut parser = SseParser::new(max);
        let mut pending = VecDeque::new();
        let endpoint = loop {
            match next_event(
                &mut stream,
                &mut parser,
                &mut pending,
                deadline,
                "the endpoint event",
            )
            .await?
            {
                None => {
                    return Err(ConnError::Protocol(
                        "event stream ended before an endpoint event".into(),
                    ))
                }
                Some(e) if e.event == "endpoint" => break e.data,
                Some(_) => {}
            }
        };
        let endpoint = final_url
            .join(endpoint.trim())
            .map_err(|e| ConnError::Protocol(format!("bad endpoint {endpoint:?}: {e}")))?;
        if endpoint.origin() != final_url.origin() {
            return Err(ConnError::Protocol(format!(
                "endpoint {endpoint} is on another origin than {final_url}; refused"
            )));
        }
        Ok(SseConn {
            web,
            endpoint,
            stream,
            parser,
            pending,
            next_id: 0,
        })
    }

    async fn post(
        &mut self,
        msg: &Value,
        deadline: Instant,
    ) -> Result<reqwest::Response, ConnError> {
        let body = serde_json::to_vec(msg).expect("a Value serialises");
        let (resp, _) = self
            .web
            .send(
                Method::POST,
                &self.endpoint,
                &[("content-type", "application/json".into())],
                Some(body),
                deadline,
            )
            .await?;
        accepted(resp, &self.endpoint)
    }

    pub async fn notify(
        &mut self,
        method: &str,
        params: Value,
        deadline: Instant,
        notes: &mut Notes,
    ) -> Result<(), ConnError> {
        if let Err(e) = self
            .post(&jsonrpc::notification(method, params), deadline)
            .await
        {
            notes.once(AnomalyKind::NotificationRejected, format!("{method}: {e}"));
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
            .post(&jsonrpc::request(id, method, params), deadline)
            .await?;
        // Some servers answer in the POST body too.
        if let Ok(body) = Web::read_body(resp, deadline, 1 << 20).await {
            if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                for inc in jsonrpc::classify(v, notes) {
                    if let Incoming::Response { id: rid, outcome } = inc {
                        if jsonrpc::id_matches(&rid, id, notes) {
                            return Ok(outcome);
                        }
                    }
                }
            }
        }
        loop {
            let Some(ev) = next_event(
                &mut self.stream,
                &mut self.parser,
                &mut self.pending,
                deadline,
                method,
            )
            .await?
            else {
                return Err(ConnError::Closed(format!(
                    "event stream ended before the answer to {method}"
                )));
            };
            if !(ev.event.is_empty() || ev.event == "message") {
                continue;
            }
            let got = jsonrpc::settle_message(&ev.data, id, notes);
            for answer in got.replies {
                let _ = self.post(&answer, deadline).await;
            }
            if let Some(end) = got.end {
                return end.map_err(ConnError::Protocol);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_and_crlf() {
        let mut p = SseParser::new(1 << 10);
        let mut out = VecDeque::new();
        p.feed(b"event: endpoint\r\ndata: /mess", &mut out).unwrap();
        assert!(out.is_empty());
        p.feed(
            b"ages?s=1\r\n\r\n: comment\n\ndata: {\"a\":\ndata: 1}\n\n",
            &mut out,
        )
        .unwrap();
        assert_eq!(
            out[0],
            Event {
                event: "endpoint".into(),
                data: "/messages?s=1".into()
            }
        );
        assert_eq!(out[1].data, "{\"a\":\n1}");
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn oversized_events_are_refused() {
        let mut p = SseParser::new(16);
        let mut out = VecDeque::new();
        assert!(p.feed(&[b'x'; 64], &mut out).is_err());
    }
}
