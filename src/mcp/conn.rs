//! One connection to a server, whatever the transport, and what can go wrong
//! with it. The session logic (`session.rs`) only sees [`Conn`].

use std::time::Duration;

use serde_json::Value;
use thiserror::Error;
use tokio::time::Instant;

use super::http::HttpConn;
use super::jsonrpc::{Notes, RpcError};
use super::sse::SseConn;
use super::stdio::StdioConn;
use super::{AuthInfo, Era, Status};

/// A transport failure (as opposed to a JSON-RPC error answer).
#[derive(Debug, Error)]
pub enum ConnError {
    #[error("no answer to {0} in time")]
    Timeout(String),
    #[error("{0}")]
    Closed(String),
    #[error("output exceeded the {0}-byte cap")]
    TooMuchOutput(usize),
    #[error("{0}")]
    NotMcp(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("authorization required: {1}")]
    Auth(AuthInfo, String),
    #[error("refused: {0} is a {1} address{ip} (use --allow-private to allow it)", ip = .2.map(|i| format!(" ({i})")).unwrap_or_default())]
    RefusedPrivateAddress(String, String, Option<std::net::IpAddr>),
    #[error("HTTP {status} from {url}")]
    HttpStatus { status: u16, url: String },
    #[error("{0}")]
    Protocol(String),
}

impl ConnError {
    pub fn status(&self) -> Status {
        match self {
            ConnError::Timeout(_) => Status::Timeout,
            ConnError::Closed(_) => Status::Crashed,
            ConnError::TooMuchOutput(_) | ConnError::Protocol(_) => Status::ProtocolError,
            ConnError::NotMcp(_) => Status::NotMcp,
            ConnError::Unreachable(_) => Status::Unreachable,
            ConnError::Auth(..) => Status::AuthRequired,
            ConnError::RefusedPrivateAddress(..) => Status::RefusedPrivateAddress,
            ConnError::HttpStatus { status, .. } => match status {
                401 | 403 => Status::AuthRequired,
                404 | 405 | 406 | 415 => Status::NotMcp,
                502..=504 => Status::Unreachable,
                _ => Status::ProtocolError,
            },
        }
    }
}

/// The answer to one request: a result, or the server's JSON-RPC error.
pub type Reply = Result<Value, RpcError>;

/// A live connection. An enum rather than a trait object: three transports,
/// all async, no boxing.
pub enum Conn {
    Stdio(Box<StdioConn>),
    Http(Box<HttpConn>),
    Sse(Box<SseConn>),
}

impl Conn {
    pub async fn request(
        &mut self,
        method: &str,
        params: Value,
        deadline: Instant,
        notes: &mut Notes,
    ) -> Result<Reply, ConnError> {
        match self {
            Conn::Stdio(c) => c.request(method, params, deadline, notes).await,
            Conn::Http(c) => c.request(method, params, deadline, notes).await,
            Conn::Sse(c) => c.request(method, params, deadline, notes).await,
        }
    }

    pub async fn notify(
        &mut self,
        method: &str,
        params: Value,
        deadline: Instant,
        notes: &mut Notes,
    ) -> Result<(), ConnError> {
        match self {
            Conn::Stdio(c) => c.notify(method, params, deadline).await,
            Conn::Http(c) => c.notify(method, params, deadline, notes).await,
            Conn::Sse(c) => c.notify(method, params, deadline, notes).await,
        }
    }

    /// Tells HTTP transports which version (and era) to put in headers.
    pub fn set_protocol(&mut self, version: &str, era: Era) {
        if let Conn::Http(c) = self {
            c.set_protocol(version, era);
        }
    }

    /// A launched server that ran into its memory or task limit: why.
    pub fn limit_hit(&self) -> Option<String> {
        match self {
            Conn::Stdio(c) => c.limit_hit(),
            _ => None,
        }
    }

    /// Ends the connection: kills the process group, DELETEs the session.
    pub async fn close(&mut self, grace: Duration) {
        match self {
            Conn::Stdio(c) => c.close().await,
            Conn::Http(c) => c.close(grace).await,
            Conn::Sse(_) => {}
        }
    }
}
