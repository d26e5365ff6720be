//! BFCL's prompt-format decoder (`default_decode_ast_prompting` + `ast_parse` +
//! `resolve_ast_by_type`): strip backticks, newlines and spaces from both ends, wrap in `[ ]`,
//! parse as a Python expression, and turn every element (each must be a call) into
//! `{dotted.name: {keyword: value}}`.
//!
//! Value rules, quirks included: constants as-is (`...` becomes `"..."`); a unary operator on a
//! constant always negates (`+5` and `~5` give `-5`, `not 5` gives `-5`); lists, dicts and
//! tuples recurse; arithmetic is evaluated; a bare name becomes its name as a string; a call
//! without keywords becomes its unparsed source, one with keywords a nested `{name: {...}}`;
//! a subscript becomes its unparsed source; everything else fails. Positional arguments are
//! dropped after parsing.

mod ast;
mod eval;
mod lex;
mod unparse;

pub use ast::{parse_expression, Expr};
pub use unparse::unparse;

use super::value::{dict_insert, PyValue};
use super::{DecodeError, PyCall};
use crate::call::Call;
use ast::{Const, Keyword};

fn unsupported(what: &str) -> DecodeError {
    DecodeError::syntax(format!("Unsupported AST type: {what}"))
}

fn node_name(e: &Expr) -> &'static str {
    match e {
        Expr::Const(_) => "Constant",
        Expr::JoinedStr(_) => "JoinedStr",
        Expr::Name(_) => "Name",
        Expr::Attribute(..) => "Attribute",
        Expr::Call { .. } => "Call",
        Expr::List(_) => "List",
        Expr::Tuple(_) => "Tuple",
        Expr::Set(_) => "Set",
        Expr::Dict(_) => "Dict",
        Expr::BinOp(..) => "BinOp",
        Expr::UnaryOp(..) => "UnaryOp",
        Expr::BoolOp(..) => "BoolOp",
        Expr::Compare(..) => "Compare",
        Expr::IfExp { .. } => "IfExp",
        Expr::Lambda(..) => "Lambda",
        Expr::Subscript(..) => "Subscript",
        Expr::Slice(..) => "Slice",
        Expr::Starred(_) => "Starred",
        Expr::NamedExpr(..) => "NamedExpr",
        Expr::Await(_) => "Await",
        Expr::Comp { .. } => "Comprehension",
    }
}

/// `resolve_ast_by_type`.
fn resolve(e: &Expr) -> Result<PyValue, DecodeError> {
    match e {
        Expr::Const(Const::Ellipsis) => Ok(PyValue::str("...")),
        Expr::Const(c) => eval::const_value(c),
        Expr::UnaryOp(_, operand) => match &**operand {
            // `-value.operand.value`: only a constant operand has a negatable `.value`.
            Expr::Const(c) => eval::unary(ast::UnOp::Neg, &eval::const_value(c)?),
            other => Err(DecodeError::syntax(format!(
                "TypeError: bad operand type for unary -: '{}'",
                node_name(other)
            ))),
        },
        Expr::List(items) => Ok(PyValue::List(
            items.iter().map(resolve).collect::<Result<_, _>>()?,
        )),
        Expr::Dict(items) => {
            let mut d = Vec::new();
            for (k, v) in items {
                let Some(k) = k else {
                    return Err(unsupported("NoneType"));
                };
                let key = resolve(k)?;
                let value = resolve(v)?;
                if !key.is_hashable() {
                    return Err(DecodeError::syntax(format!(
                        "TypeError: unhashable type: '{}'",
                        key.py_type().name()
                    )));
                }
                dict_insert(&mut d, key, value);
            }
            Ok(PyValue::Dict(d))
        }
        Expr::BinOp(..) => eval::eval(e),
        Expr::Name(n) => Ok(PyValue::Str(n.clone())),
        Expr::Call { keywords, .. } => {
            if keywords.is_empty() {
                Ok(PyValue::Str(unparse(e)))
            } else {
                let call = resolve_call(e)?;
                Ok(PyValue::Dict(vec![(call.name, PyValue::Dict(call.args))]))
            }
        }
        Expr::Tuple(items) => Ok(PyValue::Tuple(
            items.iter().map(resolve).collect::<Result<_, _>>()?,
        )),
        // `eval(ast.unparse(value.body[0].value))` fails: a Lambda's body is not a list.
        Expr::Lambda(..) => Err(DecodeError::syntax(
            "TypeError: 'Call' object is not subscriptable (lambda)",
        )),
        Expr::Subscript(value, slice) => Ok(PyValue::Str(format!(
            "{}[{}]",
            unparse(value),
            unparse(slice)
        ))),
        other => Err(unsupported(node_name(other))),
    }
}

