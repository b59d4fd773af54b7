//! What `scan` writes and prints once the pipeline has classified the store
//! ([`crate::pipeline::classify_store`]): every policy format, the site, and
//! a summary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::classify::{Class, Risk, Verdict};
use crate::pipeline::{site_of, ServerReport};
use crate::policy::Format;
use crate::report::pages;

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
    /// Every server's name.
    pub servers: Vec<String>,
}

pub fn tally(reports: &[ServerReport], top: usize) -> Tally {
    let mut t = Tally {
        tools: 0,
        by_class: BTreeMap::new(),
        by_risk: BTreeMap::new(),
        worst: Vec::new(),
        worst_risk: None,
        servers: reports.iter().map(|r| r.name.clone()).collect(),
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
