//! The host name of an address as glibc's `getnameinfo` (no flags)
//! finds it with `hosts: files dns`: `/etc/hosts`, else a DNS PTR query
//! to the name servers of `/etc/resolv.conf`; the numeric address when
//! the name does not exist, and `None` when no server could answer
//! (`EAI_AGAIN`, which rpcinfo prints as `unknown`).

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

/// glibc's resolver defaults: 5 s per try, 2 tries.
const TIMEOUT: Duration = Duration::from_secs(5);
const ATTEMPTS: usize = 2;

/// DNS record type PTR, class IN, and the NXDOMAIN response code.
const PTR: u16 = 12;
const IN: u16 = 1;
const NXDOMAIN: u8 = 3;

/// The name of `ip`, its numeric form when it has none, or `None` when
/// the lookup failed.
pub(crate) fn name_of(ip: IpAddr) -> Option<String> {
    if let Some(name) = from_hosts(&std::fs::read_to_string("/etc/hosts").unwrap_or_default(), ip) {
        return Some(name);
    }
    let resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    let mut servers: Vec<SocketAddr> = resolv
        .lines()
        .filter_map(|l| l.strip_prefix("nameserver"))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .map(|a| SocketAddr::new(a, 53))
        .take(3)
        .collect();
    if servers.is_empty() {
        servers.push(SocketAddr::from(([127, 0, 0, 1], 53)));
    }
    let query = ptr_query(ip, std::process::id() as u16);
    for _ in 0..ATTEMPTS {
        for server in &servers {
            match ask(*server, &query) {
                Some(Answer::Name(name)) => return Some(name),
                Some(Answer::NoName) => return Some(ip.to_string()),
                None => {}
            }
        }
    }
    None
}

/// The canonical name of `ip` in the text of an `/etc/hosts` file.
fn from_hosts(text: &str, ip: IpAddr) -> Option<String> {
    text.lines().find_map(|line| {
        let mut words = line.split('#').next()?.split_whitespace();
        let addr: IpAddr = words.next()?.parse().ok()?;
        (addr == ip).then(|| words.next().map(str::to_owned)).flatten()
    })
}

#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Name(String),
    NoName,
}

fn ask(server: SocketAddr, query: &[u8]) -> Option<Answer> {
    let any: SocketAddr = if server.is_ipv6() { "[::]:0" } else { "0.0.0.0:0" }.parse().ok()?;
    let socket = UdpSocket::bind(any).ok()?;
    socket.connect(server).ok()?;
    socket.set_read_timeout(Some(TIMEOUT)).ok()?;
    socket.send(query).ok()?;
    let mut buf = [0u8; 1500];
    loop {
        let n = socket.recv(&mut buf).ok()?;
        if buf[..n].get(..2) == query.get(..2) {
            return parse_reply(&buf[..n]);
        }
    }
}

/// A PTR query for `ip` with id `id`, recursion desired.
fn ptr_query(ip: IpAddr, id: u16) -> Vec<u8> {
    let labels: Vec<String> = match ip {
        IpAddr::V4(v4) => {
            let mut l: Vec<String> = v4.octets().iter().rev().map(u8::to_string).collect();
            l.extend(["in-addr".into(), "arpa".into()]);
            l
        }
        IpAddr::V6(v6) => {
            let mut l: Vec<String> = v6
                .octets()
                .iter()
                .rev()
                .flat_map(|b| [format!("{:x}", b & 0xf), format!("{:x}", b >> 4)])
                .collect();
            l.extend(["ip6".into(), "arpa".into()]);
            l
        }
    };
    let mut q = Vec::new();
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in &labels {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&PTR.to_be_bytes());
    q.extend_from_slice(&IN.to_be_bytes());
    q
}

/// The first PTR name of a reply; `NoName` for NXDOMAIN or no PTR
/// record; `None` for a server failure or a malformed reply.
fn parse_reply(msg: &[u8]) -> Option<Answer> {
    let rcode = msg.get(3)? & 0x0f;
    if rcode == NXDOMAIN {
        return Some(Answer::NoName);
    }
    if rcode != 0 {
        return None;
    }
    let count = |at: usize| Some(u16::from_be_bytes([*msg.get(at)?, *msg.get(at + 1)?]));
    let (questions, answers) = (count(4)?, count(6)?);
    let mut at = 12;
    for _ in 0..questions {
        at = read_name(msg, at)?.1 + 4;
    }
    for _ in 0..answers {
        let (_, next) = read_name(msg, at)?;
        let kind = count(next)?;
        let len = usize::from(count(next + 8)?);
        let data = next + 10;
        if kind == PTR {
            return Some(Answer::Name(read_name(msg, data)?.0));
        }
        at = data + len;
    }
    Some(Answer::NoName)
}

/// A possibly compressed domain name at `at`: its text and the offset
/// after it.
fn read_name(msg: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut labels = Vec::new();
    let mut end = None;
    for _ in 0..128 {
        let len = *msg.get(at)?;
        match len {
            0 => return Some((labels.join("."), end.unwrap_or(at + 1))),
            l if l & 0xc0 == 0xc0 => {
                end.get_or_insert(at + 2);
                at = usize::from(u16::from_be_bytes([l & 0x3f, *msg.get(at + 1)?]));
            }
            l => {
                let label = msg.get(at + 1..at + 1 + usize::from(l))?;
                labels.push(String::from_utf8_lossy(label).into_owned());
                at += 1 + usize::from(l);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_file_names() {
        let hosts = "# c\n127.0.0.1 localhost\n10.0.0.5\tbox box.lan # x\n::1 ip6-localhost\n";
        assert_eq!(from_hosts(hosts, "10.0.0.5".parse().unwrap()), Some("box".into()));
        assert_eq!(from_hosts(hosts, "::1".parse().unwrap()), Some("ip6-localhost".into()));
        assert_eq!(from_hosts(hosts, "10.0.0.6".parse().unwrap()), None);
    }

    #[test]
    fn ptr_answers_with_compression() {
        let query = ptr_query("10.9.0.2".parse().unwrap(), 0x1234);
        assert_eq!(&query[12..], b"\x012\x010\x019\x0210\x07in-addr\x04arpa\x00\x00\x0c\x00\x01");
        let mut reply = query.clone();
        reply[2] = 0x81;
        reply[3] = 0x80;
        reply[7] = 1;
        // Answer: name pointer to the question, PTR IN, ttl, rdata "host.lan".
        reply.extend_from_slice(&[0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 60, 0, 10]);
        reply.extend_from_slice(b"\x04host\x03lan\x00");
        assert_eq!(parse_reply(&reply), Some(Answer::Name("host.lan".into())));
        reply[3] = 0x83;
        assert_eq!(parse_reply(&reply), Some(Answer::NoName));
        reply[3] = 0x82;
        assert_eq!(parse_reply(&reply), None);
    }
}
