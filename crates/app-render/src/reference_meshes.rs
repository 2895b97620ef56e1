//! Reference scenes of mesh assets: the imported-content path (textures, samplers, alpha modes, normal
//! maps, vertex colors, instancing), rendered like [`crate::reference`]'s scenes on every backend
//! against `tests/golden/<name>.png`. The assets are built here, in code, so each scene states exactly
//! what it draws; `app-gltf`'s tests cover getting the same values out of files.

use app_core::{
    AlphaMode, AssetId, Filter, MeshAsset, Node, NodeId, Sampler, Shape, Surface, TextureRef,
    Transform, UvTransform, Wrap,
};
use glam::{Quat, Vec3};

use crate::reference::{ReferenceAsset, ReferenceScene};
use crate::{AovMode, OrbitCamera};

/// The four texels of [`textured_quad`]'s texture, row by row: red, green / blue, white.
pub const CHECKER_TEXELS: [[u8; 4]; 4] = [
    [255, 0, 0, 255],
    [0, 255, 0, 255],
    [0, 0, 255, 255],
    [255, 255, 255, 255],
];

/// A quad of side 2 in the z = 0 plane facing +z; uv (0, 0) at its top-left corner (-1, 1).
pub fn quad() -> MeshAsset {
    MeshAsset {
        positions: vec![
            [-1.0, 1.0, 0.0],
            [1.0, 1.0, 0.0],
            [1.0, -1.0, 0.0],
            [-1.0, -1.0, 0.0],
        ],
        normals: vec![[0.0, 0.0, 1.0]; 4],
        uvs: vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]],
        tangents: vec![[1.0, 0.0, 0.0, 1.0]; 4],
        colors: Vec::new(),
        indices: vec![0, 3, 2, 0, 2, 1],
    }
}

/// An asset and its content id.
fn asset(asset: ReferenceAsset) -> (AssetId, ReferenceAsset) {
    let bytes = match &asset {
        ReferenceAsset::Mesh(mesh) => mesh.encode().unwrap_or_default(),
        ReferenceAsset::Surface(surface) => surface.encode(),
        // Decoded images have no encoded form here; their pixels name them.
        ReferenceAsset::Image(w, h, rgba) => {
            [&w.to_le_bytes()[..], &h.to_le_bytes(), rgba].concat()
        }
    };
    (AssetId::of(&bytes), asset)
}

fn texture(image: AssetId, filter: Filter, wrap: Wrap) -> TextureRef {
    TextureRef {
        image,
        sampler: Sampler {
            wrap_u: wrap,
            wrap_v: wrap,
            mag_filter: filter,
            min_filter: filter,
            mipmaps: filter == Filter::Linear,
        },
        uv_transform: UvTransform::IDENTITY,
    }
}

fn mesh_node(name: &str, mesh: AssetId, surface: Option<AssetId>, transform: Transform) -> Node {
    let id = NodeId::new(name).unwrap_or_else(|_| unreachable!("reference ids are valid"));
    let mut node = Node::new(id, Shape::Mesh { mesh, surface }, transform);
    node.material.base_color = Vec3::ONE;
    node.material.roughness = 0.8;
    node
}

/// A camera on the +z axis looking at the origin from `distance`.
fn facing_camera(distance: f32) -> OrbitCamera {
    OrbitCamera {
        yaw_rad: 0.0,
        pitch_rad: 0.0,
        distance,
        ..Default::default()
    }
}

/// [`quad`] with a 2×2 texture of [`CHECKER_TEXELS`] (nearest, clamped), white base color, seen
/// head-on in the albedo view: each quarter of the quad shows one texel's color exactly.
pub fn textured_quad() -> ReferenceScene {
    let mesh = asset(ReferenceAsset::Mesh(quad()));
    let image = asset(ReferenceAsset::Image(2, 2, CHECKER_TEXELS.concat()));
    let surface = asset(ReferenceAsset::Surface(Surface {
        base_color: Some(texture(image.0, Filter::Nearest, Wrap::ClampToEdge)),
        ..Surface::default()
    }));
    ReferenceScene {
        name: "textured_quad",
        nodes: vec![mesh_node(
            "quad",
            mesh.0,
            Some(surface.0),
            Transform::IDENTITY,
        )],
        camera: facing_camera(3.0),
        aov: AovMode::Albedo,
        selected: None,
        assets: vec![mesh, image, surface],
    }
}

/// Where [`mesh_materials`] puts each object.
pub const NORMAL_MAPPED_AT: Vec3 = Vec3::new(-1.6, 0.9, 0.0);
/// The vertex-colored triangle's centre.
pub const VERTEX_COLORS_AT: Vec3 = Vec3::new(1.6, 0.9, 0.0);
/// The masked quad's centre.
pub const MASKED_AT: Vec3 = Vec3::new(-1.6, -1.1, 0.0);
/// The blended pane's centre (a red box stands behind it).
pub const BLENDED_AT: Vec3 = Vec3::new(1.6, -1.1, 0.6);

