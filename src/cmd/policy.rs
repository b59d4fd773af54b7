//! `mcp-risk policy`.

use std::process::ExitCode;

use crate::cli::PolicyArgs;

pub fn run(args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("`mcp-risk policy` is not built yet")
}
