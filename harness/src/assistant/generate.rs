//! Example generation for each split, and writing the suite directory (JSONL files, catalogue,
//! manifest).
//!
//! Every split draws its kinds by exact quota and its examples from its own random stream, so a
//! split is the same whether generated alone or with others. `test` additionally avoids every
//! query of `dev`, which it regenerates internally (dev is fixed-size and cheap).

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::catalogue::{self, tool_doc, tools_conflict, ToolSpec, TOOLS};
use super::rng::Rng;
use super::templates::{self, Mood, Rendered};
use super::values::{self, Side};
use super::{
    validate_catalogue, AssistantError, Kind, Split, DEV_SIZE, GENERATOR_NAME, GENERATOR_VERSION,
    MAX_TRAIN_SIZE,
};
use crate::call::Call;

/// One JSONL line: a Needle-2-style example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteLine {
    pub id: String,
    pub category: String,
    pub kind: Kind,
    pub query: String,
    /// Tool documents with JSON Schema parameters.
    pub tools: Vec<Value>,
    /// Expected calls in query order; empty for `no_call`.
    pub answers: Vec<Call>,
}

/// Which phrasing of which tool produced part of a query (for disjointness checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhrasingRef {
    pub tool: &'static str,
    /// Index into the tool's `phrasings` or `eval_phrasings`.
    pub index: usize,
    /// Whether the phrasing is one of the tool's eval phrasings.
    pub eval: bool,
}

/// A generated example with its provenance.
#[derive(Debug, Clone)]
pub struct Generated {
    pub line: SuiteLine,
    /// Phrasings rendered into the query (for `no_call`, the out-of-reach request's).
    pub phrasings: Vec<PhrasingRef>,
    /// Index into `values::OUT_OF_SCOPE` when the query is a general out-of-scope request.
    pub out_of_scope: Option<usize>,
}

/// What `write_suite` writes.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub out: PathBuf,
    pub seed: u64,
    pub splits: Vec<Split>,
    pub train_size: usize,
}

/// One split's entry in `MANIFEST.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitEntry {
    pub split: String,
    pub file: String,
    pub examples: usize,
    pub sha256: String,
    /// Counts per kind (`single`, `distractors`, `parallel`, `no_call`).
    pub kinds: BTreeMap<String, usize>,
    pub categories: BTreeMap<String, usize>,
}

/// `MANIFEST.json`: provenance of a generated suite directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub generator_version: u32,
    pub seed: u64,
    pub catalogue: CatalogueEntry,
    pub splits: Vec<SplitEntry>,
}

/// `catalogue.json`'s entry in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    pub file: String,
    pub sha256: String,
    pub categories: usize,
    pub tools: usize,
    pub heldout_tools: usize,
}

/// Generates `size` examples of `split` for `seed`.
pub fn generate_split(
    seed: u64,
    split: Split,
    size: usize,
) -> Result<Vec<Generated>, AssistantError> {
    validate_catalogue()?;
    let mut seen: HashSet<String> = HashSet::new();
    if split == Split::Test {
        for g in generate_split(seed, Split::Dev, DEV_SIZE)? {
            seen.insert(g.line.query);
        }
    }
    let mut kind_rng = Rng::new(seed, &format!("{}/kinds", split.name()));
    let mut kinds: Vec<Kind> = Kind::quotas(size)
        .iter()
        .flat_map(|&(k, n)| std::iter::repeat_n(k, n))
        .collect();
    kind_rng.shuffle(&mut kinds);

    let mut ctx = Ctx::new(seed, split);
    let mut out = Vec::with_capacity(size);
    for (i, kind) in kinds.into_iter().enumerate() {
        let mut draft = ctx.draft(kind)?;
        // Unique queries where the value space allows; a tool with no parameters has only a
        // few dozen distinct requests, so after enough tries a repeat is accepted.
        for _ in 0..30 {
            if !seen.contains(&draft.query) {
                break;
            }
            draft = ctx.draft(kind)?;
        }
        seen.insert(draft.query.clone());
        out.push(Generated {
            line: SuiteLine {
                id: format!("{}-{:05}", split.name(), i + 1),
                category: draft.category,
                kind,
                query: draft.query,
                tools: draft.offered.iter().map(|&t| ctx.docs[t].clone()).collect(),
                answers: draft.answers,
            },
            phrasings: draft.phrasings,
            out_of_scope: draft.out_of_scope,
        });
    }
    Ok(out)
}

