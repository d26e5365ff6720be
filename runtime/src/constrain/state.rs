//! The byte-level pushdown automaton that checks output text against a [`Grammar`].
//!
//! A [`State`] is the top [`Frame`] held by value plus the index of the frame below it in an
//! append-only arena of [`Link`]s: a persistent stack. Copying a state is copying 32 bytes, and
//! pushing appends one link, so the mask walk can fork the state at every trie edge and throw
//! the forks away by truncating the arena — no allocation, no undo log.
//!
//! The automaton is deterministic: every frame decides from one byte. Values that end without
//! a closing byte (numbers, literals such as `30` vs `300`) end when a byte does not continue
//! them: the frame pops and the byte is fed to the frame below.
//!
//! JSON strings are lexed by [`str_step`], a small DFA over [`StrSub`] that also validates
//! UTF-8 (including multi-byte characters split across byte pieces) and `\u` surrogate pairs.
//! It depends on nothing but the byte, which is what lets the mask precompute, per sub-state,
//! which pieces stay inside a string (see `mask.rs`).

use super::grammar::{seen_bit, Grammar, ANY, NONE, T_ARRAY, T_BOOLEAN, T_INTEGER, T_NULL};
use super::grammar::{T_NUMBER, T_OBJECT, T_STRING};

/// Index meaning "no frame below".
const NIL: u32 = u32::MAX;

/// What follows `{` in every call.
pub(crate) const CALL_HEAD: &[u8] = br#""name":""#;
/// What follows the name's closing quote.
pub(crate) const CALL_MID: &[u8] = br#","arguments":"#;

/// Where the lexer is inside a JSON string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub(crate) enum StrSub {
    Normal,
    /// After `\`.
    Esc,
    /// `\u`, expecting the first hex digit.
    U4,
    /// `\uD`, the second digit decides whether this is a surrogate.
    UD,
    U3,
    U2,
    U1,
    /// `\uD8`–`\uDB` (a high surrogate), two digits to go.
    Hi2,
    Hi1,
    /// A high surrogate must be followed by `\uDC00`–`\uDFFF`.
    LoBs,
    LoU,
    LoD,
    LoC,
    /// UTF-8 continuation bytes still expected (any of 0x80–0xBF).
    C1,
    C2,
    C3,
    /// The first continuation after a lead byte with a narrower range (overlongs, surrogates,
    /// and code points above U+10FFFF are invalid UTF-8).
    E0,
    ED,
    F0,
    F4,
}

impl StrSub {
    pub(crate) const COUNT: usize = 20;
    pub(crate) const ALL: [StrSub; StrSub::COUNT] = [
        StrSub::Normal,
        StrSub::Esc,
        StrSub::U4,
        StrSub::UD,
        StrSub::U3,
        StrSub::U2,
        StrSub::U1,
        StrSub::Hi2,
        StrSub::Hi1,
        StrSub::LoBs,
        StrSub::LoU,
        StrSub::LoD,
        StrSub::LoC,
        StrSub::C1,
        StrSub::C2,
        StrSub::C3,
        StrSub::E0,
        StrSub::ED,
        StrSub::F0,
        StrSub::F4,
    ];
}

/// One byte of string lexing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrStep {
    Stay(StrSub),
    /// The unescaped closing quote.
    Close,
    Reject,
}

