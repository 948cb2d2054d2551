//! [`StateDir`]: the registrations on disk, so that they survive a crash
//! (`-w`), and the lock that keeps two daemons off one state directory.
//!
//! Every change is written before its reply leaves: the whole list goes to
//! a temporary file, which is flushed to disk, renamed over the state file
//! and the directory flushed, so the file on disk is always one complete
//! version, whenever the daemon is killed. The file (`rpcbind.state`) is
//! our own: the magic `rpcbst01`, the XDR count and `rpcb` entries, and a
//! CRC-32 of all that. rpcbind's own registrations are not stored (they
//! are made afresh at every start).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use portmapper::proto::rpcb_prot::Rpcb;
use rustix::fs::{FlockOperation, flock};
use xdr::{Decoder, Encoder};

use crate::table::{MAX_REGISTRATIONS, Registration};

/// The state file's name in the state directory.
pub const STATE_FILE: &str = "rpcbind.state";
/// Where a state file that could not be read is moved.
pub const CORRUPT_FILE: &str = "rpcbind.state.corrupt";
const TEMP_FILE: &str = "rpcbind.state.tmp";
/// The lock file: held locked while the daemon runs, holds its pid.
pub const LOCK_FILE: &str = "rpcbind.lock";
const MAGIC: &[u8; 8] = b"rpcbst01";
/// The smallest encoded `rpcb`: two numbers and three empty strings.
const MIN_RPCB: usize = 20;

/// Why the state file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// The file is not a state file of this format.
    #[error("{path} is not an rpcbind state file (bad magic)")]
    BadMagic {
        /// The file.
        path: PathBuf,
    },
    /// The checksum does not match: the file was damaged.
    #[error("{path} is damaged (checksum mismatch)")]
    BadChecksum {
        /// The file.
        path: PathBuf,
    },
    /// The entries do not decode.
    #[error("{path} is damaged: {source}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// Where decoding stopped.
        source: xdr::Error,
    },
}

/// The state directory, locked for this daemon.
#[derive(Debug)]
pub struct StateDir {
    dir: PathBuf,
    /// Held (with an exclusive `flock`) while the daemon lives.
    _lock: File,
}

impl StateDir {
    /// Creates `dir` if needed (mode 0700) and locks it, writing this
    /// process's id in the lock file (`rpcbind.lock`, a pid file); fails
    /// when another daemon holds the lock.
    pub fn open(dir: &Path) -> io::Result<StateDir> {
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(dir.join(LOCK_FILE))?;
        flock(&lock, FlockOperation::NonBlockingLockExclusive).map_err(|e| {
            if e == rustix::io::Errno::WOULDBLOCK {
                io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("another rpcbind is using {}", dir.display()),
                )
            } else {
                e.into()
            }
        })?;
        let mut pid_file = &lock;
        pid_file.set_len(0)?;
        writeln!(pid_file, "{}", std::process::id())?;
        Ok(StateDir { dir: dir.to_path_buf(), _lock: lock })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The state file's path.
    pub fn state_file(&self) -> PathBuf {
        self.dir.join(STATE_FILE)
    }

    /// Reads the saved registrations; an absent file is an empty list.
    pub fn load(&self) -> Result<Vec<Registration>, StateError> {
        let path = self.state_file();
        let data = match fs::read(&path) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(StateError::Io { path, source }),
        };
        decode(&data).map_err(|e| match e {
            Bad::Magic => StateError::BadMagic { path },
            Bad::Checksum => StateError::BadChecksum { path },
            Bad::Xdr(source) => StateError::Decode { path, source },
        })
    }

    /// Moves an unreadable state file aside (to [`CORRUPT_FILE`]), so that
    /// it is kept for inspection and not overwritten.
    pub fn quarantine(&self) -> io::Result<PathBuf> {
        let to = self.dir.join(CORRUPT_FILE);
        fs::rename(self.state_file(), &to)?;
        Ok(to)
    }

    /// Replaces the state file with `regs`, durably: temporary file,
    /// `fsync`, rename, `fsync` of the directory.
    pub fn save(&self, regs: &[Registration]) -> io::Result<()> {
        let data = encode(regs)?;
        let temp = self.dir.join(TEMP_FILE);
        let mut file =
            OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&temp)?;
        file.write_all(&data)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, self.state_file())?;
        File::open(&self.dir)?.sync_all()
    }

    /// Gives the directory and the state file to `uid` (for `-s`, before
    /// privileges are dropped).
    pub fn give_to(&self, uid: u32, gid: u32) -> io::Result<()> {
        let (uid, gid) = (rustix::fs::Uid::from_raw(uid), rustix::fs::Gid::from_raw(gid));
        for path in [self.dir.clone(), self.state_file(), self.dir.join(LOCK_FILE)] {
            match rustix::fs::chown(&path, Some(uid), Some(gid)) {
                Err(rustix::io::Errno::NOENT) => {}
                other => other?,
            }
        }
        Ok(())
    }
}

