//! Intercept YAML v1 (PolicyLayer's open-source proxy), written by hand so
//! every rule carries its reason as a comment.
//!
//! Intercept's semantics differ from policy.json: an `evaluate` rule's
//! conditions must all *pass* for the call to go through, a condition on a
//! missing argument fails, and there is no negated regex. So the shared plan's
//! guards are translated, never loosened:
//! - operation guard → `args.<op> not_in [denied]` (a call without the
//!   selector is refused too);
//! - switch guard → `args.<switch> exists false` (calls without the switch
//!   pass; passing it at all is refused);
//! - SQL guard → `args.<sql> regex` a single read-only statement (stricter);
//! - shell guard → an unconditional `deny` rule: no pattern can say "without
//!   rm -rf", so a human runs shell commands;
//! - array guard (an array of SQL or shell) → `args.<array> exists false`;
//! - a switch guard that applies to some operations only → `exists false`
//!   on the switch for every operation (Intercept rules cannot say "or").
//!
//! Intercept has no approval step: a tool that needs a human gets an
//! unconditional `deny` rule whose message tells the agent to hand the call
//! to the user.
//!
//! Strings are YAML double-quoted with every hidden character escaped
//! ([`super::yaml_quote`]); comments go through [`super::comment_safe`].

use std::fmt::Write as _;

use crate::classify::Verdict;

use super::guards::SQL_READ_ONLY;
use super::plan::{self, Decision, GuardKind, ToolPlan};
use super::{comment_safe, yaml_quote as q};

/// The Intercept policy for one server.
pub fn for_server(server: &str, verdicts: &[Verdict]) -> String {
    let plans = plan::plan_server(verdicts);
    let mut y = super::header("Intercept policy", server);
    y.push_str("# Graded by risk: low allowed, medium and high rate-limited, critical refused until a human runs it (Intercept has no approval step) or hidden.\n");
    y.push_str("# Each tool's comment gives its class, risk, the reason for its rules and the classifier's rationale.\n");
    y.push_str("version: \"1\"\n");
    let _ = writeln!(
        y,
        "description: {}",
        q(&format!(
            "mcp-risk recommended policy for {server} ({} tools)",
            plans.len()
        ))
    );
    y.push_str("default: deny\n");

    let hidden: Vec<&ToolPlan<'_>> = plans.iter().filter(|p| p.hidden()).collect();
    if hidden.is_empty() {
        y.push_str("hide: []\n");
    } else {
        y.push_str("hide:\n");
        for p in &hidden {
            push_comment(&mut y, "  ", p);
            let _ = writeln!(y, "  - {}", q(p.name()));
        }
    }

    let listed: Vec<&ToolPlan<'_>> = plans.iter().filter(|p| p.listed()).collect();
    if listed.is_empty() {
        y.push_str("tools: {}\n");
        return y;
    }
    y.push_str("tools:\n");
    for p in listed {
        push_comment(&mut y, "  ", p);
        let _ = writeln!(y, "  {}:", q(p.name()));
        tool_rules(&mut y, p);
    }
    y
}

fn push_comment(y: &mut String, indent: &str, p: &ToolPlan<'_>) {
    let v = p.verdict;
    let _ = writeln!(
        y,
        "{indent}# {}: {}, {} risk. {}",
        comment_safe(p.name()),
        v.class,
        v.risk,
        comment_safe(&p.why)
    );
    if !v.rationale.is_empty() {
        let _ = writeln!(y, "{indent}#   rationale: {}", comment_safe(&v.rationale));
    }
}

