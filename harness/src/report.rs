//! `thimble report`: publishable charts and tables from results already on disk — accuracy per
//! suite and category for each model (bars with Wilson 95% intervals) and tokens/s per backend
//! and thread count from bench files — as SVG and PNG, tied together by `index.html` and
//! `report.md`.
//!
//! PNG text is drawn from a DejaVu Sans copy compiled into the binary (reports/fonts, with its
//! licence), so charts look the same on every machine and need no system font lookup.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use clap::Args;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::gate::{load_input, BenchRow, Input, RunResults};
use crate::stats::wilson;

static FONT: &[u8] = include_bytes!("../../reports/fonts/DejaVuSans.ttf");

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Run directories and `thimble bench --format json` files, in the order to show them.
    #[arg(long, required = true, num_args = 1..)]
    pub results: Vec<PathBuf>,
    /// Output directory (index.html, report.md, *.svg, *.png).
    #[arg(long)]
    pub out: PathBuf,
}

/// Successes and trials for one bar.
#[derive(Debug, Clone, Copy)]
struct Count {
    num: u64,
    den: u64,
}

struct RunEntry {
    label: String,
    suite: String,
    /// "overall" first, then the categories in summary order.
    groups: Vec<(String, Count)>,
}

struct BenchEntry {
    label: String,
    rows: Vec<BenchRow>,
}

/// One bar's height and optional (lo, hi) interval; `None` where a series lacks the group.
type Bar = Option<(f64, Option<(f64, f64)>)>;

/// One grouped bar chart: `values[series][group]`.
struct Bars {
    title: String,
    y_desc: String,
    groups: Vec<String>,
    series: Vec<String>,
    values: Vec<Vec<Bar>>,
    y_max: f64,
}

const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn count(v: &serde_json::Value) -> Option<Count> {
    Some(Count {
        num: v["num"].as_u64()?,
        den: v["den"].as_u64()?,
    })
}

