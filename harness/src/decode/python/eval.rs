//! Evaluation of an expression as Python's `eval(ast.unparse(node))` would, which BFCL does
//! for arithmetic argument values (`a=2*3`, `b="x"+"y"`, `c=[0]*3`). Literals, containers,
//! arithmetic, comparisons, boolean logic, conditionals and subscripts follow Python's
//! semantics; names fail (`NameError` in BFCL's empty namespace). Builtin functions, methods,
//! comprehensions and lambdas are not evaluated and fail too (Python would run them).

use super::super::value::{dict_insert, py_eq, PyValue};
use super::super::DecodeError;
use super::ast::{BinOp, CmpOp, Const, Expr, UnOp};

type EResult = Result<PyValue, DecodeError>;

fn fail(msg: impl Into<String>) -> DecodeError {
    DecodeError::syntax(msg.into())
}

fn type_error(op: &str, a: &PyValue, b: &PyValue) -> DecodeError {
    fail(format!(
        "TypeError: unsupported operand type(s) for {op}: '{}' and '{}'",
        a.py_type().name(),
        b.py_type().name()
    ))
}

/// Largest sequence a repetition may build, a stand-in for Python's `MemoryError`.
const MAX_REPEAT: usize = 10_000_000;

pub fn const_value(c: &Const) -> EResult {
    Ok(match c {
        Const::None => PyValue::None,
        Const::Bool(b) => PyValue::Bool(*b),
        Const::Int(i) => PyValue::Int(*i),
        Const::BigInt(s) => return Err(fail(format!("integer literal {s} is too large"))),
        Const::Float(f) => PyValue::Float(*f),
        Const::Imag(f) => PyValue::Complex(0.0, *f),
        Const::Str(s) => PyValue::Str(s.clone()),
        Const::Bytes(b) => PyValue::Bytes(b.clone()),
        Const::Ellipsis => PyValue::Ellipsis,
    })
}

fn int_of(v: &PyValue) -> Option<i128> {
    match v {
        PyValue::Bool(b) => Some(i128::from(*b)),
        PyValue::Int(i) => Some(*i),
        _ => None,
    }
}

fn float_of(v: &PyValue) -> Option<f64> {
    match v {
        PyValue::Bool(b) => Some(f64::from(u8::from(*b))),
        PyValue::Int(i) => Some(*i as f64),
        PyValue::Float(f) => Some(*f),
        _ => None,
    }
}

fn overflow() -> DecodeError {
    fail("integer result too large")
}

/// Python's float `divmod` (sign of the divisor, correctly floored).
fn float_divmod(x: f64, y: f64) -> (f64, f64) {
    let mut m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(y);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(x / y)
    };
    (floordiv, m)
}

fn float_pow(x: f64, y: f64) -> EResult {
    if x == 0.0 && y < 0.0 {
        return Err(fail(
            "ZeroDivisionError: 0.0 cannot be raised to a negative power",
        ));
    }
    if x < 0.0 && y.is_finite() && y.fract() != 0.0 {
        return Err(fail("complex results are not evaluated"));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(fail("OverflowError: (34, 'Numerical result out of range')"));
    }
    Ok(PyValue::Float(r))
}

fn repeat(items: &[PyValue], n: i128) -> Result<Vec<PyValue>, DecodeError> {
    if n <= 0 {
        return Ok(Vec::new());
    }
    let n = usize::try_from(n).map_err(|_| fail("MemoryError"))?;
    if items.len().saturating_mul(n) > MAX_REPEAT {
        return Err(fail("MemoryError"));
    }
    Ok(items
        .iter()
        .cloned()
        .cycle()
        .take(items.len() * n)
        .collect())
}

