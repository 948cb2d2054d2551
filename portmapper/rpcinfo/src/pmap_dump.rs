//! `rpcinfo -p [host]`: the portmap v2 registrations (DUMP, version 2).

use portmapper::proto::PMAP_PROG;
use portmapper::proto::pmap_prot::{self, Mapping, PmaplistPtr};

use crate::args::{self, Invocation};
use crate::binding::{MINUTE, ip_getclient, rpcinfo_local};
use crate::context::Ctx;
use crate::errors::{Exit, Outcome, Stat};
use crate::etc_rpc::RpcNames;

/// Runs `-p`.
pub(crate) fn run(inv: &Invocation, ctx: &mut Ctx<'_>) -> Outcome {
    let host = match inv.operands.as_slice() {
        [] => None,
        [host] => Some(host.as_str()),
        _ => return args::usage(ctx.err),
    };
    let handle = match host {
        Some(host) => ip_getclient(host, (PMAP_PROG, pmap_prot::PMAP_VERS), "tcp")
            .map_err(|e| e.spcreateerror(host)),
        None => rpcinfo_local(pmap_prot::PMAP_VERS)
            .map_err(|e| e.spcreateerror("rpcinfo: can't contact portmapper")),
    };
    let handle = match handle {
        Ok(h) => h,
        Err(message) => return ctx.fail(&message),
    };
    let call = (PMAP_PROG, pmap_prot::PMAP_VERS, pmap_prot::PMAPPROC_DUMP);
    let list = match handle.call::<_, PmaplistPtr>(call, &(), MINUTE) {
        Ok(list) => list,
        Err(e) if matches!(e.stat, Stat::ProgVersMismatch | Stat::ProgUnavail) => {
            if e.vers().0 > pmap_prot::PMAP_VERS {
                // glibc prints a null host as "(null)".
                let host = host.unwrap_or("(null)");
                return ctx.fail(&format!(
                    "{host} does not support portmapper.  Try rpcinfo {host} instead"
                ));
            }
            return Err(Exit);
        }
        Err(e) => return ctx.fail(&e.sperror("rpcinfo: can't contact portmapper")),
    };
    let maps: Vec<Mapping> = list.iter().map(|n| n.map).collect();
    let text = if maps.is_empty() {
        "No remote programs registered.\n".to_owned()
    } else {
        table(&maps, &ctx.names)
    };
    ctx.print(&text);
    Ok(())
}

/// The `-p` table.
pub(crate) fn table(maps: &[Mapping], names: &RpcNames) -> String {
    let mut s = String::from("   program vers proto   port  service\n");
    for m in maps {
        let proto = match m.prot {
            pmap_prot::IPPROTO_UDP => "udp".to_owned(),
            pmap_prot::IPPROTO_TCP => "tcp".to_owned(),
            other => other.to_string(),
        };
        s += &format!("{:>10}{:>5}{proto:>6}{:>7}", m.prog, m.vers, m.port);
        match names.name(m.prog) {
            Some(name) => s += &format!("  {name}\n"),
            None => s += "\n",
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns() {
        let maps = [
            Mapping { prog: 100000, vers: 2, prot: 6, port: 111 },
            Mapping { prog: 536870913, vers: 3, prot: 17, port: 63747 },
            Mapping { prog: 7, vers: 1, prot: 33, port: 5 },
        ];
        let names = RpcNames::parse("portmapper 100000\n");
        assert_eq!(
            table(&maps, &names),
            "   program vers proto   port  service\n\
             \x20   100000    2   tcp    111  portmapper\n\
             \x20536870913    3   udp  63747\n\
             \x20        7    1    33      5\n"
        );
    }
}
