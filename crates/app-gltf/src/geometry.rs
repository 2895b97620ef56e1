//! One glTF primitive to one [`MeshAsset`]: attributes read and checked, strips and fans turned into
//! triangle lists, missing normals computed, tangents taken from the file or computed.
//!
//! Contract:
//! - Only triangle modes reach [`build`] (points and lines are skipped by the caller).
//! - The mesh's estimated encoding is reserved against the import limit and the decoding budget
//!   before any attribute is read, so a declared count costs nothing until it fits.
//! - Every attribute has POSITION's count; every index is below it; positions lie within
//!   ±[`WORLD_LIMIT`]; the result passes [`MeshAsset::validate`]. A primitive with no whole
//!   triangle yields `None`.
//! - Normals: the file's, normalized; when missing, smooth area-weighted over the triangles that
//!   share a vertex (so flat for non-indexed geometry); zero or degenerate ones become +Y.
//! - Tangents: the file's `TANGENT` when present; otherwise MikkTSpace ([`crate::tangents`]) when
//!   `want_tangents` (the surface has a normal map) and the primitive has texture coordinates.

use app_core::{MAX_INDICES, MAX_VERTICES, MeshAsset, WORLD_LIMIT};
use glam::Vec3;
use gltf::json::mesh::{Mode, Primitive, Semantic};
use gltf::json::validation::Checked;

use crate::accessor::{self, Role};
use crate::error::{ImportError, invalid};
use crate::output::Output;
use crate::source::Source;
use crate::tangents;

/// Bytes of a mesh asset's header (tag, counts, flags).
const HEADER_BYTES: usize = 17;

