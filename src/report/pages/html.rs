//! HTML pages through askama templates (`templates/pages/*.html`, auto-escaped
//! because of the `.html` extension). Server text is never marked safe: the only
//! `|safe` outputs are our own stylesheet and script, compiled in, whose SHA-256
//! hashes the Content-Security-Policy allows and nothing else.

use std::sync::OnceLock;

use askama::Template;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::model::{ServerView, SiteView, ToolView, CLASSES, CONTEXT_WINDOW, RISKS};
use super::PagesError;
use crate::classify::{Class, Signal};

/// Our stylesheet, inlined in every page.
pub const CSS: &str = include_str!("../../../templates/assets/site.css");
/// Our one script (copy buttons, search), as written.
const JS_SOURCE: &str = include_str!("../../../templates/assets/site.js");

/// The script as inlined in every page: indentation and whole-line comments
/// dropped (line breaks kept, so no statement changes meaning), which saves a
/// quarter of its bytes on each of thousands of pages.
pub fn js() -> &'static str {
    static JS: OnceLock<String> = OnceLock::new();
    JS.get_or_init(|| {
        JS_SOURCE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// `sha256-<base64>` of the inline script, as the CSP names it.
pub fn script_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| csp_hash(js()))
}

/// `sha256-<base64>` of the inline stylesheet, as the CSP names it.
pub fn style_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| csp_hash(CSS))
}

/// The policy every page carries: nothing loads or runs but our own hashed
/// script and style (no network, no plugins, no forms, no base rewriting).
pub fn content_security_policy() -> &'static str {
    static P: OnceLock<String> = OnceLock::new();
    P.get_or_init(|| {
        format!(
            "default-src 'none'; script-src '{}'; style-src '{}'; \
             base-uri 'none'; form-action 'none'",
            script_hash(),
            style_hash()
        )
    })
}

/// What the base template needs.
struct Head {
    title: String,
    csp: &'static str,
    css: &'static str,
    js: &'static str,
    /// Relative path from the page to the site root ("" or "../").
    root: &'static str,
}

impl Head {
    fn new(title: String, root: &'static str) -> Head {
        Head {
            title,
            csp: content_security_policy(),
            css: CSS,
            js: js(),
            root,
        }
    }
}

/// One bar of the risk-distribution chart (laid out in pixels down and
/// percent across, so the text stays readable at every width).
struct Bar {
    label: &'static str,
    count: usize,
    /// Share of all tools, e.g. `"20.0%"` (at least a sliver when non-zero).
    width: String,
    y: u64,
    pct: u64,
}

/// One segment of a server's risk-mix bar.
struct Seg {
    risk: &'static str,
    x: f64,
    w: f64,
}

struct RiskCard {
    label: &'static str,
    n: usize,
    zero: bool,
}

struct Row<'a> {
    server: &'a ServerView,
    mix: Vec<Seg>,
    /// Which class counts are zero (shown faded).
    zero: [bool; 3],
}

#[derive(Template)]
#[template(path = "pages/index.html")]
struct IndexPage<'a> {
    head: Head,
    site: &'a SiteView,
    lede: String,
    chart: Vec<Bar>,
    chart_height: u64,
    rows: Vec<Row<'a>>,
    signals: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "pages/server.html")]
struct ServerPage<'a> {
    head: Head,
    s: &'a ServerView,
    headline: String,
    disagreement_count: String,
    risk_cards: Vec<RiskCard>,
    context_share: String,
    groups: Vec<(Class, Vec<&'a ToolView>)>,
    class_titles: Vec<&'static str>,
    disagreements: Vec<&'a ToolView>,
    any_declared: bool,
}

#[derive(Template)]
#[template(path = "pages/tool.html")]
struct ToolPage<'a> {
    head: Head,
    s: &'a ServerView,
    t: &'a ToolView,
}

