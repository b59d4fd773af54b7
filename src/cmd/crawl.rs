//! `mcp-risk crawl`.

use std::process::ExitCode;

use crate::cli::CrawlArgs;

pub fn run(args: &CrawlArgs) -> anyhow::Result<ExitCode> {
    let _ = args;
    anyhow::bail!("`mcp-risk crawl` is not built yet")
}
