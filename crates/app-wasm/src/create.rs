//! Opening the GPU for an engine: the wgpu instance for the requested backend, an adapter and device,
//! and the canvas surface's configuration. Used by `Engine.create` and again after device loss. Leaf.

use app_render::Gpu;

use crate::EngineError;
use crate::options::BackendChoice;

/// Creates the wgpu instance for `choice`. WebGPU is detected by actually requesting an adapter, since
/// Chromium exposes `navigator.gpu` even where no adapter exists.
pub async fn create_instance(choice: BackendChoice) -> Result<wgpu::Instance, EngineError> {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = match choice {
        BackendChoice::Auto => wgpu::Backends::BROWSER_WEBGPU | wgpu::Backends::GL,
        BackendChoice::WebGpu => wgpu::Backends::BROWSER_WEBGPU,
        BackendChoice::WebGl2 => wgpu::Backends::GL,
    };
    if choice == BackendChoice::WebGl2 && !cfg!(feature = "webgl") {
        return Err(EngineError::NoBackend(
            "WebGL2 was requested but this is the WebGPU-only bundle (pkg/); load the WebGL2 bundle \
             (pkg-webgl2/app_wasm.js) for WebGL2"
                .into(),
        ));
    }
    if choice == BackendChoice::WebGpu && !cfg!(feature = "webgpu") {
        return Err(EngineError::NoBackend(
            "WebGPU was requested but this is the WebGL2 bundle (pkg-webgl2/), which carries no WebGPU \
             backend; load the WebGPU bundle (pkg/app_wasm.js) for WebGPU"
                .into(),
        ));
    }
    Ok(wgpu::util::new_instance_with_webgpu_detection(desc).await)
}

/// An adapter (compatible with `surface` when given) and a device on it, with errors logged to the
/// console (they would otherwise surface only as browser warnings).
pub async fn request_gpu(
    instance: &wgpu::Instance,
    surface: Option<&wgpu::Surface<'static>>,
    max_samples: u32,
) -> Result<(wgpu::Adapter, Gpu), EngineError> {
    let adapter = instance
        .request_adapter(&app_render::adapter_options(surface))
        .await
        .map_err(|e| {
            let hint = if cfg!(all(feature = "webgl", feature = "webgpu")) {
                "neither WebGPU nor WebGL2 gave an adapter; enable WebGPU or hardware acceleration in the browser"
            } else if cfg!(feature = "webgl") {
                "WebGL2 gave no adapter (this is the WebGL2 bundle, which carries no WebGPU backend); enable \
                 WebGL or hardware acceleration in the browser"
            } else {
                "no WebGPU adapter, and this is the WebGPU-only bundle: load pkg-webgl2/app_wasm.js for \
                 the WebGL2 fallback (web/engine-loader.js picks it automatically)"
            };
            EngineError::NoBackend(format!("no usable GPU backend: {hint} ({e})"))
        })?;
    let gpu = Gpu::from_adapter(&adapter)
        .await?
        .with_max_samples(max_samples);
    gpu.device
        .on_uncaptured_error(std::sync::Arc::new(|error: wgpu::Error| {
            web_sys::console::error_1(&format!("GPU error: {error}").into());
        }));
    Ok((adapter, gpu))
}

/// `"webgpu"` or `"webgl2"`, as `stats().backend` reports it.
pub fn backend_name(adapter: &wgpu::Adapter) -> &'static str {
    match adapter.get_info().backend {
        wgpu::Backend::BrowserWebGpu => "webgpu",
        _ => "webgl2",
    }
}

/// The canvas configuration (first offered format, FIFO) and the sRGB format frames are rendered in.
pub fn surface_config(
    surface: &wgpu::Surface<'static>,
    adapter: &wgpu::Adapter,
    width: u32,
    height: u32,
) -> Result<(wgpu::SurfaceConfiguration, wgpu::TextureFormat), EngineError> {
    let caps = surface.get_capabilities(adapter);
    let Some(&surface_format) = caps.formats.first() else {
        return Err(EngineError::NoBackend(
            "the canvas offers no texture format".into(),
        ));
    };
    // Canvases are usually bgra8unorm (not sRGB); render through an sRGB view so the hardware encodes.
    let render_format = surface_format.add_srgb_suffix();
    let config = wgpu::SurfaceConfiguration {
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
        format: surface_format,
        width: width.max(1),
        height: height.max(1),
        present_mode: wgpu::PresentMode::Fifo,
        desired_maximum_frame_latency: 2,
        alpha_mode: caps
            .alpha_modes
            .first()
            .copied()
            .unwrap_or(wgpu::CompositeAlphaMode::Auto),
        view_formats: if render_format == surface_format {
            vec![]
        } else {
            vec![render_format]
        },
        color_space: Default::default(),
    };
    Ok((config, render_format))
}
