//! HTML pages through askama templates (`templates/pages/*.html`, auto-escaped
//! because of the `.html` extension). Server text is never marked safe: the only
//! `|safe` outputs are our own stylesheet and script, compiled in, whose SHA-256
//! hashes the Content-Security-Policy allows and nothing else.

use std::sync::OnceLock;

use askama::Template;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use serde_json::json;

use super::control::{self, Control, Snippet};
use super::model::{ServerView, SiteView, ToolView, CLASSES, CONTEXT_WINDOW, RISKS};
use super::prose::{self, Attack, Faq, FaqFacts, Owasp};
use super::{related, PagesError, SiteInput};
use crate::classify::{Class, Signal};
use crate::text::{code_segments, visible, CodeSeg};

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
pub(super) struct Head {
    title: String,
    csp: &'static str,
    css: &'static str,
    js: &'static str,
    /// Relative path from the page to the site root ("" or "../").
    root: &'static str,
    /// The page's absolute URL, when the site has a `--base-url`.
    canonical: Option<String>,
    /// One line for search results and link previews.
    description: String,
    /// "27 tools of this server, of 259 tools on 19 servers, classified".
    catalogue: String,
    /// schema.org JSON-LD, already made safe to sit inside `<script>`.
    ld_json: Option<String>,
}

impl Head {
    fn new(title: String, root: &'static str) -> Head {
        Head {
            title,
            csp: content_security_policy(),
            css: CSS,
            js: js(),
            root,
            canonical: None,
            description: String::new(),
            catalogue: String::new(),
            ld_json: None,
        }
    }

    fn page(mut self, ctx: &Ctx<'_>, rel: &str, description: String, catalogue: String) -> Head {
        self.canonical = ctx.base_url.map(|b| format!("{b}{rel}"));
        self.description = description;
        self.catalogue = catalogue;
        self
    }
}

/// What every page needs to know about the site.
pub struct Ctx<'a> {
    pub site: &'a SiteView,
    pub input: &'a SiteInput,
    /// Ends with `/`.
    pub base_url: Option<&'a str>,
}

impl Ctx<'_> {
    /// "259 tools on 19 servers, classified".
    pub fn catalogue(&self) -> String {
        format!(
            "{} on {}, classified",
            plural(self.site.counts.total, "tool", "tools"),
            plural(self.site.servers.len(), "server", "servers")
        )
    }

    /// "of 259 tools on 19 servers, classified".
    pub fn of_catalogue(&self) -> String {
        format!("of {}", self.catalogue())
    }
}

/// JSON for a `<script type="application/ld+json">` block: see [`script_json`].
pub fn ld_json(v: &serde_json::Value) -> String {
    script_json(&serde_json::to_string(v).unwrap_or_default())
}

/// JSON text made safe inside a `<script>` data block (which the browser never
/// runs, so the CSP needs no hash for it): `<`, `>` and `&` written as `\u`
/// escapes, so no tool text can close the element or open a comment, and the
/// data parses to the same value. Only valid for JSON text, where these three
/// characters can appear only inside strings.
pub fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
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
    /// Position in the site (the search filter's value).
    ix: usize,
    server: &'a ServerView,
    mix: Vec<Seg>,
    /// Which class counts are zero (shown faded).
    zero: [bool; 3],
}

/// One page of the server list.
struct PageLink {
    n: usize,
    href: String,
    current: bool,
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
    /// Whether this is the first page (it carries the charts and the search).
    first: bool,
    pages: Vec<PageLink>,
    range: String,
    attacks: Vec<Attack>,
    /// The search index as a JSON data block ([`script_json`]); first page only.
    index_json: String,
}

/// An attack class as a tool or server page lists it.
struct AttackItem {
    slug: &'static str,
    title: &'static str,
    summary: &'static str,
    owasp: &'static [Owasp],
}

