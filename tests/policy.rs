//! Policies: snapshots of the dev corpus servers in every format, argument
//! guards on hand-built verdicts (evaluated the way a gateway would), round
//! trips of every emitted file through `policy check`, hand-written invalid
//! policies rejected at the right location, and the CLI.
//!
//! Snapshots follow whatever `classify_tools` returns today; after the rules
//! engine lands, re-accept them with `INSTA_UPDATE=always cargo test --test policy`
//! (or `cargo insta review` where cargo-insta is installed) and review the diff.

use std::path::{Path, PathBuf};

use mcp_risk::classify::verdict::{OperationParam, OperationValue};
use mcp_risk::classify::{self, Category, Class, Risk, Signal, Verdict};
use mcp_risk::policy::{self, check, claude, codex, intercept, policylayer, Format};
use serde_json::{json, Value};

/// The repository's own copy of a few dev-corpus servers (their authors'
/// `tools/list` answers; see `tests/fixtures/corpus/README.md`).
fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// How many servers the fixture corpus holds.
fn corpus_len() -> usize {
    mcp_risk::input::json_files(&corpus_dir()).unwrap().len()
}

fn corpus_verdicts(server: &str, ignore_annotations: bool) -> Vec<Verdict> {
    let st = mcp_risk::input::load_file(&corpus_dir().join(format!("{server}.json"))).unwrap();
    classify::classify_tools(&st.tools, &classify::Options { ignore_annotations })
}

fn op(value: &str, class: Class, risk: Risk) -> OperationValue {
    OperationValue {
        value: value.into(),
        class,
        risk,
    }
}

/// A CRUD tool whose `operation` enum mixes reads and deletes.
fn crud_tool() -> Verdict {
    let mut v = Verdict::manual(
        "manage_records",
        Class::Destructive,
        Risk::Critical,
        Category::Destructive,
        &[Signal::IrreversibleLoss],
    );
    v.args.operations = vec![OperationParam {
        param: "operation".into(),
        values: vec![
            op("list", Class::Read, Risk::Low),
            op("get", Class::Read, Risk::Low),
            op("create", Class::Write, Risk::Medium),
            op("update", Class::Destructive, Risk::Medium),
            op("delete", Class::Destructive, Risk::Critical),
            op("purge_all", Class::Destructive, Risk::Critical),
        ],
    }];
    v
}

fn guarded_server() -> Vec<Verdict> {
    let mut rm = Verdict::manual(
        "remove_path",
        Class::Destructive,
        Risk::High,
        Category::Destructive,
        &[],
    );
    rm.args.switches = vec!["recursive".into(), "force".into()];
    let mut sql = Verdict::manual(
        "run_query",
        Class::Destructive,
        Risk::High,
        Category::Execute,
        &[],
    );
    sql.args.sql = vec!["query".into()];
    let mut sh = Verdict::manual(
        "exec",
        Class::Destructive,
        Risk::High,
        Category::Execute,
        &[],
    );
    sh.args.shell = vec!["command".into()];
    vec![
        crud_tool(),
        rm,
        sql,
        sh,
        Verdict::manual("read_thing", Class::Read, Risk::Low, Category::Read, &[]),
        Verdict::manual(
            "create_issue",
            Class::Write,
            Risk::Medium,
            Category::Write,
            &[],
        ),
        Verdict::manual(
            "delete_repository",
            Class::Destructive,
            Risk::Critical,
            Category::Destructive,
            &[Signal::IrreversibleLoss],
        ),
        Verdict::manual(
            "create_payment",
            Class::Write,
            Risk::Critical,
            Category::Financial,
            &[Signal::Money],
        ),
        Verdict::manual(
            "run_script",
            Class::Destructive,
            Risk::Critical,
            Category::Execute,
            &[Signal::CodeExecution],
        ),
    ]
}

