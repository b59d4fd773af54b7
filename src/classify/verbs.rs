//! The verb lexicon at work: which verbs a tool name, its description's lead
//! sentence, an enumeration of operations, or an operation selector's values
//! lead with.

use std::borrow::Cow;

use super::engine::Engine;
use super::normalize::{find_base_form, fold_latin, identifier_tokens};
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

/// How a later sentence that speaks of the tool begins ("This tool ...").
const OPENERS: &[&str] = &["this", "tool", "it", "helps", "used"];

/// The same, in French, Spanish, Portuguese, Italian and German ("Cet
/// outil ...", "Esta herramienta ...", "Dieses Werkzeug ..."): a sentence
/// that speaks of the tool may open with them.
pub(super) const PROSE_OPENERS: &[&str] = &[
    "cet", "cette", "ce", "este", "esta", "esse", "essa", "questo", "questa", "dieses", "diese",
    "dieser",
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
];

fn filler(w: &str) -> bool {
    FILLER.contains(&w) || PROSE_FILLER.contains(&w) || PROSE_OPENERS.contains(&w)
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
];

/// What one looks at about a process: its state, progress, logs or result.
/// Last in a name after a [`PROCESS_NOUNS`] word, the name names that thing.
const STATE_NOUNS: &[&str] = &[
    "status", "progress", "state", "logs", "log", "history", "result", "results", "summary",
    "report", "details", "info", "stats", "metrics",
];

/// Whether word `i` of a name is a process noun modifying the state noun
/// that ends the name (`deploy_status`), not the name's verb.
fn modifies_state_noun(tokens: &[String], i: usize) -> bool {
    i + 2 == tokens.len()
        && PROCESS_NOUNS.contains(&tokens[i].as_str())
        && STATE_NOUNS.contains(&tokens[i + 1].as_str())
}

/// Adjectives that open a sentence about what the tool's result serves
/// ("Useful for ...", "Ideal for ..."), not about what the tool does.
const USE_CASE: &[&str] = &[
    "useful", "ideal", "good", "great", "helpful", "handy", "perfect", "suitable", "best",
];

/// Words that open a verb's object ("Deletes *the* repository", "Removes
/// *it* from the queue").
const OBJECT_OPENERS: &[&str] = &[
    "the", "a", "an", "it", "them", "all", "any", "every", "each", "existing", "its", "their",
    "this", "that", "these", "those", "your", "matching", "selected",
];

/// The same in French, Spanish, Portuguese, Italian and German ("Supprime
/// *le* dossier", "Löscht *die* Datei").
const PROSE_OBJECT_OPENERS: &[&str] = &[
    "le", "la", "les", "un", "une", "des", "du", "tous", "toutes", "el", "los", "las", "una",
    "todos", "todas", "o", "os", "as", "um", "uma", "il", "lo", "gli", "uno", "tutti", "tutte",
    "der", "die", "das", "den", "dem", "ein", "eine", "einen", "alle",
];

/// Words that join verbs in a list (`create, update or delete`).
const JOINERS: &[&str] = &["or", "and", "and/or"];

/// The same in prose of French, Spanish, Portuguese, German and Italian
/// ("Crée ou met à jour", "Erstellt oder aktualisiert").
const PROSE_JOINERS: &[&str] = &[
    "ou", "et", "o", "y", "e", "ed", "oder", "und", "oppure", "u",
];

