//! The document schema: root names, node keys, and the conversions between `app-core` values and the
//! atomic Yrs values stored under each key. Readers never trust the document: every decoder here
//! accepts any value, clamps or substitutes a default, and names what it fixed in `problems`.
//!
//! See `README.md` for the schema as a Yjs client sees it.

use std::sync::Arc;

use app_core::MAX_EMISSIVE;
use app_core::glam::{Quat, Vec3};
use app_core::{DirectionalLight, Material, NodeFields, NodeId, ShapeKind, Transform};
use yrs::{Any, Out};

mod numbers;

pub(crate) use numbers::{
    MaterialNumbers, TransformNumbers, decode_material_numbers, decode_transform_numbers,
    shape_numbers,
};
pub use numbers::{NodeNumbers, any_f64, widen};

/// Root map: node id -> node map.
pub const NODES: &str = "nodes";
/// Root map: light name -> light value.
pub const LIGHTS: &str = "lights";
/// Root map of document metadata.
pub const META: &str = "meta";
/// Root map: asset id (32 hex digits) -> the asset's bytes (binary, immutable, content-addressed).
pub const ASSETS: &str = "assets";
/// Key of the directional light in [`LIGHTS`].
pub const SUN: &str = "sun";
/// Key of the background (clear radiance) in [`LIGHTS`]: an atomic `[r, g, b]`, linear, each 0..1.
pub const BACKGROUND: &str = "background";
/// Key of the schema version in [`META`].
pub const SCHEMA_VERSION_KEY: &str = "schema_version";
/// The schema version this crate writes and reads.
pub const SCHEMA_VERSION: i64 = 1;
/// Longest node name accepted, in bytes; longer names from peers are truncated when read.
pub const MAX_NAME_BYTES: usize = 1024;

/// Keys of a node map.
pub mod key {
    /// `"sphere" | "box" | "plane" | "mesh" | "group"`.
    pub const KIND: &str = "kind";
    /// Display name (string).
    pub const NAME: &str = "name";
    /// `[parent id or null, order key]`, one atomic value so a move is one write.
    pub const PLACEMENT: &str = "placement";
    /// `[tx, ty, tz, qx, qy, qz, qw, sx, sy, sz]`.
    pub const TRANSFORM: &str = "transform";
    /// Sphere radius (number).
    pub const RADIUS: &str = "radius";
    /// Box extents `[x, y, z]`.
    pub const EXTENTS: &str = "extents";
    /// Plane side length (number).
    pub const SIZE: &str = "size";
    /// `[r, g, b, metallic, roughness, er, eg, eb]`.
    pub const MATERIAL: &str = "material";
    /// Boolean.
    pub const VISIBLE: &str = "visible";
    /// Mesh node: the mesh asset's id (string of 32 hex digits).
    pub const MESH: &str = "mesh";
    /// Mesh node: the surface asset's id (string of 32 hex digits); absent means the default surface.
    pub const SURFACE: &str = "surface";
}

/// Node keys and kind names as shared strings. yrs keeps the key of every map entry it writes as
/// an `Arc<str>` (in the entry and in the map's index), and a kind value is a string per node:
/// handing it clones of one allocation instead of a fresh string per write saves ~100 heap bytes
/// per node and ~25 per later edit. Readers still compare by content.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    pub kind: Arc<str>,
    pub name: Arc<str>,
    pub placement: Arc<str>,
    pub transform: Arc<str>,
    pub material: Arc<str>,
    pub visible: Arc<str>,
    /// The mesh node's surface key.
    pub surface: Arc<str>,
    /// Shape keys of the kinds that have one, indexed like `ShapeKind::ALL`.
    shape: [Option<Arc<str>>; 5],
    /// Kind values, indexed like `ShapeKind::ALL`.
    kind_values: [Arc<str>; 5],
}

fn kind_index(kind: ShapeKind) -> usize {
    match kind {
        ShapeKind::Sphere => 0,
        ShapeKind::Box => 1,
        ShapeKind::Plane => 2,
        ShapeKind::Mesh => 3,
        ShapeKind::Group => 4,
    }
}

