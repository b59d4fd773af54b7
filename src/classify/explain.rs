//! `--explain`: every hit of one tool, which one decided and why the others
//! did not, so a user who disagrees knows which rule to change.

use std::fmt::Write as _;

use super::decide::{self, Role};
use super::engine::{Engine, Trace};
use crate::text::terminal_safe;

/// The explanation of one traced tool, as plain text (tool text escaped).
pub fn render(engine: &Engine, t: &Trace) -> String {
    let v = &t.verdict;
    let mut s = String::new();
    let _ = writeln!(s, "tool: {}", terminal_safe(&v.name));
    let _ = writeln!(
        s,
        "verdict: {} (risk {}, category {}, confidence {:.2}), decided by {}",
        v.class,
        v.risk,
        v.category,
        v.confidence,
        v.decided_by.as_deref().map_or(
            "no rule: nothing said what the tool does, so it is write (never read)".to_owned(),
            |r| format!("`{r}`")
        )
    );
    // The hit that decided first, when a raiser then lifted the class.
    if let Some(first) = (0..t.hits.len()).find(|&i| t.decision.roles[i] == Role::Decided) {
        let h = &t.hits[first];
        if h.class.is_some_and(|c| c < t.decision.class) {
            let _ = writeln!(
                s,
                "  `{}` first decided {}; a raiser lifted it to {}",
                engine.rule(h.rule).id,
                h.class.map_or("-".to_owned(), |c| c.to_string()),
                t.decision.class
            );
        }
    }
    if t.decision.class != v.class {
        let _ = writeln!(
            s,
            "  the rules say {}; the declared annotations raise it to {}",
            t.decision.class, v.class
        );
    }
    // Server-wide naming that changed how the name was read.
    if t.context.namespace {
        let _ = writeln!(
            s,
            "naming: every name of this server opens with the same word, its verbs after it: \
             that word is the server's namespace, not read as a verb"
        );
    }
    if t.context.verb_last {
        let _ = writeln!(
            s,
            "naming: this server puts a name's verb last (`keyvault_key_create`)"
        );
    }
    let _ = writeln!(s, "hits (precedence: override > the name's verb > the lead sentence's verb > decide rules; then raisers):");
    if t.hits.is_empty() {
        let _ = writeln!(s, "  (none)");
    }
    for (h, role) in t.hits.iter().zip(&t.decision.roles) {
        let rule = &engine.catalogue.rules[h.rule];
        let (mark, what) = match role {
            Role::Decided => ("decided  ", String::new()),
            Role::Raised => ("raised   ", String::new()),
            Role::Agreed => ("agreed   ", String::new()),
            Role::Signal => ("signal   ", String::new()),
            Role::Outranked(why) => ("outranked", format!(": {why}")),
        };
        let class = h.class.map_or("-".to_owned(), |c| c.to_string());
        let _ = writeln!(
            s,
            "  {mark} {:<24} {:<30} {:<12} `{}`{what}",
            rule.id,
            h.site.as_str(),
            class,
            terminal_safe(&h.text),
        );
    }
    if !v.signals.is_empty() {
        let sig: Vec<&str> = v.signals.iter().map(|x| x.as_str()).collect();
        let _ = writeln!(s, "signals: {}", sig.join(", "));
    }
    let _ = writeln!(s, "rationale: {}", terminal_safe(&v.rationale));
    let _ = writeln!(
        s,
        "constants: lead-verb penalty {}, operation {}, listed operations {}, undecided {}, empty description x{}",
        decide::LEAD_VERB_PENALTY,
        decide::OPERATION_CONFIDENCE,
        decide::ENUMERATION_CONFIDENCE,
        decide::UNDECIDED_CONFIDENCE,
        decide::EMPTY_DESCRIPTION_FACTOR
    );
    let _ = writeln!(
        s,
        "to change it: `mcp-risk rules explain ID` shows a rule; rules live in rules/*.toml"
    );
    s
}
