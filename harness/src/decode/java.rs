//! BFCL's Java prompt-format decoder (`parse_java_function_call`): the bracket-wrapped text
//! minus its outer characters is parsed with tree-sitter-java 0.21.0 (the grammar bfcl-eval
//! pins); any `ERROR` node fails; the first method invocation in document order is the one call,
//! its name `object.name`, its arguments the `name = value` assignments (values as source
//! text, a top-level string or char literal without its quotes) plus bare identifiers under
//! the `None` key. A repeated argument name fails; no invocation at all is a wrong format.
//!
//! BFCL slices the Python string with tree-sitter's byte offsets, so non-ASCII text shifts
//! the slices; that is reproduced.

use std::cell::RefCell;

use tree_sitter::{Node, Parser};

use super::value::PyValue;
use super::{DecodeError, PyCall};

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses `source` with tree-sitter-java, returning whether the tree is error-free (by BFCL's
/// test: no `ERROR` in its S-expression) and calling `f` on the root.
fn with_tree<T>(source: &str, f: impl FnOnce(Node<'_>) -> T) -> Result<T, DecodeError> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&tree_sitter_java::language())
                .map_err(|e| DecodeError::syntax(format!("tree-sitter-java: {e}")))?;
            *slot = Some(p);
        }
        let parser = slot
            .as_mut()
            .ok_or_else(|| DecodeError::syntax("tree-sitter-java parser unavailable"))?;
        let tree = parser
            .parse(source, None)
            .ok_or_else(|| DecodeError::syntax("tree-sitter-java returned no tree"))?;
        let root = tree.root_node();
        if root.to_sexp().contains("ERROR") {
            return Err(DecodeError::syntax("Error parsing java the source code."));
        }
        Ok(f(root))
    })
}

/// `source_code[node.start_byte:node.end_byte]` on a Python `str` (byte offsets used as
/// character indices, clamped like a slice).
struct Text {
    chars: Vec<char>,
}

impl Text {
    fn get(&self, node: Node<'_>) -> String {
        let n = self.chars.len();
        let start = node.start_byte().min(n);
        let end = node.end_byte().min(n);
        if start >= end {
            return String::new();
        }
        self.chars[start..end].iter().collect()
    }
}

fn strip_ends(s: &str) -> String {
    // Python `s[1:-1]`.
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 2 {
        return String::new();
    }
    chars[1..chars.len() - 1].iter().collect()
}

fn children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

/// `traverse_node`; `Err` where BFCL's would raise (an array creation without initializer).
fn traverse_node(text: &Text, node: Option<Node<'_>>, nested: bool) -> Result<String, DecodeError> {
    let Some(node) = node else {
        return Err(DecodeError::syntax(
            "AttributeError: 'NoneType' object has no attribute 'type'",
        ));
    };
    let kind = node.kind();
    if kind == "string_literal" || kind == "character_literal" {
        let t = text.get(node);
        return Ok(if nested { t } else { strip_ends(&t) });
    }
    if matches!(
        kind,
        "identifier" | "class_literal" | "type_identifier" | "method_invocation"
    ) {
        return Ok(text.get(node));
    }
    if kind == "array_creation_expression" {
        let t = traverse_node(text, node.child_by_field_name("type"), true)?;
        let v = traverse_node(text, node.child_by_field_name("value"), true)?;
        return Ok(format!("new {t}[]{v}"));
    }
    if kind == "object_creation_expression" {
        let t = traverse_node(text, node.child_by_field_name("type"), true)?;
        return match node.child_by_field_name("arguments") {
            Some(args) => {
                let mut parts = Vec::new();
                for child in children(args) {
                    if !matches!(child.kind(), "," | "(" | ")") {
                        parts.push(traverse_node(text, Some(child), true)?);
                    }
                }
                Ok(format!("new {t}({})", parts.join(", ")))
            }
            None => Ok(format!("new {t}()")),
        };
    }
    if kind == "set" {
        let mut items = Vec::new();
        for child in children(node) {
            if !matches!(child.kind(), "," | "set") {
                items.push(traverse_node(text, Some(child), true)?);
            }
        }
        return Ok(format!("{{{}}}", items.join(", ")));
    }
    if node.child_count() > 0 {
        let mut out = String::new();
        for child in children(node) {
            out.push_str(&traverse_node(text, Some(child), true)?);
        }
        return Ok(out);
    }
    Ok(text.get(node))
}

