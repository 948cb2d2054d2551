//! The load and fault harness: many client threads calling at once, each
//! call timed ([`Load`] -> [`Outcome`], printed as a `FIGURE` line for
//! RELIABILITY.md); the servers under test as child processes a test kills
//! with `SIGKILL` and starts again ([`RpcbindProcess`],
//! [`CalculatorProcess`]).
//!
//! Every load is bounded: a client makes at most its number of calls and
//! stops at its deadline, and [`Load::wait`] fails the test when a thread
//! is still inside a call past the limit it is given (a call that hangs)
//! instead of waiting for it.
//!
//! The numbers are the default: [`CLIENTS`] clients making
//! [`calls_per_client`] calls each. `RELIABILITY_CALLS=N` lowers the calls
//! per client for quick local runs.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex, MutexGuard, PoisonError, mpsc};
use std::time::{Duration, Instant};

use oncrpc::portmapper::Rpcbind;

/// Concurrent clients of the load tests (the number).
pub const CLIENTS: usize = 64;

/// Calls each client makes by default (the number).
pub const CALLS: usize = 10_000;

/// The environment variable that lowers [`CALLS`] for quick local runs.
pub const CALLS_ENV: &str = "RELIABILITY_CALLS";

/// How many first error messages an [`Outcome`] keeps.
const KEPT_ERRORS: usize = 8;

/// Calls per client: [`CALLS`], or `RELIABILITY_CALLS` when set to a
/// positive number.
pub fn calls_per_client() -> usize {
    std::env::var(CALLS_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(CALLS)
}

/// Holds the machine for one load at a time within a test binary, so
/// that tests running in parallel do not skew each other's latencies.
pub fn exclusive() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Call latencies in microseconds.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    micros: Vec<u32>,
    sorted: bool,
}

/// Percentiles of a [`Latencies`], in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Percentiles {
    /// The median.
    pub p50: u32,
    /// The 99th percentile.
    pub p99: u32,
    /// The 99.9th percentile.
    pub p999: u32,
    /// The slowest call.
    pub max: u32,
}

impl Latencies {
    /// Room for `n` calls.
    pub fn with_capacity(n: usize) -> Latencies {
        Latencies { micros: Vec::with_capacity(n), sorted: false }
    }

    /// Records one call's duration.
    pub fn record(&mut self, took: Duration) {
        self.micros.push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
        self.sorted = false;
    }

    /// Adds another set of calls.
    pub fn extend(&mut self, other: &Latencies) {
        self.micros.extend_from_slice(&other.micros);
        self.sorted = false;
    }

    /// How many calls were recorded.
    pub fn len(&self) -> usize {
        self.micros.len()
    }

    /// True when no call was recorded.
    pub fn is_empty(&self) -> bool {
        self.micros.is_empty()
    }

    /// How many calls took at least `at_least`.
    pub fn count_at_least(&self, at_least: Duration) -> usize {
        let bound = u32::try_from(at_least.as_micros()).unwrap_or(u32::MAX);
        self.micros.iter().filter(|&&m| m >= bound).count()
    }

    /// The percentiles (nearest rank); all zero without calls.
    pub fn percentiles(&mut self) -> Percentiles {
        if !self.sorted {
            self.micros.sort_unstable();
            self.sorted = true;
        }
        let rank = |per_mille: usize| -> u32 {
            match self.micros.len() {
                0 => 0,
                n => self.micros[(n * per_mille).div_ceil(1000).clamp(1, n) - 1],
            }
        };
        Percentiles { p50: rank(500), p99: rank(990), p999: rank(999), max: rank(1000) }
    }
}

/// What one client thread did.
struct ClientResult<S> {
    state: Option<S>,
    calls: u64,
    errors: u64,
    first_errors: Vec<String>,
    latencies: Latencies,
}

