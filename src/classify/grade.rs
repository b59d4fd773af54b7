//! Stage 3: grade the risk. Class sets the floor (read: low, write and
//! destructive: medium); signals raise it (ARCHITECTURE.md, "risk"). A
//! multi-operation tool takes its most severe operation.

use super::collect::{Hit, Site};
use super::decide::Role;
use super::engine::Engine;
use super::verdict::{ArgFacts, Category, Class, Risk, Signal};

/// The least risk a class carries. Written once: the engine and the policy
/// planner both use it.
pub fn class_floor(class: Class) -> Risk {
    match class {
        Class::Read => Risk::Low,
        Class::Write | Class::Destructive => Risk::Medium,
    }
}

/// Operation values that name the damage itself (`git_reset` mode `hard`,
/// `git_stash` `clear`): what they remove does not come back.
const DAMAGE_VALUES: [&str; 8] = [
    "hard",
    "clear",
    "purge",
    "wipe",
    "force",
    "all",
    "everything",
    "destroy",
];

/// Signals that say nothing about a tool that only reads.
const NOT_FOR_READS: [Signal; 6] = [
    Signal::IrreversibleLoss,
    Signal::BulkScope,
    Signal::Money,
    Signal::ExternalMessage,
    Signal::ProductionInfra,
    Signal::CodeExecution,
];

/// Whether the tool keeps something it is given (a credential argument then
/// counts): it mutates, and something other than a parameter says so (the
/// name's verb, a phrase, an operation selector), or nothing says what it
/// does. A tool that reads, or one made mutating only by a parameter
/// (`local_path` to save a download to, a `mark_as_read` switch), still
/// only reads from the service its credentials open.
fn keeps_what_it_is_given(class: Class, hits: &[Hit], roles: &[Role]) -> bool {
    if class == Class::Read {
        return false;
    }
    let mut mutating = hits.iter().zip(roles).filter(|(h, r)| {
        matches!(r, Role::Decided | Role::Raised | Role::Agreed)
            && h.class.is_some_and(|c| c != Class::Read)
    });
    match mutating.next() {
        None => true,
        Some((first, _)) => {
            first.site != Site::Param || mutating.any(|(h, _)| h.site != Site::Param)
        }
    }
}

/// Class sets the floor; signals raise it.
pub fn risk_for(class: Class, signals: &[Signal]) -> Risk {
    let has = |s| signals.contains(&s);
    let mut r = class_floor(class);
    if has(Signal::Credentials) {
        r = r.max(if class == Class::Read {
            Risk::Medium
        } else {
            Risk::High
        });
    }
    if class != Class::Read {
        if has(Signal::IrreversibleLoss) || has(Signal::Money) || has(Signal::ExternalMessage) {
            r = r.max(Risk::High);
        }
        if class == Class::Destructive && (has(Signal::ProductionInfra) || has(Signal::BulkScope)) {
            r = r.max(Risk::High);
        }
        if has(Signal::CodeExecution) {
            r = Risk::Critical;
        }
        if has(Signal::IrreversibleLoss) && has(Signal::BulkScope) {
            r = Risk::Critical;
        }
    }
    if has(Signal::SuspiciousDescription) {
        r = r.max(Risk::High);
    }
    r
}

/// The PolicyLayer category of a graded tool.
pub fn category(class: Class, signals: &[Signal]) -> Category {
    if signals.contains(&Signal::Money) {
        Category::Financial
    } else if signals.contains(&Signal::CodeExecution) {
        Category::Execute
    } else {
        match class {
            Class::Read => Category::Read,
            Class::Write => Category::Write,
            Class::Destructive => Category::Destructive,
        }
    }
}

/// What stage 3 concludes.
pub struct Graded {
    pub risk: Risk,
    pub signals: Vec<Signal>,
    pub category: Category,
}

impl Engine {
    /// Stage 3: signals of the hits that count, filtered by the final class,
    /// then risk; operation values get their own risk.
    pub(super) fn grade(
        &self,
        class: Class,
        hits: &[Hit],
        roles: &[Role],
        extra: &[Signal],
        args: &mut ArgFacts,
    ) -> Graded {
        let mut signals: Vec<Signal> = extra.to_vec();
        let mut risk = Risk::Low;
        let keeps = keeps_what_it_is_given(class, hits, roles);
        for (h, role) in hits.iter().zip(roles) {
            if !role.counts() {
                continue;
            }
            let rule = &self.catalogue.rules[h.rule];
            // A secret passed as an argument (`password`, `secret`) is a
            // credential the tool handles only when it keeps it (creates a
            // user with it, stores it in a repository's settings); to a tool
            // that only reads it authenticates the call, no damage signal.
            let auth_only = !keeps
                && h.site == Site::Param
                && matches!(rule.effect, super::rules::Effect::Signal);
            signals.extend(
                rule.signals
                    .iter()
                    .copied()
                    .filter(|s| !(auth_only && *s == Signal::Credentials)),
            );
            if let Some(rr) = rule.risk {
                if class != Class::Read || rule.effect.class() == Some(Class::Read) {
                    risk = risk.max(rr);
                }
            }
        }
        match class {
            Class::Read => signals.retain(|s| !NOT_FOR_READS.contains(s)),
            Class::Write => signals.retain(|s| *s != Signal::IrreversibleLoss),
            Class::Destructive => {}
        }
        signals.sort_unstable();
        signals.dedup();
        risk = risk.max(risk_for(class, &signals));
        if class == Class::Read && !signals.contains(&Signal::SuspiciousDescription) {
            risk = risk.min(Risk::Medium);
        }
        let category = category(class, &signals);
        // Each operation value carries the signals of its own verb too (a
        // `delete` value is irreversible loss even when the name says `manage`).
        let mut worst_op = Risk::Low;
        let mut op_signals: Vec<Signal> = Vec::new();
        for op in &mut args.operations {
            for v in &mut op.values {
                let mut own: Vec<Signal> = signals.clone();
                if v.class == Class::Destructive
                    && super::normalize::identifier_tokens(&v.value)
                        .iter()
                        .any(|t| DAMAGE_VALUES.contains(&t.as_str()))
                {
                    own.push(Signal::IrreversibleLoss);
                }
                if v.class != Class::Read {
                    if let Some((r, _)) = self.operation_values(std::slice::from_ref(&v.value))[0].1
                    {
                        own.extend(self.catalogue.rules[r].signals.iter().copied());
                    }
                }
                v.risk = risk_for(v.class, &own).max(class_floor(v.class));
                worst_op = worst_op.max(v.risk);
                if v.class == Class::Destructive && class == Class::Destructive {
                    op_signals.extend(own.into_iter().filter(|s| !signals.contains(s)));
                }
            }
        }
        if class != Class::Read && worst_op > risk {
            risk = worst_op;
        }
        if !op_signals.is_empty() {
            signals.extend(op_signals);
            signals.sort_unstable();
            signals.dedup();
        }
        Graded {
            risk,
            signals,
            category,
        }
    }
}
