//! Lifecycle calls: `Engine.create`, the one per-frame call `render_frame`, `resize`, `stats`, and
//! the device-loss test hook. Scene calls write the Yrs document and return at once; GPU work
//! happens in `render_frame` (and in `read_pixels`, which renders the current view once).

use app_render::drawing_buffer_size;
use glam::Vec2;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::device_watch::LiveEngine;
use crate::engine::Engine;
use crate::options::CreateOptions;
use crate::{js, web};

#[wasm_bindgen]
impl Engine {
    /// `Engine.create(canvas, options?)`: picks a backend, opens the GPU and returns a ready engine.
    /// Rejects with an `Error` naming what is missing when no backend works.
    pub async fn create(canvas: HtmlCanvasElement, options: JsValue) -> Result<Engine, JsError> {
        let options = CreateOptions::from_js(&options)?;
        Ok(Engine::open(canvas, &options).await?)
    }

    /// Engines alive in this wasm instance: created and not yet freed or garbage-collected.
    pub fn live_count() -> u32 {
        LiveEngine::count()
    }

    /// The one call per animation frame: applies document changes, advances the camera by `dt`
    /// seconds, draws and presents. Also the presence clock (renewal, peers' timeouts).
    pub fn render_frame(&self, dt: f64) -> Result<(), JsError> {
        self.with(|state| {
            let dt_secs = app_core::check_non_negative("dt", dt)?;
            state.render_frame(dt_secs)?;
            state.tick_presence();
            state.presence.frame_ended(web::now_ms());
            Ok(())
        })
    }

    /// The canvas's CSS size or pixel ratio changed; sets the drawing buffer to the physical pixel size,
    /// clamped to the device's texture limit. Does nothing when the size is unchanged.
    pub fn resize(
        &self,
        css_width: f64,
        css_height: f64,
        device_pixel_ratio: f64,
    ) -> Result<(), JsError> {
        self.with(|state| {
            let css_width = app_core::check_non_negative("css_width", css_width)?;
            let css_height = app_core::check_non_negative("css_height", css_height)?;
            let ratio = app_core::check_positive("device_pixel_ratio", device_pixel_ratio)?;
            let max = state
                .renderer
                .gpu()
                .device
                .limits()
                .max_texture_dimension_2d;
            let (width, height) = drawing_buffer_size(css_width, css_height, ratio, max);
            state.css_size = Vec2::new(css_width.max(1.0), css_height.max(1.0));
            state.set_size(width, height);
            Ok(())
        })
    }

    /// `{ backend, frame_ms, draw_calls, nodes, width, height, instances, bytes_uploaded,
    /// device_losses, msaa_samples, frames_skipped, frames_unchanged }`.
    pub fn stats(&self) -> Result<JsValue, JsError> {
        self.with(|state| {
            let frame = state.last_frame;
            Ok(js::object(&[
                ("backend", state.backend.into()),
                ("frame_ms", state.frame_ms.into()),
                ("draw_calls", frame.draw_calls.into()),
                ("nodes", (state.scene.len() as u32).into()),
                ("instances", frame.instances.into()),
                ("bytes_uploaded", (frame.bytes_uploaded as f64).into()),
                ("width", state.config.width.into()),
                ("height", state.config.height.into()),
                ("device_losses", state.device_losses.into()),
                ("msaa_samples", state.renderer.gpu().msaa_samples.into()),
                ("frames_skipped", state.frames_skipped.into()),
                ("frames_unchanged", state.frames_unchanged.into()),
            ]))
        })
    }

    /// The page's update guard (shared by its engines): `{ available, instances, spare, memory_bytes }`
    /// — whether an instance is ready, how many were loaded (each trap costs one), whether a spare
    /// waits, and the memory of the instances loaded so far.
    pub fn update_guard_stats() -> JsValue {
        let (available, instances, spare, memory_bytes) = crate::guard_host::stats();
        js::object(&[
            ("available", available.into()),
            ("instances", instances.into()),
            ("spare", spare.into()),
            ("memory_bytes", memory_bytes.into()),
        ])
    }

    /// Releases GPU resources, callbacks and the document now; any later call throws "this engine
    /// was freed". (Replaces wasm-bindgen's own `free`, after which calls would fail with "null
    /// pointer passed to rust"; the shell left is reclaimed when JS drops the object.) Calling it
    /// twice does nothing.
    #[wasm_bindgen(js_name = free)]
    pub fn free_engine(&self) -> Result<(), JsError> {
        Ok(self.release()?)
    }

    /// Test hook: loses the GPU device as a driver crash would (on WebGPU it is destroyed). The next
    /// `render_frame` calls recreate device and GPU state from the document; `stats().device_losses`
    /// counts recoveries.
    pub fn debug_lose_device(&self) -> Result<(), JsError> {
        self.with(|state| {
            state.lose_device();
            Ok(())
        })
    }
}
