//! A child process with captured output, a held-open stdin and bounded waits.

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{CLIENT_TIMEOUT, POLL};

/// Output captured from a child: both streams merged in arrival order, and each alone.
#[derive(Default)]
struct Captured {
    combined: Vec<u8>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// Streams that reached EOF (0..=2).
    closed: usize,
}

#[derive(Default)]
struct Log {
    data: Mutex<Captured>,
    changed: Condvar,
}

impl Log {
    fn pump(
        self: Arc<Self>,
        mut from: impl Read + Send + 'static,
        is_stderr: bool,
    ) -> JoinHandle<()> {
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                let n = from.read(&mut buf).unwrap_or(0);
                let mut data = self.data.lock().unwrap();
                if n == 0 {
                    data.closed += 1;
                    self.changed.notify_all();
                    return;
                }
                data.combined.extend_from_slice(&buf[..n]);
                if is_stderr {
                    data.stderr.extend_from_slice(&buf[..n]);
                } else {
                    data.stdout.extend_from_slice(&buf[..n]);
                }
                self.changed.notify_all();
            }
        })
    }

    fn text(&self, pick: impl Fn(&Captured) -> &Vec<u8>) -> String {
        String::from_utf8_lossy(pick(&self.data.lock().unwrap())).into_owned()
    }

    /// Waits until `marker` is in the merged output, both streams closed, or `deadline`.
    fn wait_for(&self, marker: &str, deadline: Instant) -> bool {
        self.wait_until(deadline, |c| {
            String::from_utf8_lossy(&c.combined).contains(marker)
        })
    }

    /// Waits until `done` holds (true), or both streams closed or `deadline` passed (false).
    fn wait_until(&self, deadline: Instant, done: impl Fn(&Captured) -> bool) -> bool {
        let mut data = self.data.lock().unwrap();
        loop {
            if done(&data) {
                return true;
            }
            let now = Instant::now();
            if data.closed == 2 || now >= deadline {
                return false;
            }
            data = self
                .changed
                .wait_timeout(data, (deadline - now).min(Duration::from_millis(100)))
                .unwrap()
                .0;
        }
    }
}

/// A running peer. Its stdin stays open (so `s_server` keeps running and can be typed
/// commands), its output is captured, and it is killed when dropped.
pub struct PeerProcess {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    log: Arc<Log>,
    pumps: Vec<JoinHandle<()>>,
}