/// An example before it gets an id.
struct Draft {
    category: String,
    query: String,
    offered: Vec<usize>,
    answers: Vec<Call>,
    phrasings: Vec<PhrasingRef>,
    out_of_scope: Option<usize>,
}

/// Per-split generation state: which tools play which roles and where values come from.
struct Ctx {
    split: Split,
    side: Side,
    rng: Rng,
    docs: Vec<Value>,
    /// Tools an example is about.
    targets: Vec<usize>,
    /// Categories of `targets`, each once, in catalogue order.
    target_categories: Vec<&'static str>,
    /// Tools that may be offered or asked for besides the target.
    others: Vec<usize>,
}

impl Ctx {
    fn new(seed: u64, split: Split) -> Ctx {
        let heldout_split = split == Split::HeldoutTools;
        let targets: Vec<usize> = (0..TOOLS.len())
            .filter(|&i| TOOLS[i].heldout == heldout_split)
            .collect();
        let others: Vec<usize> = (0..TOOLS.len())
            .filter(|&i| heldout_split || !TOOLS[i].heldout)
            .collect();
        let mut target_categories: Vec<&'static str> = Vec::new();
        for &t in &targets {
            if !target_categories.contains(&TOOLS[t].category) {
                target_categories.push(TOOLS[t].category);
            }
        }
        Ctx {
            split,
            side: if split == Split::Train {
                Side::Train
            } else {
                Side::Eval
            },
            rng: Rng::new(seed, &format!("{}/examples", split.name())),
            docs: TOOLS.iter().map(tool_doc).collect(),
            targets,
            target_categories,
            others,
        }
    }

    /// The phrasings this split may render for `tool`, each with its reference.
    fn phrasings(&self, tool: usize) -> Vec<(PhrasingRef, &'static str)> {
        let t = &TOOLS[tool];
        let train = t.phrasings.iter().enumerate().map(|(index, s)| {
            (
                PhrasingRef {
                    tool: t.name,
                    index,
                    eval: false,
                },
                *s,
            )
        });
        let eval = t.eval_phrasings.iter().enumerate().map(|(index, s)| {
            (
                PhrasingRef {
                    tool: t.name,
                    index,
                    eval: true,
                },
                *s,
            )
        });
        match self.split {
            Split::Train => train.collect(),
            Split::Dev | Split::Test => eval.collect(),
            // A held-out tool was never phrased in train, so all its phrasings are unseen.
            Split::HeldoutTools if t.heldout => train.chain(eval).collect(),
            Split::HeldoutTools => eval.collect(),
        }
    }

    /// A target tool: category first, then tool, so small categories are not drowned out.
    fn pick_target(&mut self) -> usize {
        let cat = *self.rng.pick(&self.target_categories);
        let in_cat: Vec<usize> = self
            .targets
            .iter()
            .copied()
            .filter(|&t| TOOLS[t].category == cat)
            .collect();
        *self.rng.pick(&in_cat)
    }

    fn render(&mut self, tool: usize) -> Result<(Rendered, PhrasingRef), AssistantError> {
        let options = self.phrasings(tool);
        let (r, template) = *self.rng.pick(&options);
        let rendered = templates::render(&TOOLS[tool], template, self.side, &mut self.rng)?;
        Ok((rendered, r))
    }

    fn call(tool: usize, r: &Rendered) -> Call {
        Call::new(TOOLS[tool].name, r.arguments.clone())
    }

