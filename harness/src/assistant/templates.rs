//! Phrasing templates: parsing the catalogue's phrasing syntax, rendering one call's phrase with
//! fresh values, and the wrappers and joiners that turn phrases into queries.
//!
//! Wrappers ("can you … ?", "hey, …") and joiners (" and ", ". Also ") are shared by every split;
//! what the train/eval split keeps apart is the tool phrasings themselves and the values.

use serde_json::{Map, Number, Value};

use super::catalogue::{EnumSpec, ParamSpec, ParamType, ToolSpec};
use super::rng::Rng;
use super::values::{decimal_text, int_on_side, Side};
use super::AssistantError;

/// How a slot turns its parameter into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotForm<'a> {
    /// The value itself (enum literal, number digits, string).
    Plain,
    /// An enum value through the named synonym form.
    Form(&'a str),
    /// A boolean spelled `yes` for true and `no` for false.
    Bool { yes: &'a str, no: &'a str },
    /// A boolean the wording implies; renders no text.
    Fixed(bool),
}

/// One piece of a parsed phrasing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    Lit(&'a str),
    Slot { param: &'a str, form: SlotForm<'a> },
}

/// How a phrasing may be wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mood {
    /// Verb-first request: takes any wrapper.
    Imperative,
    /// Ends in `?`: only a bare greeting prefix.
    Question,
    /// Marked `^`: a statement or fragment; only a bare prefix and optional full stop.
    Statement,
}

/// A phrasing split into its mood and tokens.
#[derive(Debug, Clone)]
pub struct Parsed<'a> {
    pub mood: Mood,
    pub tokens: Vec<Token<'a>>,
}

/// Parses one phrasing; errors name the problem, the caller adds the tool.
pub fn parse(template: &str) -> Result<Parsed<'_>, String> {
    let (statement, body) = match template.strip_prefix('^') {
        Some(rest) => (true, rest),
        None => (false, template),
    };
    let mut tokens = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            tokens.push(Token::Lit(&rest[..open]));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed '{{' in {template:?}"))?;
        tokens.push(parse_slot(&after[..close]).map_err(|e| format!("{e} in {template:?}"))?);
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("stray '}}' in {template:?}"));
    }
    if !rest.is_empty() {
        tokens.push(Token::Lit(rest));
    }
    let ends_with_question = tokens
        .iter()
        .rev()
        .find_map(|t| match t {
            Token::Lit(s) => Some(s.ends_with('?')),
            Token::Slot {
                form: SlotForm::Fixed(_),
                ..
            } => None,
            Token::Slot { .. } => Some(false),
        })
        .unwrap_or(false);
    let mood = match (statement, ends_with_question) {
        (_, true) => Mood::Question,
        (true, false) => Mood::Statement,
        (false, false) => Mood::Imperative,
    };
    Ok(Parsed { mood, tokens })
}

fn parse_slot(inner: &str) -> Result<Token<'_>, String> {
    let bad = |what: &str| format!("{what} in slot {{{inner}}}");
    if let Some((param, value)) = inner.split_once('=') {
        let v = match value {
            "true" => true,
            "false" => false,
            _ => return Err(bad("fixed value must be true or false")),
        };
        return Ok(Token::Slot {
            param,
            form: SlotForm::Fixed(v),
        });
    }
    if let Some((param, words)) = inner.split_once(':') {
        let (yes, no) = words
            .split_once('|')
            .ok_or_else(|| bad("boolean words need 'yes|no'"))?;
        return Ok(Token::Slot {
            param,
            form: SlotForm::Bool { yes, no },
        });
    }
    if let Some((param, form)) = inner.split_once('@') {
        return Ok(Token::Slot {
            param,
            form: SlotForm::Form(form),
        });
    }
    if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(bad("bad parameter name"));
    }
    Ok(Token::Slot {
        param: inner,
        form: SlotForm::Plain,
    })
}