impl PeerProcess {
    /// Starts `program args...` with piped stdin/stdout/stderr.
    pub fn spawn<I, S>(program: &str, args: I) -> PeerProcess
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let mut child = Command::new(program)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {program}: {e}"));
        let log = Arc::new(Log::default());
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let pumps = vec![
            Arc::clone(&log).pump(stdout, false),
            Arc::clone(&log).pump(stderr, true),
        ];
        let name = std::iter::once(program.to_owned())
            .chain(args.iter().map(|a| a.to_string_lossy().into_owned()))
            .collect::<Vec<_>>()
            .join(" ");
        PeerProcess {
            name,
            stdin: child.stdin.take(),
            child,
            log,
            pumps,
        }
    }

    /// The command line, for messages.
    pub fn command_line(&self) -> &str {
        &self.name
    }

    /// The OS process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Writes `data` to the child's stdin.
    pub fn try_send(&mut self, data: &[u8]) -> std::io::Result<()> {
        let stdin = self.stdin.as_mut().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "stdin already closed")
        })?;
        stdin.write_all(data)?;
        stdin.flush()
    }

    /// Writes `data` to the child's stdin; panics (with the log) if the child is gone.
    pub fn send(&mut self, data: &[u8]) {
        if let Err(e) = self.try_send(data) {
            panic!(
                "writing to the stdin of `{}`: {e}\n--- output ---\n{}",
                self.name,
                self.output()
            );
        }
    }

    /// Writes `line` and a newline (how `s_server`/`s_client` take commands like `k`, `c`).
    pub fn send_line(&mut self, line: &str) {
        self.send(format!("{line}\n").as_bytes());
    }

    /// Closes stdin: `s_client`/`gnutls-cli` then close the connection, `s_server` exits.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// stdout and stderr merged, in arrival order.
    pub fn output(&self) -> String {
        self.log.text(|c| &c.combined)
    }

    /// stdout alone.
    pub fn stdout(&self) -> String {
        self.log.text(|c| &c.stdout)
    }

    /// stderr alone.
    pub fn stderr(&self) -> String {
        self.log.text(|c| &c.stderr)
    }

    /// Whether the output so far contains `marker`.
    pub fn contains(&self, marker: &str) -> bool {
        self.output().contains(marker)
    }

    /// Waits (bounded) until the output contains `marker`; false on timeout or if the
    /// child closed its output first.
    pub fn wait_for(&self, marker: &str, timeout: Duration) -> bool {
        self.log.wait_for(marker, Instant::now() + timeout)
    }

    /// Like [`PeerProcess::wait_for`], but panics with the log when the marker does not come.
    pub fn expect_output(&self, marker: &str, timeout: Duration) {
        if !self.wait_for(marker, timeout) {
            panic!(
                "`{}` did not print {marker:?} within {timeout:?}\n--- output ---\n{}",
                self.name,
                self.output()
            );
        }
    }

    /// Waits until `marker` occurs at least `n` times in the output, and
    /// panics with the log when it does not within `timeout`. For a peer
    /// that serves several connections, where the previous connection's
    /// output already holds the marker once.
    pub fn expect_count(&self, marker: &str, n: usize, timeout: Duration) {
        let done = self.log.wait_until(Instant::now() + timeout, |c| {
            String::from_utf8_lossy(&c.combined).matches(marker).count() >= n
        });
        if !done {
            panic!(
                "`{}` did not print {marker:?} {n} times within {timeout:?}\n--- output ---\n{}",
                self.name,
                self.output()
            );
        }
    }

    /// The exit status if the child has exited.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits up to `timeout` for the child to exit; kills it and returns `None` if it does not.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_status() {
                self.join_pumps(deadline);
                return Some(status);
            }
            if Instant::now() >= deadline {
                self.kill();
                return None;
            }
            std::thread::sleep(POLL);
        }
    }

    /// Kills the child (if still running) and reaps it.
    pub fn kill(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.join_pumps(Instant::now() + Duration::from_secs(1));
    }

    /// Waits (bounded) for the output pumps to drain the pipes after the child exited.
    fn join_pumps(&mut self, deadline: Instant) {
        if self.log.wait_until(deadline, |c| c.closed == 2) {
            for pump in self.pumps.drain(..) {
                let _ = pump.join();
            }
        }
    }
}

