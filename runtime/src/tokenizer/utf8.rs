//! UTF-8 length rules exactly as SentencePiece applies them to raw bytes.
//!
//! SentencePiece does not use "maximal subpart" replacement like `String::from_utf8_lossy`:
//! an invalid sequence always consumes exactly one byte (one U+FFFD per bad byte), and a
//! truncated multi-byte sequence is invalid. These helpers reproduce that.

/// U+FFFD, which SentencePiece substitutes for each byte it cannot decode.
pub(crate) const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// Length of the character starting at `bytes[0]` judged from its lead byte alone, clamped to
/// the input (SentencePiece's `OneCharLen`). Used where the input is already known to be valid.
pub(crate) fn one_char_len(bytes: &[u8]) -> usize {
    let Some(&b) = bytes.first() else { return 0 };
    let len = match b >> 4 {
        0xC | 0xD => 2,
        0xE => 3,
        0xF => 4,
        _ => 1,
    };
    len.min(bytes.len())
}

/// Length of the valid UTF-8 character at the start of `bytes`, or `None` when the lead byte
/// does not start a complete, shortest-form, non-surrogate scalar value. Rust's validator
/// applies the same rules SentencePiece's `DecodeUTF8` does, once the length is fixed by the
/// lead byte.
pub(crate) fn valid_char_len(bytes: &[u8]) -> Option<usize> {
    let b = *bytes.first()?;
    let len = if b < 0x80 {
        return Some(1);
    } else if b & 0xE0 == 0xC0 {
        2
    } else if b & 0xF0 == 0xE0 {
        3
    } else if b & 0xF8 == 0xF0 {
        4
    } else {
        return None;
    };
    let head = bytes.get(..len)?;
    std::str::from_utf8(head).ok().map(|_| len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(valid_char_len(b"a"), Some(1));
        assert_eq!(valid_char_len("é".as_bytes()), Some(2));
        assert_eq!(valid_char_len("\u{FFFD}".as_bytes()), Some(3));
        assert_eq!(valid_char_len("😀".as_bytes()), Some(4));
        assert_eq!(valid_char_len(&[0xE2, 0x82]), None);
        assert_eq!(valid_char_len(&[0xC0, 0x80]), None);
        assert_eq!(valid_char_len(&[0xED, 0xA0, 0x80]), None);
        assert_eq!(valid_char_len(&[0xF5, 0x80, 0x80, 0x80]), None);
        assert_eq!(valid_char_len(&[0x80]), None);
        assert_eq!(valid_char_len(&[]), None);
        assert_eq!(one_char_len(&[0xF0, 0x9F]), 2);
        assert_eq!(one_char_len(b""), 0);
    }
}
