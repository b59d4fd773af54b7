//! The one place a [`Verdict`] becomes a decision: every format (policy.json,
//! Intercept YAML, Claude Code, Codex) renders the same [`ToolPlan`], so they
//! never disagree about which tool is allowed, limited, gated or hidden.
//!
//! Grading (by risk, not class alone):
//! - low: allowed as is;
//! - medium: [`MEDIUM_PER_MINUTE`] calls a minute;
//! - high: [`HIGH_PER_MINUTE`] a minute and [`HIGH_PER_DAY`] a day;
//! - critical: approval-gated where a human can judge the single call (money,
//!   code execution, anything not irreversible), hidden where the loss is
//!   irreversible (irreversible_loss signal, or destructive with no safe ops);
//! - a suspicious description (hidden instructions) is hidden at any risk: the
//!   only way to keep its text out of the agent's context.
//!
//! A multi-operation tool is graded by the operations it may still run once
//! its dangerous operations are denied by an argument guard; a raw-SQL tool
//! whose destructive statements are denied by regex guards is graded high
//! rather than critical (see [`sql_narrows`]).

use std::collections::BTreeMap;

use crate::classify::{Category, Class, Risk, Signal, Verdict};

use super::guards::{self, Pattern};

/// Calls a minute for a medium-risk tool (the published baseline gives writes 30).
pub const MEDIUM_PER_MINUTE: u32 = 30;
/// Calls a minute for a high-risk tool.
pub const HIGH_PER_MINUTE: u32 = 10;
/// Calls a day for a high-risk tool: bounds the damage of a runaway loop.
pub const HIGH_PER_DAY: u32 = 100;

/// What the policy does with a tool as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    /// Allowed with no limit (argument guards may still apply).
    Allow,
    /// Allowed under rate limits (argument guards may still apply).
    Limit,
    /// Every call denied with a message asking for a human's approval.
    Approve,
    /// Removed from `tools/list` and refused on call.
    Hide,
    /// Left out of every file: the name (`*`, empty) would mean "every tool"
    /// or be rejected, so the policy's default deny refuses it instead.
    Unlisted,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Limit => "rate_limit",
            Decision::Approve => "approval",
            Decision::Hide => "hide",
            Decision::Unlisted => "unlisted",
        }
    }
}

/// A rate-limit window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Window {
    Minute,
    Hour,
    Day,
}

impl Window {
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Minute => "minute",
            Window::Hour => "hour",
            Window::Day => "day",
        }
    }
}

/// One rate limit on one tool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    pub window: Window,
    pub max: u32,
}

/// How a guard recognises a dangerous call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuardKind {
    /// The operation selector takes one of `denied`; `allowed` stay usable.
    Operation {
        denied: Vec<String>,
        allowed: Vec<String>,
    },
    /// A boolean switch (force, recursive, purge) is true.
    Switch,
    /// A raw SQL argument matches a destructive statement pattern.
    Sql(Pattern),
    /// A raw shell argument matches a destructive command pattern.
    Shell(Pattern),
}

/// An argument guard: deny the call when the argument looks like this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    /// Parameter name as in the schema (dotted when nested).
    pub param: String,
    pub kind: GuardKind,
    /// One sentence for the agent: why the call was refused.
    pub on_deny: String,
    /// One phrase for a reviewer: what the rule is for.
    pub purpose: String,
}

impl Guard {
    /// `args.<param>`: the condition path gateways read.
    pub fn path(&self) -> String {
        format!("args.{}", self.param)
    }

    /// A short stable name (Intercept rule names, reasons).
    pub fn name(&self) -> String {
        match &self.kind {
            GuardKind::Operation { .. } => format!("deny destructive {}", self.param),
            GuardKind::Switch => format!("deny {}=true", self.param),
            GuardKind::Sql(p) | GuardKind::Shell(p) => format!("deny {} in {}", p.id, self.param),
        }
    }
}

/// Everything the writers need to know about one tool.
#[derive(Clone, Debug)]
pub struct ToolPlan<'a> {
    pub verdict: &'a Verdict,
    pub decision: Decision,
    /// The risk the limits are graded on (lower than the verdict's when an
    /// operation guard denies the dangerous operations).
    pub graded_risk: Risk,
    pub limits: Vec<Limit>,
    pub guards: Vec<Guard>,
    /// One sentence: why this decision.
    pub why: String,
    /// For [`Decision::Approve`]: the message the agent gets.
    pub approval_message: Option<String>,
}

