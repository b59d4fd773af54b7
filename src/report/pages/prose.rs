//! The sentences a page says about a tool or a server, made from the verdict
//! (class, category, signals, risk, confidence) and the policy plan: never
//! written per tool. Also the attack classes a page links to, with their
//! short explainers and their OWASP ids.

use crate::classify::{Category, Class, Risk, Signal};

/// A kind of attack that a tool's access enables, with a short page of the
/// site explaining it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attack {
    CredentialTheft,
    IrreversibleLoss,
    BulkDamage,
    CodeExecution,
    FinancialFraud,
    Exfiltration,
    InfrastructureTakeover,
    IndirectInjection,
    ToolPoisoning,
    RunawayAgent,
    DataExposure,
}

/// An OWASP list entry an attack class maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owasp {
    pub id: &'static str,
    pub name: &'static str,
}

impl Owasp {
    const fn new(id: &'static str, name: &'static str) -> Owasp {
        Owasp { id, name }
    }
}

const LLM01: Owasp = Owasp::new("LLM01:2025", "Prompt Injection");
const LLM02: Owasp = Owasp::new("LLM02:2025", "Sensitive Information Disclosure");
const LLM03: Owasp = Owasp::new("LLM03:2025", "Supply Chain");
const LLM05: Owasp = Owasp::new("LLM05:2025", "Improper Output Handling");
const LLM06: Owasp = Owasp::new("LLM06:2025", "Excessive Agency");
const LLM10: Owasp = Owasp::new("LLM10:2025", "Unbounded Consumption");
const MCP01: Owasp = Owasp::new(
    "MCP01",
    "Token Mismanagement and Secret Exposure (OWASP MCP Top 10, beta)",
);
const MCP03: Owasp = Owasp::new("MCP03", "Tool Poisoning (OWASP MCP Top 10, beta)");
const MCP05: Owasp = Owasp::new(
    "MCP05",
    "Command Injection and Execution (OWASP MCP Top 10, beta)",
);

pub const ALL_ATTACKS: [Attack; 11] = [
    Attack::CredentialTheft,
    Attack::IrreversibleLoss,
    Attack::BulkDamage,
    Attack::CodeExecution,
    Attack::FinancialFraud,
    Attack::Exfiltration,
    Attack::InfrastructureTakeover,
    Attack::IndirectInjection,
    Attack::ToolPoisoning,
    Attack::RunawayAgent,
    Attack::DataExposure,
];

