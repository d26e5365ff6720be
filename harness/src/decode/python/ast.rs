//! A recursive-descent parser for Python 3.11 expressions (the `eval` start rule), building
//! the node kinds that BFCL's decoder distinguishes. It accepts and rejects what
//! `ast.parse(..., mode="eval")` does for expression syntax, including call-argument ordering
//! rules, keyword-only names, comprehensions, lambdas, slices and f-string fields.

use super::super::DecodeError;
use super::lex::{tokenize, StrPiece, Tok, Token};

/// A literal constant (`ast.Constant`).
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    None,
    Bool(bool),
    Int(i128),
    BigInt(String),
    Float(f64),
    Imag(f64),
    Str(String),
    Bytes(Vec<u8>),
    Ellipsis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    MatMul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitOr,
    BitXor,
    BitAnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Pos,
    Invert,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Gen,
    Dict,
}

/// One `for target in iter if cond...` clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    pub is_async: bool,
    pub target: Expr,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
}

/// A keyword argument; `arg` is `None` for `**mapping`.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    pub arg: Option<String>,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Const(Const),
    /// `ast.JoinedStr`: an f-string (possibly concatenated), kept as Python-like source text.
    JoinedStr(String),
    Name(String),
    Attribute(Box<Expr>, String),
    Call {
        func: Box<Expr>,
        /// Positional arguments, `Starred` included.
        args: Vec<Expr>,
        keywords: Vec<Keyword>,
    },
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Set(Vec<Expr>),
    /// Items; a `None` key is `**mapping`.
    Dict(Vec<(Option<Expr>, Expr)>),
    BinOp(Box<Expr>, BinOp, Box<Expr>),
    UnaryOp(UnOp, Box<Expr>),
    /// `and` (true) / `or` (false) chains.
    BoolOp(bool, Vec<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    IfExp {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
    /// The parameter list as unparse would print it, and the body.
    Lambda(String, Box<Expr>),
    Subscript(Box<Expr>, Box<Expr>),
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    Starred(Box<Expr>),
    NamedExpr(String, Box<Expr>),
    Await(Box<Expr>),
    Comp {
        kind: CompKind,
        elt: Box<Expr>,
        /// The value of a dict comprehension (`elt` is its key).
        value: Option<Box<Expr>>,
        generators: Vec<Comprehension>,
    },
}

const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
}

type PResult<T> = Result<T, DecodeError>;

