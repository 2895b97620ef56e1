//! The `Engine` and what one call works on. Every JS call (in `api/`) goes through [`Engine::with`]
//! or [`Engine::edit`]: they refuse a poisoned or busy engine, run the call on the [`State`], and
//! then queue everything the call produced for JavaScript (local updates, sync messages, presence)
//! in the engine's mailboxes, so no call site can forget to. Delivery happens from microtasks after
//! the call returned (`mailbox.rs`), never re-entrantly.
//!
//! Floor: below `api/`, above `state.rs` and the leaves. Holds no `#[wasm_bindgen]` methods.

use std::cell::{RefCell, RefMut};
use std::rc::Rc;

use app_scene::{SceneDoc, protocol};
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::device_watch::LiveEngine;
use crate::mailbox::{Keep, Mailbox};
use crate::options::CreateOptions;
use crate::state::State;
use crate::{EngineError, js, poison};

/// A 3D view on a canvas, drawing a collaborative scene document.
///
/// Every method takes `&self` and borrows the parts inside for the length of the call. wasm-bindgen
/// keeps its own borrow flag per object, and a trap (a panic on wasm) never releases it: with
/// `&mut self` methods every later call would throw wasm-bindgen's "recursive use of an object"
/// before reaching Rust. With shared borrows later calls do reach [`Engine::with`], which refuses
/// them with [`EngineError::Poisoned`], a message that says what happened.
#[wasm_bindgen]
pub struct Engine {
    /// Identifies this engine to the panic hook.
    id: u32,
    /// `None` once `free()` released everything. Shared with [`EngineHandle`]s held by async calls
    /// (`import_gltf`), which come back to the engine after awaiting.
    parts: Rc<RefCell<Option<Parts>>>,
}

/// What an async call keeps of its engine to finish its work after an await: the same checks and
/// delivery as [`Engine::with`] (a freed or poisoned engine refuses).
pub struct EngineHandle {
    id: u32,
    parts: Rc<RefCell<Option<Parts>>>,
}

impl EngineHandle {
    /// [`Engine::with`], from an async continuation.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, EngineError>,
    ) -> Result<T, JsError> {
        with_parts(self.id, &self.parts, f)
    }
}

/// Borrows `parts` for one call of engine `id` (see [`Engine::parts`]).
fn borrow_parts(
    id: u32,
    parts: &RefCell<Option<Parts>>,
) -> Result<(poison::RunningGuard, RefMut<'_, Parts>), EngineError> {
    let running = poison::enter(id).ok_or(EngineError::Poisoned)?;
    let parts = parts.try_borrow_mut().map_err(|_| EngineError::Busy)?;
    let parts = RefMut::filter_map(parts, Option::as_mut).map_err(|_| EngineError::Freed)?;
    Ok((running, parts))
}

/// Runs `f` on the state of engine `id` and queues what it produced (see [`Engine::with`]).
///
/// Generic over each call's closure, so it is compiled once per `Engine` method: everything that is
/// the same for every call lives in the non-generic, never-inlined helpers below (smaller bundle).
fn with_parts<T>(
    id: u32,
    parts: &RefCell<Option<Parts>>,
    f: impl FnOnce(&mut State) -> Result<T, EngineError>,
) -> Result<T, JsError> {
    let (running, mut parts) = borrow_parts(id, parts).map_err(js_error)?;
    let result = f(&mut parts.state);
    finish(running, parts);
    result.map_err(js_error)
}

/// Queues what the call produced, then releases the engine (the borrow before the running mark).
#[inline(never)]
fn finish(running: poison::RunningGuard, mut parts: RefMut<'_, Parts>) {
    parts.post();
    drop(parts);
    drop(running);
}

/// An engine error as the JS `Error` it throws.
#[inline(never)]
fn js_error(error: EngineError) -> JsError {
    error.into()
}

/// What one engine call works on.
pub struct Parts {
    /// The document, the renderer and everything else a frame needs.
    pub state: State,
    /// Local document updates on their way to `on_local_update`.
    pub local_updates: Mailbox,
    /// Protocol messages (updates for local edits, awareness) on their way to `on_sync_message`.
    pub sync_messages: Mailbox,
    /// Peer lists on their way to `on_presence`.
    pub presence_events: Mailbox,
    /// `{ added, changed, removed }` on their way to `on_change`.
    pub change_events: Mailbox,
    _live: LiveEngine,
}

impl Parts {
    /// Local updates are encoded only while someone takes them: `on_local_update`, `on_sync_message`
    /// or the update guard's mirror. Called after every call and whenever a callback changes, so the
    /// next edit knows.
    pub fn want_local_updates(&mut self) {
        let wanted = self.local_updates.listening()
            || self.sync_messages.listening()
            || self.state.guard.following();
        self.state.scene.set_local_updates_wanted(wanted);
    }