/// Four objects on a dark background, lit from the front-left: a normal-mapped quad (vertical
/// grooves that only the normal map draws), a triangle with red, green and blue vertex colors, a
/// quad cut out by an alpha mask (a checkerboard of holes) and a half-transparent white pane in front
/// of a red box.
pub fn mesh_materials() -> ReferenceScene {
    let quad_mesh = asset(ReferenceAsset::Mesh(quad()));
    // Normal map: 8 vertical stripes, normals tilted alternately towards +x and -x.
    let mut normal_pixels = Vec::new();
    for _y in 0..8 {
        for x in 0..8 {
            let tilt: u8 = if x % 2 == 0 { 218 } else { 37 };
            normal_pixels.extend_from_slice(&[tilt, 128, 218, 255]);
        }
    }
    let normal_image = asset(ReferenceAsset::Image(8, 8, normal_pixels));
    let normal_surface = asset(ReferenceAsset::Surface(Surface {
        normal: Some(texture(normal_image.0, Filter::Nearest, Wrap::Repeat)),
        ..Surface::default()
    }));
    let triangle = asset(ReferenceAsset::Mesh(MeshAsset {
        positions: vec![[0.0, 0.9, 0.0], [-0.9, -0.7, 0.0], [0.9, -0.7, 0.0]],
        normals: vec![[0.0, 0.0, 1.0]; 3],
        colors: vec![
            [1.0, 0.0, 0.0, 1.0],
            [0.0, 1.0, 0.0, 1.0],
            [0.0, 0.0, 1.0, 1.0],
        ],
        indices: vec![0, 1, 2],
        ..MeshAsset::default()
    }));
    let mut mask_pixels = Vec::new();
    for y in 0..4 {
        for x in 0..4 {
            let alpha = if (x + y) % 2 == 0 { 255 } else { 0 };
            mask_pixels.extend_from_slice(&[230, 200, 60, alpha]);
        }
    }
    let mask_image = asset(ReferenceAsset::Image(4, 4, mask_pixels));
    let mask_surface = asset(ReferenceAsset::Surface(Surface {
        base_color: Some(texture(mask_image.0, Filter::Nearest, Wrap::Repeat)),
        alpha_mode: AlphaMode::Mask,
        alpha_cutoff: 0.5,
        double_sided: true,
        ..Surface::default()
    }));
    let pane_surface = asset(ReferenceAsset::Surface(Surface {
        alpha_mode: AlphaMode::Blend,
        opacity: 0.5,
        unlit: true,
        ..Surface::default()
    }));
    let at = |p: Vec3, scale: f32| Transform {
        translation: p,
        rotation: Quat::IDENTITY,
        scale: Vec3::splat(scale),
    };
    let mut red_box = Node::new(
        NodeId::new("box").unwrap_or_else(|_| unreachable!("reference ids are valid")),
        Shape::Box {
            extents: Vec3::splat(1.2),
        },
        Transform::from_translation(BLENDED_AT - Vec3::Z * 1.2),
    );
    red_box.material.base_color = Vec3::new(0.8, 0.05, 0.05);
    ReferenceScene {
        name: "mesh_materials",
        nodes: vec![
            mesh_node(
                "grooves",
                quad_mesh.0,
                Some(normal_surface.0),
                at(NORMAL_MAPPED_AT, 0.8),
            ),
            mesh_node("colors", triangle.0, None, at(VERTEX_COLORS_AT, 1.0)),
            mesh_node(
                "holes",
                quad_mesh.0,
                Some(mask_surface.0),
                at(MASKED_AT, 0.8),
            ),
            red_box,
            mesh_node(
                "pane",
                quad_mesh.0,
                Some(pane_surface.0),
                at(BLENDED_AT, 0.4),
            ),
        ],
        camera: facing_camera(7.0),
        aov: AovMode::Beauty,
        selected: None,
        assets: vec![
            quad_mesh,
            normal_image,
            normal_surface,
            triangle,
            mask_image,
            mask_surface,
            pane_surface,
        ],
    }
}

/// 1,000 instances of one textured mesh (a quad with a linear-filtered 2×2 texture), turned to
/// face the camera in a 10×10×10 grid: one draw call. Without mipmaps: which mip level a pixel reads
/// is implementation-defined (lavapipe and SwiftShader differ at these tiny sizes), so the golden
/// would measure the drivers rather than the engine.
pub fn thousand_meshes() -> ReferenceScene {
    let mesh = asset(ReferenceAsset::Mesh(quad()));
    // Four texels stretched over the quad: a smooth gradient (linear filtering between them).
    let pixels = [
        [230, 60, 40, 255],
        [240, 200, 50, 255],
        [40, 120, 220, 255],
        [60, 200, 120, 255],
    ]
    .concat();
    let image = asset(ReferenceAsset::Image(2, 2, pixels));
    let mut gradient = texture(image.0, Filter::Linear, Wrap::Repeat);
    gradient.sampler.mipmaps = false;
    let surface = asset(ReferenceAsset::Surface(Surface {
        base_color: Some(gradient),
        double_sided: true,
        ..Surface::default()
    }));
    let mut nodes = Vec::with_capacity(1000);
    for i in 0..10 {
        for j in 0..10 {
            for k in 0..10 {
                let cell = Vec3::new(i as f32, j as f32, k as f32);
                let transform = Transform {
                    translation: (cell - 4.5) * 0.5,
                    rotation: Quat::from_rotation_y(0.6),
                    scale: Vec3::splat(0.15),
                };
                nodes.push(mesh_node(
                    &format!("m{i}_{j}_{k}"),
                    mesh.0,
                    Some(surface.0),
                    transform,
                ));
            }
        }
    }
    ReferenceScene {
        name: "thousand_meshes",
        nodes,
        camera: OrbitCamera {
            yaw_rad: 0.6,
            pitch_rad: 0.5,
            distance: 12.0,
            ..Default::default()
        },
        aov: AovMode::Beauty,
        selected: None,
        assets: vec![mesh, image, surface],
    }
}

/// Every mesh reference scene, in a fixed order.
pub fn all() -> Vec<ReferenceScene> {
    vec![textured_quad(), mesh_materials(), thousand_meshes()]
}
