//! `mcp-risk policy check`: validates a PolicyLayer policy.json v1 or an
//! Intercept YAML v1 policy, ours or hand-written, and reports every error
//! with its location: a JSON pointer for JSON, `line:col` for YAML.
//!
//! Checked: unknown and missing fields, wrong types, bad windows, bad
//! operators and operator/value mismatches, invalid regexes, a tool both
//! hidden and listed, counters shared by accident (the same counter name on
//! two tools, or a condition reading another tool's counter), duplicate
//! counters within a tool, rate-limit syntax, and Intercept's action rules.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::policylayer::pointer_escape;
pub use super::yaml_locate::Seg;

/// Which format a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PolicyJson,
    Intercept,
    /// A file `mcp-risk policy` writes beside policies (reasons sidecar,
    /// Claude Code or Codex settings): recognised by name and skipped, so
    /// `policy check out/*` works.
    NotAPolicy,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PolicyJson => "policy.json v1",
            Kind::Intercept => "Intercept YAML v1",
            Kind::NotAPolicy => "not a policy: reasons sidecar or agent settings, skipped",
        }
    }
}

/// One problem, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// A JSON pointer (`/tools/x/limits/0`) or `line:col`.
    pub location: String,
    pub message: String,
}

/// The outcome of checking one file.
#[derive(Clone, Debug)]
pub struct Report {
    pub kind: Kind,
    /// Tools listed plus tools hidden.
    pub tools: usize,
    /// The first [`MAX_DIAGNOSTICS`] problems, then one "and N more" line.
    pub diagnostics: Vec<Diagnostic>,
    /// How many problems were found (more than `diagnostics` when capped).
    pub errors: usize,
}

/// Problems reported one by one; the rest are counted in one last line.
pub const MAX_DIAGNOSTICS: usize = 200;

/// Deepest nesting a policy may have (serde_json's own recursion limit;
/// real policies nest six levels). Deeper YAML is refused before parsing.
pub const MAX_DEPTH: usize = 128;

impl Report {
    /// A report of `diagnostics` (all found, in order), capped.
    pub(super) fn capped(kind: Kind, tools: usize, mut diagnostics: Vec<Diagnostic>) -> Report {
        let errors = diagnostics.len();
        if errors > MAX_DIAGNOSTICS {
            let location = diagnostics[MAX_DIAGNOSTICS].location.clone();
            diagnostics.truncate(MAX_DIAGNOSTICS);
            diagnostics.push(Diagnostic {
                location,
                message: format!(
                    "and {} more errors from here on (only the first {MAX_DIAGNOSTICS} are shown)",
                    errors - MAX_DIAGNOSTICS
                ),
            });
        }
        Report {
            kind,
            tools,
            diagnostics,
            errors,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Checks a file; the format follows the extension (`.yaml`/`.yml` is
/// Intercept, anything else is sniffed: `{` means policy.json). Files named
/// like our sidecars (`.reasons.json`, `.claude.json`, `.toml`) are skipped.
pub fn check_file(path: &Path) -> Result<Report, CheckError> {
    let text = std::fs::read_to_string(path).map_err(|source| CheckError::Io {
        path: path.to_owned(),
        source,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if name.ends_with(".reasons.json") || name.ends_with(".claude.json") || name.ends_with(".toml")
    {
        return Ok(Report::capped(Kind::NotAPolicy, 0, Vec::new()));
    }
    let yaml = match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => true,
        Some("json") => false,
        _ => !text.trim_start().starts_with('{'),
    };
    Ok(if yaml {
        check_intercept(&text)
    } else {
        check_policy_json(&text)
    })
}

/// Collects errors at paths; renders them at the end.
#[derive(Default)]
pub(super) struct Checker {
    pub(super) errs: Vec<(Vec<Seg>, String)>,
}

pub(super) fn at(path: &[Seg], seg: impl Into<SegArg>) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(match seg.into() {
        SegArg::K(k) => Seg::Key(k),
        SegArg::I(i) => Seg::Index(i),
    });
    p
}

pub(super) enum SegArg {
    K(String),
    I(usize),
}
impl From<&str> for SegArg {
    fn from(s: &str) -> Self {
        SegArg::K(s.to_owned())
    }
}
impl From<&String> for SegArg {
    fn from(s: &String) -> Self {
        SegArg::K(s.clone())
    }
}
impl From<usize> for SegArg {
    fn from(i: usize) -> Self {
        SegArg::I(i)
    }
}

pub(crate) const OPS: &[&str] = &[
    "eq", "neq", "in", "not_in", "lt", "lte", "gt", "gte", "regex", "contains", "exists",
];
pub(super) const WINDOWS: &[&str] = &["minute", "hour", "day"];

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl Checker {
    /// Records the duplicate keys a [`super::dupkeys`] pass found.
    pub(super) fn duplicates<E>(&mut self, found: Result<Vec<(Vec<Seg>, String)>, E>) {
        for (path, key) in found.unwrap_or_default() {
            let msg = format!(
                "\"{key}\" appears twice in the same object; the later entry silently replaces the earlier one"
            );
            self.err(at(&path, &key), msg);
        }
    }

    pub(super) fn err(&mut self, path: Vec<Seg>, msg: impl Into<String>) {
        self.errs.push((path, msg.into()));
    }

    /// An object with only `allowed` keys and every `required` key.
    pub(super) fn object<'a>(
        &mut self,
        v: &'a Value,
        path: &[Seg],
        allowed: &[&str],
        required: &[&str],
    ) -> Option<&'a Map<String, Value>> {
        let Some(m) = v.as_object() else {
            self.err(
                path.to_vec(),
                format!("expected an object, found {}", type_name(v)),
            );
            return None;
        };
        for k in m.keys() {
            if !allowed.contains(&k.as_str()) {
                self.err(
                    at(path, k),
                    format!(
                        "unknown field \"{k}\" (expected one of: {})",
                        allowed.join(", ")
                    ),
                );
            }
        }
        for r in required {
            if !m.contains_key(*r) {
                self.err(path.to_vec(), format!("missing required field \"{r}\""));
            }
        }
        Some(m)
    }

    pub(super) fn array<'a>(&mut self, v: &'a Value, path: &[Seg]) -> Option<&'a Vec<Value>> {
        match v {
            Value::Array(a) => Some(a),
            other => {
                self.err(
                    path.to_vec(),
                    format!("expected a list, found {}", type_name(other)),
                );
                None
            }
        }
    }

