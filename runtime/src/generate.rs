//! Needle's I/O contract around the forward pass: building the encoder input, greedy decoding
//! from the EOS seed, and turning the generated text into calls.
//!
//! Encoder input is `encode(query)[:1022] + [<tools>] + encode(tools)`, cut to the model's
//! context; the decoder starts from `[EOS]`, the model writes `<tool_call>`, the calls as compact
//! JSON, then EOS. Timings: `prefill` is the encoder plus the cross-attention K/V; `decode` is
//! every decoder step (mask computation included when decoding is constrained, see
//! [`crate::constrain`]).

use std::time::Instant;

use serde_json::Value;

use crate::constrain::{Constrain, ConstrainReport, Grammar, Masker, VocabIndex};
use crate::error::{Error, Result};
use crate::model::{argmax, Model};
use crate::tokenizer::Tokenizer;
use crate::tools::{normalize_tools, ToolsPrompt};

/// Query tokens kept before the `<tools>` marker.
pub const MAX_QUERY_TOKENS: usize = 1022;

/// The encoder input of one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub ids: Vec<u32>,
    /// Query tokens before truncation.
    pub query_tokens: usize,
    /// Tools tokens before truncation.
    pub tools_tokens: usize,
    /// Whether anything was cut to fit the context.
    pub truncated: bool,
}

/// Builds `encode(query)[:1022] + [tools_id] + encode(tools_text)`, cut to `max_encoder_tokens`.
pub fn build_prompt(model: &Model, tok: &Tokenizer, query: &str, tools_text: &str) -> Prompt {
    let cfg = model.config();
    let q = tok.encode(query);
    let t = tok.encode(tools_text);
    let keep_q = q.len().min(MAX_QUERY_TOKENS);
    let mut ids = Vec::with_capacity(keep_q + 1 + t.len());
    ids.extend_from_slice(&q[..keep_q]);
    ids.push(cfg.tools_id);
    ids.extend_from_slice(&t);
    let truncated = keep_q < q.len() || ids.len() > cfg.max_encoder_tokens;
    ids.truncate(cfg.max_encoder_tokens);
    Prompt {
        ids,
        query_tokens: q.len(),
        tools_tokens: t.len(),
        truncated,
    }
}

/// Why decoding stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Eos,
    MaxTokens,
}

/// Greedy decoding output at the token level.
#[derive(Debug, Clone, PartialEq)]
pub struct Greedy {
    /// Generated tokens after the EOS seed, the final EOS included when produced.
    pub tokens: Vec<u32>,
    pub stop: Stop,
    pub prefill_ms: f64,
    pub decode_ms: f64,
    /// Time from the start of the request to the first generated token.
    pub first_token_ms: f64,
}

/// Greedy decoding from `[EOS]` for at most `max_new` tokens (stopping after EOS).
pub fn greedy(model: &Model, encoder_ids: &[u32], max_new: usize) -> Result<Greedy> {
    decode_loop(model, encoder_ids, max_new, |logits| Ok(argmax(logits)))
}

/// [`greedy`] with every step masked by `masker`: disallowed logits become -inf before the
/// argmax, so the choice stays deterministic. Running out of `max_new` is not an error (the
/// output is then an unfinished prefix; see [`Masker::is_complete`]); a step with no allowed
/// token is.
pub fn greedy_constrained(
    model: &Model,
    encoder_ids: &[u32],
    max_new: usize,
    masker: &mut Masker,
) -> Result<Greedy> {
    decode_loop(model, encoder_ids, max_new, |logits| {
        masker.apply(logits)?;
        let next = masker.choose(argmax(logits));
        masker.advance(next)?;
        Ok(next)
    })
}

/// The decoding loop shared by both: `pick` turns each step's logits into the next token.
fn decode_loop(
    model: &Model,
    encoder_ids: &[u32],
    max_new: usize,
    mut pick: impl FnMut(&mut [f32]) -> Result<u32>,
) -> Result<Greedy> {
    let cfg = model.config();
    if max_new > cfg.max_decoder_tokens {
        return Err(Error::TooLong {
            what: "requested generation",
            len: max_new,
            max: cfg.max_decoder_tokens,
        });
    }
    let t0 = Instant::now();
    let enc = model.encode(encoder_ids)?;
    let mut st = model.start_decoder(&enc);
    let prefill_ms = ms(t0);
    let t1 = Instant::now();
    let mut tokens = Vec::with_capacity(max_new);
    let mut next = cfg.eos_id;
    let mut stop = Stop::MaxTokens;
    let mut first_token_ms = 0.0;
    while tokens.len() < max_new {
        let mut logits = model.decode(&mut st, &[next], false)?;
        next = pick(&mut logits)?;
        if tokens.is_empty() {
            first_token_ms = ms(t0);
        }
        tokens.push(next);
        if next == cfg.eos_id {
            stop = Stop::Eos;
            break;
        }
    }
    Ok(Greedy {
        tokens,
        stop,
        prefill_ms,
        decode_ms: ms(t1),
        first_token_ms,
    })
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// One request's result.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The generated text (special pieces such as `<tool_call>` included, EOS excluded).
    pub raw_text: String,
    /// `[{"name","arguments"}]` with names mapped back to the user's, or why parsing failed.
    pub calls: std::result::Result<Vec<Value>, String>,
    pub prompt: Prompt,
    pub greedy: Greedy,
    /// Present when decoding was constrained (`names` or `schema`).
    pub constrain: Option<ConstrainReport>,
}

