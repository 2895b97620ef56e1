//! The y-protocols sync calls of the JavaScript `Engine`: the engine speaks the protocol
//! (`app_scene::protocol`), a transport (WebSocket, BroadcastChannel) only moves the bytes.
//!
//! ```js
//! socket.onopen = () => engine.sync_open().forEach((m) => socket.send(m));
//! socket.onmessage = (e) => engine.sync_receive(new Uint8Array(e.data)).forEach((m) => socket.send(m));
//! engine.on_sync_message((m) => socket.send(m));   // after each local edit or presence change
//! socket.onclose = () => engine.sync_closed();       // peers' presence goes with the connection
//! engine.sync_leave().forEach((m) => socket.send(m)); // before closing on purpose
//! ```
//!
//! Presence (`presence.rs`) rides on the same connection as y-protocols awareness messages.

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
    /// Messages to send when a connection opens: sync step 1 (our state vector) and our awareness
    /// state (presence). The peer answers with step 2 (what we lack) and its own step 1, which
    /// `sync_receive` answers; a y-websocket server also sends the room's awareness states.
    pub fn sync_open(&self) -> Result<js_sys::Array, JsError> {
        self.with(|state| {
            let step1 = state.scene.sync_step1();
            let awareness = state.presence.presence.open(crate::web::now_ms());
            Ok(messages(vec![step1, awareness]))
        })
    }

    /// Handles one incoming protocol message (one WebSocket frame); returns the replies to send
    /// back on the same connection. Awareness messages update `peers()` and the peers' highlights;
    /// a `queryAwareness` is answered with our state. Malformed, oversized (over 32 MiB) or hostile
    /// messages throw and change nothing; a peer's odd presence fields read as absent. Applied
    /// updates are not undoable here.
    pub fn sync_receive(&self, message: &[u8]) -> Result<js_sys::Array, JsError> {
        let result = self.with(|state| {
            let outcome = match state.scene.handle_sync_message(message) {
                Ok(outcome) => outcome,
                Err(error) => return Ok(Err(error)),
            };
            let mut replies = outcome.replies;
            if let Some(payload) = outcome.awareness {
                match crate::presence::receive(state, &payload) {
                    Ok(answers) => replies.extend(answers),
                    Err(error) => return Ok(Err(error)),
                }
            }
            if outcome.awareness_query {
                replies.push(state.presence.presence.local_message());
            }
            // Incoming messages are a clock too: renewals keep going while frames do not (a
            // hidden tab), since peers renew every 15 s.
            crate::presence::tick(state);
            Ok(Ok(replies))
        });
        self.flush_presence();
        let replies = result?.map_err(|e| JsError::new(&e.to_string()))?;
        Ok(messages(replies))
    }

    /// The connection closed (or dropped): forgets every other user's presence, as y-websocket does;
    /// the next connection brings the room's states again. The document is untouched.
    pub fn sync_closed(&self) -> Result<(), JsError> {
        self.with(|state| {
            crate::presence::closed(state);
            Ok(())
        })?;
        self.flush_presence();
        Ok(())
    }

    /// Messages to send before closing a connection on purpose: our awareness state set to `null`,
    /// so peers drop us at once instead of after their 30 s timeout. The next `sync_open`
    /// announces us again.
    pub fn sync_leave(&self) -> Result<js_sys::Array, JsError> {
        self.with(|state| Ok(messages(vec![state.presence.presence.leave()])))
    }

    /// `callback(message: Uint8Array)` with a sync `update` message after each local edit (and undo or
    /// redo), and an awareness message after each presence change (`set_presence`, `select`, the
    /// 15 s renewal), delivered from a microtask after the engine call returned (never
    /// re-entrantly). Pass `null` to stop. The engine holds the callback and releases it on `free()`.
    pub fn on_sync_message(&self, callback: Option<js_sys::Function>) -> Result<(), JsError> {
        let (_running, parts) = self.parts()?;
        parts.sync_outbox.set_callback(callback);
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
