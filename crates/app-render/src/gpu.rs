//! The GPU device and queue, and how to get them.

use crate::RenderError;

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
        Ok(Self {
            device,
            queue,
            info: adapter.get_info(),
        })
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
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                force_fallback_adapter: false,
                compatible_surface: None,
                apply_limit_buckets: false,
            })
            .await
            .map_err(|e| {
                RenderError::NoAdapter(format!(
                    "{e} (install a Vulkan driver; without a GPU, Debian's mesa-vulkan-drivers provides lavapipe)"
                ))
            })?;
        Self::from_adapter(&adapter).await
    }
}
