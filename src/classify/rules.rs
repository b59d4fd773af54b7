//! The rule catalogue: `rules/*.toml` parsed into raw records, then validated
//! into [`Rule`]s whose patterns are known to compile. Errors point at
//! `file:line:col` and name the rule id.
//!
//! The catalogue is embedded in the binary (so it works from any directory);
//! `MCP_RISK_RULES=<dir>` replaces it with the `*.toml` files of a directory.

use std::path::Path;

use serde::Deserialize;

use super::verdict::{Class, Risk, Signal};

/// The embedded catalogue, one entry per family file, sorted by file name.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("bulk.toml", include_str!("../../rules/bulk.toml")),
    ("code.toml", include_str!("../../rules/code.toml")),
    (
        "credentials.toml",
        include_str!("../../rules/credentials.toml"),
    ),
    (
        "destructive.toml",
        include_str!("../../rules/destructive.toml"),
    ),
    ("infra.toml", include_str!("../../rules/infra.toml")),
    ("languages.toml", include_str!("../../rules/languages.toml")),
    ("messages.toml", include_str!("../../rules/messages.toml")),
    ("money.toml", include_str!("../../rules/money.toml")),
    ("read.toml", include_str!("../../rules/read.toml")),
    ("results.toml", include_str!("../../rules/results.toml")),
    ("setup.toml", include_str!("../../rules/setup.toml")),
    ("shape.toml", include_str!("../../rules/shape.toml")),
    (
        "suspicious.toml",
        include_str!("../../rules/suspicious.toml"),
    ),
    ("write.toml", include_str!("../../rules/write.toml")),
];

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}:{line}:{col}: {message}")]
    Parse {
        file: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{file}:{line}:{col}: rule `{id}`: {message}")]
    Invalid {
        file: String,
        line: usize,
        col: usize,
        id: String,
        message: String,
    },
    #[error("cannot read rules directory {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// How a rule's conclusion combines with the others. The order in which
/// these are weighed is written once, in `decide.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "effect", rename_all = "lowercase")]
pub enum Effect {
    /// Lexicon entry: its `verbs` name the tool's action where they lead the
    /// name, an operation value or a description sentence. `class: None` is
    /// an ambiguous verb (`run`, `manage`): the rest of the tool decides.
    Verb { class: Option<Class> },
    /// Decides the class only when no verb decided it.
    Decide { class: Class, priority: i32 },
    /// Raises the class to at least this.
    Floor { class: Class },
    /// Sets the class outright (narrow phrases); the highest priority wins.
    Override { class: Class, priority: i32 },
    /// Adds signals, risk or argument facts only.
    Signal,
}

impl Effect {
    /// The class the rule concludes, if any.
    pub fn class(self) -> Option<Class> {
        match self {
            Effect::Verb { class } => class,
            Effect::Decide { class, .. }
            | Effect::Floor { class }
            | Effect::Override { class, .. } => Some(class),
            Effect::Signal => None,
        }
    }

    /// Tie-breaking priority among `decide` and `override` rules.
    pub fn priority(self) -> i32 {
        match self {
            Effect::Decide { priority, .. } | Effect::Override { priority, .. } => priority,
            _ => 0,
        }
    }

    /// The effect's kind as written in the TOML (`verb`, `floor`, ...).
    pub fn kind(self) -> &'static str {
        match self {
            Effect::Verb { .. } => "verb",
            Effect::Decide { .. } => "decide",
            Effect::Floor { .. } => "floor",
            Effect::Override { .. } => "override",
            Effect::Signal => "signal",
        }
    }
}

/// The effect as written in a rule file (`effect = "floor"` plus `class`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawEffect {
    Verb,
    Decide,
    Floor,
    Override,
    Signal,
}

/// Which part of the description a phrase rule reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// What the description says the tool does: its first sentence and the
    /// later sentences that still describe the tool, without deprecation
    /// notes, examples and instructions addressed to the agent.
    #[default]
    Purpose,
    /// Every sentence (for poisoning: hidden orders sit anywhere).
    Full,
}

