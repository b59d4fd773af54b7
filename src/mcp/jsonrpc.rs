//! JSON-RPC framing shared by every transport: building our requests, sorting
//! what a server sends (responses, server requests, notifications, noise) and
//! recording what was odd about it as [`Anomaly`] data.
//!
//! Tolerance is the point: a missing `"jsonrpc"`, an id echoed as a string or
//! a batch array are accepted (and noted), never fatal.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::{Anomaly, AnomalyKind};

/// The legacy (initialize-based) version we ask for first.
pub const LEGACY_VERSION: &str = "2025-11-25";
/// The modern (per-request `_meta`) version we speak.
pub const MODERN_VERSION: &str = "2026-07-28";
/// `UnsupportedProtocolVersionError` in the 2026-07-28 schema.
pub const UNSUPPORTED_VERSION: i64 = -32022;
/// JSON-RPC "method not found": our answer to every server request but ping.
pub const METHOD_NOT_FOUND: i64 = -32601;

/// A JSON-RPC error object, read leniently (a missing code becomes 0).
#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    fn from_value(v: &Value) -> RpcError {
        match v {
            Value::Object(m) => RpcError {
                code: m.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: match m.get("message") {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                },
                data: m.get("data").cloned(),
            },
            other => RpcError {
                code: 0,
                message: other.to_string(),
                data: None,
            },
        }
    }

    /// Versions the server says it supports (`data.supported`), if any.
    pub fn supported_versions(&self) -> Vec<String> {
        strings(self.data.as_ref().and_then(|d| d.get("supported")))
    }

    /// True when the error says, one way or another, "speak the 2026 protocol".
    pub fn looks_modern(&self) -> bool {
        let text = format!(
            "{} {}",
            self.message,
            self.data.as_ref().map(Value::to_string).unwrap_or_default()
        );
        self.code == UNSUPPORTED_VERSION
            || self
                .supported_versions()
                .iter()
                .any(|v| is_modern_version(v))
            || text.contains(MODERN_VERSION)
            || text.contains("server/discover")
    }
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JSON-RPC error {}: {}", self.code, self.message)
    }
}

/// Protocol versions are dates; the modern era starts at 2026-07-28.
pub fn is_modern_version(v: &str) -> bool {
    v >= MODERN_VERSION && v.len() == MODERN_VERSION.len()
}

/// One message a server sent, sorted by what we must do with it.
#[derive(Debug)]
pub enum Incoming {
    Response {
        id: Value,
        outcome: Result<Value, RpcError>,
    },
    /// A server-to-client request: must be answered (we answer -32601).
    Request { id: Value, method: String },
    /// A notification: ignored.
    Notification,
    /// JSON that is not JSON-RPC at all.
    Other,
}

/// Builds one of our requests.
pub fn request(id: u64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// Builds one of our notifications.
pub fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

/// Our answer to a server request: `ping` gets `{}`, everything else -32601
/// (we never sample, elicit or expose roots).
pub fn answer_server_request(id: &Value, method: &str) -> Value {
    if method == "ping" {
        json!({"jsonrpc": "2.0", "id": id, "result": {}})
    } else {
        json!({"jsonrpc": "2.0", "id": id, "error": {"code": METHOD_NOT_FOUND,
            "message": format!("mcp-risk does not serve {method}")}})
    }
}

/// The `_meta` a modern request carries.
pub fn modern_meta(version: &str) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": client_info(),
    })
}

/// Who we say we are.
pub fn client_info() -> Value {
    json!({"name": "mcp-risk", "version": env!("CARGO_PKG_VERSION")})
}

/// Does a response id answer our request `want`? Accepts `7` and `"7"`.
pub fn id_matches(id: &Value, want: u64, notes: &mut Notes) -> bool {
    match id {
        Value::Number(n) => n.as_u64() == Some(want),
        Value::String(s) if s.trim() == want.to_string() => {
            notes.once(
                AnomalyKind::StringId,
                format!("response id echoed as a string ({s:?})"),
            );
            true
        }
        _ => false,
    }
}

/// What one message from the server means to a client waiting for the
/// answer to request `want`.
#[derive(Debug)]
pub enum Step {
    /// The answer we were waiting for.
    Answer(Result<Value, RpcError>),
    /// A server-to-client request: send this -32601 reply and keep waiting.
    Reply(Value),
    /// The answer came but cannot be read (why): waiting longer is pointless.
    Unreadable(String),
}

