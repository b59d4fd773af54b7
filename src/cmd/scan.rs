//! `mcp-risk scan`.

use std::process::ExitCode;

use crate::cli::ScanArgs;

pub fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("`mcp-risk scan` is not built yet")
}
