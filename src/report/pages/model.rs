//! The view model: what every page shows, computed once from [`SiteInput`] so
//! the HTML and Markdown renderers lay out the same content. Tool text is made
//! visible here (hidden and bidi characters become `\u{..}` escapes); HTML
//! escaping is askama's job, Markdown escaping the Markdown renderer's.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::prose::{self, Attack};
use super::{related, slug, Changes, SiteInput};
use crate::classify::{Category, Class, Risk, Signal, Verdict};
pub use crate::text::{code_segments, visible, visible_code, CodeSeg};
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
    /// Index of the verdict in the server's input (for what the page
    /// renders from the verdict itself: the rule in every format, the FAQ).
    pub vix: usize,
    /// "What it does to your world": plain sentences from the verdict.
    pub world: Vec<String>,
    /// What breaks, and how sure the label is.
    pub why: String,
    pub attacks: Vec<Attack>,
    /// Same class and category on other servers, nearest first: (server, tool)
    /// positions in the site.
    pub related: Vec<(usize, usize)>,
}

#[derive(Clone, Debug)]
pub struct ServerView {
    /// Index of the server in the input.
    pub six: usize,
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
    /// What the server can do, in plain sentences.
    pub world: Vec<String>,
    /// The attack classes its tools enable.
    pub attacks: Vec<Attack>,
}

impl ServerView {
    pub fn disagreeing(&self) -> impl Iterator<Item = &ToolView> {
        self.tools.iter().filter(|t| !t.disagreements.is_empty())
    }

    pub fn group(&self, class: Class) -> impl Iterator<Item = &ToolView> {
        self.tools.iter().filter(move |t| t.class == class)
    }

    /// The `n` worst tools: highest risk, then class, then name.
    pub fn worst(&self, n: usize) -> Vec<&ToolView> {
        let mut worst: Vec<&ToolView> = self.tools.iter().collect();
        worst.sort_by(|a, b| {
            b.risk
                .cmp(&a.risk)
                .then(b.class.cmp(&a.class))
                .then(a.name.cmp(&b.name))
        });
        worst.truncate(n);
        worst
    }
}

pub struct SiteView {
    /// Sorted by name.
    pub servers: Vec<ServerView>,
    pub counts: Counts,
    /// The compact JSON search index the index page's script reads.
    pub index_json: String,
    /// The attack classes some tool of the site enables (each gets a page).
    pub attacks: BTreeSet<Attack>,
}

