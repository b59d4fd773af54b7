//! Claude Code settings: `permissions.deny` for tools the plan hides or
//! approval-gates, `permissions.ask` for tools Claude Code cannot guard as
//! narrowly as a gateway (high risk, or argument guards it cannot express),
//! so a person sees each such call. Tool names are `mcp__<server>__<tool>`.

use serde_json::json;

use crate::classify::{Risk, Verdict};

use super::plan::{self, Decision};
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

/// The settings fragment for one server (merge into `.claude/settings.json`).
pub fn for_server(server: &str, verdicts: &[Verdict]) -> String {
    let mut deny = Vec::new();
    let mut ask = Vec::new();
    for p in plan::plan_server(verdicts) {
        let id = tool_id(server, p.name());
        match p.decision {
            Decision::Hide | Decision::Approve => deny.push(id),
            Decision::Limit | Decision::Allow
                if p.graded_risk >= Risk::High || !p.guards.is_empty() =>
            {
                ask.push(id)
            }
            _ => {} // allowed, or unlisted (`*` would be a wildcard here)
        }
    }
    deny.sort();
    deny.dedup();
    ask.sort();
    ask.dedup();
    pretty(&json!({"permissions": {"ask": ask, "deny": deny}}))
}
