//! PLACEHOLDER: SentencePiece tokenizer being written. The API below is fixed.

use std::path::Path;

use crate::error::{Error, Result};

/// A SentencePiece model loaded from a `.model` file.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    _private: (),
}

impl Tokenizer {
    /// Reads a SentencePiece `.model` protobuf file.
    pub fn load(path: &Path) -> Result<Tokenizer> {
        Err(Error::Tokenizer {
            path: path.into(),
            msg: "not implemented yet".into(),
        })
    }
    /// Encodes text into ids, as `sentencepiece.SentencePieceProcessor.encode(text)` does.
    pub fn encode(&self, _text: &str) -> Vec<u32> {
        Vec::new()
    }
    /// Decodes ids into text, as `sentencepiece.SentencePieceProcessor.decode(ids)` does.
    pub fn decode(&self, _ids: &[u32]) -> String {
        String::new()
    }
    /// Number of pieces.
    pub fn vocab_size(&self) -> usize {
        0
    }
}
