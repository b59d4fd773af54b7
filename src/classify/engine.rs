//! The engine: compiles every rule pattern once (one `RegexSet` per matcher
//! kind, ASCII word boundaries) and turns one tool into one [`Verdict`].
//!
//! Order of decision, each step documented where it happens:
//! 1. verbs: the name's leading verb(s), each operation value of an operation
//!    selector, and the leading verb list of the first description sentence
//!    that has one; the most severe wins;
//! 2. `override` rules (narrow phrases) replace that;
//! 3. `decide` rules settle tools no verb decided (`execute`, `query`, `manage_x`);
//! 4. `floor` rules raise the class; an undecided tool becomes Write (never Read);
//! 5. signals raise risk; declared annotations are compared and, unless
//!    ignored, the more severe class wins.

use std::collections::HashMap;

use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde_json::Value;

use super::normalize::{base_forms, identifier_tokens, sentences};
use super::rules::{ArgKind, Catalogue, Effect, Field, Rule, Shape};
use super::verdict::{
    ArgFacts, Category, Class, Evidence, OperationParam, OperationValue, Risk, Signal, Verdict,
};
use super::view::ToolView;
use crate::tool::Hints;

/// A compiled catalogue.
pub struct Engine {
    pub catalogue: Catalogue,
    /// verb → (rule index, class; `None` = ambiguous verb).
    verbs: HashMap<String, (usize, Option<Class>)>,
    /// Verbs that double as nouns.
    nouns: std::collections::HashSet<String>,
    phrase_set: RegexSet,
    phrase_res: Vec<Regex>,
    phrase_rule: Vec<usize>,
    param_set: RegexSet,
    param_rule: Vec<usize>,
    pdesc_set: RegexSet,
    pdesc_res: Vec<Regex>,
    pdesc_rule: Vec<usize>,
}

fn builder_set(pats: &[String]) -> Result<RegexSet, regex::Error> {
    RegexSetBuilder::new(pats)
        .unicode(false)
        .case_insensitive(true)
        .size_limit(64 << 20)
        // A large lazy-DFA cache: with a small one the overlapping search
        // over ~200 case-insensitive patterns spends its time re-determinizing.
        .dfa_size_limit(256 << 20)
        .build()
}

fn one(p: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(p)
        .unicode(false)
        .case_insensitive(true)
        .build()
}

/// Words that open a sentence without saying what the tool does.
const FILLER: &[&str] = &[
    "this",
    "tool",
    "tools",
    "that",
    "will",
    "can",
    "a",
    "an",
    "the",
    "to",
    "use",
    "used",
    "helps",
    "help",
    "allows",
    "allow",
    "lets",
    "let",
    "you",
    "please",
    "also",
    "simply",
    "it",
    "for",
    "we",
    "quickly",
    "easily",
    "mcp",
    "directly",
    "immediately",
    "safely",
    "optionally",
];

/// How a later sentence that still describes the tool begins ("This tool ...").
const OPENERS: &[&str] = &["this", "tool", "it", "helps", "used"];

/// Words that join verbs in a list (`create, update or delete`).
const JOINERS: &[&str] = &["or", "and", "and/or"];

/// Decided verbs `(rule, class, word)` and ambiguous ones `(rule, word)`.
type VerbHits = (Vec<(usize, Class, String)>, Vec<(usize, String)>);

#[derive(Default)]
struct Hit {
    rule: usize,
    field: String,
    text: String,
}

