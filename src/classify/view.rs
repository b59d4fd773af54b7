//! A borrowed, allocation-light twin of [`crate::tool::ToolDef`] for the hot
//! path: same leniency and same parameter flattening (top level plus one level
//! of nesting as `parent.child`), but schemas are borrowed, not cloned.

use std::borrow::Cow;

use serde_json::Value;

use crate::tool::{enum_values, type_of, Hints};

pub struct ParamView<'a> {
    pub name: String,
    pub ty: String,
    pub description: Cow<'a, str>,
    pub enum_values: Vec<String>,
    /// For a top-level array of steps (`actions`, `steps`, `operations`,
    /// `commands`): the string enums of its items' selector keys
    /// (`type`, `action`, `kind`, `operation`, `op`), in that key order.
    /// For any other top-level array (`files: [{action, path, content}]`):
    /// those of its items' `action`, `operation` and `op` only (`type` and
    /// `kind` there name what an item is, not what is done to it).
    pub item_ops: Vec<(&'static str, Vec<String>)>,
}

pub struct ToolView<'a> {
    pub name: Cow<'a, str>,
    pub title: Cow<'a, str>,
    pub description: Cow<'a, str>,
    pub params: Vec<ParamView<'a>>,
    pub declared: Option<Hints>,
    pub annotation_title: Cow<'a, str>,
}

fn text_of(v: Option<&Value>) -> Cow<'_, str> {
    match v {
        Some(Value::String(s)) => Cow::Borrowed(s.as_str()),
        Some(Value::Null) | None => Cow::Borrowed(""),
        Some(other) => Cow::Owned(other.to_string()),
    }
}

/// Whether a top-level parameter holds an array of steps whose items carry
/// an operation selector.
fn is_steps(name: &str) -> bool {
    ["actions", "steps", "operations", "commands"]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k))
}

/// Selector keys looked up in the items of an array of steps.
const ITEM_KEYS: [&str; 5] = ["type", "action", "kind", "operation", "op"];

/// Selector keys looked up in the items of any other array: only words that
/// name what is done to the item.
const OP_KEYS: [&str; 3] = ["action", "operation", "op"];

/// The selector enums of the items of the array `schema` (its `items`),
/// `steps` saying whether the array is one of steps (see [`ParamView`]).
fn item_ops(schema: &Value, steps: bool) -> Vec<(&'static str, Vec<String>)> {
    let Some(props) = schema
        .get("items")
        .and_then(|i| i.get("properties"))
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let keys: &[&'static str] = if steps { &ITEM_KEYS } else { &OP_KEYS };
    keys.iter()
        .filter_map(|key| {
            let vals = props.get(*key)?.get("enum")?.as_array()?;
            Some((
                *key,
                vals.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ))
        })
        .collect()
}

fn collect<'a>(schema: &'a Value, prefix: &str, depth: usize, out: &mut Vec<ParamView<'a>>) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, prop) in props {
        let full = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        out.push(ParamView {
            item_ops: if prefix.is_empty() {
                item_ops(prop, is_steps(name))
            } else {
                Vec::new()
            },
            name: full.clone(),
            ty: type_of(prop),
            description: text_of(prop.get("description")),
            enum_values: enum_values(prop),
        });
        if depth < 1 {
            collect(prop, &full, depth + 1, out);
        }
    }
}

impl<'a> ToolView<'a> {
    /// Never fails; mirrors `ToolDef::from_value`.
    pub fn new(v: &'a Value) -> ToolView<'a> {
        let mut params = Vec::new();
        if let Some(schema) = v.get("inputSchema") {
            collect(schema, "", 0, &mut params);
        }
        let annotations = v.get("annotations");
        ToolView {
            name: text_of(v.get("name")),
            title: text_of(v.get("title")),
            description: text_of(v.get("description")),
            params,
            declared: annotations.and_then(Hints::from_annotations),
            annotation_title: text_of(annotations.and_then(|a| a.get("title"))),
        }
    }
}

mod json;
pub(crate) use json::annotation_hints;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tool::ToolDef;
    use serde_json::json;

