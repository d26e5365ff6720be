//! Robustness transforms: rewrite a suite so that a correct answer stays correct while the
//! surface the model sees changes — tool order, schema key order, extra tools, parameter names,
//! query noise, missing descriptions. `thimble run --transform T` scores each transformed copy
//! next to the untransformed run, paired by example id.
//!
//! Every transform is deterministic for a seed: each example draws from its own ChaCha8 stream
//! seeded by sha256(seed, transform, example id), so a transformed example does not depend on
//! which other examples were loaded (shards and `--limit` see the same rewrite).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::suite::{Dialect, Example, Expected, Suite};

/// One robustness transform, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// `shuffle-tools`: the offered tools in a random order.
    ShuffleTools,
    /// `shuffle-keys`: every object of every tool document with its keys in a random order
    /// (Needle's README example once broke on key order).
    ShuffleKeys,
    /// `distractors[:N]` (default 3): N tools of other examples added at random positions;
    /// examples whose answer is "no call" are left alone, since an added tool might serve them.
    Distractors(usize),
    /// `synonyms`: parameters renamed to synonyms, in the schema and the expected answer alike.
    Synonyms,
    /// `noise`: case flips and swapped letters in query words that no expected value contains.
    Noise,
    /// `no-descriptions`: every `description` keyword removed from the tool documents.
    NoDescriptions,
}

/// Every transform with its default parameters, in the order `--transform all` runs them.
pub const ALL: &[Transform] = &[
    Transform::ShuffleTools,
    Transform::ShuffleKeys,
    Transform::Distractors(3),
    Transform::Synonyms,
    Transform::Noise,
    Transform::NoDescriptions,
];

const NAMES: &str =
    "shuffle-tools, shuffle-keys, distractors[:N], synonyms, noise, no-descriptions, all";

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transform::ShuffleTools => f.write_str("shuffle-tools"),
            Transform::ShuffleKeys => f.write_str("shuffle-keys"),
            Transform::Distractors(n) => write!(f, "distractors:{n}"),
            Transform::Synonyms => f.write_str("synonyms"),
            Transform::Noise => f.write_str("noise"),
            Transform::NoDescriptions => f.write_str("no-descriptions"),
        }
    }
}

impl FromStr for Transform {
    type Err = String;

    fn from_str(s: &str) -> Result<Transform, String> {
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (s, None),
        };
        let t = match name {
            "shuffle-tools" => Transform::ShuffleTools,
            "shuffle-keys" => Transform::ShuffleKeys,
            "distractors" => {
                let n = match arg {
                    None => 3,
                    Some(a) => match a.parse::<usize>() {
                        Ok(n) if (1..=32).contains(&n) => n,
                        _ => {
                            return Err(format!(
                                "distractors takes a count from 1 to 32, got {a:?}"
                            ))
                        }
                    },
                };
                return Ok(Transform::Distractors(n));
            }
            "synonyms" => Transform::Synonyms,
            "noise" => Transform::Noise,
            "no-descriptions" => Transform::NoDescriptions,
            _ => return Err(format!("unknown transform {s:?}; expected one of {NAMES}")),
        };
        match arg {
            Some(a) => Err(format!("transform {name} takes no argument, got {a:?}")),
            None => Ok(t),
        }
    }
}

/// Parses `--transform` values: a comma-separated list, `all` for every transform.
pub fn parse_list(spec: &str) -> Result<Vec<Transform>, String> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part == "all" {
            out.extend_from_slice(ALL);
        } else {
            out.push(part.parse()?);
        }
    }
    if out.is_empty() {
        return Err(format!("no transform given; expected one of {NAMES}"));
    }
    out.dedup();
    Ok(out)
}

impl Transform {
    /// A transformed copy of `suite`, named `<suite>+<transform>`.
    pub fn apply(&self, suite: &Suite, seed: u64) -> Suite {
        let pool = tool_pool(suite);
        let examples = suite
            .examples
            .iter()
            .map(|ex| {
                let mut rng = self.rng(seed, &ex.id);
                let mut ex = ex.clone();
                match self {
                    Transform::ShuffleTools => ex.tools.shuffle(&mut rng),
                    Transform::ShuffleKeys => {
                        for t in &mut ex.tools {
                            shuffle_keys(t, &mut rng);
                        }
                    }
                    Transform::Distractors(n) => add_distractors(&mut ex, &pool, *n, &mut rng),
                    Transform::Synonyms => rename_parameters(&mut ex),
                    Transform::Noise => add_noise(&mut ex, &mut rng),
                    Transform::NoDescriptions => {
                        for t in &mut ex.tools {
                            strip_descriptions(t, ex.dialect);
                        }
                    }
                }
                ex
            })
            .collect();
        let mut h = Sha256::new();
        h.update(suite.sha256.as_bytes());
        h.update(format!("/{self}/{seed}").as_bytes());
        Suite {
            name: format!("{}+{self}", suite.name),
            sha256: hex(&h.finalize()),
            examples,
        }
    }

