//! Encoding one frame: [`Renderer::encode_frame`] and the steps it runs, in this order.
//!
//! Contract:
//! 1. **targets** ([`prepare_targets`]): the size-dependent MSAA and depth targets are (re)allocated
//!    only when the frame's size or output format differs from the last one (each allocation is
//!    counted).
//! 2. **upload** ([`upload`]): the frame uniforms are written only when they differ from the last ones
//!    written, and each instance set writes only its dirty ranges; an unchanged frame uploads nothing.
//! 3. **shadow** ([`shadow_pass`]): the shadow map is redrawn only when instances or the light changed
//!    (`ShadowMap::dirty`), which it then clears.
//! 4. **scene** ([`scene_pass`]): every draw group whose mesh and surface are on the GPU is drawn,
//!    lit, shadowed and tonemapped, into the caller's view (multisampled and resolved into it where the
//!    GPU allows), cleared to the background of the current AOV: opaque groups first, then blended ones
//!    from the farthest group to the nearest (by the distance of their bounds' centre from the eye),
//!    each drawing its instances farthest first (a back-to-front copy written in step 2). There is no
//!    output pass: a drawn frame is at most two render passes (calls per frame, issue 17).
//!
//! Each pass begins its own render pass on the caller's encoder and takes only what it touches; each
//! step returns what it cost, and the sum is the frame's [`FrameStats`]. Nothing here submits: the caller
//! owns the encoder. What the image depends on must also be in [`Renderer::frame_key`] (CLAUDE.md
//! invariant 5), which is computed from the same uniforms as step 2.

use glam::Vec3;

use super::assets::{Assets, Groups};
use super::{FrameUniforms, Renderer};
use crate::aov::AovMode;
use crate::bundle::{BundleCache, Command};
use crate::gpu::Gpu;
use crate::instances::InstanceSet;
use crate::mesh::GpuMesh;
use crate::pipelines::{ScenePipelines, SceneVariant};
use crate::shadow::{SHADOW_BUNDLE_TARGET, ShadowMap};
use crate::targets::Targets;

/// Background radiance (linear HDR), a dark blue-grey that reads as "empty viewport" after tonemapping.
pub const DEFAULT_BACKGROUND: Vec3 = Vec3::new(0.018, 0.022, 0.032);

/// Narkowicz's fit of the ACES transform, as `scene.wgsl`'s `aces_filmic`: the clear value of the
/// beauty view is the tonemapped background, since the scene pass clears the output view itself.
pub fn aces_filmic(x: Vec3) -> Vec3 {
    let (a, b, c, d, e) = (2.51, 0.03, 2.43, 0.59, 0.14);
    ((x * (a * x + b)) / (x * (c * x + d) + e)).clamp(Vec3::ZERO, Vec3::ONE)
}

/// What one frame cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameStats {
    /// Draw calls issued (shadow and scene passes). The shadow pass runs only on frames where
    /// instances or the light changed.
    pub draw_calls: u32,
    /// Instances drawn.
    pub instances: u32,
    /// Bytes written to GPU buffers (instances and uniforms).
    pub bytes_uploaded: u64,
}

impl FrameStats {
    /// The cost of `self` and then `other`.
    fn plus(self, other: Self) -> Self {
        Self {
            draw_calls: self.draw_calls + other.draw_calls,
            instances: self.instances + other.instances,
            bytes_uploaded: self.bytes_uploaded + other.bytes_uploaded,
        }
    }
}

impl Renderer {
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
        let (width, height) = (width.max(1), height.max(1));
        // Before the targets: they hold a borrow of `self.targets` until the scene pass.
        let uniforms = self.frame_uniforms(width as f32 / height as f32);
        let targets = prepare_targets(
            &mut self.targets,
            &mut self.target_allocations,
            &self.gpu,
            output_format,
            width,
            height,
        );
        let eye = self.camera.eye_in_world();
        let assets = &self.assets;
        let upload = upload(
            &self.gpu,
            &self.frame_buffer,
            &mut self.last_uniforms,
            uniforms,
            &mut self.groups,
            &mut self.peer_camera_glyphs,
            (eye, &|key: &super::DrawKey| {
                assets.surface(key.surface).is_some_and(|s| s.is_blended())
            }),
        );
        let device = &self.gpu.device;
        let bundles = &mut self.bundles;
        let shadow = shadow_pass(
            encoder,
            (&mut self.shadow, &mut bundles.shadow),
            device,
            &self.groups,
            &self.assets,
        );
        let clear = match self.aov {
            AovMode::Beauty => {
                let display = aces_filmic(self.background);
                wgpu::Color {
                    r: f64::from(display.x),
                    g: f64::from(display.y),
                    b: f64::from(display.z),
                    a: 1.0,
                }
            }
            _ => wgpu::Color::BLACK,
        };
        let order = draw_order(&self.groups, &self.assets, eye);
        self.scene_pipelines
            .prepare(&self.gpu.device, output_format, SceneVariant::default());
        for (key, _) in &order {
            if let Some(surface) = self.assets.surface(key.surface) {
                self.scene_pipelines
                    .prepare(&self.gpu.device, output_format, surface.variant());
            }
        }
        // Other users' cameras: in the beauty view only (data AOVs show the scene itself).
        let glyphs = (self.aov == AovMode::Beauty)
            .then_some((&self.peer_camera_mesh, &self.peer_camera_glyphs));
        let scene = scene_pass(
            encoder,
            (targets, output),
            clear,
            &self.scene_pipelines,
            &self.frame_bind_group,
            (&order, glyphs),
            (&self.assets, device, &mut bundles.scene),
        );
        let stats = upload.plus(shadow).plus(scene);
        self.last_stats = stats;
        stats
    }
}

