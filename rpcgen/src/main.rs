//! `rpcgen`: Rust from an ONC RPC `.x` file.
//!
//! ```text
//! rpcgen [OPTIONS] FILE.x            the module on stdout (or -o FILE)
//! rpcgen -Sc FILE.x                  a sample client main to start from
//! rpcgen -Ss FILE.x                  a sample server main to start from
//! ```
//!
//! Diagnostics from the front end go to stderr; on an error the exit
//! status is 1.

// A command-line tool: writing the generated code to stdout is its job.
#![allow(clippy::print_stdout)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Rust from ONC RPC `.x` files: types, XDR codecs, client stubs, server traits.
#[derive(Debug, Parser)]
#[command(name = "rpcgen", version)]
struct Cli {
    /// The .x file.
    file: PathBuf,
    /// Write to FILE instead of stdout.
    #[arg(short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Search DIR for #include files (repeatable; -IDIR works too).
    #[arg(short = 'I', value_name = "DIR")]
    include: Vec<PathBuf>,
    /// Define a macro: NAME or NAME=VALUE (repeatable; -DNAME works too).
    #[arg(short = 'D', value_name = "NAME[=VALUE]")]
    define: Vec<String>,
    /// Remove a macro definition (repeatable).
    #[arg(short = 'U', value_name = "NAME")]
    undefine: Vec<String>,
    /// Write a sample client (-Sc) or sample server (-Ss) program instead.
    #[arg(short = 'S', value_name = "c|s", value_parser = ["c", "s"])]
    sample: Option<String>,
    /// Emit the constants, types and codecs (alone unless --client/--server).
    #[arg(long)]
    types: bool,
    /// Emit the client stubs (alone unless --types/--server).
    #[arg(long)]
    client: bool,
    /// Emit the server traits (alone unless --types/--client).
    #[arg(long)]
    server: bool,
    /// Map `string` to Utf8String instead of ByteString.
    #[arg(long)]
    utf8_strings: bool,
    /// Declare a procedure one-way: no reply, run in order (repeatable).
    #[arg(long = "one-way", value_name = "PROC")]
    one_way: Vec<String>,
    /// The runtime crate (or path) generated code names.
    #[arg(long, value_name = "PATH", default_value = "oncrpc")]
    runtime_crate: String,
    /// For -Sc/-Ss: the module holding the generated code (default: the file's stem).
    #[arg(long, value_name = "NAME")]
    module: Option<String>,
    /// Accepted for compatibility with C rpcgen (newstyle is always on).
    #[arg(short = 'N', hide = true)]
    newstyle: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let text = e.to_string();
            eprint!("{text}");
            if !text.ends_with('\n') {
                eprintln!();
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<(), rpcgen::Error> {
    let mut idl_opts = idl::Options::new();
    for d in &cli.include {
        idl_opts = idl_opts.include_dir(d);
    }
    for d in &cli.define {
        idl_opts = idl_opts.define_arg(d);
    }
    for u in &cli.undefine {
        idl_opts = idl_opts.undefine(u);
    }
    let parts = if cli.types || cli.client || cli.server {
        rpcgen::Parts { types: cli.types, client: cli.client, server: cli.server }
    } else {
        rpcgen::Parts::ALL
    };
    let opts = rpcgen::Options {
        utf8_strings: cli.utf8_strings,
        parts,
        runtime_crate: cli.runtime_crate.clone(),
        one_way: cli.one_way.clone(),
    };
    let (ir, out) = rpcgen::compile(&cli.file, idl_opts)?;
    if !out.warnings.is_empty() {
        eprint!("{}", out.warnings);
    }
    let name = rpcgen::source_name(&cli.file);
    let module = cli.module.clone().unwrap_or_else(|| rpcgen::module_name(&cli.file));
    let code = match cli.sample.as_deref() {
        Some("c") => rpcgen::sample_client(&ir, &name, &module, &opts)?,
        Some(_) => rpcgen::sample_server(&ir, &name, &module, &opts)?,
        None => rpcgen::generate(&ir, &name, &opts)?,
    };
    match &cli.output {
        Some(path) => std::fs::write(path, code)
            .map_err(|source| rpcgen::Error::Io { path: path.clone(), source }),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(code.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|source| rpcgen::Error::Io { path: "<stdout>".into(), source })
        }
    }
}
