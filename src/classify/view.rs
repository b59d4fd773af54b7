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
    /// Borrowed from the tool's text where it can be (a top-level name
    /// or a `type` without escapes): two allocations fewer a parameter.
    pub name: Cow<'a, str>,
    pub ty: Cow<'a, str>,
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

/// How many `$ref`s [`walk`] follows below one parameter: past it, no
/// `$ref` there is followed at all (an answer that does not depend on the
/// order they are met in). A hostile schema whose definitions refer to one
/// another many times over costs no more.
pub(crate) const MAX_REFS: usize = 128;

/// How many definitions a `$ref` is followed through when it names one
/// that is itself a `$ref`.
const MAX_HOPS: usize = 8;

/// How many `$ref`s the type and enum of one parameter follow (its own,
/// its alternatives', its items').
const MAX_SHALLOW: usize = 32;

/// The local definitions of a tool's `inputSchema` that a `$ref` may name:
/// `#/$defs/NAME` (pydantic v2, FastMCP) and `#/definitions/NAME` (older
/// generators), NAME with the JSON-pointer escapes `~1` and `~0`. Nothing
/// else is followed: no other pointer, no remote or relative reference.
/// Empty for a schema without definitions, so that a schema without them
/// costs nothing more.
#[derive(Clone, Copy, Default)]
pub(crate) struct Defs<'a> {
    defs: Option<&'a serde_json::Map<String, Value>>,
    definitions: Option<&'a serde_json::Map<String, Value>>,
}

impl<'a> Defs<'a> {
    /// The definitions of `schema` (a tool's `inputSchema`).
    pub(crate) fn of(schema: &'a Value) -> Defs<'a> {
        let map = |k: &str| schema.get(k).and_then(Value::as_object);
        Defs {
            defs: map("$defs"),
            definitions: map("definitions"),
        }
    }

    fn is_empty(&self) -> bool {
        self.defs.is_none() && self.definitions.is_none()
    }

    /// The definition `node`'s `$ref` names, if it is one of these and an
    /// object (a missing or non-object one is ignored).
    fn target(&self, node: &Value) -> Option<&'a Value> {
        if self.is_empty() {
            return None;
        }
        let r = node.get("$ref")?.as_str()?;
        let (map, name) = if let Some(n) = r.strip_prefix("#/$defs/") {
            (self.defs?, n)
        } else if let Some(n) = r.strip_prefix("#/definitions/") {
            (self.definitions?, n)
        } else {
            return None;
        };
        if name.contains('/') {
            return None;
        }
        let name = if name.contains('~') {
            Cow::Owned(name.replace("~1", "/").replace("~0", "~"))
        } else {
            Cow::Borrowed(name)
        };
        map.get(name.as_ref()).filter(|d| d.is_object())
    }

    /// [`Defs::target`], followed through definitions that are `$ref`s
    /// themselves (at most [`MAX_HOPS`]).
    fn deref(&self, node: &Value) -> Option<&'a Value> {
        let mut at = self.target(node)?;
        for _ in 1..MAX_HOPS {
            match self.target(at) {
                Some(next) => at = next,
                None => break,
            }
        }
        Some(at)
    }
}

/// What [`walk`] knows of `$ref`s below one parameter: the definitions,
/// those on the path to the node it reads (a `$ref` to one of them is a
/// cycle, not followed), how many it followed, and the selectors it found
/// below one, added to the answer only if it stayed within [`MAX_REFS`].
#[derive(Default)]
pub(crate) struct Refs<'a> {
    defs: Defs<'a>,
    on_path: Vec<*const Value>,
    followed: usize,
    exceeded: bool,
    found: ItemOps,
}

