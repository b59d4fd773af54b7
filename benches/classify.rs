//! Benchmarks of the classification path (divan): `cargo bench --bench classify`.
use serde_json::json;

fn main() {
    divan::main();
}

#[divan::bench]
fn tooldef_from_value(b: divan::Bencher) {
    let v = json!({"name": "delete_repository", "description": "Delete a repository permanently",
        "inputSchema": {"type": "object", "properties": {"owner": {"type": "string"}, "repo": {"type": "string"}}}});
    b.bench(|| mcp_risk::tool::ToolDef::from_value(divan::black_box(&v)));
}
