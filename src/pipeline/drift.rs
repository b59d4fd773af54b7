//! Drift: what changed in one server's tools between two crawls. Added and
//! removed tools, changed definitions (which fields), class and risk changes
//! (both versions classified with the same engine), annotation flips (a tool
//! that "turned destructive overnight" is flagged), and likely renames (the
//! same input schema and a similar description under a new name).
//!
//! Pure: takes two tool lists (and their verdicts, when the caller already
//! has them: [`compare_classified`]), returns a deterministic [`Drift`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::classify::{classify_tools, Class, Options, Risk, Verdict};
use crate::store::{canonical_json, tool_name};
use crate::tool::{Hints, ToolDef};

/// Description similarity (word Jaccard) at or above which two tools with
/// the same non-trivial input schema are taken as one renamed tool.
pub const RENAME_SIMILARITY: f64 = 0.5;
/// The same, when the schema has no properties (many unrelated tools share
/// an empty schema, so the description must carry the match).
pub const RENAME_SIMILARITY_EMPTY_SCHEMA: f64 = 0.8;

/// A tool that appeared or disappeared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolBrief {
    pub name: String,
    pub class: Class,
    pub risk: Risk,
}

/// Before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change<T> {
    pub from: T,
    pub to: T,
}

/// One annotation hint that changed (`null` = absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flip {
    pub hint: &'static str,
    pub from: Option<bool>,
    pub to: Option<bool>,
}

/// A tool present in both crawls (possibly under a new name) whose
/// definition changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolChange {
    pub name: String,
    /// For a likely rename: the old name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// For a likely rename: description similarity (0..1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
    /// Top-level fields whose canonical JSON differs, sorted (`annotations`,
    /// `description`, `inputSchema`, `title`, ...).
    pub fields: Vec<String>,
    pub annotation_flips: Vec<Flip>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<Change<Class>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<Change<Risk>>,
    /// Declared or inferred to be destructive now and not before: the case a
    /// reviewer must see first.
    pub turned_destructive: bool,
}

/// Everything that changed between two tool lists.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Drift {
    pub added: Vec<ToolBrief>,
    pub removed: Vec<ToolBrief>,
    pub renamed: Vec<ToolChange>,
    pub changed: Vec<ToolChange>,
    /// Tools whose definition did not change.
    pub unchanged: usize,
    /// Tools counted unchanged although a volatile default in their input
    /// schema changed (a timestamp or date the server fills with the
    /// current time): marked, not reported as changes on every crawl.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volatile: Vec<String>,
}

impl Drift {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
            && self.changed.is_empty()
    }
}

struct Side<'a> {
    raw: &'a Value,
    verdict: &'a Verdict,
}

fn index<'a>(tools: &'a [Value], verdicts: &'a [Verdict]) -> BTreeMap<String, Side<'a>> {
    let mut out = BTreeMap::new();
    for (i, (raw, verdict)) in tools.iter().zip(verdicts).enumerate() {
        // Duplicate names: the first one is the tool clients see.
        out.entry(tool_name(raw, i))
            .or_insert(Side { raw, verdict });
    }
    out
}

fn words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Word Jaccard similarity of two descriptions (1.0 when both are empty).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (words(a), words(b));
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let inter = a.intersection(&b).count() as f64;
    let union = a.union(&b).count() as f64;
    inter / union
}

fn schema_of(raw: &Value) -> String {
    canonical_json(stable(raw).get("inputSchema").unwrap_or(&Value::Null))
}

/// A timestamp-like value: an ISO-8601 date or date-time string, or a
/// number of seconds or milliseconds since 1970 between 2001 and 2096.
pub fn is_volatile(v: &Value) -> bool {
    match v {
        Value::String(s) => {
            let b = s.trim().as_bytes();
            let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
            b.len() >= 10
                && digits(0..4)
                && b[4] == b'-'
                && digits(5..7)
                && b[7] == b'-'
                && digits(8..10)
                && (b.len() == 10
                    || (matches!(b[10], b'T' | b't' | b' ')
                        && b.len() >= 16
                        && digits(11..13)
                        && b[13] == b':'))
        }
        Value::Number(n) => n
            .as_f64()
            .is_some_and(|x| (1.0e9..4.0e9).contains(&x) || (1.0e12..4.0e12).contains(&x)),
        _ => false,
    }
}

