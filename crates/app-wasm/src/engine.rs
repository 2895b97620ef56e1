//! The JavaScript `Engine`: the API of `shared/API.md`. Scene calls write the Yrs document and return at
//! once; GPU work happens in `render_frame` (and in `read_pixels`, which renders the current view once).

use app_render::{FrameStats, Gpu, Renderer};
use app_scene::SceneDoc;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::options::{BackendChoice, CreateOptions};
use crate::outbox::Outbox;
use crate::{EngineError, bridge, poison, web};

/// A 3D view on a canvas, drawing a collaborative scene document.
#[wasm_bindgen]
pub struct Engine {
    /// Identifies this engine to the panic hook.
    id: u32,
    state: State,
    /// Local document updates on their way to `on_local_update`.
    outbox: Outbox,
}

/// Everything an engine owns. GPU members are a cache of `scene`.
struct State {
    /// Kept alive for the engine's lifetime: in Chromium, releasing the instance makes later GPU
    /// callbacks (buffer mapping) fail. Also what device-loss recovery re-requests an adapter from.
    _instance: wgpu::Instance,
    _adapter: wgpu::Adapter,
    canvas: HtmlCanvasElement,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    /// False when created with `present: false`: frames go to `offscreen` instead of the canvas.
    present: bool,
    /// Render target of non-presenting engines, at drawing-buffer size.
    offscreen: Option<wgpu::Texture>,
    /// The sRGB format frames are rendered in (a view format of the surface texture).
    render_format: wgpu::TextureFormat,
    renderer: Renderer,
    scene: SceneDoc,
    backend: &'static str,
    last_frame: FrameStats,
    frame_ms: f64,
}

/// Creates the wgpu instance for `choice`. WebGPU is detected by actually requesting an adapter, since
/// Chromium exposes `navigator.gpu` even where no adapter exists.
async fn create_instance(choice: BackendChoice) -> Result<wgpu::Instance, EngineError> {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = match choice {
        BackendChoice::Auto => wgpu::Backends::BROWSER_WEBGPU | wgpu::Backends::GL,
        BackendChoice::WebGpu => wgpu::Backends::BROWSER_WEBGPU,
        BackendChoice::WebGl2 => wgpu::Backends::GL,
    };
    if choice == BackendChoice::WebGl2 && !cfg!(feature = "webgl") {
        return Err(EngineError::NoBackend(
            "WebGL2 was requested but this bundle was built without the WebGL2 backend".into(),
        ));
    }
    Ok(wgpu::util::new_instance_with_webgpu_detection(desc).await)
}

