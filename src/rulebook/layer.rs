//! Layering a rulebook over another (`extends`): a province's rules over the national file.
//!
//! An overriding file names its base in `[rulebook] extends` (a built-in name or a path
//! relative to the overriding file) and then only says what changes:
//!
//! * `[rulebook]` fields it gives replace the base's; `sources` are added to the base's;
//! * `[params]` entries replace or add parameters by name;
//! * `[rounding]`, `[missing]`, `[defaults]`, `[total]`, `[exams]`, `[training]` fields it gives
//!   replace the base's;
//! * `[[outcome]]` and `[[grade]]` entries replace the base's entry with the same id in place,
//!   or are added at the end;
//! * `[[patch]]` entries change fields of existing nodes by id (e.g. a weight or a target);
//! * `[[node]]` entries add new nodes (an id the base already has is an error: patch it);
//! * `remove = [ids]` drops nodes with their subtrees.
//!
//! The result is checked like any rulebook, so a patch that breaks a grade condition is reported.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::error::{Problems, RulebookError};
use super::load::{parse_file, read_text, Format};
use super::model::{NodeSpec, RulebookFile};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Deepest chain of `extends` followed.
pub const MAX_EXTENDS_DEPTH: usize = 8;

/// Where a rulebook file came from, to resolve a relative `extends`.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// A file on disk.
    Path(PathBuf),
    /// A built-in rulebook.
    Builtin(String),
    /// Text without a file (relative paths resolve against the working directory).
    Text,
}

/// Resolve `extends` chains: return the file with every base merged in.
pub(crate) fn resolve(
    file: RulebookFile,
    origin: &Origin,
    seen: &mut Vec<String>,
) -> Result<RulebookFile, RulebookError> {
    let Some(base_name) = file.rulebook.extends.clone() else {
        return Ok(file);
    };
    let me = match origin {
        Origin::Path(p) => p.display().to_string(),
        Origin::Builtin(b) => format!("builtin:{b}"),
        Origin::Text => "<text>".into(),
    };
    let err = |msg: String| RulebookError::single(Some(me.clone()), "rulebook.extends", None, msg);
    if seen.len() >= MAX_EXTENDS_DEPTH {
        return Err(err(format!(
            "extends is nested deeper than {MAX_EXTENDS_DEPTH} files"
        )));
    }
    let (base_file, base_origin, key) = if let Some(b) = super::builtin::find(&base_name) {
        let f = parse_file(b.text, Format::Toml, Some(&format!("builtin:{}", b.name)))?;
        (
            f,
            Origin::Builtin(b.name.to_string()),
            format!("builtin:{}", b.name),
        )
    } else {
        let path = match origin {
            Origin::Path(p) => p.parent().unwrap_or(Path::new(".")).join(&base_name),
            _ => PathBuf::from(&base_name),
        };
        let format = Format::from_path(&path).ok_or_else(|| {
            err(format!(
                "{base_name:?} is neither a built-in rulebook ({}) nor a .toml / .json file",
                super::Rulebook::builtin_names().join(", ")
            ))
        })?;
        let name = path.display().to_string();
        let text = read_text(&path).map_err(|m| err(format!("cannot read {name:?}: {m}")))?;
        let key = std::fs::canonicalize(&path)
            .map(|p| p.display().to_string())
            .unwrap_or(name.clone());
        (
            parse_file(&text, format, Some(&name))?,
            Origin::Path(path),
            key,
        )
    };
    if seen.contains(&key) {
        return Err(err(format!("extends forms a cycle through {key}")));
    }
    seen.push(key);
    let base = resolve(base_file, &base_origin, seen)?;
    // Bound what merging walks before it walks it (grades and outcomes are matched by id).
    use super::compile::{MAX_GRADES, MAX_NODES, MAX_OUTCOMES};
    for (what, n, max) in [
        ("grade", base.grades.len() + file.grades.len(), MAX_GRADES),
        (
            "outcome",
            base.outcomes.len() + file.outcomes.len(),
            MAX_OUTCOMES,
        ),
        (
            "node",
            base.nodes.len() + file.nodes.len() + file.patches.len() + file.remove.len(),
            MAX_NODES,
        ),
    ] {
        if n > max {
            return Err(RulebookError::single(
                Some(me),
                what,
                None,
                format!("the layered rulebook has more than {max} {what} entries"),
            ));
        }
    }
    merge(base, file).map_err(|p| p.into_error(Some(me)))
}

