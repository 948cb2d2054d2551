//! `dpc name-server` and `dpc node`: the daemons, in the foreground, until
//! SIGTERM or SIGINT, when they stop cleanly (their portmapper
//! registrations removed).

use std::error::Error;

use oncrpc::svc::ShutdownTrigger;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Runs the cluster's name server.
pub(crate) fn name_server(opts: &dpc_names::Options) -> Result<(), Box<dyn Error>> {
    let server = dpc_names::NameServer::bind(opts)?;
    stop_on_signals(server.shutdown_trigger())?;
    log::info!("name server on {}", server.tcp_addr());
    Ok(server.run()?)
}

/// Runs this node's daemon.
pub(crate) fn node(opts: &dpc_node::Options) -> Result<(), Box<dyn Error>> {
    let daemon = dpc_node::NodeDaemon::bind(opts)?;
    stop_on_signals(daemon.shutdown_trigger())?;
    log::info!("node daemon for {} on {:?}", opts.address, daemon.tcp_addr());
    Ok(daemon.run()?)
}

/// Has SIGTERM or SIGINT pull `trigger`.
fn stop_on_signals(trigger: ShutdownTrigger) -> std::io::Result<()> {
    let mut signals = Signals::new([SIGTERM, SIGINT])?;
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            trigger.shutdown();
        }
    });
    Ok(())
}
