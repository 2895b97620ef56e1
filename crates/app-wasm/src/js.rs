//! Plain JavaScript objects built from engine values (`get_node`, `stats`).

use app_core::{Node, Shape};
use wasm_bindgen::JsValue;

use crate::EngineError;
use crate::state::State;

/// An object with the given properties. `Reflect.set` on a fresh plain object cannot fail.
fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in entries {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

fn array(values: &[f32]) -> JsValue {
    values
        .iter()
        .map(|v| JsValue::from(f64::from(*v)))
        .collect::<js_sys::Array>()
        .into()
}

/// `{ id, kind, name, position, radius | extents | size, color, metallic, roughness, visible }`.
pub fn node_object(node: &Node) -> JsValue {
    let mut entries = vec![
        ("id", JsValue::from(node.id.as_str())),
        ("kind", JsValue::from(node.shape.kind().as_str())),
        ("name", JsValue::from(node.name.as_str())),
        ("position", array(&node.transform.translation.to_array())),
        ("color", array(&node.material.base_color.to_array())),
        ("metallic", JsValue::from(f64::from(node.material.metallic))),
        (
            "roughness",
            JsValue::from(f64::from(node.material.roughness)),
        ),
        ("visible", JsValue::from(node.visible)),
    ];
    entries.push(match node.shape {
        Shape::Sphere { radius } => ("radius", JsValue::from(f64::from(radius))),
        Shape::Box { extents } => ("extents", array(&extents.to_array())),
        Shape::Plane { size } => ("size", JsValue::from(f64::from(size))),
    });
    object(&entries)
}

/// The `stats()` object.
pub fn stats_object(state: &State) -> Result<JsValue, EngineError> {
    let frame = state.last_frame;
    Ok(object(&[
        ("backend", state.backend.into()),
        ("frame_ms", state.frame_ms.into()),
        ("draw_calls", frame.draw_calls.into()),
        ("nodes", (state.scene.len() as u32).into()),
        ("instances", frame.instances.into()),
        ("bytes_uploaded", (frame.bytes_uploaded as f64).into()),
        ("width", state.config.width.into()),
        ("height", state.config.height.into()),
        ("device_losses", state.device_losses.into()),
        ("msaa_samples", state.renderer.gpu().msaa_samples.into()),
        ("frames_skipped", state.frames_skipped.into()),
        ("frames_unchanged", state.frames_unchanged.into()),
    ]))
}
