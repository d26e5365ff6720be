//! Ids back to text, as `SentencePieceProcessor::Decode` does it.
//!
//! Control pieces vanish; `<unk>` prints the model's unk surface; runs of byte pieces are
//! reassembled into UTF-8 with one U+FFFD per byte that does not form a valid character;
//! "▁" becomes a space; and one leading "▁" (from the dummy prefix) is dropped from the
//! first piece that produces text. With remove_extra_whitespaces on, the leading "▁" is
//! dropped from *every* piece until some text has been produced.

use super::normalize::SPACE_SYMBOL;
use super::utf8::{valid_char_len, REPLACEMENT};
use super::vocab::{piece_byte, PieceType};
use super::Tokenizer;

/// What an id decodes as, once resolved against the vocabulary.
enum Resolved<'a> {
    Byte(u8),
    Control,
    Unknown,
    Text(&'a str),
}

impl Tokenizer {
    fn resolve(&self, id: u32) -> Resolved<'_> {
        let Some(piece) = self.vocab.pieces.get(id as usize) else {
            return Resolved::Unknown;
        };
        // Upstream decodes via the piece string, so a duplicated string resolves to
        // whichever id the lookup prefers.
        let id = self.vocab.piece_to_id(piece.text.as_bytes());
        match self.vocab.kind(id) {
            Some(PieceType::Control) => Resolved::Control,
            Some(PieceType::Unknown) => Resolved::Unknown,
            Some(PieceType::Byte) => match piece_byte(&piece.text) {
                Some(b) => Resolved::Byte(b),
                None => Resolved::Unknown,
            },
            _ => Resolved::Text(&piece.text),
        }
    }

    /// Decodes ids; ids outside the vocabulary decode like `<unk>` (see `try_decode`).
    pub(crate) fn decode_bytes(&self, ids: &[u32]) -> Vec<u8> {
        let mut text: Vec<u8> = Vec::new();
        let mut bytes: Vec<u8> = Vec::new();
        let mut is_bos_ws = true;
        let mut bos_ws_seen = false;
        let strip_leading =
            self.normalizer_spec.add_dummy_prefix || self.normalizer_spec.remove_extra_whitespaces;
        for &id in ids {
            let resolved = self.resolve(id);
            if let Resolved::Byte(b) = resolved {
                bytes.push(b);
                continue;
            }
            flush_bytes(&mut bytes, &mut text);
            if bos_ws_seen || !text.is_empty() {
                is_bos_ws = false;
            }
            bos_ws_seen = false;
            match resolved {
                Resolved::Control | Resolved::Byte(_) => {}
                Resolved::Unknown => text.extend_from_slice(self.unk_surface.as_bytes()),
                Resolved::Text(piece) => {
                    let mut piece = piece.as_bytes();
                    if is_bos_ws && strip_leading {
                        if let Some(rest) = piece.strip_prefix(SPACE_SYMBOL) {
                            piece = rest;
                            bos_ws_seen = !self.normalizer_spec.remove_extra_whitespaces;
                        }
                    }
                    push_unescaped(piece, &mut text);
                }
            }
        }
        flush_bytes(&mut bytes, &mut text);
        match &self.denormalizer {
            Some(d) => d.normalize(&text, None),
            None => text,
        }
    }
}

/// Appends `piece` with every "▁" turned back into a space.
fn push_unescaped(mut piece: &[u8], out: &mut Vec<u8>) {
    while let Some(at) = piece
        .windows(SPACE_SYMBOL.len())
        .position(|w| w == SPACE_SYMBOL)
    {
        out.extend_from_slice(&piece[..at]);
        out.push(b' ');
        piece = &piece[at + SPACE_SYMBOL.len()..];
    }
    out.extend_from_slice(piece);
}

/// Turns a run of byte pieces into text: valid characters as they are, each stray byte as
/// U+FFFD.
fn flush_bytes(bytes: &mut Vec<u8>, out: &mut Vec<u8>) {
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        match valid_char_len(rest) {
            Some(n) => {
                out.extend_from_slice(&rest[..n]);
                rest = &rest[n..];
            }
            None => {
                out.extend_from_slice(REPLACEMENT);
                rest = &rest[1..];
            }
        }
    }
    bytes.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stray_bytes_become_one_replacement_each() {
        let mut out = Vec::new();
        let mut bytes = vec![0xE2, 0x82, b'a', 0xF0, 0x9F, 0x98, 0x80, 0xFF];
        flush_bytes(&mut bytes, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{FFFD}\u{FFFD}a😀\u{FFFD}"
        );
    }

    #[test]
    fn unescape() {
        let mut out = Vec::new();
        push_unescaped("▁a▁▁b".as_bytes(), &mut out);
        assert_eq!(out, b" a  b");
    }
}