#[wasm_bindgen]
impl Engine {
    /// `Engine.create(canvas, options?)`: picks a backend, opens the GPU and returns a ready engine.
    /// Rejects with an `Error` naming what is missing when no backend works.
    pub async fn create(canvas: HtmlCanvasElement, options: JsValue) -> Result<Engine, JsError> {
        poison::install_panic_hook();
        let options = CreateOptions::from_js(&options)?;
        let instance = create_instance(options.backend).await?;
        let surface = instance
            .create_surface(wgpu::SurfaceTarget::Canvas(canvas.clone()))
            .map_err(|e| EngineError::NoBackend(format!("cannot draw on this canvas: {e}")))?;
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                force_fallback_adapter: false,
                compatible_surface: Some(&surface),
                apply_limit_buckets: false,
            })
            .await
            .map_err(|e| {
                EngineError::NoBackend(format!(
                    "no usable GPU backend: neither WebGPU nor WebGL2 gave an adapter ({e}); \
                     enable WebGPU or hardware acceleration in the browser"
                ))
            })?;
        let backend = match adapter.get_info().backend {
            wgpu::Backend::BrowserWebGpu => "webgpu",
            _ => "webgl2",
        };
        let gpu = Gpu::from_adapter(&adapter).await?;
        // Validation errors would otherwise surface only as browser warnings; make them visible.
        gpu.device
            .on_uncaptured_error(std::sync::Arc::new(|error: wgpu::Error| {
                web_sys::console::error_1(&format!("GPU error: {error}").into());
            }));
        gpu.device.set_device_lost_callback(|reason, message| {
            web_sys::console::error_1(&format!("GPU device lost ({reason:?}): {message}").into());
        });
        let caps = surface.get_capabilities(&adapter);
        let Some(&surface_format) = caps.formats.first() else {
            return Err(
                EngineError::NoBackend("the canvas offers no texture format".into()).into(),
            );
        };
        // Canvases are usually bgra8unorm (not sRGB); render through an sRGB view so the hardware encodes.
        let render_format = surface_format.add_srgb_suffix();
        let config = wgpu::SurfaceConfiguration {
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            format: surface_format,
            width: canvas.width().max(1),
            height: canvas.height().max(1),
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
        if options.present {
            surface.configure(&gpu.device, &config);
        }
        let renderer = Renderer::new(&gpu);
        Ok(Engine {
            outbox: Outbox::default(),
            id: poison::new_engine_id(),
            state: State {
                _instance: instance,
                _adapter: adapter,
                canvas,
                surface,
                config,
                present: options.present,
                offscreen: None,
                render_format,
                renderer,
                // Undo needs a clock to merge rapid edits (a slider drag) into one step; wasm has no OS clock.
                scene: SceneDoc::with_clock(None, || js_sys::Date::now() as u64),
                backend,
                last_frame: FrameStats::default(),
                frame_ms: 0.0,
            },
        })
    }

    /// Runs `f` on the state unless this engine is poisoned; a panic inside poisons it.
    fn with<T>(
        &mut self,
        f: impl FnOnce(&mut State) -> Result<T, EngineError>,
    ) -> Result<T, JsError> {
        let _running = poison::enter(self.id).ok_or(EngineError::Poisoned)?;
        Ok(f(&mut self.state)?)
    }

    /// Like [`Engine::with`] for calls that edit the document: queues the resulting local updates for
    /// `on_local_update` (delivered after this call returns).
    fn edit<T>(
        &mut self,
        f: impl FnOnce(&mut SceneDoc) -> Result<T, app_scene::SceneError>,
    ) -> Result<T, JsError> {
        let result = self.with(|state| Ok(f(&mut state.scene)?))?;
        self.outbox.push(self.state.scene.take_local_updates());
        Ok(result)
    }

    /// The one call per animation frame: applies document changes, draws and presents. `dt` in seconds.
    pub fn render_frame(&mut self, dt: f64) -> Result<(), JsError> {
        self.with(|state| {
            let _dt_secs = app_core::check_non_negative("dt", dt)?;
            state.render_frame()
        })
    }

    /// The canvas's CSS size or pixel ratio changed; sets the drawing buffer to the physical pixel size,
    /// clamped to the device's texture limit. Does nothing when the size is unchanged.
    pub fn resize(
        &mut self,
        css_width: f64,
        css_height: f64,
        device_pixel_ratio: f64,
    ) -> Result<(), JsError> {
        self.with(|state| {
            let css_width = f64::from(app_core::check_non_negative("css_width", css_width)?);
            let css_height = f64::from(app_core::check_non_negative("css_height", css_height)?);
            let ratio = f64::from(app_core::check_positive(
                "device_pixel_ratio",
                device_pixel_ratio,
            )?);
            let max = state
                .renderer
                .gpu()
                .device
                .limits()
                .max_texture_dimension_2d;
            let to_pixels = |css: f64| ((css * ratio).round() as u32).clamp(1, max);
            state.set_size(to_pixels(css_width), to_pixels(css_height));
            Ok(())
        })
    }

    /// Adds a sphere at (x, y, z); returns its id.
    pub fn add_sphere(&mut self, x: f64, y: f64, z: f64, radius: f64) -> Result<String, JsError> {
        self.edit(|scene| Ok(scene.add_sphere([x, y, z], radius)?.to_string()))
    }

    /// Adds a box centred at (x, y, z) with full extents (sx, sy, sz); returns its id.
    pub fn add_box(
        &mut self,
        x: f64,
        y: f64,
        z: f64,
        sx: f64,
        sy: f64,
        sz: f64,
    ) -> Result<String, JsError> {
        self.edit(|scene| Ok(scene.add_box([x, y, z], [sx, sy, sz])?.to_string()))
    }

    /// Adds a horizontal square plane of side `size` centred at (x, y, z); returns its id.
    pub fn add_plane(&mut self, x: f64, y: f64, z: f64, size: f64) -> Result<String, JsError> {
        self.edit(|scene| Ok(scene.add_plane([x, y, z], size)?.to_string()))
    }

    /// Sets a sphere's radius (> 0).
    pub fn set_sphere_radius(&mut self, id: &str, radius: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_sphere_radius(id, radius))
    }

    /// Moves a node to (x, y, z) in its parent's space.
    pub fn set_position(&mut self, id: &str, x: f64, y: f64, z: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_translation(id, [x, y, z]))
    }

    /// Sets a node's base color (linear RGB, each 0..1).
    pub fn set_color(&mut self, id: &str, r: f64, g: f64, b: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_base_color(id, [r, g, b]))
    }

    /// Sets a node's metallic and roughness (each 0..1).
    pub fn set_material(&mut self, id: &str, metallic: f64, roughness: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_metallic_roughness(id, metallic, roughness))
    }

    /// Removes a node and its children.
    pub fn remove_node(&mut self, id: &str) -> Result<(), JsError> {
        self.edit(|scene| scene.remove_node(id))
    }

    /// Ids of all nodes, sorted.
    pub fn node_ids(&mut self) -> Result<Vec<String>, JsError> {
        self.with(|state| {
            Ok(state
                .scene
                .node_ids()
                .into_iter()
                .map(|id| id.to_string())
                .collect())
        })
    }

    /// Undoes the last local edit step; false when there is nothing to undo. Never undoes a peer's edit.
    pub fn undo(&mut self) -> Result<bool, JsError> {
        self.edit(|scene| scene.undo())
    }

    /// Redoes the last undone local step; false when there is nothing to redo.
    pub fn redo(&mut self) -> Result<bool, JsError> {
        self.edit(|scene| scene.redo())
    }

    /// The whole document as a Yjs v1 update.
    pub fn encode_state(&mut self) -> Result<Vec<u8>, JsError> {
        self.with(|state| Ok(state.scene.encode_state_v1()))
    }

    /// Merges a peer's Yjs v1 update. Malformed or hostile bytes throw and change nothing. Not undoable here.
    pub fn apply_update(&mut self, update: &[u8]) -> Result<(), JsError> {
        self.with(|state| Ok(state.scene.apply_update_v1(update)?))
    }

    /// `callback(update: Uint8Array)` after local edits, delivered after the engine call returns (never
    /// re-entrantly). Pass `null` to stop. The engine holds the callback and releases it on `free()`.
    pub fn on_local_update(&mut self, callback: Option<js_sys::Function>) -> Result<(), JsError> {
        self.with(|_| Ok(()))?;
        // Updates made before a callback existed are in the document (encode_state), not in the queue.
        self.state.scene.take_local_updates();
        self.outbox.set_callback(callback);
        Ok(())
    }

    /// RGBA8 pixels of the current view at drawing-buffer size, rows top to bottom.
    pub fn read_pixels(&mut self) -> js_sys::Promise {
        let started = self.with(|state| {
            bridge::apply_scene_changes(&mut state.scene, &mut state.renderer);
            let readback = state
                .renderer
                .render_offscreen(state.config.width, state.config.height)?;
            Ok((state.renderer.gpu().device.clone(), readback))
        });
        wasm_bindgen_futures::future_to_promise(async move {
            let (device, readback) = started.map_err(JsValue::from)?;
            let image = web::read_image(device, readback)
                .await
                .map_err(|e| JsValue::from(JsError::from(e)))?;
            Ok(js_sys::Uint8Array::from(image.pixels.as_slice()).into())
        })
    }

    /// `{ backend, frame_ms, draw_calls, nodes, width, height, instances, bytes_uploaded }` of the last frame.
    pub fn stats(&mut self) -> Result<JsValue, JsError> {
        self.with(|state| {
            let object = js_sys::Object::new();
            let set = |key: &str, value: JsValue| {
                js_sys::Reflect::set(&object, &key.into(), &value).map(|_| ())
            };
            let frame = state.last_frame;
            (|| -> Result<(), JsValue> {
                set("backend", state.backend.into())?;
                set("frame_ms", state.frame_ms.into())?;
                set("draw_calls", frame.draw_calls.into())?;
                set("nodes", (state.scene.node_ids().len() as u32).into())?;
                set("instances", frame.instances.into())?;
                set("bytes_uploaded", (frame.bytes_uploaded as f64).into())?;
                set("width", state.config.width.into())?;
                set("height", state.config.height.into())?;
                Ok(())
            })()
            .map_err(|_| EngineError::Options("could not build the stats object".into()))?;
            Ok(object.into())
        })
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // Releases the JS callback now, even if a delivery microtask still holds the queue.
        self.outbox.set_callback(None);
        poison::forget(self.id);
    }
}

