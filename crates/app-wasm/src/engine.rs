//! The JavaScript `Engine`: lifecycle and the scene API of `shared/API.md`. Scene calls write the Yrs
//! document and return at once; GPU work happens in `render_frame` (and in `read_pixels`, which renders
//! the current view once). The view API is in `view.rs`.

use std::cell::{RefCell, RefMut};

use app_render::{OrbitControls, Renderer, drawing_buffer_size};
use app_scene::SceneDoc;
use glam::Vec2;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::create::{backend_name, create_instance, request_gpu, surface_config};
use crate::device_watch::{DeviceWatch, LiveEngine};
use crate::options::CreateOptions;
use crate::outbox::Outbox;
use crate::state::State;
use crate::{EngineError, js, poison};

/// A 3D view on a canvas, drawing a collaborative scene document.
#[wasm_bindgen]
///
/// Every method takes `&self` and borrows the parts inside for the length of the call. wasm-bindgen
/// keeps its own borrow flag per object, and a trap (a panic on wasm) never releases it: with
/// `&mut self` methods every later call would throw wasm-bindgen's "recursive use of an object"
/// before reaching Rust. With shared borrows later calls do reach [`Engine::with`], which refuses
/// them with [`EngineError::Poisoned`], a message that says what happened.
pub struct Engine {
    /// Identifies this engine to the panic hook.
    pub(crate) id: u32,
    parts: RefCell<Parts>,
}