/// Does this text (a whole message, or the start or end of a dropped one)
/// carry `"id": want` (or `"id": "want"`)? A cheap scan, no parsing: used
/// only on text serde_json could not read.
pub fn mentions_id(text: &[u8], want: u64) -> bool {
    let want = want.to_string();
    let mut rest = text;
    while let Some(i) = rest.windows(4).position(|w| w == b"\"id\"") {
        rest = &rest[i + 4..];
        let mut t = rest;
        let skip_ws = |t: &mut &[u8]| {
            while let [b' ' | b'\t' | b'\r' | b'\n', tail @ ..] = *t {
                *t = tail;
            }
        };
        skip_ws(&mut t);
        let Some(tail) = t.strip_prefix(b":") else {
            continue;
        };
        t = tail;
        skip_ws(&mut t);
        let quoted = t.first() == Some(&b'"');
        if quoted {
            t = &t[1..];
        }
        let Some(tail) = t.strip_prefix(want.as_bytes()) else {
            continue;
        };
        let end = if quoted { b'"' } else { b',' };
        match tail.first() {
            None => return true,
            Some(&c) if c == end || (!quoted && matches!(c, b'}' | b' ' | b'\n' | b'\r')) => {
                return true
            }
            _ => {}
        }
    }
    false
}

/// Reads one message text (a stdio line or an SSE event's data) the same way
/// on every transport: non-JSON and non-JSON-RPC text is noted, a response
/// to another id is noted, server requests get a -32601 reply, notifications
/// are counted and ignored. Returns the steps in the order they arrived.
pub fn read_message(text: &str, want: u64, notes: &mut Notes) -> Vec<Step> {
    let v = match serde_json::from_str::<Value>(text) {
        Ok(v) => v,
        // Our answer, unreadable (a lone surrogate, nesting past serde's
        // limit): say so now rather than wait for the deadline.
        Err(e) if text.starts_with(['{', '[']) && mentions_id(text.as_bytes(), want) => {
            return vec![Step::Unreadable(format!(
                "the answer ({} bytes) is not readable JSON: {e}",
                text.len()
            ))];
        }
        Err(_) => {
            notes.non_json(text);
            return Vec::new();
        }
    };
    let mut steps = Vec::new();
    for inc in classify(v, notes) {
        match inc {
            Incoming::Response { id, outcome } => {
                notes.jsonrpc_messages += 1;
                if id_matches(&id, want, notes) {
                    steps.push(Step::Answer(outcome));
                } else {
                    notes.once(
                        AnomalyKind::UnexpectedResponse,
                        format!("response with id {id} that matches no request"),
                    );
                }
            }
            Incoming::Request { id, method } => {
                notes.jsonrpc_messages += 1;
                notes.once(
                    AnomalyKind::ServerRequest,
                    format!("server sent request {method:?} before answering; answered -32601"),
                );
                steps.push(Step::Reply(answer_server_request(&id, &method)));
            }
            Incoming::Notification => notes.jsonrpc_messages += 1,
            Incoming::Other => notes.non_rpc_json(text),
        }
    }
    steps
}

/// What the steps of one message leave a waiting client to do, the same on
/// every transport: send `replies` (in order), then return `end` if it came:
/// the answer, or why it cannot be read. Steps after the end are dropped.
pub struct Settled {
    pub replies: Vec<Value>,
    pub end: Option<Result<Result<Value, RpcError>, String>>,
}

/// [`read_message`], settled.
pub fn settle_message(text: &str, want: u64, notes: &mut Notes) -> Settled {
    let mut replies = Vec::new();
    for step in read_message(text, want, notes) {
        let end = match step {
            Step::Reply(answer) => {
                replies.push(answer);
                continue;
            }
            Step::Answer(outcome) => Ok(outcome),
            Step::Unreadable(why) => Err(why),
        };
        return Settled {
            replies,
            end: Some(end),
        };
    }
    Settled { replies, end: None }
}

/// Sorts one parsed JSON value (a message or a batch) into [`Incoming`]s.
pub fn classify(v: Value, notes: &mut Notes) -> Vec<Incoming> {
    match v {
        Value::Array(items) => {
            notes.once(
                AnomalyKind::Batch,
                "server sent a JSON-RPC batch array".to_string(),
            );
            items.into_iter().map(|m| classify_one(m, notes)).collect()
        }
        other => vec![classify_one(other, notes)],
    }
}

