//! SARIF 2.1.0: one result per high or critical tool, located logically at
//! `server/tool` and physically in the file the tools came from (the
//! tools/list file, the config, the database, or the probed URL), on the
//! line that names the tool when the file is JSON text; the rule catalogue is
//! the driver's rules. A result's `ruleId` is the rule that decided the
//! verdict ([`deciding_rule`]). GitHub code scanning rejects a whole file
//! when one result lacks a physical location, so every result has one.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

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

/// The rule that decided a verdict: the first evidence whose rule concludes
/// the verdict's class, else the first evidence from a catalogued rule.
/// The one place that picks it (a verdict field naming the deciding rule
/// can replace this body).
pub fn deciding_rule<'v>(v: &'v Verdict, index: &HashMap<&str, usize>) -> Option<&'v str> {
    v.decided_by.as_deref().filter(|r| index.contains_key(r))
}

/// A SARIF `uri` for where a server's tools came from: a URL as it is, a
/// relative path percent-encoded (GitHub resolves it against the repository
/// root), an absolute path as a `file://` URI.
pub fn artifact_uri(origin: &Path) -> String {
    let text = origin.to_string_lossy();
    if text.starts_with("http://") || text.starts_with("https://") {
        return text.into_owned();
    }
    if origin.is_absolute() {
        if let Ok(u) = url::Url::from_file_path(origin) {
            return u.to_string();
        }
    }
    let mut out = String::new();
    for b in text.trim_start_matches("./").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The 1-based line on which a JSON text names `tool` (`"name": "<tool>"`),
/// if it does.
fn line_of(text: &str, tool: &str) -> Option<usize> {
    let quoted = serde_json::to_string(tool).ok()?;
    let mut from = 0;
    while let Some(i) = text[from..].find(&quoted) {
        let at = from + i;
        let before = text[..at].trim_end();
        if let Some(b) = before.strip_suffix(':') {
            if b.trim_end().ends_with("\"name\"") {
                return Some(text[..at].matches('\n').count() + 1);
            }
        }
        from = at + quoted.len();
    }
    None
}

/// Input files larger than this are not searched for the tool's line.
const MAX_SEARCHED: u64 = 64 << 20;

/// The SARIF log as a JSON value. `origins[i]` is where `servers[i]` came
/// from (see [`artifact_uri`]); a missing origin is reported as `mcp-risk`.
pub fn log(servers: &[(String, Vec<Verdict>)], origins: &[&Path]) -> Value {
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
    let index: HashMap<&str, usize> = engine
        .catalogue
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut texts: HashMap<&Path, Option<String>> = HashMap::new();
    let mut results = Vec::new();
    for (k, (server, verdicts)) in servers.iter().enumerate() {
        let origin = origins.get(k).copied().unwrap_or(Path::new("mcp-risk"));
        let uri = artifact_uri(origin);
        for v in verdicts.iter().filter(|v| v.risk >= Risk::High) {
            let rule_id = deciding_rule(v, &index).unwrap_or("unclassified");
            let text = texts.entry(origin).or_insert_with(|| {
                std::fs::metadata(origin)
                    .ok()
                    .filter(|m| m.is_file() && m.len() <= MAX_SEARCHED)
                    .and_then(|_| std::fs::read_to_string(origin).ok())
            });
            let line = text
                .as_deref()
                .and_then(|t| line_of(t, &v.name))
                .unwrap_or(1);
            let mut result = json!({
                "ruleId": rule_id,
                "level": level(v.risk),
                "message": {"text": format!("{}/{}: {} ({} risk). {}", server, v.name, v.class, v.risk, v.rationale)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": line},
                    },
                    "logicalLocations": [
                        {"name": server, "kind": "module", "fullyQualifiedName": server},
                        {"name": v.name, "kind": "function", "fullyQualifiedName": format!("{server}/{}", v.name)}
                    ]
                }],
                "properties": {
                    "class": v.class,
                    "risk": v.risk,
                    "category": v.category,
                    // As the JSON report writes it (0.9, not the f32's
                    // 0.8999999761581421 widened to f64).
                    "confidence": v.confidence.to_string().parse::<f64>().unwrap_or(0.0),
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

pub fn write<W: Write>(
    out: &mut W,
    servers: &[(String, Vec<Verdict>)],
    origins: &[&Path],
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(servers, origins))?;
    out.write_all(b"\n")
}
