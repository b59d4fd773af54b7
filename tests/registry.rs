//! Registry sources, replayed from mock HTTP servers on 127.0.0.1 and from
//! local files; package preparation with stand-in package managers (no
//! network); the bundled registry's shape.

#[path = "registry_support/mock.rs"]
mod mock;

use std::path::Path;

use mcp_risk::mcp::{ProbeTarget, Status};
use mcp_risk::registry::official::{OfficialApi, OfficialDump};
use mcp_risk::registry::{source_from_arg, Bundled, Launch, PackageRegistry, ServerRecord, Source};
use serde_json::{json, Value};

use mock::{query, serve};

fn entry(name: &str, status: &str) -> Value {
    json!({
        "server": {
            "name": name,
            "description": format!("{name} server"),
            "version": "1.0.0",
            "packages": [{
                "registryType": "npm", "identifier": "pkg-x", "version": "1.0.0",
                "transport": {"type": "stdio"},
                "environmentVariables": [{"name": "API_KEY", "isRequired": true, "isSecret": true}]
            }]
        },
        "_meta": {"io.modelcontextprotocol.registry/official": {"status": status, "isLatest": true}}
    })
}

fn names(recs: &[ServerRecord]) -> Vec<&str> {
    recs.iter().map(|r| r.name.as_str()).collect()
}

/// Three pages linked by `metadata.nextCursor`; a deleted entry is dropped;
/// every request asks for 100 latest versions and keeps the user's query.
#[tokio::test]
async fn official_api_follows_cursors_and_drops_deleted() {
    let m = serve(|t| {
        let body = match query(t, "cursor").as_deref() {
            None => json!({"servers": [entry("com.example/b", "active"), entry("com.example/a", "active")],
                           "metadata": {"nextCursor": "c2", "count": 2}}),
            Some("c2") => json!({"servers": [entry("com.example/c", "deprecated")],
                                 "metadata": {"nextCursor": "c3", "count": 1}}),
            Some("c3") => json!({"servers": [entry("com.example/gone", "deleted")], "metadata": {"count": 1}}),
            Some(_) => return (404, "{}".into()),
        };
        (200, body.to_string())
    })
    .await;
    let src = OfficialApi::new(&format!("{}?updated_since=2025-01-01T00:00:00Z", m.base)).unwrap();
    let recs = src.records().await.unwrap();
    assert_eq!(
        names(&recs),
        ["com.example/a", "com.example/b", "com.example/c"]
    );
    let paths = m.paths();
    assert_eq!(paths.len(), 3);
    for p in &paths {
        assert!(p.starts_with("/v0.1/servers?"), "{p}");
        assert_eq!(query(p, "limit").as_deref(), Some("100"));
        assert_eq!(query(p, "version").as_deref(), Some("latest"));
        assert_eq!(
            query(p, "updated_since").as_deref(),
            Some("2025-01-01T00:00:00Z")
        );
    }
    let Launch::Package(p) = &recs[0].launch else {
        panic!("expected a package: {:?}", recs[0].launch)
    };
    assert_eq!(p.registry, PackageRegistry::Npm);
    assert_eq!(p.env["API_KEY"], "mcp-risk-dummy-secret");
}

#[tokio::test]
async fn official_api_repeated_cursor_is_an_error_not_a_loop() {
    let m = serve(|_| {
        (200, json!({"servers": [entry("com.example/a", "active")], "metadata": {"nextCursor": "same"}}).to_string())
    })
    .await;
    let err = OfficialApi::new(&m.base)
        .unwrap()
        .records()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("page 2") && err.contains("already followed"),
        "{err}"
    );
    assert!(err.contains(&m.base), "{err}");
    assert_eq!(m.paths().len(), 2);
}

