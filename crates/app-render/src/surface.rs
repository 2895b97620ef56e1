//! Surfaces on the GPU: bind group 1 of the scene pipelines (`Surface` in `scene.wgsl`), one per
//! surface asset plus the default surface, and the textures they sample.
//!
//! A texture is uploaded once per (image, color space): sRGB for base color and emissive, linear for
//! the data textures, with a full mip chain computed on the CPU (a 2×2 box filter). A surface whose
//! images have not arrived yet samples 1×1 white in their place and is rebuilt when they do, so a
//! model appears at once and its textures follow.

use std::collections::HashMap;

use app_core::{AlphaMode, AssetId, Filter, Sampler, Surface, Wrap};
use bytemuck::{Pod, Zeroable};
use wgpu::util::DeviceExt;

/// Which texture slots hold color (sampled as sRGB): base color and emissive.
const SRGB_SLOTS: [bool; 5] = [true, false, false, false, true];

/// `Surface` in `scene.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
struct SurfaceUniforms {
    params: [f32; 4],
    flags: [f32; 4],
    uv_transforms: [[f32; 4]; 10],
}

impl SurfaceUniforms {
    fn new(surface: &Surface) -> Self {
        let mut uv_transforms = [[0.0; 4]; 10];
        for (slot, texture) in surface.textures().into_iter().enumerate() {
            let m = texture
                .map_or(app_core::UvTransform::IDENTITY, |t| t.uv_transform)
                .0;
            uv_transforms[slot * 2] = [m[0], m[1], m[2], m[3]];
            uv_transforms[slot * 2 + 1] = [m[4], m[5], 0.0, 0.0];
        }
        let cutoff = match surface.alpha_mode {
            AlphaMode::Mask => surface.alpha_cutoff,
            AlphaMode::Opaque | AlphaMode::Blend => -1.0,
        };
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        Self {
            params: [
                cutoff,
                surface.opacity,
                surface.normal_scale,
                surface.occlusion_strength,
            ],
            flags: [
                surface.emissive_strength,
                flag(surface.unlit),
                flag(surface.alpha_mode == AlphaMode::Blend),
                flag(surface.normal.is_some()),
            ],
            uv_transforms,
        }
    }
}

/// A texture and its view.
pub struct GpuTexture {
    _texture: wgpu::Texture,
    view: wgpu::TextureView,
}

impl GpuTexture {
    /// Uploads `rgba` (`width`×`height`, RGBA8, rows top to bottom) with a full mip chain.
    pub fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        (width, height, rgba): (u32, u32, &[u8]),
        srgb: bool,
    ) -> Self {
        let levels = mip_chain(width, height, rgba);
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("surface texture"),
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count: levels.len() as u32,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: if srgb {
                wgpu::TextureFormat::Rgba8UnormSrgb
            } else {
                wgpu::TextureFormat::Rgba8Unorm
            },
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        for (level, (w, h, pixels)) in levels.iter().enumerate() {
            queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &texture,
                    mip_level: level as u32,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                pixels,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(4 * w),
                    rows_per_image: Some(*h),
                },
                wgpu::Extent3d {
                    width: *w,
                    height: *h,
                    depth_or_array_layers: 1,
                },
            );
        }
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        Self {
            _texture: texture,
            view,
        }
    }
}

/// Every mip level of an RGBA8 image, level 0 first (borrowed data copied once), each half the
/// previous one (rounded down, at least 1), by averaging 2×2 blocks (edge texels repeat).
fn mip_chain(width: u32, height: u32, rgba: &[u8]) -> Vec<(u32, u32, Vec<u8>)> {
    let mut levels = vec![(width, height, rgba.to_vec())];
    while let Some((w, h, pixels)) = levels.last().filter(|(w, h, _)| *w > 1 || *h > 1) {
        let (nw, nh) = ((w / 2).max(1), (h / 2).max(1));
        let mut next = vec![0u8; (nw * nh * 4) as usize];
        for y in 0..nh {
            for x in 0..nw {
                for c in 0..4 {
                    let at = |xx: u32, yy: u32| {
                        let (xx, yy) = (xx.min(w - 1), yy.min(h - 1));
                        u32::from(pixels[((yy * w + xx) * 4 + c) as usize])
                    };
                    let sum = at(2 * x, 2 * y)
                        + at(2 * x + 1, 2 * y)
                        + at(2 * x, 2 * y + 1)
                        + at(2 * x + 1, 2 * y + 1);
                    next[((y * nw + x) * 4 + c) as usize] = ((sum + 2) / 4) as u8;
                }
            }
        }
        levels.push((nw, nh, next));
    }
    levels
}

