//! Which tokens may come next: the vocabulary indexed as a byte trie, and the per-step mask.
//!
//! [`VocabIndex`] is built once per tokenizer. Every piece becomes the bytes it decodes to
//! (`▁` → space, `<0xNN>` → that byte); control, unknown and marker pieces get no bytes and are
//! never allowed as text. The pieces go into one byte trie, so a mask is a depth-first walk
//! from the automaton's state that forks the state at each edge and prunes a whole subtree as
//! soon as its shared prefix is rejected.
//!
//! Inside a free string almost every piece is allowed and such a walk would visit the whole
//! trie. String lexing depends only on the lexer sub-state, so the index also precomputes, per
//! sub-state, the bit set of pieces that stay inside the string and a second trie of what the
//! pieces that close it carry after their closing quote. A string step is then a bit-set copy
//! plus a walk of that small trie from the state after the string.
//!
//! [`Masker`] drives one generation: `<tool_call>` first, then the grammar, then EOS only once
//! the call list is closed.

use std::fmt;
use std::time::Instant;

use super::grammar::Grammar;
use super::state::{str_step, Frame, Link, Matcher, State, StrStep, StrSub};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::tokenizer::Tokenizer;

/// A byte trie over token byte strings, flattened so that a node's edges are contiguous and
/// subtrees are laid out in depth-first order.
#[derive(Clone, Default)]
struct ByteTrie {
    /// Edges of node `i` are `edge_start[i]..edge_start[i + 1]`.
    edge_start: Vec<u32>,
    edge_byte: Vec<u8>,
    edge_child: Vec<u32>,
    /// Tokens whose bytes end at node `i` are `toks[tok_start[i]..tok_start[i + 1]]`.
    tok_start: Vec<u32>,
    toks: Vec<u32>,
}

impl ByteTrie {
    fn build(entries: &[(&[u8], u32)]) -> ByteTrie {
        // Pointer-style first, then renumbered depth-first.
        let mut kids: Vec<Vec<(u8, u32)>> = vec![Vec::new()];
        let mut toks: Vec<Vec<u32>> = vec![Vec::new()];
        for &(bytes, id) in entries {
            let mut at = 0usize;
            for &b in bytes {
                at = match kids[at].iter().find(|e| e.0 == b) {
                    Some(e) => e.1 as usize,
                    None => {
                        kids.push(Vec::new());
                        toks.push(Vec::new());
                        let c = kids.len() - 1;
                        kids[at].push((b, c as u32));
                        c
                    }
                };
            }
            toks[at].push(id);
        }
        let mut order = Vec::with_capacity(kids.len());
        let mut stack = vec![0u32];
        while let Some(n) = stack.pop() {
            order.push(n);
            let k = &mut kids[n as usize];
            k.sort_unstable();
            stack.extend(k.iter().rev().map(|e| e.1));
        }
        let mut new_id = vec![0u32; kids.len()];
        for (i, &n) in order.iter().enumerate() {
            new_id[n as usize] = i as u32;
        }
        let mut t = ByteTrie::default();
        for &n in &order {
            t.edge_start.push(t.edge_byte.len() as u32);
            t.tok_start.push(t.toks.len() as u32);
            for &(b, c) in &kids[n as usize] {
                t.edge_byte.push(b);
                t.edge_child.push(new_id[c as usize]);
            }
            t.toks.extend_from_slice(&toks[n as usize]);
        }
        t.edge_start.push(t.edge_byte.len() as u32);
        t.tok_start.push(t.toks.len() as u32);
        t
    }

    fn tokens(&self, node: u32) -> &[u32] {
        let n = node as usize;
        &self.toks[self.tok_start[n] as usize..self.tok_start[n + 1] as usize]
    }

    fn nodes(&self) -> usize {
        self.edge_start.len().saturating_sub(1)
    }
}