fn prose_joiner(w: &str) -> bool {
    JOINERS.contains(&w) || PROSE_JOINERS.contains(&w)
}

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
        // A last word that doubles as a noun (`trigger`) after a decided verb
        // that does not (`functions_get_trigger`, `functions_delete_trigger`)
        // is that verb's object, whatever the server's naming convention.
        let last_is_object = tokens.last().is_some_and(|last| {
            self.nouns.contains(last)
                && tokens[..tokens.len() - 1].iter().any(|w| {
                    matches!(self.lookup(w), Some((_, Some(_)))) && !self.nouns.contains(w)
                })
        }) || self.last_names_fetched_object(tokens);
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
    fn last_names_fetched_object(&self, tokens: &[String]) -> bool {
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
    pub(super) fn lead_verbs(&self, purpose: &[&str]) -> VerbHits {
        let mut ambiguous = Vec::new();
        for (n, s) in purpose.iter().take(3).enumerate() {
            // A later sentence leads with the tool's verb only when it speaks
            // of the tool ("This tool deletes ..."); one that opens with a
            // verb ("Accepts an array ...") describes its inputs or outputs.
            if n > 0 {
                let first = clause_words_upto(s, 1);
                let first = first.first().map_or("", |(w, _)| w.as_ref());
                if !OPENERS.contains(&first) && !PROSE_OPENERS.contains(&first) {
                    continue;
                }
            }
            let words = self.clause_words(s);
            let mut iter = words.iter().skip_while(|(w, _)| filler(w));
            let Some((first, _)) = iter.next() else {
                continue;
            };
            let Some(hit) = self.lookup_inflected(first) else {
                continue;
            };
            let Some(first_class) = hit.1 else {
                // An ambiguous lead verb ("Simulates ...", "Manage ...") says
                // nothing; what follows in the sentence is its object, unless
                // a `by` clause says how ("Manage incidents by changing
                // their status or assignment").
                ambiguous.push((hit.0, first.to_string()));
                let by = words
                    .windows(2)
                    .position(|p| p[0].0 == "by" && p[1].0.ends_with("ing") && p[1].0.len() > 5);
                if let Some(j) = by {
                    let (w, _) = &words[j + 1];
                    if let Some((r, Some(c))) = self.lookup_inflected(w) {
                        let mut decided = vec![(r, c, w.to_string())];
                        self.verb_list(
                            &mut words[j + 2..].iter().map(|(w, p)| (w.as_ref(), *p)),
                            &mut decided,
                            &mut ambiguous,
                        );
                        return (decided, ambiguous);
                    }
                }
                continue;
            };
            let mut decided = vec![(hit.0, first_class, first.to_string())];
            self.verb_list(
                &mut iter.map(|(w, p)| (w.as_ref(), *p)),
                &mut decided,
                &mut ambiguous,
            );
            return (decided, ambiguous);
        }
        (Vec::new(), ambiguous)
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
    pub(super) fn later_verbs(
        &self,
        purpose: &[&str],
        stated: bool,
    ) -> Vec<(usize, Class, String)> {
        let mut out: Vec<(usize, Class, String)> = Vec::new();
        for s in purpose.iter().skip(1) {
            // Only the first word that is no filler and the one after it
            // count: the sentence's words are read only as far as needed.
            let mut limit = 6;
            let (words, k) = loop {
                let words = clause_words_upto(s, limit);
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

    /// The first sentence from its verb on, when it opens with the tool's
    /// own name or title as the subject ("dbt compile generates SQL ...",
    /// "The fetch_page tool returns ..."): the verb must be inflected as a
    /// subject's (`generates`), so "Get issues from ..." is left alone.
    pub(super) fn after_subject<'s>(&self, s: &'s str, subjects: &[&[String]]) -> Option<&'s str> {
        let spans = word_spans(s, 12);
        let lower: Vec<String> = spans
            .iter()
            .map(|&(a, b)| s[a..b].to_ascii_lowercase())
            .collect();
        let k = usize::from(lower.first().is_some_and(|w| w == "the"));
        for subj in subjects {
            if subj.is_empty()
                || lower.len() <= k + subj.len()
                || lower[k..k + subj.len()] != subj[..]
            {
                continue;
            }
            let mut n = k + subj.len();
            if matches!(
                lower[n].as_str(),
                "tool" | "command" | "function" | "endpoint"
            ) {
                n += 1;
            }
            let Some(verb) = lower.get(n) else { continue };
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
        let mut words = clause_words(s);
        if self.phrasal.is_empty() {
            return words;
        }
        let mut i = 0;
        while i < words.len() {
            let Some(forms) = self.phrasal.get(words[i].0.as_ref()) else {
                i += 1;
                continue;
            };
            for (verb, rest) in forms {
                if rest[0] == "*" {
                    // The particle ends the clause (or precedes `und`/`oder`),
                    // with at least one word between it and the verb.
                    let end = words[i + 1..]
                        .iter()
                        .position(|(_, p)| *p == Pos::Start)
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
        words
    }

    /// Continues a verb list after its first verb: `, update, or delete`.
    fn verb_list(
        &self,
        iter: &mut dyn Iterator<Item = (&str, Pos)>,
        decided: &mut Vec<(usize, Class, String)>,
        ambiguous: &mut Vec<(usize, String)>,
    ) {
        let mut prev_verb = true;
        for (w, pos) in iter {
            if prose_joiner(w) {
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
            if self.nouns.contains(w) {
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
                    decided.push((r, c, w.to_owned()))
                }
                Some((r, None)) => ambiguous.push((r, w.to_owned())),
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
            let words = self.clause_words(s);
            // "Useful for displaying data, comparing values and creating
            // summaries": what a caller may use the result for, not what the
            // tool does.
            if words.len() > 2 && USE_CASE.contains(&words[0].0.as_ref()) && words[1].0 == "for" {
                continue;
            }
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
                if self.nouns.contains(w.as_ref()) {
                    continue;
                }
                let mut list = vec![(r, c, w.to_string())];
                let mut amb = Vec::new();
                self.verb_list(
                    &mut words[k..].iter().map(|(w, p)| (w.as_ref(), *p)),
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
        let classified = self.operation_values(values);
        let name_verbs = self.identifier_verbs(name_tokens, false).0;
        let name_class = name_verbs.iter().map(|(_, c, _)| *c).max();
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
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        let inner = c.is_ascii_alphanumeric() || c == '_';
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
fn clause_words(s: &str) -> Vec<Word<'_>> {
    clause_words_upto(s, usize::MAX)
}

/// A word of a clause and where it sits: borrowed from the sentence when
/// the sentence spells it as [`clause_words`] gives it (lowercase ASCII
/// letters and digits, nothing dropped inside), which most words are, so
/// a word costs no allocation of its own.
type Word<'a> = (Cow<'a, str>, Pos);

/// The first `limit` of [`clause_words`] (they do not depend on what
/// follows them).
fn clause_words_upto(s: &str, limit: usize) -> Vec<Word<'_>> {
    let b = s.as_bytes();
    // About one word in six bytes, sized once rather than grown (4, 8, 16
    // ...) for every clause.
    let mut out: Vec<Word<'_>> = Vec::with_capacity(limit.min(b.len() / 6 + 1));
    // The current word: the span `lo..hi` of `s` while the sentence spells
    // it as it is given, else (`owned`) its text as built so far.
    let (mut lo, mut hi) = (0, 0);
    let mut owned = false;
    let mut cur = String::new();
    let mut next = Pos::Start;
    let mut comma = false;
    let mut depth = 0usize;
    // A slash joins a list only between words (`create/update`); one after
    // a space opens a path (`a /goto/<uid> URL`), whose segments are no verbs.
    let mut after_word = false;
    // A letter with a diacritic is folded into its word (`récupère` →
    // `recupere`); any other non-ASCII character ends the word. The text
    // ends with a space (`i == b.len()`).
    let mut i = 0;
    while i <= b.len() {
        // Most of a sentence is lowercase letters inside words: a run of
        // them extending a word the sentence spells as it is given is
        // taken in one tight loop (what the steps below would do one
        // character at a time).
        let plain = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
        if depth == 0 && !owned && (lo == hi || hi == i) && b.get(i).is_some_and(|&x| plain(x)) {
            if lo == hi {
                lo = i;
            }
            i += 1;
            while b.get(i).is_some_and(|&x| plain(x)) {
                i += 1;
            }
            hi = i;
            after_word = true;
            continue;
        }
        let c = match b.get(i) {
            None => ' ',
            Some(&x) if x < 0x80 => char::from(x),
            // `i` is always at a character boundary: it moves by whole characters.
            Some(_) => s[i..].chars().next().unwrap_or(' '),
        };
        i += c.len_utf8();
        let folded = if c.is_ascii() { None } else { fold_latin(c) };
        let joins_words = std::mem::replace(
            &mut after_word,
            c.is_ascii_alphanumeric() || folded.is_some(),
        );
        if depth > 0 {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            continue;
        }
        if folded.is_some() || c.is_ascii_alphanumeric() {
            if !owned {
                // The sentence's spelling ends here (an uppercase or folded
                // letter, or one after a dropped `'` or `-`): copy it.
                cur.clear();
                cur.push_str(&s[lo..hi]);
                owned = true;
            }
            match folded {
                Some(f) => cur.push_str(f),
                None => cur.push(c.to_ascii_lowercase()),
            }
            continue;
        }
        let empty = !owned && lo == hi;
        if c == '\'' || c == '-' && !empty {
            continue;
        }
        if !empty {
            if out.len() == limit {
                break;
            }
            let w = if std::mem::take(&mut owned) {
                // A copy of its size; `cur` keeps its buffer for the next.
                Cow::Owned(cur.clone())
            } else {
                Cow::Borrowed(&s[lo..hi])
            };
            (lo, hi) = (0, 0);
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
                next = Pos::Start;
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

    /// The clause words, borrowed where the sentence spells them so, are
    /// the words the char-by-char reading they replaced gave, at every
    /// limit (sentences of the kinds met, and every string of up to four
    /// of these characters).
    #[test]
    fn clause_words_read_as_the_char_by_char_reading_did() {
        use super::{clause_words_upto, fold_latin, prose_joiner, Pos};
        fn by_chars(s: &str, limit: usize) -> Vec<(String, Pos)> {
            let mut out: Vec<(String, Pos)> = Vec::new();
            let mut cur = String::new();
            let mut next = Pos::Start;
            let mut comma = false;
            let mut depth = 0usize;
            let mut after_word = false;
            for c in s.chars().chain(std::iter::once(' ')) {
                let folded = if c.is_ascii() { None } else { fold_latin(c) };
                let joins_words = std::mem::replace(
                    &mut after_word,
                    c.is_ascii_alphanumeric() || folded.is_some(),
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
                    cur.push_str(f);
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
                    if out.len() == limit {
                        break;
                    }
                    let w = std::mem::take(&mut cur);
                    let joiner = prose_joiner(&w);
                    out.push((w, next));
                    next = match (joiner, comma) {
                        (true, true) => Pos::JoinedAfterComma,
                        (true, false) => Pos::Joined,
                        (false, _) => Pos::Inner,
                    };
                    comma = false;
                }
                match c {
                    ',' | ';' => {
                        next = Pos::Start;
                        comma = true;
                    }
                    '/' if joins_words => {
                        next = Pos::Start;
                        comma = true;
                    }
                    '(' => depth = 1,
                    _ => {}
                }
            }
            out
        }
        let check = |s: &str| {
            for limit in [1, 2, 6, usize::MAX] {
                let got: Vec<(String, Pos)> = clause_words_upto(s, limit)
                    .into_iter()
                    .map(|(w, p)| (w.into_owned(), p))
                    .collect();
                assert_eq!(got, by_chars(s, limit), "{s:?} {limit}");
            }
        };
        for s in [
            "Create, update, or delete records (by id) in the DB",
            "Don't re-run the read-only query/report; use get_items/list_items",
            "Récupère les factures, crée ou met à jour un contact",
            "Set shorten=true to return a /goto/<uid> short URL",
            "Ünïcödé — “quoted” déjà-vu 42x (nested (parens)) after",
        ] {
            check(s);
        }
        let alphabet = [
            'a', 'B', '7', '\'', '-', '(', ')', '/', ',', ' ', '\u{e9}', '\u{2014}',
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            for t in &longer {
                check(t);
            }
            texts = longer;
        }
    }

    #[test]
    fn a_process_noun_before_a_closing_state_noun_is_no_verb() {
        let e = crate::classify::engine();
        let verb = |n: &str| {
            let ((decided, _), _) = e.identifier_verbs_at(&identifier_tokens(n), false);
            decided.first().map(|(_, _, w)| w.clone())
        };
        let table: [(&str, Option<&str>); 16] = [
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
        ];
        for (name, want) in table {
            assert_eq!(verb(name).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn a_slash_lists_operations_only_between_words() {
        let e = crate::classify::engine();
        let listed = |s: &str| {
            e.enumerated_verbs(&[s])
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
            e.lead_verbs(&[s])
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
            e.enumerated_verbs(&["Searching or listing conversations"])
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
        // A name that leads with the verb keeps it ...
        assert_eq!(verbs("set_read_only", false), ["set"]);
        // ... and so does a namespace that is a verb of another kind, or a
        // fetching verb with no object between it and the last verb.
        assert_eq!(verbs("search_index_delete", true), ["delete"]);
        assert_eq!(verbs("cache_get_delete", true), ["delete"]);
    }
}