/// Bind group 1's layouts, the white placeholder textures and the samplers, shared by every surface.
pub struct SurfaceKit {
    /// The layout of bind group 1 for surfaces that sample textures (see [`samples_textures`]).
    pub layout: wgpu::BindGroupLayout,
    /// The layout of bind group 1 for surfaces that sample none: the uniforms only. On WebGL2, wgpu
    /// binds every texture and sampler of a bind group at each draw (about 25 GL calls for the five
    /// white placeholders), so a scene of built-in shapes binds none.
    pub untextured_layout: wgpu::BindGroupLayout,
    white_srgb: GpuTexture,
    white_linear: GpuTexture,
    samplers: HashMap<Sampler, wgpu::Sampler>,
}

impl SurfaceKit {
    /// Creates the layout and placeholders.
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Self {
        let mut entries = vec![crate::pipelines::uniform_entry(0)];
        for slot in 0..5 {
            entries.push(wgpu::BindGroupLayoutEntry {
                binding: 1 + slot,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Texture {
                    sample_type: wgpu::TextureSampleType::Float { filterable: true },
                    view_dimension: wgpu::TextureViewDimension::D2,
                    multisampled: false,
                },
                count: None,
            });
        }
        for slot in 0..5 {
            entries.push(wgpu::BindGroupLayoutEntry {
                binding: 6 + slot,
                visibility: wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                count: None,
            });
        }
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("surface"),
            entries: &entries,
        });
        let untextured_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("surface, untextured"),
            entries: &[crate::pipelines::uniform_entry(0)],
        });
        let white = (1, 1, &[255u8; 4][..]);
        Self {
            layout,
            untextured_layout,
            white_srgb: GpuTexture::new(device, queue, white, true),
            white_linear: GpuTexture::new(device, queue, white, false),
            samplers: HashMap::new(),
        }
    }

    fn sampler(&mut self, device: &wgpu::Device, s: Sampler) -> wgpu::Sampler {
        let address = |w: Wrap| match w {
            Wrap::Repeat => wgpu::AddressMode::Repeat,
            Wrap::MirroredRepeat => wgpu::AddressMode::MirrorRepeat,
            Wrap::ClampToEdge => wgpu::AddressMode::ClampToEdge,
        };
        let filter = |f: Filter| match f {
            Filter::Nearest => wgpu::FilterMode::Nearest,
            Filter::Linear => wgpu::FilterMode::Linear,
        };
        self.samplers
            .entry(s)
            .or_insert_with(|| {
                device.create_sampler(&wgpu::SamplerDescriptor {
                    label: Some("surface sampler"),
                    address_mode_u: address(s.wrap_u),
                    address_mode_v: address(s.wrap_v),
                    mag_filter: filter(s.mag_filter),
                    min_filter: filter(s.min_filter),
                    mipmap_filter: if s.mipmaps {
                        match s.min_filter {
                            Filter::Nearest => wgpu::MipmapFilterMode::Nearest,
                            Filter::Linear => wgpu::MipmapFilterMode::Linear,
                        }
                    } else {
                        wgpu::MipmapFilterMode::Nearest
                    },
                    lod_max_clamp: if s.mipmaps { 32.0 } else { 0.0 },
                    ..Default::default()
                })
            })
            .clone()
    }
}

