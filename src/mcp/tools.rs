//! Per-tool checks on a tool list, served or carried by a record (the crawler
//! runs the same checks on both). Nothing here drops a tool for being
//! malformed: a classifier can still read a tool with a numeric description
//! or no inputSchema, so such tools are kept and an anomaly names them. Only
//! a repeated name (the later copy) and a non-object entry are left out.

use std::collections::BTreeSet;

use serde_json::Value;

use super::jsonrpc::Notes;
use super::AnomalyKind;

/// Filters duplicates and non-objects, records per-tool anomalies.
pub fn check(raw: Vec<Value>, notes: &mut Notes) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    let mut kept = Vec::with_capacity(raw.len());
    for (i, tool) in raw.into_iter().enumerate() {
        let Value::Object(m) = &tool else {
            notes.push(
                Some(format!("#{i}")),
                AnomalyKind::ToolNotObject,
                format!("tools[{i}] is {}, not an object; left out", kind(&tool)),
            );
            continue;
        };
        let label = match m.get("name") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::String(_)) => {
                notes.push(
                    Some(format!("#{i}")),
                    AnomalyKind::EmptyName,
                    "tool name is empty",
                );
                format!("#{i}")
            }
            Some(other) => {
                notes.push(
                    Some(format!("#{i}")),
                    AnomalyKind::NameNotString,
                    format!("name is {}", kind(other)),
                );
                format!("#{i}")
            }
            None => {
                notes.push(
                    Some(format!("#{i}")),
                    AnomalyKind::MissingName,
                    "tool has no name",
                );
                format!("#{i}")
            }
        };
        if matches!(m.get("name"), Some(Value::String(s)) if !s.is_empty())
            && !seen.insert(label.clone())
        {
            notes.push(
                Some(label),
                AnomalyKind::DuplicateToolName,
                format!("tools[{i}] repeats a name already served; the first one is kept"),
            );
            continue;
        }
        let t = Some(label);
        match m.get("description") {
            None | Some(Value::String(_)) => {}
            Some(other) => notes.push(
                t.clone(),
                AnomalyKind::DescriptionNotString,
                format!("description is {}", kind(other)),
            ),
        }
        match m.get("inputSchema") {
            None => notes.push(t.clone(), AnomalyKind::MissingInputSchema, "no inputSchema"),
            Some(Value::Null) => notes.push(
                t.clone(),
                AnomalyKind::NullInputSchema,
                "inputSchema is null",
            ),
            Some(Value::Object(s)) => {
                if s.get("type").and_then(Value::as_str) != Some("object") {
                    notes.push(
                        t.clone(),
                        AnomalyKind::InputSchemaNotObjectType,
                        "inputSchema.type is not \"object\"",
                    );
                }
            }
            Some(other) => notes.push(
                t.clone(),
                AnomalyKind::InputSchemaNotObject,
                format!("inputSchema is {}", kind(other)),
            ),
        }
        if let Some(a) = m.get("annotations") {
            if !a.is_object() && !a.is_null() {
                notes.push(
                    t.clone(),
                    AnomalyKind::AnnotationsNotObject,
                    format!("annotations is {}", kind(a)),
                );
            }
        }
        kept.push(tool);
    }
    kept
}

/// What kind of JSON value `v` is, as a phrase ("a number").
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn malformed_tools_are_kept_duplicates_are_not() {
        let mut n = Notes::default();
        let kept = check(
            vec![
                json!({"name": "a", "description": 7}),
                json!({"name": "a", "inputSchema": {"type": "object"}}),
                json!("junk"),
                json!({"description": "nameless", "inputSchema": null}),
            ],
            &mut n,
        );
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0]["description"], 7);
        let kinds: Vec<_> = n.finish().into_iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [
                AnomalyKind::DescriptionNotString,
                AnomalyKind::MissingInputSchema,
                AnomalyKind::DuplicateToolName,
                AnomalyKind::ToolNotObject,
                AnomalyKind::MissingName,
                AnomalyKind::NullInputSchema,
            ]
        );
    }
}