impl Default for Keys {
    fn default() -> Self {
        Self {
            kind: Arc::from(key::KIND),
            name: Arc::from(key::NAME),
            placement: Arc::from(key::PLACEMENT),
            transform: Arc::from(key::TRANSFORM),
            material: Arc::from(key::MATERIAL),
            visible: Arc::from(key::VISIBLE),
            surface: Arc::from(key::SURFACE),
            shape: ShapeKind::ALL.map(|k| shape_key(k).map(Arc::from)),
            kind_values: ShapeKind::ALL.map(|k| Arc::from(k.as_str())),
        }
    }
}

impl Keys {
    /// The key holding the shape parameter of `kind` (`None` for a group).
    pub fn shape(&self, kind: ShapeKind) -> Option<Arc<str>> {
        self.shape[kind_index(kind)].clone()
    }

    /// The stored form of `kind`.
    pub fn kind_value(&self, kind: ShapeKind) -> Any {
        Any::String(self.kind_values[kind_index(kind)].clone())
    }

    /// The shared copy of a node key this crate knows, or a new string for any other key.
    pub fn intern(&self, k: &str) -> Arc<str> {
        let known = [
            &self.kind,
            &self.name,
            &self.placement,
            &self.transform,
            &self.material,
            &self.visible,
            &self.surface,
        ];
        known
            .into_iter()
            .chain(self.shape.iter().flatten())
            .find(|known| known.as_ref() == k)
            .cloned()
            .unwrap_or_else(|| Arc::from(k))
    }

    /// `value` stored under a kind key, with the shared string when it names a known kind.
    pub fn intern_kind(&self, value: Any) -> Any {
        match &value {
            Any::String(s) => ShapeKind::parse(s).map_or(value, |kind| self.kind_value(kind)),
            _ => value,
        }
    }
}

/// Which [`NodeFields`] a change under node key `k` touches (unknown keys touch nothing).
pub fn fields_of_key(k: &str) -> NodeFields {
    match k {
        // A new kind changes what is drawn entirely.
        key::KIND => NodeFields::ALL,
        key::NAME => NodeFields::NAME,
        key::PLACEMENT => NodeFields::PLACEMENT,
        key::TRANSFORM => NodeFields::TRANSFORM,
        key::RADIUS | key::EXTENTS | key::SIZE | key::MESH | key::SURFACE => NodeFields::SHAPE,
        key::MATERIAL => NodeFields::MATERIAL,
        key::VISIBLE => NodeFields::VISIBLE,
        _ => NodeFields::NONE,
    }
}

/// The key holding the shape parameter of `kind` (a size, or a mesh node's mesh asset); `None` for a
/// group, which has none.
pub fn shape_key(kind: ShapeKind) -> Option<&'static str> {
    match kind {
        ShapeKind::Sphere => Some(key::RADIUS),
        ShapeKind::Box => Some(key::EXTENTS),
        ShapeKind::Plane => Some(key::SIZE),
        ShapeKind::Mesh => Some(key::MESH),
        ShapeKind::Group => None,
    }
}

fn num(v: f32) -> Any {
    // Integral values encode as varints, others as float32 (every stored value is an f32).
    Any::from(f64::from(v))
}

fn array(values: &[f32]) -> Any {
    Any::Array(values.iter().map(|&v| num(v)).collect())
}

/// `[x, y, z]`.
pub fn vec3_any(v: Vec3) -> Any {
    array(&v.to_array())
}

/// The stored form of a transform.
pub fn transform_any(t: &Transform) -> Any {
    let (tr, q, s) = (t.translation, t.rotation, t.scale);
    array(&[tr.x, tr.y, tr.z, q.x, q.y, q.z, q.w, s.x, s.y, s.z])
}

/// The stored form of a material.
pub fn material_any(m: &Material) -> Any {
    let (c, e) = (m.base_color, m.emissive);
    array(&[c.x, c.y, c.z, m.metallic, m.roughness, e.x, e.y, e.z])
}

/// The stored form of a placement.
pub fn placement_any(parent: Option<&NodeId>, order: &str) -> Any {
    let parent = parent.map_or(Any::Null, |p| Any::from(p.as_str()));
    Any::Array(vec![parent, Any::from(order)].into())
}

