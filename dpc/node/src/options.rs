//! [`Options`]: the daemon's command line (`dpc node --help`).

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How the node daemon runs.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// This node's address: the daemon's TCP listener binds it, the name
    /// server records it as the node of this node's processes, and this
    /// node's portmapper listens on it.
    #[arg(long, value_name = "IP")]
    pub address: IpAddr,

    /// The TCP port the daemon listens on (0: any free port; other nodes
    /// find it through this node's portmapper).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,

    /// The node whose portmapper knows where the name server listens.
    #[arg(long, value_name = "IP")]
    pub names: IpAddr,

    /// The port of every node's portmapper.
    #[arg(long, value_name = "N", default_value_t = 111)]
    pub pmap_port: u16,

    /// The local socket of `regist`, `uregist` and `kill_d` (mode 0666; a
    /// stale socket file is replaced, one a server listens on is an
    /// error).
    #[arg(long, value_name = "PATH", default_value = dpc::DEFAULT_SOCKET)]
    pub socket: PathBuf,

    /// This node's portmapper's local socket, tried first when the daemon
    /// registers itself.
    #[arg(long, value_name = "PATH", default_value = "/run/rpcbind.sock")]
    pub rpcbind_socket: PathBuf,

    /// The bound, in milliseconds, on each connect and call to the name
    /// server, a portmapper or another node's daemon.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 2000,
        value_parser = clap::value_parser!(u64).range(1..=dpc::MAX_STEP_TIMEOUT_MS)
    )]
    pub timeout_ms: u64,

    /// Take SIGNAL calls from any source port even when running as root
    /// (by default a root daemon believes only callers bound to a reserved
    /// port, below 1024, which only root can bind).
    #[arg(long)]
    pub insecure: bool,

    /// The most processes one user may have registered with this daemon
    /// at once (all users together: 65536).
    #[arg(long = "max-per-user", value_name = "N", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub max_per_user: u32,
}

impl Options {
    /// [`Options::timeout_ms`] as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        options: Options,
    }

    #[test]
    fn defaults_and_required_addresses() {
        let cli = Cli::try_parse_from(["node", "--address", "10.0.0.2", "--names", "10.0.0.1"]);
        let opts = cli.unwrap().options;
        assert_eq!(opts.pmap_port, 111);
        assert_eq!(opts.port, 0);
        assert_eq!(opts.socket, PathBuf::from(dpc::DEFAULT_SOCKET));
        assert_eq!(opts.rpcbind_socket, PathBuf::from("/run/rpcbind.sock"));
        assert_eq!(opts.timeout(), Duration::from_secs(2));
        assert!(!opts.insecure);
        assert!(Cli::try_parse_from(["node", "--names", "10.0.0.1"]).is_err());
        let zero = ["node", "--address", "::1", "--names", "::1", "--timeout-ms", "0"];
        assert!(Cli::try_parse_from(zero).is_err());
    }
}
