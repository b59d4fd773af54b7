//! `mcp-risk probe`.

use std::process::ExitCode;

use crate::cli::ProbeArgs;

pub fn run(args: &ProbeArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("`mcp-risk probe` is not built yet")
}
