//! The system `rpcinfo`, flag by flag, against the system rpcbind and
//! ours, each in the test's own namespaces with the same registrations
//! (`common::register_sample`): every command exits as expected and prints
//! what the registrations imply, and every output is the same from both
//! daemons - nothing is normalised: the sample's addresses and ports are
//! fixed, and both daemons see the same calls in the same order, so even
//! `rpcinfo -m`'s counters must agree.
//!
//! `-b` (broadcast) is left out: in a namespace it either fails before
//! sending ("broadcast failed: RPC: Unknown protocol", loopback only) or
//! waits for its full broadcast timeout, whatever the daemon.

// Test code: a panic is how a failure is reported.
#![allow(clippy::unwrap_used)]

mod common;

use common::{CPeers, Outcome, PROG_ARG, register_sample, rpcinfo};
use test_support::netns;
use test_support::portmap::each_portmapper;

/// One rpcinfo run: its arguments, its exit code, lines (or fragments)
/// its stdout or stderr must contain and ones it must not.
struct Case {
    args: &'static [&'static str],
    code: i32,
    contains: &'static [&'static str],
    absent: &'static [&'static str],
}

const fn case(
    args: &'static [&'static str],
    code: i32,
    contains: &'static [&'static str],
    absent: &'static [&'static str],
) -> Case {
    Case { args, code, contains, absent }
}

/// "program 536872823 version 1 ready and waiting".
const READY: &str = "program 536872823 version 1 ready and waiting";

/// In order: the commands run one after another against one daemon.
const CASES: &[Case] = &[
    case(
        &[],
        0,
        &[
            "    100000    4    local     /run/rpcbind.sock      portmapper superuser",
            "    300001    1    tcp       127.0.0.1.3.1          -          superuser",
            "    300001    2    udp       0.0.0.0.3.2            -          superuser",
            "    300001    3    local     /run/pm300001.sock     -          superuser",
            "    100003    3    tcp       0.0.0.0.8.1            nfs        superuser",
            "    300004    1    tcp6      ::1.3.8                -          superuser",
            "    300002    1    udp       0.0.0.0.3.5            -          65534",
            "    300003    1    udp       0.0.0.0.3.7            -          unknown",
            " 536872823    1    tcp       0.0.0.0.156.65         -          superuser",
            " 536872823    1    udp       0.0.0.0.156.66         -          superuser",
        ],
        &[],
    ),
    case(
        &["127.0.0.1"],
        0,
        &["    300002    1    udp       0.0.0.0.3.5            -          65534"],
        &[],
    ),
    case(
        &["-p"],
        0,
        &[
            "   program vers proto   port  service",
            "    100000    2   udp    111  portmapper",
            "    300001    1   tcp    769",
            "    300001    2   udp    770",
            "    100003    3   tcp   2049  nfs",
            " 536872823    1   tcp  40001",
        ],
        &["300004"],
    ),
    case(&["-p", "127.0.0.1"], 0, &["    300003    1   udp    775"], &[]),
    case(
        &["-s"],
        0,
        &[
            "    100000  2,3,4     local,udp,tcp,udp6,tcp6          portmapper  superuser",
            "    100003  3         tcp                              nfs         superuser",
            "    300002  1         udp                              -           65534",
        ],
        &[],
    ),
    case(
        &["-s", "127.0.0.1"],
        0,
        &["    300003  1         udp                              -           unknown"],
        &[],
    ),
    case(&["-m"], 0, &["PORTMAP (version 2) statistics", "RPCBIND (version 4) statistics"], &[]),
    case(&["-T", "tcp", "127.0.0.1", PROG_ARG], 0, &[READY], &[]),
    case(&["-T", "udp", "127.0.0.1", PROG_ARG, "1"], 0, &[READY], &[]),
    case(
        &["-T", "local", "127.0.0.1", "100000", "4"],
        0,
        &["program 100000 version 4 ready and waiting"],
        &[],
    ),
    case(&["-t", "127.0.0.1", PROG_ARG], 0, &[READY], &[]),
    case(&["-u", "127.0.0.1", PROG_ARG, "1"], 0, &[READY], &[]),
    case(&["-t", "127.0.0.1", "100000"], 0, &["program 100000 version 4 ready and waiting"], &[]),
    case(&["-n", "40001", "-t", "127.0.0.1", PROG_ARG, "1"], 0, &[READY], &[]),
    case(&["-a", "127.0.0.1.156.66", "-T", "udp", PROG_ARG, "1"], 0, &[READY], &[]),
    case(
        &["-l", "127.0.0.1", PROG_ARG, "1"],
        0,
        &[
            "   program vers  tp_family/name/class    address\t\t  service",
            " 536872823  1    inet/tcp/cots_ord       127.0.0.1.156.65         -",
            " 536872823  1    inet/udp/clts           127.0.0.1.156.66         -",
        ],
        &[],
    ),
    case(&["-l", "127.0.0.1", "300001", "3"], 0, &[], &[]),
    case(&["-t", "127.0.0.1", "300009"], 1, &["127.0.0.1: RPC: Program not registered"], &[]),
    case(
        &["-u", "127.0.0.1", PROG_ARG, "7"],
        1,
        &[
            "rpcinfo: RPC: Program/version mismatch; low version = 1, high version = 1",
            "program 536872823 version 7 is not available",
        ],
        &[],
    ),
    case(&["-d", "300001", "1"], 0, &[], &[]),
    case(&["-d", "-T", "udp", "300001", "2"], 0, &[], &[]),
    case(&["-p"], 0, &["    300003    1   udp    775"], &["300001"]),
    case(
        &["-s"],
        0,
        &["    300001  3         local                            -           superuser"],
        &[],
    ),
    case(&["-m"], 0, &["RPCBIND (version 3) statistics"], &[]),
];

