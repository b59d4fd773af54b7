//! Hand-written invalid policies: each must be rejected, at the right place.

use mcp_risk::policy::check::{check_intercept, check_policy_json, Diagnostic};

fn has(diags: &[Diagnostic], location: &str, needle: &str) -> bool {
    diags
        .iter()
        .any(|d| d.location == location && d.message.contains(needle))
}

#[track_caller]
fn json_rejects(doc: &str, location: &str, needle: &str) {
    let d = check_policy_json(doc).diagnostics;
    assert!(
        has(&d, location, needle),
        "want {location} {needle:?}, got {d:#?}"
    );
}

#[track_caller]
fn yaml_rejects(doc: &str, location: &str, needle: &str) {
    let d = check_intercept(doc).diagnostics;
    assert!(
        has(&d, location, needle),
        "want {location} {needle:?}, got {d:#?}"
    );
}

#[test]
fn policy_json_errors_name_their_pointer() {
    json_rejects(
        r#"{"default": "deny"}"#,
        "/",
        "missing required field \"version\"",
    );
    json_rejects(
        r#"{"version": 1, "default": "deny"}"#,
        "/version",
        "string \"1\"",
    );
    json_rejects(
        r#"{"version": "1", "default": "maybe"}"#,
        "/default",
        "allow, deny",
    );
    json_rejects(
        r#"{"version": "1", "default": "deny", "extra": true}"#,
        "/extra",
        "unknown field \"extra\"",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":{"a":{"limits":[{"counter":"a.m","window":"week","max":5}]}}}"#,
        "/tools/a/limits/0/window",
        "got \"week\"",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":{"a":{"limits":[{"counter":"a.m","window":"minute","max":-1}]}}}"#,
        "/tools/a/limits/0/max",
        "whole number",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":{"a":{"limits":[{"counter":"a.m","window":"minute"}]}}}"#,
        "/tools/a/limits/0",
        "missing required field \"max\"",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":{"a/b":{"deny_if":[{"conditions":[{"path":"args.x","op":"like","value":1}],"on_deny":"no"}]}}}"#,
        "/tools/a~1b/deny_if/0/conditions/0/op",
        "unknown operator \"like\"",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":{"a":{"deny_if":[{"conditions":[{"path":"args.q","op":"regex","value":"(unclosed"}],"on_deny":"no"}]}}}"#,
        "/tools/a/deny_if/0/conditions/0/value",
        "invalid regex",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":{"a":{"deny_if":[{"conditions":[{"path":"args.q","op":"in","value":"x"}],"on_deny":"no"}]}}}"#,
        "/tools/a/deny_if/0/conditions/0/value",
        "needs a list",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":{"a":{"deny_if":[{"conditions":[{"path":"amount","op":"gt","value":5}],"on_deny":"no"}]}}}"#,
        "/tools/a/deny_if/0/conditions/0/path",
        "args.<field>",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":{"a":{"deny_if":[{"conditions":[]}]}}}"#,
        "/tools/a/deny_if/0",
        "missing required field \"on_deny\"",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","hide":["a"],"tools":{"a":{}}}"#,
        "/tools/a",
        "both hidden",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":{"a":{"limits":[{"counter":"calls","window":"minute","max":5}]},"b":{"limits":[{"counter":"calls","window":"minute","max":5}]}}}"#,
        "/tools/b/limits/0/counter",
        "also used by tool a at /tools/a/limits/0/counter",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":{"a":{"limits":[]}}, "all_tools": {"limits":[{"counter":"c","window":"minute","max":1},{"counter":"c","window":"day","max":9}]}}"#,
        "/all_tools/limits/1/counter",
        "already used",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":[]}"#,
        "/tools",
        "expected an object",
    );
    json_rejects(
        r#"{"version":"1","default":"deny","tools":{"a":{},"a":{"limits":[]}}}"#,
        "/tools/a",
        "appears twice",
    );
    // Syntax errors carry line:col.
    json_rejects(
        "{\n  \"version\": \"1\",\n  \"default\": deny\n}",
        "3:14",
        "not valid JSON",
    );
}

#[test]
fn a_valid_hand_written_policy_passes() {
    let doc = r#"{"version":"1","default":"allow","hide":["x"],
      "all_tools":{"limits":[{"counter":"all.minute","window":"minute","max":100}]},
      "tools":{"a":{"require":[{"conditions":[{"path":"args.n","op":"lte","value":5}]}],
                    "deny_if":[{"conditions":[{"path":"args.f","op":"exists","value":true}],"on_deny":"no f"}]}}}"#;
    assert_eq!(check_policy_json(doc).diagnostics, vec![]);
}