fn numeric(a: &PyValue, op: BinOp, b: &PyValue) -> Option<EResult> {
    let is_num = |v: &PyValue| matches!(v, PyValue::Bool(_) | PyValue::Int(_) | PyValue::Float(_));
    if !is_num(a) || !is_num(b) {
        return None;
    }
    if let (Some(x), Some(y)) = (int_of(a), int_of(b)) {
        let bools = matches!((a, b), (PyValue::Bool(_), PyValue::Bool(_)));
        let r = match op {
            BinOp::Add => x.checked_add(y).map(PyValue::Int).ok_or_else(overflow),
            BinOp::Sub => x.checked_sub(y).map(PyValue::Int).ok_or_else(overflow),
            BinOp::Mul => x.checked_mul(y).map(PyValue::Int).ok_or_else(overflow),
            BinOp::Div => {
                if y == 0 {
                    Err(fail("ZeroDivisionError: division by zero"))
                } else {
                    Ok(PyValue::Float(x as f64 / y as f64))
                }
            }
            BinOp::FloorDiv | BinOp::Mod => {
                if y == 0 {
                    return Some(Err(fail(
                        "ZeroDivisionError: integer division or modulo by zero",
                    )));
                }
                let mut q = x / y;
                let mut r = x % y;
                if r != 0 && ((r < 0) != (y < 0)) {
                    q -= 1;
                    r += y;
                }
                Ok(PyValue::Int(if op == BinOp::FloorDiv { q } else { r }))
            }
            BinOp::Pow => {
                if y >= 0 {
                    u32::try_from(y)
                        .ok()
                        .and_then(|e| x.checked_pow(e))
                        .map(PyValue::Int)
                        .ok_or_else(overflow)
                } else {
                    float_pow(x as f64, y as f64)
                }
            }
            BinOp::LShift => {
                if y < 0 {
                    Err(fail("ValueError: negative shift count"))
                } else if x == 0 {
                    Ok(PyValue::Int(0))
                } else {
                    u32::try_from(y)
                        .ok()
                        .filter(|s| *s < 127)
                        .and_then(|s| x.checked_mul(1i128 << s))
                        .map(PyValue::Int)
                        .ok_or_else(overflow)
                }
            }
            BinOp::RShift => {
                if y < 0 {
                    Err(fail("ValueError: negative shift count"))
                } else {
                    Ok(PyValue::Int(x >> y.min(127)))
                }
            }
            BinOp::BitAnd if bools => Ok(PyValue::Bool(x & y != 0)),
            BinOp::BitOr if bools => Ok(PyValue::Bool((x | y) != 0)),
            BinOp::BitXor if bools => Ok(PyValue::Bool((x ^ y) != 0)),
            BinOp::BitAnd => Ok(PyValue::Int(x & y)),
            BinOp::BitOr => Ok(PyValue::Int(x | y)),
            BinOp::BitXor => Ok(PyValue::Int(x ^ y)),
            BinOp::MatMul => Err(type_error("@", a, b)),
        };
        return Some(r);
    }
    let (x, y) = (float_of(a)?, float_of(b)?);
    let r = match op {
        BinOp::Add => Ok(PyValue::Float(x + y)),
        BinOp::Sub => Ok(PyValue::Float(x - y)),
        BinOp::Mul => Ok(PyValue::Float(x * y)),
        BinOp::Div => {
            if y == 0.0 {
                Err(fail("ZeroDivisionError: float division by zero"))
            } else {
                Ok(PyValue::Float(x / y))
            }
        }
        BinOp::FloorDiv | BinOp::Mod => {
            if y == 0.0 {
                Err(fail("ZeroDivisionError: float modulo"))
            } else {
                let (q, m) = float_divmod(x, y);
                Ok(PyValue::Float(if op == BinOp::FloorDiv { q } else { m }))
            }
        }
        BinOp::Pow => float_pow(x, y),
        _ => Err(type_error(op_symbol(op), a, b)),
    };
    Some(r)
}

fn op_symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::MatMul => "@",
        BinOp::Div => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "** or pow()",
        BinOp::LShift => "<<",
        BinOp::RShift => ">>",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::BitAnd => "&",
    }
}

