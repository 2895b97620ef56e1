//! View calls: camera input, framing, AOVs, picking and selection, pixels. Local to this engine;
//! nothing here enters the document (the selection reaches peers as presence).

use app_core::NodeId;
use app_render::{AovMode, OrbitCamera};
use glam::{Vec2, Vec3};
use wasm_bindgen::prelude::*;

use crate::engine::Engine;
use crate::{EngineError, js, web};

#[wasm_bindgen]
impl Engine {
    /// Shows `"beauty"`, `"albedo"`, `"normal"`, `"depth"` or `"object_id"`.
    pub fn set_aov_mode(&self, mode: &str) -> Result<(), JsError> {
        self.with(|state| {
            state.renderer.set_aov(AovMode::parse(mode)?);
            Ok(())
        })
    }

    /// A pointer drag of (dx, dy) CSS pixels: button 0 orbits, 1 (middle) or 2 (right) pans. Any
    /// other button (3, 0.5, NaN, "0", undefined) throws.
    pub fn on_mouse_drag(&self, dx: f64, dy: f64, button: JsValue) -> Result<(), JsError> {
        self.with(|state| {
            let delta_px = Vec2::new(
                app_core::check_finite("dx", dx)?,
                app_core::check_finite("dy", dy)?,
            );
            match button.as_f64() {
                Some(0.0) => state.controls.orbit(delta_px),
                Some(1.0 | 2.0) => state.controls.pan(delta_px, state.css_size.y),
                _ => {
                    return Err(EngineError::Invalid(format!(
                        "button must be 0 (orbit), 1 or 2 (pan), got {button:?}"
                    )));
                }
            }
            state.following = None;
            Ok(())
        })
    }

    /// Where the world point (x, y, z) appears on the canvas, in CSS pixels from its top-left
    /// corner, as `[css_x, css_y]`; `undefined` when the point is behind the camera or off the canvas.
    /// Uses the camera as last drawn or eased (for placing DOM labels over the scene).
    pub fn project(&self, x: f64, y: f64, z: f64) -> Result<Option<js_sys::Array>, JsError> {
        self.with(|state| {
            let point_in_world = Vec3::new(
                app_core::check_finite("x", x)?,
                app_core::check_finite("y", y)?,
                app_core::check_finite("z", z)?,
            );
            let clip =
                state.renderer.camera.clip_from_world(state.aspect()) * point_in_world.extend(1.0);
            if clip.w <= 0.0 || clip.w.is_nan() {
                return Ok(None);
            }
            let ndc = clip.truncate() / clip.w;
            if !(ndc.x.abs() <= 1.0 && ndc.y.abs() <= 1.0) {
                return Ok(None);
            }
            let css = state.css_size;
            Ok(Some(js_sys::Array::of2(
                &f64::from((ndc.x + 1.0) * 0.5 * css.x).into(),
                &f64::from((1.0 - ndc.y) * 0.5 * css.y).into(),
            )))
        })
    }

    /// The camera on screen: `{ position: [x, y, z], target: [x, y, z], fov_y_deg }` in world space.
    pub fn get_camera(&self) -> Result<JsValue, JsError> {
        self.with(|state| {
            let camera = state.renderer.camera;
            Ok(js::object(&[
                ("position", js::array(&camera.eye_in_world().to_array())),
                ("target", js::array(&camera.target_in_world.to_array())),
                (
                    "fov_y_deg",
                    JsValue::from(f64::from(camera.fovy_rad.to_degrees())),
                ),
            ]))
        })
    }

