//! `rpcinfo [-s] [-T netid] [host]`: the rpcbind registrations (DUMP,
//! version 3, then 4 or portmap v2 as the portmapper's version range
//! says), as a table or, with `-s`, one line per program.

use portmapper::proto::PMAP_PROG;
use portmapper::proto::pmap_prot::{self, PmaplistPtr};
use portmapper::proto::rpcb_prot::{self, RpcblistPtr};

use crate::args::{self, Invocation};
use crate::binding::{MINUTE, contact_rpcbind};
use crate::context::Ctx;
use crate::errors::{Outcome, Stat};
use crate::etc_rpc::RpcNames;
use crate::handle::Handle;

/// One registration, as rpcinfo prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) prog: u32,
    pub(crate) vers: u32,
    pub(crate) netid: String,
    pub(crate) addr: String,
    pub(crate) owner: String,
}

/// Runs the dump; `short` for `-s`.
pub(crate) fn run(inv: &Invocation, short: bool, ctx: &mut Ctx<'_>) -> Outcome {
    let host = match inv.operands.as_slice() {
        [] => None,
        [host] => Some(host.as_str()),
        _ => return args::usage(ctx.err),
    };
    let (handle, _) = contact_rpcbind(host, inv.netid.as_deref(), rpcb_prot::RPCBVERS, ctx)?;
    let rows = match fetch(&handle) {
        Ok(rows) => rows,
        Err(e) => return ctx.fail(&e.sperror("rpcinfo: can't contact rpcbind: ")),
    };
    let text = if rows.is_empty() {
        "No remote programs registered.\n".to_owned()
    } else if short {
        short_table(&rows, &ctx.names)
    } else {
        long_table(&rows, &ctx.names)
    };
    ctx.print(&text);
    Ok(())
}

/// DUMP in version 3; on a version mismatch, version 4 if the
/// portmapper's lowest is 4, portmap v2 if its highest is 2, else
/// nothing (rpcinfo then reports no programs).
fn fetch(handle: &Handle) -> Result<Vec<Row>, crate::errors::RpcErr> {
    let dump = |vers| {
        handle.call::<_, RpcblistPtr>((PMAP_PROG, vers, rpcb_prot::RPCBPROC_DUMP), &(), MINUTE)
    };
    let list = match dump(rpcb_prot::RPCBVERS) {
        Ok(list) => list,
        Err(e) if matches!(e.stat, Stat::ProgVersMismatch | Stat::ProgUnavail) => match e.vers() {
            (rpcb_prot::RPCBVERS4, _) => dump(rpcb_prot::RPCBVERS4)?,
            (_, pmap_prot::PMAP_VERS) => {
                let call = (PMAP_PROG, pmap_prot::PMAP_VERS, pmap_prot::PMAPPROC_DUMP);
                let list = handle.call::<_, PmaplistPtr>(call, &(), MINUTE)?;
                return Ok(from_portmap(&list));
            }
            _ => RpcblistPtr::default(),
        },
        Err(e) => return Err(e),
    };
    Ok(list
        .iter()
        .map(|n| Row {
            prog: n.rpcb_map.r_prog,
            vers: n.rpcb_map.r_vers,
            netid: lossy(&n.rpcb_map.r_netid),
            addr: lossy(&n.rpcb_map.r_addr),
            owner: lossy(&n.rpcb_map.r_owner),
        })
        .collect())
}

/// Portmap v2 mappings as rpcinfo converts them: wildcard IPv4
/// addresses, owner `unknown`, other protocols as a number in 6 columns.
fn from_portmap(list: &PmaplistPtr) -> Vec<Row> {
    list.iter()
        .map(|n| {
            let m = &n.map;
            let netid = match m.prot {
                pmap_prot::IPPROTO_UDP => "udp".to_owned(),
                pmap_prot::IPPROTO_TCP => "tcp".to_owned(),
                other => format!("{other:6}"),
            };
            let addr = format!("0.0.0.0.{}.{}", (m.port >> 8) & 0xff, m.port & 0xff);
            Row { prog: m.prog, vers: m.vers, netid, addr, owner: "unknown".to_owned() }
        })
        .collect()
}

/// The default table.
pub(crate) fn long_table(rows: &[Row], names: &RpcNames) -> String {
    let mut s =
        String::from("   program version netid     address                service    owner\n");
    for r in rows {
        let name = names.name(r.prog).unwrap_or("-");
        s += &format!(
            "{:>10}{:>5}    {:<9} {:<22} {:<10} {}\n",
            r.prog, r.vers, r.netid, r.addr, name, r.owner
        );
    }
    s
}

