//! The engine: compiles every rule pattern once (one matcher per pattern
//! kind, ASCII word boundaries) and turns one tool into one [`Verdict`] in
//! three pure stages with typed hand-offs:
//!
//! 1. `collect.rs`: every hit, with the place it came from (name verb, first
//!    sentence, later text, parameter, schema shape);
//! 2. `decide.rs`: the class, by one documented precedence;
//! 3. `grade.rs`: the risk, from the class floor and the signals.
//!
//! Declared annotations are then compared: unless ignored, the more severe of
//! declared and inferred wins, and every disagreement is reported.

// Looked up for most words of every text: Fx, not SipHash (the keys are
// the catalogue's own verbs, so there is no untrusted key to flood with).
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde_json::Value;

use super::collect::{Collected, Hit};
use super::context::Context;
use super::decide::{decide, Decision, Role, EMPTY_DESCRIPTION_FACTOR};
use super::normalize::find_base_form;
use super::rules::{Catalogue, Field, Rule};
use super::setmatch::{PhraseMatcher, SetMatcher};
use super::verdict::{Class, Signal, Verdict};
use super::view::ToolView;
use crate::tool::Hints;

/// One compiled group of phrase patterns.
pub struct PhraseSet {
    pub set: PhraseMatcher,
    /// Rule index of each pattern.
    pub rule: Vec<usize>,
    /// For the name, the title and the description (`Field` order): whether
    /// each pattern's rule reads that field. A pattern is never tried on a
    /// field its rule ignores (`predicate-name`'s on a description).
    pub reads: [Vec<bool>; 3],
}

impl PhraseSet {
    /// The set of `pats` (pattern, rule index); its prefilter also finds
    /// the literals `extra` ([`PhraseMatcher::with_extra`]).
    fn new(
        pats: Vec<(String, usize)>,
        catalogue: &Catalogue,
        extra: &[&str],
    ) -> Result<PhraseSet, regex::Error> {
        let (pats, rule): (Vec<String>, Vec<usize>) = pats.into_iter().unzip();
        let reads = [Field::Name, Field::Title, Field::Description].map(|f| {
            rule.iter()
                .map(|&r| catalogue.rules[r].fields.contains(&f))
                .collect()
        });
        Ok(PhraseSet {
            set: PhraseMatcher::with_extra(&pats, 64 << 20, 256 << 20, extra)?,
            rule,
            reads,
        })
    }

    /// Which patterns a rule reading `field` has (see [`PhraseSet::reads`]).
    pub fn reading(&self, field: Field) -> &[bool] {
        &self.reads[match field {
            Field::Name => 0,
            Field::Title => 1,
            Field::Description => 2,
        }]
    }
}

/// A compiled catalogue.
pub struct Engine {
    pub catalogue: Catalogue,
    /// verb → (rule index, class; `None` = ambiguous verb).
    verbs: HashMap<String, (usize, Option<Class>)>,
    /// Verbs that double as nouns.
    pub(super) nouns: HashSet<String>,
    /// Multi-word verbs by their first word: (the whole verb, its other
    /// words; `*` for a separable verb's gap), longest first.
    pub(super) phrasal: HashMap<String, Vec<(String, Vec<String>)>>,
    /// Every phrase pattern (one pass over each text).
    pub(super) phrases: PhraseSet,
    pub(super) param_set: SetMatcher,
    pub(super) param_rule: Vec<usize>,
    pub(super) pdescs: PhraseSet,
    /// Rules with a shape matcher (they fire without a text match).
    pub(super) shape_rules: Vec<usize>,
    /// The lexicon's Chinese and Japanese compounds, found inside a lead.
    pub(super) cjk: super::verbs::CjkVerbs,
    /// Each rule's rationale cut at its `{text}` placeholders: a hit's is
    /// the pieces joined by its text (what `replace` gives, without
    /// searching the rationale for every verdict).
    rationale_pieces: Vec<Vec<String>>,
}

fn builder_set(pats: &[String]) -> Result<SetMatcher, regex::Error> {
    // As `RegexSetBuilder::new(pats).unicode(false).case_insensitive(true)`,
    // with a large lazy-DFA cache: with a small one the overlapping search
    // over ~200 case-insensitive patterns spends its time re-determinizing.
    SetMatcher::new(pats, 64 << 20, 256 << 20)
}

