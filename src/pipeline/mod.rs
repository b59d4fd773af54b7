//! The report half of the pipeline, as library calls the commands share:
//! take every server's last ok crawl from the store, classify it once
//! (verdicts cached in the store under the ruleset hash), compare it with
//! the crawl before ([`drift`]), and turn each server into the plain data the
//! pages render ([`server_input`]). The store keeps data and never runs the
//! classifier; the commands (`scan`, `pages --db`, `policy --all`, `diff`)
//! only call these. `classify --input --format json` streams its document
//! through [`stream`].

pub mod drift;
pub mod scan;
pub mod shard;
pub mod stream;

use anyhow::bail;
use serde_json::Value;

use crate::classify::{self, Verdict};
use crate::input::ServerTools;
use crate::report::pages::{Changes, ServerInput, SiteInput};
use crate::store::Store;

/// One server's current tools and verdicts, with what changed since the crawl before.
pub struct ServerReport {
    pub name: String,
    pub tools: Vec<Value>,
    /// One per tool, in the same order.
    pub verdicts: Vec<Verdict>,
    pub changes: Option<Changes>,
}

/// Every server with at least one ok crawl, sorted by name.
pub fn all_servers(store: &Store) -> anyhow::Result<Vec<ServerTools>> {
    let mut out = Vec::new();
    for row in store.servers()? {
        let tools = store.latest_tools(&row.name)?;
        if tools.is_empty() && row.last_status.as_deref() != Some("ok") {
            continue;
        }
        out.push(ServerTools {
            server: row.name,
            tools,
            origin: store.path().to_owned(),
            notes: Vec::new(),
        });
    }
    if out.is_empty() {
        bail!(
            "{} holds no server with a successful crawl yet: run `mcp-risk scan` or `mcp-risk crawl` first",
            store.path().display()
        );
    }
    Ok(out)
}

/// Classifies the last ok crawl of every server in the store. Verdicts are
/// cached per tool version, ruleset and server context (a verdict depends on
/// its siblings: naming convention, blanket labels), so a re-run after no
/// change reclassifies nothing and a change of a sibling that changes the
/// context reclassifies the server. A tool that is not cached is classified
/// in the context of its server's whole tool list, as
/// [`classify::classify_tools`] would.
pub fn classify_store(store: &Store) -> anyhow::Result<Vec<ServerReport>> {
    let opts = classify::Options::default();
    let engine = classify::engine();
    let mut out = Vec::new();
    for server in all_servers(store)? {
        let versions = store.latest_tool_versions(&server.server)?;
        let tools: Vec<Value> = versions.iter().map(|v| v.raw.clone()).collect();
        let ctx = classify::context::Context::of(engine, &tools);
        let key = format!("{}/{}", classify::ruleset_hash(), ctx.fingerprint());
        let mut verdicts: Vec<Option<Verdict>> = Vec::with_capacity(versions.len());
        for v in &versions {
            verdicts.push(store.get_classification(v.id, &key)?);
        }
        for (i, v) in versions.iter().enumerate() {
            if verdicts[i].is_none() {
                let verdict = engine.classify_in(&v.raw, opts.ignore_annotations, &ctx);
                store.put_classification(v.id, &key, &verdict)?;
                verdicts[i] = Some(verdict);
            }
        }
        let verdicts: Vec<Verdict> = verdicts.into_iter().flatten().collect();
        let changes = changes_since_previous(store, &server.server, &tools, &verdicts)?;
        out.push(ServerReport {
            name: server.server,
            tools,
            verdicts,
            changes,
        });
    }
    Ok(out)
}

/// What changed between the server's two most recent ok crawls, for its
/// page; `latest` and its verdicts are the last crawl, already classified.
pub fn changes_since_previous(
    store: &Store,
    server: &str,
    latest: &[Value],
    latest_verdicts: &[Verdict],
) -> anyhow::Result<Option<Changes>> {
    let Some(previous) = store.tools_at_previous_crawl(server)? else {
        return Ok(None);
    };
    let previous_verdicts = classify::classify_tools(&previous, &classify::Options::default());
    let d = drift::compare_classified(&previous, &previous_verdicts, latest, latest_verdicts);
    let when = store
        .ok_attempts(server, 2)?
        .get(1)
        .map(|a| a.at.clone())
        .unwrap_or_default();
    let mut changed: Vec<String> = d.changed.iter().map(|c| c.name.clone()).collect();
    changed.extend(d.renamed.iter().map(|c| match &c.renamed_from {
        Some(from) => format!("{} (renamed from {from})", c.name),
        None => c.name.clone(),
    }));
    Ok(Some(Changes {
        added: d.added.iter().map(|t| t.name.clone()).collect(),
        removed: d.removed.iter().map(|t| t.name.clone()).collect(),
        changed,
        note: format!("since the crawl of {when}"),
    }))
}

/// The pages' input for these servers, from the verdicts they carry.
pub fn site_of(reports: &[ServerReport]) -> SiteInput {
    SiteInput {
        servers: reports
            .iter()
            .map(|r| {
                server_input_with(
                    r.name.clone(),
                    r.tools.clone(),
                    r.verdicts.clone(),
                    r.changes.clone(),
                )
            })
            .collect(),
    }
}

/// Classifies one server's tools and writes its policies: the plain data one
/// server page needs (`pages --input`, where nothing is classified yet).
pub fn server_input(name: String, tools: Vec<Value>, changes: Option<Changes>) -> ServerInput {
    let verdicts = classify::classify_tools(&tools, &classify::Options::default());
    server_input_with(name, tools, verdicts, changes)
}

/// [`server_input`] for tools already classified (one verdict per tool).
pub fn server_input_with(
    name: String,
    tools: Vec<Value>,
    verdicts: Vec<Verdict>,
    changes: Option<Changes>,
) -> ServerInput {
    let tool_policies: Vec<String> = verdicts
        .iter()
        .map(crate::policy::policylayer::for_tool)
        .collect();
    ServerInput {
        policy_json: crate::policy::policylayer::for_server(&verdicts),
        intercept_yaml: crate::policy::intercept::for_server(&name, &verdicts),
        name,
        tools,
        verdicts,
        tool_policies,
        changes,
    }
}
