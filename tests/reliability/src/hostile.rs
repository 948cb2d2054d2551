//! Hostile clients against our daemons, each a process of its own: the
//! example calculator server, our rpcbind, the dpc name server and node
//! daemon, and (in a namespace test, side by side) the system rpcbind.
//!
//! An attack ([`Attack`]) runs against a freshly started [`Target`],
//! bounded in count and in time, while the good client ([`GoodClient`]:
//! a NULL call and a real call on a fresh TCP connection, and over UDP)
//! calls every 50 ms; a new connection the daemon closes before its first
//! answer (making room at its connection limit) is opened again, as a
//! client would, and counted (`good_reconnects`). [`run`] then measures what the RELIABILITY.md table
//! shows, as a [`Figure`] printed on one `FIGURE key=value ...` line:
//!
//! * whether the daemon is still alive;
//! * its memory growth: resident (`VmRSS`), the peak resident size during
//!   the attack (`VmHWM`, reset before it), and virtual (`VmSize`,
//!   `VmPeak`: a gigabyte reserved but never touched shows only there);
//! * its CPU time during the attack;
//! * the good client's slowest and 99th-percentile probe and its
//!   failures, during the attack and once after it.
//!
//! [`Figure::problems`] says what our daemons must not do: die, grow past
//! [`RSS_BOUND_KIB`] resident or [`VIRTUAL_BOUND_KIB`] virtual, make the
//! good client wait past [`GOOD_LIMIT`] or fail it, or misbehave in a way
//! the attack checks (leave a connection open past the record limit,
//! leave a slow client unanswered...). The tests fail on those for ours
//! and only report them for the system rpcbind.

mod attacks;
mod good;
mod memory;
mod remote;
mod targets;
pub mod wire;

use std::any::Any;
use std::fmt;
use std::time::{Duration, Instant};

pub use attacks::{Attack, Outcome, cpu_ms, open_files_limit, with_open_files_limit};
pub use good::{GoodClient, Prober, Probes, udp_call};
pub use memory::{Memory, alive, memory, reset_peak};
pub use remote::{ERROR_REPLY, Exchange, SILENT_PROG, callit_burst, register, sizes, violations};
pub use targets::{
    CALCULATOR, DPC_NAMES, DPC_NODE, Dpc, MAX_CONNECTIONS, PMAP_PROG, calculator, dpc, free_port,
    on_port_111, our_rpcbind,
};

/// The longest a good client's probe (connect, NULL, the real call) may
/// take, during an attack and after it. Loopback calls take tens of
/// microseconds; a second allows for debug builds, the tests of a file
/// running two at a time on two cores, and other load on the machine.
pub const GOOD_LIMIT: Duration = Duration::from_secs(1);

/// How much the resident size (now, and at its peak during the attack)
/// may grow: 16 MiB. What an attack leaves a daemon holding is bounded by
/// what it sent and the daemon has not yet rejected: at most one partial
/// record per connection (the attacks here send a few KiB per
/// connection), a connection's state (under 1 KiB: 1124 idle connections
/// measure about 0.5 MiB), the allocator's per-thread arenas. A daemon that
/// believed the lengths claimed would grow by gigabytes.
pub const RSS_BOUND_KIB: u64 = 16 << 10;

/// How much the virtual size (now, and its peak) may grow: 768 MiB, less
/// than one claimed gigabyte reserved. glibc gives each thread that first
/// allocates an arena of its own, reserving 64 MiB of address space (128
/// MiB for a moment while aligning it), so worker threads that wake for
/// the first time during an attack grow the virtual size by that much
/// each, resident size barely (a warm-up from several threads at once
/// wakes most of them beforehand).
pub const VIRTUAL_BOUND_KIB: u64 = 768 << 10;

/// A call claiming a gigabyte in its arguments, sent to the target's
/// program.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The version called.
    pub vers: u32,
    /// The procedure.
    pub proc_num: u32,
    /// The arguments, with their lying length.
    pub args: Vec<u8>,
}

