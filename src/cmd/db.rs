//! Reading servers' tools out of the store for commands that take `--db`
//! (`classify --server`, `policy --server/--all`, `pages --db`).
//!
//! The store keeps every definition verbatim; these helpers turn the last ok
//! crawl of each server into the same [`ServerTools`] that `--input` gives, so
//! every command renders one way whatever the source.

use std::path::Path;

use anyhow::{bail, Context as _};

use crate::input::ServerTools;
use crate::store::Store;

/// Opens an existing database; a missing file is an error that says how to make one.
pub fn open_existing(path: &Path) -> anyhow::Result<Store> {
    if !path.is_file() {
        bail!(
            "no database at {}: run `mcp-risk scan` or `mcp-risk crawl --db {} SOURCE...` first, or pass --db PATH",
            path.display(),
            path.display()
        );
    }
    Store::open(path).with_context(|| format!("opening {}", path.display()))
}

/// The tools of one server's last ok crawl. A server that was never reached is
/// an error naming its last status, so the user knows why there is nothing.
pub fn one_server(store: &Store, name: &str) -> anyhow::Result<ServerTools> {
    let rows = store.servers()?;
    let Some(row) = rows.iter().find(|r| r.name == name) else {
        let mut known: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        known.truncate(20);
        bail!(
            "no server named {name:?} in {} (known: {}{})",
            store.path().display(),
            known.join(", "),
            if rows.len() > known.len() {
                ", ..."
            } else {
                ""
            }
        );
    };
    let tools = store.latest_tools(name)?;
    if tools.is_empty() && row.tool_count == 0 && row.last_status.as_deref() != Some("ok") {
        bail!(
            "server {name:?} has no successful crawl (last status: {}); see `mcp-risk crawl` and its summary",
            row.last_status.as_deref().unwrap_or("never tried")
        );
    }
    Ok(ServerTools {
        server: name.to_owned(),
        tools,
        origin: store.path().to_owned(),
    })
}