enum Bad {
    Magic,
    Checksum,
    Xdr(xdr::Error),
}

fn encode(regs: &[Registration]) -> io::Result<Vec<u8>> {
    let mut data = MAGIC.to_vec();
    let mut enc = Encoder::new(&mut data);
    let xdr_err = |e: xdr::Error| io::Error::other(format!("cannot encode the state: {e}"));
    enc.put_u32(regs.len() as u32);
    for r in regs {
        enc.put(&r.to_rpcb()).map_err(xdr_err)?;
    }
    let crc = crc32(&data);
    data.extend_from_slice(&crc.to_be_bytes());
    Ok(data)
}

fn decode(data: &[u8]) -> Result<Vec<Registration>, Bad> {
    let body = data.strip_prefix(MAGIC).ok_or(Bad::Magic)?;
    let (body, crc) = body.split_last_chunk::<4>().ok_or(Bad::Checksum)?;
    if crc32(&data[..data.len() - 4]) != u32::from_be_bytes(*crc) {
        return Err(Bad::Checksum);
    }
    let mut dec = Decoder::new(body);
    let count = dec.read_count(MAX_REGISTRATIONS as u32, MIN_RPCB).map_err(Bad::Xdr)?;
    let mut regs = Vec::with_capacity(count);
    for _ in 0..count {
        let r: Rpcb = dec.read().map_err(Bad::Xdr)?;
        regs.push(Registration::from_rpcb(&r));
    }
    dec.finish().map_err(Bad::Xdr)?;
    Ok(regs)
}

/// CRC-32 (IEEE 802.3, as zlib computes it).
fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    !data.iter().fold(!0u32, |c, &b| TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("rpcbind-persist-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn crc_is_zlibs() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn saves_loads_and_detects_damage() {
        let dir = temp_dir("roundtrip");
        let state = StateDir::open(&dir).unwrap();
        assert_eq!(state.load().unwrap(), []);
        let regs = vec![
            Registration::new(7, 1, "tcp", "0.0.0.0.4.1", "unknown"),
            Registration::new(8, 2, "local", "/run/x.sock", "1000"),
        ];
        state.save(&regs).unwrap();
        assert_eq!(state.load().unwrap(), regs);

        let path = state.state_file();
        let mut data = fs::read(&path).unwrap();
        let last = data.len() - 6;
        data[last] ^= 1;
        fs::write(&path, &data).unwrap();
        assert!(matches!(state.load(), Err(StateError::BadChecksum { .. })));
        fs::write(&path, b"something else entirely").unwrap();
        assert!(matches!(state.load(), Err(StateError::BadMagic { .. })));
        fs::write(&path, &data[..5]).unwrap();
        assert!(matches!(state.load(), Err(StateError::BadMagic { .. })));
        let moved = state.quarantine().unwrap();
        assert!(moved.exists() && !path.exists());

        // A well-formed file whose count lies is refused before allocating.
        let mut lying = MAGIC.to_vec();
        lying.extend_from_slice(&u32::MAX.to_be_bytes());
        let crc = crc32(&lying);
        lying.extend_from_slice(&crc.to_be_bytes());
        fs::write(&path, &lying).unwrap();
        assert!(matches!(state.load(), Err(StateError::Decode { .. })));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn one_daemon_per_directory() {
        let dir = temp_dir("lock");
        let first = StateDir::open(&dir).unwrap();
        let pid = fs::read_to_string(dir.join(LOCK_FILE)).unwrap();
        assert_eq!(pid.trim(), std::process::id().to_string());
        let second = StateDir::open(&dir).unwrap_err();
        assert_eq!(second.kind(), io::ErrorKind::AlreadyExists);
        drop(first);
        StateDir::open(&dir).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }
}
