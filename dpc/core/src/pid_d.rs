//! [`PidD`]: a cluster-wide process id.

use std::fmt;
use std::str::FromStr;

/// A cluster-wide process id, as the name server hands them out: positive,
/// unique in the cluster and never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PidD(pub i64);

impl fmt::Display for PidD {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for PidD {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<PidD, Self::Err> {
        s.parse().map(PidD)
    }
}