/// What a PolicyLayer gateway does with a call: `None` allowed (ignoring
/// limits), `Some(message)` denied. Mirrors POLICY.md: hidden or unlisted
/// under default deny → denied; any deny_if item whose conditions all hold.
fn gateway(policy: &Value, tool: &str, args: &Value) -> Option<String> {
    if policy["hide"].as_array().unwrap().iter().any(|h| h == tool) {
        return Some("hidden".into());
    }
    let Some(rule) = policy["tools"].get(tool) else {
        return Some("not listed".into());
    };
    for item in rule["deny_if"].as_array().into_iter().flatten() {
        let all = item["conditions"].as_array().unwrap().iter().all(|c| {
            let field = c["path"].as_str().unwrap().strip_prefix("args.").unwrap();
            let Some(actual) = args.get(field) else {
                return false;
            };
            match c["op"].as_str().unwrap() {
                "in" => c["value"].as_array().unwrap().contains(actual),
                "eq" => &c["value"] == actual,
                "regex" => regex::Regex::new(c["value"].as_str().unwrap())
                    .unwrap()
                    .is_match(actual.as_str().unwrap_or("")),
                other => panic!("unexpected op {other}"),
            }
        });
        if all {
            return Some(item["on_deny"].as_str().unwrap().to_owned());
        }
    }
    None
}

#[test]
fn multi_operation_tool_stays_usable_for_safe_operations() {
    let server = guarded_server();
    let p: Value = serde_json::from_str(&policylayer::for_server(&server)).unwrap();
    // Listed, not hidden, although the tool as a whole is critical.
    assert!(p["tools"].get("manage_records").is_some());
    let deny_if = &p["tools"]["manage_records"]["deny_if"];
    assert_eq!(
        deny_if[0]["conditions"][0],
        json!({"path": "args.operation", "op": "in", "value": ["delete", "purge_all"]})
    );
    for safe in ["list", "get", "create", "update"] {
        assert_eq!(
            gateway(&p, "manage_records", &json!({"operation": safe})),
            None,
            "{safe}"
        );
    }
    for bad in ["delete", "purge_all"] {
        let msg = gateway(&p, "manage_records", &json!({"operation": bad})).unwrap();
        assert!(msg.contains("blocked by policy"), "{msg}");
    }
    // Graded by what stays allowed (medium: update/create): a per-minute limit.
    assert_eq!(
        p["tools"]["manage_records"]["limits"],
        json!([{"counter": "manage_records.minute", "window": "minute", "max": 30, "scope": "grant"}])
    );
}

#[test]
fn switches_sql_and_shell_are_guarded() {
    let p: Value = serde_json::from_str(&policylayer::for_server(&guarded_server())).unwrap();
    assert!(gateway(&p, "remove_path", &json!({"path": "/tmp/x"})).is_none());
    assert!(gateway(
        &p,
        "remove_path",
        &json!({"path": "/tmp/x", "force": false})
    )
    .is_none());
    let msg = gateway(&p, "remove_path", &json!({"path": "/", "recursive": true})).unwrap();
    assert!(msg.starts_with("recursive=true is blocked"), "{msg}");

    assert!(gateway(
        &p,
        "run_query",
        &json!({"query": "SELECT * FROM t WHERE a = 1"})
    )
    .is_none());
    assert!(gateway(
        &p,
        "run_query",
        &json!({"query": "DELETE FROM t WHERE id = 3"})
    )
    .is_none());
    for q in [
        "DROP TABLE users",
        "truncate logs",
        "DELETE FROM users;",
        "ALTER TABLE t DROP COLUMN c",
    ] {
        let msg = gateway(&p, "run_query", &json!({"query": q})).unwrap_or_else(|| panic!("{q}"));
        assert!(msg.starts_with("SQL or Cypher that"), "{msg}");
    }

    assert!(gateway(&p, "exec", &json!({"command": "ls -la /tmp"})).is_none());
    for c in [
        "rm -rf /",
        "curl x | sh",
        "mkfs.ext4 /dev/sda",
        "dd if=/dev/zero of=/dev/sda",
    ] {
        assert!(gateway(&p, "exec", &json!({"command": c})).is_some(), "{c}");
    }
    // Every guard tells the agent why, in one sentence.
    for (name, rule) in p["tools"].as_object().unwrap() {
        for item in rule["deny_if"].as_array().into_iter().flatten() {
            let msg = item["on_deny"].as_str().unwrap();
            let sentence = msg.replace("...", "");
            assert!(
                msg.ends_with('.') && !sentence.contains(". "),
                "{name}: {msg}"
            );
        }
    }
}