/// What a [`Load`] did: every client's calls, errors and latencies, and
/// the state each client kept (what it saw acknowledged, for example).
#[derive(Debug)]
pub struct Outcome<S> {
    /// The load's name (the `test=` of its figure).
    pub name: String,
    /// Clients that ran.
    pub clients: usize,
    /// Calls made (those that returned, successfully or not).
    pub calls: u64,
    /// Calls that failed.
    pub errors: u64,
    /// The first few failures' messages.
    pub first_errors: Vec<String>,
    /// Calls the clients were to make and did not (deadline reached).
    pub unmade: u64,
    /// Every call's latency.
    pub latencies: Latencies,
    /// From the start of the first call to the end of the last.
    pub elapsed: Duration,
    /// Each client's state, in client order; `None` when it could not
    /// connect.
    pub states: Vec<Option<S>>,
}

impl<S> Outcome<S> {
    /// The `FIGURE` line: the load's name, calls, errors, latency
    /// percentiles and duration, then `extra` as further `key=value`
    /// fields.
    pub fn figure(&mut self, extra: &[(&str, String)]) -> String {
        let p = self.latencies.percentiles();
        let mut line = format!(
            "FIGURE test={} clients={} calls={} errors={} p50_us={} p99_us={} p999_us={} \
             max_us={} secs={:.2} calls_per_sec={:.0}",
            self.name,
            self.clients,
            self.calls,
            self.errors,
            p.p50,
            p.p99,
            p.p999,
            p.max,
            self.elapsed.as_secs_f64(),
            self.calls as f64 / self.elapsed.as_secs_f64().max(1e-9),
        );
        for (key, value) in extra {
            line.push_str(&format!(" {key}={value}"));
        }
        line
    }

    /// Prints [`Outcome::figure`] on standard output (shown by `cargo test
    /// -- --nocapture`) and returns it.
    #[allow(clippy::print_stdout)]
    pub fn print_figure(&mut self, extra: &[(&str, String)]) -> String {
        let line = self.figure(extra);
        println!("{line}");
        line
    }

    /// Fails the test unless every call was made and none failed.
    pub fn assert_clean(&self) {
        assert_eq!(self.unmade, 0, "{}: {} calls not made in time", self.name, self.unmade);
        assert_eq!(
            self.errors, 0,
            "{}: {} of {} calls failed, first: {:?}",
            self.name, self.errors, self.calls, self.first_errors
        );
        assert!(
            self.states.iter().all(Option::is_some),
            "{}: a client did not connect: {:?}",
            self.name,
            self.first_errors
        );
    }
}

/// Client threads calling concurrently, each call timed.
///
/// Every client connects first (untimed); all then start together. A
/// client stops after its number of calls, at the load's deadline, or
/// when [`Load::stop`] is called, whichever comes first.
pub struct Load<S> {
    name: String,
    clients: usize,
    per_client: u64,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
    /// Per client: when its call in progress started, in microseconds
    /// since `epoch` plus one; zero when it is between calls.
    in_call: Arc<Vec<AtomicU64>>,
    epoch: Instant,
    started: Arc<Mutex<Option<Instant>>>,
    results: mpsc::Receiver<(usize, ClientResult<S>)>,
}