#[tokio::test]
async fn official_api_broken_page_names_url_and_page() {
    let m = serve(|t| match query(t, "cursor") {
        None => (
            200,
            json!({"servers": [], "metadata": {"nextCursor": "p2"}}).to_string(),
        ),
        Some(_) => (200, "{not json".into()),
    })
    .await;
    let err = OfficialApi::new(&m.base)
        .unwrap()
        .records()
        .await
        .unwrap_err()
        .to_string();
    // An empty page that still has a cursor is itself a loop guard.
    assert!(err.contains("page 1") && err.contains("looping"), "{err}");

    let m = serve(|t| match query(t, "cursor") {
        None => (200, json!({"servers": [entry("com.example/a", "active")], "metadata": {"nextCursor": "p2"}}).to_string()),
        Some(_) => (200, "{not json".into()),
    })
    .await;
    let err = OfficialApi::new(&m.base)
        .unwrap()
        .records()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("page 2") && err.contains("not valid JSON") && err.contains("cursor=p2"),
        "{err}"
    );

    let m = serve(|_| (503, "{\"error\":\"maintenance\"}".into())).await;
    let err = OfficialApi::new(&m.base)
        .unwrap()
        .records()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("HTTP 503") && err.contains("maintenance"),
        "{err}"
    );
}

#[tokio::test]
async fn official_remotes_resolve_templates_and_need_config_for_secret_headers() {
    let servers = json!({"servers": [
        {"server": {"name": "com.example/templated", "version": "1", "description": "d",
            "remotes": [{"type": "streamable-http", "url": "https://{tenant}.example.com/mcp",
                         "variables": {"tenant": {"default": "demo"}}}]}},
        {"server": {"name": "com.example/secret", "version": "1", "description": "d",
            "remotes": [{"type": "sse", "url": "https://example.com/sse",
                         "headers": [{"name": "Authorization", "isRequired": true, "isSecret": true}]}]}},
        {"server": {"name": "com.example/fixed-header", "version": "1", "description": "d",
            "remotes": [{"type": "sse", "url": "https://example.com/sse",
                         "headers": [{"name": "X-Client", "value": "mcp-risk"}]}]}},
        {"server": {"name": "com.example/needs-arg", "version": "1", "description": "d",
            "packages": [{"registryType": "pypi", "identifier": "srv", "version": "2.0",
                          "packageArguments": [{"type": "positional", "valueHint": "db_path", "isRequired": true}]}]}},
        {"server": {"name": "com.example/http-package", "version": "1", "description": "d",
            "packages": [{"registryType": "npm", "identifier": "srv", "version": "2.0",
                          "transport": {"type": "streamable-http", "url": "http://localhost:{port}/mcp"}}]}}
    ]});
    let body = servers.to_string();
    let m = serve(move |_| (200, body.clone())).await;
    let recs = OfficialApi::new(&format!("{}/v0.1/servers", m.base))
        .unwrap()
        .records()
        .await
        .unwrap();
    let by = |n: &str| recs.iter().find(|r| r.name == n).unwrap().launch.clone();
    assert_eq!(
        by("com.example/templated"),
        Launch::Probe(ProbeTarget::Http {
            url: "https://demo.example.com/mcp".into(),
            headers: vec![],
            sse: false
        })
    );
    assert!(matches!(by("com.example/secret"),
        Launch::Unavailable { status: Status::NeedsConfig, reason } if reason.contains("secret header `Authorization`")));
    assert_eq!(
        by("com.example/fixed-header"),
        Launch::Probe(ProbeTarget::Http {
            url: "https://example.com/sse".into(),
            headers: vec![("X-Client".into(), "mcp-risk".into())],
            sse: true
        })
    );
    assert!(matches!(by("com.example/needs-arg"),
        Launch::Unavailable { status: Status::NeedsConfig, reason } if reason.contains("db_path")));
    assert!(matches!(by("com.example/http-package"),
        Launch::Unavailable { status: Status::NeedsConfig, reason } if reason.contains("only stdio")));
}

#[tokio::test]
async fn official_dump_of_the_real_seed() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry/official-seed.json");
    let recs = OfficialDump::new(&path).records().await.unwrap();
    assert_eq!(
        names(&recs),
        [
            "io.github.domdomegg/airtable-mcp-server",
            "io.github.domdomegg/time-mcp-nuget",
            "io.github.domdomegg/time-mcp-pypi"
        ]
    );
    // Two versions of airtable: the higher wins; npm is preferred over OCI and MCPB.
    assert_eq!(recs[0].version.as_deref(), Some("1.7.3"));
    let Launch::Package(p) = &recs[0].launch else {
        panic!()
    };
    assert_eq!(
        (p.registry, p.identifier.as_str(), p.version.as_str()),
        (PackageRegistry::Npm, "airtable-mcp-server", "1.7.3")
    );
    assert_eq!(p.env["AIRTABLE_API_KEY"], "mcp-risk-dummy-secret");
    assert!(matches!(&recs[1].launch, Launch::Package(p) if p.registry == PackageRegistry::Nuget));
    assert!(matches!(&recs[2].launch, Launch::Package(p) if p.registry == PackageRegistry::Pypi));
}

