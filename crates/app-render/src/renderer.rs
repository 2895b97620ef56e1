//! The renderer: GPU pipelines, the instance caches and the frame loop.

use std::collections::HashMap;

use app_core::{DirectionalLight, Node, NodeId, ShapeKind};
use bytemuck::{Pod, Zeroable};
use glam::{Mat4, Vec3, Vec4};

use crate::bounds::Aabb;
use crate::instances::{InstanceRaw, InstanceSet};
use crate::mesh::{GpuMesh, MeshVertex};
use crate::readback::Readback;
use crate::shadow::{LightFrustum, SHADOW_MAP_SIZE, ShadowMap};
use crate::targets::{DEPTH_FORMAT, HDR_FORMAT, Targets};
use crate::{Gpu, OrbitCamera, RenderError};

/// Background radiance (linear HDR), a dark blue-grey that reads as "empty viewport" after tonemapping.
const CLEAR_RADIANCE: wgpu::Color = wgpu::Color {
    r: 0.018,
    g: 0.022,
    b: 0.032,
    a: 1.0,
};
/// Color of offscreen images; RGBA8 so read-back bytes need no swizzle, sRGB like a canvas.
pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

/// What one frame cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameStats {
    /// Draw calls issued (shadow, scene and output passes). The shadow pass runs only on frames where
    /// instances or the light changed.
    pub draw_calls: u32,
    /// Instances drawn.
    pub instances: u32,
    /// Bytes written to GPU buffers (instances and uniforms).
    pub bytes_uploaded: u64,
}

/// Per-frame uniforms; layout matches `Frame` in `scene.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
struct FrameUniforms {
    clip_from_world: [[f32; 4]; 4],
    camera_position_in_world: [f32; 4],
    to_light_in_world: [f32; 4],
    light_radiance: [f32; 4],
    sky_ambient: [f32; 4],
    ground_ambient: [f32; 4],
    light_clip_from_world: [[f32; 4]; 4],
    // x: shadow-map texel size in uv, y: receiver normal offset in world units.
    shadow_params: [f32; 4],
}

/// Draws `app-core` nodes. Owns every GPU resource it uses; all of it can be rebuilt from a snapshot.
pub struct Renderer {
    gpu: Gpu,
    scene_pipeline: wgpu::RenderPipeline,
    frame_buffer: wgpu::Buffer,
    frame_bind_group: wgpu::BindGroup,
    shadow: ShadowMap,
    last_uniforms: Option<FrameUniforms>,
    tonemap_layout: wgpu::BindGroupLayout,
    tonemap_shader: wgpu::ShaderModule,
    /// One output pipeline per output format (canvas formats differ between backends).
    tonemap_pipelines: HashMap<wgpu::TextureFormat, wgpu::RenderPipeline>,
    targets: Option<Targets>,
    meshes: Vec<(ShapeKind, GpuMesh, InstanceSet)>,
    kind_of: HashMap<NodeId, ShapeKind>,
    light: DirectionalLight,
    /// World bounds of every instance drawn. Grows as nodes are added or moved and resets when the scene
    /// empties; it does not shrink when a node leaves a region (that would cost a pass over all nodes),
    /// so after such edits the shadow frustum is looser than it could be until the renderer is rebuilt.
    bounds: Option<Aabb>,
    last_stats: FrameStats,
    /// The camera; edit it directly.
    pub camera: OrbitCamera,
}

