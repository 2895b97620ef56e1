//! The state one client shows the others, as this crate reads and writes it: the user (name and
//! color), the shared camera and pointer, a peer's state read from its awareness JSON (anything
//! malformed reads as absent), and the JSON writing both directions share. The protocol and the
//! table of peers are `presence.rs`.

use app_core::NodeId;
use yrs::Any;

/// Longest user name we send or show, in characters; longer names from peers are cut.
pub const MAX_NAME_CHARS: usize = 64;

/// Why a local presence value was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PresenceError {
    /// The name is empty (after trimming) or too long.
    #[error("presence name must be 1 to {max} characters, got {len}")]
    Name {
        /// Characters in the refused name (after trimming).
        len: usize,
        /// The limit, [`MAX_NAME_CHARS`].
        max: usize,
    },
    /// The color is not a CSS hex color.
    #[error("presence color must be a CSS hex color like \"#e91e63\" or \"#f0a\", got {0:?}")]
    Color(String),
}

/// A user as presence shows them: a display name and a color (`#rrggbb`, lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Display name, 1 to [`MAX_NAME_CHARS`] characters.
    pub name: String,
    /// CSS hex color, normalised to `#rrggbb`.
    pub color: String,
}

impl User {
    /// Validates a name (trimmed, 1 to [`MAX_NAME_CHARS`] characters, control characters refused)
    /// and a `#rgb` / `#rrggbb` color.
    pub fn new(name: &str, color: &str) -> Result<Self, PresenceError> {
        let name = name.trim();
        let len = name.chars().count();
        if len == 0 || len > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(PresenceError::Name {
                len,
                max: MAX_NAME_CHARS,
            });
        }
        let color = parse_color(color)
            .ok_or_else(|| PresenceError::Color(color.chars().take(32).collect()))?
            .0;
        Ok(Self {
            name: name.to_owned(),
            color,
        })
    }
}

/// A user's view shared through presence (3D presence: others can draw or follow it). World space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharedCamera {
    /// Where the eye is.
    pub position: [f32; 3],
    /// The point looked at.
    pub target: [f32; 3],
    /// Vertical field of view, degrees (0..180).
    pub fov_y_deg: f32,
}

impl SharedCamera {
    /// A camera whose numbers are finite, whose eye and target differ and whose field of view is in
    /// (0, 180) degrees; `None` otherwise (a peer's odd camera reads as absent).
    pub fn new(position: [f32; 3], target: [f32; 3], fov_y_deg: f32) -> Option<Self> {
        let finite = position
            .iter()
            .chain(&target)
            .all(|v| v.is_finite() && v.abs() <= 1e9);
        let apart = position != target;
        let fov = fov_y_deg > 0.0 && fov_y_deg < 180.0;
        (finite && apart && fov).then_some(Self {
            position,
            target,
            fov_y_deg,
        })
    }
}

/// Another client's presence, as far as its state could be read. Every field is optional: a Yjs
/// client that sets no `user` still appears (as an unnamed peer).
#[derive(Debug, Clone, PartialEq)]
pub struct Peer {
    /// The peer's awareness client id (its document's client id in Yjs).
    pub client: u64,
    /// `user.name`, cut to [`MAX_NAME_CHARS`] characters, control characters removed.
    pub name: Option<String>,
    /// `user.color` normalised to `#rrggbb`, if it was a valid hex color.
    pub color: Option<String>,
    /// `user.color` as linear RGB, for the renderer.
    pub color_linear: Option<[f32; 3]>,
    /// `selected`, if it is a valid node id (the node may not exist here yet).
    pub selected: Option<NodeId>,
    /// `camera`, if it is a valid [`SharedCamera`].
    pub camera: Option<SharedCamera>,
    /// `pointer`, if it is three finite numbers (see [`valid_pointer`]).
    pub pointer: Option<[f32; 3]>,
    /// `dragging`: the node the peer is moving right now, if it is a valid node id (Needle's and
    /// Figma's "someone else has this"): drawn in the peer's color, before any selection.
    pub dragging: Option<NodeId>,
    /// The fields above as `peers()` JSON, written once when the state arrives (see
    /// [`Peer::push_json`]): a list of 250 peers is then mostly copied, not formatted, each frame.
    pub(super) json: String,
}

impl Peer {
    /// Appends this peer as the JSON object JavaScript reads from `peers()` (kept from when its
    /// state arrived):
    /// `{"client","name","color","selected","dragging","camera","pointer"}`, `null` for what is
    /// unknown, `camera` as `{"position","target","fov_y_deg"}`. One `JSON.parse` of a whole list
    /// is several times cheaper than building the objects field by field across the wasm boundary
    /// (a room of 250 peers reports its list every frame). Numbers are f32 printed as the shortest
    /// decimal that reads back as them (`0.1`, not `0.10000000149011612`), finite by construction.
    pub fn push_json(&self, out: &mut String) {
        out.push_str(&self.json);
    }