impl<'a> Refs<'a> {
    pub(crate) fn new(defs: Defs<'a>) -> Refs<'a> {
        Refs {
            defs,
            ..Refs::default()
        }
    }

    /// Adds the selectors found below a `$ref` to `out` (nothing when more
    /// `$ref`s than [`MAX_REFS`] were met).
    pub(crate) fn finish(self, out: &mut ItemOps) {
        if !self.exceeded {
            for (path, vals) in self.found {
                add(out, path, vals);
            }
        }
    }
}

/// `node` (a parameter's schema) with the `$ref`s that [`type_of`] and
/// [`enum_values`] would meet resolved: its own (its definition's type,
/// enum, const, alternatives and items where it has none of its own), its
/// alternatives' and its items'. `None` when it has none of them (the
/// schema is read as it is).
pub(crate) fn shallow(node: &Value, defs: &Defs) -> Option<Value> {
    if defs.is_empty() {
        return None;
    }
    let own = node.as_object()?;
    let alts = |o: &serde_json::Map<String, Value>| {
        ["anyOf", "oneOf"].into_iter().any(|k| {
            o.get(k)
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|a| a.get("$ref").is_some()))
        })
    };
    let items_ref = own.get("items").is_some_and(|i| i.get("$ref").is_some());
    if !own.contains_key("$ref") && !alts(own) && !items_ref {
        return None;
    }
    let mut left = MAX_SHALLOW;
    let mut follow = |n: &Value| -> Option<&Value> {
        let t = defs.deref(n)?;
        (left > 0).then(|| {
            left -= 1;
            t
        })
    };
    // The members read of `n` overlaid on its definition's.
    let overlay = |n: &serde_json::Map<String, Value>, def: Option<&Value>| {
        let mut out = serde_json::Map::new();
        let def = def.and_then(Value::as_object);
        for key in ["type", "enum", "const"] {
            if let Some(v) = n.get(key).or_else(|| def.and_then(|d| d.get(key))) {
                out.insert(key.to_owned(), v.clone());
            }
        }
        for key in ["anyOf", "oneOf"] {
            let v = n
                .get(key)
                .filter(|v| v.is_array())
                .or_else(|| def.and_then(|d| d.get(key)));
            if let Some(v) = v {
                out.insert(key.to_owned(), v.clone());
            }
        }
        let items = n
            .get("items")
            .filter(|i| i.get("enum").is_some() || i.get("$ref").is_some())
            .or_else(|| def.and_then(|d| d.get("items")));
        if let Some(items) = items {
            out.insert("items".to_owned(), items.clone());
        }
        out
    };
    let mut out = overlay(own, follow(node));
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alts)) = out.get_mut(key) {
            for alt in alts.iter_mut() {
                if let (Some(def), Some(o)) = (follow(alt), alt.as_object()) {
                    *alt = Value::Object(overlay(o, Some(def)));
                }
            }
        }
    }
    if let Some(items) = out.get_mut("items") {
        if let (Some(def), Some(o)) = (follow(items), items.as_object()) {
            *items = Value::Object(overlay(o, Some(def)));
        }
    }
    Some(Value::Object(out))
}

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
/// of its `anyOf`/`oneOf` alternatives (`Optional[Literal[...]]`); where it
/// or an alternative is a `$ref` to one of `defs`, those of the definition
/// too (at most [`MAX_SHALLOW`] followed).
fn selector_values(sel: &Value, defs: &Defs) -> Vec<String> {
    let mut out = Vec::new();
    let mut left = MAX_SHALLOW;
    let mut read = |s: &Value| {
        let def = defs.deref(s).filter(|_| left > 0);
        if def.is_some() {
            left -= 1;
        }
        for s in std::iter::once(s).chain(def) {
            if let Some(Value::Array(vals)) = s.get("enum") {
                out.extend(vals.iter().filter_map(|v| v.as_str().map(str::to_owned)));
            }
            if let Some(Value::String(c)) = s.get("const") {
                out.push(c.clone());
            }
        }
    };
    read(sel);
    let own = defs.deref(sel);
    for node in std::iter::once(sel).chain(own) {
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(alts)) = node.get(key) {
                alts.iter().for_each(&mut read);
            }
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
/// A `$ref` to one of the tool's definitions (see [`Defs`]) is read as one
/// more alternative, after `allOf`'s: a cycle is cut where it closes, and
/// a `$ref` counts as a level towards [`MAX_NEST`]. What is found below
/// one waits in `refs` until [`Refs::finish`].
///
/// It reads only `enum`, `const`, `items`, `properties`, `anyOf`, `oneOf`,
/// `allOf` and `$ref` (what the streaming path keeps of a schema,
/// view/json.rs); a parameter's `properties` are read last, so that path
/// can add them as it meets them.
pub(crate) fn walk(
    node: &Value,
    steps: bool,
    at: Option<&Seg>,
    depth: usize,
    selectors: bool,
    refs: &mut Refs,
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
            let vals = selector_values(sel, &refs.defs);
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
            match refs.on_path.is_empty() {
                true => add(out, path, vals),
                false => add(&mut refs.found, path, vals),
            }
        }
    }
    if let Some(items) = node.get("items").filter(|i| i.is_object()) {
        walk(
            items,
            steps,
            Some(&Seg::Items(at)),
            depth + 1,
            true,
            refs,
            out,
        );
    }
    // A parameter that is one of several objects, each naming its
    // operation (a discriminated union: `params` as list, add or delete,
    // `{"operation": {"const": "delete"}, ...}`), or a `$ref` to one: its
    // alternatives' selectors are the parameter's, as an array's items' are.
    let own = selectors || (depth == 0 && at.is_none());
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(alts)) = node.get(key) {
            for alt in alts {
                walk(alt, steps, at, depth + 1, own, refs, out);
            }
        }
    }
    if let Some(def) = refs.defs.target(node) {
        let def_at: *const Value = def;
        if !refs.exceeded && !refs.on_path.contains(&def_at) {
            refs.followed += 1;
            if refs.followed > MAX_REFS {
                refs.exceeded = true;
            } else {
                refs.on_path.push(def_at);
                walk(def, steps, at, depth + 1, own, refs, out);
                refs.on_path.pop();
            }
        }
    }
    if let Some(props) = props {
        for (name, prop) in props {
            let seg = Seg::Prop(at, name);
            walk(
                prop,
                is_steps(name),
                Some(&seg),
                depth + 1,
                false,
                refs,
                out,
            );
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
fn item_ops(name: &str, schema: &Value, defs: Defs) -> ItemOps {
    let mut out = Vec::new();
    let mut refs = Refs::new(defs);
    walk(schema, is_steps(name), None, 0, false, &mut refs, &mut out);
    refs.finish(&mut out);
    settle(&mut out);
    out
}

fn collect<'a>(
    schema: &'a Value,
    defs: Defs,
    prefix: &str,
    depth: usize,
    out: &mut Vec<ParamView<'a>>,
) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, prop) in props {
        let full = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let resolved = shallow(prop, &defs);
        let read = resolved.as_ref().unwrap_or(prop);
        out.push(ParamView {
            item_ops: if prefix.is_empty() {
                item_ops(name, prop, defs)
            } else {
                Vec::new()
            },
            name: Cow::Owned(full.clone()),
            ty: Cow::Owned(type_of(read)),
            description: text_of(prop.get("description")),
            enum_values: enum_values(read),
        });
        if depth < 1 {
            collect(prop, defs, &full, depth + 1, out);
        }
    }
}