impl Engine {
    pub fn new(catalogue: Catalogue) -> Result<Engine, regex::Error> {
        let mut verbs = HashMap::new();
        let mut nouns = std::collections::HashSet::new();
        let (mut phrases, mut phrase_rule) = (Vec::new(), Vec::new());
        let (mut params, mut param_rule) = (Vec::new(), Vec::new());
        let (mut pdescs, mut pdesc_rule) = (Vec::new(), Vec::new());
        for (i, r) in catalogue.rules.iter().enumerate() {
            for v in &r.verbs {
                verbs.entry(v.clone()).or_insert((i, r.class));
            }
            nouns.extend(r.nouns.iter().cloned());
            for p in &r.phrases {
                phrases.push(p.clone());
                phrase_rule.push(i);
            }
            for p in &r.params {
                params.push(format!("^(?:{p})$"));
                param_rule.push(i);
            }
            for p in &r.param_phrases {
                pdescs.push(p.clone());
                pdesc_rule.push(i);
            }
        }
        Ok(Engine {
            verbs,
            nouns,
            phrase_set: builder_set(&phrases)?,
            phrase_res: phrases.iter().map(|p| one(p)).collect::<Result<_, _>>()?,
            phrase_rule,
            param_set: builder_set(&params)?,
            param_rule,
            pdesc_set: builder_set(&pdescs)?,
            pdesc_res: pdescs.iter().map(|p| one(p)).collect::<Result<_, _>>()?,
            pdesc_rule,
            catalogue,
        })
    }

    fn rule(&self, i: usize) -> &Rule {
        &self.catalogue.rules[i]
    }

    fn lookup(&self, w: &str) -> Option<(usize, Option<Class>)> {
        self.verbs.get(w).copied()
    }

    fn lookup_inflected(&self, w: &str) -> Option<(usize, Option<Class>)> {
        base_forms(w).iter().find_map(|b| self.lookup(b))
    }

    /// The verbs an identifier leads with: the first decided verb (skipping
    /// nouns and ambiguous verbs), plus verbs joined to it by `or`/`and`. A
    /// verb that doubles as a noun (`snapshot_delete`) yields to a later verb,
    /// and a trailing destructive verb (`post_delete`) always counts.
    /// Ambiguous verbs seen on the way are returned too (for evidence).
    fn identifier_verbs(&self, tokens: &[String]) -> VerbHits {
        let mut decided = Vec::new();
        let mut ambiguous = Vec::new();
        let mut noun_fallback = None;
        let mut i = 0;
        while i < tokens.len() {
            match self.lookup(&tokens[i]) {
                Some((r, Some(c))) => {
                    if self.nouns.contains(&tokens[i]) && i + 1 < tokens.len() {
                        if ambiguous.is_empty() {
                            noun_fallback.get_or_insert((r, c, tokens[i].clone()));
                        }
                        i += 1;
                        continue;
                    }
                    decided.push((r, c, tokens[i].clone()));
                    while i + 2 < tokens.len() && JOINERS.contains(&tokens[i + 1].as_str()) {
                        if let Some((r2, Some(c2))) = self.lookup(&tokens[i + 2]) {
                            decided.push((r2, c2, tokens[i + 2].clone()));
                        }
                        i += 2;
                    }
                    break;
                }
                Some((r, None)) => ambiguous.push((r, tokens[i].clone())),
                None => {}
            }
            i += 1;
        }
        let verb_first = decided
            .first()
            .is_some_and(|(_, _, w)| tokens.first() == Some(w));
        // After an ambiguous verb (`simulate_research_query`) a verb that
        // doubles as a noun is its object, so it was never kept as fallback.
        if decided.is_empty() {
            decided.extend(noun_fallback);
        }
        if verb_first {
            return (decided, ambiguous);
        }
        if let Some(last) = tokens.last() {
            if let Some((r, Some(Class::Destructive))) = self.lookup(last) {
                if !self.nouns.contains(last) && !decided.iter().any(|(_, _, w)| w == last) {
                    decided.push((r, Class::Destructive, last.clone()));
                }
            }
        }
        (decided, ambiguous)
    }