/// What the site says about one attack class, in one place.
struct Card {
    slug: &'static str,
    title: &'static str,
    summary: &'static str,
    explainer: [&'static str; 2],
    owasp: &'static [Owasp],
}

impl Attack {
    fn card(self) -> &'static Card {
        match self {
            Attack::CredentialTheft => &Card {
                slug: "credential-theft",
                title: "Credential theft and lock-out",
                summary: "An agent steered by injected text reads, rotates or revokes keys: secrets leak into its context, or the integrations that rely on them stop working.",
                explainer: [
                    "Tools that read, create, rotate or revoke credentials put the keys to other systems within reach of whatever steers the agent. Reading a secret copies it into the model's context, from where any later tool call or reply can carry it out. Rotating or revoking one is a denial of service: every integration still using the old key fails.",
                    "Keep credential tools out of unattended runs: approval for each call, or a tight rate limit where rotation is routine, and never a read of secrets in the same session as a tool that sends messages outside.",
                ],
                owasp: &[LLM02, LLM06, MCP01],
            },
            Attack::IrreversibleLoss => &Card {
                slug: "irreversible-loss",
                title: "Irreversible data loss",
                summary: "A mistaken or manipulated call deletes or overwrites data that no undo brings back.",
                explainer: [
                    "Delete, drop, purge and overwrite calls remove state that the tool itself cannot restore. A model acting on a misread instruction, or on text an attacker planted, does the same damage as a careless administrator, only faster.",
                    "Hide such tools from agents that do not need them; where they are needed, require a human's approval per call and keep backups outside the agent's reach.",
                ],
                owasp: &[LLM06],
            },
            Attack::BulkDamage => &Card {
                slug: "bulk-damage",
                title: "Bulk damage from one call",
                summary: "One call acts on many objects (all, recursive, wildcard), so one wrong argument does the damage of thousands of calls.",
                explainer: [
                    "Switches such as recursive, force or all, and arguments that take wildcards or lists, multiply what one call touches. The risk is not one wrong object but every object.",
                    "Deny the widening switches with an argument guard, so the tool stays usable for single objects, and rate-limit the rest.",
                ],
                owasp: &[LLM06],
            },
            Attack::CodeExecution => &Card {
                slug: "code-execution",
                title: "Arbitrary code execution",
                summary: "Text the model writes runs as code, commands or queries with the server's permissions: whoever steers the model runs what they like.",
                explainer: [
                    "A tool that runs code, shell commands or raw queries turns the model's output into instructions for the machine. Whoever can influence the model (a web page, an issue comment, a file it reads) can run what they like with the server's permissions.",
                    "Gate every call behind a human's approval, or deny the destructive statements by argument guards and run the server in a sandbox with no secrets.",
                ],
                owasp: &[LLM05, LLM06, MCP05],
            },
            Attack::FinancialFraud => &Card {
                slug: "financial-fraud",
                title: "Unauthorised payments",
                summary: "Payments, refunds or transfers made on the say-so of a prompt: money leaves and rarely comes back.",
                explainer: [
                    "Tools that pay, refund, transfer or purchase move money on the strength of a prompt. A manipulated agent can pay the wrong party, and money that has left is rarely recovered.",
                    "Require a human's approval for every call that moves money, and cap amounts where the schema allows it.",
                ],
                owasp: &[LLM06],
            },
            Attack::Exfiltration => &Card {
                slug: "exfiltration",
                title: "Exfiltration to external parties",
                summary: "Data in the agent's context is sent to people or systems outside, where it cannot be recalled.",
                explainer: [
                    "Tools that send email, chat messages, posts or requests to outside parties are the exit door for anything in the agent's context: files it read, secrets it saw, other people's data.",
                    "Rate-limit or approve outgoing messages, and avoid giving one agent both broad read access and a way to send outside.",
                ],
                owasp: &[LLM02, LLM06],
            },
            Attack::InfrastructureTakeover => &Card {
                slug: "infrastructure-takeover",
                title: "Production outage or takeover",
                summary: "Calls that change clusters, deployments, DNS or databases take a service down or hand it to someone else.",
                explainer: [
                    "Tools that change clusters, deployments, DNS records or production databases can take a service down with one call, or open it to someone else.",
                    "Keep such tools behind approval, or give the agent credentials scoped to a staging environment.",
                ],
                owasp: &[LLM06],
            },
            Attack::IndirectInjection => &Card {
                slug: "indirect-prompt-injection",
                title: "Indirect prompt injection",
                summary: "Content fetched from the open web or from other people carries instructions the model may follow as if they came from you.",
                explainer: [
                    "Tools that fetch arbitrary URLs or read content other people wrote bring untrusted text into the model's context. Instructions hidden in that text can redirect the agent's next calls.",
                    "Treat what these tools return as data, not instructions: keep them apart from tools that change things or send messages, or rate-limit the tools that could act on injected orders.",
                ],
                owasp: &[LLM01],
            },
            Attack::ToolPoisoning => &Card {
                slug: "tool-poisoning",
                title: "Tool poisoning",
                summary: "The tool's own description carries hidden instructions or text, which every agent that lists the tool reads.",
                explainer: [
                    "A tool description is text every agent reads before it calls anything. Hidden instructions, invisible characters or references to sensitive paths in that description steer the agent without the user seeing them.",
                    "Hide poisoned tools: removing them from the tool list is the only way to keep their text out of the agent's context. Review the server before trusting any of its tools.",
                ],
                owasp: &[LLM01, LLM03, MCP03],
            },
            Attack::RunawayAgent => &Card {
                slug: "runaway-agent",
                title: "Runaway agent loops",
                summary: "An agent stuck in a loop, or told to repeat a step, makes hundreds of changes a minute before anyone looks.",
                explainer: [
                    "Agents retry, loop and repeat. A tool that changes state is harmless once and harmful five hundred times a minute: duplicated records, spam, exhausted quotas.",
                    "A per-tool rate limit bounds the damage of a loop while leaving the tool usable for normal work.",
                ],
                owasp: &[LLM06, LLM10],
            },
            Attack::DataExposure => &Card {
                slug: "data-exposure",
                title: "Data exposure through the agent's context",
                summary: "What the tool returns lands in the model's context, where injected text can ask for it to be repeated elsewhere.",
                explainer: [
                    "Read tools change nothing, but what they return enters the model's context. From there, injected text can ask the agent to repeat it in a message, a commit or a URL.",
                    "Allow read tools, but keep an eye on which other tools share the session: reading is only as safe as the ways out.",
                ],
                owasp: &[LLM02],
            },
        }
    }

