//! Test support shared by the xdr integration tests.

// Each test binary uses a different part of this test-only module.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

pub mod alltypes;
pub mod strategies;
