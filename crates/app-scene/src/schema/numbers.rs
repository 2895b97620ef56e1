//! Numbers as the user set them (issue 10: set 1.6, read 1.6). The edit calls store the f64 they
//! were given; drawing reads the f32 [`app_core::Node`], and these readers give the stored f64 back
//! wherever the f32 reader would use it unchanged, or the reader's replacement otherwise, so a hostile
//! document reads here as it is drawn. Part of the schema (`schema.rs`).

use app_core::Shape;
use app_core::glam::{Quat, Vec3};
use yrs::Any;

use super::*;

/// A node's numbers as stored: the f64 values the edit calls were given (set 1.6, read 1.6), for
/// callers that show or edit values (`SceneDoc::node_numbers`). Drawing uses the f32
/// [`app_core::Node`] instead.
///
/// Each number is the stored value when it is valid, meaning the reader of the f32 node uses it
/// as it is (its f32 is what that reader yields: not clamped or replaced). Otherwise it is what
/// that reader uses instead (the clamped value, the default), written as the shortest decimal
/// that reads back as that f32 (`0.8`, not `0.800000011920929`). So a hostile document reads here
/// as it is drawn. The rotation is the stored quaternion normalised in f64 (kept exactly when it
/// is already of unit length, as `set_rotation` stores it); it agrees with the f32 node's to f32
/// rounding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeNumbers {
    /// Translation relative to the parent.
    pub translation: [f64; 3],
    /// Unit quaternion `[x, y, z, w]`.
    pub rotation: [f64; 4],
    /// Per-axis scale.
    pub scale: [f64; 3],
    /// Base color, linear RGB, each 0..1.
    pub color: [f64; 3],
    /// Metallic, 0..1.
    pub metallic: f64,
    /// Roughness, 0..1.
    pub roughness: f64,
    /// Emissive radiance, linear RGB, each 0..=1e6.
    pub emissive: [f64; 3],
    /// A sphere's radius (`None` for other kinds).
    pub radius: Option<f64>,
    /// A box's full extents (`None` for other kinds).
    pub extents: Option<[f64; 3]>,
    /// A plane's side length (`None` for other kinds).
    pub size: Option<f64>,
}

/// A transform as stored: f64 translation, rotation `[x, y, z, w]` and scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TransformNumbers {
    pub translation: [f64; 3],
    pub rotation: [f64; 4],
    pub scale: [f64; 3],
}

impl TransformNumbers {
    /// What a missing transform reads as.
    pub const IDENTITY: Self = Self {
        translation: [0.0; 3],
        rotation: [0.0, 0.0, 0.0, 1.0],
        scale: [1.0; 3],
    };

    /// The stored form.
    pub fn to_any(self) -> Any {
        let (t, q, s) = (self.translation, self.rotation, self.scale);
        numbers_any(&[t[0], t[1], t[2], q[0], q[1], q[2], q[3], s[0], s[1], s[2]])
    }
}

/// A material as stored: f64 base color, metallic, roughness and emissive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MaterialNumbers {
    pub color: [f64; 3],
    pub metallic: f64,
    pub roughness: f64,
    pub emissive: [f64; 3],
}

impl MaterialNumbers {
    /// What a missing material reads as ([`Material::default`], in the decimals it is written in).
    pub const DEFAULT: Self = Self {
        color: [0.8; 3],
        metallic: 0.0,
        roughness: 0.5,
        emissive: [0.0; 3],
    };

    /// The stored form.
    pub fn to_any(self) -> Any {
        let (c, e) = (self.color, self.emissive);
        numbers_any(&[
            c[0],
            c[1],
            c[2],
            self.metallic,
            self.roughness,
            e[0],
            e[1],
            e[2],
        ])
    }
}

