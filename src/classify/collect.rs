//! Stage 1: collect every hit of the catalogue on one tool, each with the
//! place it came from. Nothing here decides; `decide.rs` weighs the hits.

use super::context::Context;
use super::engine::Engine;
use super::normalize::{find_base_form, fold_lookalikes, identifier_tokens, noun_stem};
use super::prose::{self, Prose};
use super::rules::{ArgKind, Effect, Field, Scope, Shape};
use super::setmatch::Scan;
use super::verbs::Clauses;
use super::verdict::{ArgFacts, Class, Evidence, Signal};
use super::view::{ParamView, ToolView};

/// Where a hit came from. The order is strength for floors: a schema fact
/// or the name outweighs a clause late in the description.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Site {
    /// A phrase of a full-scope rule anywhere in the description.
    Full,
    /// A phrase in a later purpose sentence ("This tool also updates ...").
    Later,
    /// A list of operations the description enumerates ("create, update or delete").
    Enumeration,
    /// A verb the name holds further in than its convention puts verbs
    /// (`mark_all_notifications_read`): weighed with the lead sentence's.
    NameInner,
    /// The verb list leading the description's first purpose sentence.
    Lead,
    /// The verb of a later sentence stating a change to the thing the tool
    /// is named for ("... Create a new file" on `write_file`), weighed with
    /// the lead's.
    Purpose,
    /// A phrase in the first purpose sentence.
    LeadText,
    /// A phrase in the name or title.
    NameText,
    /// The verb the name leads with.
    Name,
    /// A parameter's name or description.
    Param,
    /// A schema shape: an operation selector, an empty description, hidden text.
    Schema,
}

impl Site {
    pub fn as_str(self) -> &'static str {
        match self {
            Site::Full => "description (anywhere)",
            Site::Later => "description (later sentence)",
            Site::Enumeration => "description (listed operations)",
            Site::NameInner => "name (inner verb)",
            Site::Lead => "description (lead verb)",
            Site::Purpose => "description (verb on the name's object)",
            Site::LeadText => "description (first sentence)",
            Site::NameText => "name or title",
            Site::Name => "name verb",
            Site::Param => "parameter",
            Site::Schema => "schema",
        }
    }
}

/// One rule that matched, once, at its strongest site.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Index into the catalogue's rules.
    pub rule: usize,
    pub site: Site,
    /// The class this hit argues for: the verb's own, or the rule's.
    pub class: Option<Class>,
    /// The word or quoted text that matched (for the rationale).
    pub text: String,
}

/// Everything stage 1 found.
pub struct Collected {
    pub hits: Vec<Hit>,
    pub evidence: Vec<Evidence>,
    pub args: ArgFacts,
    pub empty_description: bool,
}

/// A phrase match: rule, field, site, quoted text.
struct PhraseHit {
    rule: usize,
    field: String,
    site: Site,
    text: String,
    /// Found in the description of a parameter whose schema proves it holds
    /// an identifier ([`holds_identifier`]).
    ident: bool,
}

/// Words of what a screen shows, beside which `scroll` is a gesture.
const SCREEN_WORDS: &[&str] = &[
    "page",
    "pages",
    "browser",
    "screen",
    "window",
    "view",
    "viewport",
    "element",
    "elements",
    "mouse",
    "wheel",
    "tab",
    "frame",
    "down",
    "up",
    "left",
    "right",
    "top",
    "bottom",
    "to",
    "into",
    "by",
    "pixels",
    "horizontal",
    "horizontally",
    "vertical",
    "vertically",
    "ui",
    "app",
    "canvas",
    "map",
    "list",
    "chat",
    "terminal",
];

