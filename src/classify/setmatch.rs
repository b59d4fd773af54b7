//! Sets of patterns searched for every one that matches.
//!
//! [`SetMatcher`] (parameter names: short texts) answers as a
//! `regex::bytes::RegexSetBuilder` set would: a pattern that matches only a
//! few whole texts is a lookup of the text, the others are configured
//! exactly as that builder configures its `meta::Regex` (see
//! [`Engine::new`](super::engine::Engine::new)), with the search cache and
//! the match set kept per thread and reused: `RegexSet::matches` allocates a
//! match set on every call (about twenty per tool) and takes its cache from
//! a shared pool.
//!
//! [`PhraseMatcher`] (the phrase rules over names, titles and descriptions)
//! also says where each pattern matches, and finds them without an
//! overlapping search of every pattern over every byte: a literal prefilter
//! picks the places worth trying (it took the classifier from about 34,000
//! to about 48,000 tools per CPU-second on the dev corpus).

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{hybrid, Input, MatchKind, PatternSet};

/// Distinguishes sets, so a thread's scratch space is never used with
/// another set's automaton.
static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// One set's search cache and match set, boxed: the cache is a large
/// struct, and moving it in and out of the slot on every search cost more
/// than the allocation it saves.
type Scratch = Box<(meta::Cache, PatternSet)>;

thread_local! {
    /// This thread's scratch space, per set (a handful of sets per engine).
    static SCRATCH: RefCell<Vec<(usize, Option<Scratch>)>> = const { RefCell::new(Vec::new()) };
}

/// `pats` compiled into one meta regex as `regex::bytes::RegexSetBuilder`
/// compiles them (case-insensitive, ASCII, bytes), on top of `metac`, with
/// an NFA size limit of `size` and a lazy-DFA cache of `dfa` bytes; an
/// error is the one that builder gives for the same patterns.
fn build_set(
    pats: &[String],
    metac: meta::Config,
    size: usize,
    dfa: usize,
) -> Result<Regex, regex::Error> {
    let metac = metac
        .nfa_size_limit(Some(size))
        .hybrid_cache_capacity(dfa)
        .utf8_empty(false);
    let syntaxc = syntax::Config::new()
        .unicode(false)
        .case_insensitive(true)
        .utf8(false);
    meta::Builder::new()
        .configure(metac)
        .syntax(syntaxc)
        .build_many(pats)
        .map_err(|e| set_error(pats, size, dfa, e.to_string()))
}

/// The error `regex::bytes::RegexSetBuilder` gives for `pats` built the
/// engine's way, or `msg` when that builder accepts them: what a user of
/// the rules sees whichever engine failed.
fn set_error(pats: &[String], size: usize, dfa: usize, msg: String) -> regex::Error {
    regex::bytes::RegexSetBuilder::new(pats)
        .unicode(false)
        .case_insensitive(true)
        .size_limit(size)
        .dfa_size_limit(dfa)
        .build()
        .err()
        .unwrap_or(regex::Error::Syntax(msg))
}

/// `pats` compiled as `regex::bytes::RegexSetBuilder` compiles them
/// (case-insensitive, ASCII, bytes; an NFA size limit of `size`) into a
/// lazy DFA alone (a cache of `dfa` bytes) that finds where a match
/// starting at a given place ends, leftmost-first, for any one pattern:
/// all a phrase matcher asks. The meta regex built before also compiled a
/// reverse NFA and other engines at start-up, and went through its
/// strategy on every search, for the same answer (it runs this same lazy
/// DFA, falling back to a slower engine only when that gives up, which this
/// one never does). An error is the one that builder gives.
fn phrase_dfa(pats: &[String], size: usize, dfa: usize) -> Result<hybrid::dfa::DFA, regex::Error> {
    phrase_dfa_of(pats, size, dfa, MatchKind::LeftmostFirst)
}

/// [`phrase_dfa`] with the match semantics `kind`: `All` for a lazy DFA
/// that tells which patterns match (an overlapping search).
fn phrase_dfa_of(
    pats: &[String],
    size: usize,
    dfa: usize,
    kind: MatchKind,
) -> Result<hybrid::dfa::DFA, regex::Error> {
    use regex_automata::nfa::thompson;
    let set_error = |e: String| set_error(pats, size, dfa, e);
    let syntaxc = syntax::Config::new()
        .unicode(false)
        .case_insensitive(true)
        .utf8(false);
    let nfa = thompson::Compiler::new()
        .syntax(syntaxc)
        .configure(
            thompson::Config::new()
                .utf8(false)
                .nfa_size_limit(Some(size))
                .shrink(false)
                .which_captures(thompson::WhichCaptures::None),
        )
        .build_many(pats)
        .map_err(|e| set_error(e.to_string()))?;
    // No quit bytes (`\b` is ASCII: no Unicode word boundary to give up
    // on) and no give-up point: a full cache is cleared and the search goes
    // on, so a search never fails.
    hybrid::dfa::Builder::new()
        .configure(
            hybrid::dfa::Config::new()
                .match_kind(kind)
                .starts_for_each_pattern(true)
                .cache_capacity(dfa)
                .minimum_cache_clear_count(None),
        )
        .build_from_nfa(nfa)
        .map_err(|e| set_error(e.to_string()))
}

pub struct SetMatcher {
    /// Patterns whose matches are a few whole texts ([`whole_texts`]), by
    /// those texts lowercased: a text is looked up, not searched (they are
    /// most parameter-name patterns: `^(?:force|hard|delete_?all)$`).
    exact: rustc_hash::FxHashMap<Vec<u8>, Vec<u32>>,
    /// The longest of those texts.
    exact_max: usize,
    /// The other patterns, searched, and their indices in the set.
    re: Option<Regex>,
    rest: Vec<u32>,
    id: usize,
}

/// The texts longest an exact pattern may match in full, kept on the stack
/// to be lowercased.
const EXACT_MAX: usize = 64;

