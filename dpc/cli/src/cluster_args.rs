//! Where the `dpc ps` command finds the cluster: the name server's node
//! and the portmapper port, from flags or the environment.

use std::net::IpAddr;
use std::time::Duration;

/// How to reach the cluster's name server.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct NamesAt {
    /// The node whose portmapper knows the name server.
    #[arg(long, env = "DPC_NAMES", default_value = "127.0.0.1")]
    pub(crate) names: IpAddr,
    /// Every node's portmapper port.
    #[arg(long = "pmap-port", env = "DPC_PMAP_PORT", default_value_t = 111)]
    pub(crate) pmap_port: u16,
    /// How long to wait for the portmapper and the name server.
    #[arg(long = "timeout-ms", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(1..=dpc::MAX_STEP_TIMEOUT_MS))]
    pub(crate) timeout_ms: u64,
}

impl NamesAt {
    /// The wait bound as a duration.
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}
