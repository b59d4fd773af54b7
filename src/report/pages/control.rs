//! "How to control it": a tool's rule in the four formats, each as the policy
//! module renders it for this one tool (so a change to the policies shows on
//! the pages), with a sentence on what it achieves and how to apply it; plus
//! the two alternatives readers ask for, a rate limit and a complete block,
//! as ready snippets in the same formats.

use std::slice;

use serde_json::{json, Value};

use crate::classify::{Risk, Verdict};
use crate::policy::codex::toml_key;
use crate::policy::plan::{self, Decision, GuardKind, Limit, ToolPlan, Window};
use crate::policy::{claude, codex, intercept, policylayer, yaml_quote};

/// One ready snippet.
#[derive(Clone, Debug)]
pub struct Snippet {
    /// "policy.json", "Intercept YAML", "Claude Code", "Codex".
    pub label: &'static str,
    /// Element id for the copy button.
    pub id: String,
    /// Fence language for Markdown.
    pub lang: &'static str,
    pub code: String,
    /// What this file achieves, in this client.
    pub achieves: String,
    /// How to apply it.
    pub apply: String,
}

#[derive(Clone, Debug)]
pub struct Control {
    /// What the recommended rule does, in one or two sentences.
    pub rule: String,
    /// The decision, in a word or two ("allowed", "rate-limited", ...).
    pub decision: &'static str,
    pub formats: Vec<Snippet>,
    /// Answer to "can I rate-limit it?".
    pub rate_limit_text: String,
    pub rate_limit: Vec<Snippet>,
    /// Answer to "how do I block it completely?".
    pub block_text: String,
    pub block: Vec<Snippet>,
}