/// `resolve_ast_call`: the dotted name (attributes down to a base name; a base that is not a
/// name contributes nothing) and the keyword arguments, later duplicates winning.
fn resolve_call(e: &Expr) -> Result<PyCall, DecodeError> {
    let Expr::Call { func, keywords, .. } = e else {
        return Err(DecodeError::syntax("AssertionError: element is not a call"));
    };
    let mut parts = Vec::new();
    let mut f = &**func;
    while let Expr::Attribute(value, attr) = f {
        parts.push(attr.clone());
        f = value;
    }
    if let Expr::Name(n) = f {
        parts.push(n.clone());
    }
    parts.reverse();
    let mut args = Vec::new();
    for Keyword { arg, value } in keywords {
        let v = resolve(value)?;
        let key = arg.clone().map_or(PyValue::None, PyValue::Str);
        dict_insert(&mut args, key, v);
    }
    Ok(PyCall {
        name: PyValue::Str(parts.join(".")),
        args,
    })
}

/// `ast_parse` for Python: the body must be a call or have elements that are all calls.
pub fn parse_calls(text: &str) -> Result<Vec<PyCall>, DecodeError> {
    let body = parse_expression(text)?;
    match &body {
        Expr::Call { .. } => Ok(vec![resolve_call(&body)?]),
        Expr::List(items) | Expr::Tuple(items) | Expr::Set(items) => {
            items.iter().map(resolve_call).collect()
        }
        other => Err(DecodeError::syntax(format!(
            "AttributeError: '{}' object has no attribute 'elts'",
            node_name(other)
        ))),
    }
}

/// Characters `str.strip("`\n ")` removes.
fn strip_prompt(text: &str) -> &str {
    text.trim_matches(|c| c == '`' || c == '\n' || c == ' ')
}

/// Wraps stripped text in `[ ]` where either bracket is missing, as BFCL does.
pub fn wrap_brackets(text: &str) -> String {
    let s = strip_prompt(text);
    let mut out = String::with_capacity(s.len() + 2);
    if !s.starts_with('[') {
        out.push('[');
    }
    out.push_str(s);
    if !s.ends_with(']') {
        out.push(']');
    }
    out
}

/// Decodes a prompt-format output exactly as BFCL's `default_decode_ast_prompting` does for
/// Python, with Python values.
pub fn decode_python(text: &str) -> Result<Vec<PyCall>, DecodeError> {
    let wrapped = wrap_brackets(text);
    // `ast_parse` strips whitespace and single quotes; after wrapping the text starts with `[`
    // and ends with `]`, so neither strip can change it.
    parse_calls(&wrapped)
}

/// Decodes a prompt-format output into JSON-valued calls (tuples become arrays; see
/// [`PyCall::to_call`]).
pub fn decode_python_calls(text: &str) -> Result<Vec<Call>, DecodeError> {
    decode_python(text).map(|calls| super::to_calls(&calls))
}

#[cfg(test)]
mod tests {
    use super::super::value::{py_eq, repr};
    use super::*;

