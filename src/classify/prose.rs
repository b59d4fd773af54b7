//! What a description says the tool does. Its sentences are sorted into the
//! *purpose* (the first sentence, and later sentences that still describe the
//! tool: "This tool ...", "Returns ...", "Deletes ...") and the rest:
//! deprecation notes, examples and instructions addressed to the agent ("Use
//! this before deploying", "If the user asks ..."). Those describe the agent's
//! next steps or the tool's future, not what a call does, so phrase rules of
//! the default scope read only the purpose.

use std::sync::OnceLock;

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

/// What announces the tool's deprecation or removal (ASCII case ignored).
const DEPRECATION: &[&str] = &[
    "deprecat",
    "future release",
    "future version",
    "will be removed in",
    "no longer supported",
    "no longer maintained",
];

/// What warns what a call does ("Any untracked data will be lost"): a
/// warning describes the tool whatever word its sentence opens with.
const WARNING: &[&str] = &[
    "will be lost",
    "will be deleted",
    "will be overwritten",
    "will be replaced",
    "cannot be undone",
    "can't be undone",
    "irreversib",
    "permanent",
    "warning",
    "caution",
    "destructive",
    "overwrit",
];

/// A deprecation note (`false`) or a warning (`true`) found in a
/// description, with its byte range.
pub type Mark = (bool, usize, usize);

/// What [`marks`] looks for, deprecation notes first (ASCII case ignored):
/// the phrase prefilter finds them in the same pass as its own literals
/// ([`split_marked`]).
pub fn mark_literals() -> impl Iterator<Item = &'static str> {
    DEPRECATION.iter().chain(WARNING).copied()
}

/// The mark an occurrence of the `i`th of [`mark_literals`] at
/// `start..end` makes.
pub fn mark(i: usize, start: usize, end: usize) -> Mark {
    (i >= DEPRECATION.len(), start, end)
}

/// Every deprecation note and warning in `text`, overlapping ones too, so a
/// sentence (a slice of the text) holds one exactly when one of these lies
/// inside it. One scan of the description answers for all its sentences.
fn marks(text: &str) -> Vec<Mark> {
    static AC: OnceLock<super::setmatch::Literals> = OnceLock::new();
    let ac = AC.get_or_init(|| super::setmatch::Literals::new(mark_literals()));
    let mut out = Vec::new();
    ac.overlapping_hits(text.as_bytes(), |l, start, end| {
        out.push(mark(l, start, end));
    });
    out
}

/// Whether a mark of the kind (`warning`) lies inside `s`, a slice of the
/// text `base` starts.
fn marked(marks: &[Mark], warning: bool, base: usize, s: &str) -> bool {
    let start = s.as_ptr() as usize - base;
    let end = start + s.len();
    marks
        .iter()
        .any(|&(w, a, b)| w == warning && a >= start && b <= end)
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

/// The first word of `s` (ASCII letters and digits), lowercased into `buf`.
/// An accented Latin letter is folded into the word (`Élimine` → `elimine`).
fn first_word<'b>(s: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    // Most sentences open with an ASCII word followed by an ASCII byte:
    // that word is copied and lowercased at once (decoding and pushing it
    // char by char cost ~200 instructions a sentence). Anything else (a
    // leading mark, a letter to fold) takes the loop below.
    let b = s.as_bytes();
    let run = b.iter().take_while(|x| x.is_ascii_alphanumeric()).count();
    if run > 0 && b.get(run).is_none_or(u8::is_ascii) {
        buf.push_str(&s[..run]);
        buf.make_ascii_lowercase();
        return buf;
    }
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            buf.push(c.to_ascii_lowercase());
        } else if let Some(f) = (!c.is_ascii())
            .then(|| super::normalize::fold_non_ascii(c))
            .flatten()
        {
            buf.push_str(f);
        } else if !buf.is_empty() {
            break;
        }
    }
    buf
}

/// Verbs that say what a tool hands back, not what it does ("Returns
/// JSON."). A lead opening with one in a subject's form only says what comes
/// back (see [`split_marked`]).
pub(crate) const OUTPUT_VERBS: &[&str] =
    &["return", "returns", "output", "outputs", "yield", "yields"];

/// Verbs that open advice to the agent or are too light to say what a tool
/// does ("Use the upload endpoint first", "Uses the operator's ...").
pub(crate) const ADVICE_VERBS: &[&str] = &[
    "use", "uses", "call", "see", "try", "note", "ensure", "remember", "prefer", "make", "take",
    "takes", "do", "does", "work", "works",
];

