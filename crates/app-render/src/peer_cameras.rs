//! Other users' cameras drawn in the scene (3D presence): a small frustum-shaped glyph per peer, in the
//! peer's color, at the peer's eye and pointing at what it looks at, opening as wide as its field of
//! view. Only in the beauty view; never picked, never in the bounds or the shadow map (the glyphs are
//! not scene content).

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

/// Replaces the glyph instances in `set` with one per camera; returns whether anything changed.
pub fn fill(set: &mut InstanceSet, shown: &mut Vec<PeerCamera>, cameras: &[PeerCamera]) -> bool {
    if shown.as_slice() == cameras {
        return false;
    }
    for i in cameras.len()..shown.len() {
        if let Ok(id) = NodeId::new(format!("peer-camera-{i}")) {
            set.remove(&id);
        }
    }
    for (i, camera) in cameras.iter().enumerate() {
        let (Ok(id), Some(world)) = (
            NodeId::new(format!("peer-camera-{i}")),
            world_from_glyph(camera),
        ) else {
            continue;
        };
        let material = Material {
            base_color: camera.color,
            metallic: 0.0,
            roughness: 0.9,
            // Glows a little in the peer's color, so it reads in shadow too.
            emissive: camera.color * 0.6,
        };
        set.upsert(&id, InstanceRaw::new(world, &material, Vec3::ZERO, None));
    }
    *shown = cameras.to_vec();
    true
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
}
