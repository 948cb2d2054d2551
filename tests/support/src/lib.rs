//! Support for the interop tests: C peers generated from `.x` files by the
//! system `rpcgen`, compiled with gcc against libtirpc, and run as child
//! processes that are ended by their pid when the test drops them.

mod c_peer;
mod child;

pub use c_peer::{CPeer, INSTALL_HINT};
pub use child::Child;