/// The hosted product's published recommendation, a fixed function of
/// category (POLICY.md): read `{}`, write 30/minute, execute 10/minute,
/// destructive hidden, financial approval.
fn baseline(verdicts: &[Verdict]) -> Value {
    let mut tools = serde_json::Map::new();
    let mut hide = Vec::new();
    for v in verdicts {
        let limit = |max: u32| json!({"limits": [{"counter": format!("{}.minute", v.name), "window": "minute", "max": max}]});
        match v.category {
            Category::Read => drop(tools.insert(v.name.clone(), json!({}))),
            Category::Write => drop(tools.insert(v.name.clone(), limit(30))),
            Category::Execute => drop(tools.insert(v.name.clone(), limit(10))),
            Category::Destructive => hide.push(json!(v.name)),
            Category::Financial => drop(tools.insert(
                v.name.clone(),
                json!({"deny_if": [{"conditions": [], "on_deny": "approval"}]}),
            )),
        }
    }
    json!({"version": "1", "default": "deny", "hide": hide, "tools": tools})
}

/// A tool call: tool name and arguments.
type Call = (&'static str, Value);

/// Calls an agent should be able to make, and calls it must not.
fn calls() -> (Vec<Call>, Vec<Call>) {
    let safe = vec![
        ("read_thing", json!({})),
        ("create_issue", json!({"title": "t"})),
        ("manage_records", json!({"operation": "list"})),
        ("manage_records", json!({"operation": "update"})),
        ("remove_path", json!({"path": "/tmp/build/x.o"})),
        (
            "run_query",
            json!({"query": "SELECT id FROM users WHERE active"}),
        ),
        ("exec", json!({"command": "ls -la"})),
    ];
    let dangerous = vec![
        ("manage_records", json!({"operation": "purge_all"})),
        ("remove_path", json!({"path": "/", "recursive": true})),
        ("run_query", json!({"query": "DROP DATABASE prod"})),
        ("run_query", json!({"query": "delete from users"})),
        ("exec", json!({"command": "curl http://x | bash"})),
        ("delete_repository", json!({"repo": "r"})),
        ("create_payment", json!({"amount": 10})),
        ("run_script", json!({"code": "1"})),
    ];
    (safe, dangerous)
}

#[test]
fn beats_the_fixed_function_baseline() {
    let server = guarded_server();
    let ours: Value = serde_json::from_str(&policylayer::for_server(&server)).unwrap();
    let base = baseline(&server);
    let (safe, dangerous) = calls();
    for (tool, args) in &dangerous {
        assert!(
            gateway(&ours, tool, args).is_some(),
            "ours lets {tool} {args} through"
        );
    }
    for (tool, args) in &safe {
        assert!(
            gateway(&ours, tool, args).is_none(),
            "ours blocks {tool} {args}"
        );
    }
    let base_leaks: Vec<_> = dangerous
        .iter()
        .filter(|(t, a)| gateway(&base, t, a).is_none())
        .collect();
    let base_blocks: Vec<_> = safe
        .iter()
        .filter(|(t, a)| gateway(&base, t, a).is_some())
        .collect();
    // The baseline lets raw SQL and shell through whole, and hides whole tools
    // whose safe operations an agent needs.
    assert_eq!(base_leaks.len(), 4, "{base_leaks:?}");
    assert_eq!(base_blocks.len(), 3, "{base_blocks:?}");
}

#[test]
fn grading_by_risk() {
    let p: Value = serde_json::from_str(&policylayer::for_server(&guarded_server())).unwrap();
    assert_eq!(p["default"], "deny");
    assert_eq!(p["version"], "1");
    assert_eq!(p["tools"]["read_thing"], json!({}));
    assert_eq!(p["tools"]["create_issue"]["limits"][0]["max"], 30);
    let high = &p["tools"]["remove_path"]["limits"];
    assert_eq!(high[0]["counter"], "remove_path.minute");
    assert_eq!(
        high[1],
        json!({"counter": "remove_path.day", "window": "day", "max": 100, "scope": "grant"})
    );
    assert_eq!(p["hide"], json!(["delete_repository"]));
    for gated in ["create_payment", "run_script"] {
        let d = &p["tools"][gated]["deny_if"];
        assert_eq!(d.as_array().unwrap().len(), 1, "{gated}");
        assert_eq!(d[0]["conditions"], json!([]));
        // Gateways have no approval step: the message says every call is
        // refused and what the agent should do.
        let msg = d[0]["on_deny"].as_str().unwrap();
        assert!(
            msg.contains("refuses every call") && msg.contains("ask the user"),
            "{msg}"
        );
    }
    // Every tool exactly once, in tools or in hide.
    let listed = p["tools"].as_object().unwrap().len();
    assert_eq!(
        listed + p["hide"].as_array().unwrap().len(),
        guarded_server().len()
    );
}

#[test]
fn all_formats_agree() {
    let server = guarded_server();
    let claude: Value = serde_json::from_str(&claude::for_server("demo", &server)).unwrap();
    // Hidden (irreversible) tools are denied; tools a gateway refuses until
    // a human acts go to Claude Code's own approval step, `ask` (they went to
    // `deny` before issue 14, which read inverted against high tools' `ask`).
    assert_eq!(
        claude["permissions"]["deny"],
        json!(["mcp__demo__delete_repository"])
    );
    // Guarded, high-risk or destructive tools: Claude Code cannot check
    // arguments or count calls, so ask.
    assert_eq!(
        claude["permissions"]["ask"],
        json!([
            "mcp__demo__create_payment",
            "mcp__demo__exec",
            "mcp__demo__manage_records",
            "mcp__demo__remove_path",
            "mcp__demo__run_query",
            "mcp__demo__run_script"
        ])
    );
    let codex: toml::Table = toml::from_str(&codex::for_server("demo", &server)).unwrap();
    // Codex: hidden tools disabled; the rest that need a human use Codex's
    // own per-tool approval, as Claude Code's ask does.
    assert_eq!(
        codex["mcp_servers"]["demo"]["disabled_tools"],
        toml::Value::Array(vec![toml::Value::String("delete_repository".into())])
    );
    let prompted: Vec<&String> = codex["mcp_servers"]["demo"]["tools"]
        .as_table()
        .unwrap()
        .iter()
        .filter(|(_, t)| t["approval_mode"].as_str() == Some("prompt"))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        prompted,
        [
            "create_payment",
            "exec",
            "manage_records",
            "remove_path",
            "run_query",
            "run_script"
        ]
    );
    let y: Value = yaml_serde::from_str(&intercept::for_server("demo", &server)).unwrap();
    assert_eq!(y["default"], "deny");
    assert_eq!(y["hide"], json!(["delete_repository"]));
    assert_eq!(y["tools"]["read_thing"]["rules"], json!([]));
    let crud = &y["tools"]["manage_records"]["rules"];
    assert_eq!(crud[0]["rate_limit"], "30/minute");
    assert_eq!(
        crud[1]["conditions"][0],
        json!({"path": "args.operation", "op": "not_in", "value": ["delete", "purge_all"]})
    );
    let rm = &y["tools"]["remove_path"]["rules"];
    assert_eq!(
        rm[2]["conditions"][0],
        json!({"path": "args.recursive", "op": "exists", "value": false})
    );
    let sql = &y["tools"]["run_query"]["rules"][2];
    assert_eq!(sql["conditions"][0]["op"], "regex");
    assert_eq!(y["tools"]["exec"]["rules"][2]["action"], "deny");
    // One Intercept rule per shell parameter, not one per pattern.
    assert_eq!(y["tools"]["exec"]["rules"].as_array().unwrap().len(), 3);
    assert_eq!(y["tools"]["create_payment"]["rules"][0]["action"], "deny");
}

