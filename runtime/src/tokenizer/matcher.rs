//! Longest-prefix matching of user-defined symbols (`<tool_call>`, `<tools>`), which
//! SentencePiece applies twice: the normalizer copies them through untouched, and the BPE
//! splitter makes each one a single frozen symbol that never merges with its neighbours.

use std::collections::HashSet;

use super::utf8::one_char_len;

/// The set of user-defined symbols, searchable by longest prefix.
#[derive(Debug, Clone, Default)]
pub(crate) struct PrefixMatcher {
    symbols: HashSet<Vec<u8>>,
    /// Distinct symbol lengths, longest first, so the first hit is the longest match.
    lengths: Vec<usize>,
}

impl PrefixMatcher {
    pub fn new<'a>(symbols: impl IntoIterator<Item = &'a str>) -> PrefixMatcher {
        let symbols: HashSet<Vec<u8>> =
            symbols.into_iter().map(|s| s.as_bytes().to_vec()).collect();
        let mut lengths: Vec<usize> = symbols.iter().map(Vec::len).collect();
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        PrefixMatcher { symbols, lengths }
    }

    /// Length of the longest symbol that `input` starts with.
    pub fn longest(&self, input: &[u8]) -> Option<usize> {
        self.lengths.iter().copied().find(|&n| {
            input
                .get(..n)
                .is_some_and(|head| self.symbols.contains(head))
        })
    }

    /// SentencePiece's `PrefixMatch`: (length, whether a symbol matched); one character when
    /// nothing matches.
    pub fn prefix_match(&self, input: &[u8]) -> (usize, bool) {
        match self.longest(input) {
            Some(n) => (n, true),
            None => (one_char_len(input), false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_wins() {
        let m = PrefixMatcher::new(["<a>", "<a>b", "x"]);
        assert_eq!(m.prefix_match(b"<a>bc"), (4, true));
        assert_eq!(m.prefix_match(b"<a>c"), (3, true));
        assert_eq!(m.prefix_match("éa".as_bytes()), (2, false));
        assert_eq!(m.prefix_match(b""), (0, false));
    }
}