/// What one engine call works on.
pub(crate) struct Parts {
    pub(crate) state: State,
    /// Local document updates on their way to `on_local_update`.
    pub(crate) outbox: Outbox,
    /// Protocol `update` messages for local edits on their way to `on_sync_message` (`sync.rs`).
    pub(crate) sync_outbox: Outbox,
    _live: LiveEngine,
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
        let (adapter, gpu) = request_gpu(&instance, Some(&surface)).await?;
        let (config, render_format) =
            surface_config(&surface, &adapter, canvas.width(), canvas.height())?;
        if options.present {
            surface.configure(&gpu.device, &config);
        }
        let renderer = Renderer::new(&gpu);
        let css_size = Vec2::new(
            canvas.client_width().max(1) as f32,
            canvas.client_height().max(1) as f32,
        );
        // Undo needs a clock to merge rapid edits (a slider drag) into one step; wasm has no OS clock.
        let scene = SceneDoc::with_clock(None, || js_sys::Date::now() as u64);
        let parts = Parts {
            outbox: Outbox::default(),
            sync_outbox: Outbox::default(),
            _live: LiveEngine::new(),
            state: State {
                backend: backend_name(&adapter),
                watch: std::rc::Rc::new(DeviceWatch::new(&gpu.device)),
                instance,
                adapter,
                canvas,
                surface: Some(surface),
                config,
                present: options.present,
                offscreen: None,
                render_format,
                controls: OrbitControls::new(renderer.camera),
                renderer,
                recovery: None,
                device_losses: 0,
                // Awareness client id = the document's, as in Yjs.
                presence: crate::presence::PresenceState::new(scene.client_id()),
                scene,
                css_size,
                last_frame: Default::default(),
                frame_ms: 0.0,
                frames_in_flight: Default::default(),
                max_frames_in_flight: options.max_frames_in_flight,
                frames_skipped: 0,
                redraw: options.redraw,
                last_drawn: None,
                frames_unchanged: 0,
            },
        };
        Ok(Engine {
            id: poison::new_engine_id(),
            parts: RefCell::new(parts),
        })
    }

    /// Engines alive in this wasm instance: created and not yet freed or garbage-collected.
    pub fn live_count() -> u32 {
        LiveEngine::count()
    }

    /// Borrows this engine's parts for one call, unless it is poisoned (an earlier call panicked)
    /// or a call is already running on it (only possible from a callback that calls back in; the
    /// engine's callbacks are delivered from microtasks, so none of its own do). A panic while
    /// the returned guard lives poisons the engine.
    pub(crate) fn parts(&self) -> Result<(poison::RunningGuard, RefMut<'_, Parts>), EngineError> {
        let running = poison::enter(self.id).ok_or(EngineError::Poisoned)?;
        let parts = self.parts.try_borrow_mut().map_err(|_| EngineError::Busy)?;
        Ok((running, parts))
    }

    /// Runs `f` on the state unless this engine is poisoned; a panic inside poisons it.
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, EngineError>,
    ) -> Result<T, JsError> {
        let (_running, mut parts) = self.parts()?;
        Ok(f(&mut parts.state)?)
    }

    /// Like [`Engine::with`] for calls that edit the document: queues the resulting local updates for
    /// `on_local_update` (delivered after this call returns).
    fn edit<T>(
        &self,
        f: impl FnOnce(&mut SceneDoc) -> Result<T, app_scene::SceneError>,
    ) -> Result<T, JsError> {
        let (_running, mut parts) = self.parts()?;
        let result = f(&mut parts.state.scene).map_err(EngineError::from)?;
        let updates = parts.state.scene.take_local_updates();
        parts
            .sync_outbox
            .push(crate::sync::update_messages(&updates));
        parts.outbox.push(updates);
        Ok(result)
    }

    /// The one call per animation frame: applies document changes, advances the camera by `dt`
    /// seconds, draws and presents. Also the presence clock (renewal, peers' timeouts).
    pub fn render_frame(&self, dt: f64) -> Result<(), JsError> {
        let result = self.with(|state| {
            let dt_secs = app_core::check_non_negative("dt", dt)?;
            state.render_frame(dt_secs)?;
            crate::presence::tick(state);
            Ok(())
        });
        self.flush_presence();
        result
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

    /// Adds a sphere at (x, y, z); returns its id.
    pub fn add_sphere(&self, x: f64, y: f64, z: f64, radius: f64) -> Result<String, JsError> {
        self.edit(|scene| Ok(scene.add_sphere([x, y, z], radius)?.to_string()))
    }

    /// Adds a box centred at (x, y, z) with full extents (sx, sy, sz); returns its id.
    pub fn add_box(
        &self,
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
    pub fn add_plane(&self, x: f64, y: f64, z: f64, size: f64) -> Result<String, JsError> {
        self.edit(|scene| Ok(scene.add_plane([x, y, z], size)?.to_string()))
    }

    /// Sets a sphere's radius (> 0).
    pub fn set_sphere_radius(&self, id: &str, radius: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_sphere_radius(id, radius))
    }

    /// Sets a box's full extents (each > 0).
    pub fn set_box_extents(&self, id: &str, sx: f64, sy: f64, sz: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_box_extents(id, [sx, sy, sz]))
    }

    /// Sets a plane's side length (> 0).
    pub fn set_plane_size(&self, id: &str, size: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_plane_size(id, size))
    }

    /// Moves a node to (x, y, z) in its parent's space.
    pub fn set_position(&self, id: &str, x: f64, y: f64, z: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_translation(id, [x, y, z]))
    }

    /// Sets a node's base color (linear RGB, each 0..1).
    pub fn set_color(&self, id: &str, r: f64, g: f64, b: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_base_color(id, [r, g, b]))
    }

    /// Sets a node's metallic and roughness (each 0..1).
    pub fn set_material(&self, id: &str, metallic: f64, roughness: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_metallic_roughness(id, metallic, roughness))
    }

    /// Removes a node and its children.
    pub fn remove_node(&self, id: &str) -> Result<(), JsError> {
        self.edit(|scene| scene.remove_node(id))
    }

    /// Ids of all nodes, sorted.
    pub fn node_ids(&self) -> Result<Vec<String>, JsError> {
        self.with(|state| {
            Ok(state
                .scene
                .node_ids()
                .into_iter()
                .map(|id| id.to_string())
                .collect())
        })
    }

    /// One node as `{ id, kind, position, radius | extents | size, color, metallic, roughness }`;
    /// throws on an unknown id.
    pub fn get_node(&self, id: &str) -> Result<JsValue, JsError> {
        self.with(|state| {
            let node = state.scene.node(id).ok_or_else(|| {
                app_scene::SceneError::UnknownNode(id.chars().take(128).collect())
            })?;
            Ok(js::node_object(&node))
        })
    }

    /// Undoes the last local edit step; false when there is nothing to undo. Never undoes a peer's edit.
    pub fn undo(&self) -> Result<bool, JsError> {
        self.edit(|scene| scene.undo())
    }

    /// Redoes the last undone local step; false when there is nothing to redo.
    pub fn redo(&self) -> Result<bool, JsError> {
        self.edit(|scene| scene.redo())
    }

    /// Whether `undo()` would do something.
    pub fn can_undo(&self) -> Result<bool, JsError> {
        self.with(|state| Ok(state.scene.can_undo()))
    }

    /// Whether `redo()` would do something.
    pub fn can_redo(&self) -> Result<bool, JsError> {
        self.with(|state| Ok(state.scene.can_redo()))
    }

    /// The whole document as a Yjs v1 update.
    pub fn encode_state(&self) -> Result<Vec<u8>, JsError> {
        self.with(|state| Ok(state.scene.encode_state_v1()))
    }

    /// Merges a peer's Yjs v1 update. Malformed or hostile bytes throw and change nothing. Not undoable here.
    pub fn apply_update(&self, update: &[u8]) -> Result<(), JsError> {
        self.with(|state| Ok(state.scene.apply_update_v1(update)?))
    }

    /// The whole document as a Yjs v2 update (`Y.encodeStateAsUpdateV2`): the scene file format of
    /// the demo's export, about a third smaller than v1 for transform-heavy scenes.
    pub fn encode_state_v2(&self) -> Result<Vec<u8>, JsError> {
        self.with(|state| Ok(state.scene.encode_state_v2()))
    }

    /// Merges a Yjs v2 update (`Y.applyUpdateV2`), e.g. an exported scene file. Malformed or hostile
    /// bytes throw and change nothing. Not undoable here.
    pub fn apply_update_v2(&self, update: &[u8]) -> Result<(), JsError> {
        self.with(|state| Ok(state.scene.apply_update_v2(update)?))
    }

    /// `callback(update: Uint8Array)` after local edits, delivered after the engine call returns (never
    /// re-entrantly). Pass `null` to stop. The engine holds the callback and releases it on `free()`.
    pub fn on_local_update(&self, callback: Option<js_sys::Function>) -> Result<(), JsError> {
        let (_running, mut parts) = self.parts()?;
        // Updates made before a callback existed are in the document (encode_state), not in the queue.
        parts.state.scene.take_local_updates();
        parts.outbox.set_callback(callback);
        Ok(())
    }

    /// `{ backend, frame_ms, draw_calls, nodes, width, height, instances, bytes_uploaded, device_losses }`.
    pub fn stats(&self) -> Result<JsValue, JsError> {
        self.with(|state| js::stats_object(state))
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        poison::forget(self.id);
        // `get_mut` needs no borrow flag: a trap may have left the cell marked as borrowed.
        let parts = self.parts.get_mut();
        // Releases the JS callback now, even if a delivery microtask still holds the queue.
        parts.outbox.set_callback(None);
        parts.sync_outbox.set_callback(None);
        parts.state.presence.events.set_callback(None);
        // Frees GPU memory now rather than when the browser collects the device. The watch is
        // silenced first: this loss is intended.
        parts.state.watch.silence();
        parts.state.renderer.gpu().device.destroy();
        // A device that arrived after a loss but was not installed yet is ours too. (One still being
        // requested is destroyed by the recovery task when it finds the engine gone: `state.rs`.)
        if let Some(slot) = parts.state.recovery.take()
            && let Ok(mut slot) = slot.try_borrow_mut()
            && let Some((_, Ok((_, gpu)))) = slot.take()
        {
            gpu.device.destroy();
        }
    }
}
