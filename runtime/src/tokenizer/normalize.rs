//! SentencePiece's normalizer: precompiled charsmap rewriting (longest rule first), extra
//! whitespace removal, the dummy "▁" prefix (or suffix) and whitespace escaping to U+2581.
//!
//! This follows `Normalizer::Normalize` step for step on raw bytes, because the exact
//! interplay matters for golden equality: leading spaces are judged on the *rewritten*
//! prefix, a rewrite that yields several spaces only keeps the first after a space, and
//! trailing "▁" are trimmed after escaping. User-defined symbols bypass the charsmap.

use super::charsmap::CharsMap;
use super::matcher::PrefixMatcher;
use super::proto::NormalizerSpec;
use super::utf8::{valid_char_len, REPLACEMENT};

/// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space.
pub(crate) const SPACE_SYMBOL: &[u8] = "\u{2581}".as_bytes();

/// One configured normalizer (the model's, or its optional denormalizer).
#[derive(Debug, Clone)]
pub(crate) struct Normalizer {
    charsmap: Option<CharsMap>,
    add_dummy_prefix: bool,
    remove_extra_whitespaces: bool,
    escape_whitespaces: bool,
    treat_whitespace_as_suffix: bool,
}

impl Normalizer {
    pub fn new(spec: &NormalizerSpec, treat_whitespace_as_suffix: bool) -> Result<Self, String> {
        let blob = spec.precompiled_charsmap();
        let charsmap = if blob.is_empty() {
            None
        } else {
            Some(CharsMap::parse(blob)?)
        };
        Ok(Normalizer {
            charsmap,
            add_dummy_prefix: spec.add_dummy_prefix(),
            remove_extra_whitespaces: spec.remove_extra_whitespaces(),
            escape_whitespaces: spec.escape_whitespaces(),
            treat_whitespace_as_suffix,
        })
    }

    /// Rewrites the longest rule (or user-defined symbol, or character) at the start of
    /// `input`: (replacement, input bytes consumed). Consumes at least one byte.
    fn normalize_prefix<'a>(
        &'a self,
        input: &'a [u8],
        matcher: Option<&PrefixMatcher>,
    ) -> (&'a [u8], usize) {
        if let Some(n) = matcher.and_then(|m| m.longest(input)) {
            return (&input[..n], n);
        }
        if let Some((n, rep)) = self.charsmap.as_ref().and_then(|m| m.longest_match(input)) {
            return (rep, n);
        }
        match valid_char_len(input) {
            Some(n) => (&input[..n], n),
            None => (REPLACEMENT, 1),
        }
    }

    /// Normalizes `input` into the byte string the segmenter sees.
    pub fn normalize(&self, mut input: &[u8], matcher: Option<&PrefixMatcher>) -> Vec<u8> {
        let mut out = Vec::new();
        if input.is_empty() {
            return out;
        }
        if self.remove_extra_whitespaces {
            while !input.is_empty() {
                let (rep, n) = self.normalize_prefix(input, matcher);
                if rep != b" " {
                    break;
                }
                input = &input[n..];
            }
            if input.is_empty() {
                return out;
            }
        }
        out.reserve(input.len() * 3);
        let space: &[u8] = if self.escape_whitespaces {
            SPACE_SYMBOL
        } else {
            b" "
        };
        if !self.treat_whitespace_as_suffix && self.add_dummy_prefix {
            out.extend_from_slice(space);
        }
        let mut is_prev_space = self.remove_extra_whitespaces;
        while !input.is_empty() {
            let (mut rep, n) = self.normalize_prefix(input, matcher);
            if is_prev_space {
                while let Some(rest) = rep.strip_prefix(b" ") {
                    rep = rest;
                }
            }
            if !rep.is_empty() {
                for &b in rep {
                    if self.escape_whitespaces && b == b' ' {
                        out.extend_from_slice(SPACE_SYMBOL);
                    } else {
                        out.push(b);
                    }
                }
                is_prev_space = rep.ends_with(b" ");
            }
            input = &input[n..];
            if !self.remove_extra_whitespaces {
                is_prev_space = false;
            }
        }
        if self.remove_extra_whitespaces {
            while out.ends_with(space) {
                out.truncate(out.len() - space.len());
            }
        }
        if self.treat_whitespace_as_suffix && self.add_dummy_prefix {
            out.extend_from_slice(space);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(remove_extra: bool) -> NormalizerSpec {
        NormalizerSpec {
            name: Some("identity".into()),
            precompiled_charsmap: None,
            add_dummy_prefix: Some(true),
            remove_extra_whitespaces: Some(remove_extra),
            escape_whitespaces: Some(true),
        }
    }

    fn norm(remove_extra: bool, text: &str) -> String {
        let n = Normalizer::new(&spec(remove_extra), false).unwrap();
        String::from_utf8(n.normalize(text.as_bytes(), None)).unwrap()
    }

    #[test]
    fn whitespace_rules() {
        assert_eq!(norm(true, "  a  b  "), "▁a▁b");
        assert_eq!(norm(true, "   "), "");
        assert_eq!(norm(false, " a  b "), "▁▁a▁▁b▁");
        assert_eq!(norm(false, ""), "");
    }

    #[test]
    fn user_symbols_pass_through() {
        let n = Normalizer::new(&spec(true), false).unwrap();
        let m = PrefixMatcher::new(["<t> x"]);
        let out = n.normalize(b"<t> x  y", Some(&m));
        // The symbol skips the charsmap but its space is still escaped.
        assert_eq!(String::from_utf8(out).unwrap(), "▁<t>▁x▁y");
    }
}
