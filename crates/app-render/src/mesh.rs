//! The shared unit meshes, one per [`ShapeKind`]; every node of a kind is an instance of its mesh.

use app_core::ShapeKind;
use bytemuck::{Pod, Zeroable};
use glam::Vec3;
use wgpu::util::DeviceExt;

/// One mesh vertex: position and outward normal, in mesh space.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct MeshVertex {
    /// Position in mesh space.
    pub position_in_mesh: [f32; 3],
    /// Unit outward normal in mesh space.
    pub normal_in_mesh: [f32; 3],
}

impl MeshVertex {
    /// Vertex buffer slot 0 of the mesh pipelines: position at location 0, normal at location 1.
    pub const LAYOUT: wgpu::VertexBufferLayout<'static> = wgpu::VertexBufferLayout {
        array_stride: std::mem::size_of::<MeshVertex>() as wgpu::BufferAddress,
        step_mode: wgpu::VertexStepMode::Vertex,
        attributes: &wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x3],
    };
}

/// Vertices and triangle indices (counter-clockwise seen from outside).
pub struct MeshData {
    /// The vertices, each used by one or more triangles.
    pub vertices: Vec<MeshVertex>,
    /// Three indices into `vertices` per triangle.
    pub indices: Vec<u32>,
}

/// Segments around a sphere's equator. 48×24 keeps silhouettes round at 1080p and costs 1.2k vertices.
const SPHERE_SEGMENTS: u32 = 48;
const SPHERE_RINGS: u32 = 24;

/// The unit mesh of `kind`: sphere of radius 1, cube of side 1, square of side 1 facing +Y; all centred
/// on the origin.
pub fn mesh_data(kind: ShapeKind) -> MeshData {
    match kind {
        ShapeKind::Sphere => uv_sphere(SPHERE_SEGMENTS, SPHERE_RINGS),
        ShapeKind::Box => cuboid(),
        ShapeKind::Plane => {
            let mut mesh = MeshData {
                vertices: Vec::new(),
                indices: Vec::new(),
            };
            push_face(&mut mesh, Vec3::Y, Vec3::Z, Vec3::X, 0.0);
            mesh
        }
    }
}

fn uv_sphere(segments: u32, rings: u32) -> MeshData {
    let mut vertices = Vec::with_capacity(((segments + 1) * (rings + 1)) as usize);
    for ring in 0..=rings {
        let theta = std::f32::consts::PI * ring as f32 / rings as f32;
        for segment in 0..=segments {
            let phi = std::f32::consts::TAU * segment as f32 / segments as f32;
            let p = [
                theta.sin() * phi.cos(),
                theta.cos(),
                theta.sin() * phi.sin(),
            ];
            vertices.push(MeshVertex {
                position_in_mesh: p,
                normal_in_mesh: p,
            });
        }
    }
    let mut indices = Vec::with_capacity((segments * rings * 6) as usize);
    let row = segments + 1;
    for ring in 0..rings {
        for segment in 0..segments {
            let a = ring * row + segment;
            let b = a + row; // one ring down
            let c = b + 1;
            let d = a + 1; // one segment along
            // With p(θ, φ) as above, ∂φ × ∂θ points outwards, so (a, d, c) and (a, c, b) are CCW from outside.
            indices.extend_from_slice(&[a, d, c, a, c, b]);
        }
    }
    MeshData { vertices, indices }
}

fn cuboid() -> MeshData {
    let mut mesh = MeshData {
        vertices: Vec::new(),
        indices: Vec::new(),
    };
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
    mesh
}

/// A unit square in the plane spanned by `u` and `v`, offset by `normal * offset`.
fn push_face(mesh: &mut MeshData, normal: Vec3, u: Vec3, v: Vec3, offset: f32) {
    let base = mesh.vertices.len() as u32;
    for (su, sv) in [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)] {
        let p = normal * offset + u * su + v * sv;
        mesh.vertices.push(MeshVertex {
            position_in_mesh: p.to_array(),
            normal_in_mesh: normal.to_array(),
        });
    }
    mesh.indices
        .extend_from_slice(&[base, base + 1, base + 2, base, base + 2, base + 3]);
}

/// A mesh uploaded to the GPU.
pub struct GpuMesh {
    /// [`MeshVertex`] values, laid out as [`MeshVertex::LAYOUT`].
    pub vertex_buffer: wgpu::Buffer,
    /// `u32` triangle indices into `vertex_buffer`.
    pub index_buffer: wgpu::Buffer,
    /// Number of indices in `index_buffer` (three per triangle).
    pub index_count: u32,
}

impl GpuMesh {
    /// Uploads the unit mesh of `kind`.
    pub fn new(device: &wgpu::Device, kind: ShapeKind) -> Self {
        let data = mesh_data(kind);
        let vertex_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(kind.as_str()),
            contents: bytemuck::cast_slice(&data.vertices),
            usage: wgpu::BufferUsages::VERTEX,
        });
        let index_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(kind.as_str()),
            contents: bytemuck::cast_slice(&data.indices),
            usage: wgpu::BufferUsages::INDEX,
        });
        Self {
            vertex_buffer,
            index_buffer,
            index_count: data.indices.len() as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every triangle's geometric normal must point away from the centre (CCW seen from outside), or
    /// back-face culling would hide the front of the shape.
    #[test]
    fn triangles_wind_counter_clockwise_from_outside() {
        for kind in [ShapeKind::Sphere, ShapeKind::Box] {
            let mesh = mesh_data(kind);
            for tri in mesh.indices.chunks(3) {
                let [a, b, c] =
                    [0, 1, 2].map(|i| Vec3::from(mesh.vertices[tri[i] as usize].position_in_mesh));
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
        let plane = mesh_data(ShapeKind::Plane);
        let [a, b, c] = [0, 1, 2]
            .map(|i| Vec3::from(plane.vertices[plane.indices[i] as usize].position_in_mesh));
        assert!((b - a).cross(c - a).y > 0.0, "plane must face +Y");
    }
}