/// The `-s` table: per program, in order of first appearance, its
/// versions and netids each newest-seen first, and the first owner. A
/// version list of 10 characters or more runs into the netids, as in
/// rpcbind 1.2.6's rpcinfo (later ones put a space between).
pub(crate) fn short_table(rows: &[Row], names: &RpcNames) -> String {
    struct Prog<'r> {
        prog: u32,
        versions: Vec<u32>,
        netids: Vec<&'r str>,
        owner: &'r str,
    }
    let mut progs: Vec<Prog<'_>> = Vec::new();
    for r in rows {
        let at = match progs.iter().position(|p| p.prog == r.prog) {
            Some(at) => at,
            None => {
                progs.push(Prog {
                    prog: r.prog,
                    versions: vec![],
                    netids: vec![],
                    owner: &r.owner,
                });
                progs.len() - 1
            }
        };
        let p = &mut progs[at];
        if !p.versions.contains(&r.vers) {
            p.versions.insert(0, r.vers);
        }
        if !p.netids.contains(&r.netid.as_str()) {
            p.netids.insert(0, &r.netid);
        }
    }
    let mut s =
        String::from("   program version(s) netid(s)                         service     owner\n");
    for p in &progs {
        // Versions are C ints here.
        let versions =
            p.versions.iter().map(|v| (*v as i32).to_string()).collect::<Vec<_>>().join(",");
        let name = names.name(p.prog).unwrap_or("-");
        s += &format!(
            "{:>10}  {versions:<10}{:<32} {:<11} {}\n",
            p.prog,
            netid_list(&p.netids),
            name,
            p.owner
        );
    }
    s
}

/// The netids joined by commas in rpcinfo's 256-byte buffer.
fn netid_list(netids: &[&str]) -> String {
    let mut buf = String::new();
    let mut room = 255usize;
    for (i, netid) in netids.iter().enumerate() {
        buf.push_str(&netid[..netid.len().min(room)]);
        if netid.len() < room {
            room -= netid.len();
        } else {
            break;
        }
        if i + 1 < netids.len() && room > 1 {
            buf.push(',');
            room -= 1;
        }
    }
    buf
}

fn lossy(s: &xdr::ByteString) -> String {
    String::from_utf8_lossy(s.as_bytes()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(prog: u32, vers: u32, netid: &str, addr: &str, owner: &str) -> Row {
        Row { prog, vers, netid: netid.into(), addr: addr.into(), owner: owner.into() }
    }

    fn sample() -> Vec<Row> {
        vec![
            row(100000, 4, "tcp6", "::.0.111", "superuser"),
            row(100000, 3, "tcp6", "::.0.111", "superuser"),
            row(100000, 4, "udp", "0.0.0.0.0.111", "superuser"),
            row(100000, 2, "tcp", "0.0.0.0.0.111", "superuser"),
            row(100000, 3, "local", "/run/rpcbind.sock", "superuser"),
            row(300001, 7, "tcp6", "::.4.1", "1000"),
            row(536870913, 2, "udp", "0.0.0.0.249.3", "unknown"),
            row(536870913, 4294967295, "udp", "0.0.0.0.249.3", "unknown"),
        ]
    }

    fn names() -> RpcNames {
        RpcNames::parse("portmapper 100000 sunrpc\n")
    }

    #[test]
    fn long_table_columns() {
        let expected = "   program version netid     address                service    owner\n\
            \x20   100000    4    tcp6      ::.0.111               portmapper superuser\n\
            \x20   100000    3    tcp6      ::.0.111               portmapper superuser\n\
            \x20   100000    4    udp       0.0.0.0.0.111          portmapper superuser\n\
            \x20   100000    2    tcp       0.0.0.0.0.111          portmapper superuser\n\
            \x20   100000    3    local     /run/rpcbind.sock      portmapper superuser\n\
            \x20   300001    7    tcp6      ::.4.1                 -          1000\n\
            \x20536870913    2    udp       0.0.0.0.249.3          -          unknown\n\
            \x205368709134294967295    udp       0.0.0.0.249.3          -          unknown\n";
        assert_eq!(long_table(&sample(), &names()), expected);
    }

    #[test]
    fn short_table_columns() {
        let expected = "   program version(s) netid(s)                         service     owner\n\
            \x20   100000  2,3,4     local,tcp,udp,tcp6               portmapper  superuser\n\
            \x20   300001  7         tcp6                             -           1000\n\
            \x20536870913  -1,2      udp                              -           unknown\n";
        assert_eq!(short_table(&sample(), &names()), expected);
    }

    #[test]
    fn long_version_lists_push_the_netids() {
        let rows: Vec<Row> = (1..=6).map(|v| row(7, v * 1000, "udp", "a", "o")).collect();
        let table = short_table(&rows, &RpcNames::default());
        assert!(table.ends_with("         7  6000,5000,4000,3000,2000,1000udp                              -           o\n"), "{table}");
    }

    #[test]
    fn netid_buffer_is_bounded() {
        let long = "n".repeat(200);
        let joined = netid_list(&[&long, &long]);
        assert_eq!(joined.len(), 255);
        assert_eq!(netid_list(&["a", "b"]), "a,b");
    }

    #[test]
    fn portmap_entries_convert_like_rpcinfo() {
        let list = [
            pmap_prot::Mapping { prog: 100003, vers: 3, prot: 6, port: 2049 },
            pmap_prot::Mapping { prog: 5, vers: 1, prot: 99, port: 7 },
        ]
        .map(|map| pmap_prot::Pmaplist { map })
        .into_iter()
        .collect();
        assert_eq!(
            from_portmap(&list),
            [
                row(100003, 3, "tcp", "0.0.0.0.8.1", "unknown"),
                row(5, 1, "    99", "0.0.0.0.0.7", "unknown")
            ]
        );
    }
}
