//! A network segment of several hosts: a bridge in the test's network
//! namespace, with the test's own address on it, and hosts
//! ([`crate::netns::Host`]) whose links are ports of the bridge - so a
//! broadcast from the test, or from any host, reaches every host.
//! Everything lives in the test's namespaces and goes with them.

use std::process::Command;

use crate::netns::{Host, Isolated};

/// A bridge in the test's network namespace.
#[derive(Debug)]
pub struct Bridge {
    name: String,
}

impl Bridge {
    /// Creates bridge `name`, up, with the test's address `addr` on it
    /// (a /24, with its broadcast address).
    pub fn create(_proof: &Isolated, name: &str, addr: &str) -> Bridge {
        ip(&["link", "add", name, "type", "bridge"]);
        ip(&["addr", "add", &format!("{addr}/24"), "brd", "+", "dev", name]);
        ip(&["link", "set", name, "up"]);
        Bridge { name: name.to_owned() }
    }

    /// Creates host `name` with address `addr` (a /24, with its broadcast
    /// address) on this bridge: the test's end of the host's link becomes
    /// a port of the bridge, without an address of its own.
    pub fn attach(&self, proof: &Isolated, name: &str, addr: &str) -> Host {
        // Host::create gives the test's end an address; the bridge's
        // port gives it up.
        let host = Host::create(proof, name, addr, addr);
        let (here, there) = (format!("{name}-a"), format!("{name}-b"));
        ip(&["addr", "flush", "dev", &here]);
        ip(&["link", "set", &here, "master", &self.name]);
        let with_broadcast = [&format!("{addr}/24"), "brd", "+", "dev", &there];
        run(host.command("ip").args(["addr", "replace"]).args(with_broadcast));
        host
    }
}

fn ip(args: &[&str]) {
    run(Command::new("ip").args(args));
}

fn run(command: &mut Command) {
    let status = command.status().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(status.success(), "{command:?} failed: {status}");
}
