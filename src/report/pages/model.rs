//! The view model: what every page shows, computed once from [`SiteInput`] so
//! the HTML and Markdown renderers lay out the same content. Tool text is made
//! visible here (hidden and bidi characters become `\u{..}` escapes); HTML
//! escaping is askama's job, Markdown escaping the Markdown renderer's.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::{slug, Changes, SiteInput};
use crate::classify::{Category, Class, Risk, Signal, Verdict};
use crate::text::is_hidden_or_control;
use crate::tool::{Hints, ToolDef};

/// The context window the token share is measured against.
pub const CONTEXT_WINDOW: u64 = 200_000;

pub const CLASSES: [Class; 3] = [Class::Destructive, Class::Write, Class::Read];
pub const RISKS: [Risk; 4] = [Risk::Critical, Risk::High, Risk::Medium, Risk::Low];

/// A rough token count for the tool definitions an agent loads: a quarter of
/// the characters of their compact JSON (close to what BPE tokenizers give on
/// JSON-heavy text; it is an estimate and the pages say so).
pub fn estimate_tokens(tools: &[Value]) -> u64 {
    let chars: usize = tools
        .iter()
        .map(|t| serde_json::to_string(t).map_or(0, |s| s.chars().count()))
        .sum();
    (chars as u64).div_ceil(4)
}