    pub fn slug(self) -> &'static str {
        self.card().slug
    }

    pub fn title(self) -> &'static str {
        self.card().title
    }

    /// One sentence: how this access gets abused.
    pub fn summary(self) -> &'static str {
        self.card().summary
    }

    /// The explainer page's paragraphs: what happens, and what limits it.
    pub fn explainer(self) -> [&'static str; 2] {
        self.card().explainer
    }

    /// OWASP ids this attack class maps to, where one fits.
    pub fn owasp(self) -> &'static [Owasp] {
        self.card().owasp
    }
}

/// The attack classes a tool's access enables, most severe first.
pub fn attacks(class: Class, signals: &[Signal]) -> Vec<Attack> {
    let mut out = Vec::new();
    for s in signals {
        let a = match s {
            Signal::Credentials => Attack::CredentialTheft,
            Signal::IrreversibleLoss => Attack::IrreversibleLoss,
            Signal::BulkScope => Attack::BulkDamage,
            Signal::CodeExecution => Attack::CodeExecution,
            Signal::Money => Attack::FinancialFraud,
            Signal::ExternalMessage => Attack::Exfiltration,
            Signal::ProductionInfra => Attack::InfrastructureTakeover,
            Signal::OpenWorld => Attack::IndirectInjection,
            Signal::SuspiciousDescription => Attack::ToolPoisoning,
            Signal::EmptyDescription | Signal::AnnotationMismatch => continue,
        };
        out.push(a);
    }
    match class {
        Class::Read => out.push(Attack::DataExposure),
        Class::Write | Class::Destructive => out.push(Attack::RunawayAgent),
    }
    out.sort();
    out.dedup();
    out
}

/// "What it does to your world": one or two plain sentences from class,
/// category and signals.
pub fn world(server: &str, class: Class, category: Category, signals: &[Signal]) -> Vec<String> {
    let has = |s: Signal| signals.contains(&s);
    let mut out = Vec::new();
    let lead = if has(Signal::Credentials) {
        match class {
            Class::Destructive => format!("Every call replaces or invalidates credentials on {server}: a key or token in use stops working, and every integration that relies on it breaks until it is given the new one."),
            Class::Write => format!("Every call creates credentials on {server}: each new key or token is one more secret that can leak and must be revoked some day."),
            Class::Read => format!("Every call reads credentials or secrets from {server} into the agent's context, where any later reply or tool call can carry them elsewhere."),
        }
    } else {
        match (category, class) {
            (Category::Financial, _) => format!("Every call can move money through {server}: payments, refunds or transfers that rarely come back."),
            (Category::Execute, _) => format!("Every call runs code, commands or queries that the agent writes, with {server}'s permissions."),
            (_, Class::Destructive) => format!("Every call may overwrite or remove existing state on {server}."),
            (_, Class::Write) => format!("Every call adds something new on {server} (it creates, sends or starts things) without overwriting what is there."),
            (_, Class::Read) => format!("Every call reads from {server} and changes nothing there; what it returns lands in the agent's context."),
        }
    };
    out.push(lead);
    let mut extra = Vec::new();
    if has(Signal::IrreversibleLoss) {
        extra.push("what it removes cannot be brought back by the tool");
    }
    if has(Signal::BulkScope) {
        extra.push("one call can act on many objects at once");
    }
    if has(Signal::CodeExecution) && category != Category::Execute {
        extra.push("what the agent writes runs as code, commands or queries");
    }
    if has(Signal::Money) && category != Category::Financial {
        extra.push("it moves real money");
    }
    if has(Signal::ExternalMessage) {
        extra.push("it reaches people or systems outside, and what it sends cannot be recalled");
    }
    if has(Signal::ProductionInfra) {
        extra.push(
            "it touches production infrastructure, where a wrong call can take a service down",
        );
    }
    if has(Signal::OpenWorld) {
        extra.push("it reaches the open web, and what comes back is untrusted text");
    }
    if !extra.is_empty() {
        let mut s = extra.join("; ");
        if let Some(first) = s.get(..1) {
            s = format!("{}{}.", first.to_uppercase(), &s[1..]);
        }
        out.push(s);
    }
    if has(Signal::SuspiciousDescription) {
        out.push("Its description carries hidden instructions or text: read it below with care, and do not let an agent read it unguarded.".into());
    }
    if has(Signal::EmptyDescription) {
        out.push("The authors give no description: this reading rests on the tool's name and parameters alone.".into());
    }
    if has(Signal::AnnotationMismatch) {
        out.push("The authors' own annotations say otherwise; the stricter reading is the one used here.".into());
    }
    out
}