    pub(super) fn string<'a>(&mut self, v: &'a Value, path: &[Seg]) -> Option<&'a str> {
        match v {
            Value::String(s) => Some(s),
            other => {
                self.err(
                    path.to_vec(),
                    format!("expected a string, found {}", type_name(other)),
                );
                None
            }
        }
    }

    pub(super) fn one_of(&mut self, v: &Value, path: &[Seg], choices: &[&str], what: &str) {
        if let Some(s) = self.string(v, path) {
            if !choices.contains(&s) {
                self.err(
                    path.to_vec(),
                    format!("{what} must be one of {}, got \"{s}\"", choices.join(", ")),
                );
            }
        }
    }

    /// `hide`: unique non-empty tool names. Returns name → index.
    pub(super) fn hide(&mut self, v: &Value, path: &[Seg]) -> BTreeMap<String, usize> {
        let mut seen = BTreeMap::new();
        for (i, item) in self.array(v, path).into_iter().flatten().enumerate() {
            let p = at(path, i);
            let Some(s) = self.string(item, &p) else {
                continue;
            };
            if s.trim().is_empty() {
                self.err(p, "hidden tool name must not be empty");
            } else if let Some(first) = seen.get(s) {
                self.err(p, format!("\"{s}\" is already hidden at index {first}"));
            } else {
                seen.insert(s.to_owned(), i);
            }
        }
        seen
    }

    /// One condition; `prefixes` are the allowed path roots.
    pub(super) fn condition(
        &mut self,
        v: &Value,
        path: &[Seg],
        prefixes: &[&str],
    ) -> Option<String> {
        let m = self.object(v, path, &["path", "op", "value"], &["path", "op", "value"])?;
        let mut cond_path = None;
        if let Some(p) = m.get("path") {
            let pp = at(path, "path");
            if let Some(s) = self.string(p, &pp) {
                let ok = prefixes
                    .iter()
                    .any(|pre| s.strip_prefix(pre).is_some_and(|rest| !rest.is_empty()));
                if ok {
                    cond_path = Some(s.to_owned());
                } else {
                    let roots: Vec<String> =
                        prefixes.iter().map(|p| format!("\"{p}<field>\"")).collect();
                    self.err(
                        pp,
                        format!("path must look like {}, got \"{s}\"", roots.join(" or ")),
                    );
                }
            }
        }
        let op = m.get("op").and_then(|o| {
            let op_path = at(path, "op");
            let s = self.string(o, &op_path)?;
            if OPS.contains(&s) {
                Some(s)
            } else {
                self.err(
                    op_path,
                    format!(
                        "unknown operator \"{s}\" (expected one of: {})",
                        OPS.join(", ")
                    ),
                );
                None
            }
        });
        if let (Some(op), Some(value)) = (op, m.get("value")) {
            self.value_for(op, value, &at(path, "value"));
        }
        cond_path
    }

    pub(super) fn value_for(&mut self, op: &str, value: &Value, path: &[Seg]) {
        let found = type_name(value);
        match op {
            "in" | "not_in" if !value.is_array() => self.err(
                path.to_vec(),
                format!("operator \"{op}\" needs a list value, found {found}"),
            ),
            "lt" | "lte" | "gt" | "gte" if !value.is_number() => self.err(
                path.to_vec(),
                format!("operator \"{op}\" needs a number, found {found}"),
            ),
            "exists" if !value.is_boolean() => self.err(
                path.to_vec(),
                format!("operator \"exists\" needs true or false, found {found}"),
            ),
            "regex" => match value.as_str() {
                None => self.err(
                    path.to_vec(),
                    format!("operator \"regex\" needs a string, found {found}"),
                ),
                Some(re) => {
                    if let Err(e) = regex::Regex::new(re) {
                        let first = e.to_string().lines().last().unwrap_or("").trim().to_owned();
                        self.err(path.to_vec(), format!("invalid regex \"{re}\": {first}"));
                    }
                }
            },
            _ => {}
        }
    }
}

