//! Meshes on the GPU. Built-in shapes and imported meshes take one path: each is a
//! [`MeshAsset`](app_core::MeshAsset) (the built-ins are generated here, unit-sized) uploaded as one
//! vertex and one index buffer, with its bounds and, for picking, a BVH over its triangles.

use app_core::{MeshAsset, ShapeKind};
use bytemuck::{Pod, Zeroable};
use glam::Vec3;
use wgpu::util::DeviceExt;

use crate::bounds::Aabb;
use crate::bvh::LazyBvh;

/// One mesh vertex, in mesh space, 40 bytes. Every mesh has every attribute; missing ones take
/// defaults (uv 0, tangent +X, color white), so one pipeline draws them all. The tangent and the color
/// are 8-bit normalized (as glTF allows for both): a quarter of their float size, for GPU memory and for
/// the copy every upload makes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct MeshVertex {
    /// Position in mesh space.
    pub position_in_mesh: [f32; 3],
    /// Unit normal in mesh space.
    pub normal_in_mesh: [f32; 3],
    /// Texture coordinates.
    pub uv: [f32; 2],
    /// Tangent (xyz) and bitangent sign (w), snorm8.
    pub tangent_in_mesh: [i8; 4],
    /// Linear RGBA vertex color, unorm8.
    pub color: [u8; 4],
}

/// A value in -1..=1 as snorm8.
fn snorm8(v: f32) -> i8 {
    (v.clamp(-1.0, 1.0) * 127.0).round() as i8
}

/// A value in 0..=1 as unorm8.
fn unorm8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}

impl MeshVertex {
    /// Vertex buffer slot 0 of the mesh pipelines: locations 0 and 1 (position, normal) and 13..=15
    /// (uv, tangent, color); 2..=12 are the instance's.
    pub const LAYOUT: wgpu::VertexBufferLayout<'static> = wgpu::VertexBufferLayout {
        array_stride: std::mem::size_of::<MeshVertex>() as wgpu::BufferAddress,
        step_mode: wgpu::VertexStepMode::Vertex,
        attributes: &wgpu::vertex_attr_array![
            0 => Float32x3, 1 => Float32x3, 13 => Float32x2, 14 => Snorm8x4, 15 => Unorm8x4,
        ],
    };

    /// The interleaved vertices of `mesh`, with defaults for its missing attributes.
    pub fn of(mesh: &MeshAsset) -> Vec<Self> {
        (0..mesh.vertex_count())
            .map(|i| Self {
                position_in_mesh: mesh.positions[i],
                normal_in_mesh: mesh.normals.get(i).copied().unwrap_or([0.0, 1.0, 0.0]),
                uv: mesh.uvs.get(i).copied().unwrap_or_default(),
                tangent_in_mesh: mesh
                    .tangents
                    .get(i)
                    .copied()
                    .unwrap_or([1.0, 0.0, 0.0, 1.0])
                    .map(snorm8),
                color: mesh.colors.get(i).copied().unwrap_or([1.0; 4]).map(unorm8),
            })
            .collect()
    }
}

/// Segments around a sphere's equator. 48×24 keeps silhouettes round at 1080p and costs 1.2k vertices.
const SPHERE_SEGMENTS: u32 = 48;
const SPHERE_RINGS: u32 = 24;

/// The unit mesh of a built-in `kind`: sphere of radius 1, cube of side 1, square of side 1 facing
/// +Y; all centred on the origin. Empty for kinds that are not built-in shapes.
pub fn builtin_mesh(kind: ShapeKind) -> MeshAsset {
    let mut mesh = MeshAsset::default();
    match kind {
        ShapeKind::Sphere => uv_sphere(&mut mesh, SPHERE_SEGMENTS, SPHERE_RINGS),
        ShapeKind::Box => {
            // (normal, u, v) with u × v = normal, so the quad below winds CCW seen from outside.
            let faces = [
                (Vec3::X, Vec3::Y, Vec3::Z),
                (Vec3::NEG_X, Vec3::Z, Vec3::Y),
                (Vec3::Y, Vec3::Z, Vec3::X),
                (Vec3::NEG_Y, Vec3::X, Vec3::Z),
                (Vec3::Z, Vec3::X, Vec3::Y),
                (Vec3::NEG_Z, Vec3::Y, Vec3::X),
            ];
            for (normal, u, v) in faces {
                push_face(&mut mesh, normal, u, v, 0.5);
            }
        }
        ShapeKind::Plane => push_face(&mut mesh, Vec3::Y, Vec3::Z, Vec3::X, 0.0),
        ShapeKind::Mesh | ShapeKind::Group => {}
    }
    mesh
}

