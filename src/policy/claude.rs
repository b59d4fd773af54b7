//! Claude Code settings: `permissions.deny` for tools the plan hides (loss
//! that cannot be undone, or a description that hides instructions);
//! `permissions.ask` for the tools a gateway refuses until a human acts
//! (Claude Code's own approval step: the user sees and approves each call),
//! and for every tool Claude Code cannot guard as narrowly as a gateway
//! (destructive, high risk, or argument guards it cannot express).
//!
//! Tool names are `mcp__<key>__<tool>`, where `<key>` is the name the user
//! gave the server in their Claude Code config (`.mcp.json`, `claude mcp
//! add NAME`). mcp-risk knows that name only when the server came from the
//! user's own config; otherwise it uses the server's name as crawled, and
//! `mcp-risk policy --server-key NAME` (or a search-and-replace of
//! `mcp__<key>__`) renames it. Claude Code rejects unknown fields and then
//! ignores the whole settings file, so the note cannot live in the file.

use serde_json::json;

use crate::classify::Verdict;

use super::plan::{self, ClientGate};
use super::policylayer::pretty;

/// Claude Code turns every character of a server name outside
/// `[A-Za-z0-9_-]` into `_` in its `mcp__server__tool` identifiers; the tool
/// name is used as served.
pub fn normalize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The permission identifier of one tool.
pub fn tool_id(server: &str, tool: &str) -> String {
    format!("mcp__{}__{tool}", normalize(server))
}

/// The settings fragment for one server (merge into `.claude/settings.json`);
/// `key` is the server's name in the user's Claude Code config.
pub fn for_server(key: &str, verdicts: &[Verdict]) -> String {
    let mut deny = Vec::new();
    let mut ask = Vec::new();
    for p in plan::plan_server(verdicts) {
        let id = tool_id(key, p.name());
        match p.client_gate() {
            ClientGate::Deny => deny.push(id),
            ClientGate::Ask => ask.push(id),
            ClientGate::None => {}
        }
    }
    deny.sort();
    deny.dedup();
    ask.sort();
    ask.dedup();
    pretty(&json!({"permissions": {"ask": ask, "deny": deny}}))
}
