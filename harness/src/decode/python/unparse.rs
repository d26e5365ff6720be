//! `ast.unparse` for the parsed expression tree: BFCL turns a nested call without keyword
//! arguments (`f(1, 2)`) and a subscript (`x[0]`) into their unparsed source text, so the
//! spacing, quoting and parenthesization here follow CPython's `ast._Unparser`.

use super::super::value::{bytes_repr, float_repr, str_repr};
use super::ast::{BinOp, CmpOp, CompKind, Comprehension, Const, Expr, UnOp};

// CPython's `_Precedence` values.
const NAMED_EXPR: u8 = 1;
const TUPLE: u8 = 2;
const TEST: u8 = 4;
const OR: u8 = 5;
const AND: u8 = 6;
const NOT: u8 = 7;
const CMP: u8 = 8;
const EXPR: u8 = 9;
const BXOR: u8 = 10;
const BAND: u8 = 11;
const SHIFT: u8 = 12;
const ARITH: u8 = 13;
const TERM: u8 = 14;
const FACTOR: u8 = 15;
const POWER: u8 = 16;
const AWAIT: u8 = 17;
const ATOM: u8 = 18;

/// `ast.unparse(expr)`.
pub fn unparse(e: &Expr) -> String {
    let mut out = String::new();
    write(&mut out, e, TEST);
    out
}

fn const_text(c: &Const) -> String {
    match c {
        Const::None => "None".into(),
        Const::Bool(true) => "True".into(),
        Const::Bool(false) => "False".into(),
        Const::Int(i) => i.to_string(),
        Const::BigInt(s) => s.clone(),
        Const::Float(f) => {
            if f.is_infinite() {
                "1e309".into()
            } else {
                float_repr(*f)
            }
        }
        Const::Imag(f) => {
            if f.is_infinite() {
                "1e309j".into()
            } else {
                let r = float_repr(*f);
                format!("{}j", r.strip_suffix(".0").unwrap_or(&r))
            }
        }
        Const::Str(s) => str_repr(s),
        Const::Bytes(b) => bytes_repr(b),
        Const::Ellipsis => "...".into(),
    }
}

fn binop_text(op: BinOp) -> (&'static str, u8) {
    match op {
        BinOp::Add => ("+", ARITH),
        BinOp::Sub => ("-", ARITH),
        BinOp::Mul => ("*", TERM),
        BinOp::MatMul => ("@", TERM),
        BinOp::Div => ("/", TERM),
        BinOp::FloorDiv => ("//", TERM),
        BinOp::Mod => ("%", TERM),
        BinOp::Pow => ("**", POWER),
        BinOp::LShift => ("<<", SHIFT),
        BinOp::RShift => (">>", SHIFT),
        BinOp::BitOr => ("|", EXPR),
        BinOp::BitXor => ("^", BXOR),
        BinOp::BitAnd => ("&", BAND),
    }
}

fn cmp_text(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "==",
        CmpOp::NotEq => "!=",
        CmpOp::Lt => "<",
        CmpOp::LtE => "<=",
        CmpOp::Gt => ">",
        CmpOp::GtE => ">=",
        CmpOp::Is => "is",
        CmpOp::IsNot => "is not",
        CmpOp::In => "in",
        CmpOp::NotIn => "not in",
    }
}

fn join(out: &mut String, items: &[Expr], prec: u8) {
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        write(out, item, prec);
    }
}

fn generators(out: &mut String, gens: &[Comprehension]) {
    for g in gens {
        out.push_str(if g.is_async { " async for " } else { " for " });
        write(out, &g.target, TUPLE);
        out.push_str(" in ");
        write(out, &g.iter, TEST + 1);
        for cond in &g.ifs {
            out.push_str(" if ");
            write(out, cond, TEST + 1);
        }
    }
}

