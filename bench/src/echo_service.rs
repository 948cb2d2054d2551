//! bench.x's program on our server, written as the generator writes a
//! dispatcher: NULL, ECHO of an opaque payload, and one-way RECORD.

use oncrpc::svc::{CallContext, Dispatch, ProcError};
use oncrpc::xdr::{self, Decoder, OpaqueRef};

/// Program number of bench.x.
pub(crate) const PROG: u32 = 0x2000_0401;
/// Its only version.
pub(crate) const VERS: u32 = 1;
/// ECHO's procedure number.
pub(crate) const ECHO: u32 = 1;
/// RECORD's procedure number: one-way, nothing done.
pub(crate) const RECORD: u32 = 2;

/// Echoes the payload back, borrowing it from the request (no copy).
pub(crate) struct EchoService;

impl Dispatch for EchoService {
    fn dispatch(
        &self,
        ctx: &CallContext,
        args: &[u8],
        results: &mut Vec<u8>,
    ) -> Result<(), ProcError> {
        match ctx.proc_num {
            0 => Ok(()),
            ECHO => {
                let payload: OpaqueRef<'_> = Decoder::new(args).read()?;
                xdr::append(&payload, results).map_err(|_| ProcError::SystemErr)
            }
            RECORD => {
                let _seq: u32 = Decoder::new(args).read()?;
                Ok(())
            }
            _ => Err(ProcError::ProcUnavail),
        }
    }

    fn runs_inline(&self, proc_num: u32) -> bool {
        proc_num == 0
    }

    fn one_way(&self, proc_num: u32) -> bool {
        proc_num == RECORD
    }
}
