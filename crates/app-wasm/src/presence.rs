//! Presence (y-protocols awareness) in the JavaScript `Engine`: our name, color and selected node,
//! and every other user's, drawn in their colors. Presence never enters the document; the protocol
//! logic is plain Rust in `app_scene::presence`, this file only wires it to JS, the renderer and the
//! sync transport (`sync.rs`).
//!
//! ```js
//! engine.set_presence({ name: 'Ada', color: '#e91e63' });   // our selection follows select()
//! engine.on_presence((peers) => render(peers));              // after any change, from a microtask
//! engine.peers();    // [{ client, name, color, selected }], other users only
//! engine.presence(); // { client, name, color, selected }, us
//! ```
//!
//! Time: our state is renewed every 15 s and silent peers are dropped after 30 s, checked on
//! `render_frame` and on every incoming protocol message (no timer of our own).

use std::cell::RefCell;
use std::rc::Rc;

use app_core::NodeId;
use app_scene::presence::{Presence, PresenceOutcome, User};
use glam::Vec3;
use wasm_bindgen::prelude::*;

use crate::engine::Engine;
use crate::state::State;
use crate::web;

/// The engine's presence: the protocol state, the awareness messages waiting to go out through
/// `on_sync_message`, and the `on_presence` callback.
pub struct PresenceState {
    /// Local and remote presence with awareness clocks.
    pub presence: Presence,
    /// Awareness messages made inside an engine call, sent after it returns.
    outgoing: Vec<Vec<u8>>,
    /// Whether `on_presence` should hear about a change after the current call.
    changed: bool,
    /// Delivers `on_presence` callbacks.
    pub events: Notifier,
}

impl PresenceState {
    /// Presence under awareness client id `client` (the document's, as Yjs does).
    pub fn new(client: u64) -> Self {
        Self {
            presence: Presence::new(client, web::now_ms()),
            outgoing: Vec::new(),
            changed: false,
            events: Notifier::default(),
        }
    }

    /// Peers' selections in their colors, for `Renderer::set_peer_highlights`.
    pub fn highlights(&self) -> Vec<(NodeId, Vec3)> {
        self.presence
            .highlights()
            .into_iter()
            .map(|(id, rgb)| (id, Vec3::from_array(rgb)))
            .collect()
    }

    /// Queues what an outcome asks for.
    fn absorb(&mut self, outcome: PresenceOutcome) -> bool {
        self.outgoing.extend(outcome.messages);
        self.changed |= outcome.peers_changed;
        outcome.peers_changed
    }

    /// Queues a local change's message, if any, and marks it for `on_presence`.
    fn local_change(&mut self, message: Option<Vec<u8>>) {
        if let Some(message) = message {
            self.outgoing.push(message);
            self.changed = true;
        }
    }
}

/// Renews our state, drops timed-out peers and follows the renderer's selection (which changes when
/// the selected node is removed, here or by a peer). Called on every frame and incoming message.
pub(crate) fn tick(state: &mut State) {
    let now_ms = web::now_ms();
    let outcome = state.presence.presence.tick(now_ms);
    if state.presence.absorb(outcome) {
        refresh_highlights(state);
    }
    follow_selection(state, now_ms);
}

/// Announces the renderer's selection if it differs from the one peers know.
fn follow_selection(state: &mut State, now_ms: f64) {
    let selected = state.renderer.selected();
    if selected != state.presence.presence.selected() {
        let selected = selected.cloned();
        let message = state.presence.presence.set_selected(selected, now_ms);
        state.presence.local_change(message);
    }
}

/// Hands the peers' selections to the renderer (it rewrites only instances whose highlight changed).
fn refresh_highlights(state: &mut State) {
    let highlights = state.presence.highlights();
    state.renderer.set_peer_highlights(&highlights);
}

/// Applies an awareness update payload from the connection; returns the messages to answer with
/// (our state, when the peer had marked us gone).
pub(crate) fn receive(
    state: &mut State,
    payload: &[u8],
) -> Result<Vec<Vec<u8>>, app_scene::ProtocolError> {
    let mut outcome = state
        .presence
        .presence
        .apply_update(payload, web::now_ms())?;
    let replies = std::mem::take(&mut outcome.messages);
    if state.presence.absorb(outcome) {
        refresh_highlights(state);
    }
    Ok(replies)
}

/// The connection is gone: drops every remote peer (their highlights too).
pub(crate) fn closed(state: &mut State) {
    if state.presence.presence.drop_remote() {
        state.presence.changed = true;
        refresh_highlights(state);
    }
}

/// `{ client, name, color, selected }` with `null` for what is unknown.
fn peer_object(
    client: u64,
    name: Option<&str>,
    color: Option<&str>,
    selected: Option<&NodeId>,
) -> JsValue {
    let object = js_sys::Object::new();
    let text = |value: Option<&str>| value.map_or(JsValue::NULL, JsValue::from_str);
    // `Reflect.set` on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(&object, &"client".into(), &JsValue::from(client as f64));
    let _ = js_sys::Reflect::set(&object, &"name".into(), &text(name));
    let _ = js_sys::Reflect::set(&object, &"color".into(), &text(color));
    let _ = js_sys::Reflect::set(
        &object,
        &"selected".into(),
        &text(selected.map(NodeId::as_str)),
    );
    object.into()
}

