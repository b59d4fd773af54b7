//! `classify --input --format json`, streamed: the document is written file
//! by file as each is classified, so a 224k-tool catalogue needs little more
//! memory than its text and its output. The command keeps the arguments and
//! the exit code.
//!
//! Each file's text is split into borrowed raw tools by a bracket scanner
//! while, in parallel, each split batch's names and declared hints are read
//! for the server's [`Context`]; then the raw tools are classified
//! ([`tolerant::classify_unchecked`], which checks each is JSON as it reads
//! it) and serialised in small parallel batches, and the file is written in
//! order. A file of another shape, or with a tool that is not JSON, takes
//! the streaming parse ([`crate::input::stream_tools`]) instead, which gives
//! the same tools or the file's error. Only the raw tools' places and the
//! serialised verdicts are held, not parsed views (224k views would take
//! gigabytes). The bytes are those of the v1 writer ([`crate::report::json`]).
//!
//! Files go through a pipeline ([`write_json`]): up to four of them are
//! read, split and classified at once on the pool, and a writer thread
//! writes them in file order, so no file's serial part leaves a core idle.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::classify::context::{Context, Facts};
use crate::classify::engine::Engine;
use crate::classify::Risk;
use crate::input::{tolerant, ws, Head, InputError, ToolNote};
use crate::tool::Hints;

/// What a streamed document came to.
#[derive(Debug, Default)]
pub struct Summary {
    /// The worst risk and the first tool (in output order) that has it.
    pub worst: Option<(Risk, String)>,
    /// Input files left out (a directory without `--strict`).
    pub skipped: usize,
}

/// Writes `{"schema_version":1,"servers":[..]}` for `files` to `out`.
/// `out` holds a valid document or nothing: nothing is written before the
/// first file parses, and an error after that still closes the document (the
/// error is returned). A file that does not parse is skipped with a warning
/// when `skip_bad` (a directory without `--strict`), else it is the error.
///
/// The work runs as a pipeline: a thread drives the classification on the
/// pool, reading and splitting the next file while this one's tools are
/// classified, and hands the serialised batches over in order; this thread
/// only writes them (and the warnings, in file order). So neither the serial
/// part of reading a file (its bracket scan) nor writing the output leaves a
/// core idle.
pub fn write_json<W: Write>(
    out: &mut W,
    files: &[PathBuf],
    skip_bad: bool,
    ignore_annotations: bool,
) -> (Summary, anyhow::Result<()>) {
    let mut summary = Summary::default();
    let mut started = false;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Piece>(2 * WINDOW / BATCH);
    // Written batches' buffers, handed back for reuse (fresh pages cost
    // page faults).
    let spare = Spare::default();
    let result = std::thread::scope(|s| {
        let spare = &spare;
        s.spawn(move || drive(files, ignore_annotations, &tx, spare));
        let result = write_pieces(out, files, &rx, spare, skip_bad, &mut summary, &mut started);
        // Dropping the receiver stops the driver at its next piece.
        drop(rx);
        result
    });
    if started {
        // An error after output began: close the document so the output
        // stays valid JSON (the error itself is returned).
        let _ = out.write_all(b"]}\n");
    }
    (summary, result)
}

/// Output buffers written and free to reuse.
type Spare = std::sync::Mutex<Vec<Vec<u8>>>;

/// What the driver hands the writer, in output order.
enum Piece {
    /// A file's tools are all known to be JSON: its output begins.
    Begin(usize),
    /// The next batch of the current file.
    Batch(Classified),
    /// The current file is done.
    End,
    /// A file that is not a tool list (nothing of it was handed over).
    Bad(InputError),
}

