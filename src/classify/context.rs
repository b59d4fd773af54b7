//! What one tool's verdict may know of its server: naming conventions and
//! whether the declared annotations are blanket labels. Computed once per
//! server from every tool (`Context::of`), so a verdict does not depend on
//! which subset of the server was classified with it.

use serde_json::Value;

use super::engine::{declared_class, Engine};
use super::normalize::identifier_tokens;
use super::verdict::Class;
use crate::tool::Hints;

/// How many names must show a convention before it counts.
const MIN_NAMES: usize = 4;

/// A declared annotation set that says the same of (nearly) everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blanket {
    /// Every tool declares the same class.
    AllSame(Class),
    /// Every tool declared not read-only is declared destructive, additive
    /// creates included.
    MutatingAllDestructive,
}

impl Blanket {
    pub fn describe(self) -> String {
        match self {
            Blanket::AllSame(c) => format!("this server declares every tool {c}, a blanket label"),
            Blanket::MutatingAllDestructive => {
                "this server declares every tool that is not read-only destructive, a blanket label"
                    .to_owned()
            }
        }
    }
}

/// Server-wide facts for classifying one of its tools.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// The server names tools `namespace_object_verb` (`keyvault_key_create`):
    /// a name's last word is its verb.
    pub verb_last: bool,
    /// The declared annotations are blanket labels.
    pub blanket: Option<Blanket>,
}

impl Context {
    /// A short stable text of the context, for cache keys: two contexts
    /// with the same fingerprint give every tool the same verdict.
    pub fn fingerprint(&self) -> String {
        let blanket = match self.blanket {
            None => "none".to_owned(),
            Some(Blanket::AllSame(c)) => format!("all-{c}"),
            Some(Blanket::MutatingAllDestructive) => "mutating-destructive".to_owned(),
        };
        format!("verb-last={},blanket={blanket}", u8::from(self.verb_last))
    }

    /// The context of a server, from all of its tools.
    pub fn of(engine: &Engine, tools: &[Value]) -> Context {
        Context::from_parts(
            engine,
            tools.iter().map(|t| {
                let name = t.get("name").and_then(Value::as_str).unwrap_or("");
                let hints = t.get("annotations").and_then(Hints::from_annotations);
                (name, hints)
            }),
        )
    }

    /// The context from each tool's name and declared hints.
    pub fn from_parts<'a>(
        engine: &Engine,
        tools: impl Iterator<Item = (&'a str, Option<Hints>)>,
    ) -> Context {
        Context::from_facts(tools.map(|(name, hints)| Facts::of(engine, name, hints.as_ref())))
    }

    /// The context from each tool's [`Facts`] (computed where the tools are
    /// read, in parallel: only this sum is serial).
    pub fn from_facts(tools: impl Iterator<Item = Facts>) -> Context {
        let (mut first, mut last) = (0usize, 0usize);
        let mut declared = Vec::new();
        for f in tools {
            first += usize::from(f.leads);
            last += usize::from(f.ends);
            declared.extend(f.declared);
        }
        Context {
            verb_last: last >= MIN_NAMES && last >= 2 * first,
            blanket: blanket(&declared),
        }
    }
}

/// What one tool adds to its server's context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Its name (of two words or more) leads with a verb.
    leads: bool,
    /// Its name (of two words or more) ends with a verb.
    ends: bool,
    /// The class its declared hints claim.
    declared: Option<Class>,
}

impl Facts {
    pub fn of(engine: &Engine, name: &str, hints: Option<&Hints>) -> Facts {
        let t = identifier_tokens(name);
        let (mut leads, mut ends) = (false, false);
        if t.len() >= 2 {
            // Verb-first after a product prefix (`jira_remove_issue_link`)
            // is still verb-first: its last word is the object.
            leads = engine.is_name_verb(&t[0]) || (t.len() >= 3 && engine.is_name_verb(&t[1]));
            ends = engine.is_name_verb(&t[t.len() - 1]);
        }
        Facts {
            leads,
            ends,
            declared: hints.and_then(declared_class),
        }
    }
}

fn blanket(classes: &[Class]) -> Option<Blanket> {
    if classes.len() < MIN_NAMES {
        return None;
    }
    if classes.iter().all(|c| *c == classes[0]) {
        return Some(Blanket::AllSame(classes[0]));
    }
    let mutating: Vec<&Class> = classes.iter().filter(|c| **c != Class::Read).collect();
    (mutating.len() >= MIN_NAMES && mutating.iter().all(|c| **c == Class::Destructive))
        .then_some(Blanket::MutatingAllDestructive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tools(names: &[&str]) -> Vec<Value> {
        names.iter().map(|n| json!({"name": n})).collect()
    }

    #[test]
    fn verb_last_naming_is_a_server_convention() {
        let e = crate::classify::engine();
        let azure = tools(&[
            "keyvault_key_create",
            "deploy_plan_get",
            "storage_account_list",
            "sql_db_delete",
            "monitor_metrics_query",
        ]);
        assert!(Context::of(e, &azure).verb_last);
        let github = tools(&[
            "create_issue",
            "get_file_contents",
            "list_pull_requests",
            "delete_file",
            "create_task_list",
        ]);
        assert!(!Context::of(e, &github).verb_last);
        // A product prefix before the verb is not verb-last naming, though
        // many names end in words that double as verbs (link, comment, search).
        let prefixed = tools(&[
            "jira_remove_issue_link",
            "jira_edit_comment",
            "jira_add_comment",
            "jira_search",
            "confluence_search",
            "confluence_add_label",
            "jira_create_issue_link",
        ]);
        assert!(!Context::of(e, &prefixed).verb_last);
    }

    #[test]
    fn fingerprints_tell_contexts_apart() {
        let a = Context::default();
        let b = Context {
            verb_last: true,
            ..Context::default()
        };
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), "verb-last=0,blanket=none");
    }

    #[test]
    fn blanket_labels_are_recognised() {
        let d = |n: &str, ro: bool, de: bool| json!({"name": n, "annotations": {"readOnlyHint": ro, "destructiveHint": de}});
        let e = crate::classify::engine();
        let all: Vec<Value> = ["a", "b", "c", "d"]
            .iter()
            .map(|n| d(n, false, true))
            .collect();
        assert_eq!(
            Context::of(e, &all).blanket,
            Some(Blanket::AllSame(Class::Destructive))
        );
        let mut mixed = all.clone();
        mixed.push(d("e", true, false));
        assert_eq!(
            Context::of(e, &mixed).blanket,
            Some(Blanket::MutatingAllDestructive)
        );
        mixed.push(d("f", false, false));
        assert_eq!(Context::of(e, &mixed).blanket, None);
    }
}
