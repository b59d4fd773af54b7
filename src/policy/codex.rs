//! Codex `config.toml` for one `[mcp_servers.<name>]` table: `disabled_tools`
//! for the tools the plan hides, and Codex's per-tool approval
//! (`tools.<tool>.approval_mode = "prompt"`) for the tools that need a
//! human, each with its reason as a comment.

use std::fmt::Write as _;

use crate::classify::Verdict;

use super::plan::{self, ClientGate};
use super::{comment_safe, yaml_quote};

/// A TOML key: bare when it can be, otherwise a basic string (the escapes
/// of [`yaml_quote`] are all valid TOML basic-string escapes). The pages'
/// Codex snippets use it too.
pub fn toml_key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_owned()
    } else {
        yaml_quote(s)
    }
}

/// What the fragment's opening comment says about where it goes and what its
/// two settings do.
const HOW_TO_APPLY: &str = "\
# The table name must be this server's name in your config.toml: if yours differs,
# rename the table below, or rerun with `mcp-risk policy --server-key YOUR_NAME`.
# Copy the lines under the header into this server's existing [mcp_servers] table in
# ~/.codex/config.toml (TOML forbids defining the same table twice, so do not paste a second header).
# disabled_tools: tools a gateway policy would hide (loss that cannot be undone).
# approval_mode = \"prompt\": Codex asks you before each call of a tool that needs a human,
# or that Codex cannot limit or guard as narrowly as a gateway.
";

/// The Codex config fragment for one server; `key` is the server's table
/// name in the user's `config.toml`. Hidden tools go to `disabled_tools`;
/// tools that need a human use Codex's own per-tool approval,
/// `tools.<tool>.approval_mode = "prompt"` (values auto|prompt|approve in
/// codex-rs/config `mcp_types.rs`), written as dotted keys so every line
/// belongs in the server's one `[mcp_servers.<key>]` table.
pub fn for_server(key: &str, verdicts: &[Verdict]) -> String {
    let plans = plan::plan_server(verdicts);
    let mut t = super::header("Codex settings", key);
    t.push_str(HOW_TO_APPLY);
    let _ = writeln!(t, "[mcp_servers.{}]", toml_key(key));
    let gated = |g: ClientGate| -> Vec<&plan::ToolPlan<'_>> {
        plans.iter().filter(|p| p.client_gate() == g).collect()
    };
    let disabled = gated(ClientGate::Deny);
    if disabled.is_empty() {
        t.push_str("disabled_tools = []\n");
    } else {
        t.push_str("disabled_tools = [\n");
        for p in disabled {
            let _ = writeln!(
                t,
                "  {}, # {}, {} risk: {}",
                yaml_quote(p.name()),
                p.verdict.class,
                p.verdict.risk,
                comment_safe(&p.why)
            );
        }
        t.push_str("]\n");
    }
    for p in gated(ClientGate::Ask) {
        let _ = writeln!(
            t,
            "tools.{}.approval_mode = \"prompt\" # {}, {} risk; a gateway policy: {}",
            toml_key(p.name()),
            p.verdict.class,
            p.verdict.risk,
            comment_safe(&p.why)
        );
    }
    t
}
