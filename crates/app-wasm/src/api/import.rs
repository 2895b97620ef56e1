//! `import_gltf`: a glTF 2.0 file into the document, as ordinary nodes and shared assets, in one undo
//! step. The promise resolves once the model's images are decoded, so the next frame draws it
//! textured.

use wasm_bindgen::prelude::*;

use crate::engine::Engine;
use crate::{EngineError, import_options, js};

#[wasm_bindgen]
impl Engine {
    /// Imports a glTF 2.0 file (GLB or JSON bytes): `{ roots, ignored }`. `options.resources` holds
    /// external buffers and images by URI, `options.parent` the node to import under. Rejects, adding
    /// nothing, when the file is malformed or hostile, naming the problem.
    pub fn import_gltf(&self, bytes: &[u8], options: JsValue) -> js_sys::Promise {
        let started = self.with(|state| {
            state.check_writable()?;
            let options = import_options::parse(&options)?;
            let model = app_gltf::import(bytes, &options.resources)
                .map_err(|e| EngineError::Invalid(format!("import_gltf: {e}")))?;
            let roots = state.scene.import(&model, options.parent.as_deref())?;
            // Draw it now: the renderer asks for the model's assets and its images start decoding.
            let decodes = state.sync_renderer();
            let result = js::object(&[
                (
                    "roots",
                    roots
                        .iter()
                        .map(|id| JsValue::from(id.as_str()))
                        .collect::<js_sys::Array>()
                        .into(),
                ),
                (
                    "ignored",
                    model
                        .ignored
                        .iter()
                        .map(|s| JsValue::from(s.as_str()))
                        .collect::<js_sys::Array>()
                        .into(),
                ),
            ]);
            Ok((result, decodes))
        });
        wasm_bindgen_futures::future_to_promise(async move {
            let (result, decodes) = started.map_err(JsValue::from)?;
            for decode in decodes {
                // A failed decode leaves that texture white; the import itself succeeded.
                let _ = decode.await;
            }
            Ok(result)
        })
    }
}