fn attack_items(list: &[Attack]) -> Vec<AttackItem> {
    list.iter()
        .map(|a| AttackItem {
            slug: a.slug(),
            title: a.title(),
            summary: a.summary(),
            owasp: a.owasp(),
        })
        .collect()
}

/// A snippet as the page shows it (hidden characters marked, kept verbatim).
struct SnippetView<'a> {
    s: &'a Snippet,
    segs: Vec<CodeSeg>,
}

fn snippets(list: &[Snippet]) -> Vec<SnippetView<'_>> {
    list.iter()
        .map(|s| SnippetView {
            s,
            segs: code_segments(&s.code),
        })
        .collect()
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
    worst: Vec<&'a ToolView>,
    attacks: Vec<AttackItem>,
    ro_json: Vec<CodeSeg>,
    ro_yaml: Vec<CodeSeg>,
    ro_text: String,
}

/// A tool of another server, for "the same kind of tool on other servers".
struct Across<'a> {
    server: &'a ServerView,
    tool: &'a ToolView,
}

#[derive(Template)]
#[template(path = "pages/tool.html")]
struct ToolPage<'a> {
    head: Head,
    s: &'a ServerView,
    t: &'a ToolView,
    control: &'a Control,
    formats: Vec<SnippetView<'a>>,
    rate_limit: Vec<SnippetView<'a>>,
    block: Vec<SnippetView<'a>>,
    attacks: Vec<AttackItem>,
    faq: &'a [Faq],
    siblings: Vec<&'a ToolView>,
    more_siblings: usize,
    across: Vec<Across<'a>>,
}

#[derive(Template)]
#[template(path = "pages/attack.html")]
struct AttackPage<'a> {
    head: Head,
    a: AttackItem,
    paragraphs: [&'static str; 2],
    examples: Vec<Across<'a>>,
    total: usize,
}

#[derive(Template)]
#[template(path = "pages/notfound.html")]
struct NotFoundPage {
    head: Head,
    home: String,
}

