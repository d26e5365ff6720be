//! The runtime's error type: every failure names the file, tensor or value at fault.

use std::path::PathBuf;

/// Errors from loading, validating and running a model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: invalid config: {msg}")]
    Config { path: PathBuf, msg: String },
    #[error("{path}: not a valid safetensors file: {msg}")]
    Safetensors { path: PathBuf, msg: String },
    #[error("{path}: tensor `{name}` is missing (expected shape {expected:?})")]
    MissingTensor {
        path: PathBuf,
        name: String,
        expected: Vec<usize>,
    },
    #[error("{path}: tensor `{name}` has shape {got:?}, expected {expected:?}")]
    TensorShape {
        path: PathBuf,
        name: String,
        got: Vec<usize>,
        expected: Vec<usize>,
    },
    #[error("{path}: tensor `{name}` has dtype {got}, expected one of f32, f16, bf16")]
    TensorDtype {
        path: PathBuf,
        name: String,
        got: String,
    },
    #[error("{path}: tensor `{name}` holds a non-finite value ({value}) at flat index {index}")]
    NonFinite {
        path: PathBuf,
        name: String,
        index: usize,
        value: f32,
    },
    #[error("{path}: invalid tokenizer model: {msg}")]
    Tokenizer { path: PathBuf, msg: String },
    #[error("unknown backend `{name}` (available: {available})")]
    UnknownBackend { name: String, available: String },
    #[error("backend `{name}` is not available on this machine: {why}")]
    BackendUnavailable { name: String, why: String },
    #[error("unknown model source `{0}`: expected a model directory or synthetic:<preset> (presets: {1})")]
    UnknownModel(String, String),
    #[error("token id {id} at {what} position {pos} is outside the vocabulary (size {vocab})")]
    TokenOutOfRange {
        what: &'static str,
        pos: usize,
        id: u32,
        vocab: usize,
    },
    #[error("{what} has {len} tokens; the model accepts at most {max}")]
    TooLong {
        what: &'static str,
        len: usize,
        max: usize,
    },
    #[error("invalid input: {0}")]
    Input(String),
    #[error("tools are not valid JSON: {0}")]
    ToolsJson(String),
    #[error("this model directory has no tokenizer.model; {0} needs one")]
    NoTokenizer(&'static str),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
