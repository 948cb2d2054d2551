//! The C interface of dpc: `libdpc.so` and `libdpc.a` export exactly the
//! three calls of `include/dpc.h`, `regist`, `uregist` and `kill_d`,
//! each returning -1 with `errno` set on failure (see [`api::Error::errno`]
//! for the values). They call this node's daemon through the Rust API.

use api::{Error, PidD};

/// Sets `errno` for `error` and returns C's failure value.
fn fail(error: &Error) -> i64 {
    errno::set_errno(errno::Errno(error.errno()));
    -1
}

/// `pid_d regist(void)`: registers the calling process; its new pid_d, or
/// -1 with `errno` set.
// The C symbol must be exactly `regist`: an unmangled name is the only
// unsafe part, and the function itself takes no pointers.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn regist() -> i64 {
    api::regist().map_or_else(|e| fail(&e), |id| id.0)
}

/// `int uregist(pid_d id)`: unregisters the caller's own `id`; 0, or -1
/// with `errno` set.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn uregist(id: i64) -> i32 {
    status(api::uregist(PidD(id)))
}

/// `int kill_d(pid_d id, int sig)`: sends `sig` to process `id` on any
/// node; 0, or -1 with `errno` set.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn kill_d(id: i64, sig: i32) -> i32 {
    status(api::kill_d(PidD(id), sig))
}

fn status(result: Result<(), Error>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            fail(&e);
            -1
        }
    }
}
