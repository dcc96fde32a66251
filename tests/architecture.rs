//! The shape of `src/`, checked from the code's own text: no import circles between files, and
//! HTTP handlers that stay thin. Run `cargo test --test architecture -- --nocapture` to see the
//! figures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Every library file under `src/` with its module path (`["http", "json"]`). `main.rs` is the
/// binary, a crate of its own on top of the library, so it is left out.
fn modules() -> BTreeMap<Vec<String>, PathBuf> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Vec<String>, PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let path = entry.path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                let mut next = prefix.to_vec();
                next.push(name);
                walk(&path, &next, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut module = prefix.to_vec();
                match name.as_str() {
                    "mod" => {}
                    "lib" if prefix.is_empty() => {}
                    "main" if prefix.is_empty() => continue,
                    _ => module.push(name),
                }
                out.insert(module, path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(Path::new(SRC), &[], &mut out);
    out
}

/// The code without comments and string literals, so a path in a doc comment is no import.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            // A char literal ('"', '\'', '{'), so its quote opens no string; a lifetime
            // ('static) is left as it is.
            '\'' => {
                let mut ahead = chars.clone();
                match (ahead.next(), ahead.next()) {
                    (Some('\\'), _) => {
                        chars.next();
                        chars.next();
                        for c in chars.by_ref() {
                            if c == '\'' {
                                break;
                            }
                        }
                        out.push_str("' '");
                    }
                    (Some(_), Some('\'')) => {
                        chars.next();
                        chars.next();
                        out.push_str("' '");
                    }
                    _ => out.push(c),
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if !escaped && c == '"' {
                        break;
                    }
                    escaped = !escaped && c == '\\';
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

/// Expands `use a::{b, c::{d, e}}` trees into whole paths.
fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head = format!("{prefix}{}", &tree[..open]);
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&head, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&head, &inner[start..], out);
    } else if !tree.is_empty() {
        let path = tree.split(" as ").next().unwrap_or(tree).trim();
        out.push(format!("{prefix}{path}"));
    }
}

/// Every path this file names that starts at `crate`, `super` or `self`, in `use` items and
/// in the code itself.
fn paths_named(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(end) = rest.find(';') {
            expand("", &rest[..end], &mut out);
        }
    }
    // `use crate::people;` then `people::store::find(..)`: the path through the imported name.
    let imported: BTreeMap<String, String> = out
        .iter()
        .filter_map(|p| Some((p.rsplit("::").next()?.to_string(), p.clone())))
        .collect();
    let bytes = code.as_bytes();
    let mut through = Vec::new();
    for (name, path) in &imported {
        let needle = format!("{name}::");
        let mut from = 0;
        while let Some(at) = code[from..].find(&needle) {
            let at = from + at;
            from = at + needle.len();
            if at > 0
                && (bytes[at - 1].is_ascii_alphanumeric()
                    || bytes[at - 1] == b'_'
                    || bytes[at - 1] == b':')
            {
                continue;
            }
            let end = code[from..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| from + e);
            through.push(format!("{path}::{}", &code[from..end]));
        }
    }
    out.extend(through);
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(start) {
            let at = from + at;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            out.push(code[at..end].to_string());
        }
    }
    out
}

/// The file a path leads to: the longest module prefix of it that is a file.
fn resolve(
    module: &[String],
    path: &str,
    files: &BTreeMap<Vec<String>, PathBuf>,
) -> Option<PathBuf> {
    let mut segments: Vec<String> = Vec::new();
    let mut parts = path.split("::").filter(|s| !s.is_empty()).peekable();
    match parts.peek().copied() {
        Some("crate") => {
            parts.next();
        }
        Some("super") => {
            // In `a/b.rs` (module a::b) `super` is `a`; in `a/b/mod.rs` (also a::b) it is `a`.
            segments = module.to_vec();
            while parts.peek() == Some(&"super") {
                parts.next();
                segments.pop();
            }
        }
        Some("self") => {
            parts.next();
            segments = module.to_vec();
        }
        _ => {
            // `use x::y` inside a module means a child module `x` when one exists.
            segments = module.to_vec();
            let first = parts.peek().copied()?;
            let mut child = segments.clone();
            child.push(first.to_string());
            if !files.contains_key(&child) {
                return None;
            }
        }
    }
    for part in parts {
        segments.push(part.to_string());
    }
    let n = (0..=segments.len())
        .rev()
        .find(|n| files.contains_key(&segments[..*n]))?;
    let file = &files[&segments[..n]];
    // A name a module re-exports (`pub use child::Name`) leads on to the file that defines it.
    if let Some(name) = segments.get(n) {
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        let mut reexports = Vec::new();
        for item in code.split("pub use ").skip(1) {
            if let Some(end) = item.find(';') {
                expand("", &item[..end], &mut reexports);
            }
        }
        if let Some(target) = reexports
            .iter()
            .find(|p| p.rsplit("::").next() == Some(name.as_str()))
        {
            if let Some(found) = resolve(&segments[..n], target, files) {
                return Some(found);
            }
        }
    }
    Some(file.clone())
}

