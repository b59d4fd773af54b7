//! Codex `config.toml`: `disabled_tools` for one `[mcp_servers.<name>]` table,
//! listing the tools the plan hides or approval-gates (Codex has no per-tool
//! approval), each with its reason as a comment.

use std::fmt::Write as _;

use crate::classify::Verdict;

use super::plan::{self, Decision};
use super::{comment_safe, yaml_quote};

/// A TOML key: bare when it can be, otherwise a basic string (the escapes
/// of [`yaml_quote`] are all valid TOML basic-string escapes).
fn toml_key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_owned()
    } else {
        yaml_quote(s)
    }
}

/// The Codex config fragment for one server; `key` is the server's table
/// name in the user's `config.toml`.
pub fn for_server(key: &str, verdicts: &[Verdict]) -> String {
    let server = key;
    let plans = plan::plan_server(verdicts);
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Codex settings recommended by mcp-risk for server {}.",
        comment_safe(server)
    );
    t.push_str(
        "# The table name must be this server's name in your config.toml: if yours differs,\n",
    );
    t.push_str(
        "# rename the table below, or rerun with `mcp-risk policy --server-key YOUR_NAME`.\n",
    );
    t.push_str("# Copy disabled_tools into this server's existing [mcp_servers] table in ~/.codex/config.toml\n");
    t.push_str(
        "# (TOML forbids defining the same table twice, so do not paste a second header).\n",
    );
    t.push_str("# Disabled: tools a gateway policy would hide or refuse until a human acts\n");
    t.push_str("# (Codex has no per-tool approval, so a tool that needs a human is disabled).\n");
    let _ = writeln!(t, "[mcp_servers.{}]", toml_key(server));
    let disabled: Vec<_> = plans
        .iter()
        .filter(|p| matches!(p.decision, Decision::Hide | Decision::Approve))
        .collect();
    if disabled.is_empty() {
        t.push_str("disabled_tools = []\n");
        return t;
    }
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
    t
}