    /// Moves the camera at once to `{ position, target, fov_y_deg }` (world space; each field
    /// optional, keeping the current value). Throws, changing nothing, when position and target
    /// coincide, a coordinate is not finite or the field of view is outside (0, 180) degrees. A view
    /// straight up or down is tilted by 0.6° (orbit cameras never flip over the pole).
    pub fn set_camera(&self, camera: JsValue) -> Result<(), JsError> {
        if !camera.is_object() {
            return Err(JsError::new(
                "set_camera needs { position: [x, y, z], target: [x, y, z], fov_y_deg: number }",
            ));
        }
        crate::js::known_keys(&camera, "set_camera", &["position", "target", "fov_y_deg"])?;
        self.with(|state| {
            let current = state.renderer.camera;
            let point = |what: &'static str, value: Option<[f64; 3]>, current: Vec3| {
                value.map_or(Ok(current), |[x, y, z]| {
                    Ok::<_, EngineError>(Vec3::new(
                        app_core::check_coordinate(what, x)?,
                        app_core::check_coordinate(what, y)?,
                        app_core::check_coordinate(what, z)?,
                    ))
                })
            };
            let eye = point(
                "camera.position",
                js::vec3_field(&camera, "camera.position")?,
                current.eye_in_world(),
            )?;
            let target = point(
                "camera.target",
                js::vec3_field(&camera, "camera.target")?,
                current.target_in_world,
            )?;
            let fov_y_deg = js::number_field(&camera, "camera.fov_y_deg")?
                .unwrap_or(f64::from(current.fovy_rad.to_degrees()));
            if !(fov_y_deg > 0.0 && fov_y_deg < 180.0) {
                return Err(EngineError::Invalid(format!(
                    "camera.fov_y_deg must be between 0 and 180 (exclusive), got {fov_y_deg}"
                )));
            }
            let camera = OrbitCamera::looking_at(eye, target, (fov_y_deg as f32).to_radians())
                .ok_or_else(|| {
                    EngineError::Invalid(
                        "camera.position and camera.target must differ".to_string(),
                    )
                })?;
            state.renderer.camera = camera;
            state.controls.goal = camera;
            state.following = None;
            Ok(())
        })
    }

    /// A wheel turn (`WheelEvent.deltaY`): positive zooms out, negative zooms in.
    pub fn on_wheel(&self, delta_y: f64) -> Result<(), JsError> {
        self.with(|state| {
            let delta_y = app_core::check_finite("delta_y", delta_y)?;
            state.following = None;
            state.controls.zoom(delta_y);
            Ok(())
        })
    }

    /// Moves the camera (smoothly) to show every node. Does nothing in an empty scene.
    pub fn frame_all(&self) -> Result<(), JsError> {
        self.with(|state| {
            state.sync_renderer();
            state.following = None;
            if let Some(bounds) = state.renderer.refit_bounds() {
                let aspect = state.aspect();
                state.controls.frame(bounds, aspect);
            }
            Ok(())
        })
    }

    /// The id of the node under CSS pixel (x, y) of the canvas, or `undefined`.
    pub fn pick(&self, x: f64, y: f64) -> Result<Option<String>, JsError> {
        self.with(|state| {
            let point_px = Vec2::new(
                app_core::check_finite("x", x)?,
                app_core::check_finite("y", y)?,
            );
            state.sync_renderer();
            let aspect = state.aspect();
            Ok(state
                .renderer
                .pick(point_px / state.css_size, aspect)
                .map(|id| id.to_string()))
        })
    }

    /// Highlights node `id`, or nothing with `undefined`. Throws on an unknown id. Peers see the
    /// selection in our presence (`presence.rs`).
    pub fn select(&self, id: Option<String>) -> Result<(), JsError> {
        self.with(|state| {
            state.sync_renderer();
            let id = match id {
                None => None,
                Some(id) => {
                    if state.scene.node(&id).is_none() {
                        return Err(app_scene::SceneError::UnknownNode(
                            id.chars().take(128).collect(),
                        )
                        .into());
                    }
                    Some(NodeId::new(id.as_str()).map_err(app_scene::SceneError::from)?)
                }
            };
            state.renderer.set_selected(id.as_ref());
            // Peers hear of the new selection now rather than on the next frame.
            let now_ms = web::now_ms();
            state
                .presence
                .follow_selection(state.renderer.selected(), now_ms);
            Ok(())
        })
    }

    /// The highlighted node's id, or `undefined` (also once that node is removed).
    pub fn selected(&self) -> Result<Option<String>, JsError> {
        self.with(|state| {
            state.sync_renderer();
            Ok(state.renderer.selected().map(|id| id.to_string()))
        })
    }

    /// RGBA8 pixels of the current view at drawing-buffer size, rows top to bottom.
    pub fn read_pixels(&self) -> js_sys::Promise {
        let started = self.with(|state| {
            if !state.gpu_ready() {
                return Err(EngineError::Render(app_render::RenderError::Readback(
                    "the GPU device was lost and is being recreated; try again after the next frame".into(),
                )));
            }
            state.sync_renderer();
            let readback = state.read_back()?;
            // The watch travels with the read: the device may be lost (and replaced) before it ends.
            Ok((
                state.renderer.gpu().device.clone(),
                readback,
                state.watch.clone(),
            ))
        });
        wasm_bindgen_futures::future_to_promise(async move {
            let (device, readback, watch) = started.map_err(JsValue::from)?;
            let image = match web::read_image(device, readback).await {
                Ok(image) => image,
                Err(error) => {
                    // A device destroyed mid-read fails the mapping with a generic error, and its
                    // lost callback may run only after that: give it a turn, then say which it was.
                    web::yield_to_event_loop().await;
                    let error = if watch.is_lost() {
                        app_render::RenderError::Readback(
                            "the GPU device was lost while the pixels were being read back; try again after the next frame".into(),
                        )
                    } else {
                        error
                    };
                    return Err(JsValue::from(JsError::from(error)));
                }
            };
            Ok(js_sys::Uint8Array::from(image.pixels.as_slice()).into())
        })
    }
}
