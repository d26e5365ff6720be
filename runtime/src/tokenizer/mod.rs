//! Needle's SentencePiece tokenizer: loads a `.model` file and reproduces
//! `sentencepiece.SentencePieceProcessor.encode` / `.decode` exactly (BPE models, byte
//! fallback, user-defined symbols, precompiled-charsmap or identity normalization).
//!
//! Pipeline: `normalize` rewrites the text, `bpe` segments it, [`Tokenizer::encode`]
//! maps unknown pieces to byte pieces (or one `<unk>` per unknown run), and `decode`
//! inverts it. `proto` is the on-disk format; `vocab` holds the pieces.

mod bpe;
mod charsmap;
mod decode;
mod matcher;
mod normalize;
mod proto;
mod utf8;
mod vocab;

use std::path::{Path, PathBuf};

use prost::Message;

use crate::error::{Error, Result};
use normalize::Normalizer;
use vocab::{PieceType, Vocab};

/// The normalizer flags decoding needs (it undoes the dummy prefix).
#[derive(Debug, Clone, Copy)]
struct SpecFlags {
    add_dummy_prefix: bool,
    remove_extra_whitespaces: bool,
}

/// A SentencePiece model loaded from a `.model` file.
#[derive(Clone)]
pub struct Tokenizer {
    origin: PathBuf,
    vocab: Vocab,
    normalizer: Normalizer,
    normalizer_name: String,
    normalizer_spec: SpecFlags,
    denormalizer: Option<Normalizer>,
    unk_surface: String,
}

impl std::fmt::Debug for Tokenizer {
    // The vocabulary is thousands of entries; show what identifies the model instead.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("origin", &self.origin)
            .field("vocab_size", &self.vocab_size())
            .field("normalizer", &self.normalizer_name)
            .field("byte_fallback", &self.vocab.byte_ids.is_some())
            .finish_non_exhaustive()
    }
}

impl Tokenizer {
    /// Reads a SentencePiece `.model` protobuf file.
    pub fn load(path: &Path) -> Result<Tokenizer> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Tokenizer::from_bytes(&bytes, path)
    }

    /// Parses a serialized SentencePiece model; `origin` names it in errors.
    pub fn from_bytes(bytes: &[u8], origin: &Path) -> Result<Tokenizer> {
        let fail = |msg: String| Error::Tokenizer {
            path: origin.into(),
            msg,
        };
        if bytes.is_empty() {
            return Err(fail("the file is empty".into()));
        }
        let model = proto::ModelProto::decode(bytes).map_err(|e| {
            fail(format!(
                "not a SentencePiece ModelProto (truncated or corrupt protobuf): {e}"
            ))
        })?;
        let trainer = model.trainer_spec.ok_or_else(|| {
            fail("no trainer_spec; the file is truncated or not a SentencePiece model".into())
        })?;
        let norm_spec = model.normalizer_spec.ok_or_else(|| {
            fail("no normalizer_spec; the file is truncated or not a SentencePiece model".into())
        })?;
        let model_type = trainer.model_type();
        if model_type != proto::MODEL_TYPE_BPE {
            return Err(fail(format!(
                "model_type is {} ({model_type}); only BPE models are supported",
                proto::model_type_name(model_type)
            )));
        }
        let vocab = Vocab::new(&model.pieces, trainer.byte_fallback()).map_err(fail)?;
        let normalizer = Normalizer::new(&norm_spec, trainer.treat_whitespace_as_suffix())
            .map_err(|m| fail(format!("normalizer_spec: {m}")))?;
        let denormalizer = match &model.denormalizer_spec {
            Some(spec) if !spec.precompiled_charsmap().is_empty() => Some(
                Normalizer::new(spec, false)
                    .map_err(|m| fail(format!("denormalizer_spec: {m}")))?,
            ),
            _ => None,
        };
        Ok(Tokenizer {
            origin: origin.into(),
            vocab,
            normalizer,
            normalizer_name: norm_spec.name.clone().unwrap_or_default(),
            normalizer_spec: SpecFlags {
                add_dummy_prefix: norm_spec.add_dummy_prefix(),
                remove_extra_whitespaces: norm_spec.remove_extra_whitespaces(),
            },
            denormalizer,
            unk_surface: trainer
                .unk_surface
                .clone()
                .unwrap_or_else(|| proto::DEFAULT_UNK_SURFACE.into()),
        })
    }

    /// Encodes text into ids, as `sentencepiece.SentencePieceProcessor.encode(text)` does
    /// (no BOS/EOS added).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let normalized = self
            .normalizer
            .normalize(text.as_bytes(), Some(&self.vocab.user_symbols));
        let mut ids = Vec::with_capacity(normalized.len() / 2);
        let mut prev_unknown = false;
        for (piece, id) in bpe::encode(&self.vocab, &normalized) {
            let kind = self.vocab.kind(id);
            let unknown = kind == Some(PieceType::Unknown);
            match (&self.vocab.byte_ids, unknown) {
                (Some(byte_ids), true) => ids.extend(piece.iter().map(|&b| byte_ids[b as usize])),
                // Upstream merges a run of unknown pieces into one `<unk>`.
                (None, true) if prev_unknown => {}
                _ => ids.push(id),
            }
            prev_unknown = unknown;
        }
        ids
    }

    /// Decodes ids into text, as `sentencepiece.SentencePieceProcessor.decode(ids)` does.
    /// Ids outside the vocabulary (which upstream rejects) decode like `<unk>`; use
    /// [`Tokenizer::try_decode`] to have them reported instead.
    pub fn decode(&self, ids: &[u32]) -> String {
        match String::from_utf8(self.decode_bytes(ids)) {
            Ok(s) => s,
            // Only a corrupt denormalizer table can produce invalid UTF-8.
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }

    /// Like [`Tokenizer::decode`], but an id outside the vocabulary is an error.
    pub fn try_decode(&self, ids: &[u32]) -> Result<String> {
        if let Some((pos, &id)) = ids
            .iter()
            .enumerate()
            .find(|(_, &id)| id as usize >= self.vocab_size())
        {
            return Err(Error::TokenOutOfRange {
                what: "decoded",
                pos,
                id,
                vocab: self.vocab_size(),
            });
        }
        Ok(self.decode(ids))
    }

    /// Number of pieces.
    pub fn vocab_size(&self) -> usize {
        self.vocab.pieces.len()
    }

    /// The id of exactly this piece (e.g. `"<tool_call>"`, `"▁the"`, `"<0x0A>"`), if any.
    pub fn piece_to_id(&self, piece: &str) -> Option<u32> {
        self.vocab.lookup(piece.as_bytes())
    }

    /// The piece string of an id.
    pub fn id_to_piece(&self, id: u32) -> Option<&str> {
        self.vocab.pieces.get(id as usize).map(|p| p.text.as_str())
    }

    /// The `<unk>` id.
    pub fn unk_id(&self) -> u32 {
        self.vocab.unk_id
    }

    /// Whether `id` is a control piece (`<pad>`, `<s>`, `</s>`), which decodes to nothing.
    pub fn is_control(&self, id: u32) -> bool {
        self.vocab.kind(id) == Some(PieceType::Control)
    }
}

#[cfg(test)]
mod tests;