/// `a <op> b` with Python semantics.
pub fn binop(a: &PyValue, op: BinOp, b: &PyValue) -> EResult {
    if let Some(r) = numeric(a, op, b) {
        return r;
    }
    use PyValue as V;
    match (a, op, b) {
        (V::Str(x), BinOp::Add, V::Str(y)) => Ok(V::Str(format!("{x}{y}"))),
        (V::Bytes(x), BinOp::Add, V::Bytes(y)) => Ok(V::Bytes([x.as_slice(), y].concat())),
        (V::List(x), BinOp::Add, V::List(y)) => Ok(V::List([x.as_slice(), y].concat())),
        (V::Tuple(x), BinOp::Add, V::Tuple(y)) => Ok(V::Tuple([x.as_slice(), y].concat())),
        (V::Str(_) | V::Bytes(_) | V::List(_) | V::Tuple(_), BinOp::Mul, n)
            if int_of(n).is_some() =>
        {
            seq_repeat(a, int_of(n).unwrap_or(0))
        }
        (n, BinOp::Mul, V::Str(_) | V::Bytes(_) | V::List(_) | V::Tuple(_))
            if int_of(n).is_some() =>
        {
            seq_repeat(b, int_of(n).unwrap_or(0))
        }
        (V::Str(fmt), BinOp::Mod, args) => percent_format(fmt, args),
        (V::Bytes(_), BinOp::Mod, _) => Err(fail("bytes formatting is not evaluated")),
        (V::Set(x), BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, V::Set(y)) => {
            let in_y = |v: &PyValue| y.iter().any(|w| py_eq(v, w));
            let in_x = |v: &PyValue| x.iter().any(|w| py_eq(v, w));
            let items: Vec<PyValue> = match op {
                BinOp::BitOr => x
                    .iter()
                    .chain(y.iter().filter(|v| !in_x(v)))
                    .cloned()
                    .collect(),
                BinOp::BitAnd => x.iter().filter(|v| in_y(v)).cloned().collect(),
                BinOp::Sub => x.iter().filter(|v| !in_y(v)).cloned().collect(),
                _ => x
                    .iter()
                    .filter(|v| !in_y(v))
                    .chain(y.iter().filter(|v| !in_x(v)))
                    .cloned()
                    .collect(),
            };
            Ok(V::Set(items))
        }
        (V::Dict(x), BinOp::BitOr, V::Dict(y)) => {
            let mut d = x.clone();
            for (k, v) in y {
                dict_insert(&mut d, k.clone(), v.clone());
            }
            Ok(V::Dict(d))
        }
        _ => Err(type_error(op_symbol(op), a, b)),
    }
}

/// Python's `str()` for the value kinds `%s` formats.
fn py_str(v: &PyValue) -> String {
    match v {
        PyValue::Str(s) => s.clone(),
        other => super::super::value::repr(other),
    }
}

/// `fmt % args` for `%s`, `%r`, `%d`/`%i`, `%f` and `%%` without flags; other conversions are
/// not evaluated. Errors follow Python's (`not all arguments converted`, ...).
fn percent_format(fmt: &str, args: &PyValue) -> EResult {
    let not_all = || fail("TypeError: not all arguments converted during string formatting");
    // CPython treats any non-tuple argument with `__getitem__` (dict, list, bytes; not str) as
    // a possible mapping, which excuses it from being consumed.
    let mapping_like = matches!(
        args,
        PyValue::Dict(_) | PyValue::List(_) | PyValue::Bytes(_)
    );
    let list: Vec<PyValue> = match args {
        PyValue::Tuple(items) => items.clone(),
        other => vec![other.clone()],
    };
    let mut out = String::new();
    let mut next = list.iter();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let spec = chars
            .next()
            .ok_or_else(|| fail("ValueError: incomplete format"))?;
        if spec == '%' {
            out.push('%');
            continue;
        }
        let arg = next
            .next()
            .ok_or_else(|| fail("TypeError: not enough arguments for format string"))?;
        match spec {
            's' => out.push_str(&py_str(arg)),
            'r' => out.push_str(&super::super::value::repr(arg)),
            'd' | 'i' => match arg {
                PyValue::Bool(_) | PyValue::Int(_) => {
                    out.push_str(&int_of(arg).unwrap_or(0).to_string())
                }
                PyValue::Float(f) if f.is_finite() => {
                    out.push_str(&(f.trunc() as i128).to_string())
                }
                _ => return Err(fail("TypeError: %d format: a real number is required")),
            },
            'f' => match float_of(arg) {
                Some(f) => out.push_str(&format!("{f:.6}")),
                None => return Err(fail("TypeError: must be real number")),
            },
            // `%(key)s`, flags, widths and other conversions are not evaluated.
            _ => return Err(fail(format!("format conversion %{spec} is not evaluated"))),
        }
    }
    if next.next().is_some() && !mapping_like {
        return Err(not_all());
    }
    Ok(PyValue::Str(out))
}

