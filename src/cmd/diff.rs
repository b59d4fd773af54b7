//! `mcp-risk diff`.

use std::process::ExitCode;

use crate::cli::DiffArgs;

pub fn run(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("`mcp-risk diff` is not built yet")
}
