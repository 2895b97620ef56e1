//! The GPU device and queue, and how to get them.

use crate::RenderError;

/// The adapter request every caller makes (natively and in the browser, on first start and after a
/// device loss): the high-performance adapter, no software fallback forced, compatible with
/// `compatible_surface` when one is given (needed for WebGL2, whose adapter exists only for a surface).
pub fn adapter_options<'a, 'w>(
    compatible_surface: Option<&'a wgpu::Surface<'w>>,
) -> wgpu::RequestAdapterOptions<'a, 'w> {
    wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::HighPerformance,
        force_fallback_adapter: false,
        compatible_surface,
        apply_limit_buckets: false,
    }
}

/// A device, its queue and what the adapter told us about itself. Cheap to clone (wgpu handles are
/// reference counted).
#[derive(Debug, Clone)]
pub struct Gpu {
    /// The logical device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    /// Adapter name, backend, driver.
    pub info: wgpu::AdapterInfo,
    /// Samples per pixel of the scene pass: 4 where the 8-bit sRGB output formats and the depth format
    /// allow it (with a resolve), else 1.
    pub msaa_samples: u32,
}

impl Gpu {
    /// The limits the renderer asks for: WebGL2's, raised to what the adapter offers for texture sizes,
    /// so one code path runs on WebGPU, WebGL2, Vulkan and GL.
    pub fn required_limits(adapter: &wgpu::Adapter) -> wgpu::Limits {
        wgpu::Limits::downlevel_webgl2_defaults().using_resolution(adapter.limits())
    }

    /// Opens a device on `adapter`.
    pub async fn from_adapter(adapter: &wgpu::Adapter) -> Result<Self, RenderError> {
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("app-render device"),
                required_features: wgpu::Features::empty(),
                required_limits: Self::required_limits(adapter),
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
                memory_hints: wgpu::MemoryHints::MemoryUsage,
                trace: wgpu::Trace::Off,
            })
            .await
            .map_err(|e| RenderError::RequestDevice(e.to_string()))?;
        let msaa_samples = Self::choose_samples(adapter);
        Ok(Self {
            device,
            queue,
            info: adapter.get_info(),
            msaa_samples,
        })
    }

    /// This device drawing at most `max_samples` samples per pixel (`Engine.create`'s `msaa_samples`
    /// option; 1 is three.js's `antialias: false`). On a software rasteriser the samples are most of a
    /// frame's cost (SwiftShader drew 50 small spheres in about 51 ms with one sample against 176 ms
    /// with four, README "Multisampling").
    pub fn with_max_samples(mut self, max_samples: u32) -> Self {
        self.msaa_samples = self.msaa_samples.min(max_samples.max(1));
        self
    }

    /// 4 samples per pixel where the adapter can multisample (and resolve) the output formats the
    /// scene pass draws into (`Rgba8UnormSrgb`, and `Bgra8UnormSrgb` where it is renderable: canvases)
    /// and the depth format, else 1.
    fn choose_samples(adapter: &wgpu::Adapter) -> u32 {
        use wgpu::{TextureFormat, TextureFormatFeatureFlags as Flags, TextureUsages};
        let allows_4x = |format: TextureFormat, resolve: bool| {
            let features = adapter.get_texture_format_features(format);
            features
                .allowed_usages
                .contains(TextureUsages::RENDER_ATTACHMENT)
                .then_some(
                    features.flags.sample_count_supported(4)
                        && (!resolve || features.flags.contains(Flags::MULTISAMPLE_RESOLVE)),
                )
        };
        let colors = [TextureFormat::Rgba8UnormSrgb, TextureFormat::Bgra8UnormSrgb];
        let color_ok = colors
            .into_iter()
            .filter_map(|format| allows_4x(format, true))
            .reduce(|a, b| a && b)
            .unwrap_or(false);
        if color_ok && allows_4x(crate::targets::DEPTH_FORMAT, false) == Some(true) {
            4
        } else {
            1
        }
    }

    /// A device with no surface, for tests, benchmarks and screenshots on a native machine. Honors
    /// `WGPU_BACKEND` (e.g. `vulkan`, `gl`); defaults to Vulkan then GL, which finds lavapipe on a machine
    /// without a GPU.
    #[cfg(not(target_arch = "wasm32"))]
    pub async fn headless() -> Result<Self, RenderError> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
        if std::env::var_os("WGPU_BACKEND").is_none() {
            desc.backends = wgpu::Backends::VULKAN | wgpu::Backends::GL;
        }
        let instance = wgpu::Instance::new(desc);
        let adapter = instance
            .request_adapter(&adapter_options(None))
            .await
            .map_err(|e| {
                RenderError::NoAdapter(format!(
                    "{e} (install a Vulkan driver; without a GPU, Debian's mesa-vulkan-drivers provides lavapipe)"
                ))
            })?;
        Self::from_adapter(&adapter).await
    }
}
