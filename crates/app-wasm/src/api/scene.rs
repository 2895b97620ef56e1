//! Scene calls: add, edit, read and remove nodes, undo and redo. Each writes the Yrs document and
//! returns at once; the renderer catches up on the next frame (`bridge.rs`).

use app_core::Node;
use app_scene::{SceneDoc, SceneError};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::engine::Engine;
use crate::js;

/// The node `id`, or the error naming the unknown id (cut to 128 characters).
fn known(scene: &SceneDoc, id: &str) -> Result<Node, SceneError> {
    scene
        .node(id)
        .ok_or_else(|| SceneError::UnknownNode(id.chars().take(128).collect()))
}

#[wasm_bindgen]
impl Engine {
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

    /// Rotates a node by the quaternion (x, y, z, w), relative to its parent; normalised here. A zero
    /// or non-finite quaternion throws.
    pub fn set_rotation(&self, id: &str, x: f64, y: f64, z: f64, w: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_rotation(id, [x, y, z, w]))
    }

    /// Scales a node along its own axes (each > 0).
    pub fn set_scale(&self, id: &str, sx: f64, sy: f64, sz: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_scale(id, [sx, sy, sz]))
    }

    /// Sets a node's emitted light (linear RGB, each 0..1).
    pub fn set_emissive(&self, id: &str, r: f64, g: f64, b: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_emissive(id, [r, g, b]))
    }

    /// Sets a node's display name (at most 1,024 bytes of UTF-8).
    pub fn set_name(&self, id: &str, name: JsValue) -> Result<(), JsError> {
        let name = name
            .as_string()
            .ok_or_else(|| JsError::new(&format!("name must be a string, got {name:?}")))?;
        self.edit(|scene| scene.set_name(id, &name))
    }

    /// Shows (`true`) or hides (`false`) a node and what hangs below it.
    pub fn set_visible(&self, id: &str, visible: JsValue) -> Result<(), JsError> {
        let visible = visible.as_bool().ok_or_else(|| {
            JsError::new(&format!("visible must be true or false, got {visible:?}"))
        })?;
        self.edit(|scene| scene.set_visible(id, visible))
    }

    /// Moves a node under `parent` (`undefined`: makes it a root), after its new siblings. Keeps the
    /// local transform, like three.js `add`. A cycle (a node under itself or its descendant) throws.
    pub fn set_parent(&self, id: &str, parent: Option<String>) -> Result<(), JsError> {
        self.edit(|scene| scene.set_parent(id, parent.as_deref()))
    }

    /// A node's children in order, or the roots for `undefined`. Throws on an unknown id.
    pub fn children(&self, id: Option<String>) -> Result<Vec<String>, JsError> {
        self.with(|state| {
            if let Some(id) = &id {
                known(&state.scene, id)?;
            }
            Ok(state
                .scene
                .children(id.as_deref())
                .into_iter()
                .map(|id| id.to_string())
                .collect())
        })
    }

    /// Closes the current undo step: the next edit starts a new one (edits less than 500 ms apart
    /// otherwise merge into one step).
    pub fn end_undo_step(&self) -> Result<(), JsError> {
        self.with(|state| {
            state.scene.end_undo_step();
            Ok(())
        })
    }

    /// Sets the directional light `{ direction: [x, y, z], color: [r, g, b], intensity }` (document
    /// state: synced and undoable). `direction` is where the light travels (non-zero), `color` linear
    /// 0..1, `intensity` ≥ 0. Missing fields keep their current value.
    pub fn set_light(&self, light: JsValue) -> Result<(), JsError> {
        if !light.is_object() {
            return Err(JsError::new(
                "set_light needs { direction: [x, y, z], color: [r, g, b], intensity: number }",
            ));
        }
        js::known_keys(&light, "set_light", &["direction", "color", "intensity"])?;
        self.with(|state| {
            state.check_writable()?;
            let current = state.scene.light();
            let direction = js::vec3_field(&light, "light.direction")?
                .unwrap_or(current.direction_in_world.as_dvec3().to_array());
            let color = js::vec3_field(&light, "light.color")?
                .unwrap_or(current.color.as_dvec3().to_array());
            let intensity = js::number_field(&light, "light.intensity")?
                .unwrap_or(f64::from(current.intensity));
            Ok(state.scene.set_light(direction, color, intensity)?)
        })
    }

    /// The directional light: `{ direction, color, intensity }`.
    pub fn get_light(&self) -> Result<JsValue, JsError> {
        self.with(|state| Ok(js::light_object(&state.scene.light())))
    }

    /// Sets the background behind the scene (linear RGB, each 0..1): document state, synced and
    /// undoable. Shown in the beauty view, tone-mapped like the scene.
    pub fn set_background(&self, r: f64, g: f64, b: f64) -> Result<(), JsError> {
        self.edit(|scene| scene.set_background([r, g, b]))
    }

    /// Runs `fn()`; its edits become one undo step, one `on_local_update` call (one merged update)
    /// and one `on_change` report. If `fn` throws, its edits are undone (and cannot be redone) and the
    /// error is rethrown. Edits made after an `await` inside `fn` are outside the batch. A `batch`
    /// inside `fn` joins the outer one.
    pub fn batch(&self, f: JsValue) -> Result<(), JsValue> {
        let Some(f) = f.dyn_ref::<js_sys::Function>() else {
            return Err(JsError::new(&format!("batch needs a function, got {f:?}")).into());
        };
        self.with(|state| {
            state.check_writable()?;
            Ok(state.scene.begin_batch()?)
        })?;
        // The engine is not borrowed while `fn` runs: its calls go through `with` as usual.
        match f.call0(&JsValue::UNDEFINED) {
            Ok(_) => Ok(self.with(|state| Ok(state.scene.end_batch()?))?),
            Err(error) => {
                self.with(|state| Ok(state.scene.abort_batch()?))?;
                Err(error)
            }
        }
    }

    /// While `true`, every local edit call (adding, setting, removing, duplicating, `batch`, `undo`,
    /// `redo`, the light and the background) throws an `Error` saying the engine is read-only and
    /// changes nothing; remote updates (`apply_update`, `sync_receive`) still apply. For viewers.
    pub fn set_read_only(&self, read_only: JsValue) -> Result<(), JsError> {
        let read_only = read_only.as_bool().ok_or_else(|| {
            JsError::new(&format!(
                "read_only must be true or false, got {read_only:?}"
            ))
        })?;
        self.with(|state| {
            state.read_only = read_only;
            Ok(())
        })
    }

    /// Whether `set_read_only(true)` is in force.
    pub fn is_read_only(&self) -> Result<bool, JsError> {
        self.with(|state| Ok(state.read_only))
    }

    /// `callback({ added, changed, removed })` (node ids) after a frame applied local or remote
    /// edits: at most once per frame, from a microtask after `render_frame` returned (never
    /// re-entrantly). Pass `null` to stop. Released on `free()`.
    pub fn on_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Function | null | undefined")] callback: JsValue,
    ) -> Result<(), JsError> {
        let callback = crate::js::callback("on_change", callback)?;
        let (_running, parts) = self.parts()?;
        parts.change_events.set_callback(callback);
        Ok(())
    }

    /// Deep copy of the node's subtree under the same parent, right after the original; returns the
    /// copy's root id. Throws on an unknown id.
    pub fn duplicate(&self, id: &str) -> Result<String, JsError> {
        self.edit(|scene| Ok(scene.duplicate(id)?.to_string()))
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

    /// One node as `{ id, kind, name, parent, position, rotation, scale, color, metallic, roughness,
    /// emissive, visible, radius | extents | size }`, numbers as they were set (set 1.6, read 1.6);
    /// throws on an unknown id.
    pub fn get_node(&self, id: &str) -> Result<JsValue, JsError> {
        self.with(|state| {
            let node = known(&state.scene, id)?;
            Ok(js::node_object(
                &node,
                state.scene.node_numbers(id).as_ref(),
            ))
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
}