fn seq_repeat(seq: &PyValue, n: i128) -> EResult {
    match seq {
        PyValue::Str(s) => {
            let chars: Vec<PyValue> = s.chars().map(|c| PyValue::Str(c.to_string())).collect();
            let rep = repeat(&chars, n)?;
            Ok(PyValue::Str(
                rep.iter().filter_map(PyValue::as_str).collect::<String>(),
            ))
        }
        PyValue::Bytes(b) => {
            let items: Vec<PyValue> = b.iter().map(|x| PyValue::Int(i128::from(*x))).collect();
            let rep = repeat(&items, n)?;
            Ok(PyValue::Bytes(
                rep.iter().filter_map(int_of).map(|x| x as u8).collect(),
            ))
        }
        PyValue::List(v) => Ok(PyValue::List(repeat(v, n)?)),
        PyValue::Tuple(v) => Ok(PyValue::Tuple(repeat(v, n)?)),
        _ => Err(fail("not a sequence")),
    }
}

/// A unary operator with Python semantics.
pub fn unary(op: UnOp, v: &PyValue) -> EResult {
    match (op, v) {
        (UnOp::Not, v) => Ok(PyValue::Bool(!v.truthy())),
        (UnOp::Neg, PyValue::Float(f)) => Ok(PyValue::Float(-f)),
        (UnOp::Neg, PyValue::Complex(re, im)) => Ok(PyValue::Complex(-re, -im)),
        (UnOp::Pos, PyValue::Float(f)) => Ok(PyValue::Float(*f)),
        (UnOp::Pos, PyValue::Complex(re, im)) => Ok(PyValue::Complex(*re, *im)),
        (op, v) => {
            let Some(i) = int_of(v) else {
                let sym = match op {
                    UnOp::Neg => "-",
                    UnOp::Pos => "+",
                    _ => "~",
                };
                return Err(fail(format!(
                    "TypeError: bad operand type for unary {sym}: '{}'",
                    v.py_type().name()
                )));
            };
            match op {
                UnOp::Neg => i.checked_neg().map(PyValue::Int).ok_or_else(overflow),
                UnOp::Pos => Ok(PyValue::Int(i)),
                _ => Ok(PyValue::Int(!i)),
            }
        }
    }
}