impl Engine {
    /// Stage 1 for one tool.
    pub(super) fn collect(&self, def: &ToolView, ctx: &Context) -> Collected {
        // Matched as a reader sees it: hidden or lookalike characters inside
        // a verb do not hide it (`fold_lookalikes`; the hidden-unicode rule
        // still reads the raw text).
        let name_tokens = ctx.strip_namespace(identifier_tokens(&fold_lookalikes(&def.name)));
        let name_text = name_tokens.join(" ");
        let title = if def.annotation_title.is_empty() {
            fold_lookalikes(&def.title).into_owned()
        } else {
            fold_lookalikes(&format!("{} {}", def.title, def.annotation_title)).into_owned()
        };
        let folded = fold_lookalikes(def.description.trim());
        let desc: &str = &folded;
        let mut phrase_hits = self.name_and_title_hits(&name_text, &title);
        // One pass over the description finds where phrases may match and
        // its deprecation notes and warnings, which split it into purpose
        // and the rest; the phrases are then tried against that split.
        let mut marks = Vec::new();
        let scan = (!desc.is_empty()).then(|| {
            let reads = Some(self.phrases.reading(Field::Description));
            self.phrases.set.scan(desc.as_bytes(), reads, |i, s, e| {
                marks.push(prose::mark(i, s, e));
            })
        });
        let prose = self.split_prose_marked(desc, &marks);
        // Each sentence split into words once, for every verb reader below.
        let clauses = Clauses::new(&prose.all);
        if let Some(scan) = scan {
            self.description_hits(scan, desc, &prose, &mut phrase_hits);
        }
        // Last-resort readings of the name or the lead as a noun phrase
        // (`plural-noun-name`, `information-noun-lead`) give way where the
        // lead shows a verb; the lead's first words are read only when such
        // a reading matched.
        // - A name word that opens the lead, followed there by another word
        //   than the name's next one, is the tool's verb, an unknown one
        //   (`complete_tasks: Complete one or more tasks`,
        //   `doks_recycle_nodes: Recycle specific nodes`): the name is then
        //   no noun phrase, and a reading of the whole name does not speak.
        //   `user_accounts: User accounts of the org` is one; a reading of
        //   the name's last noun (`information-noun-name`'s `summary`) keeps
        //   its own guards, unless the lead is that first word's imperative
        //   too (`format_table: Format a table with borders`).
        // - A lead whose second word is a determiner or pronoun ("Recycle
        //   the status for an agent") is an imperative with its object,
        //   whatever its unknown first word: a reading of the lead as a noun
        //   phrase does not speak.
        let last_resort = |h: &PhraseHit| self.catalogue.rules[h.rule].last_resort;
        if let Some(lead) = prose
            .sentences
            .first()
            .filter(|_| phrase_hits.iter().any(last_resort))
        {
            let words: Vec<&str> = lead
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .take(3)
                .collect();
            let echoed = name_echoes_a_verb(&name_tokens, &words);
            let imperative = words.get(1).is_some_and(|w| {
                super::verbs::OBJECT_DETERMINERS.contains(&w.to_lowercase().as_str())
            });
            if echoed || imperative {
                phrase_hits.retain(|h| {
                    !(last_resort(h)
                        && ((echoed
                            && h.site == Site::NameText
                            && h.field == "name"
                            // The whole name, or any of it when the lead
                            // reads as that word's imperative ("Format a
                            // table ..." for `format_table`).
                            && (h.text == name_text || imperative))
                            || (imperative
                                && h.field == "description"
                                && first_word(&h.text) == words.first().copied())))
                });
            }
        }

        // Parameter names and descriptions.
        let mut param_hits: Vec<(usize, &str)> = Vec::new();
        // Parameters that cannot hold a program (`code` as a project code):
        // a code-to-run reading of them is dropped, nothing else. Judged
        // only for a parameter some rule read (most are never asked).
        for p in &def.params {
            let leaf = p.name.rsplit('.').next().unwrap_or(&p.name);
            let mut ident: Option<bool> = None;
            self.param_set.each_match(leaf.as_bytes(), |pi| {
                param_hits.push((self.param_rule[pi], p.name.as_ref()));
            });
            if p.description.is_empty() {
                continue;
            }
            self.pdescs
                .set
                .each_match(p.description.as_bytes(), |pi, ms| {
                    let m = ms.next();
                    phrase_hits.push(PhraseHit {
                        rule: self.pdescs.rule[pi],
                        field: format!("inputSchema.properties.{}.description", p.name),
                        site: Site::Param,
                        text: m.map_or(String::new(), |(s, e)| quote(&p.description, s, e)),
                        ident: *ident.get_or_insert_with(|| holds_identifier(p)),
                    });
                });
        }

        let mut out = Collected {
            hits: Vec::new(),
            evidence: Vec::new(),
            args: ArgFacts::default(),
            empty_description: desc.is_empty(),
        };

        // Rules with phrases, parameters or shapes: which fire, and where.
        // Only rules something matched can fire, plus the shape matchers.
        let mut candidates: Vec<usize> = phrase_hits
            .iter()
            .map(|h| h.rule)
            .chain(param_hits.iter().map(|(r, _)| *r))
            .chain(self.shape_rules.iter().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for ri in candidates {
            let rule = &self.catalogue.rules[ri];
            if matches!(rule.effect, Effect::Verb { .. })
                && rule.phrases.is_empty()
                && rule.params.is_empty()
            {
                continue;
            }
            let phrases: Vec<&PhraseHit> = phrase_hits
                .iter()
                .filter(|h| h.rule == ri && h.site != Site::Param)
                .collect();
            // A rule reading code to run in a parameter does not read it in
            // one that can only hold an identifier.
            let runs_code = rule.signals.contains(&Signal::CodeExecution);
            let pdesc_hit = phrase_hits
                .iter()
                .any(|h| h.rule == ri && h.site == Site::Param && !(runs_code && h.ident));
            // A damage switch is a boolean flag; `all: "..."` strings are not,
            // nor is a flag that widens what is returned ("Return all console
            // messages"), which destroys nothing.
            let rule_params: Vec<&str> = param_hits
                .iter()
                .filter(|(r, p)| {
                    *r == ri
                        && !(runs_code
                            && def
                                .params
                                .iter()
                                .any(|q| q.name == *p && holds_identifier(q)))
                        && (rule.arg != Some(ArgKind::Switch)
                            || def.params.iter().any(|q| {
                                q.name == *p
                                    && q.ty.contains("boolean")
                                    && !widens_output(&q.description)
                            }))
                })
                .map(|(_, p)| *p)
                .collect();
            let mut shape: Option<(Site, Option<Class>, String)> = None;
            if let Some(kind) = rule.shape {
                let text = (desc, &prose, &clauses);
                shape = self.shape_hit(kind, ri, def, text, &rule_params, &name_tokens, &mut out);
            }
            let groups = [
                (!rule.phrases.is_empty(), !phrases.is_empty()),
                (
                    !rule.params.is_empty() && rule.shape != Some(Shape::OperationEnum),
                    !rule_params.is_empty(),
                ),
                (!rule.param_phrases.is_empty(), pdesc_hit),
                (rule.shape.is_some(), shape.is_some()),
            ];
            let fires = if rule.all {
                groups.iter().filter(|(on, _)| *on).all(|(_, hit)| *hit)
            } else {
                groups.iter().any(|(on, hit)| *on && *hit)
            };
            if !fires {
                continue;
            }
            // The strongest site the rule matched at, and its text.
            let mut best: Option<(Site, Option<Class>, String)> = shape;
            let mut consider = |site: Site, text: &str| {
                if best.as_ref().is_none_or(|(s, _, _)| site > *s) {
                    best = Some((site, rule.effect.class(), text.to_owned()));
                }
            };
            for h in &phrases {
                consider(h.site, &h.text);
            }
            if pdesc_hit {
                if let Some(h) = phrase_hits
                    .iter()
                    .find(|h| h.rule == ri && h.site == Site::Param && !(runs_code && h.ident))
                {
                    consider(Site::Param, &h.text);
                }
            }
            if rule.shape != Some(Shape::OperationEnum) {
                for p in &rule_params {
                    consider(Site::Param, p);
                    out.evidence.push(Evidence {
                        rule: rule.id.clone(),
                        field: format!("inputSchema.properties.{p}"),
                        text: quote(p, 0, p.len()),
                    });
                    let list = match rule.arg {
                        Some(ArgKind::Switch) => Some(&mut out.args.switches),
                        Some(ArgKind::Sql) => Some(&mut out.args.sql),
                        Some(ArgKind::Shell) => Some(&mut out.args.shell),
                        None => None,
                    };
                    if let Some(list) = list {
                        // An array of statements carries one in each element.
                        let is_array = rule.arg != Some(ArgKind::Switch)
                            && def
                                .params
                                .iter()
                                .any(|q| q.name == *p && q.ty.contains("array"));
                        let path = if is_array {
                            format!("{p}[]")
                        } else {
                            (*p).to_owned()
                        };
                        if !list.contains(&path) {
                            list.push(path);
                        }
                    }
                }
            }
            for h in phrase_hits
                .iter()
                .filter(|h| h.rule == ri && !(runs_code && h.ident))
            {
                out.evidence.push(Evidence {
                    rule: rule.id.clone(),
                    field: h.field.clone(),
                    text: h.text.clone(),
                });
            }
            if let Some((site, class, text)) = best {
                out.hits.push(Hit {
                    rule: ri,
                    site,
                    class,
                    text,
                });
            }
        }

        // Verbs: the name's, the lead sentence's, and listed operations.
        let ((name_verbs, name_amb), leading) =
            self.identifier_verbs_at(&name_tokens, ctx.verb_last);
        // A lead that names the whole name as a thing, after a determiner
        // (`duplicate_chain`: "Traverse the duplicate chain of a bug",
        // `merge_request`: "Get the merge request"): the name is a noun
        // phrase, its first word no verb; the lead's verb says what the tool
        // does.
        let names_a_thing = leading
            && name_tokens.len() >= 2
            && prose
                .sentences
                .first()
                .is_some_and(|lead| names_the_name(lead, &name_text));
        let ((name_verbs, name_amb), leading) = if names_a_thing {
            ((Vec::new(), Vec::new()), false)
        } else {
            ((name_verbs, name_amb), leading)
        };
        let name_site = if leading { Site::Name } else { Site::NameInner };
        // A first sentence whose subject is the tool itself ("dbt compile
        // generates ...") leads with the verb after it.
        let description_lead = || {
            let (title_tokens, ann_tokens) = (
                identifier_tokens(&def.title),
                identifier_tokens(&def.annotation_title),
            );
            let subjects = [&name_tokens[..], &title_tokens[..], &ann_tokens[..]];
            let rest = prose
                .sentences
                .first()
                .and_then(|s| self.after_subject(s, &subjects));
            match rest {
                Some(rest) => {
                    let mut sentences = prose.sentences.clone();
                    sentences[0] = rest;
                    self.lead_verbs(&sentences, &clauses)
                }
                None => self.lead_verbs(&prose.sentences, &clauses),
            }
        };
        // A title is a command ("Delete Repository") or a label; one that
        // opens with a participle ("Booking Hotel Listings", "Deleted Items")
        // is a noun phrase naming what the tool shows, not its action.
        //
        // Read lowercased: `lead_verbs` reads words lowercased anyway, and
        // a title's capitalised words ("Get User Profile Get User Profile",
        // title and annotation title) were each copied out to lowercase.
        let title_lower = title.to_ascii_lowercase();
        let title_lead = match self.lead_verbs(&[title_lower.as_str()], &Clauses::default()) {
            (d, _) if d.first().is_some_and(|(_, _, w)| self.participle(w)) => Default::default(),
            // A title that only repeats a name the lead names as a thing
            // ("Duplicate Chain") is that noun phrase too.
            _ if names_a_thing && identifier_tokens(&title) == name_tokens => Default::default(),
            // A title that is the name's words capitalised ("Mail Get" for
            // `mail_get`, as SDKs make one) says what the name says: read as
            // a name, a first word that doubles as a noun (`mail`) yields to
            // the verb after it (`get`), as it did in the name. Not when the
            // name's verb doubles as a noun too (`vote_poll`: "Vote poll").
            (d, _)
                if d.first().is_some_and(|(_, _, w)| self.nouns.contains(w))
                    && !name_verbs.is_empty()
                    && name_verbs.iter().all(|(_, _, w)| !self.nouns.contains(w))
                    && identifier_tokens(&title)
                        == identifier_tokens(&fold_lookalikes(&def.name)) =>
            {
                Default::default()
            }
            lead => lead,
        };
        let ((lead_verbs, lead_amb), lead_field) = match title_lead {
            // The title (the authors' label for humans) leads when it has a
            // verb ("Start a research agent" for a name without one), unless
            // the name says nothing and the description leads with a more
            // severe verb: a title may not talk the description's action
            // down ("View repository" over "Deletes the repository").
            (d, a) if !d.is_empty() && !name_verbs.is_empty() => ((d, a), "title"),
            (d, a) if !d.is_empty() => {
                let worst = |v: &[(usize, Class, String)]| v.iter().map(|(_, c, _)| *c).max();
                let (dd, da) = description_lead();
                if worst(&dd) > worst(&d) {
                    ((dd, da), "description")
                } else {
                    ((d, a), "title")
                }
            }
            _ => (description_lead(), "description"),
        };
        // A description that opens with a word the name holds as the object
        // of its reading verb ("Mail metadata." for `list_mail_items`,
        // "Release notes newer than ..." for `get_release_notes_diff`,
        // "Scheduling day labels" for `get_schedule_preferences`) names that
        // thing: the word is a noun there, and the name's verb says what the
        // tool does. Only a name whose decided verbs all read, the word
        // after them, and the lead's first word.
        let mut lead_verbs = lead_verbs;
        if lead_field == "description" && name_verbs.iter().all(|(_, c, _)| *c == Class::Read) {
            let verb_at = name_tokens
                .iter()
                .position(|t| name_verbs.iter().any(|(_, _, w)| w == t));
            let opens = |w: &str| {
                prose
                    .sentences
                    .first()
                    .is_some_and(|s| clauses.opens_with(s, w))
            };
            if let (Some(v), Some((_, _, lw))) = (verb_at, lead_verbs.first()) {
                let named = name_tokens[v + 1..]
                    .iter()
                    .any(|t| t == lw || find_base_form(lw, |b| (b == t).then_some(())).is_some());
                if named && opens(lw) {
                    lead_verbs.remove(0);
                }
            }
        }
        // A name whose only verb is a word in its middle that doubles as a
        // noun (`block_focus_time`: `focus` as in focus time) holds it as its
        // object's noun when the title or description leads with a mutating
        // verb of another class ("Book the best free blocks as focus time").
        // Never towards read: a lead that only looks does not clear it.
        let mut name_verbs = name_verbs;
        let inner_noun_only = !leading
            && name_verbs.len() == 1
            && name_verbs.iter().all(|(_, c, w)| {
                self.nouns.contains(w)
                    && name_tokens.first() != Some(w)
                    && name_tokens.last() != Some(w)
                    && !lead_verbs.is_empty()
                    && lead_verbs
                        .iter()
                        .all(|(_, lc, _)| lc != c && *lc != Class::Read)
            });
        // A name that ends in a word doubling as a noun after two or more
        // words that are no verbs (`web_data_google_play_store`) is a noun
        // phrase naming what the tool works on (a store, a booking): when the
        // title or description leads with a verb, that verb says what the
        // tool does, reading included.
        let trailing_noun = !leading
            && name_tokens.len() >= 3
            && name_verbs.len() == 1
            && !lead_verbs.is_empty()
            && name_tokens.last().is_some_and(|last| {
                self.nouns.contains(last)
                    && name_verbs[0].2 == *last
                    && name_tokens[..name_tokens.len() - 1]
                        .iter()
                        .all(|t| self.lookup(t).is_none())
            });
        // A noun-noun name whose verb-like word modifies a head noun naming
        // the lead's own action (`change_detection`: "Detects new, modified
        // and deleted records"): the head is the lead verb's nominalisation
        // (`detect` → `detection`), so the first word is its object, not a
        // verb. Only a word inside the name followed by the head as its last
        // word; the lead's verb then says what the tool does.
        let nominal_head = !leading
            && name_verbs.len() == 1
            && name_tokens.len() >= 2
            && name_tokens.last().is_some_and(|head| {
                let k = name_tokens.len() - 2;
                name_tokens[k] == name_verbs[0].2
                    && self.lookup(head).is_none()
                    && lead_verbs.iter().any(|(_, _, w)| nominalises(w, head))
            });
        if inner_noun_only || trailing_noun || nominal_head {
            name_verbs.clear();
        }
        // `scroll` beside stored records (`points_scroll`, `search_scroll`)
        // pages through them, as a search API's scroll cursor does: a
        // gesture only on what a screen shows (`browser_scroll`,
        // `scroll_down`, `scroll_to_element`). Without that verb the lead
        // says what the tool does ("Page through all points").
        if name_tokens.len() >= 2
            && name_verbs.iter().any(|(_, _, w)| w == "scroll")
            && !name_tokens
                .iter()
                .any(|t| SCREEN_WORDS.contains(&t.as_str()))
        {
            name_verbs.retain(|(_, _, w)| w != "scroll");
        }
        // A name that ends in a fetching verb the lead opens with
        // (`nc_share_get`: "Get information about a share"), after a module
        // word that doubles as a verb (`share`): the tool's own naming puts
        // its verb last, and the lead confirms it. Never when the word
        // further in destroys (a lead may not talk a destructive name down),
        // nor when that word opens the name (`send_message_get`).
        if let (Some(last), [(_, c, w)]) = (name_tokens.last(), name_verbs.as_slice()) {
            let lead_opens_with_last = lead_verbs.first().is_some_and(|(_, _, lw)| {
                find_base_form(lw, |b| (b == last).then_some(())).is_some()
            });
            if name_tokens.len() >= 3
                && w != last
                && *c < Class::Destructive
                && name_tokens.first() != Some(w)
                && lead_opens_with_last
            {
                // Only a fetching verb: a mutating one keeps the word further
                // in, whose signals (`share` sends) stay true of it.
                if let Some((r, Some(Class::Read))) = self.lookup(last) {
                    name_verbs = vec![(r, Class::Read, last.clone())];
                }
            }
        }
        // A description that leads with the name's verb joined to another
        // by `or`/`and` ("Gets or creates a shareable link", "Reads and
        // updates the index") says the tool does each: the more severe ones
        // count as the name's too (a multi-operation tool takes its worst
        // operation). Never lower: only verbs more severe than the name's.
        let mut alternatives = Vec::new();
        if leading && !name_verbs.is_empty() {
            if let Some((first, joined)) = prose
                .sentences
                .first()
                .and_then(|s| self.joined_to_first(s, &clauses))
            {
                let names_verb = name_verbs
                    .iter()
                    .any(|(_, _, n)| find_base_form(&first, |b| (b == n).then_some(())).is_some());
                let worst = name_verbs.iter().map(|(_, c, _)| *c).max();
                if names_verb {
                    alternatives.extend(joined.into_iter().filter(|(_, c, _)| Some(*c) > worst));
                }
            }
        }
        // Listed operations count only for a name without a decided verb,
        // or one whose verbs follow an ambiguous one (`manage_task_list`:
        // `list` is the object there).
        let object_name = !leading
            && name_tokens
                .first()
                .is_some_and(|t| name_amb.iter().any(|(_, w)| w == t));
        let listed = if name_verbs.is_empty() || object_name {
            self.enumerated_verbs(&prose.all, &clauses)
        } else {
            Vec::new()
        };
        // Destructive verbs of later sentences: any when the name and the
        // lead say nothing; else only a statement of what the tool does to
        // something named ("Get the repository. Deletes the repository."):
        // a stated destructive effect is never talked down by the name.
        let silent = (name_verbs.is_empty() || object_name) && lead_verbs.is_empty();
        let later = self.later_verbs(&prose.sentences, !silent, &clauses);
        // A later sentence stating a change to the name's object, for a name
        // without a deciding verb or whose verbs stand inside it (weighed
        // with the lead's: `mark_all_notifications_read`): what was placed
        // before it may not hide it.
        // A lead whose verb says what a verb inside the name says is the
        // tool's own (`hosting_getGitSettings`: "Get the Git settings").
        let confirmed = !leading
            && lead_verbs
                .iter()
                .any(|(_, lc, _)| name_verbs.iter().any(|(_, nc, _)| nc == lc));
        let (purpose, purpose_sentence) =
            if name_verbs.is_empty() || object_name || (!leading && !confirmed) {
                self.purpose_verbs(&prose.sentences, &name_tokens, &clauses)
            } else {
                (Vec::new(), None)
            };
        // A change that sentence states beyond its verb ("... or completely
        // overwrite an existing file") is read as a lead's would be.
        if let Some(s) = purpose_sentence {
            for h in &mut out.hits {
                if h.site == Site::Later
                    && matches!(self.catalogue.rules[h.rule].effect, Effect::Floor { .. })
                    && !h.text.is_empty()
                    && s.contains(h.text.as_str())
                {
                    h.site = Site::Purpose;
                }
            }
        }
        // A lead that names a thing ("Radar chart comparing items"), for a
        // name and lead without even an ambiguous verb.
        if silent
            && name_verbs.is_empty()
            && name_amb.is_empty()
            && lead_amb.is_empty()
            && lead_field == "description"
        {
            if let Some(lead) = prose.sentences.first() {
                lead_verbs.extend(self.thing_lead(lead, &clauses));
            }
        }
        let verb_hits = name_verbs
            .into_iter()
            .map(|(r, c, w)| (name_site, r, Some(c), w, "name"))
            .chain(
                alternatives
                    .into_iter()
                    .map(|(r, c, w)| (name_site, r, Some(c), w, "description")),
            )
            .chain(
                name_amb
                    .into_iter()
                    .map(|(r, w)| (Site::Name, r, None, w, "name")),
            )
            .chain(
                lead_verbs
                    .into_iter()
                    .map(|(r, c, w)| (Site::Lead, r, Some(c), w, lead_field)),
            )
            .chain(
                lead_amb
                    .into_iter()
                    .map(|(r, w)| (Site::Lead, r, None, w, lead_field)),
            )
            .chain(
                listed
                    .into_iter()
                    .map(|(r, c, w)| (Site::Enumeration, r, Some(c), w, "description")),
            )
            .chain(
                later
                    .into_iter()
                    .map(|(r, c, w)| (Site::Later, r, Some(c), w, "description")),
            )
            .chain(
                purpose
                    .into_iter()
                    .map(|(r, c, w)| (Site::Purpose, r, Some(c), w, "description")),
            );
        for (site, rule, class, word, field) in verb_hits {
            out.evidence.push(Evidence {
                rule: self.catalogue.rules[rule].id.clone(),
                field: field.into(),
                text: word.clone(),
            });
            out.hits.push(Hit {
                rule,
                site,
                class,
                text: word,
            });
        }
        out.evidence
            .dedup_by(|a, b| a.rule == b.rule && a.field == b.field && a.text == b.text);
        out
    }

    /// The most severe verb the title, else the description's purpose, leads
    /// with (what a tool without a verb in its name does). The purpose is
    /// the one [`Engine::collect`] split (splitting the description again
    /// here cost more than the rest of this for a long one).
    fn lead_class<'s>(
        &self,
        def: &ToolView,
        prose: &Prose<'s>,
        clauses: &Clauses<'s>,
    ) -> Option<Class> {
        let title = format!("{} {}", def.title, def.annotation_title);
        let (mut verbs, _) = self.lead_verbs(&[title.trim()], &Clauses::default());
        if verbs.is_empty() {
            verbs = self.lead_verbs(&prose.sentences, clauses).0;
        }
        verbs.iter().map(|(_, c, _)| *c).max()
    }