/// Special matchers that are not text patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// An operation selector (`operation`, `action`, `method`, ...) with an enum.
    OperationEnum,
    /// Hidden Unicode in any text field (tag characters, zero-width, bidi).
    HiddenUnicode,
    /// The description is empty.
    EmptyDescription,
}

/// The argument fact a parameter hit records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArgKind {
    /// A boolean switch that widens the damage (force, recursive, purge).
    Switch,
    /// A parameter carrying raw SQL.
    Sql,
    /// A parameter carrying a shell command or script.
    Shell,
}

/// Which text a phrase is matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Name,
    Title,
    Description,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    family: String,
    description: String,
    #[serde(default)]
    rule: Vec<toml::Spanned<RawRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    summary: String,
    #[serde(default = "default_effect")]
    effect: RawEffect,
    #[serde(default)]
    scope: Scope,
    #[serde(default)]
    verbs: Vec<String>,
    #[serde(default)]
    nouns: Vec<String>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    fields: Vec<Field>,
    #[serde(default)]
    params: Vec<String>,
    #[serde(default)]
    param_phrases: Vec<String>,
    #[serde(default)]
    shape: Option<Shape>,
    #[serde(default)]
    arg: Option<ArgKind>,
    #[serde(default)]
    all: bool,
    #[serde(default)]
    page_action: bool,
    #[serde(default)]
    anywhere: bool,
    #[serde(default)]
    exact: bool,
    #[serde(default)]
    first_only: bool,
    #[serde(default)]
    last_resort: bool,
    #[serde(default)]
    claim: bool,
    #[serde(default)]
    priority: i32,
    #[serde(default)]
    class: Option<Class>,
    #[serde(default)]
    signals: Vec<Signal>,
    #[serde(default)]
    risk: Option<Risk>,
    #[serde(default)]
    confidence: Option<f32>,
    rationale: String,
    examples: RawExamples,
}

fn default_effect() -> RawEffect {
    RawEffect::Verb
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExamples {
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[serde(default)]
    no_match: Vec<String>,
}

/// A validated rule. Patterns are kept as source text; the engine compiles
/// them all at once into `RegexSet`s.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Rule {
    pub id: String,
    pub family: String,
    pub file: String,
    pub line: usize,
    pub summary: String,
    #[serde(flatten)]
    pub effect: Effect,
    pub scope: Scope,
    pub verbs: Vec<String>,
    /// Verbs that are also common nouns (`snapshot`, `comment`): in a name
    /// they yield to a later verb (`snapshot_delete`).
    pub nouns: Vec<String>,
    pub phrases: Vec<String>,
    pub fields: Vec<Field>,
    pub params: Vec<String>,
    pub param_phrases: Vec<String>,
    pub shape: Option<Shape>,
    /// What a parameter hit of this rule tells a policy (see `ArgFacts`).
    pub arg: Option<ArgKind>,
    /// Every non-empty matcher group must hit (default: any one).
    pub all: bool,
    /// Its verbs act on a page (click, type, scroll): in an array of steps
    /// the tool runs on a page it loads itself, they do not act on the world.
    pub page_action: bool,
    /// A floor that raises wherever the purpose states it, later sentences
    /// included (running code, saving the result): a capability, not an aside.
    /// On a verb rule: its verb stated of the tool in a later purpose
    /// sentence ("Get the repository. Deletes the repository.") raises the
    /// class even when the name or the lead sentence decided it.
    pub anywhere: bool,
    /// Its verbs are matched only as written, never through English
    /// inflections (a lexicon of another language lists every form it
    /// knows: `verified` is not French `verifie`).
    pub exact: bool,
    /// Its verbs count in a name or an operation value only as its first
    /// word (or the second, after a prefix that is no verb): further in
    /// they are nouns (`check_notification_setup`).
    pub first_only: bool,
    /// A `decide` rule that speaks only when nothing else did, after every
    /// raiser, when the name holds no verb of any kind and the description
    /// is not empty: the name's own words (`account_info`, `site_is_frozen`)
    /// are evidence, but weaker than any verb or phrase.
    pub last_resort: bool,
    /// A read `override` that claims the tool reaches nothing outside the
    /// call ("Works offline without API calls"): from a later sentence it may
    /// still explain a lead that only makes or combines something (`Create a
    /// buffer zone`), where any other later reading yields to the lead's
    /// stated change (decide.rs).
    pub claim: bool,
    pub signals: Vec<Signal>,
    pub risk: Option<Risk>,
    pub confidence: f32,
    pub rationale: String,
    pub examples_match: Vec<String>,
    pub examples_no_match: Vec<String>,
}

