//! `mcp-risk pages`.

use std::process::ExitCode;

use crate::cli::PagesArgs;

pub fn run(args: &PagesArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("`mcp-risk pages` is not built yet")
}
