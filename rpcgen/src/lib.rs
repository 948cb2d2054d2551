//! Rust from ONC RPC `.x` files: types, XDR codecs, client stubs and
//! server traits, interoperating byte for byte with C programs that the
//! system `rpcgen` generates from the same file.
//!
//! Use it from `build.rs` with [`Builder`] (in the style of prost-build),
//! or run the `rpcgen` command-line tool. Generated code names only the
//! runtime crate (`::oncrpc` by default, see [`Builder::runtime_crate`]),
//! so a project depends on `oncrpc` and builds with `rpcgen`.
//!
//! # Using it from `build.rs`
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     rpcgen::Builder::new().file("calculator.x").generate()?;
//!     Ok(())
//! }
//! ```
//!
//! Each `.x` file becomes `<stem>.rs` in `OUT_DIR`; include it in a public
//! module (the generated file has no inner attributes, so `include!` works):
//!
//! ```ignore
//! pub mod calculator {
//!     include!(concat!(env!("OUT_DIR"), "/calculator.rs"));
//! }
//! ```
//!
//! The builder prints `cargo:rerun-if-changed` for every file the front end
//! read, `#include`d files too.
//!
//! # What is generated
//!
//! Definitions come from the resolved IR ([`idl::ir`]) only, in the IR's
//! order: constants, then types in dependency order, then per program and
//! version a client and a server. Types of another `.x` file reached
//! through a `%#include <NAME.h>` line ([`idl::ir::Origin::Imported`]) are
//! referred to by name and not emitted: bring that module's items into
//! scope (`use super::nis::*;`). libtirpc's types (`netobj`...) and
//! `%#define` constants the definitions use are emitted, since Rust has no
//! C header to take them from.
//!
//! | `.x` | Rust |
//! |---|---|
//! | `const NAME = 5;` | `pub const NAME: u32 = 5;` (`i32`, `u64` or `i64` when the value needs it; `&str` for strings) |
//! | `int`, `unsigned`, `hyper`, `unsigned hyper`, `bool`, `float`, `double`, `quadruple` | `i32`, `u32`, `i64`, `u64`, `bool`, `f32`, `f64`, `xdr::Quadruple` |
//! | `opaque x[N]`, `opaque x<N>` | `[u8; N]`, `xdr::Opaque<N>` |
//! | `string s<N>` | `xdr::ByteString<N>` (any bytes, as C peers send), or `xdr::Utf8String<N>` with [`Builder::utf8_strings`] |
//! | `T x[N]`, `T x<N>` | `[T; N]`, `xdr::VarArray<T, N>` (`<>`: the default bound, `xdr::UNBOUNDED`) |
//! | `T *x` | `Option<Box<T>>` |
//! | `struct entry { ...; entry *next; }` (a linked list) | `struct Entry` without `next`; `entry *` is `xdr::List<Entry>`, `entry` by value `xdr::NonEmptyList<Entry>` (see below) |
//! | `typedef T name;` | `pub type Name = T;` (an alias: zero cost, and the runtime types' methods apply) |
//! | `enum` | a `#[repr(i32)]` Rust enum with explicit discriminants; an unknown value on the wire is a decode error. A member repeating an earlier member's value becomes an associated constant. `Default` is the member equal to 0, else the first. |
//! | `struct` | a struct with public fields |
//! | `union` | a Rust enum, one variant per arm (see below) |
//!
//! Bounds are written as numbers (const generics need a value); when the
//! `.x` wrote a constant's name, the doc comment says which.
//!
//! **Unions.** An arm with one case label is `Variant(T)` (a unit variant
//! for `void`); an arm with several labels keeps the discriminant,
//! `Variant(D, T)` or `Variant(D)`; the `default` arm is `Default(D, T)` or
//! `Default(D)`. `D` is `i32`, `u32`, `bool` or the enum type. Encoding a
//! value whose discriminant does not select its variant fails with
//! `xdr::Error::WrongArm`. Variant names: the case label's name for an arm
//! with one named label (`case NFS3_OK:` -> `Nfs3Ok`, `case TRUE:` ->
//! `True`), else the arm's field name, else `Case<N>`.
//!
//! **Linked lists.** A struct whose last field is optional-data of its own
//! type (`struct entry { ...; entry *next; }`, possibly through typedefs)
//! is a list node. Its Rust struct `Entry` holds every field but the link,
//! and the list is a flat vector of nodes, in wire order:
//!
//! * `entry *` (a field, an argument, a result, a typedef such as
//!   `typedef entry *entry_ptr;`) is `xdr::List<Entry>`, empty for NULL;
//! * `entry` by value, whose wire form is a node followed by the rest of
//!   the chain, is `xdr::NonEmptyList<Entry>` (`first` and `rest`).
//!
//! The wire form is unchanged (TRUE before each node, FALSE after the
//! last). Encoding and decoding loop, so a list of any length uses
//! constant stack, and the derived `Clone`, `PartialEq`, `Debug` and
//! `Drop` do not recurse per node. Decoding allocates one vector, grown
//! only as nodes arrive. Other recursive types nest through
//! `Option<Box<T>>` or `VarArray<T>` under the decoder's depth budget.
//!
//! **Derives.** Every type derives `Debug, Clone, PartialEq`; `Eq` and
//! `Hash` unless it holds a float; `Copy` when it holds only plain data;
//! `Default` when every part has one (unions: their first such arm).
//!
//! **Names.** A `.x` name is cut into words at `_`, at lower-to-upper
//! case changes and after digits; types, variants and traits are CamelCase
//! (`nfs_fh3` -> `NfsFh3`, `GETATTR3args` -> `Getattr3Args`), fields and
//! methods snake_case, constants SCREAMING_SNAKE_CASE. Keywords become raw
//! identifiers (`r#type`), or take a trailing `_` when they cannot
//! (`self_`). Two names that convert to the same Rust name are told apart
//! by a number (`Foo2`, `foo_2`), the first in the file keeping the plain
//! name. Std types are named by full path, so `.x` types named `String`,
//! `Vec`, `Option`, `Box` or `Result` cannot break the output.
//!
//! **Programs.** Program, version and procedure numbers are constants
//! named as in the `.x` file. For each version `V` of program `P`:
//!
//! * `struct <P><V>Client`: `new(clnt::Client)`, `connect_tcp`,
//!   `connect_udp`, `connect_unix`, `inner()`, and one method per
//!   procedure taking each argument by reference and returning
//!   `Result<R, clnt::Error>`. `null()` exists even when the `.x` does not
//!   declare procedure 0. Method names are the procedure names in
//!   snake_case, without the prefix common to all the version's procedures
//!   when there are at least two (`NFSPROC3_GETATTR` -> `getattr`).
//!   Each procedure also has an asynchronous variant `<name>_async`
//!   returning a `clnt::PendingCall<R>` (wait, wait with a timeout, poll or
//!   a callback), and a one-way variant `<name>_oneway` that returns once
//!   the call is sent and expects no reply.
//! * **One-way procedures** ([`Options::one_way`], [`Builder::one_way`],
//!   `--one-way NAME`): procedures returning `void` whose calls the server
//!   never answers and runs in order on each connection. Their client
//!   method sends one-way, and `<name>_batch` queues the call (libtirpc's
//!   batching) until the next normal call or `inner().flush()`.
//! * `trait <P><V>`: one method per procedure taking a
//!   `&svc::CallContext` and the arguments by value and returning
//!   `Result<R, svc::ProcError>`; implemented for `Arc<T>` too, so one
//!   value can serve several versions.
//! * `struct <P><V>Server<T>(pub T)`: the `svc::Dispatch` impl (undecodable
//!   arguments: `GARBAGE_ARGS`; unknown procedure: `PROC_UNAVAIL`;
//!   procedure 0 answered even if undeclared) and `register(builder)`.
//!
//! The output starts with a `// @generated` line naming the source file,
//! is formatted with prettyplease, is the same on every run, and is free
//! of warnings under clippy when included in a public module.

