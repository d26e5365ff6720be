//! The decoded form of a function call, shared by decoders and scorers.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One call: a tool name and its keyword arguments, in the order the model wrote them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub name: String,
    pub arguments: Map<String, Value>,
}

impl Call {
    pub fn new(name: impl Into<String>, arguments: Map<String, Value>) -> Call {
        Call {
            name: name.into(),
            arguments,
        }
    }
}
