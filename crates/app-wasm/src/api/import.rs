//! `import_gltf`: a glTF 2.0 file into the document, as ordinary nodes and shared assets, in one undo
//! step. The file is parsed by the importer module (loaded on the first import, `gltf_importer.rs`);
//! the promise resolves once the model is in the document and its images are decoded, so the next
//! frame draws it textured.

use app_core::NodeId;
use wasm_bindgen::prelude::*;

use crate::engine::Engine;
use crate::{EngineError, gltf_importer, import_options, js};

/// `{ roots, ignored }`.
fn result_object(roots: &[NodeId], ignored: &[String]) -> JsValue {
    let strings = |items: Vec<&str>| -> JsValue {
        items
            .into_iter()
            .map(JsValue::from)
            .collect::<js_sys::Array>()
            .into()
    };
    js::object(&[
        ("roots", strings(roots.iter().map(NodeId::as_str).collect())),
        (
            "ignored",
            strings(ignored.iter().map(String::as_str).collect()),
        ),
    ])
}

fn rejection(error: EngineError) -> JsValue {
    JsError::from(error).into()
}

#[wasm_bindgen]
impl Engine {
    /// Imports a glTF 2.0 file (GLB or JSON bytes, a `Uint8Array` or `ArrayBuffer`): `{ roots, ignored }`. `options.resources` holds
    /// external buffers and images by URI, `options.parent` the node to import under. Rejects, adding
    /// nothing, when the file is malformed or hostile, naming the problem.
    pub fn import_gltf(&self, bytes: JsValue, options: JsValue) -> js_sys::Promise {
        let started = self.with(|state| {
            state.check_writable()?;
            Ok((
                import_options::bytes(&bytes)?,
                import_options::parse(&options)?,
            ))
        });
        let handle = self.handle();
        wasm_bindgen_futures::future_to_promise(async move {
            let (bytes, options) = started.map_err(JsValue::from)?;
            let model = gltf_importer::parse(&bytes, &options.resources_js, &options.resources)
                .await
                .map_err(rejection)?;
            let (result, decodes) = handle
                .with(|state| {
                    state.check_writable()?;
                    let roots = state.scene.import(&model, options.parent.as_deref())?;
                    // Draw it now: the renderer asks for the model's assets and its images start
                    // decoding.
                    let decodes = state.sync_renderer();
                    Ok((result_object(&roots, &model.ignored), decodes))
                })
                .map_err(JsValue::from)?;
            for decode in decodes {
                // A failed decode leaves that texture white; the import itself succeeded.
                let _ = decode.await;
            }
            Ok(result)
        })
    }
}