/// Every text `pat` matches, if they are a few literals: a pattern
/// anchored at the text's start and end, with no other look-around and no
/// flags (whose `(?-i)` would make case matter), whose literal extraction
/// is finite and exact. Lowercased: the patterns match ASCII case
/// insensitively, and bytes only (`unicode(false)`).
fn whole_texts(pat: &str) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    use regex_syntax::hir::{Look, LookSet};
    if pat
        .match_indices("(?")
        .any(|(i, _)| !pat[i + 2..].starts_with(':'))
    {
        return None;
    }
    let hir = parse(pat)?;
    let props = hir.properties();
    let ends = LookSet::singleton(Look::Start).insert(Look::End);
    if !(props.look_set_prefix().contains(Look::Start)
        && props.look_set_suffix().contains(Look::End)
        && props.look_set().subtract(ends).is_empty())
    {
        return None;
    }
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_class(30)
        .limit_literal_len(EXACT_MAX)
        .limit_total(256);
    let seq = ex.extract(&hir);
    let lits = seq.literals()?;
    if lits.is_empty() || !lits.iter().all(|l| l.is_exact() && l.len() <= EXACT_MAX) {
        return None;
    }
    Some(
        lits.iter()
            .map(|l| l.as_bytes().to_ascii_lowercase())
            .collect(),
    )
}

impl SetMatcher {
    /// Compiles `pats` as `RegexSetBuilder::new(pats).unicode(false)
    /// .case_insensitive(true).size_limit(size).dfa_size_limit(dfa)` does;
    /// an error is the one that builder gives.
    pub fn new(pats: &[String], size: usize, dfa: usize) -> Result<SetMatcher, regex::Error> {
        let metac = meta::Config::new()
            .match_kind(MatchKind::All)
            .which_captures(regex_automata::nfa::thompson::WhichCaptures::None);
        let mut exact: rustc_hash::FxHashMap<Vec<u8>, Vec<u32>> = Default::default();
        let mut rest = Vec::new();
        for (i, p) in pats.iter().enumerate() {
            match whole_texts(p) {
                Some(texts) => {
                    for t in texts {
                        let at = exact.entry(t).or_default();
                        // A pattern may give one text twice (`a|a`).
                        if at.last() != Some(&(i as u32)) {
                            at.push(i as u32);
                        }
                    }
                }
                None => rest.push(i as u32),
            }
        }
        let re = if rest.is_empty() {
            None
        } else {
            let searched: Vec<String> = rest.iter().map(|&i| pats[i as usize].clone()).collect();
            // An error is told for the whole set, as the builder tells it.
            match build_set(&searched, metac.clone(), size, dfa) {
                Ok(re) => Some(re),
                Err(e) => return Err(build_set(pats, metac, size, dfa).err().unwrap_or(e)),
            }
        };
        Ok(SetMatcher {
            exact_max: exact.keys().map(Vec::len).max().unwrap_or(0),
            exact,
            re,
            rest,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// Calls `f` with the index of every pattern that matches somewhere in
    /// `hay`, in ascending order (as `RegexSet::matches(hay).iter()`).
    pub fn each_match(&self, hay: &[u8], mut f: impl FnMut(usize)) {
        let mut lower = [0u8; EXACT_MAX];
        let exact: &[u32] = match lower.get_mut(..hay.len()) {
            Some(l) if hay.len() <= self.exact_max => {
                l.copy_from_slice(hay);
                l.make_ascii_lowercase();
                self.exact.get(&*l).map_or(&[], Vec::as_slice)
            }
            _ => &[],
        };
        let Some(re) = &self.re else {
            exact.iter().for_each(|&p| f(p as usize));
            return;
        };
        // The scratch is taken out while searching, so `f` may search too.
        let taken = SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            s.iter_mut()
                .find(|(id, _)| *id == self.id)
                .and_then(|(_, slot)| slot.take())
        });
        let mut scratch = taken
            .unwrap_or_else(|| Box::new((re.create_cache(), PatternSet::new(re.pattern_len()))));
        let (cache, set) = &mut *scratch;
        set.clear();
        re.which_overlapping_matches_with(cache, &Input::new(hay), set);
        // Both lists ascend: merged.
        let mut exact = exact.iter().copied().peekable();
        for p in set.iter().map(|p| self.rest[p.as_usize()]) {
            while let Some(e) = exact.next_if(|&e| e < p) {
                f(e as usize);
            }
            f(p as usize);
        }
        exact.for_each(|e| f(e as usize));
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            match s.iter_mut().find(|(id, _)| *id == self.id) {
                Some((_, slot)) => *slot = Some(scratch),
                None => s.push((self.id, Some(scratch))),
            }
        });
    }
}

/// Bytes of a literal prefix kept for the prefilter: the first word or so
/// is as selective as the whole literal, and a shorter literal set makes a
/// smaller automaton (a shorter prefix of a match's prefix is still one).
const PREFIX_BYTES: usize = 8;

/// Phrase patterns searched for the ones that match and where, without an
/// overlapping search of every pattern at every byte: each pattern's
/// possible first bytes are extracted as literals when it is compiled (every
/// match starts with one of them), one Aho-Corasick scan finds where those
/// literals occur, and a pattern is then tried, anchored, only at those
/// places. A pattern without such literals (one that can start with any
/// letter) is searched on its own. The matches are exactly
/// `Regex::find_iter`'s for each pattern, built the engine's way
/// (case-insensitive, ASCII, `\b` an ASCII word boundary).
pub struct PhraseMatcher {
    /// Every pattern, searched anchored at one place for one pattern.
    dfa: hybrid::dfa::DFA,
    /// Where each pattern may match: its literals and the patterns
    /// searched without them.
    pre: Prefilter,
    /// The prefilter's patterns tried only at the text's start, in one lazy DFA telling which of them match at the
    /// text's start: one walk rather than one anchored search each (they
    /// are tried on every description, and almost never match).
    at_start: Option<hybrid::dfa::DFA>,
    /// Patterns that open with `\b`: a literal met inside a word cannot
    /// start their match (most literal hits are such: "all" in "install").
    opens_at_boundary: Vec<bool>,
    /// How many literals the patterns start with: the prefilter's literals
    /// from there on are the extra ones ([`PhraseMatcher::with_extra`]).
    pattern_lits: usize,
    id: usize,
}

/// One phrase matcher's search cache and candidate places, per thread.
type PhraseScratch = Box<(
    hybrid::dfa::Cache,
    Vec<(u32, usize)>,
    Option<(hybrid::dfa::Cache, PatternSet)>,
    Vec<u64>,
)>;

thread_local! {
    static PHRASE_SCRATCH: RefCell<Vec<(usize, Option<PhraseScratch>)>> = const { RefCell::new(Vec::new()) };
}

