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
    /// Every name opens with the same word, a word that could be a verb,
    /// and the names' verbs follow it (`protect_get_camera`,
    /// `protect_delete_liveview` on a server for a product called Protect):
    /// that word is the server's namespace, never a name's verb.
    pub namespace: bool,
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
        format!(
            "verb-last={},blanket={blanket},namespace={}",
            u8::from(self.verb_last),
            u8::from(self.namespace)
        )
    }

    /// A name's words without the server's namespace word.
    pub fn strip_namespace(&self, mut tokens: Vec<String>) -> Vec<String> {
        if self.namespace && tokens.len() >= 2 {
            tokens.remove(0);
        }
        tokens
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
        // Names of two words or more; whether they all open with the same
        // verb-like word; how many have a verb right after it.
        let (mut multi, mut same_opener, mut verb_second) = (0usize, true, 0usize);
        let mut opener = None;
        for f in tools {
            first += usize::from(f.leads);
            last += usize::from(f.ends);
            declared.extend(f.declared);
            if let Some(o) = f.opener {
                multi += 1;
                same_opener &= f.opener_verb && *opener.get_or_insert(o) == o;
                verb_second += usize::from(f.verb_second);
            }
        }
        Context {
            verb_last: last >= MIN_NAMES && last >= 2 * first,
            blanket: blanket(&declared),
            namespace: multi >= MIN_NAMES && same_opener && 2 * verb_second >= multi,
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
    /// A hash of its name's first word (names of two words or more).
    opener: Option<u64>,
    /// That first word could be a name's verb.
    opener_verb: bool,
    /// Its second word is a name's verb (`protect_get_camera`).
    verb_second: bool,
}

impl Facts {
    pub fn of(engine: &Engine, name: &str, hints: Option<&Hints>) -> Facts {
        let t = identifier_tokens(name);
        let (mut leads, mut ends) = (false, false);
        let (mut opener, mut opener_verb, mut verb_second) = (None, false, false);
        if t.len() >= 2 {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            t[0].hash(&mut h);
            opener = Some(h.finish());
            opener_verb = engine.lookup(&t[0]).is_some();
            verb_second = engine.is_name_verb(&t[1]);
            // Verb-first after a product prefix (`jira_remove_issue_link`)
            // is still verb-first: its last word is the object.
            leads = engine.is_name_verb(&t[0]) || (t.len() >= 3 && verb_second);
            ends = engine.is_name_verb(&t[t.len() - 1]);
        }
        Facts {
            leads,
            ends,
            declared: hints.and_then(declared_class),
            opener,
            opener_verb,
            verb_second,
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
    fn a_shared_verb_like_first_word_before_the_verbs_is_a_namespace() {
        let e = crate::classify::engine();
        let protect = tools(&[
            "protect_get_camera",
            "protect_list_cameras",
            "protect_delete_liveview",
            "protect_create_liveview",
            "protect_camera_snapshot",
        ]);
        let ctx = Context::of(e, &protect);
        assert!(ctx.namespace);
        let words = |n: &str| ctx.strip_namespace(identifier_tokens(n));
        assert_eq!(words("protect_get_camera"), ["get", "camera"]);
        assert_eq!(words("protect"), ["protect"]);
        // Every name opens with a verb that is the tools' own verb: no
        // verb follows it, so it is no namespace.
        let charts = tools(&[
            "generate_line_chart",
            "generate_bar_chart",
            "generate_pie_chart",
            "generate_area_chart",
        ]);
        assert!(!Context::of(e, &charts).namespace);
        // A shared first word that is no verb is left to the name rules.
        let jira = tools(&[
            "jira_get_issue",
            "jira_create_issue",
            "jira_delete_issue",
            "jira_search",
        ]);
        assert!(!Context::of(e, &jira).namespace);
        // Names that open with different words have no namespace.
        let mixed = tools(&[
            "protect_get_camera",
            "protect_list_cameras",
            "update_camera",
            "protect_delete_liveview",
            "protect_create_liveview",
        ]);
        assert!(!Context::of(e, &mixed).namespace);
    }

    #[test]
    fn fingerprints_tell_contexts_apart() {
        let a = Context::default();
        let b = Context {
            verb_last: true,
            ..Context::default()
        };
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), "verb-last=0,blanket=none,namespace=0");
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
