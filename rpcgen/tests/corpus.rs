//! The generated Rust must compile, warning-free under clippy, for every
//! real `.x` file: `/usr/include/rpcsvc/*.x`, libtirpc's `rpcb_prot.x`,
//! this crate's fixtures, and every `.x` in the directory named by
//! `RPCGEN_EXTRA_CORPUS` (which is also the include directory for them).
//! The `-Sc`/`-Ss` samples of every file with programs must compile too.
//!
//! Everything goes into one temporary crate (one module per file) that
//! depends on `oncrpc` by path and uses a copy of the workspace's
//! `Cargo.lock`, so nothing is fetched; one `cargo clippy` checks it all.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One `.x` file to compile, with its include directory.
struct Input {
    path: PathBuf,
    include: Option<PathBuf>,
}

fn x_files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "x"))
        .collect();
    files.sort();
    files
}

fn inputs() -> Vec<Input> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = Vec::new();
    let system = x_files_in(Path::new("/usr/include/rpcsvc"));
    assert!(!system.is_empty(), "no .x files in /usr/include/rpcsvc: apt-get install rpcsvc-proto");
    inputs.extend(system.into_iter().map(|path| Input { path, include: None }));
    let rpcb = PathBuf::from("/usr/include/tirpc/rpc/rpcb_prot.x");
    assert!(rpcb.exists(), "{} is missing: apt-get install libtirpc-dev", rpcb.display());
    inputs.push(Input { path: rpcb, include: None });
    let fixtures = manifest.join("tests/fixtures");
    inputs.extend(
        x_files_in(&fixtures)
            .into_iter()
            .map(|path| Input { path, include: Some(fixtures.join("include")) }),
    );
    inputs.push(Input { path: manifest.join("tests/interop/everything.x"), include: None });
    if let Some(extra) = std::env::var_os("RPCGEN_EXTRA_CORPUS") {
        let dir = PathBuf::from(extra);
        let files = x_files_in(&dir);
        assert!(!files.is_empty(), "RPCGEN_EXTRA_CORPUS={}: no .x files there", dir.display());
        inputs.extend(files.into_iter().map(|path| Input { path, include: Some(dir.clone()) }));
    }
    inputs
}

