//! Golden test: the Rust tokenizer must reproduce Python `sentencepiece` encode and decode
//! exactly on the fixtures in `fixtures/tokenizer/` (see `make_golden.py` for the layout and
//! how the files are regenerated, and for the `THIMBLE_TOKENIZER_GOLDEN_DIR` override).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thimble_runtime::tokenizer::Tokenizer;

#[derive(Deserialize)]
struct Golden {
    model: String,
    sentencepiece_version: String,
    pieces: Vec<String>,
    encode: Vec<EncodeCase>,
    decode: Vec<DecodeCase>,
}

#[derive(Deserialize)]
struct EncodeCase {
    text: String,
    ids: Vec<u32>,
    decoded: String,
}

#[derive(Deserialize)]
struct DecodeCase {
    ids: Vec<u32>,
    text: String,
}

/// The golden directory: `fixtures/tokenizer`, or `THIMBLE_TOKENIZER_GOLDEN_DIR` for a
/// scaled-up set written by `make_golden.py --out DIR --scale N`.
fn fixtures() -> PathBuf {
    match std::env::var_os("THIMBLE_TOKENIZER_GOLDEN_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/tokenizer"),
    }
}

/// Shortens long strings in failure messages while keeping them recognisable.
fn show(s: &str) -> String {
    if s.chars().count() <= 200 {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(200).collect();
        format!("{head:?}... ({} chars)", s.chars().count())
    }
}

/// Index of the first differing element, for pointing at the divergence in long id lists.
fn first_diff(a: &[u32], b: &[u32]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

fn check(variant: &str) {
    let golden_path = fixtures().join(format!("golden-{variant}.json"));
    let json = std::fs::read_to_string(&golden_path)
        .unwrap_or_else(|e| panic!("{}: {e}", golden_path.display()));
    let golden: Golden =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: {e}", golden_path.display()));
    let model_path = fixtures().join(&golden.model);
    let tok = Tokenizer::load(&model_path).unwrap_or_else(|e| panic!("{e}"));
    let ctx = format!(
        "{} vs sentencepiece {}",
        golden_path.display(),
        golden.sentencepiece_version
    );

    assert_eq!(tok.vocab_size(), golden.pieces.len(), "{ctx}: vocab size");
    for (id, piece) in golden.pieces.iter().enumerate() {
        let id = id as u32;
        assert_eq!(
            tok.id_to_piece(id),
            Some(piece.as_str()),
            "{ctx}: id_to_piece({id})"
        );
        assert_eq!(
            tok.piece_to_id(piece),
            Some(id),
            "{ctx}: piece_to_id({piece:?})"
        );
    }

    assert!(golden.encode.len() >= 1000, "{ctx}: too few encode cases");
    for (i, case) in golden.encode.iter().enumerate() {
        let ids = tok.encode(&case.text);
        if ids != case.ids {
            let at = first_diff(&ids, &case.ids);
            let pieces = |v: &[u32]| -> Vec<String> {
                v.iter()
                    .skip(at.saturating_sub(3))
                    .take(8)
                    .map(|&id| tok.id_to_piece(id).unwrap_or("?").to_owned())
                    .collect()
            };
            panic!(
                "{ctx}: encode case {i} differs at id index {at}\n  text: {}\n  ours:     {:?}\n  expected: {:?}",
                show(&case.text),
                pieces(&ids),
                pieces(&case.ids),
            );
        }
        let decoded = tok.decode(&case.ids);
        assert!(
            decoded == case.decoded,
            "{ctx}: decode of encode case {i} differs\n  text: {}\n  ours:     {}\n  expected: {}",
            show(&case.text),
            show(&decoded),
            show(&case.decoded),
        );
    }

    for (i, case) in golden.decode.iter().enumerate() {
        let text = tok.decode(&case.ids);
        assert!(
            text == case.text,
            "{ctx}: decode case {i} ({:?}) differs\n  ours:     {}\n  expected: {}",
            case.ids,
            show(&text),
            show(&case.text),
        );
    }
    eprintln!(
        "{variant}: {} encode + {} decode cases match",
        golden.encode.len(),
        golden.decode.len()
    );
}

#[test]
fn golden_nfkc() {
    check("nfkc");
}

#[test]
fn golden_identity() {
    check("identity");
}
