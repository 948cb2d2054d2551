//! Where source text comes from: the file system or an in-memory map.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

/// Largest source file accepted (spans are 32-bit byte offsets).
pub const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Reads the text of `.x` files (the root file and `#include`d ones).
pub trait Loader {
    /// Returns the text of the file at `path`, or an error
    /// (`ErrorKind::NotFound` makes `#include` try the next directory).
    fn load(&self, path: &Path) -> io::Result<String>;
}

/// Reads files from the file system. Invalid UTF-8 is replaced by U+FFFD.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &Path) -> io::Result<String> {
        let meta = std::fs::metadata(path)?;
        if meta.is_dir() {
            return Err(io::Error::new(io::ErrorKind::NotFound, "is a directory"));
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("file larger than {MAX_FILE_SIZE} bytes"),
            ));
        }
        let bytes = std::fs::read(path)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }
}

/// Serves files from memory: for tests, fuzzing and build tools that
/// generate `.x` text. Paths are compared as given (no normalisation
/// beyond removing `./` components).
#[derive(Debug, Clone, Default)]
pub struct MemoryLoader {
    files: HashMap<PathBuf, String>,
}

impl MemoryLoader {
    /// An empty loader: every `#include` fails with "not found".
    pub fn new() -> Self {
        MemoryLoader::default()
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl AsRef<Path>, text: impl Into<String>) -> &mut Self {
        self.files.insert(normalize(path.as_ref()), text.into());
        self
    }
}

fn normalize(path: &Path) -> PathBuf {
    path.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect()
}

impl Loader for MemoryLoader {
    fn load(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_loader_normalizes_curdir() {
        let mut l = MemoryLoader::new();
        l.insert("dir/a.x", "const A = 1;");
        assert_eq!(l.load(Path::new("./dir/./a.x")).unwrap(), "const A = 1;");
        assert_eq!(l.load(Path::new("b.x")).unwrap_err().kind(), io::ErrorKind::NotFound);
    }
}
