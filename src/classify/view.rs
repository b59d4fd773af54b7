//! A borrowed, allocation-light twin of [`crate::tool::ToolDef`] for the hot
//! path: same leniency and same parameter flattening (top level plus one level
//! of nesting as `parent.child`), but schemas are borrowed, not cloned.

use std::borrow::Cow;

use serde_json::Value;

use crate::tool::{enum_values, type_of, Hints};

/// The operation selectors found in a parameter's schema: each as its path
/// below the parameter (`[].action`, `[].steps[].action`, `.steps[].type`)
/// and the string values it allows.
pub type ItemOps = Vec<(Cow<'static, str>, Vec<String>)>;

pub struct ParamView<'a> {
    pub name: String,
    pub ty: String,
    pub description: Cow<'a, str>,
    pub enum_values: Vec<String>,
    /// For a top-level parameter: the selector enums of the items of the
    /// arrays of objects it holds, at any depth ([`MAX_NEST`]) of arrays,
    /// objects and `anyOf`/`oneOf`/`allOf` alternatives (see [`walk`]).
    /// In an array of steps (`actions`, `steps`, `operations`, `commands`)
    /// the items' selector keys are `type`, `action`, `kind`, `operation`
    /// and `op`, in that order; in any other array (`files: [{action,
    /// path, content}]`) only `action`, `operation` and `op` (`type` and
    /// `kind` there name what an item is, not what is done to it).
    pub item_ops: ItemOps,
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

/// Selector keys looked up in the items of an array of steps, with their
/// path in the items of a top-level parameter.
const ITEM_KEYS: [(&str, &str); 5] = [
    ("type", "[].type"),
    ("action", "[].action"),
    ("kind", "[].kind"),
    ("operation", "[].operation"),
    ("op", "[].op"),
];

/// Selector keys looked up in the items of any other array: only words that
/// name what is done to the item.
const OP_KEYS: [(&str, &str); 3] = [
    ("action", "[].action"),
    ("operation", "[].operation"),
    ("op", "[].op"),
];

/// How many schema levels (an array's `items`, an object's property, an
/// alternative of `anyOf`/`oneOf`/`allOf`) [`walk`] descends below a
/// parameter: a hostile schema nested deeper costs no more.
pub(crate) const MAX_NEST: usize = 24;

/// One step of the path from a parameter down to a schema [`walk`] reads:
/// an array's items (`[]`) or a property (`.name`). Kept on the stack; the
/// path is written out only for a selector found.
#[derive(Clone, Copy)]
pub(crate) enum Seg<'s> {
    Items(Option<&'s Seg<'s>>),
    Prop(Option<&'s Seg<'s>>, &'s str),
}

impl Seg<'_> {
    fn write(&self, out: &mut String) {
        let (up, name) = match self {
            Seg::Items(up) => (up, None),
            Seg::Prop(up, name) => (up, Some(name)),
        };
        if let Some(up) = up {
            up.write(out);
        }
        match name {
            None => out.push_str("[]"),
            Some(name) => {
                out.push('.');
                out.push_str(name);
            }
        }
    }
}

/// The string values a selector allows: its `enum`, its `const`, and those
/// of its `anyOf`/`oneOf` alternatives (`Optional[Literal[...]]`).
fn selector_values(sel: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut read = |s: &Value| {
        if let Some(Value::Array(vals)) = s.get("enum") {
            out.extend(vals.iter().filter_map(|v| v.as_str().map(str::to_owned)));
        }
        if let Some(Value::String(c)) = s.get("const") {
            out.push(c.clone());
        }
    };
    read(sel);
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alts)) = sel.get(key) {
            alts.iter().for_each(&mut read);
        }
    }
    out
}

/// Adds a selector's values under `path`, merged into an entry already
/// there (alternatives of one item each naming their own operation).
fn add(out: &mut ItemOps, path: Cow<'static, str>, vals: Vec<String>) {
    match out.iter_mut().find(|(p, _)| *p == path) {
        Some((_, have)) => {
            for v in vals {
                if !have.contains(&v) {
                    have.push(v);
                }
            }
        }
        None => out.push((path, vals)),
    }
}