/// The writer's side of [`write_json`]: writes the pieces as they come,
/// sends each written batch's buffer back for reuse, and returns the first
/// error (a bad file when not `skip_bad`, or a write error).
fn write_pieces<W: Write>(
    out: &mut W,
    files: &[PathBuf],
    rx: &std::sync::mpsc::Receiver<Piece>,
    spare: &Spare,
    skip_bad: bool,
    summary: &mut Summary,
    started: &mut bool,
) -> anyhow::Result<()> {
    let (mut written, mut i) = (0, 0);
    let (mut notes, mut labels) = (Vec::new(), Vec::new());
    let mut file = None;
    let begin = |out: &mut W, started: &mut bool| -> std::io::Result<()> {
        if !*started {
            *started = true;
            out.write_all(b"{\"schema_version\":1,\"servers\":[")?;
        }
        Ok(())
    };
    for piece in rx {
        match piece {
            Piece::Begin(k) => {
                begin(out, started)?;
                if written > 0 {
                    out.write_all(b",")?;
                }
                written += 1;
                out.write_all(b"{\"server\":")?;
                serde_json::to_writer(&mut *out, &crate::input::server_name(&files[k]))?;
                out.write_all(b",\"tools\":[")?;
                file = Some(k);
                i = 0;
            }
            Piece::Batch(c) => {
                if let Some((r, name)) = c.worst {
                    if summary.worst.as_ref().is_none_or(|(w, _)| r > *w) {
                        summary.worst = Some((r, name));
                    }
                }
                if i > 0 {
                    out.write_all(b",")?;
                }
                i += 1;
                out.write_all(&c.buf)?;
                for (label, note) in c.notes {
                    labels.push(label);
                    notes.push(note);
                }
                spare.lock().unwrap_or_else(|e| e.into_inner()).push(c.buf);
            }
            Piece::End => {
                out.write_all(b"]}")?;
                let f = &files[file.take().expect("a file began")];
                crate::input::warn_notes(f, &notes, |i| {
                    let k = notes.iter().position(|n| n.index == i).unwrap_or(0);
                    labels.get(k).cloned().unwrap_or_else(|| format!("#{i}"))
                });
                notes.clear();
                labels.clear();
            }
            Piece::Bad(err) => {
                if skip_bad {
                    crate::input::warn_skipped(&err);
                    summary.skipped += 1;
                } else {
                    return Err(err.into());
                }
            }
        }
    }
    begin(out, started)?;
    out.write_all(b"]}\n")?;
    *started = false;
    Ok(())
}
/// The driver's side of [`write_json`]: up to [`AHEAD`] files are read,
/// split and classified at once on the pool ([`prepare`]), so one file's
/// last batches, or its serial bracket scan, never leave a core idle; their
/// pieces are handed to the writer in file order ([`hand_over`]). Stops when
/// the writer has gone.
fn drive(files: &[PathBuf], ignore: bool, tx: &std::sync::mpsc::SyncSender<Piece>, spare: &Spare) {
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
    let engine = crate::classify::engine();
    let stop = AtomicBool::new(false);
    rayon::in_place_scope(|s| {
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let stop = &stop;
        let spawn = |k: usize| {
            let done_tx = done_tx.clone();
            s.spawn(move |_| {
                if !stop.load(Relaxed) {
                    let _ = done_tx.send((k, prepare(engine, &files[k], ignore, spare)));
                }
            });
        };
        let mut spawned = files.len().min(AHEAD);
        (0..spawned).for_each(spawn);
        let mut early = std::collections::BTreeMap::new();
        for k in 0..files.len() {
            let done = loop {
                if let Some(d) = early.remove(&k) {
                    break d;
                }
                let Ok((j, d)) = done_rx.recv() else { return };
                early.insert(j, d);
            };
            if spawned < files.len() {
                spawn(spawned);
                spawned += 1;
            }
            if !hand_over(engine, k, done, ignore, tx, spare) {
                stop.store(true, Relaxed);
                return;
            }
        }
    });
}

/// Files worked on at once (each holds its output until its turn).
const AHEAD: usize = 4;

/// A file read, checked as UTF-8 and split into its raw tools (as places in
/// its text, so it can be held while the files before it are written),
/// with its server's context.
struct Ready {
    text: crate::input::Text,
    /// Each raw tool's place, and whether it is plain ([`Raw`]).
    spans: Vec<(usize, usize, bool)>,
    ctx: Context,
}

