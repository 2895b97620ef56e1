//! Size-dependent render targets: the HDR color buffer (multisampled where the GPU allows, with its
//! single-sample resolve) and the depth buffer.

/// Depth buffer format; available on every backend, including WebGL2.
pub const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;

use crate::bundle::BundleTarget;

/// HDR color and depth textures of one size. Recreated only when the size changes.
pub struct Targets {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The scene pass's color attachment: multisampled when `msaa_view` is `Some`, else `hdr_view`.
    pub msaa_view: Option<wgpu::TextureView>,
    /// Single-sample HDR radiance (the MSAA resolve target), read by the output pass.
    pub hdr_view: wgpu::TextureView,
    /// Depth, with the scene pass's sample count.
    pub depth_view: wgpu::TextureView,
    /// Binds `hdr_view` for the output pass.
    pub output_bind_group: wgpu::BindGroup,
    /// The scene pass's attachments (HDR format, depth, samples), for its bundle.
    pub scene_bundle_target: BundleTarget,
}

impl Targets {
    /// Allocates targets of `width`×`height` pixels with `samples` samples per pixel.
    pub fn new(
        device: &wgpu::Device,
        output_layout: &wgpu::BindGroupLayout,
        hdr_format: wgpu::TextureFormat,
        samples: u32,
        width: u32,
        height: u32,
    ) -> Self {
        let size = wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        };
        let texture = |label, format, usage, sample_count| {
            device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some(label),
                    size,
                    mip_level_count: 1,
                    sample_count,
                    dimension: wgpu::TextureDimension::D2,
                    format,
                    usage,
                    view_formats: &[],
                })
                .create_view(&wgpu::TextureViewDescriptor::default())
        };
        let hdr_view = texture(
            "hdr",
            hdr_format,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
            1,
        );
        let msaa_view = (samples > 1).then(|| {
            texture(
                "hdr msaa",
                hdr_format,
                wgpu::TextureUsages::RENDER_ATTACHMENT,
                samples,
            )
        });
        let depth_view = texture(
            "depth",
            DEPTH_FORMAT,
            wgpu::TextureUsages::RENDER_ATTACHMENT,
            samples,
        );
        let output_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("output"),
            layout: output_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(&hdr_view),
            }],
        });
        let scene_bundle_target = BundleTarget {
            color: Some(hdr_format),
            depth: Some(DEPTH_FORMAT),
            sample_count: samples.max(1),
        };
        Self {
            width,
            height,
            msaa_view,
            hdr_view,
            depth_view,
            output_bind_group,
            scene_bundle_target,
        }
    }
}