    /// Queues what the last call produced: the document's local updates (for `on_local_update`, and
    /// as sync `update` messages), then our presence message and the `on_presence` notice (after a
    /// frame, see `PresenceState::take_report`), then the
    /// frame's `on_change` report. Inside a batch the document holds its updates back itself.
    fn post(&mut self) {
        let updates = self.state.scene.take_local_updates();
        for update in &updates {
            self.state.guard.follow(update);
        }
        if !updates.is_empty() {
            self.sync_messages.send_bytes(
                updates
                    .iter()
                    .map(|u| protocol::update_message(u))
                    .collect(),
            );
            self.local_updates.send_bytes(updates);
        }
        self.sync_messages
            .send_bytes(self.state.presence.take_outgoing().into_iter().collect());
        self.want_local_updates();
        if self.state.presence.take_report(crate::web::now_ms) {
            let presence = self.state.presence.presence();
            self.presence_events
                .send_value(|| js::peers_array(presence).into());
        }
        if let Some(changes) = self.state.frame_changes.take() {
            self.change_events
                .send_value(|| js::change_object(&changes));
        }
    }
}

impl Engine {
    /// Opens the GPU for `canvas` and returns a ready engine with an empty scene.
    pub async fn open(
        canvas: HtmlCanvasElement,
        options: &CreateOptions,
    ) -> Result<Engine, EngineError> {
        poison::install_panic_hook();
        let state = State::open(canvas, options).await?;
        Ok(Engine {
            id: poison::new_engine_id(),
            parts: Rc::new(RefCell::new(Some(Parts {
                state,
                local_updates: Mailbox::new("on_local_update", Keep::Every),
                sync_messages: Mailbox::new("on_sync_message", Keep::Every),
                presence_events: Mailbox::new("on_presence", Keep::Latest),
                change_events: Mailbox::new("on_change", Keep::Every),
                _live: LiveEngine::new(),
            }))),
        })
    }

    /// Borrows this engine's parts for one call, unless it is poisoned (an earlier call panicked)
    /// or a call is already running on it (only possible from a callback that calls back in; the
    /// engine's callbacks are delivered from microtasks, so none of its own do). A panic while
    /// the returned guard lives poisons the engine. Only for calls that produce nothing to deliver
    /// (setting a callback); everything else uses [`Engine::with`].
    pub fn parts(&self) -> Result<(poison::RunningGuard, RefMut<'_, Parts>), EngineError> {
        borrow_parts(self.id, &self.parts)
    }

    /// A handle for an async call to come back to this engine after an await.
    pub fn handle(&self) -> EngineHandle {
        EngineHandle {
            id: self.id,
            parts: self.parts.clone(),
        }
    }

    /// `free()`: releases the GPU device, the JS callbacks and the document now; every later call
    /// throws [`EngineError::Freed`]. (The small `Engine` shell itself goes when JS drops it.)
    pub fn release(&self) -> Result<(), EngineError> {
        let running = poison::enter(self.id);
        let Ok(mut parts) = self.parts.try_borrow_mut() else {
            // A poisoned engine may have trapped mid-call, leaving the cell borrowed: nothing can be
            // released safely now; dropping the object (GC) releases it. Otherwise it is a re-entry.
            return if running.is_none() {
                Ok(())
            } else {
                Err(EngineError::Busy)
            };
        };
        if let Some(mut parts) = parts.take() {
            parts.release();
        }
        Ok(())
    }

    /// Runs `f` on the state unless this engine is poisoned (a panic inside poisons it), then queues
    /// what it produced for JavaScript, whether it succeeded or not (a failed call may have done
    /// part of its work, such as answering presence).
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, EngineError>,
    ) -> Result<T, JsError> {
        with_parts(self.id, &self.parts, f)
    }

    /// [`Engine::with`] for calls that only edit the document. Refused, changing nothing, while the
    /// engine is read-only (`set_read_only`).
    pub fn edit<T>(
        &self,
        f: impl FnOnce(&mut SceneDoc) -> Result<T, app_scene::SceneError>,
    ) -> Result<T, JsError> {
        self.with(|state| {
            state.check_writable()?;
            Ok(f(&mut state.scene)?)
        })
    }
}

impl Parts {
    /// Releases the JS callbacks now, even if a delivery microtask still holds a mailbox, and the GPU.
    fn release(&mut self) {
        self.local_updates.set_callback(None);
        self.sync_messages.set_callback(None);
        self.presence_events.set_callback(None);
        self.change_events.set_callback(None);
        self.state.release_gpu();
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        poison::forget(self.id);
        match Rc::get_mut(&mut self.parts) {
            // `get_mut` needs no borrow flag: a trap may have left the cell marked as borrowed.
            Some(cell) => {
                if let Some(parts) = cell.get_mut() {
                    parts.release();
                }
            }
            // An async call still holds a handle: release now, and it finds the engine freed.
            None => {
                if let Ok(mut parts) = self.parts.try_borrow_mut()
                    && let Some(mut parts) = parts.take()
                {
                    parts.release();
                }
            }
        }
    }
}
