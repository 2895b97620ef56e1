//! Size-dependent render targets: the HDR color buffer and the depth buffer.

/// Format of the intermediate radiance buffer. Half floats keep highlights above 1.0 for the tonemapper.
pub const HDR_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;
/// Depth buffer format; available on every backend, including WebGL2.
pub const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;

/// HDR color and depth textures of one size. Recreated only when the size changes.
pub struct Targets {
    pub width: u32,
    pub height: u32,
    pub hdr_view: wgpu::TextureView,
    pub depth_view: wgpu::TextureView,
    /// Binds `hdr_view` for the tonemap pass.
    pub tonemap_bind_group: wgpu::BindGroup,
}

impl Targets {
    /// Allocates targets of `width`×`height` pixels.
    pub fn new(
        device: &wgpu::Device,
        tonemap_layout: &wgpu::BindGroupLayout,
        width: u32,
        height: u32,
    ) -> Self {
        let size = wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        };
        let texture = |label, format, usage| {
            device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some(label),
                    size,
                    mip_level_count: 1,
                    sample_count: 1,
                    dimension: wgpu::TextureDimension::D2,
                    format,
                    usage,
                    view_formats: &[],
                })
                .create_view(&wgpu::TextureViewDescriptor::default())
        };
        let hdr_view = texture(
            "hdr",
            HDR_FORMAT,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
        );
        let depth_view = texture(
            "depth",
            DEPTH_FORMAT,
            wgpu::TextureUsages::RENDER_ATTACHMENT,
        );
        let tonemap_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("tonemap"),
            layout: tonemap_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(&hdr_view),
            }],
        });
        Self {
            width,
            height,
            hdr_view,
            depth_view,
            tonemap_bind_group,
        }
    }
}