    /// Phrase rules over the name and the title, one pass each.
    fn name_and_title_hits(&self, name: &str, title: &str) -> Vec<PhraseHit> {
        let set = &self.phrases;
        let mut out = Vec::new();
        for (field, text) in [(Field::Name, name), (Field::Title, title)] {
            if text.is_empty() {
                continue;
            }
            let reads = Some(set.reading(field));
            set.set.each_match_of(text.as_bytes(), reads, |pi, ms| {
                let ri = set.rule[pi];
                if !self.catalogue.rules[ri].fields.contains(&field) {
                    return;
                }
                let (start, end) = ms.next().unwrap_or((0, 0));
                out.push(PhraseHit {
                    rule: ri,
                    field: if field == Field::Name {
                        "name"
                    } else {
                        "title"
                    }
                    .into(),
                    site: Site::NameText,
                    text: quote(text, start, end),
                    ident: false,
                });
            });
        }
        out
    }

    /// Phrase rules over the description (`scan` of it), added to `out`. A
    /// purpose-scope rule counts only where it matches inside a purpose
    /// sentence; a full-scope rule anywhere.
    fn description_hits(&self, scan: Scan, desc: &str, prose: &Prose, out: &mut Vec<PhraseHit>) {
        let set = &self.phrases;
        scan.each_match(|pi, ms| {
            let ri = set.rule[pi];
            let rule = &self.catalogue.rules[ri];
            if !rule.fields.contains(&Field::Description) {
                return;
            }
            // A read override (guidance, a computed answer) stated under a
            // condition in a later sentence ("if they are missing, it returns
            // configuration guidance") is a fallback, not what the tool does:
            // it may not overrule the verbs. Only ever a read verdict lost.
            let read_override = matches!(
                rule.effect,
                Effect::Override {
                    class: Class::Read,
                    ..
                }
            );
            let mutating = rule.effect.class().is_some_and(|c| c > Class::Read);
            let found = ms.find_map(|(start, end)| {
                let site = match (rule.scope, prose.place(start)) {
                    (Scope::Full, _) => Site::Full,
                    (Scope::Purpose, Some(true)) => Site::LeadText,
                    (Scope::Purpose, Some(false)) => Site::Later,
                    (Scope::Purpose, None) => return None,
                };
                if read_override && site == Site::Later && conditional_clause(desc, start) {
                    return None;
                }
                // "Never overwrites existing files", "does not delete": a
                // negated change is not one the tool makes. Only a change
                // prose alone states is cancelled; the name's verbs, the
                // parameters and declared hints are read elsewhere.
                if mutating && prose::negated(desc, start, end) {
                    return None;
                }
                Some((site, start, end))
            });
            if let Some((site, start, end)) = found {
                out.push(PhraseHit {
                    rule: ri,
                    field: "description".into(),
                    site,
                    text: quote(desc, start, end),
                    ident: false,
                });
            }
        });
    }

