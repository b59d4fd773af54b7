//! One server's outcome from its preparation: probed, its registry-carried
//! tools checked as a served list would be, or the status preparation gave it.

use serde_json::Value;

use crate::mcp::jsonrpc::Notes;
use crate::mcp::{ProbeOptions, ProbeOutcome, Status};
use crate::registry::prepare::Prepared;
use crate::registry::{Launch, ServerRecord};

/// The outcome of a prepared server: probed, its tools checked, or the
/// status preparation gave it.
pub(super) async fn outcome_of_prepared(prepared: Prepared, probe: &ProbeOptions) -> ProbeOutcome {
    match prepared {
        Prepared::Tools { tools } => {
            // The same checks as a served list (mcp::tools::check).
            let mut notes = Notes::default();
            let tools = crate::mcp::tools::check(tools, &mut notes);
            let anomalies = notes.finish();
            ProbeOutcome {
                status: Status::Ok,
                detail: None,
                transport: None,
                era: None,
                protocol_version: None,
                server_info: None,
                tools,
                anomalies,
                duration_ms: 0,
                stderr_tail: String::new(),
                sandbox: None,
                auth: None,
            }
        }
        Prepared::Skipped { status, reason } => ProbeOutcome::failed(status, reason),
        Prepared::Probe { target } => crate::mcp::probe::probe(&target, probe).await,
    }
}

/// The launch as stored on the server row.
pub(super) fn launch_json(record: &ServerRecord) -> Value {
    match &record.launch {
        // The tools are stored as tool rows; keep the server row small.
        Launch::Tools { tools } => serde_json::json!({"kind": "tools", "count": tools.len()}),
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn a_tool_list_from_a_record_is_checked_as_a_served_one() {
        let tools = vec![
            json!({"name": "a", "inputSchema": {"type": "object"}}),
            json!({"name": "a", "inputSchema": {"type": "object"}, "description": 3}),
            json!({"inputSchema": "nope"}),
            json!(42),
        ];
        let mut notes = Notes::default();
        let served = crate::mcp::tools::check(tools.clone(), &mut notes);
        let o = outcome_of_prepared(Prepared::Tools { tools }, &ProbeOptions::default()).await;
        assert_eq!(o.status, Status::Ok);
        assert_eq!(o.tools, served);
        assert_eq!(o.anomalies, notes.finish());
        let kinds: Vec<(&str, &str)> = o
            .anomalies
            .iter()
            .map(|a| (a.tool.as_deref().unwrap_or(""), a.kind.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a", "duplicate-tool-name"),
                ("#2", "missing-name"),
                ("#2", "input-schema-not-object"),
                ("#3", "tool-not-object"),
            ]
        );
        assert_eq!(o.tools.len(), 2);
    }
}
