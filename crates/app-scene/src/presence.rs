//! Presence: who is in the room, in which color, and which node each user has selected, as
//! y-protocols awareness (`y-protocols/awareness.js`) speaks it. Presence never enters the document:
//! it lives here, beside [`crate::SceneDoc`], and travels in awareness messages only.
//!
//! # The state shape (what a JS Yjs app sees)
//! Each client's awareness state is a JSON object; ours is
//! `{ "user": { "name": "Ada", "color": "#e91e63" }, "selected": "node-id" | null,
//! "camera": { "position": [x, y, z], "target": [x, y, z], "fov_y_deg": 45 }, "pointer": [x, y, z] }`
//! (camera once set; pointer, the world point under the user's mouse, while it is over the scene) — the
//! `user: { name, color }` field that y-websocket editor bindings (y-codemirror, y-quill, y-prosemirror)
//! use for carets, plus the id of the selected scene node, and `"dragging": "node-id"` while the user
//! moves a node by hand (drawn in their color for everyone else). A JS client joins with
//! `provider.awareness.setLocalStateField('user', { name, color })` and
//! `setLocalStateField('selected', id)`. Fields we do not know are ignored; a malformed field
//! (a non-string name, a color that is not `#rgb`/`#rrggbb`, an invalid node id) reads as absent.
//!
//! # The protocol (same rules as y-protocols)
//! An awareness update is `varuint count, count × (varuint clientID, varuint clock, varstring JSON)`.
//! A client's entry wins when its clock is higher than the one we know, or equal with a `null`
//! state (a removal). We renew our own state every [`RENEW_INTERVAL_MS`] (a higher clock, same
//! state) and drop a remote state that was not renewed for [`OUTDATED_TIMEOUT_MS`]. A peer that
//! marks *us* as gone is answered with our state at a higher clock.
//!
//! Time is passed in (`now_ms`, any monotonic millisecond clock), so this is plain Rust tested with
//! `cargo test`; the wasm engine feeds it from its frame clock.
//!
//! This file is the protocol and the table of peers; the state's types, their validation and their
//! JSON are in `presence/state.rs`.

use litemap::LiteMap;

use app_core::NodeId;
use yrs::Any;
use yrs::encoding::read::{Cursor, Read};
use yrs::encoding::write::Write;

use crate::protocol::{ProtocolError, awareness_message};

mod state;

pub use state::{
    MAX_NAME_CHARS, Peer, PresenceError, SharedCamera, User, parse_color, valid_pointer,
};
use state::{push_json_string, read_peer};

/// A remote state that was not renewed for this long is dropped (y-protocols' `outdatedTimeout`).
pub const OUTDATED_TIMEOUT_MS: f64 = 30_000.0;
/// Our own state is renewed (sent again with a higher clock) this often, half the timeout, as
/// y-protocols does.
pub const RENEW_INTERVAL_MS: f64 = 15_000.0;
/// Most clients we keep track of; a flood of made-up client ids beyond it is ignored.
pub const MAX_CLIENTS: usize = 1024;

/// What we know of one remote client: the last clock seen, when, and its state (`None` once
/// removed, timed out or set to `null`; the clock is kept so a stale message cannot revive it).
#[derive(Debug, Clone)]
struct Meta {
    clock: u32,
    updated_ms: f64,
    state: Option<Peer>,
}

/// What applying an awareness update or a tick produced.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PresenceOutcome {
    /// Awareness messages to broadcast (our renewed state, or our answer to a peer removing us).
    pub messages: Vec<Vec<u8>>,
    /// True when the set of peers or any peer's name, color or selection changed.
    pub peers_changed: bool,
}

/// Local presence plus every remote peer's, with y-protocols awareness clocks.
#[derive(Debug, Clone)]
pub struct Presence {
    client: u64,
    user: Option<User>,
    selected: Option<NodeId>,
    camera: Option<SharedCamera>,
    pointer: Option<[f32; 3]>,
    dragging: Option<NodeId>,
    clock: u32,
    renewed_ms: f64,
    peers: LiteMap<u64, Meta>,
}

