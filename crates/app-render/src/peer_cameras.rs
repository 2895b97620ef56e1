//! Other users' cameras and pointers drawn in the scene (3D presence): a small frustum-shaped glyph per
//! peer camera, in the peer's color, at the peer's eye and pointing at what it looks at, opening as wide
//! as its field of view; and per peer pointer, the same mesh as a pin standing on the point. Only in the
//! beauty view; never picked, never in the bounds or the shadow map (the glyphs are not scene content).

use app_core::{Material, MeshAsset, NodeId};
use glam::{Mat4, Quat, Vec3};

use crate::instances::{InstanceRaw, InstanceSet};

/// Depth of a glyph, world units: large enough to see across a room-sized scene, small enough not to
/// hide what the peer is looking at.
const GLYPH_DEPTH: f32 = 0.45;

/// One peer's camera.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeerCamera {
    /// Where the peer's eye is.
    pub eye: Vec3,
    /// What it looks at.
    pub target: Vec3,
    /// Its vertical field of view, radians.
    pub fov_y_rad: f32,
    /// Its color, linear RGB.
    pub color: Vec3,
}

/// Height of a pointer pin, world units.
const PIN_HEIGHT: f32 = 0.4;

/// One peer's pointer: the world point it is over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeerPointer {
    /// The point, world space.
    pub point: Vec3,
    /// The peer's color, linear RGB.
    pub color: Vec3,
}

/// The glyph mesh: an open four-sided pyramid, apex at the origin, base at z = -1 spanning -1..1 in x
/// and y, each side drawn from both faces (it is seen from inside and out).
pub fn glyph_mesh() -> MeshAsset {
    let corners = [
        Vec3::new(-1.0, -1.0, -1.0),
        Vec3::new(1.0, -1.0, -1.0),
        Vec3::new(1.0, 1.0, -1.0),
        Vec3::new(-1.0, 1.0, -1.0),
    ];
    let mut mesh = MeshAsset::default();
    for i in 0..4 {
        let (a, b) = (corners[i], corners[(i + 1) % 4]);
        let outward = a.cross(b).normalize_or_zero();
        for (normal, tri) in [
            (outward, [Vec3::ZERO, a, b]),
            (-outward, [Vec3::ZERO, b, a]),
        ] {
            let base = mesh.positions.len() as u32;
            for p in tri {
                mesh.positions.push(p.to_array());
                mesh.normals.push(normal.to_array());
            }
            mesh.indices.extend_from_slice(&[base, base + 1, base + 2]);
        }
    }
    mesh
}

/// The matrix placing the glyph for `camera`: apex at the eye, opening towards the target.
pub fn world_from_glyph(camera: &PeerCamera) -> Option<Mat4> {
    let forward = (camera.target - camera.eye).try_normalize()?;
    let rotation = Quat::from_rotation_arc(Vec3::NEG_Z, forward);
    let half = (camera.fov_y_rad * 0.5).tan().clamp(0.05, 4.0) * GLYPH_DEPTH;
    let world = Mat4::from_scale_rotation_translation(
        Vec3::new(half * 1.5, half, GLYPH_DEPTH),
        rotation,
        camera.eye,
    );
    world.is_finite().then_some(world)
}

/// The matrix placing a pointer pin: the glyph's apex on the point, opening straight up.
pub fn world_from_pin(point: Vec3) -> Option<Mat4> {
    let rotation = Quat::from_rotation_arc(Vec3::NEG_Z, Vec3::Y);
    let half = PIN_HEIGHT * 0.3;
    let world =
        Mat4::from_scale_rotation_translation(Vec3::new(half, half, PIN_HEIGHT), rotation, point);
    world.is_finite().then_some(world)
}

/// Replaces the camera glyph instances in `set` with one per camera; returns whether anything changed.
pub fn fill(set: &mut InstanceSet, shown: &mut Vec<PeerCamera>, cameras: &[PeerCamera]) -> bool {
    if shown.as_slice() == cameras {
        return false;
    }
    let glyphs = cameras.iter().map(|c| (world_from_glyph(c), c.color));
    replace(set, "peer-camera", shown.len(), glyphs);
    *shown = cameras.to_vec();
    true
}

/// Replaces the pointer pin instances in `set` with one per pointer; returns whether anything changed.
pub fn fill_pointers(
    set: &mut InstanceSet,
    shown: &mut Vec<PeerPointer>,
    pointers: &[PeerPointer],
) -> bool {
    if shown.as_slice() == pointers {
        return false;
    }
    let pins = pointers.iter().map(|p| (world_from_pin(p.point), p.color));
    replace(set, "peer-pointer", shown.len(), pins);
    *shown = pointers.to_vec();
    true
}

/// Writes `glyphs` (placement, if valid, and color) as instances `{prefix}-0..`, removing those past
/// the new count of the `shown` before.
fn replace(
    set: &mut InstanceSet,
    prefix: &str,
    shown: usize,
    glyphs: impl ExactSizeIterator<Item = (Option<Mat4>, Vec3)>,
) {
    let count = glyphs.len();
    for i in count..shown {
        if let Ok(id) = NodeId::new(format!("{prefix}-{i}")) {
            set.remove(&id);
        }
    }
    for (i, (world, color)) in glyphs.enumerate() {
        let Ok(id) = NodeId::new(format!("{prefix}-{i}")) else {
            continue;
        };
        let Some(world) = world else {
            set.remove(&id);
            continue;
        };
        let material = Material {
            base_color: color,
            metallic: 0.0,
            roughness: 0.9,
            // Glows a little in the peer's color, so it reads in shadow too.
            emissive: color * 0.6,
        };
        set.upsert(&id, InstanceRaw::new(world, &material, Vec3::ZERO, None));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glyph_opens_from_the_eye_towards_the_target() {
        let camera = PeerCamera {
            eye: Vec3::new(0.0, 0.0, 5.0),
            target: Vec3::ZERO,
            fov_y_rad: 1.0,
            color: Vec3::X,
        };
        let world = world_from_glyph(&camera).unwrap();
        assert!(world.transform_point3(Vec3::ZERO).distance(camera.eye) < 1e-5);
        let base_centre = world.transform_point3(Vec3::NEG_Z);
        assert!((base_centre - Vec3::new(0.0, 0.0, 5.0 - GLYPH_DEPTH)).length() < 1e-5);
        let same = PeerCamera {
            target: camera.eye,
            ..camera
        };
        assert!(world_from_glyph(&same).is_none(), "no direction, no glyph");
        glyph_mesh().validate().unwrap();
    }

    #[test]
    fn a_pin_stands_on_its_point_and_opens_upwards() {
        let point = Vec3::new(1.0, 2.0, 3.0);
        let world = world_from_pin(point).unwrap();
        assert!(world.transform_point3(Vec3::ZERO).distance(point) < 1e-5);
        let top = world.transform_point3(Vec3::NEG_Z);
        assert!((top - (point + Vec3::Y * PIN_HEIGHT)).length() < 1e-5);
        assert!(world_from_pin(Vec3::splat(f32::NAN)).is_none());
    }
}