/// Checks a tool's phrasings against its parameters: every slot names a parameter with a form
/// its type supports, no parameter twice, every required parameter present, every parameter
/// an eval phrasing uses also trained by some train phrasing, and (for trained tools) no train
/// phrasing that is an eval phrasing of this or any catalogue tool in other words' clothing
/// ([`check_no_eval_leak`]).
pub fn validate_tool(tool: &ToolSpec) -> Result<(), AssistantError> {
    let err = |msg: String| AssistantError::Catalogue(format!("tool {}: {msg}", tool.name));
    if tool.phrasings.is_empty() || tool.eval_phrasings.is_empty() {
        return Err(err("needs train and eval phrasings".into()));
    }
    let mut trained: Vec<&str> = Vec::new();
    for (is_eval, template) in tool
        .phrasings
        .iter()
        .map(|t| (false, t))
        .chain(tool.eval_phrasings.iter().map(|t| (true, t)))
    {
        let parsed = parse(template).map_err(err)?;
        let mut seen: Vec<&str> = Vec::new();
        for tok in &parsed.tokens {
            let Token::Slot { param, form } = tok else {
                continue;
            };
            let spec = tool
                .param(param)
                .ok_or_else(|| err(format!("unknown parameter {param:?} in {template:?}")))?;
            if seen.contains(param) {
                return Err(err(format!("{param:?} twice in {template:?}")));
            }
            seen.push(param);
            let ok = match (form, &spec.ty) {
                (SlotForm::Bool { .. } | SlotForm::Fixed(_), ParamType::Bool) => true,
                (SlotForm::Plain, ParamType::Bool) => false,
                (SlotForm::Plain, _) => true,
                (SlotForm::Form(f), ParamType::Enum(e))
                | (SlotForm::Form(f), ParamType::EnumList { spec: e, .. }) => e.form(f).is_some(),
                _ => false,
            };
            if !ok {
                return Err(err(format!("slot form {form:?} does not fit {param:?}")));
            }
            if is_eval && !tool.heldout && !trained.contains(param) {
                return Err(err(format!(
                    "eval phrasing {template:?} uses {param:?}, which no train phrasing teaches"
                )));
            }
        }
        for p in tool.params.iter().filter(|p| p.required) {
            if !seen.contains(&p.name) {
                return Err(err(format!("{template:?} lacks required {:?}", p.name)));
            }
        }
        if !is_eval {
            trained.extend(seen);
        }
    }
    if !tool.heldout {
        let evals = tool.eval_phrasings.iter().chain(
            super::catalogue::TOOLS
                .iter()
                .flat_map(|t| t.eval_phrasings),
        );
        check_no_eval_leak(tool.phrasings, evals).map_err(err)?;
    }
    Ok(())
}

/// The words of a phrasing with its slots, punctuation and articles removed, lower-cased:
/// "Shoot {recipient} a text, saying {message}!" → `shoot text saying`. Two phrasings with the
/// same words differ only in slot names, articles or punctuation.
pub fn phrasing_words(template: &str) -> Vec<String> {
    let body = template.strip_prefix('^').unwrap_or(template);
    let mut text = String::with_capacity(body.len());
    let mut in_slot = false;
    for c in body.chars() {
        match c {
            '{' => {
                in_slot = true;
                text.push(' ');
            }
            '}' => in_slot = false,
            _ if in_slot => {}
            c if c.is_alphanumeric() => text.extend(c.to_lowercase()),
            // "don't" and "dont" are the same word; other punctuation separates words.
            '\'' => {}
            _ => text.push(' '),
        }
    }
    text.split_whitespace()
        .filter(|w| !matches!(*w, "a" | "an" | "the"))
        .map(str::to_string)
        .collect()
}

/// Rejects a train phrasing whose words (see [`phrasing_words`]) equal those of an eval
/// phrasing: such a pair would leak the held-out sentence shape into `train`.
pub fn check_no_eval_leak<'a>(
    train: &[&str],
    evals: impl IntoIterator<Item = &'a &'a str>,
) -> Result<(), String> {
    let evals: Vec<(&str, Vec<String>)> =
        evals.into_iter().map(|e| (*e, phrasing_words(e))).collect();
    for t in train {
        let words = phrasing_words(t);
        if let Some((e, _)) = evals.iter().find(|(_, w)| *w == words) {
            return Err(format!(
                "train phrasing {t:?} is eval phrasing {e:?} with only slots, articles or \
                 punctuation changed"
            ));
        }
    }
    Ok(())
}

/// One call rendered from one phrasing.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The phrase, without wrapper (and without the `^` marker).
    pub text: String,
    /// Arguments in the tool's parameter order.
    pub arguments: Map<String, Value>,
    pub mood: Mood,
    /// Ends in free text or a list, so nothing may follow it but the end of the query.
    pub open_end: bool,
    /// Begins with a copied value, whose case must not be changed.
    pub starts_with_value: bool,
}

