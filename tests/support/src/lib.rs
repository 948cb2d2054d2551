//! Support for the interop tests: C peers generated from `.x` files by the
//! system `rpcgen`, compiled with gcc against libtirpc, and run as child
//! processes that are ended by their pid when the test drops them; and
//! golden files, rewritten with `BLESS=1`.

mod c_peer;
mod child;
pub mod golden;
mod xdr_driver;

pub use c_peer::{CPeer, INSTALL_HINT};
pub use child::Child;
pub use xdr_driver::XdrDriver;