    fn rng(&self, seed: u64, id: &str) -> ChaCha8Rng {
        let mut h = Sha256::new();
        h.update(seed.to_le_bytes());
        h.update(self.to_string().as_bytes());
        h.update([0]);
        h.update(id.as_bytes());
        ChaCha8Rng::from_seed(h.finalize().into())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn tool_name(t: &Value) -> Option<&str> {
    t.get("name").and_then(Value::as_str)
}

/// Every distinct tool of the suite by name (first occurrence), for distractors.
fn tool_pool(suite: &Suite) -> Vec<(Dialect, Value)> {
    let mut seen = BTreeSet::new();
    let mut pool = Vec::new();
    for ex in &suite.examples {
        for t in &ex.tools {
            if let Some(name) = tool_name(t) {
                if seen.insert(name.to_string()) {
                    pool.push((ex.dialect, t.clone()));
                }
            }
        }
    }
    pool
}

fn shuffle_keys(v: &mut Value, rng: &mut ChaCha8Rng) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            entries.shuffle(rng);
            for (k, mut child) in entries {
                shuffle_keys(&mut child, rng);
                map.insert(k, child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|c| shuffle_keys(c, rng)),
        _ => {}
    }
}

fn expects_no_call(e: &Expected) -> bool {
    match e {
        Expected::Calls { calls } => calls.is_empty(),
        Expected::NoCall => true,
        Expected::BfclGroundTruth { .. } | Expected::AnyCall => false,
    }
}

fn add_distractors(ex: &mut Example, pool: &[(Dialect, Value)], n: usize, rng: &mut ChaCha8Rng) {
    if expects_no_call(&ex.expected) {
        return;
    }
    let present: BTreeSet<String> = ex
        .tools
        .iter()
        .filter_map(tool_name)
        .map(str::to_string)
        .collect();
    let mut candidates: Vec<&Value> = pool
        .iter()
        .filter(|(d, t)| *d == ex.dialect && tool_name(t).is_some_and(|n| !present.contains(n)))
        .map(|(_, t)| t)
        .collect();
    candidates.shuffle(rng);
    for t in candidates.into_iter().take(n) {
        let at = rng.random_range(0..=ex.tools.len());
        ex.tools.insert(at, t.clone());
    }
}

/// Removes `description` where it is a schema keyword — on the tool and inside parameter
/// schemas — never a parameter that happens to be called "description".
fn strip_descriptions(tool: &mut Value, dialect: Dialect) {
    let Some(obj) = tool.as_object_mut() else {
        return;
    };
    obj.remove("description");
    let Some(params) = obj.get_mut("parameters") else {
        return;
    };
    match dialect {
        Dialect::Needle1 => {
            if let Some(map) = params.as_object_mut() {
                map.values_mut().for_each(strip_schema_descriptions);
            }
        }
        Dialect::JsonSchema | Dialect::Bfcl => strip_schema_descriptions(params),
    }
}

fn strip_schema_descriptions(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    obj.remove("description");
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        props.values_mut().for_each(strip_schema_descriptions);
    }
    if let Some(items) = obj.get_mut("items") {
        strip_schema_descriptions(items);
    }
}

/// Whole-name synonyms for common parameter names; other names get word-level synonyms.
const NAME_SYNONYMS: &[(&str, &str)] = &[
    ("name", "label"),
    ("contact", "person"),
    ("recipient", "to_person"),
    ("recipients", "people"),
    ("message", "text"),
    ("query", "search_terms"),
    ("title", "heading"),
    ("location", "place"),
    ("city", "town"),
    ("date", "day"),
    ("time", "clock_time"),
    ("destination", "target_place"),
    ("origin", "start_place"),
    ("content", "body_text"),
    ("items", "entries"),
    ("enabled", "switched_on"),
];