/// The operation selectors under `node`, the schema at `at` below a
/// parameter, `depth` levels down: where `node` is an array's items
/// (`selectors`), its properties named by [`ITEM_KEYS`] (in an array of
/// steps, `steps`) or [`OP_KEYS`]; then, in this order, those of its
/// `items`, of its `anyOf`/`oneOf`/`allOf` alternatives and of its
/// properties. An array's kind of keys follows its own name.
///
/// It reads only `enum`, `const`, `items`, `properties`, `anyOf`, `oneOf`
/// and `allOf` (what the streaming path keeps of a schema, view/json.rs);
/// a parameter's `properties` are read last, so that path can add them as
/// it meets them.
pub(crate) fn walk(
    node: &Value,
    steps: bool,
    at: Option<&Seg>,
    depth: usize,
    selectors: bool,
    out: &mut ItemOps,
) {
    if depth > MAX_NEST {
        return;
    }
    let props = node.get("properties").and_then(Value::as_object);
    if let (true, Some(props)) = (selectors, props) {
        let keys: &[(&'static str, &'static str)] = if steps { &ITEM_KEYS } else { &OP_KEYS };
        for (key, direct) in keys {
            let Some(sel) = props.get(*key) else {
                continue;
            };
            let vals = selector_values(sel);
            if vals.is_empty() {
                continue;
            }
            let path = match at {
                Some(Seg::Items(None)) => Cow::Borrowed(*direct),
                _ => {
                    let mut p = String::new();
                    if let Some(at) = at {
                        at.write(&mut p);
                    }
                    p.push('.');
                    p.push_str(key);
                    Cow::Owned(p)
                }
            };
            add(out, path, vals);
        }
    }
    if let Some(items) = node.get("items").filter(|i| i.is_object()) {
        walk(items, steps, Some(&Seg::Items(at)), depth + 1, true, out);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(alts)) = node.get(key) {
            for alt in alts {
                walk(alt, steps, at, depth + 1, selectors, out);
            }
        }
    }
    if let Some(props) = props {
        for (name, prop) in props {
            let seg = Seg::Prop(at, name);
            walk(prop, is_steps(name), Some(&seg), depth + 1, false, out);
        }
    }
}

/// `ops` in an order that does not depend on the order of the properties
/// that led to them: stably by the array whose items hold them.
pub(crate) fn settle(ops: &mut ItemOps) {
    if ops.len() > 1 {
        let array = |p: &str| p.rfind('.').unwrap_or(0);
        ops.sort_by(|a, b| a.0[..array(&a.0)].cmp(&b.0[..array(&b.0)]));
    }
}

/// The operation selectors under the top-level parameter `name` (see
/// [`ParamView::item_ops`]).
fn item_ops(name: &str, schema: &Value) -> ItemOps {
    let mut out = Vec::new();
    walk(schema, is_steps(name), None, 0, false, &mut out);
    settle(&mut out);
    out
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
                item_ops(name, prop)
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
            // Selectors at any depth: nested arrays, objects, alternatives,
            // repeated names (the last wins, in the first's place), members
            // the streaming path does not keep, and a depth-1 object.
            r#"{"name": "n", "inputSchema": {"properties": {
                 "steps": {"anyOf": [{"type": "null"}, {"type": "array", "items": {"oneOf": [
                    {"properties": {"type": {"const": "click"}, "x": 1, "y": {},
                      "steps": {"items": {"properties": {"action": {"enum": ["get", "drop"]},
                        "sort": {"enum": ["asc"]}}}}}},
                    {"properties": {"type": {"const": "delete", "enum": ["a", 2]}}}]}}]},
                 "plan": {"type": "object", "allOf": [{"properties": {"ops": {"items": {"properties": {
                      "op": {"anyOf": [{"enum": ["x"]}, {"const": "y"}]}}}}}}],
                    "properties": {"a": {"items": {"properties": {"action": {"enum": ["p"]}}}},
                      "b": {"properties": {"c": {"items": {"properties": {"op": {"enum": ["q"]}}}}}},
                      "a": {"items": {"properties": {"action": {"enum": ["r"]}}}},
                      "d": {"items": {"properties": {"op": {"enum": ["s"]}, "op": {},
                        "e": {"items": {"properties": {"op": {"enum": ["t"]}}}}, "f": {},
                        "e": {"type": "string"}, "g": {}, "f": {"items": {"properties": {"op": {"enum": ["u"]}}}},
                        "action": 5, "action": {"enum": ["v"]}}}}}},
                 "files": {"items": {"properties": {"type": {"enum": ["file"]}, "action": {"enum": ["rm"]}}},
                    "properties": {"action": {"enum": ["w"]}}}}}}"#,
            // serde_json's raw-value key reads an object as another value.
            r#"{"name": "z", "annotations": {"$serde_json::private::RawValue": "{\"destructiveHint\": true, \"title\": \"R\"}"},
               "inputSchema": {"properties": {"p": {"anyOf": [{"$serde_json::private::RawValue": "{\"type\": \"boolean\"}"}]}}}}"#,
        ];
        for c in cases {
            let v: Value = serde_json::from_str(c).unwrap();
            let fast = ToolView::from_json(c).expect("fast path");
            assert_eq!(flat(&fast), flat(&ToolView::new(&v)), "{c}");
        }
        let nested = ToolView::from_json(cases[7]).expect("fast path");
        let ops: Vec<String> = nested
            .params
            .iter()
            .flat_map(|p| {
                p.item_ops
                    .iter()
                    .map(move |(k, v)| format!("{}{k}={v:?}", p.name))
            })
            .collect();
        assert_eq!(
            ops,
            [
                r#"steps[].type=["click", "a", "delete"]"#,
                r#"steps[].steps[].action=["get", "drop"]"#,
                r#"plan.a[].action=["r"]"#,
                r#"plan.b.c[].op=["q"]"#,
                r#"plan.d[].action=["v"]"#,
                r#"plan.d[].f[].op=["u"]"#,
                r#"plan.ops[].op=["x", "y"]"#,
                r#"files[].action=["rm"]"#,
            ]
        );
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