fn classify_one(v: Value, notes: &mut Notes) -> Incoming {
    let Value::Object(mut m) = v else {
        return Incoming::Other;
    };
    // JSON with none of a message's members (a log record, an
    // OpenTelemetry preamble) is not a message missing its "jsonrpc".
    if !["method", "result", "error"]
        .iter()
        .any(|k| m.contains_key(*k))
    {
        return Incoming::Other;
    }
    match m.get("jsonrpc") {
        Some(Value::String(s)) if s == "2.0" => {}
        Some(other) => notes.once(
            AnomalyKind::BadJsonrpcVersion,
            format!("\"jsonrpc\" is {other}, not \"2.0\""),
        ),
        None => notes.once(
            AnomalyKind::MissingJsonrpc,
            "messages lack \"jsonrpc\": \"2.0\"".into(),
        ),
    }
    let id = m.remove("id").filter(|i| !i.is_null());
    if let Some(method) = m.get("method") {
        let method = method.as_str().unwrap_or("").to_string();
        return match id {
            Some(id) => Incoming::Request { id, method },
            None => Incoming::Notification,
        };
    }
    let id = id.unwrap_or(Value::Null);
    if let Some(err) = m.get("error").filter(|e| !e.is_null()) {
        return Incoming::Response {
            id,
            outcome: Err(RpcError::from_value(err)),
        };
    }
    if let Some(result) = m.remove("result") {
        return Incoming::Response {
            id,
            outcome: Ok(result),
        };
    }
    Incoming::Other
}

/// Anomalies gathered during one probe, plus counters summarised at the end.
#[derive(Debug, Default)]
pub struct Notes {
    anomalies: Vec<Anomaly>,
    once: BTreeSet<AnomalyKind>,
    /// Lines that were not JSON (banners, logs on stdout).
    non_json: Skipped,
    /// JSON that was no JSON-RPC message (structured logs).
    non_rpc: Skipped,
    /// Messages that parsed as JSON-RPC (tells not_mcp from crashed).
    pub jsonrpc_messages: usize,
    /// A line or body over the size cap was dropped.
    pub oversized: usize,
}

impl Notes {
    /// Records an anomaly.
    pub fn push(&mut self, tool: Option<String>, kind: AnomalyKind, detail: impl Into<String>) {
        self.anomalies.push(Anomaly {
            tool,
            kind,
            detail: detail.into(),
        });
    }

    /// Records an anomaly of this kind only the first time.
    pub fn once(&mut self, kind: AnomalyKind, detail: String) {
        if self.once.insert(kind.clone()) {
            self.push(None, kind, detail);
        }
    }

    /// Counts a line that is not JSON (banners, logs on stdout).
    pub fn non_json(&mut self, line: &str) {
        self.non_json.add(line);
    }

    /// Counts JSON that is not a JSON-RPC message (structured logs).
    pub fn non_rpc_json(&mut self, text: &str) {
        self.non_rpc.add(text);
    }

    /// Lines of output that were not JSON-RPC, JSON or not.
    pub fn non_json_lines(&self) -> usize {
        self.non_json.count + self.non_rpc.count
    }

    /// The anomalies in the order they were noted, then the skipped-line
    /// counters folded in (non-JSON, then non-JSON-RPC).
    pub fn finish(mut self) -> Vec<Anomaly> {
        let skipped = [
            (self.non_json, AnomalyKind::NonJsonLine, "not JSON"),
            (
                self.non_rpc,
                AnomalyKind::NonJsonrpcLine,
                "JSON but not JSON-RPC messages",
            ),
        ];
        for (lines, kind, what) in skipped {
            if let Some(first) = lines.first {
                self.anomalies.push(Anomaly {
                    tool: None,
                    kind,
                    detail: format!(
                        "{} line(s) of output were {what} and were skipped (first: {first:?})",
                        lines.count
                    ),
                });
            }
        }
        self.anomalies
    }
}

/// Output lines passed over: how many, and the start of the first.
#[derive(Debug, Default)]
struct Skipped {
    count: usize,
    first: Option<String>,
}

impl Skipped {
    fn add(&mut self, text: &str) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(text.chars().take(120).collect());
        }
    }
}