    /// `n` distinct tools from `pool` that are not in `exclude`, in random order.
    fn sample(&mut self, pool: &[usize], exclude: &[usize], n: usize) -> Vec<usize> {
        let mut candidates: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|t| !exclude.contains(t))
            .collect();
        self.rng.shuffle(&mut candidates);
        candidates.truncate(n);
        candidates
    }

    fn draft(&mut self, kind: Kind) -> Result<Draft, AssistantError> {
        match kind {
            Kind::Single => self.single(),
            Kind::Distractors => self.distractors(),
            Kind::Parallel => self.parallel(),
            Kind::NoCall => self.no_call(),
        }
    }

    fn single(&mut self) -> Result<Draft, AssistantError> {
        let t = self.pick_target();
        let (r, pref) = self.render(t)?;
        Ok(Draft {
            category: TOOLS[t].category.to_string(),
            query: templates::wrap_single(&r, &mut self.rng),
            offered: vec![t],
            answers: vec![Self::call(t, &r)],
            phrasings: vec![pref],
            out_of_scope: None,
        })
    }

    fn distractors(&mut self) -> Result<Draft, AssistantError> {
        let t = self.pick_target();
        let (r, pref) = self.render(t)?;
        let k = self.rng.range(1, 8) as usize;
        // Half the time, lead with tools of the same category: the near misses are the test.
        let same: Vec<usize> = self
            .others
            .iter()
            .copied()
            .filter(|&o| o != t && TOOLS[o].category == TOOLS[t].category)
            .collect();
        let mut offered = vec![t];
        if self.rng.chance(1, 2) {
            let n = self.rng.range(1, k as i64) as usize;
            offered.extend(self.sample(&same, &offered.clone(), n));
        }
        let remaining = k + 1 - offered.len();
        let pool = self.others.clone();
        offered.extend(self.sample(&pool, &offered.clone(), remaining));
        self.rng.shuffle(&mut offered);
        Ok(Draft {
            category: TOOLS[t].category.to_string(),
            query: templates::wrap_single(&r, &mut self.rng),
            offered,
            answers: vec![Self::call(t, &r)],
            phrasings: vec![pref],
            out_of_scope: None,
        })
    }

    fn parallel(&mut self) -> Result<Draft, AssistantError> {
        // A draw fails when two parts end in free text or a repeated tool repeats its values;
        // with 66 tools a fresh draw nearly always succeeds.
        for _ in 0..100 {
            if let Some(d) = self.try_parallel()? {
                return Ok(d);
            }
        }
        Err(AssistantError::Catalogue(
            "could not compose a parallel request in 100 draws".into(),
        ))
    }

    fn try_parallel(&mut self) -> Result<Option<Draft>, AssistantError> {
        let n = if self.rng.chance(3, 10) { 3 } else { 2 };
        let first = self.pick_target();
        let same_tool = !TOOLS[first].params.is_empty() && self.rng.chance(3, 20);
        let tools: Vec<usize> = if same_tool {
            vec![first, first]
        } else {
            // In train/dev/test `others` equals the targets; in heldout-tools it adds the
            // trained tools, so a held-out call may sit next to familiar ones.
            let pool = self.others.clone();
            let mut ts = vec![first];
            ts.extend(self.sample(&pool, &[first], n - 1));
            ts
        };
        let mut parts: Vec<(usize, Rendered, PhrasingRef)> = Vec::new();
        for &t in &tools {
            let (mut r, mut pref) = self.render(t)?;
            // Only one part may end in free text, and it goes last; retry other phrasings.
            let open_so_far = parts.iter().any(|(_, p, _)| p.open_end);
            for _ in 0..10 {
                if !(r.open_end && open_so_far) {
                    break;
                }
                (r, pref) = self.render(t)?;
            }
            if r.open_end && open_so_far {
                return Ok(None);
            }
            parts.push((t, r, pref));
        }
        if same_tool && parts[0].1.arguments == parts[1].1.arguments {
            return Ok(None);
        }
        self.rng.shuffle(&mut parts);
        parts.sort_by_key(|(_, r, _)| r.open_end);
        let rendered: Vec<Rendered> = parts.iter().map(|(_, r, _)| r.clone()).collect();
        let query = templates::wrap_parallel(&rendered, &mut self.rng);
        let mut offered: Vec<usize> = Vec::new();
        for (t, _, _) in &parts {
            if !offered.contains(t) {
                offered.push(*t);
            }
        }
        let extra = self.rng.range(0, 2) as usize;
        let pool = self.others.clone();
        offered.extend(self.sample(&pool, &offered.clone(), extra));
        self.rng.shuffle(&mut offered);
        Ok(Some(Draft {
            category: TOOLS[parts[0].0].category.to_string(),
            query,
            offered,
            answers: parts.iter().map(|(t, r, _)| Self::call(*t, r)).collect(),
            phrasings: parts.iter().map(|(_, _, p)| *p).collect(),
            out_of_scope: None,
        }))
    }

    fn no_call(&mut self) -> Result<Draft, AssistantError> {
        let m = self.rng.range(1, 5) as usize;
        // In heldout-tools the offered set always shows at least one held-out tool.
        let anchor = (self.split == Split::HeldoutTools).then(|| self.pick_target());
        if self.rng.chance(7, 20) {
            let idx = values::pick_index(values::OUT_OF_SCOPE, self.side, &mut self.rng);
            let text = values::expand(values::OUT_OF_SCOPE[idx], self.side, &mut self.rng);
            let mood = if text.ends_with('?') {
                Mood::Question
            } else {
                Mood::Imperative
            };
            let r = Rendered {
                text,
                arguments: Map::new(),
                mood,
                open_end: false,
                starts_with_value: false,
            };
            let mut offered: Vec<usize> = anchor.into_iter().collect();
            let pool = self.others.clone();
            let n = m - offered.len();
            offered.extend(self.sample(&pool, &offered.clone(), n));
            self.rng.shuffle(&mut offered);
            return Ok(Draft {
                category: "out_of_scope".to_string(),
                query: templates::wrap_single(&r, &mut self.rng),
                offered,
                answers: Vec::new(),
                phrasings: Vec::new(),
                out_of_scope: Some(idx),
            });
        }
        // A request for a tool that is not offered, next to tools that cannot serve it.
        let q = match anchor {
            Some(a) => {
                let pool: Vec<usize> = self
                    .others
                    .iter()
                    .copied()
                    .filter(|&o| !tools_conflict(&TOOLS[o], &TOOLS[a]))
                    .collect();
                *self.rng.pick(&pool)
            }
            None => self.pick_target(),
        };
        let (r, pref) = self.render(q)?;
        let fits = |o: usize| !tools_conflict(&TOOLS[o], &TOOLS[q]);
        let pool: Vec<usize> = self.others.iter().copied().filter(|&o| fits(o)).collect();
        let mut offered: Vec<usize> = anchor.into_iter().collect();
        let n = m - offered.len();
        offered.extend(self.sample(&pool, &offered.clone(), n));
        self.rng.shuffle(&mut offered);
        Ok(Draft {
            category: TOOLS[q].category.to_string(),
            query: templates::wrap_single(&r, &mut self.rng),
            offered,
            answers: Vec::new(),
            phrasings: vec![pref],
            out_of_scope: None,
        })
    }
}