impl Engine {
    pub fn new(catalogue: Catalogue) -> Result<Engine, regex::Error> {
        let mut verbs = HashMap::default();
        let mut nouns = HashSet::default();
        let mut phrasal: HashMap<String, Vec<(String, Vec<String>)>> = HashMap::default();
        let mut phrases = Vec::new();
        let (mut params, mut param_rule) = (Vec::new(), Vec::new());
        let mut pdescs = Vec::new();
        for (i, r) in catalogue.rules.iter().enumerate() {
            for v in &r.verbs {
                verbs.entry(v.clone()).or_insert((i, r.effect.class()));
                let mut parts = v.split(' ').map(str::to_owned);
                if let (Some(first), rest) = (parts.next(), parts.collect::<Vec<_>>()) {
                    if !rest.is_empty() {
                        phrasal.entry(first).or_default().push((v.clone(), rest));
                    }
                }
            }
            nouns.extend(r.nouns.iter().cloned());
            for p in &r.phrases {
                phrases.push((p.clone(), i));
            }
            for p in &r.params {
                params.push(format!("^(?:{p})$"));
                param_rule.push(i);
            }
            for p in &r.param_phrases {
                pdescs.push((p.clone(), i));
            }
        }
        // The three automata are built side by side: start-up is most of
        // the time of classifying one server.
        // The description's phrase scan also finds its deprecation notes
        // and warnings (the prose split's marks): one pass, not two.
        let marks: Vec<&str> = super::prose::mark_literals().collect();
        let (phrases, (param_set, pdescs)) = rayon::join(
            || PhraseSet::new(phrases, &catalogue, &marks),
            || {
                rayon::join(
                    || builder_set(&params),
                    || PhraseSet::new(pdescs, &catalogue, &[]),
                )
            },
        );
        for forms in phrasal.values_mut() {
            forms.sort_by_key(|(_, rest)| std::cmp::Reverse(rest.len()));
        }
        let cjk = super::verbs::CjkVerbs::new(&catalogue);
        let rationale_pieces = catalogue
            .rules
            .iter()
            .map(|r| r.rationale.split("{text}").map(str::to_owned).collect())
            .collect();
        Ok(Engine {
            cjk,
            rationale_pieces,
            verbs,
            nouns,
            phrasal,
            phrases: phrases?,
            param_set: param_set?,
            param_rule,
            pdescs: pdescs?,
            shape_rules: catalogue
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.shape.is_some())
                .map(|(i, _)| i)
                .collect(),
            catalogue,
        })
    }

    pub(super) fn rule(&self, i: usize) -> &Rule {
        &self.catalogue.rules[i]
    }

    pub(super) fn lookup(&self, w: &str) -> Option<(usize, Option<Class>)> {
        self.verbs.get(w).copied()
    }

    pub(super) fn lookup_inflected(&self, w: &str) -> Option<(usize, Option<Class>)> {
        // A verb of a rule that lists every form (`exact`) is met only as written.
        find_base_form(w, |b| {
            self.lookup(b)
                .filter(|(r, _)| b.len() == w.len() || !self.rule(*r).exact)
        })
    }

    /// Whether `w` is a verb of the lexicon only as a participle (`booking`,
    /// `deleted`): not itself a base form (`shred`, `ping` are).
    pub(super) fn participle(&self, w: &str) -> bool {
        (w.ends_with("ing") || w.ends_with("ed")) && self.lookup(w).is_none()
    }

    /// A description's purpose and the rest (see `prose.rs`): a later
    /// sentence that opens with a verb of another language in any form, or
    /// with "Cet ...", "Este ...", "Dieses ...", still describes the tool.
    pub(super) fn split_prose<'a>(&self, desc: &'a str) -> super::prose::Prose<'a> {
        super::prose::split_with(
            desc,
            |w| self.is_lexicon_verb(w),
            |w| self.is_foreign_verb(w) || super::verbs::PROSE_OPENERS.contains(&w),
        )
    }

    /// [`Engine::split_prose`], given the description's marks (found by
    /// the phrase scan: [`super::prose::split_marked`]).
    pub(super) fn split_prose_marked<'a>(
        &self,
        desc: &'a str,
        marks: &[super::prose::Mark],
    ) -> super::prose::Prose<'a> {
        super::prose::split_marked(
            desc,
            marks,
            // A subject's form of a phrasal verb's first word ("Looks up
            // the cert, and inserts a row ...") opens a sentence about the
            // tool as a lexicon verb's does.
            |w| {
                self.is_lexicon_verb(w)
                    || (w.ends_with('s')
                        && find_base_form(w, |b| self.phrasal.contains_key(b).then_some(()))
                            .is_some())
            },
            |w| self.is_foreign_verb(w) || super::verbs::PROSE_OPENERS.contains(&w),
        )
    }

    /// Whether `w` is a verb of a rule met only as written (`exact`).
    pub(super) fn is_exact(&self, w: &str) -> bool {
        self.lookup(w).is_some_and(|(r, _)| self.rule(r).exact)
    }

    /// Whether `w` is a verb of another language's lexicon (an `exact`
    /// rule's, decided), met only as written.
    pub(super) fn is_foreign_verb(&self, w: &str) -> bool {
        self.lookup(w)
            .is_some_and(|(r, c)| c.is_some() && self.rule(r).exact)
    }

    /// Whether `w`, inflected or not, is a verb of the lexicon.
    pub(super) fn is_lexicon_verb(&self, w: &str) -> bool {
        self.lookup_inflected(w).is_some()
    }

    /// Whether a name token is a verb that would lead a name: decided or
    /// ambiguous, and not a word that doubles as a noun.
    pub(super) fn is_name_verb(&self, w: &str) -> bool {
        self.lookup(w).is_some() && !self.nouns.contains(w)
    }

    /// Whether an operation value acts on a page (click, type, scroll).
    pub(super) fn is_page_action(&self, value: &str) -> bool {
        let toks = super::normalize::identifier_tokens(value);
        toks.first()
            .and_then(|t| self.lookup(t))
            .is_some_and(|(r, _)| self.rule(r).page_action)
    }

    /// The class of the verb a tool's name leads with (under the server's
    /// naming convention), if it leads with a decided one. With
    /// `after_prefix`, a verb right after a product prefix that is no verb
    /// (`jira_add_worklog`) leads too.
    pub fn name_verb_class(&self, name: &str, ctx: &Context, after_prefix: bool) -> Option<Class> {
        self.name_verb_classes(name, ctx, after_prefix)?
            .into_iter()
            .max()
    }

    /// The class of the first decided verb a tool's name leads with (as in
    /// [`Engine::name_verb_class`]), not the worst of them: in
    /// `createProjectUpdate` the verb is `create`, `update` its object.
    pub fn name_lead_verb_class(
        &self,
        name: &str,
        ctx: &Context,
        after_prefix: bool,
    ) -> Option<Class> {
        self.name_verb_classes(name, ctx, after_prefix)?
            .first()
            .copied()
    }

    /// The classes of a name's decided verbs, in order, when the name leads
    /// with one (or, with `after_prefix`, has one right after a prefix).
    fn name_verb_classes(
        &self,
        name: &str,
        ctx: &Context,
        after_prefix: bool,
    ) -> Option<Vec<Class>> {
        let tokens = ctx.strip_namespace(super::normalize::identifier_tokens(name));
        let ((decided, _), leading) = self.identifier_verbs_at(&tokens, ctx.verb_last);
        let prefixed = after_prefix
            && tokens.len() >= 3
            && self.lookup(&tokens[0]).is_none()
            // A word that doubles as a noun is the verb only when no verb
            // follows (`confluence_upload_attachment`, not `discussion_comment_write`).
            && (self.is_name_verb(&tokens[1]) || tokens[2..].iter().all(|t| self.lookup(t).is_none()))
            && decided.first().is_some_and(|(_, _, w)| *w == tokens[1]);
        if !leading && !prefixed {
            return None;
        }
        Some(decided.iter().map(|(_, c, _)| *c).collect())
    }

    /// The first word of `title` or of the description's purpose sentences
    /// (not notes or instructions to the agent, see `prose.rs`) that is a
    /// verb for write or destructive in the lexicon, inflected or not, and
    /// does not double as a noun: eval's test that a tool's text says
    /// nothing of changing anything.
    pub fn mutating_word(&self, title: &str, description: &str) -> Option<String> {
        let prose = self.split_prose(description.trim());
        std::iter::once(title)
            .chain(prose.sentences.iter().copied())
            .flat_map(super::normalize::words)
            .find(|w| {
                !self.nouns.contains(w.as_str())
                    && self
                        .lookup_inflected(w)
                        .is_some_and(|(_, c)| c.is_some_and(|c| c != Class::Read))
            })
    }

    /// Classifies one tool on its own (no server context).
    pub fn classify(&self, raw: &Value, ignore_annotations: bool) -> Verdict {
        self.classify_in(raw, ignore_annotations, &Context::default())
    }

    /// Classifies one tool of a server whose context is `ctx`.
    pub fn classify_in(&self, raw: &Value, ignore_annotations: bool, ctx: &Context) -> Verdict {
        self.classify_view(&ToolView::new(raw), ignore_annotations, ctx)
    }

    /// Classifies one tool from its JSON text without building a
    /// `serde_json::Value` (the streaming path); the same verdict as
    /// [`Engine::classify_in`] on the parsed value.
    pub fn classify_json(&self, raw: &str, ignore_annotations: bool, ctx: &Context) -> Verdict {
        // Never an empty value for a tool serde_json refuses: the input
        // layer's tolerant reading, with its anomalies raising the verdict.
        crate::input::tolerant::classify_raw(self, raw, ignore_annotations, ctx).0
    }

    /// Stages 1-3 and the annotation check, with what each stage saw.
    pub fn trace(&self, raw: &Value, ignore_annotations: bool, ctx: &Context) -> Trace {
        let def = ToolView::new(raw);
        let collected = self.collect(&def, ctx);
        let decision = decide(&collected.hits, &self.catalogue.rules, &def.name);
        let verdict = self.assemble(
            &def,
            collected.clone_parts(),
            &decision,
            ignore_annotations,
            ctx,
        );
        Trace {
            hits: collected.hits,
            decision,
            verdict,
            context: *ctx,
        }
    }

    /// Classifies one tool from its view.
    pub fn classify_view(
        &self,
        def: &ToolView,
        ignore_annotations: bool,
        ctx: &Context,
    ) -> Verdict {
        let collected = self.collect(def, ctx);
        let decision = decide(&collected.hits, &self.catalogue.rules, &def.name);
        self.assemble(def, collected, &decision, ignore_annotations, ctx)
    }

    /// Grades, compares with the declared annotations, and writes the rationale.
    fn assemble(
        &self,
        def: &ToolView,
        collected: Collected,
        d: &Decision,
        ignore_annotations: bool,
        ctx: &Context,
    ) -> Verdict {
        let Collected {
            hits,
            mut evidence,
            mut args,
            empty_description,
        } = collected;
        // A last-resort rule (the name's own words) that did not decide says
        // nothing the verdict rests on: it is no evidence.
        let quiet: Vec<&str> = hits
            .iter()
            .zip(&d.roles)
            .filter(|(h, r)| self.rule(h.rule).last_resort && **r != Role::Decided)
            .map(|(h, _)| self.rule(h.rule).id.as_str())
            .collect();
        if !quiet.is_empty() {
            evidence.retain(|e| !quiet.contains(&e.rule.as_str()));
        }
        let inferred = d.class;
        let mut confidence = d.confidence;
        let first = first_decider(&hits, &d.roles);
        let mut rationale = match first {
            Some(i) => self.because(&hits[i]),
            None => "No verb or phrase says what this tool does; an unrecognised tool is never called read".to_owned(),
        };
        // Raisers lift the class above what first decided it.
        // Clauses after the first: "...; it writes its output to ...".
        let mut notes: Vec<String> = d
            .raised
            .iter()
            .map(|&r| lower_first(self.because(&hits[r])))
            .collect();
        // A raiser that lifted the class above what first decided it leads:
        // the rationale opens with the reason for the class it gives, and
        // what was outranked follows ("...; though its own description
        // claims it is `read-only` ...").
        let lifted = first.is_some_and(|i| hits[i].class.is_some_and(|c| c < inferred));
        if let Some(k) = d
            .raised
            .iter()
            .position(|&r| lifted && hits[r].class == Some(inferred))
        {
            notes.remove(k);
            let outranked = std::mem::replace(
                &mut rationale,
                upper_first(self.because(&hits[d.raised[k]])),
            );
            notes.push(format!(
                "this outranks the first reading ({})",
                lower_first(outranked)
            ));
        }
        let mut extra: Vec<Signal> = Vec::new();
        if empty_description {
            extra.push(Signal::EmptyDescription);
            confidence *= EMPTY_DESCRIPTION_FACTOR;
            rationale.push_str(". The description is empty, so this rests on the name alone");
        }
        let declared = def.declared.clone();
        let mut final_class = inferred;
        if let Some(dc) = declared.as_ref().and_then(declared_class) {
            if dc != inferred {
                extra.push(Signal::AnnotationMismatch);
                let blanket = ctx
                    .blanket
                    .map_or(String::new(), |b| format!(" ({})", b.describe()));
                notes.push(format!(
                    "declared annotations say {dc}{blanket}, the rules say {inferred}"
                ));
                if !ignore_annotations && dc > inferred {
                    final_class = dc;
                }
            }
        }
        let graded = self.grade(final_class, &hits, &d.roles, &extra, &mut args);
        if !notes.is_empty() {
            rationale.push_str("; ");
            rationale.push_str(&notes.join("; "));
        }
        rationale.push('.');
        Verdict {
            name: def.name.to_string(),
            class: final_class,
            risk: graded.risk,
            category: graded.category,
            confidence: (confidence.clamp(0.05, 0.99) * 100.0).round() / 100.0,
            hints: Verdict::hints_for(final_class),
            declared,
            signals: graded.signals,
            rationale,
            evidence,
            args,
            decided_by: d.by.map(|i| self.rule(hits[i].rule).id.clone()),
        }
    }

    /// The rationale sentence of one hit.
    pub(super) fn because(&self, h: &Hit) -> String {
        let rule = self.rule(h.rule);
        if rule.shape == Some(super::rules::Shape::OperationEnum) {
            return format!(
                "its operation selector includes {} operations ({})",
                h.class.map_or("other", Class::as_str),
                h.text
            );
        }
        // A quote spanning a line break reads as one line in a sentence.
        let quote: std::borrow::Cow<str> = if h.text.contains(['\n', '\r', '\t']) {
            h.text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .into()
        } else {
            h.text.as_str().into()
        };
        let text = self.rationale_pieces[h.rule].join(quote.as_ref());
        // Verb rules speak of the name; a verb read from the description says so.
        match (h.site, text.strip_prefix("It is named for ")) {
            (super::collect::Site::Lead | super::collect::Site::Enumeration, Some(rest)) => {
                format!("Its description leads with a verb for {rest}")
            }
            (super::collect::Site::Later, Some(rest)) => {
                format!("A later sentence of its description opens with a verb for {rest}")
            }
            _ => text,
        }
    }
}

