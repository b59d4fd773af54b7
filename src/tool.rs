//! A lenient, read-only view of one tool definition as a server served it.
//!
//! Servers violate the schema in every way (missing or null `inputSchema`, a
//! numeric description, `annotations` of the wrong type). The raw JSON is kept
//! verbatim elsewhere; this view extracts what the classifier and renderers
//! need without ever failing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::classify::view::{shallow, Defs};

/// The MCP tool-annotation hints. An absent hint is `None`, never its default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hints {
    #[serde(
        rename = "readOnlyHint",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub read_only: Option<bool>,
    #[serde(
        rename = "destructiveHint",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub destructive: Option<bool>,
    #[serde(
        rename = "idempotentHint",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub idempotent: Option<bool>,
    #[serde(
        rename = "openWorldHint",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub open_world: Option<bool>,
}

impl Hints {
    /// Reads the four boolean hints from an `annotations` object; anything that
    /// is not a boolean counts as absent. Returns `None` when no hint is present.
    pub fn from_annotations(v: &Value) -> Option<Hints> {
        let obj = v.as_object()?;
        let get = |k: &str| obj.get(k).and_then(Value::as_bool);
        let h = Hints {
            read_only: get("readOnlyHint"),
            destructive: get("destructiveHint"),
            idempotent: get("idempotentHint"),
            open_world: get("openWorldHint"),
        };
        if h == Hints::default() {
            None
        } else {
            Some(h)
        }
    }
}

/// One parameter of a tool's input schema (top-level properties only, plus
/// one level of nesting flattened as `parent.child`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Param {
    pub name: String,
    /// JSON Schema type, as text (`string`, `integer`, `string|null`, ...); empty when absent.
    pub ty: String,
    pub required: bool,
    pub description: String,
    /// String values of `enum` (or `const`/`oneOf` consts) when present.
    pub enum_values: Vec<String>,
    /// The property's schema, verbatim.
    pub schema: Value,
}

/// The parts of a tool definition that matter for classification and display.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolDef {
    pub name: String,
    pub title: String,
    pub description: String,
    pub params: Vec<Param>,
    /// Author-declared annotation hints, if any.
    pub declared: Option<Hints>,
    /// `annotations.title`, when present.
    pub annotation_title: String,
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// JSON Schema type as text (`string`, `integer|null`, alternatives joined by `|`).
pub(crate) fn type_of(schema: &Value) -> String {
    match schema.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("|"),
        _ => {
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(alts)) = schema.get(key) {
                    let tys: Vec<String> =
                        alts.iter().map(type_of).filter(|t| !t.is_empty()).collect();
                    if !tys.is_empty() {
                        return tys.join("|");
                    }
                }
            }
            String::new()
        }
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The scalar values an `enum`, `const`, `anyOf`/`oneOf` or array `items` enum allows.
pub(crate) fn enum_values(schema: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(Value::Array(vals)) = schema.get("enum") {
        out.extend(vals.iter().filter_map(scalar_text));
    }
    if let Some(c) = schema.get("const") {
        out.extend(scalar_text(c));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alts)) = schema.get(key) {
            for alt in alts {
                if let Some(Value::Array(vals)) = alt.get("enum") {
                    out.extend(vals.iter().filter_map(scalar_text));
                }
                if let Some(c) = alt.get("const") {
                    out.extend(scalar_text(c));
                }
            }
        }
    }
    // Arrays of enums (e.g. a list of operations).
    if out.is_empty() {
        if let Some(Value::Array(vals)) = schema.get("items").and_then(|i| i.get("enum")) {
            out.extend(vals.iter().filter_map(scalar_text));
        }
    }
    out
}

/// The parameters of `schema`; a parameter's type and enum follow local
/// `$ref`s to `defs` as the classifier's view does ([`shallow`]).
fn collect_params(schema: &Value, defs: Defs, prefix: &str, depth: usize, out: &mut Vec<Param>) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (name, prop) in props {
        let full = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let resolved = shallow(prop, &defs);
        let read = resolved.as_ref().unwrap_or(prop);
        out.push(Param {
            name: full.clone(),
            ty: type_of(read),
            required: required.contains(&name.as_str()),
            description: text_of(prop.get("description")),
            enum_values: enum_values(read),
            schema: prop.clone(),
        });
        if depth < 1 {
            collect_params(prop, defs, &full, depth + 1, out);
        }
    }
}

impl ToolDef {
    /// Builds the view from a raw tool object; never fails. A non-object tool
    /// yields a `ToolDef` with everything empty except what could be salvaged.
    pub fn from_value(v: &Value) -> ToolDef {
        let mut params = Vec::new();
        if let Some(schema) = v.get("inputSchema") {
            collect_params(schema, Defs::of(schema), "", 0, &mut params);
        }
        let annotations = v.get("annotations").cloned().unwrap_or(Value::Null);
        ToolDef {
            name: text_of(v.get("name")),
            title: text_of(v.get("title")),
            description: text_of(v.get("description")),
            params,
            declared: Hints::from_annotations(&annotations),
            annotation_title: text_of(annotations.get("title")),
        }
    }

    /// The same tool with its annotations removed (for blind classification).
    pub fn without_annotations(mut self) -> ToolDef {
        self.declared = None;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_on_malformed_tools() {
        let t = ToolDef::from_value(&json!({"name": "x", "description": 42, "inputSchema": null}));
        assert_eq!(t.name, "x");
        assert_eq!(t.description, "42");
        assert!(t.params.is_empty());
        assert!(t.declared.is_none());
        let t = ToolDef::from_value(&json!("not an object"));
        assert_eq!(t.name, "");
    }

    #[test]
    fn params_and_hints() {
        let t = ToolDef::from_value(&json!({
            "name": "repo",
            "inputSchema": {"type": "object", "required": ["op"], "properties": {
                "op": {"type": "string", "enum": ["get", "delete"], "description": "what"},
                "force": {"type": "boolean"},
                "opts": {"type": "object", "properties": {"depth": {"type": ["integer", "null"]}}}
            }},
            "annotations": {"readOnlyHint": false, "destructiveHint": "yes"}
        }));
        assert_eq!(t.params.len(), 4);
        assert_eq!(t.params[0].name, "op");
        assert!(t.params[0].required);
        assert_eq!(t.params[0].enum_values, vec!["get", "delete"]);
        assert_eq!(t.params[3].name, "opts.depth");
        assert_eq!(t.params[3].ty, "integer|null");
        assert_eq!(
            t.declared,
            Some(Hints {
                read_only: Some(false),
                ..Hints::default()
            })
        );
    }
}