/// Step 1: the targets for a `width`×`height` frame, reusing those in `slot` when the size matches and
/// otherwise allocating new ones (counted in `allocations`) in their place.
fn prepare_targets<'t>(
    slot: &'t mut Option<Targets>,
    allocations: &mut u32,
    gpu: &Gpu,
    format: wgpu::TextureFormat,
    width: u32,
    height: u32,
) -> &'t Targets {
    let targets = slot
        .take()
        .filter(|t| t.width == width && t.height == height && t.format == format)
        .unwrap_or_else(|| {
            *allocations += 1;
            Targets::new(&gpu.device, format, gpu.msaa_samples, width, height)
        });
    slot.insert(targets)
}

/// Step 2: writes `uniforms` into `frame_buffer` unless they equal `last_uniforms` (then remembered),
/// the dirty ranges of every instance set, and for the groups `blended` names, their back-to-front
/// copy as seen from `eye` (when the eye or they changed).
fn upload(
    gpu: &Gpu,
    frame_buffer: &wgpu::Buffer,
    last_uniforms: &mut Option<FrameUniforms>,
    uniforms: FrameUniforms,
    groups: &mut Groups,
    glyphs: &mut InstanceSet,
    (eye, blended): (glam::Vec3, &dyn Fn(&super::DrawKey) -> bool),
) -> FrameStats {
    let mut bytes_uploaded = 0;
    if *last_uniforms != Some(uniforms) {
        gpu.queue
            .write_buffer(frame_buffer, 0, bytemuck::bytes_of(&uniforms));
        *last_uniforms = Some(uniforms);
        bytes_uploaded += std::mem::size_of::<FrameUniforms>() as u64;
    }
    bytes_uploaded += glyphs.upload(&gpu.device, &gpu.queue);
    for (key, set) in groups.iter_mut() {
        bytes_uploaded += set.upload(&gpu.device, &gpu.queue);
        if blended(key) {
            bytes_uploaded += set.upload_sorted(&gpu.device, &gpu.queue, eye);
        }
    }
    FrameStats {
        bytes_uploaded,
        ..FrameStats::default()
    }
}

/// Step 3: redraws the shadow map from every group whose mesh is on the GPU if it is dirty (replaying
/// `bundle`, re-recorded only when the casters' draws changed), and marks it clean.
fn shadow_pass(
    encoder: &mut wgpu::CommandEncoder,
    (shadow, bundle): (&mut ShadowMap, &mut BundleCache),
    device: &wgpu::Device,
    groups: &Groups,
    assets: &Assets,
) -> FrameStats {
    let mut stats = FrameStats::default();
    if !shadow.dirty {
        return stats;
    }
    let mut commands = shadow.first_commands();
    let mut masked_bound = false;
    for (key, set) in groups {
        let Some(mesh) = assets.mesh(key.mesh) else {
            continue;
        };
        // Alpha-masked surfaces cast their cutouts as holes: their own pipeline, with the surface.
        let mask = assets
            .surface(key.surface)
            .filter(|s| s.surface.alpha_mode == app_core::AlphaMode::Mask);
        if mask.is_some() != masked_bound {
            commands.push(Command::Pipeline(shadow.pipeline(device, mask.is_some())));
            masked_bound = mask.is_some();
        }
        if let Some(surface) = mask {
            commands.push(Command::BindGroup(1, surface.bind_group.clone()));
        }
        if push_draw(&mut commands, mesh, set, None).is_some() {
            stats.draw_calls += 1;
        }
    }
    let mut pass = shadow.begin_pass(encoder);
    bundle.replay(device, &mut pass, commands, SHADOW_BUNDLE_TARGET);
    drop(pass);
    shadow.dirty = false;
    stats
}

/// A draw group ready to draw: its key and its instances.
type Drawable<'g> = (&'g super::DrawKey, &'g InstanceSet);