impl Renderer {
    /// Creates pipelines and meshes on `gpu`. The scene starts empty.
    pub fn new(gpu: &Gpu) -> Self {
        let device = &gpu.device;
        let scene_shader = device.create_shader_module(wgpu::include_wgsl!("shaders/scene.wgsl"));
        let tonemap_shader =
            device.create_shader_module(wgpu::include_wgsl!("shaders/tonemap.wgsl"));

        let frame_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("frame"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
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
        let shadow = ShadowMap::new(device, &scene_shader, &frame_buffer);
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
        let scene_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("scene"),
            bind_group_layouts: &[Some(&frame_layout)],
            immediate_size: 0,
        });
        let scene_pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("scene"),
            layout: Some(&scene_layout),
            vertex: wgpu::VertexState {
                module: &scene_shader,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[Some(MeshVertex::LAYOUT), Some(InstanceRaw::LAYOUT)],
            },
            primitive: wgpu::PrimitiveState {
                cull_mode: Some(wgpu::Face::Back),
                ..Default::default()
            },
            depth_stencil: Some(wgpu::DepthStencilState {
                format: DEPTH_FORMAT,
                depth_write_enabled: Some(true),
                depth_compare: Some(wgpu::CompareFunction::Less),
                stencil: Default::default(),
                bias: Default::default(),
            }),
            multisample: Default::default(),
            fragment: Some(wgpu::FragmentState {
                module: &scene_shader,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(HDR_FORMAT.into())],
            }),
            multiview_mask: None,
            cache: None,
        });
        let tonemap_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("tonemap"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Texture {
                    sample_type: wgpu::TextureSampleType::Float { filterable: false },
                    view_dimension: wgpu::TextureViewDimension::D2,
                    multisampled: false,
                },
                count: None,
            }],
        });
        let meshes = ShapeKind::ALL
            .into_iter()
            .map(|kind| (kind, GpuMesh::new(device, kind), InstanceSet::default()))
            .collect();
        Self {
            gpu: gpu.clone(),
            scene_pipeline,
            frame_buffer,
            frame_bind_group,
            shadow,
            last_uniforms: None,
            tonemap_layout,
            tonemap_shader,
            tonemap_pipelines: HashMap::new(),
            targets: None,
            meshes,
            kind_of: HashMap::new(),
            light: DirectionalLight::default(),
            bounds: None,
            last_stats: FrameStats::default(),
            camera: OrbitCamera::default(),
        }
    }

    /// The GPU this renderer draws with.
    pub fn gpu(&self) -> &Gpu {
        &self.gpu
    }

    /// Adds or updates a node. `world_from_parent` places its parent (identity for a root). Hidden nodes
    /// are dropped from the instance buffers.
    pub fn upsert_node(&mut self, node: &Node, world_from_parent: Mat4) {
        let kind = node.shape.kind();
        if let Some(old_kind) = self.kind_of.get(&node.id).copied()
            && (old_kind != kind || !node.visible)
        {
            self.remove_node(&node.id);
        }
        if !node.visible {
            return;
        }
        let world_from_mesh = node.world_from_mesh(world_from_parent);
        let instance = InstanceRaw::new(world_from_mesh, &node.material);
        self.instances_mut(kind).upsert(&node.id, instance);
        self.kind_of.insert(node.id.clone(), kind);
        let node_bounds = Aabb::of_mesh(kind).transformed(world_from_mesh);
        if node_bounds.is_finite() {
            self.bounds = Some(match self.bounds {
                Some(bounds) => bounds.union(&node_bounds),
                None => node_bounds,
            });
        }
        // Conservative: an identical upsert also redraws the shadow map, which is still O(1) to decide.
        self.shadow.dirty = true;
    }

    /// Removes a node; unknown ids are ignored (the change stream may report a node that was never shown).
    pub fn remove_node(&mut self, id: &NodeId) {
        if let Some(kind) = self.kind_of.remove(id) {
            self.instances_mut(kind).remove(id);
            self.shadow.dirty = true;
            if self.kind_of.is_empty() {
                self.bounds = None;
            }
        }
    }

    /// Replaces the directional light.
    pub fn set_light(&mut self, light: DirectionalLight) {
        if self.light != light {
            self.light = light;
            self.shadow.dirty = true;
        }
    }

    /// What the last encoded frame cost.
    pub fn last_stats(&self) -> FrameStats {
        self.last_stats
    }

    /// Number of nodes currently drawn.
    pub fn instance_count(&self) -> u32 {
        self.meshes.iter().map(|(_, _, set)| set.len()).sum()
    }

    fn instances_mut(&mut self, kind: ShapeKind) -> &mut InstanceSet {
        let index = ShapeKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        &mut self.meshes[index].2
    }

    fn frame_uniforms(&self, aspect: f32) -> FrameUniforms {
        let to_light = (-self.light.direction_in_world)
            .try_normalize()
            .unwrap_or(Vec3::Y);
        let radiance = self.light.color * self.light.intensity * std::f32::consts::PI;
        let frustum = LightFrustum::fit(self.light.direction_in_world, self.bounds);
        FrameUniforms {
            clip_from_world: self.camera.clip_from_world(aspect).to_cols_array_2d(),
            camera_position_in_world: self.camera.eye_in_world().extend(1.0).to_array(),
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
        }
    }

    fn tonemap_pipeline(&mut self, format: wgpu::TextureFormat) -> wgpu::RenderPipeline {
        if let Some(pipeline) = self.tonemap_pipelines.get(&format) {
            return pipeline.clone();
        }
        let device = &self.gpu.device;
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("tonemap"),
            bind_group_layouts: &[Some(&self.tonemap_layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("tonemap"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &self.tonemap_shader,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: Default::default(),
            depth_stencil: None,
            multisample: Default::default(),
            fragment: Some(wgpu::FragmentState {
                module: &self.tonemap_shader,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(format.into())],
            }),
            multiview_mask: None,
            cache: None,
        });
        self.tonemap_pipelines.insert(format, pipeline.clone());
        pipeline
    }

    /// Encodes one frame into `output` (`width`×`height`, format `output_format`, which should be an sRGB
    /// format). Uploads only what changed since the last frame. Does not submit.
    pub fn encode_frame(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        output: &wgpu::TextureView,
        output_format: wgpu::TextureFormat,
        width: u32,
        height: u32,
    ) -> FrameStats {
        let mut stats = FrameStats::default();
        let (width, height) = (width.max(1), height.max(1));
        if self
            .targets
            .as_ref()
            .is_none_or(|t| t.width != width || t.height != height)
        {
            self.targets = Some(Targets::new(
                &self.gpu.device,
                &self.tonemap_layout,
                width,
                height,
            ));
        }
        let uniforms = self.frame_uniforms(width as f32 / height as f32);
        if self.last_uniforms != Some(uniforms) {
            self.gpu
                .queue
                .write_buffer(&self.frame_buffer, 0, bytemuck::bytes_of(&uniforms));
            self.last_uniforms = Some(uniforms);
            stats.bytes_uploaded += std::mem::size_of::<FrameUniforms>() as u64;
        }
        for (_, _, set) in &mut self.meshes {
            stats.bytes_uploaded += set.upload(&self.gpu.device, &self.gpu.queue);
        }
        if self.shadow.dirty {
            let mut pass = self.shadow.begin_pass(encoder);
            for (_, mesh, set) in &self.meshes {
                if draw_instances(&mut pass, mesh, set).is_some() {
                    stats.draw_calls += 1;
                }
            }
            self.shadow.dirty = false;
        }
        let tonemap_pipeline = self.tonemap_pipeline(output_format);
        // Present by construction: allocated above when missing or resized.
        let Some(targets) = self.targets.as_ref() else {
            return stats;
        };
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("scene"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &targets.hdr_view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(CLEAR_RADIANCE),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                    view: &targets.depth_view,
                    depth_ops: Some(wgpu::Operations {
                        load: wgpu::LoadOp::Clear(1.0),
                        store: wgpu::StoreOp::Discard,
                    }),
                    stencil_ops: None,
                }),
                ..Default::default()
            });
            pass.set_pipeline(&self.scene_pipeline);
            pass.set_bind_group(0, &self.frame_bind_group, &[]);
            for (_, mesh, set) in &self.meshes {
                if let Some(count) = draw_instances(&mut pass, mesh, set) {
                    stats.draw_calls += 1;
                    stats.instances += count;
                }
            }
        }
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("tonemap"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: output,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                ..Default::default()
            });
            pass.set_pipeline(&tonemap_pipeline);
            pass.set_bind_group(0, &targets.tonemap_bind_group, &[]);
            pass.draw(0..3, 0..1);
            stats.draw_calls += 1;
        }
        self.last_stats = stats;
        stats
    }

    /// Renders the current view into a new `width`×`height` RGBA8 image and submits the copy; map the
    /// returned [`Readback`] to get the pixels.
    pub fn render_offscreen(&mut self, width: u32, height: u32) -> Result<Readback, RenderError> {
        let max = self.gpu.device.limits().max_texture_dimension_2d;
        if width == 0 || height == 0 || width > max || height > max {
            return Err(RenderError::BadSize { width, height, max });
        }
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
            format: OFFSCREEN_FORMAT,
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
        self.encode_frame(&mut encoder, &view, OFFSCREEN_FORMAT, width, height);
        let readback = Readback::new(&self.gpu.device, width, height);
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            readback.copy_destination(),
            wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
        );
        self.gpu.queue.submit([encoder.finish()]);
        Ok(readback)
    }
}

/// Issues one instanced draw of `set` with `mesh` into a pass whose pipeline takes the mesh and
/// instance vertex buffers; returns the instance count, or `None` when there is nothing to draw.
fn draw_instances(
    pass: &mut wgpu::RenderPass<'_>,
    mesh: &GpuMesh,
    set: &InstanceSet,
) -> Option<u32> {
    let (count, instances) = (set.len(), set.buffer()?);
    if count == 0 {
        return None;
    }
    pass.set_vertex_buffer(0, mesh.vertex_buffer.slice(..));
    pass.set_vertex_buffer(1, instances.slice(..));
    pass.set_index_buffer(mesh.index_buffer.slice(..), wgpu::IndexFormat::Uint32);
    pass.draw_indexed(0..mesh.index_count, 0, 0..count);
    Some(count)
}
