//! Launcher threads: where servers are cloned from. A clone with CLONE_VFORK
//! holds its thread until the child execs, so launches stay off the async
//! workers. These threads empty their own capability bounding set once when
//! they start (their effective capabilities, needed for namespaces, stay), so
//! each child inherits it empty and skips dropping some 40 capabilities one
//! credential commit at a time. They are used for nothing else, so nothing
//! else they could exec is affected.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::oneshot;

use super::{spawn, Launch, SandboxError, Spawned};

/// Launcher threads (each launch takes well under a millisecond).
const THREADS: usize = 4;

/// What a launcher is asked to start (owned: it crosses threads).
pub struct Job {
    pub program: String,
    pub args: Vec<String>,
    pub env: std::collections::BTreeMap<String, String>,
    pub sandbox: bool,
    pub limits: super::Limits,
}

impl Job {
    fn spawn(&self) -> Result<Spawned, SandboxError> {
        spawn(&Launch {
            program: &self.program,
            args: &self.args,
            env: &self.env,
            sandbox: self.sandbox,
            limits: self.limits,
        })
    }
}

type Request = (Job, oneshot::Sender<Result<Spawned, SandboxError>>);

fn queue() -> Option<&'static Sender<Request>> {
    static QUEUE: OnceLock<Option<Sender<Request>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (tx, rx) = channel::<Request>();
            let rx = Arc::new(Mutex::new(rx));
            let mut started = 0;
            for i in 0..THREADS {
                let rx = rx.clone();
                let ok = std::thread::Builder::new()
                    .name(format!("mcp-risk-launch-{i}"))
                    .spawn(move || serve(&rx))
                    .is_ok();
                started += usize::from(ok);
            }
            (started > 0).then_some(tx)
        })
        .as_ref()
}

fn serve(rx: &Mutex<Receiver<Request>>) {
    // Fails harmlessly without CAP_SETPCAP (unprivileged).
    let _ = super::credentials::empty_bounding_set();
    // These threads never end: what they clone may die with us.
    super::spawn::lives_for_good();
    loop {
        let next = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((job, reply)) = next else { return };
        let _ = reply.send(job.spawn());
    }
}

/// Launches `job` on a launcher thread (or, if none could start, on tokio's
/// blocking pool).
pub async fn launch(job: Job) -> Result<Spawned, SandboxError> {
    let gone = || {
        SandboxError::Spawn(
            "launcher".into(),
            std::io::Error::other("the launcher thread stopped"),
        )
    };
    match queue() {
        Some(q) => {
            let (tx, rx) = oneshot::channel();
            q.send((job, tx)).map_err(|_| gone())?;
            rx.await.map_err(|_| gone())?
        }
        None => tokio::task::spawn_blocking(move || job.spawn())
            .await
            .map_err(|_| gone())?,
    }
}
