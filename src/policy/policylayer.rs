//! PolicyLayer `policy.json` v1 and its reasons sidecar.
//!
//! `default: "deny"`; every tool is either under `tools` (allowed, limited,
//! guarded or refused until a human acts) or in `hide`, exactly once.
//! Argument guards are `deny_if` items whose conditions all hold on a
//! dangerous call. PolicyLayer has no per-call approval step, so a tool that
//! needs a human is listed with a `deny_if` item with no conditions: every
//! call is refused with a message telling the agent to hand it to the user
//! (visible, unlike a hidden tool, so the agent can say why). The sidecar
//! `<server>.reasons.json` says, for every tool, its class, risk and rationale
//! and what each emitted rule (by JSON pointer into the policy) is for.

use serde_json::{json, Map, Value};

use crate::classify::Verdict;

use super::plan::{self, Decision, Guard, GuardKind, ToolPlan};

/// Version of the reasons sidecar's shape.
pub const REASONS_SCHEMA_VERSION: u32 = 1;

/// The policy.json for one server: pretty, sorted keys, trailing newline.
pub fn for_server(verdicts: &[Verdict]) -> String {
    render(&plan::plan_server(verdicts))
}

/// A policy.json that covers a single tool (for per-tool pages).
pub fn for_tool(verdict: &Verdict) -> String {
    render(&[plan::plan_tool(verdict)])
}

fn render(plans: &[ToolPlan<'_>]) -> String {
    let mut hide = Vec::new();
    let mut tools = Map::new();
    for p in plans {
        if p.listed() {
            tools.insert(p.name().to_owned(), tool_rule(p));
        } else if p.hidden() {
            hide.push(Value::String(p.name().to_owned()));
        }
    }
    let doc = json!({
        "version": "1",
        "default": "deny",
        "hide": hide,
        "tools": tools,
    });
    pretty(&doc)
}

fn tool_rule(p: &ToolPlan<'_>) -> Value {
    let mut rule = Map::new();
    if !p.limits.is_empty() {
        let limits: Vec<Value> = p
            .limits
            .iter()
            .map(|l| {
                json!({
                    "counter": p.counter(l.window),
                    "window": l.window.as_str(),
                    "max": l.max,
                    "scope": "grant",
                })
            })
            .collect();
        rule.insert("limits".into(), Value::Array(limits));
    }
    let mut deny_if: Vec<Value> = p.guards.iter().map(guard_item).collect();
    if let Some(msg) = &p.approval_message {
        deny_if.push(json!({"conditions": [], "on_deny": msg}));
    }
    if !deny_if.is_empty() {
        rule.insert("deny_if".into(), Value::Array(deny_if));
    }
    Value::Object(rule)
}

fn guard_item(g: &Guard) -> Value {
    let (op, value) = match &g.kind {
        GuardKind::Operation { denied, .. } => ("in", json!(denied)),
        GuardKind::Switch => ("eq", json!(true)),
        GuardKind::Sql(p) | GuardKind::Shell(p) => ("regex", json!(p.regex)),
        GuardKind::Opaque { .. } => ("exists", json!(true)),
    };
    let mut conditions = Vec::new();
    if let Some((param, values)) = &g.only_when {
        conditions.push(json!({"path": format!("args.{param}"), "op": "in", "value": values}));
    }
    conditions.push(json!({"path": g.path(), "op": op, "value": value}));
    json!({"conditions": conditions, "on_deny": g.on_deny})
}

/// The reasons sidecar for one server.
pub fn reasons_for_server(server: &str, verdicts: &[Verdict]) -> String {
    let plans = plan::plan_server(verdicts);
    let mut tools = Map::new();
    for p in &plans {
        tools.insert(p.name().to_owned(), tool_reasons(p));
    }
    pretty(&json!({
        "schema_version": REASONS_SCHEMA_VERSION,
        "server": server,
        "policy": format!("{}.json", super::file_stem(server)),
        "tools": tools,
    }))
}

fn tool_reasons(p: &ToolPlan<'_>) -> Value {
    let v = p.verdict;
    let base = format!("/tools/{}", pointer_escape(p.name()));
    let mut rules = Vec::new();
    if p.decision == Decision::Hide {
        rules.push(json!({"rule": "/hide", "for": p.why}));
    }
    for (i, l) in p.limits.iter().enumerate() {
        rules.push(json!({
            "rule": format!("{base}/limits/{i}"),
            "for": format!("at most {} calls per {} ({} risk)", l.max, l.window.as_str(), p.graded_risk),
        }));
    }
    for (i, g) in p.guards.iter().enumerate() {
        rules.push(json!({"rule": format!("{base}/deny_if/{i}"), "for": g.purpose}));
    }
    if p.approval_message.is_some() {
        rules.push(json!({
            "rule": format!("{base}/deny_if/{}", p.guards.len()),
            "for": "refuses every call with a message to hand it to a human (gateways have no approval step)",
        }));
    }
    if p.decision == Decision::Unlisted {
        rules.push(json!({"rule": "/default", "for": p.why}));
    }
    if p.decision == Decision::Allow && p.guards.is_empty() {
        rules.push(json!({"rule": base, "for": "allows the tool with no limit"}));
    }
    json!({
        "class": v.class.as_str(),
        "risk": v.risk.as_str(),
        "category": v.category.as_str(),
        "confidence": (f64::from(v.confidence) * 100.0).round() / 100.0,
        "signals": v.signals.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "rationale": v.rationale,
        "evidence": v.evidence.iter().map(|e| json!({"rule": e.rule, "field": e.field, "text": e.text})).collect::<Vec<_>>(),
        "decision": p.decision.as_str(),
        "why": p.why,
        "rules": rules,
    })
}

/// RFC 6901 escaping of one reference token.
pub fn pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Pretty JSON with every object's keys sorted, plus a trailing newline.
pub(crate) fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(&sorted(v)).expect("a JSON value serializes");
    s.push('\n');
    s
}

/// A copy with every object's keys sorted (serde_json keeps insertion order here).
pub(crate) fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&m[k])))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}
