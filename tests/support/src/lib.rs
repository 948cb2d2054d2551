//! Support for the interop tests: C peers generated from `.x` files by the
//! system `rpcgen`, compiled with gcc against libtirpc, and run as child
//! processes that are ended by their pid when the test drops them; and
//! golden files, rewritten with `BLESS=1`; and tests isolated in network,
//! mount and pid namespaces of their own, where the system rpcbind and ours
//! run side by side (`portmap`).

mod bins;
pub mod bridge;
mod c_peer;
mod child;
pub mod golden;
pub mod netns;
pub mod portmap;
mod scratch_dir;
mod shared_copy;
mod timed;
mod xdr_driver;

pub use bins::workspace_bin;
pub use c_peer::{CPeer, INSTALL_HINT};
pub use child::Child;
pub use scratch_dir::ScratchDir;
pub use shared_copy::shared_copy;
pub use timed::output_within;
pub use xdr_driver::XdrDriver;