/// A family file's header.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Family {
    pub name: String,
    pub file: String,
    pub description: String,
}

/// The whole validated catalogue plus the text it came from.
#[derive(Clone, Debug)]
pub struct Catalogue {
    pub families: Vec<Family>,
    pub rules: Vec<Rule>,
    /// sha256 over every file name and text, in order.
    pub hash: String,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |p| before.len() - p - 1)
        + 1;
    (line, col)
}

/// Patterns are compiled with Unicode off (ASCII word boundaries and classes):
/// Unicode `\b` is ~900x slower on non-ASCII text. Case-insensitive. A pattern
/// whose match could begin or end inside a multi-byte character (`\bfoo.`
/// on `fooé`) is refused: its quotation would cut a character in two.
///
/// Loading only parses a pattern (with the flags the engine compiles it
/// with, so a syntax error reads as the compiler's); compiling each one on
/// its own took half of every run's start-up, and the engine compiles them
/// all again anyway. With `compile`, each is also compiled alone: what
/// [`locate_compile_error`] does when the engine's compile fails (a pattern
/// past the size limits), to say which rule it was.
fn check_pattern(p: &str, compile: bool) -> Result<(), String> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(true)
        .build()
        .parse(p)
        .map_err(|e| format!("pattern {p:?} does not compile: {e}"))?;
    if compile {
        regex::bytes::RegexBuilder::new(p)
            .unicode(false)
            .case_insensitive(true)
            .build()
            .map_err(|e| format!("pattern {p:?} does not compile: {e}"))?;
    }
    if edge_may_split(&hir, true).0 || edge_may_split(&hir, false).0 {
        return Err(format!(
            "pattern {p:?} may begin or end inside a multi-byte character: \
             end it on ASCII (a word, `\\b`), not on `.`, `[^...]` or `\\W`"
        ));
    }
    Ok(())
}

/// Whether a match of `h` may end (`end`) or begin (`!end`) on a non-ASCII
/// byte, and whether `h` may match the empty string.
fn edge_may_split(h: &regex_syntax::hir::Hir, end: bool) -> (bool, bool) {
    use regex_syntax::hir::{Class, HirKind};
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => (false, true),
        HirKind::Literal(_) => (false, false),
        HirKind::Class(Class::Bytes(c)) => (c.ranges().iter().any(|r| r.end() >= 0x80), false),
        HirKind::Class(Class::Unicode(c)) => {
            (c.ranges().iter().any(|r| r.end() as u32 >= 0x80), false)
        }
        HirKind::Repetition(r) => {
            let (split, empty) = edge_may_split(&r.sub, end);
            (split, empty || r.min == 0)
        }
        HirKind::Capture(c) => edge_may_split(&c.sub, end),
        HirKind::Concat(parts) => {
            let mut split = false;
            let ordered: Box<dyn Iterator<Item = &regex_syntax::hir::Hir>> = if end {
                Box::new(parts.iter().rev())
            } else {
                Box::new(parts.iter())
            };
            for part in ordered {
                let (s, empty) = edge_may_split(part, end);
                split |= s;
                if !empty {
                    return (split, false);
                }
            }
            (split, true)
        }
        HirKind::Alternation(alts) => alts.iter().fold((false, false), |acc, a| {
            let (s, e) = edge_may_split(a, end);
            (acc.0 || s, acc.1 || e)
        }),
    }
}