fn uv_sphere(mesh: &mut MeshAsset, segments: u32, rings: u32) {
    for ring in 0..=rings {
        let theta = std::f32::consts::PI * ring as f32 / rings as f32;
        for segment in 0..=segments {
            let phi = std::f32::consts::TAU * segment as f32 / segments as f32;
            let p = [
                theta.sin() * phi.cos(),
                theta.cos(),
                theta.sin() * phi.sin(),
            ];
            mesh.positions.push(p);
            mesh.normals.push(p);
            mesh.uvs
                .push([segment as f32 / segments as f32, ring as f32 / rings as f32]);
            mesh.tangents.push([-phi.sin(), 0.0, phi.cos(), 1.0]);
        }
    }
    let row = segments + 1;
    for ring in 0..rings {
        for segment in 0..segments {
            let a = ring * row + segment;
            let b = a + row; // one ring down
            let c = b + 1;
            let d = a + 1; // one segment along
            // With p(θ, φ) as above, ∂φ × ∂θ points outwards, so (a, d, c) and (a, c, b) are CCW from outside.
            mesh.indices.extend_from_slice(&[a, d, c, a, c, b]);
        }
    }
}

/// A unit square in the plane spanned by `u` and `v`, offset by `normal * offset`.
fn push_face(mesh: &mut MeshAsset, normal: Vec3, u: Vec3, v: Vec3, offset: f32) {
    let base = mesh.positions.len() as u32;
    for (su, sv) in [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)] {
        let p = normal * offset + u * su + v * sv;
        mesh.positions.push(p.to_array());
        mesh.normals.push(normal.to_array());
        mesh.uvs.push([su + 0.5, 0.5 - sv]);
        mesh.tangents.push(u.extend(1.0).to_array());
    }
    mesh.indices
        .extend_from_slice(&[base, base + 1, base + 2, base, base + 2, base + 3]);
}

thread_local! {
    /// The built-in meshes, generated once per thread (each wasm instance has one) and kept: every
    /// renderer uploads them, and a renderer rebuilt after a device loss is made while the lost one
    /// still exists, so generating them each time would raise the wasm memory's high-water mark by
    /// their size (about 190 KB for the sphere) on every rebuild's first occurrence.
    static BUILT_IN: std::cell::OnceCell<Vec<BuiltIn>> = const { std::cell::OnceCell::new() };
}

/// A built-in mesh ready to upload: its kind, interleaved vertices, indices and bounds.
type BuiltIn = (ShapeKind, Vec<MeshVertex>, Vec<u32>, Aabb);

/// Uploads the built-in mesh of `kind` (see [`BUILT_IN`]).
pub fn builtin_gpu_mesh(device: &wgpu::Device, kind: ShapeKind) -> GpuMesh {
    BUILT_IN.with(|cell| {
        let meshes = cell.get_or_init(|| {
            ShapeKind::BUILT_IN
                .into_iter()
                .map(|k| {
                    let mesh = builtin_mesh(k);
                    (
                        k,
                        MeshVertex::of(&mesh),
                        mesh.indices.clone(),
                        bounds_of(&mesh),
                    )
                })
                .collect()
        });
        match meshes.iter().find(|(k, ..)| *k == kind) {
            Some((_, vertices, indices, bounds)) => {
                let mut gpu = GpuMesh::upload(device, vertices, indices, kind.as_str());
                gpu.bounds = *bounds;
                gpu
            }
            None => GpuMesh::new(device, &MeshAsset::default(), kind.as_str(), false),
        }
    })
}