    #[test]
    fn agrees_with_tooldef() {
        let v = json!({"name": "repo", "description": 7, "title": "T",
            "inputSchema": {"type": "object", "properties": {
                "op": {"type": "string", "enum": ["get", "delete"], "description": "what"},
                "opts": {"type": "object", "properties": {"depth": {"type": ["integer", "null"]}}},
                "force": {"type": "boolean"}}},
            "annotations": {"readOnlyHint": false, "title": "A"}});
        let (a, b) = (ToolView::new(&v), ToolDef::from_value(&v));
        assert_eq!(a.name, b.name);
        assert_eq!(a.description, b.description);
        assert_eq!(a.declared, b.declared);
        assert_eq!(a.annotation_title, b.annotation_title);
        let an: Vec<(&str, &str)> = a
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.ty.as_str()))
            .collect();
        let bn: Vec<(&str, &str)> = b
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.ty.as_str()))
            .collect();
        assert_eq!(an, bn);
        assert_eq!(a.params[0].enum_values, b.params[0].enum_values);
    }

    fn flat(v: &ToolView) -> String {
        let params: Vec<String> = v
            .params
            .iter()
            .map(|p| {
                format!(
                    "{}|{}|{}|{:?}|{:?}",
                    p.name, p.ty, p.description, p.enum_values, p.item_ops
                )
            })
            .collect();
        format!(
            "{}|{}|{}|{:?}|{}|{:?}",
            v.name, v.title, v.description, v.declared, v.annotation_title, params
        )
    }

    #[test]
    fn json_path_agrees_with_value_path() {
        let cases = [
            r#"{"name": "repo", "description": 7, "title": "T",
               "inputSchema": {"type": "object", "properties": {
                 "op": {"type": "string", "enum": ["get", "delete", 3, true, null], "description": "what"},
                 "opts": {"type": "object", "properties": {"depth": {"type": ["integer", "null"]},
                    "deeper": {"properties": {"x": {}}}}},
                 "force": {"type": "boolean"}, "weird": 5, "alt": {"anyOf": [{"type": "string"}, {"const": "x"}]},
                 "Actions": {"type": "array", "items": {"properties": {"type": {"enum": ["create", "drop", 1]},
                    "op": {"enum": ["a"]}}}},
                 "files": {"type": "array", "items": {"properties": {"type": {"enum": ["file", "dir"]},
                    "action": {"enum": ["create", "delete"]}}}},
                 "steps": {"items": {"enum": ["x", "y"]}}}},
               "annotations": {"readOnlyHint": false, "title": "A"}}"#,
            r#"{"na\u006de": "d\u00e9lete", "name": "second", "description": {"b": 1, "a": [2]},
               "inputSchema": {"properties": {"a": {"type": 1, "oneOf": [{"type": "x"}]},
                 "b": {"description": null}, "a": {"type": "string", "description": "again"}}},
               "annotations": null}"#,
            r#"["not", "an", "object"]"#,
            r#""just text""#,
            r#"{"name": "x", "inputSchema": {"properties": []}, "annotations": {"destructiveHint": true}}"#,
            r#"{"name": "x", "inputSchema": null, "title": null, "description": "esc\"aped\n"}"#,
            // Only parts of `items`, `anyOf` and annotations are kept: what
            // is read of them must be the same.
            r#"{"name": "y", "inputSchema": {"properties": {
                 "operations": {"type": "array", "items": {"type": "object", "enum": ["e"],
                    "properties": {"op": {"enum": ["drop", 2.5], "description": "d"}, "kind": {"enum": ["k"]},
                      "path": {"type": "string", "description": {"x": [1, null]}}},
                    "required": ["op"]}},
                 "u": {"anyOf": [{"type": "object", "properties": {"a": {"type": "string"}}},
                    {"oneOf": [{"type": ["integer", "null"]}, {"enum": ["v", 1, true], "const": "c"}]},
                    {"const": false, "description": "x"}], "description": "union"},
                 "w": {"oneOf": {"type": "string"}, "items": [{"enum": ["t"]}]}}},
               "annotations": {"readOnlyHint": true, "extra": {"deep": [1, 2]}, "title": ["T", 1]}}"#,
            // serde_json's raw-value key reads an object as another value.
            r#"{"name": "z", "annotations": {"$serde_json::private::RawValue": "{\"destructiveHint\": true, \"title\": \"R\"}"},
               "inputSchema": {"properties": {"p": {"anyOf": [{"$serde_json::private::RawValue": "{\"type\": \"boolean\"}"}]}}}}"#,
        ];
        for c in cases {
            let v: Value = serde_json::from_str(c).unwrap();
            let fast = ToolView::from_json(c).expect("fast path");
            assert_eq!(flat(&fast), flat(&ToolView::new(&v)), "{c}");
        }
        // Texts a `Value` may refuse take the `Value` path.
        assert!(ToolView::from_json(r#"{"name": "\ud800"}"#).is_none());
        for refused in [
            r#"{"annotations": {"$serde_json::private::RawValue": "{}", "x": 1}}"#,
            r#"{"inputSchema": {"properties": {"p": {"items": {"x": {"$serde_json::private::RawValue": "[1"}}}}}}"#,
        ] {
            assert!(serde_json::from_str::<Value>(refused).is_err(), "{refused}");
            assert!(ToolView::from_json(refused).is_none(), "{refused}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(ToolView::from_json(&format!(r#"{{"x": {deep}}}"#)).is_none());
    }
}
