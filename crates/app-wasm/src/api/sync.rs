//! Document bytes and the y-protocols sync calls: whole-document encode/apply (v1, v2, diffs for the
//! update guard), local-update delivery, and the protocol: the engine speaks it
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

use wasm_bindgen::prelude::*;

use crate::engine::Engine;
use crate::guard_host::Check;
use crate::web;

/// Wraps byte messages as a JS array of `Uint8Array`s.
fn messages(list: Vec<Vec<u8>>) -> js_sys::Array {
    list.iter()
        .map(|m| js_sys::Uint8Array::from(m.as_slice()))
        .collect()
}

#[wasm_bindgen]
impl Engine {
    /// The whole document as a Yjs v1 update.
    pub fn encode_state(&self) -> Result<Vec<u8>, JsError> {
        self.with(|state| Ok(state.scene.encode_state_v1()))
    }

    /// Merges a peer's Yjs v1 update. Malformed or hostile bytes throw and change nothing. Not undoable here.
    pub fn apply_update(&self, update: &[u8]) -> Result<(), JsError> {
        self.with(|state| {
            state.apply_remote(Check::UpdateV1, update, |state| {
                Ok(state.scene.apply_update_v1(update)?)
            })
        })
    }

    /// The whole document as a Yjs v2 update (`Y.encodeStateAsUpdateV2`): the scene file format of
    /// the demo's export, about a third smaller than v1 for transform-heavy scenes.
    pub fn encode_state_v2(&self) -> Result<Vec<u8>, JsError> {
        self.with(|state| Ok(state.scene.encode_state_v2()))
    }

    /// Merges a Yjs v2 update (`Y.applyUpdateV2`), e.g. an exported scene file. Malformed or hostile
    /// bytes throw and change nothing. Not undoable here.
    pub fn apply_update_v2(&self, update: &[u8]) -> Result<(), JsError> {
        self.with(|state| {
            state.apply_remote(Check::UpdateV2, update, |state| {
                Ok(state.scene.apply_update_v2(update)?)
            })
        })
    }

    /// `callback(update: Uint8Array)` after local edits, delivered after the engine call returns (never
    /// re-entrantly). Pass `null` to stop. The engine holds the callback and releases it on `free()`.
    pub fn on_local_update(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Function | null | undefined")] callback: JsValue,
    ) -> Result<(), JsError> {
        let callback = crate::js::callback("on_local_update", callback)?;
        let (_running, mut parts) = self.parts()?;
        // Updates made before a callback existed are in the document (encode_state), not in the queue.
        parts.state.scene.take_local_updates();
        parts.local_updates.set_callback(callback);
        parts.want_local_updates();
        Ok(())
    }

    /// What a document with the given v1 state vector lacks, as a v1 update (Yjs
    /// `encodeStateAsUpdate(doc, stateVector)`; the whole delete set is always included). An update
    /// guard follows the live document with it. Throws on a malformed state vector.
    pub fn encode_diff(&self, state_vector_v1: &[u8]) -> Result<Vec<u8>, JsError> {
        self.with(|state| Ok(state.scene.encode_diff_v1(state_vector_v1)?))
    }

    /// Messages to send when a connection opens: sync step 1 (our state vector) and our awareness
    /// state (presence). The peer answers with step 2 (what we lack) and its own step 1, which
    /// `sync_receive` answers; a y-websocket server also sends the room's awareness states.
    pub fn sync_open(&self) -> Result<js_sys::Array, JsError> {
        self.with(|state| {
            let step1 = state.scene.sync_step1();
            let awareness = state.presence.open(web::now_ms());
            Ok(messages(vec![step1, awareness]))
        })
    }

    /// Handles one incoming protocol message (one WebSocket frame); returns the replies to send
    /// back on the same connection. Awareness messages update `peers()` and the peers' highlights;
    /// a `queryAwareness` is answered with our state. Malformed, oversized (over 32 MiB) or hostile
    /// messages throw and change nothing; a peer's odd presence fields read as absent. Applied
    /// updates are not undoable here.
    pub fn sync_receive(&self, message: &[u8]) -> Result<js_sys::Array, JsError> {
        let replies = self.with(|state| {
            // Only sync messages reach yrs; awareness and the rest are parsed by our own code
            // (bounded JSON included), so the update guard's second instance is not asked.
            let outcome = if app_scene::protocol::touches_document(message) {
                state.apply_remote(Check::SyncMessage, message, |state| {
                    Ok(state.scene.handle_sync_message(message)?)
                })?
            } else {
                state.scene.handle_sync_message(message)?
            };
            let mut replies = outcome.replies;
            if let Some(payload) = outcome.awareness {
                let now_ms = web::now_ms();
                replies.extend(state.presence.receive(&payload, now_ms)?);
            }
            if outcome.awareness_query {
                replies.push(state.presence.local_message());
            }
            // Incoming messages are a clock too: renewals keep going while frames do not (a
            // hidden tab), since peers renew every 15 s.
            state.tick_presence();
            Ok(replies)
        })?;
        Ok(messages(replies))
    }

    /// The connection closed (or dropped): forgets every other user's presence, as y-websocket does;
    /// the next connection brings the room's states again. The document is untouched.
    pub fn sync_closed(&self) -> Result<(), JsError> {
        self.with(|state| {
            state.presence.closed();
            Ok(())
        })
    }

    /// Messages to send before closing a connection on purpose: our awareness state set to `null`,
    /// so peers drop us at once instead of after their 30 s timeout. The next `sync_open`
    /// announces us again.
    pub fn sync_leave(&self) -> Result<js_sys::Array, JsError> {
        self.with(|state| Ok(messages(vec![state.presence.leave()])))
    }

    /// `callback(message: Uint8Array)` with a sync `update` message after each local edit (and undo or
    /// redo), and an awareness message after each presence change (`set_presence`, `select`, the
    /// 15 s renewal), delivered from a microtask after the engine call returned (never
    /// re-entrantly). Pass `null` to stop. The engine holds the callback and releases it on `free()`.
    pub fn on_sync_message(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Function | null | undefined")] callback: JsValue,
    ) -> Result<(), JsError> {
        let callback = crate::js::callback("on_sync_message", callback)?;
        let (_running, mut parts) = self.parts()?;
        parts.sync_messages.set_callback(callback);
        parts.want_local_updates();
        Ok(())
    }
}
