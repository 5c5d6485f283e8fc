//! The shape rules of the code, checked by this module's tests (so by
//! `cargo test --workspace`, in `cargo xtask ci`; they read a few hundred
//! kB of source and take milliseconds):
//!
//! - no function of the runtime (`templates/src/runtime/`) is longer than
//!   [`MAX_FN_LINES`] lines, signature and closing brace included;
//! - the files of the runtime, of `xtask/src` and the top-level modules of
//!   `generator/src` import each other without a circle;
//! - no module of the generator imports from its `lib.rs` (the arrow runs
//!   from `lib.rs` down, never back up).
//!
//! The reading is textual, made for rustfmt-formatted code: a function ends
//! at the first `}` line at its own indentation; an import is a
//! `super::name` (runtime) or `crate::name` (xtask, generator) path outside
//! a comment or an inline `mod tests { .. }`, resolved through the root's
//! `pub use` lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result};

/// The longest function allowed in the runtime.
pub const MAX_FN_LINES: usize = 100;

/// A function and its length in lines.
#[derive(Debug, PartialEq, Eq)]
pub struct FnLength {
    pub name: String,
    /// 1-based line of `fn`.
    pub line: usize,
    pub lines: usize,
}

/// Every function with a body in `text` (methods, nested functions and
/// test functions included), with its length.
pub fn fn_lengths(text: &str) -> Vec<FnLength> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((indent, name)) = fn_start(line) else {
            continue;
        };
        // The signature ends at the line that opens the body (`{`) or ends
        // a declaration without one (`;`).
        let Some(open) = (i..lines.len()).find(|&j| {
            let t = lines[j].trim_end();
            t.ends_with('{') || t.ends_with(';') || t.ends_with("{}")
        }) else {
            continue;
        };
        let opened = lines[open].trim_end();
        if !opened.ends_with('{') {
            continue;
        }
        let closing = format!("{indent}}}");
        if let Some(end) = (open + 1..lines.len()).find(|&j| lines[j].trim_end() == closing) {
            out.push(FnLength {
                name: name.to_owned(),
                line: i + 1,
                lines: end - i + 1,
            });
        }
    }
    out
}

/// The indentation and name of a line that starts a function.
fn fn_start(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start();
    let indent = &line[..line.len() - rest.len()];
    if rest.starts_with("//") {
        return None;
    }
    let mut words = rest.split_whitespace().peekable();
    while let Some(word) = words.next() {
        match word {
            "pub" | "async" | "const" | "unsafe" | "extern" | "default" => continue,
            w if w.starts_with("pub(") => continue,
            "fn" => {
                let name = words.next()?;
                let end = name
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(name.len());
                return Some((indent, &name[..end]));
            }
            _ => return None,
        }
    }
    None
}

/// The first segments of the paths after `prefix::` in `line`:
/// `use super::{a::X, b};` gives `a` and `b`.
fn imported(line: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let needle = format!("{prefix}::");
    let mut rest = line;
    while let Some(at) = rest.find(&needle) {
        // `super::super::x` is read by the caller; here `super::` inside
        // another path (`self::super`) is not special.
        let after = &rest[at + needle.len()..];
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut first = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
                if c == ',' && depth == 1 {
                    if first && !item.is_empty() {
                        out.push(std::mem::take(&mut item));
                    }
                    first = true;
                    item.clear();
                    continue;
                }
                if first {
                    if c.is_alphanumeric() || c == '_' {
                        item.push(c);
                    } else if !item.is_empty() {
                        out.push(std::mem::take(&mut item));
                        first = false;
                    }
                }
            }
            if first && !item.is_empty() {
                out.push(item);
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
        rest = after;
    }
    out
}

/// The names a root file (`mod.rs`, `lib.rs`, `main.rs`) re-exports, and
/// the module each comes from: `pub use client::{Client, X};`.
fn reexports(root: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in root.lines() {
        let t = line.trim();
        let Some(rest) = t
            .strip_prefix("pub use ")
            .or_else(|| t.strip_prefix("pub(crate) use "))
            .or_else(|| t.strip_prefix("use "))
        else {
            continue;
        };
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        let items = items
            .trim_end_matches(';')
            .trim_matches(|c| c == '{' || c == '}');
        for item in items.split(',') {
            let last = item.trim().rsplit("::").next().unwrap_or_default();
            let name = last.split(" as ").last().unwrap_or(last).trim();
            if !name.is_empty() {
                out.insert(name.to_owned(), module.trim().to_owned());
            }
        }
    }
    out
}

/// The items a root file defines itself (`fn`, `struct`, `const`, ...).
fn defined_items(root: &str) -> BTreeSet<String> {
    let kinds = ["fn", "struct", "enum", "const", "static", "type", "trait"];
    root.lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with("//"))
        .filter_map(|l| {
            let mut words = l.split_whitespace().skip_while(|w| w.starts_with("pub"));
            let kind = words.next()?;
            let name = words.next()?;
            kinds.contains(&kind).then(|| {
                name.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect()
            })
        })
        .collect()
}

/// The module graph of a directory: each module (a file, or a top-level
/// folder) and the modules it imports; `ROOT` is the root file itself.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// Where an import resolves to the root file's own items.
pub const ROOT: &str = "(root)";

