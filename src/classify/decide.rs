//! Stage 2: decide the class from the hits, by one precedence. Every "which
//! signal wins" choice and every constant of the decision lives here.
//!
//! The precedence, strongest first:
//! 1. **Override** rules (narrow phrases such as "start tracing"): the
//!    highest `(priority, class)` sets the class outright. One that says
//!    read from the description or a parameter may not talk down a
//!    mutating verb the name holds (unless the lead sentence's phrase
//!    explains that very verb and names the name's object: "Create
//!    embeddings for the input" on `embeddings-create`), a change a later
//!    sentence states, nor, from a later sentence, a listing or a
//!    parameter, a change the lead's verbs (else the listed operations)
//!    state (a `claim` rule, "Works offline without API calls", still may
//!    explain a lead that only makes or combines: `Create a buffer zone`):
//!    hostile or careless text never lowers what the name or the
//!    description states.
//! 2. **The tool's own verb**: when the name holds an ambiguous verb (`generate`,
//!    `query`) and a decide rule's phrase in the name holds it with its object
//!    (`generate locator`, `query logs`), that phrase; else the verb(s) its name leads with; without one,
//!    the more severe of a verb further in the name and the verb list
//!    leading the description's first purpose sentence (when that list
//!    names the class of one of the name's further verbs, the name's verbs
//!    of other classes are taken for nouns: `db_describe_user_grant`).
//! 3. **Decide** rules (raw SQL, a read-only query language, a read-only
//!    claim), only when neither of the above decided: highest
//!    `(priority, class)` wins. One that says read does not decide when a
//!    later purpose sentence opens with a destructive verb ("Note: does not
//!    modify anything. Drops the table."): a claim of safety never outweighs
//!    a stated action.
//! 4. **Raisers** lift the class, never lower it:
//!    - the worst operation of an operation selector (schema);
//!    - `floor` rules matched in the schema, the name or title, or the first
//!      purpose sentence, and `anywhere` floors (running code, keeping the
//!      result) in any purpose sentence;
//!    - `floor` rules matched only later in the description, only when
//!      nothing decided yet (a clause late in a `get_` tool's description is
//!      incidental);
//!    - operations the description enumerates, only when nothing decided,
//!      the name holds no decided verb (`manage_todos`) and no operation
//!      selector lists them;
//!    - destructive verbs opening later purpose sentences: any when the name
//!      and the lead say nothing (text placed before the verb, such as 5,000
//!      characters of filler, may not hide it); else only a deleting or
//!      removing verb (rules with `anywhere`) stated of the tool with its
//!      object ("Get the repository. Deletes the repository."): a stated
//!      loss is never talked down by the name.
//! 5. **Last-resort** decide rules (`last_resort`: the name's own words,
//!    `account_info`, `site_is_frozen`), only when nothing above decided, the
//!    name holds no verb of any kind, the lead sentence no ambiguous one, and
//!    the description is not empty.
//! 6. Nothing decided: **write**, at low confidence (an unknown tool is never
//!    read).
//!
//! Ties are broken by class (the more severe wins), then by the order of the
//! hits (catalogue order, then verbs), so a verdict never depends on chance.

use super::collect::{Hit, Site};
use super::normalize;
use super::rules::{Effect, Rule, Shape};
use super::verdict::Class;

/// A verb read from the description is less sure than the name's.
pub const LEAD_VERB_PENALTY: f32 = 0.1;
/// An operation selector's worst value, when it decides.
pub const OPERATION_CONFIDENCE: f32 = 0.85;
/// Operations listed in the description, when they decide.
pub const ENUMERATION_CONFIDENCE: f32 = 0.75;
/// Nothing said what the tool does.
pub const UNDECIDED_CONFIDENCE: f32 = 0.3;
/// Confidence is multiplied by this when the description is empty.
pub const EMPTY_DESCRIPTION_FACTOR: f32 = 0.7;

/// What a hit did in the decision (for `--explain` and for which signals count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// It set the class.
    Decided,
    /// It raised the class above what decided it.
    Raised,
    /// It argued for the class that was chosen anyway.
    Agreed,
    /// It lost to a stronger hit.
    Outranked(&'static str),
    /// It does not argue for a class; it adds signals, risk or facts.
    Signal,
}

impl Role {
    /// Whether the hit's signals and risk count in the verdict.
    pub fn counts(self) -> bool {
        !matches!(self, Role::Outranked(_))
    }
}

/// The outcome of stage 2.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub class: Class,
    /// The hit that decided (`None` when nothing did).
    pub by: Option<usize>,
    /// Hits that raised the class after it was decided.
    pub raised: Vec<usize>,
    pub confidence: f32,
    /// One role per hit, in the hits' order.
    pub roles: Vec<Role>,
}