fn ordering(a: &PyValue, b: &PyValue) -> Result<std::cmp::Ordering, DecodeError> {
    use std::cmp::Ordering;
    if let (Some(x), Some(y)) = (int_of(a), int_of(b)) {
        return Ok(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (float_of(a), float_of(b)) {
        return x.partial_cmp(&y).ok_or_else(|| fail("nan comparison"));
    }
    match (a, b) {
        (PyValue::Str(x), PyValue::Str(y)) => Ok(x.cmp(y)),
        (PyValue::Bytes(x), PyValue::Bytes(y)) => Ok(x.cmp(y)),
        (PyValue::List(x), PyValue::List(y)) | (PyValue::Tuple(x), PyValue::Tuple(y)) => {
            for (p, q) in x.iter().zip(y) {
                if !py_eq(p, q) {
                    return ordering(p, q);
                }
            }
            Ok(x.len().cmp(&y.len()))
        }
        _ => {
            let _ = Ordering::Equal;
            Err(fail(format!(
                "TypeError: '<' not supported between instances of '{}' and '{}'",
                a.py_type().name(),
                b.py_type().name()
            )))
        }
    }
}

fn compare(a: &PyValue, op: CmpOp, b: &PyValue) -> Result<bool, DecodeError> {
    use std::cmp::Ordering::*;
    let nan = |v: &PyValue| matches!(v, PyValue::Float(f) if f.is_nan());
    Ok(match op {
        CmpOp::Eq => py_eq(a, b),
        CmpOp::NotEq => !py_eq(a, b),
        CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE => {
            if (nan(a) || nan(b)) && float_of(a).is_some() && float_of(b).is_some() {
                false
            } else {
                let o = ordering(a, b)?;
                match op {
                    CmpOp::Lt => o == Less,
                    CmpOp::LtE => o != Greater,
                    CmpOp::Gt => o == Greater,
                    _ => o != Less,
                }
            }
        }
        CmpOp::In | CmpOp::NotIn => {
            let found = b.contains(a).ok_or_else(|| {
                fail(format!(
                    "TypeError: argument of type '{}' is not iterable",
                    b.py_type().name()
                ))
            })?;
            found == (op == CmpOp::In)
        }
        CmpOp::Is | CmpOp::IsNot => {
            let same = match (a, b) {
                (PyValue::None, PyValue::None) | (PyValue::Ellipsis, PyValue::Ellipsis) => true,
                (PyValue::Bool(x), PyValue::Bool(y)) => x == y,
                _ if a.py_type() != b.py_type() => false,
                _ => return Err(fail("identity comparison is not evaluated")),
            };
            same == (op == CmpOp::Is)
        }
    })
}

fn index_of(len: usize, idx: i128) -> Option<usize> {
    let len_i = len as i128;
    let i = if idx < 0 { idx + len_i } else { idx };
    (0..len_i).contains(&i).then_some(i as usize)
}

fn slice_indices(
    len: usize,
    lo: &PyValue,
    hi: &PyValue,
    step: &PyValue,
) -> Result<Vec<usize>, DecodeError> {
    let opt = |v: &PyValue| -> Result<Option<i128>, DecodeError> {
        match v {
            PyValue::None => Ok(None),
            other => int_of(other)
                .map(Some)
                .ok_or_else(|| fail("TypeError: slice indices must be integers or None")),
        }
    };
    let step = opt(step)?.unwrap_or(1);
    if step == 0 {
        return Err(fail("ValueError: slice step cannot be zero"));
    }
    let n = len as i128;
    let clamp = |v: Option<i128>, default: i128| -> i128 {
        match v {
            None => default,
            Some(x) => {
                let x = if x < 0 { x + n } else { x };
                if step > 0 {
                    x.clamp(0, n)
                } else {
                    x.clamp(-1, n - 1)
                }
            }
        }
    };
    let (start, stop) = if step > 0 {
        (clamp(opt(lo)?, 0), clamp(opt(hi)?, n))
    } else {
        (clamp(opt(lo)?, n - 1), clamp(opt(hi)?, -1))
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    Ok(out)
}

fn subscript(v: &PyValue, key: &Expr) -> EResult {
    if let Expr::Slice(lo, hi, step) = key {
        let get = |e: &Option<Box<Expr>>| -> EResult {
            e.as_ref().map_or(Ok(PyValue::None), |x| eval(x))
        };
        let (lo, hi, step) = (get(lo)?, get(hi)?, get(step)?);
        return match v {
            PyValue::List(items) | PyValue::Tuple(items) => {
                let idx = slice_indices(items.len(), &lo, &hi, &step)?;
                let picked = idx.into_iter().map(|i| items[i].clone()).collect();
                Ok(if matches!(v, PyValue::List(_)) {
                    PyValue::List(picked)
                } else {
                    PyValue::Tuple(picked)
                })
            }
            PyValue::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                let idx = slice_indices(chars.len(), &lo, &hi, &step)?;
                Ok(PyValue::Str(idx.into_iter().map(|i| chars[i]).collect()))
            }
            PyValue::Bytes(b) => {
                let idx = slice_indices(b.len(), &lo, &hi, &step)?;
                Ok(PyValue::Bytes(idx.into_iter().map(|i| b[i]).collect()))
            }
            _ => Err(fail("TypeError: object is not subscriptable")),
        };
    }
    let k = eval(key)?;
    match v {
        PyValue::Dict(_) => {
            if !k.is_hashable() {
                return Err(fail("TypeError: unhashable type"));
            }
            v.dict_get(&k).cloned().ok_or_else(|| fail("KeyError"))
        }
        PyValue::List(items) | PyValue::Tuple(items) => {
            let i = int_of(&k).ok_or_else(|| fail("TypeError: indices must be integers"))?;
            index_of(items.len(), i)
                .map(|i| items[i].clone())
                .ok_or_else(|| fail("IndexError: index out of range"))
        }
        PyValue::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            let i = int_of(&k).ok_or_else(|| fail("TypeError: string indices must be integers"))?;
            index_of(chars.len(), i)
                .map(|i| PyValue::Str(chars[i].to_string()))
                .ok_or_else(|| fail("IndexError: string index out of range"))
        }
        PyValue::Bytes(b) => {
            let i = int_of(&k).ok_or_else(|| fail("TypeError: byte indices must be integers"))?;
            index_of(b.len(), i)
                .map(|i| PyValue::Int(i128::from(b[i])))
                .ok_or_else(|| fail("IndexError: index out of range"))
        }
        _ => Err(fail(format!(
            "TypeError: '{}' object is not subscriptable",
            v.py_type().name()
        ))),
    }
}

/// Elements of an iterable for `*x` unpacking.
fn iterate(v: &PyValue) -> Result<Vec<PyValue>, DecodeError> {
    match v {
        PyValue::List(x) | PyValue::Tuple(x) | PyValue::Set(x) => Ok(x.clone()),
        PyValue::Dict(d) => Ok(d.iter().map(|(k, _)| k.clone()).collect()),
        PyValue::Str(s) => Ok(s.chars().map(|c| PyValue::Str(c.to_string())).collect()),
        PyValue::Bytes(b) => Ok(b.iter().map(|x| PyValue::Int(i128::from(*x))).collect()),
        _ => Err(fail(format!(
            "TypeError: '{}' object is not iterable",
            v.py_type().name()
        ))),
    }
}

fn elements(items: &[Expr]) -> Result<Vec<PyValue>, DecodeError> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Expr::Starred(inner) => out.extend(iterate(&eval(inner)?)?),
            other => out.push(eval(other)?),
        }
    }
    Ok(out)
}