fn render(page: &impl Template, name: &str) -> Result<String, PagesError> {
    page.render().map_err(|source| PagesError::Render {
        page: name.to_owned(),
        source,
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn percent(part: usize, whole: usize) -> u64 {
    if whole == 0 {
        0
    } else {
        ((part as u64) * 100 + (whole as u64) / 2) / whole as u64
    }
}

pub fn index(site: &SiteView) -> Result<String, PagesError> {
    let total = site.counts.total.max(1) as f64;
    let chart: Vec<Bar> = RISKS
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let n = site.counts.risk[i];
            let share = (100.0 * n as f64 / total).max(if n > 0 { 1.5 } else { 0.0 });
            Bar {
                label: r.as_str(),
                count: n,
                width: format!("{share:.1}%"),
                y: i as u64 * 44,
                pct: percent(n, site.counts.total),
            }
        })
        .collect();
    let rows = site
        .servers
        .iter()
        .map(|s| {
            let mut x = 0.0;
            let mut mix = Vec::new();
            // Low to critical, left to right.
            for i in (0..RISKS.len()).rev() {
                if s.counts.total == 0 || s.counts.risk[i] == 0 {
                    continue;
                }
                let w = 120.0 * s.counts.risk[i] as f64 / s.counts.total as f64;
                mix.push(Seg {
                    risk: RISKS[i].as_str(),
                    x: (x * 100.0_f64).round() / 100.0,
                    w: (w * 100.0_f64).round() / 100.0,
                });
                x += w;
            }
            Row {
                server: s,
                mix,
                zero: s.counts.class.map(|n| n == 0),
            }
        })
        .collect();
    let signals = index_signals(site);
    let page = IndexPage {
        head: Head::new("MCP tool risk report · mcp-risk".to_owned(), ""),
        lede: format!(
            "{}, {}: {} can modify or destroy data.",
            plural(site.servers.len(), "server", "servers"),
            plural(site.counts.total, "tool", "tools"),
            site.counts.modifying()
        ),
        site,
        chart_height: RISKS.len() as u64 * 44 - 8,
        chart,
        rows,
        signals,
    };
    render(&page, "index.html")
}

/// The signal vocabulary of the search index, in its order (the filter's values
/// are positions in it).
fn index_signals(site: &SiteView) -> Vec<&'static str> {
    let mut all: Vec<Signal> = site
        .servers
        .iter()
        .flat_map(|s| s.signals.iter().copied())
        .collect();
    all.sort();
    all.dedup();
    all.into_iter().map(Signal::as_str).collect()
}

pub fn server(s: &ServerView) -> Result<String, PagesError> {
    let groups: Vec<(Class, Vec<&ToolView>)> = CLASSES
        .iter()
        .map(|c| (*c, s.group(*c).collect::<Vec<_>>()))
        .filter(|(_, tools)| !tools.is_empty())
        .collect();
    let class_titles = groups
        .iter()
        .map(|(c, _)| match c {
            Class::Destructive => "Destructive: may overwrite, remove or run anything",
            Class::Write => "Write: changes things additively",
            Class::Read => "Read: does not change anything",
        })
        .collect();
    let disagreements: Vec<&ToolView> = s.disagreeing().collect();
    let page = ServerPage {
        head: Head::new(format!("{} · mcp-risk", s.name), "../"),
        headline: format!(
            "{}, {} can modify or destroy data.",
            plural(s.counts.total, "tool", "tools"),
            s.counts.modifying()
        ),
        disagreement_count: plural(disagreements.len(), "tool", "tools"),
        s,
        risk_cards: RISKS
            .iter()
            .enumerate()
            .map(|(i, r)| RiskCard {
                label: r.as_str(),
                n: s.counts.risk[i],
                zero: s.counts.risk[i] == 0,
            })
            .collect(),
        context_share: format!(
            "{}.{}% of a {}k context",
            s.context_permille / 10,
            s.context_permille % 10,
            CONTEXT_WINDOW / 1000
        ),
        groups,
        class_titles,
        disagreements,
        any_declared: s.tools.iter().any(|t| t.has_declared),
    };
    render(&page, &format!("{}/index.html", s.slug))
}

pub fn tool(s: &ServerView, t: &ToolView) -> Result<String, PagesError> {
    let page = ToolPage {
        head: Head::new(format!("{} · {} · mcp-risk", t.name, s.name), "../"),
        s,
        t,
    };
    render(&page, &format!("{}/{}.html", s.slug, t.slug))
}
