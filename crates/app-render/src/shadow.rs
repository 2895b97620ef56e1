//! The directional light's shadow map: a depth-only pass from the light with an orthographic frustum
//! fitted to the bounds of everything drawn, sampled in `scene.wgsl` with a comparison sampler (PCF).
//!
//! The map depends only on the instances and the light, not on the camera, so it is re-rendered only
//! when one of those changed: an unchanged frame (or a frame where only the camera moved) draws no
//! shadow pass at all.

use glam::camera::rh::{proj::directx, view};
use glam::{Mat4, Vec3};

use crate::bounds::Aabb;
use crate::bundle::{BundleTarget, Command};
use crate::pipelines::{MeshPipelineDesc, mesh_pipeline, uniform_entry};

/// Shadow map side in texels. 2048 is the largest texture WebGL2's downlevel limits guarantee.
pub const SHADOW_MAP_SIZE: u32 = 2048;
/// Depth format of the shadow map: sampleable with a comparison sampler on every backend.
pub const SHADOW_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;

/// The attachments of the shadow pass, for its bundle.
pub const SHADOW_BUNDLE_TARGET: BundleTarget = BundleTarget {
    color: None,
    depth: Some(SHADOW_FORMAT),
    sample_count: 1,
};

/// Hardware slope-scaled bias for the caster pass. The slope term removes acne on surfaces at grazing
/// angles to the light; the constant term is tiny for a float depth format (units of 2^-23 of the
/// exponent), so the receiver-side normal offset in the shader does the rest. Both stay small so
/// shadows still touch their casters (no peter-panning).
const DEPTH_BIAS: wgpu::DepthBiasState = wgpu::DepthBiasState {
    constant: 2,
    slope_scale: 1.5,
    // WebGL2 has no bias clamp; 0 means "no clamp" everywhere.
    clamp: 0.0,
};
/// Receiver offset along the normal, in shadow-map texels (converted to world units per frame).
const NORMAL_OFFSET_TEXELS: f32 = 1.5;

/// Light-space transform and the sampling parameters `scene.wgsl` needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LightFrustum {
    /// Shadow-map clip space (Direct3D convention: z in 0..1) from world space.
    pub clip_from_world: Mat4,
    /// How far to push receivers along their normal, in world units.
    pub normal_offset: f32,
}

impl LightFrustum {
    /// The tightest light-aligned orthographic box around `bounds`, looking along `direction_in_world`.
    /// Without bounds (nothing drawn) the frustum is arbitrary: nothing samples it.
    pub fn fit(direction_in_world: Vec3, bounds: Option<Aabb>) -> Self {
        let Some(bounds) = bounds else {
            return Self {
                clip_from_world: Mat4::IDENTITY,
                normal_offset: 0.0,
            };
        };
        let direction = direction_in_world.try_normalize().unwrap_or(Vec3::NEG_Y);
        // Any up vector not parallel to the light works; the fit below is per axis.
        let up = if direction.y.abs() > 0.99 {
            Vec3::Z
        } else {
            Vec3::Y
        };
        let center = (bounds.min + bounds.max) * 0.5;
        // Back the eye off past the bounds so the whole box has positive view depth.
        let radius = ((bounds.max - bounds.min).length() * 0.5).max(1e-3);
        let eye = center - direction * radius * 2.0;
        let light_from_world = view::look_to_mat4(eye, direction, up);
        let in_light = Aabb {
            min: Vec3::INFINITY,
            max: Vec3::NEG_INFINITY,
        };
        let in_light = bounds.corners().into_iter().fold(in_light, |acc, corner| {
            let p = light_from_world.transform_point3(corner);
            Aabb {
                min: acc.min.min(p),
                max: acc.max.max(p),
            }
        });
        // A few texels of margin, so the PCF kernel at the edge of the scene still reads the scene.
        let extent = (in_light.max - in_light.min).max(Vec3::splat(1e-3));
        let pad = extent.x.max(extent.y) * 4.0 / SHADOW_MAP_SIZE as f32;
        let (left, right) = (in_light.min.x - pad, in_light.max.x + pad);
        let (bottom, top) = (in_light.min.y - pad, in_light.max.y + pad);
        // View space looks down -z: the nearest point has the largest z.
        let z_pad = extent.z * 0.01;
        let near = (-in_light.max.z - z_pad).max(1e-4);
        let far = -in_light.min.z + z_pad;
        let texel_in_world = (right - left).max(top - bottom) / SHADOW_MAP_SIZE as f32;
        Self {
            clip_from_world: directx::orthographic(left, right, bottom, top, near, far)
                * light_from_world,
            normal_offset: texel_in_world * NORMAL_OFFSET_TEXELS,
        }
    }
}

/// The shadow texture, its comparison sampler and the depth-only pipeline that fills it.
pub struct ShadowMap {
    /// Depth view, rendered by the shadow pass and sampled by the scene pass.
    pub view: wgpu::TextureView,
    /// Comparison sampler with linear filtering: each tap is a hardware 2×2 PCF.
    pub sampler: wgpu::Sampler,
    pipeline: wgpu::RenderPipeline,
    /// Binds only the frame uniforms, never the shadow map itself (it is the attachment here).
    bind_group: wgpu::BindGroup,
    /// Casters with an alpha-mask surface: their cutouts cast no shadow (bind group 1 is the surface).
    /// Built the first time a frame has one: most scenes never do, and every pipeline made at start
    /// delays the first frame (each is compiled there on software rasterisers and WebGL2).
    mask_pipeline: Option<wgpu::RenderPipeline>,
    /// What building the mask pipeline needs: the scene shader, this pass's frame layout, the
    /// surface layout.
    mask_inputs: (
        wgpu::ShaderModule,
        wgpu::BindGroupLayout,
        wgpu::BindGroupLayout,
    ),
    /// Set when instances or the light changed since the map was last drawn.
    pub dirty: bool,
}

