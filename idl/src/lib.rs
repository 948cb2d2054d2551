//! The ONC RPC `.x` language front end: a built-in preprocessor, a nom
//! parser, a resolver producing an [`ir::Ir`] for code generators, and
//! rustc-style diagnostics. It does no code generation and needs no
//! external `cpp`.
//!
//! ```
//! let opts = idl::Options::new().rpcgen_defines();
//! let c = idl::compile_str(
//!     "demo.x",
//!     "const MAX = 16;\n\
//!      struct point { int x; int y; };\n\
//!      typedef point path<MAX>;\n\
//!      program DEMO { version V1 { path REVERSE(path) = 1; } = 1; } = 0x20000001;\n",
//!     &opts,
//!     &idl::MemoryLoader::new(),
//! );
//! assert!(!c.has_errors(), "{}", c.render_diagnostics());
//! let ir = c.ir.unwrap();
//! let point = ir.get(ir.find_type("point").unwrap());
//! assert_eq!(point.fixed_size, Some(8));
//! ```
//!
//! # Pipeline
//!
//! 1. **Preprocessor** ([`Options`]): `/* */` and `//` comments, `#include
//!    "file"` (relative to the including file, then the `-I` directories;
//!    `<file>` searches only the `-I` directories), `#define NAME [VALUE]`,
//!    `#undef`, `#ifdef`, `#ifndef`, `#if`/`#elif` with `defined` and C
//!    integer expressions, `#else`, `#endif`, `#error`, `#warning`;
//!    `#pragma`, `#ident`, `#line` and line markers are ignored. Only
//!    object-like macros exist (a function-like `#define` is an error).
//!    Macros are not expanded inside `%` lines. Every token keeps its own
//!    file and offset, so diagnostics name the included file and line (and
//!    add "in file included from"). Include cycles are errors; includes
//!    nest at most [`MAX_INCLUDE_DEPTH`] deep.
//! 2. **Parser**: RFC 4506 section 6 and RFC 5531 section 12, plus what
//!    rpcgen (rpcsvc-proto) accepts; see the [`ast`] module. Inline
//!    struct/union/enum types nest at most [`MAX_NESTING`] deep.
//! 3. **Resolver**: constants evaluated, names resolved, unions and
//!    programs checked, types ordered, sizes computed; see [`ir`].
//! 4. **Diagnostics** ([`Diagnostic`]): `FILE:LINE:COL: error: MESSAGE`,
//!    the source line, an underline, located notes ("first defined here").
//!    Syntax errors are all reported (the parser resynchronises at the next
//!    definition); semantic checks run when the syntax is clean, and report
//!    every independent problem.
//!
//! # Decisions where the RFCs and rpcgen are silent
//!
//! - **Predefined macros.** rpcgen runs cpp once per output with one of
//!   `RPC_HDR`, `RPC_XDR`, `RPC_SVC`, `RPC_CLNT`, `RPC_TBL` defined as `1`.
//!   The Rust generator writes one module holding what the header, XDR
//!   routines, client stubs and server skeleton hold, so it defines
//!   [`RPCGEN_DEFINES`] = `RPC_HDR`, `RPC_XDR`, `RPC_SVC`, `RPC_CLNT` (each
//!   `1`), through [`Options::rpcgen_defines`]. `RPC_TBL` (rpcgen's C
//!   dispatch tables) has no counterpart and stays undefined. In the system
//!   `.x` files these guards only wrap `%` lines (C declarations for the
//!   header, hand-written C XDR routines); data definitions must not depend
//!   on them, since rpcgen's outputs would then disagree on the wire format.
//!   `RPC_HDR` is required, not just harmless: `nlm_prot.x` takes
//!   `LM_MAXSTRLEN` from a `%#define` line and `nis_callback.x` takes
//!   `nis.x`'s types from a `%#include <rpcsvc/nis.h>` line, both inside
//!   `#ifdef RPC_HDR`. The front end itself defines nothing unless asked.
//! - **Implicit enum values**, as rpcgen (which emits C enums) numbers
//!   them: the first member is 0, every member without `=` is the previous
//!   member's value plus one (`enum e { A, B = 5, C }` is 0, 5, 6). Values
//!   must fit in `int`.
//! - **C type names**, mapped by their encoding as rpcgen's `xdr_*`
//!   routines encode them: `char`, `short`, `long` (with optional `int`)
//!   are `int`; their `unsigned` forms are `unsigned int`; `hyper` is
//!   `hyper`. The typedef names `u_int`, `u_long`, `u_short`, `u_char`,
//!   `int8_t`..`int32_t`, `uint8_t`..`uint32_t`, `u_int8_t`..`u_int32_t`,
//!   `int64_t`, `quad_t`, `uint64_t`, `u_int64_t`, `u_quad_t` and `bool_t`
//!   are accepted when the file does not define them (see [`ir::Type`]).
//!   `TRUE` and `FALSE` are the constants 1 and 0 unless defined.
//! - **Inline (anonymous) types** get `Parent_field`: the enclosing
//!   definition's name (itself possibly generated), `_`, the declared name
//!   (`struct a { struct { int x; } b; }` gives `a_b`). In `typedef struct
//!   { ... } name;` the inline type simply takes `name`; in an array or
//!   optional typedef it is `name_elem`. In procedures: `PROC_VERSION_res`
//!   for the result and `PROC_VERSION_argN` (N from 1) for arguments. A
//!   generated name that collides with another name is a duplicate-name
//!   error.
//! - **Bounds**: a fixed size must be 1 ..= 2^32-1, a maximum length
//!   (`<N>`) 0 ..= 2^32-1; `<>` means no bound. Constants lie in
//!   -2^63 ..= 2^64-1. Forward references to types and constants are
//!   allowed (the IR is ordered).
//! - **Names**: types, constants, enum members and programs share one
//!   namespace; version names are unique within a program, procedure names
//!   within a version (the same procedure name in two versions is fine, as
//!   in `rpcb_prot.x`).
//! - **What the C environment supplies.** rpcgen never checks names, so
//!   real `.x` files lean on what the generated C sees. Three sources are
//!   honoured, after the file's own definitions, each marked in the IR by
//!   [`ir::Origin`] so a generator can refer to it rather than emit it:
//!   the procedure, version and program names, which rpcgen `#define`s
//!   (`rpcb_prot.x` uses `RPCBPROC_CALLIT` as a constant); `%#define NAME
//!   VALUE` lines whose value is a C integer expression (`nlm_prot.x`'s
//!   `MAXNAMELEN`); libtirpc's XDR types and constants ([`LIBRARY_X`]:
//!   `netobj`, `des_block`, `netbuf`, `MAX_NETOBJ_SZ`, `MAXNETNAMELEN`),
//!   included only when used; and the types of another `.x` file whose
//!   generated header is named by a `%#include <dir/NAME.h>` or `%#include
//!   "NAME.h"` line, when `NAME.x` sits next to the compiled file or under
//!   an `-I` directory (`nis_callback.x` and `nis.x`; not transitive).
//!   `typedef struct X X;` (C's idiom) is accepted and ignored.
//! - **Doc comments**: the comment block directly above a definition,
//!   struct field, union arm, enum member, version or procedure (no blank
//!   line between) becomes its `doc`, delimiters and ` * ` margins removed.
//!
//! # Tests
//!
//! Golden files live in `tests/fixtures/*.x` (expected IR dump in `.ir`)
//! and `tests/errors/*.x` (expected diagnostics in `.stderr`). Run
//! `BLESS=1 cargo test -p idl` to rewrite them after an intended change,
//! then review the diff.

