//! SARIF 2.1.0: one result per high or critical tool, located logically at
//! `server/tool`, with the rule catalogue as the driver's rules. A result's
//! `ruleId` is the rule that decided the verdict (its first evidence).

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::classify::{Risk, Verdict};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(r: Risk) -> &'static str {
    match r {
        Risk::Critical => "error",
        Risk::High => "warning",
        Risk::Medium => "note",
        Risk::Low => "none",
    }
}

/// The SARIF log as a JSON value.
pub fn log(servers: &[(String, Vec<Verdict>)]) -> Value {
    let engine = crate::classify::engine();
    let rules: Vec<Value> = engine
        .catalogue
        .rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": format!("{} (family: {})", r.summary, r.family)},
                "properties": {"family": r.family},
            })
        })
        .collect();
    let index: std::collections::HashMap<&str, usize> = engine
        .catalogue
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut results = Vec::new();
    for (server, verdicts) in servers {
        for v in verdicts.iter().filter(|v| v.risk >= Risk::High) {
            // The rule that decided the verdict's class.
            let rule_id = v
                .decided_by
                .as_deref()
                .filter(|r| index.contains_key(r))
                .unwrap_or("unclassified");
            let mut result = json!({
                "ruleId": rule_id,
                "level": level(v.risk),
                "message": {"text": format!("{}/{}: {} ({} risk). {}", server, v.name, v.class, v.risk, v.rationale)},
                "locations": [{
                    "logicalLocations": [
                        {"name": server, "kind": "module", "fullyQualifiedName": server},
                        {"name": v.name, "kind": "function", "fullyQualifiedName": format!("{server}/{}", v.name)}
                    ]
                }],
                "properties": {
                    "class": v.class,
                    "risk": v.risk,
                    "category": v.category,
                    "confidence": v.confidence,
                    "signals": v.signals,
                },
            });
            if let Some(i) = index.get(rule_id) {
                result["ruleIndex"] = json!(i);
            }
            results.push(result);
        }
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mcp-risk",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/mcp-risk/mcp-risk",
                "rules": rules,
                "properties": {"rulesetHash": crate::classify::ruleset_hash()},
            }},
            "results": results,
        }]
    })
}

pub fn write<W: Write>(out: &mut W, servers: &[(String, Vec<Verdict>)]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(servers))?;
    out.write_all(b"\n")
}
