//! Classification: rules as data (`rules/*.toml`) applied by one engine,
//! producing one [`verdict::Verdict`] per tool.

pub mod verdict;

pub use verdict::{Category, Class, Risk, Signal, Verdict};

use serde_json::Value;

use crate::tool::ToolDef;

/// How to classify.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Classify blind: do not let declared annotations raise the class.
    pub ignore_annotations: bool,
}

/// Classifies the tools of one server, in the order given.
///
/// INTERIM (replaced by the rules engine): trusts declared annotations and
/// otherwise calls a tool Write/Medium with low confidence.
pub fn classify_tools(tools: &[Value], opts: &Options) -> Vec<Verdict> {
    tools
        .iter()
        .map(|raw| {
            let def = ToolDef::from_value(raw);
            let declared = if opts.ignore_annotations {
                None
            } else {
                def.declared.clone()
            };
            let class = match &declared {
                Some(h) if h.read_only == Some(true) => Class::Read,
                Some(h) if h.destructive == Some(true) => Class::Destructive,
                _ => Class::Write,
            };
            let (risk, category) = match class {
                Class::Read => (Risk::Low, Category::Read),
                Class::Write => (Risk::Medium, Category::Write),
                Class::Destructive => (Risk::High, Category::Destructive),
            };
            Verdict {
                name: def.name.clone(),
                class,
                risk,
                category,
                confidence: 0.3,
                hints: Verdict::hints_for(class),
                declared: def.declared.clone(),
                signals: Vec::new(),
                rationale: "interim classifier".into(),
                evidence: Vec::new(),
                args: Default::default(),
            }
        })
        .collect()
}
