//! The update guard (issue 8): vets untrusted updates in a *second* WebAssembly instance before the
//! live engine sees them.
//!
//! yrs 0.28.1 can panic on malformed updates. Natively `SceneDoc` rehearses every remote update on
//! a scratch copy under `catch_unwind`; on wasm a panic is a trap that cannot be caught, so the
//! rehearsal has to happen where a trap costs nothing we keep. `UpdateGuard` holds a mirror
//! `SceneDoc` of the live document; JavaScript (`web/collab/guard.js`) instantiates this same module
//! a second time (its own memory), keeps the mirror in step with the live engine and hands every
//! incoming message to the guard first. If the guard's instance traps, the message is refused, that
//! instance is dropped and a fresh one takes over; the live engine never saw the bytes.
//!
//! ```js
//! const guard = new guardModule.UpdateGuard(engine.encode_state(), (message) => console.warn(message));
//! guard.follow(engine.encode_diff(guard.state_vector()));  // catch up with the live document
//! guard.check_sync_message(message);                         // throws, or traps its own instance
//! engine.sync_receive(message);                              // now safe for the live engine
//! ```
//!
//! The engine side of that exchange, `Engine::encode_diff`, is in `api/sync.rs`. This file is its own
//! JS class, not part of `Engine`: it imports only leaves (`poison.rs`).

use std::cell::{Cell, RefCell};

use app_scene::SceneDoc;
use app_scene::protocol::ProtocolError;
use wasm_bindgen::prelude::*;

use crate::poison;

thread_local! {
    /// Receives the panic message of a guard call (this instance is about to trap).
    static PANIC_SINK: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    /// True while a guard call runs, so the hook knows whose panic it is (an engine may share the
    /// instance in tests; its panics still go to the engine's poison hook).
    static IN_GUARD: Cell<bool> = const { Cell::new(false) };
}

/// Why the guard refused a message. The mirror is unchanged in every case.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// The protocol message was malformed, oversized or carried an update the document refuses.
    #[error("update guard rejected the message: {0}")]
    Message(#[from] ProtocolError),
    /// The update was malformed or refused by the document.
    #[error("update guard rejected the update: {0}")]
    Update(#[from] app_scene::SceneError),
    /// The live document's own state could not be read into the mirror.
    #[error("update guard could not follow the live document: {0}")]
    Follow(app_scene::SceneError),
}

/// Installs the panic hook of a guard instance: during a guard call the message goes to the
/// `on_panic` callback (so JavaScript can say *why* a message was refused); otherwise the engine's
/// hook (poisoning, console) runs as before.
fn install_guard_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        // The engine's hook first, so that a later `Engine.create` in this instance (whose install
        // is a no-op once done) cannot replace this one.
        poison::install_panic_hook();
        let engine_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_GUARD.with(Cell::get) {
                return engine_hook(info);
            }
            // One line: the location and the payload (std puts a newline between them).
            let message = format!(
                "yrs panicked on it: {}",
                info.to_string().replace('\n', " ")
            );
            // try_borrow: the panic may have happened while the sink was borrowed.
            let sink = PANIC_SINK.with(|s| s.try_borrow().ok().and_then(|s| s.clone()));
            match sink {
                Some(sink) => {
                    let _ = sink.call1(&JsValue::NULL, &JsValue::from_str(&message));
                }
                None => web_sys::console::warn_1(&message.into()),
            }
        }));
    });
}

/// Marks a guard call as running until dropped (a trap skips the drop; the instance is discarded).
struct Running;

impl Running {
    fn enter() -> Self {
        IN_GUARD.with(|g| g.set(true));
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        IN_GUARD.with(|g| g.set(false));
    }
}

/// A mirror of the live engine's document that rehearses untrusted updates. Meant to live in its own
/// WebAssembly instance (see the module docs and `web/collab/guard.js`): a panic inside yrs traps
/// that instance, never the engine's.
#[wasm_bindgen]
pub struct UpdateGuard {
    mirror: SceneDoc,
    /// Rehearse only what an update added (see [`UpdateGuard::set_full_rehearsal`]).
    diff_only: bool,
}