fn render(page: &impl Template, name: &str) -> Result<String, PagesError> {
    page.render().map_err(|source| PagesError::Render {
        page: name.to_owned(),
        source,
    })
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn percent(part: usize, whole: usize) -> u64 {
    if whole == 0 {
        0
    } else {
        ((part as u64) * 100 + (whole as u64) / 2) / whole as u64
    }
}

/// Servers listed per page of the index: the first page is `index.html`, the
/// others `servers-N.html`.
pub const SERVERS_PER_PAGE: usize = 200;

/// The file name of page `n` (1-based) of the server list.
pub fn list_page(n: usize, ext: &str) -> String {
    if n <= 1 {
        format!("index.{ext}")
    } else {
        format!("servers-{n}.{ext}")
    }
}

/// Page `n` (1-based) of the index.
pub fn index(ctx: &Ctx<'_>, n: usize) -> Result<String, PagesError> {
    let site = ctx.site;
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
    let pages_total = site.servers.len().div_ceil(SERVERS_PER_PAGE).max(1);
    let start = (n - 1) * SERVERS_PER_PAGE;
    let end = (start + SERVERS_PER_PAGE).min(site.servers.len());
    let rows = site.servers[start..end]
        .iter()
        .enumerate()
        .map(|(k, s)| {
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
                ix: start + k,
                server: s,
                mix,
                zero: s.counts.class.map(|n| n == 0),
            }
        })
        .collect();
    let signals = index_signals(site);
    let rel = list_page(n, "html");
    let lede = format!(
        "{}, {}: {} can modify or destroy data.",
        plural(site.servers.len(), "server", "servers"),
        plural(site.counts.total, "tool", "tools"),
        site.counts.modifying()
    );
    let title = if n == 1 {
        "MCP tool risk report · mcp-risk".to_owned()
    } else {
        format!("Servers, page {n} · MCP tool risk report · mcp-risk")
    };
    let page = IndexPage {
        head: Head::new(title, "").page(
            ctx,
            &rel,
            format!("What the tools of {lede} Classified read, write or destructive, with a recommended policy for each."),
            ctx.catalogue(),
        ),
        lede,
        site,
        chart_height: RISKS.len() as u64 * 44 - 8,
        chart,
        rows,
        signals,
        first: n == 1,
        pages: if pages_total > 1 {
            (1..=pages_total)
                .map(|k| PageLink {
                    n: k,
                    href: list_page(k, "html"),
                    current: k == n,
                })
                .collect()
        } else {
            Vec::new()
        },
        range: format!("servers {}–{} of {}", start + 1, end, site.servers.len()),
        attacks: site.attacks.iter().copied().collect(),
        index_json: if n == 1 {
            script_json(&site.index_json)
        } else {
            String::new()
        },
    };
    render(&page, &rel)
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

/// Tools a server page lists under "worst tools first".
pub const WORST: usize = 10;

pub fn server(ctx: &Ctx<'_>, s: &ServerView) -> Result<String, PagesError> {
    let input = &ctx.input.servers[s.six];
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
    let worst = s.worst(WORST);
    let attacks = attack_items(&s.attacks);
    let (ro_json, ro_yaml, reads) = control::read_only_profile(&input.name, &input.verdicts);
    let rel = format!("{}/index.html", s.slug);
    let headline = format!(
        "{}, {} can modify or destroy data.",
        plural(s.counts.total, "tool", "tools"),
        s.counts.modifying()
    );
    let page = ServerPage {
        head: Head::new(format!("{} · MCP server risk · mcp-risk", s.name), "../").page(
            ctx,
            &rel,
            format!("MCP server {}: {} {}", s.name, headline, s.world.join(" ")),
            format!("{} of this server, {}", plural(s.counts.total, "tool", "tools"), ctx.of_catalogue()),
        ),
        headline,
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
        worst,
        attacks,
        ro_json: code_segments(&ro_json),
        ro_yaml: code_segments(&ro_yaml),
        ro_text: format!(
            "Lets an agent use the {} of {} (under the limits their risk calls for) and nothing else: every write and destructive tool is denied by the default. Save it as policy.json for the PolicyLayer gateway, or the YAML for Intercept.",
            plural(reads, "read tool", "read tools"),
            s.name
        ),
    };
    render(&page, &rel)
}

/// What a tool page renders beyond the view: computed per page, from the
/// verdict, and dropped after.
pub struct ToolExtras {
    pub control: Control,
    pub faq: Vec<Faq>,
}

pub fn tool_extras(ctx: &Ctx<'_>, s: &ServerView, t: &ToolView) -> ToolExtras {
    let input = &ctx.input.servers[s.six];
    let v = &input.verdicts[t.vix];
    let policy = input
        .tool_policies
        .get(t.vix)
        .map(String::as_str)
        .unwrap_or("");
    let mut control = control::for_tool(&input.name, v, policy);
    // Shown text: hidden characters visible in the sentences.
    for text in [
        &mut control.rule,
        &mut control.rate_limit_text,
        &mut control.block_text,
    ] {
        *text = visible(text);
    }
    for sn in control
        .formats
        .iter_mut()
        .chain(control.rate_limit.iter_mut())
        .chain(control.block.iter_mut())
    {
        sn.achieves = visible(&sn.achieves);
        sn.apply = visible(&sn.apply);
    }
    let faq = prose::faq(&FaqFacts {
        tool: &t.name,
        server: &s.name,
        class: t.class,
        risk: t.risk,
        world: &t.world,
        description: &t.description,
        rule: &control.rule,
        rate_limit: &control.rate_limit_text,
        block: &control.block_text,
        server_tools: s.tools.len(),
    });
    ToolExtras { control, faq }
}

/// The FAQ as schema.org FAQPage data.
pub fn faq_ld(faq: &[Faq], url: Option<&str>) -> serde_json::Value {
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": faq.iter().map(|f| json!({
            "@type": "Question",
            "name": f.question,
            "acceptedAnswer": {"@type": "Answer", "text": f.answer},
        })).collect::<Vec<_>>(),
    });
    if let Some(u) = url {
        v["url"] = json!(u);
    }
    v
}