/// Checks policy.json text.
pub fn check_policy_json(text: &str) -> Report {
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Report::capped(
                Kind::PolicyJson,
                0,
                vec![Diagnostic {
                    location: format!("{}:{}", e.line(), e.column()),
                    message: format!("not valid JSON: {e}"),
                }],
            )
        }
    };
    let mut c = Checker::default();
    let mut de = serde_json::Deserializer::from_str(text);
    c.duplicates(super::dupkeys::duplicates(&mut de));
    let tools = policy_json(&mut c, &doc);
    Report::capped(
        Kind::PolicyJson,
        tools,
        c.errs
            .into_iter()
            .map(|(p, message)| Diagnostic {
                location: pointer(&p),
                message,
            })
            .collect(),
    )
}

/// RFC 6901 pointer of a path (`/` for the root).
pub fn pointer(path: &[Seg]) -> String {
    if path.is_empty() {
        return "/".into();
    }
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => format!("/{}", pointer_escape(k)),
            Seg::Index(i) => format!("/{i}"),
        })
        .collect()
}

fn policy_json(c: &mut Checker, doc: &Value) -> usize {
    let root: &[Seg] = &[];
    let Some(m) = c.object(
        doc,
        root,
        &["version", "default", "hide", "all_tools", "tools"],
        &["version", "default"],
    ) else {
        return 0;
    };
    if let Some(v) = m.get("version") {
        if v.as_str() != Some("1") {
            c.err(
                at(root, "version"),
                format!("version must be the string \"1\", got {v}"),
            );
        }
    }
    if let Some(v) = m.get("default") {
        c.one_of(v, &at(root, "default"), &["allow", "deny"], "default");
    }
    let hidden = m
        .get("hide")
        .map(|h| c.hide(h, &at(root, "hide")))
        .unwrap_or_default();
    // counter name → (owner, path of first use)
    let mut counters: BTreeMap<String, (String, Vec<Seg>)> = BTreeMap::new();
    if let Some(all) = m.get("all_tools") {
        let p = at(root, "all_tools");
        if let Some(am) = c.object(all, &p, &["limits"], &[]) {
            if let Some(l) = am.get("limits") {
                limits(c, l, &at(&p, "limits"), "all_tools", &mut counters);
            }
        }
    }
    let mut listed = 0;
    if let Some(t) = m.get("tools") {
        let tp = at(root, "tools");
        let Some(tools) = t.as_object() else {
            c.err(
                tp,
                format!(
                    "expected an object mapping tool names to rules, found {}",
                    type_name(t)
                ),
            );
            return hidden.len();
        };
        for (name, rule) in tools {
            listed += 1;
            let p = at(&tp, name);
            if let Some(i) = hidden.get(name) {
                c.err(p.clone(), format!("tool \"{name}\" is both hidden (/hide/{i}) and listed under tools; keep one"));
            } else if hidden.contains_key("*") {
                c.err(
                    p.clone(),
                    format!("tool \"{name}\" is listed but \"*\" in hide hides every tool"),
                );
            }
            let Some(rm) = c.object(rule, &p, &["limits", "deny_if", "require"], &[]) else {
                continue;
            };
            if let Some(l) = rm.get("limits") {
                limits(c, l, &at(&p, "limits"), name, &mut counters);
            }
            for key in ["deny_if", "require"] {
                let Some(items) = rm.get(key) else { continue };
                let ip = at(&p, key);
                for (i, item) in c.array(items, &ip).into_iter().flatten().enumerate() {
                    let itp = at(&ip, i);
                    let required: &[&str] = if key == "deny_if" {
                        &["conditions", "on_deny"]
                    } else {
                        &["conditions"]
                    };
                    let Some(im) = c.object(item, &itp, &["conditions", "on_deny"], required)
                    else {
                        continue;
                    };
                    if let Some(msg) = im.get("on_deny") {
                        c.string(msg, &at(&itp, "on_deny"));
                    }
                    if let Some(conds) = im.get("conditions") {
                        let cp = at(&itp, "conditions");
                        for (j, cond) in c.array(conds, &cp).into_iter().flatten().enumerate() {
                            c.condition(cond, &at(&cp, j), &["args."]);
                        }
                    }
                }
            }
        }
    }
    listed + hidden.len()
}