fn parse_file(file: &str, text: &str, compile: bool) -> Result<(Family, Vec<Rule>), RuleError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        RuleError::Parse {
            file: file.to_owned(),
            line,
            col,
            message: e.message().to_owned(),
        }
    })?;
    let family = Family {
        name: raw.family.clone(),
        file: file.to_owned(),
        description: raw.description,
    };
    let mut rules = Vec::new();
    for spanned in raw.rule {
        let (line, col) = line_col(text, spanned.span().start);
        let r = spanned.into_inner();
        let invalid = |message: String| RuleError::Invalid {
            file: file.to_owned(),
            line,
            col,
            id: r.id.clone(),
            message,
        };
        if r.id.is_empty()
            || !r
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || r.id.starts_with('-')
            || r.id.ends_with('-')
        {
            return Err(invalid("id must be kebab-case ASCII".into()));
        }
        if r.summary.trim().is_empty() || r.rationale.trim().is_empty() {
            return Err(invalid("summary and rationale must not be empty".into()));
        }
        let has_matcher = !r.verbs.is_empty()
            || !r.phrases.is_empty()
            || !r.params.is_empty()
            || !r.param_phrases.is_empty()
            || r.shape.is_some();
        if !has_matcher {
            return Err(invalid(
                "a rule needs a matcher: verbs, phrases, params, param_phrases or shape".into(),
            ));
        }
        let effect = match (r.effect, r.class) {
            (RawEffect::Verb, _) if r.verbs.is_empty() => {
                return Err(invalid("effect = \"verb\" needs `verbs`".into()))
            }
            (RawEffect::Verb, class) => Effect::Verb { class },
            (RawEffect::Decide, Some(class)) => Effect::Decide {
                class,
                priority: r.priority,
            },
            (RawEffect::Floor, Some(class)) => Effect::Floor { class },
            (RawEffect::Override, Some(class)) => Effect::Override {
                class,
                priority: r.priority,
            },
            (RawEffect::Decide | RawEffect::Floor | RawEffect::Override, None) => {
                return Err(invalid(format!("effect {:?} needs a `class`", r.effect)))
            }
            (RawEffect::Signal, _)
                if r.signals.is_empty()
                    && r.risk.is_none()
                    && r.arg.is_none()
                    && r.shape.is_none() =>
            {
                return Err(invalid(
                    "effect = \"signal\" needs `signals`, `risk`, `arg` or `shape`".into(),
                ))
            }
            (RawEffect::Signal, Some(_)) => {
                return Err(invalid(
                    "effect = \"signal\" concludes no class; drop `class`".into(),
                ))
            }
            (RawEffect::Signal, None) => Effect::Signal,
        };
        if r.anywhere && !matches!(effect, Effect::Floor { .. } | Effect::Verb { .. }) {
            return Err(invalid(
                "`anywhere` only applies to `floor` and verb rules".into(),
            ));
        }
        if r.claim
            && !matches!(
                effect,
                Effect::Override {
                    class: Class::Read,
                    ..
                }
            )
        {
            return Err(invalid(
                "`claim` only applies to read `override` rules".into(),
            ));
        }
        if r.last_resort && !matches!(effect, Effect::Decide { .. }) {
            return Err(invalid(
                "`last_resort` only applies to `decide` rules".into(),
            ));
        }
        if r.priority != 0 && !matches!(effect, Effect::Decide { .. } | Effect::Override { .. }) {
            return Err(invalid(
                "`priority` only orders `decide` and `override` rules".into(),
            ));
        }
        for v in &r.verbs {
            // One lowercase ASCII or Cyrillic word (`ё` written `е`, as
            // descriptions are read), or a multi-word verb (`met a jour`)
            // whose inner `*` stands for the words between a separable verb
            // and its particle (`ruft * ab`). A verb in Chinese or Japanese
            // script (`取得`, `取り消し`) is one compound, found inside the
            // text (`verbs::is_cjk_verb`).
            let parts: Vec<&str> = v.split(' ').collect();
            let word = |w: &str| {
                !w.is_empty()
                    && (w.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || ('а'..='я').contains(&c)
                    }) || super::verbs::is_cjk_verb(w))
            };
            let ok = parts
                .iter()
                .enumerate()
                .all(|(i, w)| word(w) || (*w == "*" && i > 0 && i + 1 == parts.len() - 1));
            if !ok {
                return Err(invalid(format!(
                    "verb {v:?} must be lowercase ASCII or Cyrillic words (a `*` only before a last particle), or one Chinese or Japanese compound"
                )));
            }
        }
        if let Some(n) = r.nouns.iter().find(|n| !r.verbs.contains(n)) {
            return Err(invalid(format!(
                "noun {n:?} is not one of the rule's verbs"
            )));
        }
        for p in r.phrases.iter().chain(&r.params).chain(&r.param_phrases) {
            check_pattern(p, compile).map_err(invalid)?;
        }
        if let Some(c) = r.confidence {
            if !(0.0..=1.0).contains(&c) {
                return Err(invalid("confidence must be within 0..1".into()));
            }
        }
        if r.examples.matches.is_empty() {
            return Err(invalid(
                "examples.match must hold at least one example".into(),
            ));
        }
        let fields = if r.fields.is_empty() {
            vec![Field::Name, Field::Title, Field::Description]
        } else {
            r.fields
        };
        rules.push(Rule {
            id: r.id,
            family: family.name.clone(),
            file: file.to_owned(),
            line,
            summary: r.summary,
            effect,
            scope: r.scope,
            verbs: r.verbs,
            nouns: r.nouns,
            phrases: r.phrases,
            fields,
            params: r.params,
            param_phrases: r.param_phrases,
            shape: r.shape,
            arg: r.arg,
            all: r.all,
            page_action: r.page_action,
            anywhere: r.anywhere,
            exact: r.exact,
            first_only: r.first_only,
            last_resort: r.last_resort,
            claim: r.claim,
            signals: r.signals,
            risk: r.risk,
            confidence: r.confidence.unwrap_or(0.8),
            rationale: r.rationale,
            examples_match: r.examples.matches,
            examples_no_match: r.examples.no_match,
        });
    }
    Ok((family, rules))
}