impl Parser {
    fn tok(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].tok
    }

    fn tok_at(&self, k: usize) -> &Tok {
        &self.toks[(self.i + k).min(self.toks.len() - 1)].tok
    }

    fn err<T>(&self, what: &str) -> PResult<T> {
        let pos = self.toks[self.i.min(self.toks.len() - 1)].pos;
        Err(DecodeError::syntax(format!(
            "invalid syntax: {what} (at character {pos})"
        )))
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.tok(), Tok::Op(o) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.tok(), Tok::Name(n) if n == kw)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if self.is_op(op) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect_op(&mut self, op: &str) -> PResult<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            self.err(&format!("expected '{op}'"))
        }
    }

    /// A non-keyword name.
    fn name(&mut self) -> PResult<String> {
        match self.tok().clone() {
            Tok::Name(n) if !is_keyword(&n) => {
                self.i += 1;
                Ok(n)
            }
            _ => self.err("expected a name"),
        }
    }

    fn at_plain_name(&self) -> Option<String> {
        match self.tok() {
            Tok::Name(n) if !is_keyword(n) => Some(n.clone()),
            _ => None,
        }
    }

    /// `eval: expressions NEWLINE* ENDMARKER`
    fn eval_input(&mut self) -> PResult<Expr> {
        let first = self.expression()?;
        let e = if self.is_op(",") {
            let mut items = vec![first];
            while self.eat_op(",") {
                if self.at_expression_start() {
                    items.push(self.expression()?);
                } else {
                    break;
                }
            }
            Expr::Tuple(items)
        } else {
            first
        };
        while matches!(self.tok(), Tok::Newline) {
            self.i += 1;
        }
        if !matches!(self.tok(), Tok::End) {
            return self.err("unexpected token after expression");
        }
        Ok(e)
    }

    fn at_expression_start(&self) -> bool {
        match self.tok() {
            Tok::Name(n) => {
                !is_keyword(n)
                    || matches!(
                        n.as_str(),
                        "True" | "False" | "None" | "not" | "lambda" | "await"
                    )
            }
            Tok::Int(_) | Tok::BigInt(_) | Tok::Float(_) | Tok::Imag(_) | Tok::Str(_) => true,
            Tok::Op(o) => matches!(*o, "(" | "[" | "{" | "-" | "+" | "~" | "..."),
            _ => false,
        }
    }

    /// `expression: disjunction ['if' disjunction 'else' expression] | lambdef`
    fn expression(&mut self) -> PResult<Expr> {
        if self.is_kw("lambda") {
            return self.lambdef();
        }
        let body = self.disjunction()?;
        if self.eat_kw("if") {
            let test = self.disjunction()?;
            if !self.eat_kw("else") {
                return self.err("expected 'else' after 'if' expression");
            }
            let orelse = self.expression()?;
            return Ok(Expr::IfExp {
                test: Box::new(test),
                body: Box::new(body),
                orelse: Box::new(orelse),
            });
        }
        Ok(body)
    }

    /// `named_expression: NAME ':=' expression | expression !':='`
    fn named_expression(&mut self) -> PResult<Expr> {
        if let Some(n) = self.at_plain_name() {
            if matches!(self.tok_at(1), Tok::Op(":=")) {
                self.i += 2;
                let value = self.expression()?;
                return Ok(Expr::NamedExpr(n, Box::new(value)));
            }
        }
        let e = self.expression()?;
        if self.is_op(":=") {
            return self.err("cannot use assignment expressions with this target");
        }
        Ok(e)
    }

    /// `star_named_expression: '*' bitwise_or | named_expression`
    fn star_named_expression(&mut self) -> PResult<Expr> {
        if self.eat_op("*") {
            return Ok(Expr::Starred(Box::new(self.bitwise_or()?)));
        }
        self.named_expression()
    }

    fn lambdef(&mut self) -> PResult<Expr> {
        self.i += 1; // lambda
        let mut params: Vec<String> = Vec::new();
        let mut seen_default = false;
        let mut seen_star = false;
        let mut seen_kwargs = false;
        let mut seen_slash = false;
        while !self.is_op(":") {
            if seen_kwargs {
                return self.err("arguments cannot follow var-keyword argument");
            }
            if self.eat_op("**") {
                params.push(format!("**{}", self.name()?));
                seen_kwargs = true;
            } else if self.eat_op("*") {
                if seen_star {
                    return self.err("* argument may appear only once");
                }
                seen_star = true;
                match self.at_plain_name() {
                    Some(n) => {
                        self.i += 1;
                        params.push(format!("*{n}"));
                    }
                    None => params.push("*".into()),
                }
            } else if self.eat_op("/") {
                if seen_slash || seen_star || params.is_empty() {
                    return self.err("invalid '/' in lambda parameters");
                }
                seen_slash = true;
                params.push("/".into());
            } else {
                let n = self.name()?;
                if self.eat_op("=") {
                    let d = self.expression()?;
                    params.push(format!("{n}={}", super::unparse::unparse(&d)));
                    if !seen_star {
                        seen_default = true;
                    }
                } else {
                    if seen_default && !seen_star {
                        return self.err("non-default argument follows default argument");
                    }
                    params.push(n);
                }
            }
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(":")?;
        let body = self.expression()?;
        Ok(Expr::Lambda(params.join(", "), Box::new(body)))
    }

    fn disjunction(&mut self) -> PResult<Expr> {
        let first = self.conjunction()?;
        if !self.is_kw("or") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_kw("or") {
            items.push(self.conjunction()?);
        }
        Ok(Expr::BoolOp(false, items))
    }

    fn conjunction(&mut self) -> PResult<Expr> {
        let first = self.inversion()?;
        if !self.is_kw("and") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_kw("and") {
            items.push(self.inversion()?);
        }
        Ok(Expr::BoolOp(true, items))
    }

    fn inversion(&mut self) -> PResult<Expr> {
        if self.eat_kw("not") {
            return Ok(Expr::UnaryOp(UnOp::Not, Box::new(self.inversion()?)));
        }
        self.comparison()
    }

    fn compare_op(&mut self) -> Option<CmpOp> {
        let op = match self.tok() {
            Tok::Op("==") => CmpOp::Eq,
            Tok::Op("!=") => CmpOp::NotEq,
            Tok::Op("<") => CmpOp::Lt,
            Tok::Op("<=") => CmpOp::LtE,
            Tok::Op(">") => CmpOp::Gt,
            Tok::Op(">=") => CmpOp::GtE,
            Tok::Name(n) if n == "in" => CmpOp::In,
            Tok::Name(n) if n == "is" => {
                if matches!(self.tok_at(1), Tok::Name(m) if m == "not") {
                    self.i += 1;
                    CmpOp::IsNot
                } else {
                    CmpOp::Is
                }
            }
            Tok::Name(n) if n == "not" && matches!(self.tok_at(1), Tok::Name(m) if m == "in") => {
                self.i += 1;
                CmpOp::NotIn
            }
            _ => return None,
        };
        self.i += 1;
        Some(op)
    }

    fn comparison(&mut self) -> PResult<Expr> {
        let left = self.bitwise_or()?;
        let mut ops = Vec::new();
        while let Some(op) = self.compare_op() {
            ops.push((op, self.bitwise_or()?));
        }
        if ops.is_empty() {
            Ok(left)
        } else {
            Ok(Expr::Compare(Box::new(left), ops))
        }
    }

    fn binary_level(
        &mut self,
        ops: &[(&str, BinOp)],
        next: fn(&mut Parser) -> PResult<Expr>,
    ) -> PResult<Expr> {
        let mut left = next(self)?;
        'outer: loop {
            for (tok, op) in ops {
                if self.eat_op(tok) {
                    let right = next(self)?;
                    left = Expr::BinOp(Box::new(left), *op, Box::new(right));
                    continue 'outer;
                }
            }
            return Ok(left);
        }
    }

    fn bitwise_or(&mut self) -> PResult<Expr> {
        self.binary_level(&[("|", BinOp::BitOr)], Parser::bitwise_xor)
    }

    fn bitwise_xor(&mut self) -> PResult<Expr> {
        self.binary_level(&[("^", BinOp::BitXor)], Parser::bitwise_and)
    }

    fn bitwise_and(&mut self) -> PResult<Expr> {
        self.binary_level(&[("&", BinOp::BitAnd)], Parser::shift_expr)
    }

    fn shift_expr(&mut self) -> PResult<Expr> {
        self.binary_level(&[("<<", BinOp::LShift), (">>", BinOp::RShift)], Parser::sum)
    }

    fn sum(&mut self) -> PResult<Expr> {
        self.binary_level(&[("+", BinOp::Add), ("-", BinOp::Sub)], Parser::term)
    }

    fn term(&mut self) -> PResult<Expr> {
        self.binary_level(
            &[
                ("*", BinOp::Mul),
                ("/", BinOp::Div),
                ("//", BinOp::FloorDiv),
                ("%", BinOp::Mod),
                ("@", BinOp::MatMul),
            ],
            Parser::factor,
        )
    }

    fn factor(&mut self) -> PResult<Expr> {
        let op = match self.tok() {
            Tok::Op("-") => UnOp::Neg,
            Tok::Op("+") => UnOp::Pos,
            Tok::Op("~") => UnOp::Invert,
            _ => return self.power(),
        };
        self.i += 1;
        Ok(Expr::UnaryOp(op, Box::new(self.factor()?)))
    }

    fn power(&mut self) -> PResult<Expr> {
        let base = if self.eat_kw("await") {
            Expr::Await(Box::new(self.primary()?))
        } else {
            self.primary()?
        };
        if self.eat_op("**") {
            let exp = self.factor()?;
            return Ok(Expr::BinOp(Box::new(base), BinOp::Pow, Box::new(exp)));
        }
        Ok(base)
    }

    fn primary(&mut self) -> PResult<Expr> {
        let mut e = self.atom()?;
        loop {
            if self.eat_op(".") {
                let attr = self.name()?;
                e = Expr::Attribute(Box::new(e), attr);
            } else if self.eat_op("(") {
                e = self.call_args(e)?;
            } else if self.eat_op("[") {
                let slice = self.slices()?;
                self.expect_op("]")?;
                e = Expr::Subscript(Box::new(e), Box::new(slice));
            } else {
                return Ok(e);
            }
        }
    }

    /// Arguments after `(`, through the closing `)`.
    fn call_args(&mut self, func: Expr) -> PResult<Expr> {
        let mut args = Vec::new();
        let mut keywords: Vec<Keyword> = Vec::new();
        let mut seen_keyword = false;
        let mut seen_double_star = false;
        let mut count = 0usize;
        let mut genexp_at: Option<usize> = None;
        while !self.is_op(")") {
            count += 1;
            if self.eat_op("**") {
                let value = self.expression()?;
                keywords.push(Keyword { arg: None, value });
                seen_double_star = true;
            } else if self.eat_op("*") {
                if seen_double_star {
                    return self
                        .err("iterable argument unpacking follows keyword argument unpacking");
                }
                args.push(Expr::Starred(Box::new(self.expression()?)));
            } else if let (Some(n), Tok::Op("=")) = (self.at_plain_name(), self.tok_at(1).clone()) {
                self.i += 2;
                let value = self.expression()?;
                keywords.push(Keyword {
                    arg: Some(n),
                    value,
                });
                seen_keyword = true;
            } else {
                let value = self.named_expression()?;
                if self.is_op("=") {
                    return self
                        .err("expression cannot contain assignment, perhaps you meant \"==\"?");
                }
                if self.is_kw("for") || self.is_kw("async") {
                    let generators = self.comp_for()?;
                    genexp_at = Some(count);
                    args.push(Expr::Comp {
                        kind: CompKind::Gen,
                        elt: Box::new(value),
                        value: None,
                        generators,
                    });
                } else {
                    if seen_double_star {
                        return self.err("positional argument follows keyword argument unpacking");
                    }
                    if seen_keyword {
                        return self.err("positional argument follows keyword argument");
                    }
                    args.push(value);
                }
            }
            if !self.eat_op(",") {
                break;
            }
            if genexp_at.is_some() {
                return self.err("Generator expression must be parenthesized");
            }
        }
        self.expect_op(")")?;
        if genexp_at.is_some() && count > 1 {
            return self.err("Generator expression must be parenthesized");
        }
        Ok(Expr::Call {
            func: Box::new(func),
            args,
            keywords,
        })
    }

    /// `slices: slice !',' | ','.(slice | starred_expression)+ [',']`
    fn slices(&mut self) -> PResult<Expr> {
        let first = self.slice_item()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_op("]") {
                break;
            }
            items.push(self.slice_item()?);
        }
        Ok(Expr::Tuple(items))
    }

    fn slice_item(&mut self) -> PResult<Expr> {
        if self.eat_op("*") {
            return Ok(Expr::Starred(Box::new(self.bitwise_or()?)));
        }
        let lower = if self.is_op(":") {
            None
        } else {
            let e = self.named_expression()?;
            if !self.is_op(":") {
                return Ok(e);
            }
            if matches!(e, Expr::NamedExpr(..)) {
                return self.err("invalid slice");
            }
            Some(Box::new(e))
        };
        self.expect_op(":")?;
        let upper = if self.is_op(":") || self.is_op(",") || self.is_op("]") {
            None
        } else {
            Some(Box::new(self.expression()?))
        };
        let step = if self.eat_op(":") {
            if self.is_op(",") || self.is_op("]") {
                None
            } else {
                Some(Box::new(self.expression()?))
            }
        } else {
            None
        };
        Ok(Expr::Slice(lower, upper, step))
    }

    /// `for_if_clauses`, at least one.
    fn comp_for(&mut self) -> PResult<Vec<Comprehension>> {
        let mut out = Vec::new();
        loop {
            let is_async = self.eat_kw("async");
            if !self.eat_kw("for") {
                if is_async {
                    return self.err("expected 'for'");
                }
                break;
            }
            let target = self.star_targets()?;
            if !self.eat_kw("in") {
                return self.err("expected 'in'");
            }
            let iter = self.disjunction()?;
            let mut ifs = Vec::new();
            while self.eat_kw("if") {
                ifs.push(self.disjunction()?);
            }
            out.push(Comprehension {
                is_async,
                target,
                iter,
                ifs,
            });
        }
        if out.is_empty() {
            return self.err("expected 'for'");
        }
        Ok(out)
    }

    fn star_targets(&mut self) -> PResult<Expr> {
        let mut items = Vec::new();
        let mut trailing_comma;
        loop {
            let t = if self.eat_op("*") {
                Expr::Starred(Box::new(self.bitwise_or()?))
            } else {
                self.bitwise_or()?
            };
            if !is_target(&t) {
                return self.err("cannot assign to expression");
            }
            items.push(t);
            trailing_comma = false;
            if !self.eat_op(",") {
                break;
            }
            trailing_comma = true;
            if self.is_kw("in") {
                break;
            }
        }
        if items.len() == 1 && !trailing_comma {
            Ok(items.remove(0))
        } else {
            Ok(Expr::Tuple(items))
        }
    }

    fn atom(&mut self) -> PResult<Expr> {
        let tok = self.tok().clone();
        match tok {
            Tok::Name(n) => {
                self.i += 1;
                match n.as_str() {
                    "True" => Ok(Expr::Const(Const::Bool(true))),
                    "False" => Ok(Expr::Const(Const::Bool(false))),
                    "None" => Ok(Expr::Const(Const::None)),
                    _ if is_keyword(&n) => {
                        self.i -= 1;
                        self.err(&format!("unexpected keyword '{n}'"))
                    }
                    _ => Ok(Expr::Name(n)),
                }
            }
            Tok::Int(v) => {
                self.i += 1;
                Ok(Expr::Const(Const::Int(v)))
            }
            Tok::BigInt(s) => {
                self.i += 1;
                Ok(Expr::Const(Const::BigInt(s)))
            }
            Tok::Float(v) => {
                self.i += 1;
                Ok(Expr::Const(Const::Float(v)))
            }
            Tok::Imag(v) => {
                self.i += 1;
                Ok(Expr::Const(Const::Imag(v)))
            }
            Tok::Str(_) => self.strings(),
            Tok::Op("...") => {
                self.i += 1;
                Ok(Expr::Const(Const::Ellipsis))
            }
            Tok::Op("(") => {
                self.i += 1;
                self.paren()
            }
            Tok::Op("[") => {
                self.i += 1;
                self.list()
            }
            Tok::Op("{") => {
                self.i += 1;
                self.brace()
            }
            _ => self.err("unexpected token"),
        }
    }

    fn strings(&mut self) -> PResult<Expr> {
        let mut pieces = Vec::new();
        while let Tok::Str(p) = self.tok() {
            pieces.push(p.clone());
            self.i += 1;
        }
        let any_bytes = pieces.iter().any(|p| matches!(p, StrPiece::Bytes(_)));
        let all_bytes = pieces.iter().all(|p| matches!(p, StrPiece::Bytes(_)));
        if any_bytes && !all_bytes {
            return self.err("cannot mix bytes and nonbytes literals");
        }
        if all_bytes {
            let mut out = Vec::new();
            for p in pieces {
                if let StrPiece::Bytes(b) = p {
                    out.extend(b);
                }
            }
            return Ok(Expr::Const(Const::Bytes(out)));
        }
        if pieces.iter().any(|p| matches!(p, StrPiece::FStr { .. })) {
            let mut text = String::new();
            for p in &pieces {
                match p {
                    StrPiece::FStr { body, .. } => {
                        check_fstring(body)?;
                        text.push_str(body);
                    }
                    StrPiece::Str(s) => text.push_str(&s.replace('{', "{{").replace('}', "}}")),
                    StrPiece::Bytes(_) => {}
                }
            }
            return Ok(Expr::JoinedStr(text));
        }
        let mut out = String::new();
        for p in pieces {
            if let StrPiece::Str(s) = p {
                out.push_str(&s);
            }
        }
        Ok(Expr::Const(Const::Str(out)))
    }

    /// After `(`: empty tuple, group, tuple, or generator expression.
    fn paren(&mut self) -> PResult<Expr> {
        if self.eat_op(")") {
            return Ok(Expr::Tuple(Vec::new()));
        }
        if self.is_kw("yield") {
            return self.err("yield expressions are not supported here");
        }
        let first = self.star_named_expression()?;
        if self.is_kw("for") || self.is_kw("async") {
            if matches!(first, Expr::Starred(_)) {
                return self.err("iterable unpacking cannot be used in comprehension");
            }
            let generators = self.comp_for()?;
            self.expect_op(")")?;
            return Ok(Expr::Comp {
                kind: CompKind::Gen,
                elt: Box::new(first),
                value: None,
                generators,
            });
        }
        if self.eat_op(")") {
            if matches!(first, Expr::Starred(_)) {
                return self.err("cannot use starred expression here");
            }
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_op(")") {
                break;
            }
            items.push(self.star_named_expression()?);
        }
        self.expect_op(")")?;
        Ok(Expr::Tuple(items))
    }

    fn list(&mut self) -> PResult<Expr> {
        if self.eat_op("]") {
            return Ok(Expr::List(Vec::new()));
        }
        let first = self.star_named_expression()?;
        if self.is_kw("for") || self.is_kw("async") {
            if matches!(first, Expr::Starred(_)) {
                return self.err("iterable unpacking cannot be used in comprehension");
            }
            let generators = self.comp_for()?;
            self.expect_op("]")?;
            return Ok(Expr::Comp {
                kind: CompKind::List,
                elt: Box::new(first),
                value: None,
                generators,
            });
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_op("]") {
                break;
            }
            items.push(self.star_named_expression()?);
        }
        self.expect_op("]")?;
        Ok(Expr::List(items))
    }

    /// After `{`: dict, set, or their comprehensions.
    fn brace(&mut self) -> PResult<Expr> {
        if self.eat_op("}") {
            return Ok(Expr::Dict(Vec::new()));
        }
        // Dict starting with `**mapping`, or with `key: value`.
        let dict_first = if self.eat_op("**") {
            Some((None, self.bitwise_or()?))
        } else {
            let start = self.i;
            let first = self.star_named_expression()?;
            if self.eat_op(":") {
                if matches!(first, Expr::Starred(_) | Expr::NamedExpr(..)) {
                    return self.err("invalid dict key");
                }
                let value = self.expression()?;
                Some((Some(first), value))
            } else {
                // A set (or set comprehension).
                let _ = start;
                if self.is_kw("for") || self.is_kw("async") {
                    if matches!(first, Expr::Starred(_)) {
                        return self.err("iterable unpacking cannot be used in comprehension");
                    }
                    let generators = self.comp_for()?;
                    self.expect_op("}")?;
                    return Ok(Expr::Comp {
                        kind: CompKind::Set,
                        elt: Box::new(first),
                        value: None,
                        generators,
                    });
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op("}") {
                        break;
                    }
                    items.push(self.star_named_expression()?);
                }
                self.expect_op("}")?;
                return Ok(Expr::Set(items));
            }
        };
        let Some((key, value)) = dict_first else {
            return self.err("invalid dict");
        };
        if let Some(k) = &key {
            if self.is_kw("for") || self.is_kw("async") {
                let generators = self.comp_for()?;
                self.expect_op("}")?;
                return Ok(Expr::Comp {
                    kind: CompKind::Dict,
                    elt: Box::new(k.clone()),
                    value: Some(Box::new(value)),
                    generators,
                });
            }
        }
        let mut items = vec![(key, value)];
        while self.eat_op(",") {
            if self.is_op("}") {
                break;
            }
            if self.eat_op("**") {
                items.push((None, self.bitwise_or()?));
            } else {
                let k = self.expression()?;
                self.expect_op(":")?;
                let v = self.expression()?;
                items.push((Some(k), v));
            }
        }
        self.expect_op("}")?;
        Ok(Expr::Dict(items))
    }
}