impl Presence {
    /// Presence for awareness client id `client` (use the document's client id, as Yjs does) with
    /// no user yet and nothing selected; `now_ms` starts the renewal clock.
    pub fn new(client: u64, now_ms: f64) -> Self {
        Self {
            client,
            user: None,
            selected: None,
            camera: None,
            pointer: None,
            dragging: None,
            clock: 0,
            renewed_ms: now_ms,
            peers: LiteMap::new_vec(),
        }
    }

    /// Our awareness client id.
    pub fn client(&self) -> u64 {
        self.client
    }

    /// Our user, once set.
    pub fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    /// Our selected node as announced to peers.
    pub fn selected(&self) -> Option<&NodeId> {
        self.selected.as_ref()
    }

    /// Our awareness clock (raised on every change and renewal).
    pub fn clock(&self) -> u32 {
        self.clock
    }

    /// Sets our user; returns the awareness message to broadcast if anything changed.
    pub fn set_user(&mut self, user: User, now_ms: f64) -> Option<Vec<u8>> {
        if self.user.as_ref() == Some(&user) {
            return None;
        }
        self.user = Some(user);
        Some(self.bump(now_ms))
    }

    /// Sets our selected node; returns the awareness message to broadcast if it changed.
    pub fn set_selected(&mut self, selected: Option<NodeId>, now_ms: f64) -> Option<Vec<u8>> {
        if self.selected == selected {
            return None;
        }
        self.selected = selected;
        Some(self.bump(now_ms))
    }

    /// Our shared camera, once set.
    pub fn camera(&self) -> Option<&SharedCamera> {
        self.camera.as_ref()
    }

    /// Shares our camera; returns the awareness message to broadcast if it changed. (The engine
    /// calls this at most 30 times a second.)
    pub fn set_camera(&mut self, camera: SharedCamera, now_ms: f64) -> Option<Vec<u8>> {
        if self.camera == Some(camera) {
            return None;
        }
        self.camera = Some(camera);
        Some(self.bump(now_ms))
    }

    /// Our shared pointer (the world point under our mouse), if any.
    pub fn pointer(&self) -> Option<[f32; 3]> {
        self.pointer
    }

    /// Shares the world point under our mouse, or that it left the scene (`None`; a point that is not
    /// finite counts as `None`); returns the awareness message to broadcast if it changed. (The engine
    /// calls this at most 30 times a second.)
    pub fn set_pointer(&mut self, pointer: Option<[f32; 3]>, now_ms: f64) -> Option<Vec<u8>> {
        let pointer = pointer.and_then(valid_pointer);
        if self.pointer == pointer {
            return None;
        }
        self.pointer = pointer;
        Some(self.bump(now_ms))
    }

    /// The node we are dragging (moving by hand), if any.
    pub fn dragging(&self) -> Option<&NodeId> {
        self.dragging.as_ref()
    }

    /// Says which node we are dragging (`None`: none); returns the awareness message to broadcast
    /// if it changed. Peers draw that node in our color while it lasts.
    pub fn set_dragging(&mut self, dragging: Option<NodeId>, now_ms: f64) -> Option<Vec<u8>> {
        if self.dragging == dragging {
            return None;
        }
        self.dragging = dragging;
        Some(self.bump(now_ms))
    }

    /// The message to send when a connection opens: our state at a new clock (higher than any
    /// removal we sent when the last connection ended).
    pub fn open(&mut self, now_ms: f64) -> Vec<u8> {
        self.bump(now_ms)
    }

    /// The message to send before closing a connection on purpose: our state set to `null`, so
    /// peers drop us now rather than after the timeout. Our state is kept for the next `open`.
    pub fn leave(&mut self) -> Vec<u8> {
        // Saturating: 2^32 changes would take 2,000 years of renewals; a hostile peer pushing our
        // clock to the top only makes later changes lose to nothing.
        self.clock = self.clock.saturating_add(1);
        self.message_with(Some("null"))
    }

    /// Our state at the current clock (the answer to `queryAwareness`).
    pub fn local_message(&self) -> Vec<u8> {
        self.message_with(None)
    }