/// Primitive `prim` of mesh `mesh` as a mesh asset, or `None` when it holds no whole triangle.
pub(crate) fn build(
    src: &Source<'_>,
    out: &mut Output,
    mesh: usize,
    prim_index: usize,
    prim: &Primitive,
    want_tangents: bool,
) -> Result<Option<MeshAsset>, ImportError> {
    let what = || format!("mesh {mesh} primitive {prim_index}");
    let attr = |s: Semantic| prim.attributes.get(&Checked::Valid(s)).map(|i| i.value());
    let Some(position) = attr(Semantic::Positions) else {
        return Err(invalid(format!("{} has no POSITION attribute", what())));
    };
    compressed_without_fallback(src, prim, position, &what)?;
    let (normal, tangent) = (attr(Semantic::Normals), attr(Semantic::Tangents));
    let (uv, color) = (attr(Semantic::TexCoords(0)), attr(Semantic::Colors(0)));
    let mode = match prim.mode {
        Checked::Valid(mode) => mode,
        Checked::Invalid => return Err(invalid(format!("{}: unknown mode", what()))),
    };

    // Size the result from the declared counts before reading anything.
    let n = accessor::count(src, position, &what)?;
    if n > MAX_VERTICES as u64 {
        return Err(invalid(format!(
            "{}: {n} vertices; a mesh may have at most {MAX_VERTICES}",
            what()
        )));
    }
    let n = n as usize;
    let listed = match prim.indices {
        Some(i) => accessor::count(src, i.value(), &what)?,
        None => n as u64,
    };
    let triangle_indices = match mode {
        Mode::TriangleStrip | Mode::TriangleFan => listed.saturating_sub(2).saturating_mul(3),
        _ => listed - listed % 3,
    };
    if triangle_indices > MAX_INDICES as u64 {
        return Err(invalid(format!(
            "{}: {} triangles; a mesh may have at most {}",
            what(),
            triangle_indices / 3,
            MAX_INDICES / 3
        )));
    }
    let computed_tangents = want_tangents && uv.is_some();
    let per_vertex = 24
        + if uv.is_some() { 8 } else { 0 }
        + if tangent.is_some() || computed_tangents {
            16
        } else {
            0
        }
        + if color.is_some() { 16 } else { 0 };
    let estimate = HEADER_BYTES + n * per_vertex + triangle_indices as usize * 4;
    out.reserve(estimate, &what)?;
    out.charge_work(estimate, &what)?;

    let read3 = |index: usize, role: Role| -> Result<Vec<[f32; 3]>, ImportError> {
        let v = accessor::read_floats(src, index, role, MAX_VERTICES, &what)?;
        same_count(index, role, v.data.len() / 3, n)?;
        Ok(v.data.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect())
    };
    let positions = read3(position, Role::Position)?;
    if let Some(p) = positions
        .iter()
        .flatten()
        .find(|v| f64::from(v.abs()) > WORLD_LIMIT)
    {
        return Err(invalid(format!(
            "accessor {position} (POSITION): coordinate {p} is beyond the world limit ±{WORLD_LIMIT}"
        )));
    }
    let indices = match prim.indices {
        Some(i) => {
            let indices = accessor::read_indices(src, i.value(), MAX_INDICES, &what)?;
            if let Some((k, bad)) = indices.iter().enumerate().find(|(_, v)| **v as usize >= n) {
                return Err(invalid(format!(
                    "{}: index {bad} (element {k} of accessor {}) is past the vertex count {n}",
                    what(),
                    i.value()
                )));
            }
            indices
        }
        // n ≤ MAX_VERTICES fits u32.
        None => (0..n as u32).collect(),
    };
    let indices = triangle_list(mode, indices);
    if indices.is_empty() {
        return Ok(None);
    }

    let normals = match normal {
        Some(i) => read3(i, Role::Normal)?
            .into_iter()
            .map(unit_or_up)
            .collect(),
        None => smooth_normals(&positions, &indices),
    };
    let uvs = match uv {
        Some(i) => {
            let v = accessor::read_floats(src, i, Role::TexCoord, MAX_VERTICES, &what)?;
            same_count(i, Role::TexCoord, v.data.len() / 2, n)?;
            v.data.chunks_exact(2).map(|c| [c[0], c[1]]).collect()
        }
        None => Vec::new(),
    };
    let colors = match color {
        Some(i) => {
            let v = accessor::read_floats(src, i, Role::Color, MAX_VERTICES, &what)?;
            let k = v.components.max(1);
            same_count(i, Role::Color, v.data.len() / k, n)?;
            v.data
                .chunks_exact(k)
                .map(|c| {
                    [
                        c[0],
                        c.get(1).copied().unwrap_or(0.0),
                        c.get(2).copied().unwrap_or(0.0),
                        c.get(3).copied().unwrap_or(1.0),
                    ]
                })
                .collect()
        }
        None => Vec::new(),
    };
    let tangents = match tangent {
        Some(i) => {
            let v = accessor::read_floats(src, i, Role::Tangent, MAX_VERTICES, &what)?;
            same_count(i, Role::Tangent, v.data.len() / 4, n)?;
            v.data
                .chunks_exact(4)
                .zip(&normals)
                .map(|(t, normal)| tangents::tidy([t[0], t[1], t[2], t[3]], *normal))
                .collect()
        }
        None if computed_tangents => tangents::mikktspace(&positions, &normals, &uvs, &indices),
        None => Vec::new(),
    };
    let mesh_asset = MeshAsset {
        positions,
        normals,
        uvs,
        tangents,
        colors,
        indices,
    };
    mesh_asset
        .validate()
        .map_err(|e| invalid(format!("{}: {e}", what())))?;
    Ok(Some(mesh_asset))
}

fn same_count(index: usize, role: Role, got: usize, n: usize) -> Result<(), ImportError> {
    if got != n {
        return Err(invalid(format!(
            "accessor {index} ({}) has {got} elements, but POSITION has {n}",
            role.name()
        )));
    }
    Ok(())
}

