//! Python 3.11's tokenizer, for the expression subset `ast.parse(..., mode="eval")` accepts:
//! names, numbers (with Python's underscore, leading-zero and "number followed by a name"
//! rules), string literals of every prefix and quote form with their escapes, operators,
//! comments, line continuations, and newlines that only count outside brackets.

use super::super::DecodeError;

/// A string literal piece, before implicit concatenation.
#[derive(Debug, Clone, PartialEq)]
pub enum StrPiece {
    Str(String),
    Bytes(Vec<u8>),
    /// An f-string: its raw body (between the quotes) and whether it is raw, for validation.
    FStr {
        body: String,
        raw: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Name(String),
    Int(i128),
    /// An integer literal that does not fit `i128` (Python would hold it exactly).
    BigInt(String),
    Float(f64),
    Imag(f64),
    Str(StrPiece),
    Op(&'static str),
    Newline,
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// Character offset in the normalized source, for error messages.
    pub pos: usize,
}

const OPS3: [&str; 5] = ["**=", "//=", ">>=", "<<=", "..."];
const OPS2: [&str; 20] = [
    "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=", ":=", "<<", "<=", "==", ">=", ">>",
    "@=", "^=", "|=", "<>",
];
const OPS1: [&str; 23] = [
    "%", "&", "(", ")", "*", "+", ",", "-", ".", "/", ":", ";", "<", "=", ">", "@", "[", "]", "^",
    "{", "|", "}", "~",
];

struct Lexer {
    chars: Vec<char>,
    i: usize,
    /// Open brackets, innermost last, for matching and implicit line joining.
    brackets: Vec<char>,
}

fn err(pos: usize, msg: &str) -> DecodeError {
    DecodeError::syntax(format!("{msg} (at character {pos})"))
}

fn is_id_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_id_continue(c: char) -> bool {
    // Combining marks continue identifiers in Python (XID_Continue) but are not alphanumeric.
    c == '_'
        || c.is_alphanumeric()
        || matches!(c as u32, 0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Python's `is_potential_identifier_char`: ASCII letters, digits, `_`, and any non-ASCII.
fn is_potential_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()
}

impl Lexer {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(k, c)| self.peek(k) == Some(c))
    }

    fn tokens(mut self) -> Result<Vec<Token>, DecodeError> {
        let mut out = Vec::new();
        loop {
            // Whitespace, comments and continuations.
            loop {
                match self.peek(0) {
                    Some(' ') | Some('\t') | Some('\x0c') => self.i += 1,
                    Some('#') => {
                        while !matches!(self.peek(0), None | Some('\n')) {
                            self.i += 1;
                        }
                    }
                    Some('\\') => {
                        if self.peek(1) == Some('\n') {
                            self.i += 2;
                        } else {
                            return Err(err(
                                self.i,
                                "unexpected character after line continuation character",
                            ));
                        }
                    }
                    Some('\n') if !self.brackets.is_empty() => self.i += 1,
                    _ => break,
                }
            }
            let pos = self.i;
            let Some(c) = self.peek(0) else {
                if let Some(open) = self.brackets.last() {
                    return Err(err(pos, &format!("'{open}' was never closed")));
                }
                out.push(Token { tok: Tok::End, pos });
                return Ok(out);
            };
            let tok = if c == '\n' {
                self.i += 1;
                Tok::Newline
            } else if c.is_ascii_digit()
                || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit()))
            {
                self.number()?
            } else if is_id_start(c) {
                let start = self.i;
                while self.peek(0).is_some_and(is_id_continue) {
                    self.i += 1;
                }
                let word: String = self.chars[start..self.i].iter().collect();
                let lower = word.to_ascii_lowercase();
                let is_prefix = matches!(
                    lower.as_str(),
                    "r" | "u" | "b" | "br" | "rb" | "f" | "fr" | "rf"
                );
                if is_prefix && matches!(self.peek(0), Some('\'') | Some('"')) {
                    Tok::Str(self.string(&lower)?)
                } else {
                    Tok::Name(word)
                }
            } else if c == '\'' || c == '"' {
                Tok::Str(self.string("")?)
            } else {
                self.operator()?
            };
            out.push(Token { tok, pos });
        }
    }

    fn operator(&mut self) -> Result<Tok, DecodeError> {
        let pos = self.i;
        for op in OPS3 {
            if self.starts_with(op) {
                self.i += 3;
                return Ok(Tok::Op(op));
            }
        }
        for op in OPS2 {
            if self.starts_with(op) {
                self.i += 2;
                return Ok(Tok::Op(op));
            }
        }
        let c = self.peek(0).unwrap_or('\0');
        if let Some(op) = OPS1.iter().copied().find(|op| op.starts_with(c)) {
            self.i += 1;
            match c {
                '(' | '[' | '{' => self.brackets.push(c),
                ')' | ']' | '}' => {
                    let want = match c {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    match self.brackets.pop() {
                        Some(open) if open == want => {}
                        Some(open) => {
                            return Err(err(
                                pos,
                                &format!("closing parenthesis '{c}' does not match opening parenthesis '{open}'"),
                            ))
                        }
                        None => return Err(err(pos, &format!("unmatched '{c}'"))),
                    }
                }
                _ => {}
            }
            return Ok(Tok::Op(op));
        }
        if c == '\0' {
            return Err(err(pos, "source code cannot contain null bytes"));
        }
        Err(err(
            pos,
            &format!("invalid character '{c}' (U+{:04X})", c as u32),
        ))
    }

    /// Digits with single underscores between them; `None` if none were read.
    fn digits(&mut self, radix: u32, kind: &str) -> Result<Option<String>, DecodeError> {
        let mut s = String::new();
        loop {
            match self.peek(0) {
                Some(c) if c.is_digit(radix) => {
                    s.push(c);
                    self.i += 1;
                }
                Some('_') if !s.is_empty() => {
                    if self.peek(1).is_some_and(|d| d.is_digit(radix)) {
                        self.i += 1;
                    } else {
                        self.i += 1;
                        return Err(err(self.i, &format!("invalid {kind} literal")));
                    }
                }
                _ => break,
            }
        }
        Ok(if s.is_empty() { None } else { Some(s) })
    }

    /// Python's `verify_end_of_number`: a number may run into a keyword that can follow it
    /// (`1if x else 2`), but not into any other name character.
    fn verify_end(&self, kind: &str) -> Result<(), DecodeError> {
        let Some(c) = self.peek(0) else {
            return Ok(());
        };
        let ok = match c {
            'a' => self.starts_with("and"),
            'e' => self.starts_with("else"),
            'f' => self.starts_with("for"),
            'i' => matches!(self.peek(1), Some('f') | Some('n') | Some('s')),
            'o' => self.starts_with("or"),
            'n' => self.starts_with("not"),
            _ => false,
        };
        if !ok && is_potential_id_char(c) {
            return Err(err(self.i, &format!("invalid {kind} literal")));
        }
        Ok(())
    }

    fn number(&mut self) -> Result<Tok, DecodeError> {
        let start = self.i;
        if self.peek(0) == Some('0') {
            let radix = match self.peek(1) {
                Some('x') | Some('X') => Some((16, "hexadecimal")),
                Some('o') | Some('O') => Some((8, "octal")),
                Some('b') | Some('B') => Some((2, "binary")),
                _ => None,
            };
            if let Some((radix, kind)) = radix {
                self.i += 2;
                if self.peek(0) == Some('_') {
                    self.i += 1;
                }
                let Some(digits) = self.digits(radix, kind)? else {
                    return Err(err(self.i, &format!("invalid {kind} literal")));
                };
                if self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                    return Err(err(self.i, &format!("invalid digit in {kind} literal")));
                }
                self.verify_end(kind)?;
                return Ok(match i128::from_str_radix(&digits, radix) {
                    Ok(v) => Tok::Int(v),
                    Err(_) => Tok::BigInt(self.chars[start..self.i].iter().collect()),
                });
            }
        }
        let int_part = if self.peek(0) == Some('.') {
            None
        } else {
            self.digits(10, "decimal")?
        };
        let mut is_float = false;
        let mut text = int_part.clone().unwrap_or_default();
        if self.peek(0) == Some('.') {
            self.i += 1;
            is_float = true;
            text.push('.');
            if self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                if let Some(frac) = self.digits(10, "decimal")? {
                    text.push_str(&frac);
                }
            }
        }
        if matches!(self.peek(0), Some('e') | Some('E')) {
            let after = self.peek(1);
            let sign = matches!(after, Some('+') | Some('-'));
            let digit_at = if sign { 2 } else { 1 };
            if self.peek(digit_at).is_some_and(|c| c.is_ascii_digit()) {
                self.i += digit_at;
                text.push('e');
                if sign {
                    text.push(after.unwrap_or('+'));
                }
                if let Some(exp) = self.digits(10, "decimal")? {
                    text.push_str(&exp);
                }
                is_float = true;
            } else if sign {
                self.i += 1;
                return Err(err(self.i, "invalid decimal literal"));
            } else {
                self.verify_end("decimal")?;
            }
        }
        if matches!(self.peek(0), Some('j') | Some('J')) {
            self.i += 1;
            self.verify_end("imaginary")?;
            return Ok(Tok::Imag(text.parse::<f64>().unwrap_or(f64::INFINITY)));
        }
        if is_float {
            self.verify_end("decimal")?;
            return Ok(Tok::Float(text.parse::<f64>().unwrap_or(f64::INFINITY)));
        }
        let digits = int_part.unwrap_or_default();
        if digits.len() > 1 && digits.starts_with('0') && digits.chars().any(|c| c != '0') {
            return Err(err(
                start,
                "leading zeros in decimal integer literals are not permitted",
            ));
        }
        self.verify_end("decimal")?;
        Ok(match digits.parse::<i128>() {
            Ok(v) => Tok::Int(v),
            Err(_) => Tok::BigInt(digits),
        })
    }

    fn string(&mut self, prefix: &str) -> Result<StrPiece, DecodeError> {
        let start = self.i;
        let raw = prefix.contains('r');
        let bytes = prefix.contains('b');
        let fstr = prefix.contains('f');
        let q = self.peek(0).unwrap_or('"');
        let triple = self.peek(1) == Some(q) && self.peek(2) == Some(q);
        self.i += if triple { 3 } else { 1 };
        // The body's raw characters, then escapes are applied to it.
        let mut body = String::new();
        loop {
            let Some(c) = self.peek(0) else {
                let what = if triple {
                    "unterminated triple-quoted string literal"
                } else {
                    "unterminated string literal"
                };
                return Err(err(start, what));
            };
            if c == q {
                if !triple {
                    self.i += 1;
                    break;
                }
                if self.peek(1) == Some(q) && self.peek(2) == Some(q) {
                    self.i += 3;
                    break;
                }
            }
            if c == '\n' && !triple {
                return Err(err(start, "unterminated string literal"));
            }
            if c == '\\' {
                let Some(next) = self.peek(1) else {
                    return Err(err(start, "unterminated string literal"));
                };
                body.push(c);
                body.push(next);
                self.i += 2;
                continue;
            }
            body.push(c);
            self.i += 1;
        }
        if fstr {
            return Ok(StrPiece::FStr { body, raw });
        }
        if bytes {
            if let Some(bad) = body.chars().find(|c| !c.is_ascii()) {
                return Err(err(
                    start,
                    &format!("bytes can only contain ASCII literal characters (found {bad:?})"),
                ));
            }
            if raw {
                return Ok(StrPiece::Bytes(body.into_bytes()));
            }
            return unescape(&body, true, start)
                .map(|s| StrPiece::Bytes(s.chars().map(|c| c as u32 as u8).collect()));
        }
        if raw {
            return Ok(StrPiece::Str(body));
        }
        unescape(&body, false, start).map(StrPiece::Str)
    }
}