/// Renders `template` of `tool` with fresh values from `side`.
pub fn render(
    tool: &ToolSpec,
    template: &str,
    side: Side,
    rng: &mut Rng,
) -> Result<Rendered, AssistantError> {
    let parsed = parse(template)
        .map_err(|e| AssistantError::Catalogue(format!("tool {}: {e}", tool.name)))?;
    let mut text = String::new();
    let mut args: Vec<(&str, Value)> = Vec::new();
    // Distinct values within one call: a flight from Oslo to Oslo, or EUR to EUR, is nonsense.
    let mut used: Vec<String> = Vec::new();
    let mut open_end = false;
    let mut starts_with_value = false;
    for (i, tok) in parsed.tokens.iter().enumerate() {
        match tok {
            Token::Lit(s) => {
                text.push_str(s);
                open_end = false;
            }
            Token::Slot { param, form } => {
                let spec = tool.param(param).ok_or_else(|| {
                    AssistantError::Catalogue(format!(
                        "tool {}: unknown parameter {param:?}",
                        tool.name
                    ))
                })?;
                let (surface, value) = slot_value(tool, spec, form, side, rng, &mut used)?;
                if i == 0 && !matches!(form, SlotForm::Bool { .. } | SlotForm::Fixed(_)) {
                    starts_with_value = true;
                }
                if !matches!(form, SlotForm::Fixed(_)) {
                    open_end = match &spec.ty {
                        ParamType::Str(k) => k.is_open_ended(),
                        ParamType::StrList { .. } | ParamType::EnumList { .. } => true,
                        _ => false,
                    };
                }
                text.push_str(&surface);
                args.push((spec.name, value));
            }
        }
    }
    let mut arguments = Map::new();
    for p in tool.params {
        if let Some((_, v)) = args.iter().find(|(n, _)| *n == p.name) {
            arguments.insert(p.name.to_string(), v.clone());
        }
    }
    Ok(Rendered {
        text,
        arguments,
        mood: parsed.mood,
        open_end,
        starts_with_value,
    })
}

/// A fresh value for one slot: its text in the query and its JSON in the answer.
fn slot_value(
    tool: &ToolSpec,
    spec: &ParamSpec,
    form: &SlotForm<'_>,
    side: Side,
    rng: &mut Rng,
    used: &mut Vec<String>,
) -> Result<(String, Value), AssistantError> {
    let internal = |msg: &str| {
        AssistantError::Catalogue(format!("tool {} parameter {}: {msg}", tool.name, spec.name))
    };
    match (&spec.ty, form) {
        (ParamType::Bool, SlotForm::Fixed(v)) => Ok((String::new(), Value::Bool(*v))),
        (ParamType::Bool, SlotForm::Bool { yes, no }) => {
            let v = rng.chance(1, 2);
            Ok(((if v { *yes } else { *no }).to_string(), Value::Bool(v)))
        }
        (ParamType::Str(kind), SlotForm::Plain) => {
            let s = distinct(used, rng, |r| kind.generate(side, r));
            Ok((s.clone(), Value::String(s)))
        }
        (ParamType::Int { min, max }, SlotForm::Plain) => {
            let v = int_on_side(*min, *max, side, rng)
                .ok_or_else(|| internal("range has no value on this side"))?;
            Ok((v.to_string(), Value::from(v)))
        }
        (
            ParamType::Num {
                min,
                max,
                scale,
                step,
            },
            SlotForm::Plain,
        ) => {
            let (text, value) = number(*min, *max, *scale, *step, side, rng)
                .ok_or_else(|| internal("range has no value on this side"))?;
            Ok((text, value))
        }
        (ParamType::Enum(e), SlotForm::Plain | SlotForm::Form(_)) => {
            let surfaces = enum_surfaces(e, form);
            let i = distinct_index(used, rng, e.values);
            Ok((
                surfaces[i].to_string(),
                Value::String(e.values[i].to_string()),
            ))
        }
        (ParamType::StrList { kind, min, max }, SlotForm::Plain) => {
            let n = rng.range(*min as i64, *max as i64) as usize;
            let mut items: Vec<String> = Vec::with_capacity(n);
            for _ in 0..n {
                // "Lina and Lina Cohen" in one list reads as a mistake; keep first words apart.
                let mut v = kind.generate(side, rng);
                for _ in 0..50 {
                    let first = v.split(' ').next().unwrap_or_default();
                    let clash = used.contains(&v)
                        || items
                            .iter()
                            .any(|i| i.split(' ').next().unwrap_or_default() == first);
                    if !clash {
                        break;
                    }
                    v = kind.generate(side, rng);
                }
                used.push(v.clone());
                items.push(v);
            }
            let text = join_list(&items);
            Ok((
                text,
                Value::Array(items.into_iter().map(Value::String).collect()),
            ))
        }
        (ParamType::EnumList { spec: e, min, max }, SlotForm::Plain | SlotForm::Form(_)) => {
            let surfaces = enum_surfaces(e, form);
            let n = (rng.range(*min as i64, *max as i64) as usize).min(e.values.len());
            let mut idx: Vec<usize> = (0..e.values.len()).collect();
            rng.shuffle(&mut idx);
            idx.truncate(n);
            // Listed in the enum's own order (Monday before Friday), as people say them.
            idx.sort_unstable();
            let text = join_list(&idx.iter().map(|&i| surfaces[i]).collect::<Vec<_>>());
            let value = Value::Array(
                idx.iter()
                    .map(|&i| Value::String(e.values[i].to_string()))
                    .collect(),
            );
            Ok((text, value))
        }
        _ => Err(internal(&format!(
            "slot form {form:?} does not fit the type"
        ))),
    }
}