/// The stored form of the directional light.
pub fn light_any(light: &DirectionalLight) -> Any {
    let map = [
        ("direction".to_owned(), vec3_any(light.direction_in_world)),
        ("color".to_owned(), vec3_any(light.color)),
        ("intensity".to_owned(), num(light.intensity)),
    ];
    Any::from(map.into_iter().collect::<std::collections::HashMap<_, _>>())
}

/// The stored form of the background.
pub fn background_any(rgb: [f64; 3]) -> Any {
    numbers_any(&rgb)
}

/// Numbers as stored by the edit calls (box extents, the background): the f64 each call was given
/// (yrs writes one as a float32 when that loses nothing, as a float64 otherwise).
pub fn numbers_any(values: &[f64]) -> Any {
    Any::Array(values.iter().map(|&v| Any::from(v)).collect())
}

/// Whether `v` is a size or scale factor the scene accepts (`app_core::check_size`'s range).
pub fn is_size(v: f32) -> bool {
    (app_core::MIN_SIZE..=app_core::WORLD_LIMIT).contains(&f64::from(v))
}

/// A finite number that fits an f32, from an `Any`.
pub fn any_f32(any: &Any) -> Option<f32> {
    match any {
        Any::Number(n) => n.as_f64().and_then(|v| app_core::check_finite("", v).ok()),
        _ => None,
    }
}

/// Exactly `N` finite numbers; anything else (wrong type, wrong length, a huge array) is `None`.
pub fn any_f32s<const N: usize>(any: &Any) -> Option<[f32; N]> {
    array_of(any, any_f32)
}

/// Exactly `N` items, each read by `read`; `None` for another length, a non-array or an item
/// `read` refuses.
pub(crate) fn array_of<T: Copy + Default, const N: usize>(
    any: &Any,
    read: impl Fn(&Any) -> Option<T>,
) -> Option<[T; N]> {
    let Any::Array(items) = any else { return None };
    if items.len() != N {
        return None;
    }
    let mut out = [T::default(); N];
    for (o, item) in out.iter_mut().zip(items.iter()) {
        *o = read(item)?;
    }
    Some(out)
}

/// The `Any` stored under a node key, or `None` for a missing key or a shared type (hostile).
pub fn out_any(out: Option<Out>) -> Option<Any> {
    match out {
        Some(Out::Any(any)) => Some(any),
        _ => None,
    }
}

/// Collects what a reader had to fix, each message naming the node and the field.
pub struct Fixes<'a> {
    /// The node (or `"light"`) being read.
    pub subject: &'a str,
    /// Problems found so far.
    pub problems: &'a mut Vec<String>,
}

impl Fixes<'_> {
    fn report(&mut self, what: &str, fallback: &str) {
        self.problems
            .push(format!("{}: {what}; using {fallback}", self.subject));
    }
}

/// Decodes a transform; an invalid value becomes the identity (or a unit rotation/scale).
pub fn decode_transform(any: Option<&Any>, fix: &mut Fixes<'_>) -> Transform {
    let Some(any) = any else {
        return Transform::IDENTITY;
    };
    let Some(v) = any_f32s::<10>(any) else {
        fix.report("transform is not 10 finite numbers", "the identity");
        return Transform::IDENTITY;
    };
    let mut translation = Vec3::new(v[0], v[1], v[2]);
    if translation.abs().max_element() as f64 > app_core::WORLD_LIMIT {
        fix.report("translation is beyond the world limit of 1e6", "the origin");
        translation = Vec3::ZERO;
    }
    let q = Quat::from_xyzw(v[3], v[4], v[5], v[6]);
    let len = q.length();
    let rotation = if len.is_finite() && len > 1e-6 {
        q / len
    } else {
        fix.report("rotation is not a non-zero quaternion", "no rotation");
        Quat::IDENTITY
    };
    let scale = Vec3::new(v[7], v[8], v[9]);
    let scale = if scale.to_array().into_iter().all(is_size) {
        scale
    } else {
        fix.report("scale is not within 1e-6..1e6", "1");
        Vec3::ONE
    };
    Transform {
        translation,
        rotation,
        scale,
    }
}