pub mod ast;
mod diagnostic;
mod error;
pub mod ir;
mod lexer;
mod loader;
mod parse;
mod preprocess;
mod resolve;
mod source;

use std::path::{Path, PathBuf};

pub use diagnostic::{Diagnostic, Label, Severity, render_all};
pub use error::Error;
pub use loader::{FsLoader, Loader, MAX_FILE_SIZE, MemoryLoader};
pub use parse::MAX_NESTING;
pub use preprocess::MAX_INCLUDE_DEPTH;
pub use source::{FileId, LineCol, SourceFile, SourceMap, Span};

/// The macros the Rust generator defines (each as `1`); see the crate docs.
pub const RPCGEN_DEFINES: [&str; 4] = ["RPC_HDR", "RPC_XDR", "RPC_SVC", "RPC_CLNT"];

/// Preprocessor settings: `-D`, `-U` and `-I`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    defines: Vec<(String, Option<String>)>,
    include_dirs: Vec<PathBuf>,
}

impl Options {
    /// No macros defined, no include directories.
    pub fn new() -> Self {
        Options::default()
    }

    /// `-D NAME[=VALUE]`: defines `name` as `value` (`1` if `None`).
    pub fn define(mut self, name: impl Into<String>, value: Option<&str>) -> Self {
        self.defines.push((name.into(), Some(value.unwrap_or("1").to_string())));
        self
    }