#[tokio::test]
async fn glama_relay_cursors_and_tool_lists() {
    let m = serve(|t| {
        let tool = json!({"name": "get_weather", "description": "Get weather", "inputSchema": {"type": "object"}});
        let body = match query(t, "after").as_deref() {
            None => json!({"pageInfo": {"endCursor": "e1", "hasNextPage": true},
                           "servers": [{"id": "x1", "namespace": "acme", "slug": "weather", "description": "w", "tools": [tool]}]}),
            Some("e1") => json!({"pageInfo": {"endCursor": "e2", "hasNextPage": false},
                                 "servers": [{"id": "x2", "namespace": "acme", "slug": "empty", "tools": []}]}),
            Some(_) => return (400, "{}".into()),
        };
        (200, body.to_string())
    })
    .await;
    let src = source_from_arg(&format!("glama:{}/api/mcp", m.base))
        .unwrap()
        .unwrap();
    let recs = src.records().await.unwrap();
    assert_eq!(names(&recs), ["acme/empty", "acme/weather"]);
    assert!(
        matches!(&recs[1].launch, Launch::Tools { tools } if tools[0]["name"] == "get_weather")
    );
    assert!(matches!(
        &recs[0].launch,
        Launch::Unavailable {
            status: Status::NeedsConfig,
            ..
        }
    ));
    assert!(m
        .paths()
        .iter()
        .all(|p| p.starts_with("/api/mcp/v1/servers?first=100")));

    let m = serve(|_| {
        (
            200,
            json!({"pageInfo": {"endCursor": "e", "hasNextPage": true}, "servers": []}).to_string(),
        )
    })
    .await;
    let err = source_from_arg(&format!("glama:{}", m.base))
        .unwrap()
        .unwrap()
        .records()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already followed"), "{err}");
}