impl<S: Send + 'static> Load<S> {
    /// Starts `clients` threads. Thread `c` gets its state from
    /// `connect(c)`, then makes up to `calls` calls `call(&mut state, c,
    /// i)` for `i` in `0..calls`, each timed; an `Err` counts as a failed
    /// call. Threads stop at `deadline` from now at the latest.
    pub fn start<C, F>(
        name: &str,
        clients: usize,
        calls: usize,
        deadline: Duration,
        connect: C,
        call: F,
    ) -> Load<S>
    where
        C: Fn(usize) -> Result<S, String> + Send + Sync + 'static,
        F: Fn(&mut S, usize, usize) -> Result<(), String> + Send + Sync + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicU64::new(0));
        let in_call = Arc::new((0..clients).map(|_| AtomicU64::new(0)).collect::<Vec<_>>());
        let epoch = Instant::now();
        let end = epoch + deadline;
        let started = Arc::new(Mutex::new(None));
        let barrier = Arc::new(Barrier::new(clients));
        let (send, results) = mpsc::channel();
        let (connect, call) = (Arc::new(connect), Arc::new(call));
        for c in 0..clients {
            let (stop, done, in_call) = (stop.clone(), done.clone(), in_call.clone());
            let (started, barrier, send) = (started.clone(), barrier.clone(), send.clone());
            let (connect, call) = (connect.clone(), call.clone());
            std::thread::Builder::new()
                .name(format!("{name}-{c}"))
                .spawn(move || {
                    let mut result = ClientResult {
                        state: None,
                        calls: 0,
                        errors: 0,
                        first_errors: Vec::new(),
                        latencies: Latencies::with_capacity(calls.min(1 << 14)),
                    };
                    // A panic is a failure like any other: the thread
                    // must still reach the barrier and report.
                    let connected = catch_unwind(AssertUnwindSafe(|| connect(c)))
                        .unwrap_or_else(|_| Err("connect panicked".to_owned()));
                    barrier.wait();
                    {
                        let mut first = started.lock().unwrap_or_else(PoisonError::into_inner);
                        first.get_or_insert_with(Instant::now);
                    }
                    match connected {
                        Err(e) => {
                            result.first_errors.push(format!("client {c} cannot connect: {e}"))
                        }
                        Ok(mut state) => {
                            for i in 0..calls {
                                if stop.load(Ordering::Relaxed) || Instant::now() >= end {
                                    break;
                                }
                                let t0 = Instant::now();
                                let since = t0.duration_since(epoch).as_micros() as u64;
                                in_call[c].store(since + 1, Ordering::Relaxed);
                                let r = catch_unwind(AssertUnwindSafe(|| call(&mut state, c, i)))
                                    .unwrap_or_else(|_| Err("the call panicked".to_owned()));
                                let took = t0.elapsed();
                                in_call[c].store(0, Ordering::Relaxed);
                                result.latencies.record(took);
                                result.calls += 1;
                                done.fetch_add(1, Ordering::Relaxed);
                                if let Err(e) = r {
                                    result.errors += 1;
                                    if result.first_errors.len() < KEPT_ERRORS {
                                        result
                                            .first_errors
                                            .push(format!("client {c} call {i}: {e}"));
                                    }
                                }
                            }
                            result.state = Some(state);
                        }
                    }
                    let _ = send.send((c, result));
                })
                .expect("a client thread");
        }
        Load {
            name: name.to_owned(),
            clients,
            per_client: calls as u64,
            stop,
            done,
            in_call,
            epoch,
            started,
            results,
        }
    }

    /// Calls completed so far, all clients together.
    pub fn calls_done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// Waits until at least `calls` calls are done, at most `limit`;
    /// false if the time ran out.
    pub fn wait_calls(&self, calls: u64, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        while self.calls_done() < calls {
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        true
    }

    /// The longest time any client has been inside its current call.
    pub fn longest_in_call(&self) -> Duration {
        let now = Instant::now().duration_since(self.epoch).as_micros() as u64;
        let oldest =
            self.in_call.iter().map(|t| t.load(Ordering::Relaxed)).filter(|&t| t > 0).min();
        oldest.map_or(Duration::ZERO, |t| Duration::from_micros(now.saturating_sub(t - 1)))
    }

    /// Asks every client to stop after its current call, then collects
    /// them as [`Load::wait`] does.
    pub fn stop(self, limit: Duration) -> Outcome<S> {
        self.stop.store(true, Ordering::Relaxed);
        self.wait(limit)
    }

    /// Waits for every client to finish, at most `limit`: past it the
    /// test fails, naming how long the oldest call in progress has been
    /// running (the threads are left behind; dropping the servers under
    /// test ends their calls).
    pub fn wait(self, limit: Duration) -> Outcome<S> {
        let end = Instant::now() + limit;
        let mut collected: Vec<Option<ClientResult<S>>> = (0..self.clients).map(|_| None).collect();
        for _ in 0..self.clients {
            let left = end.saturating_duration_since(Instant::now());
            match self.results.recv_timeout(left) {
                Ok((c, result)) => collected[c] = Some(result),
                Err(_) => {
                    self.stop.store(true, Ordering::Relaxed);
                    panic!(
                        "{}: clients still running after {limit:?}; a call has been in \
                         progress for {:?}",
                        self.name,
                        self.longest_in_call()
                    );
                }
            }
        }
        let started = self.started.lock().unwrap_or_else(PoisonError::into_inner).take();
        let elapsed = started.map_or(Duration::ZERO, |s| s.elapsed());
        let mut outcome = Outcome {
            name: self.name.clone(),
            clients: self.clients,
            calls: 0,
            errors: 0,
            first_errors: Vec::new(),
            unmade: 0,
            latencies: Latencies::with_capacity(self.calls_done() as usize),
            elapsed,
            states: Vec::with_capacity(self.clients),
        };
        for result in collected.into_iter().flatten() {
            outcome.calls += result.calls;
            outcome.errors += result.errors;
            outcome.unmade += self.per_client - result.calls;
            outcome.latencies.extend(&result.latencies);
            let room = KEPT_ERRORS.saturating_sub(outcome.first_errors.len());
            outcome.first_errors.extend(result.first_errors.into_iter().take(room));
            outcome.states.push(result.state);
        }
        outcome
    }
}

