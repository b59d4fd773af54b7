//! `mcp-risk pages`: classify, write the recommended policies, and render the
//! static site (or Markdown) from `--input` files or from the store.
//!
//! The renderer takes plain data ([`pages::SiteInput`]); this command's only job
//! is to produce it. [`server_input`] turns one server's raw tools (and, from the
//! store, what changed since the previous crawl) into that data, so the `--db`
//! path only has to list servers, their latest tools and their changes.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::{json, Map, Value};

use crate::classify::{self, Category, Risk, Verdict};
use crate::cli::{PagesArgs, PagesFormat};
use crate::exit;
use crate::report::pages::{self, Changes, Format, ServerInput, SiteInput};

pub fn run(args: &PagesArgs) -> anyhow::Result<ExitCode> {
    let site = match (&args.input, &args.db) {
        (Some(input), _) => site_from_input(input)?,
        (None, Some(db)) => site_from_db(db)?,
        (None, None) => anyhow::bail!(
            "say what to render: --input PATH (a tools/list file or a directory of them) \
             or --db PATH (a database written by `mcp-risk crawl`)"
        ),
    };
    let format = match args.format {
        PagesFormat::Html => Format::Html,
        PagesFormat::Md => Format::Markdown,
    };
    let written = pages::render(&site, format, &args.out)
        .with_context(|| format!("rendering pages into {}", args.out.display()))?;
    let entry = match format {
        Format::Html => "index.html",
        Format::Markdown => "index.md",
    };
    eprintln!(
        "wrote {} pages ({} servers, {} tools, {:.1} MB); open {}",
        written.files,
        written.servers,
        written.tools,
        written.bytes as f64 / 1e6,
        args.out.join(entry).display()
    );
    Ok(exit::code(exit::OK))
}

/// Every server of an `--input` file or directory.
fn site_from_input(input: &Path) -> anyhow::Result<SiteInput> {
    let servers = crate::input::load(input)?;
    Ok(SiteInput {
        servers: servers
            .into_iter()
            .map(|s| server_input(s.server, s.tools, None))
            .collect(),
    })
}

/// Every server of the store. The store lands separately: it must yield, per
/// server, its name, its latest raw tools and the changes since the previous
/// crawl, then call [`server_input`] for each, exactly as `--input` does.
fn site_from_db(db: &Path) -> anyhow::Result<SiteInput> {
    anyhow::bail!(
        "`mcp-risk pages --db {}` needs the store, which this build does not have yet; \
         render from files with --input PATH instead",
        db.display()
    )
}

/// Classifies one server's tools and writes its policies: the plain data one
/// server page needs.
pub fn server_input(name: String, tools: Vec<Value>, changes: Option<Changes>) -> ServerInput {
    let verdicts = classify::classify_tools(&tools, &classify::Options::default());
    let tool_policies: BTreeMap<String, String> = verdicts
        .iter()
        .map(|v| (v.name.clone(), interim_policy::for_tool(v)))
        .collect();
    ServerInput {
        policy_json: interim_policy::for_server(&verdicts),
        intercept_yaml: interim_policy::intercept_for_server(&name, &verdicts),
        name,
        tools,
        verdicts,
        tool_policies,
        changes,
    }
}

/// INTERIM policy texts until `crate::policy` lands (swap for
/// `policy::policylayer::for_server`, `policy::policylayer::for_tool` and
/// `policy::intercept::for_server`). They follow the hosted product's fixed
/// function of category so the pages have real, valid policies to show.
mod interim_policy {
    use super::*;

    fn rule(v: &Verdict) -> Option<Value> {
        let reason = format!(
            "{} is {} ({} risk): {}",
            v.name, v.class, v.risk, v.rationale
        );
        match v.category {
            Category::Read => Some(json!({})),
            Category::Write => Some(json!({"limits": [
                {"counter": format!("{}_calls", v.name), "window": "minute", "max": 30, "scope": "grant"}
            ]})),
            Category::Execute => Some(json!({"limits": [
                {"counter": format!("{}_calls", v.name), "window": "minute", "max": 10, "scope": "grant"}
            ]})),
            Category::Financial => Some(json!({"deny_if": [
                {"conditions": [], "on_deny": format!("requires human approval: {reason}")}
            ]})),
            Category::Destructive if v.risk <= Risk::Medium => Some(json!({"deny_if": [
                {"conditions": [], "on_deny": format!("requires human approval: {reason}")}
            ]})),
            Category::Destructive => None,
        }
    }

    fn policy<'a>(verdicts: impl IntoIterator<Item = &'a Verdict>) -> String {
        let mut tools = Map::new();
        let mut hide = Vec::new();
        let mut sorted: Vec<&Verdict> = verdicts.into_iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        for v in sorted {
            match rule(v) {
                Some(r) => {
                    tools.insert(v.name.clone(), r);
                }
                None => hide.push(Value::String(v.name.clone())),
            }
        }
        let mut out = serde_json::to_string_pretty(&json!({
            "version": "1",
            "default": "deny",
            "hide": hide,
            "tools": tools,
        }))
        .unwrap_or_default();
        out.push('\n');
        out
    }

    pub fn for_server(verdicts: &[Verdict]) -> String {
        policy(verdicts)
    }

    pub fn for_tool(v: &Verdict) -> String {
        policy([v])
    }

    pub fn intercept_for_server(server: &str, verdicts: &[Verdict]) -> String {
        let mut tools = BTreeMap::new();
        let mut hide = Vec::new();
        for v in verdicts {
            let name = format!("{} {}", v.class, v.risk);
            let entry = match v.category {
                Category::Read => continue,
                Category::Write => json!({"rules": [{"name": name, "rate_limit": "30/minute"}]}),
                Category::Execute => json!({"rules": [{"name": name, "rate_limit": "10/minute"}]}),
                Category::Destructive if v.risk > Risk::Medium => {
                    hide.push(v.name.clone());
                    continue;
                }
                Category::Destructive | Category::Financial => json!({"rules": [{
                    "name": name, "action": "deny",
                    "on_deny": format!("{} needs human approval ({} risk)", v.name, v.risk)
                }]}),
            };
            tools.insert(v.name.clone(), entry);
        }
        hide.sort();
        let doc = json!({
            "version": "1",
            "description": format!("Recommended by mcp-risk for {server}"),
            "default": "allow",
            "hide": hide,
            "tools": tools,
        });
        yaml_serde::to_string(&doc).unwrap_or_default()
    }
}
