//! The command line: rpcinfo's `getopt("a:bdlmn:pstT:u")` options and
//! operands, parsed with clap, and rpcinfo's diagnostics and usage
//! message when they do not make sense.

use std::ffi::OsString;
use std::io::Write;

use clap::{ArgAction, Parser};

use crate::errors::Exit;
use crate::operands;

/// rpcinfo's usage message.
pub(crate) const USAGE: &str = "\
Usage: rpcinfo [-m | -s] [host]
       rpcinfo -p [host]
       rpcinfo -T netid host prognum [versnum]
       rpcinfo -l host prognum versnum
       rpcinfo [-n portnum] -u | -t host prognum [versnum]
       rpcinfo -a serv_address -T netid prognum [version]
       rpcinfo -b prognum versnum
       rpcinfo -d [-T netid] prognum versnum
";

/// The options with an argument, and those without.
const WITH_ARGUMENT: &str = "anT";
const FLAGS: &str = "bdlmpstu";

#[derive(Debug, Parser)]
#[command(name = "rpcinfo", disable_help_flag = true, disable_version_flag = true)]
struct Cli {
    /// Ping the program at this universal address.
    #[arg(short = 'a', action = ArgAction::Append, allow_hyphen_values = true)]
    address: Vec<String>,
    /// Broadcast to every portmapper of the local networks.
    #[arg(short = 'b', action = ArgAction::Count)]
    broadcast: u8,
    /// Delete a registration.
    #[arg(short = 'd', action = ArgAction::Count)]
    delete: u8,
    /// List the addresses of a program (GETADDRLIST).
    #[arg(short = 'l', action = ArgAction::Count)]
    addrlist: u8,
    /// Print the portmapper's statistics.
    #[arg(short = 'm', action = ArgAction::Count)]
    stats: u8,
    /// Port number (accepted and ignored, as rpcinfo does).
    #[arg(short = 'n', action = ArgAction::Append, allow_hyphen_values = true)]
    port: Vec<String>,
    /// Dump the portmap v2 registrations.
    #[arg(short = 'p', action = ArgAction::Count)]
    pmapdump: u8,
    /// Concise dump of the registrations.
    #[arg(short = 's', action = ArgAction::Count)]
    short: u8,
    /// Ping over TCP.
    #[arg(short = 't', action = ArgAction::Count)]
    tcp: u8,
    /// The transport to use.
    #[arg(short = 'T', action = ArgAction::Append, allow_hyphen_values = true)]
    netid: Vec<String>,
    /// Ping over UDP.
    #[arg(short = 'u', action = ArgAction::Count)]
    udp: u8,
    /// Host, program, version, as the function needs.
    operands: Vec<String>,
}

/// What rpcinfo was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Function {
    /// No option, at most one operand: rpcbind dump.
    RpcbDump,
    /// `-s`.
    RpcbDumpShort,
    /// `-p`.
    PmapDump,
    /// `-t`.
    TcpPing,
    /// `-u`.
    UdpPing,
    /// `-b`.
    Broadcast,
    /// `-d`.
    Delete,
    /// `-a uaddr`.
    AddrPing(String),
    /// No option, two or more operands (needs `-T`).
    ProgPing,
    /// `-l`.
    AddrList,
    /// `-m`.
    GetStat,
}

/// A command line that made sense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invocation {
    pub(crate) function: Function,
    /// `-T`: the last one given.
    pub(crate) netid: Option<String>,
    /// The operands after the options.
    pub(crate) operands: Vec<String>,
}

/// Parses `argv` (program name first). On a mistake, writes rpcinfo's
/// diagnostics and usage to `err` and returns [`Exit`].
pub(crate) fn parse(argv: &[OsString], err: &mut dyn Write) -> Result<Invocation, Exit> {
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(_) => {
            let program = argv.first().map(|a| a.to_string_lossy()).unwrap_or_default();
            for problem in getopt_diagnostics(argv) {
                let _ = writeln!(err, "{program}: {problem}");
            }
            return usage(err);
        }
    };
    // getopt reads -n as it meets it; a bad one ends rpcinfo at once.
    let mut port = 0;
    for p in &cli.port {
        port = operands::portnum(p, err)?;
    }
    let chosen = [
        (cli.pmapdump, Function::PmapDump),
        (cli.tcp, Function::TcpPing),
        (cli.udp, Function::UdpPing),
        (cli.broadcast, Function::Broadcast),
        (cli.delete, Function::Delete),
        (cli.addrlist, Function::AddrList),
        (cli.stats, Function::GetStat),
        (cli.short, Function::RpcbDumpShort),
    ]
    .into_iter()
    .flat_map(|(count, f)| std::iter::repeat_n(f, count.into()))
    .chain(cli.address.iter().map(|a| Function::AddrPing(a.clone())))
    .collect::<Vec<_>>();
    let netid = cli.netid.last().cloned();
    let function = match chosen.as_slice() {
        [] if cli.operands.len() > 1 => Function::ProgPing,
        [] => Function::RpcbDump,
        [Function::AddrPing(_)] if netid.is_none() => return usage(err),
        [Function::PmapDump] if port != 0 => return usage(err),
        [one] => one.clone(),
        _ => return usage(err),
    };
    Ok(Invocation { function, netid, operands: cli.operands })
}