/// Parses and validates a catalogue from `(file name, text)` pairs.
pub fn load_from(files: &[(String, String)]) -> Result<Catalogue, RuleError> {
    load(files, false)
}

/// The rule whose pattern does not compile on its own, when the engine's
/// compile of the whole catalogue failed (see [`check_pattern`]).
pub fn locate_compile_error(files: &[(String, String)]) -> Option<RuleError> {
    load(files, true).err()
}

fn load(files: &[(String, String)], compile: bool) -> Result<Catalogue, RuleError> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut families = Vec::new();
    let mut rules: Vec<Rule> = Vec::new();
    // verb -> the rule claiming it (a few thousand verbs: no pairwise scan).
    let mut claimed: std::collections::HashMap<String, usize> = Default::default();
    for (name, text) in files {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
        let (fam, rs) = parse_file(name, text, compile)?;
        for r in rs {
            for v in &r.verbs {
                if let Some(&prev) = claimed.get(v) {
                    return Err(RuleError::Invalid {
                        file: r.file.clone(),
                        line: r.line,
                        col: 1,
                        id: r.id.clone(),
                        message: format!(
                            "verb {v:?} is already claimed by rule `{}`",
                            rules[prev].id
                        ),
                    });
                }
            }
            for v in &r.verbs {
                claimed.entry(v.clone()).or_insert(rules.len());
            }
            if let Some(prev) = rules.iter().find(|p| p.id == r.id) {
                return Err(RuleError::Invalid {
                    file: r.file.clone(),
                    line: r.line,
                    col: 1,
                    id: r.id.clone(),
                    message: format!(
                        "duplicate id (first defined at {}:{})",
                        prev.file, prev.line
                    ),
                });
            }
            rules.push(r);
        }
        families.push(fam);
    }
    Ok(Catalogue {
        families,
        rules,
        hash: hex::encode(hasher.finalize()),
    })
}

