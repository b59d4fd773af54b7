//! The verb lexicon at work: which verbs a tool name, its description's lead
//! sentence, an enumeration of operations, or an operation selector's values
//! lead with.

use std::borrow::Cow;

use super::engine::Engine;
use super::normalize::{find_base_form, fold_non_ascii, identifier_tokens};
use super::verdict::{Class, OperationParam, OperationValue, Risk};

/// Words a name opens with when it asks a yes/no question (`can_archive`,
/// `is_frozen`): what follows is the question, not the tool's action.
const QUESTION_WORDS: &[&str] = &["can", "is", "are", "has", "have", "does", "do", "should"];

/// Prepositions inside a name: the word after one is a noun
/// (`exists_by_email`, `cards_in_set`, `path_to_file`).
const NAME_PREPOSITIONS: &[&str] = &[
    "by", "in", "of", "for", "with", "from", "per", "via", "into", "on", "at", "to",
];

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

/// Words that, second in a sentence, make its unknown first word an
/// imperative verb with its object ("Recycle the nodes"): determiners and
/// pronouns.
pub(super) const OBJECT_DETERMINERS: &[&str] = &[
    "a", "an", "the", "this", "that", "these", "those", "one", "all", "any", "every", "each",
    "some", "my", "your", "its", "their", "our", "his", "her", "it", "them", "me", "us",
];

/// The same for verb particles ("Power on a droplet"), which also follow a
/// noun ("Resources on server"): only where the first word may be a verb.
const VERB_PARTICLES: &[&str] = &["on", "off", "up", "down", "out", "back", "over", "away"];

/// Words after which a participle opens no relative clause ("by deleting",
/// "for creating", "and listing").
const NOT_NOUNS_BEFORE_PARTICIPLE: &[&str] = &[
    "by",
    "for",
    "after",
    "before",
    "without",
    "when",
    "while",
    "of",
    "and",
    "or",
    "from",
    "in",
    "on",
    "to",
    "with",
    "about",
    "into",
    "via",
    "upon",
    "is",
    "are",
    "be",
    "being",
    "been",
    "was",
    "were",
    "still",
    "currently",
    "now",
    "already",
    "not",
    "also",
    "then",
    "than",
    "as",
    "like",
    "including",
    "stop",
    "start",
    "keep",
];

/// Endings of nouns that name an action's result (`impressions`,
/// `payments`): no verb however their stem reads.
const NOUN_ENDINGS: &[&str] = &["ion", "ions", "ment", "ments", "ness", "ity", "ities"];

/// Prepositions that may follow the last item of a list of things
/// ("tickets, changes or problems with their team").
const LIST_CLOSERS: &[&str] = &["for", "of", "in", "on", "from", "by", "with"];

/// Verbs that take `of` before their object ("Notify of changes",
/// "Dispose of the session"): before `of` they stay verbs.
const OF_VERBS: &[&str] = &[
    "dispose", "approve", "consist", "rid", "think", "take", "make", "speak", "inform", "notify",
    "remind", "warn", "avail", "partake", "beware", "die", "smell", "tire",
];

/// Participles that mostly serve as prepositions ("following its pins",
/// "regarding the order"): after the first verb they open no action.
const PREPOSITION_PARTICIPLES: &[&str] = &[
    "following",
    "regarding",
    "concerning",
    "according",
    "considering",
    "excluding",
    "including",
    "pending",
];

/// Whether a lead's decided verbs all say what comes back
/// ([`super::prose::OUTPUT_VERBS`]).
fn only_output_verbs(found: &[(usize, Class, String)]) -> bool {
    !found.is_empty()
        && found
            .iter()
            .all(|(_, _, w)| super::prose::OUTPUT_VERBS.contains(&w.as_str()))
}

/// How a later sentence that speaks of the tool begins ("This tool ...").
const OPENERS: &[&str] = &["this", "tool", "it", "helps", "used"];

/// The same, in French, Spanish, Portuguese, Italian and German ("Cet
/// outil ...", "Esta herramienta ...", "Dieses Werkzeug ..."): a sentence
/// that speaks of the tool may open with them.
pub(super) const PROSE_OPENERS: &[&str] = &[
    "cet", "cette", "ce", "este", "esta", "esse", "essa", "questo", "questa", "dieses", "diese",
    "dieser", "этот", "эта", "это",
];

/// Fillers of those languages ("Cet outil permet de récupérer ..."):
/// skipped before the verb as [`FILLER`] is.
const PROSE_FILLER: &[&str] = &[
    "outil",
    "permet",
    "permettent",
    "de",
    "herramienta",
    "permite",
    "ferramenta",
    "strumento",
    "consente",
    "permette",
    "di",
    "werkzeug",
    "ermoglicht",
    "aussi",
    "tambien",
    "tambem",
    "anche",
    "auch",
    // Russian ("Этот инструмент позволяет получить ...", "Инструмент для
    // удаления ...": tool, allows, for, also, helps, you, please).
    "инструмент",
    "позволяет",
    "позволяют",
    "для",
    "также",
    "помогает",
    "вы",
    "пожалуйста",
];

/// [`FILLER`], [`PROSE_FILLER`] and [`PROSE_OPENERS`] in one hash set: a
/// clause's first word that is none of them (most) was compared with each
/// of their 75 entries.
static FILLERS: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        FILLER
            .iter()
            .chain(PROSE_FILLER)
            .chain(PROSE_OPENERS)
            .copied()
            .collect()
    });

fn filler(w: &str) -> bool {
    FILLERS.contains(w)
}

/// Verbs that only fetch one thing and never name a product or namespace:
/// what follows them in a name is their object, to the end of the name.
const FETCHING: &[&str] = &["get", "fetch", "retrieve", "describe"];

/// Verbs that also name a process or its product (a deploy, a build, a
/// sync, a backup): before a [`STATE_NOUNS`] word that ends a name
/// (`deploy_status`, `build_logs`) they modify it, and the name holds no
/// verb. Pure verbs (`update`, `set`, `delete`, `clear`, `reset`) are not
/// here, nor verbs whose object a state noun can be (`post`, `record`,
/// `store`, `push`: `post_status` posts one).
const PROCESS_NOUNS: &[&str] = &[
    "deploy",
    "build",
    "sync",
    "backup",
    "import",
    "export",
    "upload",
    "download",
    "install",
    "release",
    "restore",
    "rollout",
    "run",
    "scan",
    "crawl",
    "index",
    "migrate",
    "provision",
    "replication",
    "rebuild",
    "redeploy",
    "checkout",
    "cleanup",
];

/// What one looks at about a process: its state, progress, logs or result.
/// Last in a name after a [`PROCESS_NOUNS`] word, the name names that thing.
const STATE_NOUNS: &[&str] = &[
    "status",
    "progress",
    "state",
    "logs",
    "log",
    "history",
    "result",
    "results",
    "summary",
    "report",
    "details",
    "info",
    "stats",
    "metrics",
    "candidates",
    "timeline",
];

/// Gestures on a live page or an editor (hover, click, zoom): before a
/// [`STATE_NOUNS`] word that ends a name (`hover_info`: what hovering shows,
/// `click_stats`: counts of clicks) they name what the tool returns, as a
/// [`PROCESS_NOUNS`] word does; the name holds no verb.
const GESTURE_NOUNS: &[&str] = &["hover", "click", "tap", "zoom", "scroll", "focus"];

/// Whether `word` names a process or a gesture and `next` what one looks at
/// about it (`deploy status`, `hover info`): a noun phrase, no action.
fn names_state_of(word: &str, next: &str) -> bool {
    (PROCESS_NOUNS.contains(&word) || GESTURE_NOUNS.contains(&word)) && STATE_NOUNS.contains(&next)
}

/// Whether word `i` of a name is a process noun modifying the state noun
/// that ends the name (`deploy_status`), not the name's verb.
fn modifies_state_noun(tokens: &[String], i: usize) -> bool {
    i + 2 == tokens.len() && names_state_of(&tokens[i], &tokens[i + 1])
}

/// Adjectives that open a sentence about what the tool's result serves
/// ("Useful for ...", "Ideal for ..."), not about what the tool does.
const USE_CASE: &[&str] = &[
    "useful", "ideal", "good", "great", "helpful", "handy", "perfect", "suitable", "best",
];

/// Verbs in a subject's form that open a sentence about the input, not
/// the tool's action ("Accepts an array of panel IDs", "Rejects pins
/// connected to ground nets").
const INPUT_VERBS: &[&str] = &["accepts", "rejects"];

/// Words that open a verb's object ("Deletes *the* repository", "Removes
/// *it* from the queue").
const OBJECT_OPENERS: &[&str] = &[
    "the", "a", "an", "it", "them", "all", "any", "every", "each", "existing", "its", "their",
    "this", "that", "these", "those", "your", "matching", "selected",
];

/// The same in French, Spanish, Portuguese, Italian and German ("Supprime
/// *le* dossier", "Löscht *die* Datei").
const PROSE_OBJECT_OPENERS: &[&str] = &[
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "du",
    "tous",
    "toutes",
    "el",
    "los",
    "las",
    "una",
    "todos",
    "todas",
    "o",
    "os",
    "as",
    "um",
    "uma",
    "il",
    "lo",
    "gli",
    "uno",
    "tutti",
    "tutte",
    "der",
    "die",
    "das",
    "den",
    "dem",
    "ein",
    "eine",
    "einen",
    "alle",
    "все",
    "его",
    "их",
    "эту",
    "этот",
    "это",
    "эти",
    "существующий",
    "существующую",
    "существующие",
    "существующее",
    "выбранные",
];

/// Words that join verbs in a list (`create, update or delete`).
const JOINERS: &[&str] = &["or", "and", "and/or"];

/// The same in prose of French, Spanish, Portuguese, German and Italian
/// ("Crée ou met à jour", "Erstellt oder aktualisiert").
const PROSE_JOINERS: &[&str] = &[
    "ou", "et", "o", "y", "e", "ed", "oder", "und", "oppure", "u", "или", "и",
];

/// The byte length of the longest joiner (`and/or`, `oppure`, `или`).
const JOINER_MAX: usize = 6;

fn prose_joiner(w: &str) -> bool {
    // Asked of every word a clause is split into: a longer word is no
    // joiner, told without comparing it with all fifteen.
    w.len() <= JOINER_MAX && (JOINERS.contains(&w) || PROSE_JOINERS.contains(&w))
}

/// A decided verb: `(rule, class, word)`.
pub(super) type DecidedVerb = (usize, Class, String);