/// A vocabulary prepared for masking; build once per tokenizer and share across requests.
#[derive(Clone)]
pub struct VocabIndex {
    /// Mask length: the model's vocabulary (which may exceed the tokenizer's).
    vocab: usize,
    eos: u32,
    tool_call: u32,
    /// What each id decodes to inside the answer, or `None` for ids never allowed as text.
    bytes: Vec<Option<Box<[u8]>>>,
    trie: ByteTrie,
    /// Per [`StrSub`]: pieces that, from that sub-state, stay inside the string.
    str_inside: Vec<Vec<u64>>,
    /// Per [`StrSub`]: what the pieces that close the string carry after the quote.
    str_close: Vec<ByteTrie>,
}

impl fmt::Debug for VocabIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VocabIndex")
            .field("vocab", &self.vocab)
            .field("text_pieces", &self.bytes.iter().flatten().count())
            .field("trie_nodes", &self.trie.nodes())
            .finish_non_exhaustive()
    }
}

/// The byte a `<0xNN>` piece stands for.
fn byte_piece(text: &str) -> Option<u8> {
    let hex = text.strip_prefix("<0x")?.strip_suffix('>')?;
    if hex.len() != 2 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

impl VocabIndex {
    /// Indexes `tok` for a model with `cfg`'s vocabulary size and special ids.
    pub fn new(tok: &Tokenizer, cfg: &Config) -> VocabIndex {
        VocabIndex::from_pieces(
            VocabIndex::piece_bytes(tok, cfg),
            cfg.vocab_size,
            cfg.eos_id,
            cfg.tool_call_id,
        )
    }

    /// What each of `tok`'s ids decodes to after `<tool_call>`: the piece text with `▁` as a
    /// space, a byte piece's single byte, or `None` for the model's special ids and for
    /// control and unknown pieces.
    pub fn piece_bytes(tok: &Tokenizer, cfg: &Config) -> Vec<Option<Vec<u8>>> {
        let specials = [
            cfg.pad_id,
            cfg.eos_id,
            cfg.bos_id,
            cfg.unk_id,
            cfg.tool_call_id,
            cfg.tools_id,
        ];
        // With byte fallback, decoding resolves `<0xNN>` to the byte (all 256 exist then).
        let byte_fallback = (0..=255u8).all(|b| tok.piece_to_id(&format!("<0x{b:02X}>")).is_some());
        (0..tok.vocab_size() as u32)
            .map(|id| {
                let text = tok.id_to_piece(id)?;
                // Decoding goes through the piece string, so a duplicate behaves like the id
                // the lookup prefers.
                let canon = tok.piece_to_id(text).unwrap_or(id);
                if specials.contains(&id) || tok.is_control(canon) || canon == tok.unk_id() {
                    return None;
                }
                if byte_fallback {
                    if let Some(b) = byte_piece(text) {
                        return Some(vec![b]);
                    }
                }
                Some(text.replace('\u{2581}', " ").into_bytes())
            })
            .collect()
    }

    /// Indexes pieces given as bytes (`None`: never allowed as text). `vocab` is the mask
    /// length, at least `pieces.len()`.
    pub fn from_pieces(
        pieces: Vec<Option<Vec<u8>>>,
        vocab: usize,
        eos: u32,
        tool_call: u32,
    ) -> VocabIndex {
        let vocab = vocab.max(pieces.len());
        let bytes: Vec<Option<Box<[u8]>>> = pieces
            .into_iter()
            .map(|p| p.filter(|b| !b.is_empty()).map(Vec::into_boxed_slice))
            .collect();
        let entries: Vec<(&[u8], u32)> = bytes
            .iter()
            .enumerate()
            .filter_map(|(id, b)| b.as_deref().map(|b| (b, id as u32)))
            .collect();
        let trie = ByteTrie::build(&entries);
        let words = vocab.div_ceil(64);
        let mut str_inside = Vec::with_capacity(StrSub::COUNT);
        let mut str_close = Vec::with_capacity(StrSub::COUNT);
        for sub in StrSub::ALL {
            let mut inside = vec![0u64; words];
            let mut closing: Vec<(&[u8], u32)> = Vec::new();
            'piece: for &(b, id) in &entries {
                let mut s = sub;
                for (i, &byte) in b.iter().enumerate() {
                    match str_step(s, byte) {
                        StrStep::Stay(next) => s = next,
                        StrStep::Close => {
                            closing.push((&b[i + 1..], id));
                            continue 'piece;
                        }
                        StrStep::Reject => continue 'piece,
                    }
                }
                inside[id as usize / 64] |= 1 << (id % 64);
            }
            str_inside.push(inside);
            str_close.push(ByteTrie::build(&closing));
        }
        VocabIndex {
            vocab,
            eos,
            tool_call,
            bytes,
            trie,
            str_inside,
            str_close,
        }
    }

    /// Mask length.
    pub fn vocab_size(&self) -> usize {
        self.vocab
    }

    /// Nodes of the piece trie (root included).
    pub fn trie_nodes(&self) -> usize {
        self.trie.nodes()
    }

    /// The bytes `id` contributes to the answer, if it may appear in it as text.
    pub fn bytes(&self, id: u32) -> Option<&[u8]> {
        self.bytes.get(id as usize)?.as_deref()
    }
}