fn enum_surfaces(e: &EnumSpec, form: &SlotForm<'_>) -> &'static [&'static str] {
    match form {
        SlotForm::Form(f) => e.form(f).unwrap_or(e.values),
        _ => e.values,
    }
}

/// Draws until the value differs from those already in the call (bounded; pools are large).
fn distinct(
    used: &mut Vec<String>,
    rng: &mut Rng,
    mut make: impl FnMut(&mut Rng) -> String,
) -> String {
    let mut v = make(rng);
    for _ in 0..50 {
        if !used.contains(&v) {
            break;
        }
        v = make(rng);
    }
    used.push(v.clone());
    v
}

fn distinct_index(used: &mut Vec<String>, rng: &mut Rng, values: &[&str]) -> usize {
    let free: Vec<usize> = (0..values.len())
        .filter(|&i| !used.iter().any(|u| u == values[i]))
        .collect();
    let i = if free.is_empty() {
        rng.below(values.len())
    } else {
        free[rng.below(free.len())]
    };
    used.push(values[i].to_string());
    i
}

/// A decimal with `units` in `min..=max`, a multiple of `step`, on `side`. Only whole numbers
/// or full precision are produced ("12" or "12.75", never "12.5" for cents), so the text a
/// user types and the JSON number serde writes are the same characters.
fn number(
    min: i64,
    max: i64,
    scale: i64,
    step: i64,
    side: Side,
    rng: &mut Rng,
) -> Option<(String, Value)> {
    let digits = scale.to_string().len() - 1;
    let step = step.max(1);
    let lo = (min + step - 1) / step;
    let hi = max / step;
    if hi < lo {
        return None;
    }
    for _ in 0..2000 {
        let units = rng.range(lo, hi) * step;
        let text = decimal_text(units, scale);
        let frac_len = text.split_once('.').map_or(0, |(_, f)| f.len());
        if frac_len != 0 && frac_len != digits {
            continue;
        }
        if super::values::side_of_key(&text) != side {
            continue;
        }
        let value = if frac_len == 0 {
            Value::from(units / scale)
        } else {
            Value::Number(Number::from_f64(text.parse::<f64>().ok()?)?)
        };
        return Some((text, value));
    }
    None
}

/// "a", "a and b", "a, b and c".
pub fn join_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let head: Vec<&str> = init.iter().map(|s| s.as_ref()).collect();
            format!("{} and {}", head.join(", "), last.as_ref())
        }
    }
}

/// `(prefix, suffix)` for verb-first requests. Suffixes are punctuation only, so a query that
/// ends in free text never has words appended that could be read as part of it.
pub const IMPERATIVE_WRAPPERS: &[(&str, &str)] = &[
    ("", ""),
    ("", "."),
    ("", "!"),
    ("please ", ""),
    ("please ", "."),
    ("can you ", "?"),
    ("could you ", "?"),
    ("can you please ", "?"),
    ("would you ", "?"),
    ("hey, ", ""),
    ("hey, ", "."),
    ("ok, ", ""),
    ("I need you to ", "."),
    ("I'd like you to ", "."),
    ("go ahead and ", ""),
    ("quickly ", ""),
    ("hey assistant, ", ""),
];

/// Prefixes for questions and statements.
pub const BARE_PREFIXES: &[&str] = &["", "", "hey, ", "ok, ", "hi, ", "so ", "quick one: "];

/// Between the phrases of a parallel request.
pub const JOINERS: &[&str] = &[
    " and ",
    ", and ",
    ", then ",
    " and then ",
    ". Also ",
    "; also ",
    ", also ",
];

