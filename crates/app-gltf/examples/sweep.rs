//! Imports every `.gltf` / `.glb` under a directory, each with the files of its own directory as
//! `resources`, and prints one line per model: `OK`, `ERR` or `PANIC`, the glTF validator's error
//! count when a `<file>.report.json` lies beside it (`-` otherwise), the path, then what was imported
//! and noted, or the error. For sweeps over models from the field (exporters' outputs, the Khronos
//! validator's test files), which the repository does not carry:
//!
//! ```text
//! cargo run --release -p app-gltf --example sweep -- DIR          # as the files are
//! MESHES=1 cargo run --release -p app-gltf --example sweep -- DIR # every mesh of a node-less file on a node
//! ```
//!
//! `MESHES=1` puts each mesh of a `.gltf` that has meshes but no nodes on a node of its own, so that
//! test files made to exercise one mesh property reach the geometry code.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn models(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            models(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("gltf" | "glb" | "vrm")
        ) {
            out.push(path);
        }
    }
}

/// Every file under `dir` (up to 64 MiB each), keyed by its path relative to `base`.
fn resources(dir: &Path, base: &Path, map: &mut HashMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            resources(&path, base, map);
        } else if path.metadata().is_ok_and(|m| m.len() <= 64 << 20) {
            let key = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            map.insert(key, std::fs::read(&path).unwrap());
        }
    }
}

/// `bytes` with each mesh on a node of its own when the file has meshes and no nodes.
fn meshes_on_nodes(bytes: Vec<u8>) -> Option<Vec<u8>> {
    let mut doc: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let meshes = doc.get("meshes")?.as_array()?.len();
    if meshes == 0 || doc.get("nodes").is_some() {
        return None;
    }
    doc["nodes"] = (0..meshes)
        .map(|i| serde_json::json!({"mesh": i}))
        .collect();
    doc["scenes"] = serde_json::json!([{"nodes": (0..meshes).collect::<Vec<_>>()}]);
    doc["scene"] = serde_json::json!(0);
    serde_json::to_vec(&doc).ok()
}

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).expect("usage: sweep DIR"));
    let mut files = Vec::new();
    models(&root, &mut files);
    // A panic is reported as such on the model's line, not as a backtrace.
    std::panic::set_hook(Box::new(|_| {}));
    for file in files {
        let dir = file.parent().unwrap();
        let mut res = HashMap::new();
        resources(dir, dir, &mut res);
        let mut bytes = std::fs::read(&file).unwrap();
        if std::env::var_os("MESHES").is_some() {
            let Some(moved) = meshes_on_nodes(bytes) else {
                continue;
            };
            bytes = moved;
        }
        let report = std::fs::read_to_string(format!("{}.report.json", file.display())).ok();
        let validator_errors = report
            .as_deref()
            .and_then(|r| r.split("\"numErrors\":").nth(1))
            .and_then(|s| s.trim().split(|c: char| !c.is_ascii_digit()).next())
            .unwrap_or("-")
            .to_string();
        let started = std::time::Instant::now();
        let result = std::panic::catch_unwind(|| app_gltf::import(&bytes, &res));
        let ms = started.elapsed().as_millis();
        let name = file.strip_prefix(&root).unwrap().display();
        match result {
            Err(_) => println!("PANIC\t{validator_errors}\t{name}"),
            Ok(Ok(s)) => println!(
                "OK\t{validator_errors}\t{name}\t{} nodes, {} assets; {ms} ms; ignored: {:?}",
                s.nodes.len(),
                s.assets.len(),
                s.ignored
            ),
            Ok(Err(e)) => println!("ERR\t{validator_errors}\t{name}\t{e}"),
        }
    }
}