    /// The verb list a description sentence leads with (`Create, patch, or
    /// delete ...`), from the first of its first three sentences that has one.
    fn description_verbs(&self, desc: &str) -> VerbHits {
        let mut ambiguous = Vec::new();
        let mut label_only = false;
        for (n, s) in sentences(desc).into_iter().take(3).enumerate() {
            let words = clause_words(s);
            // Later sentences count only when they describe the tool ("This
            // tool helps analyze ...") or follow a bare label ("Notion | ...");
            // otherwise they are often orders to the caller ("Describe what ...").
            if n > 0
                && !OPENERS.contains(&words.first().map_or("", |(w, _)| w.as_str()))
                && !label_only
            {
                continue;
            }
            label_only = words.len() <= 2;
            let mut iter = words
                .iter()
                .skip_while(|(w, _)| FILLER.contains(&w.as_str()));
            let Some((first, _)) = iter.next() else {
                continue;
            };
            let Some(hit) = self.lookup_inflected(first) else {
                continue;
            };
            let Some(first_class) = hit.1 else {
                // An ambiguous lead verb ("Simulates ...", "Manage ...") says
                // nothing; what follows in the sentence is its object.
                ambiguous.push((hit.0, first.clone()));
                continue;
            };
            let mut decided = vec![(hit.0, first_class, first.clone())];
            let mut prev_verb = true;
            for (w, pos) in iter {
                if JOINERS.contains(&w.as_str()) {
                    continue;
                }
                let candidate = match pos {
                    Pos::Start | Pos::JoinedAfterComma => true,
                    Pos::Joined => prev_verb,
                    Pos::Inner => false,
                };
                prev_verb = false;
                if !candidate {
                    continue;
                }
                // After the first verb, a word that doubles as a noun
                // ("branches or commits") is an object, not another verb.
                if self.nouns.contains(w.as_str()) {
                    break;
                }
                match self.lookup_inflected(w) {
                    Some((r, Some(c))) if !base_forms(w).iter().any(|b| self.nouns.contains(b)) => {
                        prev_verb = true;
                        decided.push((r, c, w.clone()))
                    }
                    Some((r, None)) => ambiguous.push((r, w.clone())),
                    _ => break,
                }
            }
            return (decided, ambiguous);
        }
        (Vec::new(), ambiguous)
    }

    /// Classifies each value of an operation selector by its leading verb.
    fn operation_values(&self, values: &[String]) -> Vec<(String, Option<(usize, Class)>)> {
        values
            .iter()
            .map(|v| {
                let toks = identifier_tokens(v);
                let (d, _) = self.identifier_verbs(&toks);
                let best = d.iter().map(|(r, c, _)| (*r, *c)).max_by_key(|(_, c)| *c);
                (v.clone(), best)
            })
            .collect()
    }

    /// Classifies one tool. `siblings` is unused today but lets rules about
    /// mentions of other tools tell siblings from strangers later.
    pub fn classify(&self, raw: &Value, ignore_annotations: bool) -> Verdict {
        self.classify_view(&ToolView::new(raw), ignore_annotations)
    }

    /// Classifies one tool from its JSON text without building a
    /// `serde_json::Value` (the streaming path); the same verdict as
    /// [`Engine::classify`] on the parsed value.
    pub fn classify_json(&self, raw: &str, ignore_annotations: bool) -> Verdict {
        // Never an empty value for a tool serde_json refuses: the input
        // layer's tolerant reading, with its anomalies raising the verdict.
        crate::input::tolerant::classify_raw(self, raw, ignore_annotations).0
    }