/// The depth-first walk of a trie from a state, setting the bits of every accepted token.
struct Walk<'a> {
    g: &'a Grammar,
    arena: &'a mut Vec<Link>,
    mask: &'a mut [u64],
}

impl Walk<'_> {
    fn walk(&mut self, t: &ByteTrie, node: u32, st: State) {
        let mark = self.arena.len();
        let n = node as usize;
        for e in t.edge_start[n] as usize..t.edge_start[n + 1] as usize {
            let mut s = st;
            if s.step(self.g, self.arena, t.edge_byte[e]) {
                let child = t.edge_child[e];
                for &id in t.tokens(child) {
                    self.mask[id as usize / 64] |= 1 << (id % 64);
                }
                let c = child as usize;
                if t.edge_start[c] != t.edge_start[c + 1] {
                    self.walk(t, child, s);
                }
            }
            self.arena.truncate(mark);
        }
    }
}

/// Where a generation is in the `<tool_call>` + JSON + EOS contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing generated yet: only `<tool_call>`.
    ToolCall,
    /// Writing the call list.
    Json,
    /// EOS was generated.
    Finished,
}

/// The per-generation mask: the automaton's state plus the mask of the current step.
#[derive(Debug, Clone)]
pub struct Masker<'a> {
    vocab: &'a VocabIndex,
    grammar: &'a Grammar,
    phase: Phase,
    m: Matcher,
    mask: Vec<u64>,
    mask_us: Vec<f64>,
}

