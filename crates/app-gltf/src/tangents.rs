//! Tangents for normal mapping: MikkTSpace (what glTF asks for when a normal-mapped mesh has no
//! `TANGENT`) and the clean-up that makes any tangent usable.
//!
//! Contract: MikkTSpace runs on (u, 1 − v), as Blender computes the tangents it exports. The result has one tangent per vertex, each with a unit xyz perpendicular-ish to the
//! vertex normal (never zero, never NaN) and w = ±1 (the bitangent sign), so the mesh validates and
//! the shader never normalizes a zero vector.

use bevy_mikktspace::{Geometry, TangentSpace, generate_tangents};
use glam::Vec3;

/// An indexed triangle mesh as MikkTSpace sees it: face `f` is `indices[3f..3f + 3]`.
struct Mikk<'a> {
    positions: &'a [[f32; 3]],
    normals: &'a [[f32; 3]],
    uvs: &'a [[f32; 2]],
    indices: &'a [u32],
    tangents: Vec<[f32; 4]>,
}

impl Mikk<'_> {
    fn vertex(&self, face: usize, vert: usize) -> usize {
        self.indices
            .get(face * 3 + vert)
            .map_or(usize::MAX, |&i| i as usize)
    }
}

impl Geometry for Mikk<'_> {
    fn num_faces(&self) -> usize {
        self.indices.len() / 3
    }

    fn num_vertices_of_face(&self, _face: usize) -> usize {
        3
    }

    fn position(&self, face: usize, vert: usize) -> [f32; 3] {
        self.positions
            .get(self.vertex(face, vert))
            .copied()
            .unwrap_or_default()
    }

    fn normal(&self, face: usize, vert: usize) -> [f32; 3] {
        self.normals
            .get(self.vertex(face, vert))
            .copied()
            .unwrap_or([0.0, 1.0, 0.0])
    }

    fn tex_coord(&self, face: usize, vert: usize) -> [f32; 2] {
        // glTF's v points down the image, MikkTSpace's (and Blender's, which writes most glTF
        // tangents) up: flipped, w comes out as glTF wants it (+1 where the bitangent
        // cross(normal, tangent) points up the image, the normal map's +Y).
        let [u, v] = self
            .uvs
            .get(self.vertex(face, vert))
            .copied()
            .unwrap_or_default();
        [u, 1.0 - v]
    }

    fn set_tangent(&mut self, tangent_space: Option<TangentSpace>, face: usize, vert: usize) {
        // A vertex shared by several corners gets the last corner's tangent: MikkTSpace welds
        // corners with equal position, normal and uv, so they agree unless the file shares a
        // vertex across a uv seam (then any one of them is as good as another).
        let v = self.vertex(face, vert);
        if let (Some(slot), Some(ts)) = (self.tangents.get_mut(v), tangent_space) {
            *slot = ts.tangent_encoded();
        }
    }
}

/// MikkTSpace tangents for an indexed triangle list (every index below `positions.len()`).
pub(crate) fn mikktspace(
    positions: &[[f32; 3]],
    normals: &[[f32; 3]],
    uvs: &[[f32; 2]],
    indices: &[u32],
) -> Vec<[f32; 4]> {
    let mut mikk = Mikk {
        positions,
        normals,
        uvs,
        indices,
        tangents: vec![[0.0; 4]; positions.len()],
    };
    // The error type has no variants: generation cannot fail.
    let _ = generate_tangents(&mut mikk);
    mikk.tangents
        .into_iter()
        .zip(normals)
        .map(|(t, n)| tidy(t, *n))
        .collect()
}

/// `t` with a unit xyz (any direction perpendicular to `normal` when `t` has none) and w = ±1.
pub(crate) fn tidy(t: [f32; 4], normal: [f32; 3]) -> [f32; 4] {
    let xyz = Vec3::new(t[0], t[1], t[2])
        .try_normalize()
        .unwrap_or_else(|| Vec3::from(normal).any_orthonormal_vector());
    // `any_orthonormal_vector` of a unit normal is unit; fall back to +X for a broken normal.
    let xyz = if xyz.is_finite() && xyz.length_squared() > 0.5 {
        xyz
    } else {
        Vec3::X
    };
    let w = if t[3] < 0.0 { -1.0 } else { 1.0 };
    [xyz.x, xyz.y, xyz.z, w]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quad_in_the_xy_plane_gets_tangents_along_u() {
        let positions = [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 1.0, 0.0],
            [0.0, 1.0, 0.0],
        ];
        let normals = [[0.0, 0.0, 1.0]; 4];
        let uvs = [[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]];
        let tangents = mikktspace(&positions, &normals, &uvs, &[0, 1, 2, 0, 2, 3]);
        for t in tangents {
            assert!(
                (Vec3::new(t[0], t[1], t[2]) - Vec3::X).length() < 1e-5,
                "{t:?}"
            );
            assert_eq!(t[3], 1.0, "an unmirrored uv layout");
        }
    }

    #[test]
    fn tidy_repairs_zero_and_nan() {
        let t = tidy([0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0]);
        assert!((Vec3::new(t[0], t[1], t[2]).length() - 1.0).abs() < 1e-5);
        assert!(Vec3::new(t[0], t[1], t[2]).dot(Vec3::Y).abs() < 1e-5);
        assert_eq!(t[3], 1.0);
        let t = tidy([f32::NAN, 0.0, 0.0, -3.0], [f32::NAN, 0.0, 0.0]);
        assert_eq!(t, [1.0, 0.0, 0.0, -1.0]);
    }
}