    fn one(text: &str) -> PyCall {
        let mut calls = decode_python(text).unwrap();
        assert_eq!(calls.len(), 1, "{text}");
        calls.remove(0)
    }

    fn arg(text: &str) -> PyValue {
        one(text).arg("a").cloned().unwrap()
    }

    #[test]
    fn names_and_wrapping() {
        let c = one("math.factorial(number=5)");
        assert!(py_eq(&c.name, &PyValue::str("math.factorial")));
        assert_eq!(
            decode_python("```\n[f(a=1), g(b=2)]\n```").unwrap().len(),
            2
        );
        assert!(decode_python("```python\n[f(a=1)]\n```").is_err());
        assert!(decode_python("").unwrap().is_empty());
        assert!(decode_python("[]").unwrap().is_empty());
        assert!(decode_python("I cannot help with that.").is_err());
        assert!(decode_python("Hello").is_err());
        assert!(decode_python(r#"[{"name": "f", "arguments": {"a": 1}}]"#).is_err());
        assert!(py_eq(&one("x[0].f(a=1)").name, &PyValue::str("f")));
        assert!(py_eq(&one("f()(a=1)").name, &PyValue::str("")));
    }

    #[test]
    fn values() {
        assert!(matches!(arg("f(a=-5)"), PyValue::Int(-5)));
        assert!(matches!(arg("f(a=+5)"), PyValue::Int(-5)));
        assert!(matches!(arg("f(a=~5)"), PyValue::Int(-5)));
        assert!(matches!(arg("f(a=not 5)"), PyValue::Int(-5)));
        assert!(matches!(arg("f(a=-True)"), PyValue::Int(-1)));
        assert!(matches!(arg("f(a=-2.5)"), PyValue::Float(f) if f == -2.5));
        assert!(matches!(arg("f(a=2+3)"), PyValue::Int(5)));
        assert!(matches!(arg("f(a=...)"), PyValue::Str(s) if s == "..."));
        assert!(matches!(arg("f(a=x)"), PyValue::Str(s) if s == "x"));
        assert!(matches!(arg("f(a=g(1, 2))"), PyValue::Str(s) if s == "g(1, 2)"));
        assert!(matches!(arg("f(a=x[0])"), PyValue::Str(s) if s == "x[0]"));
        assert!(matches!(arg("f(a=x[1,2])"), PyValue::Str(s) if s == "x[(1, 2)]"));
        assert!(matches!(arg("f(a=(1, 2))"), PyValue::Tuple(_)));
        assert_eq!(repr(&arg("f(a=g(b=1))")), "{'g': {'b': 1}}");
        assert_eq!(repr(&arg("f(a={'k': [1, 'v']})")), "{'k': [1, 'v']}");
        assert!(matches!(arg("f(a='''x''')"), PyValue::Str(s) if s == "x"));
        assert!(matches!(arg(r#"f(a="it\'s")"#), PyValue::Str(s) if s == "it's"));
        assert!(matches!(arg("f(a=True)"), PyValue::Bool(true)));
        assert!(matches!(arg("f(a=None)"), PyValue::None));
        assert!(matches!(arg("f(a=1, a=2)"), PyValue::Int(2)));
    }

    #[test]
    fn failures() {
        for bad in [
            "f(a=-x)",
            "f(a=x.y)",
            "f(a={1, 2})",
            "f(a=lambda: 1)",
            "f(a=1 < 2)",
            "f(a=f'x')",
            "f(a=-'s')",
            "f(a={[1]: 2})",
            "f(a={**x})",
            "f(a=x + 1)",
            "f(a=1/0)",
            "[f(a=1)], [g(b=2)]",
            "[1, 2]",
            "[*x]",
        ] {
            assert!(decode_python(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn positional_arguments_are_dropped() {
        let c = one("f(1, x.y, a=2)");
        assert_eq!(c.args.len(), 1);
        let c = one("f(**kw)");
        assert!(matches!(c.args[0].0, PyValue::None));
    }
}
