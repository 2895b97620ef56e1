//! The glTF importer module: what app-wasm compiles to with `--features importer` (`web/pkg-gltf/`).
//! It exports one function and nothing of the engine; the engine loads it on its first
//! `import_gltf` (`gltf_importer.rs`). Leaf.

use wasm_bindgen::prelude::*;

use crate::import_options;

/// Parses a glTF 2.0 file (GLB or JSON) with `resources` (`{ uri: Uint8Array | ArrayBuffer }`) into
/// `ImportedScene` bytes; throws an `Error` naming the problem.
#[wasm_bindgen]
pub fn parse_gltf(bytes: &[u8], resources: JsValue) -> Result<Vec<u8>, JsError> {
    let resources = import_options::resources(&resources)?;
    let model = app_gltf::import(bytes, &resources).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(model.encode())
}
