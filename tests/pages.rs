//! The static pages end to end: every local link resolves, hostile tool text is
//! escaped everywhere (HTML and Markdown), output is deterministic, the command
//! works from `--input`, and a real headless Chromium finds no console errors,
//! no executed payload, and a search box that narrows the list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use mcp_risk::classify::verdict::{Evidence, OperationParam, OperationValue};
use mcp_risk::classify::Signal;
use mcp_risk::classify::{Class, Risk};
use mcp_risk::pipeline::server_input;
use mcp_risk::report::pages::{self, slug, Changes, Format, SiteInput};
use scraper::{Html, Selector};
use serde_json::json;
use sha2::{Digest, Sha256};

const HOSTILE_SERVER: &str = "<img src=x onerror=window.__pwned=10> {{ name }} \u{202e}CON";
const HOSTILE_TOOL: &str = "<script>window.__pwned=1</script>";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/fixtures")
}

/// The fixture servers, classified and with policies, plus verdict details a
/// full rules engine produces (evidence, signals, changes) so every section of
/// every page renders, with hostile text in each of them.
fn site() -> SiteInput {
    let mut servers = Vec::new();
    for s in mcp_risk::input::load(&fixtures()).expect("fixtures load") {
        let changes = (s.server == "issues").then(|| Changes {
            added: vec!["run_workflow".into()],
            removed: vec!["delete_issue".into()],
            changed: vec!["update_issue".into()],
            note: "Since the crawl of 2026-11-20.".into(),
        });
        let mut input = server_input(s.server.clone(), s.tools, changes);
        for v in &mut input.verdicts {
            match (s.server.as_str(), v.name.as_str()) {
                ("files", "delete_path") => {
                    v.args.switches = vec!["recursive".into(), "force".into()];
                    v.signals = vec![Signal::IrreversibleLoss, Signal::BulkScope];
                    v.rationale = "Deletes files or whole directory trees; with recursive=true one call removes everything under a path.".into();
                    v.evidence = vec![
                        Evidence {
                            rule: "delete-verb".into(),
                            field: "name".into(),
                            text: "delete".into(),
                        },
                        Evidence {
                            rule: "recursive-switch".into(),
                            field: "inputSchema.properties.recursive".into(),
                            text: "Remove directories and their contents".into(),
                        },
                    ];
                }
                ("issues", "manage_repository") => {
                    v.args.operations = vec![OperationParam {
                        param: "operation".into(),
                        values: vec![
                            OperationValue {
                                value: "get".into(),
                                class: Class::Read,
                                risk: Risk::Low,
                            },
                            OperationValue {
                                value: "archive".into(),
                                class: Class::Destructive,
                                risk: Risk::Medium,
                            },
                            OperationValue {
                                value: "transfer".into(),
                                class: Class::Destructive,
                                risk: Risk::High,
                            },
                            OperationValue {
                                value: "delete".into(),
                                class: Class::Destructive,
                                risk: Risk::Critical,
                            },
                        ],
                    }];
                }
                ("issues", "update_issue") => {
                    // Declared read-only, but it changes the issue.
                    v.class = Class::Destructive;
                    v.risk = Risk::Medium;
                    v.hints = mcp_risk::classify::Verdict::hints_for(v.class);
                    v.signals = vec![Signal::AnnotationMismatch];
                    v.rationale = "Overwrites an issue's title, body and state; the authors declare it read-only.".into();
                }
                ("hostile", _) => {
                    v.signals = vec![Signal::CodeExecution, Signal::SuspiciousDescription];
                    v.rationale = format!("{} <script>window.__pwned=8</script>", v.rationale);
                    v.args.sql = vec!["<b>q</b>".into()];
                    v.args.shell = vec!["{{ cmd }}".into()];
                    v.args.operations = vec![OperationParam {
                        param: "\"><svg onload=window.__pwned=12>".into(),
                        values: vec![OperationValue {
                            value: "<img src=x onerror=window.__pwned=13>".into(),
                            class: Class::Destructive,
                            risk: Risk::High,
                        }],
                    }];
                    v.evidence.push(Evidence {
                        rule: "<b>rule</b>".into(),
                        field: "description".into(),
                        text: "<img src=x onerror=window.__pwned=9> `` ``` ".into(),
                    });
                }
                _ => {}
            }
        }
        servers.push(input);
    }
    servers.push(server_input(
        HOSTILE_SERVER.into(),
        vec![json!({"name": "ping", "description": "Ping.\n<script>window.__pwned=11</script>"})],
        None,
    ));
    SiteInput { servers }
}

fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn render(format: Format) -> (tempfile::TempDir, pages::Written) {
    let dir = tempfile::tempdir().unwrap();
    let w = pages::render(&site(), format, dir.path()).expect("render");
    (dir, w)
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

#[test]
fn html_links_resolve_and_nothing_hostile_survives() {
    let (dir, written) = render(Format::Html);
    let all = files(dir.path());
    assert_eq!(all.len(), written.files);
    assert_eq!(written.servers, 6);
    assert!(dir.path().join("robots.txt").is_file());
    assert!(dir.path().join("404.html").is_file());
    assert!(
        !dir.path().join("sitemap.xml").exists(),
        "a sitemap needs absolute URLs: only with a base URL"
    );
    let csp = pages::content_security_policy();
    let mut links = 0;
    let mut faqs = 0;
    for file in all.iter().filter(|f| f.extension().unwrap() != "txt") {
        assert_eq!(file.extension().unwrap(), "html", "{}", file.display());
        let text = std::fs::read_to_string(file).unwrap();
        let doc = Html::parse_document(&text);
        let here = file.display();
        // One CSP, ours; one script, whose hash it names; one style.
        let metas: Vec<_> = doc.select(&sel("meta[http-equiv]")).collect();
        assert_eq!(metas.len(), 1, "{here}");
        assert_eq!(metas[0].value().attr("content"), Some(csp), "{here}");
        let scripts: Vec<_> = doc.select(&sel("script:not([type])")).collect();
        assert_eq!(scripts.len(), 1, "{here}: only our script");
        // Besides it, at most one data block: the FAQ as JSON-LD, whatever
        // the tool's text.
        let index: Vec<_> = doc.select(&sel("script#search-index")).collect();
        for d in &index {
            assert_eq!(d.value().attr("type"), Some("application/json"), "{here}");
            let text: String = d.text().collect();
            let v: serde_json::Value = serde_json::from_str(&text).expect("search index parses");
            assert_eq!(v["v"], 2);
        }
        let data: Vec<_> = doc
            .select(&sel("script[type]:not(#search-index)"))
            .collect();
        assert!(data.len() <= 1, "{here}");
        for d in &data {
            assert_eq!(d.value().attr("type"), Some("application/ld+json"));
            let text: String = d.text().collect();
            let v: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{here}: JSON-LD does not parse: {e}"));
            assert_eq!(v["@type"], "FAQPage", "{here}");
            let qs = v["mainEntity"].as_array().unwrap();
            assert_eq!(qs.len(), 6, "{here}");
            for q in qs {
                assert!(!q["name"].as_str().unwrap().is_empty());
                assert!(!q["acceptedAnswer"]["text"]
                    .as_str()
                    .unwrap()
                    .trim()
                    .is_empty());
            }
            faqs += 1;
        }
        assert_eq!(
            doc.select(&sel("script")).count(),
            1 + data.len() + index.len(),
            "{here}"
        );
        let catalogue: String = doc
            .select(&sel(".catalogue"))
            .next()
            .unwrap_or_else(|| panic!("{here}: no catalogue counts"))
            .text()
            .collect();
        assert!(
            catalogue.contains(&format!("{} tools on 6 servers, classified", written.tools)),
            "{here}: {catalogue}"
        );
        let body: String = scripts[0].text().collect();
        let hash =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()));
        assert!(
            csp.contains(&format!("'sha256-{hash}'")),
            "{here}: script hash not in CSP"
        );
        let styles: Vec<_> = doc.select(&sel("style")).collect();
        assert_eq!(styles.len(), 1, "{here}");
        let css: String = styles[0].text().collect();
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(css.as_bytes()));
        assert!(
            csp.contains(&format!("'sha256-{hash}'")),
            "{here}: style hash not in CSP"
        );
        // No element the server could have injected.
        for bad in [
            "iframe",
            "object",
            "embed",
            "img",
            "form[action]",
            "base",
            "a[target]",
            "[style]",
        ] {
            assert_eq!(doc.select(&sel(bad)).count(), 0, "{here}: found {bad}");
        }
        for el in doc.select(&sel("*")) {
            for (name, value) in el.value().attrs() {
                assert!(
                    !name.starts_with("on"),
                    "{here}: event handler {name}={value}"
                );
                assert!(
                    !value.trim().to_ascii_lowercase().starts_with("javascript:"),
                    "{here}: {name}={value}"
                );
            }
        }
        // A hidden character survives only inside a policy's hidden-character
        // marker (kept verbatim for copying, not displayed).
        for node in doc.tree.nodes() {
            let Some(text) = node.value().as_text() else {
                continue;
            };
            if text
                .chars()
                .any(|c| c != '\n' && c != '\t' && mcp_risk::text::is_hidden_or_control(c))
            {
                let marker = node.parent().and_then(|p| p.parent()).and_then(|gp| {
                    gp.value()
                        .as_element()
                        .map(|e| e.has_class("hc", scraper::CaseSensitivity::CaseSensitive))
                });
                assert_eq!(
                    marker,
                    Some(true),
                    "{here}: raw hidden character in {text:?}"
                );
            }
        }
        // Every local link resolves; there are no others.
        for el in doc.select(&sel("[href], [src]")) {
            for attr in ["href", "src"] {
                let Some(v) = el.value().attr(attr) else {
                    continue;
                };
                assert!(!v.contains(':'), "{here}: non-local {attr}={v}");
                let target = v.split('#').next().unwrap();
                if target.is_empty() {
                    continue;
                }
                let p = file.parent().unwrap().join(target);
                assert!(p.is_file(), "{here}: {attr}={v} does not resolve");
                links += 1;
            }
        }
    }
    assert!(links > 100, "only {links} links checked");
    assert_eq!(faqs, written.tools, "one FAQ per tool page");

    // The hostile texts are shown, as text.
    let slugs = slug::assign(["hostile"]);
    let tool_slugs = slug::assign(
        site()
            .servers
            .iter()
            .find(|s| s.name == "hostile")
            .unwrap()
            .verdicts
            .iter()
            .map(|v| v.name.as_str()),
    );
    let page = dir
        .path()
        .join(&slugs["hostile"])
        .join(format!("{}.html", tool_slugs[HOSTILE_TOOL]));
    let doc = Html::parse_document(&std::fs::read_to_string(&page).unwrap());
    let h1: String = doc.select(&sel("h1")).next().unwrap().text().collect();
    assert!(h1.starts_with(HOSTILE_TOOL), "{h1}");
    let whole: String = doc.root_element().text().collect();
    assert!(whole.contains("<img src=x onerror=\"window.__pwned=2;alert(1)\">"));
    assert!(
        whole.contains("{{ 7*7 }}"),
        "template syntax shown verbatim"
    );
    assert!(
        whole.contains("\\u{202e}gnp.exe"),
        "bidi override made visible"
    );
    assert!(!whole.contains('\u{202e}'), "no raw bidi override anywhere");
    // The Intercept YAML names the tool with a YAML escape, never the raw override.
    let server = dir.path().join(&slugs["hostile"]).join("index.html");
    let doc = Html::parse_document(&std::fs::read_to_string(&server).unwrap());
    let yaml: String = doc
        .select(&sel("#intercept-yaml"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(yaml.contains("\"\\u202eevil\\u202c_tool\""), "{yaml}");
    assert!(!yaml.contains('\u{202e}'), "{yaml}");
    let index = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    assert!(index.contains("&#60;img src=x onerror=window.__pwned=10&#62; {{ name }} \\u{202e}CON"));
}

/// The script hash must be over the exact bytes between the tags.
#[test]
fn csp_names_the_inline_script_and_style() {
    let csp = pages::content_security_policy();
    assert!(csp.starts_with("default-src 'none'; script-src 'sha256-"));
    assert!(!csp.contains("unsafe"));
    assert!(csp.contains(pages::style_hash()));
}

#[test]
fn markdown_links_resolve_and_text_is_escaped() {
    let (dir, written) = render(Format::Markdown);
    assert!(written.files > 30);
    for file in files(dir.path()) {
        let here = file.display().to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        // Outside code blocks, no raw HTML and no link but ours.
        let mut fence: Option<String> = None;
        for line in text.lines() {
            if let Some(f) = &fence {
                if line.trim_end() == f {
                    fence = None;
                }
                continue;
            }
            if line.starts_with("```") {
                let n = line.chars().take_while(|c| *c == '`').count();
                fence = Some("`".repeat(n));
                continue;
            }
            assert!(
                !line.contains("{{") && !line.contains("{%"),
                "{here}: template syntax outside code: {line:?}"
            );
            let bytes = line.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if *b == b'<' {
                    assert!(i > 0 && bytes[i - 1] == b'\\', "{here}: raw < in {line:?}");
                }
            }
            let mut rest = line;
            while let Some(at) = rest.find("](") {
                let after = &rest[at + 2..];
                let end = after.find(')').expect("closed link");
                let target = &after[..end];
                assert!(!target.contains(':'), "{here}: non-local link {target}");
                let p = file.parent().unwrap().join(target);
                assert!(p.is_file(), "{here}: link {target} does not resolve");
                rest = &after[end..];
            }
        }
        assert!(fence.is_none(), "{here}: unclosed code block");
    }
}

