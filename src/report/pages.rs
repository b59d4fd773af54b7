//! Static pages: an index, one page per server and one per tool, as HTML (askama
//! templates in `templates/pages/`, auto-escaped, behind a Content-Security-Policy
//! that allows only our own hashed script and style) or as Markdown.
//!
//! The input is plain data ([`SiteInput`]): whoever calls this (the `pages`
//! command from `--input` files, or from the store) classifies the tools and
//! writes the policies first; this module only lays them out. Nothing here
//! re-derives a risk: every class, risk and signal shown comes from a
//! [`Verdict`].

mod html;
mod markdown;
mod model;
pub mod slug;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use crate::classify::Verdict;

pub use html::{content_security_policy, script_hash, style_hash};
pub use model::{estimate_tokens, CONTEXT_WINDOW};

/// What changed on a server since the previous crawl (tool names).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Tools whose definition changed.
    pub changed: Vec<String>,
    /// A line for the reader, e.g. "since the crawl of 2026-11-20".
    pub note: String,
}

/// One server as the pages show it.
#[derive(Clone, Debug, Default)]
pub struct ServerInput {
    pub name: String,
    /// The tools as served, verbatim.
    pub tools: Vec<Value>,
    /// One verdict per tool, matched to `tools` by tool name.
    pub verdicts: Vec<Verdict>,
    /// The recommended policy.json for the whole server.
    pub policy_json: String,
    /// The recommended Intercept YAML for the whole server.
    pub intercept_yaml: String,
    /// The recommended policy.json for each tool alone, by tool name.
    pub tool_policies: BTreeMap<String, String>,
    /// Changes since the previous crawl, when the store has one.
    pub changes: Option<Changes>,
}

/// Everything the site shows.
#[derive(Clone, Debug, Default)]
pub struct SiteInput {
    pub servers: Vec<ServerInput>,
}

/// Output flavour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

impl Format {
    fn ext(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PagesError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot render {page}: {source}")]
    Render { page: String, source: askama::Error },
}

/// What [`render`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub files: usize,
    pub bytes: u64,
    pub servers: usize,
    pub tools: usize,
}

/// Renders the site into `out` (created if missing). Existing files with the
/// same names are overwritten; nothing else in `out` is touched. Servers render
/// and write in parallel; the output bytes do not depend on scheduling.
pub fn render(site: &SiteInput, format: Format, out: &Path) -> Result<Written, PagesError> {
    let view = model::build(site, format.ext());
    let ext = format.ext();
    mkdir(out)?;
    let mut written = Written {
        servers: view.servers.len(),
        tools: view.servers.iter().map(|s| s.tools.len()).sum(),
        ..Written::default()
    };
    let index = match format {
        Format::Html => html::index(&view)?,
        Format::Markdown => markdown::index(&view),
    };
    write(out, &format!("index.{ext}"), &index, &mut written)?;
    let per_server: Vec<Result<Written, PagesError>> = view
        .servers
        .par_iter()
        .map(|s| {
            let mut w = Written::default();
            mkdir(&out.join(&s.slug))?;
            let body = match format {
                Format::Html => html::server(s)?,
                Format::Markdown => markdown::server(s),
            };
            write(out, &format!("{}/index.{ext}", s.slug), &body, &mut w)?;
            for t in &s.tools {
                let body = match format {
                    Format::Html => html::tool(s, t)?,
                    Format::Markdown => markdown::tool(s, t),
                };
                write(out, &format!("{}/{}.{ext}", s.slug, t.slug), &body, &mut w)?;
            }
            Ok(w)
        })
        .collect();
    for w in per_server {
        let w = w?;
        written.files += w.files;
        written.bytes += w.bytes;
    }
    Ok(written)
}

fn mkdir(dir: &Path) -> Result<(), PagesError> {
    std::fs::create_dir_all(dir).map_err(|source| PagesError::Io {
        path: dir.to_owned(),
        source,
    })
}

fn write(out: &Path, rel: &str, body: &str, written: &mut Written) -> Result<(), PagesError> {
    let path = out.join(rel);
    std::fs::write(&path, body).map_err(|source| PagesError::Io { path, source })?;
    written.files += 1;
    written.bytes += body.len() as u64;
    Ok(())
}