#[tokio::test]
async fn smithery_pages_bearer_key_and_details() {
    let m = serve(|t| {
        let path = t.split('?').next().unwrap();
        let body = match path {
            "/servers" => match query(t, "page").as_deref() {
                Some("1") => json!({"servers": [{"qualifiedName": "acme/with-tools", "description": "d"}],
                                    "pagination": {"currentPage": 1, "pageSize": 100, "totalPages": 2, "totalCount": 2}}),
                _ => json!({"servers": [{"qualifiedName": "acme/hosted"}],
                            "pagination": {"currentPage": 2, "pageSize": 100, "totalPages": 2, "totalCount": 2}}),
            },
            "/servers/acme/with-tools" => json!({"qualifiedName": "acme/with-tools",
                "tools": [{"name": "search", "inputSchema": {"type": "object"}}]}),
            "/servers/acme/hosted" => json!({"qualifiedName": "acme/hosted", "remote": true,
                "deploymentUrl": "https://server.example/acme/hosted", "tools": []}),
            _ => return (404, "{}".into()),
        };
        (200, body.to_string())
    })
    .await;
    let src = mcp_risk::registry::smithery::SmitheryApi::new(&m.base)
        .unwrap()
        .with_key(Some("sk-test".into()));
    let recs = src.records().await.unwrap();
    assert_eq!(names(&recs), ["acme/hosted", "acme/with-tools"]);
    assert!(matches!(&recs[1].launch, Launch::Tools { tools } if tools.len() == 1));
    assert!(matches!(&recs[0].launch,
        Launch::Unavailable { status: Status::NeedsConfig, reason } if reason.contains("server.example")));
    let reqs = m.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 4);
    assert!(reqs
        .iter()
        .all(|(_, auth)| auth.as_deref() == Some("Bearer sk-test")));

    let m = serve(|_| (401, "{\"error\":\"unauthorized\"}".into())).await;
    let err = mcp_risk::registry::smithery::SmitheryApi::new(&m.base)
        .unwrap()
        .with_key(None)
        .records()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("401") && err.contains("SMITHERY_API_KEY"),
        "{err}"
    );
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[tokio::test]
async fn docker_catalog_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("servers");
    write(
        &s.join("alpha/server.yaml"),
        "name: alpha\nimage: mcp/alpha\ntype: server\nabout:\n  description: Alpha\n",
    );
    write(
        &s.join("alpha/tools.json"),
        r#"[{"name":"a_tool","description":"x","arguments":[{"name":"q","type":"string"}]}]"#,
    );
    write(&s.join("beta/server.yaml"), "name: beta\ntype: remote\nremote:\n  transport_type: streamable-http\n  url: https://beta.example/mcp\n  headers:\n    Authorization: \"Bearer ${BETA_KEY}\"\n");
    write(&s.join("gamma/server.yaml"), "name: gamma\nimage: mcp/gamma\ntype: server\nconfig:\n  secrets:\n    - name: gamma.token\n      env: GAMMA_TOKEN\n  env:\n    - name: MODE\n      value: '{{gamma.mode}}'\n  parameters:\n    type: object\n    properties:\n      mode:\n        type: string\n        default: readonly\n");
    write(&s.join("delta/server.yaml"), "name: delta\ntype: poci\ntools:\n  - name: curl\n    description: Run curl\n    parameters:\n      type: object\n");
    write(&s.join("epsilon/server.yaml"), "name: epsilon\ntype: remote\nremote:\n  transport_type: sse\n  url: https://eps.example/sse\n");
    let src = source_from_arg(dir.path().to_str().unwrap())
        .unwrap()
        .expect("a catalog");
    assert!(src.describe().starts_with("docker catalog"));
    let recs = src.records().await.unwrap();
    assert_eq!(names(&recs), ["alpha", "beta", "delta", "epsilon", "gamma"]);
    assert!(
        matches!(&recs[0].launch, Launch::Tools { tools } if tools[0]["arguments"][0]["name"] == "q")
    );
    assert!(matches!(
        &recs[1].launch,
        Launch::Unavailable {
            status: Status::NeedsConfig,
            ..
        }
    ));
    assert!(matches!(&recs[2].launch, Launch::Tools { tools } if tools[0]["name"] == "curl"));
    assert_eq!(
        recs[3].launch,
        Launch::Probe(ProbeTarget::Http {
            url: "https://eps.example/sse".into(),
            headers: vec![],
            sse: true
        })
    );
    let Launch::Package(p) = &recs[4].launch else {
        panic!("{:?}", recs[4].launch)
    };
    assert_eq!(
        (p.registry, p.identifier.as_str(), p.version.as_str()),
        (PackageRegistry::Oci, "mcp/gamma", "latest")
    );
    assert_eq!(p.env["GAMMA_TOKEN"], "mcp-risk-dummy-secret");
    assert_eq!(p.env["MODE"], "readonly");
}

