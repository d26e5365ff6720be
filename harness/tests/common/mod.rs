//! Helpers shared by the harness's integration tests: the `thimble` binary run from the
//! repository root (so fixture paths read as in the README) and fresh scratch paths.

// Each test crate compiles this module and uses only some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `thimble ARGS` in the repository root and waits for it.
pub fn thimble(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thimble"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// A scratch path unique to this test binary, `name` and process, removed if it exists and
/// not created (for commands that create their output directory).
pub fn tmp(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let binary = exe.file_stem().unwrap().to_string_lossy();
    // Cargo names test binaries `<crate>-<hash>`; the crate part is enough to tell them apart.
    let group = binary.split('-').next().unwrap_or("test");
    let d = std::env::temp_dir().join(format!("thimble-{group}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// As [`tmp`], created and empty.
pub fn tmp_dir(name: &str) -> PathBuf {
    let d = tmp(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}
