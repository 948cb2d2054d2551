//! [`Builder`]: code generation from `build.rs`.

use std::path::{Path, PathBuf};

use crate::{Error, Options, Parts, generate_file, module_name};

/// Generates one Rust module per `.x` file, for `build.rs`.
///
/// ```no_run
/// rpcgen::Builder::new()
///     .file("proto/calculator.x")
///     .include_dir("proto")
///     .define("DEBUG", None)
///     .generate()
///     .expect("rpcgen");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Builder {
    files: Vec<PathBuf>,
    idl: idl::Options,
    opts: Options,
    out_dir: Option<PathBuf>,
    rerun: Option<bool>,
}

impl Builder {
    /// No files yet; everything emitted; strings as `ByteString`; runtime
    /// crate `oncrpc`; output to `OUT_DIR`.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Adds a `.x` file.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Builder {
        self.files.push(path.into());
        self
    }

    /// Adds a directory searched by `#include` (`-I`).
    pub fn include_dir(mut self, dir: impl Into<PathBuf>) -> Builder {
        self.idl = self.idl.include_dir(dir);
        self
    }

    /// Defines a preprocessor macro (`-D NAME[=VALUE]`; `None` is `1`).
    pub fn define(mut self, name: impl Into<String>, value: Option<&str>) -> Builder {
        self.idl = self.idl.define(name, value);
        self
    }

    /// Declares the procedure named `name` in the `.x` file one-way (see
    /// [`crate::Options::one_way`]); may be called for several procedures.
    pub fn one_way(mut self, name: impl Into<String>) -> Builder {
        self.opts.one_way.push(name.into());
        self
    }

    /// Maps `string` to `Utf8String` (checked UTF-8) instead of `ByteString`.
    pub fn utf8_strings(mut self, yes: bool) -> Builder {
        self.opts.utf8_strings = yes;
        self
    }

    /// Chooses the parts to emit (`Parts::ALL` by default).
    pub fn emit(mut self, parts: Parts) -> Builder {
        self.opts.parts = parts;
        self
    }

    /// The crate (or path) generated code names for the runtime, `oncrpc`
    /// by default.
    pub fn runtime_crate(mut self, path: impl Into<String>) -> Builder {
        self.opts.runtime_crate = path.into();
        self
    }

    /// Writes the modules to `dir` instead of `OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Builder {
        self.out_dir = Some(dir.into());
        self
    }

    /// Whether to print `cargo:rerun-if-changed=` lines; by default only
    /// when running in a build script (`OUT_DIR` is set).
    pub fn emit_rerun_if_changed(mut self, yes: bool) -> Builder {
        self.rerun = Some(yes);
        self
    }

    /// Generates every file; returns the paths written (`<stem>.rs`).
    pub fn generate(self) -> Result<Vec<PathBuf>, Error> {
        if self.files.is_empty() {
            return Err(Error::NoFiles);
        }
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or(Error::NoOutDir)?,
        };
        let rerun = self.rerun.unwrap_or_else(|| std::env::var_os("OUT_DIR").is_some());
        std::fs::create_dir_all(&out_dir)
            .map_err(|source| Error::Io { path: out_dir.clone(), source })?;
        let mut written = Vec::new();
        for file in &self.files {
            let result = generate_file(file, self.idl.clone(), &self.opts);
            if rerun {
                // Also on failure, so that fixing the file reruns the build.
                let read = match &result {
                    Ok(g) => g.files_read.clone(),
                    Err(_) => vec![file.clone()],
                };
                for f in read {
                    cargo(&format!("cargo:rerun-if-changed={}", f.display()));
                }
            }
            let generated = result?;
            if rerun && !generated.warnings.is_empty() {
                for line in generated.warnings.lines().filter(|l| l.contains("warning")) {
                    cargo(&format!("cargo:warning={line}"));
                }
            }
            let path = out_dir.join(format!("{}.rs", module_name(file)));
            write_if_changed(&path, &generated.code)?;
            written.push(path);
        }
        Ok(written)
    }
}

#[allow(clippy::print_stdout)] // Cargo reads build script instructions from stdout.
fn cargo(line: &str) {
    println!("{line}");
}

/// Writes `text` unless the file already holds it (keeps mtimes stable).
fn write_if_changed(path: &Path, text: &str) -> Result<(), Error> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|source| Error::Io { path: path.to_path_buf(), source })
}
