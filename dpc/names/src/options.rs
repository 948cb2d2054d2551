//! [`Options`]: the name server's command line (`dpc name-server`).

use std::net::IpAddr;
use std::path::PathBuf;

/// How the name server listens, where it keeps its table, and how it
/// advertises itself.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Address the TCP listener binds (0.0.0.0: every IPv4 address).
    #[arg(long, value_name = "IP", default_value = "0.0.0.0")]
    pub listen: IpAddr,
    /// TCP port to listen on (0: any free port; clients find it through
    /// the portmapper).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,
    /// The store: a database file holding every registration; its parent
    /// directories are created. One name server at a time may use it.
    #[arg(long, value_name = "PATH", default_value = "/var/lib/dpc/names.redb")]
    pub db: PathBuf,
    /// Port of this node's portmapper, which the name server registers
    /// with.
    #[arg(long, value_name = "N", default_value_t = 111)]
    pub pmap_port: u16,
    /// Local socket of this node's portmapper, tried before its TCP port.
    #[arg(long, value_name = "PATH", default_value = "/run/rpcbind.sock")]
    pub rpcbind_socket: PathBuf,
    /// Do not register with the portmapper (clients must be told the
    /// port).
    #[arg(long)]
    pub no_advertise: bool,
    /// Take REGISTER and UNREGISTER from any source port even when running
    /// as root (by default a root name server believes only callers bound
    /// to a reserved port: node daemons running as root).
    #[arg(long)]
    pub insecure: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        options: Options,
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let o = Cli::parse_from(["dpc-names"]).options;
        assert_eq!(o.listen, IpAddr::from([0, 0, 0, 0]));
        assert_eq!(o.port, 0);
        assert_eq!(o.db, PathBuf::from("/var/lib/dpc/names.redb"));
        assert_eq!(o.pmap_port, 111);
        assert_eq!(o.rpcbind_socket, PathBuf::from("/run/rpcbind.sock"));
        assert!(!o.no_advertise);
    }

    #[test]
    fn every_option_parses() {
        let o = Cli::parse_from([
            "dpc-names",
            "--listen",
            "::1",
            "--port",
            "4000",
            "--db",
            "/tmp/x.redb",
            "--pmap-port",
            "1111",
            "--rpcbind-socket",
            "/tmp/r.sock",
            "--no-advertise",
        ])
        .options;
        assert_eq!(o.listen, "::1".parse::<IpAddr>().unwrap());
        assert_eq!((o.port, o.pmap_port), (4000, 1111));
        assert_eq!(o.db, PathBuf::from("/tmp/x.redb"));
        assert_eq!(o.rpcbind_socket, PathBuf::from("/tmp/r.sock"));
        assert!(o.no_advertise);
        assert!(Cli::try_parse_from(["dpc-names", "--listen", "localhost"]).is_err());
    }
}
