//! Building C programs from a `.x` file with `rpcgen` and gcc.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The packages the C peers need, as the line to run.
pub const INSTALL_HINT: &str = "apt-get install -y gcc rpcsvc-proto libtirpc-dev";

/// Linked into every program: `void start_stdin_watchdog(void)` ends the
/// program when its standard input closes (servers call it first thing).
const STDIN_WATCHDOG: &str = "c/stdin_watchdog.c";

/// A C program built from a `.x` file and hand-written C sources.
#[derive(Debug, Clone)]
pub struct CPeer {
    x_file: PathBuf,
    sources: Vec<PathBuf>,
    server_stubs: bool,
    client_stubs: bool,
    rpcgen_flags: Vec<String>,
}

impl CPeer {
    /// A program generated from `x_file` (its header and XDR routines are
    /// always generated) plus the given C sources.
    pub fn new(x_file: impl Into<PathBuf>) -> CPeer {
        CPeer {
            x_file: x_file.into(),
            sources: Vec::new(),
            server_stubs: false,
            client_stubs: false,
            rpcgen_flags: Vec::new(),
        }
    }

    /// Adds a hand-written C source file.
    pub fn source(mut self, path: impl Into<PathBuf>) -> CPeer {
        self.sources.push(path.into());
        self
    }

    /// Also generates and links the server dispatch functions (`rpcgen -m`).
    pub fn server_stubs(mut self) -> CPeer {
        self.server_stubs = true;
        self
    }

    /// Also generates and links the client stubs (`rpcgen -l`).
    pub fn client_stubs(mut self) -> CPeer {
        self.client_stubs = true;
        self
    }

    /// Passes `flags` to every rpcgen run: `-N` for procedures with several
    /// arguments, `-i 0` to avoid rpcgen's inline code (which does not
    /// compile for arrays of `bool`).
    pub fn rpcgen_flags(mut self, flags: &[&str]) -> CPeer {
        self.rpcgen_flags = flags.iter().map(|f| (*f).to_owned()).collect();
        self
    }

    /// Builds the program in a fresh directory `dir` and returns its path.
    /// Panics with the install line when a tool or header is missing.
    pub fn build(&self, dir: &Path, name: &str) -> PathBuf {
        assert!(
            Path::new("/usr/include/tirpc/rpc/rpc.h").exists(),
            "libtirpc headers are missing: run `{INSTALL_HINT}`"
        );
        // rpcgen refuses to overwrite its outputs: start from an empty directory.
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let x_name = copy_into(&self.x_file, dir);
        let stem = x_name.trim_end_matches(".x").to_owned();
        let mut c_files = Vec::new();
        let generate = |flag: &str, out: String| {
            let mut args: Vec<&str> = self.rpcgen_flags.iter().map(String::as_str).collect();
            args.extend([flag, "-o", &out, &x_name]);
            run(dir, "rpcgen", &args);
            out
        };
        generate("-h", format!("{stem}.h"));
        c_files.push(generate("-c", format!("{stem}_xdr.c")));
        if self.server_stubs {
            c_files.push(generate("-m", format!("{stem}_svc.c")));
        }
        if self.client_stubs {
            c_files.push(generate("-l", format!("{stem}_clnt.c")));
        }
        for source in &self.sources {
            c_files.push(copy_into(source, dir));
        }
        c_files.push(copy_into(&Path::new(env!("CARGO_MANIFEST_DIR")).join(STDIN_WATCHDOG), dir));
        let mut args = vec!["-O2", "-w", "-pthread", "-I/usr/include/tirpc", "-o", name];
        args.extend(c_files.iter().map(String::as_str));
        args.push("-ltirpc");
        run(dir, "gcc", &args);
        dir.join(name)
    }
}

fn copy_into(file: &Path, dir: &Path) -> String {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("bad file name {}", file.display()))
        .to_owned();
    std::fs::copy(file, dir.join(&name)).unwrap_or_else(|e| panic!("copy {}: {e}", file.display()));
    name
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): run `{INSTALL_HINT}`"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