    /// Writes [`Peer::json`] from the other fields; called once by whoever builds a `Peer`.
    pub(super) fn with_json(mut self) -> Self {
        let mut out = String::with_capacity(192);
        self.write_json(&mut out);
        self.json = out;
        self
    }

    fn write_json(&self, out: &mut String) {
        let text = |out: &mut String, value: Option<&str>| match value {
            Some(value) => push_json_string(out, value),
            None => out.push_str("null"),
        };
        out.push_str(&format!("{{\"client\":{},\"name\":", self.client));
        text(out, self.name.as_deref());
        out.push_str(",\"color\":");
        text(out, self.color.as_deref());
        out.push_str(",\"selected\":");
        text(out, self.selected.as_ref().map(NodeId::as_str));
        out.push_str(",\"dragging\":");
        text(out, self.dragging.as_ref().map(NodeId::as_str));
        out.push_str(",\"camera\":");
        match &self.camera {
            Some(camera) => {
                let [px, py, pz] = camera.position;
                let [tx, ty, tz] = camera.target;
                out.push_str(&format!(
                    "{{\"position\":[{px},{py},{pz}],\"target\":[{tx},{ty},{tz}],\"fov_y_deg\":{}}}",
                    camera.fov_y_deg
                ));
            }
            None => out.push_str("null"),
        }
        out.push_str(",\"pointer\":");
        match self.pointer {
            Some([x, y, z]) => out.push_str(&format!("[{x},{y},{z}]")),
            None => out.push_str("null"),
        }
        out.push('}');
    }
}

/// `point` if every coordinate is finite and within ±1e9 (a peer's odd pointer reads as absent).
pub fn valid_pointer(point: [f32; 3]) -> Option<[f32; 3]> {
    point
        .iter()
        .all(|v| v.is_finite() && v.abs() <= 1e9)
        .then_some(point)
}

/// Reads a peer's presence from its awareness state; anything malformed reads as absent.
pub(super) fn read_peer(client: u64, state: &Any) -> Peer {
    let field = |map: &Any, key: &str| match map {
        Any::Map(map) => map.get(key).cloned(),
        _ => None,
    };
    let string = |value: Option<Any>| match value {
        Some(Any::String(s)) => Some(s),
        _ => None,
    };
    let user = field(state, "user");
    let name = string(user.as_ref().and_then(|u| field(u, "name")))
        .map(|name| {
            name.chars()
                .filter(|c| !c.is_control())
                .take(MAX_NAME_CHARS)
                .collect::<String>()
        })
        .filter(|name| !name.trim().is_empty());
    let color = string(user.as_ref().and_then(|u| field(u, "color"))).and_then(|c| parse_color(&c));
    let node_id = |key: &str| string(field(state, key)).and_then(|id| NodeId::new(&*id).ok());
    let selected = node_id("selected");
    let dragging = node_id("dragging");
    let camera = field(state, "camera").and_then(|camera| {
        // Finite f32 numbers only (`SharedCamera::new` checks the rest).
        let vec3 = |value: Option<Any>| crate::schema::any_f32s::<3>(&value?);
        SharedCamera::new(
            vec3(field(&camera, "position"))?,
            vec3(field(&camera, "target"))?,
            crate::schema::any_f32(&field(&camera, "fov_y_deg")?)?,
        )
    });
    let pointer = field(state, "pointer")
        .and_then(|p| crate::schema::any_f32s::<3>(&p))
        .and_then(valid_pointer);
    Peer {
        client,
        name,
        color: color.as_ref().map(|(hex, _)| hex.clone()),
        color_linear: color.map(|(_, linear)| linear),
        selected,
        camera,
        pointer,
        dragging,
        json: String::new(),
    }
    .with_json()
}

/// Parses a CSS hex color `#rgb` or `#rrggbb` into (`#rrggbb` lower case, linear RGB).
pub fn parse_color(color: &str) -> Option<(String, [f32; 3])> {
    let hex = color.trim().strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let full: String = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect(),
        6 => hex.to_owned(),
        _ => return None,
    };
    let full = full.to_ascii_lowercase();
    let mut linear = [0.0f32; 3];
    for (i, channel) in linear.iter_mut().enumerate() {
        let byte = u8::from_str_radix(&full[2 * i..2 * i + 2], 16).ok()?;
        *channel = srgb_to_linear(f32::from(byte) / 255.0);
    }
    Some((format!("#{full}"), linear))
}

/// The sRGB transfer function, inverted: CSS colors are sRGB, the renderer works in linear light.
fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Appends `s` as a JSON string exactly as `JSON.stringify` writes it (so our bytes equal a JS
/// client's for the same state).
pub(super) fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