    /// A shape matcher: an operation selector, an empty description, hidden
    /// text. `text`: the description, its purpose and its sentences' words.
    #[allow(clippy::too_many_arguments)]
    fn shape_hit<'s>(
        &self,
        kind: Shape,
        ri: usize,
        def: &ToolView,
        (desc, prose, clauses): (&str, &Prose<'s>, &Clauses<'s>),
        rule_params: &[&str],
        name_tokens: &[String],
        out: &mut Collected,
    ) -> Option<(Site, Option<Class>, String)> {
        let id = &self.catalogue.rules[ri].id;
        match kind {
            Shape::EmptyDescription => desc.is_empty().then(|| {
                out.evidence.push(Evidence {
                    rule: id.clone(),
                    field: "description".into(),
                    text: String::new(),
                });
                (Site::Schema, None, String::new())
            }),
            Shape::HiddenUnicode => hidden_unicode(def).map(|(field, snippet)| {
                out.evidence.push(Evidence {
                    rule: id.clone(),
                    field,
                    text: snippet.clone(),
                });
                (Site::Schema, None, snippet)
            }),
            // A permission check ("Check whether the account may perform
            // <action>") names the operations it asks about, not ones it runs.
            Shape::OperationEnum if asks_permission(desc) => None,
            Shape::OperationEnum => {
                let mut worst: Option<Class> = None;
                // A selector without an enum may list its values in its
                // description ("The action to perform: 'update' ..."). That is
                // weaker than an enum: it counts only for a name without a verb
                // (`check_permissions` with operation 'delete' checks, it does
                // not delete).
                let name_silent = self.identifier_verbs(name_tokens, false).0.is_empty();
                let top = def
                    .params
                    .iter()
                    .filter(|p| {
                        rule_params.contains(&p.name.as_ref())
                            && !p.ty.contains("array")
                            && !filters_results(&p.description)
                    })
                    .map(|p| match p.enum_values.is_empty() {
                        true if name_silent => {
                            (p.name.to_string(), documented_values(&p.description), false)
                        }
                        true => (p.name.to_string(), Vec::new(), false),
                        false => (p.name.to_string(), p.enum_values.clone(), false),
                    });
                let nested = nested_operations(def)
                    .into_iter()
                    .map(|(p, v)| (p, v, true));
                // What the tool does when the name has no verb: a value that
                // names none is a mode of it (computed only when needed).
                let mut lead: Option<Option<Class>> = None;
                for (path, values, in_steps) in top.chain(nested) {
                    // In an array of steps the tool runs on a page it loads
                    // itself: page actions there do not act on the user's world.
                    let values: Vec<String> = if in_steps {
                        values
                            .into_iter()
                            .filter(|v| !self.is_page_action(v))
                            .collect()
                    } else {
                        values
                    };
                    if values.len() < 2 {
                        continue;
                    }
                    let lead = *lead.get_or_insert_with(|| self.lead_class(def, prose, clauses));
                    let Some((op, c)) = self.operation_param(&path, &values, name_tokens, lead)
                    else {
                        continue;
                    };
                    worst = worst.max(Some(c));
                    let destructive = op.destructive_values().join(", ");
                    let documented = !in_steps
                        && def
                            .params
                            .iter()
                            .any(|p| p.name == path && p.enum_values.is_empty());
                    out.evidence.push(Evidence {
                        rule: id.clone(),
                        field: format!(
                            "inputSchema.properties.{path}.{}",
                            if documented { "description" } else { "enum" }
                        ),
                        text: if destructive.is_empty() {
                            quote_all(&values.join(", "))
                        } else {
                            quote_all(&destructive)
                        },
                    });
                    out.args.operations.push(op);
                }
                worst.map(|c| {
                    let vals: Vec<String> = out
                        .args
                        .operations
                        .iter()
                        .flat_map(|o| o.values.iter().filter(|v| v.class == c))
                        .map(|v| v.value.clone())
                        .take(4)
                        .collect();
                    (Site::Schema, Some(c), vals.join(", "))
                })
            }
        }
    }
}