/// A single phrase with a wrapper drawn for its mood.
pub fn wrap_single(r: &Rendered, rng: &mut Rng) -> String {
    let (prefix, suffix) = match r.mood {
        Mood::Imperative => *rng.pick(IMPERATIVE_WRAPPERS),
        Mood::Question => (*rng.pick(BARE_PREFIXES), ""),
        Mood::Statement => (*rng.pick(BARE_PREFIXES), *rng.pick(&["", "."])),
    };
    finish(prefix, &r.text, suffix, r.starts_with_value)
}

/// Several phrases joined into one request; `parts` are already in their final order.
pub fn wrap_parallel(parts: &[Rendered], rng: &mut Rng) -> String {
    let mut body = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            body.push_str(rng.pick::<&str>(JOINERS));
        }
        // Inner questions lose their mark; the request as a whole is punctuated at the end.
        body.push_str(p.text.strip_suffix('?').unwrap_or(&p.text));
    }
    let first_imperative = parts.first().is_some_and(|p| p.mood == Mood::Imperative);
    let last_question = parts.last().is_some_and(|p| p.mood == Mood::Question);
    let prefix = if first_imperative && rng.chance(1, 4) {
        "please "
    } else {
        *rng.pick(BARE_PREFIXES)
    };
    let suffix = if last_question {
        "?"
    } else {
        *rng.pick(&["", "."])
    };
    let starts_with_value = parts.first().is_some_and(|p| p.starts_with_value);
    finish(prefix, &body, suffix, starts_with_value)
}

/// Joins prefix, body and suffix, capitalising the first letter unless it belongs to a value.
pub fn finish(prefix: &str, body: &str, suffix: &str, starts_with_value: bool) -> String {
    let mut out = String::with_capacity(prefix.len() + body.len() + suffix.len());
    out.push_str(prefix);
    out.push_str(body);
    out.push_str(suffix);
    if !prefix.is_empty() || !starts_with_value {
        if let Some(c) = out.chars().next() {
            if c.is_ascii_lowercase() {
                out.replace_range(..1, &c.to_ascii_uppercase().to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::catalogue::ParamSpec;
    use crate::assistant::values::ValueKind;

    const TIME: &[ParamSpec] = &[ParamSpec {
        name: "time",
        description: "Alarm time",
        ty: ParamType::Str(ValueKind::Time),
        required: true,
    }];

    fn alarm_tool(
        phrasings: &'static [&'static str],
        eval_phrasings: &'static [&'static str],
    ) -> ToolSpec {
        ToolSpec {
            name: "test_alarm",
            category: "alarms",
            description: "A test tool.",
            params: TIME,
            phrasings,
            eval_phrasings,
            heldout: false,
            conflicts: &[],
        }
    }

    #[test]
    fn phrasing_words_drop_slots_articles_and_punctuation() {
        assert_eq!(
            phrasing_words("^Shoot {recipient} a text, saying \"{message}\"!"),
            ["shoot", "text", "saying"]
        );
        assert_eq!(
            phrasing_words("don't wake me at {time:on|off}?"),
            ["dont", "wake", "me", "at"]
        );
        assert_eq!(phrasing_words("{app@cap} {contact}"), Vec::<String>::new());
    }

    #[test]
    fn assistant_eval_leak_check_rejects_a_disguised_eval_phrasing() {
        // An eval phrasing of another catalogue tool ("erase my {time} alarm", delete_alarm's)
        // with its mood marker, case and punctuation changed.
        let leaky = alarm_tool(
            &["delete my {time} alarm", "^Erase my {time} alarm!"],
            &["zap my {time} alarm"],
        );
        let e = validate_tool(&leaky).unwrap_err().to_string();
        assert!(e.contains("Erase my {time} alarm!"), "{e}");
        assert!(e.contains("erase my {time} alarm"), "{e}");

        // The tool's own eval phrasing with a slot renamed is caught too.
        let own = alarm_tool(&["zap an alarm at {time}"], &["zap alarm at {time}"]);
        assert!(check_no_eval_leak(own.phrasings, own.eval_phrasings).is_err());
        assert!(validate_tool(&own).is_err());

        // A genuinely different sentence passes.
        let fine = alarm_tool(
            &["get rid of the alarm at {time}"],
            &["zap my {time} alarm"],
        );
        validate_tool(&fine).expect("distinct phrasings are fine");
    }

    #[test]
    fn assistant_catalogue_has_no_leaky_train_phrasing() {
        for t in crate::assistant::catalogue::TOOLS {
            validate_tool(t).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
