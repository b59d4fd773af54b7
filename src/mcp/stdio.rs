//! The stdio transport: newline-delimited JSON-RPC over a launched process's
//! stdin/stdout, read with a per-line and a total byte cap, with stderr
//! drained continuously into a bounded tail (a server blocked on a full stderr
//! pipe would otherwise look like a stall).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::pipe::{Receiver as ChildStdout, Sender as ChildStdin};
use tokio::task::JoinHandle;
use tokio::time::{timeout_at, Instant};

use super::conn::{ConnError, Reply};
use super::jsonrpc::{self, Notes};
use super::AnomalyKind;
use crate::sandbox::Spawned;

/// The last bytes a process wrote to stderr.
#[derive(Debug, Default)]
pub struct Tail {
    buf: Vec<u8>,
    cap: usize,
    /// Bytes seen in all, kept or not.
    pub total: usize,
}

impl Tail {
    pub fn new(cap: usize) -> Tail {
        Tail {
            buf: Vec::new(),
            cap,
            total: 0,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len();
        self.buf.extend_from_slice(bytes);
        if self.buf.len() > self.cap.saturating_mul(2).max(1024) {
            let cut = self.buf.len() - self.cap;
            self.buf.drain(..cut);
        }
    }

    pub fn text(&self) -> String {
        let start = self.buf.len().saturating_sub(self.cap);
        String::from_utf8_lossy(&self.buf[start..]).into_owned()
    }
}

/// One line read under the caps.
#[derive(Debug)]
pub enum Line {
    Text(Vec<u8>),
    /// A line longer than the cap, discarded: its length in bytes, and its
    /// first and last bytes (up to [`KEPT`] each), enough to tell whose
    /// answer it was.
    Oversized(usize, Vec<u8>, Vec<u8>),
    TotalCap,
    Eof,
}

/// Bytes kept from each end of a dropped line.
pub const KEPT: usize = 256;

/// Reads newline-terminated lines without ever holding more than `max_line`
/// bytes of one line, and stops after `max_total` bytes in all.
pub struct LineReader<R> {
    inner: BufReader<R>,
    max_line: usize,
    max_total: usize,
    total: usize,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub fn new(inner: R, max_line: usize, max_total: usize) -> Self {
        LineReader {
            inner: BufReader::with_capacity(64 * 1024, inner),
            max_line,
            max_total,
            total: 0,
        }
    }

    pub async fn next(&mut self) -> std::io::Result<Line> {
        let mut buf = Vec::new();
        let mut len = 0usize;
        let mut oversized = false;
        let mut tail: Vec<u8> = Vec::new();
        let mut any = false;
        loop {
            let avail = self.inner.fill_buf().await?;
            if avail.is_empty() {
                if !any {
                    return Ok(Line::Eof);
                }
                break;
            }
            any = true;
            let (chunk_len, used, found) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i, i + 1, true),
                None => (avail.len(), avail.len(), false),
            };
            len += chunk_len;
            if !oversized {
                if buf.len() + chunk_len > self.max_line {
                    oversized = true;
                    buf.truncate(KEPT);
                    if buf.len() < KEPT {
                        let more = (KEPT - buf.len()).min(chunk_len);
                        buf.extend_from_slice(&avail[..more]);
                    }
                    buf.shrink_to_fit();
                } else {
                    buf.extend_from_slice(&avail[..chunk_len]);
                }
            }
            if oversized {
                tail.extend_from_slice(&avail[chunk_len.saturating_sub(KEPT)..chunk_len]);
                if tail.len() > 2 * KEPT {
                    tail.drain(..tail.len() - KEPT);
                }
            }
            self.inner.consume(used);
            self.total += used;
            if self.total > self.max_total {
                return Ok(Line::TotalCap);
            }
            if found {
                break;
            }
        }
        Ok(if oversized {
            let cut = tail.len().saturating_sub(KEPT);
            tail.drain(..cut);
            Line::Oversized(len, buf, tail)
        } else {
            Line::Text(buf)
        })
    }
}

/// A running stdio server.
pub struct StdioConn {
    proc: Spawned,
    stdin: Option<ChildStdin>,
    stdout: LineReader<ChildStdout>,
    stderr: Arc<Mutex<Tail>>,
    stderr_task: Option<JoinHandle<()>>,
    next_id: u64,
    max_total: usize,
}

