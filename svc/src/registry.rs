//! The programs and versions a server exports, and the lookup that turns an
//! unknown program or version into `PROG_UNAVAIL` or `PROG_MISMATCH`.

use std::sync::Arc;

use crate::dispatch::Dispatch;
use crate::error::Error;

/// One program and its versions, sorted by version.
struct Program {
    prog: u32,
    versions: Vec<(u32, Arc<dyn Dispatch>)>,
}

/// What a lookup found.
pub(crate) enum Lookup<'a> {
    /// The dispatcher for the program and version.
    Found(&'a dyn Dispatch),
    /// The program is exported but not in that version.
    ProgMismatch {
        /// Lowest version exported.
        low: u32,
        /// Highest version exported.
        high: u32,
    },
    /// The program is not exported.
    ProgUnavail,
}

/// Every program and version a server exports.
#[derive(Default)]
pub(crate) struct Registry {
    programs: Vec<Program>,
}

impl Registry {
    /// Adds one version of one program; a pair registered twice is an error.
    pub(crate) fn insert(
        &mut self,
        prog: u32,
        vers: u32,
        dispatcher: Arc<dyn Dispatch>,
    ) -> Result<(), Error> {
        let index = match self.programs.iter().position(|p| p.prog == prog) {
            Some(i) => i,
            None => {
                self.programs.push(Program { prog, versions: Vec::new() });
                self.programs.len() - 1
            }
        };
        let versions = &mut self.programs[index].versions;
        match versions.binary_search_by_key(&vers, |(v, _)| *v) {
            Ok(_) => Err(Error::DuplicateRegistration { prog, vers }),
            Err(at) => {
                versions.insert(at, (vers, dispatcher));
                Ok(())
            }
        }
    }

    /// Finds the dispatcher for `prog` and `vers`.
    #[inline]
    pub(crate) fn lookup(&self, prog: u32, vers: u32) -> Lookup<'_> {
        let Some(program) = self.programs.iter().find(|p| p.prog == prog) else {
            return Lookup::ProgUnavail;
        };
        let versions = &program.versions;
        if let Some((_, d)) = versions.iter().find(|(v, _)| *v == vers) {
            return Lookup::Found(&**d);
        }
        match (versions.first(), versions.last()) {
            (Some((low, _)), Some((high, _))) => Lookup::ProgMismatch { low: *low, high: *high },
            _ => Lookup::ProgUnavail,
        }
    }

    /// Every (program, version) pair, programs in registration order.
    pub(crate) fn pairs(&self) -> Vec<(u32, u32)> {
        self.programs
            .iter()
            .flat_map(|p| p.versions.iter().map(move |(v, _)| (p.prog, *v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::CallContext;
    use crate::dispatch::ProcError;

    struct Nothing;
    impl Dispatch for Nothing {
        fn dispatch(&self, _: &CallContext, _: &[u8], _: &mut Vec<u8>) -> Result<(), ProcError> {
            Ok(())
        }
    }

    #[test]
    fn mismatch_reports_lowest_and_highest_version() {
        let mut r = Registry::default();
        r.insert(100, 4, Arc::new(Nothing)).unwrap();
        r.insert(100, 2, Arc::new(Nothing)).unwrap();
        r.insert(200, 1, Arc::new(Nothing)).unwrap();
        assert!(matches!(r.lookup(100, 4), Lookup::Found(_)));
        assert!(matches!(r.lookup(100, 3), Lookup::ProgMismatch { low: 2, high: 4 }));
        assert!(matches!(r.lookup(300, 1), Lookup::ProgUnavail));
        assert_eq!(r.pairs(), [(100, 2), (100, 4), (200, 1)]);
        assert!(matches!(
            r.insert(100, 2, Arc::new(Nothing)),
            Err(Error::DuplicateRegistration { prog: 100, vers: 2 })
        ));
    }
}