impl State {
    fn set_size(&mut self, width: u32, height: u32) {
        if (width, height) == (self.config.width, self.config.height) {
            return;
        }
        self.canvas.set_width(width);
        self.canvas.set_height(height);
        self.config.width = width;
        self.config.height = height;
        if self.present {
            self.surface
                .configure(&self.renderer.gpu().device, &self.config);
        }
    }

    /// The offscreen target of a non-presenting engine, reallocated only when the size changed.
    fn offscreen_view(&mut self) -> wgpu::TextureView {
        let size = wgpu::Extent3d {
            width: self.config.width,
            height: self.config.height,
            depth_or_array_layers: 1,
        };
        let texture = match &self.offscreen {
            Some(texture) if texture.size() == size => texture.clone(),
            _ => {
                let texture = self
                    .renderer
                    .gpu()
                    .device
                    .create_texture(&wgpu::TextureDescriptor {
                        label: Some("offscreen frame"),
                        size,
                        mip_level_count: 1,
                        sample_count: 1,
                        dimension: wgpu::TextureDimension::D2,
                        format: self.render_format,
                        usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                        view_formats: &[],
                    });
                self.offscreen = Some(texture.clone());
                texture
            }
        };
        texture.create_view(&wgpu::TextureViewDescriptor::default())
    }

