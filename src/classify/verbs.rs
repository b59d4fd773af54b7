//! The verb lexicon at work: which verbs a tool name, its description's lead
//! sentence, an enumeration of operations, or an operation selector's values
//! lead with.

use super::engine::Engine;
use super::normalize::{base_forms, identifier_tokens};
use super::verdict::{Class, OperationParam, OperationValue, Risk};

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

/// Words that join verbs in a list (`create, update or delete`).
const JOINERS: &[&str] = &["or", "and", "and/or"];

/// Decided verbs `(rule, class, word)` and ambiguous ones `(rule, word)`.
pub(super) type VerbHits = (Vec<(usize, Class, String)>, Vec<(usize, String)>);

impl Engine {
    /// The verbs an identifier leads with: the first decided verb (skipping
    /// nouns and ambiguous verbs), plus verbs joined to it by `or`/`and`. A
    /// verb that doubles as a noun (`snapshot_delete`) yields to a later verb,
    /// and a trailing destructive verb (`post_delete`) always counts.
    /// Ambiguous verbs seen on the way are returned too (for evidence).
    ///
    /// Under verb-last naming (`keyvault_key_create`, `deploy_plan_get`: a
    /// server-wide convention, see `context.rs`) a verb in last place is the
    /// action and what precedes it is a namespace, even a verb-like one.
    pub(super) fn identifier_verbs(&self, tokens: &[String], verb_last: bool) -> VerbHits {
        self.identifier_verbs_at(tokens, verb_last).0
    }

    /// [`Engine::identifier_verbs`], and whether the decided verb stands where
    /// the naming convention puts it (first, or last under verb-last naming)
    /// rather than further in (`mark_all_notifications_read`).
    pub(super) fn identifier_verbs_at(
        &self,
        tokens: &[String],
        verb_last: bool,
    ) -> (VerbHits, bool) {
        if verb_last && tokens.len() >= 2 {
            let last = &tokens[tokens.len() - 1];
            match self.lookup(last) {
                Some((r, Some(c))) => return ((vec![(r, c, last.clone())], Vec::new()), true),
                Some((r, None)) => return ((Vec::new(), vec![(r, last.clone())]), true),
                None => {}
            }
        }
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
            return ((decided, ambiguous), true);
        }
        if let Some(last) = tokens.last() {
            if let Some((r, Some(Class::Destructive))) = self.lookup(last) {
                if !self.nouns.contains(last) && !decided.iter().any(|(_, _, w)| w == last) {
                    decided.push((r, Class::Destructive, last.clone()));
                }
            }
        }
        ((decided, ambiguous), false)
    }

    /// The verb list the description's purpose leads with (`Create, patch,
    /// or delete ...`), from the first of its first three purpose sentences
    /// that has one. Ambiguous lead verbs ("Manage ...") are returned apart.
    pub(super) fn lead_verbs(&self, purpose: &[&str]) -> VerbHits {
        let mut ambiguous = Vec::new();
        for s in purpose.iter().take(3) {
            let words = clause_words(s);
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
            self.verb_list(
                &mut iter.map(|(w, p)| (w, *p)),
                &mut decided,
                &mut ambiguous,
            );
            return (decided, ambiguous);
        }
        (Vec::new(), ambiguous)
    }

    /// Continues a verb list after its first verb: `, update, or delete`.
    fn verb_list(
        &self,
        iter: &mut dyn Iterator<Item = (&String, Pos)>,
        decided: &mut Vec<(usize, Class, String)>,
        ambiguous: &mut Vec<(usize, String)>,
    ) {
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
    }

    /// Operations a description enumerates anywhere ("Supports create,
    /// update, delete, or clear completed"): a list of at least two decided
    /// verbs that opens a clause. A `manage_` tool is its worst operation.
    pub(super) fn enumerated_verbs(&self, sentences: &[&str]) -> Vec<(usize, Class, String)> {
        let mut best: Vec<(usize, Class, String)> = Vec::new();
        for s in sentences {
            let words = clause_words(s);
            let mut k = 0;
            while k < words.len() {
                let (w, pos) = &words[k];
                k += 1;
                if *pos != Pos::Start {
                    continue;
                }
                let Some((r, Some(c))) = self.lookup_inflected(w) else {
                    continue;
                };
                if self.nouns.contains(w.as_str()) {
                    continue;
                }
                let mut list = vec![(r, c, w.clone())];
                let mut amb = Vec::new();
                self.verb_list(
                    &mut words[k..].iter().map(|(w, p)| (w, *p)),
                    &mut list,
                    &mut amb,
                );
                if list.len() >= 2
                    && list.iter().map(|(_, c, _)| *c).max() > best.iter().map(|(_, c, _)| *c).max()
                {
                    best = list;
                }
            }
        }
        best
    }

    /// Classifies each value of an operation selector by its leading verb.
    pub(super) fn operation_values(
        &self,
        values: &[String],
    ) -> Vec<(String, Option<(usize, Class)>)> {
        values
            .iter()
            .map(|v| {
                let toks = identifier_tokens(v);
                let (d, _) = self.identifier_verbs(&toks, false);
                let best = d.iter().map(|(r, c, _)| (*r, *c)).max_by_key(|(_, c)| *c);
                (v.clone(), best)
            })
            .collect()
    }

    pub(super) fn operation_param(
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
            self.identifier_verbs(name_tokens, false).0.first(),
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