impl<'a> ToolView<'a> {
    /// Never fails; mirrors `ToolDef::from_value`.
    pub fn new(v: &'a Value) -> ToolView<'a> {
        let mut params = Vec::new();
        if let Some(schema) = v.get("inputSchema") {
            collect(schema, Defs::of(schema), "", 0, &mut params);
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
            .map(|p| (p.name.as_ref(), p.ty.as_ref()))
            .collect();
        let bn: Vec<(&str, &str)> = b
            .params
            .iter()
            .map(|p| (p.name.as_ref(), p.ty.as_ref()))
            .collect();
        assert_eq!(an, bn);
        assert_eq!(a.params[0].enum_values, b.params[0].enum_values);
        // Both follow a parameter's local `$ref`s alike.
        let v = json!({"name": "m", "inputSchema": {"properties": {
            "action": {"$ref": "#/$defs/Op"},
            "opt": {"anyOf": [{"$ref": "#/definitions/Op"}, {"type": "null"}]}},
            "$defs": {"Op": {"type": "string", "enum": ["get", "delete"]}},
            "definitions": {"Op": {"type": "string", "const": "drop"}}}});
        let (a, b) = (ToolView::new(&v), ToolDef::from_value(&v));
        let an: Vec<String> = a
            .params
            .iter()
            .map(|p| format!("{} {} {:?}", p.name, p.ty, p.enum_values))
            .collect();
        let bn: Vec<String> = b
            .params
            .iter()
            .map(|p| format!("{} {} {:?}", p.name, p.ty, p.enum_values))
            .collect();
        assert_eq!(an, bn);
        assert_eq!(
            an,
            [
                r#"action string ["get", "delete"]"#,
                r#"opt string|null ["drop"]"#
            ]
        );
    }

    /// Every field of a view as one string, for tests comparing two ways
    /// of building it.
    pub(crate) fn flat(v: &ToolView) -> String {
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

    /// A parameter that is one of several objects, each naming its
    /// operation (a pydantic discriminated union), selects the operation
    /// as a selector of an array's items does; on both paths alike.
    #[test]
    fn a_union_of_objects_names_its_operations() {
        let c = r##"{"name": "charts", "inputSchema": {"properties": {"params": {
              "discriminator": {"propertyName": "operation"},
              "oneOf": [{"$ref": "#/$defs/List"}, {"$ref": "#/$defs/Delete"}]}},
            "$defs": {"List": {"properties": {"operation": {"const": "list"}}},
              "Delete": {"properties": {"operation": {"const": "delete"}, "chart": {}}}}}}"##;
        let v: Value = serde_json::from_str(c).unwrap();
        let slow = ToolView::new(&v);
        assert_eq!(
            flat(&ToolView::from_json(c).expect("fast path")),
            flat(&slow)
        );
        assert_eq!(
            slow.params[0].item_ops,
            [(
                ".operation".into(),
                vec!["list".to_owned(), "delete".to_owned()]
            )]
        );
        // A plain object parameter's own fields are no selector of it.
        let plain: Value = serde_json::from_str(
            r#"{"name": "f", "inputSchema": {"properties": {"filter": {"type": "object",
                "properties": {"op": {"enum": ["eq", "delete"]}}}}}}"#,
        )
        .unwrap();
        assert!(ToolView::new(&plain).params[0].item_ops.is_empty());
    }

    #[test]
    fn refs_read_the_same_on_both_paths() {
        let cases = [
            // Own, alternative, items and selector refs; chains; escapes;
            // a missing, a remote, a non-string and a non-object target;
            // an empty definition; a repeated definition and `$defs`.
            r##"{"name": "r", "inputSchema": {"$defs": {"Gone": {}}, "properties": {
                 "action": {"$ref": "#/$defs/Op", "description": "what"},
                 "opt": {"anyOf": [{"$ref": "#/$defs/Op"}, {"type": "null"}]},
                 "list": {"type": "array", "items": {"$ref": "#/$defs/Op"}},
                 "chain": {"$ref": "#/$defs/Alias"},
                 "esc": {"$ref": "#/$defs/a~1b~0c"},
                 "gone": {"$ref": "#/$defs/Gone", "enum": ["x", "y"]},
                 "miss": {"$ref": "#/$defs/Nope", "enum": ["x"]},
                 "remote": {"$ref": "http://x/s.json#/$defs/Op"},
                 "num": {"$ref": 5}, "scalar": {"$ref": "#/$defs/Num"},
                 "deep": {"$ref": "#/$defs/Op/enum"},
                 "steps": {"type": "array", "items": {"$ref": "#/$defs/Step"}},
                 "files": {"items": {"$ref": "#/$defs/File", "properties": {}}, "anyOf": {}},
                 "old": {"$ref": "#/definitions/Op"}},
               "$defs": {"Op": {"type": "string", "enum": ["list", "delete"], "title": "Op"},
                 "Alias": {"$ref": "#/$defs/Op", "description": "alias"},
                 "a/b~c": {"const": "drop"}, "Num": 3, "Num": [1],
                 "Step": {"type": "object", "properties": {"type": {"$ref": "#/$defs/Kind"},
                   "op": {"anyOf": [{"$ref": "#/$defs/Op"}, {"const": "move"}]},
                   "sub": {"type": "array", "items": {"$ref": "#/$defs/Step"}}}},
                 "Kind": {"enum": ["click", "erase"]},
                 "File": {"properties": {"action": {"$ref": "#/$defs/Op"}, "path": {}},
                   "allOf": [{"$ref": "#/$defs/File"}], "items": {"x": 1}},
                 "Op": {"type": "string", "enum": ["get", "delete"]}},
               "definitions": {"Op": {"enum": ["make", "purge"]}}}}"##,
            // A cycle of two, a self-reference, and a reference to a
            // definition that refers to itself only.
            r##"{"name": "c", "inputSchema": {"properties": {
                 "a": {"$ref": "#/$defs/A"}, "s": {"$ref": "#/$defs/S"},
                 "z": {"items": {"$ref": "#/$defs/Z"}}},
               "$defs": {"A": {"items": {"$ref": "#/$defs/B"}, "properties": {"op": {"enum": ["q", "r"]}}},
                 "B": {"properties": {"op": {"enum": ["get", "delete"]}, "next": {"$ref": "#/$defs/A"}},
                   "items": {"$ref": "#/$defs/A"}},
                 "S": {"type": "array", "items": {"$ref": "#/$defs/S"}},
                 "Z": {"$ref": "#/$defs/Z"}}}}"##,
            // `$defs` that is no object, repeated, or on a nested schema.
            r##"{"name": "d", "inputSchema": {"$defs": [{"Op": {"enum": ["a"]}}],
                 "properties": {"x": {"$ref": "#/$defs/Op"},
                   "y": {"properties": {"z": {"$ref": "#/$defs/Op"}}, "$defs": {"Op": {"enum": ["b"]}}}},
                 "$defs": {"Op": {"enum": ["get", "delete"]}}, "definitions": 7}}"##,
        ];
        for c in cases {
            let v: Value = serde_json::from_str(c).unwrap();
            let fast = ToolView::from_json(c).expect("fast path");
            assert_eq!(flat(&fast), flat(&ToolView::new(&v)), "{c}");
        }
        let seen = |c: &str| -> Vec<String> {
            let v: Value = serde_json::from_str(c).unwrap();
            ToolView::new(&v)
                .params
                .iter()
                .map(|p| {
                    let ops: Vec<String> = p
                        .item_ops
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.join("/")))
                        .collect();
                    format!(
                        "{} {} [{}] {}",
                        p.name,
                        p.ty,
                        p.enum_values.join("/"),
                        ops.join(" ")
                    )
                })
                .collect()
        };
        assert_eq!(
            seen(cases[0]),
            [
                "action string [get/delete] ",
                "opt string|null [get/delete] ",
                "list array [get/delete] ",
                "chain string [get/delete] ",
                "esc  [drop] ",
                "gone  [x/y] ",
                "miss  [x] ",
                "remote  [] ",
                "num  [] ",
                "scalar  [] ",
                "deep  [] ",
                // `sub` is the cycle Step -> Step: cut where it closes.
                "steps array [] [].type=click/erase [].op=get/delete/move",
                "files  [] [].action=get/delete",
                "old  [make/purge] ",
            ]
        );
        assert_eq!(
            seen(cases[1]),
            [
                // A's own `op` selects the operation of `a` (a `$ref` to
                // one object); B's, in A's items, an item's (a cycle).
                "a  [] .op=q/r [].op=get/delete",
                "s array [] ",
                "z  [] ",
            ]
        );
        assert_eq!(
            seen(cases[2]),
            ["x  [get/delete] ", "y  [] ", "y.z  [get/delete] "]
        );
    }
}