/// Writes the usage message; rpcinfo then exits with status 1.
pub(crate) fn usage<T>(err: &mut dyn Write) -> Result<T, Exit> {
    let _ = err.write_all(USAGE.as_bytes());
    Err(Exit)
}

/// What GNU `getopt` prints (after the program name) about a command
/// line clap refused: each unknown option letter and each option left
/// without its argument, in order. Operands may come between options.
fn getopt_diagnostics(argv: &[OsString]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut args = argv.iter().skip(1).map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        let Some(letters) = arg.strip_prefix('-').filter(|l| !l.is_empty()) else { continue };
        for (at, c) in letters.char_indices() {
            if FLAGS.contains(c) {
                continue;
            }
            if !WITH_ARGUMENT.contains(c) {
                problems.push(format!("invalid option -- '{c}'"));
                continue;
            }
            if at + c.len_utf8() == letters.len() && args.next().is_none() {
                problems.push(format!("option requires an argument -- '{c}'"));
            }
            break;
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(line: &str) -> Result<Invocation, String> {
        let argv: Vec<OsString> = line.split_whitespace().map(OsString::from).collect();
        let mut err = Vec::new();
        parse(&argv, &mut err).map_err(|_| String::from_utf8(err).unwrap())
    }

    fn function(line: &str) -> Function {
        run(line).unwrap().function
    }

    #[test]
    fn functions() {
        assert_eq!(function("rpcinfo"), Function::RpcbDump);
        assert_eq!(function("rpcinfo host"), Function::RpcbDump);
        assert_eq!(function("rpcinfo host 1"), Function::ProgPing);
        assert_eq!(function("rpcinfo host -s"), Function::RpcbDumpShort);
        assert_eq!(function("rpcinfo -n 0 -p"), Function::PmapDump);
        assert_eq!(
            function("rpcinfo -a 1.2.3.4.0.1 -T tcp 1"),
            Function::AddrPing("1.2.3.4.0.1".into())
        );
        let inv = run("rpcinfo -T udp -Ttcp -t h 1").unwrap();
        assert_eq!((inv.function, inv.netid.as_deref()), (Function::TcpPing, Some("tcp")));
        assert_eq!(run("rpcinfo -T -p").unwrap().netid.as_deref(), Some("-p"));
        assert_eq!(run("rpcinfo -- -s").unwrap().operands, ["-s"]);
    }

    #[test]
    fn mistakes_print_usage() {
        for line in ["rpcinfo -p -s", "rpcinfo -p -p", "rpcinfo -a 1 1", "rpcinfo -n 12 -p"] {
            assert_eq!(run(line).unwrap_err(), USAGE, "{line}");
        }
        assert_eq!(
            run("rpcinfo -n abc -t h 1").unwrap_err(),
            "rpcinfo: abc is illegal port number\n"
        );
    }

    #[test]
    fn getopt_wording() {
        let err = run("/usr/sbin/rpcinfo -px h -T").unwrap_err();
        let expected = "/usr/sbin/rpcinfo: invalid option -- 'x'\n\
            /usr/sbin/rpcinfo: option requires an argument -- 'T'\n";
        assert_eq!(err, format!("{expected}{USAGE}"));
        let err = run("rpcinfo --foo").unwrap_err();
        assert!(err.starts_with(
            "rpcinfo: invalid option -- '-'\nrpcinfo: invalid option -- 'f'\n\
             rpcinfo: invalid option -- 'o'\nrpcinfo: invalid option -- 'o'\nUsage"
        ));
        assert!(
            run("rpcinfo -t h 100000 -1")
                .unwrap_err()
                .starts_with("rpcinfo: invalid option -- '1'\n")
        );
    }
}
