//! BFCL's JavaScript prompt-format decoder (`parse_javascript_function_call`): the
//! bracket-wrapped text minus its outer characters is parsed with tree-sitter-javascript
//! 0.21.4; any `ERROR` node fails; the first top-level expression statement that directly
//! holds a call expression is the one call, named by the callee's source text, its arguments
//! the `name = value` assignments (value source text, one pair of matching quotes removed)
//! plus bare identifiers and `true` under the `None` key. A repeated argument name fails; no
//! such statement is a wrong format.

use std::cell::RefCell;

use tree_sitter::{Node, Parser};

use super::value::PyValue;
use super::{DecodeError, PyCall};

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

fn children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

fn node_text(src: &[u8], node: Node<'_>) -> String {
    let end = node.end_byte().min(src.len());
    let start = node.start_byte().min(end);
    String::from_utf8_lossy(&src[start..end]).into_owned()
}

fn extract_arguments(src: &[u8], node: Node<'_>) -> Result<Vec<(PyValue, PyValue)>, DecodeError> {
    let mut args: Vec<(PyValue, Vec<PyValue>)> = Vec::new();
    let mut put = |k: PyValue, v: PyValue| {
        if let Some(slot) = args.iter_mut().find(|(key, _)| *key == k) {
            slot.1.push(v);
        } else {
            args.push((k, vec![v]));
        }
    };
    for child in children(node) {
        let kind = child.kind();
        if kind == "assignment_expression" {
            let parts = children(child);
            let (Some(name), Some(value)) = (parts.first(), parts.get(2)) else {
                return Err(DecodeError::syntax("IndexError: malformed assignment"));
            };
            let name = node_text(src, *name);
            let mut value = node_text(src, *value);
            let quoted = (value.starts_with('"') && value.ends_with('"'))
                || (value.starts_with('\'') && value.ends_with('\''));
            if quoted {
                let chars: Vec<char> = value.chars().collect();
                value = if chars.len() >= 2 {
                    chars[1..chars.len() - 1].iter().collect()
                } else {
                    String::new()
                };
            }
            put(PyValue::Str(name), PyValue::Str(value));
        } else if kind == "identifier" || kind == "true" {
            put(PyValue::None, PyValue::Str(node_text(src, child)));
        }
    }
    let mut out = Vec::new();
    for (k, mut values) in args {
        if values.len() > 1 {
            return Err(DecodeError::syntax(
                "Error: Multiple arguments with the same name are not supported.",
            ));
        }
        out.push((k, values.remove(0)));
    }
    Ok(out)
}

/// `parse_javascript_function_call(source)` on already-unwrapped source.
pub fn parse_javascript_call(source: &str) -> Result<Vec<PyCall>, DecodeError> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&tree_sitter_javascript::language())
                .map_err(|e| DecodeError::syntax(format!("tree-sitter-javascript: {e}")))?;
            *slot = Some(p);
        }
        let parser = slot
            .as_mut()
            .ok_or_else(|| DecodeError::syntax("tree-sitter-javascript parser unavailable"))?;
        let tree = parser
            .parse(source, None)
            .ok_or_else(|| DecodeError::syntax("tree-sitter-javascript returned no tree"))?;
        let root = tree.root_node();
        if root.to_sexp().contains("ERROR") {
            return Err(DecodeError::syntax("Error js parsing the source code."));
        }
        let src = source.as_bytes();
        if root.kind() == "program" {
            for child in children(root) {
                if child.kind() != "expression_statement" {
                    continue;
                }
                for sub in children(child) {
                    if sub.kind() != "call_expression" {
                        continue;
                    }
                    let parts = children(sub);
                    let (Some(func), Some(args)) = (parts.first(), parts.get(1)) else {
                        return Err(DecodeError::syntax("IndexError: malformed call"));
                    };
                    let name = node_text(src, *func);
                    let args = extract_arguments(src, *args)?;
                    return Ok(vec![PyCall {
                        name: PyValue::Str(name),
                        args,
                    }]);
                }
            }
        }
        Err(DecodeError::wrong_format(
            "no JavaScript call statement found (decoded to None)",
        ))
    })
}

/// Decodes JavaScript prompt-format output as BFCL's
/// `default_decode_ast_prompting(..., JAVASCRIPT)`.
pub fn decode_javascript(output: &str) -> Result<Vec<PyCall>, DecodeError> {
    let wrapped = super::python::wrap_brackets(output);
    let chars: Vec<char> = wrapped.chars().collect();
    let inner: String = if chars.len() >= 2 {
        chars[1..chars.len() - 1].iter().collect()
    } else {
        String::new()
    };
    parse_javascript_call(&inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_named_arguments() {
        let calls =
            decode_javascript(r#"[validate(input="abc", n=5, list=[1, 2], flag=true)]"#).unwrap();
        let c = &calls[0];
        assert_eq!(c.name, PyValue::str("validate"));
        assert_eq!(c.arg("input"), Some(&PyValue::str("abc")));
        assert_eq!(c.arg("n"), Some(&PyValue::str("5")));
        assert_eq!(c.arg("list"), Some(&PyValue::str("[1, 2]")));
        assert_eq!(c.arg("flag"), Some(&PyValue::str("true")));
    }

    #[test]
    fn failures() {
        assert!(decode_javascript("[f(a=1, a=2)]").is_err());
        assert!(decode_javascript("[f(a=1), g(b=2)]").is_err());
    }
}