/// The literals every match of `pat` starts with (lowercased, at most
/// [`PREFIX_BYTES`] long, deduplicated), or `None` when the pattern can start
/// with too many different bytes for a literal set to exist.
#[cfg(test)]
fn prefixes(pat: &str) -> Option<Vec<Vec<u8>>> {
    prefixes_of(&parse(pat)?)
}

/// `pat` parsed case-sensitively: a case-insensitive match is a case
/// variant of a case-sensitive one, and the prefilter ignores ASCII case.
fn parse(pat: &str) -> Option<regex_syntax::hir::Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .case_insensitive(false)
        .build()
        .parse(pat)
        .ok()
}

/// Whether every match of `hir` starts at the text's start (`^` outside
/// multi-line mode) and none is empty: its only place to try is the start.
fn starts_only_at_start(hir: &regex_syntax::hir::Hir) -> bool {
    let props = hir.properties();
    props
        .look_set_prefix()
        .contains(regex_syntax::hir::Look::Start)
        && props.minimum_len().is_some_and(|n| n > 0)
}

/// [`prefixes`] of a parsed pattern.
fn prefixes_of(hir: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    // Only the first `PREFIX_BYTES` of each literal are kept: the
    // extractor stops crossing a literal once it is that long, rather than
    // building every full literal first only to cut it (that was about a
    // quarter of start-up).
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_class(30)
        .limit_literal_len(PREFIX_BYTES)
        .limit_total(2000);
    let seq = ex.extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    let mut out: Vec<Vec<u8>> = lits
        .iter()
        .map(|l| l.as_bytes()[..l.len().min(PREFIX_BYTES)].to_ascii_lowercase())
        .collect();
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// Literals of which every match of `hir` holds one (lowercased, at most
/// [`PREFIX_BYTES`] long), other than its prefixes: the prefixes of one
/// part of a sequence that every match goes through (`(api keys?|tokens?)`
/// at the end of `\b(gets?|lists?) (the )?(api keys?|tokens?)\b`). Of the
/// parts whose literals are all at least three bytes long and at most 64,
/// the one whose shortest literal is longest; `None` when no part has such
/// literals. A text holding none of them cannot match.
fn required_of(hir: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::HirKind;
    let parts = match hir.kind() {
        HirKind::Concat(parts) => parts,
        HirKind::Capture(c) => return required_of(&c.sub),
        _ => return None,
    };
    let mut best: Option<(usize, Vec<Vec<u8>>)> = None;
    for part in parts.iter().skip(1) {
        if part.properties().minimum_len().unwrap_or(0) == 0 {
            continue;
        }
        let Some(lits) = prefixes_of(part) else {
            continue;
        };
        let shortest = lits.iter().map(Vec::len).min().unwrap_or(0);
        if lits.len() <= 64 && shortest >= 3 && best.as_ref().is_none_or(|(b, _)| shortest > *b) {
            best = Some((shortest, lits));
        }
    }
    best.map(|(_, lits)| lits)
}

/// A phrase matcher's prefilter ([`PhraseMatcher::prefilter`] builds it).
struct Prefilter {
    /// The literal prefixes and required literals (ASCII case-insensitive).
    ac: Literals,
    /// For each literal, the patterns it starts: `starts[lit_at[i]..lit_at[i + 1]]`.
    lit_at: Vec<u32>,
    starts: Vec<u32>,
    /// For each literal, the patterns one of whose matches must hold one of
    /// their required literals ([`required_of`]), this one among them:
    /// `needs[need_at[i]..need_at[i + 1]]`; and which patterns have such a
    /// set. A pattern none of whose required literals occurs in a text is
    /// never tried on it.
    need_at: Vec<u32>,
    needs: Vec<u32>,
    has_need: Vec<bool>,
    /// Patterns without literal prefixes, in ascending order, with their own regexes.
    free: Vec<(usize, regex::bytes::Regex)>,
    /// Patterns without literal prefixes whose every match starts at the
    /// text's start (`^`), ascending: tried there alone, anchored, rather
    /// than searched on their own over the whole text.
    free_at_start: Vec<u32>,
    /// Patterns whose every match starts at the text's start: a literal
    /// met anywhere else cannot start one ("is" in `^(is|are) ...`).
    only_at_start: Vec<bool>,
}

impl Prefilter {
    /// Whether pattern `p` may match a text whose required literals met
    /// are the bits `seen`: it needs none, or one of its own was met.
    fn met(&self, seen: &[u64], p: usize) -> bool {
        !self.has_need[p] || seen[p / 64] & (1 << (p % 64)) != 0
    }
}

impl PhraseMatcher {
    /// Compiles `pats` (case-insensitive, ASCII) with an NFA size limit of
    /// `size` and a lazy-DFA cache of `dfa` bytes.
    pub fn new(pats: &[String], size: usize, dfa: usize) -> Result<PhraseMatcher, regex::Error> {
        Self::with_extra(pats, size, dfa, &[])
    }

    /// [`PhraseMatcher::new`] whose prefilter also finds the literals
    /// `extra` (ASCII case ignored) and reports them from
    /// [`PhraseMatcher::scan`]: another scan of the same text for a few
    /// literals costs as much as this one for thousands (one table lookup
    /// per byte either way).
    pub fn with_extra(
        pats: &[String],
        size: usize,
        dfa: usize,
        extra: &[&str],
    ) -> Result<PhraseMatcher, regex::Error> {
        // The set and the prefilter are built side by side (start-up).
        let (matcher, prefilter) = rayon::join(
            || phrase_dfa(pats, size, dfa),
            || Self::prefilter(pats, size, extra),
        );
        let matcher = matcher?;
        let pre = prefilter?;
        let at_start = if pre.free_at_start.is_empty() {
            None
        } else {
            let at_start: Vec<String> = pre
                .free_at_start
                .iter()
                .map(|&p| pats[p as usize].clone())
                .collect();
            Some(phrase_dfa_of(&at_start, size, dfa, MatchKind::All)?)
        };
        let pattern_lits = pre.lit_at.len() - 1;
        Ok(PhraseMatcher {
            dfa: matcher,
            pre,
            at_start,
            opens_at_boundary: pats.iter().map(|p| p.starts_with(r"\b")).collect(),
            pattern_lits,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The literal prefilter of `pats`: the DFA of every pattern's literal
    /// prefixes, for each literal the patterns it starts
    /// (`starts[lit_at[i]..lit_at[i + 1]]`), the patterns without literal
    /// prefixes with their own regexes, those of them tried only at the
    /// text's start, and which patterns match only there. The DFA's
    /// literals after the patterns' are `extra`'s, in order.
    fn prefilter(pats: &[String], size: usize, extra: &[&str]) -> Result<Prefilter, regex::Error> {
        // Each literal: the patterns it starts, and those that need it (or
        // another of their required literals) somewhere in the text.
        let mut by_lit: std::collections::BTreeMap<Vec<u8>, (Vec<u32>, Vec<u32>)> =
            Default::default();
        let (mut free, mut free_at_start, mut only_at_start) = (Vec::new(), Vec::new(), Vec::new());
        let mut has_need = vec![false; pats.len()];
        for (i, p) in pats.iter().enumerate() {
            let hir = parse(p);
            let at_start = hir.as_ref().is_some_and(starts_only_at_start);
            only_at_start.push(at_start);
            if let Some(need) = hir.as_ref().and_then(required_of) {
                has_need[i] = true;
                for l in need {
                    by_lit.entry(l).or_default().1.push(i as u32);
                }
            }
            // A pattern whose every match starts at the text's start is
            // tried there alone, whatever its prefixes: their occurrences
            // elsewhere could never start a match, yet each would cost the
            // prefilter a report (`^[a-z]{2,}s ...` has 676 of them).
            match hir.as_ref().and_then(prefixes_of) {
                _ if at_start => free_at_start.push(i as u32),
                Some(lits) => {
                    for l in lits {
                        by_lit.entry(l).or_default().0.push(i as u32);
                    }
                }
                None => free.push((
                    i,
                    regex::bytes::RegexBuilder::new(p)
                        .unicode(false)
                        .case_insensitive(true)
                        .size_limit(size)
                        .build()?,
                )),
            }
        }
        let (mut lit_at, mut starts) = (vec![0u32], Vec::new());
        let (mut need_at, mut needs) = (vec![0u32], Vec::new());
        for (starting, needing) in by_lit.values() {
            starts.extend(starting);
            lit_at.push(starts.len() as u32);
            needs.extend(needing);
            need_at.push(needs.len() as u32);
        }
        // A few thousand short literals: a full DFA (a few megabytes) takes
        // one table lookup per byte, several times faster than the crate's
        // default (a contiguous NFA) on the long descriptions.
        let lits = by_lit.keys().map(Vec::as_slice);
        let ac = Literals::new(lits.chain(extra.iter().map(|l| l.as_bytes())));
        Ok(Prefilter {
            ac,
            lit_at,
            starts,
            need_at,
            needs,
            has_need,
            free,
            free_at_start,
            only_at_start,
        })
    }

    /// Calls `f(pattern, matches)` for every pattern that matches somewhere
    /// in `hay`, in ascending pattern order; `matches` yields the pattern's
    /// matches as `(start, end)`, as `Regex::find_iter` would (leftmost-first,
    /// not overlapping), computed as they are taken.
    pub fn each_match(&self, hay: &[u8], f: impl FnMut(usize, &mut Matches<'_>)) {
        self.each_match_of(hay, None, f)
    }

    /// [`each_match`](Self::each_match) for the patterns `keep` holds
    /// (all with `None`): the others are never tried, and `f` never hears
    /// of them (a pattern of a rule that does not read the field).
    pub fn each_match_of(
        &self,
        hay: &[u8],
        keep: Option<&[bool]>,
        f: impl FnMut(usize, &mut Matches<'_>),
    ) {
        self.scan(hay, keep, |_, _, _| {}).each_match(f)
    }

    /// The first half of [`each_match_of`](Self::each_match_of): one pass
    /// over `hay` finds where the patterns may match, and calls
    /// `extra(i, start, end)` for every occurrence of the `i`th extra
    /// literal (overlapping ones too), before any pattern is tried.
    pub fn scan<'m>(
        &'m self,
        hay: &'m [u8],
        keep: Option<&'m [bool]>,
        mut extra: impl FnMut(usize, usize, usize),
    ) -> Scan<'m> {
        let kept = |p: usize| keep.is_none_or(|k| k[p]);
        let taken = PHRASE_SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            s.iter_mut()
                .find(|(id, _)| *id == self.id)
                .and_then(|(_, slot)| slot.take())
        });
        let mut scratch = taken.unwrap_or_else(|| {
            let at_start = self.at_start.as_ref().map(|d| {
                (
                    d.create_cache(),
                    PatternSet::new(self.pre.free_at_start.len()),
                )
            });
            Box::new((self.dfa.create_cache(), Vec::new(), at_start, Vec::new()))
        });
        let (_, cand, at_start_scratch, seen) = &mut *scratch;
        cand.clear();
        seen.clear();
        seen.resize(self.pre.has_need.len().div_ceil(64), 0);
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let pre = &self.pre;
        pre.ac.overlapping_hits(hay, |l, at, end| {
            if l >= self.pattern_lits {
                extra(l - self.pattern_lits, at, end);
                return;
            }
            for &p in &pre.needs[pre.need_at[l] as usize..pre.need_at[l + 1] as usize] {
                seen[p as usize / 64] |= 1 << (p % 64);
            }
            // `\b` before a word byte needs a non-word byte (or nothing) before it.
            let inside_word = at > 0 && word(hay[at]) && word(hay[at - 1]);
            for &p in &pre.starts[pre.lit_at[l] as usize..pre.lit_at[l + 1] as usize] {
                let p_ = p as usize;
                if !(inside_word && self.opens_at_boundary[p_])
                    && (at == 0 || !pre.only_at_start[p_])
                    && kept(p_)
                {
                    cand.push((p, at));
                }
            }
        });
        if let (Some(d), Some((cache, set))) = (&self.at_start, at_start_scratch) {
            set.clear();
            let input = Input::new(hay).anchored(regex_automata::Anchored::Yes);
            d.try_which_overlapping_matches(cache, &input, set)
                .expect("a lazy DFA without quit bytes or a give-up point never fails");
            cand.extend(
                set.iter()
                    .map(|i| pre.free_at_start[i.as_usize()])
                    .filter(|&p| kept(p as usize))
                    .map(|p| (p, 0)),
            );
        }
        // A pattern none of whose required literals occurs cannot match.
        cand.retain(|&(p, _)| pre.met(seen, p as usize));
        cand.sort_unstable();
        cand.dedup();
        Scan {
            m: self,
            hay,
            keep,
            scratch: Some(scratch),
        }
    }
}

/// Where a [`PhraseMatcher`]'s patterns may match in one text, found by
/// [`PhraseMatcher::scan`]; holds the matcher's scratch space for this
/// thread until it is used or dropped.
pub struct Scan<'m> {
    m: &'m PhraseMatcher,
    hay: &'m [u8],
    keep: Option<&'m [bool]>,
    scratch: Option<PhraseScratch>,
}

impl Scan<'_> {
    /// The second half of [`PhraseMatcher::each_match_of`]: `f(pattern,
    /// matches)` for every pattern that matches, in ascending order.
    pub fn each_match(mut self, mut f: impl FnMut(usize, &mut Matches<'_>)) {
        let Some(mut scratch) = self.scratch.take() else {
            return;
        };
        let (m, hay, keep) = (self.m, self.hay, self.keep);
        let kept = |p: usize| keep.is_none_or(|k| k[p]);
        let (cache, cand, _, seen) = &mut *scratch;
        let mut free = m
            .pre
            .free
            .iter()
            .filter(|(p, _)| kept(*p) && m.pre.met(seen, *p))
            .peekable();
        let mut i = 0;
        loop {
            let next_anchored = cand.get(i).map(|c| c.0 as usize);
            let next_free = free.peek().map(|(p, _)| *p);
            let (pattern, places, own) = match (next_anchored, next_free) {
                (None, None) => break,
                (Some(a), Some(b)) if b < a => {
                    let (p, re) = free.next().expect("peeked");
                    (*p, &cand[..0], Some(re))
                }
                (None, Some(_)) => {
                    let (p, re) = free.next().expect("peeked");
                    (*p, &cand[..0], Some(re))
                }
                (Some(a), _) => {
                    let j = i + cand[i..].iter().take_while(|c| c.0 as usize == a).count();
                    let group = &cand[i..j];
                    i = j;
                    (a, group, None)
                }
            };
            let mut ms = Matches {
                dfa: &m.dfa,
                cache: &mut *cache,
                hay,
                pattern: regex_automata::PatternID::new_unchecked(pattern),
                places,
                last_end: 0,
                own: own.map(|r| r.find_iter(hay)),
                first: None,
            };
            ms.first = ms.next();
            if ms.first.is_some() {
                f(pattern, &mut ms);
            }
        }
        self.scratch = Some(scratch);
    }
}

impl Drop for Scan<'_> {
    /// The scratch space goes back to this thread's slot.
    fn drop(&mut self) {
        let Some(scratch) = self.scratch.take() else {
            return;
        };
        let id = self.m.id;
        PHRASE_SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            match s.iter_mut().find(|(i, _)| *i == id) {
                Some((_, slot)) => *slot = Some(scratch),
                None => s.push((id, Some(scratch))),
            }
        });
    }
}

