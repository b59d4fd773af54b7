//! Reading servers' tools out of the store for commands that take `--db`
//! (`classify --server`, `policy --server/--all`, `pages --db`).
//!
//! The store keeps every definition verbatim; these helpers turn the last ok
//! crawl of each server into the same [`ServerTools`] that `--input` gives, so
//! every command renders one way whatever the source.

use std::path::Path;

use anyhow::{bail, Context as _};

use crate::input::ServerTools;
use crate::store::Store;

/// Opens an existing database; a missing file is an error that says how to make one.
pub fn open_existing(path: &Path) -> anyhow::Result<Store> {
    if !path.is_file() {
        bail!(
            "no database at {}: run `mcp-risk scan` or `mcp-risk crawl --db {} SOURCE...` first, or pass --db PATH",
            path.display(),
            path.display()
        );
    }
    Store::open(path).with_context(|| format!("opening {}", path.display()))
}

/// What a `--server` query matched.
#[derive(Debug, PartialEq, Eq)]
pub enum Match {
    /// Exactly one server: its full name.
    One(String),
    /// Several servers match equally well (sorted).
    Many(Vec<String>),
    /// Nothing matched; the closest names, best first (maybe none).
    None(Vec<String>),
}

/// A server's name and the other names people type for it (its package,
/// its host).
pub struct Candidate {
    pub name: String,
    pub aliases: Vec<String>,
}

impl Candidate {
    /// The name and aliases of a database row: the npm/PyPI/OCI package of
    /// a package launch, the host of a remote one.
    pub fn of(row: &crate::store::ServerRow) -> Candidate {
        let mut aliases = Vec::new();
        if let Some(id) = row.launch.get("identifier").and_then(|v| v.as_str()) {
            aliases.push(id.to_owned());
        }
        if let Some(host) = row
            .launch
            .get("url")
            .and_then(|v| v.as_str())
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_owned))
        {
            aliases.push(host);
        }
        Candidate {
            name: row.name.clone(),
            aliases,
        }
    }
}

