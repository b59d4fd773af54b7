//! `mcp-risk merge OUT IN...`: joins crawl databases (one per shard of a
//! `crawl --shard i/N`, or one per machine) into OUT, then prints what OUT
//! holds. The work is [`crate::store::merge::merge`].

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::MergeArgs;
use crate::exit;
use crate::store::merge::{self, Counts, Step};

pub fn run(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    // One tick per database read and per table written.
    let steps = args.inputs.len() + merge::WRITTEN_TABLES;
    let bar = ProgressBar::with_draw_target(Some(steps as u64), target);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} merging [{bar:30}] {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let exists = args.out.exists();
    if exists {
        bar.inc_length(1);
    }
    let report = merge::merge(&args.out, &args.inputs, |step| {
        match step {
            Step::Reading { path, i, n } => {
                bar.set_message(format!("reading {} ({i}/{n})", path.display()))
            }
            Step::Writing(what) => bar.set_message(format!("writing {what}")),
        }
        bar.inc(1);
    });
    bar.finish_and_clear();
    let report = report?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "merged {} database(s) into {}{}",
        args.inputs.len(),
        args.out.display(),
        if exists { " (which existed)" } else { "" }
    )?;
    writeln!(out)?;
    writeln!(out, "{:<16} {:>10} {:>10}", "", "before", "after")?;
    let row = |out: &mut dyn Write, name: &str, f: fn(&Counts) -> u64| {
        writeln!(
            out,
            "{:<16} {:>10} {:>10}",
            name,
            f(&report.before),
            f(&report.after)
        )
    };
    row(&mut out, "servers", |c| c.servers)?;
    row(&mut out, "runs", |c| c.runs)?;
    row(&mut out, "attempts", |c| c.attempts)?;
    row(&mut out, "tool versions", |c| c.tools)?;
    row(&mut out, "verdicts", |c| c.classifications)?;
    writeln!(out)?;
    writeln!(
        out,
        "next: mcp-risk policy --all --db {0}; mcp-risk pages --db {0}",
        args.out.display()
    )?;
    Ok(exit::code(exit::OK))
}