/// The modules of other `.x` files whose types `path` uses through a
/// `%#include` line (`nis_callback.x` uses `nis.x`'s).
fn imported_paths(path: &Path, include: Option<&Path>) -> Vec<PathBuf> {
    let mut opts = idl::Options::new().rpcgen_defines();
    if let Some(dir) = include {
        opts = opts.include_dir(dir);
    }
    let Ok(c) = idl::compile_file(path, &opts) else {
        return Vec::new();
    };
    let Some(ir) = &c.ir else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = ir
        .types
        .iter()
        .filter_map(|t| match t.origin {
            idl::ir::Origin::Imported(file) => {
                c.sources.get(file).and_then(|f| f.path()).map(Path::to_path_buf)
            }
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn generated_code_compiles_for_the_whole_corpus() {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let project = tmp.join("rpcgen_corpus");
    let gen_dir = project.join("gen");
    let _ = std::fs::remove_dir_all(project.join("src"));
    let _ = std::fs::remove_dir_all(&gen_dir);
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::create_dir_all(&gen_dir).unwrap();

    let inputs = inputs();
    let mut failures = Vec::new();
    let mut lib = String::from("//! Every corpus file's generated module.\n#![deny(warnings)]\n\n");
    let mut modules: Vec<(PathBuf, String)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let module = format!("m{i:02}_{}", rpcgen::module_name(&input.path));
        modules.push((input.path.clone(), module));
    }
    for (input, (_, module)) in inputs.iter().zip(&modules) {
        let mut idl_opts = idl::Options::new();
        if let Some(dir) = &input.include {
            idl_opts = idl_opts.include_dir(dir);
        }
        let (ir, _) = match rpcgen::compile(&input.path, idl_opts) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: {e}", input.path.display()));
                continue;
            }
        };
        let name = rpcgen::source_name(&input.path);
        let opts = rpcgen::Options::default();
        let code = rpcgen::generate(&ir, &name, &opts).unwrap();
        std::fs::write(gen_dir.join(format!("{module}.rs")), code).unwrap();
        let imports: String = imported_paths(&input.path, input.include.as_deref())
            .iter()
            .filter_map(|p| modules.iter().find(|(q, _)| q == p))
            .map(|(_, m)| format!("    #[allow(unused_imports)]\n    use super::{m}::*;\n"))
            .collect();
        let _ = write!(
            lib,
            "/// From `{}`.\npub mod {module} {{\n{imports}    include!(\"../gen/{module}.rs\");\n}}\n\n",
            input.path.display()
        );
        if !ir.programs.is_empty() && imports.is_empty() {
            for (kind, text) in [
                ("client", rpcgen::sample_client(&ir, &name, module, &opts).unwrap()),
                ("server", rpcgen::sample_server(&ir, &name, module, &opts).unwrap()),
            ] {
                let sample = format!("{module}_sample_{kind}");
                std::fs::write(gen_dir.join(format!("{sample}.rs")), text).unwrap();
                let _ = write!(
                    lib,
                    "/// `rpcgen -S{}` of `{}`.\n#[allow(dead_code, unreachable_pub)]\nmod {sample} {{\n    include!(\"../gen/{sample}.rs\");\n}}\n\n",
                    &kind[..1],
                    input.path.display()
                );
            }
        }
    }
    assert!(failures.is_empty(), "rpcgen failed:\n{}", failures.join("\n"));
    std::fs::write(project.join("src/lib.rs"), lib).unwrap();

    // The samples include their module from OUT_DIR, as they would in a
    // user's crate; the build script puts the generated files there.
    std::fs::write(
        project.join("build.rs"),
        "//! Puts the generated files in OUT_DIR for the samples.\n#![allow(clippy::unwrap_used)]\nfn main() {\n    let out = std::env::var(\"OUT_DIR\").unwrap();\n    \
         for e in std::fs::read_dir(\"gen\").unwrap() {\n        let p = e.unwrap().path();\n        \
         std::fs::copy(&p, std::path::Path::new(&out).join(p.file_name().unwrap())).unwrap();\n    }\n    \
         println!(\"cargo:rerun-if-changed=gen\");\n}\n",
    )
    .unwrap();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::write(
        project.join("Cargo.toml"),
        format!(
            "[package]\nname = \"rpcgen-corpus\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\noncrpc = {{ path = \"{}\" }}\n\n[workspace]\n\n\
             [lints.rust]\nmissing_docs = \"warn\"\nunreachable_pub = \"warn\"\n\
             rust_2018_idioms = {{ level = \"warn\", priority = -1 }}\n\n\
             [lints.clippy]\nunwrap_used = \"warn\"\ntodo = \"warn\"\n",
            workspace.join("oncrpc").display()
        ),
    )
    .unwrap();
    std::fs::copy(workspace.join("Cargo.lock"), project.join("Cargo.lock")).unwrap();

    let out = Command::new(env!("CARGO"))
        .args(["clippy", "--offline", "--quiet", "--all-targets", "--message-format=short"])
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", tmp.join("rpcgen_corpus_target"))
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let mut broken: Vec<String> = modules
            .iter()
            .filter(|(_, m)| {
                stderr.contains(&format!("gen/{m}.rs"))
                    || stderr.contains(&format!("gen/{m}_sample"))
            })
            .map(|(p, m)| format!("{} (module {m})", p.display()))
            .collect();
        broken.dedup();
        panic!(
            "generated code does not compile cleanly for:\n  {}\n\n{stderr}\n(project: {})",
            broken.join("\n  "),
            project.display()
        );
    }
}