const WORD_SYNONYMS: &[(&str, &str)] = &[
    ("number", "num"),
    ("minutes", "mins"),
    ("seconds", "secs"),
    ("amount", "sum"),
    ("duration", "length"),
    ("count", "total"),
    ("level", "amount_level"),
    ("list", "collection"),
    ("type", "kind"),
    ("id", "identifier"),
    ("date", "day"),
    ("time", "clock"),
    ("name", "label"),
    ("start", "begin"),
    ("end", "finish"),
    ("max", "maximum"),
    ("min", "minimum"),
    ("new", "updated"),
    ("city", "town"),
];

fn synonym(name: &str) -> Option<String> {
    if let Some((_, s)) = NAME_SYNONYMS.iter().find(|(n, _)| *n == name) {
        return Some(s.to_string());
    }
    let mut changed = false;
    let words: Vec<String> = name
        .split('_')
        .map(|w| match WORD_SYNONYMS.iter().find(|(n, _)| *n == w) {
            Some((_, s)) => {
                changed = true;
                s.to_string()
            }
            None => w.to_string(),
        })
        .collect();
    changed.then(|| words.join("_"))
}

/// Per tool name: old parameter name → new one, without collisions inside a tool.
type Renames = BTreeMap<String, BTreeMap<String, String>>;

fn rename_parameters(ex: &mut Example) {
    let mut renames = Renames::new();
    for tool in &mut ex.tools {
        let Some(name) = tool_name(tool).map(str::to_string) else {
            continue;
        };
        let Some(params) = tool.get_mut("parameters").and_then(Value::as_object_mut) else {
            continue;
        };
        let map = match ex.dialect {
            Dialect::Needle1 => rename_keys(params),
            Dialect::JsonSchema | Dialect::Bfcl => {
                let Some(props) = params.get_mut("properties").and_then(Value::as_object_mut)
                else {
                    continue;
                };
                let map = rename_keys(props);
                if let Some(Value::Array(req)) = params.get_mut("required") {
                    for r in req.iter_mut() {
                        if let Some(new) = r.as_str().and_then(|s| map.get(s)) {
                            *r = Value::String(new.clone());
                        }
                    }
                }
                map
            }
        };
        if !map.is_empty() {
            renames.insert(name, map);
        }
    }
    match &mut ex.expected {
        Expected::Calls { calls } => {
            for c in calls.iter_mut() {
                if let Some(map) = renames.get(&c.name) {
                    c.arguments = renamed(std::mem::take(&mut c.arguments), map);
                }
            }
        }
        Expected::BfclGroundTruth { ground_truth } => {
            for entry in ground_truth.iter_mut() {
                let Some(obj) = entry.as_object_mut() else {
                    continue;
                };
                for (func, args) in obj.iter_mut() {
                    if let (Some(map), Some(a)) = (renames.get(func), args.as_object_mut()) {
                        *a = renamed(std::mem::take(a), map);
                    }
                }
            }
        }
        Expected::NoCall | Expected::AnyCall => {}
    }
}

/// Renames the keys of one properties map in place (order kept); returns what was renamed.
fn rename_keys(props: &mut Map<String, Value>) -> BTreeMap<String, String> {
    let mut taken: BTreeSet<String> = props.keys().cloned().collect();
    let mut map = BTreeMap::new();
    for k in props.keys() {
        if let Some(new) = synonym(k) {
            if !taken.contains(&new) {
                taken.insert(new.clone());
                map.insert(k.clone(), new);
            }
        }
    }
    if !map.is_empty() {
        *props = renamed(std::mem::take(props), &map);
    }
    map
}

fn renamed(args: Map<String, Value>, map: &BTreeMap<String, String>) -> Map<String, Value> {
    args.into_iter()
        .map(|(k, v)| (map.get(&k).cloned().unwrap_or(k), v))
        .collect()
}

/// Every string an expected answer may need copied from the query.
fn expected_strings(e: &Expected) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if !s.is_empty() => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    match e {
        Expected::Calls { calls } => calls
            .iter()
            .for_each(|c| c.arguments.values().for_each(|v| walk(v, &mut out))),
        Expected::BfclGroundTruth { ground_truth } => {
            ground_truth.iter().for_each(|v| walk(v, &mut out))
        }
        Expected::NoCall | Expected::AnyCall => {}
    }
    out
}

