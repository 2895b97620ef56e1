//! The crate's floors, checked on its source text (CLAUDE.md, "app-wasm floors"):
//! `api/` (the `#[wasm_bindgen] impl Engine` glue) → `engine.rs` → `state.rs` → leaves. Every
//! `crate::…` path in a file must point to a lower floor (leaves may use other leaves, without a
//! circle); only `api/` holds `#[wasm_bindgen] impl Engine` blocks, and no other file calls the JS
//! methods those blocks define. Also: no `Closure::forget` anywhere in the project (invariant 7).
//!
//! Each rule has a test that feeds it a violating file, so a checker that finds nothing fails.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // test code

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Source files by path relative to `src/` (`api/scene.rs`), with their text.
type Sources = BTreeMap<String, String>;

fn read_tree(root: &Path, dir: &Path, out: &mut Sources, extensions: &[&str]) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if !matches!(
                name.as_str(),
                "node_modules" | "target" | "pkg" | "pkg-webgl2" | "out"
            ) {
                read_tree(root, &path, out, extensions);
            }
        } else if extensions.iter().any(|e| name.ends_with(e)) {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

fn crate_sources() -> Sources {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Sources::new();
    read_tree(&src, &src, &mut out, &[".rs"]);
    out
}

/// The module a file is: `api/scene.rs` → `api`, `state.rs` → `state`.
fn module_of(file: &str) -> &str {
    file.split('/').next().unwrap().trim_end_matches(".rs")
}

/// 3 for `api/`, 2 for `engine`, 1 for `state`, 0 for leaves.
fn floor(module: &str) -> u8 {
    match module {
        "api" => 3,
        "engine" => 2,
        "state" => 1,
        _ => 0,
    }
}

/// `pub use module::Name` re-exports in lib.rs, so `crate::Name` maps to its module.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in lib.lines() {
        if let Some(rest) = line.trim().strip_prefix("pub use ")
            && let Some((module, name)) = rest.trim_end_matches(';').split_once("::")
        {
            map.insert(name.to_string(), module.to_string());
        }
    }
    map
}

/// Names after `crate::` in `text`: `crate::state::State` → `state`, `crate::{js, web}` → both.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let head = item.trim().split("::").next().unwrap_or("").trim();
                if !head.is_empty() && head != "self" {
                    names.insert(head.to_string());
                }
            }
        } else {
            let head: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.insert(head);
        }
    }
    names
}

/// Every floor violation in `sources` (lib.rs maps re-exported names to their modules).
fn floor_violations(sources: &Sources) -> Vec<String> {
    let lib = sources.get("lib.rs").map(String::as_str).unwrap_or("");
    let reexported = reexports(lib);
    let mut problems = Vec::new();
    let mut leaf_edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in sources {
        if file == "lib.rs" {
            continue;
        }
        let from = module_of(file);
        for name in crate_paths(text) {
            let to = reexported.get(&name).cloned().unwrap_or(name.clone());
            if to == from {
                continue;
            }
            let (floor_from, floor_to) = (floor(from), floor(&to));
            if floor_to > floor_from || (floor_to == floor_from && floor_from != 0) {
                problems.push(format!(
                    "{file} (floor {floor_from}) uses crate::{name} (module `{to}`, floor {floor_to}): imports must point to a lower floor"
                ));
            }
            if floor_from == 0 && floor_to == 0 {
                leaf_edges.entry(from.to_string()).or_default().insert(to);
            }
        }
    }
    // Leaves may use each other, but not in a circle.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        problems: &mut Vec<String>,
    ) {
        if let Some(start) = path.iter().position(|n| n == node) {
            problems.push(format!(
                "leaves import each other in a circle: {} -> {node}",
                path[start..].join(" -> ")
            ));
            return;
        }
        if !done.insert(node.to_string()) {
            return;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, path, done, problems);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for node in leaf_edges.keys() {
        visit(node, &leaf_edges, &mut Vec::new(), &mut done, &mut problems);
    }
    problems
}

/// The `pub fn` names inside `#[wasm_bindgen] impl Engine` blocks of `text`, and whether it has any.
fn js_methods(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut in_block = false;
    let mut previous = "";
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("impl Engine") {
            in_block = previous.starts_with("#[wasm_bindgen");
        } else if line.starts_with('}') {
            in_block = false;
        } else if in_block && let Some(rest) = trimmed.strip_prefix("pub ") {
            let rest = rest.trim_start_matches("async ");
            if let Some(rest) = rest.strip_prefix("fn ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.insert(name);
            }
        }
        if !trimmed.is_empty() {
            previous = trimmed;
        }
    }
    names
}

