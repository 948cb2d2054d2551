//! [`Options`]: the command line, rpcbind's flags where they apply plus
//! long options for what rpcbind fixes at build time.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Parser};

/// The portmapper's well-known port.
pub const PMAP_PORT: u16 = 111;
/// Where rpcbind listens for local clients.
pub const DEFAULT_SOCKET: &str = "/run/rpcbind.sock";
/// Where the registrations are kept (`-w`), as Debian's rpcbind does.
pub const DEFAULT_STATE_DIR: &str = "/run/rpcbind";
/// How long a forwarded call waits for the service's reply.
pub const FORWARD_TIMEOUT: Duration = Duration::from_secs(5);

/// The rpcbind daemon: maps ONC RPC program numbers to universal
/// addresses (portmap v2, rpcbind v3 and v4).
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(name = "rpcbind", version, disable_help_flag = true)]
pub struct Options {
    /// Stay in the foreground (do not detach); log to standard error.
    #[arg(short = 'f', long = "foreground")]
    pub foreground: bool,

    /// Warm start: restore the registrations saved in the state directory
    /// (they are saved at every change, so this also recovers from a
    /// crash). Without it the daemon starts empty and the saved list is
    /// replaced.
    #[arg(short = 'w', long = "warm-start")]
    pub warm_start: bool,

    /// Insecure mode: take SET and UNSET from any host, not only from
    /// loopback and the local socket.
    #[arg(short = 'i', long = "insecure")]
    pub insecure: bool,

    /// Answer UDP requests only on this address (repeatable); 127.0.0.1
    /// and ::1 are added. TCP always listens on every address.
    #[arg(short = 'h', long = "host", value_name = "ADDR")]
    pub hosts: Vec<String>,

    /// Serve TCP and UDP only on this address (repeatable), instead of
    /// every address; not an rpcbind flag. Lets several portmappers share
    /// a host, one per address (the dpc demo runs one on each of
    /// 127.0.0.1, 127.0.0.2 and 127.0.0.3).
    #[arg(long = "listen", value_name = "ADDR", conflicts_with = "hosts")]
    pub listen: Vec<std::net::IpAddr>,

    /// Debug mode: log in detail, stay in the foreground.
    #[arg(short = 'd', long = "debug")]
    pub debug: bool,

    /// Run as an unprivileged user (see --user) once the sockets are
    /// bound.
    #[arg(short = 's', long = "drop-privileges")]
    pub drop_privileges: bool,

    /// Log every call (who called which procedure).
    #[arg(short = 'l', long = "log-calls")]
    pub log_calls: bool,

    /// Forward remote calls (CALLIT, BCAST, INDIRECT), as Debian's
    /// `rpcbind -r`. Off by default: they are answered as by an rpcbind
    /// built without remote calls.
    #[arg(short = 'r', long = "remote-calls")]
    pub remote_calls: bool,

    /// The TCP and UDP port (0: any free port, different per socket).
    #[arg(long, default_value_t = PMAP_PORT)]
    pub port: u16,

    /// The local (Unix) socket's path.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_SOCKET)]
    pub socket: PathBuf,

    /// Where the registrations are saved, and the lock that keeps a second
    /// daemon out.
    #[arg(long = "state-dir", value_name = "DIR", default_value = DEFAULT_STATE_DIR)]
    pub state_dir: PathBuf,

    /// With -r: the most calls forwarded at once (each holds a thread
    /// while it waits, at most 5 s).
    #[arg(long = "max-forwards", value_name = "N", default_value_t = 16,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub max_forwards: u16,

    /// With -s: the user to run as.
    #[arg(long, value_name = "NAME", default_value = "daemon")]
    pub user: String,

    /// Print help.
    #[arg(long, action = ArgAction::Help)]
    help: Option<bool>,

    /// Internal: this process is the background child of a daemon started
    /// without -f; it reports readiness on standard output.
    #[arg(long, hide = true)]
    pub detached: bool,
}

impl Options {
    /// True when the daemon should detach into the background: neither
    /// `-f` nor `-d`, and not already detached.
    pub fn detaches(&self) -> bool {
        !self.foreground && !self.debug && !self.detached
    }

    /// The default log filter the flags ask for (`RUST_LOG` overrides it).
    pub fn log_filter(&self) -> &'static str {
        match (self.debug, self.log_calls) {
            (true, _) => "debug",
            (false, true) => "info",
            (false, false) => "warn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpcbind_flags_parse() {
        let o = Options::try_parse_from([
            "rpcbind",
            "-f",
            "-w",
            "-i",
            "-h",
            "10.0.0.1",
            "-h",
            "::1",
            "-l",
            "-r",
            "--port",
            "0",
            "--socket",
            "/tmp/s",
            "--state-dir",
            "/tmp/d",
        ])
        .unwrap();
        assert!(o.foreground && o.warm_start && o.insecure && o.log_calls && o.remote_calls);
        assert_eq!(o.hosts, ["10.0.0.1", "::1"]);
        assert_eq!((o.port, o.max_forwards), (0, 16));
        assert!(!o.detaches());
        assert_eq!(o.log_filter(), "info");
        let d = Options::try_parse_from(["rpcbind"]).unwrap();
        assert!(d.detaches() && !d.remote_calls && !d.warm_start);
        assert_eq!((d.port, d.socket.to_str()), (111, Some("/run/rpcbind.sock")));
        assert!(Options::try_parse_from(["rpcbind", "--max-forwards", "0"]).is_err());
        assert!(Options::try_parse_from(["rpcbind", "-x"]).is_err());
    }
}