/// Writes `e`, which its parent gave precedence `prec`.
fn write(out: &mut String, e: &Expr, prec: u8) {
    let open = |out: &mut String, own: u8| {
        let p = prec > own;
        if p {
            out.push('(');
        }
        p
    };
    let close = |out: &mut String, p: bool| {
        if p {
            out.push(')');
        }
    };
    match e {
        Expr::Const(c) => out.push_str(&const_text(c)),
        Expr::JoinedStr(body) => {
            out.push('f');
            out.push_str(&str_repr(body));
        }
        Expr::Name(n) => out.push_str(n),
        Expr::Attribute(value, attr) => {
            write(out, value, ATOM);
            if matches!(
                **value,
                Expr::Const(Const::Int(_)) | Expr::Const(Const::BigInt(_))
            ) {
                out.push(' ');
            }
            out.push('.');
            out.push_str(attr);
        }
        Expr::Call {
            func,
            args,
            keywords,
        } => {
            write(out, func, ATOM);
            out.push('(');
            let mut first = true;
            for a in args {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                write(out, a, TEST);
            }
            for k in keywords {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                match &k.arg {
                    Some(n) => {
                        out.push_str(n);
                        out.push('=');
                        write(out, &k.value, TEST);
                    }
                    None => {
                        out.push_str("**");
                        write(out, &k.value, TEST);
                    }
                }
            }
            out.push(')');
        }
        Expr::List(items) => {
            out.push('[');
            join(out, items, TEST);
            out.push(']');
        }
        Expr::Tuple(items) => {
            let p = items.is_empty() || prec > TUPLE;
            if p {
                out.push('(');
            }
            join(out, items, TEST);
            if items.len() == 1 {
                out.push(',');
            }
            if p {
                out.push(')');
            }
        }
        Expr::Set(items) => {
            if items.is_empty() {
                out.push_str("{*()}");
            } else {
                out.push('{');
                join(out, items, TEST);
                out.push('}');
            }
        }
        Expr::Dict(items) => {
            out.push('{');
            for (k, (key, value)) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                match key {
                    Some(key) => {
                        write(out, key, TEST);
                        out.push_str(": ");
                        write(out, value, TEST);
                    }
                    None => {
                        out.push_str("**");
                        write(out, value, EXPR);
                    }
                }
            }
            out.push('}');
        }
        Expr::BinOp(l, op, r) => {
            let (text, own) = binop_text(*op);
            let p = open(out, own);
            let (lp, rp) = if *op == BinOp::Pow {
                (own + 1, own)
            } else {
                (own, own + 1)
            };
            write(out, l, lp);
            out.push(' ');
            out.push_str(text);
            out.push(' ');
            write(out, r, rp);
            close(out, p);
        }
        Expr::UnaryOp(op, operand) => {
            let (text, own) = match op {
                UnOp::Neg => ("-", FACTOR),
                UnOp::Pos => ("+", FACTOR),
                UnOp::Invert => ("~", FACTOR),
                UnOp::Not => ("not ", NOT),
            };
            let p = open(out, own);
            out.push_str(text);
            write(out, operand, own);
            close(out, p);
        }
        Expr::BoolOp(is_and, values) => {
            let own = if *is_and { AND } else { OR };
            let p = open(out, own);
            let mut level = own;
            for (k, v) in values.iter().enumerate() {
                if k > 0 {
                    out.push_str(if *is_and { " and " } else { " or " });
                }
                level += 1;
                write(out, v, level);
            }
            close(out, p);
        }
        Expr::Compare(left, ops) => {
            let p = open(out, CMP);
            write(out, left, CMP + 1);
            for (op, right) in ops {
                out.push(' ');
                out.push_str(cmp_text(*op));
                out.push(' ');
                write(out, right, CMP + 1);
            }
            close(out, p);
        }
        Expr::IfExp { test, body, orelse } => {
            let p = open(out, TEST);
            write(out, body, TEST + 1);
            out.push_str(" if ");
            write(out, test, TEST + 1);
            out.push_str(" else ");
            write(out, orelse, TEST);
            close(out, p);
        }
        Expr::Lambda(params, body) => {
            let p = open(out, TEST);
            out.push_str("lambda");
            if !params.is_empty() {
                out.push(' ');
                out.push_str(params);
            }
            out.push_str(": ");
            write(out, body, TEST);
            close(out, p);
        }
        Expr::Subscript(value, slice) => {
            write(out, value, ATOM);
            out.push('[');
            match &**slice {
                Expr::Tuple(items) if !items.is_empty() => {
                    join(out, items, TEST);
                    if items.len() == 1 {
                        out.push(',');
                    }
                }
                other => write(out, other, TEST),
            }
            out.push(']');
        }
        Expr::Slice(lower, upper, step) => {
            if let Some(l) = lower {
                write(out, l, TEST);
            }
            out.push(':');
            if let Some(u) = upper {
                write(out, u, TEST);
            }
            if let Some(s) = step {
                out.push(':');
                write(out, s, TEST);
            }
        }
        Expr::Starred(value) => {
            out.push('*');
            write(out, value, EXPR);
        }
        Expr::NamedExpr(target, value) => {
            let p = open(out, NAMED_EXPR);
            out.push_str(target);
            out.push_str(" := ");
            write(out, value, ATOM);
            close(out, p);
        }
        Expr::Await(value) => {
            let p = open(out, AWAIT);
            out.push_str("await ");
            write(out, value, ATOM);
            close(out, p);
        }
        Expr::Comp {
            kind,
            elt,
            value,
            generators: gens,
        } => {
            let (l, r) = match kind {
                CompKind::List => ('[', ']'),
                CompKind::Set | CompKind::Dict => ('{', '}'),
                CompKind::Gen => ('(', ')'),
            };
            out.push(l);
            write(out, elt, TEST);
            if let Some(v) = value {
                out.push_str(": ");
                write(out, v, TEST);
            }
            generators(out, gens);
            out.push(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ast::parse_expression;
    use super::*;

    fn roundtrip(s: &str) -> String {
        unparse(&parse_expression(s).unwrap())
    }

    #[test]
    fn matches_cpython_unparse() {
        assert_eq!(roundtrip("f(1,2)"), "f(1, 2)");
        assert_eq!(
            roundtrip("np.array([1,2],dtype=\"x\")"),
            "np.array([1, 2], dtype='x')"
        );
        assert_eq!(roundtrip("(1+2)*3"), "(1 + 2) * 3");
        assert_eq!(roundtrip("2**-1"), "2 ** (-1)");
        assert_eq!(roundtrip("-2**2"), "-2 ** 2");
        assert_eq!(roundtrip("x[1:2]"), "x[1:2]");
        assert_eq!(roundtrip("x[1,2]"), "x[1, 2]");
        assert_eq!(roundtrip("(1,2)"), "(1, 2)");
        assert_eq!(roundtrip("a if b else c"), "a if b else c");
        assert_eq!(roundtrip("not a"), "not a");
        assert_eq!(roundtrip("f(x for x in y)"), "f((x for x in y))");
        assert_eq!(roundtrip("lambda: 1"), "lambda: 1");
        assert_eq!(roundtrip("1 .real"), "1 .real");
    }
}