impl ShadowMap {
    /// Allocates the map and builds the caster pipeline from `scene_shader`'s `vs_shadow`.
    pub fn new(
        device: &wgpu::Device,
        scene_shader: &wgpu::ShaderModule,
        frame_buffer: &wgpu::Buffer,
        surface_layout: &wgpu::BindGroupLayout,
    ) -> Self {
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("shadow map"),
            size: wgpu::Extent3d {
                width: SHADOW_MAP_SIZE,
                height: SHADOW_MAP_SIZE,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: SHADOW_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("shadow"),
            address_mode_u: wgpu::AddressMode::ClampToEdge,
            address_mode_v: wgpu::AddressMode::ClampToEdge,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            // Lit where the receiver is no farther than the nearest caster.
            compare: Some(wgpu::CompareFunction::LessEqual),
            ..Default::default()
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("shadow frame"),
            entries: &[uniform_entry(0)],
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("shadow frame"),
            layout: &layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: frame_buffer.as_entire_binding(),
            }],
        });
        // Depth only.
        let pipeline = caster_pipeline(
            device,
            scene_shader,
            "shadow",
            &[&layout],
            "vs_shadow",
            None,
        );
        Self {
            view,
            sampler,
            pipeline,
            bind_group,
            mask_pipeline: None,
            mask_inputs: (scene_shader.clone(), layout, surface_layout.clone()),
            dirty: true,
        }
    }

    /// Begins the caster pass, clearing the map; the caller replays its draws as one bundle, which
    /// starts with [`ShadowMap::first_commands`] and is recorded for [`SHADOW_BUNDLE_TARGET`].
    pub fn begin_pass<'e>(&self, encoder: &'e mut wgpu::CommandEncoder) -> wgpu::RenderPass<'e> {
        encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("shadow"),
            color_attachments: &[],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &self.view,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(1.0),
                    store: wgpu::StoreOp::Store,
                }),
                stencil_ops: None,
            }),
            ..Default::default()
        })
    }

    /// The first commands of every shadow pass: the depth-only caster pipeline and the frame uniforms.
    pub fn first_commands(&self) -> Vec<Command> {
        vec![
            Command::Pipeline(self.pipeline.clone()),
            Command::BindGroup(0, self.bind_group.clone()),
        ]
    }

    /// The pipeline for casters: the depth-only one, or for alpha-masked surfaces the one that
    /// discards their cutouts (it needs the surface in bind group 1; built on first use).
    pub fn pipeline(&mut self, device: &wgpu::Device, masked: bool) -> wgpu::RenderPipeline {
        if !masked {
            return self.pipeline.clone();
        }
        let (shader, frame_layout, surface_layout) = &self.mask_inputs;
        self.mask_pipeline
            .get_or_insert_with(|| {
                caster_pipeline(
                    device,
                    shader,
                    "shadow (alpha mask)",
                    &[frame_layout, surface_layout],
                    "vs_shadow_mask",
                    Some(("fs_shadow_mask", None)),
                )
            })
            .clone()
    }
}

/// A caster pipeline of `shader`: depth into the shadow map with [`DEPTH_BIAS`], no culling (planes
/// are one-sided meshes but cast from both sides), and `fragment` only where cutouts discard.
fn caster_pipeline(
    device: &wgpu::Device,
    shader: &wgpu::ShaderModule,
    label: &str,
    layouts: &[&wgpu::BindGroupLayout],
    vertex_entry: &str,
    fragment: Option<(&str, Option<wgpu::TextureFormat>)>,
) -> wgpu::RenderPipeline {
    mesh_pipeline(
        device,
        &MeshPipelineDesc {
            label,
            layouts,
            shader,
            vertex_entry,
            blend: false,
            fragment,
            depth: wgpu::DepthStencilState {
                format: SHADOW_FORMAT,
                depth_write_enabled: Some(true),
                depth_compare: Some(wgpu::CompareFunction::Less),
                stencil: Default::default(),
                bias: DEPTH_BIAS,
            },
            cull_mode: None,
            samples: 1,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitted_frustum_holds_every_corner_of_the_bounds() {
        let bounds = Aabb {
            min: Vec3::new(-5.0, 0.0, -5.0),
            max: Vec3::new(5.0, 2.0, 5.0),
        };
        for direction in [Vec3::new(-0.4, -1.0, -0.6), Vec3::NEG_Y, Vec3::X] {
            let frustum = LightFrustum::fit(direction, Some(bounds));
            for corner in bounds.corners() {
                let p = frustum.clip_from_world.project_point3(corner);
                assert!(p.x.abs() <= 1.0 && p.y.abs() <= 1.0, "{direction} {p}");
                assert!((0.0..=1.0).contains(&p.z), "{direction} {p}");
            }
            assert!(frustum.normal_offset > 0.0 && frustum.normal_offset < 0.05);
        }
    }
}
