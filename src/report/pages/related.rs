//! Related tools, in time linear in the catalogue: siblings on the same server
//! (a capped window, the server page holds the full list) and "the same kind
//! of tool on other servers": same class and category, nearest by name and
//! parameters, searched through an inverted index of name tokens per
//! (class, category) with a bounded number of candidates per tool.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use crate::classify::{Category, Class};

/// Siblings a tool page lists before pointing to the server page.
pub const SIBLINGS: usize = 12;
/// Tools of other servers a tool page lists.
pub const ACROSS: usize = 5;
/// Candidates scored per tool, at most.
const CANDIDATES: usize = 400;

/// What the search needs of one tool.
pub struct Probe<'a> {
    pub server: usize,
    pub class: Class,
    pub category: Category,
    pub name: &'a str,
    pub params: Vec<&'a str>,
}

/// Lowercase word tokens of an identifier: `rotateApiKey`, `rotate_api_key`
/// and `rotate-api-key` all give rotate, api, key.
pub fn tokens(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                out.insert(std::mem::take(&mut cur));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            cur.push(c.to_ascii_lowercase());
        } else {
            if !cur.is_empty() {
                out.insert(std::mem::take(&mut cur));
            }
            prev_lower = false;
        }
    }
    if !cur.is_empty() {
        out.insert(cur);
    }
    out
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let inter = a.intersection(b).count() as f64;
    inter / (a.len() + b.len()) as f64 * 2.0
}

struct Prepared {
    server: usize,
    key: (Class, Category),
    name: BTreeSet<String>,
    params: BTreeSet<String>,
}

/// For every probe (in order), up to [`ACROSS`] indices of probes on other
/// servers with the same class and category, nearest first. Deterministic:
/// ties go to the lower index.
pub fn across(probes: &[Probe<'_>]) -> Vec<Vec<usize>> {
    let prepared: Vec<Prepared> = probes
        .par_iter()
        .map(|p| Prepared {
            server: p.server,
            key: (p.class, p.category),
            name: tokens(p.name),
            params: p.params.iter().flat_map(|x| tokens(x)).collect(),
        })
        .collect();
    // token -> probes of one (class, category), in index order.
    let mut postings: HashMap<((Class, Category), &str), Vec<u32>> = HashMap::new();
    for (i, p) in prepared.iter().enumerate() {
        for t in &p.name {
            postings.entry((p.key, t.as_str())).or_default().push(i as u32);
        }
    }
    prepared
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut lists: Vec<&Vec<u32>> = p
                .name
                .iter()
                .filter_map(|t| postings.get(&(p.key, t.as_str())))
                .collect();
            // Rare tokens say most about a tool: read them first.
            lists.sort_by_key(|l| l.len());
            let mut seen: BTreeSet<u32> = BTreeSet::new();
            'gather: for l in lists {
                for &j in l {
                    if prepared[j as usize].server != p.server && seen.insert(j) && seen.len() >= CANDIDATES {
                        break 'gather;
                    }
                }
            }
            let mut scored: Vec<(f64, u32)> = seen
                .into_iter()
                .map(|j| {
                    let q = &prepared[j as usize];
                    (2.0 * jaccard(&p.name, &q.name) + jaccard(&p.params, &q.params), j)
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let _ = i;
            scored.into_iter().take(ACROSS).map(|(_, j)| j as usize).collect()
        })
        .collect()
}

/// Up to [`SIBLINGS`] positions near `at` among `len` tools (the server's
/// order), never `at` itself, in order.
pub fn siblings(at: usize, len: usize) -> std::ops::Range<usize> {
    if len <= SIBLINGS + 1 {
        return 0..len;
    }
    let half = SIBLINGS / 2;
    let start = at.saturating_sub(half).min(len - SIBLINGS - 1);
    start..start + SIBLINGS + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_every_spelling_alike() {
        let want: BTreeSet<String> = ["rotate", "api", "key"].iter().map(|s| s.to_string()).collect();
        assert_eq!(tokens("rotateApiKey"), want);
        assert_eq!(tokens("rotate_api_key"), want);
        assert_eq!(tokens("Rotate-API-key"), want);
    }

    #[test]
    fn nearest_tool_of_the_same_kind_on_another_server() {
        let p = |server, name, class| Probe {
            server,
            class,
            category: Category::Destructive,
            name,
            params: vec!["userId"],
        };
        let probes = vec![
            p(0, "reset-api-key", Class::Destructive),
            p(1, "delete_file", Class::Destructive),
            p(1, "rotate_api_key", Class::Destructive),
            p(2, "reset_api_key", Class::Write),
            p(0, "revoke_api_key", Class::Destructive),
        ];
        let a = across(&probes);
        assert_eq!(a[0], vec![2], "same kind, other server, shares tokens");
        assert_eq!(a[2], vec![0, 4]);
        assert!(a[3].is_empty(), "no other write tool");
    }

    #[test]
    fn siblings_window_is_capped_and_covers_small_servers() {
        assert_eq!(siblings(0, 5), 0..5);
        let r = siblings(5000, 10_000);
        assert_eq!(r.len(), SIBLINGS + 1);
        assert!(r.contains(&5000));
        assert_eq!(siblings(9999, 10_000).end, 10_000);
    }
}