#[test]
fn output_is_deterministic() {
    let (a, _) = render(Format::Html);
    let (b, _) = render(Format::Html);
    let read = |root: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        files(root)
            .into_iter()
            .map(|p| {
                (
                    p.strip_prefix(root).unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(read(a.path()), read(b.path()));
}

#[test]
fn command_renders_from_input_and_explains_db() {
    let out = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_mcp-risk");
    let run = Command::new(bin)
        .args(["pages", "--input"])
        .arg(fixtures())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("index.html"));
    let index = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(index.contains("href=\"issues/index.html\""));
    let run = Command::new(bin)
        .args(["pages", "--format", "md", "--input"])
        .arg(fixtures().join("issues.json"))
        .arg("--out")
        .arg(out.path().join("md"))
        .output()
        .unwrap();
    assert!(run.status.success());
    assert!(out.path().join("md/issues/index.md").is_file());
    let run = Command::new(bin)
        .args(["pages", "--db", "nowhere.db", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("no database at"));
}

/// `pages --out DIR` run again into the same DIR removes the pages of the
/// servers and tools that went away (the files its manifest lists and it
/// did not write again), and never a file it did not write: a user's own
/// file, one in a server's folder, a path the manifest points outside DIR.
#[test]
fn pages_run_again_removes_its_stale_pages_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let out = dir.path().join("site");
    std::fs::create_dir(&input).unwrap();
    let tool = |name: &str| json!({"name": name, "description": format!("{name} things."), "inputSchema": {"type": "object"}});
    let server = |file: &str, tools: Vec<serde_json::Value>| {
        std::fs::write(input.join(file), json!({"tools": tools}).to_string()).unwrap();
    };
    server("alpha.json", vec![tool("get_item"), tool("delete_item")]);
    server("beta.json", vec![tool("list_things")]);
    let pages = |format: &str| {
        let run = Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
            .args(["pages", "--format", format, "--input"])
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        String::from_utf8(run.stderr).unwrap()
    };
    // A directory that already holds files, none listed: nothing removed, said.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("CNAME"), "mcp.example.org").unwrap();
    let first = pages("html");
    assert!(
        first.contains("note: ") && first.contains("none was removed"),
        "{first}"
    );
    assert!(out.join("CNAME").is_file());
    let manifest = std::fs::read_to_string(out.join(pages::MANIFEST)).unwrap();
    assert!(
        manifest.lines().any(|l| l == "alpha/delete-item.html"),
        "{manifest}"
    );
    assert!(manifest.lines().any(|l| l == "beta/index.html"));
    assert!(!manifest.contains("CNAME"));

    // The user's own files, and a manifest line that points outside DIR.
    std::fs::write(out.join("alpha/notes.txt"), "mine").unwrap();
    let victim = dir.path().join("victim.html");
    std::fs::write(&victim, "not a page").unwrap();
    // A listed page reached through a symlinked folder is not ours either.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("page.html"), "theirs").unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("linked")).unwrap();
    std::fs::write(
        out.join(pages::MANIFEST),
        format!(
            "{manifest}../victim.html\n{}\nlinked/page.html\n",
            victim.display()
        ),
    )
    .unwrap();
    // beta goes away, and alpha's delete_item.
    std::fs::remove_file(input.join("beta.json")).unwrap();
    server("alpha.json", vec![tool("get_item")]);
    let second = pages("html");
    // beta's two pages, delete_item's, and attack pages no tool leads to now.
    assert!(
        second.contains("pages of the previous run not written again"),
        "{second}"
    );
    assert!(!second.contains("note: "), "{second}");
    assert!(!out.join("beta").exists(), "beta's emptied folder goes too");
    assert!(!out.join("alpha/delete-item.html").exists());
    assert!(out.join("alpha/get-item.html").is_file());
    assert!(out.join("alpha/notes.txt").is_file());
    assert!(out.join("CNAME").is_file());
    assert!(victim.is_file(), "a manifest never reaches outside DIR");
    assert!(elsewhere.join("page.html").is_file());
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!index.contains("beta/index.html"));

    // Markdown into the same DIR replaces the HTML pages it listed.
    pages("md");
    assert!(out.join("alpha/get-item.md").is_file());
    assert!(!out.join("alpha/get-item.html").exists());
    assert!(!out.join("index.html").exists());
    assert!(out.join("CNAME").is_file() && out.join("alpha/notes.txt").is_file());
}

/// `pages --db` renders what a crawl stored, with the same pages as `--input`.
#[test]
fn command_renders_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let bin = env!("CARGO_BIN_EXE_mcp-risk");
    let crawl = Command::new(bin)
        .arg("crawl")
        .arg("--db")
        .arg(&db)
        .arg(fixtures())
        .output()
        .unwrap();
    assert!(
        crawl.status.success(),
        "{}",
        String::from_utf8_lossy(&crawl.stderr)
    );
    let out = dir.path().join("site");
    let run = Command::new(bin)
        .args(["pages", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("href=\"issues/index.html\""));
}

#[test]
fn browser_shows_pages_runs_nothing_hostile_and_search_narrows() {
    let chromium = std::env::var_os("MCP_RISK_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        chromium.is_file(),
        "Chromium not found at {}: run scripts/install-deps.sh (it apt-installs Debian's chromium)",
        chromium.display()
    );
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "the browser driver is not installed: run scripts/install-deps.sh (or tests/browser/setup.sh)"
    );
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pages-browser");
    let _ = std::fs::remove_dir_all(&work);
    let site_dir = work.join("site");
    let shots = work.join("screenshots");
    let input = site();
    let opts = pages::Options {
        base_url: Some(BASE.to_owned()),
    };
    pages::render_with(&input, Format::Html, &site_dir, &opts).expect("render");
    let server_slugs = slug::assign(input.servers.iter().map(|s| s.name.as_str()));
    let tool_page = |server: &str, tool: &str| {
        let s = input.servers.iter().find(|s| s.name == server).unwrap();
        let t = slug::assign(s.verdicts.iter().map(|v| v.name.as_str()));
        format!("{}/{}.html", server_slugs[server], t[tool])
    };
    let cfg = json!({
        "site": site_dir,
        "shots": shots,
        "chromium": chromium,
        "search": "comment",
        "pages": [
            {"name": "index", "path": "index.html", "kind": "index"},
            {"name": "reset-api-key", "path": tool_page("dynamic-mcp-server", "reset-api-key"), "kind": "tool"},
            {"name": "rotate-api-key", "path": tool_page("dock", "rotate_api_key"), "kind": "tool"},
            {"name": "server-dock", "path": format!("{}/index.html", server_slugs["dock"]), "kind": "server"},
            {"name": "server", "path": format!("{}/index.html", server_slugs["issues"]), "kind": "server"},
            {"name": "tool", "path": tool_page("files", "delete_path"), "kind": "tool"},
            {"name": "tool-operations", "path": tool_page("issues", "manage_repository"), "kind": "tool"},
            {"name": "attack", "path": "attacks/credential-theft.html"},
            {"name": "not-found", "path": "404.html"},
            {"name": "hostile-server", "path": format!("{}/index.html", server_slugs["hostile"]), "kind": "server"},
            {"name": "hostile-tool", "path": tool_page("hostile", HOSTILE_TOOL), "kind": "tool"},
            {"name": "hostile-named-server", "path": format!("{}/index.html", server_slugs[HOSTILE_SERVER])},
        ],
    });
    let run = Command::new("node")
        .current_dir(&browser_dir)
        .arg("run.mjs")
        .arg(cfg.to_string())
        .output()
        .expect("node runs (scripts/install-deps.sh installs it)");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "browser checks failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("driver report");
    assert_eq!(report["pages"].as_array().unwrap().len(), 24);
    assert_eq!(report["search"]["rowsAfter"], 1, "{report}");
    assert_eq!(
        report["search"]["followed"], "add_issue_comment",
        "{report}"
    );
    for shot in report["screenshots"].as_array().unwrap() {
        let p = PathBuf::from(shot.as_str().unwrap());
        assert!(
            std::fs::metadata(&p).unwrap().len() > 1000,
            "{}",
            p.display()
        );
    }
}

