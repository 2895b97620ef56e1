//! Presence calls (y-protocols awareness): our name and color, who else is here, and a callback when
//! that changes. Presence never enters the document; its state lives in `presence.rs`.
//!
//! ```js
//! engine.set_presence({ name: 'Ada', color: '#e91e63' });   // our selection follows select()
//! engine.on_presence((peers) => render(peers));              // after a change, once per frame at most
//! engine.peers();    // [{ client, name, color, selected }], other users only
//! engine.presence(); // { client, name, color, selected, dragging, camera, pointer }, us
//! engine.set_dragging(id); /* …set_position(id, …) as the hand moves… */ engine.set_dragging(undefined);
//! engine.on_pointer_move(x, y); engine.on_pointer_leave(); // the mouse, for peers' pins
//! ```

use app_core::NodeId;
use app_scene::presence::User;
use wasm_bindgen::prelude::*;

use crate::engine::Engine;
use crate::{js, web};

/// Reads a string property of a JS object, or explains what is wrong.
fn string_field(object: &JsValue, key: &str) -> Result<String, JsError> {
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .and_then(|value| value.as_string())
        .ok_or_else(|| {
            JsError::new(&format!(
                "set_presence needs {{ name: string, color: string }}; `{key}` is missing or not a string"
            ))
        })
}

#[wasm_bindgen]
impl Engine {
    /// Sets our presence `{ name, color }`: a name of 1 to 64 characters and a CSS hex color
    /// (`#rrggbb` or `#rgb`). Peers see it as the awareness state
    /// `{ user: { name, color }, selected }`; our selected node follows `select()`. Throws on an
    /// invalid name or color and changes nothing. Never touches the document.
    pub fn set_presence(&self, presence: JsValue) -> Result<(), JsError> {
        if !presence.is_object() {
            return Err(JsError::new(
                "set_presence needs { name: string, color: string }",
            ));
        }
        crate::js::known_keys(&presence, "set_presence", &["name", "color"])?;
        let name = string_field(&presence, "name")?;
        let color = string_field(&presence, "color")?;
        let user = User::new(&name, &color).map_err(|e| JsError::new(&e.to_string()))?;
        self.with(|state| {
            state.presence.set_user(user, web::now_ms());
            Ok(())
        })
    }

    /// The mouse moved over the canvas to (x, y), CSS pixels from its top-left corner (call from
    /// `pointermove`, hovering or dragging). Peers see the world point under it, at most 30 times a
    /// second, as awareness `pointer: [x, y, z]` (a node's surface, else the ground plane y = 0),
    /// drawn as a pin in our color. Throws on a coordinate that is not finite.
    pub fn on_pointer_move(&self, x: f64, y: f64) -> Result<(), JsError> {
        self.with(|state| {
            let point_px = glam::Vec2::new(
                app_core::check_finite("x", x)?,
                app_core::check_finite("y", y)?,
            );
            let at = (point_px / state.css_size, state.aspect());
            state.presence.pointer_moved(Some(at));
            Ok(())
        })
    }

    /// The mouse left the canvas (`pointerleave`): peers stop seeing our pointer.
    pub fn on_pointer_leave(&self) -> Result<(), JsError> {
        self.with(|state| {
            state.presence.pointer_moved(None);
            Ok(())
        })
    }

    /// Says that we are dragging node `id` (moving it by hand, e.g. with a gizmo or the panel's
    /// sliders) or, with `undefined`/`null`, that we stopped. Peers see it as awareness
    /// `dragging: id` and draw that node in our color, before anyone's selection. Throws for an id
    /// that is not in the scene and changes nothing. Presence only: never touches the document. A
    /// dragged node that is removed (here or by a peer) stops being announced at the next frame.
    pub fn set_dragging(&self, id: Option<String>) -> Result<(), JsError> {
        self.with(|state| {
            let id = match id {
                None => None,
                Some(id) => {
                    let node = NodeId::new(id.as_str()).map_err(app_scene::SceneError::from)?;
                    if state.scene.node(node.as_str()).is_none() {
                        return Err(app_scene::SceneError::UnknownNode(
                            id.chars().take(128).collect(),
                        )
                        .into());
                    }
                    Some(node)
                }
            };
            state.presence.set_dragging(id, web::now_ms());
            Ok(())
        })
    }

    /// Our presence: `{ client, name, color, selected }` (`name`/`color` are `null` until
    /// `set_presence`). `client` is our awareness client id, the document's client id.
    pub fn presence(&self) -> Result<JsValue, JsError> {
        self.with(|state| Ok(js::local_peer_object(state.presence.presence())))
    }

    /// Other users in the room: `[{ client, name, color, selected }]`, ordered by client id, `null`
    /// for what a peer did not say (or said malformed). Never includes us.
    pub fn peers(&self) -> Result<js_sys::Array, JsError> {
        self.with(|state| Ok(js::peers_array(state.presence.presence())))
    }

    /// Makes the camera ease to track peer `client`'s shared camera (every user's presence carries
    /// their camera, sent at most 30 times a second); `undefined` stops. Throws for a client that is
    /// not in the room. Dragging, wheeling, `frame_all` or `set_camera` stop following too, and so
    /// does the peer leaving.
    pub fn follow(&self, client: JsValue) -> Result<(), JsError> {
        if client.is_undefined() || client.is_null() {
            return self.with(|state| {
                state.following = None;
                Ok(())
            });
        }
        let Some(id) = client.as_f64().filter(|c| c.fract() == 0.0 && *c >= 0.0) else {
            return Err(JsError::new(&format!(
                "follow needs a peer's client id (a whole number) or undefined, got {client:?}"
            )));
        };
        self.with(|state| {
            let id = id as u64;
            if !state.presence.has_peer(id) {
                return Err(crate::EngineError::Invalid(format!(
                    "follow: no peer with client id {id} is in the room (see peers())"
                )));
            }
            state.following = Some(id);
            Ok(())
        })
    }

    /// The client id followed with `follow`, or `undefined`.
    pub fn following(&self) -> Result<Option<f64>, JsError> {
        self.with(|state| Ok(state.following.map(|c| c as f64)))
    }

    /// `callback(peers)` (as `peers()`) whenever a peer joins, changes or leaves, or our own
    /// presence changes; delivered from a microtask after the next `render_frame` returned (never
    /// re-entrantly), so at most once per frame; when no frame ran for 100 ms, after the call that
    /// made the change. Pass `null` to stop. Released on `free()`.
    pub fn on_presence(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Function | null | undefined")] callback: JsValue,
    ) -> Result<(), JsError> {
        let callback = crate::js::callback("on_presence", callback)?;
        let (_running, parts) = self.parts()?;
        parts.presence_events.set_callback(callback);
        Ok(())
    }
}
