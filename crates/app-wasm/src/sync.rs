//! The y-protocols sync calls of the JavaScript `Engine`: the engine speaks the protocol
//! (`app_scene::protocol`), a transport (WebSocket, BroadcastChannel) only moves the bytes.
//!
//! ```js
//! socket.onopen = () => engine.sync_open().forEach((m) => socket.send(m));
//! socket.onmessage = (e) => engine.sync_receive(new Uint8Array(e.data)).forEach((m) => socket.send(m));
//! engine.on_sync_message((m) => socket.send(m));   // after each local edit
//! ```

use app_scene::protocol;
use wasm_bindgen::prelude::*;

use crate::engine::Engine;

/// Wraps byte messages as a JS array of `Uint8Array`s.
fn messages(list: Vec<Vec<u8>>) -> js_sys::Array {
    list.iter()
        .map(|m| js_sys::Uint8Array::from(m.as_slice()))
        .collect()
}

#[wasm_bindgen]
impl Engine {
    /// Messages to send when a connection opens: sync step 1 (our state vector). The peer answers
    /// with step 2 (what we lack) and its own step 1, which `sync_receive` answers.
    pub fn sync_open(&mut self) -> Result<js_sys::Array, JsError> {
        self.with(|state| Ok(messages(vec![state.scene.sync_step1()])))
    }

    /// Handles one incoming protocol message (one WebSocket frame); returns the replies to send
    /// back on the same connection. Malformed, oversized (over 32 MiB) or hostile messages throw
    /// and change nothing. Applied updates are not undoable here.
    pub fn sync_receive(&mut self, message: &[u8]) -> Result<js_sys::Array, JsError> {
        let outcome = self
            .with(|state| Ok(state.scene.handle_sync_message(message)))?
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(messages(outcome.replies))
    }

    /// `callback(message: Uint8Array)` with a sync `update` message after each local edit (and undo or
    /// redo), delivered from a microtask after the engine call returned (never re-entrantly). Pass
    /// `null` to stop. The engine holds the callback and releases it on `free()`.
    pub fn on_sync_message(&mut self, callback: Option<js_sys::Function>) -> Result<(), JsError> {
        self.with(|_| Ok(()))?;
        self.sync_outbox.set_callback(callback);
        Ok(())
    }
}

/// Protocol `update` messages for local updates, for the sync outbox.
pub(crate) fn update_messages(updates: &[Vec<u8>]) -> Vec<Vec<u8>> {
    updates
        .iter()
        .map(|u| protocol::update_message(u))
        .collect()
}