/// Where each of `raws` sits in `text` (and whether it is plain).
fn spans(text: &str, raws: &[Raw<'_>]) -> Vec<(usize, usize, bool)> {
    let base = text.as_ptr() as usize;
    raws.iter()
        .map(|&(r, plain)| {
            let at = r.as_ptr() as usize - base;
            (at, at + r.len(), plain)
        })
        .collect()
}

/// `n` output buffers, written ones where there are.
fn take_spare(spare: &Spare, n: usize) -> Vec<Vec<u8>> {
    let mut spare = spare.lock().unwrap_or_else(|e| e.into_inner());
    (0..n).map(|_| spare.pop().unwrap_or_default()).collect()
}

/// What a file comes to before its turn to be written.
enum Prepared {
    /// Every tool classified (and so checked), its output held.
    Held(Vec<Classified>),
    /// More than [`HOLD`] tools, every one checked as JSON: classified and
    /// written window by window when its turn comes.
    Large(Ready),
}

/// A file read, split and classified (or, a large one, checked).
fn prepare(engine: &Engine, f: &Path, ignore: bool, spare: &Spare) -> Result<Prepared, InputError> {
    let text = crate::input::Bytes::open(f)?.into_text(f)?;
    match classify_text(engine, text.as_str(), f, ignore, spare)? {
        Ok(cs) => {
            drop_later(text);
            Ok(Prepared::Held(cs))
        }
        Err((spans, ctx)) => Ok(Prepared::Large(Ready { text, spans, ctx })),
    }
}

/// [`prepare`] of a file's text: its tools classified, or, more than
/// [`HOLD`] of them, their places and their context.
#[allow(clippy::type_complexity)]
fn classify_text(
    engine: &Engine,
    t: &str,
    f: &Path,
    ignore: bool,
    spare: &Spare,
) -> Result<Result<Vec<Classified>, (Vec<(usize, usize, bool)>, Context)>, InputError> {
    let split = split_file(engine, t, f, HOLD)?;
    let bufs = |n: usize| take_spare(spare, n);
    let (raws, ctx) = if split.checked {
        (split.raws, split.ctx)
    } else {
        match classify_split(engine, split, t, f, ignore, &bufs)? {
            Classifying::Held(cs) => return Ok(Ok(cs)),
            Classifying::Checked(raws, ctx) => (raws, ctx),
        }
    };
    if raws.len() <= HOLD {
        let n = raws.len().div_ceil(BATCH);
        let cs = classify_all(engine, &raws, 0, &ctx, ignore, true, bufs(n));
        return Ok(Ok(cs.expect("checked tools are JSON")));
    }
    Ok(Err((spans(t, &raws), ctx)))
}

/// Texts from this long are dropped on a thread of their own.
const DROP_APART_FROM: usize = 64 << 20;

/// Drops a file's text once its tools are classified, on a thread of its
/// own when it is large: unmapping the 424 MB of a 224k-tool catalogue
/// takes tens of milliseconds of one core, which the writer, with the
/// whole output still to write, would otherwise wait for. (Were no thread
/// to be had, the text is dropped here.)
fn drop_later(text: crate::input::Text) {
    if text.as_str().len() >= DROP_APART_FROM {
        let _ = std::thread::Builder::new().spawn(move || drop(text));
    }
}

/// Hands a prepared file's pieces to the writer: `Begin`, its batches in
/// order (a large file's classified window by window), `End`; or `Bad`.
/// Says whether the writer is still there.
fn hand_over(
    engine: &Engine,
    k: usize,
    prepared: Result<Prepared, InputError>,
    ignore: bool,
    tx: &std::sync::mpsc::SyncSender<Piece>,
    spare: &Spare,
) -> bool {
    let send = |p: Piece| tx.send(p).is_ok();
    let prepared = match prepared {
        Ok(p) => p,
        Err(e) => return send(Piece::Bad(e)),
    };
    if !send(Piece::Begin(k)) {
        return false;
    }
    match prepared {
        Prepared::Held(cs) => {
            for c in cs {
                if !send(Piece::Batch(c)) {
                    return false;
                }
            }
        }
        Prepared::Large(r) => {
            let text = r.text.as_str();
            let raws: Vec<Raw> = r
                .spans
                .iter()
                .map(|&(a, b, plain)| (&text[a..b], plain))
                .collect();
            for (w, window) in raws.chunks(WINDOW).enumerate() {
                let bufs = take_spare(spare, window.len().div_ceil(BATCH));
                let classified =
                    classify_all(engine, window, w * WINDOW, &r.ctx, ignore, true, bufs)
                        .expect("checked tools are JSON");
                for c in classified {
                    if !send(Piece::Batch(c)) {
                        return false;
                    }
                }
            }
            drop(raws);
            drop_later(r.text);
        }
    }
    send(Piece::End)
}

/// A tool's name and declared hints for its server's context, read without
/// parsing the rest: the top-level members are found by a scanner that
/// skips strings with memchr and counts brackets ([`head`]); only the `name`
/// string and the `annotations` value are parsed. A text that is not JSON
/// gives something, never a panic (its file is then read again by the
/// streaming parse, which refuses it). Repeated members: the last wins, as
/// in a loaded `Value`. A tool that is not an object, or needs the tolerant
/// reading (too long, or a member serde_json refuses), is read as the
/// loading path reads it, so both paths see the same context.
/// The name is borrowed from the text when it has no escape (the usual
/// case: it is only read, for the context's facts).
fn name_and_hints<'a>(
    raw: &'a str,
    known: Option<Option<Head<'a>>>,
) -> (Cow<'a, str>, Option<Hints>) {
    if raw.len() <= tolerant::FIELD_CAP {
        let found = match known {
            Some(h) => h,
            None => head(raw),
        };
        if let Some(part) = found.and_then(|(name, annotations)| {
            let name = match name {
                Some(n) if n.starts_with('"') => {
                    let inner = &n[1..n.len() - 1];
                    if inner.contains('\\') {
                        Cow::Owned(serde_json::from_str::<String>(n).ok()?)
                    } else {
                        Cow::Borrowed(inner)
                    }
                }
                _ => Cow::Borrowed(""),
            };
            let hints = match annotations {
                Some(a) => crate::classify::view::annotation_hints(a)?,
                None => None,
            };
            Some((name, hints))
        }) {
            return part;
        }
    }
    let (v, _) = tolerant::tool_value(raw);
    (
        Cow::Owned(
            v.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
        ),
        v.get("annotations").and_then(Hints::from_annotations),
    )
}