fn clamp_unit(v: f32, what: &str, fix: &mut Fixes<'_>) -> f32 {
    if (0.0..=1.0).contains(&v) {
        v
    } else {
        fix.report(&format!("{what} {v} is outside 0..1"), "the nearest bound");
        v.clamp(0.0, 1.0)
    }
}

fn clamp_emissive(v: f32, fix: &mut Fixes<'_>) -> f32 {
    let max = MAX_EMISSIVE as f32;
    if (0.0..=max).contains(&v) {
        v
    } else {
        fix.report(
            &format!("emissive {v} is outside 0..1e6"),
            "the nearest bound",
        );
        v.clamp(0.0, max)
    }
}

/// Decodes a material; out-of-range channels are clamped (color, metallic and roughness to 0..1,
/// emissive, which is HDR, to 0..1e6), a malformed value is the default.
pub fn decode_material(any: Option<&Any>, fix: &mut Fixes<'_>) -> Material {
    let Some(any) = any else {
        return Material::default();
    };
    let Some(v) = any_f32s::<8>(any) else {
        fix.report("material is not 8 finite numbers", "the default material");
        return Material::default();
    };
    let mut c = [0.0; 8];
    for (i, (out, value)) in c.iter_mut().zip(v).enumerate() {
        *out = match i {
            0..5 => clamp_unit(
                value,
                ["red", "green", "blue", "metallic", "roughness"][i],
                fix,
            ),
            _ => clamp_emissive(value, fix),
        };
    }
    Material {
        base_color: Vec3::new(c[0], c[1], c[2]),
        metallic: c[3],
        roughness: c[4],
        emissive: Vec3::new(c[5], c[6], c[7]),
    }
}

/// Decodes a placement: `(parent, order key)`. A malformed value is a root with an empty key.
pub fn decode_placement(any: Option<&Any>, fix: &mut Fixes<'_>) -> (Option<NodeId>, String) {
    let Some(any) = any else {
        return (None, String::new());
    };
    let parsed = match any {
        Any::Array(items) if items.len() == 2 => {
            let parent = match &items[0] {
                Any::Null | Any::Undefined => Some(None),
                Any::String(s) => NodeId::new(s.as_ref()).ok().map(Some),
                _ => None,
            };
            let order = match &items[1] {
                Any::String(s) if s.len() <= crate::order::MAX_KEY_LEN => Some(s.to_string()),
                _ => None,
            };
            parent.zip(order)
        }
        _ => None,
    };
    parsed.unwrap_or_else(|| {
        fix.report(
            "placement is not [parent id or null, order key]",
            "a root placement",
        );
        (None, String::new())
    })
}

