//! `mcp-risk classify`.

use std::process::ExitCode;

use crate::cli::ClassifyArgs;

pub fn run(args: &ClassifyArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("`mcp-risk classify` is not built yet")
}
