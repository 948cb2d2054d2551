//! `rpcinfo -m [host]`: the portmapper's statistics (rpcbind v4
//! GETSTAT), in rpcinfo's tables: per version a row of procedure names
//! over a row of counts (`successes/calls` for SET, UNSET, GETADDR and
//! CALLIT), each column a multiple of 8 wide, then the remote-call and
//! address-lookup lists when those procedures were called.

use portmapper::proto::PMAP_PROG;
use portmapper::proto::rpcb_prot::{self, RpcbStat, RpcbStatByvers};

use crate::binding::{MINUTE, contact_rpcbind};
use crate::context::Ctx;
use crate::errors::Outcome;
use crate::etc_rpc::RpcNames;

const PMAP_PROCS: [&str; 6] = ["NULL", "SET", "UNSET", "GETPORT", "DUMP", "CALLIT"];
const RPCB3_PROCS: [&str; 9] =
    ["NULL", "SET", "UNSET", "GETADDR", "DUMP", "CALLIT", "TIME", "U2T", "T2U"];
const RPCB4_PROCS: [&str; 13] = [
    "NULL", "SET", "UNSET", "GETADDR", "DUMP", "CALLIT", "TIME", "U2T", "T2U", "VERADDR",
    "INDRECT", "GETLIST", "GETSTAT",
];

/// Procedure numbers with a success count in front of the call count
/// (the same in all three versions: SET, UNSET, GETPORT/GETADDR, CALLIT).
const SET: usize = 1;
const UNSET: usize = 2;
const GETADDR: usize = 3;
const CALLIT: usize = 5;
const INDIRECT: usize = 10;
const GETADDRLIST: usize = 11;

/// Runs `-m`; operands after the host are ignored, as rpcinfo ignores them.
pub(crate) fn run(operands: &[String], ctx: &mut Ctx<'_>) -> Outcome {
    let host = operands.first().map(String::as_str);
    let (handle, _) = contact_rpcbind(host, None, rpcb_prot::RPCBVERS4, ctx)?;
    let call = (PMAP_PROG, rpcb_prot::RPCBVERS4, rpcb_prot::RPCBPROC_GETSTAT);
    match handle.call::<_, RpcbStatByvers>(call, &(), MINUTE) {
        Ok(stats) => {
            let text = render(&stats, &ctx.names);
            ctx.print(&text);
            Ok(())
        }
        Err(e) => ctx.fail(&e.sperror("rpcinfo: can't contact rpcbind: ")),
    }
}

/// The whole `-m` output.
pub(crate) fn render(stats: &RpcbStatByvers, names: &RpcNames) -> String {
    let [v2, v3, v4] = stats;
    let mut s = String::from("PORTMAP (version 2) statistics\n");
    s += &procedure_rows(v2, &PMAP_PROCS, 0, false);
    s += "\n";
    if v2.info[CALLIT] != 0 {
        s += "PMAP_RMTCALL call statistics\n";
        s += &rmtcall_table(v2, names, false);
        s += "\n";
    }
    if v2.info[GETADDR] != 0 {
        s += "PMAP_GETPORT call statistics\n";
        s += &getaddr_table(v2, names);
        s += "\n";
    }
    s += "RPCBIND (version 3) statistics\n";
    s += &procedure_rows(v3, &RPCB3_PROCS, 0, false);
    s += "\n";
    if v3.info[CALLIT] != 0 {
        s += "RPCB_RMTCALL (version 3) call statistics\n";
        s += &rmtcall_table(v3, names, false);
        s += "\n";
    }
    if v3.info[GETADDR] != 0 {
        s += "RPCB_GETADDR (version 3) call statistics\n";
        s += &getaddr_table(v3, names);
        s += "\n";
    }
    s += "RPCBIND (version 4) statistics\n";
    s += &procedure_rows(v4, &RPCB4_PROCS[..9], 0, true);
    s += &procedure_rows(v4, &RPCB4_PROCS[9..], 9, true);
    if v4.info[CALLIT] != 0 || v4.info[INDIRECT] != 0 {
        s += "\nRPCB_RMTCALL (version 4) call statistics\n";
        s += &rmtcall_table(v4, names, true);
    }
    if v4.info[GETADDR] != 0 {
        s += "\nRPCB_GETADDR (version 4) call statistics\n";
        s += &getaddr_table(v4, names);
    }
    s
}

/// A row of procedure names over a row of counts, for procedures
/// `first..first + procs.len()`. Version 4's GETADDR count includes its
/// GETADDRLIST calls (`v4`), as rpcinfo adds them.
fn procedure_rows(stat: &RpcbStat, procs: &[&str], first: usize, v4: bool) -> String {
    let mut header = String::new();
    let mut counts = String::new();
    for (i, name) in (first..).zip(procs) {
        let mut field = match i {
            SET => format!("{}/", stat.setinfo),
            UNSET => format!("{}/", stat.unsetinfo),
            GETADDR => format!("{}/", successes(stat.addrinfo.iter().map(|a| a.success))),
            CALLIT => format!("{}/", successes(stat.rmtinfo.iter().map(|r| r.success))),
            _ => String::new(),
        };
        let calls = if v4 && i == GETADDR {
            stat.info[i].wrapping_add(stat.info[GETADDRLIST])
        } else {
            stat.info[i]
        };
        field += &calls.to_string();
        let width = 8 * (1 + field.len() / 8);
        header += name;
        header += spaces(width as isize - name.len() as isize);
        counts += &field;
        counts += spaces(width as isize - field.len() as isize);
    }
    format!("{header}\n{counts}\n")
}

