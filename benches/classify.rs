//! Benchmarks of the classification path (divan): `cargo bench --bench classify`.
//!
//! `engine_corpus` classifies every tool of the shared corpus (dev +
//! unlabelled, or a small built-in set when the corpus is absent) on one
//! thread: divan's items/s is the engine's tools/s per core (from parsed
//! values); `engine_corpus_json` does the same from each tool's JSON text,
//! as `classify --input --format json` does.
use divan::counter::ItemsCount;
use serde_json::{json, Value};

fn main() {
    divan::main();
}

fn corpus() -> Vec<Value> {
    let mut tools = Vec::new();
    for dir in [
        "../shared/corpus/dev",
        "../shared/corpus/unlabelled",
        "../../shared/corpus/dev",
        "../../shared/corpus/unlabelled",
    ] {
        let Ok(files) = mcp_risk::input::load(std::path::Path::new(dir)) else {
            continue;
        };
        tools.extend(files.into_iter().flat_map(|s| s.tools));
    }
    if tools.is_empty() {
        tools = vec![
            json!({"name": "delete_repository", "description": "Delete a repository permanently",
                "inputSchema": {"type": "object", "properties": {"owner": {"type": "string"}, "repo": {"type": "string"}}}}),
            json!({"name": "list_issues", "description": "List issues in a GitHub repository."}),
            json!({"name": "execute_sql", "description": "Executes raw SQL in the Postgres database.",
                "inputSchema": {"type": "object", "properties": {"query": {"type": "string"}}}}),
        ];
    }
    tools
}

#[divan::bench]
fn engine_corpus(b: divan::Bencher) {
    let tools = corpus();
    let engine = mcp_risk::classify::engine();
    b.counter(ItemsCount::new(tools.len())).bench(|| {
        for t in &tools {
            divan::black_box(engine.classify(divan::black_box(t), false));
        }
    });
}

/// The streaming path's engine cost: classify each tool from its JSON text
/// (no `serde_json::Value`), one thread; items/s is tools/s per core.
#[divan::bench]
fn engine_corpus_json(b: divan::Bencher) {
    let texts: Vec<String> = corpus().iter().map(Value::to_string).collect();
    let engine = mcp_risk::classify::engine();
    b.counter(ItemsCount::new(texts.len())).bench(|| {
        for t in &texts {
            divan::black_box(engine.classify_json(divan::black_box(t), false, &Default::default()));
        }
    });
}

#[divan::bench]
fn tooldef_from_value(b: divan::Bencher) {
    let v = json!({"name": "delete_repository", "description": "Delete a repository permanently",
        "inputSchema": {"type": "object", "properties": {"owner": {"type": "string"}, "repo": {"type": "string"}}}});
    b.bench(|| mcp_risk::tool::ToolDef::from_value(divan::black_box(&v)));
}