impl ToolPlan<'_> {
    pub fn name(&self) -> &str {
        &self.verdict.name
    }

    /// Counter name for a window: per tool and window, so two tools never
    /// share one (the window is the part after the last dot, so the map from
    /// (tool, window) to name is one-to-one).
    pub fn counter(&self, w: Window) -> String {
        format!("{}.{}", self.verdict.name, w.as_str())
    }

    /// True when the tool is reachable at all (listed under `tools`).
    pub fn listed(&self) -> bool {
        !matches!(self.decision, Decision::Hide | Decision::Unlisted)
    }

    /// True when the tool goes in the `hide` list.
    pub fn hidden(&self) -> bool {
        self.decision == Decision::Hide
    }
}

/// Plans every tool of a server, sorted by name. When a server lists the same
/// name twice, the more severe verdict wins, so a tool is never planned twice.
pub fn plan_server(verdicts: &[Verdict]) -> Vec<ToolPlan<'_>> {
    let mut by_name: BTreeMap<&str, &Verdict> = BTreeMap::new();
    for v in verdicts {
        by_name
            .entry(v.name.as_str())
            .and_modify(|cur| {
                if (v.risk, v.class) > (cur.risk, cur.class) {
                    *cur = v;
                }
            })
            .or_insert(v);
    }
    by_name.into_values().map(plan_tool).collect()
}

/// Plans one tool.
pub fn plan_tool(v: &Verdict) -> ToolPlan<'_> {
    let op_guards = operation_guards(v);
    let (mut graded_risk, mut narrowed) = if op_guards.is_empty() {
        (v.risk, None)
    } else {
        (
            remaining_risk(v, &op_guards),
            Some(" once its destructive operations are denied"),
        )
    };
    if graded_risk == Risk::Critical && sql_narrows(v) {
        graded_risk = Risk::High;
        narrowed = Some(" once DROP, TRUNCATE, DELETE without WHERE and ALTER ... DROP are denied");
    }
    let (decision, why, approval_message) = decide(v, graded_risk, narrowed.unwrap_or(""));
    let limits = match (decision, graded_risk) {
        (Decision::Limit, Risk::Medium) => vec![Limit {
            window: Window::Minute,
            max: MEDIUM_PER_MINUTE,
        }],
        (Decision::Limit, _) => vec![
            Limit {
                window: Window::Minute,
                max: HIGH_PER_MINUTE,
            },
            Limit {
                window: Window::Day,
                max: HIGH_PER_DAY,
            },
        ],
        _ => Vec::new(),
    };
    let guards = if matches!(decision, Decision::Allow | Decision::Limit) {
        let mut g = op_guards;
        g.extend(switch_guards(v));
        g.extend(regex_guards(v));
        g
    } else {
        Vec::new()
    };
    ToolPlan {
        verdict: v,
        decision,
        graded_risk,
        limits,
        guards,
        why,
        approval_message,
    }
}

/// Raw SQL is critical because it can destroy data; with the statements that
/// do so denied by [`guards::SQL`], the tool stays usable at the high tier
/// instead of needing a human for every query. Not when it also moves money
/// or runs shell commands: no argument pattern makes those safe.
fn sql_narrows(v: &Verdict) -> bool {
    v.args.sql.iter().any(|p| addressable(p))
        && !v.args.shell.iter().any(|p| addressable(p))
        && !v.has(Signal::Money)
        && v.category != Category::Financial
        && !v.has(Signal::SuspiciousDescription)
}

fn decide(v: &Verdict, risk: Risk, narrowed_note: &str) -> (Decision, String, Option<String>) {
    if v.name == "*" || v.name.trim().is_empty() {
        return (
            Decision::Unlisted,
            "Left out: this name would mean every tool (or none) in a policy, so the default deny refuses it.".into(),
            None,
        );
    }
    if v.has(Signal::SuspiciousDescription) {
        return (
            Decision::Hide,
            "Hidden: its description carries hidden instructions or text, and hiding is the only way to keep that text out of the agent's context.".into(),
            None,
        );
    }
    match risk {
        Risk::Low => (
            Decision::Allow,
            format!("Allowed: low risk{narrowed_note}."),
            None,
        ),
        Risk::Medium => (
            Decision::Limit,
            format!("Rate-limited to {MEDIUM_PER_MINUTE}/minute: medium risk{narrowed_note}."),
            None,
        ),
        Risk::High => (
            Decision::Limit,
            format!(
                "Rate-limited to {HIGH_PER_MINUTE}/minute and {HIGH_PER_DAY}/day: high risk{narrowed_note}."
            ),
            None,
        ),
        Risk::Critical => {
            let human_judges =
                v.has(Signal::Money) || v.has(Signal::CodeExecution) || matches!(v.category, Category::Financial | Category::Execute);
            let irreversible = v.has(Signal::IrreversibleLoss) || v.class == Class::Destructive;
            if !human_judges && irreversible {
                (
                    Decision::Hide,
                    "Hidden: critical risk of irreversible loss, with no safe operation to keep.".into(),
                    None,
                )
            } else {
                let what = approval_reason(v);
                (
                    Decision::Approve,
                    format!("Approval-gated: critical risk, and a human can judge each call because it {what}."),
                    Some(format!(
                        "{} {what}, so each call needs a human's approval: ask the user to approve or run it.",
                        v.name
                    )),
                )
            }
        }
    }
}

