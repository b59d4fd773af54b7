//! A set of patterns searched for every one that matches, configured exactly
//! as `regex::bytes::RegexSetBuilder` configures its `meta::Regex` (see
//! [`Engine::new`](super::engine::Engine::new)), but with the search cache
//! and the match set kept per thread and reused: `RegexSet::matches`
//! allocates a match set on every call (about twenty per tool) and takes its
//! cache from a shared pool.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind, PatternSet};

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

pub struct SetMatcher {
    re: Regex,
    id: usize,
}

impl SetMatcher {
    /// Compiles `pats` as `RegexSetBuilder::new(pats).unicode(false)
    /// .case_insensitive(true).size_limit(size).dfa_size_limit(dfa)` does;
    /// an error is the one that builder gives.
    pub fn new(pats: &[String], size: usize, dfa: usize) -> Result<SetMatcher, regex::Error> {
        let metac = meta::Config::new()
            .nfa_size_limit(Some(size))
            .hybrid_cache_capacity(dfa)
            .match_kind(MatchKind::All)
            .utf8_empty(false)
            .which_captures(regex_automata::nfa::thompson::WhichCaptures::None);
        let syntaxc = syntax::Config::new()
            .unicode(false)
            .case_insensitive(true)
            .utf8(false);
        match meta::Builder::new()
            .configure(metac)
            .syntax(syntaxc)
            .build_many(pats)
        {
            Ok(re) => Ok(SetMatcher {
                re,
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            }),
            // The `regex` crate's own error (its message) for the same patterns.
            Err(e) => Err(regex::bytes::RegexSetBuilder::new(pats)
                .unicode(false)
                .case_insensitive(true)
                .size_limit(size)
                .dfa_size_limit(dfa)
                .build()
                .err()
                .unwrap_or_else(|| regex::Error::Syntax(e.to_string()))),
        }
    }

    /// Calls `f` with the index of every pattern that matches somewhere in
    /// `hay`, in ascending order (as `RegexSet::matches(hay).iter()`).
    pub fn each_match(&self, hay: &[u8], mut f: impl FnMut(usize)) {
        // The scratch is taken out while searching, so `f` may search too.
        let taken = SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            s.iter_mut()
                .find(|(id, _)| *id == self.id)
                .and_then(|(_, slot)| slot.take())
        });
        let mut scratch = taken.unwrap_or_else(|| {
            Box::new((
                self.re.create_cache(),
                PatternSet::new(self.re.pattern_len()),
            ))
        });
        let (cache, set) = &mut *scratch;
        set.clear();
        self.re
            .which_overlapping_matches_with(cache, &Input::new(hay), set);
        for p in set.iter() {
            f(p.as_usize());
        }
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            match s.iter_mut().find(|(id, _)| *id == self.id) {
                Some((_, slot)) => *slot = Some(scratch),
                None => s.push((self.id, Some(scratch))),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same indices as `regex::bytes::RegexSet` built the engine's way.
    #[test]
    fn agrees_with_regex_set() {
        let pats: Vec<String> = [r"\bdelete\b", r"\bdrop\s+table\b", r"\bread", r"^x$", r"é"]
            .iter()
            .map(|p| p.to_string())
            .collect();
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
            "nothing",
            "café",
            "",
        ] {
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
    }
}
