//! Related tools, in time linear in the catalogue: siblings on the same server
//! (a capped window, the server page holds the full list) and "the same kind
//! of tool on other servers": same class and category, nearest by name and
//! parameters, searched through an inverted index of name tokens per
//! (class, category) with a bounded number of candidates per tool.

use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::classify::{Category, Class};

/// Siblings a tool page lists before pointing to the server page.
pub const SIBLINGS: usize = 12;
/// Tools of other servers a tool page lists.
pub const ACROSS: usize = 5;
/// Candidates scored per tool, at most.
const CANDIDATES: usize = 200;

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

/// 2|A∩B| / (|A|+|B|) over sorted, deduplicated token ids (a merge, no
/// allocation).
fn overlap(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * inter as f64 / (a.len() + b.len()) as f64
}

struct Prepared {
    server: usize,
    key: (Class, Category),
    /// Sorted token ids.
    name: Vec<u32>,
    params: Vec<u32>,
}

/// For every probe (in order), up to [`ACROSS`] indices of probes on other
/// servers with the same class and category, nearest first. Deterministic:
/// ties go to the lower index.
pub fn across(probes: &[Probe<'_>]) -> Vec<Vec<usize>> {
    // Tokens become small integers, so comparing two tools is a merge of
    // two short sorted arrays.
    let words: Vec<(BTreeSet<String>, BTreeSet<String>)> = probes
        .par_iter()
        .map(|p| {
            (
                tokens(p.name),
                p.params.iter().flat_map(|x| tokens(x)).collect(),
            )
        })
        .collect();
    let mut ids: HashMap<&str, u32> = HashMap::new();
    fn intern<'w>(ids: &mut HashMap<&'w str, u32>, set: &'w BTreeSet<String>) -> Vec<u32> {
        let mut v: Vec<u32> = set
            .iter()
            .map(|t| {
                let n = ids.len() as u32;
                *ids.entry(t.as_str()).or_insert(n)
            })
            .collect();
        v.sort_unstable();
        v
    }
    let mut prepared = Vec::with_capacity(probes.len());
    for (p, (name, params)) in probes.iter().zip(&words) {
        prepared.push(Prepared {
            server: p.server,
            key: (p.class, p.category),
            name: intern(&mut ids, name),
            params: intern(&mut ids, params),
        });
    }
    // (class, category, token) -> probes, in index order.
    let mut postings: HashMap<((Class, Category), u32), Vec<u32>> = HashMap::new();
    for (i, p) in prepared.iter().enumerate() {
        for &t in &p.name {
            postings.entry((p.key, t)).or_default().push(i as u32);
        }
    }
    prepared
        .par_iter()
        .map(|p| {
            let mut lists: Vec<&Vec<u32>> = p
                .name
                .iter()
                .filter_map(|&t| postings.get(&(p.key, t)))
                .collect();
            // Rare tokens say most about a tool: read them first.
            lists.sort_by_key(|l| l.len());
            let mut seen: HashSet<u32> = HashSet::with_capacity(CANDIDATES);
            'gather: for l in lists {
                for &j in l {
                    if prepared[j as usize].server != p.server
                        && seen.insert(j)
                        && seen.len() >= CANDIDATES
                    {
                        break 'gather;
                    }
                }
            }
            let mut scored: Vec<(f64, u32)> = seen
                .into_iter()
                .map(|j| {
                    let q = &prepared[j as usize];
                    (
                        2.0 * overlap(&p.name, &q.name) + overlap(&p.params, &q.params),
                        j,
                    )
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            scored
                .into_iter()
                .take(ACROSS)
                .map(|(_, j)| j as usize)
                .collect()
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
        let want: BTreeSet<String> = ["rotate", "api", "key"]
            .iter()
            .map(|s| s.to_string())
            .collect();
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
