//! The vocabulary: pieces with their scores and types, and the two lookup tables
//! SentencePiece keeps (ordinary pieces vs. reserved control/unknown/byte pieces), with the
//! consistency checks it makes when a model loads.

use std::collections::HashMap;

use super::matcher::PrefixMatcher;
use super::proto::SentencePiece;

/// `ModelProto.SentencePiece.Type`. Unknown numbers read as `Normal`, as proto2 does for an
/// enum value it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PieceType {
    Normal,
    Unknown,
    Control,
    UserDefined,
    Unused,
    Byte,
}

impl PieceType {
    fn from_proto(t: Option<i32>) -> PieceType {
        match t {
            Some(2) => PieceType::Unknown,
            Some(3) => PieceType::Control,
            Some(4) => PieceType::UserDefined,
            Some(5) => PieceType::Unused,
            Some(6) => PieceType::Byte,
            _ => PieceType::Normal,
        }
    }

    /// Pieces the segmenter may produce by merging; the rest are only reachable by id.
    fn is_ordinary(self) -> bool {
        matches!(
            self,
            PieceType::Normal | PieceType::UserDefined | PieceType::Unused
        )
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub text: String,
    pub score: f32,
    pub kind: PieceType,
}

/// Pieces plus lookup tables.
#[derive(Clone)]
pub(crate) struct Vocab {
    pub pieces: Vec<Piece>,
    ordinary: HashMap<Vec<u8>, u32>,
    reserved: HashMap<Vec<u8>, u32>,
    pub unk_id: u32,
    /// Id of `<0xXX>` for every byte, when byte fallback is on.
    pub byte_ids: Option<Box<[u32; 256]>>,
    pub user_symbols: PrefixMatcher,
}

/// The name SentencePiece gives the byte piece for `b`.
pub(crate) fn byte_piece(b: u8) -> String {
    format!("<0x{b:02X}>")
}

/// The byte a `<0xXX>` piece stands for (upper-case hex only, like SentencePiece).
pub(crate) fn piece_byte(piece: &str) -> Option<u8> {
    let hex = piece.strip_prefix("<0x")?.strip_suffix('>')?;
    if hex.len() != 2
        || !hex
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(&c))
    {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

impl Vocab {
    pub fn new(protos: &[SentencePiece], byte_fallback: bool) -> Result<Vocab, String> {
        if protos.is_empty() {
            return Err("the model has no pieces".into());
        }
        if u32::try_from(protos.len()).is_err() {
            return Err(format!(
                "{} pieces is more than ids can address",
                protos.len()
            ));
        }
        let mut pieces = Vec::with_capacity(protos.len());
        let mut ordinary = HashMap::new();
        let mut reserved = HashMap::new();
        let mut unk_id = None;
        let mut byte_seen = [false; 256];
        let mut user = Vec::new();
        for (id, p) in protos.iter().enumerate() {
            let id = id as u32;
            let text = p.piece.clone().unwrap_or_default();
            if text.is_empty() {
                return Err(format!("piece {id} is empty"));
            }
            let kind = PieceType::from_proto(p.r#type);
            let table = if kind.is_ordinary() {
                &mut ordinary
            } else {
                &mut reserved
            };
            if table.insert(text.as_bytes().to_vec(), id).is_some() {
                return Err(format!("piece {text:?} (id {id}) is defined twice"));
            }
            match kind {
                PieceType::UserDefined => user.push(id as usize),
                PieceType::Unknown => {
                    if let Some(first) = unk_id {
                        return Err(format!(
                            "two unknown pieces: ids {first} and {id} (expected exactly one)"
                        ));
                    }
                    unk_id = Some(id);
                }
                PieceType::Byte => {
                    if !byte_fallback {
                        return Err(format!(
                            "byte piece {text:?} (id {id}) found although byte_fallback is off"
                        ));
                    }
                    let b = piece_byte(&text).ok_or_else(|| {
                        format!("byte piece {text:?} (id {id}) is not of the form <0xXX>")
                    })?;
                    byte_seen[b as usize] = true;
                }
                _ => {}
            }
            pieces.push(Piece {
                text,
                score: p.score.unwrap_or(0.0),
                kind,
            });
        }
        let unk_id = unk_id.ok_or("no unknown (<unk>) piece is defined")?;
        let byte_ids = if byte_fallback {
            if let Some(b) = byte_seen.iter().position(|seen| !seen) {
                return Err(format!(
                    "byte_fallback is on but byte piece {} is missing (need all 256)",
                    byte_piece(b as u8)
                ));
            }
            let mut ids = Box::new([0u32; 256]);
            for (b, slot) in ids.iter_mut().enumerate() {
                // Every byte piece was seen above, so the lookup cannot miss.
                *slot = reserved
                    .get(byte_piece(b as u8).as_bytes())
                    .copied()
                    .unwrap_or(unk_id);
            }
            Some(ids)
        } else {
            None
        };
        let user_symbols = PrefixMatcher::new(user.iter().map(|&i| pieces[i].text.as_str()));
        Ok(Vocab {
            pieces,
            ordinary,
            reserved,
            unk_id,
            byte_ids,
            user_symbols,
        })
    }

    /// An ordinary piece's id (what BPE may merge into).
    pub fn ordinary_id(&self, piece: &[u8]) -> Option<u32> {
        self.ordinary.get(piece).copied()
    }

    /// Exact lookup, reserved pieces first (SentencePiece's order).
    pub fn lookup(&self, piece: &[u8]) -> Option<u32> {
        self.reserved
            .get(piece)
            .or_else(|| self.ordinary.get(piece))
            .copied()
    }

    /// SentencePiece's `PieceToId`: unknown strings map to `<unk>`.
    pub fn piece_to_id(&self, piece: &[u8]) -> u32 {
        self.lookup(piece).unwrap_or(self.unk_id)
    }

    pub fn kind(&self, id: u32) -> Option<PieceType> {
        self.pieces.get(id as usize).map(|p| p.kind)
    }

    pub fn score(&self, id: u32) -> f32 {
        self.pieces.get(id as usize).map_or(0.0, |p| p.score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_piece_names() {
        assert_eq!(byte_piece(0x0A), "<0x0A>");
        assert_eq!(piece_byte("<0xFF>"), Some(0xFF));
        assert_eq!(piece_byte("<0xff>"), None);
        assert_eq!(piece_byte("<0x+F>"), None);
        assert_eq!(piece_byte("<0x1>"), None);
    }
}