/// The sum of C ints.
fn successes(counts: impl Iterator<Item = i32>) -> i32 {
    counts.fold(0, i32::wrapping_add)
}

/// rpcinfo's `spaces`: `n` spaces, none when `n` is out of 1..=64.
fn spaces(n: isize) -> &'static str {
    const SPACES: &str = "                                                                ";
    if n <= 0 || n > 64 { "" } else { &SPACES[..n as usize] }
}

/// The remote calls (`print_rmtcallstat`).
fn rmtcall_table(stat: &RpcbStat, names: &RpcNames, v4: bool) -> String {
    let mut s = String::from(if v4 {
        "prog\t\tvers\tproc\tnetid\tindirect success failure\n"
    } else {
        "prog\t\tvers\tproc\tnetid\tsuccess\tfailure\n"
    });
    for r in &stat.rmtinfo {
        s += &program_column(r.prog, names);
        let netid = String::from_utf8_lossy(r.netid.as_bytes());
        s += &format!("{}\t{}\t{netid}\t", r.vers as i32, r.proc as i32);
        if v4 {
            s += &format!("{}\t ", r.indirect);
        }
        s += &format!("{}\t{}\n", r.success, r.failure);
    }
    s
}

/// The address lookups (`print_getaddrstat`).
fn getaddr_table(stat: &RpcbStat, names: &RpcNames) -> String {
    let mut s = String::from("prog\t\tvers\tnetid\t  success\tfailure\n");
    for a in &stat.addrinfo {
        s += &program_column(a.prog, names);
        let netid = String::from_utf8_lossy(a.netid.as_bytes());
        s += &format!("{}\t{netid}\t  {:<12}\t{}\n", a.vers as i32, a.success, a.failure);
    }
    s
}

/// A program's name, or its number as a C int, in 16 columns.
fn program_column(prog: u32, names: &RpcNames) -> String {
    match names.name(prog) {
        Some(name) => format!("{name:<16}"),
        None => format!("{:<16}", prog as i32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portmapper::proto::rpcb_prot::{RpcbsAddrlist, RpcbsRmtcalllist};

    fn empty() -> RpcbStat {
        RpcbStat::default()
    }

    #[test]
    fn idle_portmapper() {
        let mut v2 = empty();
        v2.info[4] = 1;
        let mut v3 = empty();
        v3.info[4] = 2;
        let mut v4 = empty();
        v4.info[12] = 1;
        let expected = "PORTMAP (version 2) statistics\n\
            NULL    SET     UNSET   GETPORT DUMP    CALLIT  \n\
            0       0/0     0/0     0/0     1       0/0     \n\
            \n\
            RPCBIND (version 3) statistics\n\
            NULL    SET     UNSET   GETADDR DUMP    CALLIT  TIME    U2T     T2U     \n\
            0       0/0     0/0     0/0     2       0/0     0       0       0       \n\
            \n\
            RPCBIND (version 4) statistics\n\
            NULL    SET     UNSET   GETADDR DUMP    CALLIT  TIME    U2T     T2U     \n\
            0       0/0     0/0     0/0     0       0/0     0       0       0       \n\
            VERADDR INDRECT GETLIST GETSTAT \n\
            0       0       0       1       \n";
        assert_eq!(render(&[v2, v3, v4], &RpcNames::default()), expected);
    }

    #[test]
    fn call_lists_and_wide_fields() {
        let names = RpcNames::parse("portmapper 100000\n");
        let mut v2 = empty();
        v2.info[CALLIT] = 8;
        v2.info[GETADDR] = 1;
        let udp = crate::binding::text("udp");
        let call = |prog, vers| RpcbsRmtcalllist {
            prog,
            vers,
            proc: 0,
            success: 4,
            failure: 0,
            indirect: 0,
            netid: udp.clone(),
        };
        v2.rmtinfo = [call(536870913, 3), call(100000, 2)].into_iter().collect();
        v2.addrinfo.push(RpcbsAddrlist {
            prog: 100003,
            vers: 3,
            success: 0,
            failure: 1,
            netid: crate::binding::text("tcp"),
        });
        let mut v4 = empty();
        v4.setinfo = 12345678;
        v4.info[SET] = 123456789;
        v4.info[GETADDR] = 2;
        v4.info[GETADDRLIST] = 3;
        v4.addrinfo = v2.addrinfo.clone();
        let text = render(&[v2, empty(), v4], &names);
        assert!(
            text.starts_with(
                "PORTMAP (version 2) statistics\n\
             NULL    SET     UNSET   GETPORT DUMP    CALLIT  \n\
             0       0/0     0/0     0/1     0       8/8     \n\
             \n\
             PMAP_RMTCALL call statistics\n\
             prog\t\tvers\tproc\tnetid\tsuccess\tfailure\n\
             536870913       3\t0\tudp\t4\t0\n\
             portmapper      2\t0\tudp\t4\t0\n\
             \n\
             PMAP_GETPORT call statistics\n\
             prog\t\tvers\tnetid\t  success\tfailure\n\
             100003          3\ttcp\t  0           \t1\n\
             \n\
             RPCBIND (version 3) statistics\n"
            ),
            "{text}"
        );
        assert!(text.contains(
            "NULL    SET                     UNSET   GETADDR DUMP    CALLIT  TIME    U2T     T2U     \n\
             0       12345678/123456789      0/0     0/5     0       0/0     0       0       0       \n"
        ), "{text}");
        assert!(
            text.ends_with(
                "\nRPCB_GETADDR (version 4) call statistics\n\
             prog\t\tvers\tnetid\t  success\tfailure\n\
             100003          3\ttcp\t  0           \t1\n"
            ),
            "{text}"
        );
    }
}