impl StdioConn {
    /// Takes over a launched process; `stderr` receives its stderr tail.
    /// Fails only when the runtime cannot watch the pipes.
    pub fn new(
        mut proc: Spawned,
        stderr: Arc<Mutex<Tail>>,
        max_line: usize,
        max_total: usize,
    ) -> std::io::Result<StdioConn> {
        let stdin = proc
            .proc
            .stdin
            .take()
            .map(ChildStdin::from_owned_fd)
            .transpose()?;
        let stdout = proc
            .proc
            .stdout
            .take()
            .map(ChildStdout::from_owned_fd)
            .transpose()?;
        let stdout = stdout.ok_or_else(|| std::io::Error::other("stdout is not piped"))?;
        let err = proc
            .proc
            .stderr
            .take()
            .map(ChildStdout::from_owned_fd)
            .transpose()?;
        let stderr_task = err.map(|mut err| {
            let tail = stderr.clone();
            tokio::spawn(async move {
                let mut chunk = vec![0u8; 16 * 1024];
                while let Ok(n) = err.read(&mut chunk).await {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut t) = tail.lock() {
                        t.push(&chunk[..n]);
                    }
                }
            })
        });
        Ok(StdioConn {
            proc,
            stdin,
            stdout: LineReader::new(stdout, max_line, max_total),
            stderr,
            stderr_task,
            next_id: 0,
            max_total,
        })
    }

    async fn send(&mut self, msg: &Value, deadline: Instant, what: &str) -> Result<(), ConnError> {
        let mut line = serde_json::to_vec(msg).expect("a Value serialises");
        line.push(b'\n');
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(ConnError::Closed("stdin already closed".into()));
        };
        match timeout_at(deadline, stdin.write_all(&line)).await {
            Err(_) => Err(ConnError::Timeout(format!(
                "{what} (server not reading stdin)"
            ))),
            // A closed pipe means the process is gone: reading stdout tells why.
            Ok(Err(_)) => Ok(()),
            Ok(Ok(())) => {
                let _ = timeout_at(deadline, stdin.flush()).await;
                Ok(())
            }
        }
    }

    pub async fn notify(
        &mut self,
        method: &str,
        params: Value,
        deadline: Instant,
    ) -> Result<(), ConnError> {
        self.send(&jsonrpc::notification(method, params), deadline, method)
            .await
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
        self.send(&jsonrpc::request(id, method, params), deadline, method)
            .await?;
        loop {
            let line = match timeout_at(deadline, self.stdout.next()).await {
                Err(_) => return Err(ConnError::Timeout(method.to_string())),
                Ok(Err(e)) => return Err(ConnError::Closed(format!("reading stdout failed: {e}"))),
                Ok(Ok(l)) => l,
            };
            let bytes = match line {
                Line::Eof => return Err(self.exited(method).await),
                Line::TotalCap => return Err(ConnError::TooMuchOutput(self.max_total)),
                Line::Oversized(n, head, tail) => {
                    notes.oversized += 1;
                    notes.push(
                        None,
                        AnomalyKind::OversizedLine,
                        format!("a {n}-byte stdout line exceeded the line cap and was dropped"),
                    );
                    // Our answer, dropped: no use waiting for the deadline.
                    if head.starts_with(b"{")
                        && (jsonrpc::mentions_id(&head, id) || jsonrpc::mentions_id(&tail, id))
                    {
                        return Err(ConnError::Protocol(format!(
                            "the answer to {method} was a {n}-byte line, over the {}-byte line cap; dropped",
                            self.stdout.max_line
                        )));
                    }
                    continue;
                }
                Line::Text(b) => b,
            };
            let text = String::from_utf8_lossy(&bytes);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let got = jsonrpc::settle_message(text, id, notes);
            for answer in got.replies {
                self.send(&answer, deadline, method).await?;
            }
            if let Some(end) = got.end {
                return end.map_err(|why| ConnError::Protocol(format!("{method}: {why}")));
            }
        }
    }

    /// stdout ended: wait a moment for the exit status and stderr.
    async fn exited(&mut self, method: &str) -> ConnError {
        let status = tokio::time::timeout(Duration::from_millis(500), self.proc.proc.wait()).await;
        self.finish_stderr(Duration::from_millis(200)).await;
        let how = match status {
            Ok(Ok(s)) => match s.code() {
                Some(c) => format!("exited with code {c}"),
                None => format!("was killed ({s})"),
            },
            _ => "closed its stdout".to_string(),
        };
        ConnError::Closed(format!("the server {how} before answering {method}"))
    }

    /// Kills the process group and reaps the child.
    pub async fn close(&mut self) {
        self.stdin = None;
        self.proc.kill_group();
        let _ = tokio::time::timeout(Duration::from_secs(2), self.proc.proc.wait()).await;
        self.finish_stderr(Duration::from_millis(100)).await;
    }

    /// Lets the stderr drain reach EOF (or gives up after `wait`).
    async fn finish_stderr(&mut self, wait: Duration) {
        if let Some(mut task) = self.stderr_task.take() {
            if tokio::time::timeout(wait, &mut task).await.is_err() {
                task.abort();
            }
        }
    }

    /// Whether the server ran into its memory or task limit (see
    /// [`Spawned::limit_hit`]).
    pub fn limit_hit(&self) -> Option<String> {
        self.proc.limit_hit()
    }

    /// The stderr tail so far.
    pub fn stderr(&self) -> Arc<Mutex<Tail>> {
        self.stderr.clone()
    }
}

impl Drop for StdioConn {
    fn drop(&mut self) {
        if let Some(t) = self.stderr_task.take() {
            t.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_over_the_cap_are_dropped_and_crlf_survives() {
        let data = b"ok\r\nxxxxxxxxxxxxxxxxxxxx\nlast".to_vec();
        let mut r = LineReader::new(&data[..], 8, 1000);
        assert!(matches!(r.next().await.unwrap(), Line::Text(b) if b == b"ok\r"));
        assert!(
            matches!(r.next().await.unwrap(), Line::Oversized(20, h, t) if h.len() == 20 && t.len() == 20)
        );
        assert!(matches!(r.next().await.unwrap(), Line::Text(b) if b == b"last"));
        assert!(matches!(r.next().await.unwrap(), Line::Eof));
    }

    #[tokio::test]
    async fn total_cap_stops_reading() {
        let data = [b'a'; 100];
        let mut r = LineReader::new(&data[..], 1000, 10);
        assert!(matches!(r.next().await.unwrap(), Line::TotalCap));
    }

    #[test]
    fn tail_keeps_the_end() {
        let mut t = Tail::new(4);
        for _ in 0..1000 {
            t.push(b"0123456789");
        }
        assert_eq!(t.text(), "6789");
        assert_eq!(t.total, 10_000);
    }
}
