//! Programs that other users may run.

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Name of the file in each program directory that records which build
/// directory the programs came from, so directories of deleted builds
/// (temporary clones) can be pruned.
const ORIGIN_FILE: &str = "origin";

/// `program` at a path every user can reach, for running it as another
/// user: the build directory may sit where they cannot (a clone in a 0700
/// temporary directory).
///
/// The program is hard-linked (no disk space) into
/// `$TMPDIR/oncrpc-shared-<uid>/<its directory>/` under its own file name
/// (its `argv[0]`), and copied only when a link cannot be made (another
/// filesystem, or a program others may not execute). Refreshed once per
/// process; directories whose build directory is gone are removed.
pub fn shared_copy(program: &Path) -> PathBuf {
    static DONE: Mutex<Option<HashMap<PathBuf, PathBuf>>> = Mutex::new(None);
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    let done = done.get_or_insert_with(|| {
        prune_orphans(&shared_root());
        HashMap::new()
    });
    if let Some(path) = done.get(program) {
        return path.clone();
    }
    let path = publish(program);
    done.insert(program.to_path_buf(), path.clone());
    path
}

/// The per-user directory every program directory sits in, created open
/// for reading and checked to be ours (not planted by another user).
fn shared_root() -> PathBuf {
    let me = fs::metadata("/proc/self").expect("read /proc/self").uid();
    let root = std::env::temp_dir().join(format!("oncrpc-shared-{me}"));
    let _ = fs::create_dir(&root);
    let meta = fs::symlink_metadata(&root).expect("stat the shared directory");
    assert!(
        meta.is_dir() && meta.uid() == me,
        "{} is not a directory of uid {me}; remove it",
        root.display()
    );
    fs::set_permissions(&root, fs::Permissions::from_mode(0o755))
        .expect("open the shared directory");
    root
}

/// Links (or copies) `program` into its directory under the shared root
/// and returns the new path. The new entry replaces the old one by an
/// atomic rename, so a process running the old one is not disturbed.
fn publish(program: &Path) -> PathBuf {
    let origin = program.parent().expect("a program's directory");
    let dir = shared_root().join(origin.display().to_string().replace('/', "_"));
    fs::create_dir_all(&dir).expect("create the program directory");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))
        .expect("open the program directory");
    fs::write(dir.join(ORIGIN_FILE), origin.as_os_str().as_encoded_bytes())
        .expect("record the build directory");
    let name = program.file_name().expect("a program's file name");
    let path = dir.join(name);
    // A link to a symbolic link would be that (relative) link itself.
    let target = fs::canonicalize(program).unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let program_meta = fs::metadata(&target).expect("stat the program");
    if fs::metadata(&path)
        .is_ok_and(|m| (m.dev(), m.ino()) == (program_meta.dev(), program_meta.ino()))
    {
        return path;
    }
    // Processes in other pid namespaces may share a pid: the time tells
    // their staging names apart.
    let nanos = std::time::SystemTime::UNIX_EPOCH.elapsed().map_or(0, |d| d.subsec_nanos());
    let staging = dir.join(format!(".{}.{}.{nanos}", name.to_string_lossy(), std::process::id()));
    let runnable_by_all = program_meta.mode() & 0o005 == 0o005;
    if !runnable_by_all || fs::hard_link(&target, &staging).is_err() {
        fs::copy(&target, &staging).unwrap_or_else(|e| panic!("copy {}: {e}", program.display()));
        fs::set_permissions(&staging, fs::Permissions::from_mode(0o755))
            .expect("make the copy executable");
    }
    fs::rename(&staging, &path).expect("publish the program");
    // Renaming one link of a file onto another link of it does nothing.
    let _ = fs::remove_file(&staging);
    path
}

/// Removes the program directories whose build directory no longer
/// exists: their links would keep a deleted build's programs on disk.
fn prune_orphans(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else { return };
    for dir in entries.flatten().map(|e| e.path()) {
        let Ok(origin) = fs::read_to_string(dir.join(ORIGIN_FILE)) else { continue };
        if !Path::new(&origin).is_dir() {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}
