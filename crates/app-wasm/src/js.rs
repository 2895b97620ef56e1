//! Plain JavaScript objects built from engine values (`get_node`, `stats`, peers). Leaf: imports
//! nothing of this crate.

use app_core::{DirectionalLight, Node, NodeId, Shape};
use app_scene::NodeNumbers;
use app_scene::presence::{Presence, SharedCamera};
use app_scene::schema::widen;
use wasm_bindgen::JsValue;

use crate::EngineError;
use crate::change_summary::ChangeSummary;

/// An object with the given properties. `Reflect.set` on a fresh plain object cannot fail.
pub fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in entries {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

/// A JS array of numbers.
pub fn array(values: &[f32]) -> JsValue {
    values
        .iter()
        .map(|v| JsValue::from(f64::from(*v)))
        .collect::<js_sys::Array>()
        .into()
}

/// `{ id, kind, name, parent, position, rotation, scale, radius | extents | size | mesh + surface,
/// color, metallic, roughness, emissive, visible }` (`parent` is `null` for a root). Numbers come from `numbers`
/// (as the user set them) when given, else from the node's f32 values.
pub fn node_object(node: &Node, numbers: Option<&NodeNumbers>) -> JsValue {
    let f32s = |values: &[f32]| values.iter().map(|v| f64::from(*v)).collect::<Vec<_>>();
    let t = &node.transform;
    let m = &node.material;
    let n = numbers.copied().unwrap_or(NodeNumbers {
        translation: t.translation.as_dvec3().to_array(),
        rotation: t.rotation.as_dquat().to_array(),
        scale: t.scale.as_dvec3().to_array(),
        color: m.base_color.as_dvec3().to_array(),
        metallic: f64::from(m.metallic),
        roughness: f64::from(m.roughness),
        emissive: m.emissive.as_dvec3().to_array(),
        radius: None,
        extents: None,
        size: None,
    });
    let mut entries = vec![
        ("id", JsValue::from(node.id.as_str())),
        ("kind", JsValue::from(node.shape.kind().as_str())),
        ("name", JsValue::from(node.name.as_str())),
        (
            "parent",
            node.parent
                .as_ref()
                .map_or(JsValue::NULL, |p| JsValue::from(p.as_str())),
        ),
        ("position", numbers_array(&n.translation)),
        ("rotation", numbers_array(&n.rotation)),
        ("scale", numbers_array(&n.scale)),
        ("color", numbers_array(&n.color)),
        ("metallic", JsValue::from(n.metallic)),
        ("roughness", JsValue::from(n.roughness)),
        ("emissive", numbers_array(&n.emissive)),
        ("visible", JsValue::from(node.visible)),
    ];
    match node.shape {
        Shape::Sphere { radius } => entries.push((
            "radius",
            JsValue::from(n.radius.unwrap_or(f64::from(radius))),
        )),
        Shape::Box { extents } => entries.push((
            "extents",
            numbers_array(&n.extents.unwrap_or_else(|| {
                let e = f32s(&extents.to_array());
                [e[0], e[1], e[2]]
            })),
        )),
        Shape::Plane { size } => {
            entries.push(("size", JsValue::from(n.size.unwrap_or(f64::from(size)))));
        }
        Shape::Mesh { mesh, surface } => {
            entries.push(("mesh", JsValue::from(mesh.to_hex())));
            entries.push((
                "surface",
                surface.map_or(JsValue::NULL, |s| JsValue::from(s.to_hex())),
            ));
        }
        Shape::Group => {}
    }
    object(&entries)
}

/// A JS array of f64 numbers.
fn numbers_array(values: &[f64]) -> JsValue {
    values
        .iter()
        .map(|v| JsValue::from(*v))
        .collect::<js_sys::Array>()
        .into()
}

/// `{ client, name, color, selected, dragging, camera, pointer }` with `null` for what is unknown;
/// `camera` is `{ position, target, fov_y_deg }`, `pointer` `[x, y, z]`.
pub fn peer_object(
    client: u64,
    (name, color): (Option<&str>, Option<&str>),
    (selected, dragging): (Option<&NodeId>, Option<&NodeId>),
    (camera, pointer): (Option<&SharedCamera>, Option<[f32; 3]>),
) -> JsValue {
    let text = |value: Option<&str>| value.map_or(JsValue::NULL, JsValue::from_str);
    let camera = camera.map_or(JsValue::NULL, |c| {
        object(&[
            ("position", numbers_array(&c.position.map(widen))),
            ("target", numbers_array(&c.target.map(widen))),
            ("fov_y_deg", JsValue::from(widen(c.fov_y_deg))),
        ])
    });
    object(&[
        ("client", JsValue::from(client as f64)),
        ("name", text(name)),
        ("color", text(color)),
        ("selected", text(selected.map(NodeId::as_str))),
        ("dragging", text(dragging.map(NodeId::as_str))),
        ("camera", camera),
        (
            "pointer",
            pointer.map_or(JsValue::NULL, |p| numbers_array(&p.map(widen))),
        ),
    ])
}

/// Our own presence as a [`peer_object`] (`name`/`color` are `null` until set).
pub fn local_peer_object(presence: &Presence) -> JsValue {
    let user = presence.user();
    peer_object(
        presence.client(),
        (
            user.map(|u| u.name.as_str()),
            user.map(|u| u.color.as_str()),
        ),
        (presence.selected(), presence.dragging()),
        (presence.camera(), presence.pointer()),
    )
}

/// Every remote peer as a JS array of [`peer_object`]s, ordered by client id.
pub fn peers_array(presence: &Presence) -> js_sys::Array {
    presence
        .peers()
        .map(|peer| {
            peer_object(
                peer.client,
                (peer.name.as_deref(), peer.color.as_deref()),
                (peer.selected.as_ref(), peer.dragging.as_ref()),
                (peer.camera.as_ref(), peer.pointer),
            )
        })
        .collect()
}

/// `{ direction, color, intensity }`. The light is stored in f32; each number is read back as the
/// shortest decimal that gives that f32 (set 2.2, read 2.2), as the user most likely typed it.
pub fn light_object(light: &DirectionalLight) -> JsValue {
    let decimals = |values: [f32; 3]| numbers_array(&values.map(widen));
    object(&[
        ("direction", decimals(light.direction_in_world.to_array())),
        ("color", decimals(light.color.to_array())),
        ("intensity", JsValue::from(widen(light.intensity))),
    ])
}

/// `object[key]` (`what` is `"light.color"`-style: the key is after the last dot); `None` when absent.
fn field(object: &JsValue, what: &str) -> Option<JsValue> {
    let key = what.rsplit('.').next().unwrap_or(what);
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined())
}