mod builder;
mod emit;
mod names;

use std::path::{Path, PathBuf};

pub use builder::Builder;

/// Which parts of the module to emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Constants, types and their codecs.
    pub types: bool,
    /// Client stubs.
    pub client: bool,
    /// Server traits and dispatchers.
    pub server: bool,
}

impl Parts {
    /// Everything.
    pub const ALL: Parts = Parts { types: true, client: true, server: true };
    /// Constants, types and codecs only.
    pub const TYPES: Parts = Parts { types: true, client: false, server: false };
    /// Client stubs only.
    pub const CLIENT: Parts = Parts { types: false, client: true, server: false };
    /// Server traits only.
    pub const SERVER: Parts = Parts { types: false, client: false, server: true };
}

impl Default for Parts {
    fn default() -> Self {
        Parts::ALL
    }
}

impl std::ops::BitOr for Parts {
    type Output = Parts;
    fn bitor(self, rhs: Parts) -> Parts {
        Parts {
            types: self.types || rhs.types,
            client: self.client || rhs.client,
            server: self.server || rhs.server,
        }
    }
}

/// Code generation settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `string` as `Utf8String` instead of `ByteString`.
    pub utf8_strings: bool,
    /// What to emit.
    pub parts: Parts,
    /// The runtime crate generated code names (`oncrpc`), or a path such
    /// as `crate::rt`.
    pub runtime_crate: String,
    /// Procedures (by `.x` name) that are one-way: the server sends no
    /// reply and runs them in order, the client stub returns once the call
    /// is sent. Each must return `void`.
    pub one_way: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            utf8_strings: false,
            parts: Parts::ALL,
            runtime_crate: "oncrpc".to_owned(),
            one_way: Vec::new(),
        }
    }
}

impl Options {
    fn runtime_path(&self) -> String {
        let r = self.runtime_crate.trim();
        if r.starts_with("::")
            || r == "crate"
            || r.starts_with("crate::")
            || r.starts_with("self::")
            || r.starts_with("super::")
        {
            r.to_owned()
        } else {
            format!("::{r}")
        }
    }
}

