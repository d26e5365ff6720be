//! Scoring metrics over decoded calls. `needle` holds Needle's own metric family; [`Ratio`] is
//! the count-carrying fraction every aggregate reports, so a published number always shows the
//! counts it came from and can be given a confidence interval.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

pub mod needle;

/// `num / den` kept as counts. Serialized as `{"num","den","value"}` with `value` null when
/// `den` is 0 (the metric is undefined on this data, which is not the same as 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Ratio {
    pub num: u64,
    pub den: u64,
}

impl Ratio {
    pub fn new(num: u64, den: u64) -> Ratio {
        Ratio { num, den }
    }

    /// The fraction, or `None` when nothing was counted.
    pub fn value(&self) -> Option<f64> {
        (self.den > 0).then(|| self.num as f64 / self.den as f64)
    }

    /// Wilson 95% interval of the fraction (meaningful for rates of independent trials).
    pub fn wilson(&self) -> (f64, f64) {
        crate::stats::wilson(self.num, self.den)
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            Some(v) => write!(f, "{}/{} ({:.1}%)", self.num, self.den, v * 100.0),
            None => write!(f, "{}/{} (n/a)", self.num, self.den),
        }
    }
}

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Ratio", 3)?;
        s.serialize_field("num", &self.num)?;
        s.serialize_field("den", &self.den)?;
        s.serialize_field("value", &self.value())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_serializes_with_value() {
        let r = Ratio::new(1, 4);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"num":1,"den":4,"value":0.25}"#
        );
        let z = Ratio::new(0, 0);
        assert_eq!(
            serde_json::to_string(&z).unwrap(),
            r#"{"num":0,"den":0,"value":null}"#
        );
        let back: Ratio = serde_json::from_str(r#"{"num":1,"den":4,"value":0.25}"#).unwrap();
        assert_eq!(back, r);
        assert_eq!(r.to_string(), "1/4 (25.0%)");
        assert_eq!(z.to_string(), "0/0 (n/a)");
    }
}