/// Whether a parameter's description says it selects what is returned
/// ("Filter by to-do action", "Return entities for the specified action"):
/// an `action` enum there filters results, it is not an operation to run.
fn filters_results(desc: &str) -> bool {
    let d = desc.trim_start().to_ascii_lowercase();
    d.starts_with("filter")
        || d.starts_with("only return")
        || d.starts_with("return only")
        || d.starts_with("return entities")
        || d.starts_with("return items")
        || d.starts_with("return results")
        || d.contains(" filter by ")
}

/// Whether the description's first sentence asks whether something is
/// allowed ("Check whether the current account may perform an action",
/// "Verify if the user is permitted to ..."): a permission check, whose
/// operation selector names what it asks about. Tight on purpose: a lead
/// verb that checks, `whether`/`if`, and a word of permission.
pub(super) fn asks_permission(desc: &str) -> bool {
    // Only the first sentence is lowercased, and only once its first two
    // words qualify (this runs for every tool with an operation enum).
    let first = desc.trim_start().split(['.', '\n']).next().unwrap_or("");
    let mut words = first.split_whitespace();
    let one_of = |w: Option<&str>, set: &[&str]| {
        w.is_some_and(|w| set.iter().any(|s| w.eq_ignore_ascii_case(s)))
    };
    let checks = one_of(
        words.next(),
        &[
            "check",
            "checks",
            "verify",
            "verifies",
            "test",
            "tests",
            "determine",
            "determines",
        ],
    );
    if !checks || !one_of(words.next(), &["whether", "if"]) {
        return false;
    }
    let rest: Vec<String> = words.map(str::to_ascii_lowercase).collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    rest.iter().any(|w| {
        matches!(
            *w,
            "may" | "can" | "allowed" | "permitted" | "authorized" | "authorised"
        )
    }) || rest.windows(2).any(|p| {
        matches!(p[0], "has" | "have") && matches!(p[1], "permission" | "access" | "rights")
    })
}