impl<'a> Masker<'a> {
    pub fn new(vocab: &'a VocabIndex, grammar: &'a Grammar) -> Masker<'a> {
        Masker {
            vocab,
            grammar,
            phase: Phase::ToolCall,
            m: State::matcher(),
            mask: vec![0; vocab.vocab.div_ceil(64)],
            mask_us: Vec::new(),
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The call list is closed (EOS is the only allowed token) or EOS was generated.
    pub fn list_closed(&self) -> bool {
        self.phase == Phase::Finished || (self.phase == Phase::Json && self.m.is_done())
    }

    /// EOS was generated after a complete call list.
    pub fn is_complete(&self) -> bool {
        self.phase == Phase::Finished
    }

    /// Microseconds spent in [`Masker::apply`] at each step so far.
    pub fn mask_us(&self) -> &[f64] {
        &self.mask_us
    }

    fn set_only(&mut self, id: u32) {
        self.mask.fill(0);
        if (id as usize) < self.vocab.vocab {
            self.mask[id as usize / 64] |= 1 << (id % 64);
        }
    }

    /// Computes the allowed-token bit set of the current step (bit `id % 64` of word
    /// `id / 64`).
    pub fn compute(&mut self) -> &[u64] {
        match self.phase {
            Phase::ToolCall => self.set_only(self.vocab.tool_call),
            Phase::Finished => self.mask.fill(0),
            Phase::Json if self.m.is_done() => self.set_only(self.vocab.eos),
            Phase::Json => {
                let v = self.vocab;
                let st = self.m.state;
                let mut w = Walk {
                    g: self.grammar,
                    arena: &mut self.m.arena,
                    mask: &mut self.mask,
                };
                match st.top {
                    Frame::Str { sub } => {
                        let sub = sub as usize;
                        w.mask.copy_from_slice(&v.str_inside[sub]);
                        let close = &v.str_close[sub];
                        let mut after = st;
                        if after.pop(w.arena) {
                            for &id in close.tokens(0) {
                                w.mask[id as usize / 64] |= 1 << (id % 64);
                            }
                            w.walk(close, 0, after);
                        }
                    }
                    _ => {
                        w.mask.fill(0);
                        w.walk(&v.trie, 0, st);
                    }
                }
            }
        }
        &self.mask
    }

    /// The same set as [`Masker::compute`], found the slow way: every piece's bytes fed to a
    /// copy of the state one by one. The reference the fast walk is tested against.
    pub fn reference(&mut self) -> Vec<u64> {
        let mut mask = vec![0u64; self.mask.len()];
        let mut set = |id: u32| mask[id as usize / 64] |= 1 << (id % 64);
        match self.phase {
            Phase::ToolCall => set(self.vocab.tool_call),
            Phase::Finished => {}
            Phase::Json if self.m.is_done() => set(self.vocab.eos),
            Phase::Json => {
                for (id, b) in self.vocab.bytes.iter().enumerate() {
                    if let Some(b) = b {
                        if self.m.would_accept(self.grammar, b) {
                            set(id as u32);
                        }
                    }
                }
            }
        }
        mask
    }

    /// Whether `id` is in the mask computed last.
    pub fn is_allowed(&self, id: u32) -> bool {
        self.mask
            .get(id as usize / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// The ids in the mask computed last.
    pub fn allowed(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for (w, &bits) in self.mask.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                out.push((w * 64) as u32 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        out
    }

    fn first_allowed(&self) -> Option<u32> {
        self.mask
            .iter()
            .enumerate()
            .find(|(_, &w)| w != 0)
            .map(|(i, w)| (i * 64) as u32 + w.trailing_zeros())
    }

    /// Computes the mask and sets every disallowed logit to -inf. Fails (rather than letting
    /// the argmax pick anything) when no token is allowed.
    pub fn apply(&mut self, logits: &mut [f32]) -> Result<()> {
        let t0 = Instant::now();
        if logits.len() != self.vocab.vocab {
            return Err(Error::Input(format!(
                "constrained decoding: {} logits but the vocabulary index has {} ids",
                logits.len(),
                self.vocab.vocab
            )));
        }
        self.compute();
        let mut any = false;
        for (w, chunk) in self.mask.iter().zip(logits.chunks_mut(64)) {
            any |= *w != 0;
            if *w == u64::MAX {
                continue;
            }
            for (j, l) in chunk.iter_mut().enumerate() {
                if w & (1 << j) == 0 {
                    *l = f32::NEG_INFINITY;
                }
            }
        }
        self.mask_us.push(t0.elapsed().as_secs_f64() * 1e6);
        if !any {
            return Err(Error::Input(format!(
                "constrained decoding: no token is allowed after {:?} (the grammar has no \
                 continuation the vocabulary can spell)",
                self.m.state.top
            )));
        }
        Ok(())
    }

    /// The allowed token the argmax picked, or the first allowed one when the argmax landed on
    /// a masked id (possible only when every allowed logit is -inf or NaN).
    pub fn choose(&self, argmax: u32) -> u32 {
        if self.is_allowed(argmax) {
            argmax
        } else {
            self.first_allowed().unwrap_or(argmax)
        }
    }

    /// Commits the generated token.
    pub fn advance(&mut self, id: u32) -> Result<()> {
        let refuse = |why: &str| {
            Err(Error::Input(format!(
                "constrained decoding: token {id} {why}"
            )))
        };
        match self.phase {
            Phase::ToolCall if id == self.vocab.tool_call => self.phase = Phase::Json,
            Phase::ToolCall => return refuse("is not <tool_call>, which must come first"),
            Phase::Json if self.m.is_done() => {
                if id != self.vocab.eos {
                    return refuse("follows the closed call list; only EOS may");
                }
                self.phase = Phase::Finished;
            }
            Phase::Json => {
                let Some(b) = self.vocab.bytes(id) else {
                    return refuse("is a special piece, not text");
                };
                if !self.m.try_feed(self.grammar, b) {
                    return refuse("does not continue the output grammar");
                }
            }
            Phase::Finished => return refuse("comes after EOS"),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constrain::Constrain;
    use serde_json::json;

    fn index(pieces: &[&str]) -> VocabIndex {
        // ids 0 and 1: EOS and <tool_call>, as specials.
        let mut p: Vec<Option<Vec<u8>>> = vec![None, None];
        p.extend(pieces.iter().map(|s| Some(s.as_bytes().to_vec())));
        p.extend((0..=255u8).map(|b| Some(vec![b])));
        VocabIndex::from_pieces(p, 0, 0, 1)
    }

    #[test]
    fn trie_walk_matches_reference_along_a_path() {
        let g = Grammar::compile_value(
            &json!([{"name": "get_weather", "parameters": {"type": "object", "properties": {
                "city": {"type": "string"}, "days": {"type": "integer"},
                "unit": {"enum": ["c", "f"]}}, "required": ["city"]}}]),
            Constrain::Schema,
        )
        .unwrap();
        let pieces = [
            " [",
            "[{\"name\":\"",
            "get",
            "_weather",
            "\",\"arguments\":{\"",
            "city",
            "\":\"",
            "Par",
            "is\"",
            "is\"}}]",
            "\",\"",
            "days\":",
            "3",
            "}}",
            "]",
            "é",
            "\"}",
            "\\u00",
        ];
        let v = index(&pieces);
        let mut m = Masker::new(&v, &g);
        let text =
            "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Par\u{e9}is\",\"days\":3}}]";
        assert_eq!(m.compute().to_vec(), m.reference());
        m.advance(1).unwrap();
        // Feed the text one byte piece at a time, comparing masks at every step.
        for &b in text.as_bytes() {
            let fast = m.compute().to_vec();
            assert_eq!(fast, m.reference(), "before byte {:?}", b as char);
            let id = 2 + pieces.len() as u32 + b as u32;
            assert!(m.is_allowed(id), "byte {b:#x} should be allowed");
            m.advance(id).unwrap();
        }
        assert!(m.list_closed());
        assert_eq!(m.compute().to_vec(), m.reference());
        assert_eq!(m.allowed(), vec![0]);
        m.advance(0).unwrap();
        assert!(m.is_complete());
        assert!(m.advance(0).is_err());
    }

    #[test]
    fn first_token_is_tool_call_and_no_token_errors() {
        let g = Grammar::compile_value(&json!([]), Constrain::Schema).unwrap();
        let v = index(&["[]", "[", "]"]);
        let mut m = Masker::new(&v, &g);
        let mut logits = vec![0.0f32; v.vocab_size()];
        m.apply(&mut logits).unwrap();
        assert_eq!(m.allowed(), vec![1]);
        assert!(logits
            .iter()
            .enumerate()
            .all(|(i, l)| (i == 1) == l.is_finite()));
        assert!(m.advance(2).is_err());
        m.advance(1).unwrap();
        m.compute();
        assert!(m.is_allowed(2) && m.is_allowed(3) && !m.is_allowed(4));
        // A vocabulary that cannot spell `[` leaves nothing to choose: an error, not a panic.
        let bare = VocabIndex::from_pieces(vec![None, None, Some(b"x".to_vec())], 3, 0, 1);
        let mut m = Masker::new(&bare, &g);
        m.advance(1).unwrap();
        let mut logits = vec![0.0f32; 3];
        let e = m.apply(&mut logits).unwrap_err().to_string();
        assert!(e.contains("no token is allowed"), "{e}");
    }
}
