//! `import_gltf`'s options: `{ resources?: { [uri]: Uint8Array | ArrayBuffer }, parent?: string }`,
//! validated before anything is parsed: an unknown key, a resource that is not bytes or a parent that
//! is not a string is an error naming it.

use std::collections::HashMap;

use wasm_bindgen::{JsCast, JsValue};

use crate::EngineError;

/// What `import_gltf` was asked to do besides the file itself.
#[derive(Debug)]
#[cfg_attr(feature = "importer", allow(dead_code))]
pub struct ImportOptions {
    /// External buffers and images by the URI the file names them with.
    pub resources: HashMap<String, Vec<u8>>,
    /// The node to import under.
    pub parent: Option<String>,
    /// `options.resources` as given (handed to the importer module).
    pub resources_js: JsValue,
}

/// The file's bytes: a `Uint8Array` (or any typed-array view) or an `ArrayBuffer`; anything else is an
/// error naming what was given.
#[cfg_attr(feature = "importer", allow(dead_code))]
pub fn bytes(value: &JsValue) -> Result<Vec<u8>, EngineError> {
    if let Some(array) = value.dyn_ref::<js_sys::Uint8Array>() {
        Ok(array.to_vec())
    } else if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(js_sys::Uint8Array::new(buffer).to_vec())
    } else if js_sys::ArrayBuffer::is_view(value) {
        let view: &js_sys::DataView = value.unchecked_ref();
        Ok(js_sys::Uint8Array::new_with_byte_offset_and_length(
            &view.buffer(),
            view.byte_offset() as u32,
            view.byte_length() as u32,
        )
        .to_vec())
    } else {
        Err(EngineError::Invalid(format!(
            "import_gltf: bytes must be a Uint8Array or ArrayBuffer holding a .glb or .gltf file, got {}",
            value.js_typeof().as_string().unwrap_or_default()
        )))
    }
}

/// `options.resources`: `{ uri: Uint8Array | ArrayBuffer }` (`undefined` or `null`: none).
pub fn resources(value: &JsValue) -> Result<HashMap<String, Vec<u8>>, EngineError> {
    let mut resources = HashMap::new();
    if value.is_undefined() || value.is_null() {
        return Ok(resources);
    }
    if !value.is_object() {
        return Err(invalid(
            "resources must be an object of { uri: Uint8Array }".into(),
        ));
    }
    let entries = js_sys::Object::entries(value.unchecked_ref::<js_sys::Object>());
    for entry in entries.iter() {
        let entry = js_sys::Array::from(&entry);
        let uri = entry.get(0).as_string().unwrap_or_default();
        let value = entry.get(1);
        let bytes = if let Some(array) = value.dyn_ref::<js_sys::Uint8Array>() {
            array.to_vec()
        } else if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
            js_sys::Uint8Array::new(buffer).to_vec()
        } else {
            return Err(invalid(format!(
                "resources[{uri:?}] must be a Uint8Array or ArrayBuffer"
            )));
        };
        resources.insert(uri, bytes);
    }
    Ok(resources)
}

fn invalid(problem: String) -> EngineError {
    EngineError::Invalid(format!("import_gltf options: {problem}"))
}

/// Reads `options` (`undefined` or `null`: none).
#[cfg_attr(feature = "importer", allow(dead_code))]
pub fn parse(options: &JsValue) -> Result<ImportOptions, EngineError> {
    let mut parsed = ImportOptions {
        resources: HashMap::new(),
        parent: None,
        resources_js: JsValue::UNDEFINED,
    };
    if options.is_undefined() || options.is_null() {
        return Ok(parsed);
    }
    if !options.is_object() {
        return Err(invalid("must be an object".into()));
    }
    for key in js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if key != "resources" && key != "parent" {
            return Err(invalid(format!(
                "unknown option {key:?} (known: resources, parent)"
            )));
        }
    }
    let get = |key: &str| js_sys::Reflect::get(options, &JsValue::from_str(key)).ok();
    if let Some(parent) = get("parent").filter(|v| !v.is_undefined() && !v.is_null()) {
        parsed.parent = Some(
            parent
                .as_string()
                .ok_or_else(|| invalid("parent must be a node id (string)".into()))?,
        );
    }
    if let Some(resources) = get("resources") {
        parsed.resources = self::resources(&resources)?;
        parsed.resources_js = resources;
    }
    Ok(parsed)
}