fn import_graph() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let files = modules();
    let mut graph = BTreeMap::new();
    for (module, file) in &files {
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        // Unit tests sit at the end of a file, in a module of their own: not the structure.
        let code = code.split("#[cfg(test)]").next().unwrap_or("");
        let edges: BTreeSet<PathBuf> = paths_named(code)
            .iter()
            .filter_map(|p| resolve(module, p, &files))
            .filter(|target| target != file)
            .collect();
        graph.insert(file.clone(), edges);
    }
    graph
}

/// Strongly connected components of more than one file (Tarjan).
fn circles(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        found: Vec<Vec<PathBuf>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a PathBuf) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.clone());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.found
}

fn short(path: &Path) -> String {
    path.strip_prefix(SRC).unwrap_or(path).display().to_string()
}

#[test]
fn no_import_circles_between_files() {
    let graph = import_graph();
    let found = circles(&graph);
    let described: Vec<String> = found
        .iter()
        .map(|c| {
            let members: BTreeSet<&PathBuf> = c.iter().collect();
            let arrows: Vec<String> = c
                .iter()
                .flat_map(|from| {
                    graph[from]
                        .iter()
                        .filter(|to| members.contains(to))
                        .map(move |to| format!("  {} -> {}", short(from), short(to)))
                })
                .collect();
            format!("{} files:\n{}", c.len(), arrows.join("\n"))
        })
        .collect();
    println!(
        "{} files, {} import arrows, {} circles",
        graph.len(),
        graph.values().map(BTreeSet::len).sum::<usize>(),
        found.len()
    );
    assert!(
        found.is_empty(),
        "import circles:\n{}",
        described.join("\n")
    );
}

#[test]
fn the_checker_sees_a_circle_and_expands_use_trees() {
    let mut out = Vec::new();
    expand("", "crate::a::{b, c::{d, e as f}}", &mut out);
    assert_eq!(out, ["crate::a::b", "crate::a::c::d", "crate::a::c::e"]);
    let (a, b, c) = (PathBuf::from("a"), PathBuf::from("b"), PathBuf::from("c"));
    let graph = BTreeMap::from([
        (a.clone(), BTreeSet::from([b.clone()])),
        (b.clone(), BTreeSet::from([a.clone(), c.clone()])),
        (c.clone(), BTreeSet::new()),
    ]);
    assert_eq!(circles(&graph), vec![vec![a, b]]);
    assert_eq!(
        code_only("let x = \"crate::y\"; // crate::z\ncrate::w"),
        "let x = \"\"; \ncrate::w"
    );
}

/// The lines strictly between the braces of every `async fn` that carries a route attribute.
fn handler_bodies() -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for file in modules().values() {
        let text = std::fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut routed = false;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i].trim_start();
            if ["#[get(", "#[post(", "#[patch(", "#[put(", "#[delete("]
                .iter()
                .any(|a| line.starts_with(a))
            {
                routed = true;
            }
            if routed && line.starts_with("pub async fn") {
                let name = line["pub async fn ".len()..]
                    .split(['(', '<'])
                    .next()
                    .unwrap_or("")
                    .to_string();
                let open = (i..lines.len())
                    .find(|&j| lines[j].trim_end().ends_with('{'))
                    .unwrap();
                let close = (open + 1..lines.len()).find(|&j| lines[j] == "}").unwrap();
                out.push((format!("{}::{name}", short(file)), close - open - 1));
                routed = false;
                i = close;
            }
            i += 1;
        }
    }
    out
}

#[test]
fn http_handlers_are_thin() {
    let mut bodies = handler_bodies();
    assert!(bodies.len() > 50, "found only {} handlers", bodies.len());
    bodies.sort_by_key(|(_, n)| *n);
    let median = bodies[bodies.len() / 2].1;
    let longest: Vec<String> = bodies
        .iter()
        .rev()
        .take(5)
        .map(|(name, n)| format!("{name} {n}"))
        .collect();
    println!(
        "{} handlers, median body {median} lines; longest: {}",
        bodies.len(),
        longest.join(", ")
    );
    assert!(median <= 6, "median handler body is {median} lines");
}
