//! Probe one server: connect, negotiate the era, list every tool.
//! (Implemented by the MCP client work; the crawler codes against `probe`.)

use super::{ProbeOptions, ProbeOutcome, ProbeTarget, Status};

/// Probes one target in bounded time. Never panics, never fails: every
/// outcome is a [`ProbeOutcome`] with one status.
pub async fn probe(target: &ProbeTarget, opts: &ProbeOptions) -> ProbeOutcome {
    let _ = (target, opts);
    ProbeOutcome::failed(Status::ProtocolError, "MCP client not built yet")
}
