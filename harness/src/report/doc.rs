//! The two report documents, `report.md` and `index.html`, built side by side so every section,
//! chart and table appears in both with the same words and numbers.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

const STYLE: &str = "body{font-family:sans-serif;max-width:1200px;margin:2em auto}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}\
.l{text-align:left}img{max-width:100%}";

pub struct Doc {
    md: String,
    html: String,
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Digits, a sign, or the dash that stands for "no value".
fn is_number(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit() || "+-–".contains(c))
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

impl Doc {
    pub fn new(title: &str) -> Doc {
        let t = html_escape(title);
        Doc {
            md: format!("# {title}\n\n"),
            html: format!(
                "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title>\n\
                 <style>{STYLE}</style></head><body>\n<h1>{t}</h1>\n"
            ),
        }
    }

    pub fn heading(&mut self, text: &str) {
        let _ = writeln!(self.md, "## {text}\n");
        let _ = writeln!(self.html, "<h2>{}</h2>", html_escape(text));
    }

    /// The PNG in Markdown (renders everywhere), the SVG in HTML (sharp at any zoom). A chart
    /// that fails to load says so on the console, where scripts/report-screenshot.sh looks.
    pub fn chart(&mut self, stem: &str, alt: &str) {
        let _ = writeln!(self.md, "![{alt}]({stem}.png)\n");
        let _ = writeln!(
            self.html,
            "<img src=\"{stem}.svg\" alt=\"{}\" \
             onerror=\"console.error('Failed to load resource: ' + this.src)\">",
            html_escape(alt)
        );
    }

    pub fn note(&mut self, text: &str) {
        let _ = writeln!(self.md, "{text}\n");
        let _ = writeln!(self.html, "<p>{}</p>", html_escape(text));
    }

    /// A table; columns whose cells all read as numbers are right-aligned, the rest left.
    pub fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let numeric: Vec<bool> = (0..header.len())
            .map(|i| i > 0 && rows.iter().all(|r| r.get(i).is_some_and(|c| is_number(c))))
            .collect();
        let class = |i: usize| if numeric[i] { "" } else { " class=\"l\"" };
        self.md.push('|');
        self.html.push_str("<table><tr>");
        for (i, h) in header.iter().enumerate() {
            let _ = write!(self.md, " {} |", md_cell(h));
            let _ = write!(self.html, "<th{}>{}</th>", class(i), html_escape(h));
        }
        self.md.push_str("\n|");
        for &n in &numeric {
            self.md.push_str(if n { "---:|" } else { "---|" });
        }
        self.md.push('\n');
        self.html.push_str("</tr>\n");
        for row in rows {
            self.md.push('|');
            self.html.push_str("<tr>");
            for (i, c) in row.iter().enumerate() {
                let _ = write!(self.md, " {} |", md_cell(c));
                let cls = if numeric.get(i) == Some(&true) {
                    ""
                } else {
                    " class=\"l\""
                };
                let _ = write!(self.html, "<td{cls}>{}</td>", html_escape(c));
            }
            self.md.push('\n');
            self.html.push_str("</tr>\n");
        }
        self.md.push('\n');
        self.html.push_str("</table>\n");
    }

    pub fn write(mut self, out: &Path) -> Result<()> {
        self.html.push_str("</body></html>\n");
        for (name, text) in [("report.md", &self.md), ("index.html", &self.html)] {
            let p = out.join(name);
            std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?;
        }
        Ok(())
    }
}
