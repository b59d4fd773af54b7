//! The report half of the pipeline, shared by `scan` and `pages --db`: take
//! every server's last ok crawl from the store, classify it (caching verdicts
//! in the store under the ruleset hash), write every policy format, render the
//! site, and summarise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;

use crate::classify::{self, Class, Risk, Verdict};
use crate::policy::Format;
use crate::report::pages::{self, Changes, SiteInput};
use crate::store::{drift, Store};

/// One server's current tools and verdicts, with what changed since the crawl before.
pub struct ServerReport {
    pub name: String,
    pub tools: Vec<Value>,
    pub verdicts: Vec<Verdict>,
    pub changes: Option<Changes>,
}

/// Classifies the last ok crawl of every server in the store. Verdicts are
/// cached per tool version and ruleset; a cached verdict is reused, so a
/// re-run after no change reclassifies nothing.
pub fn classify_store(store: &Store) -> anyhow::Result<Vec<ServerReport>> {
    let opts = classify::Options::default();
    let ruleset = classify::ruleset_hash();
    let mut out = Vec::new();
    for server in super::db::all_servers(store)? {
        let versions = store.latest_tool_versions(&server.server)?;
        let mut verdicts: Vec<Option<Verdict>> = Vec::with_capacity(versions.len());
        for v in &versions {
            verdicts.push(store.get_classification(v.id, ruleset)?);
        }
        let missing: Vec<usize> = (0..versions.len())
            .filter(|&i| verdicts[i].is_none())
            .collect();
        if !missing.is_empty() {
            let raws: Vec<Value> = missing.iter().map(|&i| versions[i].raw.clone()).collect();
            for (&i, verdict) in missing.iter().zip(classify::classify_tools(&raws, &opts)) {
                store.put_classification(versions[i].id, ruleset, &verdict)?;
                verdicts[i] = Some(verdict);
            }
        }
        let changes = changes_since_previous(store, &server.server)?;
        out.push(ServerReport {
            verdicts: verdicts.into_iter().flatten().collect(),
            tools: versions.into_iter().map(|v| v.raw).collect(),
            name: server.server,
            changes,
        });
    }
    Ok(out)
}

/// What changed between the server's two most recent ok crawls, for its page.
pub fn changes_since_previous(store: &Store, server: &str) -> anyhow::Result<Option<Changes>> {
    let Some(previous) = store.tools_at_previous_crawl(server)? else {
        return Ok(None);
    };
    let latest = store.latest_tools(server)?;
    let d = drift::compare_tools(&previous, &latest, &classify::Options::default());
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

/// The pages' input for these servers.
pub fn site_of(reports: &[ServerReport]) -> SiteInput {
    SiteInput {
        servers: reports
            .iter()
            .map(|r| super::pages::server_input(r.name.clone(), r.tools.clone(), r.changes.clone()))
            .collect(),
    }
}

/// Where `emit` wrote things, and what it counted.
pub struct Emitted {
    pub policy_dir: PathBuf,
    pub site_dir: PathBuf,
    pub policy_files: usize,
    pub pages: pages::Written,
}

/// Writes every policy format under `out/policies` and the HTML site under `out/site`.
pub fn emit(reports: &[ServerReport], out: &Path) -> anyhow::Result<Emitted> {
    let policy_dir = out.join("policies");
    let servers: Vec<(String, Vec<Verdict>)> = reports
        .iter()
        .map(|r| (r.name.clone(), r.verdicts.clone()))
        .collect();
    let mut policy_files = 0;
    for format in [
        Format::PolicyLayer,
        Format::Intercept,
        Format::ClaudeCode,
        Format::Codex,
    ] {
        policy_files += super::policy::write_all(&policy_dir, format, &servers)?.len();
    }
    let site_dir = out.join("site");
    let pages = pages::render(&site_of(reports), pages::Format::Html, &site_dir)
        .with_context(|| format!("rendering pages into {}", site_dir.display()))?;
    Ok(Emitted {
        policy_dir,
        site_dir,
        policy_files,
        pages,
    })
}

/// Counts by class and by risk, and the riskiest tools.
pub struct Tally {
    pub tools: usize,
    pub by_class: BTreeMap<Class, usize>,
    pub by_risk: BTreeMap<Risk, usize>,
    /// (server, tool, risk, class), worst first, at most `top`.
    pub worst: Vec<(String, String, Risk, Class)>,
    pub worst_risk: Option<Risk>,
}

pub fn tally(reports: &[ServerReport], top: usize) -> Tally {
    let mut t = Tally {
        tools: 0,
        by_class: BTreeMap::new(),
        by_risk: BTreeMap::new(),
        worst: Vec::new(),
        worst_risk: None,
    };
    let mut all = Vec::new();
    for r in reports {
        for v in &r.verdicts {
            t.tools += 1;
            *t.by_class.entry(v.class).or_default() += 1;
            *t.by_risk.entry(v.risk).or_default() += 1;
            t.worst_risk = t.worst_risk.max(Some(v.risk));
            all.push((r.name.clone(), v.name.clone(), v.risk, v.class));
        }
    }
    all.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then(b.3.cmp(&a.3))
            .then(a.0.cmp(&b.0))
            .then(a.1.cmp(&b.1))
    });
    all.truncate(top);
    t.worst = all;
    t
}