    /// Classifies one tool from its view.
    pub fn classify_view(&self, def: &ToolView, ignore_annotations: bool) -> Verdict {
        let name_tokens = identifier_tokens(&def.name);
        let name_text = name_tokens.join(" ");
        let title = if def.annotation_title.is_empty() {
            def.title.to_string()
        } else {
            format!("{} {}", def.title, def.annotation_title)
        };
        let desc = def.description.trim();
        let mut hits: Vec<Hit> = Vec::new();

        // Phrase rules over name / title / description.
        for (field, text) in [
            (Field::Name, name_text.as_str()),
            (Field::Title, title.as_str()),
            (Field::Description, desc),
        ] {
            if text.is_empty() {
                continue;
            }
            for pi in self.phrase_set.matches(text.as_bytes()).iter() {
                let ri = self.phrase_rule[pi];
                if !self.rule(ri).fields.contains(&field) {
                    continue;
                }
                let m = self.phrase_res[pi].find(text.as_bytes());
                let quoted = m.map_or(String::new(), |m| quote(&text[m.start()..m.end()]));
                hits.push(Hit {
                    rule: ri,
                    field: field_name(field).into(),
                    text: quoted,
                });
            }
        }
        // Parameter rules.
        let mut param_hits: Vec<(usize, String)> = Vec::new();
        let mut pdesc_hits: Vec<usize> = Vec::new();
        for p in &def.params {
            let leaf = p.name.rsplit('.').next().unwrap_or(&p.name);
            for pi in self.param_set.matches(leaf.as_bytes()).iter() {
                param_hits.push((self.param_rule[pi], p.name.clone()));
            }
            if !p.description.is_empty() {
                for pi in self.pdesc_set.matches(p.description.as_bytes()).iter() {
                    let ri = self.pdesc_rule[pi];
                    pdesc_hits.push(ri);
                    let m = self.pdesc_res[pi].find(p.description.as_bytes());
                    hits.push(Hit {
                        rule: ri,
                        field: format!("inputSchema.properties.{}.description", p.name),
                        text: m
                            .map_or(String::new(), |m| quote(&p.description[m.start()..m.end()])),
                    });
                }
            }
        }
        let mut fired: Vec<usize> = Vec::new();
        let mut args = ArgFacts::default();
        let mut ops_class: Option<Class> = None;
        let mut evidence: Vec<Evidence> = Vec::new();

        // Rules with params / shapes; decide which non-verb rules fire.
        for (ri, rule) in self.catalogue.rules.iter().enumerate() {
            if rule.effect == Effect::Verb && rule.phrases.is_empty() && rule.params.is_empty() {
                continue;
            }
            let phrase_hit = hits
                .iter()
                .any(|h| h.rule == ri && !h.field.starts_with("inputSchema"));
            let pdesc_hit = pdesc_hits.contains(&ri);
            // A damage switch is a boolean flag; `all: "..."` strings are not.
            let is_switch_ok = |name: &String| {
                rule.arg != Some(ArgKind::Switch)
                    || def
                        .params
                        .iter()
                        .any(|p| &p.name == name && p.ty.contains("boolean"))
            };
            let rule_params: Vec<&String> = param_hits
                .iter()
                .filter(|(r, p)| *r == ri && is_switch_ok(p))
                .map(|(_, p)| p)
                .collect();
            let mut shape_hit = false;
            if let Some(shape) = rule.shape {
                match shape {
                    Shape::EmptyDescription => {
                        shape_hit = desc.is_empty();
                        if shape_hit {
                            evidence.push(Evidence {
                                rule: rule.id.clone(),
                                field: "description".into(),
                                text: String::new(),
                            });
                        }
                    }
                    Shape::HiddenUnicode => {
                        if let Some((field, snippet)) = hidden_unicode(def) {
                            shape_hit = true;
                            evidence.push(Evidence {
                                rule: rule.id.clone(),
                                field,
                                text: snippet,
                            });
                        }
                    }
                    Shape::OperationEnum => {
                        for p in def
                            .params
                            .iter()
                            .filter(|p| rule_params.contains(&&p.name) && !p.ty.contains("array"))
                        {
                            if let Some((op, c)) =
                                self.operation_param(&p.name, &p.enum_values, &name_tokens)
                            {
                                shape_hit = true;
                                ops_class = ops_class.max(Some(c));
                                let destructive = op.destructive_values().join(", ");
                                evidence.push(Evidence {
                                    rule: rule.id.clone(),
                                    field: format!("inputSchema.properties.{}.enum", p.name),
                                    text: if destructive.is_empty() {
                                        quote(&p.enum_values.join(", "))
                                    } else {
                                        quote(&destructive)
                                    },
                                });
                                args.operations.push(op);
                            }
                        }
                        for (path, values) in nested_operations(def) {
                            if let Some((op, c)) =
                                self.operation_param(&path, &values, &name_tokens)
                            {
                                shape_hit = true;
                                ops_class = ops_class.max(Some(c));
                                evidence.push(Evidence {
                                    rule: rule.id.clone(),
                                    field: format!("inputSchema.properties.{path}.enum"),
                                    text: quote(&op.destructive_values().join(", ")),
                                });
                                args.operations.push(op);
                            }
                        }
                    }
                }
            }
            let groups = [
                (!rule.phrases.is_empty(), phrase_hit),
                (
                    !rule.params.is_empty() && rule.shape != Some(Shape::OperationEnum),
                    !rule_params.is_empty(),
                ),
                (!rule.param_phrases.is_empty(), pdesc_hit),
                (rule.shape.is_some(), shape_hit),
            ];
            let ok = if rule.all {
                groups
                    .iter()
                    .filter(|(present, _)| *present)
                    .all(|(_, hit)| *hit)
            } else {
                groups.iter().any(|(present, hit)| *present && *hit)
            };
            if !ok {
                continue;
            }
            fired.push(ri);
            if rule.shape != Some(Shape::OperationEnum) {
                for p in &rule_params {
                    evidence.push(Evidence {
                        rule: rule.id.clone(),
                        field: format!("inputSchema.properties.{p}"),
                        text: quote(p),
                    });
                    let list = match rule.arg {
                        Some(ArgKind::Switch) => Some(&mut args.switches),
                        Some(ArgKind::Sql) => Some(&mut args.sql),
                        Some(ArgKind::Shell) => Some(&mut args.shell),
                        None => None,
                    };
                    if let Some(list) = list {
                        if !list.contains(p) {
                            list.push((*p).clone());
                        }
                    }
                }
            }
        }
        for h in &hits {
            if fired.contains(&h.rule) {
                evidence.push(Evidence {
                    rule: self.rule(h.rule).id.clone(),
                    field: h.field.clone(),
                    text: h.text.clone(),
                });
            }
        }

        // 1. Verbs.
        let (name_verbs, name_amb) = self.identifier_verbs(&name_tokens);
        let (desc_verbs, desc_amb) = self.description_verbs(desc);
        let mut decided_by: Option<(f32, String)> = None;
        let mut class: Option<Class> = None;
        for (r, c, w) in name_verbs.iter() {
            class = class.max(Some(*c));
            fired.push(*r);
            evidence.push(Evidence {
                rule: self.rule(*r).id.clone(),
                field: "name".into(),
                text: w.clone(),
            });
        }
        if !name_verbs.is_empty() {
            let (r, _, w) = name_verbs
                .iter()
                .max_by_key(|(_, c, _)| *c)
                .expect("non-empty");
            decided_by = Some((self.rule(*r).confidence, render(self.rule(*r), w)));
        }
        for (r, c, w) in desc_verbs.iter() {
            fired.push(*r);
            evidence.push(Evidence {
                rule: self.rule(*r).id.clone(),
                field: "description".into(),
                text: w.clone(),
            });
            if Some(*c) > class {
                class = Some(*c);
                decided_by = Some((self.rule(*r).confidence - 0.1, render(self.rule(*r), w)));
            }
        }
        for (field, amb) in [("name", &name_amb), ("description", &desc_amb)] {
            for (r, w) in amb.iter() {
                fired.push(*r);
                evidence.push(Evidence {
                    rule: self.rule(*r).id.clone(),
                    field: field.into(),
                    text: w.clone(),
                });
            }
        }
        if let Some(oc) = ops_class {
            if Some(oc) >= class {
                let vals: Vec<String> = args
                    .operations
                    .iter()
                    .flat_map(|o| {
                        o.values
                            .iter()
                            .filter(|v| v.class == oc)
                            .map(|v| v.value.clone())
                    })
                    .take(4)
                    .collect();
                decided_by = Some((
                    0.85,
                    format!(
                        "its operation selector includes {} operations ({})",
                        oc,
                        vals.join(", ")
                    ),
                ));
            }
            class = class.max(Some(oc));
        }
        let fired_of = |eff: Effect| -> Vec<usize> {
            let mut v: Vec<usize> = fired
                .iter()
                .copied()
                .filter(|r| self.rule(*r).effect == eff)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        // 2. Overrides.
        if let Some(r) = best_by_priority(self, &fired_of(Effect::Override)) {
            class = self.rule(r).class;
            decided_by = Some((
                self.rule(r).confidence,
                render(self.rule(r), &first_text(&evidence, &self.rule(r).id)),
            ));
        }
        // 3. Decide.
        if class.is_none() {
            if let Some(r) = best_by_priority(self, &fired_of(Effect::Decide)) {
                class = self.rule(r).class;
                decided_by = Some((
                    self.rule(r).confidence,
                    render(self.rule(r), &first_text(&evidence, &self.rule(r).id)),
                ));
            }
        }
        // 4. Floors.
        let mut notes: Vec<String> = Vec::new();
        for r in fired_of(Effect::Floor) {
            let rc = self.rule(r).class;
            if rc > class {
                if class.is_none() {
                    decided_by = Some((
                        self.rule(r).confidence,
                        render(self.rule(r), &first_text(&evidence, &self.rule(r).id)),
                    ));
                } else {
                    notes.push(render(
                        self.rule(r),
                        &first_text(&evidence, &self.rule(r).id),
                    ));
                }
                class = rc;
            }
        }
        let (mut confidence, mut rationale) = match (class, decided_by) {
            (Some(_), Some((c, why))) => (c, why),
            _ => (
                0.3,
                "No verb or phrase says what this tool does; an unrecognised tool is never called read".to_owned(),
            ),
        };
        let inferred = class.unwrap_or(Class::Write);

        // 5. Signals and risk.
        let mut signals: Vec<Signal> = Vec::new();
        let mut risk = Risk::Low;
        let mut fired_all = fired.clone();
        fired_all.sort_unstable();
        fired_all.dedup();
        for &r in &fired_all {
            let rule = self.rule(r);
            // A verb rule counts only if its verb was chosen (it is in the evidence).
            signals.extend(rule.signals.iter().copied());
            if let Some(rr) = rule.risk {
                if inferred != Class::Read || rule.class == Some(Class::Read) {
                    risk = risk.max(rr);
                }
            }
        }
        if desc.is_empty() {
            signals.push(Signal::EmptyDescription);
            confidence *= 0.7;
            rationale.push_str(". The description is empty, so this rests on the name alone");
        }
        let declared = def.declared.clone();
        let declared_class = declared.as_ref().and_then(declared_class);
        let mut final_class = inferred;
        if let Some(dc) = declared_class {
            if dc != inferred {
                signals.push(Signal::AnnotationMismatch);
                notes.push(format!(
                    "declared annotations say {dc}, the rules say {inferred}"
                ));
                if !ignore_annotations && dc > inferred {
                    final_class = dc;
                }
            }
        }
        if final_class == Class::Read {
            signals.retain(|s| {
                !matches!(
                    s,
                    Signal::IrreversibleLoss
                        | Signal::BulkScope
                        | Signal::Money
                        | Signal::ExternalMessage
                        | Signal::ProductionInfra
                        | Signal::CodeExecution
                )
            });
        }
        if final_class == Class::Write {
            signals.retain(|s| *s != Signal::IrreversibleLoss);
        }
        signals.sort_unstable();
        signals.dedup();
        risk = risk.max(risk_for(final_class, &signals));
        if final_class == Class::Read && !signals.contains(&Signal::SuspiciousDescription) {
            risk = risk.min(Risk::Medium);
        }
        let category = if signals.contains(&Signal::Money) {
            Category::Financial
        } else if signals.contains(&Signal::CodeExecution) {
            Category::Execute
        } else {
            match final_class {
                Class::Read => Category::Read,
                Class::Write => Category::Write,
                Class::Destructive => Category::Destructive,
            }
        };
        if !notes.is_empty() {
            rationale.push_str("; ");
            rationale.push_str(&notes.join("; "));
        }
        rationale.push('.');
        // A multi-operation tool takes its most severe operation. Each value
        // carries the signals of its own verb rule too (a `delete` value is
        // irreversible loss even when the tool's name says `manage`).
        let mut worst_op = Risk::Low;
        let mut op_signals: Vec<Signal> = Vec::new();
        for op in &mut args.operations {
            for v in &mut op.values {
                let mut own: Vec<Signal> = signals.clone();
                if v.class != Class::Read {
                    if let Some((r, _)) = self.operation_values(std::slice::from_ref(&v.value))[0].1
                    {
                        own.extend(self.rule(r).signals.iter().copied());
                    }
                }
                v.risk = risk_for(v.class, &own).max(if v.class == Class::Read {
                    Risk::Low
                } else {
                    Risk::Medium
                });
                worst_op = worst_op.max(v.risk);
                if v.class == Class::Destructive && final_class == Class::Destructive {
                    op_signals.extend(own.into_iter().filter(|s| !signals.contains(s)));
                }
            }
        }
        if final_class != Class::Read && worst_op > risk {
            risk = worst_op;
        }
        if !op_signals.is_empty() {
            signals.extend(op_signals);
            signals.sort_unstable();
            signals.dedup();
        }
        evidence.dedup_by(|a, b| a.rule == b.rule && a.field == b.field && a.text == b.text);
        Verdict {
            name: def.name.to_string(),
            class: final_class,
            risk,
            category,
            confidence: (confidence.clamp(0.05, 0.99) * 100.0).round() / 100.0,
            hints: Verdict::hints_for(final_class),
            declared,
            signals,
            rationale,
            evidence,
            args,
        }
    }

    fn operation_param(
        &self,
        path: &str,
        values: &[String],
        name_tokens: &[String],
    ) -> Option<(OperationParam, Class)> {
        if values.len() < 2 {
            return None;
        }
        let classified = self.operation_values(values);
        if !classified.iter().any(|(_, c)| c.is_some()) {
            return None;
        }
        let name_read = matches!(
            self.identifier_verbs(name_tokens).0.first(),
            Some((_, Class::Read, _))
        );
        let default = if name_read { Class::Read } else { Class::Write };
        let values: Vec<OperationValue> = classified
            .into_iter()
            .map(|(value, c)| OperationValue {
                value,
                class: c.map_or(default, |(_, c)| c),
                risk: Risk::Low,
            })
            .collect();
        let worst = values.iter().map(|v| v.class).max()?;
        Some((
            OperationParam {
                param: path.to_owned(),
                values,
            },
            worst,
        ))
    }
}

fn best_by_priority(e: &Engine, rules: &[usize]) -> Option<usize> {
    rules
        .iter()
        .copied()
        .max_by_key(|r| (e.rule(*r).priority, e.rule(*r).class))
}

fn first_text(ev: &[Evidence], id: &str) -> String {
    ev.iter()
        .find(|e| e.rule == id)
        .map(|e| e.text.clone())
        .unwrap_or_default()
}

fn render(rule: &Rule, text: &str) -> String {
    rule.rationale.replace("{text}", text)
}

fn field_name(f: Field) -> &'static str {
    match f {
        Field::Name => "name",
        Field::Title => "title",
        Field::Description => "description",
    }
}