#[test]
fn reasons_sidecar_explains_every_rule() {
    let server = guarded_server();
    let r: Value = serde_json::from_str(&policylayer::reasons_for_server("demo", &server)).unwrap();
    let p: Value = serde_json::from_str(&policylayer::for_server(&server)).unwrap();
    assert_eq!(r["schema_version"], 1);
    for v in &server {
        let t = &r["tools"][&v.name];
        assert_eq!(t["class"], v.class.as_str());
        assert_eq!(t["risk"], v.risk.as_str());
        assert_eq!(t["rationale"], v.rationale.as_str());
        for rule in t["rules"].as_array().unwrap() {
            let ptr = rule["rule"].as_str().unwrap();
            assert!(p.pointer(ptr).is_some(), "{} → {ptr}", v.name);
            assert!(!rule["for"].as_str().unwrap().is_empty());
        }
    }
    assert_eq!(r["tools"]["delete_repository"]["decision"], "hide");
}

#[test]
fn operation_guards_never_let_the_danger_through() {
    // The tool is high but no operation value reaches high: every destructive
    // operation is denied rather than none.
    let mut v = Verdict::manual(
        "files",
        Class::Destructive,
        Risk::High,
        Category::Destructive,
        &[],
    );
    v.args.operations = vec![OperationParam {
        param: "action".into(),
        values: vec![
            op("read", Class::Read, Risk::Low),
            op("overwrite", Class::Destructive, Risk::Medium),
        ],
    }];
    let p: Value = serde_json::from_str(&policylayer::for_tool(&v)).unwrap();
    assert_eq!(gateway(&p, "files", &json!({"action": "read"})), None);
    assert!(gateway(&p, "files", &json!({"action": "overwrite"})).is_some());
    // The class floor keeps a destructive tool at medium at least.
    assert_eq!(p["tools"]["files"]["limits"][0]["max"], 30);

    // Every operation destructive and critical: nothing safe to keep, hidden whole.
    let mut w = Verdict::manual(
        "wipe",
        Class::Destructive,
        Risk::Critical,
        Category::Destructive,
        &[Signal::IrreversibleLoss],
    );
    w.args.operations = vec![OperationParam {
        param: "mode".into(),
        values: vec![
            op("soft", Class::Destructive, Risk::Critical),
            op("hard", Class::Destructive, Risk::Critical),
        ],
    }];
    let p: Value = serde_json::from_str(&policylayer::for_tool(&w)).unwrap();
    assert_eq!(p["hide"], json!(["wipe"]));
}