    /// `-D` in its command-line form: `NAME` or `NAME=VALUE`.
    pub fn define_arg(self, arg: &str) -> Self {
        match arg.split_once('=') {
            Some((name, value)) => self.define(name, Some(value)),
            None => self.define(arg, None),
        }
    }

    /// `-U NAME`: removes an earlier definition.
    pub fn undefine(mut self, name: impl Into<String>) -> Self {
        self.defines.push((name.into(), None));
        self
    }

    /// `-I DIR`: a directory searched by `#include` after the including
    /// file's own directory.
    pub fn include_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.include_dirs.push(dir.into());
        self
    }

    /// Defines [`RPCGEN_DEFINES`], as the Rust generator does.
    pub fn rpcgen_defines(mut self) -> Self {
        for name in RPCGEN_DEFINES {
            self = self.define(name, None);
        }
        self
    }
}

/// The result of compiling one `.x` file.
#[derive(Debug, Clone)]
pub struct Compilation {
    /// Every source read (the root file is [`FileId`] 0).
    pub sources: SourceMap,
    /// The syntax tree (partial if there were syntax errors).
    pub spec: ast::Spec,
    /// The resolved IR, present when there is no error.
    pub ir: Option<ir::Ir>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compilation {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// All diagnostics rendered, each followed by a blank line.
    pub fn render_diagnostics(&self) -> String {
        render_all(&self.diagnostics, &self.sources)
    }
}

/// Compiles the `.x` file at `path` from the file system.
pub fn compile_file(path: impl AsRef<Path>, opts: &Options) -> Result<Compilation, Error> {
    compile_with(path, opts, &FsLoader)
}

/// Compiles the file at `path` read through `loader` (which also serves
/// the `#include`s).
pub fn compile_with(
    path: impl AsRef<Path>,
    opts: &Options,
    loader: &dyn Loader,
) -> Result<Compilation, Error> {
    let path = path.as_ref();
    let text =
        loader.load(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    Ok(compile_str(&path.display().to_string(), &text, opts, loader))
}

/// Compiles `text` as if read from a file named `name`; `#include`s are
/// served by `loader` relative to `name`'s directory and the `-I`
/// directories.
pub fn compile_str(name: &str, text: &str, opts: &Options, loader: &dyn Loader) -> Compilation {
    let mut sources = SourceMap::new();
    let root = sources.add(name, Some(PathBuf::from(name)), text.to_string(), None);
    let mut diagnostics = Vec::new();
    let pp = preprocess::preprocess(
        &mut sources,
        root,
        loader,
        &opts.defines,
        &opts.include_dirs,
        &mut diagnostics,
    );
    let spec = parse::parse(pp, &sources, &mut diagnostics);
    let imports = imports(&spec, &mut sources, opts, loader, &mut diagnostics);
    let library = library_spec(&mut sources);
    let syntax_ok = !diagnostics.iter().any(Diagnostic::is_error);
    let ir = if syntax_ok {
        resolve::resolve(&spec, &imports, &library, &mut diagnostics)
    } else {
        None
    };
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start));
    Compilation { sources, spec, ir, diagnostics }
}

/// libtirpc's types and constants that `.x` files use without defining
/// them, written as libtirpc's XDR routines encode them. A definition is
/// used only if the file refers to it and does not define the name itself.
pub const LIBRARY_X: &str = "\
/* libtirpc <rpc/xdr.h>: xdr_netobj */
const MAX_NETOBJ_SZ = 1024;
typedef opaque netobj<MAX_NETOBJ_SZ>;
/* libtirpc <rpc/auth.h>: xdr_des_block */
typedef opaque des_block[8];
/* libtirpc <rpc/types.h>: xdr_netbuf */
struct netbuf { unsigned int maxlen; opaque buf<>; };
/* libtirpc <rpc/auth_des.h> */
const MAXNETNAMELEN = 255;
";