/// A set of literals (ASCII case ignored) found wherever they occur in a
/// text, overlapping ones too: what aho-corasick's `find_overlapping_iter`
/// reports, in another order. Its Aho-Corasick automaton is built here as
/// one flat table: walking the crate's DFA (its `next_state` and match
/// test per byte) took about a third more instructions per byte than this
/// table, whose state numbers carry their own match flag, and building the
/// crate's DFA for a few thousand literals took about ten times longer
/// than this table (start-up is most of classifying one server).
pub struct Literals {
    /// A byte's class: one for each (lowercased) byte some literal holds,
    /// 0 for every other byte (which sends every state back to the start).
    classes: [u8; 256],
    /// A state is `number << shift | matching`: `trans[number << shift ..]`
    /// holds its next state for each class, and bit 0 says whether a
    /// literal ends at it (`shift` is at least 1, rows a power of two long).
    /// The start is state 0.
    shift: u32,
    trans: Vec<u32>,
    /// The literals (index, length) that end at state `s`:
    /// `ends[end_at[s]..end_at[s + 1]]`.
    end_at: Vec<u32>,
    ends: Vec<(u32, u32)>,
    max_len: usize,
}

impl Literals {
    /// The literals `lits` (their index is their order; none is empty).
    pub fn new<I, P>(lits: I) -> Literals
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let lits: Vec<Vec<u8>> = lits
            .into_iter()
            .map(|l| l.as_ref().to_ascii_lowercase())
            .collect();
        assert!(lits.iter().all(|l| !l.is_empty()), "an empty literal");
        // Bytes in no literal act alike (back to the start), and so do a
        // letter's two cases.
        let mut classes = [0u8; 256];
        let mut n = 1usize;
        for &x in lits.iter().flatten() {
            if classes[usize::from(x)] == 0 {
                let c = u8::try_from(n).expect("at most 231 classes");
                classes[usize::from(x)] = c;
                classes[usize::from(x.to_ascii_uppercase())] = c;
                n += 1;
            }
        }
        let shift = n.next_power_of_two().trailing_zeros().max(1);
        let stride = 1usize << shift;
        // The trie of the literals: `next[s * stride + c]`, 0 for none
        // (the start, state 0, is no state's child).
        let mut next: Vec<u32> = vec![0; stride];
        let mut outs: Vec<Vec<(u32, u32)>> = vec![Vec::new()];
        for (i, l) in lits.iter().enumerate() {
            let mut s = 0usize;
            for &x in l {
                let at = s * stride + usize::from(classes[usize::from(x)]);
                if next[at] == 0 {
                    next[at] = outs.len() as u32;
                    next.resize(next.len() + stride, 0);
                    outs.push(Vec::new());
                }
                s = next[at] as usize;
            }
            outs[s].push((i as u32, l.len() as u32));
        }
        // Breadth first, each state's missing moves become its failure
        // state's (already complete: it is shallower), and a state ends
        // its failure state's literals too (they are suffixes of its own).
        let mut fail = vec![0u32; outs.len()];
        let mut queue = vec![0u32];
        let mut q = 0;
        while let Some(&s) = queue.get(q) {
            q += 1;
            let (s, f) = (s as usize, fail[s as usize] as usize);
            if s != 0 && !outs[f].is_empty() {
                let inherited = outs[f].clone();
                outs[s].extend(inherited);
            }
            for c in 0..n {
                let t = next[s * stride + c];
                let via_fail = if s == 0 { 0 } else { next[f * stride + c] };
                if t != 0 {
                    fail[t as usize] = via_fail;
                    queue.push(t);
                } else {
                    next[s * stride + c] = via_fail;
                }
            }
        }
        let matching: Vec<u32> = outs.iter().map(|o| u32::from(!o.is_empty())).collect();
        let trans = next
            .iter()
            .map(|&s| s << shift | matching[s as usize])
            .collect();
        let (mut end_at, mut ends) = (vec![0u32], Vec::new());
        for o in &outs {
            ends.extend(o);
            end_at.push(ends.len() as u32);
        }
        Literals {
            classes,
            shift,
            trans,
            end_at,
            ends,
            max_len: lits.iter().map(Vec::len).max().unwrap_or(0),
        }
    }

    /// Calls `f(literal, start, end)` for every occurrence of every literal
    /// in `hay`, overlapping ones too, in no particular order.
    ///
    /// Each step of a walk waits on the table load of the step before, so a
    /// long text is walked as two halves at once (the second half's walker
    /// starts a longest literal early and reports only what ends in its
    /// half): two independent chains of loads keep the core busy where one
    /// stalls.
    pub fn overlapping_hits(&self, hay: &[u8], mut f: impl FnMut(usize, usize, usize)) {
        let step = |s: u32, b: u8| {
            self.trans[(s & !1) as usize + usize::from(self.classes[usize::from(b)])]
        };
        let mut report = |s: u32, end: usize| {
            let row = (s >> self.shift) as usize;
            for &(l, len) in &self.ends[self.end_at[row] as usize..self.end_at[row + 1] as usize] {
                f(l as usize, end - len as usize, end);
            }
        };
        const TWO_WALKS: usize = 96;
        if hay.len() < TWO_WALKS {
            let mut s = 0u32;
            for (i, &b) in hay.iter().enumerate() {
                s = step(s, b);
                if s & 1 != 0 {
                    report(s, i + 1);
                }
            }
            return;
        }
        let mid = hay.len() / 2;
        let back = mid.saturating_sub(self.max_len.saturating_sub(1));
        // The second walker reads `hay[back..mid]` first without reporting
        // (what ends there is the first walker's), then both walk side by
        // side to `mid`, then the second goes on alone: three loops, no
        // test per byte of which phase it is in.
        let (first, second) = (&hay[..mid], &hay[back..]);
        let warm = mid - back;
        let (mut a, mut b) = (0, 0);
        for (k, (&x, &y)) in first[..warm].iter().zip(&second[..warm]).enumerate() {
            a = step(a, x);
            if a & 1 != 0 {
                report(a, k + 1);
            }
            b = step(b, y);
        }
        for (k, (&x, &y)) in first[warm..].iter().zip(&second[warm..mid]).enumerate() {
            a = step(a, x);
            if a & 1 != 0 {
                report(a, warm + k + 1);
            }
            b = step(b, y);
            if b & 1 != 0 {
                report(b, mid + k + 1);
            }
        }
        for (k, &y) in second[mid..].iter().enumerate() {
            b = step(b, y);
            if b & 1 != 0 {
                report(b, back + mid + k + 1);
            }
        }
    }
}