impl Drop for PeerProcess {
    fn drop(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One step of a client's scripted stdin.
#[derive(Clone, Debug)]
pub enum Step {
    /// Type these bytes.
    Send(Vec<u8>),
    /// Wait (within the run's timeout) until the output contains this text.
    WaitFor(String),
    /// Keep the connection open this long (e.g. to receive NewSessionTicket).
    Pause(Duration),
}

/// A client command line plus its stdin script; [`ClientCommand::run`] runs it to the end.
#[derive(Clone, Debug)]
pub struct ClientCommand {
    program: String,
    args: Vec<OsString>,
    trailing: Vec<OsString>,
    steps: Vec<Step>,
    timeout: Duration,
}

impl ClientCommand {
    /// `program leading... [args...] trailing...`; `trailing` stays at the end (gnutls-cli's host).
    pub(crate) fn new(program: &str, leading: Vec<OsString>, trailing: Vec<OsString>) -> Self {
        ClientCommand {
            program: program.to_owned(),
            args: leading,
            trailing,
            steps: Vec::new(),
            timeout: CLIENT_TIMEOUT,
        }
    }

    /// Appends one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Script step: type `data` on stdin.
    pub fn send(mut self, data: &[u8]) -> Self {
        self.steps.push(Step::Send(data.to_vec()));
        self
    }

    /// Script step: wait until the output contains `marker`.
    pub fn wait_for(mut self, marker: &str) -> Self {
        self.steps.push(Step::WaitFor(marker.to_owned()));
        self
    }

    /// Script step: keep stdin open for `duration`.
    pub fn pause(mut self, duration: Duration) -> Self {
        self.steps.push(Step::Pause(duration));
        self
    }

    /// Appends script steps.
    pub fn steps(mut self, steps: impl IntoIterator<Item = Step>) -> Self {
        self.steps.extend(steps);
        self
    }

    /// Bound on the whole run (default [`CLIENT_TIMEOUT`]); the client is killed after it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Starts the client without running the script: the caller drives its stdin.
    pub fn spawn(&self) -> PeerProcess {
        PeerProcess::spawn(&self.program, self.args.iter().chain(&self.trailing))
    }

    /// Runs the client: plays the script, closes stdin (the client then closes the
    /// connection and exits), and waits for the exit within the timeout.
    pub fn run(&self) -> ClientRun {
        let deadline = Instant::now() + self.timeout;
        let mut process = self.spawn();
        let mut script_ok = true;
        for step in &self.steps {
            let ok = match step {
                Step::Send(data) => process.try_send(data).is_ok(),
                Step::WaitFor(marker) => process.log.wait_for(marker, deadline),
                Step::Pause(d) => {
                    std::thread::sleep(
                        (*d).min(deadline.saturating_duration_since(Instant::now())),
                    );
                    true
                }
            };
            if !ok {
                script_ok = false;
                break;
            }
        }
        process.close_stdin();
        let status = process.wait_exit(deadline.saturating_duration_since(Instant::now()));
        ClientRun {
            command_line: process.command_line().to_owned(),
            status,
            script_ok,
            stdout: process.stdout(),
            stderr: process.stderr(),
            output: process.output(),
        }
    }
}

/// A finished client run.
#[derive(Clone, Debug)]
pub struct ClientRun {
    /// The command line that ran.
    pub command_line: String,
    /// The exit status; `None` if the client was killed at the timeout.
    pub status: Option<ExitStatus>,
    /// Whether every script step completed (every `WaitFor` found its marker, every
    /// `Send` was written).
    pub script_ok: bool,
    stdout: String,
    stderr: String,
    output: String,
}

impl ClientRun {
    /// stdout and stderr merged, in arrival order.
    pub fn output(&self) -> &str {
        &self.output
    }

    /// stdout alone.
    pub fn stdout(&self) -> &str {
        &self.stdout
    }

    /// stderr alone.
    pub fn stderr(&self) -> &str {
        &self.stderr
    }

    /// Whether the output contains `marker`.
    pub fn contains(&self, marker: &str) -> bool {
        self.output.contains(marker)
    }

    /// Whether the client was killed at the timeout.
    pub fn timed_out(&self) -> bool {
        self.status.is_none()
    }

    /// Whether the client exited with status 0.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// Panics, showing the command and output, unless the output contains every marker.
    pub fn assert_contains(&self, markers: &[&str]) {
        for marker in markers {
            assert!(
                self.contains(marker),
                "missing {marker:?} in the output of `{}` (status {:?})\n--- output ---\n{}",
                self.command_line,
                self.status,
                self.output
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_both_streams_and_exit() {
        let run = ClientCommand::new("sh", vec!["-c".into(), "cat; echo err >&2".into()], vec![])
            .send(b"typed\n")
            .run();
        assert!(run.succeeded(), "{run:?}");
        assert_eq!(run.stdout(), "typed\n");
        assert_eq!(run.stderr(), "err\n");
        assert!(run.script_ok);
    }

    #[test]
    fn kills_at_timeout() {
        let start = Instant::now();
        let run = ClientCommand::new("sleep", vec!["30".into()], vec![])
            .timeout(Duration::from_millis(200))
            .run();
        assert!(run.timed_out());
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn wait_for_returns_early_when_output_closes() {
        let process = PeerProcess::spawn("sh", ["-c", "echo ready"]);
        assert!(process.wait_for("ready", Duration::from_secs(5)));
        let start = Instant::now();
        assert!(!process.wait_for("never", Duration::from_secs(5)));
        assert!(start.elapsed() < Duration::from_secs(4));
    }

    #[test]
    fn drop_kills_the_child() {
        let process = PeerProcess::spawn("sleep", ["30"]);
        let pid = process.id();
        drop(process);
        let alive = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false);
        assert!(!alive, "pid {pid} still running");
    }
}