#[wasm_bindgen]
impl UpdateGuard {
    /// A guard whose mirror holds `state_v1` (the live engine's `encode_state()`). `on_panic(message)`
    /// is called with yrs's panic message just before this instance traps on a hostile update.
    #[wasm_bindgen(constructor)]
    pub fn new(
        state_v1: &[u8],
        on_panic: Option<js_sys::Function>,
    ) -> Result<UpdateGuard, JsError> {
        install_guard_hook();
        PANIC_SINK.with(|s| *s.borrow_mut() = on_panic);
        let _running = Running::enter();
        let mut mirror = SceneDoc::new();
        mirror
            .apply_update_v1(state_v1)
            .map_err(GuardError::Follow)?;
        // The change stream is for a renderer; the mirror has none.
        mirror.drain_changes();
        mirror.drain_problems();
        Ok(UpdateGuard {
            mirror,
            diff_only: false,
        })
    }

    /// The mirror's state vector (v1), for `engine.encode_diff(...)`.
    pub fn state_vector(&self) -> Vec<u8> {
        self.mirror.state_vector_v1()
    }

    /// Applies an update produced by the live document itself (its `encode_diff` against
    /// [`UpdateGuard::state_vector`], or an `on_local_update` update), so the mirror stays a faithful
    /// copy: local edits, and updates that reached the engine some other way.
    pub fn follow(&mut self, update_v1: &[u8]) -> Result<(), JsError> {
        let _running = Running::enter();
        self.mirror
            .apply_update_v1(update_v1)
            .map_err(GuardError::Follow)?;
        self.settle();
        Ok(())
    }

    /// Rehearses one incoming y-protocols message (one WebSocket frame) exactly as
    /// `engine.sync_receive` would handle it, then encodes the mirror whole (v1, v2, state vector),
    /// as the live engine may later. Throws if the message is refused; traps this instance if yrs
    /// panics. Returns true if the message carried a document update.
    pub fn check_sync_message(&mut self, message: &[u8]) -> Result<bool, JsError> {
        let _running = Running::enter();
        let before = self.state_before();
        let outcome = self
            .mirror
            .handle_sync_message(message)
            .map_err(GuardError::from)?;
        if outcome.applied_update {
            self.rehearse_encodes(before.as_deref());
        }
        self.settle();
        Ok(outcome.applied_update)
    }

    /// Rehearses a v1 update (for `engine.apply_update`), as [`UpdateGuard::check_sync_message`].
    pub fn check_update_v1(&mut self, update: &[u8]) -> Result<(), JsError> {
        let _running = Running::enter();
        let before = self.state_before();
        self.mirror
            .apply_update_v1(update)
            .map_err(GuardError::from)?;
        self.rehearse_encodes(before.as_deref());
        self.settle();
        Ok(())
    }

    /// Rehearses a v2 update (for `engine.apply_update_v2`, e.g. an imported scene file).
    pub fn check_update_v2(&mut self, update: &[u8]) -> Result<(), JsError> {
        let _running = Running::enter();
        let before = self.state_before();
        self.mirror
            .apply_update_v2(update)
            .map_err(GuardError::from)?;
        self.rehearse_encodes(before.as_deref());
        self.settle();
        Ok(())
    }

    /// `true` (the default): after each update the whole mirror is encoded (v1 and v2), as native
    /// `SceneDoc` rehearses; the cost grows with the document (tens of ms per message at 5,000
    /// nodes). `false`: only what the update added is encoded (a diff from the state vector before
    /// it, with the whole delete set) — about the cost of one live `encode_diff`, but an update
    /// that leaves *older* blocks unencodable would get through.
    pub fn set_full_rehearsal(&mut self, full: bool) {
        self.diff_only = !full;
    }

    /// The mirror as a v1 update (tests compare it with the live document).
    pub fn encode_state(&self) -> Vec<u8> {
        self.mirror.encode_state_v1()
    }
}

impl UpdateGuard {
    /// Every encode the engine offers (or, in diff-only mode, the encode of what the update added), so
    /// an update that yrs accepts but cannot encode afterwards traps here rather than in a later
    /// `encode_state`.
    fn rehearse_encodes(&self, state_before: Option<&[u8]>) {
        match state_before {
            Some(sv) => {
                // A state vector this mirror wrote itself always decodes.
                let _ = self.mirror.encode_diff_v1(sv);
            }
            None => {
                self.mirror.encode_state_v1();
                self.mirror.encode_state_v2();
            }
        }
        self.mirror.state_vector_v1();
    }

    /// The state vector before an update, in diff-only mode (`None`: rehearse everything).
    fn state_before(&self) -> Option<Vec<u8>> {
        self.diff_only.then(|| self.mirror.state_vector_v1())
    }

    /// Reads what changed, as the engine's next frame will (the readers must not panic either), and
    /// keeps the mirror's change queue from growing.
    fn settle(&mut self) {
        self.mirror.drain_changes();
        self.mirror.drain_problems();
    }
}