/// Stage 2: weighs `hits` (of `rules`) of the tool named `name` by the
/// precedence above (the name's words say what a lead phrase explaining the
/// name's verb must be about).
pub fn decide(hits: &[Hit], rules: &[Rule], name: &str) -> Decision {
    let effect = |h: &Hit| rules[h.rule].effect;
    let mut roles: Vec<Role> = hits
        .iter()
        .map(|h| {
            if h.class.is_none() {
                Role::Signal
            } else {
                Role::Outranked("")
            }
        })
        .collect();
    let mut current: Option<(Class, usize, f32)> = None;

    // The most severe hit of a kind, ties to the earliest, with optional priority.
    let best = |pick: &dyn Fn(&Hit) -> bool, prio: bool| -> Option<usize> {
        let mut out: Option<usize> = None;
        for (i, h) in hits.iter().enumerate() {
            if !pick(h) || h.class.is_none() {
                continue;
            }
            let key = |h: &Hit| (if prio { effect(h).priority() } else { 0 }, h.class);
            if out.is_none_or(|o| key(h) > key(&hits[o])) {
                out = Some(i);
            }
        }
        out
    };

    // 1. Overrides. One that says read from the description's text may not
    // talk down what the name or the description states: a destructive verb
    // the name leads with (`delete_repo: ... Returns guidance for ...`), a
    // mutating one unless the override is the lead sentence's own
    // (`embeddings-create: Create embeddings for the input`), or a change a
    // later sentence states ("Works offline. Drops the table.").
    let in_name = |h: &Hit| matches!(h.site, Site::Name | Site::NameInner);
    let name_class = hits
        .iter()
        .filter(|h| in_name(h))
        .filter_map(|h| h.class)
        .max();
    let stated = stated_change(hits, rules);
    // The lead sentence may explain the name's own verb ("Discover and
    // activate additional tool categories for this session", "Create
    // embeddings for the input", "Get CLI installation instructions"): its
    // phrase holding that verb says what the verb means here.
    // It must also be about the name's object: a prepended lead that only
    // repeats the verb ("Create a chat completion." on `create_issue`) says
    // nothing of what this tool creates.
    let explains_name = |h: &Hit| {
        if h.site != Site::LeadText {
            return false;
        }
        let said: Vec<String> = normalize::words(&h.text);
        hits.iter().any(|n| {
            in_name(n)
                && n.class.is_some_and(|c| c > Class::Read)
                && said.iter().any(|w| w.starts_with(n.text.as_str()))
                && about_name_object(name, &n.text, &said)
        })
    };
    // A lead sentence that states a change ("Creates a Jira issue."): a
    // later sentence's, a parameter's or a listed reading may not talk it
    // down (the lead's own phrase still may: "Create a chat completion.").
    // A claim that the tool reaches nothing outside the call (`claim` rules:
    // "Works offline without API calls") still may, when the lead only
    // makes or combines something (`buffer_tool: Create a buffer zone ...`,
    // `union_tool: Merge two polygons ...`): what it made is handed back.
    let lead_class = hits
        .iter()
        .filter(|h| h.site == Site::Lead && is_verb(rules, h))
        .filter_map(|h| h.class)
        .max();
    // Operations the description lists ("Fetches and integrates changes",
    // "approve and apply, discard or cancel a run") state a change as well,
    // when neither the name nor the lead says what the tool does.
    let listed_class = hits
        .iter()
        .filter(|h| h.site == Site::Enumeration && is_verb(rules, h))
        .filter_map(|h| h.class)
        .max();
    // A decide rule's phrase in the lead sentence stating a change ("Handle
    // a dialog", "Press a key"), for a lead whose verb says little: a read
    // claim a later sentence makes may not talk it down either.
    let lead_phrase_class = hits
        .iter()
        .filter(|h| {
            h.site == Site::LeadText
                && matches!(effect(h), Effect::Decide { .. })
                && !rules[h.rule].last_resort
        })
        .filter_map(|h| h.class)
        .max();
    let verb_change = lead_class.or(listed_class).is_some_and(|c| c > Class::Read);
    let lead_change = |h: &Hit| {
        (verb_change || lead_phrase_class.is_some_and(|c| c > Class::Read))
            && match h.site {
                // A rule of a parameter and a lead phrase (`all`) reads the lead.
                Site::Param => !rules[h.rule].all,
                Site::Full | Site::Later | Site::Enumeration => true,
                // The lead's own phrase says what its verb does here
                // (`Remove a highlight overlay`).
                _ => false,
            }
            // A claim may explain mutating lead verbs that only make
            // something; a change the lead's phrase states is no such verb.
            && !(rules[h.rule].claim && verb_change && lead_makes(hits, rules))
    };
    let talks_down = |h: &Hit| {
        h.class == Some(Class::Read)
            && matches!(
                h.site,
                Site::Full
                    | Site::Later
                    | Site::Enumeration
                    | Site::Lead
                    | Site::LeadText
                    | Site::Param
            )
            && (stated
                || (name_class.is_some_and(|c| c > Class::Read) && !explains_name(h))
                || lead_change(h))
    };
    let is_override = |h: &Hit| matches!(effect(h), Effect::Override { .. });
    let may_override = |h: &Hit| is_override(h) && !talks_down(h);
    if let Some(i) = best(&may_override, true) {
        current = Some((
            hits[i].class.expect("picked"),
            i,
            rules[hits[i].rule].confidence,
        ));
    }
    // 1b. A planning tool: its name puts a planning word before its
    // mutating verb (`ads_plan_create_campaign`, `preview_delete_rows`,
    // `dry_run_migrate`) and its first sentence says so ("PLAN (nothing is
    // written): create ...", "Plan pausing campaigns ..."): it returns a
    // proposal that another tool applies, so read. Only when the name says
    // plan: text appended to a mutating name (`delete_rows: Nothing is
    // written.`) still cannot talk it down, nor one a later sentence states.
    if current.is_none() && planning_name(name) && !stated {
        let says_plan = |h: &Hit| {
            h.class == Some(Class::Read)
                && match h.site {
                    Site::LeadText => !is_verb(rules, h),
                    Site::Lead => PLANNING_WORDS.contains(&h.text.as_str()),
                    _ => false,
                }
        };
        if let Some(i) = best(&says_plan, true) {
            current = Some((Class::Read, i, rules[hits[i].rule].confidence));
        }
    }
    // 2. The tool's own verb: the name's, else the lead sentence's.
    let name_decided = hits
        .iter()
        .any(|h| h.site == Site::Name && h.class.is_some());
    let is_verb_at = |site: Site| move |h: &Hit| h.site == site && h.class.is_some();
    // A name that leads with an ambiguous verb (`manage_task_list`,
    // `generate_feedback_link`): the verbs further in name its object.
    let ambiguous_name: Vec<&str> = hits
        .iter()
        .filter(|h| h.site == Site::Name && h.class.is_none() && is_verb(rules, h))
        .map(|h| h.text.as_str())
        .collect();
    let object_name = !name_decided && !ambiguous_name.is_empty();
    // Such a verb with its object may be a decide rule's phrase
    // (`generate locator`): that says what the tool does more precisely than
    // the lead sentence's verb or a noun of the name taken for a verb.
    if current.is_none() && object_name {
        let is_named_decide = |h: &Hit| {
            matches!(effect(h), Effect::Decide { .. })
                && !rules[h.rule].last_resort
                && h.site == Site::NameText
                && !((stated_change(hits, rules) || keeping_lead(hits))
                    && h.class == Some(Class::Read))
                && ambiguous_name
                    .iter()
                    .any(|v| h.text.to_lowercase().split(' ').any(|w| w == *v))
        };
        // It competes with the other decide rules by priority (raw SQL in a
        // parameter still outranks a lower-priority reading of the name).
        let any_decide = |h: &Hit| {
            matches!(effect(h), Effect::Decide { .. })
                && !rules[h.rule].last_resort
                && !(stated_change(hits, rules) && h.class == Some(Class::Read))
        };
        let top = best(&any_decide, true).map(|j| effect(&hits[j]).priority());
        if let Some(i) = best(&is_named_decide, true)
            .filter(|&i| top.is_none_or(|p| effect(&hits[i]).priority() >= p))
        {
            current = Some((
                hits[i].class.expect("picked"),
                i,
                rules[hits[i].rule].confidence,
            ));
        }
    }
    if current.is_none() {
        let pick = if name_decided {
            best(&is_verb_at(Site::Name), false)
        } else {
            // A name with several verbs further in (`db_describe_user_grant`)
            // holds its action and its object's nouns: when the lead
            // sentence's verbs name one of the name's classes, the name's
            // verbs of other classes are nouns there.
            let lead: Vec<Class> = hits
                .iter()
                .filter(|h| matches!(h.site, Site::Lead | Site::Purpose))
                .filter_map(|h| h.class)
                .collect();
            let confirmed = hits
                .iter()
                .any(|h| h.site == Site::NameInner && h.class.is_some_and(|c| lead.contains(&c)));
            best(
                &|h: &Hit| match (h.site, h.class) {
                    (Site::Lead | Site::Purpose, Some(_)) => true,
                    (Site::NameInner, Some(c)) => !confirmed || lead.contains(&c),
                    _ => false,
                },
                false,
            )
        };
        if let Some(i) = pick {
            let penalty = if hits[i].site == Site::Lead {
                LEAD_VERB_PENALTY
            } else {
                0.0
            };
            let conf = rules[hits[i].rule].confidence - penalty;
            current = Some((hits[i].class.expect("picked"), i, conf));
        }
    }
    // 3. Decide rules; one that says read yields to a stated destructive verb.
    let stated_change = stated_change(hits, rules);
    // Nor does one a later sentence (a parameter, a list) makes yield to the
    // lead sentence's phrase stating a change ("Handle a dialog. Works
    // offline."), whatever their priorities.
    let is_decide = |h: &Hit| {
        matches!(effect(h), Effect::Decide { .. })
            && !rules[h.rule].last_resort
            && !((stated_change || lead_change(h)) && h.class == Some(Class::Read))
    };
    if current.is_none() {
        if let Some(i) = best(&is_decide, true) {
            current = Some((
                hits[i].class.expect("picked"),
                i,
                rules[hits[i].rule].confidence,
            ));
        }
    }
    if let Some((class, i, _)) = current {
        roles[i] = Role::Decided;
        // Verbs of the deciding site that say the same are part of it.
        for (j, h) in hits.iter().enumerate() {
            if j != i && h.site == hits[i].site && h.class == Some(class) && is_verb(rules, h) {
                roles[j] = Role::Decided;
            }
        }
    }
    // The name holds a decided verb, wherever in it.
    let name_says = hits
        .iter()
        .any(|h| matches!(h.site, Site::Name | Site::NameInner) && h.class.is_some());
    // An operation selector lists the operations more precisely than prose.
    let has_selector = hits.iter().any(|h| {
        h.site == Site::Schema && matches!(effect(h), Effect::Signal) && h.class.is_some()
    });

    // 4. Raisers, in hit order. Whether the tool was undecided is judged
    // before any of them, so a group (listed operations) acts as one.
    let undecided = current.is_none();
    // Decided only by a noun of an ambiguous name (`manage_task_list`): the
    // operations the description lists or states still raise it.
    let by_object = object_name && current.is_some_and(|(_, i, _)| hits[i].site == Site::NameInner);
    let overridden = current.is_some_and(|(_, i, _)| is_override(&hits[i]));
    let mut raised = Vec::new();
    for (i, h) in hits.iter().enumerate() {
        if roles[i] == Role::Decided {
            continue;
        }
        let Some(class) = h.class else { continue };
        let kind = effect(h);
        let eligible = match (kind, h.site) {
            (Effect::Signal, Site::Schema) => Ok(OPERATION_CONFIDENCE),
            (
                Effect::Floor { .. },
                Site::Schema | Site::Param | Site::NameText | Site::LeadText | Site::Purpose,
            ) => Ok(rules[h.rule].confidence),
            (Effect::Floor { .. }, _) if rules[h.rule].anywhere => Ok(rules[h.rule].confidence),
            (Effect::Floor { .. }, _) if undecided => Ok(rules[h.rule].confidence),
            (Effect::Floor { .. }, _) => Err("a later clause; the tool's own verb decides"),
            (Effect::Verb { .. }, Site::Enumeration)
                if !has_selector && ((!name_says && undecided) || by_object) =>
            {
                Ok(ENUMERATION_CONFIDENCE)
            }
            (Effect::Verb { .. }, Site::Enumeration) if has_selector => {
                Err("listed in prose; the operation selector lists the operations")
            }
            (Effect::Verb { .. }, Site::Enumeration) => {
                Err("listed operations; the tool's verb or a stronger rule decided")
            }
            // A later sentence's verb counts when nothing else said what the
            // tool does; a deleting or removing verb (`anywhere`) stated of
            // the tool with its object counts always (collect.rs keeps only
            // those once the name or the lead decided).
            (Effect::Verb { .. }, Site::Later)
                if (!name_says && undecided) || by_object || rules[h.rule].anywhere =>
            {
                Ok(ENUMERATION_CONFIDENCE)
            }
            (Effect::Verb { .. }, Site::Later) => {
                Err("a later sentence; the tool's verb or a stronger rule decided")
            }
            (Effect::Verb { .. }, Site::Lead | Site::NameInner) if name_decided => {
                Err("the name's verb outranks the description's")
            }
            (Effect::Decide { .. }, _) if stated_change && class == Class::Read => {
                Err("a claim of reading yields to a destructive verb the description states")
            }
            (Effect::Decide { .. }, _) => Err("a verb or a stronger rule decided first"),
            (Effect::Override { .. }, _) if talks_down(h) => {
                Err("description text may not talk down the name's verb or a stated change")
            }
            (Effect::Override { .. }, _) => Err("a stronger override decided"),
            _ => Err("a stronger hit decided"),
        };
        if overridden && matches!(kind, Effect::Verb { .. }) {
            // An override is a narrow phrase that knows better than the verbs.
            roles[i] = Role::Outranked("an override decided");
            continue;
        }
        match eligible {
            // A hit that may not raise still agrees when it asks no more.
            Err(_) if current.is_some_and(|(c, _, _)| class <= c) => roles[i] = Role::Agreed,
            Err(why) => roles[i] = Role::Outranked(why),
            Ok(conf) => match current {
                None => {
                    current = Some((class, i, conf));
                    roles[i] = Role::Decided;
                }
                Some((c, _, _)) if class > c => {
                    let by = current.expect("some").1;
                    // A raiser that lifts the class re-decides it; the old
                    // deciding hit stays as the one the rationale notes.
                    current = Some((class, by, conf));
                    raised.push(i);
                    roles[i] = Role::Raised;
                }
                Some(_) => roles[i] = Role::Agreed,
            },
        }
    }
    // 5. Last-resort rules (the name's own words: `account_info`,
    // `site_is_frozen`), only when nothing above decided, the name holds no
    // verb of any kind, the lead no ambiguous one, and the description is
    // not empty (an empty one stays write: never guess read).
    if current.is_none() {
        // The noun the rule read may itself be an ambiguous verb (`log` in
        // `backup_log`): that one word is the noun, not a verb the name holds.
        // Nor does an ambiguous word that opens a two-word name before the
        // noun of information the rule read (`call_stats`, `query_stats`):
        // it modifies that noun. A word that manages things
        // (`manage_info`), a longer name (`manage_account_info`) and a
        // reading of the whole name (`run tests`) keep the verb.
        let words = normalize::identifier_tokens(name);
        let modifies = |h: &Hit, noun: &str| {
            words.len() == 2
                && words[0] == h.text
                && words[1] == noun
                && !MANAGING.contains(&h.text.as_str())
        };
        let verb_said = |noun: &str| {
            hits.iter().any(|h| {
                is_verb(rules, h)
                    && matches!(h.site, Site::Name | Site::NameInner | Site::Lead)
                    && !(h.class.is_none()
                        && h.site != Site::Lead
                        && (h.text == noun || modifies(h, noun)))
            })
        };
        let empty = hits
            .iter()
            .any(|h| rules[h.rule].shape == Some(Shape::EmptyDescription));
        let is_last = |h: &Hit| {
            matches!(effect(h), Effect::Decide { .. })
                && rules[h.rule].last_resort
                && !(stated_change && h.class == Some(Class::Read))
                && !verb_said(&h.text)
        };
        if !empty {
            if let Some(i) = best(&is_last, true) {
                current = Some((
                    hits[i].class.expect("picked"),
                    i,
                    rules[hits[i].rule].confidence,
                ));
                roles[i] = Role::Decided;
            }
        }
    }
    match current {
        Some((class, by, confidence)) => {
            // When raisers lifted the class, the last of them speaks for it.
            let by = raised.last().copied().unwrap_or(by);
            Decision {
                class,
                by: Some(by),
                raised,
                confidence,
                roles,
            }
        }
        None => Decision {
            class: Class::Write,
            by: None,
            raised,
            confidence: UNDECIDED_CONFIDENCE,
            roles,
        },
    }
}