fn tool_rules(y: &mut String, p: &ToolPlan<'_>) {
    let mut rules = String::new();
    for l in &p.limits {
        let w = l.window.as_str();
        let _ = writeln!(
            rules,
            "      - name: {}",
            q(&format!("at most {} per {w}", l.max))
        );
        let _ = writeln!(rules, "        rate_limit: {}/{w}", l.max);
        let _ = writeln!(
            rules,
            "        on_deny: {}",
            q(&format!(
                "{} is limited to {} calls per {w} by policy ({} risk); try again later.",
                p.name(),
                l.max,
                p.graded_risk
            ))
        );
    }
    // One Intercept rule per SQL or shell parameter: its translation covers
    // every pattern the plan has for that parameter.
    let mut seen: Vec<(bool, &str)> = Vec::new();
    for g in &p.guards {
        if let GuardKind::Sql(_) | GuardKind::Shell(_) = &g.kind {
            let key = (matches!(g.kind, GuardKind::Sql(_)), g.param.as_str());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
        }
        let (name, purpose) = match &g.kind {
            GuardKind::Sql(_) => (
                format!("read-only SQL in {}", g.param),
                format!(
                    "keeps DROP, TRUNCATE, DELETE without WHERE, ALTER ... DROP, DETACH DELETE and dynamic SQL out of {}",
                    g.param
                ),
            ),
            GuardKind::Shell(_) => (
                format!("shell commands in {} need a human", g.param),
                format!(
                    "keeps rm -rf, find -delete, mkfs, dd and pipes into a shell out of {}",
                    g.param
                ),
            ),
            _ => (g.name(), g.purpose.clone()),
        };
        let _ = writeln!(rules, "      # {}", comment_safe(&purpose));
        let _ = writeln!(rules, "      - name: {}", q(&name));
        let condition = |rules: &mut String, op: &str, value: String| {
            rules.push_str("        conditions:\n");
            let _ = writeln!(rules, "          - path: {}", q(&g.path()));
            let _ = writeln!(rules, "            op: {op}");
            let _ = writeln!(rules, "            value: {value}");
        };
        let on_deny = match &g.kind {
            GuardKind::Operation { denied, .. } => {
                rules
                    .push_str("        # Intercept refuses a call that omits this argument too.\n");
                let list: Vec<String> = denied.iter().map(|d| q(d)).collect();
                condition(&mut rules, "not_in", format!("[{}]", list.join(", ")));
                g.on_deny.clone()
            }
            GuardKind::Switch => {
                if let Some((op, values)) = &g.only_when {
                    let _ = writeln!(
                        rules,
                        "        # Applies when {} is {}; Intercept rules cannot say \"or\", so the switch is refused for every {op}.",
                        comment_safe(op),
                        comment_safe(&values.join("/"))
                    );
                }
                condition(&mut rules, "exists", "false".into());
                format!(
                    "{} may not be passed to {} under this policy because {}=true widens the damage; call again without it.",
                    g.param,
                    p.name(),
                    g.param
                )
            }
            GuardKind::Sql(_) => {
                rules.push_str("        # Intercept has no negated regex: allow single read-only statements only.\n");
                condition(&mut rules, "regex", q(SQL_READ_ONLY));
                format!(
                    "Only single read-only SQL statements (SELECT, EXPLAIN, SHOW) pass this policy in {}; ask a human to run anything that changes data.",
                    g.param
                )
            }
            GuardKind::Opaque { carries } => {
                rules.push_str("        # No Intercept operator can look inside an array: calls that pass it are refused.\n");
                condition(&mut rules, "exists", "false".into());
                format!(
                    "{} is an array of {carries}, which this policy cannot check, so calls that pass it are refused; ask a human to run it.",
                    g.param
                )
            }
            GuardKind::Shell(_) => {
                rules.push_str("        # Intercept cannot match \"a command without rm -rf\": a human runs shell commands.\n");
                rules.push_str("        action: deny\n");
                format!(
                    "Shell commands in {} need a human under this policy: the gateway cannot check them for rm -rf, mkfs, dd or pipes into a shell.",
                    g.param
                )
            }
        };
        let _ = writeln!(rules, "        on_deny: {}", q(&on_deny));
    }
    if let Some(msg) = &p.approval_message {
        rules.push_str("      # Intercept has no approval step: every call is refused and the agent is told to hand it to the user.\n");
        let _ = writeln!(
            rules,
            "      - name: {}",
            q("refused until a human runs it")
        );
        rules.push_str("        action: deny\n");
        let _ = writeln!(rules, "        on_deny: {}", q(msg));
    }
    if rules.is_empty() {
        y.push_str("    rules: []\n");
    } else {
        y.push_str("    rules:\n");
        y.push_str(&rules);
    }
    debug_assert!(p.listed() && p.decision != Decision::Hide);
}
