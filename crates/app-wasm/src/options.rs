//! `Engine.create` options, validated at the edge.

use wasm_bindgen::JsValue;

use crate::EngineError;

/// Which graphics API the page asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    /// WebGPU when an adapter exists, else WebGL2.
    Auto,
    /// WebGPU only.
    WebGpu,
    /// WebGL2 only.
    WebGl2,
}

/// Parsed `Engine.create(canvas, options)` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreateOptions {
    /// `options.backend`.
    pub backend: BackendChoice,
    /// `options.present` (default true). `false` renders offscreen only, never touching the canvas's
    /// swap chain: for thumbnails, tests, and headless Chromium builds whose WebGPU canvas destroys the
    /// device on `getCurrentTexture()` (seen with Chromium 156 + SwiftShader; see README).
    pub present: bool,
}

impl CreateOptions {
    /// Reads `options` (undefined, null or an object). Unknown backend names are errors.
    pub fn from_js(options: &JsValue) -> Result<Self, EngineError> {
        if options.is_undefined() || options.is_null() {
            return Ok(Self {
                backend: BackendChoice::Auto,
                present: true,
            });
        }
        if !options.is_object() {
            return Err(EngineError::Options(
                "options must be an object, e.g. { backend: \"auto\" }".into(),
            ));
        }
        let backend = js_sys::Reflect::get(options, &JsValue::from_str("backend"))
            .map_err(|_| EngineError::Options("could not read options.backend".into()))?;
        let backend = if backend.is_undefined() {
            BackendChoice::Auto
        } else {
            match backend.as_string().as_deref() {
                Some("auto") => BackendChoice::Auto,
                Some("webgpu") => BackendChoice::WebGpu,
                Some("webgl2") => BackendChoice::WebGl2,
                _ => {
                    return Err(EngineError::Options(format!(
                        "options.backend must be \"auto\", \"webgpu\" or \"webgl2\", got {backend:?}"
                    )));
                }
            }
        };
        let present = js_sys::Reflect::get(options, &JsValue::from_str("present"))
            .map_err(|_| EngineError::Options("could not read options.present".into()))?;
        let present = if present.is_undefined() {
            true
        } else {
            present.as_bool().ok_or_else(|| {
                EngineError::Options(format!(
                    "options.present must be true or false, got {present:?}"
                ))
            })?
        };
        Ok(Self { backend, present })
    }
}
