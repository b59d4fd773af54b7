//! What a published site needs besides its pages: robots.txt and, when the
//! site knows where it is served (`--base-url`), a sitemap (split into files
//! of at most [`PER_SITEMAP`] URLs under a sitemap index, as the protocol
//! requires, when the catalogue is larger).

use std::fmt::Write as _;

use super::html::{list_page, SERVERS_PER_PAGE};
use super::model::SiteView;

/// The sitemap protocol's limit of URLs per file.
pub const PER_SITEMAP: usize = 50_000;

pub fn robots(base: Option<&str>) -> String {
    let mut s = String::from("User-agent: *\nAllow: /\n");
    if let Some(b) = base {
        let _ = writeln!(s, "Sitemap: {b}sitemap.xml");
    }
    s
}

/// Every page's path relative to the site root, in a stable order.
pub fn page_paths(site: &SiteView) -> Vec<String> {
    let mut out = Vec::new();
    let pages = site.servers.len().div_ceil(SERVERS_PER_PAGE).max(1);
    for n in 1..=pages {
        out.push(list_page(n, "html"));
    }
    for a in &site.attacks {
        out.push(format!("attacks/{}.html", a.slug()));
    }
    for s in &site.servers {
        out.push(format!("{}/index.html", s.slug));
        for t in &s.tools {
            out.push(format!("{}/{}.html", s.slug, t.slug));
        }
    }
    out
}

/// XML text: the five predefined entities.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn urlset(base: &str, paths: &[String]) -> String {
    let mut s = String::with_capacity(paths.len() * (base.len() + 40) + 200);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for p in paths {
        let _ = writeln!(s, "<url><loc>{}</loc></url>", xml(&format!("{base}{p}")));
    }
    s.push_str("</urlset>\n");
    s
}

/// The sitemap files: `sitemap.xml` alone, or `sitemap.xml` as an index of
/// `sitemap-N.xml` files.
pub fn sitemaps(site: &SiteView, base: &str) -> Vec<(String, String)> {
    let paths = page_paths(site);
    if paths.len() <= PER_SITEMAP {
        return vec![("sitemap.xml".into(), urlset(base, &paths))];
    }
    let mut out = Vec::new();
    let mut index = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (i, chunk) in paths.chunks(PER_SITEMAP).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        let _ = writeln!(
            index,
            "<sitemap><loc>{}</loc></sitemap>",
            xml(&format!("{base}{name}"))
        );
        out.push((name, urlset(base, chunk)));
    }
    index.push_str("</sitemapindex>\n");
    out.insert(0, ("sitemap.xml".into(), index));
    out
}
