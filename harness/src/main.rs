//! The `thimble` command line.
fn main() {}
