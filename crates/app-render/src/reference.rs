//! The reference scenes: one definition each, rendered by the golden-image tests on every backend
//! (natively on lavapipe, in the browser on WebGPU and on WebGL2) against the same PNGs in
//! `tests/golden/`. Like wgpu's examples, the scene code *is* the test fixture.

use app_core::{AssetId, MeshAsset, Node, NodeId, Shape, Surface, Transform};
use glam::{Mat4, Quat, Vec3};

use crate::{AovMode, OrbitCamera, Renderer};

/// Side of every reference image, in pixels. Small enough for SwiftShader in headless Chromium.
pub const REFERENCE_SIZE: u32 = 256;

/// A scene, the view of it, and the name of its reference image (`tests/golden/<name>.png`).
#[derive(Debug, Clone)]
pub struct ReferenceScene {
    /// Reference image name.
    pub name: &'static str,
    /// Root nodes, in insertion order.
    pub nodes: Vec<Node>,
    /// The camera at rest.
    pub camera: OrbitCamera,
    /// What the view shows.
    pub aov: AovMode,
    /// The highlighted node.
    pub selected: Option<NodeId>,
    /// The assets its mesh nodes use (empty for built-in shapes).
    pub assets: Vec<(AssetId, ReferenceAsset)>,
}

/// An asset of a reference scene, as the renderer is given it.
#[derive(Debug, Clone)]
pub enum ReferenceAsset {
    /// Geometry.
    Mesh(MeshAsset),
    /// A surface.
    Surface(Surface),
    /// A decoded image: width, height, RGBA8 rows top to bottom.
    Image(u32, u32, Vec<u8>),
}

impl ReferenceScene {
    /// Loads the scene into `renderer` (which should be empty) and sets its view.
    pub fn load_into(&self, renderer: &mut Renderer) {
        for node in &self.nodes {
            renderer.upsert_node(node, Mat4::IDENTITY);
        }
        renderer.camera = self.camera;
        renderer.set_aov(self.aov);
        renderer.set_selected(self.selected.as_ref());
        // Supply what the renderer asks for, as app-wasm does from the document: surfaces first
        // announce the images they sample, so ask until nothing more is wanted.
        loop {
            let wanted = renderer.take_wanted_assets();
            if wanted.is_empty() {
                break;
            }
            for id in wanted {
                match self
                    .assets
                    .iter()
                    .find(|(a, _)| *a == id)
                    .map(|(_, asset)| asset)
                {
                    Some(ReferenceAsset::Mesh(mesh)) => renderer.insert_mesh(id, mesh),
                    Some(ReferenceAsset::Surface(surface)) => renderer.insert_surface(id, *surface),
                    Some(ReferenceAsset::Image(w, h, rgba)) => {
                        renderer.insert_image(id, *w, *h, rgba)
                    }
                    None => {}
                }
            }
        }
    }
}

fn id(name: &str) -> NodeId {
    // Literal ids below are valid by construction (short, non-empty).
    NodeId::new(name).unwrap_or_else(|_| unreachable!("reference ids are valid"))
}

fn node(name: &str, shape: Shape, translation: Vec3, base_color: Vec3) -> Node {
    let mut node = Node::new(id(name), shape, Transform::from_translation(translation));
    node.material.base_color = base_color;
    node
}

/// A red sphere of radius `radius` at the origin, default camera.
pub fn one_sphere(radius: f32) -> ReferenceScene {
    ReferenceScene {
        name: "one_sphere",
        nodes: vec![node(
            "sphere",
            Shape::Sphere { radius },
            Vec3::ZERO,
            Vec3::new(0.8, 0.1, 0.1),
        )],
        camera: OrbitCamera::default(),
        aov: AovMode::Beauty,
        selected: None,
        assets: Vec::new(),
    }
}

/// Where the ball of [`shadow_scene`] stands.
pub const BALL_CENTER: Vec3 = Vec3::new(-0.15, 0.6, -0.95);
/// Where the crate of [`shadow_scene`] stands.
pub const CRATE_CENTER: Vec3 = Vec3::new(0.1, 0.45, 1.0);

/// A sphere ("ball") and a turned box ("crate") standing on a plane ("ground"), lit from above,
/// behind-right, so both cast shadows sideways in view; shown in `aov`.
pub fn shadow_scene(aov: AovMode) -> ReferenceScene {
    let mut crate_node = node(
        "crate",
        Shape::Box {
            extents: Vec3::splat(0.9),
        },
        CRATE_CENTER,
        Vec3::new(0.15, 0.35, 0.8),
    );
    crate_node.transform.rotation = Quat::from_rotation_y(0.5);
    crate_node.material.metallic = 0.3;
    crate_node.material.roughness = 0.35;
    ReferenceScene {
        name: match aov {
            AovMode::Beauty => "shadow_scene",
            AovMode::Albedo => "shadow_scene_albedo",
            AovMode::Normal => "shadow_scene_normal",
            AovMode::Depth => "shadow_scene_depth",
            AovMode::ObjectId => "shadow_scene_object_id",
        },
        nodes: vec![
            node(
                "ground",
                Shape::Plane { size: 6.0 },
                Vec3::ZERO,
                Vec3::splat(0.5),
            ),
            node(
                "ball",
                Shape::Sphere { radius: 0.6 },
                BALL_CENTER,
                Vec3::new(0.8, 0.15, 0.1),
            ),
            crate_node,
        ],
        camera: OrbitCamera {
            target_in_world: Vec3::new(0.0, 0.3, 0.0),
            // Looking across the light's horizontal direction, so both shadows fall sideways in view.
            yaw_rad: -1.0,
            pitch_rad: 0.6,
            distance: 6.5,
            ..Default::default()
        },
        aov,
        selected: None,
        assets: Vec::new(),
    }
}

/// [`shadow_scene`] with the ball selected.
pub fn selected_node() -> ReferenceScene {
    ReferenceScene {
        name: "selected_node",
        selected: Some(id("ball")),
        ..shadow_scene(AovMode::Beauty)
    }
}

/// 1,000 spheres in a 10×10×10 grid, colored by position: drawn with one instanced call.
pub fn thousand_spheres() -> ReferenceScene {
    let mut nodes = Vec::with_capacity(1000);
    for i in 0..10 {
        for j in 0..10 {
            for k in 0..10 {
                let cell = Vec3::new(i as f32, j as f32, k as f32);
                nodes.push(node(
                    &format!("s{i}_{j}_{k}"),
                    Shape::Sphere { radius: 0.18 },
                    (cell - 4.5) * 0.5,
                    cell / 9.0 * 0.8 + 0.1,
                ));
            }
        }
    }
    ReferenceScene {
        name: "thousand_spheres",
        nodes,
        camera: OrbitCamera {
            yaw_rad: 0.6,
            pitch_rad: 0.5,
            distance: 12.0,
            ..Default::default()
        },
        aov: AovMode::Beauty,
        selected: None,
        assets: Vec::new(),
    }
}

/// Every reference scene, in a fixed order.
pub fn all() -> Vec<ReferenceScene> {
    let mut scenes = vec![one_sphere(1.0)];
    scenes.extend(AovMode::ALL.map(shadow_scene));
    scenes.push(selected_node());
    scenes.push(thousand_spheres());
    scenes.extend(crate::reference_meshes::all());
    scenes
}
