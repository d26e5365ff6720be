//! The gate's outputs: a Markdown table for people (PR comments, `$GITHUB_STEP_SUMMARY`) and
//! JUnit XML for CI systems that chart test results.

use std::fmt::Write;

use super::{Check, Report, Statistic};

fn value(c: &Check, v: f64) -> String {
    if c.is_fraction {
        format!("{:.1}%", v * 100.0)
    } else {
        format!("{v:.1}")
    }
}

fn delta(c: &Check) -> String {
    let d = c.current - c.baseline;
    if c.is_fraction {
        format!("{:+.1} pt", d * 100.0)
    } else if c.baseline != 0.0 {
        format!("{:+.1}%", d / c.baseline * 100.0)
    } else {
        format!("{d:+.1}")
    }
}

fn statistic(c: &Check) -> String {
    match c.statistic {
        Statistic::PValue { p, raw } if p != raw => format!("p={} (raw {})", pval(p), pval(raw)),
        Statistic::PValue { p, .. } => format!("p={}", pval(p)),
        Statistic::Ratio { ratio, floor } => format!("{ratio:.3} (min {floor:.2})"),
        Statistic::Tolerance(t) => format!("max drop {:.1} pt", t * 100.0),
    }
}

fn pval(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

fn verdict(c: &Check) -> &'static str {
    if c.failed {
        "**FAIL**"
    } else if c.skipped {
        "skipped"
    } else {
        "pass"
    }
}

/// Markdown cells must not contain `|` or line breaks, and a `<` could open raw HTML (which
/// GitHub would sanitize away, hiding a category name).
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace(['\n', '\r'], " ")
}

pub fn markdown(r: &Report) -> String {
    let fails = r.failures();
    let mut s = String::new();
    let head = if fails == 0 {
        format!("## thimble gate: pass ({} checks)\n\n", r.checks.len())
    } else {
        format!(
            "## thimble gate: FAIL ({fails} of {} checks regressed)\n\n",
            r.checks.len()
        )
    };
    s.push_str(&head);
    s.push_str(
        "| results | metric | baseline | current | delta | p-value / ratio | counts | verdict |\n",
    );
    s.push_str("|---|---|---:|---:|---:|---:|---|---|\n");
    for c in &r.checks {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&c.group),
            cell(&c.metric),
            value(c, c.baseline),
            value(c, c.current),
            delta(c),
            statistic(c),
            cell(&c.detail),
            verdict(c)
        );
    }
    if !r.notes.is_empty() {
        s.push('\n');
        for n in &r.notes {
            let _ = writeln!(s, "- {}", n.replace(['\n', '\r'], " "));
        }
    }
    s.push('\n');
    s
}

/// XML text and attribute escaping. Characters XML 1.0 cannot carry at all (most C0 controls)
/// become U+FFFD rather than producing a file no parser accepts.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub fn junit(r: &Report) -> String {
    let mut groups: Vec<&str> = Vec::new();
    for c in &r.checks {
        if !groups.contains(&c.group.as_str()) {
            groups.push(&c.group);
        }
    }
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"thimble gate\" tests=\"{}\" failures=\"{}\">",
        r.checks.len(),
        r.failures()
    );
    for g in groups {
        let checks: Vec<&Check> = r.checks.iter().filter(|c| c.group == g).collect();
        let fails = checks.iter().filter(|c| c.failed).count();
        let skips = checks.iter().filter(|c| c.skipped).count();
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\" skipped=\"{skips}\">",
            xml_escape(g),
            checks.len()
        );
        for c in checks {
            let summary = format!(
                "{}: baseline {}, current {} ({}), {}; {}",
                c.metric,
                value(c, c.baseline),
                value(c, c.current),
                delta(c),
                statistic(c),
                c.detail
            );
            let _ = write!(
                s,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml_escape(&format!("thimble.gate.{g}")),
                xml_escape(&c.metric)
            );
            if c.failed {
                let _ = writeln!(
                    s,
                    ">\n      <failure message=\"regression\" type=\"regression\">{}</failure>\n    </testcase>",
                    xml_escape(&summary)
                );
            } else if c.skipped {
                let _ = writeln!(
                    s,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml_escape(&summary)
                );
            } else {
                let _ = writeln!(
                    s,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    xml_escape(&summary)
                );
            }
        }
        s.push_str("  </testsuite>\n");
    }
    if !r.notes.is_empty() {
        let notes: Vec<String> = r.notes.iter().map(|n| xml_escape(n)).collect();
        let _ = writeln!(
            s,
            "  <testsuite name=\"notes\" tests=\"0\" failures=\"0\">\n    <system-out>{}</system-out>\n  </testsuite>",
            notes.join("\n")
        );
    }
    s.push_str("</testsuites>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            xml_escape("a<b & \"c\" 'd'>\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{FFFD}\n"
        );
    }
}
