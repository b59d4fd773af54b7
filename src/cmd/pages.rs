//! `mcp-risk pages`: classify, write the recommended policies, and render the
//! static site (or Markdown) from `--input` files or from the store.
//!
//! The renderer takes plain data ([`pages::SiteInput`]); this command's only job
//! is to produce it, through the pipeline: [`pipeline::server_input`] for
//! `--input` files, [`pipeline::classify_store`] and [`pipeline::site_of`]
//! (verdicts cached, changes since the previous crawl) for `--db`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::{PagesArgs, PagesFormat};
use crate::exit;
use crate::pipeline;
use crate::report::pages::{self, Format, SiteInput};

pub fn run(args: &PagesArgs) -> anyhow::Result<ExitCode> {
    let mut skipped = 0;
    let site = match (&args.input, &args.db) {
        (Some(input), _) => {
            let loaded = crate::input::load_all(input, args.strict)?;
            skipped = loaded.skipped.len();
            site_from_input(loaded.servers)
        }
        (None, Some(db)) => site_from_db(db)?,
        (None, None) => crate::usage!(
            "say what to render: --input PATH (a tools/list file or a directory of them) \
             or --db PATH (a database written by `mcp-risk crawl`)"
        ),
    };
    let format = match args.format {
        PagesFormat::Html => Format::Html,
        PagesFormat::Md => Format::Markdown,
    };
    let opts = pages::Options {
        base_url: match &args.base_url {
            Some(u) => Some(pages::base_url(u).map_err(|e| anyhow::anyhow!("--base-url {e}"))?),
            None => None,
        },
    };
    let written = pages::render_owned(site, format, &args.out, &opts)
        .with_context(|| format!("rendering pages into {}", args.out.display()))?;
    let entry = match format {
        Format::Html => "index.html",
        Format::Markdown => "index.md",
    };
    eprintln!(
        "wrote {} files ({} servers, {} tools): site {}, index {}{}; open {}",
        written.files,
        written.servers,
        written.tools,
        size(written.bytes),
        size(written.index_bytes),
        match written.removed {
            0 => String::new(),
            1 => "; removed 1 page of the previous run not written again".to_owned(),
            n => format!("; removed {n} pages of the previous run not written again"),
        },
        args.out.join(entry).display()
    );
    if written.unrecorded {
        eprintln!(
            "note: {} held files and no {} (the list of what mcp-risk wrote there), so none was removed: \
             pages of servers or tools that went away may remain; later runs remove only pages this one listed",
            args.out.display(),
            pages::MANIFEST
        );
    }
    Ok(exit::code(if skipped > 0 {
        exit::INPUT_SKIPPED
    } else {
        exit::OK
    }))
}

/// Every server of an `--input` file or directory, each verdict carrying
/// what reading its tool took (`input-*` evidence), as `classify` shows it.
fn site_from_input(servers: Vec<crate::input::ServerTools>) -> SiteInput {
    SiteInput {
        servers: servers
            .into_iter()
            .map(|s| {
                let mut verdicts =
                    crate::classify::classify_tools(&s.tools, &crate::classify::Options::default());
                super::classify::apply_tool_notes(&mut verdicts, &s.notes);
                pipeline::server_input_with(s.server, s.tools, verdicts, None)
            })
            .collect(),
    }
}

/// Every server of the store with a successful crawl: its latest tools and
/// what changed since the crawl before.
fn site_from_db(db: &Path) -> anyhow::Result<SiteInput> {
    let store = super::db::open_existing(db)?;
    let reports = pipeline::classify_store(&store)?;
    Ok(pipeline::site_of(&reports))
}

/// A size for people: MB from a megabyte, else KB, else bytes.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.0} KB", b as f64 / 1e3),
        b => format!("{b} bytes"),
    }
}
