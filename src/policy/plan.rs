//! The one place a [`Verdict`] becomes a decision: every format (policy.json,
//! Intercept YAML, Claude Code, Codex) renders the same [`ToolPlan`], so they
//! never disagree about which tool is allowed, limited, gated or hidden.
//!
//! Grading (by risk, not class alone):
//! - low: allowed as is;
//! - medium: [`MEDIUM_PER_MINUTE`] calls a minute;
//! - high: [`HIGH_PER_MINUTE`] a minute and [`HIGH_PER_DAY`] a day;
//! - critical: refused until a human acts where a human can judge the single
//!   call (money, code execution, anything not irreversible): gateways have
//!   no approval step, so every call is refused with a message to hand it to
//!   the user, and Claude Code `ask`s; hidden where the loss is irreversible
//!   (irreversible_loss signal, or destructive with no safe ops);
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
    /// Every call refused by a gateway with a message to hand it to a human
    /// (gateways have no approval step); Claude Code asks the user.
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
    /// An array whose elements carry raw SQL or shell (`sqlStatements[]`):
    /// gateway paths reach object fields only and `regex` matches strings
    /// only, so no condition can test an element; the call is refused
    /// whenever the array is passed. `carries` names what the elements hold.
    Opaque { carries: &'static str },
}

/// An argument guard: deny the call when the argument looks like this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    /// Parameter name as in the schema (dotted when nested).
    pub param: String,
    pub kind: GuardKind,
    /// Applies only when this operation selector takes one of these values
    /// (a switch guard on a multi-operation tool: only mutating operations).
    pub only_when: Option<(String, Vec<String>)>,
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
            GuardKind::Opaque { .. } => format!("deny any {}", self.param),
        }
    }

    /// What the guard refuses, as a phrase for a reviewer ("mode delete/drop").
    pub fn refuses(&self) -> String {
        let when = match &self.only_when {
            Some((op, values)) => format!(" when {op} is {}", values.join("/")),
            None => String::new(),
        };
        match &self.kind {
            GuardKind::Operation { denied, .. } => format!("{} {}", self.param, denied.join("/")),
            GuardKind::Switch => format!("{}=true{when}", self.param),
            GuardKind::Sql(_) => format!("destructive SQL or Cypher in {}", self.param),
            GuardKind::Shell(_) => format!("destructive shell commands in {}", self.param),
            GuardKind::Opaque { carries } => {
                format!(
                    "every call that passes {} (an array of {carries})",
                    self.param
                )
            }
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
    /// The least an agent client must do, whatever this plan alone says:
    /// when a server serves this name more than once, the strictest
    /// [`ClientGate`] of its tools (see [`plan_server`]).
    gate_floor: ClientGate,
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

    /// What an agent client with only per-tool allow/ask/deny (Claude Code,
    /// Codex) should do: it can neither count calls nor check arguments.
    /// Hidden tools are denied; a tool a gateway refuses until a human acts
    /// uses the client's own approval step; so does any tool the gateway
    /// would guard or limit tightly, and any destructive tool.
    pub fn client_gate(&self) -> ClientGate {
        self.own_client_gate().max(self.gate_floor)
    }

    fn own_client_gate(&self) -> ClientGate {
        match self.decision {
            Decision::Hide => ClientGate::Deny,
            Decision::Approve => ClientGate::Ask,
            Decision::Limit | Decision::Allow
                if self.graded_risk >= Risk::High
                    || !self.guards.is_empty()
                    || self.verdict.class == Class::Destructive =>
            {
                ClientGate::Ask
            }
            // Allowed, or unlisted (`*` would be a wildcard in a client file).
            _ => ClientGate::None,
        }
    }
}

/// An agent client's per-tool setting (see [`ToolPlan::client_gate`]),
/// from the laxest to the strictest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClientGate {
    /// Left to the client's defaults.
    None,
    /// The user approves each call (Claude Code `ask`, Codex `approval_mode = "prompt"`).
    Ask,
    /// Never callable (Claude Code `deny`, Codex `disabled_tools`).
    Deny,
}

/// Plans every tool of a server, sorted by name, each name once. A gateway
/// and an agent client tell tools apart by name only, so when a server
/// serves one name more than once (two tools named `x`, or `42` and `"42"`)
/// the name's plan is at least as strict as every one of its tools' plans
/// ([`strictest`]): never the laxer one's, whichever comes first or last.
pub fn plan_server(verdicts: &[Verdict]) -> Vec<ToolPlan<'_>> {
    let mut by_name: BTreeMap<&str, Vec<ToolPlan<'_>>> = BTreeMap::new();
    for v in verdicts {
        by_name
            .entry(v.name.as_str())
            .or_default()
            .push(plan_unexplained(v));
    }
    by_name.into_values().map(strictest).collect()
}