/// Marks every timestamp-like `default` in a schema (any depth).
fn mark_defaults(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "default" && is_volatile(x) {
                    *x = Value::String("<volatile>".into());
                } else {
                    mark_defaults(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mark_defaults),
        _ => {}
    }
}

/// The tool with the volatile defaults of its input schema replaced by a
/// marker, so two crawls minutes apart compare equal.
fn stable(raw: &Value) -> Value {
    let mut v = raw.clone();
    if let Some(schema) = v.get_mut("inputSchema") {
        mark_defaults(schema);
    }
    v
}

fn has_properties(raw: &Value) -> bool {
    raw.get("inputSchema")
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
}

fn changed_fields(old: &Value, new: &Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let (o, n) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    let (so, sn) = (stable(old), stable(new));
    keys.into_iter()
        .filter(|k| *k != "name")
        .filter(|k| so.get(*k).map(canonical_json) != sn.get(*k).map(canonical_json))
        .cloned()
        .collect()
}

fn flips(old: &Option<Hints>, new: &Option<Hints>) -> Vec<Flip> {
    let (o, n) = (
        old.clone().unwrap_or_default(),
        new.clone().unwrap_or_default(),
    );
    [
        ("readOnlyHint", o.read_only, n.read_only),
        ("destructiveHint", o.destructive, n.destructive),
        ("idempotentHint", o.idempotent, n.idempotent),
        ("openWorldHint", o.open_world, n.open_world),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .map(|(hint, from, to)| Flip { hint, from, to })
    .collect()
}

fn compare(name: &str, old: &Side<'_>, new: &Side<'_>) -> ToolChange {
    let (od, nd) = (ToolDef::from_value(old.raw), ToolDef::from_value(new.raw));
    let annotation_flips = flips(&od.declared, &nd.declared);
    let (oc, nc) = (old.verdict.class, new.verdict.class);
    let (or, nr) = (old.verdict.risk, new.verdict.risk);
    let declared_destructive = |h: &Option<Hints>| {
        h.as_ref()
            .is_some_and(|h| h.destructive == Some(true) && h.read_only != Some(true))
    };
    let turned_destructive = (nc == Class::Destructive && oc != Class::Destructive)
        || (declared_destructive(&nd.declared) && !declared_destructive(&od.declared));
    ToolChange {
        name: name.to_owned(),
        renamed_from: None,
        similarity: None,
        fields: changed_fields(old.raw, new.raw),
        annotation_flips,
        class: (oc != nc).then_some(Change { from: oc, to: nc }),
        risk: (or != nr).then_some(Change { from: or, to: nr }),
        turned_destructive,
    }
}

fn brief(name: &str, s: &Side<'_>) -> ToolBrief {
    ToolBrief {
        name: name.to_owned(),
        class: s.verdict.class,
        risk: s.verdict.risk,
    }
}

/// Compares the tools of an older crawl with a newer one, classifying both
/// (each list as one server).
pub fn compare_tools(old: &[Value], new: &[Value], opts: &Options) -> Drift {
    let (ov, nv) = (classify_tools(old, opts), classify_tools(new, opts));
    compare_classified(old, &ov, new, &nv)
}

/// [`compare_tools`] with the verdicts already made, one per tool in the
/// same order (the pipeline classifies each crawl once and passes them on).
pub fn compare_classified(
    old: &[Value],
    old_verdicts: &[Verdict],
    new: &[Value],
    new_verdicts: &[Verdict],
) -> Drift {
    debug_assert_eq!(old.len(), old_verdicts.len());
    debug_assert_eq!(new.len(), new_verdicts.len());
    let (o, n) = (index(old, old_verdicts), index(new, new_verdicts));
    let mut drift = Drift::default();
    for (name, new_side) in &n {
        if let Some(old_side) = o.get(name) {
            if canonical_json(old_side.raw) == canonical_json(new_side.raw) {
                drift.unchanged += 1;
            } else if canonical_json(&stable(old_side.raw)) == canonical_json(&stable(new_side.raw))
            {
                drift.unchanged += 1;
                drift.volatile.push(name.clone());
            } else {
                drift.changed.push(compare(name, old_side, new_side));
            }
        }
    }
    let gone: Vec<&String> = o.keys().filter(|k| !n.contains_key(*k)).collect();
    let fresh: Vec<&String> = n.keys().filter(|k| !o.contains_key(*k)).collect();

    // Likely renames: the best-matching pairs first, ties broken by names.
    let mut pairs: Vec<(f64, &String, &String)> = Vec::new();
    for g in &gone {
        for f in &fresh {
            let (gs, fs) = (&o[*g], &n[*f]);
            if schema_of(gs.raw) != schema_of(fs.raw) {
                continue;
            }
            let sim = similarity(
                &ToolDef::from_value(gs.raw).description,
                &ToolDef::from_value(fs.raw).description,
            );
            let floor = if has_properties(gs.raw) {
                RENAME_SIMILARITY
            } else {
                RENAME_SIMILARITY_EMPTY_SCHEMA
            };
            if sim >= floor {
                pairs.push((sim, g, f));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)).then(a.2.cmp(b.2)));
    let mut paired_old = BTreeSet::new();
    let mut paired_new = BTreeSet::new();
    for (sim, g, f) in pairs {
        if paired_old.contains(g) || paired_new.contains(f) {
            continue;
        }
        paired_old.insert(g);
        paired_new.insert(f);
        let mut c = compare(f, &o[g], &n[f]);
        c.renamed_from = Some(g.clone());
        c.similarity = Some((sim * 100.0).round() / 100.0);
        drift.renamed.push(c);
    }
    drift.renamed.sort_by(|a, b| a.name.cmp(&b.name));
    drift.removed = gone
        .into_iter()
        .filter(|g| !paired_old.contains(g))
        .map(|g| brief(g, &o[g]))
        .collect();
    drift.added = fresh
        .into_iter()
        .filter(|f| !paired_new.contains(f))
        .map(|f| brief(f, &n[f]))
        .collect();
    drift
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_a_tool_that_turned_destructive() {
        let old = [json!({"name": "sync", "description": "Sync files",
            "inputSchema": {"type": "object"}, "annotations": {"destructiveHint": false}})];
        let new = [json!({"name": "sync", "description": "Sync files",
            "inputSchema": {"type": "object"}, "annotations": {"destructiveHint": true}})];
        let d = compare_tools(&old, &new, &Options::default());
        assert_eq!(d.changed.len(), 1);
        let c = &d.changed[0];
        assert_eq!(c.fields, vec!["annotations"]);
        assert!(c.turned_destructive);
        assert_eq!(
            c.annotation_flips,
            vec![Flip {
                hint: "destructiveHint",
                from: Some(false),
                to: Some(true)
            }]
        );
    }

    #[test]
    fn a_default_holding_the_current_time_is_not_a_change() {
        let at = |t: Value| {
            [
                json!({"name": "log_since", "description": "Lists log lines since a time",
                "inputSchema": {"type": "object", "properties": {
                    "since": {"type": "string", "default": t},
                    "limit": {"type": "integer", "default": 100}}}}),
            ]
        };
        let d = compare_tools(
            &at(json!("2026-12-06T01:02:03.456Z")),
            &at(json!("2026-12-06T01:07:09.001Z")),
            &Options::default(),
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.volatile, vec!["log_since"]);
        // Epoch milliseconds and plain dates are volatile too.
        assert!(is_volatile(&json!(1796000000000u64)));
        assert!(is_volatile(&json!("2026-12-06")));
        assert!(!is_volatile(&json!(100)));
        assert!(!is_volatile(&json!("2026 plans")));
        // A real change of another default is still a change.
        let mut other = at(json!("2026-12-06T01:07:09Z"));
        other[0]["inputSchema"]["properties"]["limit"]["default"] = json!(50);
        let d = compare_tools(
            &at(json!("2026-12-06T01:02:03Z")),
            &other,
            &Options::default(),
        );
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].fields, vec!["inputSchema"]);
        assert!(d.volatile.is_empty());
    }

    #[test]
    fn same_schema_and_similar_description_is_a_rename() {
        let schema = json!({"type": "object", "properties": {"path": {"type": "string"}}});
        let old = [
            json!({"name": "read_file", "description": "Read a file from disk", "inputSchema": schema}),
        ];
        let new = [
            json!({"name": "file_read", "description": "Read a file from the disk", "inputSchema": schema}),
            json!({"name": "other", "description": "Unrelated", "inputSchema": {"type": "object"}}),
        ];
        let d = compare_tools(&old, &new, &Options::default());
        assert_eq!(d.renamed.len(), 1);
        assert_eq!(d.renamed[0].renamed_from.as_deref(), Some("read_file"));
        assert_eq!(d.renamed[0].name, "file_read");
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].name, "other");
        assert!(d.removed.is_empty());
    }
}
