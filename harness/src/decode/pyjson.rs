//! Python's `json.loads` (CPython's C scanner, `strict=True`) producing [`PyValue`]s: it
//! accepts `NaN`, `Infinity` and `-Infinity`, keeps integers as integers, lets a repeated key
//! take the later value, and rejects control characters in strings, trailing commas, a
//! leading byte-order mark and trailing data — so decoders see exactly what BFCL's did.

use super::value::{dict_insert, PyValue};

/// A `json.JSONDecodeError` (or, for `depth`, the `RecursionError` Python would raise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub message: String,
    /// Character offset of the error.
    pub pos: usize,
    /// True for nesting beyond Python's recursion limit: not a `JSONDecodeError`.
    pub recursion: bool,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (char {})", self.message, self.pos)
    }
}

/// Python's recursion limit is 1000 frames; the scanner uses about one per nesting level.
const MAX_DEPTH: usize = 990;

struct Scanner<'a> {
    s: &'a [char],
    i: usize,
    depth: usize,
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

impl Scanner<'_> {
    fn err<T>(&self, message: &str, pos: usize) -> Result<T, JsonError> {
        Err(JsonError {
            message: message.to_string(),
            pos,
            recursion: false,
        })
    }

    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| is_ws(*c)) {
            self.i += 1;
        }
    }

    fn starts_with(&self, word: &str) -> bool {
        word.chars()
            .enumerate()
            .all(|(k, c)| self.s.get(self.i + k) == Some(&c))
    }

    fn value(&mut self) -> Result<PyValue, JsonError> {
        let Some(&c) = self.s.get(self.i) else {
            return self.err("Expecting value", self.i);
        };
        match c {
            '"' => {
                self.i += 1;
                self.string().map(PyValue::Str)
            }
            '{' => self.nested(|sc| sc.object()),
            '[' => self.nested(|sc| sc.array()),
            'n' if self.starts_with("null") => {
                self.i += 4;
                Ok(PyValue::None)
            }
            't' if self.starts_with("true") => {
                self.i += 4;
                Ok(PyValue::Bool(true))
            }
            'f' if self.starts_with("false") => {
                self.i += 5;
                Ok(PyValue::Bool(false))
            }
            'N' if self.starts_with("NaN") => {
                self.i += 3;
                Ok(PyValue::Float(f64::NAN))
            }
            'I' if self.starts_with("Infinity") => {
                self.i += 8;
                Ok(PyValue::Float(f64::INFINITY))
            }
            '-' if self.starts_with("-Infinity") => {
                self.i += 9;
                Ok(PyValue::Float(f64::NEG_INFINITY))
            }
            '-' | '0'..='9' => self.number(),
            _ => self.err("Expecting value", self.i),
        }
    }

    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<PyValue, JsonError>,
    ) -> Result<PyValue, JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(JsonError {
                message: "maximum recursion depth exceeded while decoding a JSON document".into(),
                pos: self.i,
                recursion: true,
            });
        }
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<PyValue, JsonError> {
        let start = self.i;
        if self.s.get(self.i) == Some(&'-') {
            self.i += 1;
        }
        match self.s.get(self.i) {
            Some('0') => self.i += 1,
            Some('1'..='9') => {
                self.digits();
            }
            _ => return self.err("Expecting value", start),
        }
        let mut is_float = false;
        if self.s.get(self.i) == Some(&'.')
            && self.s.get(self.i + 1).is_some_and(|c| c.is_ascii_digit())
        {
            self.i += 1;
            self.digits();
            is_float = true;
        }
        if matches!(self.s.get(self.i), Some('e') | Some('E')) {
            let save = self.i;
            self.i += 1;
            if matches!(self.s.get(self.i), Some('+') | Some('-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                self.i = save;
            } else {
                is_float = true;
            }
        }
        let text: String = self.s[start..self.i].iter().collect();
        if is_float {
            Ok(PyValue::Float(text.parse::<f64>().unwrap_or(f64::NAN)))
        } else {
            match text.parse::<i128>() {
                Ok(v) => Ok(PyValue::Int(v)),
                Err(_) => self.err("integer too large for this decoder", start),
            }
        }
    }

    fn hex4(&mut self, esc_pos: usize) -> Result<u32, JsonError> {
        let digits: String = self.s.iter().skip(self.i).take(4).collect();
        if digits.chars().count() != 4 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return self.err("Invalid \\uXXXX escape", esc_pos);
        }
        self.i += 4;
        u32::from_str_radix(&digits, 16).or_else(|_| self.err("Invalid \\uXXXX escape", esc_pos))
    }

    /// After the opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.i - 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return self.err("Unterminated string starting at", start);
            };
            self.i += 1;
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let esc_pos = self.i - 1;
                    let Some(&e) = self.s.get(self.i) else {
                        return self.err("Unterminated string starting at", start);
                    };
                    self.i += 1;
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\x08'),
                        'f' => out.push('\x0c'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let mut cp = self.hex4(esc_pos)?;
                            if (0xD800..0xDC00).contains(&cp)
                                && self.s.get(self.i) == Some(&'\\')
                                && self.s.get(self.i + 1) == Some(&'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4(self.i - 2)?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                } else {
                                    self.i = save;
                                }
                            }
                            // Python keeps lone surrogates; Rust strings cannot.
                            out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                        }
                        _ => return self.err("Invalid \\escape", esc_pos),
                    }
                }
                c if (c as u32) < 0x20 => {
                    return self.err("Invalid control character at", self.i - 1);
                }
                c => out.push(c),
            }
        }
    }

    fn object(&mut self) -> Result<PyValue, JsonError> {
        self.i += 1;
        let mut d = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&'}') {
            self.i += 1;
            return Ok(PyValue::Dict(d));
        }
        loop {
            if self.s.get(self.i) != Some(&'"') {
                return self.err("Expecting property name enclosed in double quotes", self.i);
            }
            self.i += 1;
            let key = self.string()?;
            self.ws();
            if self.s.get(self.i) != Some(&':') {
                return self.err("Expecting ':' delimiter", self.i);
            }
            self.i += 1;
            self.ws();
            let value = self.value()?;
            dict_insert(&mut d, PyValue::Str(key), value);
            self.ws();
            match self.s.get(self.i) {
                Some('}') => {
                    self.i += 1;
                    return Ok(PyValue::Dict(d));
                }
                Some(',') => {
                    self.i += 1;
                    self.ws();
                }
                _ => return self.err("Expecting ',' delimiter", self.i),
            }
        }
    }

    fn array(&mut self) -> Result<PyValue, JsonError> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&']') {
            self.i += 1;
            return Ok(PyValue::List(items));
        }
        loop {
            items.push(self.value()?);
            self.ws();
            match self.s.get(self.i) {
                Some(']') => {
                    self.i += 1;
                    return Ok(PyValue::List(items));
                }
                Some(',') => {
                    self.i += 1;
                    self.ws();
                }
                _ => return self.err("Expecting ',' delimiter", self.i),
            }
        }
    }
}

