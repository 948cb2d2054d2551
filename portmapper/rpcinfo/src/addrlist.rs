//! `rpcinfo -l [-T netid] host prog vers`: every address of a program
//! version (rpcbind v4 GETADDRLIST).

use portmapper::proto::PMAP_PROG;
use portmapper::proto::rpcb_prot::{self, Rpcb, RpcbEntry, RpcbEntryListPtr};

use crate::args::{self, Invocation};
use crate::binding::{MINUTE, contact_rpcbind, text};
use crate::context::Ctx;
use crate::errors::Outcome;
use crate::etc_rpc::RpcNames;
use crate::handle::Addr;
use crate::operands;

/// Runs `-l`.
pub(crate) fn run(inv: &Invocation, ctx: &mut Ctx<'_>) -> Outcome {
    let [host, prog, vers] = inv.operands.as_slice() else { return args::usage(ctx.err) };
    let (handle, target) =
        contact_rpcbind(Some(host), inv.netid.as_deref(), rpcb_prot::RPCBVERS4, ctx)?;
    let prog = operands::prognum(prog, &ctx.names, ctx.err)? as u32;
    let vers = operands::versnum(vers, ctx.err)? as u32;
    // The address rpcbind was reached at goes along, as rpcinfo sends it.
    let parms = Rpcb {
        r_prog: prog,
        r_vers: vers,
        r_netid: text(handle.nc.netid),
        r_addr: text(&target.map(|t| Addr::Inet(t).uaddr()).unwrap_or_default()),
        r_owner: text(""),
    };
    let call = (PMAP_PROG, rpcb_prot::RPCBVERS4, rpcb_prot::RPCBPROC_GETADDRLIST);
    let list = match handle.call::<_, RpcbEntryListPtr>(call, &parms, MINUTE) {
        Ok(list) => list,
        Err(e) => return ctx.fail(&e.sperror("rpcinfo: can't contact rpcbind: ")),
    };
    let entries: Vec<RpcbEntry> = list.into_iter().map(|n| n.rpcb_entry_map).collect();
    let text = if entries.is_empty() {
        "No remote programs registered.\n".to_owned()
    } else {
        table((prog, vers), &entries, &ctx.names)
    };
    ctx.print(&text);
    Ok(())
}

/// The `-l` table.
pub(crate) fn table((prog, vers): (u32, u32), entries: &[RpcbEntry], names: &RpcNames) -> String {
    let mut s = String::from("   program vers  tp_family/name/class    address\t\t  service\n");
    let name = names.name(prog).unwrap_or("-");
    for e in entries {
        let class = match e.r_nc_semantics {
            rpcb_prot::NC_TPI_CLTS => "clts",
            rpcb_prot::NC_TPI_COTS => "cots",
            _ => "cots_ord",
        };
        let transport = format!(
            "{}/{}/{class} ",
            String::from_utf8_lossy(e.r_nc_protofmly.as_bytes()),
            String::from_utf8_lossy(e.r_nc_proto.as_bytes())
        );
        let maddr = String::from_utf8_lossy(e.r_maddr.as_bytes());
        s += &format!("{prog:>10}{vers:>3}    {transport:<24}{maddr:<24} {name:<13}\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(maddr: &str, semantics: u32, fmly: &str, proto: &str) -> RpcbEntry {
        RpcbEntry {
            r_maddr: text(maddr),
            r_nc_netid: text(""),
            r_nc_semantics: semantics,
            r_nc_protofmly: text(fmly),
            r_nc_proto: text(proto),
        }
    }

    #[test]
    fn table_columns() {
        let entries = [
            entry("127.0.0.1.0.111", 3, "inet", "tcp"),
            entry("127.0.0.1.0.111", 1, "inet", "udp"),
            entry("/run/rpcbind.sock", 2, "loopback", "-"),
        ];
        let names = RpcNames::parse("portmapper 100000\n");
        assert_eq!(
            table((100000, 2), &entries, &names),
            "   program vers  tp_family/name/class    address\t\t  service\n\
             \x20   100000  2    inet/tcp/cots_ord       127.0.0.1.0.111          portmapper   \n\
             \x20   100000  2    inet/udp/clts           127.0.0.1.0.111          portmapper   \n\
             \x20   100000  2    loopback/-/cots         /run/rpcbind.sock        portmapper   \n"
        );
        assert!(table((9, 1), &entries[..1], &names).ends_with(" -            \n"));
    }
}
