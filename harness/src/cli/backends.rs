//! `thimble backends`: one line per backend, its name first, then whether it runs here.

use anyhow::Result;

pub fn run() -> Result<()> {
    for b in thimble_runtime::BACKENDS {
        match (b.available)() {
            Ok(()) => println!("{:<10} available    {}", b.name, b.description),
            Err(why) => println!("{:<10} unavailable  {} ({why})", b.name, b.description),
        }
    }
    Ok(())
}
