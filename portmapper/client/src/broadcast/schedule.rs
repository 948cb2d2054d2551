//! When a broadcast sends: the waits of its rounds, as libtirpc's
//! `rpc_broadcast_exp` times them. Each round sends every call to every
//! destination, then collects replies for its wait.

use std::time::Duration;

/// The wait of each round: `initial`, then doubled round after round for
/// as long as it does not exceed `max`. The first round is always made,
/// even when `initial` exceeds `max`; a zero `initial` makes that the only
/// one (doubling would never grow it). So 4 s and 8 s (libtirpc's
/// `rpc_broadcast`) wait 4 s then 8 s: two sends, 12 s in all.
pub(crate) fn rounds(initial: Duration, max: Duration) -> impl Iterator<Item = Duration> {
    let doubled = |wait: &Duration| if wait.is_zero() { None } else { wait.checked_mul(2) };
    std::iter::successors(Some(initial), doubled)
        .enumerate()
        .take_while(move |&(round, wait)| round == 0 || wait <= max)
        .map(|(_, wait)| wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(waits: impl Iterator<Item = Duration>) -> Vec<f64> {
        waits.map(|w| w.as_secs_f64()).collect()
    }

    #[test]
    fn waits_double_up_to_the_maximum() {
        let s = Duration::from_secs;
        assert_eq!(secs(rounds(s(4), s(8))), [4.0, 8.0]);
        assert_eq!(secs(rounds(s(1), s(7))), [1.0, 2.0, 4.0]);
        assert_eq!(secs(rounds(s(1), s(1))), [1.0]);
        assert_eq!(secs(rounds(Duration::from_millis(250), s(1))), [0.25, 0.5, 1.0]);
    }

    #[test]
    fn there_is_always_a_first_round_and_never_an_endless_one() {
        let s = Duration::from_secs;
        assert_eq!(secs(rounds(s(9), s(8))), [9.0]);
        assert_eq!(secs(rounds(Duration::ZERO, s(8))), [0.0]);
        assert_eq!(rounds(Duration::from_nanos(1), Duration::MAX).count(), 94);
    }
}