fn merge_json<T: serde::Serialize + serde::de::DeserializeOwned>(
    base: Option<T>,
    over: Option<T>,
    what: &str,
    p: &mut Problems,
) -> Option<T> {
    let (Some(b), Some(o)) = (&base, &over) else {
        return over.or(base);
    };
    let (Ok(Value::Object(mut b)), Ok(Value::Object(o))) =
        (serde_json::to_value(b), serde_json::to_value(o))
    else {
        return over;
    };
    b.extend(o);
    match serde_json::from_value(Value::Object(b)) {
        Ok(v) => Some(v),
        Err(e) => {
            p.push(what, None, e.to_string());
            over
        }
    }
}

/// Shallow merge of two optional tables: the override's fields replace the base's.
fn merge_tables(base: Option<Value>, over: Option<Value>) -> Option<Value> {
    match (base, over) {
        (Some(Value::Object(mut b)), Some(Value::Object(o))) => {
            b.extend(o);
            Some(Value::Object(b))
        }
        (b, None) => b,
        (_, o) => o,
    }
}

fn merge(mut base: RulebookFile, over: RulebookFile) -> Result<RulebookFile, Problems> {
    let mut p = Problems::default();
    // Metadata: given fields replace; sources add up.
    let m = over.rulebook;
    let bm = &mut base.rulebook;
    bm.id = m.id;
    bm.title = m.title;
    bm.extends = None;
    macro_rules! replace {
        ($($f:ident),*) => { $( if m.$f.is_some() { bm.$f = m.$f; } )* };
    }
    replace!(jurisdiction, edition, effective, version, description);
    if !m.tiers.is_empty() {
        bm.tiers = m.tiers;
    }
    bm.flags.extend(m.flags);
    bm.sources.extend(m.sources);

    base.rounding = merge_json(base.rounding, over.rounding, "rounding", &mut p);
    base.missing = merge_json(base.missing, over.missing, "missing", &mut p);
    base.defaults = merge_json(base.defaults, over.defaults, "defaults", &mut p);
    base.total = merge_json(base.total, over.total, "total", &mut p);
    base.params.extend(over.params);
    base.exams = merge_tables(base.exams, over.exams);
    base.training = merge_tables(base.training, over.training);

    for o in over.outcomes {
        match base.outcomes.iter_mut().find(|b| b.id == o.id) {
            Some(slot) => *slot = o,
            None => base.outcomes.push(o),
        }
    }
    for g in over.grades {
        match base.grades.iter_mut().find(|b| b.id == g.id) {
            Some(slot) => *slot = g,
            None => base.grades.push(g),
        }
    }

    // Removals (with subtrees), in time linear in the nodes whatever the tree's shape.
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut ids: HashSet<&str> = HashSet::new();
    for n in &base.nodes {
        ids.insert(n.id.as_str());
        if let Some(par) = &n.parent {
            children
                .entry(par.as_str())
                .or_default()
                .push(n.id.as_str());
        }
    }
    let mut drop: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<&str> = Vec::new();
    for (i, id) in over.remove.iter().enumerate() {
        if !ids.contains(id.as_str()) {
            p.push(
                format!("remove[{i}]"),
                Some(id),
                "no node with this id in the extended rulebook",
            );
        }
        if drop.insert(id.clone()) {
            todo.push(id.as_str());
        }
    }
    while let Some(id) = todo.pop() {
        for &c in children.get(id).map(Vec::as_slice).unwrap_or_default() {
            if drop.insert(c.to_string()) {
                todo.push(c);
            }
        }
    }
    std::mem::drop((children, ids));
    base.nodes.retain(|n| !drop.contains(&n.id));
    let mut index: HashMap<String, usize> = HashMap::new();
    for (k, n) in base.nodes.iter().enumerate() {
        index.entry(n.id.clone()).or_insert(k);
    }

    // Patches.
    for (i, patch) in over.patches.into_iter().enumerate() {
        let path = format!("patch[{i}]");
        let Some(id) = patch.get("id").and_then(Value::as_str).map(str::to_string) else {
            p.push(&path, None, "a patch needs the id of the node it changes");
            continue;
        };
        let Some(slot) = index.get(&id).and_then(|&k| base.nodes.get_mut(k)) else {
            p.push(
                &path,
                Some(&id),
                "no node with this id in the extended rulebook (add it with [[node]])",
            );
            continue;
        };
        let Ok(Value::Object(mut merged)) = serde_json::to_value(&*slot) else {
            continue;
        };
        merged.extend(patch);
        match serde_json::from_value::<NodeSpec>(Value::Object(merged)) {
            Ok(n) => *slot = n,
            Err(e) => p.push(&path, Some(&id), e.to_string()),
        }
    }

    // New nodes.
    for (i, n) in over.nodes.into_iter().enumerate() {
        if index.contains_key(&n.id) {
            p.push(
                format!("node[{i}]"),
                Some(&n.id),
                "the extended rulebook already has this id: change it with [[patch]]",
            );
            continue;
        }
        index.insert(n.id.clone(), base.nodes.len());
        base.nodes.push(n);
    }
    if p.is_empty() {
        Ok(base)
    } else {
        Err(p)
    }
}