/// What breaks when the tool is misused, for "why it needs a policy".
pub fn what_breaks(class: Class, risk: Risk, confidence: u32, declared: bool) -> String {
    let class_part = match class {
        Class::Read => "It is a read tool: it changes nothing, so the danger is what it shows, not what it does.",
        Class::Write => "It is a write tool: it adds to what exists, so misuse leaves clutter, spam or spent quotas rather than loss.",
        Class::Destructive => "It is a destructive tool: it may overwrite or remove existing state, so misuse can lose data or break what depends on it.",
    };
    let sure = match confidence {
        90.. => "mcp-risk is confident of this reading",
        70..=89 => "mcp-risk is fairly sure of this reading",
        _ => "mcp-risk is unsure of this reading (review it)",
    };
    let basis = if declared {
        "checked against the authors' declared annotations"
    } else {
        "the authors declared no annotations to check it against"
    };
    format!("{class_part} Rated {risk} risk; {sure} ({confidence}%), {basis}.")
}

/// An article ("a"/"an") for a risk or class word.
pub fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// One question and its answer.
#[derive(Clone, Debug)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// The FAQ's answers come from the verdict and the plan; the caller passes
/// the sentences it already made (what the rule achieves, the rate-limit and
/// block advice), so the FAQ says what the page says.
pub struct FaqFacts<'a> {
    pub tool: &'a str,
    pub server: &'a str,
    pub class: Class,
    pub risk: Risk,
    pub world: &'a [String],
    pub description: &'a str,
    pub rule: &'a str,
    pub rate_limit: &'a str,
    pub block: &'a str,
    pub server_tools: usize,
}

pub fn faq(f: &FaqFacts<'_>) -> Vec<Faq> {
    let mut does = f.world.join(" ");
    if !f.description.is_empty() {
        let first: String = f.description.chars().take(300).collect();
        let more = if f.description.chars().count() > 300 {
            "…"
        } else {
            ""
        };
        does = format!(
            "{does} The authors describe it as: \"{}{more}\"",
            first.trim()
        );
    }
    vec![
        Faq {
            question: format!("What does {} do?", f.tool),
            answer: does,
        },
        Faq {
            question: format!("How do I enforce a policy on {}?", f.tool),
            answer: format!("{} Put the policy.json in front of {} with the PolicyLayer gateway, or the Intercept YAML with Intercept; in Claude Code or Codex, add the entry shown for that client.", f.rule, f.server),
        },
        Faq {
            question: format!("What risk level is {}?", f.tool),
            answer: format!(
                "{} {} risk: {} {} tool. {}",
                capitalize(article(f.risk.as_str())),
                f.risk,
                article(f.class.as_str()),
                f.class,
                f.world.first().cloned().unwrap_or_default()
            ),
        },
        Faq {
            question: format!("Can I rate-limit {}?", f.tool),
            answer: f.rate_limit.to_owned(),
        },
        Faq {
            question: format!("How do I block {} completely?", f.tool),
            answer: f.block.to_owned(),
        },
        Faq {
            question: format!("Which server provides {}?", f.tool),
            answer: if f.server_tools == 1 {
                format!("The MCP server {}, whose only tool it is.", f.server)
            } else {
                format!("The MCP server {}, one of its {} tools.", f.server, f.server_tools)
            },
        },
    ]
}

pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What a whole server can do, from its tools' classes and signals.
pub fn server_world(name: &str, destructive: usize, write: usize, read: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut parts = Vec::new();
    if read > 0 {
        parts.push(format!("read ({read})"));
    }
    if write > 0 {
        parts.push(format!("add or send things ({write})"));
    }
    if destructive > 0 {
        parts.push(format!("overwrite, remove or run things ({destructive})"));
    }
    if parts.is_empty() {
        out.push(format!("{name} offers no tools."));
        return out;
    }
    out.push(format!("With {name}, an agent can {}.", parts.join(", ")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_reset_reads_as_the_reference_says() {
        let w = world(
            "Dock",
            Class::Destructive,
            Category::Destructive,
            &[Signal::Credentials],
        );
        assert!(w[0].contains("stops working"), "{w:?}");
        let a = attacks(Class::Destructive, &[Signal::Credentials]);
        assert_eq!(a, vec![Attack::CredentialTheft, Attack::RunawayAgent]);
    }

    #[test]
    fn every_attack_has_text_and_a_unique_slug() {
        let mut slugs = std::collections::BTreeSet::new();
        for a in ALL_ATTACKS {
            assert!(slugs.insert(a.slug()));
            assert!(!a.title().is_empty() && !a.summary().is_empty());
            assert!(a.explainer().iter().all(|p| !p.is_empty()));
            assert!(!a.owasp().is_empty());
        }
    }
}