/// What went wrong generating code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The `.x` file has errors; `rendered` holds the diagnostics.
    #[error("{rendered}")]
    Diagnostics {
        /// The `.x` file compiled.
        file: PathBuf,
        /// The rendered diagnostics.
        rendered: String,
    },
    /// The runtime crate path is not a Rust path.
    #[error("invalid runtime crate path `{0}`")]
    RuntimeCrate(String),
    /// The generator produced code that does not parse (a bug in rpcgen).
    #[error("internal error: generated code does not parse: {0}")]
    Internal(String),
    /// A procedure named one-way is not in the `.x` file, or returns a value.
    #[error("one-way procedure `{name}`: {reason}")]
    OneWay {
        /// The procedure's `.x` name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The builder was given no `.x` file.
    #[error("no .x file given")]
    NoFiles,
    /// No output directory: `OUT_DIR` is unset and none was given.
    #[error("no output directory: set one with Builder::out_dir (OUT_DIR is not set)")]
    NoOutDir,
}

/// The result of compiling one `.x` file to Rust.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The Rust module's text.
    pub code: String,
    /// Every file the front end read (the `.x` file and its includes).
    pub files_read: Vec<PathBuf>,
    /// Warnings from the front end, rendered (empty if none).
    pub warnings: String,
}

fn render(tokens: proc_macro2::TokenStream) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(separate_items(&prettyplease::unparse(&file)))
}

/// Puts a blank line between top-level items (prettyplease writes them
/// back to back).
fn separate_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut prev: Option<&str> = None;
    for line in text.lines() {
        let top = !line.is_empty() && !line.starts_with([' ', '}', ')', ']']);
        if let Some(p) = prev {
            if top && (p == "}" || p == "};" || (!p.starts_with(' ') && p.ends_with(';'))) {
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
        prev = Some(line);
    }
    out
}

fn header(source_name: &str, what: &str) -> String {
    format!("// @generated by rpcgen from {source_name}{what}. Do not edit.\n\n")
}

/// The Rust module for an IR. `source_name` is named in the header.
pub fn generate(ir: &idl::ir::Ir, source_name: &str, opts: &Options) -> Result<String, Error> {
    let g = emit::Gen::new(ir, opts)?;
    Ok(header(source_name, "") + &render(g.module())?)
}

/// A sample client program (`rpcgen -Sc`) for an IR: a `main` calling
/// every procedure. It expects the generated module at `module`, included
/// from `OUT_DIR` as [`Builder`] writes it.
pub fn sample_client(
    ir: &idl::ir::Ir,
    source_name: &str,
    module: &str,
    opts: &Options,
) -> Result<String, Error> {
    let g = emit::Gen::new(ir, opts)?;
    Ok(header(source_name, " (sample client: edit freely)")
        + &module_include(module)
        + &render(g.sample_client(module))?)
}

/// A sample server program (`rpcgen -Ss`) for an IR: every version's trait
/// implemented with placeholder bodies, and a `main` listening on TCP and
/// UDP.
pub fn sample_server(
    ir: &idl::ir::Ir,
    source_name: &str,
    module: &str,
    opts: &Options,
) -> Result<String, Error> {
    let g = emit::Gen::new(ir, opts)?;
    Ok(header(source_name, " (sample server: edit freely)")
        + &module_include(module)
        + &render(g.sample_server(module))?)
}

fn module_include(module: &str) -> String {
    format!(
        "// The code rpcgen generates from the .x file, written to OUT_DIR by build.rs\n\
         // (rpcgen::Builder). Items this program does not use would warn.\n\
         #[allow(dead_code)]\n\
         mod {module} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/{module}.rs\"));\n}}\n\n"
    )
}

/// The module name for a `.x` file: its stem, made a Rust identifier.
pub fn module_name(path: &Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut name: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// Compiles the `.x` file at `path` with the front end options `idl_opts`
/// (the rpcgen defines are added) and returns the IR with what was read.
pub fn compile(path: &Path, idl_opts: idl::Options) -> Result<(idl::ir::Ir, Generated), Error> {
    let c = idl::compile_file(path, &idl_opts.rpcgen_defines())
        .map_err(|e| Error::Io { path: path.to_path_buf(), source: std::io::Error::other(e) })?;
    let files_read =
        c.sources.files().iter().filter_map(|f| f.path().map(Path::to_path_buf)).collect();
    let rendered = c.render_diagnostics();
    match c.ir {
        Some(ir) if !c.has_errors() => {
            Ok((ir, Generated { code: String::new(), files_read, warnings: rendered }))
        }
        _ => Err(Error::Diagnostics { file: path.to_path_buf(), rendered }),
    }
}

/// Compiles the `.x` file at `path` and generates its Rust module.
pub fn generate_file(
    path: &Path,
    idl_opts: idl::Options,
    opts: &Options,
) -> Result<Generated, Error> {
    let (ir, mut out) = compile(path, idl_opts)?;
    out.code = generate(&ir, &source_name(path), opts)?;
    Ok(out)
}

/// The name the header gives a `.x` file: its file name (not the whole
/// path, so output does not depend on where the file sits).
pub fn source_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