fn hex_escape(
    chars: &[char],
    at: usize,
    n: usize,
    pos: usize,
    what: &str,
) -> Result<u32, DecodeError> {
    let digits: String = chars.iter().skip(at).take(n).collect();
    if digits.chars().count() != n || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(err(
            pos,
            &format!("(unicode error) truncated {what} escape"),
        ));
    }
    u32::from_str_radix(&digits, 16).map_err(|_| err(pos, "bad escape"))
}

/// Applies Python's backslash escapes. For bytes each resulting char is one byte value.
fn unescape(body: &str, bytes: bool, pos: usize) -> Result<String, DecodeError> {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = chars[i + 1];
        i += 2;
        match e {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                let mut k = 0;
                while k < 2 && i < chars.len() && chars[i].is_digit(8) {
                    v = v * 8 + chars[i].to_digit(8).unwrap_or(0);
                    i += 1;
                    k += 1;
                }
                if bytes {
                    v &= 0xff;
                }
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'x' => {
                let v = hex_escape(&chars, i, 2, pos, "\\xXX")?;
                i += 2;
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'u' | 'U' if !bytes => {
                let n = if e == 'u' { 4 } else { 8 };
                let what = if e == 'u' { "\\uXXXX" } else { "\\UXXXXXXXX" };
                let v = hex_escape(&chars, i, n, pos, what)?;
                i += n;
                if v > 0x10FFFF {
                    return Err(err(pos, "(unicode error) illegal Unicode character"));
                }
                // Lone surrogates are valid in Python strings but not in Rust ones.
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'N' if !bytes => {
                // Named escapes need Unicode's name table; the name is checked for shape only.
                if chars.get(i) != Some(&'{') {
                    return Err(err(pos, "(unicode error) malformed \\N character escape"));
                }
                let Some(close) = chars[i..].iter().position(|&c| c == '}') else {
                    return Err(err(pos, "(unicode error) malformed \\N character escape"));
                };
                if close == 1 {
                    return Err(err(pos, "(unicode error) malformed \\N character escape"));
                }
                i += close + 1;
                out.push('\u{fffd}');
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// Tokenizes `src` after Python's newline normalization (`\r\n` and `\r` become `\n`).
pub fn tokenize(src: &str) -> Result<Vec<Token>, DecodeError> {
    let normalized = src.replace("\r\n", "\n").replace('\r', "\n");
    Lexer {
        chars: normalized.chars().collect(),
        i: 0,
        brackets: Vec::new(),
    }
    .tokens()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn numbers() {
        assert_eq!(toks("1_000")[0], Tok::Int(1000));
        assert_eq!(toks("0x1F")[0], Tok::Int(31));
        assert_eq!(toks("1e3")[0], Tok::Float(1000.0));
        assert_eq!(toks(".5")[0], Tok::Float(0.5));
        assert_eq!(toks("5.")[0], Tok::Float(5.0));
        assert_eq!(toks("2j")[0], Tok::Imag(2.0));
        assert_eq!(toks("00")[0], Tok::Int(0));
        assert_eq!(toks("09.5")[0], Tok::Float(9.5));
        assert!(tokenize("01").is_err());
        assert!(tokenize("1__0").is_err());
        assert!(tokenize("1_").is_err());
        assert!(tokenize("1L").is_err());
        assert_eq!(toks("1if")[1], Tok::Name("if".into()));
    }

    #[test]
    fn strings() {
        assert_eq!(toks(r#""a\nb""#)[0], Tok::Str(StrPiece::Str("a\nb".into())));
        assert_eq!(
            toks(r#"r"a\nb""#)[0],
            Tok::Str(StrPiece::Str("a\\nb".into()))
        );
        assert_eq!(toks(r#"'\q'"#)[0], Tok::Str(StrPiece::Str("\\q".into())));
        assert_eq!(
            toks("'''a\nb'''")[0],
            Tok::Str(StrPiece::Str("a\nb".into()))
        );
        assert_eq!(
            toks(r#"b"\x41""#)[0],
            Tok::Str(StrPiece::Bytes(b"A".to_vec()))
        );
        assert!(tokenize(r#""\x4""#).is_err());
        assert!(tokenize("'a\nb'").is_err());
        assert!(tokenize("b'\u{e9}'").is_err());
    }

    #[test]
    fn brackets_and_newlines() {
        assert_eq!(
            toks("[a,\n b]")
                .iter()
                .filter(|t| **t == Tok::Newline)
                .count(),
            0
        );
        assert!(tokenize("[a)").is_err());
        assert!(tokenize("[a").is_err());
        assert!(tokenize("a $ b").is_err());
        assert_eq!(
            toks("[a] # c\n"),
            vec![
                Tok::Op("["),
                Tok::Name("a".into()),
                Tok::Op("]"),
                Tok::Newline,
                Tok::End
            ]
        );
    }
}
