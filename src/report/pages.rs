//! Static pages: an index, one page per server and one per tool, as HTML (askama
//! templates in `templates/pages/`, auto-escaped, behind a Content-Security-Policy
//! that allows only our own hashed script and style) or as Markdown.
//!
//! The input is plain data ([`SiteInput`]): whoever calls this (the `pages`
//! command from `--input` files, or from the store) classifies the tools and
//! writes the policies first; this module only lays them out. Nothing here
//! re-derives a risk: every class, risk and signal shown comes from a
//! [`Verdict`].

mod control;
mod html;
mod markdown;
mod model;
pub mod prose;
mod publish;
mod related;
pub mod slug;

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
    /// The recommended policy.json for each tool alone, one per verdict in
    /// the same order (not by name: two tools whose names print the same
    /// each have their own policy).
    pub tool_policies: Vec<String>,
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
    /// Files written, the [`MANIFEST`] included.
    pub files: usize,
    pub bytes: u64,
    pub servers: usize,
    pub tools: usize,
    /// Bytes of the index's first page (it carries the search index).
    pub index_bytes: u64,
    /// Pages an earlier render into the same directory wrote (by its
    /// [`MANIFEST`]) that this one did not write again, now removed.
    pub removed: usize,
    /// Whether the directory held files but no [`MANIFEST`]: nothing in it
    /// was removed, since nothing says which of its files are pages.
    pub unrecorded: bool,
    /// Paths written, relative to the output directory.
    paths: Vec<String>,
}

/// The file in the output directory that lists, one relative path a line,
/// every file the last render wrote there. The next render removes the
/// files it lists and does not write again (pages of servers and tools that
/// went away), and never any other file.
pub const MANIFEST: &str = ".mcp-risk-pages.txt";

const MANIFEST_HEAD: &str =
    "# Files mcp-risk pages wrote here; the next run removes those it does not write again.";

/// How the site is published.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Where the site will be served, e.g. `https://example.org/mcp/`: gives
    /// every page a canonical URL and OpenGraph/Twitter meta, and the site a
    /// sitemap.xml. Must be an absolute http(s) URL; a missing final `/` is
    /// added.
    pub base_url: Option<String>,
}

