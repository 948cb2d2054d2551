//! `dpc ps`: every registered process in the cluster, read from the name
//! server a page at a time.

use std::io::Write;

use dpc::proto::names::{DpcEntry, DpcListArgs, DpcNamesProgDpcNamesV1Client};

use crate::cluster_args::NamesAt;

/// Every entry of the name server's table, in id order.
pub(crate) fn entries(
    names: &DpcNamesProgDpcNamesV1Client,
) -> Result<Vec<DpcEntry>, oncrpc::clnt::Error> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = names.list(&DpcListArgs { after, max: 0 })?;
        let next = page.entries.last().map(|last| last.id).filter(|&id| id > after);
        // Entries come in id order: one at or below `after` is a broken
        // answer, and ends the listing rather than looping on it.
        all.extend(page.entries.into_inner().into_iter().filter(|e| e.id > after));
        match next {
            Some(id) if page.more => after = id,
            _ => return Ok(all),
        }
    }
}

/// Prints the table: `PID_D NODE PID`, one process per line.
pub(crate) fn run(at: &NamesAt) -> Result<(), Box<dyn std::error::Error>> {
    let names = dpc::locate::names(at.names, at.pmap_port, at.timeout())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{:>8}  {:<40}  {:>8}", "PID_D", "NODE", "PID")?;
    for entry in entries(&names)? {
        let node = String::from_utf8_lossy(&entry.node);
        writeln!(out, "{:>8}  {:<40}  {:>8}", entry.id, node, entry.pid)?;
    }
    Ok(())
}