/// The raw texts of the last top-level `name` and `annotations` members of
/// `text`; `None` when it is not an object (or a key does not decode).
fn head(text: &str) -> Option<Head<'_>> {
    crate::input::object_head(text, ws(text.as_bytes(), 0)).map(|(_, h)| h)
}

/// One classified batch: its worst risk, its serialised verdicts and the
/// anomalies of its tools (with their labels).
struct Classified {
    /// The batch's worst risk and the first tool that has it.
    worst: Option<(Risk, String)>,
    buf: Vec<u8>,
    notes: Vec<(String, ToolNote)>,
}

/// Classifies a batch and serialises its verdicts, comma-separated, with
/// the batch's worst risk and its tools' anomalies. `checked`: the tools are
/// known to be JSON; otherwise each is checked as it is read, and `None`
/// says one is not.
fn classify_batch(
    engine: &Engine,
    batch: &[Raw<'_>],
    first: usize,
    ignore: bool,
    ctx: &Context,
    checked: bool,
    mut buf: Vec<u8>,
) -> Option<Classified> {
    buf.clear();
    buf.reserve(batch.len() * 640);
    let mut worst = None;
    let mut notes = Vec::new();
    for (k, &(r, plain)) in batch.iter().enumerate() {
        let (verdict, ns) = if checked {
            tolerant::classify_checked(engine, r, plain, ignore, ctx)
        } else {
            tolerant::classify_unchecked(engine, r, plain, ignore, ctx)?
        };
        if worst.as_ref().is_none_or(|(w, _)| verdict.risk > *w) {
            worst = Some((verdict.risk, verdict.name.clone()));
        }
        for note in ns {
            notes.push((
                note_label(r, &verdict.name, first + k),
                ToolNote {
                    index: first + k,
                    note,
                },
            ));
        }
        if k > 0 {
            buf.push(b',');
        }
        crate::report::json::Tool::from(&verdict).write_to(&mut buf);
    }
    Some(Classified { worst, buf, notes })
}

/// The label of a tool with anomalies, as the loading path gives it
/// ([`crate::input::tool_label`]: its name when that is a non-empty string,
/// `#index` otherwise). The verdict's name is the tool's string name, or
/// the JSON text of a name that is a number, boolean, array or object
/// (`42` reads "42"): only a name that could be such a text has the tool
/// read again to tell which, so a cut 64 MB description is not parsed twice.
fn note_label(raw: &str, name: &str, index: usize) -> String {
    let could_be_text = matches!(
        name.as_bytes().first(),
        Some(b'0'..=b'9' | b'-' | b'[' | b'{')
    ) || name == "true"
        || name == "false";
    if name.is_empty() {
        format!("#{index}")
    } else if could_be_text {
        crate::input::tool_label(&tolerant::tool_value(raw).0, index)
    } else {
        format!("{name:?}")
    }
}

/// Tools of a file classified, in batches in order, into `bufs` (one per
/// batch; more are made if it runs short); `first` is the first tool's
/// place in its file. `None` when some tool is not JSON (only possible when
/// not `checked`).
fn classify_all(
    engine: &Engine,
    raws: &[Raw<'_>],
    first: usize,
    ctx: &Context,
    ignore: bool,
    checked: bool,
    mut bufs: Vec<Vec<u8>>,
) -> Option<Vec<Classified>> {
    bufs.resize_with(raws.len().div_ceil(BATCH), Vec::new);
    raws.par_chunks(BATCH)
        .enumerate()
        .zip(bufs)
        .map(|((k, b), buf)| {
            classify_batch(engine, b, first + k * BATCH, ignore, ctx, checked, buf)
        })
        .collect()
}

/// What a tool adds to its server's context.
type Part = Facts;

/// One split batch (its place in the file), read for the context.
type ReadBatch<'a> = (usize, Vec<Raw<'a>>, Vec<Part>);

/// A raw tool, and whether it is plain: valid JSON that
/// [`crate::input::might_refuse`] does not flag, as the split's scan found
/// while finding where it ends (`false` when unknown), so the view does not
/// look at it again.
type Raw<'a> = (&'a str, bool);