    /// Our state as y-protocols encodes it: `JSON.stringify({ user: { name, color }, selected })`
    /// (`user` left out until set), byte for byte.
    pub fn local_state_json(&self) -> String {
        let mut json = String::from("{");
        if let Some(user) = &self.user {
            json.push_str("\"user\":{\"name\":");
            push_json_string(&mut json, &user.name);
            json.push_str(",\"color\":");
            push_json_string(&mut json, &user.color);
            json.push_str("},");
        }
        json.push_str("\"selected\":");
        match &self.selected {
            Some(id) => push_json_string(&mut json, id.as_str()),
            None => json.push_str("null"),
        }
        if let Some(camera) = &self.camera {
            // Finite by construction (`SharedCamera::new`), so each number is valid JSON.
            let [px, py, pz] = camera.position;
            let [tx, ty, tz] = camera.target;
            json.push_str(&format!(
                ",\"camera\":{{\"position\":[{px},{py},{pz}],\"target\":[{tx},{ty},{tz}],\"fov_y_deg\":{}}}",
                camera.fov_y_deg
            ));
        }
        if let Some([x, y, z]) = self.pointer {
            // Finite by construction (`valid_pointer`).
            json.push_str(&format!(",\"pointer\":[{x},{y},{z}]"));
        }
        if let Some(id) = &self.dragging {
            json.push_str(",\"dragging\":");
            push_json_string(&mut json, id.as_str());
        }
        json.push('}');
        json
    }

    /// Us, as a [`Peer`] (what `presence()` reports): `name`/`color` absent until set.
    pub fn local_peer(&self) -> Peer {
        let user = self.user.as_ref();
        Peer {
            client: self.client,
            name: user.map(|u| u.name.clone()),
            color: user.map(|u| u.color.clone()),
            color_linear: None,
            selected: self.selected.clone(),
            camera: self.camera,
            pointer: self.pointer,
            dragging: self.dragging.clone(),
            json: String::new(),
        }
        .with_json()
    }

    /// Every remote peer as one JSON array of [`Peer::push_json`] objects, ordered by client id.
    pub fn peers_json(&self) -> String {
        let mut out = String::with_capacity(2 + self.peers.len() * 192);
        out.push('[');
        for (i, peer) in self.peers().enumerate() {
            if i > 0 {
                out.push(',');
            }
            peer.push_json(&mut out);
        }
        out.push(']');
        out
    }

    /// Remote peers with a state, ordered by client id. Never includes us.
    pub fn peers(&self) -> impl Iterator<Item = &Peer> {
        self.peers.values().filter_map(|meta| meta.state.as_ref())
    }

    /// The nodes peers are dragging or have selected, each in its peer's color (linear RGB), for
    /// the renderer. Peers without a valid color are not drawn; a node being dragged shows its
    /// dragger's color; otherwise, when two peers select one node, the lower client id wins (the
    /// same choice on every machine).
    pub fn highlights(&self) -> Vec<(NodeId, [f32; 3])> {
        let mut out: Vec<(NodeId, [f32; 3])> = Vec::new();
        // Dragged nodes first: whoever moves a node owns its color, whoever merely selected it.
        let dragged = self.peers().map(|peer| (&peer.dragging, peer.color_linear));
        let selected = self.peers().map(|peer| (&peer.selected, peer.color_linear));
        for (id, color) in dragged.chain(selected) {
            if let (Some(id), Some(color)) = (id, color)
                && !out.iter().any(|(seen, _)| seen == id)
            {
                out.push((id.clone(), color));
            }
        }
        out
    }