/// Splits `desc` into purpose and the rest. `is_verb` says whether a word
/// (inflected or not) is a verb of the lexicon: a later sentence that opens
/// with a third-person form (`Deletes`, `Creates`) still describes the tool,
/// while one that opens with a bare imperative (`Use`, `Call`) talks to the
/// agent. A first sentence of at most two words that opens with no verb is a
/// label (`Notion | ...`) and gives way to the next.
pub fn split<'a>(desc: &'a str, is_verb: impl Fn(&str) -> bool) -> Prose<'a> {
    split_with(desc, is_verb, |_| false)
}

/// [`split`], where a later sentence that opens with a verb `any_form`
/// accepts also describes the tool: a verb of another language, whose
/// subject's form is often its imperative too (French "Supprime ...").
pub fn split_with<'a>(
    desc: &'a str,
    is_verb: impl Fn(&str) -> bool,
    any_form: impl Fn(&str) -> bool,
) -> Prose<'a> {
    split_marked(desc, &marks(desc), is_verb, any_form)
}

/// [`split_with`], given every deprecation note and warning of `desc`
/// (each occurrence of each of [`mark_literals`], as [`mark`] makes it, in
/// any order).
pub fn split_marked<'a>(
    desc: &'a str,
    marks: &[Mark],
    is_verb: impl Fn(&str) -> bool,
    any_form: impl Fn(&str) -> bool,
) -> Prose<'a> {
    let mut out = Prose::default();
    let mut label_only = false;
    // The lead only says what comes back ("Returns JSON."): the sentence
    // after it still says what the tool does, even as an imperative
    // ("Returns JSON. Execute a command in a pod."), so a line about the
    // output placed first cannot turn the real lead into advice.
    let mut output_lead = false;
    let mut word = String::new();
    let base = desc.as_ptr() as usize;
    for (n, s) in sentences(desc).into_iter().enumerate() {
        if marked(marks, false, base, s) {
            continue;
        }
        out.all.push(s);
        let describing = if out.sentences.is_empty() || label_only {
            // The lead: the first sentence, or the one after a bare label
            // ("Notion | Retrieve a block").
            true
        } else {
            let w = first_word(s, &mut word);
            (DESCRIBING_OPENERS.contains(&w) && !addresses_agent(s))
                || (w.ends_with('s') && !w.ends_with("ss") && is_verb(w))
                || any_form(w)
                || marked(marks, true, base, s)
                || (output_lead
                    && out.sentences.len() == 1
                    && is_verb(w)
                    && !ADVICE_VERBS.contains(&w))
        };
        if !describing {
            continue;
        }
        if out.sentences.is_empty() || label_only {
            let w = first_word(s, &mut word);
            output_lead = w.ends_with('s') && OUTPUT_VERBS.contains(&w);
        }
        let after_label = label_only;
        if label_only {
            // Replace a bare label by the real lead.
            out.sentences.clear();
        }
        // A label may come in pieces ("Limit: 6req/30s. Get ..." splits at
        // the colon into `Limit` and `6req/30s`): each short verbless piece
        // after a label is one too, up to the first three sentences.
        label_only = ((n == 0 || (after_label && n <= 2))
            // At most two words (the third is never looked for past), or a
            // title of a few capitalised words ("Assembly Code Performance
            // Analyzer: Analyze ...").
            && (s.split_whitespace().nth(2).is_none() || title_label(s, &is_verb))
            && !is_verb(first_word(s, &mut word)))
            // A note in brackets opening the text ("[Adapted from a library
            // - its licence]"): the sentence after it says what the tool does.
            || (n == 0 && s.starts_with('[') && s.ends_with(']'))
            // Where the agent should begin ("Start here.", "START HERE for
            // Vuetify 2 -> 3."): routing advice, no action of the tool.
            || (n == 0 && routing_lead(s));
        out.sentences.push(s);
    }
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

/// Whether `s` opens by telling the agent to begin with this tool ("Start
/// here", "Begin here for ...") in a short sentence.
fn routing_lead(s: &str) -> bool {
    let mut words = s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    matches!(words.next(), Some(w) if w.eq_ignore_ascii_case("start") || w.eq_ignore_ascii_case("begin"))
        && words.next().is_some_and(|w| w.eq_ignore_ascii_case("here"))
        && words.nth(6).is_none()
}