/// A raw tool, its head if the split found it (`Some`) while finding
/// where the tool ends, and whether it is plain ([`Raw`]).
type Split<'a> = (&'a str, Option<Option<Head<'a>>>, bool);

/// A file's raw tools in order, and each one's name and declared hints for
/// the server's context (every verdict depends on it, so it is known before
/// any tool is classified), and whether every tool from the `check_from`th
/// on is JSON. `scan` splits the text serially, handing on batches, while
/// the batches already split are read (and checked) in parallel: the
/// checking takes the core the serial scan leaves idle. It says whether the
/// split held.
fn split<'a, E: Send>(
    engine: &Engine,
    check_from: usize,
    scan: impl FnOnce(&mut (dyn FnMut(Vec<Split<'a>>) + Send)) -> Result<(), E> + Send,
) -> Result<(Vec<Raw<'a>>, Vec<Part>, bool), E> {
    let done: std::sync::Mutex<Vec<ReadBatch<'a>>> = std::sync::Mutex::default();
    let json = std::sync::atomic::AtomicBool::new(true);
    let split = rayon::scope(|s| {
        let (done, json) = (&done, &json);
        let (mut n, mut seen) = (0, 0);
        scan(&mut |batch: Vec<Split<'a>>| {
            let (at, first) = (n, seen);
            n += 1;
            seen += batch.len();
            s.spawn(move |_| {
                let parts: Vec<Part> = batch
                    .iter()
                    .map(|&(r, known, _)| {
                        let (name, hints) = name_and_hints(r, known);
                        Facts::of(engine, &name, hints.as_ref())
                    })
                    .collect();
                let checked = batch.iter().enumerate().all(|(k, (r, _, _))| {
                    first + k < check_from || serde_json::from_str::<&RawValue>(r).is_ok()
                });
                if !checked {
                    json.store(false, std::sync::atomic::Ordering::Relaxed);
                }
                let batch = batch.into_iter().map(|(r, _, plain)| (r, plain)).collect();
                done.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((at, batch, parts));
            });
        })
    });
    split?;
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_unstable_by_key(|(at, _, _)| *at);
    let n = done.iter().map(|(_, b, _)| b.len()).sum();
    let (mut raws, mut parts) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for (_, b, p) in done {
        raws.extend(b);
        parts.extend(p);
    }
    Ok((raws, parts, json.into_inner()))
}

/// A file split into its raw tools, with its server's context.
struct SplitFile<'a> {
    raws: Vec<Raw<'a>>,
    ctx: Context,
    /// Every tool is known to be JSON (else each is checked as it is read
    /// for its verdict).
    checked: bool,
}