/// `s` with its first letter in lower case when it opens a sentence
/// ("It writes" → "it writes"; an acronym such as "SQL" stays).
fn lower_first(s: String) -> String {
    let mut cs = s.chars();
    match (cs.next(), cs.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            let mut out = a.to_lowercase().collect::<String>();
            out.push_str(&s[a.len_utf8()..]);
            out
        }
        _ => s,
    }
}

/// `s` with its first letter capitalised (a clause that opens a rationale).
fn upper_first(s: String) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(a) if a.is_lowercase() => a.to_uppercase().chain(cs).collect(),
        _ => s,
    }
}

/// The hit that decided before any raiser lifted the class.
fn first_decider(hits: &[Hit], roles: &[Role]) -> Option<usize> {
    (0..hits.len()).find(|&i| roles[i] == Role::Decided)
}

impl Collected {
    fn clone_parts(&self) -> Collected {
        Collected {
            hits: self.hits.clone(),
            evidence: self.evidence.clone(),
            args: self.args.clone(),
            empty_description: self.empty_description,
        }
    }
}

/// What `--explain` shows: every hit, the decision, and the verdict.
pub struct Trace {
    pub hits: Vec<Hit>,
    pub decision: Decision,
    pub verdict: Verdict,
    /// What the verdict knew of its server (naming conventions).
    pub context: Context,
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

pub use super::grade::risk_for;