/// The embedded catalogue.
pub fn embedded_files() -> Vec<(String, String)> {
    EMBEDDED
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect()
}

/// Reads every `*.toml` of a directory, sorted by name.
pub fn dir_files(dir: &Path) -> Result<Vec<(String, String)>, RuleError> {
    let io = |source| RuleError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(io)?;
            Ok((p.display().to_string(), text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_point_at_the_rule() {
        let text = "family = \"x\"\ndescription = \"d\"\n\n[[rule]]\nid = \"bad-one\"\nsummary = \"s\"\neffect = \"decide\"\nphrases = ['(unclosed']\nclass = \"read\"\nrationale = \"r\"\nexamples.match = [\"a\"]\n";
        let err = load_from(&[("x.toml".into(), text.into())])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.toml:4:1: rule `bad-one`:"), "{err}");
        assert!(err.contains("does not compile"), "{err}");
    }

    /// A pattern that parses but is past the compiler's size limit loads;
    /// when the engine's compile then fails, the rule is located.
    #[test]
    fn patterns_too_large_to_compile_are_located() {
        let text = "family = \"x\"\ndescription = \"d\"\n\n[[rule]]\nid = \"huge\"\nsummary = \"s\"\neffect = \"floor\"\nphrases = ['\\b(?:[a-z]{1000}){1000}\\b']\nclass = \"read\"\nrationale = \"r\"\nexamples.match = [\"a\"]\n";
        let files = [("x.toml".to_owned(), text.to_owned())];
        assert!(load_from(&files).is_ok());
        let err = locate_compile_error(&files).expect("located").to_string();
        assert!(err.starts_with("x.toml:4:1: rule `huge`:"), "{err}");
        assert!(err.contains("size limit"), "{err}");
    }

    #[test]
    fn patterns_that_may_cut_a_character_are_refused() {
        let rule = |pat: &str| {
            format!("family = \"x\"\ndescription = \"d\"\n[[rule]]\nid = \"r\"\nsummary = \"s\"\neffect = \"floor\"\nphrases = ['{pat}']\nclass = \"read\"\nrationale = \"r\"\nexamples.match = [\"a\"]\n")
        };
        for bad in [r"\bfoo.", r"[^a]foo", r"foo\W", r"foo(bar|.)", r"x[^.\n]*"] {
            let err = load_from(&[("x.toml".into(), rule(bad))])
                .unwrap_err()
                .to_string();
            assert!(err.contains("multi-byte"), "{bad}: {err}");
        }
        for good in [r"\bfoo\b", r"\bload\b[^.\n]*\binto\b", r"\b(a|b)s?\b", "é"] {
            assert!(
                load_from(&[("x.toml".into(), rule(good))]).is_ok(),
                "{good}"
            );
        }
    }

    #[test]
    fn multi_word_verbs_are_words_with_a_gap_only_before_a_last_particle() {
        let rule = |verb: &str| {
            format!("family = \"x\"\ndescription = \"d\"\n[[rule]]\nid = \"r\"\nsummary = \"s\"\nverbs = [\"{verb}\"]\nclass = \"read\"\nrationale = \"r\"\nexamples.match = [\"a\"]\n")
        };
        for good in ["get", "met a jour", "ruft * ab"] {
            assert!(
                load_from(&[("x.toml".into(), rule(good))]).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "Get",
            "met  a",
            "* ab",
            "ruft *",
            "ruft * a b",
            "r\u{e9}cup\u{e8}re",
            "",
        ] {
            assert!(load_from(&[("x.toml".into(), rule(bad))]).is_err(), "{bad}");
        }
    }

    #[test]
    fn parse_errors_have_positions() {
        let err = load_from(&[("y.toml".into(), "family = \"x\"\nfoo = [\n".into())])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("y.toml:"), "{err}");
    }
}
