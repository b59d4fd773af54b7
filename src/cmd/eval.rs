//! `mcp-risk eval`.

use std::process::ExitCode;

use crate::cli::EvalArgs;

pub fn run(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("`mcp-risk eval` is not built yet")
}
