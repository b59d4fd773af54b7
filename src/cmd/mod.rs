//! One module per subcommand: turns parsed arguments into pipeline calls and
//! output. Keep the real work in the pipeline modules.

pub mod classify;
pub mod crawl;
pub mod db;
pub mod diff;
pub mod emit;
pub mod eval;
pub mod live;
pub mod merge;
pub mod pages;
pub mod policy;
pub mod probe;
pub mod registry;
pub mod rules;
pub mod scan;
pub mod servers;

/// A tokio runtime for commands that do network or process I/O. Every
/// command that launches servers builds one, so this is also where SIGINT
/// and SIGTERM handling starts (see [`crate::interrupt`]): the servers are
/// killed and the command exits 130 or 143.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    crate::interrupt::install();
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
