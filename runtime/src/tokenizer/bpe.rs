//! SentencePiece's BPE segmentation of a normalized string (`bpe::Model::Encode`).
//!
//! The string is split into characters (user-defined symbols as single frozen symbols), then
//! the adjacent pair whose concatenation is the highest-scoring vocabulary piece is merged,
//! ties going to the leftmost pair, until no adjacent pair forms a piece. Stale queue
//! entries are recognised by length, exactly as upstream does, so the merge order (and hence
//! the output) is identical. Pieces of type UNUSED are split back into the pieces they were
//! merged from.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use super::vocab::{PieceType, Vocab};

const NONE: usize = usize::MAX;

/// A symbol is `text[start..end]`; a symbol merged into its left neighbour has
/// `start == end`.
#[derive(Clone, Copy)]
struct Symbol {
    start: usize,
    end: usize,
    prev: usize,
    next: usize,
    frozen: bool,
}

struct Candidate {
    score: f32,
    left: usize,
    right: usize,
    len: usize,
}

impl Ord for Candidate {
    // Max-heap order: higher score first, then the leftmost pair.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .partial_cmp(&other.score)
            .unwrap_or(Ordering::Equal)
            .then_with(|| other.left.cmp(&self.left))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

struct Merger<'a> {
    vocab: &'a Vocab,
    text: &'a [u8],
    symbols: Vec<Symbol>,
    agenda: BinaryHeap<Candidate>,
    /// For UNUSED pieces: merged piece -> (start, split, end) of its last-seen formation.
    rev_merge: HashMap<&'a [u8], (usize, usize, usize)>,
}

impl<'a> Merger<'a> {
    fn maybe_add_pair(&mut self, left: usize, right: usize) {
        if left == NONE || right == NONE {
            return;
        }
        let (l, r) = (self.symbols[left], self.symbols[right]);
        if l.frozen || r.frozen {
            return;
        }
        // Adjacent live symbols are contiguous in `text`.
        let piece = &self.text[l.start..r.end];
        let Some(id) = self.vocab.ordinary_id(piece) else {
            return;
        };
        self.agenda.push(Candidate {
            score: self.vocab.score(id),
            left,
            right,
            len: piece.len(),
        });
        if self.vocab.kind(id) == Some(PieceType::Unused) {
            self.rev_merge.insert(piece, (l.start, l.end, r.end));
        }
    }

    fn run(&mut self) {
        while let Some(top) = self.agenda.pop() {
            let (l, r) = (self.symbols[top.left], self.symbols[top.right]);
            let (l_len, r_len) = (l.end - l.start, r.end - r.start);
            if l_len == 0 || r_len == 0 || l_len + r_len != top.len {
                continue;
            }
            self.symbols[top.left].end = r.end;
            self.symbols[top.left].next = r.next;
            if r.next != NONE {
                self.symbols[r.next].prev = top.left;
            }
            self.symbols[top.right].end = self.symbols[top.right].start;
            self.maybe_add_pair(l.prev, top.left);
            self.maybe_add_pair(top.left, r.next);
        }
    }

    /// Emits `text[start..end]`, splitting UNUSED pieces back into their parts.
    fn resegment(&self, start: usize, end: usize, out: &mut Vec<(&'a [u8], u32)>) {
        let mut stack = vec![(start, end)];
        while let Some((s, e)) = stack.pop() {
            let piece = &self.text[s..e];
            let id = self.vocab.piece_to_id(piece);
            if self.vocab.kind(id) == Some(PieceType::Unused) {
                if let Some(&(a, m, b)) = self.rev_merge.get(piece) {
                    stack.push((m, b));
                    stack.push((a, m));
                    continue;
                }
            }
            out.push((piece, id));
        }
    }
}

/// Segments normalized text into (piece bytes, id) pairs; pieces not in the vocabulary come
/// back as single characters with the `<unk>` id.
pub(crate) fn encode<'a>(vocab: &'a Vocab, text: &'a [u8]) -> Vec<(&'a [u8], u32)> {
    let mut symbols = Vec::with_capacity(text.len());
    let mut pos = 0;
    while pos < text.len() {
        let (len, frozen) = vocab.user_symbols.prefix_match(&text[pos..]);
        let len = len.max(1);
        let index = symbols.len();
        symbols.push(Symbol {
            start: pos,
            end: pos + len,
            prev: if index == 0 { NONE } else { index - 1 },
            next: if pos + len >= text.len() {
                NONE
            } else {
                index + 1
            },
            frozen,
        });
        pos += len;
    }
    if symbols.is_empty() {
        return Vec::new();
    }
    let n = symbols.len();
    let mut merger = Merger {
        vocab,
        text,
        symbols,
        agenda: BinaryHeap::new(),
        rev_merge: HashMap::new(),
    };
    for i in 1..n {
        merger.maybe_add_pair(i - 1, i);
    }
    merger.run();
    let mut out = Vec::new();
    let mut index = 0;
    while index != NONE {
        let s = merger.symbols[index];
        merger.resegment(s.start, s.end, &mut out);
        index = s.next;
    }
    out
}