fn limits_phrase(limits: &[Limit]) -> String {
    limits
        .iter()
        .map(|l| format!("{} calls a {}", l.max, l.window.as_str()))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The rule in words, from the plan.
fn rule_sentence(server: &str, p: &ToolPlan<'_>) -> String {
    let name = p.name();
    let rest = format!("Everything else on {server} is denied unless you say otherwise.");
    let mut s = match p.decision {
        Decision::Allow => format!("{name} stays usable with no limit ({} risk). {rest}", p.graded_risk),
        Decision::Limit => format!(
            "{name} stays usable, but capped at {}: an agent stuck in a loop can't make hundreds of changes a minute. {rest}",
            limits_phrase(&p.limits)
        ),
        Decision::Approve => format!(
            "Every call of {name} is refused with a message asking a person to approve or run it. {}",
            p.why
        ),
        Decision::Hide => format!(
            "{name} is removed from the agent's tool list and refused if called anyway. {}",
            p.why
        ),
        Decision::Unlisted => p.why.clone(),
    };
    let switches: Vec<String> = p
        .guards
        .iter()
        .filter(|g| matches!(g.kind, GuardKind::Switch))
        .map(|g| format!("{}=true", g.param))
        .collect();
    if !switches.is_empty() {
        s.push_str(&format!(
            " Calls with {} are refused: {} what the call destroys.",
            switches.join(" or "),
            if switches.len() == 1 {
                "it widens"
            } else {
                "they widen"
            }
        ));
    }
    let purposes: Vec<&str> = p
        .guards
        .iter()
        .filter(|g| !matches!(g.kind, GuardKind::Switch))
        .map(|g| g.purpose.as_str())
        .collect();
    if !purposes.is_empty() {
        s.push_str(&format!(
            " Its argument guards: {}.",
            dedup(purposes).join("; ")
        ));
    }
    s
}

fn dedup(mut v: Vec<&str>) -> Vec<&str> {
    let mut seen = std::collections::BTreeSet::new();
    v.retain(|x| seen.insert(*x));
    v
}

/// The limits a "rate-limit it" snippet uses: the plan's own when it limits
/// the tool, otherwise the plan's tier for the tool's risk.
fn alternative_limits(p: &ToolPlan<'_>) -> Vec<Limit> {
    if !p.limits.is_empty() {
        return p.limits.clone();
    }
    if p.verdict.risk >= Risk::High {
        vec![
            Limit {
                window: Window::Minute,
                max: plan::HIGH_PER_MINUTE,
            },
            Limit {
                window: Window::Day,
                max: plan::HIGH_PER_DAY,
            },
        ]
    } else {
        vec![Limit {
            window: Window::Minute,
            max: plan::MEDIUM_PER_MINUTE,
        }]
    }
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Everything "How to control it" shows for one tool. `policy_json` is the
/// tool's policy.json as the caller already rendered it.
pub fn for_tool(server: &str, v: &Verdict, policy_json: &str) -> Control {
    let p = plan::plan_tool(v);
    let one = slice::from_ref(v);
    let name = v.name.as_str();
    let rule = rule_sentence(server, &p);
    let claude_text = claude::for_server(server, one);
    let codex_text = codex::for_server(server, one);
    let (claude_deny, claude_ask) = claude_lists(&claude_text);
    let codex_disabled = codex_text.contains("disabled_tools = [\n");
    let id = claude::tool_id(server, name);
    let formats = vec![
        Snippet {
            label: "policy.json",
            id: "rule-policy".into(),
            lang: "json",
            code: if policy_json.is_empty() {
                policylayer::for_tool(v)
            } else {
                policy_json.to_owned()
            },
            achieves: format!("The rule above, for the PolicyLayer gateway: the file's default is deny, so it also refuses every tool of {server} it does not list."),
            apply: format!("Save it as policy.json and run the gateway with it in front of {server}; to keep rules for other tools, merge its \"tools\" and \"hide\" entries into the server's policy."),
        },
        Snippet {
            label: "Intercept YAML",
            id: "rule-intercept".into(),
            lang: "yaml",
            code: intercept::for_server(server, one),
            achieves: "The same rule for Intercept, PolicyLayer's open-source proxy: each rule carries its reason as a comment.".into(),
            apply: format!("Save it as a .yaml policy file and start Intercept with it in front of {server}; merge the tool's entry into an existing policy file the same way."),
        },
        Snippet {
            label: "Claude Code",
            id: "rule-claude".into(),
            lang: "json",
            code: claude_text,
            achieves: if claude_deny.contains(&id) {
                format!("Claude Code refuses every call of {id}: it has no approval gate or rate limit of its own, so the nearest safe rule is deny.")
            } else if claude_ask.contains(&id) {
                format!("Claude Code asks you before each call of {id}: it cannot rate-limit or guard arguments, so a person sees every call instead.")
            } else {
                format!("Claude Code needs no entry for {id}: the recommended rule leaves it allowed.")
            },
            apply: "Merge \"permissions\" into .claude/settings.json in your project (or ~/.claude/settings.json for every project); Claude Code reads it at start.".into(),
        },
        Snippet {
            label: "Codex",
            id: "rule-codex".into(),
            lang: "toml",
            code: codex_text,
            achieves: if codex_disabled {
                format!("Codex stops offering {name} to the model: it has no per-tool approval or limit, so disabling is the nearest safe rule.")
            } else {
                format!("Codex needs nothing disabled: the recommended rule leaves {name} usable (Codex cannot rate-limit a single tool).")
            },
            apply: "Copy disabled_tools into this server's existing [mcp_servers] table in ~/.codex/config.toml (TOML forbids a second table of the same name).".into(),
        },
    ];

    let limits = alternative_limits(&p);
    let phrase = limits_phrase(&limits);
    let rate_limit_text = match p.decision {
        Decision::Limit => format!("Yes: the recommended rule already caps {name} at {phrase}. Lower the numbers to tighten it; Claude Code and Codex cannot rate-limit a tool, so use a gateway."),
        _ => format!("Yes, with a gateway: the snippet below caps {name} at {phrase} and lets every call under the cap through (Claude Code and Codex cannot rate-limit a tool). For this {} risk tool the recommended rule is {}.", v.risk, p.decision.as_str().replace('_', " ")),
    };
    let mut tool_limits = Vec::new();
    for l in &limits {
        tool_limits.push(json!({
            "counter": p.counter(l.window),
            "window": l.window.as_str(),
            "max": l.max,
            "scope": "grant",
        }));
    }
    let rl_json = pretty(&json!({
        "version": "1",
        "default": "deny",
        "hide": [],
        "tools": { name: { "limits": tool_limits } },
    }));
    let mut rl_yaml = String::from("version: \"1\"\ndefault: deny\nhide: []\ntools:\n");
    rl_yaml.push_str(&format!("  {}:\n    rules:\n", yaml_quote(name)));
    for l in &limits {
        let w = l.window.as_str();
        rl_yaml.push_str(&format!(
            "      - name: {}\n        rate_limit: {}/{w}\n        on_deny: {}\n",
            yaml_quote(&format!("at most {} per {w}", l.max)),
            l.max,
            yaml_quote(&format!(
                "{name} is limited to {} calls per {w}; try again later.",
                l.max
            ))
        ));
    }
    let rate_limit = vec![
        Snippet {
            label: "policy.json",
            id: "limit-policy".into(),
            lang: "json",
            code: rl_json,
            achieves: format!(
                "Caps {name} at {phrase}; calls over the cap are refused until the window passes."
            ),
            apply: "Merge the tool's entry into the server's policy.json.".into(),
        },
        Snippet {
            label: "Intercept YAML",
            id: "limit-intercept".into(),
            lang: "yaml",
            code: rl_yaml,
            achieves: format!("The same cap for Intercept: {phrase}."),
            apply: "Merge the tool's entry into the server's Intercept policy.".into(),
        },
    ];

    let block_text = format!("Hide it. With a gateway, list {name} under \"hide\": it disappears from the tool list and calls are refused. In Claude Code, deny {id}; in Codex, put {name} in the server's disabled_tools.");
    let block = vec![
        Snippet {
            label: "policy.json",
            id: "block-policy".into(),
            lang: "json",
            code: pretty(&json!({"version": "1", "default": "deny", "hide": [name], "tools": {}})),
            achieves: format!("{name} is removed from the tool list and refused if called."),
            apply: "Add the name to the \"hide\" list of the server's policy.json.".into(),
        },
        Snippet {
            label: "Intercept YAML",
            id: "block-intercept".into(),
            lang: "yaml",
            code: format!(
                "version: \"1\"\ndefault: deny\nhide:\n  - {}\ntools: {{}}\n",
                yaml_quote(name)
            ),
            achieves: format!("Intercept hides {name} and refuses calls to it."),
            apply: "Add the name to the \"hide\" list of the server's Intercept policy.".into(),
        },
        Snippet {
            label: "Claude Code",
            id: "block-claude".into(),
            lang: "json",
            code: pretty(&json!({"permissions": {"deny": [id]}})),
            achieves: format!("Claude Code refuses every call of {id}."),
            apply: "Merge into .claude/settings.json.".into(),
        },
        Snippet {
            label: "Codex",
            id: "block-codex".into(),
            lang: "toml",
            code: format!(
                "[mcp_servers.{}]\ndisabled_tools = [{}]\n",
                toml_key(server),
                yaml_quote(name)
            ),
            achieves: format!("Codex never offers {name} to the model."),
            apply: "Merge disabled_tools into the server's existing table in ~/.codex/config.toml."
                .into(),
        },
    ];
    Control {
        rule,
        decision: match p.decision {
            Decision::Allow => "allowed",
            Decision::Limit => "rate-limited",
            Decision::Approve => "needs approval",
            Decision::Hide => "hidden",
            Decision::Unlisted => "left out",
        },
        formats,
        rate_limit_text,
        rate_limit,
        block_text,
        block,
    }
}

/// The `deny` and `ask` lists of a Claude Code settings fragment.
fn claude_lists(text: &str) -> (Vec<String>, Vec<String>) {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let list = |k: &str| -> Vec<String> {
        v["permissions"][k]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    (list("deny"), list("ask"))
}

/// The read-only profile of a server: a policy that lets the agent use the
/// read tools (under the limits their risk calls for) and nothing else, as
/// the policy module writes it for the read verdicts alone.
pub fn read_only_profile(server: &str, verdicts: &[Verdict]) -> (String, String, usize) {
    let reads: Vec<Verdict> = verdicts
        .iter()
        .filter(|v| v.class == crate::classify::Class::Read)
        .cloned()
        .collect();
    (
        policylayer::for_server(&reads),
        intercept::for_server(server, &reads),
        reads.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::check;

    fn verdict(name: &str, risk: Risk) -> Verdict {
        let tools = vec![
            json!({"name": name, "description": "Delete a user permanently", "inputSchema": {"type": "object", "properties": {"userId": {"type": "string"}}}}),
        ];
        let mut v = crate::classify::classify_tools(&tools, &crate::classify::Options::default())
            .pop()
            .unwrap();
        v.risk = risk;
        v
    }

    /// Every snippet a page offers passes `policy check`.
    #[test]
    fn snippets_are_valid_policies() {
        for name in ["reset-api-key", "we\"ird\u{202e} name", "x:y"] {
            for risk in [Risk::Low, Risk::Medium, Risk::High, Risk::Critical] {
                let v = verdict(name, risk);
                let c = for_tool("Dock \"srv\"", &v, "");
                for s in c.formats.iter().chain(&c.rate_limit).chain(&c.block) {
                    let diagnostics = match s.lang {
                        "json" if s.label == "policy.json" => {
                            check::check_policy_json(&s.code).diagnostics
                        }
                        "yaml" => check::check_intercept(&s.code).diagnostics,
                        "toml" => {
                            let t: toml::Table = s
                                .code
                                .parse()
                                .unwrap_or_else(|e| panic!("{}: {e}\n{}", s.id, s.code));
                            assert!(!t.is_empty());
                            Vec::new()
                        }
                        _ => {
                            let j: Value = serde_json::from_str(&s.code).unwrap();
                            assert!(j["permissions"].is_object());
                            Vec::new()
                        }
                    };
                    assert!(
                        diagnostics.is_empty(),
                        "{name} {risk:?} {}: {diagnostics:?}\n{}",
                        s.id,
                        s.code
                    );
                    assert!(!s.achieves.is_empty() && !s.apply.is_empty());
                }
                assert!(!c.rule.is_empty());
            }
        }
    }
}
