//! The library behind the `dpc` command: [`cluster::LocalCluster`], a
//! whole cluster on this host's loopback addresses, which `dpc demo`,
//! `dpc bench` and the tests bring up; [`worker`], the processes they
//! signal.

pub mod cluster;
pub mod worker;