pub fn tool(ctx: &Ctx<'_>, s: &ServerView, ti: usize) -> Result<String, PagesError> {
    let t = &s.tools[ti];
    let extras = tool_extras(ctx, s, t);
    let window = related::siblings(ti, s.tools.len());
    let siblings: Vec<&ToolView> = s.tools[window.clone()]
        .iter()
        .filter(|o| o.slug != t.slug)
        .collect();
    let across = t
        .related
        .iter()
        .map(|&(si, tj)| Across {
            server: &ctx.site.servers[si],
            tool: &ctx.site.servers[si].tools[tj],
        })
        .collect();
    let rel = format!("{}/{}.html", s.slug, t.slug);
    let mut head = Head::new(
        format!("{} on {}: {} risk · mcp-risk", t.name, s.name, t.risk),
        "../",
    )
    .page(
        ctx,
        &rel,
        format!(
            "{} risk, {}: {} on {}. {}",
            prose::capitalize(t.risk.as_str()),
            t.class,
            t.name,
            s.name,
            t.world.join(" ")
        ),
        format!(
            "{} of this server, {}",
            plural(s.counts.total, "tool", "tools"),
            ctx.of_catalogue()
        ),
    );
    head.ld_json = Some(ld_json(&faq_ld(&extras.faq, head.canonical.as_deref())));
    let page = ToolPage {
        head,
        s,
        t,
        control: &extras.control,
        formats: snippets(&extras.control.formats),
        rate_limit: snippets(&extras.control.rate_limit),
        block: snippets(&extras.control.block),
        attacks: attack_items(&t.attacks),
        faq: &extras.faq,
        more_siblings: s.tools.len() - 1 - siblings.len(),
        siblings,
        across,
    };
    render(&page, &rel)
}

/// Examples an attack page lists.
pub const ATTACK_EXAMPLES: usize = 20;

pub fn attack(ctx: &Ctx<'_>, a: Attack) -> Result<String, PagesError> {
    let mut examples = Vec::new();
    let mut total = 0;
    for s in &ctx.site.servers {
        for t in &s.tools {
            if t.attacks.contains(&a) {
                total += 1;
                if examples.len() < ATTACK_EXAMPLES {
                    examples.push(Across { server: s, tool: t });
                }
            }
        }
    }
    examples.sort_by(|x, y| {
        y.tool
            .risk
            .cmp(&x.tool.risk)
            .then(x.server.name.cmp(&y.server.name))
    });
    let rel = format!("attacks/{}.html", a.slug());
    let page = AttackPage {
        head: Head::new(format!("{} · attack classes · mcp-risk", a.title()), "../").page(
            ctx,
            &rel,
            a.summary().to_owned(),
            format!(
                "{} enabling it, {}",
                plural(total, "tool", "tools"),
                ctx.of_catalogue()
            ),
        ),
        paragraphs: a.explainer(),
        a: attack_items(&[a]).remove(0),
        examples,
        total,
    };
    render(&page, &rel)
}

/// The page a web server shows for a missing path. Its links are absolute
/// when the site has a base URL (it is served at any depth), relative to the
/// root otherwise.
pub fn not_found(ctx: &Ctx<'_>) -> Result<String, PagesError> {
    let home = ctx
        .base_url
        .map_or_else(|| "index.html".to_owned(), |b| format!("{b}index.html"));
    let mut head = Head::new("Page not found · mcp-risk".to_owned(), "").page(
        ctx,
        "404.html",
        "This page is not part of the report.".to_owned(),
        ctx.catalogue(),
    );
    head.canonical = None;
    render(&NotFoundPage { head, home }, "404.html")
}
