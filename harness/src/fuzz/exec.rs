//! One fuzz case through the model in one constrain mode, and the verdict on its output.
//!
//! Verdicts: `valid` (finished, and the answer validates against the full schema), `invalid`
//! (finished, does not), `timeout` (`max_tokens` ran out before EOS: unfinished, never a pass),
//! `crash` (generation panicked or returned an error). Separately, a *violation* is an output
//! that breaks what its mode promises: in `schema` any invalid answer; in `names` an answer
//! whose shape, tool names or argument keys are wrong; in both, EOS before the call list closed,
//! an unfinished output that is not a prefix the grammar accepts, or a finished one the grammar
//! or the runtime's own parser rejects. `off` promises nothing but not crashing.

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thimble_runtime::constrain::{Constrain, Grammar, VocabIndex, Warning};
use thimble_runtime::generate::{generate_normalized_with, GenerateOptions, Generation, Stop};
use thimble_runtime::model::Model;
use thimble_runtime::tokenizer::Tokenizer;
use thimble_runtime::tools::{normalize_tools_value, ToolsPrompt};

use super::strategy::FuzzCase;
use super::validate::{check_output, unrepresentable, Level, Site};

/// The model under test and how long it may write.
pub struct Target<'a> {
    pub model: &'a Model,
    pub tokenizer: &'a Tokenizer,
    /// Built once per model; rebuilding it per case would dominate the run time.
    pub vocab: &'a VocabIndex,
    pub max_tokens: usize,
}

/// What happened to one output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Valid,
    Invalid,
    Timeout,
    Crash,
}

/// The failure class a shrunk case must keep reproducing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    Crash,
    Violation,
}

impl Failure {
    pub fn as_str(self) -> &'static str {
        match self {
            Failure::Crash => "crash",
            Failure::Violation => "violation",
        }
    }
}

/// One case's result in one mode.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub verdict: Verdict,
    /// The finished answer is not a JSON list of `{"name","arguments"}` at all.
    pub unparseable: bool,
    /// How the output broke its mode's promise, if it did.
    pub violation: Option<String>,
    /// Why the output is not valid against the full schema, or the crash message.
    pub detail: Option<String>,
    pub raw_text: String,
    pub generated_tokens: usize,
    /// Calls in a valid answer (so a run of nothing but `[]` is visible as such).
    pub calls: usize,
    /// Schema keywords the grammar reported as not enforced (`names`/`schema` modes).
    pub warnings: Vec<Warning>,
    /// `schema` mode: places with a keyword the grammar cannot represent and no warning.
    pub unwarned: Vec<Site>,
}

impl CaseResult {
    pub fn failure(&self) -> Option<Failure> {
        if self.verdict == Verdict::Crash {
            Some(Failure::Crash)
        } else if self.violation.is_some() {
            Some(Failure::Violation)
        } else {
            None
        }
    }

    fn crash(message: String) -> CaseResult {
        CaseResult {
            verdict: Verdict::Crash,
            unparseable: false,
            violation: None,
            detail: Some(message),
            raw_text: String::new(),
            generated_tokens: 0,
            calls: 0,
            warnings: Vec::new(),
            unwarned: Vec::new(),
        }
    }
}

/// Runs `case` in `mode` and judges the output. Never panics on account of the model or
/// the runtime: a panic inside generation is caught and reported as a crash.
pub fn run_case(t: &Target, case: &FuzzCase, mode: Constrain) -> CaseResult {
    let generated = catch_unwind(AssertUnwindSafe(|| generate(t, case, mode)));
    match generated {
        Err(payload) => CaseResult::crash(format!("panic: {}", panic_message(&*payload))),
        Ok(Err(e)) => CaseResult::crash(format!("error: {e}")),
        Ok(Ok((tools, g))) => judge(t, &tools, &g, mode),
    }
}

fn generate(
    t: &Target,
    case: &FuzzCase,
    mode: Constrain,
) -> Result<(ToolsPrompt, Generation), String> {
    let tools = normalize_tools_value(Value::Array(case.tools.clone()))
        .map_err(|e| format!("normalizing the tools: {e}"))?;
    let opts = GenerateOptions {
        max_new: Some(t.max_tokens),
        constrain: mode,
        vocab: Some(t.vocab),
    };
    let g = generate_normalized_with(t.model, t.tokenizer, &case.query, &tools, &opts)
        .map_err(|e| e.to_string())?;
    Ok((tools, g))
}