fn library_spec(sources: &mut SourceMap) -> ast::Spec {
    let file = sources.add("<libtirpc>", None, LIBRARY_X.to_string(), None);
    let mut diags = Vec::new();
    let pp = preprocess::preprocess(sources, file, &MemoryLoader::new(), &[], &[], &mut diags);
    parse::parse(pp, sources, &mut diags)
}

/// The `.x` files behind `%#include <dir/NAME.h>` / `%#include "NAME.h"`
/// lines of the compiled file: `NAME.x` next to the including file, or
/// `dir/NAME.x` under an `-I` directory. Their types and constants are
/// visible (as [`ir::Origin::Imported`]), as the C header makes them
/// visible to rpcgen's output. Not transitive.
fn imports(
    spec: &ast::Spec,
    sources: &mut SourceMap,
    opts: &Options,
    loader: &dyn Loader,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(ast::Spec, FileId)> {
    let mut out = Vec::new();
    let mut seen: Vec<PathBuf> =
        sources.files().iter().filter_map(|f| f.path().map(Path::to_path_buf)).collect();
    for item in &spec.items {
        let ast::Item::Passthrough(p) = item else {
            continue;
        };
        let Some(header) = passthrough_include(&p.text) else {
            continue;
        };
        let x = Path::new(header).with_extension("x");
        let mut candidates = Vec::new();
        if let (Some(dir), Some(file)) =
            (sources.get(p.span.file).and_then(|f| f.path()).and_then(Path::parent), x.file_name())
        {
            candidates.push(dir.join(file));
        }
        candidates.extend(opts.include_dirs.iter().map(|d| d.join(&x)));
        for c in candidates {
            if seen.contains(&c) {
                continue;
            }
            let Ok(text) = loader.load(&c) else {
                continue;
            };
            seen.push(c.clone());
            let file = sources.add(c.display().to_string(), Some(c), text, Some(p.span));
            let pp = preprocess::preprocess(
                sources,
                file,
                loader,
                &opts.defines,
                &opts.include_dirs,
                diagnostics,
            );
            out.push((parse::parse(pp, sources, diagnostics), file));
            break;
        }
    }
    out
}

/// `#include <h>` or `#include "h"` in a `%` line, for a `.h` header.
fn passthrough_include(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("include")?.trim_start();
    let (open, close) = match rest.chars().next()? {
        '<' => ('<', '>'),
        '"' => ('"', '"'),
        _ => return None,
    };
    let inner = rest.strip_prefix(open)?;
    let header = &inner[..inner.find(close)?];
    header.ends_with(".h").then_some(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passthrough_includes() {
        assert_eq!(passthrough_include("#include <rpcsvc/nis.h>"), Some("rpcsvc/nis.h"));
        assert_eq!(passthrough_include(" #  include \"nis_clnt.h\""), Some("nis_clnt.h"));
        assert_eq!(passthrough_include("#include <sys/time>"), None);
        assert_eq!(passthrough_include("#pragma ident"), None);
    }

    #[test]
    fn imported_types_are_marked() {
        let mut loader = MemoryLoader::new();
        loader.insert(
            "dir/base.x",
            "struct base { int a; };\nprogram B { version V { void N(void) = 0; } = 1; } = 9;\n",
        );
        loader.insert("dir/user.x", "%#include <rpcsvc/base.h>\nstruct user { base b; };\n");
        let c = compile_with("dir/user.x", &Options::new(), &loader).unwrap();
        assert!(!c.has_errors(), "{}", c.render_diagnostics());
        let ir = c.ir.unwrap();
        let base = ir.get(ir.find_type("base").unwrap());
        assert!(matches!(base.origin, ir::Origin::Imported(_)));
        assert!(ir.programs.is_empty(), "imported programs are not the file's own");
    }

    #[test]
    fn options_define_forms() {
        let o = Options::new().define_arg("A=2").define_arg("B").undefine("A");
        assert_eq!(
            o.defines,
            [
                ("A".to_string(), Some("2".to_string())),
                ("B".to_string(), Some("1".to_string())),
                ("A".to_string(), None)
            ]
        );
    }

    #[test]
    fn missing_root_file_is_a_fatal_error() {
        let e = compile_with("nope.x", &Options::new(), &MemoryLoader::new()).unwrap_err();
        assert!(e.to_string().starts_with("cannot read nope.x"));
    }
}
