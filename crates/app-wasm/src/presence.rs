//! The engine's presence (y-protocols awareness): our name, color and selected node, and every other
//! user's, handed to the renderer as highlights in their colors. Presence never enters the document;
//! the protocol is plain Rust in `app_scene::presence`. Leaf: each method takes only what it touches
//! (a time, the renderer), and messages for peers wait in [`PresenceState::take_outgoing`] until the
//! engine call ends (`engine.rs` delivers them). The JS calls are in `api/presence.rs`.
//!
//! Time: our state is renewed every 15 s and silent peers are dropped after 30 s, checked on
//! `render_frame` and on every incoming protocol message (no timer of our own).

use app_core::NodeId;
use app_render::Renderer;
use app_scene::presence::{Presence, PresenceOutcome, SharedCamera, User};
use glam::Vec3;

/// Our and the other users' presence, the awareness messages waiting to go out, and whether
/// `on_presence` should hear about a change.
pub struct PresenceState {
    /// Local and remote presence with awareness clocks.
    presence: Presence,
    /// Our awareness message made inside an engine call, sent after it returns. Every message we
    /// make is our whole state at a rising clock, so a later one replaces an unsent earlier one.
    outgoing: Option<Vec<u8>>,
    /// Whether `on_presence` has a change to hear about (see [`PresenceState::take_report`]).
    changed: bool,
    /// When the last frame ended, and whether the current call is that frame.
    last_frame_ms: f64,
    frame_just_ended: bool,
    /// When our camera or pointer was last shared: at most [`SHARE_INTERVAL_MS`] apart, both in one
    /// message when both moved.
    shared_ms: f64,
    /// Where our mouse is over the canvas (viewport fractions, and the viewport's aspect), `None`
    /// once it left; the world point under it is looked up when it is next shared.
    pointer_at: Option<(glam::Vec2, f32)>,
    /// `pointer_at` changed since the pointer was last shared.
    pointer_moved: bool,
    /// The peers changed since the renderer was last handed them ([`PresenceState::show_peers`]
    /// runs once per frame, not once per awareness message: a room of 250 peers sends thousands of
    /// messages a second, each naming one peer, and the renderer's lists cover them all).
    peers_unshown: bool,
}

/// Without frames for this long (a hidden tab, a page with no render loop), `on_presence` hears of
/// a change from the call that made it rather than waiting for a frame.
pub const REPORT_WITHOUT_FRAMES_MS: f64 = 100.0;

/// Our camera and pointer go to peers at most 30 times a second, together.
pub const SHARE_INTERVAL_MS: f64 = 1000.0 / 30.0;

impl PresenceState {
    /// Presence under awareness client id `client` (the document's, as Yjs does), starting at `now_ms`.
    pub fn new(client: u64, now_ms: f64) -> Self {
        Self {
            presence: Presence::new(client, now_ms),
            outgoing: None,
            changed: false,
            last_frame_ms: f64::NEG_INFINITY,
            frame_just_ended: false,
            shared_ms: f64::NEG_INFINITY,
            pointer_at: None,
            pointer_moved: false,
            peers_unshown: false,
        }
    }

    /// The protocol state, to read (ours and the peers').
    pub fn presence(&self) -> &Presence {
        &self.presence
    }

    /// Peers' selections in their colors, for `Renderer::set_peer_highlights`.
    pub fn highlights(&self) -> Vec<(NodeId, Vec3)> {
        self.presence
            .highlights()
            .into_iter()
            .map(|(id, rgb)| (id, Vec3::from_array(rgb)))
            .collect()
    }

    /// Peers' shared cameras in their colors, for `Renderer::set_peer_cameras` (peers without a color
    /// or a camera are left out).
    pub fn cameras(&self) -> Vec<app_render::PeerCamera> {
        self.presence
            .peers()
            .filter_map(|peer| {
                let (camera, color) = (peer.camera?, peer.color_linear?);
                Some(app_render::PeerCamera {
                    eye: Vec3::from_array(camera.position),
                    target: Vec3::from_array(camera.target),
                    fov_y_rad: camera.fov_y_deg.to_radians(),
                    color: Vec3::from_array(color),
                })
            })
            .collect()
    }

