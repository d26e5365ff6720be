//! Reader for SentencePiece's `precompiled_charsmap`: a Darts-clone double-array trie over
//! UTF-8 byte sequences whose values index NUL-terminated replacement strings.
//!
//! Blob layout: `u32` little-endian trie size in bytes, the trie (`u32` units), then the
//! replacement strings. The lookup walks the trie the way Darts-clone's
//! `commonPrefixSearch` does (byte by byte, no special case for NUL), but every array access is
//! bounds-checked so a corrupt table gives "no rule" instead of reading out of bounds.
//!
//! The `spm_precompiled` crate is not used here: its lookup indexes the array unchecked (a
//! corrupt model panics) and its grapheme-cluster based normalization deliberately differs
//! from SentencePiece's longest-prefix rule, which this tokenizer must match exactly.

/// A parsed `precompiled_charsmap`.
#[derive(Clone)]
pub(crate) struct CharsMap {
    units: Vec<u32>,
    replacements: Vec<u8>,
}

impl std::fmt::Debug for CharsMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CharsMap")
            .field("trie_units", &self.units.len())
            .field("replacement_bytes", &self.replacements.len())
            .finish()
    }
}

fn has_leaf(unit: u32) -> bool {
    (unit >> 8) & 1 == 1
}

fn value(unit: u32) -> u32 {
    unit & ((1 << 31) - 1)
}

fn label(unit: u32) -> u32 {
    unit & ((1 << 31) | 0xFF)
}

fn offset(unit: u32) -> usize {
    ((unit >> 10) << ((unit & (1 << 9)) >> 6)) as usize
}

impl CharsMap {
    /// Splits and checks the blob; the checks are the ones SentencePiece makes at load time
    /// plus "the trie fits in the blob", which it leaves to luck.
    pub fn parse(blob: &[u8]) -> Result<CharsMap, String> {
        let Some((head, rest)) = blob.split_first_chunk::<4>() else {
            return Err(format!(
                "precompiled_charsmap is {} bytes, too short for its 4-byte trie size",
                blob.len()
            ));
        };
        if rest.is_empty() {
            return Err("precompiled_charsmap holds only its trie size".into());
        }
        let trie_size = u32::from_le_bytes(*head) as usize;
        if trie_size > rest.len() {
            return Err(format!(
                "precompiled_charsmap trie claims {trie_size} bytes but only {} follow",
                rest.len()
            ));
        }
        let (trie, replacements) = rest.split_at(trie_size);
        let units = trie
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(CharsMap {
            units,
            replacements: replacements.to_vec(),
        })
    }

    /// The longest rule matching a prefix of `key`: (bytes consumed, replacement).
    /// A rule whose replacement offset lies outside the table is ignored.
    pub fn longest_match(&self, key: &[u8]) -> Option<(usize, &[u8])> {
        let mut node = offset(*self.units.first()?);
        let mut best = None;
        for (i, &c) in key.iter().enumerate() {
            node ^= c as usize;
            let Some(&unit) = self.units.get(node) else {
                break;
            };
            if label(unit) != c as u32 {
                break;
            }
            node ^= offset(unit);
            if has_leaf(unit) {
                match self.units.get(node) {
                    Some(&leaf) => best = Some((i + 1, value(leaf) as usize)),
                    None => break,
                }
            }
        }
        let (len, at) = best?;
        let tail = self.replacements.get(at..)?;
        let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
        Some((len, &tail[..end]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_short_and_oversized_blobs() {
        assert!(CharsMap::parse(&[]).is_err());
        assert!(CharsMap::parse(&[1, 0, 0, 0]).is_err());
        assert!(CharsMap::parse(&[9, 0, 0, 0, 1, 2, 3, 4]).is_err());
        assert!(CharsMap::parse(&[0xFF, 0xFF, 0xFF, 0xFF, 0]).is_err());
    }

    #[test]
    fn garbage_trie_never_panics() {
        let mut blob = 16u32.to_le_bytes().to_vec();
        blob.extend([0xFF; 16]);
        blob.extend(b"ab\0");
        let map = CharsMap::parse(&blob).unwrap();
        for key in [&b"abc"[..], b"\xFF\xFF", b"", b"\0\0"] {
            let _ = map.longest_match(key);
        }
    }
}