/// A file's tools and context. The common shapes (`[...]`,
/// `{"tools": [...]}`) are split by the bracket scanner; a file of more
/// than `hold` tools has every tool checked as JSON (its output is written
/// before all of it is classified), the others are checked where they are
/// read for their verdicts (the view's parse is that check). Any
/// other shape, or a tool that is not JSON, takes the streaming parse
/// ([`crate::input::stream_tools`]), which gives the same tools or the
/// file's error.
fn split_file<'a>(
    engine: &Engine,
    text: &'a str,
    f: &Path,
    hold: usize,
) -> Result<SplitFile<'a>, InputError> {
    if let Ok((raws, parts, rest_json)) = split(engine, hold, |emit| {
        crate::input::array_elements_each(text, crate::input::CHUNK, emit).ok_or(())
    }) {
        let ctx = Context::from_facts(parts.into_iter());
        if raws.len() <= hold {
            return Ok(SplitFile {
                raws,
                ctx,
                checked: false,
            });
        }
        if rest_json
            && raws[..hold]
                .par_iter()
                .with_min_len(64)
                .all(|(r, _)| serde_json::from_str::<&RawValue>(r).is_ok())
        {
            return Ok(SplitFile {
                raws,
                ctx,
                checked: true,
            });
        }
    }
    let (raws, parts) = parsed(engine, text, f)?;
    Ok(SplitFile {
        raws,
        ctx: Context::from_facts(parts.into_iter()),
        checked: true,
    })
}

/// What a file's tools come to before its output is written.
enum Classifying<'a> {
    /// Every tool classified (and so checked) and serialised: a file of at
    /// most [`HOLD`] tools, whose output is held until all of it is known.
    Held(Vec<Classified>),
    /// Tools already checked as JSON (a file of more than [`HOLD`] tools, or
    /// one the streaming parse read), and their server's context: a large
    /// file is classified and written window by window, reusing the output
    /// buffers, so its whole output is never held.
    Checked(Vec<Raw<'a>>, Context),
}

/// A split file's tools classified (a file of at most [`HOLD`] tools,
/// each checked as JSON as it is read), or checked, with their context;
/// `bufs(n)` gives `n` output buffers to reuse. A tool that is not JSON
/// sends the file to the streaming parse, which gives the same tools or the
/// file's error.
fn classify_split<'a>(
    engine: &Engine,
    s: SplitFile<'a>,
    text: &'a str,
    f: &Path,
    ignore: bool,
    bufs: &dyn Fn(usize) -> Vec<Vec<u8>>,
) -> Result<Classifying<'a>, InputError> {
    if s.checked {
        return Ok(Classifying::Checked(s.raws, s.ctx));
    }
    let n = s.raws.len().div_ceil(BATCH);
    if let Some(c) = classify_all(engine, &s.raws, 0, &s.ctx, ignore, false, bufs(n)) {
        return Ok(Classifying::Held(c));
    }
    let (raws, parts) = parsed(engine, text, f)?;
    Ok(Classifying::Checked(
        raws,
        Context::from_facts(parts.into_iter()),
    ))
}

/// [`split_file`] then [`classify_split`].
#[cfg(test)]
fn classify_file<'a>(
    engine: &Engine,
    text: &'a str,
    f: &Path,
    ignore: bool,
) -> Result<Classifying<'a>, InputError> {
    let s = split_file(engine, text, f, WINDOW)?;
    classify_split(engine, s, text, f, ignore, &|_| Vec::new())
}

/// A file's tools and their facts by the streaming parse alone, which
/// checks every tool.
fn parsed<'a>(
    engine: &Engine,
    text: &'a str,
    f: &Path,
) -> Result<(Vec<Raw<'a>>, Vec<Part>), InputError> {
    split(engine, usize::MAX, |emit| {
        crate::input::stream_tools(text, f, &mut |b: Vec<&RawValue>| {
            emit(b.into_iter().map(|r| (r.get(), None, false)).collect())
        })
    })
    .map(|(raws, parts, _)| (raws, parts))
}

/// Tools per classified batch (one parallel task, one output buffer): small,
/// so two busy cores share a 1,000-tool file evenly.
const BATCH: usize = 64;

/// Tools classified before their batches are written in order (a checked
/// file's), so the output buffers are reused instead of all held at once;
/// also the most tools whose output is held until the file is all checked.
const WINDOW: usize = 256 * BATCH;