/// A later purpose sentence opens with a mutating verb ("Drops the table."):
/// a claim of reading never outweighs it.
/// Words that say a tool only plans or previews what its verb names.
const PLANNING_WORDS: &[&str] = &[
    "plan",
    "plans",
    "preview",
    "previews",
    "simulate",
    "simulates",
];

/// Ambiguous verbs that name operations on what follows them (`manage_info`
/// manages it), never a modifier of a noun.
const MANAGING: &[&str] = &[
    "manage",
    "handle",
    "control",
    "administer",
    "admin",
    "operate",
    "process",
];

/// Whether a name puts a planning word (`plan`, `preview`, `simulate`,
/// `dry run`) before the verb it plans (`meta_plan_create_ad`): not one
/// that ends with it, where the plan is the object (`apply_plan`). A verb,
/// its object and then `preview` or `dry run` (`purge_devices_preview`,
/// `delete_rows_dry_run`) previews that verb as well; `plan` there stays
/// the object (`create_billing_plan`), as a two-word name's last word does
/// (`deploy_preview`).
fn planning_name(name: &str) -> bool {
    let tokens = normalize::identifier_tokens(&normalize::fold_lookalikes(name));
    let last = tokens.len().saturating_sub(1);
    let trailing = match tokens.as_slice() {
        [.., a, b] if a == "dry" && b == "run" => tokens.len() >= 4,
        [.., t] => tokens.len() >= 3 && matches!(t.as_str(), "preview" | "dryrun"),
        [] => false,
    };
    trailing
        || tokens.iter().enumerate().any(|(i, t)| {
            i < last
                && (PLANNING_WORDS.contains(&t.as_str())
                    || (t == "dry" && tokens[i + 1] == "run" && i + 1 < last)
                    || t == "dryrun")
        })
}