/// `catalogue.json`: every tool with its category, held-out flag and document.
pub fn catalogue_json() -> Value {
    let categories: Vec<Value> = catalogue::CATEGORIES
        .iter()
        .map(|c| {
            let in_cat = TOOLS.iter().filter(|t| t.category == c.name);
            json!({
                "name": c.name,
                "description": c.description,
                "tools": in_cat.clone().count(),
                "heldout_tools": in_cat.filter(|t| t.heldout).count(),
            })
        })
        .collect();
    let tools: Vec<Value> = TOOLS
        .iter()
        .map(|t: &ToolSpec| {
            json!({
                "name": t.name,
                "category": t.category,
                "heldout": t.heldout,
                "train_phrasings": t.phrasings.len(),
                "eval_phrasings": t.eval_phrasings.len(),
                "tool": tool_doc(t),
            })
        })
        .collect();
    json!({
        "generator": GENERATOR_NAME,
        "generator_version": GENERATOR_VERSION,
        "categories": categories,
        "conflict_groups": catalogue::CONFLICT_GROUPS,
        "tools": tools,
    })
}

/// Generates the requested splits into `opts.out` with `catalogue.json` and `MANIFEST.json`.
pub fn write_suite(opts: &GenerateOptions) -> Result<Manifest, AssistantError> {
    if opts.splits.is_empty() {
        return Err(AssistantError::NoSplits);
    }
    if opts.splits.contains(&Split::Train) && !(1..=MAX_TRAIN_SIZE).contains(&opts.train_size) {
        return Err(AssistantError::TrainSize {
            got: opts.train_size,
            max: MAX_TRAIN_SIZE,
        });
    }
    validate_catalogue()?;
    prepare_dir(&opts.out)?;

    let mut cat_bytes = serde_json::to_vec_pretty(&catalogue_json())?;
    cat_bytes.push(b'\n');
    write_atomic(&opts.out.join("catalogue.json"), &cat_bytes)?;
    let catalogue = CatalogueEntry {
        file: "catalogue.json".into(),
        sha256: sha256_hex(&cat_bytes),
        categories: catalogue::CATEGORIES.len(),
        tools: TOOLS.len(),
        heldout_tools: TOOLS.iter().filter(|t| t.heldout).count(),
    };

    let mut splits = Vec::new();
    for &split in &opts.splits {
        let examples = generate_split(opts.seed, split, split.size(opts.train_size))?;
        let mut bytes = Vec::with_capacity(examples.len() * 2048);
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        let mut categories: BTreeMap<String, usize> = BTreeMap::new();
        for g in &examples {
            serde_json::to_writer(&mut bytes, &g.line)?;
            bytes.push(b'\n');
            *kinds.entry(g.line.kind.name().to_string()).or_default() += 1;
            *categories.entry(g.line.category.clone()).or_default() += 1;
        }
        let file = split.file_name();
        write_atomic(&opts.out.join(&file), &bytes)?;
        splits.push(SplitEntry {
            split: split.name().to_string(),
            file,
            examples: examples.len(),
            sha256: sha256_hex(&bytes),
            kinds,
            categories,
        });
    }

    let manifest = Manifest {
        generator: GENERATOR_NAME.to_string(),
        generator_version: GENERATOR_VERSION,
        seed: opts.seed,
        catalogue,
        splits,
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest)?;
    bytes.push(b'\n');
    write_atomic(&opts.out.join("MANIFEST.json"), &bytes)?;
    Ok(manifest)
}

/// Creates `dir` and proves it writable before any long generation starts.
fn prepare_dir(dir: &Path) -> Result<(), AssistantError> {
    if dir.exists() && !dir.is_dir() {
        return Err(AssistantError::NotADirectory(dir.to_path_buf()));
    }
    fs::create_dir_all(dir).map_err(|source| AssistantError::OutputDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let probe = dir.join(".thimble-write-probe");
    fs::write(&probe, b"").map_err(|source| AssistantError::NotWritable {
        path: dir.to_path_buf(),
        source,
    })?;
    // The probe only proves writability; failing to remove it is harmless.
    let _ = fs::remove_file(&probe);
    Ok(())
}

/// Writes via a temporary file and rename, so an interrupted run never leaves a truncated split.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AssistantError> {
    crate::atomic::write(path, bytes).map_err(|source| AssistantError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Lower-case hex sha256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
