//! Plain JavaScript objects built from engine values (`get_node`, `stats`, peers). Leaf: imports
//! nothing of this crate.

use app_core::{DirectionalLight, Node, Shape};
use app_scene::NodeNumbers;
use app_scene::presence::Presence;
use app_scene::schema::widen;
use wasm_bindgen::{JsCast, JsValue};

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

/// JSON we wrote ourselves (`app_scene::presence`: strings escaped as `JSON.stringify` does,
/// numbers finite by construction) as a JS value. It always parses; were it ever not to, `null`
/// (an empty list for `peers_array`) says so rather than a half-built value.
fn parse_own_json(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or(JsValue::NULL)
}

/// Our own presence, `{ client, name, color, selected, dragging, camera, pointer }` (`name`/`color`
/// are `null` until set): [`app_scene::presence::Peer::push_json`].
pub fn local_peer_object(presence: &Presence) -> JsValue {
    let mut json = String::new();
    presence.local_peer().push_json(&mut json);
    parse_own_json(&json)
}

/// Every remote peer, ordered by client id, as one JS array built by one `JSON.parse`
/// ([`Presence::peers_json`]): a fraction of the cost of setting each field across the boundary.
pub fn peers_array(presence: &Presence) -> js_sys::Array {
    parse_own_json(&presence.peers_json())
        .dyn_into::<js_sys::Array>()
        .unwrap_or_default()
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

/// The first own key of `object` outside `known` (cut to 64 characters), for an error naming it: a
/// typo such as `colour` must not pass silently.
pub fn unknown_key(object: &JsValue, known: &[&str]) -> Option<String> {
    js_sys::Object::keys(object.unchecked_ref::<js_sys::Object>())
        .iter()
        .map(|key| key.as_string().unwrap_or_default())
        .find(|key| !known.contains(&key.as_str()))
        .map(|key| key.chars().take(64).collect())
}

/// Refuses an own key of `object` outside `known` ([`unknown_key`]); `call` names the call in the
/// message (`"set_light"`).
pub fn known_keys(object: &JsValue, call: &str, known: &[&str]) -> Result<(), EngineError> {
    match unknown_key(object, known) {
        Some(key) => Err(EngineError::Invalid(format!(
            "{call}: unknown key {key:?} (known: {})",
            known.join(", ")
        ))),
        None => Ok(()),
    }
}

/// A callback argument: a function, or `null`/`undefined` for none. Anything else is refused, naming
/// `call`: wasm-bindgen would take it unchecked, and the engine would fail only when calling it.
pub fn callback(call: &str, value: JsValue) -> Result<Option<js_sys::Function>, EngineError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into::<js_sys::Function>()
        .map(Some)
        .map_err(|value| {
            let kind = value.js_typeof().as_string().unwrap_or_default();
            let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            EngineError::Invalid(format!(
                "{call} needs a function or null, not {article} {kind}"
            ))
        })
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
    let ids = |set: &crate::change_summary::IdSet| -> JsValue {
        crate::change_summary::sorted(set)
            .into_iter()
            .map(JsValue::from_str)
            .collect::<js_sys::Array>()
            .into()
    };
    object(&[
        ("added", ids(&changes.added)),
        ("changed", ids(&changes.changed)),
        ("removed", ids(&changes.removed)),
    ])
}
