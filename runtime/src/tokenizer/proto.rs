//! The subset of SentencePiece's `sentencepiece_model.proto` (proto2) that the tokenizer reads,
//! as hand-written `prost` messages; field tags follow the upstream schema.
//!
//! Fields not declared here (training options, self-test data, extensions) are skipped by
//! `prost`, which still checks their wire format, so garbage in them is an error.
//! Proto2 defaults are declared on the fields; `prost` then generates accessors (e.g.
//! `add_dummy_prefix()`) that return the default for an absent field.

/// Top-level `ModelProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ModelProto {
    #[prost(message, repeated, tag = "1")]
    pub pieces: Vec<SentencePiece>,
    #[prost(message, optional, tag = "2")]
    pub trainer_spec: Option<TrainerSpec>,
    #[prost(message, optional, tag = "3")]
    pub normalizer_spec: Option<NormalizerSpec>,
    #[prost(message, optional, tag = "5")]
    pub denormalizer_spec: Option<NormalizerSpec>,
}

/// `ModelProto.SentencePiece`: one vocabulary entry; its index is its id.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct SentencePiece {
    #[prost(string, optional, tag = "1")]
    pub piece: Option<String>,
    #[prost(float, optional, tag = "2")]
    pub score: Option<f32>,
    /// `ModelProto.SentencePiece.Type`, kept as the raw enum number.
    #[prost(int32, optional, tag = "3", default = "1")]
    pub r#type: Option<i32>,
}

/// `TrainerSpec.ModelType.BPE`.
pub(crate) const MODEL_TYPE_BPE: i32 = 2;

/// Names of `TrainerSpec.ModelType` values, for error messages.
pub(crate) fn model_type_name(t: i32) -> &'static str {
    match t {
        1 => "UNIGRAM",
        2 => "BPE",
        3 => "WORD",
        4 => "CHAR",
        _ => "unknown",
    }
}

/// `TrainerSpec`: only the options that change how text is encoded or decoded.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct TrainerSpec {
    #[prost(int32, optional, tag = "3", default = "1")]
    pub model_type: Option<i32>,
    #[prost(int32, optional, tag = "4")]
    pub vocab_size: Option<i32>,
    #[prost(bool, optional, tag = "24", default = "false")]
    pub treat_whitespace_as_suffix: Option<bool>,
    #[prost(bool, optional, tag = "35", default = "false")]
    pub byte_fallback: Option<bool>,
    /// Absent means [`DEFAULT_UNK_SURFACE`].
    #[prost(string, optional, tag = "44")]
    pub unk_surface: Option<String>,
}

/// What `decode` prints for `<unk>` unless the model overrides it (" ⁇ ").
pub(crate) const DEFAULT_UNK_SURFACE: &str = " \u{2047} ";

/// `NormalizerSpec`: used both for the normalizer and the (optional) denormalizer.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct NormalizerSpec {
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    #[prost(bytes = "vec", optional, tag = "2")]
    pub precompiled_charsmap: Option<Vec<u8>>,
    #[prost(bool, optional, tag = "3", default = "true")]
    pub add_dummy_prefix: Option<bool>,
    #[prost(bool, optional, tag = "4", default = "true")]
    pub remove_extra_whitespaces: Option<bool>,
    #[prost(bool, optional, tag = "5", default = "true")]
    pub escape_whitespaces: Option<bool>,
}