    /// Peers' pointers in their colors, for `Renderer::set_peer_pointers` (peers without a color or a
    /// pointer are left out).
    pub fn pointers(&self) -> Vec<app_render::PeerPointer> {
        self.presence
            .peers()
            .filter_map(|peer| {
                Some(app_render::PeerPointer {
                    point: Vec3::from_array(peer.pointer?),
                    color: Vec3::from_array(peer.color_linear?),
                })
            })
            .collect()
    }

    /// Hands the renderer what it shows of the peers (their selections, cameras and pointers) if
    /// they changed since it was last called. The engine calls it once per frame, before drawing.
    pub fn show_peers(&mut self, renderer: &mut Renderer) {
        if !std::mem::take(&mut self.peers_unshown) {
            return;
        }
        renderer.set_peer_highlights(&self.highlights());
        renderer.set_peer_cameras(&self.cameras());
        renderer.set_peer_pointers(&self.pointers());
    }

    /// Our mouse moved to `point_in_viewport` (fractions, 0,0 top-left) of a viewport of aspect
    /// `aspect`, or left the canvas (`None`). Cheap: the point under it is found when it is shared.
    pub fn pointer_moved(&mut self, at: Option<(glam::Vec2, f32)>) {
        if self.pointer_at != at {
            self.pointer_at = at;
            self.pointer_moved = true;
        }
    }

    /// Shares the world point under our mouse if the mouse moved (one pick per share, not per
    /// mouse event). Returns the awareness message when our state changed.
    fn share_pointer(&mut self, renderer: &Renderer, now_ms: f64) -> Option<Vec<u8>> {
        if !std::mem::take(&mut self.pointer_moved) {
            return None;
        }
        let point = self
            .pointer_at
            .and_then(|(at, aspect)| renderer.pick_point(at, aspect))
            .map(|point| point.to_array());
        self.presence.set_pointer(point, now_ms)
    }

    /// Renews our state, drops timed-out peers and follows the renderer's selection (which changes
    /// when the selected node is removed, here or by a peer). Called on every frame and incoming
    /// message.
    pub fn tick(&mut self, now_ms: f64, renderer: &mut Renderer) {
        let outcome = self.presence.tick(now_ms);
        self.absorb(outcome);
        self.follow_selection(renderer.selected(), now_ms);
        self.share_view(renderer, now_ms);
    }

    /// Shares our camera and pointer when they changed, at most 30 times a second and in one
    /// message (3D presence): a user orbiting while moving the mouse sends 30 messages a second,
    /// not 60.
    fn share_view(&mut self, renderer: &Renderer, now_ms: f64) {
        if now_ms - self.shared_ms < SHARE_INTERVAL_MS {
            return;
        }
        let camera = self.share_camera(renderer.camera, now_ms);
        let pointer = self.share_pointer(renderer, now_ms);
        self.changed |= pointer.is_some();
        // When both changed, the pointer's message (the later clock) says all the camera's did.
        if let Some(message) = pointer.or(camera) {
            self.shared_ms = now_ms;
            self.outgoing = Some(message);
        }
    }

    /// Shares the camera on screen if it changed. Returns the awareness message when it did.
    fn share_camera(&mut self, camera: app_render::OrbitCamera, now_ms: f64) -> Option<Vec<u8>> {
        let shared = SharedCamera::new(
            camera.eye_in_world().to_array(),
            camera.target_in_world.to_array(),
            camera.fovy_rad.to_degrees(),
        )?;
        self.presence.set_camera(shared, now_ms)
    }

    /// The shared camera of peer `client`, if it is here and shares one.
    pub fn peer_camera(&self, client: u64) -> Option<SharedCamera> {
        self.presence
            .peers()
            .find(|peer| peer.client == client)
            .and_then(|peer| peer.camera)
    }

