//! Copies of programs that other users may run.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A copy of `program` in a directory every user can reach, for running it
/// as another user: the build directory may sit where they cannot (a
/// clone in a 0700 temporary directory). Copied once per process; the
/// copy keeps the program's file name (its `argv[0]`), in a directory
/// named after the original's, so programs of the same name stay apart.
pub fn shared_copy(program: &Path) -> PathBuf {
    let origin = program.parent().map_or_else(String::new, |p| p.display().to_string());
    let dir = std::env::temp_dir()
        .join(format!("oncrpc-shared-{}", std::process::id()))
        .join(origin.replace('/', "_"));
    let name = program.file_name().expect("a program's file name");
    let copy = dir.join(name);
    if !copy.exists() {
        std::fs::create_dir_all(&dir).expect("create the shared directory");
        for open in [dir.as_path(), dir.parent().expect("the per-process directory")] {
            std::fs::set_permissions(open, std::fs::Permissions::from_mode(0o755))
                .expect("open the shared directory");
        }
        std::fs::copy(program, &copy).unwrap_or_else(|e| panic!("copy {}: {e}", program.display()));
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755))
            .expect("make the copy executable");
    }
    copy
}