/// A `--base-url` that pages can use, or why not.
pub fn base_url(s: &str) -> Result<String, String> {
    let u = url::Url::parse(s).map_err(|e| format!("{s}: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(format!("{s}: give an http or https URL"));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(format!("{s}: a base URL has no query or fragment"));
    }
    let mut out = u.to_string();
    if !out.ends_with('/') {
        out.push('/');
    }
    Ok(out)
}

/// Renders the site into `out` with no base URL; see [`render_with`].
pub fn render(site: &SiteInput, format: Format, out: &Path) -> Result<Written, PagesError> {
    render_with(site, format, out, &Options::default())
}

/// Renders the site into `out` (created if missing). Existing files with the
/// same names are overwritten; files an earlier render listed in `out`'s
/// [`MANIFEST`] and this one does not write are removed; nothing else in
/// `out` is touched. Servers render
/// and write in parallel; the output bytes do not depend on scheduling. Output
/// is linear in the input: a tool page lists a capped window of its siblings
/// and a few related tools, never the whole server.
pub fn render_with(
    site: &SiteInput,
    format: Format,
    out: &Path,
    opts: &Options,
) -> Result<Written, PagesError> {
    let view = model::build(site, format.ext());
    render_view(&view, site, format, out, opts)
}

/// [`render_with`] for a caller that no longer needs the input: the raw tool
/// definitions and the server-wide policy texts are dropped once the view
/// holds what the pages show, which keeps the peak memory of a registry-sized
/// site down (the parsed JSON is the largest part of it).
pub fn render_owned(
    mut site: SiteInput,
    format: Format,
    out: &Path,
    opts: &Options,
) -> Result<Written, PagesError> {
    let view = model::build(&site, format.ext());
    for s in &mut site.servers {
        s.tools = Vec::new();
        s.policy_json = String::new();
        s.intercept_yaml = String::new();
    }
    render_view(&view, &site, format, out, opts)
}

fn render_view(
    view: &model::SiteView,
    site: &SiteInput,
    format: Format,
    out: &Path,
    opts: &Options,
) -> Result<Written, PagesError> {
    let ext = format.ext();
    let base = opts.base_url.as_deref();
    let ctx = html::Ctx {
        site: view,
        input: site,
        base_url: base,
    };
    let unrecorded_before = !out.join(MANIFEST).exists()
        && std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some());
    let previous = read_manifest(out)?;
    mkdir(out)?;
    let mut written = Written {
        servers: view.servers.len(),
        tools: view.servers.iter().map(|s| s.tools.len()).sum(),
        ..Written::default()
    };
    let list_pages = view.servers.len().div_ceil(html::SERVERS_PER_PAGE).max(1);
    for n in 1..=list_pages {
        let body = match format {
            Format::Html => html::index(&ctx, n)?,
            Format::Markdown => markdown::index(&ctx, n),
        };
        if n == 1 {
            written.index_bytes = body.len() as u64;
        }
        write(out, &html::list_page(n, ext), &body, &mut written)?;
    }
    if !view.attacks.is_empty() {
        mkdir(&out.join("attacks"))?;
    }
    for a in &view.attacks {
        let body = match format {
            Format::Html => html::attack(&ctx, *a)?,
            Format::Markdown => markdown::attack(&ctx, *a),
        };
        write(
            out,
            &format!("attacks/{}.{ext}", a.slug()),
            &body,
            &mut written,
        )?;
    }
    let per_server: Vec<Result<Written, PagesError>> = view
        .servers
        .par_iter()
        .map(|s| {
            let mut w = Written::default();
            mkdir(&out.join(&s.slug))?;
            let body = match format {
                Format::Html => html::server(&ctx, s)?,
                Format::Markdown => markdown::server(&ctx, s),
            };
            write(out, &format!("{}/index.{ext}", s.slug), &body, &mut w)?;
            for (ti, t) in s.tools.iter().enumerate() {
                let body = match format {
                    Format::Html => html::tool(&ctx, s, ti)?,
                    Format::Markdown => markdown::tool(&ctx, s, ti),
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
        written.paths.extend(w.paths);
    }
    if format == Format::Html {
        write(out, "404.html", &html::not_found(&ctx)?, &mut written)?;
        write(out, "robots.txt", &publish::robots(base), &mut written)?;
        if let Some(base) = base {
            for (name, body) in publish::sitemaps(view, base) {
                write(out, &name, &body, &mut written)?;
            }
        }
    }
    written.removed = remove_stale(out, &previous, &written.paths);
    written.unrecorded = unrecorded_before;
    let mut list = std::mem::take(&mut written.paths);
    list.sort();
    let manifest = format!("{MANIFEST_HEAD}\n{}\n", list.join("\n"));
    // Written aside and renamed, so a run cut short leaves the old list whole.
    let tmp = out.join(format!("{MANIFEST}.tmp"));
    std::fs::write(&tmp, &manifest).map_err(|source| PagesError::Io {
        path: tmp.clone(),
        source,
    })?;
    let to = out.join(MANIFEST);
    std::fs::rename(&tmp, &to).map_err(|source| PagesError::Io { path: to, source })?;
    written.files += 1;
    written.bytes += manifest.len() as u64;
    Ok(written)
}

/// The paths the last render listed in `out`'s [`MANIFEST`] (none when
/// there is none). A line that is not a plain relative path inside `out`
/// (`..`, absolute, empty) is ignored: the manifest is only ever trusted to
/// name files below `out`.
fn read_manifest(out: &Path) -> Result<Vec<String>, PagesError> {
    let path = out.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(PagesError::Io { path, source }),
    };
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            let p = Path::new(l);
            !l.is_empty()
                && p.components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)))
        })
        .map(str::to_owned)
        .collect())
}

/// Removes the regular files `previous` lists and `now` does not (never a
/// directory, a symlink or anything else, nor a file reached through a
/// symlinked folder), then the directories that left
/// empty. Returns how many files went. A file that cannot be removed stays,
/// silently: the pages written are what matters.
fn remove_stale(out: &Path, previous: &[String], now: &[String]) -> usize {
    let now: std::collections::HashSet<&str> = now.iter().map(String::as_str).collect();
    let mut removed = 0;
    let mut dirs = std::collections::BTreeSet::new();
    for rel in previous.iter().filter(|r| !now.contains(r.as_str())) {
        let path = out.join(rel);
        let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
        // Every folder on the way a real one, not a link leading elsewhere.
        let inside = Path::new(rel)
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .all(|a| std::fs::symlink_metadata(out.join(a)).is_ok_and(|m| m.file_type().is_dir()));
        if is_file && inside && std::fs::remove_file(&path).is_ok() {
            removed += 1;
            let mut dir = Path::new(rel).parent();
            while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
                dirs.insert(d.to_owned());
                dir = d.parent();
            }
        }
    }
    // Deepest first; remove_dir fails (and we leave it) on a non-empty one.
    for d in dirs.iter().rev() {
        let _ = std::fs::remove_dir(out.join(d));
    }
    removed
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
    written.paths.push(rel.to_owned());
    Ok(())
}