#[test]
fn critical_raw_sql_stays_usable_behind_its_guards() {
    // What the rules engine says of an execute_sql tool: code execution, critical.
    let mut v = Verdict::manual(
        "execute_sql",
        Class::Destructive,
        Risk::Critical,
        Category::Execute,
        &[Signal::CodeExecution],
    );
    v.args.sql = vec!["query".into()];
    let p: Value = serde_json::from_str(&policylayer::for_tool(&v)).unwrap();
    assert!(gateway(&p, "execute_sql", &json!({"query": "select * from t"})).is_none());
    assert!(gateway(&p, "execute_sql", &json!({"query": "drop table t"})).is_some());
    assert_eq!(p["tools"]["execute_sql"]["limits"][1]["window"], "day");
    // A shell beside it: no pattern makes arbitrary commands safe, so approval.
    v.args.shell = vec!["command".into()];
    let p: Value = serde_json::from_str(&policylayer::for_tool(&v)).unwrap();
    assert_eq!(
        p["tools"]["execute_sql"]["deny_if"][0]["conditions"],
        json!([])
    );
}

#[test]
fn selectors_inside_arrays_are_not_guarded() {
    // `steps[].type` has no gateway path: a guard on it would never fire
    // (policy.json) or always fire (Intercept), so the tool is graded whole.
    let mut v = crud_tool();
    v.name = "batch".into();
    v.args.operations[0].param = "steps[].type".into();
    let p: Value = serde_json::from_str(&policylayer::for_tool(&v)).unwrap();
    assert_eq!(p["hide"], json!(["batch"]));
}

