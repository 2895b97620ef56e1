//! Where `import_gltf` parses files: the glTF importer is its own wasm module (`web/pkg-gltf/`, app-wasm
//! built with `--features importer`), about 120 KB gzip that a page which never imports never loads.
//! The first import loads it from beside the engine's own glue (or, where a bundler inlined that glue,
//! through the loader the npm package's `./gltf` registers as `globalThis.__yscene_gltf_importer`); it
//! stays loaded for the page.
//!
//! A model crosses between the modules as `ImportedScene` bytes (`ImportedScene::encode`); the engine
//! decodes them with bounds checks and `SceneDoc::import` validates the rest, so a broken importer
//! cannot corrupt the document. An application (or a test) that links `app-gltf` into its own wasm
//! can register it with [`use_in_process_importer`] instead. Leaf.

use std::cell::Cell;
use std::collections::HashMap;

use app_core::ImportedScene;
use wasm_bindgen::prelude::*;

use crate::EngineError;

#[wasm_bindgen(inline_js = r#"
let loading = null;
export function gltf_importer_load() {
  // A page (the npm package's `./gltf`) may have registered where the importer comes from: the only way
  // when a bundler inlined the engine's glue.
  const registered = globalThis.__yscene_gltf_importer;
  if (!loading && typeof registered === 'function') {
    loading = Promise.resolve().then(registered).then((m) => {
      if (typeof m?.parse_gltf !== 'function') throw new Error('the registered glTF importer has no parse_gltf');
      return m;
    });
    loading.catch(() => { loading = null; });
  }
  if (!loading) {
    // The engine's glue sits two folders up from this snippet (snippets/<crate>/inline0.js), and the
    // importer's bundle beside the engine's bundle folder (pkg-gltf next to pkg and pkg-webgl2).
    if (!/\/snippets\/[^/]+\/inline\d+\.js$/.test(import.meta.url)) {
      return Promise.reject(new Error("the engine was bundled, so the glTF importer module (pkg-gltf) cannot be found beside it: import '@yscene/engine/gltf' (or call its enableGltfImport()) to bundle it too"));
    }
    const glue = new URL('../../../pkg-gltf/app_wasm.js', import.meta.url);
    const wasm = new URL('../../../pkg-gltf/app_wasm_bg.wasm', import.meta.url);
    loading = import(glue.href).then(async (m) => {
      await m.default({ module_or_path: wasm });
      if (typeof m.parse_gltf !== 'function') throw new Error('no parse_gltf in ' + glue.pathname);
      return m;
    });
    loading.catch(() => { loading = null; });
  }
  return loading;
}
export function gltf_importer_parse(m, bytes, resources) { return m.parse_gltf(bytes, resources); }
export function gltf_importer_message(error) { return String(error && error.message !== undefined ? error.message : error); }
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn gltf_importer_load() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn gltf_importer_parse(
        module: &JsValue,
        bytes: &[u8],
        resources: &JsValue,
    ) -> Result<js_sys::Uint8Array, JsValue>;
    fn gltf_importer_message(error: &JsValue) -> String;
}

/// An importer linked into the page's own wasm (see the module docs).
pub type InProcessImporter = fn(&[u8], &HashMap<String, Vec<u8>>) -> Result<ImportedScene, String>;

thread_local! {
    static IN_PROCESS: Cell<Option<InProcessImporter>> = const { Cell::new(None) };
}

/// Makes every engine on this thread parse with `importer` instead of loading the importer module.
pub fn use_in_process_importer(importer: InProcessImporter) {
    IN_PROCESS.with(|slot| slot.set(Some(importer)));
}

/// Parses a glTF file (`resources` as given to `import_gltf`, already validated, and as the map).
pub async fn parse(
    bytes: &[u8],
    resources_js: &JsValue,
    resources: &HashMap<String, Vec<u8>>,
) -> Result<ImportedScene, EngineError> {
    let fail = |message: String| EngineError::Invalid(format!("import_gltf: {message}"));
    if let Some(importer) = IN_PROCESS.with(Cell::get) {
        return importer(bytes, resources).map_err(fail);
    }
    let module = gltf_importer_load().await.map_err(|e| {
        fail(format!(
            "the glTF importer module could not be loaded: {}",
            gltf_importer_message(&e)
        ))
    })?;
    let encoded = gltf_importer_parse(&module, bytes, resources_js)
        .map_err(|e| fail(gltf_importer_message(&e)))?;
    ImportedScene::decode(&encoded.to_vec())
        .map_err(|e| fail(format!("the importer module answered with bad bytes: {e}")))
}
