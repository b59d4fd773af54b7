//! The one `Verdict` type that leaves the engine. Every renderer (terminal,
//! JSON, SARIF, policy, pages) consumes it; none re-derives a risk.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::tool::Hints;

/// What a tool can do to its environment (MCP annotation vocabulary).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Does not change its environment.
    Read,
    /// Changes its environment only additively.
    Write,
    /// May overwrite or remove existing state, or run arbitrary code.
    Destructive,
}

/// Blast radius if an agent misuses the tool.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
}

/// PolicyLayer-compatible category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Read,
    Write,
    Execute,
    Destructive,
    Financial,
}

/// A fact about the tool that raises its risk or lowers trust in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Deletes, drops, purges: loss that cannot be undone.
    IrreversibleLoss,
    /// Acts on many objects at once (all, bulk, recursive, wildcard).
    BulkScope,
    /// Reads, creates, rotates or revokes credentials or secrets.
    Credentials,
    /// Runs arbitrary code, commands, scripts or queries.
    CodeExecution,
    /// Moves money: payments, refunds, transfers, purchases.
    Money,
    /// Sends messages to people or systems outside (email, chat, posts).
    ExternalMessage,
    /// Touches production infrastructure (clusters, deployments, DNS, databases).
    ProductionInfra,
    /// Reaches the open world (arbitrary URLs, the web).
    OpenWorld,
    /// The description hides instructions, hidden Unicode or sensitive paths.
    SuspiciousDescription,
    /// The description is empty: the verdict rests on the name alone.
    EmptyDescription,
    /// Declared annotations disagree with the inferred class.
    AnnotationMismatch,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Read => "read",
            Class::Write => "write",
            Class::Destructive => "destructive",
        }
    }
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
            Risk::Critical => "critical",
        }
    }
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Read => "read",
            Category::Write => "write",
            Category::Execute => "execute",
            Category::Destructive => "destructive",
            Category::Financial => "financial",
        }
    }
}

impl Signal {
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::IrreversibleLoss => "irreversible_loss",
            Signal::BulkScope => "bulk_scope",
            Signal::Credentials => "credentials",
            Signal::CodeExecution => "code_execution",
            Signal::Money => "money",
            Signal::ExternalMessage => "external_message",
            Signal::ProductionInfra => "production_infra",
            Signal::OpenWorld => "open_world",
            Signal::SuspiciousDescription => "suspicious_description",
            Signal::EmptyDescription => "empty_description",
            Signal::AnnotationMismatch => "annotation_mismatch",
        }
    }
}

macro_rules! display_via_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_via_as_str!(Class, Risk, Category, Signal);

/// A quoted piece of the tool that a rule matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The rule id (kebab-case, stable).
    pub rule: String,
    /// Where the text came from: `name`, `title`, `description`,
    /// `inputSchema.properties.<param>`, `inputSchema.properties.<param>.enum`, ...
    pub field: String,
    /// The quoted text (short; tool text, so renderers must escape it).
    pub text: String,
}

/// One value of a multi-operation parameter and how it classifies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationValue {
    pub value: String,
    pub class: Class,
    pub risk: Risk,
}

/// A parameter whose enum selects the operation (`operation`, `action`, `method`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationParam {
    /// Parameter name as in the schema (dotted when nested).
    pub param: String,
    pub values: Vec<OperationValue>,
}

impl OperationParam {
    /// The values that classify destructive: what a policy guards against.
    pub fn destructive_values(&self) -> Vec<&str> {
        self.values
            .iter()
            .filter(|v| v.class == Class::Destructive)
            .map(|v| v.value.as_str())
            .collect()
    }
}

/// Facts about the tool's arguments that let a policy be narrower than
/// all-or-nothing. Not part of the frozen v1 JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArgFacts {
    /// Operation selectors and how each value classifies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<OperationParam>,
    /// Boolean switches that widen the damage (`force`, `recursive`, `purge`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub switches: Vec<String>,
    /// Parameters that carry raw SQL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sql: Vec<String>,
    /// Parameters that carry a raw shell command or script.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shell: Vec<String>,
}

impl ArgFacts {
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
            && self.switches.is_empty()
            && self.sql.is_empty()
            && self.shell.is_empty()
    }
}

/// The classification of one tool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub name: String,
    pub class: Class,
    pub risk: Risk,
    pub category: Category,
    /// 0..1: how sure the engine is of `class`.
    pub confidence: f32,
    /// The MCP hints implied by `class` (what a gateway could fill in).
    pub hints: Hints,
    /// The annotations the server's authors declared, or `None`.
    pub declared: Option<Hints>,
    /// Sorted, unique.
    pub signals: Vec<Signal>,
    /// One or two sentences a reviewer can read.
    pub rationale: String,
    pub evidence: Vec<Evidence>,
    /// Argument facts for policy guards (internal; not in v1 JSON).
    #[serde(default, skip_serializing_if = "ArgFacts::is_empty")]
    pub args: ArgFacts,
    /// The id of the rule that decided the class (the last to raise it), or
    /// `None` when nothing did (an unknown tool, classed write). Not in v1 JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
}

impl Verdict {
    /// A verdict written by hand (tests, examples, other front ends): no
    /// evidence, no argument facts, confidence 0.9, and a one-line rationale.
    pub fn manual(
        name: &str,
        class: Class,
        risk: Risk,
        category: Category,
        signals: &[Signal],
    ) -> Verdict {
        Verdict {
            name: name.into(),
            class,
            risk,
            category,
            confidence: 0.9,
            hints: Verdict::hints_for(class),
            declared: None,
            signals: signals.to_vec(),
            rationale: format!("{name} is {class} with {risk} risk."),
            evidence: Vec::new(),
            args: ArgFacts::default(),
            decided_by: None,
        }
    }

    /// The MCP hints a class implies (readOnly / destructive).
    pub fn hints_for(class: Class) -> Hints {
        match class {
            Class::Read => Hints {
                read_only: Some(true),
                ..Hints::default()
            },
            Class::Write => Hints {
                read_only: Some(false),
                destructive: Some(false),
                ..Hints::default()
            },
            Class::Destructive => Hints {
                read_only: Some(false),
                destructive: Some(true),
                ..Hints::default()
            },
        }
    }

    pub fn has(&self, s: Signal) -> bool {
        self.signals.contains(&s)
    }
}