/// One plan at least as strict as each of `plans` (the tools of one name, in
/// the order served): the strictest decision (hidden over refused until a
/// human acts over rate-limited over allowed), on a tie the tightest limits
/// (the higher graded risk), then the more severe verdict, the first on a
/// full tie. When that plan still lets calls through, it also carries every
/// argument guard of the others, and agent clients gate the name as the
/// strictest of them would.
fn strictest(mut plans: Vec<ToolPlan<'_>>) -> ToolPlan<'_> {
    let key = |p: &ToolPlan<'_>| (p.decision, p.graded_risk, p.verdict.risk, p.verdict.class);
    let mut at = 0;
    for (i, p) in plans.iter().enumerate().skip(1) {
        if key(p) > key(&plans[at]) {
            at = i;
        }
    }
    let served = plans.len();
    let mut plan = plans.remove(at);
    for other in plans {
        plan.gate_floor = plan.gate_floor.max(other.client_gate());
        if matches!(plan.decision, Decision::Allow | Decision::Limit) {
            for g in other.guards {
                if !plan.guards.contains(&g) {
                    plan.guards.push(g);
                }
            }
        }
    }
    plan.why = explain_guards(&plan.why, &plan.guards);
    if served > 1 {
        plan.why = format!(
            "{} The strictest of the {served} tools this server serves under this name (a gateway tells them apart by name only).",
            plan.why
        );
    }
    plan
}

/// Plans one tool.
pub fn plan_tool(v: &Verdict) -> ToolPlan<'_> {
    let mut plan = plan_unexplained(v);
    plan.why = explain_guards(&plan.why, &plan.guards);
    plan
}

/// The reason names every guard, so a comment above the rules never says
/// "allowed" over a rule that refuses.
fn explain_guards(why: &str, guards: &[Guard]) -> String {
    if guards.is_empty() {
        return why.to_owned();
    }
    let mut parts: Vec<String> = Vec::new();
    for g in guards {
        let r = g.refuses();
        if !parts.contains(&r) {
            parts.push(r);
        }
    }
    format!(
        "{}; argument guards refuse {}.",
        why.trim_end_matches('.'),
        parts.join("; ")
    )
}

/// [`plan_tool`] but for the reason's sentence on its guards.
fn plan_unexplained(v: &Verdict) -> ToolPlan<'_> {
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
        narrowed = Some(" once destructive statements (DROP, TRUNCATE, DELETE without WHERE, ALTER ... DROP, DETACH DELETE, dynamic SQL) are denied");
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
        let mut g = switch_guards(v, &op_guards);
        g.splice(0..0, op_guards);
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
        gate_floor: ClientGate::None,
    }
}

