//! Shared pieces of the reliability tests: [`hostile`] (misbehaving
//! peers) and [`load`] (many clients, faults under load).

pub mod hostile;
pub mod load;
