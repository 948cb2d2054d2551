//! What the benchmark binaries share: interleaved rounds, medians, and
//! the units their tables print.

use std::time::Duration;

/// How many times each measurement is repeated; the median is reported.
pub const ROUNDS: usize = 7;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs every measurement ROUNDS times, interleaved round by round so that
/// a burst of noise on this shared machine hits all of them alike, and
/// returns each one's median time per call.
pub fn measured_together<const N: usize>(
    mut measures: [&mut dyn FnMut() -> Duration; N],
) -> [Duration; N] {
    let mut samples: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::with_capacity(ROUNDS));
    for _ in 0..ROUNDS {
        for (measure, samples) in measures.iter_mut().zip(&mut samples) {
            samples.push(measure());
        }
    }
    samples.map(median)
}

/// A time per call in microseconds.
pub fn micros(d: Duration) -> String {
    format!("{:.1} us", d.as_secs_f64() * 1e6)
}

/// A time per call as calls per second.
pub fn rate(d: Duration) -> String {
    format!("{:.0} calls/s", 1.0 / d.as_secs_f64())
}