fn run_entry(r: &RunResults) -> Result<RunEntry> {
    let run = &r.summary["provenance"]["run"];
    let suite = run["suite"].as_str().unwrap_or("?").to_string();
    let model = run["model"]["source"]
        .as_str()
        .map(|s| {
            Path::new(s)
                .file_name()
                .map_or(s.to_string(), |f| f.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| r.dir.display().to_string());
    let overall = count(&r.summary["counts"]["accuracy"]).with_context(|| {
        format!(
            "{}: summary.json has no counts.accuracy",
            r.dir.join("summary.json").display()
        )
    })?;
    let mut groups = vec![("overall".to_string(), overall)];
    if let Some(cats) = r.summary["per_category"].as_object() {
        for (cat, v) in cats {
            if let Some(c) = count(&v["counts"]["accuracy"]) {
                groups.push((cat.clone(), c));
            }
        }
    }
    Ok(RunEntry {
        label: format!("{model} ({})", r.dir.display()),
        suite,
        groups,
    })
}

fn plot_err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> anyhow::Error + '_ {
    move |e| anyhow!("drawing {what}: {e}")
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, b: &Bars, what: &str) -> Result<()> {
    root.fill(&WHITE).map_err(plot_err(what))?;
    let n = b.groups.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(&b.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(90)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n, 0f64..b.y_max)
        .map_err(plot_err(what))?;
    // Group names go under the bar centres; the mesh's own x labels would land on round
    // numbers between groups.
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(RGBColor(242, 242, 242))
        .x_labels(0)
        .y_desc(b.y_desc.as_str())
        .draw()
        .map_err(plot_err(what))?;
    let label_style = ("sans-serif", 13)
        .into_font()
        .transform(FontTransform::Rotate90)
        .color(&BLACK);
    for (i, g) in b.groups.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        root.draw(&Text::new(g.clone(), (px - 7, py + 6), label_style.clone()))
            .map_err(plot_err(what))?;
    }
    let k = b.series.len().max(1) as f64;
    let width = 0.8 / k;
    for (si, name) in b.series.iter().enumerate() {
        let color = COLORS[si % COLORS.len()];
        let bars: Vec<(f64, f64, f64)> = b.values[si]
            .iter()
            .enumerate()
            .filter_map(|(gi, v)| {
                v.map(|(y, _)| {
                    let x0 = gi as f64 + 0.1 + si as f64 * width;
                    (x0, x0 + width, y)
                })
            })
            .collect();
        chart
            .draw_series(
                bars.iter()
                    .map(|&(x0, x1, y)| Rectangle::new([(x0, 0.0), (x1, y)], color.filled())),
            )
            .map_err(plot_err(what))?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
        let whiskers: Vec<(f64, f64, f64)> = b.values[si]
            .iter()
            .enumerate()
            .filter_map(|(gi, v)| {
                v.and_then(|(_, iv)| iv)
                    .map(|(lo, hi)| (gi as f64 + 0.1 + (si as f64 + 0.5) * width, lo, hi))
            })
            .collect();
        let cap = width * 0.25;
        chart
            .draw_series(whiskers.iter().flat_map(|&(x, lo, hi)| {
                [
                    PathElement::new(vec![(x, lo), (x, hi)], BLACK.stroke_width(1)),
                    PathElement::new(vec![(x - cap, lo), (x + cap, lo)], BLACK.stroke_width(1)),
                    PathElement::new(vec![(x - cap, hi), (x + cap, hi)], BLACK.stroke_width(1)),
                ]
            }))
            .map_err(plot_err(what))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(plot_err(what))?;
    root.present().map_err(plot_err(what))?;
    Ok(())
}

/// Writes `<stem>.svg` and `<stem>.png`.
fn render(out: &Path, stem: &str, b: &Bars) -> Result<()> {
    let w = (260 + 60 * b.groups.len() * b.series.len().max(1)).clamp(640, 2400) as u32;
    let size = (w, 520);
    let svg = out.join(format!("{stem}.svg"));
    draw(SVGBackend::new(&svg, size).into_drawing_area(), b, stem)?;
    let png = out.join(format!("{stem}.png"));
    draw(BitMapBackend::new(&png, size).into_drawing_area(), b, stem)?;
    Ok(())
}

/// File-name-safe form of a suite name (`bfcl:simple` → `bfcl-simple`).
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn pct(x: f64) -> String {
    format!("{:.1}", x * 100.0)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn run(args: ReportArgs) -> Result<()> {
    // Registering twice (a second report in one process) only replaces the same font.
    plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| anyhow!("the bundled DejaVu Sans font did not load"))?;
    let mut runs = Vec::new();
    let mut benches = Vec::new();
    for p in &args.results {
        match load_input(p)? {
            Input::Run(r) => runs.push(run_entry(&r)?),
            Input::Bench { path, rows } => benches.push(BenchEntry {
                label: path.display().to_string(),
                rows,
            }),
        }
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut md = String::from("# Thimble report\n\n");
    let mut html = String::from(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Thimble report</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}img{max-width:100%}</style></head><body>\n<h1>Thimble report</h1>\n",
    );

    let mut by_suite: BTreeMap<&str, Vec<&RunEntry>> = BTreeMap::new();
    for r in &runs {
        by_suite.entry(r.suite.as_str()).or_default().push(r);
    }
    for (suite, entries) in &by_suite {
        let mut groups: Vec<String> = Vec::new();
        for e in entries {
            for (g, _) in &e.groups {
                if !groups.contains(g) {
                    groups.push(g.clone());
                }
            }
        }
        let lookup = |e: &RunEntry, g: &str| e.groups.iter().find(|(n, _)| n == g).map(|x| x.1);
        let bars = Bars {
            title: format!("Accuracy on {suite} (Wilson 95% intervals)"),
            y_desc: "accuracy".into(),
            groups: groups.clone(),
            series: entries.iter().map(|e| e.label.clone()).collect(),
            values: entries
                .iter()
                .map(|e| {
                    groups
                        .iter()
                        .map(|g| {
                            lookup(e, g)
                                .filter(|c| c.den > 0)
                                .map(|c| (c.num as f64 / c.den as f64, Some(wilson(c.num, c.den))))
                        })
                        .collect()
                })
                .collect(),
            // Headroom above 100% keeps the legend off the tallest bars.
            y_max: 1.2,
        };
        let stem = format!("accuracy-{}", slug(suite));
        render(&args.out, &stem, &bars)?;
        let _ = writeln!(
            md,
            "## Accuracy: {suite}\n\n![accuracy on {suite}]({stem}.png)\n"
        );
        let _ = writeln!(
            html,
            "<h2>Accuracy: {}</h2>\n<img src=\"{stem}.svg\" alt=\"accuracy on {}\">",
            html_escape(suite),
            html_escape(suite)
        );
        md.push_str("| category |");
        html.push_str("<table><tr><th>category</th>");
        for e in entries {
            let _ = write!(md, " {} (% [95% CI], n) |", e.label.replace('|', "\\|"));
            let _ = write!(html, "<th>{}</th>", html_escape(&e.label));
        }
        md.push_str("\n|---|");
        md.push_str(&"---:|".repeat(entries.len()));
        md.push('\n');
        html.push_str("</tr>\n");
        for g in &groups {
            let _ = write!(md, "| {} |", g.replace('|', "\\|"));
            let _ = write!(html, "<tr><td>{}</td>", html_escape(g));
            for e in entries {
                let cell = lookup(e, g)
                    .map(|c| {
                        let (lo, hi) = wilson(c.num, c.den);
                        let v = if c.den > 0 {
                            c.num as f64 / c.den as f64
                        } else {
                            0.0
                        };
                        format!("{} [{}, {}], {}", pct(v), pct(lo), pct(hi), c.den)
                    })
                    .unwrap_or_else(|| "–".into());
                let _ = write!(md, " {cell} |");
                let _ = write!(html, "<td>{}</td>", html_escape(&cell));
            }
            md.push('\n');
            html.push_str("</tr>\n");
        }
        md.push('\n');
        html.push_str("</table>\n");
    }

    if !benches.is_empty() {
        let mut keys: Vec<(String, usize)> = Vec::new();
        for b in &benches {
            for r in &b.rows {
                let k = (r.backend.clone(), r.threads);
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        let groups: Vec<String> = keys.iter().map(|(b, t)| format!("{b} x{t}")).collect();
        for (metric, title) in [
            ("decode_tok_s", "Decode tokens/s (median)"),
            ("prefill_tok_s", "Prefill tokens/s (median)"),
        ] {
            let get = |r: &BenchRow| {
                if metric == "decode_tok_s" {
                    r.decode_tok_s
                } else {
                    r.prefill_tok_s
                }
            };
            let values: Vec<Vec<Bar>> = benches
                .iter()
                .map(|b| {
                    keys.iter()
                        .map(|(be, t)| {
                            b.rows
                                .iter()
                                .find(|r| &r.backend == be && r.threads == *t)
                                .map(|r| (get(r), None))
                        })
                        .collect()
                })
                .collect();
            let y_max = values
                .iter()
                .flatten()
                .flatten()
                .map(|v| v.0)
                .fold(0.0, f64::max)
                .max(1.0)
                * 1.15;
            let bars = Bars {
                title: title.into(),
                y_desc: "tokens/s".into(),
                groups: groups.clone(),
                series: benches.iter().map(|b| b.label.clone()).collect(),
                values,
                y_max,
            };
            let stem = format!("throughput-{}", metric.trim_end_matches("_tok_s"));
            render(&args.out, &stem, &bars)?;
            let _ = writeln!(md, "## {title}\n\n![{title}]({stem}.png)\n");
            let _ = writeln!(
                html,
                "<h2>{title}</h2>\n<img src=\"{stem}.svg\" alt=\"{title}\">"
            );
            md.push_str("| backend x threads |");
            html.push_str("<table><tr><th>backend x threads</th>");
            for b in &benches {
                let _ = write!(md, " {} |", b.label.replace('|', "\\|"));
                let _ = write!(html, "<th>{}</th>", html_escape(&b.label));
            }
            md.push_str("\n|---|");
            md.push_str(&"---:|".repeat(benches.len()));
            md.push('\n');
            html.push_str("</tr>\n");
            for (gi, g) in groups.iter().enumerate() {
                let _ = write!(md, "| {g} |");
                let _ = write!(html, "<tr><td>{}</td>", html_escape(g));
                for s in &bars.values {
                    let cell = s[gi].map_or("–".into(), |v| format!("{:.1}", v.0));
                    let _ = write!(md, " {cell} |");
                    let _ = write!(html, "<td>{cell}</td>");
                }
                md.push('\n');
                html.push_str("</tr>\n");
            }
            md.push('\n');
            html.push_str("</table>\n");
        }
    }
    html.push_str("</body></html>\n");
    for (name, text) in [("report.md", &md), ("index.html", &html)] {
        let p = args.out.join(name);
        std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?;
    }
    println!("report -> {}", args.out.join("index.html").display());
    Ok(())
}