/// The most tools of a file classified before any of its output is written
/// (the output held, each tool checked as JSON where it is read for its
/// verdict): the largest published catalogue has 224,112 tools, about 120 MB
/// of output. A larger file has every tool checked first and is written
/// window by window ([`WINDOW`]), so its output is never all held: checking
/// first cost the 224k-tool catalogue a whole second parse.
const HOLD: usize = 1 << 18;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The context reads a tool's name and hints as `Context::of` reads the
    /// loaded value: an array (which serde would read as a struct's fields
    /// in order) or a name that is not a string gives neither.
    /// [`name_and_hints`] with the name owned, to compare.
    fn owned((name, hints): (Cow<'_, str>, Option<Hints>)) -> (String, Option<Hints>) {
        (name.into_owned(), hints)
    }

    #[test]
    fn name_and_hints_read_like_the_loaded_value() {
        let hints = Hints::from_annotations(&json!({"destructiveHint": true}));
        assert_eq!(
            owned(name_and_hints(
                r#"{"name": "a_delete", "annotations": {"destructiveHint": true}}"#,
                None
            )),
            ("a_delete".to_owned(), hints.clone())
        );
        assert_eq!(
            owned(name_and_hints(
                r#"["a_delete", {"destructiveHint": true}]"#,
                None
            )),
            (String::new(), None)
        );
        assert_eq!(
            owned(name_and_hints(
                r#"{"name": 7, "annotations": {"destructiveHint": true}}"#,
                None
            )),
            (String::new(), hints.clone())
        );
        // Repeated members: the last wins, as in a loaded `Value`.
        assert_eq!(
            owned(name_and_hints(
                r#"{"name": "x", "name": "y", "annotations": {"destructiveHint": true}}"#,
                None
            )),
            ("y".to_owned(), hints)
        );
    }

    /// Checking each tool where it is read gives what the streaming parse
    /// gives: the same verdicts and anomalies, or the same error, whatever
    /// the shape and wherever the text breaks.
    #[test]
    fn checking_tools_as_read_agrees_with_the_streaming_parse() {
        let docs = [
            r#"[{"name":"a"}, {"name":"b","d":"] } [ \" ,"} ,7,"s",null,[1,[2]]]"#,
            r#" { "tools" : [ {"name":"delete_a"} , {"name":"b"} ] } "#,
            r#"{"tools":[{"name":"a"}],"x":1}"#,
            r#"{"result":{"tools":[{"name":"a"}]}}"#,
            r#"[{"name":"a"},]"#,
            r#"[{"name":"a"}] x"#,
            r#"[{"name" "a"}]"#,
            r#"[tru]"#,
            r#"[{"n":"\ud800","x":1e999,"name":"drop_table"}]"#,
            "[{\"name\":\"delete_x\",\"description\":\"bad \u{1} control\"}]",
            r#"[{"name":"delete_x"},{"name":"a","description":"bad \q escape"}]"#,
            r#"[{"name":"delete_x","inputSchema":{"properties":{"a":{"enum":[01]}}}}]"#,
            r#"[{"name":"delete_x","x":1.}]"#,
            r#"[{"name":"x","name":"delete_y"}]"#,
            r#"[{"name":"x"},{"name":"y","annotations":{"destructiveHint":true}},5,"s",null,[1]]"#,
            r#"[{"name":"x","description":"\uZZZZ"}]"#,
            "",
        ];
        let e = crate::classify::engine();
        let p = Path::new("t.json");
        let out = |r: Result<Classifying, InputError>, ignore: bool| {
            r.map(|c| {
                let cs = match c {
                    Classifying::Held(cs) => cs,
                    Classifying::Checked(raws, ctx) => {
                        classify_all(e, &raws, 0, &ctx, ignore, true, Vec::new()).expect("checked")
                    }
                };
                cs.into_iter()
                    .map(|c| (c.worst, c.buf, c.notes.len()))
                    .collect::<Vec<_>>()
            })
            .map_err(|e| e.to_string())
        };
        for d in docs {
            for ignore in [false, true] {
                let slow = parsed(e, d, p).map(|(raws, parts)| {
                    Classifying::Checked(raws, Context::from_facts(parts.into_iter()))
                });
                assert_eq!(
                    out(classify_file(e, d, p, ignore), ignore),
                    out(slow, ignore),
                    "{d}"
                );
            }
        }
    }

    /// A file too large to hold its output is checked whole before any of
    /// it is classified: a tool that is not JSON gives the streaming
    /// parse's error.
    #[test]
    fn a_large_file_is_checked_before_it_is_classified() {
        let mut doc = String::from("[");
        for i in 0..=WINDOW {
            doc.push_str(&format!("{{\"name\":\"t{i}\"}},"));
        }
        doc.push_str("{\"name\":\"bad\",\"x\":tru}]");
        let e = crate::classify::engine();
        let p = Path::new("t.json");
        let err = classify_file(e, &doc, p, false)
            .err()
            .map(|e| e.to_string());
        let want = parsed(e, &doc, p).err().map(|e| e.to_string());
        assert!(want.is_some());
        assert_eq!(err, want);
    }

    /// Files worked on at once are written in file order, bad ones skipped
    /// where they stand (or stopping the document with `--strict`), each
    /// server as it is when written alone.
    #[test]
    fn files_are_written_in_order_whatever_finishes_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut files = Vec::new();
        for k in 0..11 {
            // The first files are the largest, so later ones finish first.
            let n = if k < 3 { 3000 - k * 1000 } else { 1 + k };
            let tools: Vec<String> = (0..n)
                .map(|i| format!(r#"{{"name":"delete_f{k}_t{i}","description":"Deletes it."}}"#))
                .collect();
            let text = match k {
                4 => "[{\"name\":\"bad\",\"x\":tru}]".to_owned(),
                7 => String::new(),
                _ => format!("[{}]", tools.join(",")),
            };
            let f = dir.path().join(format!("s{k:02}.json"));
            std::fs::write(&f, text).expect("write");
            files.push(f);
        }
        let run = |files: &[PathBuf], skip: bool| {
            let mut out = Vec::new();
            let (summary, r) = write_json(&mut out, files, skip, false);
            (
                String::from_utf8(out).expect("utf8"),
                summary.skipped,
                r.is_ok(),
            )
        };
        let alone: Vec<String> = files
            .iter()
            .map(|f| run(std::slice::from_ref(f), true).0)
            .filter(|d| d != "{\"schema_version\":1,\"servers\":[]}\n")
            .map(|d| d["{\"schema_version\":1,\"servers\":[".len()..d.len() - 3].to_owned())
            .collect();
        assert_eq!(alone.len(), 9);
        let want = format!(
            "{{\"schema_version\":1,\"servers\":[{}]}}\n",
            alone.join(",")
        );
        assert_eq!(run(&files, true), (want, 2, true));
        // --strict: the document holds the files before the bad one, closed.
        let (doc, _, ok) = run(&files, false);
        assert!(!ok);
        let strict = format!(
            "{{\"schema_version\":1,\"servers\":[{}]}}\n",
            alone[..4].join(",")
        );
        assert_eq!(doc, strict);
    }

    /// The scanner finds the same members as the loaded value wherever
    /// braces, quotes and escapes sit in the text.
    #[test]
    fn name_and_hints_agree_with_the_loaded_value() {
        let texts = [
            r#"{}"#,
            r#" { "name" : "a\"b" , "annotations" : { "readOnlyHint" : true } } "#,
            r#"{"description":"x } ] { [ \" \\","name":"n","inputSchema":{"properties":{"a":{"description":"}}}"}}},"annotations":{"destructiveHint":true,"title":"T"}}"#,
            r#"{"n\u0061me":"escaped key","annotations":{"readOnlyHint":false}}"#,
            r#"{"name":"x\u00e9","tags":[1,-2.5e3,true,null,{"name":"inner"}],"annotations":null}"#,
            r#"{"annotations":{"readOnlyHint":true},"name":"first","annotations":{"destructiveHint":true}}"#,
            r#"{"name":"\ud800 lone","annotations":{"destructiveHint":true}}"#,
            r#"{"name":"n","annotations":{"x":1e999,"destructiveHint":true}}"#,
            r#"["name","x"]"#,
            r#""name""#,
        ];
        for t in texts {
            let (v, _) = tolerant::tool_value(t);
            let want = (
                v.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                v.get("annotations").and_then(Hints::from_annotations),
            );
            assert_eq!(owned(name_and_hints(t, None)), want, "{t}");
            // The head the split reads while finding the tool's end.
            let doc = format!("[{t}]");
            let mut split = Vec::new();
            crate::input::array_elements_each(&doc, 8, &mut |b| split.extend(b)).unwrap();
            let (raw, known, plain) = split[0];
            assert_eq!(raw, t.trim(), "{t}");
            assert_eq!(
                plain,
                !crate::input::might_refuse(raw.as_bytes(), tolerant::MAX_DEPTH),
                "{t}"
            );
            assert_eq!(known, Some(head(raw)), "{t}");
            assert_eq!(owned(name_and_hints(raw, known)), want, "{t}");
        }
        assert_eq!(name_and_hints(texts[3], None).0, "escaped key");
        assert_eq!(
            name_and_hints(texts[5], None).1,
            Hints::from_annotations(&json!({"destructiveHint": true}))
        );
    }
}