const GOOD_YAML: &str = r#"version: "1"
description: "hand-written"
default: deny
hide:
  - drop_db
tools:
  read:
    rules: []
  charge:
    rules:
      - name: "hourly"
        rate_limit: 5/hour
      - name: "daily spend"
        conditions:
          - path: "state.charge.spend"
            op: lte
            value: 1000
        state:
          counter: spend
          window: day
          increment_from: args.amount
  "*":
    rules:
      - name: global
        rate_limit: 60/minute
"#;

#[test]
fn a_valid_hand_written_intercept_policy_passes() {
    assert_eq!(check_intercept(GOOD_YAML).diagnostics, vec![]);
}

#[test]
fn intercept_errors_name_line_and_column() {
    let bad = |from: &str, to: &str| {
        assert!(GOOD_YAML.contains(from), "{from}");
        GOOD_YAML.replacen(from, to, 1)
    };
    yaml_rejects(
        &bad("rate_limit: 5/hour", "rate_limit: 5/week"),
        "12:9",
        "window must be",
    );
    yaml_rejects(
        &bad("rate_limit: 5/hour", "rate_limit: many"),
        "12:9",
        "N/minute",
    );
    yaml_rejects(
        &bad("op: lte", "op: le"),
        "16:13",
        "unknown operator \"le\"",
    );
    yaml_rejects(
        &bad("window: day", "window: fortnight"),
        "20:11",
        "window must be",
    );
    yaml_rejects(
        &bad("  read:\n    rules: []", "  read:\n    rule: []"),
        "8:5",
        "unknown field \"rule\"",
    );
    yaml_rejects(&bad("  - drop_db", "  - read"), "7:3", "both hidden");
    yaml_rejects(
        &bad("state.charge.spend", "state.read.spend"),
        "15:13",
        "another tool's counter",
    );
    yaml_rejects(
        &bad("counter: spend", "counter: total"),
        "15:13",
        "no rule of this tool has a state block",
    );
    yaml_rejects(
        &bad(
            "        rate_limit: 5/hour",
            "        rate_limit: 5/hour\n        action: deny",
        ),
        "12:9",
        "cannot be used with action \"deny\"",
    );
    yaml_rejects(
        &bad(
            "      - name: \"hourly\"",
            "      - name: \"hourly\"\n        on_deny: 3\n        extra: 1",
        ),
        "13:9",
        "unknown field \"extra\"",
    );
    yaml_rejects(
        &bad("value: 1000", "value: lots"),
        "17:13",
        "needs a number",
    );
    yaml_rejects(
        &bad(
            "op: lte\n            value: 1000",
            "op: regex\n            value: \"(x\"",
        ),
        "17:13",
        "invalid regex",
    );
    yaml_rejects(
        &bad("      - name: global\n        rate_limit: 60/minute", "      - name: global\n        rate_limit: 60/minute\n      - name: again\n        rate_limit: 10/minute"),
        "27:9",
        "second rate_limit per minute",
    );
    yaml_rejects(
        &bad("version: \"1\"", "version: \"2\""),
        "1:1",
        "version must be",
    );
    yaml_rejects(
        &bad("  charge:\n", "  read:\n    rules: []\n  charge:\n"),
        "7:3",
        "appears twice",
    );
    // Syntax error: location from the parser.
    yaml_rejects(
        "version: \"1\"\ntools:\n  a: [unclosed\n",
        "4:1",
        "not valid YAML",
    );
}