/// What an overriding file itself says, by id, so that a problem found in the merged rulebook
/// points into the file where it was written: its `[[patch]]` or `[[node]]` entry, or the
/// extended rulebook.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    base: String,
    /// Node id → (patch index, fields the patch sets), in file order.
    patches: Vec<(String, usize, Vec<String>)>,
    nodes: HashMap<String, usize>,
    grades: HashMap<String, usize>,
    outcomes: HashMap<String, usize>,
}

impl Layout {
    /// The layout of a file that extends another; `None` for a file that does not.
    pub(crate) fn of(file: &RulebookFile) -> Option<Layout> {
        let base = file.rulebook.extends.clone()?;
        let index = |ids: Vec<&String>| -> HashMap<String, usize> {
            let mut m = HashMap::new();
            for (i, id) in ids.into_iter().enumerate() {
                m.entry(id.clone()).or_insert(i);
            }
            m
        };
        Some(Layout {
            base,
            patches: file
                .patches
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    let id = p.get("id")?.as_str()?.to_string();
                    Some((id, i, p.keys().filter(|k| *k != "id").cloned().collect()))
                })
                .collect(),
            nodes: index(file.nodes.iter().map(|n| &n.id).collect()),
            grades: index(file.grades.iter().map(|g| &g.id).collect()),
            outcomes: index(file.outcomes.iter().map(|o| &o.id).collect()),
        })
    }

    /// Point each problem of the merged rulebook at the overriding file's entry that wrote the
    /// value (`patch[3].target`, `node[0].title`, `grade[1].when[2]`), or say that it comes
    /// from the extended rulebook (`node[23].on_fail in the extended rulebook X`).
    pub(crate) fn relocate(&self, mut err: RulebookError) -> RulebookError {
        for p in &mut err.problems {
            let Some(id) = p.id.clone() else { continue };
            let Some((head, rest)) = split_entry(&p.path) else {
                continue;
            };
            let field = rest
                .trim_start_matches('.')
                .split(['.', '['])
                .next()
                .unwrap_or("");
            let own = match head {
                "node" => self
                    .nodes
                    .get(&id)
                    .map(|&j| format!("node[{j}]"))
                    .or_else(|| {
                        self.patches
                            .iter()
                            .rev()
                            .find(|(pid, _, keys)| {
                                *pid == id && (field.is_empty() || keys.iter().any(|k| k == field))
                            })
                            .map(|(_, j, _)| format!("patch[{j}]"))
                    }),
                "grade" => self.grades.get(&id).map(|&j| format!("grade[{j}]")),
                "outcome" => self.outcomes.get(&id).map(|&j| format!("outcome[{j}]")),
                _ => continue,
            };
            p.path = match own {
                Some(entry) => format!("{entry}{rest}"),
                None => format!("{} in the extended rulebook {}", p.path, self.base),
            };
        }
        err
    }
}

/// `node[12].bands[1].when` → (`node`, `.bands[1].when`).
fn split_entry(path: &str) -> Option<(&str, &str)> {
    let open = path.find('[')?;
    let close = open + path[open..].find(']')?;
    path[open + 1..close].parse::<usize>().ok()?;
    Some((&path[..open], &path[close + 1..]))
}