/// Flips the case of a word's first letter or swaps two inner letters, in about one word of
/// four, touching only alphabetic words outside every span an expected value occupies (case
/// folded), so the answer can still be copied from the query.
fn add_noise(ex: &mut Example, rng: &mut ChaCha8Rng) {
    let protected = expected_strings(&ex.expected);
    let Some(msg) = ex.messages.iter_mut().rev().find(|m| m.role == "user") else {
        return;
    };
    let text = msg.content.clone();
    let lower = text.to_lowercase();
    // Byte ranges of the query that must stay as they are. Lower-casing can change byte
    // lengths outside ASCII, so spans are only trusted when the query is ASCII.
    let mut keep = vec![!text.is_ascii(); text.len()];
    if text.is_ascii() {
        for s in &protected {
            let s = s.to_lowercase();
            for (at, _) in lower.match_indices(&s) {
                keep[at..at + s.len()].iter_mut().for_each(|k| *k = true);
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_ascii_alphabetic() {
            continue;
        }
        let word = &text[start..i];
        let untouchable = keep[start..i].iter().any(|&k| k) || word.len() < 2;
        if untouchable || rng.random_range(0..4) != 0 {
            out.push_str(word);
        } else {
            out.push_str(&perturb(word, rng));
        }
        if i < text.len() {
            out.push(c);
        }
        start = i + c.len_utf8();
    }
    msg.content = out;
}

fn perturb(word: &str, rng: &mut ChaCha8Rng) -> String {
    let mut b: Vec<u8> = word.bytes().collect();
    if b.len() >= 4 && rng.random_bool(0.5) {
        let i = rng.random_range(1..b.len() - 2);
        b.swap(i, i + 1);
    } else {
        let c = b[0];
        b[0] = if c.is_ascii_uppercase() {
            c.to_ascii_lowercase()
        } else {
            c.to_ascii_uppercase()
        };
    }
    // Only ASCII letters were moved, so the bytes are still UTF-8.
    String::from_utf8(b).unwrap_or_else(|_| word.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::Call;
    use crate::suite::Message;
    use serde_json::json;

    fn example(id: &str, query: &str, tools: Vec<Value>, calls: Vec<Call>) -> Example {
        Example {
            id: id.into(),
            category: "c".into(),
            kind: None,
            messages: vec![Message {
                role: "user".into(),
                content: query.into(),
            }],
            tools,
            dialect: Dialect::JsonSchema,
            expected: Expected::Calls { calls },
        }
    }

    fn tool(name: &str, params: &[&str]) -> Value {
        let props: Map<String, Value> = params
            .iter()
            .map(|p| {
                (
                    p.to_string(),
                    json!({"type": "string", "description": "a description"}),
                )
            })
            .collect();
        json!({"name": name, "description": format!("{name} tool"),
               "parameters": {"type": "object", "properties": props, "required": params}})
    }

    fn suite() -> Suite {
        let args = |pairs: &[(&str, &str)]| -> Map<String, Value> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect()
        };
        Suite {
            name: "s".into(),
            sha256: "0".into(),
            examples: vec![
                example(
                    "a",
                    "Send a message to Dana Romero saying running late tonight",
                    vec![
                        tool("send_text_message", &["contact", "message"]),
                        tool("set_alarm", &["time"]),
                    ],
                    vec![Call::new(
                        "send_text_message",
                        args(&[
                            ("contact", "Dana Romero"),
                            ("message", "running late tonight"),
                        ]),
                    )],
                ),
                example(
                    "b",
                    "Who wrote Moby Dick?",
                    vec![tool("get_weather", &["city"])],
                    vec![],
                ),
                example(
                    "c",
                    "Find a description of the museum",
                    vec![tool("lookup", &["description", "max_count"])],
                    vec![Call::new("lookup", args(&[("description", "museum")]))],
                ),
            ],
        }
    }

    #[test]
    fn names_round_trip_and_bad_names_are_clear() {
        for t in ALL {
            assert_eq!(t.to_string().parse::<Transform>().unwrap(), *t);
        }
        assert_eq!(parse_list("all").unwrap(), ALL);
        assert_eq!(
            parse_list("distractors:5,noise").unwrap(),
            vec![Transform::Distractors(5), Transform::Noise]
        );
        assert!(parse_list("shuffle")
            .unwrap_err()
            .contains("unknown transform \"shuffle\""));
        assert!(parse_list("distractors:0")
            .unwrap_err()
            .contains("from 1 to 32"));
        assert!(parse_list("noise:3")
            .unwrap_err()
            .contains("takes no argument"));
        assert!(parse_list(" , ").unwrap_err().contains("no transform"));
    }

    #[test]
    fn deterministic_per_example_whatever_else_is_loaded() {
        let s = suite();
        for t in ALL {
            let full = t.apply(&s, 7);
            assert_eq!(full.examples, t.apply(&s, 7).examples, "{t}");
            let mut one = s.clone();
            one.examples.retain(|e| e.id == "a");
            if !matches!(t, Transform::Distractors(_)) {
                assert_eq!(t.apply(&one, 7).examples[0], full.examples[0], "{t}");
            }
            assert_eq!(full.name, format!("s+{t}"));
        }
    }

    #[test]
    fn shuffles_keep_the_content() {
        let s = suite();
        for seed in 0..20 {
            let tools = Transform::ShuffleTools.apply(&s, seed);
            let keys = Transform::ShuffleKeys.apply(&s, seed);
            for ((orig, t), k) in s.examples.iter().zip(&tools.examples).zip(&keys.examples) {
                let mut a: Vec<String> = orig.tools.iter().map(Value::to_string).collect();
                let mut b: Vec<String> = t.tools.iter().map(Value::to_string).collect();
                a.sort();
                b.sort();
                assert_eq!(a, b);
                // serde_json's Value equality ignores key order.
                assert_eq!(orig.tools, k.tools);
                assert_eq!(orig.expected, k.expected);
            }
        }
        let orders: BTreeSet<String> = (0..20)
            .map(|seed| Transform::ShuffleKeys.apply(&s, seed).examples[0].tools[0].to_string())
            .collect();
        assert!(orders.len() > 1, "key order never changed");
    }

    #[test]
    fn distractors_skip_no_call_examples_and_present_tools() {
        let s = suite();
        let d = Transform::Distractors(3).apply(&s, 1);
        assert_eq!(
            d.examples[1], s.examples[1],
            "no-call example must be untouched"
        );
        let names: Vec<&str> = d.examples[0].tools.iter().filter_map(tool_name).collect();
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(names.len(), unique.len());
        assert!(names.len() > 2 && names.contains(&"get_weather") && names.contains(&"lookup"));
        assert_eq!(d.examples[0].expected, s.examples[0].expected);
    }

    #[test]
    fn synonyms_rename_schema_and_answer_together() {
        let s = suite();
        let r = Transform::Synonyms.apply(&s, 0);
        let ex = &r.examples[0];
        let props = &ex.tools[0]["parameters"]["properties"];
        assert!(props.get("person").is_some() && props.get("text").is_some());
        assert_eq!(
            ex.tools[0]["parameters"]["required"],
            json!(["person", "text"])
        );
        let Expected::Calls { calls } = &ex.expected else {
            panic!()
        };
        let keys: Vec<&str> = calls[0].arguments.keys().map(String::as_str).collect();
        assert_eq!(keys, ["person", "text"]);
        // Word-level synonyms; "description" has none and stays.
        let props = &r.examples[2].tools[0]["parameters"]["properties"];
        assert!(props.get("maximum_total").is_some() && props.get("description").is_some());
    }

    #[test]
    fn bfcl_ground_truth_is_renamed_too() {
        let mut s = suite();
        s.examples[0].dialect = Dialect::Bfcl;
        s.examples[0].expected = Expected::BfclGroundTruth {
            ground_truth: vec![
                json!({"send_text_message": {"contact": ["Dana Romero"], "message": ["x"]}}),
            ],
        };
        let r = Transform::Synonyms.apply(&s, 0);
        let Expected::BfclGroundTruth { ground_truth } = &r.examples[0].expected else {
            panic!()
        };
        assert_eq!(
            ground_truth[0],
            json!({"send_text_message": {"person": ["Dana Romero"], "text": ["x"]}})
        );
    }

    #[test]
    fn no_descriptions_keeps_a_parameter_called_description() {
        let r = Transform::NoDescriptions.apply(&suite(), 0);
        let t = &r.examples[2].tools[0];
        assert!(t.get("description").is_none());
        let props = t["parameters"]["properties"].as_object().unwrap();
        assert!(props.contains_key("description"));
        assert!(props.values().all(|p| p.get("description").is_none()));
    }

    #[test]
    fn noise_changes_queries_but_never_the_values_to_copy() {
        let s = suite();
        let mut changed = 0;
        for seed in 0..50 {
            let r = Transform::Noise.apply(&s, seed);
            let q = r.examples[0].query();
            assert!(
                q.contains("Dana Romero") && q.contains("running late tonight"),
                "{q}"
            );
            assert_eq!(q.len(), s.examples[0].query().len());
            if q != s.examples[0].query() {
                changed += 1;
            }
        }
        assert!(changed > 25, "noise rarely changed anything: {changed}/50");
    }
}