/// Words a parameter description uses for code to run, or for running it:
/// a description holding one never proves the parameter an identifier.
const RUN_WORDS: [&str; 20] = [
    "javascript",
    "typescript",
    "python",
    "script",
    "snippet",
    "program",
    "function",
    "lambda",
    "expression",
    "statement",
    "source",
    "shell",
    "bash",
    "sql",
    "execut",
    "evaluat",
    "run",
    "eval",
    "=>",
    "{",
];

/// Whether `desc` holds any of [`RUN_WORDS`] (ASCII case ignored): one
/// pass over it rather than a substring search for each word.
fn mentions_running(desc: &str) -> bool {
    static RUN: std::sync::OnceLock<super::setmatch::Literals> = std::sync::OnceLock::new();
    let mut found = false;
    RUN.get_or_init(|| super::setmatch::Literals::new(RUN_WORDS))
        .overlapping_hits(desc.as_bytes(), |_, _, _| found = true);
    found
}

/// What a code is *of* when a parameter description names it so ("Project
/// code", "ISO 3166 country code", "the 6-digit verification code"): an
/// identifier or a one-time value, never a program.
const CODE_OF: [&str; 34] = [
    "project",
    "country",
    "language",
    "locale",
    "currency",
    "region",
    "state",
    "province",
    "postal",
    "zip",
    "area",
    "iso",
    "verification",
    "confirmation",
    "authorization",
    "authorisation",
    "auth",
    "otp",
    "2fa",
    "mfa",
    "totp",
    "security",
    "promo",
    "promotion",
    "coupon",
    "discount",
    "voucher",
    "referral",
    "invite",
    "invitation",
    "product",
    "tax",
    "airport",
    "tracking",
];

/// Whether a value is an identifier: letters, digits, `_`, `-`, `.`, no
/// space nor code punctuation, at most 64 bytes.
fn identifier_like(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Whether a parameter's schema proves it cannot hold a program, so a
/// `code`-like name or a "code" in its description is no code to run: a
/// number or boolean; an enum of identifiers; or a description naming it a
/// code *of* something ([`CODE_OF`]) that says nothing of running code
/// ([`RUN_WORDS`]). Only this parameter's code-to-run reading is dropped:
/// the tool's own description is read as before.
pub(super) fn holds_identifier(p: &ParamView) -> bool {
    let scalar = !p.ty.is_empty()
        && p.ty
            .split('|')
            .all(|t| matches!(t.trim(), "integer" | "number" | "boolean" | "null"));
    if scalar {
        return true;
    }
    if !p.enum_values.is_empty() && p.enum_values.iter().all(|v| identifier_like(v)) {
        return true;
    }
    if p.description.is_empty() || mentions_running(&p.description) {
        return false;
    }
    let d = p.description.to_ascii_lowercase();
    let words: Vec<&str> = d
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).any(|w| {
        matches!(w[1], "code" | "codes")
            && (CODE_OF.contains(&w[0])
                || w[0]
                    .strip_prefix("iso")
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit() || b == b'-')))
    }) || words.windows(3).any(|w| {
        // "ISO 4217 currency code", "ISO 639-1 code".
        w[0] == "iso" && w[1].bytes().all(|b| b.is_ascii_digit() || b == b'-') && w[2] == "code"
    })
}

/// Whether a boolean's description says it widens what the call returns
/// ("Return all console messages since ..."), not what it changes.
fn widens_output(desc: &str) -> bool {
    let d = desc.trim_start().to_ascii_lowercase();
    [
        "return ",
        "returns ",
        "include ",
        "includes ",
        "show ",
        "shows ",
        "list ",
    ]
    .iter()
    .any(|w| d.starts_with(w))
}

/// Whether the clause holding byte `at` of `text` is conditional: since the
/// sentence or clause began (`.`, `;`, `:`, a line break), an `if`, `when`,
/// `unless` or `otherwise` came first.
fn conditional_clause(text: &str, at: usize) -> bool {
    let before = &text.as_bytes()[..at.min(text.len())];
    let begin = before
        .iter()
        .rposition(|b| matches!(b, b'.' | b';' | b':' | b'\n' | b'!' | b'?'))
        .map_or(0, |i| i + 1);
    before[begin..]
        .split(|b| !b.is_ascii_alphabetic())
        .any(|w| {
            [&b"if"[..], b"when", b"unless", b"otherwise"]
                .iter()
                .any(|c| w.eq_ignore_ascii_case(c))
        })
}