/// Whether a later sentence states a change: a destructive verb in a
/// subject's form, or a mutating verb on the name's object ([`Site::Purpose`]).
fn stated_change(hits: &[Hit], rules: &[Rule]) -> bool {
    hits.iter().any(|h| {
        matches!(h.site, Site::Later | Site::Purpose)
            && is_verb(rules, h)
            && h.class.is_some_and(|c| c > Class::Read)
    })
}

/// Lead verbs that put something somewhere ("Add text-to-speech audio to
/// notes", "Saves the diagram"): a lead that keeps the result, which a
/// reading of the name as computing it (`generate_audio`) may not talk down.
/// Not `create`/`make`, which a generator's lead uses for what it hands back
/// ("Creates a diagram").
const KEEPING_VERBS: &[&str] = &[
    "add", "adds", "append", "appends", "insert", "inserts", "save", "saves", "store", "stores",
    "upload", "uploads", "import", "imports", "attach", "attaches",
];

/// Whether the lead sentence leads with a verb that keeps its result.
fn keeping_lead(hits: &[Hit]) -> bool {
    hits.iter().any(|h| {
        h.site == Site::Lead
            && h.class.is_some_and(|c| c > Class::Read)
            && KEEPING_VERBS.contains(&h.text.as_str())
    })
}

