//! `mcp-risk servers`: the servers in the database, each with its last
//! status, its tool count (last ok crawl), its worst risk and how many of its
//! tools are destructive, so a user can find the name `classify --server`,
//! `policy --server` and `diff --server` take.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::classify::{classify_tools, Class, Options, Risk};
use crate::cli::{ServersArgs, TableOrJson};
use crate::exit;
use crate::text::terminal_safe;

#[derive(Serialize)]
struct Row {
    server: String,
    /// The package or host people also type (`--server` accepts it).
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<String>,
    last_status: Option<String>,
    last_attempt_at: Option<String>,
    tools: usize,
    worst_risk: Option<Risk>,
    destructive: usize,
}

pub fn run(args: &ServersArgs) -> anyhow::Result<ExitCode> {
    let store = super::db::open_existing(&args.db)?;
    let opts = Options::default();
    let mut rows = Vec::new();
    for r in store.servers()? {
        let tools = store.latest_tools(&r.name)?;
        let verdicts = classify_tools(&tools, &opts);
        let cand = super::db::Candidate::of(&r);
        rows.push(Row {
            package: cand.aliases.into_iter().next(),
            server: r.name,
            last_status: r.last_status,
            last_attempt_at: r.last_attempt_at,
            tools: verdicts.len(),
            worst_risk: verdicts.iter().map(|v| v.risk).max(),
            destructive: verdicts
                .iter()
                .filter(|v| v.class == Class::Destructive)
                .count(),
        });
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match args.format {
        TableOrJson::Json => serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({"schema_version": 1, "db": args.db.display().to_string(), "servers": rows}),
        )
        .map_err(std::io::Error::from)
        .and_then(|_| writeln!(out)),
        TableOrJson::Table => table(&mut out, &rows, &args.db),
    };
    match written.and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r?,
    }
    Ok(exit::code(exit::OK))
}

fn table(out: &mut impl Write, rows: &[Row], db: &std::path::Path) -> std::io::Result<()> {
    let names: Vec<String> = rows.iter().map(|r| terminal_safe(&r.server)).collect();
    let w = names.iter().map(|n| n.width()).max().unwrap_or(6).max(6);
    let status = |r: &Row| {
        r.last_status
            .clone()
            .unwrap_or_else(|| "never tried".into())
    };
    let sw = rows
        .iter()
        .map(|r| status(r).len())
        .max()
        .unwrap_or(6)
        .max(6);
    writeln!(
        out,
        "{:<w$}  {:<sw$} {:>5}  {:<8} {:>5}",
        "SERVER", "STATUS", "TOOLS", "WORST", "DESTR"
    )?;
    for (r, name) in rows.iter().zip(&names) {
        let pad = w.saturating_sub(name.width());
        writeln!(
            out,
            "{name}{}  {:<sw$} {:>5}  {:<8} {:>5}",
            " ".repeat(pad),
            status(r),
            r.tools,
            r.worst_risk.map_or("-", |k| k.as_str()),
            r.destructive
        )?;
    }
    let ok = rows.iter().filter(|r| r.tools > 0).count();
    writeln!(
        out,
        "{} servers in {} ({ok} with tools).\n`mcp-risk classify --server NAME` takes any unique part of a name.",
        rows.len(),
        db.display()
    )
}