/// An optional number field, or an error naming it.
pub fn number_field(object: &JsValue, what: &str) -> Result<Option<f64>, EngineError> {
    match field(object, what) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .map(Some)
            .ok_or_else(|| EngineError::Invalid(format!("{what} must be a number, got {value:?}"))),
    }
}

/// An optional `[x, y, z]` field of three numbers, or an error naming it.
pub fn vec3_field(object: &JsValue, what: &str) -> Result<Option<[f64; 3]>, EngineError> {
    let Some(value) = field(object, what) else {
        return Ok(None);
    };
    let numbers: Option<Vec<f64>> = js_sys::Array::is_array(&value)
        .then(|| {
            js_sys::Array::from(&value)
                .iter()
                .map(|v| v.as_f64())
                .collect()
        })
        .flatten();
    match numbers.as_deref() {
        Some(&[x, y, z]) => Ok(Some([x, y, z])),
        _ => Err(EngineError::Invalid(format!(
            "{what} must be an array of three numbers [x, y, z], got {value:?}"
        ))),
    }
}

/// `{ added, changed, removed }`, arrays of node ids (sorted).
pub fn change_object(changes: &ChangeSummary) -> JsValue {
    let ids = |set: &std::collections::BTreeSet<String>| -> JsValue {
        set.iter()
            .map(|id| JsValue::from_str(id))
            .collect::<js_sys::Array>()
            .into()
    };
    object(&[
        ("added", ids(&changes.added)),
        ("changed", ids(&changes.changed)),
        ("removed", ids(&changes.removed)),
    ])
}
