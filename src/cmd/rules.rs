//! `mcp-risk rules`.

use std::process::ExitCode;

use crate::cli::RulesArgs;

pub fn run(args: &RulesArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("`mcp-risk rules` is not built yet")
}