fn is_target(e: &Expr) -> bool {
    match e {
        Expr::Name(_) | Expr::Attribute(..) | Expr::Subscript(..) => true,
        Expr::Starred(inner) => is_target(inner),
        Expr::Tuple(items) | Expr::List(items) => items.iter().all(is_target),
        _ => false,
    }
}

/// Validates an f-string body as Python 3.11 does: `{expr[=][!conv][:spec]}` fields with
/// parseable expressions, doubled braces as literals, no lone `}`.
fn check_fstring(body: &str) -> PResult<()> {
    let chars: Vec<char> = body.chars().collect();
    check_fstring_chars(&chars, 0)
}

fn check_fstring_chars(chars: &[char], depth: usize) -> PResult<()> {
    let bad = |m: &str| Err(DecodeError::syntax(format!("f-string: {m}")));
    if depth > 2 {
        return bad("expressions nested too deeply");
    }
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '{' if chars.get(i + 1) == Some(&'{') => i += 2,
            '}' if chars.get(i + 1) == Some(&'}') => i += 2,
            '}' => return bad("single '}' is not allowed"),
            '{' => {
                i += 1;
                let start = i;
                let mut nest = 0i32;
                let mut quote: Option<char> = None;
                while i < chars.len() {
                    let c = chars[i];
                    if let Some(q) = quote {
                        if c == q {
                            quote = None;
                        }
                    } else if c == '\'' || c == '"' {
                        quote = Some(c);
                    } else if c == '\\' {
                        return bad("expression part cannot include a backslash");
                    } else if "([{".contains(c) {
                        nest += 1;
                    } else if ")]}".contains(c) && nest > 0 {
                        nest -= 1;
                    } else if nest == 0
                        && (c == '}'
                            || c == ':'
                            || (c == '!' && chars.get(i + 1) != Some(&'='))
                            || (c == '='
                                && !matches!(chars.get(i + 1), Some('='))
                                && !matches!(
                                    chars.get(i.wrapping_sub(1)),
                                    Some('=') | Some('!') | Some('<') | Some('>')
                                )))
                    {
                        break;
                    }
                    i += 1;
                }
                let expr: String = chars[start..i].iter().collect();
                if expr.trim().is_empty() {
                    return bad("empty expression not allowed");
                }
                parse_expression(&format!("({expr})"))?;
                if chars.get(i) == Some(&'=') {
                    i += 1;
                }
                if chars.get(i) == Some(&'!') {
                    match chars.get(i + 1) {
                        Some('r') | Some('s') | Some('a') => i += 2,
                        _ => return bad("invalid conversion character"),
                    }
                }
                if chars.get(i) == Some(&':') {
                    i += 1;
                    let spec_start = i;
                    let mut nest = 0i32;
                    while i < chars.len() {
                        match chars[i] {
                            '{' => nest += 1,
                            '}' if nest == 0 => break,
                            '}' => nest -= 1,
                            _ => {}
                        }
                        i += 1;
                    }
                    check_fstring_chars(&chars[spec_start..i], depth + 1)?;
                }
                if chars.get(i) != Some(&'}') {
                    return bad("expecting '}'");
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Parses a Python expression in `eval` mode.
pub fn parse_expression(src: &str) -> Result<Expr, DecodeError> {
    let toks = tokenize(src)?;
    let mut p = Parser { toks, i: 0 };
    p.eval_input()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> bool {
        parse_expression(s).is_ok()
    }

    #[test]
    fn accepts_what_python_accepts() {
        for s in [
            "[f(a=1)]",
            "[f(a=1, a=2)]",
            "[f(**x, **y)]",
            "[f(a=1) # c\n]",
            "[f(1, a=1)]",
            "[f(x for x in y)]",
            "[f(a=1,)]",
            "[]",
            "[f(a=1),]",
            "[f(a=1if 1 else 2)]",
            "[f(a=x[1:2], b=x[::2], c=x[1,2])]",
            "[f(a=lambda x, y=1: x)]",
            "[f(a=(1,), b=(), c={}, d={1, 2}, e={**x, 'k': 1})]",
            "[f(a:=1)]",
            "[f(*x, a=1)]",
            "[f(a=1, *x)]",
            "[f(**x, a=1)]",
            "[f(x=1)(y=2)]",
            "[f(a=\"a\" 'b')]",
            "[f(a=...)]",
            "[f(a=2**-1)]",
            "[f(a=not x, b=x is not None, c=x not in y)]",
            "[f(a=f'{x!r:>{w}}')]",
            "[f(a=[x for x, y in z if x async for q in r])]",
            "[f(a={k: v for k, v in d})]",
            "[a.b.c(d=1)]",
            "[f(a=await x)]",
        ] {
            assert!(ok(s), "{s}");
        }
    }

    #[test]
    fn rejects_what_python_rejects() {
        for s in [
            "[f(a=1)]\n[g()]",
            "[f(a=1, 2)]",
            "[f(x for x in y, a=1)]",
            "[f(,)]",
            "[,]",
            "[f(a=b\"x\" \"y\")]",
            "[f(a=yield)]",
            "[f(a=*x)]",
            "[f(**x, *y)]",
            "[f(a=x.True)]",
            "[f(a=1)];",
            "[f(a=1) g(b=1)]",
            "[f(a.b=1)]",
            "[f(True=1)]",
            "[f(a=class)]",
            "[f(a=f'{}')]",
            "[f(a=1 if x)]",
            "```python\n[f(a=1)]\n```",
        ] {
            assert!(!ok(s), "{s}");
        }
    }
}