/// Whether `s` is a title of three to six words, each capitalised (or a
/// digit, or a joining word: `of`, `and`, `for`, `&`, ...), as products and
/// tools name themselves before the sentence that says what they do
/// ("Container Image Architecture Inspector: Inspect ..."). None of its
/// words is a verb of the lexicon (`is_verb`): a title that names an action
/// ("Permanently Delete All Files") says what the tool does.
fn title_label(s: &str, is_verb: impl Fn(&str) -> bool) -> bool {
    const JOINING: &[&str] = &[
        "of", "and", "for", "the", "a", "an", "in", "on", "to", "with", "&", "-", "/", "+",
    ];
    let mut n = 0;
    for w in s.split_whitespace() {
        n += 1;
        let capital = w
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if n > 6 || !(capital || JOINING.contains(&w)) || is_verb(&w.to_ascii_lowercase()) {
            return false;
        }
    }
    n >= 3
}

/// Words that negate what follows them ("never overwrites", "does not
/// delete", "without modifying"); a word ending in `n't` is one too.
const NEGATORS: &[&str] = &[
    "not", "never", "without", "cannot", "nor", "nothing", "none",
];

/// Words that may stand between a negator and what it negates ("will not be
/// overwritten", "does not permanently delete", "without first removing").
const NEGATION_GAP: &[&str] = &[
    "be",
    "been",
    "ever",
    "first",
    "actually",
    "automatically",
    "accidentally",
    "permanently",
    "silently",
    "directly",
];

/// Words that turn a negation into a condition ("does not delete unless
/// force=true"): the action still happens when asked for.
const NEGATION_EXCEPTIONS: &[&str] = &["unless", "except", "until", "but", "otherwise"];

/// Whether the words after a negator that open the negated text make it
/// "not only ...", which affirms.
const AFFIRMING: &[&str] = &["only", "just", "merely", "simply"];

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'\'' || b >= 0x80
}

fn is_negator(w: &str) -> bool {
    NEGATORS.iter().any(|n| w.eq_ignore_ascii_case(n))
        || w.len() > 3
            && (w.as_bytes()[w.len() - 3..].eq_ignore_ascii_case(b"n't")
                || w.ends_with("n\u{2019}t"))
}