/// The drawable groups in drawing order: opaque ones in key order, then blended ones from far to near.
fn draw_order<'g>(groups: &'g Groups, assets: &Assets, eye: glam::Vec3) -> Vec<Drawable<'g>> {
    let drawable = |(key, _): &(&super::DrawKey, &InstanceSet)| {
        assets.mesh(key.mesh).is_some() && assets.surface(key.surface).is_some()
    };
    let blended =
        |key: &super::DrawKey| assets.surface(key.surface).is_some_and(|s| s.is_blended());
    let mut opaque: Vec<_> = groups.iter().filter(drawable).collect();
    let mut later: Vec<_> = Vec::new();
    opaque.retain(|entry| {
        if blended(entry.0) {
            later.push(*entry);
            false
        } else {
            true
        }
    });
    let distance = |(key, set): &(&super::DrawKey, &InstanceSet)| {
        let Some(mesh) = assets.mesh(key.mesh) else {
            return 0.0;
        };
        set.iter()
            .map(|(_, instance)| {
                let bounds = mesh.bounds.transformed(instance.world_from_mesh());
                ((bounds.min + bounds.max) * 0.5).distance(eye)
            })
            .fold(0.0f32, f32::max)
    };
    later.sort_by(|a, b| distance(b).total_cmp(&distance(a)));
    opaque.extend(later);
    opaque
}

/// Step 4: draws `order` (bind group 0: `frame_bind_group`, group 1: each group's surface, the
/// pipeline variant its surface asks for, for the targets' format) into `output`, cleared to `clear`,
/// replaying `bundle` (re-recorded only when the list of draws changed). With MSAA the multisampled
/// buffer is resolved into `output` and then discarded; depth is discarded too.
fn scene_pass(
    encoder: &mut wgpu::CommandEncoder,
    (targets, output): (&Targets, &wgpu::TextureView),
    clear: wgpu::Color,
    pipelines: &ScenePipelines,
    frame_bind_group: &wgpu::BindGroup,
    (order, glyphs): (&[Drawable<'_>], Option<(&GpuMesh, &InstanceSet)>),
    (assets, device, bundle): (&Assets, &wgpu::Device, &mut BundleCache),
) -> FrameStats {
    let (view, resolve_target, store) = match &targets.msaa_view {
        Some(msaa) => (msaa, Some(output), wgpu::StoreOp::Discard),
        None => (output, None, wgpu::StoreOp::Store),
    };
    let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some("scene"),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view,
            depth_slice: None,
            resolve_target,
            ops: wgpu::Operations {
                load: wgpu::LoadOp::Clear(clear),
                store,
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
    let mut commands = vec![Command::BindGroup(0, frame_bind_group.clone())];
    let mut stats = FrameStats::default();
    let mut current: Option<&wgpu::RenderPipeline> = None;
    // Peer camera glyphs first: opaque, default surface.
    if let (Some((mesh, set)), Some(pipeline), Some(surface)) = (
        glyphs,
        pipelines.get(targets.format, SceneVariant::default()),
        assets.surface(None),
    ) && set.len() > 0
    {
        commands.push(Command::Pipeline(pipeline.clone()));
        current = Some(pipeline);
        commands.push(Command::BindGroup(1, surface.bind_group.clone()));
        if push_draw(&mut commands, mesh, set, None).is_some() {
            stats.draw_calls += 1; // not nodes: `instances` counts nodes drawn
        }
    }
    for (key, set) in order {
        let (Some(mesh), Some(surface)) = (assets.mesh(key.mesh), assets.surface(key.surface))
        else {
            continue;
        };
        let Some(pipeline) = pipelines.get(targets.format, surface.variant()) else {
            continue;
        };
        // Set the pipeline only when it changes (most groups share the opaque one).
        if current != Some(pipeline) {
            commands.push(Command::Pipeline(pipeline.clone()));
            current = Some(pipeline);
        }
        commands.push(Command::BindGroup(1, surface.bind_group.clone()));
        // Blended groups draw their back-to-front copy.
        let sorted = if surface.is_blended() {
            set.sorted_buffer()
        } else {
            None
        };
        if let Some(count) = push_draw(&mut commands, mesh, set, sorted) {
            stats.draw_calls += 1;
            stats.instances += count;
        }
    }
    bundle.replay(device, &mut pass, commands, targets.scene_bundle_target);
    stats
}

/// Appends one instanced draw of `set` (or of `instances`, a copy of the set's in another order, when
/// given) with `mesh`, for a pipeline that takes the mesh and instance vertex buffers; returns the
/// instance count, or `None` when there is nothing to draw.
fn push_draw(
    commands: &mut Vec<Command>,
    mesh: &GpuMesh,
    set: &InstanceSet,
    instances: Option<&wgpu::Buffer>,
) -> Option<u32> {
    let (count, instances) = (set.len(), instances.or(set.buffer())?);
    if count == 0 {
        return None;
    }
    commands.push(Command::DrawIndexed {
        vertices: mesh.vertex_buffer.clone(),
        instances: instances.clone(),
        indices: mesh.index_buffer.clone(),
        index_format: mesh.index_format,
        index_count: mesh.index_count,
        instance_count: count,
    });
    Some(count)
}
