//! Writing a file all at once: the bytes go to a temporary file beside it, which is synced and
//! renamed over the target, so an interrupted writer never leaves a truncated file for the next
//! reader (a generated split, a resumed run's settings).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` via `path` with the extension `tmp` and a rename; the temporary
/// file is removed when any step fails.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    let result = fs::File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