    fn render_frame(&mut self) -> Result<(), EngineError> {
        let started_ms = web::now_ms();
        bridge::apply_scene_changes(&mut self.scene, &mut self.renderer);
        let gpu = self.renderer.gpu().clone();
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        if !self.present {
            let view = self.offscreen_view();
            self.last_frame = self.renderer.encode_frame(
                &mut encoder,
                &view,
                self.render_format,
                self.config.width,
                self.config.height,
            );
            gpu.queue.submit([encoder.finish()]);
            self.frame_ms = web::now_ms() - started_ms;
            return Ok(());
        }
        let frame = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(frame)
            | wgpu::CurrentSurfaceTexture::Suboptimal(frame) => frame,
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                // The canvas changed under us: reconfigure and draw next frame.
                self.surface
                    .configure(&self.renderer.gpu().device, &self.config);
                return Ok(());
            }
            wgpu::CurrentSurfaceTexture::Timeout
            | wgpu::CurrentSurfaceTexture::Occluded
            | wgpu::CurrentSurfaceTexture::Validation => return Ok(()),
        };
        let view = frame.texture.create_view(&wgpu::TextureViewDescriptor {
            format: Some(self.render_format),
            ..Default::default()
        });
        self.last_frame = self.renderer.encode_frame(
            &mut encoder,
            &view,
            self.render_format,
            self.config.width,
            self.config.height,
        );
        gpu.queue.submit([encoder.finish()]);
        gpu.queue.present(frame);
        self.frame_ms = web::now_ms() - started_ms;
        Ok(())
    }
}