/// Every remote peer as a JS array of `peer_object`s, ordered by client id.
fn peers_array(presence: &Presence) -> js_sys::Array {
    presence
        .peers()
        .map(|peer| {
            peer_object(
                peer.client,
                peer.name.as_deref(),
                peer.color.as_deref(),
                peer.selected.as_ref(),
            )
        })
        .collect()
}

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
        let name = string_field(&presence, "name")?;
        let color = string_field(&presence, "color")?;
        let user = User::new(&name, &color).map_err(|e| JsError::new(&e.to_string()))?;
        self.with(|state| {
            let message = state.presence.presence.set_user(user, web::now_ms());
            state.presence.local_change(message);
            Ok(())
        })?;
        self.flush_presence();
        Ok(())
    }

    /// Our presence: `{ client, name, color, selected }` (`name`/`color` are `null` until
    /// `set_presence`). `client` is our awareness client id, the document's client id.
    pub fn presence(&self) -> Result<JsValue, JsError> {
        self.with(|state| {
            let presence = &state.presence.presence;
            let user = presence.user();
            Ok(peer_object(
                presence.client(),
                user.map(|u| u.name.as_str()),
                user.map(|u| u.color.as_str()),
                presence.selected(),
            ))
        })
    }

    /// Other users in the room: `[{ client, name, color, selected }]`, ordered by client id, `null`
    /// for what a peer did not say (or said malformed). Never includes us.
    pub fn peers(&self) -> Result<js_sys::Array, JsError> {
        self.with(|state| Ok(peers_array(&state.presence.presence)))
    }

    /// `callback(peers)` (as `peers()`) whenever a peer joins, changes or leaves, or our own
    /// presence changes; delivered from a microtask after the engine call returned (never
    /// re-entrantly), at most once per turn. Pass `null` to stop. Released on `free()`.
    pub fn on_presence(&self, callback: Option<js_sys::Function>) -> Result<(), JsError> {
        let (_running, parts) = self.parts()?;
        parts.state.presence.events.set_callback(callback);
        Ok(())
    }
}

impl Engine {
    /// Sends the awareness messages queued during the last call through `on_sync_message` and
    /// tells `on_presence`. Runs after the call's borrow of the state ended.
    pub(crate) fn flush_presence(&self) {
        // Poisoned or busy: nothing to send (the call that failed queued nothing it finished).
        let Ok((_running, mut parts)) = self.parts() else {
            return;
        };
        let parts = &mut *parts;
        let outgoing = std::mem::take(&mut parts.state.presence.outgoing);
        parts.sync_outbox.push(outgoing);
        if std::mem::take(&mut parts.state.presence.changed) {
            let presence = &parts.state.presence.presence;
            parts
                .state
                .presence
                .events
                .notify(|| peers_array(presence).into());
        }
    }

    /// After `select()`: announces the new selection to peers now rather than on the next frame.
    pub(crate) fn presence_follow_selection(&self) -> Result<(), JsError> {
        self.with(|state| {
            follow_selection(state, web::now_ms());
            Ok(())
        })?;
        self.flush_presence();
        Ok(())
    }
}

#[derive(Default)]
struct NotifierQueue {
    callback: Option<js_sys::Function>,
    /// The latest value; earlier undelivered ones are superseded.
    pending: Option<JsValue>,
    scheduled: bool,
}

/// Calls a JS callback with the latest of some values, from a microtask, so it never runs inside an
/// engine call (and may call back into the engine). Several notifications in one turn coalesce.
#[derive(Default, Clone)]
pub struct Notifier(Rc<RefCell<NotifierQueue>>);

impl Notifier {
    /// Replaces the callback (`None` stops delivery and drops a pending value).
    pub fn set_callback(&self, callback: Option<js_sys::Function>) {
        let mut queue = self.0.borrow_mut();
        if callback.is_none() {
            queue.pending = None;
        }
        queue.callback = callback;
    }

    /// Queues `value()` (built only when a callback listens) and schedules one delivery.
    pub fn notify(&self, value: impl FnOnce() -> JsValue) {
        let mut queue = self.0.borrow_mut();
        if queue.callback.is_none() {
            return;
        }
        queue.pending = Some(value());
        if !queue.scheduled {
            queue.scheduled = true;
            let notifier = self.clone();
            wasm_bindgen_futures::spawn_local(async move { notifier.deliver() });
        }
    }

    /// Runs in a microtask with no borrow held.
    fn deliver(&self) {
        let (callback, pending) = {
            let mut queue = self.0.borrow_mut();
            queue.scheduled = false;
            (queue.callback.clone(), queue.pending.take())
        };
        let (Some(callback), Some(value)) = (callback, pending) else {
            return;
        };
        if let Err(error) = callback.call1(&JsValue::UNDEFINED, &value) {
            web_sys::console::error_2(&"on_presence callback threw:".into(), &error);
        }
    }
}