fn hint_rows(declared: Option<&Hints>, inferred: &Hints) -> (Vec<HintRow>, Vec<HintDiff>) {
    let show = |v: Option<bool>| v.map_or_else(|| "—".to_owned(), |b| b.to_string());
    type Get = fn(&Hints) -> Option<bool>;
    let hints: [(&'static str, Get); 4] = [
        ("readOnlyHint", |h| h.read_only),
        ("destructiveHint", |h| h.destructive),
        ("idempotentHint", |h| h.idempotent),
        ("openWorldHint", |h| h.open_world),
    ];
    let mut rows = Vec::new();
    let mut diffs = Vec::new();
    for (hint, get) in hints {
        let (d, i) = (declared.and_then(get), get(inferred));
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

fn tool_view(server: &str, raw: &Value, (vix, v): (usize, &Verdict), slug: String) -> ToolView {
    let def = ToolDef::from_value(raw);
    let (hint_rows, disagreements) = hint_rows(v.declared.as_ref(), &v.hints);
    let title = [&def.title, &def.annotation_title]
        .into_iter()
        .find(|t| !t.is_empty() && **t != def.name)
        .cloned()
        .unwrap_or_default();
    let name = visible(&v.name);
    let confidence = (v.confidence.clamp(0.0, 1.0) * 100.0).round() as u32;
    ToolView {
        vix,
        world: prose::world(server, v.class, v.category, &v.signals),
        why: prose::what_breaks(v.class, v.risk, confidence, v.declared.is_some()),
        attacks: prose::attacks(v.class, &v.signals),
        related: Vec::new(),
        label: label(&name),
        name,
        slug,
        title: visible(&title),
        description: visible(def.description.trim()),
        class: v.class,
        risk: v.risk,
        category: v.category,
        confidence,
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
    }
}

fn server_view(six: usize, s: &super::ServerInput, slug: String) -> ServerView {
    // Pair tools with verdicts by name as the verdict has it (a name that
    // is not text reads as its JSON text, `42` as "42"), the k-th verdict of
    // a name with the k-th tool of that name; a verdict without a raw tool
    // still shows. Every verdict has its own page, even when names repeat.
    let mut raw_by_name: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for t in &s.tools {
        raw_by_name
            .entry(match t.get("name") {
                Some(Value::String(n)) => n.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            })
            .or_default()
            .push(t);
    }
    let names: Vec<&str> = s.verdicts.iter().map(|v| v.name.as_str()).collect();
    let slugs = slug::assign_each(&names);
    let shown_name = visible(&s.name);
    let missing = Value::Null;
    let mut nth: BTreeMap<&str, usize> = BTreeMap::new();
    let mut tools: Vec<ToolView> = s
        .verdicts
        .iter()
        .enumerate()
        .zip(slugs)
        .map(|((vix, v), slug)| {
            let k = nth.entry(v.name.as_str()).or_insert(0);
            let raws = raw_by_name.get(v.name.as_str());
            let raw = raws
                .and_then(|r| r.get(*k).or_else(|| r.first()))
                .copied()
                .unwrap_or(&missing);
            *k += 1;
            tool_view(&shown_name, raw, (vix, v), slug)
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
    let attacks: BTreeSet<Attack> = tools
        .iter()
        .flat_map(|t| t.attacks.iter().copied())
        .collect();
    ServerView {
        attacks: attacks.into_iter().collect(),
        six,
        world: prose::server_world(
            &shown_name,
            counts.class[0],
            counts.class[1],
            counts.class[2],
        ),
        name: shown_name,
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

/// Digits of a tool's class-and-risk code in the search index.
const CODE_DIGITS: &[u8; 12] = b"0123456789ab";

/// The search index, compact enough for a registry (134k tools in a few
/// megabytes): the vocabularies, then per server `[name, slug, [tool
/// labels], codes, masks, {position: slug}]`, where `codes` has one character
/// per tool (class × 4 + risk, in [`CLASSES`] and [`RISKS`] order), `masks`
/// the tools' signal bitmasks in base 36 joined by commas (empty for none), and
/// the last object the tool slugs the script cannot recompute from the label
/// with [`slug::plain`] (only collisions and reserved names).
fn index_json(servers: &[ServerView], ext: &str) -> String {
    let all_signals: Vec<Signal> = servers
        .iter()
        .flat_map(|s| s.signals.iter().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows: Vec<Value> = servers
        .iter()
        .map(|s| {
            let mut labels = Vec::with_capacity(s.tools.len());
            let mut codes = String::with_capacity(s.tools.len());
            let mut masks = Vec::with_capacity(s.tools.len());
            let mut slugs = serde_json::Map::new();
            for (i, t) in s.tools.iter().enumerate() {
                let c = CLASSES.iter().position(|c| *c == t.class).unwrap_or(0);
                let r = RISKS.iter().position(|r| *r == t.risk).unwrap_or(0);
                codes.push(CODE_DIGITS[c * 4 + r] as char);
                let mask: u64 = t
                    .signals
                    .iter()
                    .filter_map(|sig| all_signals.iter().position(|x| x == sig))
                    .fold(0, |m, i| m | (1 << i));
                masks.push(if mask == 0 {
                    String::new()
                } else {
                    base36(mask)
                });
                if slug::plain(&t.label) != t.slug {
                    slugs.insert(i.to_string(), Value::String(t.slug.clone()));
                }
                labels.push(Value::String(t.label.clone()));
            }
            json!([s.name, s.slug, labels, codes, masks.join(","), slugs])
        })
        .collect();
    json!({
        "v": 2,
        "ext": ext,
        "classes": CLASSES.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "risks": RISKS.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "signals": all_signals.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "servers": rows,
    })
    .to_string()
}

fn base36(mut n: u64) -> String {
    const D: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    while n > 0 {
        out.push(D[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Fills every tool's [`ToolView::related`]: same class and category on
/// other servers, nearest by name and parameters.
fn relate(servers: &mut [ServerView]) {
    let mut at = Vec::new();
    let probes: Vec<related::Probe<'_>> = servers
        .iter()
        .enumerate()
        .flat_map(|(si, s)| {
            s.tools.iter().enumerate().map(move |(ti, t)| {
                (
                    (si, ti),
                    related::Probe {
                        server: si,
                        class: t.class,
                        category: t.category,
                        name: t.name.as_str(),
                        params: t.params.iter().map(|p| p.name.as_str()).collect(),
                    },
                )
            })
        })
        .map(|(pos, p)| {
            at.push(pos);
            p
        })
        .collect();
    let near = related::across(&probes);
    drop(probes);
    for (k, list) in near.into_iter().enumerate() {
        let (si, ti) = at[k];
        servers[si].tools[ti].related = list.into_iter().map(|j| at[j]).collect();
    }
}

/// Builds the whole view; `ext` is the page extension links use.
pub fn build(site: &SiteInput, ext: &str) -> SiteView {
    let mut inputs: Vec<(usize, &super::ServerInput)> = site.servers.iter().enumerate().collect();
    inputs.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    let slugs = slug::assign(inputs.iter().map(|(_, s)| s.name.as_str()));
    let mut seen = BTreeSet::new();
    let inputs: Vec<(usize, &super::ServerInput)> = inputs
        .into_iter()
        .filter(|(_, s)| seen.insert(s.name.as_str()))
        .collect();
    let mut servers: Vec<ServerView> = {
        use rayon::prelude::*;
        inputs
            .par_iter()
            .map(|&(six, s)| server_view(six, s, slugs[&s.name].clone()))
            .collect()
    };
    relate(&mut servers);
    let mut counts = Counts::default();
    let mut attacks = BTreeSet::new();
    for s in &servers {
        for t in &s.tools {
            counts.add(t.class, t.risk);
            attacks.extend(t.attacks.iter().copied());
        }
    }
    let index_json = index_json(&servers, ext);
    SiteView {
        servers,
        counts,
        index_json,
        attacks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_a_quarter_of_the_characters() {
        let tools = vec![json!({"name": "abcd"})]; // {"name":"abcd"} = 15 chars
        assert_eq!(estimate_tokens(&tools), 4);
    }
}