fn put(args: &mut Vec<(PyValue, Vec<PyValue>)>, key: PyValue, value: PyValue) {
    if let Some(slot) = args.iter_mut().find(|(k, _)| *k == key) {
        slot.1.push(value);
    } else {
        args.push((key, vec![value]));
    }
}

fn extract_arguments(text: &Text, args_node: Node<'_>) -> Result<PyCallArgs, DecodeError> {
    let mut args: Vec<(PyValue, Vec<PyValue>)> = Vec::new();
    for child in children(args_node) {
        let kind = child.kind();
        if kind == "assignment_expression" {
            let parts = children(child);
            let (Some(name_node), Some(value_node)) = (parts.first(), parts.get(2)) else {
                return Err(DecodeError::syntax("IndexError: malformed assignment"));
            };
            let name = text.get(*name_node);
            let value = traverse_node(text, Some(*value_node), false)?;
            put(&mut args, PyValue::Str(name), PyValue::Str(value));
        } else if matches!(kind, "identifier" | "class_literal" | "set") {
            let value = traverse_node(text, Some(child), false)?;
            put(&mut args, PyValue::None, PyValue::Str(value));
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

type PyCallArgs = Vec<(PyValue, PyValue)>;

fn traverse(text: &Text, node: Node<'_>) -> Result<Option<PyCall>, DecodeError> {
    if node.kind() == "method_invocation" {
        let name = node
            .child_by_field_name("name")
            .map(|n| text.get(n))
            .unwrap_or_default();
        let function_name = match node.child_by_field_name("object") {
            Some(obj) => format!("{}.{}", text.get(obj), name),
            None => name,
        };
        if let Some(args_node) = node.child_by_field_name("arguments") {
            let args = extract_arguments(text, args_node)?;
            return Ok(Some(PyCall {
                name: PyValue::Str(function_name),
                args,
            }));
        }
        return Ok(None);
    }
    for child in children(node) {
        if let Some(call) = traverse(text, child)? {
            return Ok(Some(call));
        }
    }
    Ok(None)
}

/// `parse_java_function_call(source)` on already-unwrapped source.
pub fn parse_java_call(source: &str) -> Result<Vec<PyCall>, DecodeError> {
    let text = Text {
        chars: source.chars().collect(),
    };
    let found = with_tree(source, |root| traverse(&text, root))??;
    match found {
        Some(call) => Ok(vec![call]),
        None => Err(DecodeError::wrong_format(
            "no Java method invocation found (decoded to {})",
        )),
    }
}

/// Decodes Java prompt-format output as BFCL's `default_decode_ast_prompting(..., JAVA)`.
pub fn decode_java(output: &str) -> Result<Vec<PyCall>, DecodeError> {
    let wrapped = super::python::wrap_brackets(output);
    parse_java_call(&strip_ends(&wrapped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_named_arguments() {
        let calls = decode_java(r#"[Foo.bar(a="x", b=5L, c=new int[]{1, 2}, d=obj)]"#).unwrap();
        let c = &calls[0];
        assert_eq!(c.name, PyValue::str("Foo.bar"));
        assert_eq!(c.arg("a"), Some(&PyValue::str("x")));
        assert_eq!(c.arg("b"), Some(&PyValue::str("5L")));
        assert_eq!(c.arg("c"), Some(&PyValue::str("new int[]{1,2}")));
        assert_eq!(c.arg("d"), Some(&PyValue::str("obj")));
    }

    #[test]
    fn failures() {
        assert!(decode_java("[foo(a=1, a=2)]").is_err());
        assert!(decode_java("[foo(a, b)]").is_err());
        assert_eq!(
            decode_java("int x = 5;").unwrap_err().kind,
            super::super::DecodeErrorKind::WrongFormat
        );
        assert!(decode_java("[foo(a=new int[3])]").is_err());
    }
}