/// `json.loads(text)`.
pub fn loads(text: &str) -> Result<PyValue, JsonError> {
    let chars: Vec<char> = text.chars().collect();
    let mut sc = Scanner {
        s: &chars,
        i: 0,
        depth: 0,
    };
    if chars.first() == Some(&'\u{feff}') {
        return sc.err("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
    }
    sc.ws();
    let v = sc.value()?;
    sc.ws();
    if sc.i != chars.len() {
        return sc.err("Extra data", sc.i);
    }
    Ok(v)
}

/// Python's `str.isspace()` for one character, which `str.strip()` uses.
pub fn py_isspace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\x1c'..='\x1f' | ' ' | '\u{85}' | '\u{a0}'
            | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}'
            | '\u{205f}' | '\u{3000}'
    )
}

/// Python's `str.strip()`.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(py_isspace)
}

#[cfg(test)]
mod tests {
    use super::super::value::repr;
    use super::*;

    #[test]
    fn accepts_python_extensions() {
        assert!(matches!(loads("NaN"), Ok(PyValue::Float(f)) if f.is_nan()));
        assert!(matches!(loads(" -Infinity "), Ok(PyValue::Float(f)) if f == f64::NEG_INFINITY));
        assert!(matches!(loads("5"), Ok(PyValue::Int(5))));
        assert!(matches!(loads("5.0"), Ok(PyValue::Float(_))));
        assert!(matches!(loads("1e400"), Ok(PyValue::Float(f)) if f.is_infinite()));
        assert_eq!(
            repr(&loads(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap()),
            "{'a': 3, 'b': 2}"
        );
        assert_eq!(repr(&loads(r#""\ud83d\ude00""#).unwrap()), "'\u{1F600}'");
    }

    #[test]
    fn rejects_what_python_rejects() {
        for bad in [
            "[1,]",
            "{'a': 1}",
            "01",
            "1.",
            "\"a\nb\"",
            "\u{feff}[]",
            "[] x",
            "",
            "-",
            "tru",
            "{\"a\" 1}",
            r#""\x""#,
        ] {
            assert!(loads(bad).is_err(), "{bad:?}");
        }
        assert!(loads(&"[".repeat(2000)).unwrap_err().recursion);
    }
}