const BASE: &str = "https://example.org/mcp/";

fn render_published() -> (tempfile::TempDir, pages::Written) {
    let dir = tempfile::tempdir().unwrap();
    let opts = pages::Options {
        base_url: Some(pages::base_url("https://example.org/mcp").unwrap()),
    };
    let w = pages::render_with(&site(), Format::Html, dir.path(), &opts).expect("render");
    (dir, w)
}

fn text_of(doc: &Html, css: &str) -> String {
    doc.select(&sel(css))
        .map(|e| e.text().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The seed tool of the reference pages, built from its definition: every
/// section a reader looks for, said from the verdict and the plan.
#[test]
fn reset_api_key_page_has_every_section() {
    let (dir, _) = render_published();
    let page = dir.path().join("dynamic-mcp-server/reset-api-key.html");
    let doc = Html::parse_document(&std::fs::read_to_string(&page).unwrap());
    let h1 = text_of(&doc, "h1");
    assert!(
        h1.contains("reset-api-key") && h1.contains("high risk"),
        "{h1}"
    );
    // 1. What it does to your world, then the authors' description.
    let world = text_of(&doc, "#world");
    assert!(world.contains("invalidates credentials"), "{world}");
    assert!(world.contains("stops working"), "{world}");
    assert!(world.contains("Reset a user"), "{world}");
    // Why, with how sure the label is.
    let why = text_of(&doc, "#why");
    assert!(
        why.contains("destructive tool") && why.contains("90%"),
        "{why}"
    );
    // 2. The rule in four formats, each with what it achieves and how to apply it.
    let control = text_of(&doc, "#control");
    assert!(
        control.contains("capped at 10 calls a minute and 100 calls a day"),
        "{control}"
    );
    assert!(control.contains("can't make hundreds of changes a minute"));
    for id in ["rule-policy", "rule-intercept", "rule-claude"] {
        let code = text_of(&doc, &format!("#{id}"));
        assert!(code.contains("reset-api-key"), "{id}: {code}");
    }
    // Codex cannot rate-limit one tool: nothing to disable, and the page says so.
    assert!(text_of(&doc, "#rule-codex").contains("[mcp_servers.dynamic-mcp-server]"));
    assert!(control.contains("Codex needs nothing disabled"));
    let policy: serde_json::Value = serde_json::from_str(&text_of(&doc, "#rule-policy")).unwrap();
    assert_eq!(policy["tools"]["reset-api-key"]["limits"][0]["max"], 10);
    assert!(text_of(&doc, "#rule-claude").contains("mcp__dynamic-mcp-server__reset-api-key"));
    assert!(control.contains("Rate-limit it") && control.contains("Block it completely"));
    let block: serde_json::Value = serde_json::from_str(&text_of(&doc, "#block-policy")).unwrap();
    assert_eq!(block["hide"][0], "reset-api-key");
    assert!(text_of(&doc, "#limit-intercept").contains("rate_limit: 10/minute"));
    // 3. Attack classes, linked to their explainers, with OWASP ids.
    let attacks: Vec<_> = doc.select(&sel("#attacks li a")).collect();
    let hrefs: Vec<&str> = attacks
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        hrefs.contains(&"../attacks/credential-theft.html"),
        "{hrefs:?}"
    );
    assert!(text_of(&doc, "#attacks").contains("LLM06:2025"));
    assert!(dir.path().join("attacks/credential-theft.html").is_file());
    // 4. The FAQ, on the page and as JSON-LD.
    let faq = text_of(&doc, "#faq");
    for q in [
        "What does reset-api-key do?",
        "How do I enforce a policy on reset-api-key?",
        "What risk level is reset-api-key?",
        "Can I rate-limit reset-api-key?",
        "How do I block reset-api-key completely?",
        "Which server provides reset-api-key?",
    ] {
        assert!(faq.contains(q), "{q}");
    }
    // 5. Related: the same kind of tool on another server.
    let related: Vec<String> = doc
        .select(&sel("#related .across a"))
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert!(
        related.contains(&"../dock/rotate-api-key.html".to_owned()),
        "{related:?}"
    );
    // 6. Publishing: canonical URL, OpenGraph and Twitter meta, counts.
    let canonical = doc.select(&sel("link[rel=canonical]")).next().unwrap();
    assert_eq!(
        canonical.value().attr("href"),
        Some("https://example.org/mcp/dynamic-mcp-server/reset-api-key.html")
    );
    for m in [
        "meta[property='og:title']",
        "meta[property='og:url']",
        "meta[name='twitter:card']",
        "meta[name=description]",
    ] {
        assert!(doc.select(&sel(m)).next().is_some(), "{m}");
    }
    assert!(text_of(&doc, ".catalogue").starts_with("1 tool of this server, of "));
}

/// Every sitemap URL names a file of the site, and every page is in it.
#[test]
fn sitemap_urls_resolve_to_files() {
    let (dir, written) = render_published();
    let xml = std::fs::read_to_string(dir.path().join("sitemap.xml")).unwrap();
    let robots = std::fs::read_to_string(dir.path().join("robots.txt")).unwrap();
    assert!(robots.contains(&format!("Sitemap: {BASE}sitemap.xml")));
    let mut n = 0;
    for loc in xml.split("<loc>").skip(1) {
        let url = &loc[..loc.find("</loc>").unwrap()];
        let rel = url.strip_prefix(BASE).unwrap_or_else(|| panic!("{url}"));
        assert!(dir.path().join(rel).is_file(), "{url}");
        n += 1;
    }
    let pages = files(dir.path())
        .into_iter()
        .filter(|f| f.extension().unwrap() == "html" && !f.ends_with("404.html"))
        .count();
    assert_eq!(n, pages);
    assert!(n > written.tools);
}

/// Output stays linear in the tools of a server: a tool page lists a capped
/// window of its siblings (the server page lists them all), and the index
/// splits into pages with a compact search index.
#[test]
fn output_is_linear_and_the_index_pages() {
    let tools: Vec<serde_json::Value> = (0..3000)
        .map(|i| json!({"name": format!("delete_item_{i}"), "description": "Delete an item.", "inputSchema": {"type": "object", "properties": {"id": {"type": "string"}}}}))
        .collect();
    let mut servers = vec![server_input("big".into(), tools, None)];
    for i in 0..450 {
        servers.push(server_input(
            format!("s{i:03}"),
            vec![json!({"name": "get_item", "description": "Get an item."})],
            None,
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let w = pages::render(&SiteInput { servers }, Format::Html, dir.path()).unwrap();
    let page = std::fs::read_to_string(dir.path().join("big/delete-item-1500.html")).unwrap();
    let doc = Html::parse_document(&page);
    assert_eq!(doc.select(&sel(".sibs a")).count(), 12);
    assert!(text_of(&doc, "#related").contains("All 3000 tools of big"));
    assert!(page.len() < 60_000, "{} bytes", page.len());
    assert!(w.bytes < 3450 * 60_000, "{} bytes", w.bytes);
    // 451 servers: three list pages, all linked, the search only on the first.
    assert!(dir.path().join("servers-3.html").is_file());
    assert!(!dir.path().join("servers-4.html").exists());
    let index = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    assert!(index.contains("href=\"servers-2.html\""));
    let rows = Html::parse_document(&index)
        .select(&sel("tr[data-server]"))
        .count();
    assert_eq!(rows, 200);
    assert!(w.index_bytes < 400_000, "{}", w.index_bytes);
    let two = std::fs::read_to_string(dir.path().join("servers-2.html")).unwrap();
    assert!(!two.contains("id=\"search-index\""));
    assert!(index.contains("id=\"search-index\""));
}

/// Two tools of one server whose names print the same (the number 42 and
/// the string "42", or one name twice) get a page each: the first the plain
/// slug, the later ones `-2`, each linked from the server's page and the
/// search index, the same on every run; unique names keep their slugs.
#[test]
fn tools_whose_names_print_the_same_get_a_page_each() {
    let tools = vec![
        json!({"name": 42, "description": "Alpha reads a report."}),
        json!({"name": "42", "description": "Bravo deletes a report."}),
        json!({"name": "get_file", "description": "Charlie reads a file."}),
        json!({"name": "get_file", "description": "Delta uploads a file."}),
        json!({"name": "list_keys", "description": "Lists the keys."}),
    ];
    let site = SiteInput {
        servers: vec![server_input("twins".into(), tools, None)],
    };
    for format in [Format::Html, Format::Markdown] {
        let ext = if format == Format::Html { "html" } else { "md" };
        let dir = tempfile::tempdir().unwrap();
        pages::render(&site, format, dir.path()).expect("render");
        let server = dir.path().join("twins");
        let page = |stem: &str| {
            std::fs::read_to_string(server.join(format!("{stem}.{ext}")))
                .unwrap_or_else(|e| panic!("{stem}.{ext}: {e}"))
        };
        for (stem, says, not) in [
            ("42", "Alpha reads", "Bravo deletes"),
            ("42-2", "Bravo deletes", "Alpha reads"),
            ("get-file", "Charlie reads", "Delta uploads"),
            ("get-file-2", "Delta uploads", "Charlie reads"),
            ("list-keys", "Lists the keys", "Alpha reads"),
        ] {
            let text = page(stem);
            assert!(text.contains(says), "{stem}.{ext} says {says:?}");
            assert!(!text.contains(not), "{stem}.{ext} does not say {not:?}");
        }
        let tool_pages = files(&server)
            .into_iter()
            .filter(|p| p.file_stem().is_some_and(|s| s != "index"))
            .count();
        assert_eq!(tool_pages, 5, "one page per tool");
        let index = page("index");
        for stem in ["42", "42-2", "get-file", "get-file-2", "list-keys"] {
            let link = if format == Format::Html {
                format!("href=\"{stem}.html\"")
            } else {
                format!("]({stem}.md)")
            };
            assert!(index.contains(&link), "the server page links {link}");
        }
        // The search index names the slugs it cannot recompute from labels.
        let search: String = files(dir.path())
            .iter()
            .filter(|p| p.parent() == Some(dir.path()) || p.starts_with(dir.path().join("assets")))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        if format == Format::Html {
            assert!(search.contains("\"42-2\"") && search.contains("\"get-file-2\""));
        }
        // The same on every run.
        let again = tempfile::tempdir().unwrap();
        pages::render(&site, format, again.path()).expect("render");
        for p in files(dir.path()) {
            let rel = p.strip_prefix(dir.path()).unwrap();
            assert_eq!(
                std::fs::read(&p).unwrap(),
                std::fs::read(again.path().join(rel)).unwrap(),
                "{}",
                rel.display()
            );
        }
    }
}

/// Each of two tools whose names print the same shows its own tool's
/// policy on its own page (the policies were once kept by name, so both
/// pages showed the last tool's).
#[test]
fn tools_whose_names_print_the_same_each_show_their_own_policy() {
    use mcp_risk::classify::{Category, Verdict};
    use mcp_risk::pipeline::server_input_with;
    use mcp_risk::policy::policylayer;
    let read = Verdict::manual("x", Class::Read, Risk::Low, Category::Read, &[]);
    let wipe = Verdict::manual(
        "x",
        Class::Destructive,
        Risk::Critical,
        Category::Destructive,
        &[Signal::IrreversibleLoss],
    );
    let tools = vec![
        json!({"name": "x", "description": "Alpha lists the reports."}),
        json!({"name": "x", "description": "Bravo wipes every report."}),
    ];
    let site = SiteInput {
        servers: vec![server_input_with(
            "twins".into(),
            tools,
            vec![read.clone(), wipe.clone()],
            None,
        )],
    };
    let (read_policy, wipe_policy) = (policylayer::for_tool(&read), policylayer::for_tool(&wipe));
    assert_ne!(read_policy, wipe_policy);
    for format in [Format::Html, Format::Markdown] {
        let dir = tempfile::tempdir().unwrap();
        pages::render(&site, format, dir.path()).expect("render");
        for (stem, says, own) in [("x", "Alpha", &read_policy), ("x-2", "Bravo", &wipe_policy)] {
            let path = dir.path().join("twins").join(match format {
                Format::Html => format!("{stem}.html"),
                Format::Markdown => format!("{stem}.md"),
            });
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains(says), "{}", path.display());
            match format {
                Format::Html => {
                    let doc = Html::parse_document(&text);
                    assert_eq!(&text_of(&doc, "#rule-policy"), own, "{}", path.display());
                }
                Format::Markdown => {
                    assert!(text.contains(own.as_str()), "{}: {text}", path.display())
                }
            }
        }
    }
}