/// The text of a panic payload (`&str` or `String`, as `panic!` makes them).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".into()
    }
}

fn judge(t: &Target, tools: &ToolsPrompt, g: &Generation, mode: Constrain) -> CaseResult {
    let docs: Vec<Value> = match serde_json::from_str(&tools.text) {
        Ok(Value::Array(d)) => d,
        _ => return CaseResult::crash("the normalized tools are not a JSON array".into()),
    };
    let warnings = g
        .constrain
        .as_ref()
        .map(|c| c.warnings.clone())
        .unwrap_or_default();
    let unwarned = if mode == Constrain::Schema {
        unrepresentable(&docs)
            .into_iter()
            .filter(|s| {
                !warnings
                    .iter()
                    .any(|w| w.tool == s.tool && w.path == s.path)
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut r = CaseResult {
        verdict: Verdict::Valid,
        unparseable: false,
        violation: None,
        detail: None,
        raw_text: g.raw_text.clone(),
        generated_tokens: g.generated_tokens(),
        calls: 0,
        warnings,
        unwarned,
    };
    let finished = g.greedy.stop == Stop::Eos;
    let grammar = match mode {
        Constrain::Off => None,
        m => match Grammar::compile(tools, m) {
            Ok(gr) => Some(gr),
            Err(e) => return CaseResult::crash(format!("grammar did not compile: {e}")),
        },
    };
    if let (Some(report), Some(grammar)) = (&g.constrain, &grammar) {
        r.violation = promise_broken(t, finished, report.complete, grammar, g);
    }
    if !finished {
        r.verdict = Verdict::Timeout;
        return r;
    }
    match check_output(&g.raw_text, &docs, Level::Schema) {
        Ok(n) => r.calls = n,
        Err(e) => {
            r.verdict = Verdict::Invalid;
            r.unparseable = e.unparseable;
            r.detail = Some(e.reason.clone());
            let own = match mode {
                Constrain::Off => None,
                Constrain::Schema => Some(e.reason),
                Constrain::Names => check_output(&g.raw_text, &docs, Level::Names)
                    .err()
                    .map(|e| e.reason),
            };
            r.violation = r.violation.take().or(own);
        }
    }
    r
}

/// The checks a constrained output must pass whatever its schema: it starts with
/// `<tool_call>`, EOS comes only after a complete call list, an unfinished output is still a
/// prefix of one, and a finished one is accepted by the grammar and by the runtime's parser.
///
/// The grammar checks run on the tokens' bytes, not on the decoded text: an output cut off by
/// `max_tokens` inside a multi-byte character decodes to U+FFFD, which no grammar accepts,
/// although every byte the model wrote was allowed.
fn promise_broken(
    t: &Target,
    finished: bool,
    complete: bool,
    grammar: &Grammar,
    g: &Generation,
) -> Option<String> {
    let cfg = t.model.config();
    let Some((&first, rest)) = g.greedy.tokens.split_first() else {
        return Some("a constrained output has no token".into());
    };
    if first != cfg.tool_call_id {
        return Some(format!(
            "a constrained output starts with token {first}, not <tool_call>"
        ));
    }
    if finished != complete {
        return Some(format!(
            "decoding {} but the constrain report says complete={complete}",
            if finished {
                "stopped at EOS"
            } else {
                "ran out of tokens"
            }
        ));
    }
    let body = match rest.split_last() {
        Some((&last, init)) if finished && last == cfg.eos_id => init,
        _ => rest,
    };
    let mut bytes = Vec::new();
    for &id in body {
        match t.vocab.bytes(id) {
            Some(b) => bytes.extend_from_slice(b),
            None => return Some(format!("token {id}, which has no answer text, was allowed")),
        }
    }
    if !finished {
        return (!grammar.accepts_prefix(&bytes))
            .then(|| "the unfinished output is not a prefix the grammar accepts".into());
    }
    if !grammar.accepts(&bytes) {
        return Some("the grammar rejects its own finished output".into());
    }
    if let Err(e) = &g.calls {
        return Some(format!("the runtime cannot parse the output: {e}"));
    }
    None
}