pub(crate) fn str_step(sub: StrSub, b: u8) -> StrStep {
    use StrStep::{Reject, Stay};
    use StrSub::*;
    let hex = b.is_ascii_hexdigit();
    let cont = (0x80..=0xBF).contains(&b);
    match sub {
        Normal => match b {
            b'"' => StrStep::Close,
            b'\\' => Stay(Esc),
            0x00..=0x1F => Reject,
            0x20..=0x7F => Stay(Normal),
            0xC2..=0xDF => Stay(C1),
            0xE0 => Stay(E0),
            0xE1..=0xEC | 0xEE..=0xEF => Stay(C2),
            0xED => Stay(ED),
            0xF0 => Stay(F0),
            0xF1..=0xF3 => Stay(C3),
            0xF4 => Stay(F4),
            _ => Reject,
        },
        Esc => match b {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Stay(Normal),
            b'u' => Stay(U4),
            _ => Reject,
        },
        U4 => match b {
            b'd' | b'D' => Stay(UD),
            _ if hex => Stay(U3),
            _ => Reject,
        },
        UD => match b {
            b'8'..=b'9' | b'a'..=b'b' | b'A'..=b'B' => Stay(Hi2),
            // A low surrogate with no high one before it.
            b'c'..=b'f' | b'C'..=b'F' => Reject,
            _ if hex => Stay(U2),
            _ => Reject,
        },
        U3 if hex => Stay(U2),
        U2 if hex => Stay(U1),
        U1 if hex => Stay(Normal),
        Hi2 if hex => Stay(Hi1),
        Hi1 if hex => Stay(LoBs),
        LoBs if b == b'\\' => Stay(LoU),
        LoU if b == b'u' => Stay(LoD),
        LoD if b == b'd' || b == b'D' => Stay(LoC),
        LoC if matches!(b, b'c'..=b'f' | b'C'..=b'F') => Stay(U2),
        C1 if cont => Stay(Normal),
        C2 if cont => Stay(C1),
        C3 if cont => Stay(C2),
        E0 if (0xA0..=0xBF).contains(&b) => Stay(C1),
        ED if (0x80..=0x9F).contains(&b) => Stay(C1),
        F0 if (0x90..=0xBF).contains(&b) => Stay(C2),
        F4 if (0x80..=0x8F).contains(&b) => Stay(C2),
        _ => Reject,
    }
}

/// Integer-part digits a number may have: 18 keep every integer inside i64 and every number
/// far from f64's range, so whatever the grammar accepts, `serde_json` parses (it rejects a
/// number that overflows a double, and a 20-digit integer would silently become a float).
const MAX_INT_DIGITS: u8 = 18;
/// Exponent digits a number may have: with at most 18 integer digits, `e99` stays below 1e117.
const MAX_EXP_DIGITS: u8 = 2;

/// Where the lexer is inside a number; `Int` and `ExpDigits` count their digits so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum NumSub {
    Minus,
    Zero,
    Int(u8),
    Dot,
    Frac,
    Exp,
    ExpSign,
    ExpDigits(u8),
}

impl NumSub {
    fn accepting(self) -> bool {
        matches!(
            self,
            NumSub::Zero | NumSub::Int(_) | NumSub::Frac | NumSub::ExpDigits(_)
        )
    }
}

fn num_step(sub: NumSub, b: u8, int_only: bool) -> Option<NumSub> {
    use NumSub::*;
    let digit = b.is_ascii_digit();
    match sub {
        Minus if b == b'0' => Some(Zero),
        Minus if digit => Some(Int(1)),
        Int(n) if digit && n < MAX_INT_DIGITS => Some(Int(n + 1)),
        Zero | Int(_) if b == b'.' && !int_only => Some(Dot),
        Zero | Int(_) | Frac if (b == b'e' || b == b'E') && !int_only => Some(Exp),
        Dot | Frac if digit => Some(Frac),
        Exp if b == b'+' || b == b'-' => Some(ExpSign),
        Exp | ExpSign if digit => Some(ExpDigits(1)),
        ExpDigits(n) if digit && n < MAX_EXP_DIGITS => Some(ExpDigits(n + 1)),
        _ => None,
    }
}

/// Phases of an object: what the next byte may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ObjPhase {
    /// After `{`: a key or `}`.
    Open,
    /// Inside a key; `key` is the key-trie node.
    InKey,
    /// After a key's closing quote; `key` is the property index.
    Colon,
    /// After a value: `,` or `}`.
    Next,
    /// After `,`: a key.
    Comma,
}

/// One level of the automaton's stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Frame {
    /// Before the list: one optional space (a dummy-prefixed first piece), then `[`.
    Start {
        spaced: bool,
    },
    /// After `[`: a call or `]`.
    ListOpen,
    /// After a call: `,` or `]`.
    ListNext,
    /// After `,`: a call.
    ListComma,
    /// The list is closed; only EOS may follow.
    Done,
    /// Matching [`CALL_HEAD`].
    CallHead {
        pos: u8,
    },
    /// In the tool-name trie.
    CallName {
        node: u32,
    },
    /// Matching [`CALL_MID`] after tool `tool`'s name.
    CallMid {
        tool: u32,
        pos: u8,
    },
    /// After the arguments: the call's `}`.
    CallTail,
    /// A value of grammar node `node` starts with the next byte.
    Value {
        node: u32,
    },
    Str {
        sub: StrSub,
    },
    Num {
        sub: NumSub,
        int_only: bool,
    },
    /// In a literal trie (enum values, `true`/`false`/`null`).
    Lit {
        node: u32,
    },
    /// After `[`: an item or `]`.
    ArrOpen {
        item: u32,
    },
    /// After an item: `,` or `]`.
    ArrNext {
        item: u32,
    },
    /// An object with free keys and any values.
    FreeObj {
        phase: ObjPhase,
    },
    /// An object of declared shape `obj`.
    Obj {
        obj: u32,
        phase: ObjPhase,
        key: u32,
        seen: u64,
    },
}