/// Triangle-list indices for `mode` (lists lose a trailing partial triangle).
fn triangle_list(mode: Mode, indices: Vec<u32>) -> Vec<u32> {
    match mode {
        Mode::TriangleStrip => {
            // glTF: triangle i is (i, i+1, i+2) for even i and (i, i+2, i+1) for odd i, so every
            // triangle keeps the strip's counter-clockwise winding.
            indices
                .windows(3)
                .enumerate()
                .flat_map(|(i, w)| {
                    if i % 2 == 0 {
                        [w[0], w[1], w[2]]
                    } else {
                        [w[0], w[2], w[1]]
                    }
                })
                .collect()
        }
        Mode::TriangleFan => match indices.split_first() {
            Some((&center, rest)) => rest.windows(2).flat_map(|w| [w[0], w[1], center]).collect(),
            None => Vec::new(),
        },
        _ => {
            let mut indices = indices;
            indices.truncate(indices.len() - indices.len() % 3);
            indices
        }
    }
}

/// `v` normalized, or +Y when it has no direction.
/// The primitive compression extension whose data the importer cannot decode (meshopt compresses
/// buffer views instead, and is decoded: `meshopt.rs`).
const DRACO: &str = "KHR_draco_mesh_compression";

/// Refuses a Draco-compressed primitive whose POSITION has no uncompressed data. Such a file should
/// list the extension in `extensionsRequired` (which is refused up front); one that lists it only in
/// `extensionsUsed` would otherwise import as a mesh of zeros, invisible, with no word why.
fn compressed_without_fallback(
    src: &Source<'_>,
    prim: &Primitive,
    position: usize,
    what: &dyn Fn() -> String,
) -> Result<(), ImportError> {
    let draco = prim
        .extensions
        .as_ref()
        .is_some_and(|e| e.others.contains_key(DRACO));
    let has_data = src
        .root
        .accessors
        .get(position)
        .is_none_or(|a| a.buffer_view.is_some() || a.sparse.is_some());
    if !draco || has_data {
        return Ok(()); // not compressed, or the uncompressed fallback is read as usual
    }
    Err(invalid(format!(
        "{} is compressed with {DRACO}, which is not supported, and has no uncompressed data",
        what()
    )))
}

pub(crate) fn unit_or_up(v: [f32; 3]) -> [f32; 3] {
    Vec3::from(v).try_normalize().unwrap_or(Vec3::Y).to_array()
}

/// Area-weighted vertex normals: each triangle adds its unnormalized face normal (twice its area)
/// to its three vertices.
fn smooth_normals(positions: &[[f32; 3]], indices: &[u32]) -> Vec<[f32; 3]> {
    let mut sums = vec![Vec3::ZERO; positions.len()];
    let at = |i: u32| {
        positions
            .get(i as usize)
            .map_or(Vec3::ZERO, |p| Vec3::from(*p))
    };
    for tri in indices.chunks_exact(3) {
        let (a, b, c) = (at(tri[0]), at(tri[1]), at(tri[2]));
        let face = (b - a).cross(c - a);
        for &i in tri {
            if let Some(sum) = sums.get_mut(i as usize) {
                *sum += face;
            }
        }
    }
    sums.into_iter().map(|s| unit_or_up(s.to_array())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_and_fans_become_counter_clockwise_lists() {
        assert_eq!(
            triangle_list(Mode::TriangleStrip, vec![0, 1, 2, 3]),
            [0, 1, 2, 1, 3, 2]
        );
        assert_eq!(
            triangle_list(Mode::TriangleFan, vec![0, 1, 2, 3]),
            [1, 2, 0, 2, 3, 0]
        );
        assert_eq!(triangle_list(Mode::Triangles, vec![0, 1, 2, 3]), [0, 1, 2]);
        assert!(triangle_list(Mode::TriangleStrip, vec![0, 1]).is_empty());
        assert!(triangle_list(Mode::TriangleFan, vec![]).is_empty());
    }

    #[test]
    fn smooth_normals_weight_by_area_and_default_to_up() {
        let positions = [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [5.0, 5.0, 5.0],
        ];
        let normals = smooth_normals(&positions, &[0, 1, 2]);
        assert_eq!(normals[0], [0.0, 0.0, 1.0]);
        assert_eq!(normals[3], [0.0, 1.0, 0.0], "unused vertex");
        assert_eq!(unit_or_up([0.0, 0.0, 0.0]), [0.0, 1.0, 0.0]);
    }
}