/// Short quotation of tool text (at most 80 characters).
fn quote(s: &str) -> String {
    let t = s.trim();
    if t.chars().count() <= 80 {
        t.to_owned()
    } else {
        let mut out: String = t.chars().take(77).collect();
        out.push_str("...");
        out
    }
}

/// The class the declared hints claim, if they claim one.
pub fn declared_class(h: &Hints) -> Option<Class> {
    match (h.read_only, h.destructive) {
        (Some(true), _) => Some(Class::Read),
        (_, Some(true)) => Some(Class::Destructive),
        (Some(false), _) => Some(Class::Write),
        _ => None,
    }
}

/// Class sets the floor; signals raise it (ARCHITECTURE.md, "risk").
pub fn risk_for(class: Class, signals: &[Signal]) -> Risk {
    let has = |s| signals.contains(&s);
    let mut r = match class {
        Class::Read => Risk::Low,
        _ => Risk::Medium,
    };
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

/// How a word sits in its sentence, for finding lists of verbs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pos {
    Inner,
    /// Sentence start, or after `,` `;` `/`.
    Start,
    /// After `or`/`and` that follows a comma (`create, update, or delete`).
    JoinedAfterComma,
    /// After a bare `or`/`and` (`get or update`, `configuration and upgrade`).
    Joined,
}