    /// Applies an awareness update payload (the bytes after the message type) received at
    /// `now_ms`, with y-protocols' rules. Entries whose JSON does not parse are skipped; a peer's
    /// odd data never fails the call. Errors only for bytes that are not an awareness update.
    pub fn apply_update(
        &mut self,
        payload: &[u8],
        now_ms: f64,
    ) -> Result<PresenceOutcome, ProtocolError> {
        let malformed = |e: yrs::encoding::read::Error| ProtocolError::Malformed(e.to_string());
        let mut cursor = Cursor::new(payload);
        let count: u64 = cursor.read_var().map_err(malformed)?;
        let mut outcome = PresenceOutcome::default();
        for _ in 0..count {
            let client: u64 = cursor.read_var().map_err(malformed)?;
            let clock: u32 = cursor.read_var().map_err(malformed)?;
            let json = cursor.read_string().map_err(malformed)?;
            let Ok(state) = Any::from_json(json) else {
                continue;
            };
            let removal = matches!(state, Any::Null);
            if client == self.client {
                // Someone says we left (a relay's timeout, or a stale echo of our own leave) or
                // claims our id at a higher clock: we are here, say so at a clock above theirs.
                if clock > self.clock || (clock == self.clock && removal) {
                    self.clock = clock.saturating_add(1);
                    self.renewed_ms = now_ms;
                    outcome.messages.push(self.local_message());
                }
                continue;
            }
            let peer = (!removal).then(|| read_peer(client, &state));
            match self.peers.get_mut(&client) {
                Some(meta) => {
                    let removes_live = clock == meta.clock && removal && meta.state.is_some();
                    if clock > meta.clock || removes_live {
                        if meta.state != peer {
                            outcome.peers_changed = true;
                        }
                        *meta = Meta {
                            clock,
                            updated_ms: now_ms,
                            state: peer,
                        };
                    }
                }
                None => {
                    if !self.make_room() {
                        continue;
                    }
                    outcome.peers_changed |= peer.is_some();
                    self.peers.insert(
                        client,
                        Meta {
                            clock,
                            updated_ms: now_ms,
                            state: peer,
                        },
                    );
                }
            }
        }
        if cursor.next != payload.len() {
            return Err(ProtocolError::Malformed(format!(
                "{} bytes after the awareness entries",
                payload.len() - cursor.next
            )));
        }
        Ok(outcome)
    }

    /// The passage of time: renews our state every [`RENEW_INTERVAL_MS`] and drops remote states
    /// not renewed for [`OUTDATED_TIMEOUT_MS`]. Cheap enough to call every frame.
    pub fn tick(&mut self, now_ms: f64) -> PresenceOutcome {
        let mut outcome = PresenceOutcome::default();
        if now_ms - self.renewed_ms >= RENEW_INTERVAL_MS {
            outcome.messages.push(self.bump(now_ms));
        }
        for (_, meta) in self.peers.iter_mut() {
            if meta.state.is_some() && now_ms - meta.updated_ms >= OUTDATED_TIMEOUT_MS {
                meta.state = None;
                outcome.peers_changed = true;
            }
        }
        outcome
    }

    /// The connection went away: forgets every remote client (as y-websocket does on close), so
    /// the next connection's states are taken as they come. Returns true if a peer was dropped.
    pub fn drop_remote(&mut self) -> bool {
        let had_peers = self.peers().next().is_some();
        self.peers.clear();
        had_peers
    }

    /// Frees a slot for a new client: false when [`MAX_CLIENTS`] live peers leave no room.
    fn make_room(&mut self) -> bool {
        if self.peers.len() < MAX_CLIENTS {
            return true;
        }
        // Removed clients only remember a clock; forgetting the oldest costs nothing but a stale
        // message being able to revive it.
        let oldest = self
            .peers
            .iter()
            .filter(|(_, meta)| meta.state.is_none())
            .min_by(|a, b| a.1.updated_ms.total_cmp(&b.1.updated_ms))
            .map(|(client, _)| *client);
        match oldest {
            Some(client) => {
                self.peers.remove(&client);
                true
            }
            None => false,
        }
    }

    /// Raises our clock and returns our state to broadcast.
    fn bump(&mut self, now_ms: f64) -> Vec<u8> {
        // Saturating: see `leave`.
        self.clock = self.clock.saturating_add(1);
        self.renewed_ms = now_ms;
        self.local_message()
    }

    /// An awareness message with our one entry: our state, or `json` instead.
    fn message_with(&self, json: Option<&str>) -> Vec<u8> {
        let state;
        let json = match json {
            Some(json) => json,
            None => {
                state = self.local_state_json();
                &state
            }
        };
        let mut update = Vec::with_capacity(json.len() + 16);
        update.write_var(1u32);
        update.write_var(self.client);
        update.write_var(self.clock);
        update.write_string(json);
        awareness_message(&update)
    }
}