/// A catalog's tools.json is read by the same tolerant reader as `--input`:
/// a tool `serde_json` refuses (a lone surrogate) is kept, repaired; a file
/// that is not JSON makes its server a `not_mcp` row instead of failing the
/// whole catalog; one with no tool list falls back to the inline tools.
#[tokio::test]
async fn docker_catalog_tools_json_is_read_tolerantly() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("servers");
    write(
        &s.join("alpha/server.yaml"),
        "name: alpha\nimage: mcp/alpha\n",
    );
    write(
        &s.join("alpha/tools.json"),
        r#"[{"name":"odd","description":"before \ud800 after"},{"name":"plain","description":"x"}]"#,
    );
    write(&s.join("beta/server.yaml"), "name: beta\nimage: mcp/beta\n");
    write(&s.join("beta/tools.json"), "this is { not json");
    write(
        &s.join("gamma/server.yaml"),
        "name: gamma\ntype: poci\ntools:\n  - name: inline\n    description: y\n",
    );
    write(&s.join("gamma/tools.json"), r#"{"not": "a tool list"}"#);
    // A server.yaml that is not YAML is its own row, not the catalog's end.
    write(&s.join("delta/server.yaml"), "name: [unclosed\n  : :");
    let src = source_from_arg(dir.path().to_str().unwrap())
        .unwrap()
        .expect("a catalog");
    let recs = src.records().await.unwrap();
    assert_eq!(names(&recs), ["alpha", "beta", "delta", "gamma"]);
    assert!(
        matches!(&recs[2].launch, Launch::Unavailable { status: Status::NotMcp, reason }
            if reason.contains("delta") && reason.contains("not valid YAML")),
        "{:?}",
        recs[2].launch
    );
    let Launch::Tools { tools } = &recs[0].launch else {
        panic!("{:?}", recs[0].launch)
    };
    assert_eq!(tools.len(), 2);
    assert_eq!(tools[0]["name"], "odd");
    assert_eq!(tools[0]["description"], "before \u{FFFD} after");
    assert_eq!(tools[1]["name"], "plain");
    assert!(
        matches!(&recs[1].launch, Launch::Unavailable { status: Status::NotMcp, reason }
            if reason.contains("beta") && reason.contains("not valid JSON")),
        "{:?}",
        recs[1].launch
    );
    assert!(matches!(&recs[3].launch, Launch::Tools { tools } if tools[0]["name"] == "inline"));
}

#[tokio::test]
async fn client_configs_of_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    let mcp = dir.path().join(".mcp.json");
    write(
        &mcp,
        r#"{"mcpServers": {
        "local": {"command": "npx", "args": ["-y", "srv"], "env": {"TOKEN": "mine"}},
        "cloud": {"type": "http", "url": "https://mcp.example/mcp", "headers": {"Authorization": "Bearer mine"}}}}"#,
    );
    let vscode = dir.path().join("mcp.json");
    write(&vscode, "{\n // VS Code allows comments\n \"servers\": {\n  \"gh\": {\"type\": \"http\", \"url\": \"https://gh.example/mcp\", \"headers\": {\"Authorization\": \"Bearer ${input:token}\"}},\n  \"py\": {\"type\": \"stdio\", \"command\": \"uvx\", \"args\": [\"srv\"],},\n },\n}");
    let codex = dir.path().join("config.toml");
    write(
        &codex,
        "[mcp_servers.docs]\ncommand = \"docs-mcp\"\nargs = [\"--stdio\"]\n",
    );
    let settings = dir.path().join("settings.json");
    write(
        &settings,
        r#"{"editor.fontSize": 12, "mcp": {"servers": {"s": {"url": "https://s.example/sse", "type": "sse"}}}}"#,
    );

    let recs = source_from_arg(mcp.to_str().unwrap())
        .unwrap()
        .unwrap()
        .records()
        .await
        .unwrap();
    assert_eq!(names(&recs), ["cloud", "local"]);
    assert_eq!(
        recs[0].launch,
        Launch::Probe(ProbeTarget::Http {
            url: "https://mcp.example/mcp".into(),
            headers: vec![("Authorization".into(), "Bearer mine".into())],
            sse: false,
        })
    );
    assert!(
        matches!(&recs[1].launch, Launch::Probe(ProbeTarget::Stdio { command, env, .. }) if command == "npx" && env["TOKEN"] == "mine")
    );

    let recs = source_from_arg(vscode.to_str().unwrap())
        .unwrap()
        .unwrap()
        .records()
        .await
        .unwrap();
    assert!(
        matches!(&recs[0].launch, Launch::Unavailable { status: Status::NeedsConfig, reason } if reason.contains("${input:token}"))
    );
    assert!(
        matches!(&recs[1].launch, Launch::Probe(ProbeTarget::Stdio { command, .. }) if command == "uvx")
    );

    let recs = source_from_arg(&format!("config:{}", codex.display()))
        .unwrap()
        .unwrap()
        .records()
        .await
        .unwrap();
    assert!(
        matches!(&recs[0].launch, Launch::Probe(ProbeTarget::Stdio { command, args, .. }) if command == "docs-mcp" && args == &["--stdio"])
    );

    let recs = source_from_arg(settings.to_str().unwrap())
        .unwrap()
        .unwrap()
        .records()
        .await
        .unwrap();
    assert!(matches!(
        &recs[0].launch,
        Launch::Probe(ProbeTarget::Http { sse: true, .. })
    ));
}

