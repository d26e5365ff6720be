//! The in-memory form of a suite: examples with their messages, tools and expected answers,
//! whatever file format they were loaded from.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::call::Call;

/// The schema dialect a suite's tool documents are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// Needle 1: `{"name","description","parameters":{param:{"type","description","required"}}}`.
    Needle1,
    /// JSON Schema parameters: `{"type":"object","properties":{...},"required":[...]}`.
    JsonSchema,
    /// BFCL: top-level `"type":"dict"`, types `dict`, `float`, `tuple`, `any`, dotted names.
    Bfcl,
}

/// One chat message of an example's prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: String,
    pub content: String,
}

/// What a correct answer looks like.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Expected {
    /// Needle-style: exactly these calls (order-free multiset); empty means "no call".
    Calls { calls: Vec<Call> },
    /// BFCL possible answer: `[{func_name: {param: [acceptable values...]}}, ...]`.
    BfclGroundTruth { ground_truth: Vec<Value> },
    /// BFCL irrelevance: any output without a valid call is correct.
    NoCall,
    /// BFCL live_relevance: any valid call is correct.
    AnyCall,
}

/// One example of a suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub id: String,
    pub category: String,
    /// Example kind for generated suites (`single`, `distractors`, `parallel`, `no_call`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Messages in order; a leading `system` message is kept as one.
    pub messages: Vec<Message>,
    /// Tool documents in `dialect`.
    pub tools: Vec<Value>,
    pub dialect: Dialect,
    pub expected: Expected,
}

impl Example {
    /// The user's request: the last user message (Needle models take one query string).
    pub fn query(&self) -> &str {
        self.messages
            .iter()
            .rev()
            .find(|m| m.role == "user")
            .map_or("", |m| m.content.as_str())
    }
}

/// A loaded suite: its address (`bfcl:simple_python`, `assistant:test`, a path), and examples.
#[derive(Debug, Clone)]
pub struct Suite {
    pub name: String,
    /// sha256 of the file bytes the suite was read from, for provenance.
    pub sha256: String,
    pub examples: Vec<Example>,
}
