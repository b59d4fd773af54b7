//! `mcp-risk diff`: what changed in each server's tools between its last two
//! crawls (its last two `ok` attempts). Tools that turned destructive come
//! first; every name and text is escaped.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

use crate::classify::Options;
use crate::cli::{DiffArgs, TableOrJson};
use crate::exit;
use crate::pipeline::drift::{compare_tools, Drift, Flip, ToolChange};
use crate::store::{AttemptRow, Store};
use crate::text::terminal_safe;

/// One crawl being compared.
#[derive(Serialize)]
struct CrawlRef {
    attempt: i64,
    at: String,
}

#[derive(Serialize)]
struct ServerDiff {
    server: String,
    from: CrawlRef,
    to: CrawlRef,
    #[serde(flatten)]
    drift: Drift,
}

#[derive(Serialize)]
struct NotComparable {
    server: String,
    ok_crawls: usize,
}

/// The JSON document (`--format json`).
#[derive(Serialize)]
struct DiffDoc {
    schema_version: u32,
    servers: Vec<ServerDiff>,
    /// Servers with fewer than two ok crawls.
    not_comparable: Vec<NotComparable>,
}

fn crawl_ref(a: &AttemptRow) -> CrawlRef {
    CrawlRef {
        attempt: a.id,
        at: a.at.clone(),
    }
}

fn build(store: &Store, only: Option<&str>) -> anyhow::Result<DiffDoc> {
    let names: Vec<String> = match only {
        // Any unique part of a name, as for `classify --server`.
        Some(n) => vec![super::db::resolve(store, n)?],
        None => store.servers()?.into_iter().map(|s| s.name).collect(),
    };
    let opts = Options::default();
    let mut doc = DiffDoc {
        schema_version: 1,
        servers: Vec::new(),
        not_comparable: Vec::new(),
    };
    for name in names {
        let attempts = store.ok_attempts(&name, 2)?;
        let [to, from] = attempts.as_slice() else {
            doc.not_comparable.push(NotComparable {
                server: name,
                ok_crawls: attempts.len(),
            });
            continue;
        };
        let raw = |a: &AttemptRow| -> anyhow::Result<Vec<serde_json::Value>> {
            Ok(store
                .attempt_tools(a.id)?
                .into_iter()
                .map(|t| t.raw)
                .collect())
        };
        let drift = compare_tools(&raw(from)?, &raw(to)?, &opts);
        doc.servers.push(ServerDiff {
            server: name,
            from: crawl_ref(from),
            to: crawl_ref(to),
            drift,
        });
    }
    Ok(doc)
}

fn opt_bool(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "true",
        Some(false) => "false",
        None => "absent",
    }
}

fn flips_text(flips: &[Flip]) -> String {
    flips
        .iter()
        .map(|f| format!("{} {} → {}", f.hint, opt_bool(f.from), opt_bool(f.to)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn change_text(c: &ToolChange) -> String {
    let mut parts = Vec::new();
    if !c.fields.is_empty() {
        parts.push(format!("changed: {}", c.fields.join(", ")));
    }
    if !c.annotation_flips.is_empty() {
        parts.push(flips_text(&c.annotation_flips));
    }
    if let Some(k) = &c.class {
        parts.push(format!("class {} → {}", k.from, k.to));
    }
    if let Some(r) = &c.risk {
        parts.push(format!("risk {} → {}", r.from, r.to));
    }
    parts.join("; ")
}

fn write_table(out: &mut impl Write, doc: &DiffDoc) -> std::io::Result<()> {
    let turned: Vec<String> = doc
        .servers
        .iter()
        .flat_map(|s| {
            s.drift
                .changed
                .iter()
                .chain(&s.drift.renamed)
                .filter(|c| c.turned_destructive)
                .map(move |c| format!("{}/{}", terminal_safe(&s.server), terminal_safe(&c.name)))
        })
        .collect();
    if !turned.is_empty() {
        writeln!(
            out,
            "!! {} tool(s) turned destructive: {}",
            turned.len(),
            turned.join(", ")
        )?;
        writeln!(out)?;
    }
    let mut quiet = 0;
    for s in &doc.servers {
        if s.drift.is_empty() {
            quiet += 1;
            continue;
        }
        writeln!(
            out,
            "{}  ({} → {})",
            terminal_safe(&s.server),
            s.from.at,
            s.to.at
        )?;
        let d = &s.drift;
        let mut changes: Vec<&ToolChange> = d.changed.iter().chain(&d.renamed).collect();
        // Turned-destructive first, then by name.
        changes.sort_by(|a, b| {
            b.turned_destructive
                .cmp(&a.turned_destructive)
                .then(a.name.cmp(&b.name))
        });
        for c in changes {
            let mark = if c.turned_destructive { "!" } else { "~" };
            let label = match &c.renamed_from {
                Some(old) => format!(
                    "{} → {} (likely rename, similarity {:.2})",
                    terminal_safe(old),
                    terminal_safe(&c.name),
                    c.similarity.unwrap_or_default()
                ),
                None => terminal_safe(&c.name),
            };
            let tail = change_text(c);
            let flag = if c.turned_destructive {
                "  TURNED DESTRUCTIVE"
            } else {
                ""
            };
            writeln!(out, "  {mark} {label}{flag}")?;
            if !tail.is_empty() {
                writeln!(out, "      {tail}")?;
            }
        }
        for (mark, tools) in [('+', &d.added), ('-', &d.removed)] {
            for t in tools {
                writeln!(
                    out,
                    "  {mark} {}  ({}, {} risk)",
                    terminal_safe(&t.name),
                    t.class,
                    t.risk
                )?;
            }
        }
        writeln!(out, "  = {} unchanged", d.unchanged)?;
        writeln!(out)?;
    }
    if doc.servers.is_empty() {
        writeln!(
            out,
            "no server has two ok crawls yet: crawl again to see what changed"
        )?;
    } else if quiet > 0 {
        writeln!(
            out,
            "{quiet} server(s) unchanged since their previous crawl"
        )?;
    }
    let volatile: Vec<String> = doc
        .servers
        .iter()
        .flat_map(|s| {
            s.drift
                .volatile
                .iter()
                .map(move |t| format!("{}/{}", terminal_safe(&s.server), terminal_safe(t)))
        })
        .collect();
    if !volatile.is_empty() {
        writeln!(
            out,
            "{} tool(s) counted unchanged: only a timestamp-like default in the input schema moved ({})",
            volatile.len(),
            volatile.join(", ")
        )?;
    }
    if !doc.not_comparable.is_empty() {
        writeln!(
            out,
            "{} server(s) with fewer than two ok crawls not compared",
            doc.not_comparable.len()
        )?;
    }
    Ok(())
}

pub fn run(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    if !args.db.exists() {
        anyhow::bail!(
            "no database at {}: run `mcp-risk crawl --db {} SOURCE...` twice first",
            args.db.display(),
            args.db.display()
        );
    }
    let store = Store::open(&args.db).with_context(|| format!("opening {}", args.db.display()))?;
    let doc = build(&store, args.server.as_deref())?;
    let mut out = std::io::stdout().lock();
    match args.format {
        TableOrJson::Json => {
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        TableOrJson::Table => write_table(&mut out, &doc)?,
    }
    Ok(exit::code(exit::OK))
}