/// A loopback port free for both TCP and UDP at the time of asking.
pub fn free_port() -> u16 {
    for _ in 0..100 {
        let tcp = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a loopback port");
        let port = tcp.local_addr().expect("its address").port();
        if UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return port;
        }
    }
    panic!("no loopback port free for both TCP and UDP");
}

/// Polls `ready` every 10 ms until it holds, `child` exits (a failure
/// naming `what` and its log) or `limit` passes (likewise).
fn wait_ready(
    what: &str,
    child: &mut Child,
    log: &Path,
    limit: Duration,
    ready: impl Fn() -> bool,
) {
    let end = Instant::now() + limit;
    loop {
        if ready() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} exited at start ({status}): {log}");
        }
        if Instant::now() >= end {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} not ready within {limit:?}: {log}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Starts `command` with its standard error appended to `log`.
fn spawn_logged(command: &mut Command, log: &Path) -> Child {
    let log_file = File::options().create(true).append(true).open(log).expect("a log file");
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"))
}

/// Kills a child with `SIGKILL` (by its pid) and reaps it.
fn kill9(child: Option<Child>) {
    if let Some(mut child) = child {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Stops (`SIGSTOP`) or continues (`SIGCONT`) process `pid`: a daemon
/// that hangs without closing its sockets, then wakes up.
pub fn freeze(pid: u32, frozen: bool) {
    let pid = rustix::process::Pid::from_raw(pid as i32).expect("a positive pid");
    let signal = if frozen { rustix::process::Signal::STOP } else { rustix::process::Signal::CONT };
    rustix::process::kill_process(pid, signal).expect("signalling a child");
}

/// Our `rpcbind` as a child process on a loopback port of its own, with
/// its local socket and state directory in a directory of the test's,
/// always warm-starting (`-w`): a restart restores what the previous run
/// saved. Dropping it kills it.
#[derive(Debug)]
pub struct RpcbindProcess {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl RpcbindProcess {
    /// Starts it keeping its files in `dir`, and waits until it answers
    /// on its local socket and on TCP.
    pub fn start(dir: &Path) -> RpcbindProcess {
        let bin = test_support::workspace_bin("rpcbind");
        let mut daemon =
            RpcbindProcess { bin, dir: dir.to_path_buf(), port: free_port(), child: None };
        daemon.restart();
        daemon
    }

    /// Its TCP and UDP address.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// Its local socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("rpcbind.sock")
    }

    /// Its log (standard error of every run).
    pub fn log(&self) -> PathBuf {
        self.dir.join("rpcbind.log")
    }

    /// A binding client: the local socket for SET, UNSET and DUMP, TCP
    /// for GETADDR; `timeout` per call.
    pub fn binding(&self, timeout: Duration) -> Rpcbind {
        Rpcbind::at(self.addr()).socket(Some(self.socket())).timeout(timeout)
    }

    /// Its pid, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills it with `SIGKILL`.
    pub fn kill9(&mut self) {
        kill9(self.child.take());
    }

    /// Starts it (again, after [`RpcbindProcess::kill9`]) with `-w`, on
    /// the same port, socket and state directory.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "rpcbind is already running");
        let mut command = Command::new(&self.bin);
        command
            .args(["-f", "-w", "--port", &self.port.to_string(), "--socket"])
            .arg(self.socket())
            .arg("--state-dir")
            .arg(self.dir.join("state"));
        let log = self.log();
        let mut child = spawn_logged(&mut command, &log);
        let probe = self.binding(Duration::from_secs(1));
        let tcp = Rpcbind::at(self.addr()).socket(None).timeout(Duration::from_secs(1));
        wait_ready("rpcbind", &mut child, &log, Duration::from_secs(20), || {
            probe.dump().is_ok() && tcp.dump().is_ok()
        });
        self.child = Some(child);
    }
}

impl Drop for RpcbindProcess {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// The example server, `calculator-server`, as a child process on a
/// loopback port of its own (TCP and UDP). Dropping it kills it.
#[derive(Debug)]
pub struct CalculatorProcess {
    addr: SocketAddr,
    child: Option<Child>,
}

impl CalculatorProcess {
    /// Starts it, logging to `log`, and waits until it answers a NULL
    /// call over TCP and over UDP.
    pub fn start(log: &Path) -> CalculatorProcess {
        use calculator::proto::CalculatorCalculatorV1Client as Client;
        let bin = test_support::workspace_bin("calculator-server");
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
        let mut child = spawn_logged(Command::new(bin).arg(addr.to_string()), log);
        wait_ready("calculator-server", &mut child, log, Duration::from_secs(20), || {
            let tcp = oncrpc::clnt::ClientBuilder::new(0, 0)
                .timeout(Duration::from_secs(1))
                .tcp(addr)
                .map(Client::new);
            let udp = oncrpc::clnt::ClientBuilder::new(0, 0)
                .timeout(Duration::from_secs(1))
                .udp(addr)
                .map(Client::new);
            tcp.is_ok_and(|c| c.null().is_ok()) && udp.is_ok_and(|c| c.null().is_ok())
        });
        CalculatorProcess { addr, child: Some(child) }
    }

    /// Its TCP and UDP address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its pid.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }
}

impl Drop for CalculatorProcess {
    fn drop(&mut self) {
        kill9(self.child.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let mut l = Latencies::default();
        assert_eq!(l.percentiles(), Percentiles::default());
        for us in 1..=1000 {
            l.record(Duration::from_micros(us));
        }
        let p = l.percentiles();
        assert_eq!((p.p50, p.p99, p.p999, p.max), (500, 990, 999, 1000));
        assert_eq!(l.count_at_least(Duration::from_micros(991)), 10);
    }

    #[test]
    fn a_load_counts_calls_errors_and_keeps_states() {
        let load = Load::start(
            "unit",
            4,
            10,
            Duration::from_secs(30),
            |c| if c == 3 { Err("refused".to_owned()) } else { Ok(Vec::new()) },
            |seen: &mut Vec<usize>, _, i| {
                seen.push(i);
                if i == 9 { Err("last".to_owned()) } else { Ok(()) }
            },
        );
        let mut out = load.wait(Duration::from_secs(30));
        assert_eq!((out.calls, out.errors, out.unmade), (30, 3, 10));
        assert_eq!(out.states.iter().flatten().map(Vec::len).sum::<usize>(), 30);
        assert!(out.states[3].is_none());
        assert!(
            out.figure(&[("k", "v".into())]).starts_with("FIGURE test=unit clients=4 calls=30")
        );
        assert!(out.figure(&[("k", "v".into())]).ends_with(" k=v"));
    }
}