/// The strings of a JSON array (a list of protocol versions): none for
/// anything but an array, and its non-strings passed over.
pub fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_messages_and_tolerates_missing_jsonrpc() {
        let mut n = Notes::default();
        let got = classify(json!({"id": "3", "result": {"a": 1}}), &mut n);
        let Incoming::Response { id, outcome } = &got[0] else {
            panic!("not a response: {got:?}")
        };
        assert!(id_matches(id, 3, &mut n));
        assert_eq!(outcome.as_ref().unwrap()["a"], 1);
        let kinds: Vec<_> = n.finish().into_iter().map(|a| a.kind).collect();
        assert_eq!(kinds, ["missing-jsonrpc", "string-id"]);
    }

    /// A batch array is read item by item and noted once as `batch`, a kind
    /// the store knows by name (it was a bare string missing from
    /// `AnomalyKind`, which failed a debug assertion on the first batch).
    #[test]
    fn a_batch_is_read_and_noted_once() {
        let mut n = Notes::default();
        let batch = r#"[{"jsonrpc":"2.0","method":"notifications/message"},{"jsonrpc":"2.0","id":2,"result":{"ok":true}}]"#;
        let steps = read_message(batch, 2, &mut n);
        assert!(matches!(&steps[..], [Step::Answer(Ok(v))] if v["ok"] == true));
        read_message(batch, 3, &mut n);
        let kinds: Vec<_> = n.finish().into_iter().map(|a| a.kind).collect();
        assert_eq!(kinds, [AnomalyKind::Batch, AnomalyKind::UnexpectedResponse]);
    }

    /// Skipped output is folded into one anomaly per kind at the end, naming
    /// how many lines and the first.
    #[test]
    fn skipped_lines_are_counted_with_the_first() {
        let mut n = Notes::default();
        n.non_json("banner");
        n.non_json("more");
        n.non_rpc_json(r#"{"a":1}"#);
        assert_eq!(n.non_json_lines(), 3);
        let got: Vec<_> = n.finish().into_iter().map(|a| (a.kind, a.detail)).collect();
        assert_eq!(
            got,
            [
                (
                    AnomalyKind::NonJsonLine,
                    r#"2 line(s) of output were not JSON and were skipped (first: "banner")"#.to_owned()
                ),
                (
                    AnomalyKind::NonJsonrpcLine,
                    r#"1 line(s) of output were JSON but not JSON-RPC messages and were skipped (first: "{\"a\":1}")"#.to_owned()
                ),
            ]
        );
    }

    #[test]
    fn json_that_is_no_message_is_not_a_message_missing_jsonrpc() {
        let mut n = Notes::default();
        let line = r#"{"resource":{"service.name":"x"},"scopeSpans":[]}"#;
        assert!(read_message(line, 1, &mut n).is_empty());
        assert_eq!(n.non_json_lines(), 1);
        let got: Vec<_> = n.finish().into_iter().map(|a| a.kind).collect();
        assert_eq!(got, ["non-jsonrpc-line"]);
    }

    #[test]
    fn an_unreadable_answer_is_reported_at_once() {
        let mut n = Notes::default();
        let line = r#"{"jsonrpc":"2.0","id":4,"result":{"tools":[{"name":"\ud800"}]}}"#;
        assert!(matches!(
            read_message(line, 4, &mut n)[..],
            [Step::Unreadable(_)]
        ));
        // Someone else's id, or junk: skipped as before.
        assert!(read_message(line, 5, &mut n).is_empty());
        assert!(mentions_id(br#"..."id": "7"}"#, 7));
        assert!(mentions_id(br#"{"id":12,"#, 12));
        assert!(!mentions_id(br#"{"id":123,"#, 12));
        assert!(!mentions_id(b"xxxx", 1));
    }

    #[test]
    fn server_requests_get_method_not_found_but_ping_is_answered() {
        let a = answer_server_request(&json!(5), "roots/list");
        assert_eq!(a["error"]["code"], METHOD_NOT_FOUND);
        let p = answer_server_request(&json!("p"), "ping");
        assert_eq!(p["result"], json!({}));
    }

    #[test]
    fn modern_errors_are_recognised() {
        let e = RpcError {
            code: -32600,
            message: "bad".into(),
            data: Some(json!({"supported": ["2026-07-28"]})),
        };
        assert!(e.looks_modern());
        let legacy = RpcError {
            code: -32603,
            message: "internal".into(),
            data: None,
        };
        assert!(!legacy.looks_modern());
    }
}