/// A daemon under attack, running as a process of its own.
pub struct Target {
    /// Its name in the figures (`calculator`, `our-rpcbind`,
    /// `system-rpcbind`, `dpc-names`, `dpc-node`).
    pub name: String,
    /// Its pid, where its memory is read.
    pub pid: u32,
    /// How a well-behaved client calls it (its addresses, its program).
    pub good: GoodClient,
    /// Calls whose arguments claim a gigabyte, for its procedures.
    pub claims: Vec<Claim>,
    /// Its connection limit (attacks open more).
    pub max_connections: usize,
    /// Its largest call record.
    pub max_record: usize,
    /// What keeps it running (the child process, its directory); dropped
    /// with the target, which ends the process by its pid.
    keep: Box<dyn Any>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("name", &self.name)
            .field("pid", &self.pid)
            .field("good", &self.good)
            .finish_non_exhaustive()
    }
}

impl Target {
    /// Ends the target (and whatever was started with it).
    pub fn stop(self) {
        drop(self.keep);
    }
}

/// What one attack did to one target.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The attack's name.
    pub attack: String,
    /// The target's name.
    pub target: String,
    /// Whether the target was alive at the end.
    pub alive: bool,
    /// What the attack sent and saw.
    pub outcome: Outcome,
    /// Memory before the attack (after a warm-up).
    pub before: Memory,
    /// Memory after it (zero when the target died).
    pub after: Memory,
    /// CPU time the target used during the attack, in ms.
    pub cpu_ms: u64,
    /// How long the attack took.
    pub duration: Duration,
    /// The good client during the attack.
    pub probes: Probes,
    /// The good client once after the attack: the slower of its TCP and
    /// UDP probes, or what went wrong.
    pub after_probe: Result<Duration, String>,
    /// The good client's UDP probes may fail during this attack (a flood).
    pub udp_may_drop: bool,
}

impl Figure {
    /// Resident growth, KiB.
    pub fn rss_growth_kib(&self) -> i64 {
        self.after.rss_kib as i64 - self.before.rss_kib as i64
    }

    /// Peak resident growth during the attack, KiB.
    pub fn hwm_growth_kib(&self) -> i64 {
        self.after.hwm_kib as i64 - self.before.rss_kib as i64
    }

    /// Virtual growth, KiB.
    pub fn size_growth_kib(&self) -> i64 {
        self.after.size_kib as i64 - self.before.size_kib as i64
    }

    /// Peak virtual growth, KiB.
    pub fn peak_growth_kib(&self) -> i64 {
        self.after.peak_kib as i64 - self.before.peak_kib as i64
    }

    /// What our daemons must not do and this one did; empty when it held.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if !self.alive {
            p.push("the daemon died".to_owned());
            return p;
        }
        let bound = RSS_BOUND_KIB as i64;
        let vbound = VIRTUAL_BOUND_KIB as i64;
        if self.rss_growth_kib() > bound || self.hwm_growth_kib() > bound {
            p.push(format!(
                "resident memory grew by {} KiB (peak {} KiB), past {bound} KiB",
                self.rss_growth_kib(),
                self.hwm_growth_kib()
            ));
        }
        if self.size_growth_kib() > vbound || self.peak_growth_kib() > vbound {
            p.push(format!(
                "virtual memory grew by {} KiB (peak {} KiB), past {vbound} KiB",
                self.size_growth_kib(),
                self.peak_growth_kib()
            ));
        }
        let limit = GOOD_LIMIT.as_millis() as u64;
        if self.probes.max_ms() > limit {
            p.push(format!("the good client waited {} ms, past {limit} ms", self.probes.max_ms()));
        }
        if let Some(e) = self.probes.tcp_failures.first() {
            let n = self.probes.tcp_failures.len();
            p.push(format!("{n} good TCP probes failed during the attack, first: {e}"));
        }
        if let (false, Some(e)) = (self.udp_may_drop, self.probes.udp_failures.first()) {
            let n = self.probes.udp_failures.len();
            p.push(format!("{n} good UDP probes failed during the attack, first: {e}"));
        }
        if self.probes.tcp.is_empty() {
            p.push("the good client never got through during the attack".to_owned());
        }
        if let Err(e) = &self.after_probe {
            p.push(format!("the good client failed after the attack: {e}"));
        }
        p.extend(self.outcome.misbehaved.iter().cloned());
        p
    }
}