    /// Whether peer `client` is here.
    pub fn has_peer(&self, client: u64) -> bool {
        self.presence.peers().any(|peer| peer.client == client)
    }

    /// Announces `selected` (the renderer's selection) if it differs from the one peers know.
    pub fn follow_selection(&mut self, selected: Option<&NodeId>, now_ms: f64) {
        if selected != self.presence.selected() {
            let message = self.presence.set_selected(selected.cloned(), now_ms);
            self.local_change(message);
        }
    }

    /// Says which node we are dragging (`None`: none), for peers to draw in our color.
    pub fn set_dragging(&mut self, dragging: Option<NodeId>, now_ms: f64) {
        let message = self.presence.set_dragging(dragging, now_ms);
        self.local_change(message);
    }

    /// Sets our name and color.
    pub fn set_user(&mut self, user: User, now_ms: f64) {
        let message = self.presence.set_user(user, now_ms);
        self.local_change(message);
    }

    /// Applies an awareness update payload from the connection; returns the messages to answer with
    /// (our state, when the peer had marked us gone). Costs what the message names: the renderer
    /// gets the peers at the next frame.
    pub fn receive(
        &mut self,
        payload: &[u8],
        now_ms: f64,
    ) -> Result<Vec<Vec<u8>>, app_scene::ProtocolError> {
        let mut outcome = self.presence.apply_update(payload, now_ms)?;
        let replies = std::mem::take(&mut outcome.messages);
        self.absorb(outcome);
        Ok(replies)
    }

    /// The connection is gone: drops every remote peer (their highlights too, at the next frame).
    pub fn closed(&mut self) {
        if self.presence.drop_remote() {
            self.changed = true;
            self.peers_unshown = true;
        }
    }

    /// Messages for `sync_open` (sync step 1 goes with them): our awareness state.
    pub fn open(&mut self, now_ms: f64) -> Vec<u8> {
        self.presence.open(now_ms)
    }

    /// Our awareness state as a message (the answer to a `queryAwareness`).
    pub fn local_message(&self) -> Vec<u8> {
        self.presence.local_message()
    }

    /// Our awareness state set to `null`, to send before closing a connection on purpose.
    pub fn leave(&mut self) -> Vec<u8> {
        self.presence.leave()
    }

    /// The awareness message to send through `on_sync_message` after this call, if any: one per
    /// call at most (see `outgoing`).
    pub fn take_outgoing(&mut self) -> Option<Vec<u8>> {
        self.outgoing.take()
    }

    /// A frame ended at `now_ms`: a presence change, if any, is reported after it.
    pub fn frame_ended(&mut self, now_ms: f64) {
        self.last_frame_ms = now_ms;
        self.frame_just_ended = true;
    }

    /// Whether `on_presence` should hear about a change after the current call: after a frame, at
    /// most once per frame, however many awareness messages came in between (each would rebuild
    /// the whole peer list: with 250 peers, thousands of times a second); from the call itself when
    /// no frame ran for [`REPORT_WITHOUT_FRAMES_MS`]. `now_ms` is read only in that case.
    pub fn take_report(&mut self, now_ms: impl FnOnce() -> f64) -> bool {
        let frame = std::mem::take(&mut self.frame_just_ended);
        if !self.changed || !(frame || now_ms() - self.last_frame_ms > REPORT_WITHOUT_FRAMES_MS) {
            return false;
        }
        self.changed = false;
        true
    }

    /// Queues what an outcome asks for and notes whether the peers changed.
    fn absorb(&mut self, outcome: PresenceOutcome) {
        if let Some(message) = outcome.messages.into_iter().last() {
            self.outgoing = Some(message);
        }
        self.changed |= outcome.peers_changed;
        self.peers_unshown |= outcome.peers_changed;
    }

    /// Queues a local change's message, if any, and marks it for `on_presence`.
    fn local_change(&mut self, message: Option<Vec<u8>>) {
        if let Some(message) = message {
            self.outgoing = Some(message);
            self.changed = true;
        }
    }
}