/// The values an operation selector without an enum documents in its
/// description: the quoted identifiers (`'update' (set parameters), 'check'
/// ...`), when there are at least two.
fn documented_values(desc: &str) -> Vec<String> {
    let b = desc.as_bytes();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let q = b[i];
        // An opening quote follows no letter (`tool's` is an apostrophe).
        if !matches!(q, b'\'' | b'"' | b'`') || (i > 0 && b[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len()
            && b[j] == q
            && j > start
            && j - start <= 40
            && b[start].is_ascii_alphabetic()
        {
            // ASCII bytes only, so the slice is on character boundaries.
            let v = &desc[start..j];
            if !out.iter().any(|o| o == v) {
                out.push(v.to_owned());
            }
            i = j + 1;
        } else {
            i += 1;
        }
    }
    if out.len() >= 2 {
        out
    } else {
        parenthesised_values(desc)
    }
}

/// The values a selector lists bare in parentheses (`Rollout action (status,
/// history, restart, undo)`, `(get | set)`, `(e.g. start, stop)`): the first
/// parenthesis holding two or more single identifiers and nothing else.
fn parenthesised_values(desc: &str) -> Vec<String> {
    let mut rest = desc;
    while let Some(open) = rest.find('(') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(')') else {
            break;
        };
        let inner = after[..close].trim();
        let inner = ["e.g.,", "e.g.", "eg.", "one of:", "one of"]
            .iter()
            .find_map(|p| inner.strip_prefix(p))
            .unwrap_or(inner);
        let values: Vec<String> = inner
            .split([',', '|', '/'])
            .flat_map(|v| v.split(" or "))
            .map(|v| v.trim().trim_start_matches("or ").trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        let identifiers = values.iter().all(|v| {
            v.len() <= 40
                && v.as_bytes()[0].is_ascii_alphabetic()
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
        if values.len() >= 2 && identifiers {
            let mut out: Vec<String> = Vec::new();
            for v in values {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            return out;
        }
        rest = &after[close + 1..];
    }
    Vec::new()
}

/// Short quotation of `text[start..end]` (at most 80 characters), widened to
/// character boundaries so a match can never cut a character in two.
pub(super) fn quote(text: &str, start: usize, end: usize) -> String {
    let mut s = start.min(text.len());
    while !text.is_char_boundary(s) {
        s -= 1;
    }
    let mut e = end.clamp(s, text.len());
    while !text.is_char_boundary(e) {
        e += 1;
    }
    quote_all(&text[s..e])
}

fn quote_all(t: &str) -> String {
    // A phrase that ends on the mark after its last word (`report (`, `by:`)
    // is quoted without it.
    let t = t
        .trim()
        .trim_end_matches(['(', '[', ':', ',', ';'])
        .trim_end();
    if t.chars().count() <= 80 {
        t.to_owned()
    } else {
        let mut out: String = t.chars().take(77).collect();
        out.push_str("...");
        out
    }
}

/// Operation selectors nested in arrays of steps (`actions[].type`) or of
/// items to act on (`files[].action`: create, update, delete, move), which
/// count as a top-level selector does. An array that filters what is
/// returned (`filters[].op`) selects no operation.
fn nested_operations(def: &ToolView) -> Vec<(String, Vec<String>)> {
    def.params
        .iter()
        // Most parameters hold no item selectors: the description is read
        // only for those that do.
        .filter(|p| !p.item_ops.is_empty() && !filters_results(&p.description))
        .flat_map(|p| {
            p.item_ops
                .iter()
                .map(move |(path, vals)| (format!("{}{path}", p.name), vals.clone()))
        })
        .collect()
}

/// The first hidden or control character in any text the model reads, with
/// an escaped snippet around it.
fn hidden_unicode(def: &ToolView) -> Option<(String, String)> {
    // The field's name is written only for the field that has one.
    let top = [
        ("name", &*def.name),
        ("title", &*def.title),
        ("description", &*def.description),
    ];
    for (field, text) in top {
        if let Some(snippet) = hidden_snippet(text) {
            return Some((field.to_owned(), snippet));
        }
    }
    def.params.iter().find_map(|p| {
        let snippet = hidden_snippet(&p.description)?;
        Some((
            format!("inputSchema.properties.{}.description", p.name),
            snippet,
        ))
    })
}

/// An escaped snippet around the first hidden or control character of
/// `text`, or the first letter disguised as a Latin one inside a Latin word
/// (`dеlete` with a Cyrillic `е`: a tool passing for another).
fn hidden_snippet(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    let i = first_hidden(text).or_else(|| super::normalize::disguised_letter(text))?;
    let start = text[..i].char_indices().rev().nth(20).map_or(0, |(j, _)| j);
    let snippet: String = text[start..].chars().take(40).collect();
    Some(crate::text::terminal_safe(&snippet))
}

/// Whether `head` is a nominalisation of the verb `word` in any of its
/// inflections: `detects` → detection, `validates` → validation,
/// `installs` → installation, `manages` → management.
fn nominalises(word: &str, head: &str) -> bool {
    super::normalize::base_forms(word).iter().any(|b| {
        let stem = b.strip_suffix('e').unwrap_or(b);
        [
            format!("{b}ion"),
            format!("{stem}ion"),
            format!("{b}ation"),
            format!("{stem}ation"),
            format!("{b}ment"),
        ]
        .iter()
        .any(|n| n == head)
    })
}

/// The byte offset of the first hidden or control character of `text`
/// other than a line break or tab. A byte loop: an ASCII byte is tested
/// inline (for ASCII, `is_hidden_or_control` is `is_ascii_control`) and
/// only a non-ASCII character is decoded. Most of a non-ASCII text is
/// ASCII (one em-dash in a long description), and a `char_indices` pass
/// decoding every character cost more than the rest of the check.
///
/// A block of 32 bytes of printable ASCII, tabs and line breaks (most of
/// the text) is passed over whole, its bytes tested side by side.
fn first_hidden(text: &str) -> Option<usize> {
    let plain = |x: u8| u8::from((0x20..0x7f).contains(&x) | matches!(x, b'\n' | b'\r' | b'\t'));
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some(block) = b.get(i..).and_then(|r| r.first_chunk::<32>()) {
            if block.iter().fold(1u8, |acc, &x| acc & plain(x)) == 1 {
                i += 32;
                continue;
            }
        }
        let stop = (i + 32).min(b.len());
        while i < stop {
            let x = b[i];
            if x < 0x80 {
                if x.is_ascii_control() && !matches!(x, b'\n' | b'\r' | b'\t') {
                    return Some(i);
                }
                i += 1;
                continue;
            }
            // `i` is always at a character boundary: it moves by whole characters.
            let c = text[i..].chars().next()?;
            if crate::text::is_hidden_or_control(c) {
                return Some(i);
            }
            i += c.len_utf8();
        }
    }
    None
}

/// Whether a word of the name other than its last opens the lead (its
/// first words `lead`, as written or inflected: `enrich` in "Enriches ...")
/// while the lead's second word is not the name's next word: that word is
/// then the lead's verb, not a noun of the name (see [`Engine::collect`]). A
/// first word with a digit (`GA4 accounts and properties`), or one the next
/// word follows capitalised before a word in lower case (`Merchant Center
/// data sources`, `Meta Ads performance`), opens a proper name, not a
/// command (a lead in Title Case, `Recycle Specific Nodes`, is no proper
/// name).
fn name_echoes_a_verb(tokens: &[String], lead: &[&str]) -> bool {
    let (Some(first), second, third) = (lead.first(), lead.get(1), lead.get(2)) else {
        return false;
    };
    let capital = |w: Option<&&str>| w.and_then(|w| w.chars().next()).map(char::is_uppercase);
    if first.chars().any(|c| c.is_ascii_digit())
        || (capital(second) == Some(true) && capital(third) == Some(false))
    {
        return false;
    }
    let first = first.to_lowercase();
    let second = second.map(|w| w.to_lowercase());
    // The name's next word in another number is the same word (`alert_rules`:
    // "Alert rule definitions ..." names what the tool returns).
    let same = |w: &str, t: &str| w == t || noun_stem(w) == noun_stem(t);
    tokens.windows(2).any(|t| {
        t[0].len() >= 3
            && first.starts_with(t[0].as_str())
            && !second.as_deref().is_some_and(|w| same(w, &t[1]))
    })
}

/// Whether `lead` holds `name` (its words joined by spaces) whole, after a
/// determiner: "the duplicate chain" for `duplicate_chain`.
fn names_the_name(lead: &str, name: &str) -> bool {
    const DETERMINERS: &[&str] = &["the", "a", "an", "its", "this", "their"];
    // Most leads never hold the name's first word: told by a search of the
    // raw text before anything is lowercased.
    let first = name.split(' ').next().unwrap_or(name);
    if !lead
        .as_bytes()
        .windows(first.len())
        .any(|w| w.eq_ignore_ascii_case(first.as_bytes()))
    {
        return false;
    }
    let lead = lead.to_ascii_lowercase();
    lead.match_indices(name).any(|(at, _)| {
        let after = lead[at + name.len()..].bytes().next();
        // The word before it, a space apart.
        let det = lead[..at]
            .strip_suffix(' ')
            .and_then(|b| b.rsplit(|c: char| !c.is_ascii_alphanumeric()).next());
        !after.is_some_and(|b| b.is_ascii_alphanumeric())
            && det.is_some_and(|d| DETERMINERS.contains(&d))
    })
}

fn first_word(s: &str) -> Option<&str> {
    s.split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{
        asks_permission, documented_values, filters_results, holds_identifier, widens_output,
    };
    use crate::classify::view::ParamView;

    fn param(ty: &str, desc: &str, enums: &[&str]) -> ParamView<'static> {
        ParamView {
            name: "code".into(),
            ty: ty.to_owned().into(),
            description: desc.to_owned().into(),
            enum_values: enums.iter().map(|s| (*s).to_owned()).collect(),
            item_ops: Vec::new(),
        }
    }

    /// The byte loop of [`first_hidden`] finds what a check of every
    /// character finds, for every character alone and inside ASCII text.
    #[test]
    fn the_hidden_character_scan_agrees_with_a_check_of_every_character() {
        let naive = |s: &str| {
            s.char_indices()
                .find(|&(_, c)| {
                    crate::text::is_hidden_or_control(c) && !matches!(c, '\n' | '\r' | '\t')
                })
                .map(|(i, _)| i)
        };
        crate::text::each_char_at_block_edges(|s| {
            assert_eq!(super::first_hidden(s), naive(s), "{s:?}");
        });
    }

    /// One scan finds a run word wherever a substring search of the
    /// lowercased description for each would.
    #[test]
    fn run_words_are_found_as_substring_searches_find_them() {
        for d in [
            "",
            "Project code",
            "JavaScript to EVALUATE",
            "the SQL statement",
            "x => y",
            "a {json} body",
            "Runtime of the job",
            "Shell\u{2014}bash",
            "ISO 4217 currency code",
            "prun",
        ] {
            let lower = d.to_ascii_lowercase();
            let want = super::RUN_WORDS.iter().any(|w| lower.contains(w));
            assert_eq!(super::mentions_running(d), want, "{d:?}");
        }
    }

    #[test]
    fn a_code_parameter_holds_an_identifier_only_when_its_schema_proves_it() {
        let table: [(&str, &str, &[&str], bool); 18] = [
            ("string", "Project code (2-10 uppercase letters)", &[], true),
            ("string", "Two-letter ISO 3166 country code", &[], true),
            ("string", "ISO 639-1 code of the target language", &[], true),
            ("string", "The language code, e.g. en-US", &[], true),
            ("string", "Currency code (ISO 4217)", &[], true),
            (
                "string",
                "The 6-digit verification code sent by SMS",
                &[],
                true,
            ),
            (
                "string",
                "Authorization code from the OAuth redirect",
                &[],
                true,
            ),
            ("string", "Promo code to apply", &[], true),
            ("integer", "Code", &[], true),
            ("string", "", &["EUR", "USD", "en-US"], true),
            // Free text, or a description that speaks of running it.
            ("string", "Code to run", &[], false),
            ("string", "JavaScript code to evaluate", &[], false),
            (
                "string",
                "Project code: a Python snippet run in the project",
                &[],
                false,
            ),
            ("string", "Language code snippet to execute", &[], false),
            ("string", "The code", &[], false),
            ("string", "", &[], false),
            ("string", "", &["print(1)", "A"], false),
            ("string|integer", "Source", &[], false),
        ];
        for (ty, desc, enums, want) in table {
            assert_eq!(
                holds_identifier(&param(ty, desc, enums)),
                want,
                "{ty} {desc:?} {enums:?}"
            );
        }
    }

    #[test]
    fn conditional_clauses_are_those_an_if_or_when_opens() {
        let t = "Runs a workload. It needs keys; if they are missing, it returns guidance. It returns a report.";
        let at = |p: &str| t.find(p).unwrap();
        assert!(super::conditional_clause(t, at("returns guidance")));
        assert!(!super::conditional_clause(t, at("returns a report")));
        assert!(!super::conditional_clause(t, at("needs keys")));
        assert!(super::conditional_clause("When done, returns a plan", 11));
        // A word that only contains "if" is no condition.
        assert!(!super::conditional_clause(
            "Modifies nothing; gifted returns a plan",
            25
        ));
    }

    #[test]
    fn permission_checks_are_told_from_actions() {
        let cases = [
            (
                "Check whether the current account may perform resource/action on a subresource.",
                true,
            ),
            (
                "Verify if the user is allowed to delete the repository",
                true,
            ),
            (
                "Checks whether the caller has permission to sync the app",
                true,
            ),
            ("Test if the token can create projects.", true),
            // No permission word, or no check of one: an action or a plain check.
            ("Check whether the deployment is healthy", false),
            ("Perform an action on the application", false),
            (
                "Run the selected action. Check whether it may fail first.",
                false,
            ),
            (
                "Check the status of the sync, and whether users can log in",
                false,
            ),
        ];
        for (d, want) in cases {
            assert_eq!(asks_permission(d), want, "{d}");
        }
    }

    #[test]
    fn filters_and_output_switches_are_told_apart() {
        let filters = [
            ("Filter by to-do action", true),
            ("Return entities for the specified action.", true),
            ("Only return items of this kind", true),
            ("The action to perform", false),
            ("Operation to run: create or delete", false),
        ];
        for (d, want) in filters {
            assert_eq!(filters_results(d), want, "{d}");
        }
        let widens = [
            ("Return all console messages since the beginning", true),
            ("Include archived items", true),
            ("Delete all matching documents", false),
            ("Force the push", false),
        ];
        for (d, want) in widens {
            assert_eq!(widens_output(d), want, "{d}");
        }
    }

    #[test]
    fn documented_values_are_quoted_identifiers_two_or_more() {
        let table: [(&str, &[&str]); 9] = [
            (
                "The action to perform: 'update' (set parameters), 'check' (check existing), \"status\"",
                &["update", "check", "status"],
            ),
            ("Mode: `fast` or `deep`.", &["fast", "deep"]),
            // One value is no list; an apostrophe opens no quote.
            ("The tool's 'update' action", &[]),
            // Values with spaces are examples, not selector values.
            ("The command, e.g. 'ls -la' or 'git status'", &[]),
            ("No quotes at all", &[]),
            // Bare values in parentheses, when no quotes list them.
            (
                "Rollout action (status, history, restart, undo, pause, resume)",
                &["status", "history", "restart", "undo", "pause", "resume"],
            ),
            ("Verb (e.g. get | set)", &["get", "set"]),
            // A parenthesis of prose, or of one word, lists nothing.
            ("The mode (see the docs for details)", &[]),
            ("The action (optional)", &[]),
        ];
        for (desc, want) in table {
            assert_eq!(documented_values(desc), want, "{desc}");
        }
    }
}