/// The import graph of the modules in `dir`, whose root file is `root`
/// (`mod.rs`, `lib.rs` or `main.rs`); paths start with `prefix` (`super`
/// for a module's files, `crate` for a crate's).
pub fn import_graph(dir: &Path, root: &str, prefix: &str) -> Result<Graph> {
    let root_text = std::fs::read_to_string(dir.join(root))
        .with_context(|| format!("reading {}", dir.join(root).display()))?;
    let reexported = reexports(&root_text);
    let defined = defined_items(&root_text);
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files)?;
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graph = Graph::new();
    for (module, path) in &files {
        if path.file_name().is_some_and(|n| n == root) && path.parent() == Some(dir) {
            continue;
        }
        let text = std::fs::read_to_string(path)?;
        let deps = graph.entry(module.clone()).or_default();
        let mut inline_mod = false;
        for line in text.lines() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            // A file's inline `mod tests { .. }` is not part of its layering.
            if line.starts_with("mod ") && line.trim_end().ends_with('{') {
                inline_mod = true;
            } else if inline_mod && line == "}" {
                inline_mod = false;
            }
            if inline_mod {
                continue;
            }
            for name in imported(line, prefix) {
                let target = if modules.contains(&name) {
                    name
                } else if let Some(module) = reexported.get(&name) {
                    module.clone()
                } else if defined.contains(&name) {
                    ROOT.to_owned()
                } else {
                    // Not a name of this crate: text of emitted code.
                    continue;
                };
                if &target != module {
                    deps.insert(target);
                }
            }
        }
    }
    Ok(graph)
}

/// `(module, file)` for every `.rs` file under `dir`: a file of `dir` is its
/// own module; a file in a folder belongs to the folder's module.
fn collect_files(
    dir: &Path,
    top: &Path,
    out: &mut Vec<(String, std::path::PathBuf)>,
) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, top, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(top)?;
            let first = rel
                .components()
                .next()
                .map(|c| c.as_os_str().to_string_lossy());
            let module = first
                .map(|f| f.trim_end_matches(".rs").to_owned())
                .unwrap_or_default();
            out.push((module, path));
        }
    }
    Ok(())
}

/// The circles of `graph`, each as the path that closes it (`a -> b -> a`).
pub fn circles(graph: &Graph) -> Vec<String> {
    let mut found = BTreeSet::new();
    for start in graph.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        while let Some((node, path)) = stack.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if next == start {
                    let mut circle = path.clone();
                    // One spelling per circle: rotated to its smallest module.
                    let min = (0..circle.len()).min_by_key(|&i| &circle[i]).unwrap_or(0);
                    circle.rotate_left(min);
                    let first = circle[0].clone();
                    circle.push(first);
                    found.insert(circle.join(" -> "));
                } else if !path.contains(next) && path.len() < 8 {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    found.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fn_lengths_count_signature_to_closing_brace() {
        let text = "fn a() {\n    x();\n}\n\nimpl T {\n    pub(crate) async fn b(\n        y: u8,\n    ) -> u8 {\n        if y {\n        }\n        y\n    }\n    fn decl(&self);\n    fn empty() {}\n}\n// fn c() {\n";
        assert_eq!(
            fn_lengths(text),
            [
                FnLength {
                    name: "a".into(),
                    line: 1,
                    lines: 3
                },
                FnLength {
                    name: "b".into(),
                    line: 6,
                    lines: 7
                },
            ]
        );
    }

    #[test]
    fn imports_are_read_from_paths_and_groups() {
        assert_eq!(
            imported("use super::{a::X, b, c::{D, E}};", "super"),
            ["a", "b", "c"]
        );
        assert_eq!(
            imported("let x = super::config::parse(v) + super::y;", "super"),
            ["config", "y"]
        );
        assert_eq!(
            reexports("pub use client::{Client, ResponseFuture};\npub(crate) use x::Y as Z;")
                .into_iter()
                .collect::<Vec<_>>(),
            [
                ("Client".to_owned(), "client".to_owned()),
                ("ResponseFuture".to_owned(), "client".to_owned()),
                ("Z".to_owned(), "x".to_owned()),
            ]
        );
    }

    #[test]
    fn circles_are_found_once_each() {
        let mut graph = Graph::new();
        for (a, b) in [("a", "b"), ("b", "a"), ("b", "c"), ("c", "d")] {
            graph.entry(a.into()).or_default().insert(b.into());
        }
        assert_eq!(circles(&graph), ["a -> b -> a"]);
    }

    #[test]
    fn no_runtime_function_is_longer_than_the_limit() {
        let dir = crate::root().join("templates/src/runtime");
        let mut long = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for f in fn_lengths(&text) {
                if f.lines > MAX_FN_LINES {
                    long.push(format!(
                        "{}:{}: `{}` has {} lines",
                        path.display(),
                        f.line,
                        f.name,
                        f.lines
                    ));
                }
            }
        }
        assert!(
            long.is_empty(),
            "functions over {MAX_FN_LINES} lines; split them into named steps:\n{}",
            long.join("\n")
        );
    }

    #[test]
    fn the_runtime_and_xtask_import_without_circles() {
        let root = crate::root();
        for (dir, file, prefix) in [
            ("templates/src/runtime", "mod.rs", "super"),
            ("xtask/src", "main.rs", "crate"),
        ] {
            let graph = import_graph(&root.join(dir), file, prefix).unwrap();
            assert!(graph.len() > 5, "{dir}: {graph:?}");
            assert_eq!(circles(&graph), Vec::<String>::new(), "{dir}");
        }
    }

    #[test]
    fn no_generator_module_imports_from_lib_rs() {
        let graph = import_graph(&crate::root().join("generator/src"), "lib.rs", "crate").unwrap();
        let up: Vec<&String> = graph
            .iter()
            .filter(|(_, deps)| deps.contains(ROOT))
            .map(|(module, _)| module)
            .collect();
        assert!(
            up.is_empty(),
            "these modules import an item defined in generator/src/lib.rs: {up:?}"
        );
        assert!(graph["emit"].contains("output"), "{:?}", graph["emit"]);
    }
}