/// Tool text with newlines and tabs kept and every other control, bidi or
/// invisible character turned into a visible `\u{..}` escape.
pub fn visible(s: &str) -> String {
    if !s
        .chars()
        .any(|c| is_hidden_or_control(c) && c != '\n' && c != '\t')
    {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden_or_control(c) && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Policy text (JSON or YAML) with hidden characters written as `\uXXXX`
/// escapes, which both formats accept inside quoted strings, so the text shown
/// and copied is the same policy with nothing invisible in it.
pub fn visible_code(s: &str) -> String {
    if !s.chars().any(|c| is_hidden_or_control(c) && c != '\n') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden_or_control(c) && c != '\n' {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Longest tool name shown in lists before it is cut.
pub const LABEL_MAX: usize = 80;

fn label(name: &str) -> String {
    if name.trim().is_empty() {
        "(no name)".to_owned()
    } else if name.chars().count() > LABEL_MAX {
        let cut: String = name.chars().take(LABEL_MAX).collect();
        format!("{cut}…")
    } else {
        name.to_owned()
    }
}

/// A piece of a code block: plain text, or one hidden character kept verbatim
/// (so the copy button copies the exact policy) but shown as its code point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeSeg {
    pub text: String,
    /// `U+202E` when `text` is one hidden character.
    pub hidden: Option<String>,
}

/// Splits code into plain runs and single hidden characters. Used for YAML,
/// where a `\uXXXX` escape is only valid inside double quotes, so rewriting
/// the text would change the policy.
pub fn code_segments(s: &str) -> Vec<CodeSeg> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in s.chars() {
        if is_hidden_or_control(c) && c != '\n' {
            if !run.is_empty() {
                out.push(CodeSeg {
                    text: std::mem::take(&mut run),
                    hidden: None,
                });
            }
            out.push(CodeSeg {
                text: c.to_string(),
                hidden: Some(format!("U+{:04X}", c as u32)),
            });
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        out.push(CodeSeg {
            text: run,
            hidden: None,
        });
    }
    out
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// By class, in [`CLASSES`] order.
    pub class: [usize; 3],
    /// By risk, in [`RISKS`] order.
    pub risk: [usize; 4],
    pub total: usize,
}

impl Counts {
    pub fn add(&mut self, class: Class, risk: Risk) {
        self.class[CLASSES.iter().position(|c| *c == class).unwrap_or(0)] += 1;
        self.risk[RISKS.iter().position(|r| *r == risk).unwrap_or(0)] += 1;
        self.total += 1;
    }

    /// Tools that can modify or destroy data (write or destructive).
    pub fn modifying(&self) -> usize {
        self.class[0] + self.class[1]
    }
}

#[derive(Clone, Debug)]
pub struct ParamView {
    pub name: String,
    pub ty: String,
    pub required: bool,
    pub description: String,
    pub enum_values: Vec<String>,
}

/// One hint where the authors' annotation and our inference differ.
#[derive(Clone, Debug)]
pub struct HintDiff {
    pub hint: &'static str,
    pub declared: bool,
    pub inferred: bool,
}

#[derive(Clone, Debug)]
pub struct EvidenceView {
    pub rule: String,
    pub field: String,
    pub text: String,
}

/// One row of the declared-vs-inferred table.
#[derive(Clone, Debug)]
pub struct HintRow {
    pub hint: &'static str,
    pub declared: String,
    pub inferred: String,
    pub differs: bool,
}

/// One value of an operation selector and how it classifies.
#[derive(Clone, Debug)]
pub struct OpValueView {
    pub value: String,
    pub class: Class,
    pub risk: Risk,
}

/// A parameter whose value selects the operation.
#[derive(Clone, Debug)]
pub struct OpView {
    pub param: String,
    pub values: Vec<OpValueView>,
}

/// What the verdict knows about the arguments (what lets a policy guard one
/// argument instead of the whole tool).
#[derive(Clone, Debug, Default)]
pub struct ArgsView {
    pub operations: Vec<OpView>,
    pub switches: Vec<String>,
    pub sql: Vec<String>,
    pub shell: Vec<String>,
}

impl ArgsView {
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
            && self.switches.is_empty()
            && self.sql.is_empty()
            && self.shell.is_empty()
    }
}

#[derive(Clone, Debug)]
pub struct ToolView {
    /// The full name, made visible.
    pub name: String,
    /// The name for lists and links: "(no name)" when empty, cut at
    /// [`LABEL_MAX`] characters.
    pub label: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub class: Class,
    pub risk: Risk,
    pub category: Category,
    /// Whole percent.
    pub confidence: u32,
    pub params: Vec<ParamView>,
    pub rationale: String,
    pub evidence: Vec<EvidenceView>,
    pub signals: Vec<Signal>,
    pub args: ArgsView,
    pub has_declared: bool,
    pub hint_rows: Vec<HintRow>,
    pub disagreements: Vec<HintDiff>,
    pub policy_json: String,
}

#[derive(Clone, Debug)]
pub struct ServerView {
    pub name: String,
    pub slug: String,
    /// Grouped by class (destructive, write, read), then by risk (worst first), then name.
    pub tools: Vec<ToolView>,
    pub counts: Counts,
    pub tokens: u64,
    /// Share of [`CONTEXT_WINDOW`], in tenths of a percent.
    pub context_permille: u64,
    pub policy_json: String,
    /// Verbatim (hidden characters included); see [`code_segments`].
    pub intercept_yaml: String,
    pub intercept_segs: Vec<CodeSeg>,
    pub changes: Option<Changes>,
    pub worst: Option<Risk>,
    pub signals: BTreeSet<Signal>,
}

impl ServerView {
    pub fn disagreeing(&self) -> impl Iterator<Item = &ToolView> {
        self.tools.iter().filter(|t| !t.disagreements.is_empty())
    }

    pub fn group(&self, class: Class) -> impl Iterator<Item = &ToolView> {
        self.tools.iter().filter(move |t| t.class == class)
    }
}

pub struct SiteView {
    /// Sorted by name.
    pub servers: Vec<ServerView>,
    pub counts: Counts,
    /// The compact JSON search index the index page's script reads.
    pub index_json: String,
}

fn hint_rows(declared: Option<&Hints>, inferred: &Hints) -> (Vec<HintRow>, Vec<HintDiff>) {
    let show = |v: Option<bool>| v.map_or_else(|| "—".to_owned(), |b| b.to_string());
    let pairs: [(&'static str, Option<bool>, Option<bool>); 4] = [
        (
            "readOnlyHint",
            declared.and_then(|d| d.read_only),
            inferred.read_only,
        ),
        (
            "destructiveHint",
            declared.and_then(|d| d.destructive),
            inferred.destructive,
        ),
        (
            "idempotentHint",
            declared.and_then(|d| d.idempotent),
            inferred.idempotent,
        ),
        (
            "openWorldHint",
            declared.and_then(|d| d.open_world),
            inferred.open_world,
        ),
    ];
    let mut rows = Vec::new();
    let mut diffs = Vec::new();
    for (hint, d, i) in pairs {
        let differs = matches!((d, i), (Some(a), Some(b)) if a != b);
        if differs {
            diffs.push(HintDiff {
                hint,
                declared: d.unwrap_or_default(),
                inferred: i.unwrap_or_default(),
            });
        }
        if d.is_some() || i.is_some() {
            rows.push(HintRow {
                hint,
                declared: show(d),
                inferred: show(i),
                differs,
            });
        }
    }
    (rows, diffs)
}

fn tool_view(raw: &Value, v: &Verdict, slug: String, policy: Option<&String>) -> ToolView {
    let def = ToolDef::from_value(raw);
    let (hint_rows, disagreements) = hint_rows(v.declared.as_ref(), &v.hints);
    let title = [&def.title, &def.annotation_title]
        .into_iter()
        .find(|t| !t.is_empty() && **t != def.name)
        .cloned()
        .unwrap_or_default();
    let name = visible(&v.name);
    ToolView {
        label: label(&name),
        name,
        slug,
        title: visible(&title),
        description: visible(def.description.trim()),
        class: v.class,
        risk: v.risk,
        category: v.category,
        confidence: (v.confidence.clamp(0.0, 1.0) * 100.0).round() as u32,
        params: def
            .params
            .iter()
            .map(|p| ParamView {
                name: visible(&p.name),
                ty: visible(&p.ty),
                required: p.required,
                description: visible(p.description.trim()),
                enum_values: p.enum_values.iter().map(|e| visible(e)).collect(),
            })
            .collect(),
        rationale: visible(&v.rationale),
        evidence: v
            .evidence
            .iter()
            .map(|e| EvidenceView {
                rule: visible(&e.rule),
                field: visible(&e.field),
                text: visible(&e.text),
            })
            .collect(),
        signals: v.signals.clone(),
        args: ArgsView {
            operations: v
                .args
                .operations
                .iter()
                .map(|o| OpView {
                    param: visible(&o.param),
                    values: o
                        .values
                        .iter()
                        .map(|x| OpValueView {
                            value: visible(&x.value),
                            class: x.class,
                            risk: x.risk,
                        })
                        .collect(),
                })
                .collect(),
            switches: v.args.switches.iter().map(|x| visible(x)).collect(),
            sql: v.args.sql.iter().map(|x| visible(x)).collect(),
            shell: v.args.shell.iter().map(|x| visible(x)).collect(),
        },
        has_declared: v.declared.is_some(),
        hint_rows,
        disagreements,
        policy_json: policy.map(|p| visible_code(p)).unwrap_or_default(),
    }
}

fn server_view(s: &super::ServerInput, slug: String) -> ServerView {
    // Pair tools with verdicts by name; a verdict without a raw tool still shows.
    let mut raw_by_name: BTreeMap<&str, &Value> = BTreeMap::new();
    for t in &s.tools {
        if let Some(n) = t.get("name").and_then(Value::as_str) {
            raw_by_name.entry(n).or_insert(t);
        }
    }
    let mut seen = BTreeSet::new();
    let verdicts: Vec<&Verdict> = s
        .verdicts
        .iter()
        .filter(|v| seen.insert(v.name.as_str()))
        .collect();
    let slugs = slug::assign(verdicts.iter().map(|v| v.name.as_str()));
    let missing = Value::Null;
    let mut tools: Vec<ToolView> = verdicts
        .iter()
        .map(|v| {
            let raw = raw_by_name
                .get(v.name.as_str())
                .copied()
                .unwrap_or(&missing);
            tool_view(raw, v, slugs[&v.name].clone(), s.tool_policies.get(&v.name))
        })
        .collect();
    tools.sort_by(|a, b| {
        b.class
            .cmp(&a.class)
            .then(b.risk.cmp(&a.risk))
            .then(a.name.cmp(&b.name))
    });
    let mut counts = Counts::default();
    let mut signals = BTreeSet::new();
    for t in &tools {
        counts.add(t.class, t.risk);
        signals.extend(t.signals.iter().copied());
    }
    let tokens = estimate_tokens(&s.tools);
    ServerView {
        name: visible(&s.name),
        slug,
        worst: tools.iter().map(|t| t.risk).max(),
        counts,
        tokens,
        context_permille: (tokens * 1000).div_ceil(CONTEXT_WINDOW),
        policy_json: visible_code(&s.policy_json),
        intercept_yaml: s.intercept_yaml.clone(),
        intercept_segs: code_segments(&s.intercept_yaml),
        changes: s.changes.as_ref().map(|c| Changes {
            added: c.added.iter().map(|n| visible(n)).collect(),
            removed: c.removed.iter().map(|n| visible(n)).collect(),
            changed: c.changed.iter().map(|n| visible(n)).collect(),
            note: visible(&c.note),
        }),
        signals,
        tools,
    }
}

/// The search index: servers, the vocabularies, and one compact row per tool
/// `[server, name, class, risk, signal bitmask, url]` so 20,000 tools stay a
/// few megabytes.
fn index_json(servers: &[ServerView], ext: &str) -> String {
    let all_signals: Vec<Signal> = servers
        .iter()
        .flat_map(|s| s.signals.iter().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut tools = Vec::new();
    for (si, s) in servers.iter().enumerate() {
        for t in &s.tools {
            let mask: u64 = t
                .signals
                .iter()
                .filter_map(|sig| all_signals.iter().position(|x| x == sig))
                .fold(0, |m, i| m | (1 << i));
            tools.push(json!([
                si,
                t.label,
                CLASSES.iter().position(|c| *c == t.class),
                RISKS.iter().position(|r| *r == t.risk),
                mask,
                format!("{}/{}.{ext}", s.slug, t.slug),
            ]));
        }
    }
    json!({
        "servers": servers.iter().map(|s| json!([s.name, format!("{}/index.{ext}", s.slug)])).collect::<Vec<_>>(),
        "classes": CLASSES.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "risks": RISKS.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "signals": all_signals.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "tools": tools,
    })
    .to_string()
}

/// Builds the whole view; `ext` is the page extension links use.
pub fn build(site: &SiteInput, ext: &str) -> SiteView {
    let mut inputs: Vec<&super::ServerInput> = site.servers.iter().collect();
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    let slugs = slug::assign(inputs.iter().map(|s| s.name.as_str()));
    let mut seen = BTreeSet::new();
    let servers: Vec<ServerView> = inputs
        .into_iter()
        .filter(|s| seen.insert(s.name.as_str()))
        .map(|s| server_view(s, slugs[&s.name].clone()))
        .collect();
    let mut counts = Counts::default();
    for s in &servers {
        for t in &s.tools {
            counts.add(t.class, t.risk);
        }
    }
    let index_json = index_json(&servers, ext);
    SiteView {
        servers,
        counts,
        index_json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_keeps_newlines_and_shows_bidi() {
        assert_eq!(visible("a\nb\u{202e}c"), "a\nb\\u{202e}c");
        assert_eq!(visible_code("\"x\u{202e}\""), "\"x\\u202e\"");
        assert_eq!(visible_code("\"\u{e0041}\""), "\"\\udb40\\udc41\"");
    }

    #[test]
    fn code_segments_keep_hidden_characters_verbatim() {
        let segs = code_segments("- a\u{202e}b\n");
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[1].text, "\u{202e}");
        assert_eq!(segs[1].hidden.as_deref(), Some("U+202E"));
        let joined: String = segs.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, "- a\u{202e}b\n");
    }

    #[test]
    fn tokens_are_a_quarter_of_the_characters() {
        let tools = vec![json!({"name": "abcd"})]; // {"name":"abcd"} = 15 chars
        assert_eq!(estimate_tokens(&tools), 4);
    }
}