#[test]
fn a_name_served_twice_is_planned_once_at_its_worst() {
    let vs = vec![
        Verdict::manual("dup", Class::Read, Risk::Low, Category::Read, &[]),
        Verdict::manual(
            "dup",
            Class::Destructive,
            Risk::High,
            Category::Destructive,
            &[],
        ),
    ];
    let p: Value = serde_json::from_str(&policylayer::for_server(&vs)).unwrap();
    assert_eq!(p["tools"].as_object().unwrap().len(), 1);
    assert_eq!(p["tools"]["dup"]["limits"][0]["max"], 10);
    assert!(check::check_policy_json(&policylayer::for_server(&vs))
        .diagnostics
        .is_empty());
}

/// A gateway and an agent client match calls by name, so a name a server
/// serves more than once is guarded by the strictest of its tools, in
/// either order: a hidden tool hides the name, the tightest limits apply,
/// every argument guard stays, and clients gate it as the strictest needs.
#[test]
fn a_name_served_twice_is_guarded_by_the_strictest_of_its_tools() {
    let dup = |class, risk, category, signals: &[Signal]| {
        Verdict::manual("dup", class, risk, category, signals)
    };
    let both_orders = |a: Verdict, b: Verdict| [vec![a.clone(), b.clone()], vec![b, a]];
    let checked = |vs: &[Verdict]| -> Value {
        let pj = policylayer::for_server(vs);
        assert!(check::check_policy_json(&pj).diagnostics.is_empty(), "{pj}");
        let y = intercept::for_server("s", vs);
        assert!(check::check_intercept(&y).diagnostics.is_empty(), "{y}");
        serde_json::from_str(&pj).unwrap()
    };
    let write = dup(Class::Write, Risk::Medium, Category::Write, &[]);

    // Hidden at any risk: the other tool's higher risk must not unhide it.
    let suspicious = dup(
        Class::Read,
        Risk::Low,
        Category::Read,
        &[Signal::SuspiciousDescription],
    );
    for vs in both_orders(suspicious, write.clone()) {
        let p = checked(&vs);
        assert_eq!(p["hide"], json!(["dup"]), "{p}");
        assert_eq!(p["tools"], json!({}), "{p}");
    }

    // The same risk and class: refused until a human acts, or hidden.
    let code = dup(
        Class::Destructive,
        Risk::Critical,
        Category::Execute,
        &[Signal::CodeExecution],
    );
    let wipe = dup(
        Class::Destructive,
        Risk::Critical,
        Category::Destructive,
        &[Signal::IrreversibleLoss],
    );
    for vs in both_orders(code, wipe) {
        assert_eq!(checked(&vs)["hide"], json!(["dup"]));
    }

    // A critical CRUD tool graded medium behind its operation guard, beside
    // a high tool with none: the high tool's limits and the CRUD's guard.
    let mut crud = crud_tool();
    crud.name = "dup".into();
    let high = dup(Class::Destructive, Risk::High, Category::Destructive, &[]);
    for vs in both_orders(crud, high) {
        let p = checked(&vs);
        let rule = &p["tools"]["dup"];
        assert_eq!(rule["limits"][0]["max"], 10, "{p}");
        assert_eq!(rule["limits"][1]["window"], "day", "{p}");
        assert!(gateway(&p, "dup", &json!({"operation": "delete"})).is_some());
        assert!(gateway(&p, "dup", &json!({"operation": "list"})).is_none());
        let y = intercept::for_server("s", &vs);
        assert!(
            y.contains("delete") && y.contains("rate_limit: 10/minute"),
            "{y}"
        );
    }

    // Claude Code asks for a destructive tool, however low its risk; a
    // medium write beside it under the same name does not lift that.
    let low_destructive = dup(Class::Destructive, Risk::Low, Category::Destructive, &[]);
    for vs in both_orders(low_destructive, write) {
        let c: Value = serde_json::from_str(&claude::for_server("s", &vs)).unwrap();
        assert_eq!(c["permissions"]["ask"], json!(["mcp__s__dup"]), "{c}");
    }
}

