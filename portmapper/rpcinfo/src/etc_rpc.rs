//! `/etc/rpc`: program names, numbers and aliases, as `getrpcbyname`
//! and `getrpcbynumber` read them. A missing file names nothing.

use std::path::Path;

/// Where the names live.
pub(crate) const ETC_RPC: &str = "/etc/rpc";

/// One line of `/etc/rpc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RpcEnt {
    pub(crate) name: String,
    pub(crate) number: u32,
    pub(crate) aliases: Vec<String>,
}

/// The entries of an `/etc/rpc` file, in file order.
#[derive(Debug, Clone, Default)]
pub(crate) struct RpcNames {
    entries: Vec<RpcEnt>,
}

impl RpcNames {
    /// Reads `path`; an unreadable file gives no names.
    pub(crate) fn load(path: impl AsRef<Path>) -> RpcNames {
        std::fs::read(path)
            .map(|bytes| RpcNames::parse(&String::from_utf8_lossy(&bytes)))
            .unwrap_or_default()
    }

    /// Parses the text of an `/etc/rpc` file: `name number aliases...`,
    /// `#` starting a comment; lines without a name and a number are
    /// skipped, and the number is read as `atoi` reads it.
    pub(crate) fn parse(text: &str) -> RpcNames {
        let entries = text
            .lines()
            .filter_map(|line| {
                let line = line.split('#').next().unwrap_or("");
                let mut words = line.split([' ', '\t']).filter(|w| !w.is_empty());
                let name = words.next()?;
                let number = atoi(words.next()?);
                Some(RpcEnt {
                    name: name.to_owned(),
                    number,
                    aliases: words.map(str::to_owned).collect(),
                })
            })
            .collect();
        RpcNames { entries }
    }

    /// `getrpcbynumber`: the first entry with this number.
    pub(crate) fn by_number(&self, number: u32) -> Option<&RpcEnt> {
        self.entries.iter().find(|e| e.number == number)
    }

    /// `getrpcbyname`: the first entry with this name or alias.
    pub(crate) fn by_name(&self, name: &str) -> Option<&RpcEnt> {
        self.entries.iter().find(|e| e.name == name || e.aliases.iter().any(|a| a == name))
    }

    /// The name of program `number`, if it has one.
    pub(crate) fn name(&self, number: u32) -> Option<&str> {
        self.by_number(number).map(|e| e.name.as_str())
    }
}

/// C's `atoi` cast to the 32-bit `r_number`: leading digits after an
/// optional sign, 0 when there are none.
fn atoi(word: &str) -> u32 {
    let (negative, digits) = match word.as_bytes().first() {
        Some(b'-') => (true, &word[1..]),
        Some(b'+') => (false, &word[1..]),
        _ => (false, word),
    };
    let value = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0u32, |n, d| n.wrapping_mul(10).wrapping_add(u32::from(d - b'0')));
    if negative { value.wrapping_neg() } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# comment line\n\
        portmapper\t100000\tportmap sunrpc rpcbind\n\
        nfs\t\t100003\tnfsprog # trailing comment\n\
        \n\
        lonely\n\
        mountd  100005 mount showmount\n\
        nfs2 100003\n";

    #[test]
    fn parses_names_numbers_and_aliases() {
        let names = RpcNames::parse(SAMPLE);
        assert_eq!(names.name(100000), Some("portmapper"));
        assert_eq!(names.by_name("sunrpc").map(|e| e.number), Some(100000));
        assert_eq!(names.by_name("nfsprog").map(|e| e.number), Some(100003));
        assert_eq!(names.by_name("showmount").map(|e| e.name.as_str()), Some("mountd"));
        assert_eq!(names.by_name("lonely"), None);
        assert_eq!(names.by_name("trailing"), None);
        // The first entry of a number wins.
        assert_eq!(names.name(100003), Some("nfs"));
        assert_eq!(names.name(42), None);
    }

    #[test]
    fn missing_file_names_nothing() {
        let names = RpcNames::load("/nonexistent/etc/rpc");
        assert_eq!(names.name(100000), None);
    }

    #[test]
    fn numbers_read_like_atoi() {
        assert_eq!(atoi("100000"), 100000);
        assert_eq!(atoi("12abc"), 12);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi("-1"), u32::MAX);
    }
}