impl Generation {
    pub fn prompt_tokens(&self) -> usize {
        self.prompt.ids.len()
    }
    pub fn generated_tokens(&self) -> usize {
        self.greedy.tokens.len()
    }
}

/// How to run one request.
#[derive(Debug, Clone, Copy, Default)]
pub struct GenerateOptions<'a> {
    /// Stop after this many generated tokens (default: the model's maximum).
    pub max_new: Option<usize>,
    pub constrain: Constrain,
    /// The tokenizer's mask index, to reuse across requests; built per request when `None`.
    pub vocab: Option<&'a VocabIndex>,
}

/// Runs one request: tools JSON and query in, calls out (unconstrained).
pub fn generate(
    model: &Model,
    tok: &Tokenizer,
    query: &str,
    tools_json: &str,
    max_new: Option<usize>,
) -> Result<Generation> {
    let opts = GenerateOptions {
        max_new,
        ..GenerateOptions::default()
    };
    generate_with(model, tok, query, tools_json, &opts)
}

/// As [`generate`], for tools already normalized (unconstrained).
pub fn generate_normalized(
    model: &Model,
    tok: &Tokenizer,
    query: &str,
    tools: &ToolsPrompt,
    max_new: Option<usize>,
) -> Result<Generation> {
    let opts = GenerateOptions {
        max_new,
        ..GenerateOptions::default()
    };
    generate_normalized_with(model, tok, query, tools, &opts)
}

/// As [`generate`], with options (constrained decoding).
pub fn generate_with(
    model: &Model,
    tok: &Tokenizer,
    query: &str,
    tools_json: &str,
    opts: &GenerateOptions,
) -> Result<Generation> {
    let tools = normalize_tools(tools_json)?;
    generate_normalized_with(model, tok, query, &tools, opts)
}

/// As [`generate_normalized`], with options (constrained decoding).
pub fn generate_normalized_with(
    model: &Model,
    tok: &Tokenizer,
    query: &str,
    tools: &ToolsPrompt,
    opts: &GenerateOptions,
) -> Result<Generation> {
    let cfg = model.config();
    let prompt = build_prompt(model, tok, query, &tools.text);
    let max_new = opts.max_new.unwrap_or(cfg.max_decoder_tokens);
    let (greedy, constrain) = match opts.constrain {
        Constrain::Off => (greedy(model, &prompt.ids, max_new)?, None),
        mode => {
            let grammar = Grammar::compile(tools, mode)?;
            let built;
            let vocab = match opts.vocab {
                Some(v) => v,
                None => {
                    built = VocabIndex::new(tok, cfg);
                    &built
                }
            };
            let mut masker = Masker::new(vocab, &grammar);
            let g = greedy_constrained(model, &prompt.ids, max_new, &mut masker)?;
            let report = ConstrainReport {
                mode,
                warnings: grammar.warnings().to_vec(),
                complete: masker.is_complete(),
                mask_us: masker.mask_us().to_vec(),
            };
            (g, Some(report))
        }
    };
    let body: &[u32] = match greedy.tokens.split_last() {
        Some((&last, rest)) if last == cfg.eos_id => rest,
        _ => &greedy.tokens,
    };
    let raw_text = tok.decode(body);
    let calls = parse_calls(&raw_text, tools);
    Ok(Generation {
        raw_text,
        calls,
        prompt,
        greedy,
        constrain,
    })
}

/// The marker the model writes before its answer.
pub const TOOL_CALL: &str = "<tool_call>";

/// Parses `<tool_call>[{"name": ..., "arguments": {...}}, ...]`, mapping names back.
pub fn parse_calls(text: &str, tools: &ToolsPrompt) -> std::result::Result<Vec<Value>, String> {
    let body = text.trim();
    let body = body.strip_prefix(TOOL_CALL).unwrap_or(body).trim();
    let value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Array(items) = value else {
        return Err("not a JSON array of calls".into());
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, mut call)| {
            let obj = call
                .as_object_mut()
                .ok_or_else(|| format!("call {i} is not an object"))?;
            let name = obj
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("call {i} has no string `name`"))?;
            let original = tools.original_name(name).to_string();
            if !obj.get("arguments").is_some_and(Value::is_object) {
                return Err(format!("call {i} has no object `arguments`"));
            }
            obj.insert("name".into(), Value::String(original));
            Ok(call)
        })
        .collect()
}