/// A number, as f64, from an `Any` (any number: not checked for range or finiteness).
pub fn any_f64(any: &Any) -> Option<f64> {
    match any {
        Any::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// Exactly `N` numbers as f64 (unchecked), or `None`.
fn any_f64s<const N: usize>(any: &Any) -> Option<[f64; N]> {
    array_of(any, any_f64)
}

/// `read` (an f32 a reader uses) as the shortest decimal that reads back as it: `0.8`, not
/// `0.800000011920929`. Rounds arithmetically (an integer over a power of ten, both exact, so the
/// division gives the f64 nearest the decimal) rather than through `str::parse`, whose tables would
/// add kilobytes to the wasm bundle.
pub fn widen(read: f32) -> f64 {
    let exact = f64::from(read);
    if exact == 0.0 || !exact.is_finite() {
        return exact;
    }
    let magnitude = exact.abs().log10().floor() as i32;
    for digits in 1..=9 {
        let exponent = digits - 1 - magnitude;
        let v = if exponent >= 0 {
            let scale = 10f64.powi(exponent);
            (exact * scale).round() / scale
        } else {
            let scale = 10f64.powi(-exponent);
            (exact / scale).round() * scale
        };
        if v as f32 == read {
            return v;
        }
    }
    exact
}

/// The number to report for one stored value: `stored` if it reads as `read` (the f32 the reader
/// uses), else `read`.
fn as_set(stored: Option<f64>, read: f32) -> f64 {
    match stored {
        Some(v) if v as f32 == read => v,
        _ => widen(read),
    }
}

fn as_set3(stored: Option<[f64; 3]>, read: Vec3) -> [f64; 3] {
    let read = read.to_array();
    [0, 1, 2].map(|i| as_set(stored.map(|s| s[i]), read[i]))
}

/// The stored quaternion normalised in f64, if the reader uses it (it is finite and non-zero in
/// f32), else the reader's f32 rotation.
fn rotation_as_set(stored: Option<[f64; 4]>, accepted: bool, read: Quat) -> [f64; 4] {
    match stored {
        Some(q) if accepted => {
            let len = q.iter().map(|v| v * v).sum::<f64>().sqrt();
            // What `set_rotation` stores is already normalised: dividing again would move it by
            // an ulp, and the point is to read back exactly what was stored.
            if (len - 1.0).abs() <= 1e-12 {
                q
            } else {
                q.map(|v| v / len)
            }
        }
        _ => read.to_array().map(widen),
    }
}

/// Decodes a transform as stored (see [`NodeNumbers`]); problems as [`decode_transform`].
pub(crate) fn decode_transform_numbers(any: Option<&Any>, fix: &mut Fixes<'_>) -> TransformNumbers {
    let read = decode_transform(any, fix);
    let Some(any) = any else {
        return TransformNumbers::IDENTITY;
    };
    let stored = any_f64s::<10>(any);
    let part = |from: usize| stored.map(|s| [s[from], s[from + 1], s[from + 2]]);
    // The reader keeps the stored rotation when all ten numbers are finite f32s and the
    // quaternion is non-zero in f32 (see `decode_transform`).
    let accepted = any_f32s::<10>(any).is_some_and(|v| {
        let len = Quat::from_xyzw(v[3], v[4], v[5], v[6]).length();
        len.is_finite() && len > 1e-6
    });
    TransformNumbers {
        translation: as_set3(part(0), read.translation),
        rotation: rotation_as_set(
            stored.map(|s| [s[3], s[4], s[5], s[6]]),
            accepted,
            read.rotation,
        ),
        scale: as_set3(part(7), read.scale),
    }
}

/// Decodes a material as stored (see [`NodeNumbers`]); problems as [`decode_material`].
pub(crate) fn decode_material_numbers(any: Option<&Any>, fix: &mut Fixes<'_>) -> MaterialNumbers {
    let read = decode_material(any, fix);
    let Some(any) = any else {
        return MaterialNumbers::DEFAULT;
    };
    let stored = any_f64s::<8>(any);
    let part = |from: usize| stored.map(|s| [s[from], s[from + 1], s[from + 2]]);
    MaterialNumbers {
        color: as_set3(part(0), read.base_color),
        metallic: as_set(stored.map(|s| s[3]), read.metallic),
        roughness: as_set(stored.map(|s| s[4]), read.roughness),
        emissive: as_set3(part(5), read.emissive),
    }
}

/// The shape parameters as stored, given the shape the reader decoded from the same values.
pub(crate) fn shape_numbers(
    shape: &Shape,
    stored: impl Fn(&str) -> Option<Any>,
) -> (Option<f64>, Option<[f64; 3]>, Option<f64>) {
    let one = |k: &str, read: f32| as_set(stored(k).as_ref().and_then(any_f64), read);
    match *shape {
        Shape::Sphere { radius } => (Some(one(key::RADIUS, radius)), None, None),
        Shape::Box { extents } => {
            let stored = stored(key::EXTENTS).as_ref().and_then(any_f64s::<3>);
            (None, Some(as_set3(stored, extents)), None)
        }
        Shape::Plane { size } => (None, None, Some(one(key::SIZE, size))),
        Shape::Mesh { .. } | Shape::Group => (None, None, None),
    }
}
