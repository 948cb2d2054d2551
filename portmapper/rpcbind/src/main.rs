//! `rpcbind`: the portmapper daemon. See `rpcbind --help` and the
//! library's documentation.

use std::process::ExitCode;

use clap::Parser;
use rpcbind::{Daemon, Options, detach};

fn main() -> ExitCode {
    let opts = Options::parse();
    env_logger::Builder::new().parse_filters(opts.log_filter()).parse_default_env().init();
    if opts.detaches() {
        return match detach::start_in_background() {
            Ok(()) => ExitCode::SUCCESS,
            Err(why) => {
                eprintln!("rpcbind: {why}");
                ExitCode::FAILURE
            }
        };
    }
    let daemon = Daemon::bind(&opts).and_then(|d| d.drop_privileges().map(|()| d));
    let daemon = match daemon {
        Ok(d) => d,
        Err(e) => {
            if opts.detached {
                detach::report_failure(&e);
            }
            eprintln!("rpcbind: {e}");
            return ExitCode::FAILURE;
        }
    };
    if opts.detached {
        detach::report_ready();
    }
    log::info!("serving on {:?}", daemon.local_addrs());
    match daemon.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("{e}");
            ExitCode::FAILURE
        }
    }
}
