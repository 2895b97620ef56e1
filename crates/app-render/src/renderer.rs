//! The renderer: GPU state, the instance caches, view state (AOV, selection) and the frame key; encoding
//! a frame lives in [`frame`].

use std::collections::HashMap;

use app_core::{DirectionalLight, Node, NodeId};
use bytemuck::{Pod, Zeroable};
use glam::{Mat4, Vec2, Vec3, Vec4};

use crate::aov::{AovMode, object_color};
use crate::bounds::Aabb;
use crate::instances::{InstanceRaw, InstanceSet};
use crate::pick::Ray;
use crate::pipelines::{ScenePipelines, uniform_entry};
use crate::readback::Readback;
use crate::shadow::{LightFrustum, SHADOW_MAP_SIZE, ShadowMap};
use crate::targets::Targets;
use crate::{Gpu, OrbitCamera, RenderError, pick};

mod assets;
mod frame;

use assets::{Assets, Groups};
pub use assets::{DrawKey, MeshKey};

pub use frame::{DEFAULT_BACKGROUND, FrameStats};

/// The local selection's highlight color (linear RGB): a warm orange that reads on any base color.
pub const SELECTION_COLOR: Vec3 = Vec3::new(1.0, 0.45, 0.08);

/// Color of offscreen images; RGBA8 so read-back bytes need no swizzle, sRGB like a canvas.
pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

/// Everything a frame's image depends on: two equal keys mean the same image. app-wasm compares the key
/// of the frame it is about to draw with the last one it drew, and skips drawing when they are equal
/// (an unchanged scene costs no GPU calls).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameKey {
    /// Camera, light, AOV and depth range (bounds), as uploaded.
    uniforms: FrameUniforms,
    /// The sum of the instance sets' versions and of removed sets' last versions: it only grows,
    /// and changes with any change to what is drawn.
    instances_version: u64,
    /// Bumped when an asset arrives or leaves.
    assets_version: u64,
    /// The beauty view's clear color.
    background: Vec3,
    width: u32,
    height: u32,
    output_format: wgpu::TextureFormat,
}

/// Per-frame uniforms; layout matches `Frame` in `scene.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
struct FrameUniforms {
    clip_from_world: [[f32; 4]; 4],
    camera_position_in_world: [f32; 4],
    camera_forward_in_world: [f32; 4],
    to_light_in_world: [f32; 4],
    light_radiance: [f32; 4],
    sky_ambient: [f32; 4],
    ground_ambient: [f32; 4],
    light_clip_from_world: [[f32; 4]; 4],
    // x: shadow-map texel size in uv, y: receiver normal offset in world units.
    shadow_params: [f32; 4],
    // x: AOV index, y: view depth mapped to 0 (scene's nearest point), z: 1 / depth range.
    view_params: [f32; 4],
}

/// Draws `app-core` nodes. Owns every GPU resource it uses; all of it can be rebuilt from a snapshot.
pub struct Renderer {
    gpu: Gpu,
    scene_pipelines: ScenePipelines,
    frame_buffer: wgpu::Buffer,
    frame_bind_group: wgpu::BindGroup,
    shadow: ShadowMap,
    last_uniforms: Option<FrameUniforms>,
    targets: Option<Targets>,
    /// Draw groups (mesh × surface) and their instances.
    groups: Groups,
    /// Each drawn node's group.
    group_of: HashMap<NodeId, DrawKey>,
    /// Versions of removed groups, summed (keeps the frame key's instance version growing).
    removed_versions: u64,
    /// GPU meshes, surfaces and textures.
    assets: Assets,
    light: DirectionalLight,
    /// Linear radiance behind the scene in the beauty view (the document's background).
    background: Vec3,
    /// World bounds of every instance drawn. Grows as nodes are added or moved and resets when the scene
    /// empties; it does not shrink when a node leaves a region (that would cost a pass over all nodes)
    /// until [`Renderer::refit_bounds`] recomputes it (`frame_all` does).
    bounds: Option<Aabb>,
    aov: AovMode,
    selected: Option<NodeId>,
    /// Nodes other users have selected, in their colors (presence). Drawn like the local selection,
    /// which wins where both apply.
    peer_highlights: HashMap<NodeId, Vec3>,
    /// Other users' cameras as glyphs (`peer_cameras.rs`): the cameras shown, their instances and mesh.
    peer_cameras: Vec<crate::PeerCamera>,
    peer_camera_glyphs: InstanceSet,
    peer_camera_mesh: crate::mesh::GpuMesh,
    /// Other users' pointers, drawn as pins with the camera glyphs' mesh, in the same instance set.
    peer_pointers: Vec<crate::PeerPointer>,
    /// How many times size-dependent targets were allocated (tests check resizes cost nothing when the
    /// size is unchanged).
    target_allocations: u32,
    last_stats: FrameStats,
    /// Each pass's draws, recorded once and replayed (`bundle.rs`).
    bundles: crate::bundle::PassBundles,
    /// The camera; edit it directly.
    pub camera: OrbitCamera,
}