/// Evaluates an expression in an empty namespace.
pub fn eval(e: &Expr) -> EResult {
    match e {
        Expr::Const(c) => const_value(c),
        Expr::Name(n) => Err(fail(format!("NameError: name '{n}' is not defined"))),
        Expr::List(items) => Ok(PyValue::List(elements(items)?)),
        Expr::Tuple(items) => Ok(PyValue::Tuple(elements(items)?)),
        Expr::Set(items) => {
            let mut out: Vec<PyValue> = Vec::new();
            for v in elements(items)? {
                if !v.is_hashable() {
                    return Err(fail("TypeError: unhashable type"));
                }
                if !out.iter().any(|w| py_eq(w, &v)) {
                    out.push(v);
                }
            }
            Ok(PyValue::Set(out))
        }
        Expr::Dict(items) => {
            let mut d = Vec::new();
            for (k, v) in items {
                match k {
                    Some(k) => {
                        let key = eval(k)?;
                        let value = eval(v)?;
                        if !key.is_hashable() {
                            return Err(fail("TypeError: unhashable type"));
                        }
                        dict_insert(&mut d, key, value);
                    }
                    None => match eval(v)? {
                        PyValue::Dict(other) => {
                            for (k, v) in other {
                                dict_insert(&mut d, k, v);
                            }
                        }
                        other => {
                            return Err(fail(format!(
                                "TypeError: '{}' object is not a mapping",
                                other.py_type().name()
                            )))
                        }
                    },
                }
            }
            Ok(PyValue::Dict(d))
        }
        Expr::BinOp(l, op, r) => {
            let a = eval(l)?;
            let b = eval(r)?;
            binop(&a, *op, &b)
        }
        Expr::UnaryOp(op, operand) => unary(*op, &eval(operand)?),
        Expr::BoolOp(is_and, values) => {
            let mut last = PyValue::None;
            for v in values {
                last = eval(v)?;
                if last.truthy() != *is_and {
                    return Ok(last);
                }
            }
            Ok(last)
        }
        Expr::Compare(left, ops) => {
            let mut a = eval(left)?;
            for (op, right) in ops {
                let b = eval(right)?;
                if !compare(&a, *op, &b)? {
                    return Ok(PyValue::Bool(false));
                }
                a = b;
            }
            Ok(PyValue::Bool(true))
        }
        Expr::IfExp { test, body, orelse } => {
            if eval(test)?.truthy() {
                eval(body)
            } else {
                eval(orelse)
            }
        }
        Expr::Subscript(value, key) => subscript(&eval(value)?, key),
        Expr::NamedExpr(_, value) => eval(value),
        other => Err(fail(format!(
            "{} is not evaluated",
            match other {
                Expr::Call { .. } => "a function call",
                Expr::Attribute(..) => "an attribute lookup",
                Expr::Lambda(..) => "a lambda",
                Expr::Comp { .. } => "a comprehension",
                Expr::JoinedStr(_) => "an f-string",
                _ => "this expression",
            }
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::ast::parse_expression;
    use super::*;

    fn ev(s: &str) -> PyValue {
        eval(&parse_expression(s).unwrap()).unwrap()
    }

    #[test]
    fn arithmetic_follows_python() {
        assert!(py_eq(&ev("7 // 2"), &PyValue::Int(3)));
        assert!(py_eq(&ev("-7 // 2"), &PyValue::Int(-4)));
        assert!(py_eq(&ev("-7 % 3"), &PyValue::Int(2)));
        assert!(matches!(ev("10 / 4"), PyValue::Float(f) if f == 2.5));
        assert!(matches!(ev("2 ** 10"), PyValue::Int(1024)));
        assert!(matches!(ev("2 ** -1"), PyValue::Float(f) if f == 0.5));
        assert!(matches!(ev("-7.5 // 2"), PyValue::Float(f) if f == -4.0));
        assert!(matches!(ev("'ab' * 2"), PyValue::Str(s) if s == "abab"));
        assert!(py_eq(
            &ev("[0] * 3"),
            &PyValue::List(vec![PyValue::Int(0); 3])
        ));
        assert!(matches!(ev("True + True"), PyValue::Int(2)));
        assert!(matches!(ev("True & False"), PyValue::Bool(false)));
        assert!(eval(&parse_expression("1 / 0").unwrap()).is_err());
        assert!(eval(&parse_expression("x + 1").unwrap()).is_err());
        assert!(eval(&parse_expression("10.0 ** 400").unwrap()).is_err());
        assert!(matches!(ev("'New York' % {'k': 1}"), PyValue::Str(s) if s == "New York"));
        assert!(matches!(ev("'%s is %d' % ('x', 2.7)"), PyValue::Str(s) if s == "x is 2"));
        assert!(eval(&parse_expression("'abc' % 1").unwrap()).is_err());
        assert!(matches!(ev("'abc' % ()"), PyValue::Str(s) if s == "abc"));
        assert!(matches!(ev("'abc' % [1]"), PyValue::Str(s) if s == "abc"));
        assert!(matches!(ev("'%s' % {'a': 1}"), PyValue::Str(s) if s == "{'a': 1}"));
        assert!(eval(&parse_expression("'%s %s' % [1]").unwrap()).is_err());
    }
}