/// The largest valid order key in a placement value, for generating keys after it.
pub fn placement_order(any: &Any) -> Option<&str> {
    match any {
        Any::Array(items) if items.len() == 2 => match &items[1] {
            Any::String(s) if crate::order::is_valid(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// Decodes a name, truncating overlong ones at a character boundary.
pub fn decode_name(any: Option<&Any>, fix: &mut Fixes<'_>) -> String {
    match any {
        None => String::new(),
        Some(Any::String(s)) if s.len() <= MAX_NAME_BYTES => s.to_string(),
        Some(Any::String(s)) => {
            fix.report(
                &format!("name is {} bytes long", s.len()),
                "its first 1024 bytes",
            );
            let mut end = MAX_NAME_BYTES;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s[..end].to_owned()
        }
        Some(_) => {
            fix.report("name is not a string", "an empty name");
            String::new()
        }
    }
}

/// Decodes visibility; anything but a boolean means visible.
pub fn decode_visible(any: Option<&Any>, fix: &mut Fixes<'_>) -> bool {
    match any {
        None => true,
        Some(Any::Bool(b)) => *b,
        Some(_) => {
            fix.report("visible is not a boolean", "visible");
            true
        }
    }
}

/// Decodes the directional light; each malformed part takes its default.
pub fn decode_light(any: Option<&Any>, fix: &mut Fixes<'_>) -> DirectionalLight {
    let default = DirectionalLight::default();
    let Some(any) = any else { return default };
    let Any::Map(map) = any else {
        fix.report("light is not a map", "the default light");
        return default;
    };
    let direction = map
        .get("direction")
        .and_then(any_f32s::<3>)
        .map(Vec3::from)
        .filter(|d| d.length_squared() > 0.0 && d.is_finite());
    let color = map.get("color").and_then(any_f32s::<3>).map(Vec3::from);
    let intensity = map.get("intensity").and_then(any_f32).filter(|&i| i >= 0.0);
    if direction.is_none() || color.is_none() || intensity.is_none() {
        fix.report(
            "light has a malformed direction, color or intensity",
            "defaults for those",
        );
    }
    DirectionalLight {
        direction_in_world: direction.unwrap_or(default.direction_in_world),
        color: color.map_or(default.color, |c| c.clamp(Vec3::ZERO, Vec3::ONE)),
        intensity: intensity.unwrap_or(default.intensity),
    }
}

/// Decodes the background: a missing value is [`app_core::DEFAULT_BACKGROUND`], a malformed one
/// too (reported), out-of-range channels are clamped to 0..1 (reported).
pub fn decode_background(out: Option<Out>, fix: &mut Fixes<'_>) -> Vec3 {
    let default = app_core::DEFAULT_BACKGROUND;
    let any = match out {
        None => return default,
        Some(Out::Any(any)) => any,
        Some(_) => {
            fix.report("background is a shared type", "the default background");
            return default;
        }
    };
    let Some(rgb) = any_f32s::<3>(&any) else {
        fix.report(
            "background is not 3 finite numbers",
            "the default background",
        );
        return default;
    };
    Vec3::from(rgb.map(|v| clamp_unit(v, "background channel", fix)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixes(problems: &mut Vec<String>) -> Fixes<'_> {
        Fixes {
            subject: "n",
            problems,
        }
    }

    #[test]
    fn values_round_trip() {
        let mut p = Vec::new();
        let t = Transform {
            translation: Vec3::new(1.0, -2.5, 3.0),
            rotation: Quat::from_rotation_y(0.5),
            scale: Vec3::new(1.0, 2.0, 0.5),
        };
        let back = decode_transform(Some(&transform_any(&t)), &mut fixes(&mut p));
        assert!(back.rotation.abs_diff_eq(t.rotation, 1e-6) && back.translation == t.translation);
        let m = Material {
            metallic: 0.25,
            ..Material::default()
        };
        assert_eq!(
            decode_material(Some(&material_any(&m)), &mut fixes(&mut p)),
            m
        );
        let parent = NodeId::new("p").unwrap();
        let placed = decode_placement(
            Some(&placement_any(Some(&parent), "a0")),
            &mut fixes(&mut p),
        );
        assert_eq!(placed, (Some(parent), "a0".to_owned()));
        let light = DirectionalLight::default();
        assert_eq!(
            decode_light(Some(&light_any(&light)), &mut fixes(&mut p)),
            light
        );
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn wrong_contents_are_fixed_and_reported() {
        let mut p = Vec::new();
        let huge = Any::Array(vec![Any::from(1.0); 100_000].into());
        assert_eq!(
            decode_transform(Some(&huge), &mut fixes(&mut p)),
            Transform::IDENTITY
        );
        let nan = Any::Array(vec![Any::from(f64::NAN); 8].into());
        assert_eq!(
            decode_material(Some(&nan), &mut fixes(&mut p)),
            Material::default()
        );
        let bright = array(&[2.0, 0.5, -1.0, 0.0, 0.5, 0.0, 0.0, 0.0]);
        assert_eq!(
            decode_material(Some(&bright), &mut fixes(&mut p)).base_color,
            Vec3::new(1.0, 0.5, 0.0)
        );
        assert_eq!(
            decode_placement(Some(&Any::from("x")), &mut fixes(&mut p)),
            (None, String::new())
        );
        assert!(decode_visible(Some(&Any::from(3.0)), &mut fixes(&mut p)));
        assert_eq!(
            decode_name(Some(&Any::from("é".repeat(600))), &mut fixes(&mut p)).len(),
            1024
        );
        let zero_q = array(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
        assert_eq!(
            decode_transform(Some(&zero_q), &mut fixes(&mut p)).rotation,
            Quat::IDENTITY
        );
        assert_eq!(p.len(), 8, "{p:#?}");
    }
}