/// The last path segment of a name or package (`io.github.x/mcp-foo` →
/// `mcp-foo`, `@scope/server-foo` → `server-foo`).
fn last_segment(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// A segment without the usual MCP decorations (`mcp-server-`, `server-`,
/// `mcp-`, `-mcp-server`, `-mcp`, `-server`), so `filesystem` names
/// `server-filesystem` and `mongodb` names `mongodb-mcp-server`.
fn core(seg: &str) -> String {
    let mut s = seg.to_lowercase();
    for p in ["mcp-server-", "mcp_server_", "server-", "mcp-", "mcp_"] {
        if let Some(rest) = s.strip_prefix(p) {
            s = rest.to_owned();
            break;
        }
    }
    for p in ["-mcp-server", "_mcp_server", "-mcp", "_mcp", "-server"] {
        if let Some(rest) = s.strip_suffix(p) {
            s = rest.to_owned();
            break;
        }
    }
    s
}

/// Resolves what a user typed for `--server` against the servers there are.
/// Tiers, the first that matches anything wins: the exact name; the name
/// ignoring case; a name, package or host, or its last segment, equal to the
/// query (ignoring case); that segment without MCP decorations; a
/// name or package ending with the query at a `/`, `.` or `-` boundary; the
/// query inside a name or package. One match resolves; several are listed.
pub fn match_server(cands: &[Candidate], query: &str) -> Match {
    let q = query.trim().to_lowercase();
    let keys = |c: &Candidate| -> Vec<String> {
        std::iter::once(c.name.as_str())
            .chain(c.aliases.iter().map(String::as_str))
            .map(str::to_lowercase)
            .collect()
    };
    type Test<'a> = Box<dyn Fn(&Candidate) -> bool + 'a>;
    let tiers: Vec<Test> = vec![
        Box::new(|c: &Candidate| c.name == query),
        Box::new(|c: &Candidate| c.name.to_lowercase() == q),
        Box::new(|c: &Candidate| keys(c).iter().any(|k| *k == q || last_segment(k) == q)),
        Box::new(|c: &Candidate| {
            keys(c)
                .iter()
                .any(|k| core(last_segment(k)) == core(last_segment(&q)))
        }),
        Box::new(|c: &Candidate| {
            keys(c).iter().any(|k| {
                k.strip_suffix(q.as_str()).is_some_and(|head| {
                    head.is_empty() || head.ends_with(['/', '.', '-', '_', '@'])
                })
            })
        }),
        Box::new(|c: &Candidate| !q.is_empty() && keys(c).iter().any(|k| k.contains(&q))),
    ];
    for test in &tiers {
        let mut hits: Vec<String> = cands
            .iter()
            .filter(|c| test(c))
            .map(|c| c.name.clone())
            .collect();
        hits.sort();
        hits.dedup();
        match hits.len() {
            0 => continue,
            1 => return Match::One(hits.remove(0)),
            _ => return Match::Many(hits),
        }
    }
    // Did you mean: the names whose last segment (or core) is within a
    // small edit distance of the query.
    let mut close: Vec<(usize, String)> = cands
        .iter()
        .filter_map(|c| {
            keys(c)
                .iter()
                .flat_map(|k| [last_segment(k).to_owned(), core(last_segment(k))])
                .map(|k| edit_distance(&k, &q))
                .min()
                .filter(|d| *d <= (q.chars().count() / 3).max(2))
                .map(|d| (d, c.name.clone()))
        })
        .collect();
    close.sort();
    close.dedup_by(|a, b| a.1 == b.1);
    Match::None(close.into_iter().take(5).map(|(_, n)| n).collect())
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// What `query` matches among the store's servers.
pub fn lookup(store: &Store, query: &str) -> anyhow::Result<Match> {
    let rows = store.servers()?;
    let cands: Vec<Candidate> = rows.iter().map(Candidate::of).collect();
    Ok(match_server(&cands, query))
}

/// The full name of the server `query` names in the store, or an error that
/// lists the candidates (several matches), or says "did you mean" and how to
/// add a server (none).
pub fn resolve(store: &Store, query: &str) -> anyhow::Result<String> {
    let rows = store.servers()?;
    let cands: Vec<Candidate> = rows.iter().map(Candidate::of).collect();
    resolve_in(&cands, query, store.path())
}

/// [`resolve`] over given candidates (`db` only names the database in messages).
pub fn resolve_in(cands: &[Candidate], query: &str, db: &Path) -> anyhow::Result<String> {
    use crate::text::terminal_safe;
    match match_server(cands, query) {
        Match::One(name) => {
            if name != query {
                eprintln!("server: {}", terminal_safe(&name));
            }
            Ok(name)
        }
        Match::Many(names) => {
            let shown: Vec<String> = names.iter().take(12).map(|n| terminal_safe(n)).collect();
            bail!(
                "{:?} matches {} servers in {}: {}{}; give more of the name (`mcp-risk servers --db {}` lists them)",
                terminal_safe(query),
                names.len(),
                db.display(),
                shown.join(", "),
                if names.len() > shown.len() { ", ..." } else { "" },
                db.display()
            )
        }
        Match::None(close) => {
            let hint = if close.is_empty() {
                String::new()
            } else {
                let c: Vec<String> = close.iter().map(|n| terminal_safe(n)).collect();
                format!(" Did you mean {}?", c.join(", "))
            };
            bail!(
                "no server named {:?} in {} (nor any name or package matching it among its {} servers; `mcp-risk servers --db {}` lists them).{hint} \
                 To add one: crawl it (`mcp-risk crawl --db {} --allow-exec SOURCE`, e.g. a servers file or an agent config), \
                 or audit it directly with `mcp-risk classify --url URL` or `mcp-risk classify --stdio -- COMMAND`",
                terminal_safe(query),
                db.display(),
                cands.len(),
                db.display(),
                db.display()
            )
        }
    }
}

/// The tools of one server's last ok crawl (`name` as the user typed it, see
/// [`resolve`]). A server that was never reached is an error naming its last
/// status, so the user knows why there is nothing.
pub fn one_server(store: &Store, query: &str) -> anyhow::Result<ServerTools> {
    let name = resolve(store, query)?;
    let name = name.as_str();
    let rows = store.servers()?;
    let Some(row) = rows.iter().find(|r| r.name == name) else {
        bail!("server {name:?} vanished from {}", store.path().display());
    };
    let tools = store.latest_tools(name)?;
    if tools.is_empty() && row.tool_count == 0 && row.last_status.as_deref() != Some("ok") {
        bail!(
            "server {name:?} has no successful crawl (last status: {}); see `mcp-risk crawl` and its summary",
            row.last_status.as_deref().unwrap_or("never tried")
        );
    }
    Ok(ServerTools {
        server: name.to_owned(),
        tools,
        origin: store.path().to_owned(),
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cands() -> Vec<Candidate> {
        let c = |name: &str, alias: &[&str]| Candidate {
            name: name.to_owned(),
            aliases: alias.iter().map(|a| a.to_string()).collect(),
        };
        vec![
            c(
                "io.github.modelcontextprotocol/filesystem",
                &["@modelcontextprotocol/server-filesystem"],
            ),
            c(
                "io.github.modelcontextprotocol/memory",
                &["@modelcontextprotocol/server-memory"],
            ),
            c("io.github.ClickHouse/mcp-clickhouse", &["mcp-clickhouse"]),
            c(
                "io.github.mongodb-js/mongodb-mcp-server",
                &["mongodb-mcp-server"],
            ),
            c("io.github.docker/dock", &[]),
            c("io.github.acme/dockmaster", &[]),
            c("io.github.x/git-mcp-server", &[]),
            c("io.github.modelcontextprotocol/git", &[]),
        ]
    }

    fn one(q: &str) -> String {
        match match_server(&cands(), q) {
            Match::One(n) => n,
            other => panic!("{q}: {other:?}"),
        }
    }

    #[test]
    fn the_names_people_type_resolve() {
        assert_eq!(
            one("filesystem"),
            "io.github.modelcontextprotocol/filesystem"
        );
        assert_eq!(
            one("FileSystem"),
            "io.github.modelcontextprotocol/filesystem"
        );
        assert_eq!(one("mongodb"), "io.github.mongodb-js/mongodb-mcp-server");
        // Registry names are case-sensitive; users' typing is not.
        assert_eq!(
            one("io.github.clickhouse/mcp-clickhouse"),
            "io.github.ClickHouse/mcp-clickhouse"
        );
        assert_eq!(one("clickhouse"), "io.github.ClickHouse/mcp-clickhouse");
        assert_eq!(
            one("@modelcontextprotocol/server-memory"),
            "io.github.modelcontextprotocol/memory"
        );
        // `dock` is a whole last segment of one name, even though it is
        // also inside `dockmaster`.
        assert_eq!(one("dock"), "io.github.docker/dock");
        // `git` is one server's last segment and only the core of
        // another's (`git-mcp-server`): the whole segment wins.
        assert_eq!(one("git"), "io.github.modelcontextprotocol/git");
        assert_eq!(one("git-mcp-server"), "io.github.x/git-mcp-server");
        assert_eq!(
            one("io.github.modelcontextprotocol/git"),
            "io.github.modelcontextprotocol/git"
        );
    }

    #[test]
    fn several_matches_are_listed_and_none_suggests() {
        match match_server(&cands(), "modelcontextprotocol") {
            Match::Many(v) => assert_eq!(v.len(), 3),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            match_server(&cands(), "filesytem"),
            Match::None(vec!["io.github.modelcontextprotocol/filesystem".into()])
        );
        assert_eq!(match_server(&cands(), "zzzzzz"), Match::None(vec![]));
        let err = resolve_in(&cands(), "filesytem", Path::new("x.db"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Did you mean io.github.modelcontextprotocol/filesystem?"),
            "{err}"
        );
        assert!(err.contains("classify --url URL"), "{err}");
        assert!(err.contains("crawl --db x.db"), "{err}");
    }
}