/// Every message `policy check` can give for these kitchen-sink files, in
/// one snapshot, so a change to any diagnostic shows in review.
#[test]
fn diagnostics_snapshot() {
    let json = r#"{"version":"2","default":"maybe","extra":1,"hide":["a","a",""],
      "all_tools":{"limits":[{"counter":"t.minute","window":"week","max":1.5,"scope":"team"}]},
      "tools":{"a":{"limits":[{"counter":"t.minute","window":"minute","max":5}],"bogus":[]},
               "b":{"deny_if":[{"conditions":[{"path":"x","op":"like","value":1},{"path":"args.n","op":"lt","value":"5"},
                     {"path":"args.s","op":"regex","value":"("},{"path":"args.e","op":"exists","value":"yes"}]}],
                    "require":{}},
               "c":[]}}"#;
    let yaml = "version: 2\ndefault: maybe\nhide: [a]\ntools:\n  a:\n    rules: []\n  b:\n    rules:\n      - rate_limit: 0/minute\n        action: deny\n      - name: x\n        action: evaluate\n      - name: y\n        action: deny\n        conditions:\n          - path: state.a.n\n            op: lte\n            value: 1\n        state:\n          counter: \"\"\n          window: week\n          increment: 1.5\n          increment_from: amount\n  c:\n    rules: 5\n";
    let render = |d: Vec<Diagnostic>| {
        d.into_iter()
            .map(|d| format!("{}: {}", d.location, d.message))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // Beside the other snapshots, in tests/snapshots/.
    insta::with_settings!({snapshot_path => "../snapshots"}, {
        insta::assert_snapshot!("policy_json_diagnostics", render(check_policy_json(json).diagnostics));
        insta::assert_snapshot!("intercept_diagnostics", render(check_intercept(yaml).diagnostics));
    });
}

/// 50,000 unknown keys: every one counted, the first 200 shown, then one
/// "and N more" line, in time linear in the errors (this took minutes when
/// each error re-scanned the file to find its line).
#[test]
fn many_errors_are_capped_and_stay_fast() {
    use mcp_risk::policy::check::MAX_DIAGNOSTICS;
    let n = 50_000;
    let keys: String = (0..n).map(|i| format!("k{i}: 1\n")).collect();
    let yaml = format!("version: \"1\"\ntools: {{}}\n{keys}");
    let mut json = serde_json::json!({"version": "1", "default": "allow"});
    for i in 0..n {
        json[format!("k{i}")] = 1.into();
    }
    let json = json.to_string();
    let start = std::time::Instant::now();
    for r in [check_intercept(&yaml), check_policy_json(&json)] {
        assert_eq!(r.errors, n);
        assert_eq!(r.diagnostics.len(), MAX_DIAGNOSTICS + 1);
        let last = r.diagnostics.last().unwrap();
        assert!(
            last.message
                .starts_with(&format!("and {} more", n - MAX_DIAGNOSTICS)),
            "{last:?}"
        );
    }
    let d = check_intercept(&yaml).diagnostics;
    assert_eq!(d[0].location, "3:1");
    assert_eq!(
        d[MAX_DIAGNOSTICS].location,
        format!("{}:1", MAX_DIAGNOSTICS + 3)
    );
    // Generous for a debug build on a loaded machine; quadratic took minutes.
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
}

/// A 100k-deep flow document is refused at once, with one diagnostic.
#[test]
fn excessive_depth_is_refused_at_once() {
    let depth = 100_000;
    let yaml = format!(
        "version: \"1\"\ntools: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let start = std::time::Instant::now();
    let r = check_intercept(&yaml);
    assert!(start.elapsed().as_secs() < 2, "{:?}", start.elapsed());
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].location, "2:136");
    assert!(r.diagnostics[0].message.contains("nested more than 128"));
    let json = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let r = check_policy_json(&json);
    assert_eq!(r.diagnostics.len(), 1);
    assert!(r.diagnostics[0].message.contains("recursion limit"));
    // Brackets inside quotes and comments do not count.
    let quoted = format!(
        "version: \"1\"\ndescription: \"{}\" # {}\ntools: {{}}\n",
        "[".repeat(200),
        "{".repeat(200)
    );
    assert_eq!(check_intercept(&quoted).diagnostics, vec![]);
}