/// Whether the phrase at `start..end` of `text` is negated in its clause:
/// a negator stands right before it (up to two adverbs or auxiliaries
/// between: "will not be overwritten"), and no `unless` or `except` after it
/// in the clause makes the action conditional ("Does not delete unless
/// force=true" still deletes). "not only deletes" affirms. No allocation.
pub fn negated(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let (start, end) = (start.min(b.len()), end.min(b.len()));
    // A change reported as a question ("Also states whether writes are
    // enabled", across a wrapped line too): `whether` right before it, so
    // the phrase is the clause's subject, not something the tool does.
    // Never `if` (a condition: "if writes are enabled, it drops the table").
    let before = text[..start].trim_end_matches([' ', '\t', '\n', '\r']);
    if before.len() >= 7
        && before.as_bytes()[before.len() - 7..].eq_ignore_ascii_case(b"whether")
        && (before.len() == 7 || !is_word_byte(b[before.len() - 8]))
    {
        return true;
    }
    let mut i = start;
    let mut after: &str = "";
    let mut found = false;
    for _ in 0..3 {
        while i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'*' | b'_') {
            i -= 1;
        }
        let we = i;
        while i > 0 && is_word_byte(b[i - 1]) {
            i -= 1;
        }
        if i == we || !text.is_char_boundary(i) {
            // Punctuation ends the clause.
            break;
        }
        let w = &text[i..we];
        if is_negator(w) {
            found = !AFFIRMING.iter().any(|a| after.eq_ignore_ascii_case(a));
            break;
        }
        if !NEGATION_GAP.iter().any(|g| w.eq_ignore_ascii_case(g)) {
            // `no` and the subject it determines, right before the phrase
            // ("no file is written to disk", "no data is stored").
            let mut j = i;
            while j > 0 && b[j - 1] == b' ' {
                j -= 1;
            }
            found = after.is_empty()
                && j >= 2
                && b[j - 2..j].eq_ignore_ascii_case(b"no")
                && (j == 2 || !is_word_byte(b[j - 3]));
            break;
        }
        after = w;
    }
    if !found {
        return false;
    }
    // The rest of the clause, word by word.
    let rest = &b[end..];
    let stop = rest
        .iter()
        .position(|c| matches!(c, b'.' | b';' | b'\n' | b'!' | b'?' | b'('))
        .unwrap_or(rest.len());
    !rest[..stop].split(|c| !c.is_ascii_alphabetic()).any(|w| {
        NEGATION_EXCEPTIONS
            .iter()
            .any(|x| w.eq_ignore_ascii_case(x.as_bytes()))
    })
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
        // A note is found in its own sentence only, in any case.
        let p = split("List jobs. No Longer Maintained: see docs.", verb_s);
        assert_eq!(p.sentences, ["List jobs"]);
        assert!(marks("This API is DEPRECATED").iter().any(|m| !m.0));
        assert!(marks("Removes the cache").is_empty());
    }

    #[test]
    fn warnings_describe_the_tool() {
        let p = split(
            "Reset the branch. Data will be LOST. Please confirm first. Cannot be undone.",
            verb_s,
        );
        assert_eq!(
            p.sentences,
            ["Reset the branch", "Data will be LOST", "Cannot be undone"]
        );
    }

    #[test]
    fn a_bare_label_gives_way_to_the_real_lead() {
        let p = split("Notion | Delete a block", verb_s);
        assert_eq!(p.sentences, ["Delete a block"]);
        let p = split("List pods. This tool pages", verb_s);
        assert_eq!(p.sentences, ["List pods", "This tool pages"]);
        // A `Label: value` note before the lead splits into two labels.
        let p = split("Limit: 6req/30s. Get premise suggestions", verb_s);
        assert_eq!(p.sentences, ["Get premise suggestions"]);
        let p = split("Beta: Deletes a block", verb_s);
        assert_eq!(p.sentences, ["Deletes a block"]);
        // Only the first three sentences: a fourth short one is no label.
        let p = split("Notion: v2: beta: new. Delete it", verb_s);
        assert_eq!(p.sentences, ["new"]);
        // A title of capitalised words, without a verb, is a label too.
        let p = split("Assembly Code Performance Analyzer: Analyzes code", verb_s);
        assert_eq!(p.sentences, ["Analyzes code"]);
        let p = split("Sales Funnel From Lead To Order. Shows counts", verb_s);
        assert_eq!(p.sentences, ["Shows counts"]);
        // Not one naming an action, nor one of more than six words.
        let p = split("Tool That Deletes Every File: Lists files", verb_s);
        assert_eq!(p.sentences, ["Tool That Deletes Every File"]);
        let p = split("One Two Three Four Five Six Seven: Lists files", verb_s);
        assert_eq!(p.sentences, ["One Two Three Four Five Six Seven"]);
        // Routing advice opening the text is no lead either.
        let p = split("Start here. Lists the games in the workspace", verb_s);
        assert_eq!(p.sentences, ["Lists the games in the workspace"]);
        let p = split("START HERE for the upgrade. Deletes the old config", verb_s);
        assert_eq!(p.sentences, ["Deletes the old config"]);
        // Only opening the text, and only a short sentence.
        let p = split(
            "Start the job here and wait for it to finish. Returns",
            verb_s,
        );
        assert_eq!(
            p.sentences[0],
            "Start the job here and wait for it to finish"
        );
        let p = split(
            "Start here when the user wants a report, the agent or a script to run",
            verb_s,
        );
        assert_eq!(p.sentences.len(), 1);
    }

    #[test]
    fn negated_phrases() {
        // (text, the phrase, negated)
        let table = [
            (
                "Writes the file and never overwrites existing files",
                "overwrites",
                true,
            ),
            ("Does not delete any data", "delete", true),
            (
                "Exports rows without modifying the table",
                "modifying",
                true,
            ),
            (
                "Existing files will not be overwritten",
                "overwritten",
                true,
            ),
            ("It doesn't permanently delete the item", "delete", true),
            ("It doesn\u{2019}t remove anything", "remove", true),
            ("This tool is safe: nothing is deleted", "is deleted", true),
            (
                "The script is returned; no file is written to disk",
                "is written",
                true,
            ),
            ("A file is written to disk", "is written", false),
            ("Casino file is written to disk", "is written", false),
            // A condition keeps the action.
            ("Does not delete unless force=true", "delete", false),
            (
                "Never overwrites, except when overwrite is set",
                "overwrites",
                false,
            ),
            (
                "Never overwrites except when overwrite is set",
                "overwrites",
                false,
            ),
            // Affirmed, or negating something else.
            ("Not only reads but deletes the file", "reads", false),
            (
                "If the file does not exist, overwrites nothing; deletes it",
                "deletes",
                false,
            ),
            ("Without confirmation deletes all rows", "deletes", false),
            ("Deletes the file. Not reversible", "Deletes", false),
            ("Deletes the file", "Deletes", false),
            // Reported as a question, across a wrapped line too; a
            // condition or a choice keeps the action.
            (
                "Also states whether\nwrites are enabled",
                "writes are enabled",
                true,
            ),
            (
                "If writes are enabled, drops the table",
                "writes are enabled",
                false,
            ),
            ("Choose whether to delete the rows", "delete", false),
        ];
        for (text, phrase, want) in table {
            let at = text.find(phrase).unwrap();
            assert_eq!(negated(text, at, at + phrase.len()), want, "{text}");
        }
    }
}
