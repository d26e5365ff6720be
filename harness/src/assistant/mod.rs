//! The bundled "assistant" suite: a catalogue of on-device assistant tools and a deterministic
//! generator of Needle-2-style JSONL examples from it (`thimble suite generate`).
//!
//! Splits: `train` (generated on demand), `dev` and `test` (tool phrasings and values held out
//! from train), `heldout-tools` (tools train never sees). See `suites/assistant/README.md` for
//! the scheme; `values` owns the value split and `catalogue` the phrasing split.

pub mod catalogue;
pub mod generate;
pub mod rng;
pub mod templates;
pub mod values;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use generate::{
    catalogue_json, generate_split, write_suite, GenerateOptions, Generated, Manifest, PhrasingRef,
    SplitEntry, SuiteLine,
};

/// Bumped whenever the generator's output for a given seed changes.
pub const GENERATOR_VERSION: u32 = 2;
/// The generator's name in manifests.
pub const GENERATOR_NAME: &str = "thimble-assistant";

pub const DEV_SIZE: usize = 500;
pub const TEST_SIZE: usize = 1000;
pub const HELDOUT_SIZE: usize = 400;
pub const DEFAULT_TRAIN_SIZE: usize = 50_000;
/// Guards against a typo filling the disk (each example is a few kilobytes).
pub const MAX_TRAIN_SIZE: usize = 5_000_000;

/// Everything that can go wrong generating or writing the suite.
#[derive(Debug, thiserror::Error)]
pub enum AssistantError {
    #[error("seed must be a non-negative integer such as 1, got {0:?}")]
    InvalidSeed(String),
    #[error(
        "unknown split {0:?}; expected a comma-separated list of train, dev, test, heldout-tools"
    )]
    UnknownSplit(String),
    #[error("no splits given; expected a comma-separated list of train, dev, test, heldout-tools")]
    NoSplits,
    #[error("train size must be between 1 and {max}, got {got}")]
    TrainSize { got: usize, max: usize },
    #[error("output path {} exists and is not a directory", .0.display())]
    NotADirectory(PathBuf),
    #[error("cannot create output directory {}", path.display())]
    OutputDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("output directory {} is not writable", path.display())]
    NotWritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("assistant catalogue is inconsistent: {0}")]
    Catalogue(String),
    #[error("cannot serialize the suite")]
    Json(#[from] serde_json::Error),
}

/// A split of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Split {
    Train,
    Dev,
    Test,
    HeldoutTools,
}

impl Split {
    pub const ALL: [Split; 4] = [Split::Train, Split::Dev, Split::Test, Split::HeldoutTools];

    /// The name used on the command line, in ids and as the file stem.
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Dev => "dev",
            Split::Test => "test",
            Split::HeldoutTools => "heldout-tools",
        }
    }

    /// Example count; `train_size` only applies to `train`.
    pub fn size(self, train_size: usize) -> usize {
        match self {
            Split::Train => train_size,
            Split::Dev => DEV_SIZE,
            Split::Test => TEST_SIZE,
            Split::HeldoutTools => HELDOUT_SIZE,
        }
    }

    pub fn file_name(self) -> String {
        format!("{}.jsonl", self.name())
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Split {
    type Err = AssistantError;

    fn from_str(s: &str) -> Result<Split, AssistantError> {
        Split::ALL
            .into_iter()
            .find(|sp| sp.name() == s.trim())
            .ok_or_else(|| AssistantError::UnknownSplit(s.to_string()))
    }
}

/// The shape of an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One tool offered, one call.
    Single,
    /// The right tool among 1–8 others, one call.
    Distractors,
    /// Two or three calls from one request.
    Parallel,
    /// No offered tool fits the request; the answer is `[]`.
    NoCall,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Single,
        Kind::Distractors,
        Kind::Parallel,
        Kind::NoCall,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Distractors => "distractors",
            Kind::Parallel => "parallel",
            Kind::NoCall => "no_call",
        }
    }

    /// Share of a split, in thousandths.
    pub fn per_mille(self) -> usize {
        match self {
            Kind::Single => 300,
            Kind::Distractors => 350,
            Kind::Parallel => 200,
            Kind::NoCall => 150,
        }
    }

    /// Exact example counts per kind for a split of `n`, by largest remainder.
    pub fn quotas(n: usize) -> [(Kind, usize); 4] {
        let mut out = Kind::ALL.map(|k| (k, n * k.per_mille() / 1000));
        let assigned: usize = out.iter().map(|(_, c)| c).sum();
        let mut order: Vec<usize> = (0..4).collect();
        // Stable sort keeps ties in kind order, so the result is deterministic.
        order.sort_by_key(|&i| std::cmp::Reverse(n * Kind::ALL[i].per_mille() % 1000));
        for &i in order.iter().take(n - assigned) {
            out[i].1 += 1;
        }
        out
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses `--seed`: decimal digits only, fitting in 64 bits.
pub fn parse_seed(s: &str) -> Result<u64, AssistantError> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AssistantError::InvalidSeed(s.to_string()));
    }
    t.parse::<u64>()
        .map_err(|_| AssistantError::InvalidSeed(s.to_string()))
}

/// Parses `--splits`: comma-separated split names, duplicates dropped, order kept.
pub fn parse_splits(s: &str) -> Result<Vec<Split>, AssistantError> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let sp: Split = part.parse()?;
        if !out.contains(&sp) {
            out.push(sp);
        }
    }
    if out.is_empty() {
        return Err(AssistantError::NoSplits);
    }
    Ok(out)
}

/// Checks every tool's phrasings and the category table.
pub fn validate_catalogue() -> Result<(), AssistantError> {
    for t in catalogue::TOOLS {
        if !catalogue::CATEGORIES.iter().any(|c| c.name == t.category) {
            return Err(AssistantError::Catalogue(format!(
                "tool {} has unknown category {:?}",
                t.name, t.category
            )));
        }
        templates::validate_tool(t)?;
    }
    Ok(())
}