impl Renderer {
    /// Creates pipelines and meshes on `gpu`. The scene starts empty.
    pub fn new(gpu: &Gpu) -> Self {
        let device = &gpu.device;
        let scene_shader = device.create_shader_module(crate::shader_source::shader!(
            "scene.wgsl",
            gpu.info.backend
        ));
        let frame_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("frame"),
            entries: &[
                uniform_entry(0),
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Depth,
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 2,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Comparison),
                    count: None,
                },
            ],
        });
        let frame_buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("frame uniforms"),
            size: std::mem::size_of::<FrameUniforms>() as wgpu::BufferAddress,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let assets = Assets::new(device, &gpu.queue);
        let shadow = ShadowMap::new(device, &scene_shader, &frame_buffer, &assets.kit.layout);
        let frame_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("frame"),
            layout: &frame_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: frame_buffer.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&shadow.view),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::Sampler(&shadow.sampler),
                },
            ],
        });
        let scene_pipelines = ScenePipelines::new(
            gpu.msaa_samples,
            &scene_shader,
            &frame_layout,
            [&assets.kit.layout, &assets.kit.untextured_layout],
        );
        Self {
            gpu: gpu.clone(),
            scene_pipelines,
            frame_buffer,
            frame_bind_group,
            shadow,
            last_uniforms: None,
            targets: None,
            groups: Groups::new(),
            group_of: HashMap::new(),
            removed_versions: 0,
            assets,
            light: DirectionalLight::default(),
            background: DEFAULT_BACKGROUND,
            bounds: None,
            aov: AovMode::Beauty,
            selected: None,
            peer_highlights: HashMap::new(),
            peer_cameras: Vec::new(),
            peer_pointers: Vec::new(),
            peer_camera_glyphs: InstanceSet::default(),
            peer_camera_mesh: crate::mesh::GpuMesh::new(
                device,
                &crate::peer_cameras::glyph_mesh(),
                "peer camera",
                false,
            ),
            target_allocations: 0,
            last_stats: FrameStats::default(),
            bundles: crate::bundle::PassBundles::default(),
            camera: OrbitCamera::default(),
        }
    }

    /// The GPU this renderer draws with.
    pub fn gpu(&self) -> &Gpu {
        &self.gpu
    }

    /// Adds or updates a node. `world_from_parent` places its parent (identity for a root). Hidden nodes
    /// and group nodes are dropped from the instance buffers; a mesh node is kept in its group even
    /// before its assets arrive (see [`Renderer::take_wanted_assets`]).
    pub fn upsert_node(&mut self, node: &Node, world_from_parent: Mat4) {
        let key = DrawKey::of(&node.shape).filter(|_| node.visible);
        if let Some(old) = self.group_of.get(&node.id).copied()
            && Some(old) != key
        {
            self.remove_instance(&node.id);
        }
        let Some(key) = key else {
            return;
        };
        let world_from_mesh = node.world_from_mesh(world_from_parent);
        let instance = InstanceRaw::new(
            world_from_mesh,
            &node.material,
            object_color(&node.id),
            self.highlight_of(&node.id),
        );
        if !self.groups.contains_key(&key) {
            self.assets.note_group(&key);
        }
        self.groups
            .entry(key)
            .or_default()
            .upsert(&node.id, instance);
        self.group_of.insert(node.id.clone(), key);
        if let Some(mesh_bounds) = self.assets.mesh(key.mesh).map(|m| m.bounds) {
            let node_bounds = mesh_bounds.transformed(world_from_mesh);
            if node_bounds.is_finite() {
                self.bounds = Some(match self.bounds {
                    Some(bounds) => bounds.union(&node_bounds),
                    None => node_bounds,
                });
            }
        }
        // Conservative: an identical upsert also redraws the shadow map, which is still O(1) to decide.
        self.shadow.dirty = true;
    }

    /// Removes a node (clearing the selection if it was selected); unknown ids are ignored (the change
    /// stream may report a node that was never shown).
    pub fn remove_node(&mut self, id: &NodeId) {
        if self.selected.as_ref() == Some(id) {
            self.selected = None;
        }
        self.remove_instance(id);
    }

    fn remove_instance(&mut self, id: &NodeId) {
        let Some(key) = self.group_of.remove(id) else {
            return;
        };
        if let Some(set) = self.groups.get_mut(&key) {
            set.remove(id);
            if set.len() == 0 {
                self.removed_versions += set.version() + 1;
                self.groups.remove(&key);
                self.assets.release_unused(&self.groups);
            }
        }
        self.shadow.dirty = true;
        if self.group_of.is_empty() {
            self.bounds = None;
        }
    }

    /// Replaces the directional light.
    pub fn set_light(&mut self, light: DirectionalLight) {
        if self.light != light {
            self.light = light;
            self.shadow.dirty = true;
        }
    }

    /// Sets the background (linear RGB radiance behind the scene, tone-mapped like it). Changes the
    /// frame key.
    pub fn set_background(&mut self, rgb: Vec3) {
        self.background = rgb;
    }

    /// The background set by [`Renderer::set_background`].
    pub fn background(&self) -> Vec3 {
        self.background
    }

    /// Chooses what the view shows. Costs one uniform write on the next frame.
    pub fn set_aov(&mut self, mode: AovMode) {
        self.aov = mode;
    }

    /// What the view shows.
    pub fn aov(&self) -> AovMode {
        self.aov
    }

    /// Highlights `id` (or nothing) in [`SELECTION_COLOR`]. Rewrites at most two instances. Selecting a
    /// node that is not drawn is allowed (it may arrive later, e.g. from a peer) and highlights it when
    /// it appears.
    pub fn set_selected(&mut self, id: Option<&NodeId>) {
        if self.selected.as_ref() == id {
            return;
        }
        let old = std::mem::replace(&mut self.selected, id.cloned());
        for node in old.iter().chain(id) {
            self.refresh_highlight(node);
        }
    }

    /// Replaces the nodes other users have selected, each drawn in its user's color (linear RGB).
    /// Rewrites only the instances whose highlight changes.
    pub fn set_peer_highlights(&mut self, highlights: &[(NodeId, Vec3)]) {
        let new: HashMap<NodeId, Vec3> = highlights.iter().cloned().collect();
        if new == self.peer_highlights {
            return;
        }
        let old = std::mem::replace(&mut self.peer_highlights, new);
        let touched: Vec<NodeId> = old
            .keys()
            .chain(self.peer_highlights.keys())
            .cloned()
            .collect();
        for node in &touched {
            self.refresh_highlight(node);
        }
    }

    /// Shows other users' pointers (3D presence) as pins in their colors: apex at the point, in the
    /// beauty view only, never picked, in the bounds or the shadow map. Costs nothing when unchanged.
    pub fn set_peer_pointers(&mut self, pointers: &[crate::PeerPointer]) {
        crate::peer_cameras::fill_pointers(
            &mut self.peer_camera_glyphs,
            &mut self.peer_pointers,
            pointers,
        );
    }

    /// How many peer pointers are shown.
    pub fn peer_pointer_count(&self) -> usize {
        self.peer_pointers.len()
    }

    /// Replaces the other users' cameras drawn as glyphs (beauty view only). Rewrites instances only
    /// when the list changed.
    pub fn set_peer_cameras(&mut self, cameras: &[crate::PeerCamera]) {
        crate::peer_cameras::fill(
            &mut self.peer_camera_glyphs,
            &mut self.peer_cameras,
            cameras,
        );
    }

    /// How many peer cameras are drawn.
    pub fn peer_camera_count(&self) -> usize {
        self.peer_cameras.len()
    }

    /// The highlight `id` should be drawn with: the local selection first, then a peer's.
    fn highlight_of(&self, id: &NodeId) -> Option<Vec3> {
        if self.selected.as_ref() == Some(id) {
            Some(SELECTION_COLOR)
        } else {
            self.peer_highlights.get(id).copied()
        }
    }

    /// The highlighted node.
    pub fn selected(&self) -> Option<&NodeId> {
        self.selected.as_ref()
    }

    fn refresh_highlight(&mut self, id: &NodeId) {
        let highlight = self.highlight_of(id);
        if let Some(set) = self
            .group_of
            .get(id)
            .and_then(|key| self.groups.get_mut(key))
        {
            set.set_highlight(id, highlight);
        }
    }

    /// The node drawn at `point_in_viewport` (fractions of the viewport, 0,0 top-left) of a viewport
    /// of aspect `aspect`: the nearest hit of the ray through that point with every drawn node's exact
    /// shape. O(nodes); meant for clicks, not for every frame.
    pub fn pick(&self, point_in_viewport: Vec2, aspect: f32) -> Option<NodeId> {
        let ray = self.camera.ray_through(point_in_viewport, aspect);
        self.nearest_hit(&ray).map(|(_, id)| id.clone())
    }

    /// The world point under `point_in_viewport` (as [`Renderer::pick`]): where the ray meets the
    /// nearest drawn node, or else the ground plane (y = 0) in front of the camera; `None` when it
    /// meets neither (a ray towards the sky). Where another user points (3D presence).
    pub fn pick_point(&self, point_in_viewport: Vec2, aspect: f32) -> Option<Vec3> {
        let ray = self.camera.ray_through(point_in_viewport, aspect);
        let t = match self.nearest_hit(&ray) {
            Some((t, _)) => t,
            // The ray spans near to far plane as t goes 0..1.
            None => Some(-ray.origin.y / ray.direction.y).filter(|t| (0.0..=1.0).contains(t))?,
        };
        Some(ray.at(t)).filter(|p| p.is_finite())
    }

    /// The nearest node `ray` hits, with the hit's ray parameter.
    fn nearest_hit(&self, ray: &crate::Ray) -> Option<(f32, &NodeId)> {
        let mut nearest: Option<(f32, &NodeId)> = None;
        for (key, set) in &self.groups {
            let Some(mesh) = self.assets.mesh(key.mesh) else {
                continue;
            };
            for (id, instance) in set.iter() {
                let world_from_mesh = instance.world_from_mesh();
                let hit = match key.mesh {
                    MeshKey::Builtin(kind) => pick::intersect(kind, world_from_mesh, ray),
                    MeshKey::Asset(_) => intersect_mesh(mesh, world_from_mesh, ray),
                };
                if let Some(t) = hit
                    && nearest.is_none_or(|(best, _)| t < best)
                {
                    nearest = Some((t, id));
                }
            }
        }
        nearest
    }

    /// Recomputes the exact bounds of everything drawn (O(nodes)) and returns them; the shadow frustum
    /// tightens to them on the next frame. `None` when nothing is drawn.
    pub fn refit_bounds(&mut self) -> Option<Aabb> {
        let assets = &self.assets;
        let exact = self
            .groups
            .iter()
            .filter_map(|(key, set)| Some((assets.mesh(key.mesh)?.bounds, set)))
            .flat_map(|(mesh_bounds, set)| {
                set.iter()
                    .map(move |(_, instance)| mesh_bounds.transformed(instance.world_from_mesh()))
            })
            .filter(Aabb::is_finite)
            .reduce(|a, b| a.union(&b));
        if exact != self.bounds {
            self.bounds = exact;
            self.shadow.dirty = true;
        }
        exact
    }

    /// How many times the size-dependent render targets were (re)allocated.
    pub fn target_allocations(&self) -> u32 {
        self.target_allocations
    }

    /// How many render bundles have been recorded (`bundle.rs`): a frame that draws what the last one
    /// drew, from another camera or with moved instances, records none.
    pub fn bundle_recordings(&self) -> u32 {
        self.bundles.recordings()
    }

    /// Builds the scene pipeline that built-in shapes draw with, for views of `format`, now rather than
    /// on the first frame: the browser compiles it while the page goes on (call it with the canvas's
    /// format when the renderer is made).
    pub fn prepare_output(&mut self, format: wgpu::TextureFormat) {
        self.scene_pipelines.prepare(
            &self.gpu.device,
            format,
            crate::pipelines::SceneVariant::default(),
        );
    }

    /// How many scene pipelines have been built (`pipelines.rs`): one for a scene of built-in shapes,
    /// more only as surfaces that need another variant (textured, blended, double-sided) are drawn, or
    /// frames go to views of another format.
    pub fn scene_pipeline_count(&self) -> usize {
        self.scene_pipelines.count()
    }

    /// What the last encoded frame cost.
    pub fn last_stats(&self) -> FrameStats {
        self.last_stats
    }

    /// Number of nodes currently drawn.
    pub fn instance_count(&self) -> u32 {
        self.groups.values().map(InstanceSet::len).sum()
    }

    /// The key of the frame [`Renderer::encode_frame`] would draw now with these arguments. Cost: one
    /// uniforms computation, independent of the scene's size.
    pub fn frame_key(
        &self,
        output_format: wgpu::TextureFormat,
        width: u32,
        height: u32,
    ) -> FrameKey {
        let (width, height) = (width.max(1), height.max(1));
        FrameKey {
            uniforms: self.frame_uniforms(width as f32 / height as f32),
            instances_version: self.removed_versions
                + self.peer_camera_glyphs.version()
                + self.groups.values().map(InstanceSet::version).sum::<u64>(),
            assets_version: self.assets.version,
            background: self.background,
            width,
            height,
            output_format,
        }
    }

    /// Maps view depth to 0..1 over the scene bounds' extent along the view direction (depth AOV).
    fn depth_range(&self, eye: Vec3, forward: Vec3) -> (f32, f32) {
        let Some(bounds) = self.bounds else {
            return (0.0, 1.0);
        };
        let (near, far) = bounds
            .corners()
            .into_iter()
            .map(|corner| (corner - eye).dot(forward))
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), d| {
                (lo.min(d), hi.max(d))
            });
        let near = near.max(0.0);
        (near, 1.0 / (far - near).max(1e-6))
    }

    fn frame_uniforms(&self, aspect: f32) -> FrameUniforms {
        let to_light = (-self.light.direction_in_world)
            .try_normalize()
            .unwrap_or(Vec3::Y);
        let radiance = self.light.color * self.light.intensity * std::f32::consts::PI;
        let frustum = LightFrustum::fit(self.light.direction_in_world, self.bounds);
        let eye = self.camera.eye_in_world();
        let forward = (self.camera.target_in_world - eye)
            .try_normalize()
            .unwrap_or(Vec3::NEG_Z);
        let (depth_near, depth_scale) = self.depth_range(eye, forward);
        FrameUniforms {
            clip_from_world: self.camera.clip_from_world(aspect).to_cols_array_2d(),
            camera_position_in_world: eye.extend(1.0).to_array(),
            camera_forward_in_world: forward.extend(0.0).to_array(),
            to_light_in_world: to_light.extend(0.0).to_array(),
            light_radiance: radiance.extend(0.0).to_array(),
            sky_ambient: Vec4::new(0.30, 0.34, 0.40, 0.0).to_array(),
            ground_ambient: Vec4::new(0.10, 0.09, 0.08, 0.0).to_array(),
            light_clip_from_world: frustum.clip_from_world.to_cols_array_2d(),
            shadow_params: [
                1.0 / SHADOW_MAP_SIZE as f32,
                frustum.normal_offset,
                0.0,
                0.0,
            ],
            view_params: [self.aov.shader_index(), depth_near, depth_scale, 0.0],
        }
    }

    /// Renders the current view into a new `width`×`height` RGBA8 image and submits the copy; map the
    /// returned [`Readback`] to get the pixels.
    pub fn render_offscreen(&mut self, width: u32, height: u32) -> Result<Readback, RenderError> {
        self.render_offscreen_as(OFFSCREEN_FORMAT, width, height)
    }

    /// [`Renderer::render_offscreen`] through a target of `format` when [`crate::is_readable`]
    /// accepts it (pass the canvas's format: the frame's output pipeline is reused, not compiled a
    /// second time for the read), else of [`OFFSCREEN_FORMAT`]. The pixels are RGBA8 either way.
    pub fn render_offscreen_as(
        &mut self,
        format: wgpu::TextureFormat,
        width: u32,
        height: u32,
    ) -> Result<Readback, RenderError> {
        let max = self.gpu.device.limits().max_texture_dimension_2d;
        if width == 0 || height == 0 || width > max || height > max {
            return Err(RenderError::BadSize { width, height, max });
        }
        let format = if crate::is_readable(format) {
            format
        } else {
            OFFSCREEN_FORMAT
        };
        let texture = self.gpu.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("offscreen"),
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("offscreen"),
            });
        self.encode_frame(&mut encoder, &view, format, width, height);
        let readback = Readback::copy_of(&self.gpu.device, &mut encoder, &texture);
        self.gpu.queue.submit([encoder.finish()]);
        Ok(readback)
    }
}