#[test]
fn source_arguments_are_detected_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tools = dir.path().join("srv.json");
    write(&tools, r#"{"tools": [{"name": "a"}]}"#);
    assert!(
        source_from_arg(tools.to_str().unwrap()).unwrap().is_none(),
        "a tools/list file is for the file sources"
    );
    assert!(source_from_arg(dir.path().to_str().unwrap())
        .unwrap()
        .is_none());
    let seed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry/official-seed.json");
    let s = source_from_arg(seed.to_str().unwrap()).unwrap().unwrap();
    assert!(
        s.describe().starts_with("official registry dump"),
        "{}",
        s.describe()
    );
    let describe = |a: &str| source_from_arg(a).unwrap().unwrap().describe();
    assert!(describe("https://registry.modelcontextprotocol.io").contains("/v0.1/servers"));
    assert!(describe("https://glama.ai/api/mcp").starts_with("glama"));
    assert!(describe("https://registry.smithery.ai").starts_with("smithery"));
    assert!(describe("official:http://127.0.0.1:9/v0/servers").ends_with("/v0/servers"));
    assert!(describe("bundled").starts_with("bundled"));
    let err = source_from_arg("/no/such/path").err().unwrap().to_string();
    assert!(err.contains("no such file"), "{err}");
    assert!(source_from_arg("glama:not a url").is_err());
}

#[tokio::test]
async fn bundled_registry_is_curated_and_pinned() {
    let recs = Bundled.records().await.unwrap();
    assert!((15..=25).contains(&recs.len()), "{} servers", recs.len());
    for r in &recs {
        let Launch::Package(p) = &r.launch else {
            panic!("{}: not a package: {:?}", r.name, r.launch)
        };
        assert!(
            matches!(p.registry, PackageRegistry::Npm | PackageRegistry::Pypi),
            "{}",
            r.name
        );
        assert!(
            p.version.chars().next().unwrap().is_ascii_digit(),
            "{}: unpinned {}",
            r.name,
            p.version
        );
        assert_eq!(r.source, "bundled");
    }
    // The shipped file is the embedded one.
    let on_disk =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/registry.json"))
            .unwrap();
    assert_eq!(on_disk, mcp_risk::registry::BUNDLED_REGISTRY);
}

#[path = "registry_support/packages.rs"]
mod packages;

/// `scan SOURCE` prepares every server of its sources; without --allow-exec a
/// non-bundled source's packages are skipped by policy, and nothing is installed.
#[tokio::test]
async fn scan_preparation_applies_the_launch_policy() {
    let cache = tempfile::tempdir().unwrap();
    let seed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry/official-seed.json");
    let args = mcp_risk::cli::ScanArgs {
        sources: vec![seed.to_string_lossy().into_owned()],
        db: cache.path().join("db.sqlite"),
        out: cache.path().join("reports"),
        allow_exec: false,
        allow_private: false,
        concurrency: 2,
        refresh: false,
        shard: None,
        timeout: 5,
        cache: Some(cache.path().join("cache")),
        install: Default::default(),
        fail_on: None,
    };
    let prep = mcp_risk::cmd::scan::prepare_sources(&args).await.unwrap();
    assert_eq!(prep.servers.len(), 3);
    assert!(prep.source_errors.is_empty());
    for s in &prep.servers {
        assert!(
            matches!(
                &s.prepared,
                mcp_risk::registry::prepare::Prepared::Skipped {
                    status: Status::SkippedPolicy,
                    ..
                }
            ),
            "{}: {:?}",
            s.record.name,
            s.prepared
        );
    }
    assert!(!cache.path().join("cache").exists(), "nothing installed");
    let text = mcp_risk::cmd::scan::render(&prep);
    assert!(
        text.contains("3 servers prepared") && text.contains("3 not probed"),
        "{text}"
    );

    let mut bad = args;
    bad.sources = vec!["/no/such/registry.json".into()];
    assert!(mcp_risk::cmd::scan::prepare_sources(&bad).await.is_err());
}
