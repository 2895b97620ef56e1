//! Scene calls: add, edit, read and remove nodes, undo and redo. Each writes the Yrs document and
//! returns at once; the renderer catches up on the next frame (`bridge.rs`).

use wasm_bindgen::prelude::*;

use crate::engine::Engine;
use crate::js;

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
}