/// A mesh uploaded to the GPU, with what the CPU needs to bound and pick it.
pub struct GpuMesh {
    /// [`MeshVertex`] values, laid out as [`MeshVertex::LAYOUT`].
    pub vertex_buffer: wgpu::Buffer,
    /// Triangle indices into `vertex_buffer`, `u16` when every index fits (half the memory).
    pub index_buffer: wgpu::Buffer,
    /// The format of `index_buffer`.
    pub index_format: wgpu::IndexFormat,
    /// Number of indices in `index_buffer` (three per triangle).
    pub index_count: u32,
    /// Bounds in mesh space.
    pub bounds: Aabb,
    /// Triangles for exact picking, built once per imported mesh, at its first pick; `None` for the
    /// built-in shapes, which are picked analytically (`pick.rs`) and so keep no CPU copy of their
    /// triangles (every renderer, a rebuilt one after device loss included, would otherwise hold the
    /// sphere's 2,300).
    pub bvh: Option<LazyBvh>,
}

impl GpuMesh {
    /// Uploads `mesh` (already validated: see [`MeshAsset::validate`]), with a BVH built at its first
    /// pick when `pickable`.
    pub fn new(device: &wgpu::Device, mesh: &MeshAsset, label: &str, pickable: bool) -> Self {
        let mut gpu = Self::upload(device, &MeshVertex::of(mesh), &mesh.indices, label);
        gpu.bounds = bounds_of(mesh);
        gpu.bvh = pickable.then(|| LazyBvh::new(mesh.positions.clone(), mesh.indices.clone()));
        gpu
    }

    /// Uploads interleaved vertices and indices (bounds left empty, no BVH).
    fn upload(
        device: &wgpu::Device,
        vertices: &[MeshVertex],
        indices: &[u32],
        label: &str,
    ) -> Self {
        // wgpu rejects zero-sized vertex buffers in draws; an empty mesh keeps one dummy vertex.
        let vertex_bytes: &[u8] = if vertices.is_empty() {
            &[0; std::mem::size_of::<MeshVertex>()]
        } else {
            bytemuck::cast_slice(vertices)
        };
        let short: Option<Vec<u16>> = (vertices.len() <= usize::from(u16::MAX))
            .then(|| indices.iter().map(|&i| i as u16).collect());
        let (index_bytes, index_format): (&[u8], _) = match (&short, indices.is_empty()) {
            (_, true) => (&[0; 4], wgpu::IndexFormat::Uint32),
            // (`create_buffer_init` pads an odd count of u16 to wgpu's 4-byte copy alignment.)
            (Some(short), false) => (bytemuck::cast_slice(short), wgpu::IndexFormat::Uint16),
            (None, false) => (bytemuck::cast_slice(indices), wgpu::IndexFormat::Uint32),
        };
        let vertex_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: vertex_bytes,
            usage: wgpu::BufferUsages::VERTEX,
        });
        let index_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: index_bytes,
            usage: wgpu::BufferUsages::INDEX,
        });
        Self {
            vertex_buffer,
            index_buffer,
            index_count: indices.len() as u32,
            index_format,
            bounds: Aabb {
                min: Vec3::ZERO,
                max: Vec3::ZERO,
            },
            bvh: None,
        }
    }
}

fn bounds_of(mesh: &MeshAsset) -> Aabb {
    mesh.bounds().map_or(
        Aabb {
            min: Vec3::ZERO,
            max: Vec3::ZERO,
        },
        |(min, max)| Aabb { min, max },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every triangle's geometric normal must point away from the centre (CCW seen from outside), or
    /// back-face culling would hide the front of the shape.
    #[test]
    fn triangles_wind_counter_clockwise_from_outside() {
        for kind in [ShapeKind::Sphere, ShapeKind::Box] {
            let mesh = builtin_mesh(kind);
            mesh.validate().unwrap();
            for tri in mesh.indices.chunks(3) {
                let [a, b, c] = [0, 1, 2].map(|i| Vec3::from(mesh.positions[tri[i] as usize]));
                let face_normal = (b - a).cross(c - a);
                if face_normal.length() < 1e-7 {
                    continue; // degenerate triangle at a sphere pole
                }
                let centroid = (a + b + c) / 3.0;
                assert!(
                    face_normal.dot(centroid) > 0.0,
                    "{kind:?} triangle {tri:?} winds inwards"
                );
            }
        }
        let plane = builtin_mesh(ShapeKind::Plane);
        let [a, b, c] = [0, 1, 2].map(|i| Vec3::from(plane.positions[plane.indices[i] as usize]));
        assert!((b - a).cross(c - a).y > 0.0, "plane must face +Y");
    }
}
