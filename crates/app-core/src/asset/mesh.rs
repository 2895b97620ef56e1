//! Mesh geometry as an asset: triangle lists with per-vertex attributes, the same layout for imported
//! meshes and the built-in shapes.
//!
//! Encoding (little-endian): tag `YSMESH01`, vertex count (u32), index count (u32), a flags byte
//! (bit 0 texture coordinates, bit 1 tangents, bit 2 colors), then positions (3 × f32 per vertex),
//! normals (3 × f32), the present optional attributes in flag order (2, 4 and 4 × f32), and the
//! indices (u32, three per counter-clockwise triangle).

use glam::Vec3;

use super::AssetError;
use super::bytes::{Reader, Writer};

const TAG: &[u8; 8] = b"YSMESH01";
const WHAT: &str = "mesh asset";

/// Most vertices in one mesh asset (about 256 MiB of attributes; a model's total is also bounded by
/// the import size limit).
pub const MAX_VERTICES: usize = 1 << 22;
/// Most indices in one mesh asset (4M triangles).
pub const MAX_INDICES: usize = 3 << 22;

/// Triangle geometry in mesh space. Every attribute vector is empty or has one entry per vertex.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MeshAsset {
    /// Positions.
    pub positions: Vec<[f32; 3]>,
    /// Unit normals.
    pub normals: Vec<[f32; 3]>,
    /// Texture coordinates (glTF `TEXCOORD_0`: u right, v down); empty when the mesh has none.
    pub uvs: Vec<[f32; 2]>,
    /// Tangents: xyz along +u, w the bitangent sign; empty when the mesh has none.
    pub tangents: Vec<[f32; 4]>,
    /// Linear RGBA vertex colors; empty when the mesh has none.
    pub colors: Vec<[f32; 4]>,
    /// Three indices per triangle, counter-clockwise seen from the front.
    pub indices: Vec<u32>,
}