/// Lead verbs that make or combine what the call hands back (`Create a
/// buffer zone around a point`, `Merge two polygons into one geometry`):
/// a claim that nothing outside the call is reached may explain them.
const MAKING_VERBS: &[&str] = &[
    "create",
    "creates",
    "merge",
    "merges",
    "combine",
    "combines",
    "build",
    "builds",
    "make",
    "makes",
    "compute",
    "computes",
    "generate",
    "generates",
    "convert",
    "converts",
];

/// Whether every mutating lead verb (or listed operation) only makes or
/// combines something.
fn lead_makes(hits: &[Hit], rules: &[Rule]) -> bool {
    hits.iter()
        .filter(|h| matches!(h.site, Site::Lead | Site::Enumeration) && is_verb(rules, h))
        .filter(|h| h.class.is_some_and(|c| c > Class::Read))
        .all(|h| MAKING_VERBS.contains(&h.text.as_str()))
}

/// Whether `said` (the words of a lead phrase holding the name's verb
/// `verb`) names the name's object: a word of the name after the verb
/// (`create_issue`), else before it (`embeddings-create`), by its stem
/// (`completion` for `completions`). A name that is only the verb has no
/// object to name.
fn about_name_object(name: &str, verb: &str, said: &[String]) -> bool {
    let tokens = normalize::identifier_tokens(&normalize::fold_lookalikes(name));
    let Some(at) = tokens
        .iter()
        .position(|t| t.starts_with(verb) || verb.starts_with(t.as_str()))
    else {
        return true;
    };
    let object = if at + 1 < tokens.len() {
        &tokens[at + 1..]
    } else {
        &tokens[..at]
    };
    let object: Vec<String> = object
        .iter()
        .filter(|t| t.len() > 2)
        .map(|t| normalize::noun_stem(t))
        .collect();
    object.is_empty()
        || said
            .iter()
            .any(|w| object.contains(&normalize::noun_stem(w)))
}

