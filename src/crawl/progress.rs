//! The crawl's progress display on stderr: an install bar (n/total and the
//! package being installed) when there are packages to install, a probe bar
//! (n/total and a tally by status), and a spinner per server being probed.
//! Hidden when stderr is not a terminal (or not asked for); asked for with
//! stderr not a terminal (a CI log, a file), each server's outcome is one
//! plain line there instead, as it finishes.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::mcp::Status;
use crate::text::terminal_safe;

pub(super) struct Progress {
    multi: MultiProgress,
    installs: Option<ProgressBar>,
    overall: ProgressBar,
    counts: Mutex<BTreeMap<Status, u64>>,
    /// One plain line per finished server on stderr (no bars drawn).
    plain: Option<u64>,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Progress {
    /// `total` servers, of which `installs` have a package to install.
    pub(super) fn new(total: u64, installs: u64, visible: bool) -> Progress {
        let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let target = if visible && tty {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let plain = (visible && !tty).then_some(total);
        let multi = MultiProgress::with_draw_target(target);
        let installs = (installs > 0).then(|| {
            let bar = multi.add(ProgressBar::new(installs));
            bar.set_style(style(
                "{elapsed_precise} installs [{bar:30}] {pos}/{len} {wide_msg}",
            ));
            bar
        });
        let overall = multi.add(ProgressBar::new(total));
        overall.set_style(style(
            "{elapsed_precise} probes   [{bar:30}] {pos}/{len} {wide_msg}",
        ));
        Progress {
            multi,
            installs,
            overall,
            counts: Mutex::new(BTreeMap::new()),
            plain,
        }
    }

    /// A package install starts.
    pub(super) fn installing(&self, name: &str) {
        if let Some(bar) = &self.installs {
            bar.set_message(terminal_safe(name));
        }
    }

    /// A package install ended (either way).
    pub(super) fn installed(&self) {
        if let Some(bar) = &self.installs {
            bar.inc(1);
        }
    }

    pub(super) fn spinner(&self, name: &str) -> ProgressBar {
        let sp = self.multi.add(ProgressBar::new_spinner());
        sp.set_message(format!("probing {}", terminal_safe(name)));
        sp.enable_steady_tick(Duration::from_millis(120));
        sp
    }

    pub(super) fn remove(&self, sp: &ProgressBar) {
        sp.finish_and_clear();
        self.multi.remove(sp);
    }

    /// A server is done: `tools` listed, or why not (`detail`).
    pub(super) fn done(&self, name: &str, status: Status, tools: usize, detail: Option<&str>) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        *c.entry(status).or_default() += 1;
        if let Some(total) = self.plain {
            let n: u64 = c.values().sum();
            let what = match (status, detail) {
                (Status::Ok, _) => format!("{tools} tools"),
                (_, Some(d)) => terminal_safe(d.lines().next().unwrap_or("")),
                (_, None) => String::new(),
            };
            eprintln!(
                "[{n}/{total}] {}: {status}{}{what}",
                terminal_safe(name),
                if what.is_empty() { "" } else { ", " }
            );
        }
        let msg = c
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(" · ");
        self.overall.set_message(msg);
        self.overall.inc(1);
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.installs {
            bar.finish_and_clear();
        }
        self.overall.finish_and_clear();
    }
}
