//! SARIF output against the OASIS SARIF 2.1.0 schema (vendored in
//! tests/fixtures/sarif, validated offline), plus what GitHub code scanning
//! needs beyond the schema: a physical location on every result.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn sarif_of(input: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
        .args(["classify", "--format", "sarif", "--input"])
        .arg(input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn schema() -> jsonschema::Validator {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

#[test]
fn sarif_is_valid_and_every_result_is_located_in_a_file() {
    let validator = schema();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    for file in ["mongodb.json", "github.json", "playwright.json"] {
        let input = dir.join(file);
        let log = sarif_of(&input);
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .take(10)
            .collect();
        assert!(errors.is_empty(), "{file}: {}", errors.join("\n"));
        let text = std::fs::read_to_string(&input).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{file}");
        for r in results {
            let phys = &r["locations"][0]["physicalLocation"];
            let uri = phys["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                uri.ends_with(&format!("tests/fixtures/corpus/{file}")),
                "{uri}"
            );
            // The region is the line that names the tool.
            let tool = r["locations"][0]["logicalLocations"][1]["name"]
                .as_str()
                .unwrap();
            let line = phys["region"]["startLine"].as_u64().unwrap() as usize;
            let at = text.lines().nth(line - 1).unwrap();
            assert!(
                at.contains(&format!("\"{tool}\"")),
                "{file}:{line}: {at} (tool {tool})"
            );
            // ruleId names a catalogued rule, with its index.
            let id = r["ruleId"].as_str().unwrap();
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(log["runs"][0]["tool"]["driver"]["rules"][i]["id"], id);
        }
    }
}

#[test]
fn a_relative_input_path_stays_relative() {
    let out = Command::new(env!("CARGO_BIN_EXE_mcp-risk"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "classify",
            "--format",
            "sarif",
            "--input",
            "tests/fixtures/corpus/mongodb.json",
        ])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/fixtures/corpus/mongodb.json"
    );
    let validator = schema();
    assert!(validator.is_valid(&log));
    // The validator is not vacuous: a level SARIF does not know is refused.
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad));
}
