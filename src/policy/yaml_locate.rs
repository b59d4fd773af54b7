//! Finds the line and column of a node in block-style YAML, by path, so
//! semantic errors in an Intercept policy point at `line:col` like syntax
//! errors do. `yaml_serde` keeps no spans on values; a policy is small and
//! block-style, so an indentation scan is enough. Flow collections
//! (`[a, b]`) are not entered: the error then points at their key.

use std::collections::HashMap;

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A content line: where its first key or item starts.
struct Line<'a> {
    /// 0-based line number.
    no: usize,
    /// Column of the first non-space character.
    indent: usize,
    text: &'a str,
}

fn content_lines(text: &str) -> Vec<Line<'_>> {
    text.lines()
        .enumerate()
        .filter_map(|(no, raw)| {
            let t = raw.trim_start_matches(' ');
            if t.is_empty() || t.starts_with('#') || t == "---" {
                return None;
            }
            Some(Line {
                no,
                indent: raw.len() - t.len(),
                text: t,
            })
        })
        .collect()
}

/// The key a mapping line starts with, if any: `key:`, `"key":`, `'key':`.
fn key_of(t: &str) -> Option<String> {
    if let Some(rest) = t.strip_prefix('"') {
        let end = rest.find("\":")?;
        let quoted = format!("\"{}\"", &rest[..end]);
        return yaml_serde::from_str::<String>(&quoted).ok();
    }
    if let Some(rest) = t.strip_prefix('\'') {
        let end = rest.find("':")?;
        return Some(rest[..end].replace("''", "'"));
    }
    let end = t.find(':')?;
    let after = &t[end + 1..];
    if after.is_empty() || after.starts_with(' ') {
        Some(t[..end].trim_end().to_owned())
    } else {
        None
    }
}

/// Returns the 1-based line and column of the deepest node of `path` found.
#[cfg(test)]
fn locate(text: &str, path: &[Seg]) -> (usize, usize) {
    Locator::new(text).locate(path)
}

/// A block's keys → (line index, column) of their first occurrence.
type KeyIndex = HashMap<String, (usize, usize)>;

/// Locates many paths in one document: the content lines are split once, and
/// each block's children are indexed the first time a path enters it, so a
/// file with 200,000 errors costs one pass per block, not one per error.
pub struct Locator<'a> {
    lines: Vec<Line<'a>>,
    /// (start, parent, inline column) → key → (line index, column).
    keys: HashMap<(usize, isize, Option<usize>), KeyIndex>,
    /// (start, parent) → the line index of each item, in order.
    items: HashMap<(usize, isize), Vec<usize>>,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str) -> Locator<'a> {
        Locator {
            lines: content_lines(text),
            keys: HashMap::new(),
            items: HashMap::new(),
        }
    }

    /// The keys of the block that starts at `start` (children deeper than
    /// `parent`; the first line's content may start at `inline`), first wins.
    fn key_index(&self, start: usize, parent: isize, inline: Option<usize>) -> KeyIndex {
        let lines = &self.lines;
        let mut out = HashMap::new();
        let mut child = inline;
        let mut i = start;
        while i < lines.len() {
            let l = &lines[i];
            let (col, t) = if i == start && child.is_some() {
                let c = child.unwrap_or(l.indent);
                (c, &l.text[c.saturating_sub(l.indent).min(l.text.len())..])
            } else {
                (l.indent, l.text)
            };
            if (col as isize) <= parent {
                break;
            }
            let want = *child.get_or_insert(col);
            if col == want {
                if let Some(k) = key_of(t) {
                    out.entry(k).or_insert((i, col));
                }
            }
            i += 1;
        }
        out
    }

    /// The items of the sequence that starts at `start` under `parent`.
    fn item_index(&self, start: usize, parent: isize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut dash: Option<usize> = None;
        for (i, l) in self.lines.iter().enumerate().skip(start) {
            let is_item = l.text == "-" || l.text.starts_with("- ");
            // Items may sit at their key's own indent (`rules:\n- x`).
            if (l.indent as isize) < parent || (l.indent as isize == parent && !is_item) {
                break;
            }
            if !is_item || *dash.get_or_insert(l.indent) != l.indent {
                continue;
            }
            out.push(i);
        }
        out
    }

    /// The 1-based line and column of the deepest node of `path` found.
    pub fn locate(&mut self, path: &[Seg]) -> (usize, usize) {
        // The block being searched: lines[start..], children deeper than `parent`.
        let mut start = 0usize;
        let mut parent: isize = -1;
        let mut found = self
            .lines
            .first()
            .map(|l| (l.no, l.indent))
            .unwrap_or((0, 0));
        // Column where the current node's own content starts on its first line
        // (set when stepping into a sequence item: `- key: v`).
        let mut inline: Option<usize> = None;
        for seg in path {
            let hit = match seg {
                Seg::Key(k) => {
                    let ctx = (start, parent, inline.take());
                    if !self.keys.contains_key(&ctx) {
                        let idx = self.key_index(ctx.0, ctx.1, ctx.2);
                        self.keys.insert(ctx, idx);
                    }
                    let hit = self.keys[&ctx].get(k.as_str()).copied();
                    if let Some((i, col)) = hit {
                        found = (self.lines[i].no, col);
                        parent = col as isize;
                        start = i + 1;
                    }
                    hit
                }
                Seg::Index(n) => {
                    let ctx = (start, parent);
                    if !self.items.contains_key(&ctx) {
                        let idx = self.item_index(start, parent);
                        self.items.insert(ctx, idx);
                    }
                    let hit = self.items[&ctx].get(*n).map(|&i| (i, self.lines[i].indent));
                    if let Some((i, col)) = hit {
                        found = (self.lines[i].no, col);
                        parent = col as isize;
                        start = i;
                        let t = &self.lines[i].text[1..];
                        inline = Some(col + 1 + (t.len() - t.trim_start().len()));
                    }
                    hit
                }
            };
            if hit.is_none() {
                break;
            }
        }
        (found.0 + 1, found.1 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Seg {
        Seg::Key(s.into())
    }

    const DOC: &str = "version: \"1\"\n# comment\ntools:\n  read:\n    rules: []\n  \"write\":\n    rules:\n      - name: a\n        rate_limit: 5/minute\n      - name: b\n        conditions:\n          - path: args.x\n            op: bad\nhide:\n- x\n- y\n";

    /// A path written dotted: `tools.write.rules.1` (a number is an index).
    fn path(s: &str) -> Vec<Seg> {
        s.split('.')
            .map(|x| x.parse().map_or_else(|_| k(x), Seg::Index))
            .collect()
    }

    #[test]
    fn finds_keys_and_items() {
        for (p, at) in [
            ("version", (1, 1)),
            ("tools.read", (4, 3)),
            ("tools.write.rules", (7, 5)),
            ("tools.write.rules.1", (10, 7)),
            ("tools.write.rules.0.rate_limit", (9, 9)),
            ("tools.write.rules.1.conditions.0.op", (13, 13)),
            ("hide.1", (16, 1)),
        ] {
            assert_eq!(locate(DOC, &path(p)), at, "{p}");
        }
    }

    #[test]
    fn falls_back_to_the_deepest_known_node() {
        assert_eq!(locate(DOC, &path("tools.missing.rules")), (3, 1));
        assert_eq!(locate(DOC, &path("tools.read.rules.0")), (5, 5));
    }
}