/// One pattern's matches in a text, taken one by one.
pub struct Matches<'a> {
    dfa: &'a hybrid::dfa::DFA,
    cache: &'a mut hybrid::dfa::Cache,
    hay: &'a [u8],
    pattern: regex_automata::PatternID,
    /// Places its literals start at, ascending (pattern, place).
    places: &'a [(u32, usize)],
    last_end: usize,
    /// A pattern without literal prefixes: its own search.
    own: Option<regex::bytes::Matches<'a, 'a>>,
    /// The first match, found to know whether to report the pattern.
    first: Option<(usize, usize)>,
}

impl Iterator for Matches<'_> {
    type Item = (usize, usize);
    fn next(&mut self) -> Option<(usize, usize)> {
        if let Some(m) = self.first.take() {
            return Some(m);
        }
        if let Some(own) = &mut self.own {
            return own.next().map(|m| (m.start(), m.end()));
        }
        while let Some((&(_, at), rest)) = self.places.split_first() {
            self.places = rest;
            if at < self.last_end {
                continue;
            }
            let input = Input::new(self.hay)
                .range(at..)
                .anchored(regex_automata::Anchored::Pattern(self.pattern));
            let found = self
                .dfa
                .try_search_fwd(self.cache, &input)
                .expect("a lazy DFA without quit bytes or a give-up point never fails");
            if let Some(hm) = found {
                self.last_end = hm.offset();
                return Some((at, hm.offset()));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A phrase pattern is tried, anchored, wherever one of its literal
    /// prefixes occurs; one without any is searched on its own over every
    /// byte. A pattern whose prefixes include a single letter or digit (an
    /// optional run of any words first: `([a-z]+ ){0,2}tool`) is tried at
    /// almost every word: one such pattern once doubled the instructions of a
    /// whole run. Only a pattern anchored at the text's start (`^`), tried
    /// there alone, may be either.
    #[test]
    fn every_rule_phrase_has_selective_literal_prefixes_or_is_anchored() {
        let e = crate::classify::engine();
        let mut costly = Vec::new();
        for rule in &e.catalogue.rules {
            for p in rule.phrases.iter().chain(rule.param_phrases.iter()) {
                if p.starts_with('^') {
                    continue;
                }
                let selective = prefixes(p).is_some_and(|lits| {
                    lits.iter()
                        .all(|l| l.len() > 1 || !l.first().is_some_and(u8::is_ascii_alphanumeric))
                });
                if !selective {
                    costly.push(format!("{}: {p}", rule.id));
                }
            }
        }
        assert!(costly.is_empty(), "{costly:#?}");
    }

    /// Each pattern on its own, built as the engine builds them: what the
    /// matchers must agree with.
    fn reference_regexes(pats: &[String]) -> Vec<regex::bytes::Regex> {
        pats.iter()
            .map(|p| {
                regex::bytes::RegexBuilder::new(p)
                    .unicode(false)
                    .case_insensitive(true)
                    .build()
                    .unwrap()
            })
            .collect()
    }

    /// Every occurrence `find_overlapping_iter` reports, whatever the
    /// text's length (one walk or two) and wherever literals straddle the
    /// middle.
    /// A pattern's required literals are those of a later part every match
    /// goes through, long enough to be selective; none where no such part is.
    #[test]
    fn required_literals_come_from_a_part_every_match_holds() {
        let req = |p: &str| required_of(&parse(p).unwrap());
        let lits = |v: &[&str]| Some(v.iter().map(|l| l.as_bytes().to_vec()).collect::<Vec<_>>());
        assert_eq!(
            req(r"\b(gets?|lists?) (the )?(tokens?|secrets?)\b"),
            lits(&["secret", "secrets", "token", "tokens"])
        );
        // A literal part, cut to the prefilter's length.
        assert_eq!(req(r"\bset the password\b"), lits(&["set the "]));
        assert_eq!(req(r"\b(ab|cd) (ef|gh)\b"), None);
        assert_eq!(req(r"\b(read|write)s?\b"), lits(&["read", "write"]));
        // An optional part is never required.
        assert_eq!(req(r"\bdelete( everything)?"), lits(&["delete"]));
    }

    #[test]
    fn overlapping_hits_agree_with_the_crate() {
        let lits = [
            "ab", "abcdefgh", "bcd", "h", "defgha", "a", "A-b", "é", "x y", "9_", "AB",
        ];
        let dfa = Literals::new(lits);
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(lits)
            .unwrap();
        let unit = "xAbCdEfGhAbcd defgha éÉa-B X Y;9_ z\u{2014}a-";
        for n in [0, 1, 7, 95, 96, 97, 150, 301] {
            for shift in 0..unit.chars().count() {
                let hay: String = unit.chars().cycle().skip(shift).take(n).collect();
                let mut got = Vec::new();
                dfa.overlapping_hits(hay.as_bytes(), |l, at, end| got.push((l, at, end)));
                got.sort_unstable();
                let mut want: Vec<(usize, usize, usize)> = ac
                    .find_overlapping_iter(&hay)
                    .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                    .collect();
                want.sort_unstable();
                assert_eq!(got, want, "{n} {shift}");
            }
        }
    }

    /// The same indices as `regex::bytes::RegexSet` built the engine's way.
    #[test]
    fn agrees_with_regex_set() {
        // Searched patterns, and whole-text ones looked up (some of them
        // sharing a text), merged in order.
        let pats: Vec<String> = [
            r"\bdelete\b",
            r"\bdrop\s+table\b",
            r"^x$",
            r"\bread",
            r"^(?:force|hard_?delete)$",
            r"é",
            r"^(?:sql|x|a|a)$",
            r"^(?:(?-i:Q))$",
            r"^(?:all\b)$",
            r"^(?:[a-c]_?id)$",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        assert!(whole_texts(&pats[4]).is_some() && whole_texts(&pats[9]).is_some());
        assert!(whole_texts(&pats[7]).is_none() && whole_texts(&pats[8]).is_none());
        assert!(whole_texts(&pats[0]).is_none() && whole_texts(r"^x+$").is_none());
        let only_exact = SetMatcher::new(&pats[4..5], 10 << 20, 2 << 20).unwrap();
        let set = regex::bytes::RegexSetBuilder::new(&pats)
            .unicode(false)
            .case_insensitive(true)
            .build()
            .unwrap();
        let m = SetMatcher::new(&pats, 10 << 20, 2 << 20).unwrap();
        for hay in [
            "DELETE the rows; Drop  Table x",
            "reads only",
            "x",
            "X",
            "nothing",
            "café",
            "",
            "FORCE",
            "hard_Delete",
            "harddelete",
            "hard delete",
            "q",
            "Q",
            "sql",
            "a",
            "all",
            "B_ID",
            "cid",
            "did",
        ] {
            let mut only = Vec::new();
            only_exact.each_match(hay.as_bytes(), |p| only.push(p));
            let force = ["FORCE", "hard_Delete", "harddelete"].contains(&hay);
            assert_eq!(only, if force { vec![0] } else { vec![] }, "{hay}");
            let want: Vec<usize> = set.matches(hay.as_bytes()).iter().collect();
            let mut got = Vec::new();
            // Twice: the reused scratch gives the same answer.
            for _ in 0..2 {
                got.clear();
                m.each_match(hay.as_bytes(), |p| got.push(p));
                assert_eq!(got, want, "{hay}");
            }
        }
        assert!(SetMatcher::new(&["(".to_owned()], 10 << 20, 2 << 20).is_err());
        // The error is the builder's for the whole set.
        let bad = ["^x$".to_owned(), "(".to_owned()];
        let want = regex::bytes::RegexSetBuilder::new(&bad)
            .unicode(false)
            .case_insensitive(true)
            .size_limit(10 << 20)
            .dfa_size_limit(2 << 20)
            .build()
            .err()
            .map(|e| e.to_string());
        let got = SetMatcher::new(&bad, 10 << 20, 2 << 20).err();
        assert_eq!(got.map(|e| e.to_string()), want);
    }

    /// Every pattern's matches as `Regex::find_iter` gives them, built the
    /// engine's way; patterns with and without literal prefixes.
    #[test]
    fn phrase_matches_agree_with_find_iter() {
        let pats: Vec<String> = [
            r"\bdelete\b",
            r"\b(all|every) (the )?(rows?|files?)\b",
            r"\b(a |an )?(new )?(terminal|shell) (session|process)(es|s)?\b",
            r"\w+ed\b",
            r"<\s*/?\s*(important|secret)\s*>",
            r"é",
            r"\bSQL\b",
            r"(^|[\s(])\.env\b",
            r"\bre(ad|move)s?",
            r"\ball\b",
            r"\b_?delete",
            r"aa",
            // Literal alternations: leftmost-first (not longest) at a
            // place, `\b` on either side or none, overlapping candidates.
            r"\b(all|allow)\b",
            r"\b(allow|all)\b",
            r"\bdeletes?\b",
            r"\bdelete(s|d)??\b",
            r"rows?\b",
            r"\bdrop",
            r"\bcafé\b",
            r"\b(-x|x-)\b",
            r"\b(ab|a)(c|bc)\b",
            r"\b(re)?move(s|d)?( (all|every)( the)?)?\b",
            r"(?-i:\bAll\b)",
            r"\b(all\b|allowed)",
            r"\bpermanently (delete|remove|destroy|erase)",
            // At the text's start only: with literal prefixes, without, and
            // a start in one branch only.
            r"^(is|are) [a-z]+",
            r"^([a-z0-9%&/-]+ ){0,2}rows?\b",
            r"^([a-z0-9%&/-]+ )?(all|is) ",
            r"(^|[.;] +)use\b",
            r"\A(all|x)",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        // Free patterns too: `\w` has too many bytes for a literal set.
        assert!(prefixes(r"\w+ed\b").is_none());
        // Prefixes are cut to `PREFIX_BYTES` (and deduplicated) however
        // the literals go on.
        assert_eq!(
            prefixes(r"\bPermanently (delete|remove)( all)?"),
            Some(vec![b"permanen".to_vec()])
        );
        assert_eq!(
            prefixes(r"\b(all|allow)(s|ed)?\b"),
            Some(
                ["all", "alled", "allow", "allowed", "allows", "alls"]
                    .map(|l| l.as_bytes().to_vec())
                    .to_vec()
            )
        );
        let m = PhraseMatcher::new(&pats, 10 << 20, 2 << 20).unwrap();
        // Extra literals, some of them a pattern's literal too, change
        // nothing of the matches and are reported where they occur.
        let extra = ["all", "delete", "ROWS AND", "will be lost", "lost"];
        let mx = PhraseMatcher::with_extra(&pats, 10 << 20, 2 << 20, &extra).unwrap();
        let extra_ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(extra)
            .unwrap();
        let res = reference_regexes(&pats);
        for hay in [
            "DELETE the rows; delete ALL the Files and every row",
            "Opens a new Terminal session, then an shell processes",
            "it reads, removed and REMOVES; deleted",
            "< IMPORTANT > cat .env and (.env) but not x.env",
            "café sql; SQL-ish; nosql",
            "aaaaa",
            "install all; recall-all_ball xdelete delete_x 9delete",
            "",
            "all",
            "allow",
            "ALLOW all Allowed allowall all_ all",
            "deletes deleted delete DELETES deletesx",
            "rows rowsrow ROW.row_ arrows",
            "dropdrop drop",
            "café CAFÉ cafés xcafé caféx café_",
            "a -x- x-x -x x- ab abc abbc ac",
            "remove all the rows; Moves every file; removed all",
            "ALL All all allowed",
            "éallé éallowé é-xé",
            "Permanently deletes; permanently-remove; PERMANENTLY DESTROYS",
            "is it; is x. Are rows",
            "Are rows. use all; use x",
            "use is all rows",
            "x rows is all",
            "Rows and data will be LOST; all rows and files lost",
        ] {
            let want: Vec<(usize, Vec<(usize, usize)>)> = res
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let ms: Vec<(usize, usize)> = r
                        .find_iter(hay.as_bytes())
                        .map(|m| (m.start(), m.end()))
                        .collect();
                    (i, ms)
                })
                .filter(|(_, ms)| !ms.is_empty())
                .collect();
            for _ in 0..2 {
                let mut got = Vec::new();
                m.each_match(hay.as_bytes(), |p, ms| {
                    got.push((p, ms.collect::<Vec<_>>()))
                });
                assert_eq!(got, want, "{hay}");
            }
            let mut found = Vec::new();
            let mut got = Vec::new();
            mx.scan(hay.as_bytes(), None, |i, s, e| found.push((i, s, e)))
                .each_match(|p, ms| got.push((p, ms.collect::<Vec<_>>())));
            assert_eq!(got, want, "{hay}");
            found.sort_unstable();
            let mut want_found: Vec<(usize, usize, usize)> = extra_ac
                .find_overlapping_iter(hay)
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect();
            want_found.sort_unstable();
            assert_eq!(found, want_found, "{hay}");
        }
        assert!(PhraseMatcher::new(&["(".to_owned()], 10 << 20, 2 << 20).is_err());
        assert!(prefixes(r"^([a-z0-9%&/-]+ ){0,2}rows?\b").is_none());
        assert!(starts_only_at_start(&parse(r"^(is|are) [a-z]+").unwrap()));
        assert!(!starts_only_at_start(&parse(r"(^|[.;] +)use\b").unwrap()));
        assert!(!starts_only_at_start(&parse(r"^x?").unwrap()));

        // Patterns left out are never reported; the others as before.
        let keep: Vec<bool> = (0..pats.len()).map(|p| p % 3 != 1).collect();
        let hay = b"is it; delete ALL the rows. use all; Drop x";
        let mut all = Vec::new();
        m.each_match(hay, |p, ms| all.push((p, ms.collect::<Vec<_>>())));
        assert!(all.iter().any(|(p, _)| p % 3 == 1));
        all.retain(|(p, _)| keep[*p]);
        let mut got = Vec::new();
        m.each_match_of(hay, Some(&keep), |p, ms| {
            got.push((p, ms.collect::<Vec<_>>()))
        });
        assert_eq!(got, all);
    }

    /// Every phrase pattern of the embedded rules, built as the engine
    /// builds them, over every text of the fixture corpus (and its upper
    /// case): the matches are `Regex::find_iter`'s.
    #[test]
    fn rule_phrases_agree_with_find_iter() {
        let cat =
            crate::classify::rules::load_from(&crate::classify::rules::embedded_files()).unwrap();
        let phrases: Vec<String> = cat.rules.iter().flat_map(|r| r.phrases.clone()).collect();
        let pdescs: Vec<String> = cat
            .rules
            .iter()
            .flat_map(|r| r.param_phrases.clone())
            .collect();
        let mut texts = Vec::new();
        fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::String(s) => out.push(s.clone()),
                serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
                serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out)),
                _ => {}
            }
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for f in files {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            strings(&v, &mut texts);
        }
        texts.sort();
        texts.dedup();
        assert!(texts.len() > 1000, "{}", texts.len());
        // A few dozen texts to a hay: fewer searches, and texts meet at
        // their edges as well as at the hay's.
        let mut hays: Vec<String> = texts.chunks(40).map(|c| c.join("\n")).collect();
        hays.extend(texts.iter().step_by(7).cloned());
        let upper: Vec<String> = hays.iter().map(|h| h.to_uppercase()).collect();
        hays.extend(upper);
        assert!(phrases.len() > 100 && !pdescs.is_empty());
        for pats in [&phrases, &pdescs] {
            let m = PhraseMatcher::new(pats, 64 << 20, 256 << 20).unwrap();
            let res = reference_regexes(pats);
            for hay in &hays {
                let hay = hay.as_bytes();
                let mut want = Vec::new();
                for (i, r) in res.iter().enumerate() {
                    let ms: Vec<(usize, usize)> =
                        r.find_iter(hay).map(|m| (m.start(), m.end())).collect();
                    if !ms.is_empty() {
                        want.push((i, ms));
                    }
                }
                let mut got = Vec::new();
                m.each_match(hay, |p, ms| got.push((p, ms.collect::<Vec<_>>())));
                assert_eq!(got, want);
            }
        }
    }
}
