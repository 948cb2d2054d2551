//! `dpc`: distributed process communication from the shell.
//!
//! ```text
//! dpc ps                  every registered process in the cluster
//! dpc kill [-s SIG] PID_D send a signal to a process on any node
//! dpc demo                a local three-node cluster, signals across it
//! dpc bench               the 2005 paper's experiment, and throughput
//! dpc name-server ...     run the cluster's name server
//! dpc node ...            run this node's daemon
//! dpc worker              a process that registers and reports its signals
//! ```

// A command-line program: it prints its results on stdout.
#![allow(clippy::print_stdout)]

mod bench;
mod cluster_args;
mod daemons;
mod demo;
mod kill;
mod ps;
mod signals;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Distributed process communication: cluster-wide process ids and
/// signals to processes on any node.
#[derive(Debug, Parser)]
#[command(name = "dpc", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List every registered process in the cluster (PID_D, NODE, PID).
    Ps(cluster_args::NamesAt),
    /// Send a signal to a process on any node, through this node's daemon
    /// ($DPC_SOCKET, default /run/dpc.sock), with your own rights.
    Kill(kill::KillArgs),
    /// Bring up a three-node cluster on 127.0.0.1-3 (no root needed),
    /// signal workers across it, time it against the 2005 paper, shut
    /// down.
    Demo,
    /// The paper's experiment (runs of 100 signals to another node) and
    /// the throughput of concurrent senders, on a local cluster.
    Bench(bench::BenchArgs),
    /// Run the cluster's name server (in the foreground).
    NameServer(dpc_names::Options),
    /// Run this node's daemon (in the foreground).
    Node(dpc_node::Options),
    /// A process that registers with this node's daemon ($DPC_SOCKET),
    /// prints its pid_d and then one line per signal it receives, until
    /// SIGTERM or SIGINT.
    Worker,
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let result = match Cli::parse().command {
        Command::Ps(at) => ps::run(&at),
        Command::Kill(args) => kill::run(&args),
        Command::Demo => demo::run(),
        Command::Bench(args) => bench::run(&args),
        Command::NameServer(opts) => daemons::name_server(&opts),
        Command::Node(opts) => daemons::node(&opts),
        Command::Worker => dpc_cli::worker::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dpc: {e}");
            ExitCode::FAILURE
        }
    }
}
