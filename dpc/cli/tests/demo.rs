//! `dpc demo`, the README's main job: it must bring a three-node cluster
//! up, signal across it and exit 0, as whoever runs it - as root, also as
//! an unprivileged user (nobody), which is how a newcomer runs it.

#![allow(clippy::unwrap_used)]

use std::os::unix::process::CommandExt;
use std::process::{Command, Output};
use std::time::Duration;

use test_support::netns::is_root;
use test_support::{output_within, shared_copy, workspace_bin};

const LIMIT: Duration = Duration::from_secs(120);
const NOBODY: u32 = 65534;

fn check(output: &Output, who: &str) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "dpc demo as {who} failed:\n{stdout}{stderr}");
    for node in ["127.0.0.1", "127.0.0.2", "127.0.0.3"] {
        assert!(
            stdout.contains(&format!("node {node}: worker pid")),
            "no worker on {node}:\n{stdout}"
        );
    }
    assert_eq!(stdout.matches("delivered and reported").count(), 3, "{stdout}");
    assert!(stdout.contains("no longer resolves"), "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("100 signals from node 127.0.0.1 to node 127.0.0.2 in ")
            && last.contains("the 2005 paper: 3000 ms per 100 signals"),
        "last line: {last}"
    );
}

#[test]
fn demo_runs_and_exits_zero() {
    let dpc = workspace_bin("dpc");
    check(&output_within(Command::new(&dpc).arg("demo"), LIMIT), "this user");
    if is_root() {
        let mut as_nobody = Command::new(shared_copy(&dpc));
        as_nobody.arg("demo").uid(NOBODY).gid(NOBODY).current_dir("/");
        check(&output_within(&mut as_nobody, LIMIT), "nobody");
    } else {
        eprintln!("demo_runs_and_exits_zero: already unprivileged, no second run as nobody");
    }
}