impl fmt::Display for Figure {
    /// `FIGURE attack=... target=... key=value ...`, one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "FIGURE attack={} target={} alive={} sent={} duration_ms={} rss_before_kib={} \
             rss_growth_kib={} hwm_growth_kib={} vmsize_growth_kib={} vmpeak_growth_kib={} \
             cpu_ms={} good_probes={} good_client_max_ms={} good_client_p99_ms={} \
             good_tcp_failures={} good_udp_failures={} good_reconnects={} after_ms={}",
            self.attack,
            self.target,
            self.alive,
            self.outcome.sent,
            self.duration.as_millis(),
            self.before.rss_kib,
            self.rss_growth_kib(),
            self.hwm_growth_kib(),
            self.size_growth_kib(),
            self.peak_growth_kib(),
            self.cpu_ms,
            self.probes.count(),
            self.probes.max_ms(),
            self.probes.p99_ms(),
            self.probes.tcp_failures.len(),
            self.probes.udp_failures.len(),
            self.probes.reconnects,
            match &self.after_probe {
                Ok(d) => d.as_millis().to_string(),
                Err(_) => "failed".to_owned(),
            },
        )?;
        for (key, value) in &self.outcome.notes {
            write!(f, " {key}={}", value.replace(' ', "_"))?;
        }
        if !self.outcome.misbehaved.is_empty() {
            write!(f, " misbehaved={}", self.outcome.misbehaved.len())?;
        }
        Ok(())
    }
}

/// Runs `attack` against `target` and measures it (see the module
/// documentation); prints the FIGURE line.
pub fn run(target: &Target, attack: Attack) -> Figure {
    run_with(target, attack.name(), attack.drops_datagrams(), |t| attack.run(t))
}

/// Runs the attack `name`, done by `attack`, against `target`, and
/// measures it; `udp_may_drop` when the good client's datagrams may be
/// lost to a flood. Prints the FIGURE line.
pub fn run_with(
    target: &Target,
    name: &str,
    udp_may_drop: bool,
    attack: impl FnOnce(&Target) -> Outcome,
) -> Figure {
    // Warm up, from several threads at once: the threads, arenas and
    // buffers a daemon makes on its first calls are not the attack's doing.
    let good = &target.good;
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..10 {
                    let _ = good.over_tcp(GOOD_LIMIT);
                    let _ = good.over_udp(GOOD_LIMIT);
                }
            });
        }
    });
    std::thread::sleep(Duration::from_millis(50));
    reset_peak(target.pid);
    let before = memory(target.pid).unwrap_or_default();
    let cpu_before = cpu_ms(target.pid);
    let prober = Prober::start(target.good.clone(), GOOD_LIMIT * 2);
    let started = Instant::now();
    let outcome = attack(target);
    let duration = started.elapsed();
    let probes = prober.finish();
    let cpu = cpu_ms(target.pid).saturating_sub(cpu_before);
    let after_probe = after_probe(&target.good);
    let alive = alive(target.pid);
    let after = if alive { memory(target.pid).unwrap_or_default() } else { Memory::default() };
    let figure = Figure {
        attack: name.to_owned(),
        target: target.name.clone(),
        alive,
        outcome,
        before,
        after,
        cpu_ms: cpu,
        duration,
        probes,
        after_probe,
        udp_may_drop,
    };
    eprintln!("{figure}");
    for problem in figure.problems() {
        eprintln!("  {}: {problem}", figure.target);
    }
    figure
}

/// The good client once over TCP and UDP, each within [`GOOD_LIMIT`].
fn after_probe(good: &GoodClient) -> Result<Duration, String> {
    let tcp = good.over_tcp(GOOD_LIMIT).map_err(|e| format!("TCP: {e}"))?;
    let udp =
        good.over_udp(GOOD_LIMIT).unwrap_or(Ok(Duration::ZERO)).map_err(|e| format!("UDP: {e}"))?;
    Ok(tcp.max(udp))
}

/// Runs every attack of `attacks` that applies, each against a fresh
/// target from `start`; returns the figures, and the problems of each
/// (`target attack: problem`).
pub fn each_attack(start: impl Fn() -> Target, attacks: &[Attack]) -> (Vec<Figure>, Vec<String>) {
    let mut figures = Vec::new();
    let mut problems = Vec::new();
    for &attack in attacks {
        let target = start();
        if !attack.applies_to(&target) {
            continue;
        }
        let figure = run(&target, attack);
        target.stop();
        problems.extend(
            figure
                .problems()
                .into_iter()
                .map(|p| format!("{} {}: {p}", figure.target, figure.attack)),
        );
        figures.push(figure);
    }
    (figures, problems)
}