#[test]
fn a_tool_named_star_never_becomes_a_wildcard() {
    let vs = vec![
        Verdict::manual(
            "*",
            Class::Destructive,
            Risk::Critical,
            Category::Destructive,
            &[Signal::IrreversibleLoss],
        ),
        Verdict::manual("", Class::Read, Risk::Low, Category::Read, &[]),
        Verdict::manual("ok", Class::Read, Risk::Low, Category::Read, &[]),
    ];
    let p: Value = serde_json::from_str(&policylayer::for_server(&vs)).unwrap();
    assert_eq!(p["hide"], json!([]));
    assert_eq!(p["tools"], json!({"ok": {}}));
    let y: Value = yaml_serde::from_str(&intercept::for_server("s", &vs)).unwrap();
    assert_eq!(y["hide"], json!([]));
    assert_eq!(y["tools"].as_object().unwrap().len(), 1);
    let c: Value = serde_json::from_str(&claude::for_server("s", &vs)).unwrap();
    assert_eq!(c["permissions"]["deny"], json!([]));
    let r: Value = serde_json::from_str(&policylayer::reasons_for_server("s", &vs)).unwrap();
    assert_eq!(r["tools"]["*"]["decision"], "unlisted");
}

#[test]
fn a_server_with_no_tools_gets_valid_empty_policies() {
    let none: Vec<Verdict> = Vec::new();
    let pj = policylayer::for_server(&none);
    assert!(check::check_policy_json(&pj).diagnostics.is_empty(), "{pj}");
    let y = intercept::for_server("empty", &none);
    assert!(check::check_intercept(&y).diagnostics.is_empty(), "{y}");
    toml::from_str::<toml::Table>(&codex::for_server("empty", &none)).unwrap();
    let c: Value = serde_json::from_str(&claude::for_server("empty", &none)).unwrap();
    assert_eq!(c, json!({"permissions": {"ask": [], "deny": []}}));
}

#[test]
fn suspicious_descriptions_are_hidden() {
    let vs = vec![Verdict::manual(
        "helpful_read",
        Class::Read,
        Risk::Low,
        Category::Read,
        &[Signal::SuspiciousDescription],
    )];
    let p: Value = serde_json::from_str(&policylayer::for_server(&vs)).unwrap();
    assert_eq!(p["hide"], json!(["helpful_read"]));
}

#[test]
fn single_tool_policy() {
    let p: Value = serde_json::from_str(&policylayer::for_tool(&crud_tool())).unwrap();
    assert_eq!(p["tools"].as_object().unwrap().len(), 1);
    assert!(
        check::check_policy_json(&policylayer::for_tool(&crud_tool()))
            .diagnostics
            .is_empty()
    );
}