/// Decided verbs `(rule, class, word)` and ambiguous ones `(rule, word)`.
pub(super) type VerbHits = (Vec<DecidedVerb>, Vec<(usize, String)>);

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
        // A name that asks a yes/no question (`can_archive`, `is_deleted`,
        // `has_write_access`) holds no action: its answer is what it returns.
        if tokens.len() >= 2 && QUESTION_WORDS.contains(&tokens[0].as_str()) {
            return ((Vec::new(), Vec::new()), false);
        }
        // A last word that doubles as a noun (`trigger`) after a decided verb
        // that does not (`functions_get_trigger`, `functions_delete_trigger`)
        // is that verb's object, whatever the server's naming convention.
        let last_is_object = tokens.last().is_some_and(|last| {
            self.nouns.contains(last)
                && tokens[..tokens.len() - 1].iter().any(|w| {
                    matches!(self.lookup(w), Some((_, Some(_)))) && !self.nouns.contains(w)
                })
        }) || self.last_names_fetched_object(tokens, verb_last);
        // A word after a preposition (`check_user_exists_by_email`,
        // `list_cards_in_set`) is a noun there, never the name's verb.
        let after_preposition =
            |i: usize| i > 0 && NAME_PREPOSITIONS.contains(&tokens[i - 1].as_str());
        let last_is_object =
            last_is_object || (!tokens.is_empty() && after_preposition(tokens.len() - 1));
        if verb_last && tokens.len() >= 2 && !last_is_object {
            let last = &tokens[tokens.len() - 1];
            match self.lookup(last) {
                Some((r, Some(c))) => return ((vec![(r, c, last.clone())], Vec::new()), true),
                Some((r, None)) => return ((Vec::new(), vec![(r, last.clone())]), true),
                None => {}
            }
        }
        // Under verb-last naming a name that ends in a noun
        // (`servicebus_queue_details`) leaves its verb implicit: a word
        // further in that doubles as a noun is part of the namespace.
        let noun_fallback_ok = !verb_last;
        let mut decided = Vec::new();
        let mut ambiguous = Vec::new();
        let mut noun_fallback = None;
        let mut i = 0;
        while i < tokens.len() {
            match self.lookup(&tokens[i]) {
                _ if after_preposition(i) => {}
                // A verb that leads only (`setup`): further in, a noun
                // (`check_notification_setup`), and so is one that closes the
                // name after a prefix (`crashlytics_setup`: the setup of it).
                Some((r, Some(_)))
                    if self.rule(r).first_only
                        && (i > usize::from(self.lookup(&tokens[0]).is_none())
                            || (i > 0 && i + 1 == tokens.len())) => {}
                // `deploy_status`: the process the state noun is of.
                Some(_) if modifies_state_noun(tokens, i) => {}
                Some((r, Some(c))) => {
                    // A verb that doubles as a noun before the object it
                    // looks for (`check_update`) is the verb.
                    // Nor is one before a process that only reads when
                    // run, closing the name (`trigger_export`,
                    // `schedule_scan`): it starts that process.
                    let starts_process = c > Class::Read
                        && i + 2 == tokens.len()
                        && PROCESS_NOUNS.contains(&tokens[i + 1].as_str())
                        && matches!(self.lookup(&tokens[i + 1]), Some((_, Some(Class::Read))));
                    if self.nouns.contains(&tokens[i])
                        && i + 1 < tokens.len()
                        && !(i + 2 == tokens.len() && last_is_object)
                        && !starts_process
                    {
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
        // `pods_delete`: a verb after one word that is no verb at all is both
        // second and last, and the name's only verb: it leads under either
        // naming convention.
        let verb_first = decided.first().is_some_and(|(_, _, w)| {
            tokens.first() == Some(w)
                || (tokens.len() == 2 && tokens[1] == *w && self.lookup(&tokens[0]).is_none())
        });
        // After an ambiguous verb (`simulate_research_query`) a verb that
        // doubles as a noun is its object, so it was never kept as fallback.
        if decided.is_empty() && noun_fallback_ok {
            decided.extend(noun_fallback);
        }
        if verb_first {
            return ((decided, ambiguous), true);
        }
        if let Some(last) = tokens.last().filter(|_| !last_is_object) {
            if let Some((r, Some(Class::Destructive))) = self.lookup(last) {
                if !self.nouns.contains(last)
                    && !self.rule(r).first_only
                    && !decided.iter().any(|(_, _, w)| w == last)
                {
                    decided.push((r, Class::Destructive, last.clone()));
                }
            }
        }
        ((decided, ambiguous), false)
    }

    /// Whether a name's last word is the object of a fetching verb further
    /// in (`genai-simulation-get-scenario-set`: get a scenario set), not its
    /// action: a verb that only fetches (get, fetch, retrieve, describe; never
    /// a namespace, unlike `search` or `list`) followed by a word that is no
    /// verb, then the last word. A name that leads with the last word's verb
    /// (`set_read_only`) is untouched: the fetching verb must come first.
    fn last_names_fetched_object(&self, tokens: &[String], verb_last: bool) -> bool {
        // Right after the name's first verb, a fetching or checking one
        // (`check_update`: check for an update; `catalog_get_set`: get a
        // set), the last word is what is looked for; under verb-last naming
        // (`cache_get_delete`) the last word is the verb.
        let n = tokens.len();
        if n >= 2
            && !verb_last
            && (FETCHING.contains(&tokens[n - 2].as_str()) || tokens[n - 2] == "check")
            && tokens[..n - 2].iter().all(|w| self.lookup(w).is_none())
        {
            return true;
        }
        tokens.len() >= 3
            && tokens[..tokens.len() - 2]
                .iter()
                .position(|w| self.lookup(w).is_some())
                .is_some_and(|i| {
                    FETCHING.contains(&tokens[i].as_str()) && self.lookup(&tokens[i + 1]).is_none()
                })
    }

    /// The verb list the description's purpose leads with (`Create, patch,
    /// or delete ...`), from the first of its first three purpose sentences
    /// that has one. Ambiguous lead verbs ("Manage ...") are returned apart.
    pub(super) fn lead_verbs<'s>(&self, purpose: &[&'s str], clauses: &Clauses<'s>) -> VerbHits {
        let mut ambiguous = Vec::new();
        for (n, &s) in purpose.iter().take(3).enumerate() {
            // A later sentence leads with the tool's verb only when it speaks
            // of the tool ("This tool deletes ..."); one that opens with a
            // verb ("Accepts an array ...") describes its inputs or outputs.
            if n > 0 {
                let first = clauses.words_upto(s, 1);
                let first = first.first().map_or("", |(w, _)| w.as_ref());
                if !OPENERS.contains(&first) && !PROSE_OPENERS.contains(&first) {
                    continue;
                }
            }
            let mut found = self.sentence_lead(s, clauses, &mut ambiguous);
            // A first sentence that only says what comes back ("Returns
            // JSON.") names the output, not the action: a change the next
            // sentence leads with ("Returns JSON. Execute a command in a
            // pod.") is the tool's too, so a line prepended about the output
            // cannot hide the verb after it.
            if n == 0 && found.as_ref().is_some_and(|f| only_output_verbs(f)) {
                // An ambiguous verb there ("Returns JSON. Run the job.")
                // leaves the tool as undecided as that verb alone would.
                // Only a sentence that opens with its verb counts ("it
                // stays in sync as the roster changes" is no action), and
                // advice or a light verb ("Use the upload endpoint first",
                // "Uses the operator's instructions") says nothing.
                // It must follow the lead at once: a later line of prose
                // split off mid-sentence ("... as your roster\nchanges.")
                // is no lead.
                let adjacent = |next: &str| {
                    let end = s.as_ptr() as usize + s.len();
                    let start = next.as_ptr() as usize;
                    start >= end && start - end <= 4
                };
                let opener = purpose.get(1).filter(|n| adjacent(n)).and_then(|&next| {
                    let w = clauses.words_upto(next, 1);
                    let w = w.first().map(|(w, _)| w.to_string())?;
                    (!super::prose::ADVICE_VERBS.contains(&w.as_str())).then_some((next, w))
                });
                if let Some((next, first)) = opener {
                    let mut next_amb = Vec::new();
                    let lead = self.sentence_lead(next, clauses, &mut next_amb);
                    let opens = |w: &str| w == first;
                    match lead.filter(|m| m.first().is_some_and(|(_, _, w)| opens(w))) {
                        Some(more) => found
                            .get_or_insert_with(Vec::new)
                            .extend(more.into_iter().filter(|(_, c, _)| *c > Class::Read)),
                        None if next_amb.first().is_some_and(|(_, w)| opens(w)) => {
                            found = None;
                            ambiguous.extend(next_amb);
                        }
                        None => {}
                    }
                }
            }
            // Chinese and Japanese write no spaces: the first sentence's
            // compounds (`取得`, `删除`) are its verbs wherever they sit
            // (only text with a byte that opens a kana or Han character is
            // searched: never ASCII, French or Russian text).
            if n == 0 && s.bytes().any(|b| (0xe3..=0xe9).contains(&b)) {
                let (cjk, cjk_amb) = self.cjk_lead(s);
                if !cjk.is_empty() || !cjk_amb.is_empty() {
                    // After an ambiguous first word ("Manage ..."), a read
                    // compound says no more than an English read word after
                    // it would: only mutating compounds count.
                    let unsure = !ambiguous.is_empty();
                    ambiguous.extend(cjk_amb);
                    let mut decided = found.unwrap_or_default();
                    decided.extend(
                        cjk.into_iter()
                            .filter(|(_, c, _)| !(unsure && *c == Class::Read)),
                    );
                    if !decided.is_empty() {
                        return (decided, ambiguous);
                    }
                    continue;
                }
            }
            if let Some(decided) = found {
                return (decided, ambiguous);
            }
        }
        (Vec::new(), ambiguous)
    }

    /// The verbs a sentence joins to its first verb by a bare `or`/`and`,
    /// word next to word ("Gets or creates a link", "Reads and updates the
    /// index", "Create or update ..."): alternatives or steps of one action,
    /// each of which the tool does. The first verb is returned with them.
    /// A comma list ("Create, deploy, or provision") or a participle further
    /// on ("Get newly created, updated, or deleted sites") is not such a
    /// pair: synonyms there, adjectives here.
    pub(super) fn joined_to_first<'s>(
        &self,
        s: &'s str,
        clauses: &Clauses<'s>,
    ) -> Option<(String, Vec<DecidedVerb>)> {
        // Most leads join nothing to their first verb: four words tell, and
        // only a lead that does is read on to twelve (this runs for every
        // tool whose name leads with a verb).
        let joined_at = |words: &[Word<'_>], a: usize| {
            words
                .get(a + 1)
                .is_some_and(|(w, _)| JOINERS.contains(&w.as_ref()))
                && words.get(a + 2).is_some_and(|(_, p)| *p == Pos::Joined)
        };
        let short = clauses.words_upto(s, 4);
        let needs_more = short.len() == 4
            && short
                .iter()
                .position(|(w, _)| !filler(w))
                .is_none_or(|a| a + 2 >= 4 || joined_at(&short, a));
        let words = if needs_more {
            clauses.words_upto(s, 12)
        } else {
            short
        };
        let at = words.iter().position(|(w, _)| !filler(w))?;
        let first = words[at].0.to_string();
        let mut out = Vec::new();
        let mut k = at + 1;
        while k + 1 < words.len()
            && JOINERS.contains(&words[k].0.as_ref())
            && words[k + 1].1 == Pos::Joined
        {
            let w = &words[k + 1].0;
            if self.nouns.contains(w.as_ref())
                || find_base_form(w, |b| self.nouns.contains(b).then_some(())).is_some()
            {
                break;
            }
            match self.lookup_inflected(w) {
                Some((r, Some(c))) => out.push((r, c, w.to_string())),
                Some((_, None)) => {}
                None => break,
            }
            k += 2;
        }
        Some((first, out))
    }

    /// The verb list one sentence leads with, if its first word (after
    /// fillers) is a decided verb; ambiguous ones are pushed to `ambiguous`.
    fn sentence_lead<'s>(
        &self,
        s: &'s str,
        clauses: &Clauses<'s>,
        ambiguous: &mut Vec<(usize, String)>,
    ) -> Option<Vec<(usize, Class, String)>> {
        let words = self.joined_words(s, clauses);
        let at = words.iter().position(|(w, _)| !filler(w))?;
        let first = &words[at].0;
        // A label, not a command (a title, mostly): a lone plural noun
        // (`Bookmarks`, `Mutes`: no subject's form stands without its
        // object) or a process or gesture and its state noun (`Hover Info`,
        // `Deploy Status`), as in a name. Never a destructive verb's form
        // (`Deletes.`): a label may not talk a stated loss down.
        let lone_plural = words.len() == at + 1
            && self.subject_form(first)
            && !matches!(
                self.lookup_inflected(first),
                Some((_, Some(Class::Destructive)))
            );
        // The process and its state noun may head a longer label too, when
        // a list or a noun's complement follows ("Build info, version and
        // uptime", "Run history of the workflow"), not an object or a
        // destination ("Export logs to a file").
        let label_ends = |k: usize| {
            words.get(k).is_none_or(|(w, p)| {
                matches!(p, Pos::Start) || matches!(w.as_ref(), "of" | "for" | "per")
            })
        };
        let state_label = words
            .get(at + 1)
            .is_some_and(|(next, _)| names_state_of(first, next))
            && label_ends(at + 2);
        if lone_plural || state_label {
            return None;
        }
        let hit = self.lookup_inflected(first)?;
        // A plural noun that is also a verb's subject form, joined by `and`
        // to a plural noun that is no verb ("Installs and ratings for one
        // app", "Imports and exports per month"), names the figures
        // returned. Never a destructive verb's form, as for a label above.
        // A gesture's plural ("Clicks and impressions", "Clicks per day")
        // counts what was done on a page: it states no loss, so it may name
        // figures too.
        let states_no_loss =
            hit.1.is_some_and(|c| c != Class::Destructive) || self.rule(hit.0).page_action;
        let noun_pair = self.subject_form(first)
            && states_no_loss
            && words.get(at + 1).is_some_and(|(w, _)| w == "and")
            && words.get(at + 2).is_some_and(|(w, _)| {
                w.ends_with('s') && !w.ends_with("ss") && self.names_no_action(w)
            });
        if noun_pair {
            return None;
        }
        // A word before `of` names a thing ("Share of clicks and
        // impressions by language", "Change of owner over time"): a verb
        // takes its object without one, save the few that take `of`
        // ("Notify of ...", "Approve of ..."). Nor a word heading a slash
        // list of words that are no verbs ("Clicks/impressions/CTR per
        // day"): a list of figures. Never a destructive verb's form, as for
        // a label above.
        let of_thing = words.get(at + 1).is_some_and(|(w, _)| w == "of")
            && find_base_form(first, |b| OF_VERBS.contains(&b).then_some(())).is_none()
            && !OF_VERBS.contains(&first.as_ref());
        let slash_things = words
            .get(at + 1)
            .is_some_and(|(w, p)| *p == Pos::Slash && self.names_no_action(w));
        if (of_thing || slash_things) && states_no_loss {
            return None;
        }
        // A verb whose object is `nothing` ("Changes nothing: to change
        // power use `power`", "Writes nothing") says what the tool does not.
        if of_nothing(&words, at) {
            return None;
        }
        // A past participle opening the sentence ("Composed chart showing
        // revenue ...", "Saved searches of the user", "Scheduled jobs and
        // their next runs") is an adjective of what follows, not the tool's
        // action: a description speaks in the imperative or a subject's
        // form. Never a destructive verb's ("Deleted files in the bin"),
        // as for a label above.
        //
        // So is a participle that is one item of a list ("Suricata
        // configuration: enabled, IPS mode, interfaces"): it names a field,
        // not an action; a deleting or removing one still speaks ("deleted,
        // archived ...").
        if first.ends_with("ed") && self.participle(first) {
            let list_item = words
                .get(at + 1)
                .is_some_and(|(_, p)| matches!(p, Pos::Start));
            if hit.1.is_some_and(|c| c != Class::Destructive)
                || (list_item && !self.rule(hit.0).anywhere)
            {
                return None;
            }
        }
        let Some(first_class) = hit.1 else {
            // An ambiguous lead verb ("Simulates ...", "Manage ...") says
            // nothing; what follows in the sentence is its object, unless
            // a `by` clause says how ("Manage incidents by changing
            // their status or assignment").
            ambiguous.push((hit.0, first.to_string()));
            let by = words
                .windows(2)
                .position(|p| p[0].0 == "by" && p[1].0.ends_with("ing") && p[1].0.len() > 5)?;
            let (w, _) = &words[by + 1];
            let (r, c) = self.lookup_inflected(w)?;
            let mut decided = vec![(r, c?, w.to_string())];
            self.verb_list(&words[by + 2..], false, &mut decided, ambiguous);
            return Some(decided);
        };
        let mut decided = vec![(hit.0, first_class, first.to_string())];
        // A verb for looking that asks a question ("Check whether the user
        // can archive a target", "Verify if the key may delete"): what
        // follows is the question asked, not an action of the tool.
        if first_class == Class::Read
            && words
                .get(at + 1)
                .is_some_and(|(w, _)| matches!(w.as_ref(), "whether" | "if"))
        {
            return Some(decided);
        }
        // "Finds ..." (a subject's form), not "Find ..." nor "Process ...".
        let subject = self.subject_form(first) && !self.rule(hit.0).exact;
        self.verb_list(&words[at + 1..], subject, &mut decided, ambiguous);
        Some(decided)
    }

    /// The lexicon's Chinese and Japanese compounds in a lead sentence, up to
    /// its first `。`/`！`/`？` (the longest compound at a place wins:
    /// `再起動` restarts, `非表示` hides). Text in parentheses holds notes, as
    /// in English ("(詳細ガイドは...を参照)"): only a deleting or removing
    /// compound counts there. A mutating compound counts after a negation and
    /// as a modifier too ("削除されたアイテムを取得", gets deleted items:
    /// destructive, the safe side), except a process before a state noun
    /// (`部署记录`, deployment records: as `deploy_status` in a name) and a
    /// Japanese noun before its particle (`設定を取得`, gets the settings). A read
    /// compound counts when not negated (`不读取`,
    /// `取得しない`) and not after an ambiguous compound ("管理 ...，支持查询":
    /// manage, as an English lead "Manage ..." says nothing). Decided
    /// `(rule, class, compound)`, then ambiguous ones.
    fn cjk_lead(&self, s: &str) -> VerbHits {
        let (mut decided, mut ambiguous): VerbHits = Default::default();
        let Some(ac) = self.cjk.automaton() else {
            return (decided, ambiguous);
        };
        let end = s.find(['。', '！', '？']).unwrap_or(s.len());
        let lead = &s[..end];
        // Parenthesis depth at each match: matches come in order.
        let mut depth = 0usize;
        let mut at = 0usize;
        for m in ac.find_iter(lead) {
            for c in lead[at..m.start()].chars() {
                match c {
                    '(' | '（' => depth += 1,
                    ')' | '）' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            at = m.start();
            let verb = &self.cjk.verbs[m.pattern().as_usize()];
            let Some((rule, class)) = self.lookup(verb) else {
                continue;
            };
            // In parentheses only a deleting or removing compound counts
            // (an `anywhere` rule, as a later sentence's verb does).
            if depth > 0 && !(class.is_some() && self.rule(rule).anywhere) {
                continue;
            }
            match class {
                None => {
                    if !ambiguous.iter().any(|(_, w)| w == verb) {
                        ambiguous.push((rule, verb.clone()));
                    }
                }
                Some(c) => {
                    let after = &lead[m.end()..];
                    if c == Class::Read
                        && (!ambiguous.is_empty() || cjk_negated(&lead[..m.start()], after))
                    {
                        continue;
                    }
                    // After a possessive (`任务的评论列表`, the task's
                    // comment list; `タスクのコメント`) a compound heads a
                    // noun phrase: no verb.
                    if c > Class::Read && lead[..m.start()].ends_with(['的', 'の']) {
                        continue;
                    }
                    if c > Class::Read
                        && ((CJK_PROCESS_NOUNS.contains(&verb.as_str())
                            && (after.starts_with(['的', 'の'])
                                || CJK_STATE_NOUNS.iter().any(|n| after.starts_with(n))))
                            || (CJK_NOUN_VERBS.contains(&verb.as_str())
                                && after.starts_with(['を', 'の', 'が', 'は'])))
                    {
                        continue;
                    }
                    if !decided.iter().any(|(_, _, w)| w == verb) {
                        decided.push((rule, c, verb.clone()));
                    }
                }
            }
        }
        (decided, ambiguous)
    }

    /// Destructive verbs that open later purpose sentences ("Note: read-only.
    /// Drops the table."; "<filler> This tool deletes ..."), for a tool whose
    /// name and lead say nothing: text placed before a verb may not hide it.
    /// Only destructive verbs in a subject's form: a later sentence that
    /// opens with another verb ("Accepts ...", "Returns ...") describes
    /// inputs or outputs, and a bare imperative is the agent's next step.
    ///
    /// With `stated` (the name or the lead already says what the tool does),
    /// only a statement of an effect on something named counts: the verb is
    /// followed by its object ("Deletes the repository", "This tool also
    /// removes it"), so a plural noun opening a sentence ("Updates are
    /// applied hourly") is no verb.
    pub(super) fn later_verbs<'s>(
        &self,
        purpose: &[&'s str],
        stated: bool,
        clauses: &Clauses<'s>,
    ) -> Vec<(usize, Class, String)> {
        let mut out: Vec<(usize, Class, String)> = Vec::new();
        for &s in purpose.iter().skip(1) {
            // Only the first word that is no filler and the one after it
            // count: the sentence's words are read only as far as needed.
            let mut limit = 6;
            let (words, k) = loop {
                let words = clauses.words_upto(s, limit);
                let k = words.iter().position(|(w, _)| !filler(w));
                if words.len() < limit || k.is_some_and(|k| k + 1 < words.len()) {
                    break (words, k);
                }
                limit *= 4;
            };
            let Some(k) = k else {
                continue;
            };
            let (w, _) = &words[k];
            // "Changes nothing", "Deletes nothing": what it does not do.
            if of_nothing(&words, k) {
                continue;
            }
            if stated
                && !words.get(k + 1).is_some_and(|(o, _)| {
                    OBJECT_OPENERS.contains(&o.as_ref())
                        || PROSE_OBJECT_OPENERS.contains(&o.as_ref())
                })
            {
                continue;
            }
            // A subject's verb (`Drops`, "This tool deletes"), not a bare
            // imperative: "3. Optionally deploy with X" is the agent's step.
            // A verb of another language's lexicon is taken in any form it
            // lists: its subject's form is often its imperative too
            // (French "Supprime ...").
            let subjects =
                self.is_foreign_verb(w) || (w.ends_with('s') && self.lookup(w).is_none());
            if !subjects || self.nouns.contains(w.as_ref()) || out.iter().any(|(_, _, x)| x == w) {
                continue;
            }
            if let Some((r, Some(Class::Destructive))) = self.lookup_inflected(w) {
                if !stated || self.rule(r).anywhere {
                    out.push((r, Class::Destructive, w.to_string()));
                }
            }
        }
        out
    }

    /// A later sentence that tells what the tool does to the thing it is
    /// named for, when the name holds no verb that decides: it opens (after
    /// fillers) with a mutating verb, bare or in a subject's form,
    /// followed by its object, and names a word of the name
    /// (`write_file`: "<prepended text>. Create a new file or overwrite an
    /// existing one"; `foundry`: "... Deploys the foundry model"). Text
    /// placed before it may not hide it: it weighs as the lead's verb does,
    /// and a reading claimed elsewhere in the description yields to it.
    /// An advice sentence names another thing ("Create the directory first
    /// with create_directory" on `list_files`), so it is left alone. The
    /// name's words that are verbs and no nouns are not its object. Only
    /// the first such sentence counts, with every mutating verb it lists;
    /// the sentence is returned too.
    pub(super) fn purpose_verbs<'s>(
        &self,
        purpose: &[&'s str],
        name_tokens: &[String],
        clauses: &Clauses<'s>,
    ) -> (Vec<(usize, Class, String)>, Option<&'s str>) {
        if purpose.len() < 2 {
            return (Vec::new(), None);
        }
        let stem = super::normalize::noun_stem;
        let objects: Vec<String> = name_tokens
            .iter()
            .filter(|t| {
                t.len() > 2
                    && (self.lookup_inflected(t).is_none() || self.nouns.contains(t.as_str()))
            })
            .map(|t| stem(t))
            .collect();
        if objects.is_empty() {
            return (Vec::new(), None);
        }
        for &s in purpose.iter().skip(1) {
            // The verb opens the sentence, after fillers ("This tool
            // leaves ..."); after "it" ("it marks a monitor that cannot
            // fire") the sentence may speak of another thing than the tool.
            let words = clauses.words_upto(s, 12);
            let Some(k) = words.iter().position(|(w, _)| !filler(w)) else {
                continue;
            };
            if words[..k].iter().any(|(w, _)| w == "it") {
                continue;
            }
            let (w, _) = &words[k];
            if INPUT_VERBS.contains(&w.as_ref()) || self.nouns.contains(w.as_ref()) {
                continue;
            }
            let Some((r, Some(c))) = self.lookup_inflected(w) else {
                continue;
            };
            if c == Class::Read {
                continue;
            }
            // Its object follows: a determiner, or a word of the name
            // ("Press mouse down" on `browser_mouse_down`), after a particle
            // or not ("Set up a route"); a word of the name is named.
            let mut o = k + 1;
            if words
                .get(o)
                .is_some_and(|(p, _)| VERB_PARTICLES.contains(&p.as_ref()))
            {
                o += 1;
            }
            let names = |w: &str| objects.contains(&stem(w));
            let object = words.get(o).is_some_and(|(o, _)| {
                OBJECT_OPENERS.contains(&o.as_ref())
                    || PROSE_OBJECT_OPENERS.contains(&o.as_ref())
                    || names(o)
            });
            if !object || !words[o..].iter().any(|(w, _)| names(w)) {
                continue;
            }
            // The sentence's verb list, as a lead's is read ("Create a new
            // file or completely overwrite an existing one"): its mutating
            // verbs.
            let (mut verbs, _) = self.lead_verbs(&[s], clauses);
            verbs.retain(|(_, c, _)| *c > Class::Read);
            if verbs.is_empty() {
                verbs.push((r, c, w.to_string()));
            }
            return (verbs, Some(s));
        }
        (Vec::new(), None)
    }

    /// What a lead sentence that names a thing rather than an action says
    /// the tool does, for a tool whose name and lead hold no verb: a noun
    /// phrase followed by a participle of the lexicon, a reduced relative
    /// clause ("Accounts Receivable Aging — stacked bar showing outstanding
    /// invoices", "Radar chart comparing items": a chart that shows, that
    /// compares). Only a participle: a later sentence's verb ("Sales funnel
    /// by stage. Shows counts.") cannot tell a noun phrase from an unknown
    /// imperative ("Recycle specific nodes. Returns the action id."). A lead whose
    /// second word is a determiner or pronoun is an imperative with its
    /// object ("Recycle the nodes ..."), whatever its unknown first word:
    /// left alone. The participle takes its own class, mutating ones too
    /// ("Nightly job deleting stale branches").
    pub(super) fn thing_lead<'s>(
        &self,
        lead: &'s str,
        clauses: &Clauses<'s>,
    ) -> Option<(usize, Class, String)> {
        let words = clauses.words_upto(lead, 16);
        let first = words.iter().position(|(w, _)| !filler(w))?;
        let w0 = &words[first].0;
        if self.lookup_inflected(w0).is_some()
            || words.get(first + 1).is_some_and(|(w, _)| {
                OBJECT_DETERMINERS.contains(&w.as_ref()) || VERB_PARTICLES.contains(&w.as_ref())
            })
        {
            return None;
        }
        // A participle after a noun: never after a preposition or a
        // conjunction ("by deleting", "and listing"), where it is no
        // relative clause.
        for k in first + 1..words.len() {
            let (w, pos) = &words[k];
            if !(w.ends_with("ing") && w.len() > 5 && matches!(pos, Pos::Inner)) {
                continue;
            }
            // A word in -ing that is no participle of the lexicon ("string",
            // "pending") is passed over; the first that is decides.
            let Some((r, class)) = self
                .lookup_inflected(w)
                .filter(|_| self.lookup(w).is_none())
            else {
                continue;
            };
            let before = words[k - 1].0.as_ref();
            if NOT_NOUNS_BEFORE_PARTICIPLE.contains(&before)
                || self.lookup_inflected(before).is_some()
            {
                return None;
            }
            return class.map(|c| (r, c, w.to_string()));
        }
        None
    }

    /// The first sentence from its verb on, when it opens with the tool's
    /// own name or title as the subject ("dbt compile generates SQL ...",
    /// "The fetch_page tool returns ..."): the verb must be inflected as a
    /// subject's (`generates`), so "Get issues from ..." is left alone.
    pub(super) fn after_subject<'s>(&self, s: &'s str, subjects: &[&[String]]) -> Option<&'s str> {
        let spans = word_spans(s, 12);
        // Words are compared as lowercased without a copy each (most
        // sentences name no subject): `is(i, w)` is `word i, lowercased, is w`.
        let is = |i: usize, w: &str| {
            let (a, b) = spans[i];
            b - a == w.len()
                && s.as_bytes()[a..b]
                    .iter()
                    .zip(w.as_bytes())
                    .all(|(x, y)| x.to_ascii_lowercase() == *y)
        };
        let k = usize::from(!spans.is_empty() && is(0, "the"));
        for subj in subjects {
            if subj.is_empty()
                || spans.len() <= k + subj.len()
                || !subj.iter().enumerate().all(|(j, t)| is(k + j, t))
            {
                continue;
            }
            let mut n = k + subj.len();
            if ["tool", "command", "function", "endpoint"]
                .iter()
                .any(|w| is(n, w))
            {
                n += 1;
            }
            let Some(&(a, b)) = spans.get(n) else {
                continue;
            };
            let verb = &s[a..b].to_ascii_lowercase();
            if verb.ends_with('s') && self.lookup(verb).is_none() && self.is_lexicon_verb(verb) {
                return Some(&s[spans[n].0..]);
            }
        }
        None
    }

    /// [`clause_words`] with the lexicon's multi-word verbs joined into one
    /// word: `met a jour` (French "met à jour", updates), and a separable
    /// verb with its particle closing the clause (German "ruft die Rechnungen
    /// ab" → `ruft * ab`, in the first word's place).
    fn clause_words<'s>(&self, s: &'s str) -> Vec<Word<'s>> {
        let words = clause_words(s);
        self.join_phrasal(&words).unwrap_or(words)
    }

    /// [`Engine::clause_words`] of a sentence `clauses` holds, split once
    /// for every reader; of another (a title, a lead cut after its
    /// subject), split now.
    fn joined_words<'c, 's>(&self, s: &'s str, clauses: &'c Clauses<'s>) -> Cow<'c, [Word<'s>]> {
        match clauses.cell(s) {
            Some(cell) => {
                let split = cell.get_or_init(|| {
                    let raw = clause_words(s);
                    let joined = self.join_phrasal(&raw);
                    Split { raw, joined }
                });
                Cow::Borrowed(split.joined.as_deref().unwrap_or(&split.raw))
            }
            None => Cow::Owned(self.clause_words(s)),
        }
    }

    /// `words` with the lexicon's multi-word verbs joined (see
    /// [`Engine::clause_words`]); `None` when no word opens one (most
    /// clauses), so the words as split serve.
    fn join_phrasal<'s>(&self, words: &[Word<'s>]) -> Option<Vec<Word<'s>>> {
        if self.phrasal.is_empty()
            || !words
                .iter()
                .any(|(w, _)| self.phrasal.contains_key(w.as_ref()))
        {
            return None;
        }
        let mut words = words.to_vec();
        let mut i = 0;
        while i < words.len() {
            let Some(forms) = self.phrasal.get(&*words[i].0) else {
                i += 1;
                continue;
            };
            for (verb, rest) in forms {
                if rest[0] == "*" {
                    // The particle ends the clause (or precedes `und`/`oder`),
                    // with at least one word between it and the verb.
                    let end = words[i + 1..]
                        .iter()
                        .position(|(_, p)| matches!(p, Pos::Start | Pos::Slash))
                        .map_or(words.len(), |k| i + 1 + k);
                    let at = (i + 2..end).find(|&j| {
                        words[j].0 == rest[1]
                            && (j + 1 == end || matches!(words[j + 1].0.as_ref(), "und" | "oder"))
                    });
                    if let Some(j) = at {
                        words.remove(j);
                        words[i].0 = Cow::Owned(verb.clone());
                        break;
                    }
                } else if words.len() > i + rest.len()
                    && words[i + 1..=i + rest.len()]
                        .iter()
                        .zip(rest)
                        .all(|((w, _), r)| w == r)
                {
                    words.drain(i + 1..=i + rest.len());
                    words[i].0 = Cow::Owned(verb.clone());
                    break;
                }
            }
            i += 1;
        }
        Some(words)
    }

    /// Continues a verb list after its first verb: `, update, or delete`.
    /// With `subject` (the first verb is a subject's form, "Finds ..."), a
    /// verb of the same form joined by `and` after the first verb's object
    /// ("Finds specific text and applies formatting", "Reads the file and
    /// updates the index") is a second action of the tool: only a decided
    /// verb that doubles as no noun and is followed by its object.
    fn verb_list(
        &self,
        words: &[Word<'_>],
        subject: bool,
        decided: &mut Vec<(usize, Class, String)>,
        ambiguous: &mut Vec<(usize, String)>,
    ) {
        let mut prev_verb = true;
        let lead_imperative = decided
            .first()
            .is_some_and(|(_, _, l)| !self.subject_form(l));
        for (k, (w, pos)) in words.iter().enumerate() {
            let pos = *pos;
            if prose_joiner(w) {
                continue;
            }
            // A list of things, not of actions: after an imperative, a
            // subject's form following a plural at a comma or slash ("Search
            // tickets, changes or problems", "Get Git commits/changes for a
            // build"), or a word at a comma joined by `or`/`and` to a word
            // that is no verb before a preposition or the end ("Get a
            // ticket, change or problem with its team").
            if !prev_verb && k > 0 && pos != Pos::Inner && pos != Pos::Joined {
                let after_plural =
                    words[k - 1].1 == Pos::Inner && self.subject_form(&words[k - 1].0);
                // An item of a list: the end, a joiner, a preposition or
                // another item follows, not an object of its own ("Get
                // the users; deletes the rest" deletes).
                let item = words.get(k + 1).is_none_or(|(n, p)| {
                    matches!(p, Pos::Start | Pos::Slash)
                        || matches!(n.as_ref(), "or" | "and")
                        || LIST_CLOSERS.contains(&n.as_ref())
                });
                if lead_imperative && after_plural && item && self.subject_form(w) {
                    break;
                }
                let noun_ends = pos != Pos::Slash
                    && words
                        .get(k + 1)
                        .is_some_and(|(j, _)| matches!(j.as_ref(), "or" | "and"))
                    && words.get(k + 2).is_some_and(|(n, _)| {
                        !n.ends_with("ly") && self.lookup_inflected(n).is_none()
                    })
                    && words.get(k + 3).is_none_or(|(p, pp)| {
                        *pp == Pos::Start || p == "that" || LIST_CLOSERS.contains(&p.as_ref())
                    });
                if noun_ends {
                    break;
                }
            }
            let candidate = match pos {
                Pos::Start | Pos::JoinedAfterComma => true,
                Pos::Joined => prev_verb,
                // `create/update`, not `rejection/archive`.
                Pos::Slash => {
                    prev_verb || k > 0 && self.lookup_inflected(&words[k - 1].0).is_some()
                }
                Pos::Inner => false,
            };
            // Not a step of making the thing the first verb creates
            // ("Creates a variable and sets its initial value").
            let of_created = decided.first().is_some_and(|(_, c, _)| *c == Class::Write)
                && words
                    .get(k + 1)
                    .is_some_and(|(o, _)| matches!(o.as_ref(), "its" | "their"));
            let after_object = !candidate
                && subject
                && !of_created
                && pos == Pos::Joined
                && k > 0
                && words[k - 1].0 == "and"
                && k + 1 < words.len()
                && words[k + 1].1 == Pos::Inner;
            prev_verb = false;
            if after_object {
                if let Some((r, Some(c))) = self.second_action(w) {
                    prev_verb = true;
                    decided.push((r, c, w.to_string()));
                }
                continue;
            }
            if !candidate {
                continue;
            }
            // A past participle opening a later clause ("Export a snippet
            // definition; published version by default") is an adjective
            // of what follows, not another action of the tool: a tool's
            // actions are imperatives or a subject's form.
            if pos == Pos::Start && k > 0 && w.ends_with("ed") && self.lookup(w).is_none() {
                break;
            }
            // A participle that mostly serves as a preposition ("Trace a
            // net across the hierarchy, following its pins") opens no action.
            if k > 0 && PREPOSITION_PARTICIPLES.contains(&w.as_ref()) {
                break;
            }
            // After the first verb, a word that doubles as a noun
            // ("branches or commits") is an object, not another verb; so
            // is `new`, an adjective there ("Read the release notes, new
            // features, and bug fixes"): it is a verb only as a label's
            // first word ("New issue").
            if self.nouns.contains(w.as_ref()) || w == "new" {
                break;
            }
            match self.lookup_inflected(w) {
                Some((r, Some(c)))
                    if find_base_form(w, |b| {
                        // A noun of another language's lexicon only as written.
                        (self.nouns.contains(b) && (b.len() == w.len() || !self.is_exact(b)))
                            .then_some(())
                    })
                    .is_none() =>
                {
                    prev_verb = true;
                    decided.push((r, c, w.to_string()))
                }
                Some((r, None)) => ambiguous.push((r, w.to_string())),
                _ => break,
            }
        }
    }

    /// A word in a subject's form, or a plural (`changes`, `installs`):
    /// it ends in one `s` and the lexicon does not hold it as written.
    fn subject_form(&self, w: &str) -> bool {
        w.ends_with('s') && !w.ends_with("ss") && self.lookup(w).is_none()
    }

    /// A word that names no action: no verb reads it, or it is a noun of an
    /// action's result (`impressions`), however its stem reads.
    fn names_no_action(&self, w: &str) -> bool {
        self.lookup_inflected(w).is_none() || NOUN_ENDINGS.iter().any(|e| w.ends_with(e))
    }

    /// A verb in a subject's form (`applies`, `updates`) of an English
    /// decided verb that doubles as no noun, in any form (see
    /// [`Engine::verb_list`]).
    fn second_action(&self, w: &str) -> Option<(usize, Option<Class>)> {
        if !w.ends_with('s') || self.lookup(w).is_some() || self.nouns.contains(w) {
            return None;
        }
        self.lookup_inflected(w).filter(|(r, c)| {
            c.is_some()
                && !self.rule(*r).exact
                && find_base_form(w, |b| self.nouns.contains(b).then_some(())).is_none()
        })
    }

    /// Operations a description enumerates anywhere ("Supports create,
    /// update, delete, or clear completed"): a list of at least two decided
    /// verbs that opens a clause. A `manage_` tool is its worst operation.
    pub(super) fn enumerated_verbs<'s>(
        &self,
        sentences: &[&'s str],
        clauses: &Clauses<'s>,
    ) -> Vec<(usize, Class, String)> {
        let mut best: Vec<(usize, Class, String)> = Vec::new();
        for &s in sentences {
            // Most sentences can hold no list: they are not split at all.
            if may_list(s) {
                self.best_list(&self.joined_words(s, clauses), &mut best);
            }
        }
        // A list of operations one a line, each named before a colon
        // ("Actions:\n - create: Create a comment.\n - delete: Delete it."):
        // the sentence splitter leaves each lowercase key as a sentence.
        let mut keyed: Vec<(usize, Class, String)> = Vec::new();
        for key in sentences {
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                continue;
            }
            let first = key.split('_').next().unwrap_or_default();
            if self.nouns.contains(first) || keyed.iter().any(|(_, _, w)| w == first) {
                continue;
            }
            if let Some((r, Some(c))) = self.lookup(first) {
                keyed.push((r, c, first.to_owned()));
            }
        }
        if keyed.len() >= 2
            && keyed.iter().map(|(_, c, _)| *c).max() > best.iter().map(|(_, c, _)| *c).max()
        {
            best = keyed;
        }
        best
    }

    /// The lists of decided verbs a sentence's clauses open with (see
    /// [`Engine::enumerated_verbs`]): one of at least two verbs more severe
    /// than `best` replaces it.
    fn best_list(&self, words: &[Word<'_>], best: &mut Vec<(usize, Class, String)>) {
        // "Useful for displaying data, comparing values and creating
        // summaries": what a caller may use the result for, not what the
        // tool does.
        if words.len() > 2 && USE_CASE.contains(&words[0].0.as_ref()) && words[1].0 == "for" {
            return;
        }
        let mut k = 0;
        while k < words.len() {
            let (w, pos) = &words[k];
            k += 1;
            if !matches!(pos, Pos::Start | Pos::Slash) {
                continue;
            }
            let Some((r, Some(c))) = self.lookup_inflected(w) else {
                continue;
            };
            if self.nouns.contains(w.as_ref()) {
                continue;
            }
            let mut list = vec![(r, c, w.to_string())];
            let mut amb = Vec::new();
            self.verb_list(&words[k..], false, &mut list, &mut amb);
            if list.len() >= 2
                && list.iter().map(|(_, c, _)| *c).max() > best.iter().map(|(_, c, _)| *c).max()
            {
                *best = list;
            }
        }
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
        lead: Option<Class>,
    ) -> Option<(OperationParam, Class)> {
        if values.len() < 2 {
            return None;
        }
        let classified = self.observation_switches(self.operation_values(values), name_tokens);
        let name_verbs = self.identifier_verbs(name_tokens, false).0;
        let name_class = name_verbs.iter().map(|(_, c, _)| *c).max();
        // Operation values in the items of an array (`patterns[].operation`:
        // PutItem, DeleteItem) of a tool whose name only computes or
        // estimates and whose lead only reads ("Calculate capacity units and
        // costs from access patterns") describe the workload it figures the
        // cost of, not operations it performs. Never a name with another
        // verb (`execute_batch`, `compute_and_apply`), nor a top-level
        // selector, nor a lead that does more than read.
        if path.contains("[]")
            && lead == Some(Class::Read)
            && !name_verbs.is_empty()
            && name_verbs
                .iter()
                .all(|(_, _, w)| ESTIMATING.contains(&w.as_str()))
        {
            return None;
        }
        // A name that keeps a thing (`create_collection_request`,
        // `update_saved_request`) stores the method as that thing's setting,
        // even when the thing is a request; only a name that sends one
        // (`make_request`, `send_request`, `api_request`) makes it.
        let keeps = name_verbs
            .first()
            .is_some_and(|(_, _, w)| KEEPS_A_THING.contains(&w.as_str()));
        // HTTP methods are the tool's own operation only when the tool makes
        // the request (`api_request`, `send_request`); beside a name that
        // creates or updates something else (`create_uptime_monitor`) they
        // are a setting of that thing, as its URL or headers are.
        if name_class.is_some()
            && is_http_method_list(values)
            && (keeps
                || !name_tokens
                    .iter()
                    .any(|t| MAKES_REQUESTS.contains(&t.as_str())))
        {
            return None;
        }
        // Beside a name that only reads (`get_site_audit_errors`), an enum
        // offering `all` (mode all/new/solved, state all/open/closed) picks
        // which of the things read to show: a filter, not an operation, even
        // where a value doubles as a verb (`new`). No operation selector
        // offers "all" of its operations at once.
        if name_class == Some(Class::Read)
            && values
                .iter()
                .any(|v| matches!(v.to_ascii_lowercase().as_str(), "all" | "any" | "both"))
        {
            return None;
        }
        // Values that name no verb at all are a selector only as modes of
        // what the name does (`git_reset` mode soft/mixed/hard).
        if !classified.iter().any(|(_, c)| c.is_some()) && name_class.is_none() {
            return None;
        }
        // A value that names no verb (`soft`, `hard`) is a mode of what the
        // name does (`git_reset`): it takes the name's class; for a name
        // without a verb whose title or description leads only with reading
        // (`manage_generations`, "Fetch ...": 'get', 'scores'), read; else
        // write (a verbless value beside "Create, submit or delete" stays write).
        // Values beside only reading verbs that name no verb at all, not even
        // an ambiguous one (`list`, `info`, `usage`, `metrics`), are more
        // things to look at: read, when the name has no decided verb.
        let looks_only = name_class.is_none()
            && classified.iter().all(|(v, c)| match c {
                Some((_, c)) => *c == Class::Read,
                None => identifier_tokens(v)
                    .iter()
                    .all(|t| self.lookup(t).is_none()),
            });
        let default = name_class
            .or(lead.filter(|c| *c == Class::Read))
            .or(looks_only.then_some(Class::Read))
            .unwrap_or(Class::Write);
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

impl Engine {
    /// Operation values that only start or stop an observation
    /// (`watch_start`, `watch_stop`, `start_trace`; a bare `start`/`stop`
    /// beside a name that observes: `godot_profiler`, `network_tracer`)
    /// begin or end watching, which changes nothing watched: read, as
    /// `observation-capture` reads such a name. Only values made of nothing
    /// but a switch and an observing word.
    fn observation_switches(
        &self,
        classified: Vec<(String, Option<(usize, Class)>)>,
        name_tokens: &[String],
    ) -> Vec<(String, Option<(usize, Class)>)> {
        let observing = |toks: &[String]| toks.iter().any(|t| OBSERVING.contains(&t.as_str()));
        let name_observes = observing(name_tokens);
        let Some((read, Some(Class::Read))) = self.lookup("get") else {
            return classified;
        };
        classified
            .into_iter()
            .map(|(v, c)| {
                let toks = identifier_tokens(&v);
                let switch_only = toks.iter().any(|t| SWITCHES.contains(&t.as_str()))
                    && toks
                        .iter()
                        .all(|t| SWITCHES.contains(&t.as_str()) || OBSERVING.contains(&t.as_str()));
                if switch_only && (name_observes || observing(&toks)) {
                    (v, Some((read, Class::Read)))
                } else {
                    (v, c)
                }
            })
            .collect()
    }
}

/// Switches of an observation (see [`Engine::observation_switches`]).
const SWITCHES: &[&str] = &["start", "stop", "begin", "end"];

/// Words for watching or recording what happens: a profiler, a trace, a
/// watch. Not `profile` (a user's profile) nor `monitor` (a kept alerting
/// object).
const OBSERVING: &[&str] = &[
    "watch",
    "watching",
    "watcher",
    "trace",
    "tracing",
    "tracer",
    "profiler",
    "profiling",
    "recording",
    "recorder",
    "screencast",
];

/// Verbs that only figure a quantity out (compute, calculate, estimate):
/// a workload such a tool is given is what it computes over.
const ESTIMATING: &[&str] = &["compute", "calculate", "calc", "estimate", "forecast"];

/// Whether an enum value is an HTTP method.
fn is_http_method(v: &str) -> bool {
    [
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
    ]
    .iter()
    .any(|m| m.eq_ignore_ascii_case(v))
}

/// Whether an enum lists HTTP methods: every value is one, or it holds GET
/// and POST and every other value is a method of WebDAV or an API client's
/// request format (COPY, LINK, PURGE, PROPFIND, VIEW), not a verb of its own.
fn is_http_method_list(values: &[String]) -> bool {
    const EXTENDED: &[&str] = &[
        "COPY",
        "LINK",
        "UNLINK",
        "PURGE",
        "LOCK",
        "UNLOCK",
        "PROPFIND",
        "PROPPATCH",
        "MKCOL",
        "MOVE",
        "REPORT",
        "SEARCH",
        "VIEW",
    ];
    let has = |m: &str| values.iter().any(|v| v == m);
    values.iter().all(|v| is_http_method(v))
        || (has("GET")
            && has("POST")
            && values
                .iter()
                .all(|v| is_http_method(v) || EXTENDED.contains(&v.as_str())))
}

/// Name words of a tool that makes HTTP requests itself, whose HTTP method
/// is its operation.
const MAKES_REQUESTS: &[&str] = &[
    "request", "requests", "call", "api", "http", "https", "endpoint", "fetch", "curl", "rest",
    "graphql", "proxy",
];

/// Leading name verbs that create or edit a stored thing: an HTTP method
/// beside them is a setting of that thing, not a request the tool makes.
const KEEPS_A_THING: &[&str] = &[
    "create",
    "add",
    "new",
    "insert",
    "update",
    "edit",
    "modify",
    "save",
    "upsert",
    "duplicate",
    "clone",
    "copy",
    "rename",
    "define",
    "register",
];

/// Byte ranges of the first `max` ASCII alphanumeric words of `s`
/// (`_` joins a word, as in identifiers).
fn word_spans(s: &str, max: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    // Byte by byte: a byte of a non-ASCII character is no word byte, as the
    // character is not, so no character needs decoding.
    for (i, c) in s
        .bytes()
        .enumerate()
        .chain(std::iter::once((s.len(), b' ')))
    {
        let inner = c.is_ascii_alphanumeric() || c == b'_';
        match (start, inner) {
            (None, true) => start = Some(i),
            (Some(a), false) => {
                out.push((a, i));
                start = None;
                if out.len() == max {
                    break;
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a verb of the lexicon is a Chinese or Japanese compound (Han,
/// kana, `々`, `ー`): found inside text, as these scripts write no spaces.
pub(super) fn is_cjk_verb(w: &str) -> bool {
    !w.is_empty()
        && w.chars().all(|c| {
            matches!(c, '\u{3005}' | '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}')
        })
}

/// Compounds that also name a process or its product (a deployment, a
/// sync, an upload), as [`PROCESS_NOUNS`]: before a [`CJK_STATE_NOUNS`]
/// compound (`部署记录`, `同期状態`) or a possessive (`应用部署的应用`, the
/// apps of a deployment; `デプロイの状態`) they are nouns, no verb.
const CJK_PROCESS_NOUNS: &[&str] = &[
    "部署",
    "同步",
    "导入",
    "上传",
    "安装",
    "发布",
    "迁移",
    "恢复",
    "デプロイ",
    "同期",
    "インポート",
    "アップロード",
    "インストール",
    "移行",
    "復元",
    "更新",
];

/// What one looks at about a process, as [`STATE_NOUNS`]: its records,
/// state, logs, progress, result, history, details.
const CJK_STATE_NOUNS: &[&str] = &[
    "记录", "状态", "日志", "进度", "结果", "历史", "详情", "信息", "履歴", "状態", "状況", "ログ",
    "結果", "情報", "記録",
];

/// Japanese compounds that are also the nouns settings, change(s) and
/// update(s): followed by a particle marking a noun (`設定を取得`, gets the
/// settings; `変更の履歴`) they are no verb.
const CJK_NOUN_VERBS: &[&str] = &["設定", "変更", "更新"];

/// Whether a read compound is negated: a Chinese negation before it (`不`,
/// `未`, `无`, `没`, `非`) or a Japanese negative ending after it (`しない`,
/// `せず`, `しません`, `できない`, `されない`).
fn cjk_negated(before: &str, after: &str) -> bool {
    before.ends_with(['不', '未', '无', '没', '非', '無'])
        || [
            "しない",
            "せず",
            "しません",
            "できない",
            "できません",
            "されない",
            "されません",
        ]
        .iter()
        .any(|n| after.starts_with(n))
}

/// The lexicon's Chinese and Japanese compounds, one automaton
/// (leftmost-longest), built the first time a text holds one's script (a
/// run over English text never builds it).
#[derive(Default)]
pub(crate) struct CjkVerbs {
    ac: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>>,
    pub(super) verbs: Vec<String>,
}

impl CjkVerbs {
    pub(super) fn new(catalogue: &super::rules::Catalogue) -> CjkVerbs {
        let verbs: Vec<String> = catalogue
            .rules
            .iter()
            .flat_map(|r| r.verbs.iter())
            .filter(|v| is_cjk_verb(v))
            .cloned()
            .collect();
        CjkVerbs {
            ac: Default::default(),
            verbs,
        }
    }

    /// The automaton, if the lexicon has compounds.
    pub(super) fn automaton(&self) -> Option<&aho_corasick::AhoCorasick> {
        self.ac
            .get_or_init(|| {
                (!self.verbs.is_empty())
                    .then(|| {
                        aho_corasick::AhoCorasick::builder()
                            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                            .build(&self.verbs)
                            .ok()
                    })
                    .flatten()
            })
            .as_ref()
    }
}

/// How a word sits in its sentence, for finding lists of verbs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pos {
    Inner,
    /// Sentence start, or after `,` `;`.
    Start,
    /// After a `/` between words (`create/update`, `rejection/archive`): a
    /// verb there joins a list only after a verb.
    Slash,
    /// After `or`/`and` that follows a comma (`create, update, or delete`).
    JoinedAfterComma,
    /// After a bare `or`/`and` (`get or update`, `configuration and upgrade`).
    Joined,
}

/// A word of a clause, lowercased: borrowed from the text where it stands
/// there as written (one run of lowercase ASCII letters and digits, most
/// words), owned only where it was folded or joined.
type Word<'s> = (Cow<'s, str>, Pos);

/// Whether the verb at `k` has `nothing` for its object ("Changes nothing",
/// "Writes nothing"), with no exception after it ("Deletes nothing unless
/// forced" deletes when forced).
fn of_nothing(words: &[Word<'_>], k: usize) -> bool {
    words.get(k + 1).is_some_and(|(w, _)| w == "nothing")
        && !words.get(k + 2).is_some_and(|(w, _)| {
            matches!(
                w.as_ref(),
                "unless" | "except" | "but" | "until" | "without" | "if"
            )
        })
}

/// Verbs that `re-` joins into another word (`re-serve` is no `reserve`).
const RE_HOMOGRAPHS: &[&str] = &[
    "serve", "sign", "search", "lease", "cover", "sort", "present", "form", "press", "collect",
    "count", "source",
];

/// [`WORD_BYTE`] of a lowercase ASCII letter or a digit.
const LOWER: u8 = 1;
/// [`WORD_BYTE`] of an uppercase ASCII letter.
const UPPER: u8 = 2;

/// What each byte is to [`clause_words_upto`]: [`LOWER`], [`UPPER`], or 0
/// (no ASCII letter or digit).
static WORD_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_alphanumeric() {
            LOWER
        } else {
            0
        };
        i += 1;
    }
    t
};

/// The sentences of one description, each split into clause words at most
/// once per tool: the lead verbs, the operations listed, the verbs joined
/// to the first and the later sentences' verbs read the same sentences, and
/// split each again (~29k splits per 10k tools). A full reader (the lead,
/// the operations listed) fills a sentence's entry; one that needs only the
/// first words takes them from there when filled, else splits only as far
/// as it reads (a later sentence no full reader reads is never split whole).
#[derive(Default)]
pub(super) struct Clauses<'s> {
    /// In text order (the order [`super::normalize::sentences`] gives):
    /// found by where they start.
    sentences: Vec<(&'s str, std::cell::OnceCell<Split<'s>>)>,
}

/// A sentence's clause words as split, and with the lexicon's multi-word
/// verbs joined (`None`: none joins, the words as split serve).
struct Split<'s> {
    raw: Vec<Word<'s>>,
    joined: Option<Vec<Word<'s>>>,
}

impl<'s> Clauses<'s> {
    /// `all`: slices of one text, in text order, none inside another.
    pub(super) fn new(all: &[&'s str]) -> Clauses<'s> {
        Clauses {
            sentences: all.iter().map(|&s| (s, Default::default())).collect(),
        }
    }

    /// The entry of sentence `s`, if it is one of these (the same slice).
    fn cell(&self, s: &str) -> Option<&std::cell::OnceCell<Split<'s>>> {
        let i = self
            .sentences
            .binary_search_by_key(&(s.as_ptr() as usize), |(t, _)| t.as_ptr() as usize)
            .ok()?;
        let (t, cell) = &self.sentences[i];
        (t.len() == s.len()).then_some(cell)
    }

    /// The first `limit` of [`clause_words`] of `s`: from its entry when a
    /// full reader filled it, else split as far as that.
    fn words_upto<'c>(&'c self, s: &'s str, limit: usize) -> Cow<'c, [Word<'s>]> {
        match self.cell(s).and_then(|c| c.get()) {
            Some(split) => Cow::Borrowed(&split.raw[..limit.min(split.raw.len())]),
            None => Cow::Owned(clause_words_upto(s, limit)),
        }
    }

    /// Whether `s` opens with the word `w` (lowercase), read as the
    /// sentence readers read it.
    pub(super) fn opens_with(&self, s: &'s str, w: &str) -> bool {
        self.words_upto(s, 1)
            .first()
            .is_some_and(|(first, _)| first == w)
    }
}

/// Whether a sentence may hold a list of verbs ([`Engine::best_list`]), so
/// that it must be split into words. A list's second verb stands after `,`
/// `;` or `/`, or after a joining word (`or`, `and`, `et`, `und`, ...): in
/// ASCII text with none of these, every word after the first is
/// [`Pos::Inner`] and no list can form. The words looked at are those
/// [`clause_words`] makes of ASCII text: runs of letters, digits, `'` and
/// `-`, those two dropped (text in parentheses is read too: more words,
/// never fewer). Any non-ASCII byte (a letter that folds into a joiner,
/// `É` → `e`; Cyrillic `и`) says it may.
fn may_list(s: &str) -> bool {
    if s.bytes()
        .any(|x| !x.is_ascii() || matches!(x, b',' | b';' | b'/'))
    {
        return true;
    }
    // The current word, lowercased: only a short one can be a joiner.
    let mut word = [0u8; 8];
    let mut len = 0usize;
    for x in s.bytes().chain(std::iter::once(b' ')) {
        if x.is_ascii_alphanumeric() {
            if let Some(slot) = word.get_mut(len) {
                *slot = x.to_ascii_lowercase();
            }
            len += 1;
        } else if !matches!(x, b'\'' | b'-') {
            if (1..=word.len()).contains(&len)
                && std::str::from_utf8(&word[..len]).is_ok_and(prose_joiner)
            {
                return true;
            }
            len = 0;
        }
    }
    false
}

/// Words of a sentence with their position; text in parentheses is dropped
/// (it lists values and examples, not what the tool does).
fn clause_words(s: &str) -> Vec<Word<'_>> {
    clause_words_upto(s, usize::MAX)
}

/// The first `limit` of [`clause_words`] (they do not depend on what
/// follows them).
fn clause_words_upto(s: &str, limit: usize) -> Vec<Word<'_>> {
    // Sized up front (about one word in six bytes) rather than regrown.
    let mut out: Vec<Word<'_>> = Vec::with_capacity(limit.min(s.len() / 6 + 1));
    // The word being read: a span of `s` while it is one lowercase run
    // (copied into no buffer), else the folded text in `cur`.
    let mut cur = String::new();
    let mut span: Option<(usize, usize)> = None;
    let mut next = Pos::Start;
    let mut comma = false;
    let mut depth = 0usize;
    // A slash joins a list only between words (`create/update`); one after
    // a space opens a path (`a /goto/<uid> URL`), whose segments are no verbs.
    let mut after_word = false;
    // Read byte by byte, a character decoded only where a byte is not
    // ASCII, and a run of ASCII letters and digits copied at once (it is
    // most of the text): the char-by-char loop was most of this function.
    let b = s.as_bytes();
    let mut i = 0;
    while i <= b.len() {
        // A space closes the text (and its last word).
        let c = match b.get(i) {
            Some(&x) if x.is_ascii() => x as char,
            Some(_) => s[i..].chars().next().expect("a char boundary"),
            None => ' ',
        };
        if depth == 0 && c.is_ascii_alphanumeric() {
            // One table load a byte tells a letter or digit and an
            // uppercase one (two tests each byte cost more).
            let mut kinds = 0u8;
            let run = b[i..]
                .iter()
                .take_while(|&&x| {
                    let k = WORD_BYTE[usize::from(x)];
                    kinds |= k;
                    k != 0
                })
                .count();
            if cur.is_empty() && span.is_none() && kinds & UPPER == 0 {
                span = Some((i, i + run));
            } else {
                if let Some((a, z)) = span.take() {
                    cur.push_str(&s[a..z]);
                }
                let from = cur.len();
                cur.push_str(&s[i..i + run]);
                cur[from..].make_ascii_lowercase();
            }
            after_word = true;
            i += run;
            continue;
        }
        i += c.len_utf8();
        // A letter with a diacritic is folded into its word (`récupère` →
        // `recupere`), a Cyrillic one lowercased (`ё` as `е`: `Получить` →
        // `получить`); any other non-ASCII character ends the word.
        let folded = if c.is_ascii() {
            None
        } else {
            fold_non_ascii(c)
        };
        // A closing quote keeps the word it ends joinable: quoted options
        // listed with slashes (`'Open'/'Close'/'Stop'`) are a list too.
        let quote_after_word = after_word && matches!(c, '\'' | '"' | '`');
        let joins_words = std::mem::replace(
            &mut after_word,
            c.is_ascii_alphanumeric() || folded.is_some() || quote_after_word,
        );
        if depth > 0 {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            continue;
        }
        if let Some(f) = folded {
            if let Some((a, z)) = span.take() {
                cur.push_str(&s[a..z]);
            }
            cur.push_str(f);
            continue;
        }
        let in_word = span.is_some() || !cur.is_empty();
        // `re-` before a verb whose joined form is another word (`Re-serve
        // the doctrine` serves it again, `re-sign` signs, `re-search`
        // searches): the verb after it, not `reserve`, `resign`, `research`.
        // Elsewhere the joined form is the lexicon's (`re-index`, `re-start`).
        if c == '-'
            && span.map_or(cur == "re", |(a, z)| &s[a..z] == "re")
            && RE_HOMOGRAPHS.iter().any(|h| {
                b.get(i..i + h.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(h.as_bytes()))
                    && b.get(i + h.len())
                        .is_none_or(|x| !x.is_ascii_alphanumeric())
            })
        {
            span = None;
            cur.clear();
            continue;
        }
        if c == '\'' || c == '-' && in_word {
            continue;
        }
        if in_word {
            if out.len() == limit {
                break;
            }
            let w = match span.take() {
                Some((a, z)) => Cow::Borrowed(&s[a..z]),
                // Copied out at its length, the buffer kept for the next
                // word (rather than grown anew from empty for each word).
                None => {
                    let w = Cow::Owned(cur.clone());
                    cur.clear();
                    w
                }
            };
            let joiner = prose_joiner(&w);
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
            ',' | ';' => {
                next = Pos::Start;
                comma = true;
            }
            '/' if joins_words => {
                next = Pos::Slash;
                comma = true;
            }
            '(' => depth = 1,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::classify::normalize::identifier_tokens;

    #[test]
    fn a_process_noun_before_a_closing_state_noun_is_no_verb() {
        let e = crate::classify::engine();
        let verb = |n: &str| {
            let ((decided, _), _) = e.identifier_verbs_at(&identifier_tokens(n), false);
            decided.first().map(|(_, _, w)| w.clone())
        };
        let table: [(&str, Option<&str>); 20] = [
            ("deploy_status", None),
            ("firebase_deploy_status", None),
            ("build_logs", None),
            ("sync_progress", None),
            ("backup_history", None),
            ("import_result", None),
            ("run_results", None),
            // Pure verbs keep their reading.
            ("update_status", Some("update")),
            ("set_state", Some("set")),
            ("delete_logs", Some("delete")),
            ("clear_history", Some("clear")),
            ("reset_stats", Some("reset")),
            // A state noun that is not last, or a later verb: unchanged.
            ("deploy_status_page", Some("deploy")),
            ("deploy_app", Some("deploy")),
            ("get_deploy_status", Some("get")),
            ("post_status", Some("post")),
            // A verb doubling as a noun starts a process that only reads.
            ("trigger_export", Some("trigger")),
            ("schedule_scan", Some("schedule")),
            ("trigger_delete", Some("delete")),
            ("trigger_build", Some("build")),
        ];
        for (name, want) in table {
            assert_eq!(verb(name).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn a_slash_lists_operations_only_between_words() {
        let e = crate::classify::engine();
        let listed = |s: &str| {
            e.enumerated_verbs(&[s], &super::Clauses::default())
                .into_iter()
                .map(|(_, _, w)| w)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            listed("Create/update/delete records"),
            ["create", "update", "delete"]
        );
        // What the result is useful for is no list of the tool's operations.
        assert!(
            listed("Useful for displaying data, comparing values, and creating summaries")
                .is_empty()
        );
        // A path is no list: `set` and `goto` are not the tool's operations.
        assert!(listed("Set shorten=true to return a /goto/<uid> short URL").is_empty());
    }

    #[test]
    fn verbs_of_other_languages_lead_as_english_ones_do() {
        use crate::classify::Class;
        let e = crate::classify::engine();
        let lead = |s: &str| {
            e.lead_verbs(&[s], &super::Clauses::default())
                .0
                .into_iter()
                .map(|(_, c, w)| (w, c))
                .collect::<Vec<_>>()
        };
        let table: [(&str, &[(&str, Class)]); 7] = [
            // Accents fold; the word is not cut at them.
            ("Récupère les factures", &[("recupere", Class::Read)]),
            // A multi-word verb is one verb, in a list too.
            (
                "Crée ou met à jour un contact",
                &[("cree", Class::Write), ("met a jour", Class::Destructive)],
            ),
            // A separable verb's particle closes the clause.
            (
                "Ruft die Rechnungen ab, nach Datum",
                &[("ruft * ab", Class::Read)],
            ),
            (
                "Fügt dem Vorgang eine Notiz hinzu",
                &[("fugt * hinzu", Class::Write)],
            ),
            // Without its particle `ruft` is no verb (it calls, `ruft ... auf`).
            ("Ruft eine Funktion auf", &[]),
            // Fillers of those languages are skipped.
            (
                "Cet outil permet de supprimer un dossier",
                &[("supprimer", Class::Destructive)],
            ),
            ("Löscht eine Datei", &[("loscht", Class::Destructive)]),
        ];
        for (text, want) in table {
            let want: Vec<(String, Class)> =
                want.iter().map(|(w, c)| ((*w).to_owned(), *c)).collect();
            assert_eq!(lead(text), want, "{text}");
        }
    }

    #[test]
    fn a_sentence_may_list_verbs_only_with_a_separator_or_a_joiner() {
        let e = crate::classify::engine();
        let lists = |s: &str| {
            let mut best = Vec::new();
            e.best_list(&e.clause_words(s), &mut best);
            !best.is_empty()
        };
        // Sentences that list, and each cut so that it may not.
        let table = [
            "Create, update or delete records",
            "Create/update/delete records",
            "Create; update; delete",
            "Gets or creates a link",
            "Create and delete records",
            "Lists and deletes files",
            "Create e.g. delete",
            "Create an'd delete",
            "Create -and- delete",
            "Crée ou supprime un contact",
            "Crée OU supprime un contact",
            "Erstellt oder löscht eine Datei",
            "Erstellt und loescht eine Datei",
            "Создает или удаляет запись",
            "Create É delete",
            "Create 'and' delete",
            "Create (or delete) records",
            "Supports create, update, delete, or clear completed",
            "Create Y delete",
            "Create U delete",
            "Create ed delete",
            "Create oppure delete",
            "Create records then delete them",
            "Create-or-delete records",
            "Create records",
            "Deletes the repository permanently",
        ];
        for s in table {
            let cut: String = s.chars().take_while(|c| *c != ',' && *c != ';').collect();
            for t in [s, cut.as_str()] {
                if !super::may_list(t) {
                    assert!(!lists(t), "{t:?} lists but may_list says no");
                }
            }
            if lists(s) {
                assert!(super::may_list(s), "{s:?}");
            }
        }
        // The table holds lists, so the check above is no empty one.
        assert!(lists("Create, update or delete records"));
        assert!(lists("Create and delete records"));
        assert!(lists("Create/update/delete records"));
        assert!(lists("Crée ou supprime un contact"));
        assert!(!super::may_list("Deletes the repository permanently"));
        assert!(!super::may_list("Create records then delete them"));
        assert!(!super::may_list("Create-or-delete records"));
        assert!(super::may_list("Create an'd delete"));
        assert!(super::may_list("Create É delete"));
    }

    #[test]
    fn no_joiner_is_longer_than_the_length_gate() {
        for w in super::JOINERS.iter().chain(super::PROSE_JOINERS) {
            assert!(w.len() <= super::JOINER_MAX, "{w}");
            assert!(super::prose_joiner(w), "{w}");
        }
    }

    #[test]
    fn lead_verbs_read_a_text_as_its_ascii_lowercase() {
        // `collect` hands them the title lowercased, to copy out no word.
        let e = crate::classify::engine();
        for s in [
            "Get User Profile Get User Profile",
            "Delete Repository",
            "Create, Update Or DELETE Records",
            "Manage Incidents By Changing Their Status",
            "Deploy Status",
            "Bookmarks",
            "Crée Ou Met À Jour Un Contact",
            "Ruft Die Rechnungen AB, nach Datum",
            "Получить Список",
            "GitHub 仓库删除 (Delete)",
            "Hover Info",
        ] {
            let lower = s.to_ascii_lowercase();
            assert_eq!(
                e.lead_verbs(&[s], &super::Clauses::default()),
                e.lead_verbs(&[lower.as_str()], &super::Clauses::default()),
                "{s}"
            );
        }
    }

    /// The first verb a sentence leads with.
    fn lead(s: &str) -> Option<String> {
        let e = crate::classify::engine();
        let (decided, _) = e.lead_verbs(&[s], &super::Clauses::default());
        decided.first().map(|(_, _, w)| w.clone())
    }

    #[test]
    fn a_process_and_its_state_noun_heading_a_label_lead_no_verb() {
        let table: [(&str, Option<&str>); 7] = [
            ("Build info, version and uptime of the server", None),
            ("Run history of the workflow", None),
            ("Deploy logs for the app", None),
            ("Deploy Status", None),
            // An object or a destination follows: the verb is the tool's.
            ("Export logs to a local file", Some("export")),
            ("Build the info page", Some("build")),
            ("Build info pages from templates", Some("build")),
        ];
        for (s, want) in table {
            assert_eq!(lead(s).as_deref(), want, "{s}");
        }
    }

    #[test]
    fn lead_words_that_look_like_verbs_and_are_not() {
        assert_eq!(lead("Re-serve the bundled doctrine"), None);
        assert_eq!(lead("Re-search the archive").as_deref(), Some("search"));
        assert_eq!(lead("Re-index the collection").as_deref(), Some("reindex"));
        assert_eq!(lead("Re-start the service").as_deref(), Some("restart"));
        assert_eq!(lead("Reserve a table for two").as_deref(), Some("reserve"));
        // A verb of nothing is no action.
        assert_eq!(lead("Changes nothing: to change power use power"), None);
        // Two plural nouns, the first a verb's form too: a label.
        assert_eq!(lead("Installs and ratings for one app"), None);
        assert_eq!(
            lead("Installs and configures the agent").as_deref(),
            Some("installs")
        );
        // A word before `of` names a thing; the verbs that take `of` stay.
        assert_eq!(lead("Share of clicks and impressions by language"), None);
        assert_eq!(lead("Notify of new releases").as_deref(), Some("notify"));
        assert_eq!(lead("Delete of the record").as_deref(), Some("delete"));
        // A slash list of words that are no verbs, a gesture's plural
        // beside a figure: figures, not actions.
        assert_eq!(lead("Clicks/impressions/CTR/position per day"), None);
        assert_eq!(lead("Clicks and impressions per day"), None);
        assert_eq!(lead("Create/update a record").as_deref(), Some("create"));
        assert_eq!(lead("Click the button").as_deref(), Some("click"));
    }

    /// Every verb a sentence leads with.
    fn lead_all(s: &str) -> Vec<String> {
        let e = crate::classify::engine();
        let (d, _) = e.lead_verbs(&[s], &super::Clauses::default());
        d.into_iter().map(|(_, _, w)| w).collect()
    }

    #[test]
    fn a_list_of_things_after_the_lead_verb_holds_no_verb() {
        // A subject's form after a plural at a comma or slash, behind an
        // imperative: plural nouns of one list.
        assert_eq!(lead_all("Search tickets, changes or problems."), ["search"]);
        assert_eq!(lead_all("Get Git commits/changes for a build"), ["get"]);
        // A word at a comma joined to a word that is no verb: nouns.
        assert_eq!(
            lead_all("Get a ticket, change or problem with its team."),
            ["get"]
        );
        // Actions stay actions.
        assert_eq!(
            lead_all("Get a file, delete or archive it"),
            ["get", "delete", "archive"]
        );
        assert_eq!(
            lead_all("Get a file, delete or otherwise modify it"),
            ["get", "delete"]
        );
        assert_eq!(
            lead_all("Get the users; deletes the rest"),
            ["get", "deletes"]
        );
        assert_eq!(
            lead_all("Searches tickets, changes or closes them"),
            ["searches", "changes", "closes"]
        );
    }

    #[test]
    fn russian_words_and_cjk_compounds_lead() {
        use crate::classify::Class;
        let e = crate::classify::engine();
        let lead = |s: &str| {
            let (d, a) = e.lead_verbs(&[s], &super::Clauses::default());
            (
                d.into_iter().map(|(_, c, w)| (w, c)).collect::<Vec<_>>(),
                a.into_iter().map(|(_, w)| w).collect::<Vec<_>>(),
            )
        };
        // Cyrillic is lowercased, ё read as е; `или` joins a list.
        assert_eq!(
            lead("Создаёт или Удаляет запись").0,
            [
                ("создает".to_owned(), Class::Write),
                ("удаляет".to_owned(), Class::Destructive)
            ]
        );
        // Fillers of Russian are skipped.
        assert_eq!(
            lead("Этот инструмент позволяет получить список").0,
            [("получить".to_owned(), Class::Read)]
        );
        // The longest compound at a place wins: `再起動` restarts (not
        // `起動`, starts); `非表示` hides (ambiguous, not `表示`).
        assert_eq!(
            lead("サーバーを再起動").0,
            [("再起動".to_owned(), Class::Destructive)]
        );
        assert_eq!(
            lead("列を非表示にする"),
            (vec![], vec!["非表示".to_owned()])
        );
        // After a possessive a compound heads a noun phrase: the task's
        // comment list is read, not commented.
        assert_eq!(
            lead("读取 TMS 任务的评论列表").0,
            [
                ("读取".to_owned(), Class::Read),
                ("列表".to_owned(), Class::Read)
            ]
        );
        // Only the first sentence: `。` ends it.
        assert_eq!(
            lead("查询订单。删除缓存").0,
            [("查询".to_owned(), Class::Read)]
        );
        // A read and a delete compound: both, the worst decides later.
        assert_eq!(
            lead("削除されたアイテムを取得").0,
            [
                ("削除".to_owned(), Class::Destructive),
                ("取得".to_owned(), Class::Read)
            ]
        );
        // In parentheses only a deleting compound counts; a read one
        // negated or after an ambiguous one does not.
        assert!(lead("数据 (查询/创建)").0.is_empty());
        assert_eq!(
            lead("数据 (删除)").0,
            [("删除".to_owned(), Class::Destructive)]
        );
        assert!(lead("不读取数据").0.is_empty());
        assert!(lead("データを取得しない").0.is_empty());
        assert!(lead("管理数据，支持查询").0.is_empty());
        // A process before a state noun, a Japanese noun before its
        // particle: no verb.
        assert_eq!(lead("获取部署记录").0, [("获取".to_owned(), Class::Read)]);
        assert_eq!(
            lead("查询应用部署的版本").0,
            [("查询".to_owned(), Class::Read)]
        );
        assert_eq!(lead("設定を取得").0, [("取得".to_owned(), Class::Read)]);
        // ASCII text is never searched for compounds.
        assert!(lead("Data only").0.is_empty());
    }

    #[test]
    fn verbs_of_other_languages_take_no_english_inflection() {
        let e = crate::classify::engine();
        // `verifie` is French; `verified` is no form of it.
        assert!(e.lookup_inflected("verifie").is_some());
        assert!(e.lookup_inflected("verified").is_none());
        // English verbs still inflect.
        assert!(e.lookup_inflected("deleted").is_some());
        // In a name a read verb of another language yields to a later verb,
        // and leads only when none follows.
        let verbs = |n: &str| {
            e.identifier_verbs(&identifier_tokens(n), false)
                .0
                .into_iter()
                .map(|(_, _, w)| w)
                .collect::<Vec<_>>()
        };
        assert_eq!(verbs("liste_delete_all"), ["delete"]);
        assert_eq!(verbs("liste_factures"), ["liste"]);
        // English inflections do not meet its nouns: `listing` stays a verb.
        assert_eq!(
            e.enumerated_verbs(
                &["Searching or listing conversations"],
                &super::Clauses::default()
            )
            .len(),
            2
        );
    }

    #[test]
    fn where_a_name_leads_with_its_verb() {
        let e = crate::classify::engine();
        let leads = |n: &str| e.identifier_verbs_at(&identifier_tokens(n), false).1;
        // (name, whether its decided verb leads it)
        let table = [
            ("delete_pod", true),
            // The only verb, after one word that is no verb: leads either way.
            ("pods_delete", true),
            // Further in, the description's lead verb is weighed with it.
            ("firecrawl_search_feedback", false),
            ("mark_all_notifications_read", false),
        ];
        for (name, want) in table {
            assert_eq!(leads(name), want, "{name}");
        }
    }

    #[test]
    fn a_last_word_that_doubles_as_a_noun_is_the_object_under_verb_last_naming() {
        let e = crate::classify::engine();
        let verbs = |n: &str| {
            e.identifier_verbs(&identifier_tokens(n), true)
                .0
                .into_iter()
                .map(|(_, _, w)| w)
                .collect::<Vec<_>>()
        };
        // `trigger` is what is got or deleted, not the action ...
        assert_eq!(verbs("functions_get_trigger"), ["get"]);
        assert_eq!(verbs("functions_delete_trigger"), ["delete"]);
        // ... while a last word that is only a verb still leads (`deploy` is
        // a namespace there), and so does a noun-verb with no verb before it.
        assert_eq!(verbs("deploy_plan_get"), ["get"]);
        assert_eq!(verbs("workflow_run_trigger"), ["trigger"]);
    }

    #[test]
    fn a_last_verb_after_a_fetching_verb_and_its_object_is_that_object() {
        let e = crate::classify::engine();
        let verbs = |n: &str, verb_last: bool| {
            e.identifier_verbs(&identifier_tokens(n), verb_last)
                .0
                .into_iter()
                .map(|(_, _, w)| w)
                .collect::<Vec<_>>()
        };
        for verb_last in [true, false] {
            // What is got is a scenario set: nothing is set.
            assert_eq!(
                verbs("genai_simulation_get_scenario_set", verb_last),
                ["get"]
            );
            assert_eq!(
                verbs("db_describe_instance_update", verb_last),
                ["describe"]
            );
        }
        // Right after a fetching or checking verb, the last word is its
        // object (not under verb-last naming, below).
        assert_eq!(verbs("catalog_get_set", false), ["get"]);
        assert_eq!(verbs("crm_check_update", false), ["check"]);
        // A name that leads with the verb keeps it ...
        assert_eq!(verbs("set_read_only", false), ["set"]);
        // ... and so does a namespace that is a verb of another kind, or a
        // fetching verb with no object between it and the last verb.
        assert_eq!(verbs("search_index_delete", true), ["delete"]);
        assert_eq!(verbs("cache_get_delete", true), ["delete"]);
    }
}
