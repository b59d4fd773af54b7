//! Classification: rules as data (`rules/*.toml`) applied by one engine,
//! producing one [`verdict::Verdict`] per tool.
//!
//! The catalogue is embedded in the binary and compiled once per process
//! (a `OnceLock`); `MCP_RISK_RULES=<dir>` swaps in a directory of `*.toml`.

pub mod collect;
pub mod context;
pub mod decide;
pub mod engine;
pub mod explain;
pub mod grade;
pub mod normalize;
pub mod prose;
pub mod rules;
mod setmatch;
mod verbs;
pub mod verdict;
pub mod view;

pub use verdict::{Category, Class, Risk, Signal, Verdict};

use std::sync::OnceLock;

use rayon::prelude::*;
use serde_json::Value;

use engine::Engine;

/// How to classify.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Classify blind: do not let declared annotations raise the class.
    pub ignore_annotations: bool,
}

/// Why the catalogue could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    #[error(transparent)]
    Rules(#[from] rules::RuleError),
    #[error("a rule pattern does not compile: {0}")]
    Regex(#[from] regex::Error),
}

static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();

fn build() -> Result<Engine, ClassifyError> {
    let files = match std::env::var_os("MCP_RISK_RULES") {
        Some(dir) if !dir.is_empty() => rules::dir_files(std::path::Path::new(&dir))?,
        _ => rules::embedded_files(),
    };
    let cat = rules::load_from(&files)?;
    // A pattern that parses may still not compile (past a size limit): say
    // which rule it is when one alone does not.
    Engine::new(cat).map_err(|e| match rules::locate_compile_error(&files) {
        Some(located) => located.into(),
        None => e.into(),
    })
}

/// The process-wide engine; an error means the catalogue (embedded or
/// `MCP_RISK_RULES`) is invalid, and the message says where.
pub fn try_engine() -> Result<&'static Engine, String> {
    ENGINE
        .get_or_init(|| build().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// The engine, panicking on an invalid catalogue. The embedded catalogue is
/// checked by tests; `cli::main` calls [`try_engine`] before every command
/// that classifies, so a broken `MCP_RISK_RULES` directory is an error
/// message, not a panic.
pub fn engine() -> &'static Engine {
    match try_engine() {
        Ok(e) => e,
        Err(msg) => panic!("invalid rule catalogue: {msg}"),
    }
}

/// sha256 of the catalogue text (file names and contents): recorded with
/// every stored classification so re-runs know when rules changed.
pub fn ruleset_hash() -> &'static str {
    &engine().catalogue.hash
}

/// Classifies the tools of one server, in the order given (in parallel),
/// each in the context of all of them (`context.rs`).
pub fn classify_tools(tools: &[Value], opts: &Options) -> Vec<Verdict> {
    let e = engine();
    let ctx = context::Context::of(e, tools);
    if tools.len() < 64 {
        return tools
            .iter()
            .map(|t| e.classify_in(t, opts.ignore_annotations, &ctx))
            .collect();
    }
    tools
        .par_iter()
        .map(|t| e.classify_in(t, opts.ignore_annotations, &ctx))
        .collect()
}