fn limits(
    c: &mut Checker,
    v: &Value,
    path: &[Seg],
    owner: &str,
    counters: &mut BTreeMap<String, (String, Vec<Seg>)>,
) {
    for (i, item) in c.array(v, path).into_iter().flatten().enumerate() {
        let p = at(path, i);
        let Some(m) = c.object(
            item,
            &p,
            &["counter", "window", "max", "scope"],
            &["counter", "window", "max"],
        ) else {
            continue;
        };
        if let Some(w) = m.get("window") {
            c.one_of(w, &at(&p, "window"), WINDOWS, "window");
        }
        if let Some(max) = m.get("max") {
            if !max.is_u64() {
                c.err(
                    at(&p, "max"),
                    format!("max must be a whole number of calls (0 or more), got {max}"),
                );
            }
        }
        if let Some(s) = m.get("scope") {
            c.one_of(s, &at(&p, "scope"), &["grant"], "scope");
        }
        let Some(name) = m
            .get("counter")
            .and_then(|n| c.string(n, &at(&p, "counter")))
        else {
            continue;
        };
        if name.is_empty() {
            c.err(at(&p, "counter"), "counter name must not be empty");
            continue;
        }
        match counters.get(name) {
            Some((first_owner, first)) if first_owner == owner => {
                let msg = format!(
                    "counter \"{name}\" is already used by this tool at {}",
                    pointer(first)
                );
                c.err(at(&p, "counter"), msg);
            }
            Some((first_owner, first)) if first_owner == "all_tools" || owner == "all_tools" => {
                let tool = if owner == "all_tools" {
                    first_owner
                } else {
                    owner
                };
                let msg = format!(
                    "counter \"{name}\" is both the all_tools quota's counter and tool {tool}'s (first at {}): the tool's calls would count twice against one limit; give the tool its own counter (e.g. \"{tool}.minute\")",
                    pointer(first)
                );
                c.err(at(&p, "counter"), msg);
            }
            Some((first_owner, first)) => {
                let msg = format!(
                    "counter \"{name}\" is also used by tool {first_owner} at {}: a shared counter adds up both tools' calls; name counters per tool and window (e.g. \"{owner}.minute\"), or use all_tools for a shared quota",
                    pointer(first)
                );
                c.err(at(&p, "counter"), msg);
            }
            None => {
                counters.insert(name.to_owned(), (owner.to_owned(), at(&p, "counter")));
            }
        }
    }
}

pub use super::check_yaml::check_intercept;
