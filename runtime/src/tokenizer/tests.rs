//! Unit tests: malformed and unsupported `.model` input must give errors, never panics.
//! (Exact agreement with SentencePiece is checked by `tests/tokenizer_golden.rs`.)

use std::path::{Path, PathBuf};

use prost::Message;

use super::proto::{ModelProto, NormalizerSpec, SentencePiece, TrainerSpec};
use super::vocab::byte_piece;
use super::Tokenizer;
use crate::error::Error;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/tokenizer")
        .join(name)
}

fn piece(text: &str, score: f32, kind: i32) -> SentencePiece {
    SentencePiece {
        piece: Some(text.into()),
        score: Some(score),
        r#type: Some(kind),
    }
}

/// A tiny valid BPE model: specials, "<t>", 256 bytes, a few merges.
fn tiny_model() -> ModelProto {
    let mut pieces = vec![
        piece("<pad>", 0.0, 3),
        piece("</s>", 0.0, 3),
        piece("<s>", 0.0, 3),
        piece("<unk>", 0.0, 2),
        piece("<t>", 0.0, 4),
    ];
    pieces.extend((0..=255u8).map(|b| piece(&byte_piece(b), 0.0, 6)));
    for (i, p) in ["▁a", "ab", "▁ab", "▁", "a", "b"].iter().enumerate() {
        pieces.push(piece(p, -(i as f32), 1));
    }
    ModelProto {
        pieces,
        trainer_spec: Some(TrainerSpec {
            model_type: Some(2),
            vocab_size: None,
            treat_whitespace_as_suffix: None,
            byte_fallback: Some(true),
            unk_surface: None,
        }),
        normalizer_spec: Some(NormalizerSpec {
            name: Some("identity".into()),
            precompiled_charsmap: None,
            add_dummy_prefix: Some(true),
            remove_extra_whitespaces: Some(false),
            escape_whitespaces: Some(true),
        }),
        denormalizer_spec: None,
    }
}

fn load(model: &ModelProto) -> crate::error::Result<Tokenizer> {
    Tokenizer::from_bytes(&model.encode_to_vec(), Path::new("mem.model"))
}

fn err_msg(model: &ModelProto) -> String {
    match load(model) {
        Ok(_) => panic!("model loaded but should have been refused"),
        Err(Error::Tokenizer { path, msg }) => {
            assert_eq!(path, Path::new("mem.model"));
            msg
        }
        Err(e) => panic!("wrong error kind: {e}"),
    }
}

#[test]
fn tiny_model_works() {
    let tok = load(&tiny_model()).unwrap();
    let ids = tok.encode("ab ab<t>é");
    let pieces: Vec<_> = ids.iter().map(|&i| tok.id_to_piece(i).unwrap()).collect();
    assert_eq!(
        pieces,
        ["▁ab", "▁ab", "<t>", "<0xC3>", "<0xA9>"],
        "ids {ids:?}"
    );
    assert_eq!(tok.decode(&ids), "ab ab<t>é");
    assert_eq!(tok.piece_to_id("<t>"), Some(4));
    assert_eq!(tok.piece_to_id("nope"), None);
    assert_eq!(tok.decode(&[99_999]), " \u{2047} ");
    assert!(matches!(
        tok.try_decode(&[5, 99_999]),
        Err(Error::TokenOutOfRange {
            pos: 1,
            id: 99_999,
            ..
        })
    ));
    fn assert_traits<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_traits::<Tokenizer>();
    assert!(format!("{tok:?}").contains("vocab_size"));
}