impl MeshAsset {
    /// Number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.positions.len()
    }

    /// Checks the invariants every consumer relies on: attribute lengths, index range and count,
    /// limits, finite numbers.
    pub fn validate(&self) -> Result<(), AssetError> {
        let n = self.positions.len();
        if n > MAX_VERTICES {
            return Err(AssetError::invalid(
                WHAT,
                format!("{n} vertices; the limit is {MAX_VERTICES}"),
            ));
        }
        if self.indices.len() > MAX_INDICES || !self.indices.len().is_multiple_of(3) {
            return Err(AssetError::invalid(
                WHAT,
                format!(
                    "{} indices; they must be a multiple of 3 and at most {MAX_INDICES}",
                    self.indices.len()
                ),
            ));
        }
        if self.normals.len() != n
            || ![self.uvs.len(), self.tangents.len(), self.colors.len()]
                .iter()
                .all(|&len| len == 0 || len == n)
        {
            return Err(AssetError::invalid(
                WHAT,
                "an attribute's length differs from the vertex count",
            ));
        }
        if let Some(bad) = self.indices.iter().find(|&&i| i as usize >= n) {
            return Err(AssetError::invalid(
                WHAT,
                format!("index {bad} is past the vertex count {n}"),
            ));
        }
        let finite = self.positions.iter().flatten().all(|v| v.is_finite())
            && self.normals.iter().flatten().all(|v| v.is_finite())
            && self.uvs.iter().flatten().all(|v| v.is_finite())
            && self.tangents.iter().flatten().all(|v| v.is_finite())
            && self.colors.iter().flatten().all(|v| v.is_finite());
        if !finite {
            return Err(AssetError::invalid(
                WHAT,
                "a vertex attribute is not finite",
            ));
        }
        Ok(())
    }

    /// The encoded bytes (see the module docs). Fails when [`MeshAsset::validate`] does.
    pub fn encode(&self) -> Result<Vec<u8>, AssetError> {
        self.validate()?;
        // The exact length, allocated once: a model's meshes are megabytes, and growing the buffer
        // value by value showed in the import's profile (`bench/gltf-profile.mjs`).
        let floats = self.positions.len() * 6
            + self.uvs.len() * 2
            + self.tangents.len() * 4
            + self.colors.len() * 4;
        let len = 17 + 4 * (floats + self.indices.len());
        let mut w = Writer(Vec::with_capacity(len));
        w.tag(TAG);
        w.u32(self.positions.len() as u32);
        w.u32(self.indices.len() as u32);
        let flags = u8::from(!self.uvs.is_empty())
            | u8::from(!self.tangents.is_empty()) << 1
            | u8::from(!self.colors.is_empty()) << 2;
        w.u8(flags);
        w.f32s(self.positions.as_flattened());
        w.f32s(self.normals.as_flattened());
        w.f32s(self.uvs.as_flattened());
        w.f32s(self.tangents.as_flattened());
        w.f32s(self.colors.as_flattened());
        w.u32s(&self.indices);
        debug_assert_eq!(w.0.len(), len);
        Ok(w.0)
    }

    /// Decodes and validates bytes from [`MeshAsset::encode`] (or a hostile peer).
    pub fn decode(bytes: &[u8]) -> Result<Self, AssetError> {
        let mut r = Reader::new(bytes, TAG, WHAT)?;
        let vertices = r.u32()? as usize;
        let indices = r.u32()? as usize;
        let flags = r.u8()?;
        if vertices > MAX_VERTICES || indices > MAX_INDICES || flags > 0b111 {
            return Err(AssetError::invalid(
                WHAT,
                "counts or flags beyond the limits",
            ));
        }
        let optional = |bit: u8| if flags & bit != 0 { vertices } else { 0 };
        let mut mesh = MeshAsset {
            positions: r.f32_groups(vertices)?,
            normals: r.f32_groups(vertices)?,
            uvs: r.f32_groups(optional(1))?,
            tangents: r.f32_groups(optional(2))?,
            colors: r.f32_groups(optional(4))?,
            indices: Vec::new(),
        };
        if indices.saturating_mul(4) != r.remaining() {
            return Err(AssetError::Truncated {
                what: WHAT,
                len: bytes.len(),
            });
        }
        mesh.indices = r.u32s(indices)?;
        r.finish()?;
        mesh.validate()?;
        Ok(mesh)
    }

    /// The smallest box around every position, or `None` for an empty mesh.
    pub fn bounds(&self) -> Option<(Vec3, Vec3)> {
        let mut it = self.positions.iter().map(|p| Vec3::from(*p));
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), p| (lo.min(p), hi.max(p))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triangle() -> MeshAsset {
        MeshAsset {
            positions: vec![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
            normals: vec![[0.0, 0.0, 1.0]; 3],
            uvs: vec![[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]],
            tangents: Vec::new(),
            colors: vec![[1.0, 0.0, 0.0, 1.0]; 3],
            indices: vec![0, 1, 2],
        }
    }

    #[test]
    fn round_trips_and_rejects_every_truncation() {
        let mesh = triangle();
        let bytes = mesh.encode().unwrap();
        assert_eq!(MeshAsset::decode(&bytes).unwrap(), mesh);
        for len in 0..bytes.len() {
            assert!(MeshAsset::decode(&bytes[..len]).is_err(), "len {len}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(MeshAsset::decode(&longer).is_err());
    }

    #[test]
    fn rejects_bad_indices_counts_and_numbers() {
        let mut mesh = triangle();
        mesh.indices[2] = 3;
        assert!(
            mesh.encode()
                .unwrap_err()
                .to_string()
                .contains("past the vertex count")
        );
        let mut bytes = triangle().encode().unwrap();
        let last = bytes.len() - 4;
        bytes[last..].copy_from_slice(&7u32.to_le_bytes());
        assert!(MeshAsset::decode(&bytes).is_err());
        let mut huge = triangle().encode().unwrap();
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(MeshAsset::decode(&huge).is_err(), "a billion vertices");
        let mut nan = triangle();
        nan.positions[0][0] = f32::NAN;
        assert!(nan.encode().is_err());
    }
}