/// Raw SQL is critical because it can destroy data; with the statements that
/// do so denied by [`guards::SQL`], the tool stays usable at the high tier
/// instead of needing a human for every query. Not when it also moves money
/// or runs shell commands: no argument pattern makes those safe.
fn sql_narrows(v: &Verdict) -> bool {
    !v.args.sql.is_empty()
        && v.args
            .sql
            .iter()
            .all(|p| addressable(p) || array_prefix(p).is_some())
        && v.args.shell.is_empty()
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
                    format!("Refused on every call until a human acts: critical risk, and a human can judge each call because it {what}; gateways have no approval step, so the agent is told to hand the call to the user (Claude Code asks the user instead)."),
                    Some(format!(
                        "{} {what}, so this policy refuses every call: ask the user to run it themselves or to lift this rule.",
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
            only_when: None,
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
    // The class floor (anything but read is at least medium), as the engine grades it.
    worst
        .max(crate::classify::grade::class_floor(v.class))
        .min(v.risk)
}

/// Gateways address arguments by dotted path (`args.a.b`); an element of an
/// array (`actions[].type`) has no path, so no guard can test it and the
/// tool is graded whole instead.
fn addressable(param: &str) -> bool {
    !param.is_empty() && !param.contains("[]")
}

/// For a parameter inside an array (`sqlStatements[]`,
/// `params.sqlStatements[]`, `steps[].sql`): the path of the outermost array,
/// which a gateway can test for presence (`exists`) though not look inside.
fn array_prefix(param: &str) -> Option<&str> {
    let i = param.find("[]")?;
    let prefix = param[..i].trim_end_matches('.');
    (!prefix.is_empty()).then_some(prefix)
}

/// Words in a switch's name that never widen damage: `upsert` inserts a
/// document, a dry run or preview changes nothing.
const HARMLESS_SWITCH_WORDS: &[&str] = &["upsert", "dry", "preview", "verbose", "validate"];

/// Words that widen the *scope* of a call (`all`): damage only on a tool that
/// destroys; on a read (`git_branch all` lists remote branches too) or a
/// write (`git_add all` stages everything) they are ordinary.
const SCOPE_SWITCH_WORDS: &[&str] = &["all", "everything", "bulk", "many", "wildcard"];

/// The lowercase words of a parameter name (`dropTarget` → drop, target).
fn words(name: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            out.push(String::new());
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            out.push(String::new());
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.last_mut()
            .expect("never empty")
            .extend(c.to_lowercase());
    }
    out.retain(|w| !w.is_empty());
    out
}

/// Switch guards: only where the switch can widen damage. None on a read-only
/// tool; none for switches whose name says they cannot (upsert, dry run);
/// scope switches (`all`) only on destructive tools; on a multi-operation
/// tool, only for the mutating operations an operation guard still allows.
fn switch_guards(v: &Verdict, op_guards: &[Guard]) -> Vec<Guard> {
    if v.class == Class::Read {
        return Vec::new();
    }
    let only_when = v
        .args
        .operations
        .iter()
        .find(|o| addressable(&o.param))
        .map(|op| {
            let denied: &[String] = op_guards
                .iter()
                .find_map(|g| match &g.kind {
                    GuardKind::Operation { denied, .. } if g.param == op.param => {
                        Some(denied.as_slice())
                    }
                    _ => None,
                })
                .unwrap_or(&[]);
            let mutating: Vec<String> = op
                .values
                .iter()
                .filter(|x| x.class != Class::Read && !denied.contains(&x.value))
                .map(|x| x.value.clone())
                .collect();
            (op.param.clone(), mutating)
        });
    if only_when.as_ref().is_some_and(|(_, m)| m.is_empty()) {
        // Every operation left is a read, or already denied whole.
        return Vec::new();
    }
    v.args
        .switches
        .iter()
        .filter(|s| addressable(s))
        .filter(|s| {
            let w = words(s);
            !w.iter().any(|x| HARMLESS_SWITCH_WORDS.contains(&x.as_str()))
                && (v.class == Class::Destructive
                    || !w.iter().any(|x| SCOPE_SWITCH_WORDS.contains(&x.as_str())))
        })
        .map(|s| Guard {
            param: s.clone(),
            kind: GuardKind::Switch,
            on_deny: format!(
                "{s}=true is blocked by policy because it widens the damage of {}; call again without it or ask a human.",
                v.name
            ),
            purpose: match &only_when {
                Some((op, values)) => format!(
                    "denies {s}=true, which widens what the call destroys, when {op} is {}",
                    values.join("/")
                ),
                None => format!("denies {s}=true, which widens what the call destroys"),
            },
            only_when: only_when.clone(),
        })
        .collect()
}

fn regex_guards(v: &Verdict) -> Vec<Guard> {
    let mut out = Vec::new();
    for (params, set, sql) in [
        (&v.args.sql, guards::SQL, true),
        (&v.args.shell, guards::SHELL, false),
    ] {
        for param in params.iter() {
            if let Some(array) = array_prefix(param) {
                let carries = if sql {
                    "raw SQL or Cypher statements"
                } else {
                    "raw shell commands"
                };
                let guard = Guard {
                    param: array.to_owned(),
                    kind: GuardKind::Opaque { carries },
                    on_deny: format!(
                        "{array} is blocked by policy because it is an array of {carries} and gateway conditions cannot check the elements of an array (paths reach object fields and regex matches strings only); send each statement through a tool whose single statement the guards check, or ask a human to run it."
                    ),
                    purpose: format!(
                        "denies every call that passes {array}: an array of {carries}, whose elements no gateway operator can match (no element paths; regex and contains test strings, not array elements)"
                    ),
                    only_when: None,
                };
                if !out.contains(&guard) {
                    out.push(guard);
                }
                continue;
            }
            if !addressable(param) {
                continue;
            }
            for p in set {
                let (noun, kind) = if sql {
                    ("SQL or Cypher", GuardKind::Sql(*p))
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
                    only_when: None,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_words() {
        assert_eq!(words("dropTarget"), ["drop", "target"]);
        assert_eq!(words("force_with_lease"), ["force", "with", "lease"]);
        assert_eq!(words("noVerify"), ["no", "verify"]);
        assert_eq!(words("dry-run"), ["dry", "run"]);
    }

    #[test]
    fn array_prefixes() {
        assert_eq!(array_prefix("sqlStatements[]"), Some("sqlStatements"));
        assert_eq!(
            array_prefix("params.sqlStatements[]"),
            Some("params.sqlStatements")
        );
        assert_eq!(array_prefix("steps[].sql"), Some("steps"));
        assert_eq!(array_prefix("[]"), None);
        assert_eq!(array_prefix("query"), None);
    }
}