#[test]
fn unknown_runs_without_byte_fallback_merge_into_one_unk() {
    let mut m = tiny_model();
    m.pieces.retain(|p| p.r#type != Some(6));
    m.trainer_spec.as_mut().unwrap().byte_fallback = Some(false);
    let tok = load(&m).unwrap();
    assert_eq!(tok.encode("aéé"), vec![tok.piece_to_id("▁a").unwrap(), 3]);
    assert_eq!(tok.decode(&tok.encode("aéé")), "a \u{2047} ");
}

#[test]
fn refuses_empty_and_garbage() {
    let empty = Tokenizer::from_bytes(&[], Path::new("x.model")).unwrap_err();
    assert!(empty.to_string().contains("x.model"), "{empty}");
    for garbage in [
        &b"\xff\xff\xff\xff"[..],
        b"hello world",
        b"\x0a\x05\x0a\x03abc",
        b"\x12",
    ] {
        let e = Tokenizer::from_bytes(garbage, Path::new("x.model")).unwrap_err();
        assert!(matches!(e, Error::Tokenizer { .. }), "{e}");
    }
}

#[test]
fn refuses_non_bpe() {
    let mut m = tiny_model();
    m.trainer_spec.as_mut().unwrap().model_type = Some(1);
    assert!(err_msg(&m).contains("UNIGRAM"));
    m.trainer_spec.as_mut().unwrap().model_type = None;
    assert!(err_msg(&m).contains("only BPE"));
}

#[test]
fn refuses_inconsistent_vocab() {
    let mut m = tiny_model();
    m.pieces[3].r#type = Some(1);
    assert!(err_msg(&m).contains("unknown"));

    let mut m = tiny_model();
    m.pieces.push(piece("ab", 0.0, 1));
    assert!(err_msg(&m).contains("twice"));

    let mut m = tiny_model();
    m.pieces[7].piece = Some(String::new());
    assert!(err_msg(&m).contains("empty"));

    let mut m = tiny_model();
    m.pieces.remove(5 + 0x41);
    assert!(err_msg(&m).contains("<0x41>"));

    let mut m = tiny_model();
    m.trainer_spec.as_mut().unwrap().byte_fallback = Some(false);
    assert!(err_msg(&m).contains("byte_fallback"));

    let mut m = tiny_model();
    m.trainer_spec = None;
    assert!(err_msg(&m).contains("trainer_spec"));
}

#[test]
fn refuses_broken_charsmap() {
    let mut m = tiny_model();
    m.normalizer_spec.as_mut().unwrap().precompiled_charsmap = Some(vec![200, 0, 0, 0, 1]);
    assert!(err_msg(&m).contains("charsmap"));
}

#[test]
fn load_reports_missing_file() {
    let e = Tokenizer::load(Path::new("/nonexistent/dir/t.model")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }));
    assert!(e.to_string().contains("/nonexistent/dir/t.model"));
}

const PROBES: [&str; 5] = [
    "Hello, world! <tool_call>{\"a\": 1}",
    "  café  日本語 😀 ",
    "\u{0}\u{1f}\t\n",
    "ｱｲｳ ①",
    "",
];

#[test]
fn truncated_models_error_or_lose_nothing() {
    let full = std::fs::read(fixture("test-nfkc.model")).unwrap();
    let reference = Tokenizer::from_bytes(&full, Path::new("full")).unwrap();
    let lens = (0..full.len())
        .step_by(97)
        .chain(full.len() - 300..full.len());
    for len in lens {
        // A cut on a field boundary after every field the tokenizer reads is still a valid
        // model; any other cut must be refused.
        if let Ok(tok) = Tokenizer::from_bytes(&full[..len], Path::new("cut")) {
            for probe in PROBES {
                assert_eq!(tok.encode(probe), reference.encode(probe), "cut at {len}");
            }
        }
    }
}

#[test]
fn corrupted_models_never_panic() {
    let full = std::fs::read(fixture("test-nfkc.model")).unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut bytes = full.clone();
        for _ in 0..1 + next() % 8 {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] = next() as u8;
        }
        if let Ok(tok) = Tokenizer::from_bytes(&bytes, Path::new("flipped")) {
            for probe in PROBES {
                let ids = tok.encode(probe);
                let _ = tok.decode(&ids);
            }
            let _ = tok.decode(&[0, 1, 2, 3, 4, 200, 250, 1000, 2047, u32::MAX]);
        }
    }
}
