//! A calculator service generated from `calculator.x` by rpcgen (see
//! `build.rs`), with an implementation shared by the server binary and the
//! tests.
//!
//! * `cargo run -p calculator --bin calculator-server` serves on
//!   127.0.0.1:4751 (TCP and UDP);
//! * `cargo run -p calculator --bin calculator-client -- add 2 3` calls it.

/// The code rpcgen generates from `calculator.x`: types, codecs, the
/// client (`CalculatorCalculatorV1Client`) and the server trait
/// (`CalculatorCalculatorV1`) with its dispatcher.
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/calculator.rs"));
}

use oncrpc::svc::{CallContext, ProcError};
use oncrpc::xdr::ByteString;
use proto::{CalcResult, CalcStatus, NumberList, Numbers, Stats};

/// The address the example server listens on by default.
pub const DEFAULT_ADDR: &str = "127.0.0.1:4751";

/// The calculator: stateless.
#[derive(Debug, Clone, Copy, Default)]
pub struct Calculator;

fn checked(value: Option<i64>, otherwise: CalcStatus) -> CalcResult {
    match value {
        Some(v) => CalcResult::CalcOk(v),
        None => CalcResult::Default(otherwise),
    }
}

impl proto::CalculatorCalculatorV1 for Calculator {
    fn add(&self, _ctx: &CallContext, a: i64, b: i64) -> Result<CalcResult, ProcError> {
        Ok(checked(a.checked_add(b), CalcStatus::CalcOverflow))
    }

    fn sub(&self, _ctx: &CallContext, a: i64, b: i64) -> Result<CalcResult, ProcError> {
        Ok(checked(a.checked_sub(b), CalcStatus::CalcOverflow))
    }

    fn mul(&self, _ctx: &CallContext, a: i64, b: i64) -> Result<CalcResult, ProcError> {
        Ok(checked(a.checked_mul(b), CalcStatus::CalcOverflow))
    }

    fn div(&self, _ctx: &CallContext, a: i64, b: i64) -> Result<CalcResult, ProcError> {
        if b == 0 {
            return Ok(CalcResult::Default(CalcStatus::CalcDivByZero));
        }
        Ok(checked(a.checked_div(b), CalcStatus::CalcOverflow))
    }

    fn summarize(&self, _ctx: &CallContext, numbers: Numbers) -> Result<Stats, ProcError> {
        let mut stats = Stats::default();
        for node in &numbers {
            stats.count += 1;
            stats.sum = stats.sum.wrapping_add(node.value);
        }
        if stats.count > 0 {
            stats.mean = stats.sum as f64 / f64::from(stats.count);
        }
        Ok(stats)
    }

    fn hello(&self, _ctx: &CallContext, name: ByteString<64>) -> Result<ByteString, ProcError> {
        let mut greeting = b"Hello, ".to_vec();
        greeting.extend_from_slice(&name);
        greeting.push(b'!');
        ByteString::new(greeting).map_err(|_| ProcError::SystemErr)
    }
}

/// A list for `SUMMARIZE` from numbers (empty: the NULL pointer).
pub fn number_list(values: &[i64]) -> Numbers {
    values.iter().map(|&value| NumberList { value }).collect()
}