/// A frame below the top, and the one below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Link {
    frame: Frame,
    below: u32,
}

/// The automaton's position: top frame by value, the rest in an arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct State {
    pub top: Frame,
    below: u32,
}

impl State {
    pub(crate) fn start() -> State {
        State {
            top: Frame::Start { spaced: false },
            below: NIL,
        }
    }

    /// A fresh state with its own arena.
    pub(crate) fn matcher() -> Matcher {
        Matcher {
            state: State::start(),
            arena: Vec::new(),
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.top == Frame::Done
    }

    fn push(&mut self, arena: &mut Vec<Link>, f: Frame) {
        arena.push(Link {
            frame: self.top,
            below: self.below,
        });
        self.below = (arena.len() - 1) as u32;
        self.top = f;
    }

    pub(crate) fn pop(&mut self, arena: &[Link]) -> bool {
        match arena.get(self.below as usize) {
            Some(l) => {
                self.top = l.frame;
                self.below = l.below;
                true
            }
            None => false,
        }
    }

    /// Feeds one byte. On `false` the byte is not allowed and `self` is left in an unspecified
    /// state (callers step a copy).
    pub(crate) fn step(&mut self, g: &Grammar, arena: &mut Vec<Link>, b: u8) -> bool {
        loop {
            match self.top {
                Frame::Str { sub } => {
                    return match str_step(sub, b) {
                        StrStep::Stay(sub) => {
                            self.top = Frame::Str { sub };
                            true
                        }
                        StrStep::Close => self.pop(arena),
                        StrStep::Reject => false,
                    }
                }
                Frame::Num { sub, int_only } => match num_step(sub, b, int_only) {
                    Some(sub) => {
                        self.top = Frame::Num { sub, int_only };
                        return true;
                    }
                    None if sub.accepting() && self.pop(arena) => continue,
                    None => return false,
                },
                Frame::Lit { node } => match g.child(node, b) {
                    Some(c) => {
                        self.top = Frame::Lit { node: c };
                        return true;
                    }
                    None if g.tries[node as usize].term != NONE && self.pop(arena) => continue,
                    None => return false,
                },
                Frame::Value { node } => return self.start_value(g, node, b),
                Frame::ArrOpen { item } => {
                    if b == b']' {
                        return self.pop(arena);
                    }
                    self.top = Frame::ArrNext { item };
                    self.push(arena, Frame::Value { node: item });
                    continue;
                }
                Frame::ArrNext { item } => {
                    return match b {
                        b',' => {
                            self.push(arena, Frame::Value { node: item });
                            true
                        }
                        b']' => self.pop(arena),
                        _ => false,
                    }
                }
                Frame::Obj {
                    obj,
                    phase,
                    key,
                    seen,
                } => return self.step_obj(g, arena, b, obj, phase, key, seen),
                Frame::FreeObj { phase } => {
                    let (next, push) = match (phase, b) {
                        (ObjPhase::Open | ObjPhase::Comma, b'"') => (
                            ObjPhase::Colon,
                            Frame::Str {
                                sub: StrSub::Normal,
                            },
                        ),
                        (ObjPhase::Colon, b':') => (ObjPhase::Next, Frame::Value { node: ANY }),
                        (ObjPhase::Next, b',') => {
                            self.top = Frame::FreeObj {
                                phase: ObjPhase::Comma,
                            };
                            return true;
                        }
                        (ObjPhase::Open | ObjPhase::Next, b'}') => return self.pop(arena),
                        _ => return false,
                    };
                    self.top = Frame::FreeObj { phase: next };
                    self.push(arena, push);
                    return true;
                }
                Frame::Start { spaced } => {
                    return match b {
                        b' ' if !spaced => {
                            self.top = Frame::Start { spaced: true };
                            true
                        }
                        b'[' => {
                            self.top = Frame::ListOpen;
                            true
                        }
                        _ => false,
                    }
                }
                Frame::ListOpen | Frame::ListComma | Frame::ListNext => {
                    let open = self.top == Frame::ListOpen;
                    let next = self.top == Frame::ListNext;
                    return match b {
                        // No tools, no call to start: only `[]`.
                        b'{' if !next && !g.tools.is_empty() => {
                            self.top = Frame::ListNext;
                            self.push(arena, Frame::CallHead { pos: 0 });
                            true
                        }
                        b']' if open || next => {
                            self.top = Frame::Done;
                            true
                        }
                        b',' if next => {
                            self.top = Frame::ListComma;
                            true
                        }
                        _ => false,
                    };
                }
                Frame::Done => return false,
                Frame::CallHead { pos } => {
                    if CALL_HEAD[pos as usize] != b {
                        return false;
                    }
                    self.top = if pos as usize + 1 == CALL_HEAD.len() {
                        Frame::CallName { node: g.name_root }
                    } else {
                        Frame::CallHead { pos: pos + 1 }
                    };
                    return true;
                }
                Frame::CallName { node } => {
                    let Some(c) = g.child(node, b) else {
                        return false;
                    };
                    let tool = g.tries[c as usize].term;
                    self.top = if tool == NONE {
                        Frame::CallName { node: c }
                    } else {
                        Frame::CallMid { tool, pos: 0 }
                    };
                    return true;
                }
                Frame::CallMid { tool, pos } => {
                    if CALL_MID[pos as usize] != b {
                        return false;
                    }
                    if pos as usize + 1 == CALL_MID.len() {
                        self.top = Frame::CallTail;
                        let args = g.tools[tool as usize].args;
                        self.push(arena, Frame::Value { node: args });
                    } else {
                        self.top = Frame::CallMid { tool, pos: pos + 1 };
                    }
                    return true;
                }
                Frame::CallTail => return b == b'}' && self.pop(arena),
            }
        }
    }

    /// Replaces a `Value` frame by the frame its first byte selects.
    fn start_value(&mut self, g: &Grammar, node: u32, b: u8) -> bool {
        let n = g.nodes[node as usize];
        if n.lits != NONE {
            return match g.child(n.lits, b) {
                Some(c) => {
                    self.top = Frame::Lit { node: c };
                    true
                }
                None => false,
            };
        }
        let t = n.types;
        let num = t & (T_INTEGER | T_NUMBER) != 0;
        let int_only = t & T_NUMBER == 0;
        self.top = match b {
            b'"' if t & T_STRING != 0 => Frame::Str {
                sub: StrSub::Normal,
            },
            b'-' if num => Frame::Num {
                sub: NumSub::Minus,
                int_only,
            },
            b'0' if num => Frame::Num {
                sub: NumSub::Zero,
                int_only,
            },
            b'1'..=b'9' if num => Frame::Num {
                sub: NumSub::Int(1),
                int_only,
            },
            b't' | b'f' if t & T_BOOLEAN != 0 => Frame::Lit {
                node: g.child(g.word_root, b).unwrap_or(NONE),
            },
            b'n' if t & T_NULL != 0 => Frame::Lit {
                node: g.child(g.word_root, b).unwrap_or(NONE),
            },
            b'[' if t & T_ARRAY != 0 => Frame::ArrOpen { item: n.item },
            b'{' if t & T_OBJECT != 0 && n.obj == NONE => Frame::FreeObj {
                phase: ObjPhase::Open,
            },
            b'{' if t & T_OBJECT != 0 => Frame::Obj {
                obj: n.obj,
                phase: ObjPhase::Open,
                key: 0,
                seen: 0,
            },
            _ => return false,
        };
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn step_obj(
        &mut self,
        g: &Grammar,
        arena: &mut Vec<Link>,
        b: u8,
        obj: u32,
        phase: ObjPhase,
        key: u32,
        seen: u64,
    ) -> bool {
        let shape = &g.objects[obj as usize];
        let set = |s: &mut State, phase, key, seen| {
            s.top = Frame::Obj {
                obj,
                phase,
                key,
                seen,
            }
        };
        match (phase, b) {
            (ObjPhase::Open | ObjPhase::Comma, b'"') => {
                // Only if some key is still free.
                if g.tries[shape.key_root as usize].below & !seen == 0 {
                    return false;
                }
                set(self, ObjPhase::InKey, shape.key_root, seen);
                true
            }
            (ObjPhase::InKey, _) => {
                let Some(c) = g.child(key, b) else {
                    return false;
                };
                let node = &g.tries[c as usize];
                if node.below & !seen == 0 {
                    return false;
                }
                if node.term == NONE {
                    set(self, ObjPhase::InKey, c, seen);
                } else {
                    set(self, ObjPhase::Colon, node.term, seen | seen_bit(node.term));
                }
                true
            }
            (ObjPhase::Colon, b':') => {
                set(self, ObjPhase::Next, 0, seen);
                let node = shape.props[key as usize];
                self.push(arena, Frame::Value { node });
                true
            }
            (ObjPhase::Next, b',') => {
                if shape.all & !seen == 0 {
                    return false;
                }
                set(self, ObjPhase::Comma, 0, seen);
                true
            }
            (ObjPhase::Open | ObjPhase::Next, b'}') => {
                shape.required & !seen == 0 && self.pop(arena)
            }
            _ => false,
        }
    }
}

/// A state with its own arena: the slow, self-contained way to run the automaton (tests,
/// committing a chosen token, the reference mask).
#[derive(Debug, Clone)]
pub(crate) struct Matcher {
    pub state: State,
    pub arena: Vec<Link>,
}

impl Matcher {
    pub(crate) fn step(&mut self, g: &Grammar, b: u8) -> bool {
        self.state.step(g, &mut self.arena, b)
    }

    /// Feeds `bytes` to a copy; commits only if every byte is accepted.
    pub(crate) fn try_feed(&mut self, g: &Grammar, bytes: &[u8]) -> bool {
        let mark = self.arena.len();
        let mut s = self.state;
        if bytes.iter().all(|&b| s.step(g, &mut self.arena, b)) {
            self.state = s;
            true
        } else {
            self.arena.truncate(mark);
            false
        }
    }

    /// Whether `bytes` would be accepted, leaving the matcher unchanged.
    pub(crate) fn would_accept(&mut self, g: &Grammar, bytes: &[u8]) -> bool {
        let mark = self.arena.len();
        let mut s = self.state;
        let ok = bytes.iter().all(|&b| s.step(g, &mut self.arena, b));
        self.arena.truncate(mark);
        ok
    }

    pub(crate) fn is_done(&self) -> bool {
        self.state.is_done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(bytes: &[u8]) -> Option<StrSub> {
        let mut sub = StrSub::Normal;
        for &b in bytes {
            match str_step(sub, b) {
                StrStep::Stay(s) => sub = s,
                _ => return None,
            }
        }
        Some(sub)
    }

    #[test]
    fn string_lexer_agrees_with_std_utf8() {
        // Every 1-4 byte sequence over a representative byte set: the lexer accepts it as
        // complete string content exactly when Rust accepts it as UTF-8 (no quote, backslash
        // or control byte among them).
        let probe: Vec<u8> = [
            0x20, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
            0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        .to_vec();
        let mut seqs: Vec<Vec<u8>> = probe.iter().map(|&b| vec![b]).collect();
        for _ in 0..3 {
            let mut next = Vec::new();
            for s in &seqs {
                for &b in &probe {
                    let mut t = s.clone();
                    t.push(b);
                    next.push(t);
                }
            }
            seqs.extend(next.into_iter().filter(|s| s.len() <= 4));
            seqs.sort();
            seqs.dedup();
        }
        for s in seqs {
            let ours = lex(&s) == Some(StrSub::Normal);
            assert_eq!(ours, std::str::from_utf8(&s).is_ok(), "{s:x?}");
        }
    }

    #[test]
    fn escapes_and_surrogates() {
        assert_eq!(lex(br#"\n\t\"\\\/\b\f\r"#), Some(StrSub::Normal));
        assert_eq!(lex(br"\u00e9\uFFFF\u0000"), Some(StrSub::Normal));
        assert_eq!(lex(br"\ud83d\ude00"), Some(StrSub::Normal));
        assert_eq!(lex(br"\uD83D\uDE00"), Some(StrSub::Normal));
        assert_eq!(lex(br"\ud83d"), Some(StrSub::LoBs));
        assert_eq!(lex(br"\ud83d\u0041"), None);
        assert_eq!(lex(br"\ude00"), None);
        assert_eq!(lex(br"\x"), None);
        assert_eq!(lex(b"\x01"), None);
        assert_eq!(lex(br"\u12"), Some(StrSub::U2));
    }
}