/// Whether `surface` draws with the textured entry point and bind group: it names a texture, or it is
/// alpha-masked (the shadow pass's mask pipeline reads the base color texture, white when none).
pub fn samples_textures(surface: &Surface) -> bool {
    surface.textures().iter().any(Option::is_some) || surface.alpha_mode == AlphaMode::Mask
}

/// The (image, sRGB) pairs `surface` samples.
pub fn texture_keys(surface: &Surface) -> impl Iterator<Item = (AssetId, bool)> + '_ {
    surface
        .textures()
        .into_iter()
        .zip(SRGB_SLOTS)
        .filter_map(|(t, srgb)| t.map(|t| (t.image, srgb)))
}

/// A surface's uniforms and bind group.
pub struct GpuSurface {
    /// The surface drawn.
    pub surface: Surface,
    _uniforms: wgpu::Buffer,
    /// Bind group 1.
    pub bind_group: wgpu::BindGroup,
    /// Whether every texture it samples was available when the bind group was made.
    pub complete: bool,
}

impl GpuSurface {
    /// Builds the bind group from the textures in `textures` (white where one is missing).
    pub fn new(
        device: &wgpu::Device,
        kit: &mut SurfaceKit,
        surface: Surface,
        textures: &HashMap<(AssetId, bool), GpuTexture>,
    ) -> Self {
        let uniforms = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("surface"),
            contents: bytemuck::bytes_of(&SurfaceUniforms::new(&surface)),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        if !samples_textures(&surface) {
            let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("surface, untextured"),
                layout: &kit.untextured_layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniforms.as_entire_binding(),
                }],
            });
            return Self {
                surface,
                _uniforms: uniforms,
                bind_group,
                complete: true,
            };
        }
        let mut complete = true;
        let slots = surface.textures();
        let samplers: Vec<wgpu::Sampler> = slots
            .iter()
            .map(|t| kit.sampler(device, t.map(|t| t.sampler).unwrap_or_default()))
            .collect();
        let views: Vec<&wgpu::TextureView> = slots
            .iter()
            .zip(SRGB_SLOTS)
            .map(|(t, srgb)| {
                let found = t.and_then(|t| textures.get(&(t.image, srgb)));
                complete &= t.is_none() || found.is_some();
                found.map_or(
                    if srgb {
                        &kit.white_srgb.view
                    } else {
                        &kit.white_linear.view
                    },
                    |texture| &texture.view,
                )
            })
            .collect();
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: uniforms.as_entire_binding(),
        }];
        for (slot, view) in views.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry {
                binding: 1 + slot as u32,
                resource: wgpu::BindingResource::TextureView(view),
            });
        }
        for (slot, sampler) in samplers.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry {
                binding: 6 + slot as u32,
                resource: wgpu::BindingResource::Sampler(sampler),
            });
        }
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("surface"),
            layout: &kit.layout,
            entries: &entries,
        });
        Self {
            surface,
            _uniforms: uniforms,
            bind_group,
            complete,
        }
    }

    /// Whether it is drawn after opaque surfaces, blended.
    pub fn is_blended(&self) -> bool {
        self.surface.alpha_mode == AlphaMode::Blend
    }

    /// The scene pipeline it draws with.
    pub fn variant(&self) -> crate::pipelines::SceneVariant {
        crate::pipelines::SceneVariant {
            blend: self.is_blended(),
            double_sided: self.surface.double_sided,
            textured: samples_textures(&self.surface),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mip_chains_halve_down_to_one_texel_and_average() {
        let rgba: Vec<u8> = [[0u8, 0, 0, 255], [255, 255, 255, 255]]
            .iter()
            .cycle()
            .take(4 * 2)
            .flatten()
            .copied()
            .collect();
        let levels = mip_chain(4, 2, &rgba);
        let sizes: Vec<(u32, u32)> = levels.iter().map(|(w, h, _)| (*w, *h)).collect();
        assert_eq!(sizes, vec![(4, 2), (2, 1), (1, 1)]);
        assert_eq!(levels[2].2, vec![128, 128, 128, 255]);
    }
}