fn approval_reason(v: &Verdict) -> &'static str {
    if v.has(Signal::Money) || v.category == Category::Financial {
        "moves money"
    } else if v.has(Signal::CodeExecution) || v.category == Category::Execute {
        "runs arbitrary code, commands or queries"
    } else if v.has(Signal::Credentials) {
        "reads or changes credentials"
    } else if v.has(Signal::ExternalMessage) {
        "sends messages to people outside"
    } else if v.has(Signal::ProductionInfra) {
        "changes production infrastructure"
    } else {
        "has a critical blast radius"
    }
}

/// Operation selectors that can be narrowed: deny the operations that are
/// destructive and high or critical (or critical whatever their class). When
/// the tool itself is high or critical but no operation reaches high, every
/// destructive operation is denied, so the guard never lets the danger through.
/// No guard when nothing would stay usable: that is not a narrower rule.
fn operation_guards(v: &Verdict) -> Vec<Guard> {
    let mut out = Vec::new();
    for op in v.args.operations.iter().filter(|o| addressable(&o.param)) {
        let mut denied: Vec<String> = op
            .values
            .iter()
            .filter(|x| {
                (x.class == Class::Destructive && x.risk >= Risk::High) || x.risk == Risk::Critical
            })
            .map(|x| x.value.clone())
            .collect();
        if denied.is_empty() && v.risk >= Risk::High {
            denied = op
                .destructive_values()
                .into_iter()
                .map(str::to_owned)
                .collect();
        }
        let allowed: Vec<String> = op
            .values
            .iter()
            .map(|x| x.value.clone())
            .filter(|x| !denied.contains(x))
            .collect();
        if denied.is_empty() || allowed.is_empty() {
            continue;
        }
        out.push(Guard {
            param: op.param.clone(),
            on_deny: format!(
                "{} {} is blocked by policy because it deletes or overwrites data; use another {} or ask a human to run it.",
                op.param,
                denied.join("/"),
                op.param
            ),
            purpose: format!(
                "keeps {} usable for {} while denying {}",
                v.name,
                allowed.join(", "),
                denied.join(", ")
            ),
            kind: GuardKind::Operation { denied, allowed },
        });
    }
    out
}

/// The worst risk among the operations a guard still allows.
fn remaining_risk(v: &Verdict, guards: &[Guard]) -> Risk {
    let mut worst = Risk::Low;
    for g in guards {
        let GuardKind::Operation { allowed, .. } = &g.kind else {
            continue;
        };
        let Some(op) = v.args.operations.iter().find(|o| o.param == g.param) else {
            continue;
        };
        for val in op.values.iter().filter(|x| allowed.contains(&x.value)) {
            worst = worst.max(val.risk);
        }
    }
    // Class floors from the architecture: anything but read is at least medium.
    if v.class != Class::Read {
        worst = worst.max(Risk::Medium);
    }
    worst.min(v.risk)
}

/// Gateways address arguments by dotted path (`args.a.b`); an element of an
/// array (`actions[].type`) has no path, so no guard can test it and the
/// tool is graded whole instead.
fn addressable(param: &str) -> bool {
    !param.is_empty() && !param.contains("[]")
}

fn switch_guards(v: &Verdict) -> Vec<Guard> {
    v.args
        .switches
        .iter()
        .filter(|s| addressable(s))
        .map(|s| Guard {
            param: s.clone(),
            kind: GuardKind::Switch,
            on_deny: format!(
                "{s}=true is blocked by policy because it widens the damage of {}; call again without it or ask a human.",
                v.name
            ),
            purpose: format!("denies {s}=true, which widens what the call destroys"),
        })
        .collect()
}

fn regex_guards(v: &Verdict) -> Vec<Guard> {
    let mut out = Vec::new();
    for (params, set, sql) in [
        (&v.args.sql, guards::SQL, true),
        (&v.args.shell, guards::SHELL, false),
    ] {
        for param in params.iter().filter(|p| addressable(p)) {
            for p in set {
                let (noun, kind) = if sql {
                    ("SQL", GuardKind::Sql(*p))
                } else {
                    ("Shell commands", GuardKind::Shell(*p))
                };
                out.push(Guard {
                    param: param.clone(),
                    kind,
                    on_deny: format!(
                        "{noun} that {} {} blocked by policy in {param}; ask a human to run it.",
                        p.what,
                        if sql { "is" } else { "are" }
                    ),
                    purpose: format!("denies {} in {param}", p.id),
                });
            }
        }
    }
    out
}
