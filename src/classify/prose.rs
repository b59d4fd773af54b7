//! What a description says the tool does. Its sentences are sorted into the
//! *purpose* (the first sentence, and later sentences that still describe the
//! tool: "This tool ...", "Returns ...", "Deletes ...") and the rest:
//! deprecation notes, examples and instructions addressed to the agent ("Use
//! this before deploying", "If the user asks ..."). Those describe the agent's
//! next steps or the tool's future, not what a call does, so phrase rules of
//! the default scope read only the purpose.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};

use super::normalize::sentences;

/// Words a later sentence may open with and still describe the tool.
const DESCRIBING_OPENERS: &[&str] = &[
    "this",
    "it",
    "tool",
    "the",
    "also",
    "additionally",
    "optionally",
    "automatically",
    "returns",
    "supports",
    "can",
    "will",
];

/// A description split into purpose and the rest.
#[derive(Debug, Default)]
pub struct Prose<'a> {
    /// The purpose sentences, lead first (slices of the description).
    pub sentences: Vec<&'a str>,
    /// Their byte ranges in the description: what purpose-scope phrases read.
    pub ranges: Vec<(usize, usize)>,
    /// Every sentence but deprecation notes (where operation lists are sought).
    pub all: Vec<&'a str>,
}

impl Prose<'_> {
    /// Where a match starting at byte `at` of the description sits: in the
    /// lead sentence (`Some(true)`), a later purpose sentence (`Some(false)`),
    /// or outside the purpose (`None`).
    pub fn place(&self, at: usize) -> Option<bool> {
        self.ranges
            .iter()
            .position(|(s, e)| (*s..*e).contains(&at))
            .map(|i| i == 0)
    }
}

/// Whether a sentence announces the tool's deprecation or removal. (No
/// anchors or word boundaries: see [`split`].)
pub fn is_deprecation(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        ci(r"deprecat|future (release|version)|will be removed in|no longer (supported|maintained)")
    })
    .is_match(s.as_bytes())
}

/// A case-insensitive ASCII pattern (compiled once per use site).
fn ci(p: &str) -> Regex {
    RegexBuilder::new(p)
        .unicode(false)
        .case_insensitive(true)
        .build()
        .expect("a fixed pattern")
}

/// Whether a sentence warns what a call does ("Any untracked data will be
/// lost"): a warning describes the tool whatever word it opens with. (No
/// anchors or word boundaries: see [`split`].)
fn is_warning(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        ci(r"will be (lost|deleted|overwritten|replaced)|can(not|'t) be undone|irreversib|permanent|warning|caution|destructive|overwrit")
    })
    .is_match(s.as_bytes())
}

/// Who a later sentence opening with "The ..." may speak of and still be
/// talking to the agent ("The agent receiving this output MUST fix ..."):
/// the agent's next steps, not what the tool does.
const AGENT_SUBJECTS: &[&str] = &["agent", "model", "assistant", "llm", "ai"];

/// Whether a sentence's subject is the agent reading the description.
fn addresses_agent(s: &str) -> bool {
    let mut words = s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    words.next().is_some_and(|w| w.eq_ignore_ascii_case("the"))
        && words
            .next()
            .is_some_and(|w| AGENT_SUBJECTS.iter().any(|a| w.eq_ignore_ascii_case(a)))
}

fn first_word(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Splits `desc` into purpose and the rest. `is_verb` says whether a word
/// (inflected or not) is a verb of the lexicon: a later sentence that opens
/// with a third-person form (`Deletes`, `Creates`) still describes the tool,
/// while one that opens with a bare imperative (`Use`, `Call`) talks to the
/// agent. A first sentence of at most two words that opens with no verb is a
/// label (`Notion | ...`) and gives way to the next.
pub fn split<'a>(desc: &'a str, is_verb: impl Fn(&str) -> bool) -> Prose<'a> {
    let mut out = Prose::default();
    let mut label_only = false;
    // The patterns have no anchors or word boundaries, so a sentence (a
    // slice of the description) can match only if the whole description
    // does: one scan of the text usually answers for every sentence.
    let deprecation = is_deprecation(desc);
    let mut warning: Option<bool> = None;
    for (n, s) in sentences(desc).into_iter().enumerate() {
        if deprecation && is_deprecation(s) {
            continue;
        }
        out.all.push(s);
        let describing = if out.sentences.is_empty() || label_only {
            // The lead: the first sentence, or the one after a bare label
            // ("Notion | Retrieve a block").
            true
        } else {
            let w = first_word(s);
            (DESCRIBING_OPENERS.contains(&w.as_str()) && !addresses_agent(s))
                || (w.ends_with('s') && !w.ends_with("ss") && is_verb(&w))
                || (*warning.get_or_insert_with(|| is_warning(desc)) && is_warning(s))
        };
        if !describing {
            continue;
        }
        if label_only {
            // Replace a bare label by the real lead.
            out.sentences.clear();
        }
        label_only = n == 0 && s.split_whitespace().count() <= 2 && !is_verb(&first_word(s));
        out.sentences.push(s);
    }
    let base = desc.as_ptr() as usize;
    out.ranges = out
        .sentences
        .iter()
        .map(|s| {
            let start = s.as_ptr() as usize - base;
            (start, start + s.len())
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verb_s(w: &str) -> bool {
        ["deletes", "creates", "saves", "updates", "list", "delete"].contains(&w)
    }

    #[test]
    fn purpose_keeps_what_the_tool_does() {
        let p = split(
            "Get a model. This tool returns its parents. Use this before deploying. \
             Deletes nothing. If the user asks, call list_models.",
            verb_s,
        );
        assert_eq!(
            p.sentences,
            [
                "Get a model",
                "This tool returns its parents",
                "Deletes nothing"
            ]
        );
        assert_eq!(p.place(0), Some(true));
        assert_eq!(p.place(14), Some(false));
        assert_eq!(p.place(45), None);
    }

    #[test]
    fn sentences_addressed_to_the_agent_are_not_purpose() {
        let p = split(
            "This tool retrieves flaky tests. The agent receiving this output MUST fix them. \
             The tool deletes nothing. The model should then call list_models.",
            verb_s,
        );
        assert_eq!(
            p.sentences,
            [
                "This tool retrieves flaky tests",
                "The tool deletes nothing"
            ]
        );
    }

    #[test]
    fn deprecation_notes_are_not_purpose() {
        let p = split(
            "**DEPRECATED — use `get_node_details` instead.** This tool will be removed in a future release.",
            verb_s,
        );
        assert!(p.sentences.is_empty(), "{:?}", p.sentences);
        assert_eq!(p.place(5), None);
    }

    #[test]
    fn a_bare_label_gives_way_to_the_real_lead() {
        let p = split("Notion | Delete a block", verb_s);
        assert_eq!(p.sentences, ["Delete a block"]);
        let p = split("List pods. This tool pages", verb_s);
        assert_eq!(p.sentences, ["List pods", "This tool pages"]);
    }
}
