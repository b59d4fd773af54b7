//! mcp-risk: crawls MCP servers, stores their tool definitions, classifies every
//! tool Read / Write / Destructive with a risk level, and emits policies and pages.
//!
//! The pipeline (see `../shared/docs/ARCHITECTURE.md`):
//! registry sources → probe (MCP client) → store (SQLite) → classify → policy / report.
//! Each stage has typed inputs and outputs; only the store joins crawling to
//! classifying, and [`pipeline`] runs the report half (classify the store
//! once, drift, the pages' data) for the commands.

pub mod classify;
pub mod cli;
pub mod cmd;
pub mod crawl;
pub mod exit;
pub mod input;
pub mod interrupt;
pub mod mcp;
pub mod pipeline;
pub mod policy;
pub mod registry;
pub mod report;
pub mod sandbox;
pub mod store;
pub mod text;
pub mod tool;