#[test]
fn output_is_deterministic() {
    let mut server = guarded_server();
    let a: Vec<_> = [
        Format::PolicyLayer,
        Format::Intercept,
        Format::ClaudeCode,
        Format::Codex,
    ]
    .iter()
    .flat_map(|f| policy::render(*f, "demo", &server))
    .collect();
    server.reverse();
    let b: Vec<_> = [
        Format::PolicyLayer,
        Format::Intercept,
        Format::ClaudeCode,
        Format::Codex,
    ]
    .iter()
    .flat_map(|f| policy::render(*f, "demo", &server))
    .collect();
    assert_eq!(a, b);
    for f in &a {
        assert!(
            f.contents.ends_with('\n') && !f.contents.ends_with("\n\n"),
            "{}",
            f.name
        );
    }
    let gh = corpus_verdicts("github", false);
    assert_eq!(policylayer::for_server(&gh), policylayer::for_server(&gh));
}

#[test]
fn hostile_names_stay_inert() {
    let evil = "x\n  - injected: true\u{202e}\"#";
    let v = vec![Verdict::manual(
        evil,
        Class::Write,
        Risk::Medium,
        Category::Write,
        &[],
    )];
    let y = intercept::for_server("srv\nhide: [\"*\"]", &v);
    let parsed: Value = yaml_serde::from_str(&y).unwrap();
    assert_eq!(parsed["hide"], json!([]));
    assert!(parsed["tools"].get(evil).is_some());
    assert!(check::check_intercept(&y).diagnostics.is_empty(), "{y}");
    let t: toml::Table = toml::from_str(&codex::for_server("a b\"]\n[x", &v)).unwrap();
    assert!(t["mcp_servers"].get("a b\"]\n[x").is_some());
}

/// Every file we emit for every dev server, with and without annotations,
/// passes `policy check`, and the deny lists parse.
#[test]
fn every_emitted_file_passes_check() {
    let mut n = 0;
    for f in mcp_risk::input::json_files(&corpus_dir()).unwrap() {
        let server = f.file_stem().unwrap().to_string_lossy().into_owned();
        for ignore in [false, true] {
            let vs = corpus_verdicts(&server, ignore);
            let pj = policylayer::for_server(&vs);
            let d = check::check_policy_json(&pj).diagnostics;
            assert!(d.is_empty(), "{server}.json: {d:?}");
            let y = intercept::for_server(&server, &vs);
            let d = check::check_intercept(&y).diagnostics;
            assert!(d.is_empty(), "{server}.yaml: {d:?}");
            serde_json::from_str::<Value>(&claude::for_server(&server, &vs)).unwrap();
            toml::from_str::<toml::Table>(&codex::for_server(&server, &vs)).unwrap();
            n += 1;
        }
    }
    assert_eq!(n, 2 * corpus_len());
    let y = intercept::for_server("demo", &guarded_server());
    assert!(check::check_intercept(&y).diagnostics.is_empty(), "{y}");
    let pj = policylayer::for_server(&guarded_server());
    assert!(check::check_policy_json(&pj).diagnostics.is_empty());
}

#[test]
fn dev_corpus_snapshots() {
    for server in [
        "filesystem",
        "github",
        "supabase",
        "kubernetes-mcp-server",
        "time",
    ] {
        let vs = corpus_verdicts(server, false);
        for f in [
            Format::PolicyLayer,
            Format::Intercept,
            Format::ClaudeCode,
            Format::Codex,
        ] {
            for file in policy::render(f, server, &vs) {
                insta::assert_snapshot!(file.name.replace('.', "_"), file.contents);
            }
        }
    }
}

#[test]
fn guarded_server_snapshots() {
    let s = guarded_server();
    insta::assert_snapshot!("guarded_policy_json", policylayer::for_server(&s));
    insta::assert_snapshot!("guarded_intercept_yaml", intercept::for_server("demo", &s));
}

#[path = "policy/cli.rs"]
mod cli;
#[path = "policy/invalid.rs"]
mod invalid;
