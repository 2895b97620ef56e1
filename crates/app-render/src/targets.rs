//! Size-dependent render targets: the multisampled color buffer the scene pass resolves into the
//! output view (where the GPU allows MSAA), and the depth buffer.

/// Depth buffer format; available on every backend, including WebGL2.
pub const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;

use crate::bundle::BundleTarget;

/// The scene pass's own attachments for one size and output format. Recreated only when either
/// changes.
pub struct Targets {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The output views' format (the multisampled buffer's too: a resolve keeps the format).
    pub format: wgpu::TextureFormat,
    /// The scene pass's color attachment when it is multisampled (resolved into the output view);
    /// `None` without MSAA, when the pass draws into the output view itself.
    pub msaa_view: Option<wgpu::TextureView>,
    /// Depth, with the scene pass's sample count.
    pub depth_view: wgpu::TextureView,
    /// The scene pass's attachments (output format, depth, samples), for its bundle.
    pub scene_bundle_target: BundleTarget,
}

impl Targets {
    /// Allocates targets of `width`×`height` pixels for outputs of `format`, with `samples` samples
    /// per pixel.
    pub fn new(
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        samples: u32,
        width: u32,
        height: u32,
    ) -> Self {
        let size = wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        };
        let texture = |label, format, sample_count| {
            device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some(label),
                    size,
                    mip_level_count: 1,
                    sample_count,
                    dimension: wgpu::TextureDimension::D2,
                    format,
                    usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                    view_formats: &[],
                })
                .create_view(&wgpu::TextureViewDescriptor::default())
        };
        let msaa_view = (samples > 1).then(|| texture("msaa color", format, samples));
        let depth_view = texture("depth", DEPTH_FORMAT, samples);
        let scene_bundle_target = BundleTarget {
            color: Some(format),
            depth: Some(DEPTH_FORMAT),
            sample_count: samples.max(1),
        };
        Self {
            width,
            height,
            format,
            msaa_view,
            depth_view,
            scene_bundle_target,
        }
    }
}