/// JS-facing `Engine` methods defined or called outside `api/`.
fn js_method_violations(sources: &Sources) -> Vec<String> {
    let mut api_methods = BTreeSet::new();
    let mut problems = Vec::new();
    for (file, text) in sources {
        let methods = js_methods(text);
        if file.starts_with("api/") {
            api_methods.extend(methods);
        } else if !methods.is_empty() {
            problems.push(format!(
                "{file} defines JS methods of Engine ({}): they belong in api/",
                methods.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for (file, text) in sources {
        if file.starts_with("api/") || file == "lib.rs" {
            continue;
        }
        // Comments may show the JS API (`engine.sync_receive(message)` in an example).
        let code: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let text = &code;
        for method in &api_methods {
            for receiver in ["engine.", "self.engine."] {
                if text.contains(&format!("{receiver}{method}(")) {
                    problems.push(format!(
                        "{file} calls Engine's JS method `{method}`: call the layer below instead"
                    ));
                }
            }
        }
        // Inside an `impl Engine` block below api/, `self` is the engine.
        if text.contains("impl Engine") {
            for method in &api_methods {
                if text.contains(&format!("self.{method}(")) && file == "engine.rs" {
                    problems.push(format!(
                        "{file} calls Engine's JS method `{method}` on self: call the layer below instead"
                    ));
                }
            }
        }
    }
    problems
}

/// `Closure::forget` or a `.forget()` call on a closure, anywhere in Rust or JS sources.
fn forget_violations(sources: &Sources) -> Vec<String> {
    sources
        .iter()
        .filter(|(_, text)| {
            text.lines().any(|line| {
                let code = line.split("//").next().unwrap_or("");
                code.contains("Closure::forget") || code.contains(".forget()")
            })
        })
        .map(|(file, _)| format!("{file} forgets a closure (CLAUDE.md invariant 7)"))
        .collect()
}

#[test]
fn app_wasm_imports_point_only_downward() {
    let sources = crate_sources();
    assert!(sources.contains_key("engine.rs") && sources.contains_key("state.rs"));
    assert!(sources.keys().any(|f| f.starts_with("api/")));
    let problems = floor_violations(&sources);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn only_api_holds_engine_js_methods() {
    let sources = crate_sources();
    let api: BTreeSet<String> = sources
        .iter()
        .filter(|(f, _)| f.starts_with("api/"))
        .flat_map(|(_, t)| js_methods(t))
        .collect();
    assert!(
        api.contains("render_frame") && api.contains("create"),
        "{api:?}"
    );
    let problems = js_method_violations(&sources);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_closure_is_forgotten_anywhere() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut sources = Sources::new();
    for dir in ["crates", "web", "tests", "packages", "bench", "fuzz"] {
        let dir = root.join(dir);
        if dir.is_dir() {
            read_tree(&root, &dir, &mut sources, &[".rs", ".js", ".mjs", ".ts"]);
        }
    }
    sources.remove("crates/app-wasm/tests/layers.rs"); // this file names what it looks for
    assert!(sources.len() > 50, "read only {} files", sources.len());
    let problems = forget_violations(&sources);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn sources(files: &[(&str, &str)]) -> Sources {
    files
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect()
}

#[test]
fn the_checks_find_what_they_look_for() {
    let lib = "pub use engine::Engine;\npub use error::EngineError;\n";
    let upward = sources(&[
        ("lib.rs", lib),
        ("presence.rs", "use crate::state::State;"),
        ("state.rs", "use crate::{EngineError, web};"),
        ("engine.rs", "use crate::state::State;"),
    ]);
    let problems = floor_violations(&upward);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("presence.rs"));
    let via_reexport = sources(&[("lib.rs", lib), ("state.rs", "fn f(e: &crate::Engine) {}")]);
    assert_eq!(floor_violations(&via_reexport).len(), 1);
    let circle = sources(&[
        ("lib.rs", lib),
        ("js.rs", "use crate::web;"),
        ("web.rs", "use crate::js::object;"),
    ]);
    assert!(
        floor_violations(&circle)
            .iter()
            .any(|p| p.contains("circle"))
    );

    let js = sources(&[
        (
            "api/view.rs",
            "#[wasm_bindgen]\nimpl Engine {\n    pub fn select(&self) {}\n}\n",
        ),
        (
            "presence.rs",
            "#[wasm_bindgen]\nimpl Engine {\n    pub fn peers(&self) {}\n}\n",
        ),
        (
            "engine.rs",
            "impl Engine {\n    fn f(&self) { self.select(); }\n}\n",
        ),
    ]);
    let problems = js_method_violations(&js);
    assert_eq!(problems.len(), 2, "{problems:?}");

    let forget = sources(&[
        ("a.rs", "closure.forget();"),
        ("b.rs", "// no .forget() here"),
    ]);
    assert_eq!(
        forget_violations(&forget),
        ["a.rs forgets a closure (CLAUDE.md invariant 7)"]
    );
}
