//! Constrained decoding: the `--constrain` mode and the pieces that enforce it.
//!
//! The model's answer is `<tool_call>`, a compact JSON call list, then EOS. In `names` and
//! `schema` modes every generated token is checked against a grammar compiled from the tools
//! before the argmax:
//!
//! - [`grammar`] compiles the normalized tool documents into a [`Grammar`] (call-list shape,
//!   tool names, argument keys, value types) and records [`Warning`]s for schema keywords it
//!   cannot represent;
//! - [`state`] is the byte-level pushdown automaton that walks JSON text against a grammar;
//! - [`mask`] indexes a vocabulary once ([`VocabIndex`]) and computes, per decoding step, which
//!   tokens keep the output a valid prefix ([`Masker`]).
//!
//! `off` never builds any of this: decoding is the unconstrained greedy path, bit for bit.

pub mod grammar;
pub mod mask;
pub mod state;

use std::fmt;
use std::str::FromStr;

pub use grammar::{Grammar, Warning};
pub use mask::{Masker, VocabIndex};

/// How much of the output the decoder enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Constrain {
    /// Plain greedy decoding.
    #[default]
    Off,
    /// Needle 1's constraint: the call-list shape, declared tool names and argument keys;
    /// argument values are any JSON value.
    Names,
    /// Everything: names, keys, required keys and every value's declared type.
    Schema,
}

impl Constrain {
    pub const ALL: [Constrain; 3] = [Constrain::Off, Constrain::Names, Constrain::Schema];

    pub fn as_str(self) -> &'static str {
        match self {
            Constrain::Off => "off",
            Constrain::Names => "names",
            Constrain::Schema => "schema",
        }
    }
}

impl fmt::Display for Constrain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Constrain {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Constrain::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown constrain mode `{s}` (expected off, names or schema)"))
    }
}

/// What a constrained generation reports besides its text.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstrainReport {
    pub mode: Constrain,
    /// Schema keywords the grammar could not enforce, and what it enforced instead.
    pub warnings: Vec<Warning>,
    /// The call list was closed and EOS emitted. False when `max_new` ran out first: the
    /// output is then an unfinished (invalid) prefix.
    pub complete: bool,
    /// Time spent computing and applying the mask at each generated token, microseconds.
    pub mask_us: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_round_trips() {
        for c in Constrain::ALL {
            assert_eq!(c.to_string().parse::<Constrain>(), Ok(c));
        }
        assert_eq!(" Schema ".parse::<Constrain>(), Ok(Constrain::Schema));
        let e = "full".parse::<Constrain>().unwrap_err();
        assert!(e.contains("off, names or schema"), "{e}");
        assert_eq!(Constrain::default(), Constrain::Off);
    }
}