/// Words of a sentence with their position; text in parentheses is dropped
/// (it lists values and examples, not what the tool does).
fn clause_words(s: &str) -> Vec<(String, Pos)> {
    let mut out: Vec<(String, Pos)> = Vec::new();
    let mut cur = String::new();
    let mut next = Pos::Start;
    let mut comma = false;
    let mut depth = 0usize;
    for c in s.chars().chain(std::iter::once(' ')) {
        if depth > 0 {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            continue;
        }
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
            continue;
        }
        if c == '\'' || c == '-' && !cur.is_empty() {
            continue;
        }
        if !cur.is_empty() {
            let w = std::mem::take(&mut cur);
            let joiner = JOINERS.contains(&w.as_str());
            out.push((w, next));
            next = if joiner {
                if comma {
                    Pos::JoinedAfterComma
                } else {
                    Pos::Joined
                }
            } else {
                Pos::Inner
            };
            comma = false;
        }
        match c {
            ',' | ';' | '/' => {
                next = Pos::Start;
                comma = true;
            }
            '(' => depth = 1,
            _ => {}
        }
    }
    out
}

/// Operation selectors nested in arrays of steps (`actions[].type`).
fn nested_operations(def: &ToolView) -> Vec<(String, Vec<String>)> {
    def.params
        .iter()
        .flat_map(|p| {
            p.item_ops
                .iter()
                .map(move |(key, vals)| (format!("{}[].{key}", p.name), vals.clone()))
        })
        .collect()
}

/// The first hidden or control character in any text the model reads, with
/// an escaped snippet around it.
fn hidden_unicode(def: &ToolView) -> Option<(String, String)> {
    let mut fields: Vec<(String, &str)> = vec![
        ("name".into(), &*def.name),
        ("title".into(), &*def.title),
        ("description".into(), &*def.description),
    ];
    for p in &def.params {
        fields.push((
            format!("inputSchema.properties.{}.description", p.name),
            &*p.description,
        ));
    }
    for (field, text) in fields {
        if text.is_ascii() {
            continue;
        }
        let pos = text.char_indices().find(|(_, c)| {
            !matches!(c, '\n' | '\r' | '\t') && crate::text::is_hidden_or_control(*c)
        });
        if let Some((i, _)) = pos {
            let start = text[..i].char_indices().rev().nth(20).map_or(0, |(j, _)| j);
            let snippet: String = text[start..].chars().take(40).collect();
            return Some((field, crate::text::terminal_safe(&snippet)));
        }
    }
    None
}
