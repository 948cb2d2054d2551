//! The workspace's binaries, as built next to the test binaries.

use std::path::PathBuf;

/// The path of workspace binary `name` (e.g. `rpcbind`) in the target
/// directory the running test was built into. `cargo test --workspace`
/// builds every binary before running any test; running one package's
/// tests alone may need `cargo build --bins` first, which the panic says.
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/<test> -> target/<profile>/<name>
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join(name))
        .expect("the test binary lives in target/<profile>/deps");
    assert!(
        path.is_file(),
        "{} is not built: run `cargo build --workspace --bins`",
        path.display()
    );
    path
}
