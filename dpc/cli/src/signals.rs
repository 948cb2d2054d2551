//! Signal names, as `kill -s` takes them: `TERM`, `SIGTERM` or `15`.

/// Linux's standard signals, by number.
const NAMES: [(&str, i32); 31] = [
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("BUS", 7),
    ("FPE", 8),
    ("KILL", 9),
    ("USR1", 10),
    ("SEGV", 11),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
    ("IO", 29),
    ("PWR", 30),
    ("SYS", 31),
];

/// The number of a signal given by name (with or without `SIG`, any
/// case) or number (0 to 31, or 34 to 64: glibc keeps 32 and 33).
pub(crate) fn parse(text: &str) -> Result<i32, String> {
    if let Ok(n) = text.parse::<i32>() {
        let valid = (0..=31).contains(&n) || (34..=64).contains(&n);
        return if valid { Ok(n) } else { Err(format!("{n}: invalid signal")) };
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, number)| number)
        .ok_or_else(|| format!("{text}: invalid signal specification"))
}

/// The name of signal `number` (`SIGUSR1`), or the number itself.
pub(crate) fn name(number: i32) -> String {
    NAMES
        .iter()
        .find(|(_, n)| *n == number)
        .map_or_else(|| number.to_string(), |(name, _)| format!("SIG{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_parse_as_kill_takes_them() {
        assert_eq!(parse("TERM"), Ok(15));
        assert_eq!(parse("sigusr1"), Ok(10));
        assert_eq!(parse("9"), Ok(9));
        assert_eq!(parse("0"), Ok(0));
        assert!(parse("65").is_err() && parse("32").is_err());
        assert_eq!(parse("34"), Ok(34));
        assert!(parse("NOPE").is_err());
        assert_eq!(name(10), "SIGUSR1");
        assert_eq!(name(40), "40");
    }
}