fn is_verb(rules: &[Rule], h: &Hit) -> bool {
    matches!(rules[h.rule].effect, Effect::Verb { .. })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::rules::{Field, Scope};
    use crate::classify::verdict::Signal;

    fn rule(id: &str, effect: Effect, signals: &[Signal]) -> Rule {
        Rule {
            id: id.into(),
            family: "t".into(),
            file: "t.toml".into(),
            line: 1,
            summary: String::new(),
            effect,
            scope: Scope::Purpose,
            verbs: Vec::new(),
            nouns: Vec::new(),
            phrases: Vec::new(),
            fields: vec![Field::Name, Field::Description],
            params: Vec::new(),
            param_phrases: Vec::new(),
            shape: None,
            arg: None,
            all: false,
            page_action: false,
            anywhere: false,
            exact: false,
            first_only: false,
            last_resort: false,
            claim: false,
            signals: signals.to_vec(),
            risk: None,
            confidence: 0.9,
            rationale: String::new(),
            examples_match: Vec::new(),
            examples_no_match: Vec::new(),
        }
    }

    use Class::{Destructive as D, Read as R, Write as W};

    /// The catalogue the tables below speak of.
    fn rules() -> Vec<Rule> {
        vec![
            rule("verb", Effect::Verb { class: Some(R) }, &[]),
            rule(
                "override-read",
                Effect::Override {
                    class: R,
                    priority: 10,
                },
                &[],
            ),
            rule("floor-destructive", Effect::Floor { class: D }, &[]),
            Rule {
                anywhere: true,
                ..rule(
                    "floor-code",
                    Effect::Floor { class: D },
                    &[Signal::CodeExecution],
                )
            },
            rule(
                "decide-read",
                Effect::Decide {
                    class: R,
                    priority: 6,
                },
                &[],
            ),
            rule(
                "decide-sql",
                Effect::Decide {
                    class: D,
                    priority: 5,
                },
                &[],
            ),
            rule("operations", Effect::Signal, &[]),
            rule("ambiguous", Effect::Verb { class: None }, &[]),
            Rule {
                anywhere: true,
                ..rule("verb-stated", Effect::Verb { class: Some(D) }, &[])
            },
            rule(
                "decide-read-low",
                Effect::Decide {
                    class: R,
                    priority: 4,
                },
                &[],
            ),
        ]
    }

    fn id(r: &[Rule], name: &str) -> usize {
        r.iter().position(|x| x.id == name).unwrap()
    }

    fn hit(r: &[Rule], rule: &str, site: Site, class: Option<Class>) -> Hit {
        Hit {
            rule: id(r, rule),
            site,
            class,
            text: String::new(),
        }
    }

    /// (hits, expected class, index of the deciding hit or None).
    type Case = (Vec<Hit>, Class, Option<usize>);

    #[test]
    fn precedence_table() {
        let r = rules();
        let h = |rule: &str, site: Site, class: Option<Class>| hit(&r, rule, site, class);
        let ht = |rule: &str, site: Site, class: Option<Class>, text: &str| Hit {
            text: text.into(),
            ..hit(&r, rule, site, class)
        };
        let cases: Vec<(&str, Case)> = vec![
            ("nothing: write, never read", (vec![], W, None)),
            (
                "ambiguous verb alone: still undecided",
                (vec![h("ambiguous", Site::Name, None)], W, None),
            ),
            (
                "the name's verb decides",
                (vec![h("verb", Site::Name, Some(R))], R, Some(0)),
            ),
            (
                "the name outranks the lead sentence",
                (
                    vec![
                        h("verb", Site::Name, Some(R)),
                        h("verb", Site::Lead, Some(D)),
                    ],
                    R,
                    Some(0),
                ),
            ),
            (
                "the lead sentence decides when the name has no verb",
                (vec![h("verb", Site::Lead, Some(W))], W, Some(0)),
            ),
            (
                "a later clause does not raise a named read",
                (
                    vec![
                        h("verb", Site::Name, Some(R)),
                        h("floor-destructive", Site::Later, Some(D)),
                    ],
                    R,
                    Some(0),
                ),
            ),
            (
                "a later clause decides an unnamed tool",
                (
                    vec![
                        h("ambiguous", Site::Name, None),
                        h("floor-destructive", Site::Later, Some(D)),
                    ],
                    D,
                    Some(1),
                ),
            ),
            (
                "code execution raises from anywhere",
                (
                    vec![
                        h("verb", Site::Name, Some(R)),
                        h("floor-code", Site::Later, Some(D)),
                    ],
                    D,
                    Some(1),
                ),
            ),
            (
                "a floor in the first sentence raises",
                (
                    vec![
                        h("verb", Site::Name, Some(W)),
                        h("floor-destructive", Site::LeadText, Some(D)),
                    ],
                    D,
                    Some(1),
                ),
            ),
            (
                "the operation selector's worst value raises",
                (
                    vec![
                        h("verb", Site::Name, Some(R)),
                        h("operations", Site::Schema, Some(D)),
                    ],
                    D,
                    Some(1),
                ),
            ),
            (
                "listed operations decide a manage_ tool",
                (
                    vec![
                        h("ambiguous", Site::Name, None),
                        h("verb", Site::Enumeration, Some(D)),
                    ],
                    D,
                    Some(1),
                ),
            ),
            (
                "listed operations do not override a named verb",
                (
                    vec![
                        h("verb", Site::Name, Some(R)),
                        h("verb", Site::Enumeration, Some(D)),
                    ],
                    R,
                    Some(0),
                ),
            ),
            (
                "decide rules only when no verb decided",
                (
                    vec![
                        h("verb", Site::Name, Some(R)),
                        h("decide-sql", Site::Param, Some(D)),
                    ],
                    R,
                    Some(0),
                ),
            ),
            (
                "decide rules: priority first",
                (
                    vec![
                        h("decide-sql", Site::Param, Some(D)),
                        h("decide-read", Site::LeadText, Some(R)),
                    ],
                    R,
                    Some(1),
                ),
            ),
            (
                "a destructive verb of a later sentence decides an unnamed tool",
                (vec![h("verb", Site::Later, Some(D))], D, Some(0)),
            ),
            (
                "a read claim yields to a later sentence's destructive verb",
                (
                    vec![
                        h("decide-read", Site::LeadText, Some(R)),
                        h("verb", Site::Later, Some(D)),
                    ],
                    D,
                    Some(1),
                ),
            ),
            (
                "a later sentence's verb does not outrank the name's",
                (
                    vec![
                        h("verb", Site::Name, Some(R)),
                        h("verb", Site::Later, Some(D)),
                    ],
                    R,
                    Some(0),
                ),
            ),
            (
                "a deleting verb a later sentence states outranks the name's",
                (
                    vec![
                        h("verb", Site::Name, Some(R)),
                        h("verb-stated", Site::Later, Some(D)),
                    ],
                    D,
                    Some(1),
                ),
            ),
            (
                "... but not an override",
                (
                    vec![
                        h("override-read", Site::NameText, Some(R)),
                        h("verb-stated", Site::Later, Some(D)),
                    ],
                    R,
                    Some(0),
                ),
            ),
            (
                "an override beats the name's verb",
                (
                    vec![
                        h("verb", Site::Name, Some(D)),
                        h("override-read", Site::NameText, Some(R)),
                    ],
                    R,
                    Some(1),
                ),
            ),
            (
                "a noun of an ambiguous name yields to the operations listed",
                (
                    vec![
                        ht("ambiguous", Site::Name, None, "manage"),
                        ht("verb", Site::NameInner, Some(R), "list"),
                        ht("verb", Site::Enumeration, Some(D), "delete"),
                    ],
                    D,
                    Some(2),
                ),
            ),
            (
                "an ambiguous verb with its object as a decide phrase outranks the lead verb",
                (
                    vec![
                        ht("ambiguous", Site::Name, None, "generate"),
                        ht("decide-read", Site::NameText, Some(R), "generate locator"),
                        ht("verb", Site::Lead, Some(W), "create"),
                    ],
                    R,
                    Some(1),
                ),
            ),
            (
                "a decide phrase in the name still yields to a decide rule of higher priority",
                (
                    vec![
                        ht("ambiguous", Site::Name, None, "generate"),
                        ht("decide-sql", Site::Param, Some(D), "sql"),
                        ht(
                            "decide-read-low",
                            Site::NameText,
                            Some(R),
                            "generate report",
                        ),
                    ],
                    D,
                    Some(1),
                ),
            ),
            (
                "a decide phrase in the name without the name's verb does not",
                (
                    vec![
                        ht("ambiguous", Site::Name, None, "generate"),
                        ht("decide-read", Site::NameText, Some(R), "feedback link"),
                        ht("verb", Site::Lead, Some(W), "create"),
                    ],
                    W,
                    Some(2),
                ),
            ),
        ];
        for (what, (hits, class, by)) in cases {
            let d = decide(&hits, &r, "");
            assert_eq!(d.class, class, "{what}");
            assert_eq!(d.by, by, "{what}");
            assert_eq!(d.roles.len(), hits.len(), "{what}");
        }
    }

    #[test]
    fn outranked_hits_say_why_and_do_not_count() {
        let r = rules();
        let hits = vec![
            hit(&r, "verb", Site::Name, Some(R)),
            hit(&r, "floor-destructive", Site::Later, Some(D)),
        ];
        let d = decide(&hits, &r, "");
        assert_eq!(d.roles[0], Role::Decided);
        assert!(matches!(d.roles[1], Role::Outranked(why) if !why.is_empty()));
        assert!(!d.roles[1].counts());
    }

    #[test]
    fn undecided_tools_have_low_confidence() {
        let d = decide(&[], &rules(), "");
        assert_eq!(d.confidence, UNDECIDED_CONFIDENCE);
    }
}