#[test]
fn system_rpcinfo_against_both_daemons() {
    let Some(proof) = netns::isolate("system_rpcinfo_against_both_daemons") else { return };
    let peers = CPeers::build("rpcinfo_flags");
    let outputs = each_portmapper(&proof, |pm| {
        let _daemon = pm.start(&proof, &[]);
        let _server = register_sample(&peers);
        let mut failures = Vec::new();
        let mut outputs = Vec::new();
        for case in CASES {
            let out = rpcinfo(case.args);
            if let Err(why) = check(case, &out) {
                failures.push(format!("rpcinfo {:?}: {why}\n{out}", case.args));
            }
            outputs.push(out);
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        outputs
    });
    let differences: Vec<String> = CASES
        .iter()
        .zip(outputs.system.iter().zip(&outputs.ours))
        .filter(|(_, (system, ours))| system != ours)
        .map(|(case, (system, ours))| {
            format!("rpcinfo {:?}\n--- system rpcbind: {system}--- ours: {ours}", case.args)
        })
        .collect();
    assert!(
        differences.is_empty(),
        "the system rpcinfo prints differently with our rpcbind:\n{}",
        differences.join("\n")
    );
}

/// Checks one run against its case.
fn check(case: &Case, out: &Outcome) -> Result<(), String> {
    if out.code != Some(case.code) {
        return Err(format!("exit {:?}, expected {}", out.code, case.code));
    }
    let text = format!("{}{}", out.stdout, out.stderr);
    let lines: Vec<&str> = text.lines().collect();
    // A whole expected line must be a whole line; a fragment (no leading
    // blank) may be anywhere.
    let found = |want: &str| {
        if want.starts_with(' ') {
            lines.iter().any(|l| l.trim_end() == want)
        } else {
            text.contains(want)
        }
    };
    match (case.contains.iter().find(|w| !found(w)), case.absent.iter().find(|w| text.contains(*w)))
    {
        (Some(missing), _) => Err(format!("no {missing:?}")),
        (None, Some(unwanted)) => Err(format!("unexpected {unwanted:?}")),
        (None, None) => Ok(()),
    }
}