/// The ray parameter of the nearest hit of `ray_in_world` with `mesh`'s triangles placed by
/// `world_from_mesh` (the ray is carried into mesh space unnormalised, so parameters compare across
/// instances, as in `pick::intersect`).
fn intersect_mesh(
    mesh: &crate::mesh::GpuMesh,
    world_from_mesh: Mat4,
    ray_in_world: &Ray,
) -> Option<f32> {
    let mesh_from_world = world_from_mesh.inverse();
    if !mesh_from_world.is_finite() {
        return None;
    }
    mesh.bvh.as_ref()?.get().intersect(&Ray {
        origin: mesh_from_world.transform_point3(ray_in_world.origin),
        direction: mesh_from_world.transform_vector3(ray_in_world.direction),
    })
}

/// The drawing-buffer size for a canvas of `css_width`×`css_height` CSS pixels at
/// `device_pixel_ratio`: physical pixels, rounded, each side clamped to 1..=`max_side` (the device's
/// texture limit), so a huge or zero-sized canvas still gets a valid buffer.
pub fn drawing_buffer_size(
    css_width: f32,
    css_height: f32,
    device_pixel_ratio: f32,
    max_side: u32,
) -> (u32, u32) {
    let to_pixels = |css: f32| {
        let pixels = (css * device_pixel_ratio).round();
        // `as` saturates (NaN -> 0); the clamp then makes it valid.
        (pixels as u32).clamp(1, max_side.max(1))
    };
    (to_pixels(css_width), to_pixels(css_height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawing_buffer_is_physical_pixels_clamped_to_the_device() {
        assert_eq!(drawing_buffer_size(300.0, 150.0, 2.0, 8192), (600, 300));
        assert_eq!(drawing_buffer_size(100.4, 0.0, 1.0, 8192), (100, 1));
        assert_eq!(drawing_buffer_size(5000.0, 10.0, 3.0, 8192), (8192, 30));
        assert_eq!(drawing_buffer_size(f32::NAN, 1e30, 1.0, 2048), (1, 2048));
    }
}
