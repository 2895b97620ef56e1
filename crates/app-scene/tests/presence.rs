//! Presence (y-protocols awareness): encoding byte-for-byte against y-protocols, clocks, removal,
//! renewal and timeouts, hostile states, and that presence never touches the document.

// A test file: its helpers may unwrap, expect and panic too (clippy.toml allows it in #[test] fns only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use app_core::NodeId;
use app_scene::SceneDoc;
use app_scene::presence::{
    MAX_CLIENTS, OUTDATED_TIMEOUT_MS, Presence, PresenceError, RENEW_INTERVAL_MS, User, parse_color,
};
use app_scene::protocol::MESSAGE_AWARENESS;
use yrs::Any;

/// Produced by y-protocols 1.0.6 / yjs 13 in Node (scripts/relay/node_modules):
/// `doc.clientID = 123456789; awareness.setLocalState({ user: { name: 'Ada "Λ" \\ 🙂', color:
/// '#e91e63' }, selected: null })`, then `encodeAwarenessUpdate(awareness, [doc.clientID])` framed
/// as y-websocket frames it (`writeVarUint(1); writeVarUint8Array(update)`).
const JS_SET_USER: &[u8] = &[
    1, 79, 1, 149, 154, 239, 58, 1, 72, 123, 34, 117, 115, 101, 114, 34, 58, 123, 34, 110, 97, 109,
    101, 34, 58, 34, 65, 100, 97, 32, 92, 34, 206, 155, 92, 34, 32, 92, 92, 32, 240, 159, 153, 130,
    34, 44, 34, 99, 111, 108, 111, 114, 34, 58, 34, 35, 101, 57, 49, 101, 54, 51, 34, 125, 44, 34,
    115, 101, 108, 101, 99, 116, 101, 100, 34, 58, 110, 117, 108, 108, 125,
];
/// Then `awareness.setLocalStateField('selected', 'n-7')`.
const JS_SELECT: &[u8] = &[
    1, 80, 1, 149, 154, 239, 58, 2, 73, 123, 34, 117, 115, 101, 114, 34, 58, 123, 34, 110, 97, 109,
    101, 34, 58, 34, 65, 100, 97, 32, 92, 34, 206, 155, 92, 34, 32, 92, 92, 32, 240, 159, 153, 130,
    34, 44, 34, 99, 111, 108, 111, 114, 34, 58, 34, 35, 101, 57, 49, 101, 54, 51, 34, 125, 44, 34,
    115, 101, 108, 101, 99, 116, 101, 100, 34, 58, 34, 110, 45, 55, 34, 125,
];
/// A JS peer (client 42) after `setLocalStateField('user', { name: 'Node', color: '#0F0',
/// colorLight: '#0f03' })`, `setLocalStateField('selected', 'box-1')` and
/// `setLocalStateField('cursor', { x: 1 })`: the awareness update payload, clock 3.
const JS_PEER: &[u8] = &[
    1, 42, 3, 96, 123, 34, 117, 115, 101, 114, 34, 58, 123, 34, 110, 97, 109, 101, 34, 58, 34, 78,
    111, 100, 101, 34, 44, 34, 99, 111, 108, 111, 114, 34, 58, 34, 35, 48, 70, 48, 34, 44, 34, 99,
    111, 108, 111, 114, 76, 105, 103, 104, 116, 34, 58, 34, 35, 48, 102, 48, 51, 34, 125, 44, 34,
    115, 101, 108, 101, 99, 116, 101, 100, 34, 58, 34, 98, 111, 120, 45, 49, 34, 44, 34, 99, 117,
    114, 115, 111, 114, 34, 58, 123, 34, 120, 34, 58, 49, 125, 125,
];
/// That peer after `removeAwarenessStates(awareness, [42])`: clock 4, state `null`.
const JS_PEER_REMOVED: &[u8] = &[1, 42, 4, 4, 110, 117, 108, 108];

fn id(s: &str) -> NodeId {
    NodeId::new(s).unwrap()
}

/// An awareness update payload with one entry.
fn entry(client: u64, clock: u32, json: &str) -> Vec<u8> {
    use yrs::encoding::write::Write;
    let mut out = Vec::new();
    out.write_var(1u32);
    out.write_var(client);
    out.write_var(clock);
    out.write_string(json);
    out
}

/// The payload of an awareness message (strips the type and length prefix).
fn payload(message: &[u8]) -> Vec<u8> {
    use yrs::encoding::read::{Cursor, Read};
    let mut cursor = Cursor::new(message);
    assert_eq!(cursor.read_var::<u8>().unwrap(), MESSAGE_AWARENESS);
    cursor.read_buf().unwrap().to_vec()
}

#[test]
fn local_state_encodes_exactly_like_y_protocols() {
    let mut presence = Presence::new(123_456_789, 0.0);
    let user = User::new("Ada \"Λ\" \\ 🙂", "#E91E63").unwrap();
    assert_eq!(user.color, "#e91e63");
    let message = presence.set_user(user.clone(), 1.0).unwrap();
    assert_eq!(message, JS_SET_USER);
    assert_eq!(
        presence.set_user(user, 2.0),
        None,
        "unchanged: nothing to send"
    );
    assert_eq!(
        presence.set_selected(Some(id("n-7")), 3.0).unwrap(),
        JS_SELECT
    );
    assert_eq!(presence.set_selected(Some(id("n-7")), 4.0), None);
    assert_eq!(presence.clock(), 2);
}

#[test]
fn a_js_peers_state_is_read_and_extra_fields_ignored() {
    let mut presence = Presence::new(7, 0.0);
    let outcome = presence.apply_update(JS_PEER, 10.0).unwrap();
    assert!(outcome.peers_changed && outcome.messages.is_empty());
    let peers: Vec<_> = presence.peers().cloned().collect();
    assert_eq!(peers.len(), 1);
    assert_eq!(peers[0].client, 42);
    assert_eq!(peers[0].name.as_deref(), Some("Node"));
    assert_eq!(peers[0].color.as_deref(), Some("#00ff00"));
    assert_eq!(peers[0].selected, Some(id("box-1")));
    assert_eq!(presence.highlights(), vec![(id("box-1"), [0.0, 1.0, 0.0])]);
    // The same message again (a relay echo) changes nothing.
    assert!(!presence.apply_update(JS_PEER, 20.0).unwrap().peers_changed);
    // Its removal (higher clock, null) drops it.
    assert!(
        presence
            .apply_update(JS_PEER_REMOVED, 30.0)
            .unwrap()
            .peers_changed
    );
    assert_eq!(presence.peers().count(), 0);
    assert!(presence.highlights().is_empty());
    // A stale state (lower clock) cannot bring it back.
    assert!(!presence.apply_update(JS_PEER, 40.0).unwrap().peers_changed);
    assert_eq!(presence.peers().count(), 0);
}

#[test]
fn two_presences_see_each_other_through_messages() {
    let mut a = Presence::new(1, 0.0);
    let mut b = Presence::new(2, 0.0);
    let from_a = a.set_user(User::new("A", "#f00").unwrap(), 0.0).unwrap();
    let from_b = b.set_user(User::new("B", "#00f").unwrap(), 0.0).unwrap();
    b.apply_update(&payload(&from_a), 1.0).unwrap();
    a.apply_update(&payload(&from_b), 1.0).unwrap();
    let select = b.set_selected(Some(id("n1")), 2.0).unwrap();
    assert!(
        a.apply_update(&payload(&select), 3.0)
            .unwrap()
            .peers_changed
    );
    assert_eq!(a.highlights(), vec![(id("n1"), [0.0, 0.0, 1.0])]);
    assert_eq!(b.peers().next().unwrap().name.as_deref(), Some("A"));
    // B leaves on purpose: A drops it at once.
    let leave = b.leave();
    assert!(a.apply_update(&payload(&leave), 4.0).unwrap().peers_changed);
    assert_eq!(a.peers().count(), 0);
    // B comes back: `open` announces it at a higher clock than its removal.
    let open = b.open(5.0);
    assert!(a.apply_update(&payload(&open), 6.0).unwrap().peers_changed);
    assert_eq!(a.peers().next().unwrap().name.as_deref(), Some("B"));
}

#[test]
fn we_answer_a_peer_that_removes_us() {
    let mut presence = Presence::new(9, 0.0);
    presence.set_user(User::new("Me", "#123456").unwrap(), 0.0);
    let clock = presence.clock();
    // Our own state echoed back by the relay: nothing to do.
    let echo = presence.apply_update(&entry(9, clock, "{}"), 1.0).unwrap();
    assert!(echo.messages.is_empty() && !echo.peers_changed);
    // A relay's timeout removes us: we say we are here, above its clock.
    let removed = presence
        .apply_update(&entry(9, clock, "null"), 2.0)
        .unwrap();
    assert_eq!(removed.messages.len(), 1);
    assert_eq!(presence.clock(), clock + 1);
    assert_eq!(removed.messages[0], presence.local_message());
    assert_eq!(presence.peers().count(), 0, "we are never our own peer");
}

#[test]
fn local_state_is_renewed_and_silent_peers_time_out() {
    let mut presence = Presence::new(1, 0.0);
    presence.set_user(User::new("Me", "#abcdef").unwrap(), 0.0);
    presence
        .apply_update(
            &entry(5, 1, r##"{"user":{"name":"P","color":"#fff"}}"##),
            0.0,
        )
        .unwrap();
    let before = presence.clock();
    assert_eq!(presence.tick(RENEW_INTERVAL_MS - 1.0), Default::default());
    let renewed = presence.tick(RENEW_INTERVAL_MS);
    assert_eq!(renewed.messages.len(), 1, "renewal every 15 s");
    assert_eq!(presence.clock(), before + 1);
    assert!(!renewed.peers_changed);
    // The peer renews at 20 s (same state, higher clock): it stays past its first 30 s.
    let renewal = presence
        .apply_update(
            &entry(5, 2, r##"{"user":{"name":"P","color":"#fff"}}"##),
            20_000.0,
        )
        .unwrap();
    assert!(!renewal.peers_changed, "a renewal is no change");
    assert!(!presence.tick(OUTDATED_TIMEOUT_MS + 1.0).peers_changed);
    assert_eq!(presence.peers().count(), 1);
    // Then it goes silent: dropped 30 s after its last renewal.
    assert!(
        !presence
            .tick(20_000.0 + OUTDATED_TIMEOUT_MS - 1.0)
            .peers_changed
    );
    assert!(presence.tick(20_000.0 + OUTDATED_TIMEOUT_MS).peers_changed);
    assert_eq!(presence.peers().count(), 0);
    // A renewal after the timeout brings it back (a higher clock wins).
    assert!(
        presence
            .apply_update(&entry(5, 3, "{}"), 60_000.0)
            .unwrap()
            .peers_changed
    );
}

#[test]
fn disconnect_forgets_remote_peers_and_reconnect_repopulates() {
    let mut presence = Presence::new(1, 0.0);
    let state = entry(
        5,
        4,
        r##"{"user":{"name":"P","color":"#fff"},"selected":"n"}"##,
    );
    presence.apply_update(&state, 0.0).unwrap();
    assert!(presence.drop_remote());
    assert_eq!(presence.peers().count(), 0);
    assert!(presence.highlights().is_empty());
    assert!(!presence.drop_remote());
    // The relay sends the room's states on the next connection, at the same clocks.
    assert!(presence.apply_update(&state, 1.0).unwrap().peers_changed);
}

#[test]
fn hostile_states_never_fail_and_read_as_absent() {
    let mut presence = Presence::new(1, 0.0);
    let long = "x".repeat(500);
    let deep = "[".repeat(10_000);
    let cases = [
        "not json".to_owned(),
        deep,
        "42".to_owned(),
        "[1,2]".to_owned(),
        r#"{"user":"me"}"#.to_owned(),
        r##"{"user":{"name":7,"color":"red"},"selected":12}"##.to_owned(),
        format!(r##"{{"user":{{"name":"{long}","color":"#12345g"}},"selected":"{long}"}}"##),
        r##"{"user":{"name":"\u0007\u0000","color":"#1234"},"selected":""}"##.to_owned(),
    ];
    for (i, json) in cases.iter().enumerate() {
        presence
            .apply_update(&entry(100 + i as u64, 1, json), 0.0)
            .unwrap();
    }
    // Unparseable JSON is skipped; everything else is a peer with no usable fields.
    let peers: Vec<_> = presence.peers().cloned().collect();
    assert_eq!(peers.len(), cases.len() - 2);
    for peer in &peers {
        assert!(peer.color.is_none() && peer.selected.is_none(), "{peer:?}");
        assert!(peer.name.as_ref().is_none_or(|n| n.chars().count() == 64));
    }
    assert!(presence.highlights().is_empty());
    // Bytes that are not an awareness update are an error, not a panic.
    assert!(presence.apply_update(&[5, 1], 0.0).is_err());
    assert!(presence.apply_update(&[1, 1, 1, 9], 0.0).is_err());
    let mut trailing = entry(3, 1, "{}");
    trailing.push(0);
    assert!(presence.apply_update(&trailing, 0.0).is_err());
}

#[test]
fn a_flood_of_client_ids_is_bounded() {
    let mut presence = Presence::new(1, 0.0);
    for client in 0..(MAX_CLIENTS as u64 + 100) {
        presence
            .apply_update(&entry(10 + client, 1, "{}"), 0.0)
            .unwrap();
    }
    assert_eq!(presence.peers().count(), MAX_CLIENTS);
}

#[test]
fn two_peers_on_one_node_lower_client_wins() {
    let mut presence = Presence::new(1, 0.0);
    presence
        .apply_update(
            &entry(8, 1, r##"{"user":{"color":"#ff0000"},"selected":"n"}"##),
            0.0,
        )
        .unwrap();
    presence
        .apply_update(
            &entry(3, 1, r##"{"user":{"color":"#0000ff"},"selected":"n"}"##),
            0.0,
        )
        .unwrap();
    assert_eq!(presence.highlights(), vec![(id("n"), [0.0, 0.0, 1.0])]);
}

#[test]
fn user_and_color_validation() {
    assert!(matches!(
        User::new("", "#fff"),
        Err(PresenceError::Name { .. })
    ));
    assert!(matches!(
        User::new("   ", "#fff"),
        Err(PresenceError::Name { .. })
    ));
    assert!(matches!(
        User::new(&"x".repeat(65), "#fff"),
        Err(PresenceError::Name { .. })
    ));
    assert!(matches!(
        User::new("a\nb", "#fff"),
        Err(PresenceError::Name { .. })
    ));
    assert!(matches!(
        User::new("a", "red"),
        Err(PresenceError::Color(_))
    ));
    assert!(matches!(
        User::new("a", "#ggg"),
        Err(PresenceError::Color(_))
    ));
    let error = User::new("a", "rgb(1,2,3)").unwrap_err().to_string();
    assert!(error.contains("CSS hex color"), "{error}");
    assert_eq!(User::new("  Bo ", "#ABC").unwrap().name, "Bo");
    let (hex, linear) = parse_color("#808080").unwrap();
    assert_eq!(hex, "#808080");
    assert!((linear[0] - 0.2158605).abs() < 1e-5);
}

#[test]
fn presence_never_enters_the_document() {
    let mut doc = SceneDoc::with_client_id(77);
    let node = doc.add_sphere([0.0, 0.0, 0.0], 1.0).unwrap();
    let before = doc.encode_state_v1();
    doc.take_local_updates();
    let mut presence = Presence::new(doc.client_id(), 0.0);
    presence.set_user(User::new("A", "#f00").unwrap(), 0.0);
    presence.set_selected(Some(node.clone()), 0.0);
    presence.tick(RENEW_INTERVAL_MS);
    // An awareness message through the document's protocol handler is handed back, not applied.
    let outcome = doc.handle_sync_message(&presence.local_message()).unwrap();
    assert!(outcome.awareness.is_some() && !outcome.applied_update);
    presence
        .apply_update(&outcome.awareness.unwrap(), 1.0)
        .unwrap();
    assert_eq!(doc.encode_state_v1(), before);
    assert!(doc.take_local_updates().is_empty(), "no document update");
}

/// The peer a fresh presence reads from one awareness entry (client 7, clock 1) with this JSON state.
fn peer_with_state(json: &str) -> app_scene::presence::Peer {
    use yrs::encoding::write::Write;
    let mut update = Vec::new();
    update.write_var(1u32);
    update.write_var(7u64);
    update.write_var(1u32);
    update.write_string(json);
    let mut carol = Presence::new(3, 0.0);
    carol.apply_update(&update, 0.0).unwrap();
    carol.peers().next().unwrap().clone()
}

#[test]
fn cameras_travel_in_presence_and_odd_ones_read_as_absent() {
    use app_scene::presence::SharedCamera;
    let mut ada = Presence::new(1, 0.0);
    let mut bob = Presence::new(2, 0.0);
    let camera = SharedCamera::new([1.5, 2.0, -3.25], [0.0, 0.5, 0.0], 45.0).unwrap();
    let message = ada.set_camera(camera, 10.0).expect("a change is announced");
    assert!(
        ada.set_camera(camera, 11.0).is_none(),
        "the same camera is not sent again"
    );
    assert!(
        ada.local_state_json().contains(
            "\"camera\":{\"position\":[1.5,2,-3.25],\"target\":[0,0.5,0],\"fov_y_deg\":45}"
        )
    );
    assert!(
        bob.apply_update(&payload(&message), 12.0)
            .unwrap()
            .peers_changed
    );
    assert_eq!(bob.peers().next().unwrap().camera, Some(camera));

    // A peer's odd camera reads as absent; its other fields stay.
    for odd in [
        r#"{"camera":{"position":[1,2],"target":[0,0,0],"fov_y_deg":45}}"#,
        r#"{"camera":{"position":[1,2,3],"target":[1,2,3],"fov_y_deg":45}}"#,
        r#"{"camera":{"position":[1,2,3],"target":[0,0,0],"fov_y_deg":0}}"#,
        r#"{"camera":{"position":["1",2,3],"target":[0,0,0],"fov_y_deg":45}}"#,
        r#"{"camera":"wide"}"#,
    ] {
        assert_eq!(peer_with_state(odd).camera, None, "{odd}");
    }
    assert!(SharedCamera::new([f32::NAN, 0.0, 0.0], [0.0; 3], 45.0).is_none());
}

#[test]
fn pointers_travel_in_presence_leave_and_odd_ones_read_as_absent() {
    let mut ada = Presence::new(1, 0.0);
    let mut bob = Presence::new(2, 0.0);
    let message = ada
        .set_pointer(Some([0.5, 0.0, -2.25]), 10.0)
        .expect("a change is announced");
    assert!(ada.set_pointer(Some([0.5, 0.0, -2.25]), 11.0).is_none());
    assert!(ada.local_state_json().contains("\"pointer\":[0.5,0,-2.25]"));
    bob.apply_update(&payload(&message), 12.0).unwrap();
    assert_eq!(bob.peers().next().unwrap().pointer, Some([0.5, 0.0, -2.25]));

    // Leaving the canvas: the field goes, and so does the peer's pointer.
    let message = ada.set_pointer(None, 13.0).expect("announced");
    assert!(!ada.local_state_json().contains("pointer"));
    assert!(
        bob.apply_update(&payload(&message), 14.0)
            .unwrap()
            .peers_changed
    );
    assert_eq!(bob.peers().next().unwrap().pointer, None);
    assert!(
        ada.set_pointer(Some([f32::NAN, 0.0, 0.0]), 15.0).is_none(),
        "NaN is no pointer"
    );

    for odd in [
        r#"{"pointer":[1,2]}"#,
        r#"{"pointer":[1,2,3,4]}"#,
        r#"{"pointer":["1",2,3]}"#,
        r#"{"pointer":[1e300,0,0]}"#,
        r#"{"pointer":{"x":1}}"#,
        r#"{"pointer":null}"#,
    ] {
        assert_eq!(peer_with_state(odd).pointer, None, "{odd}");
    }
}

/// An awareness update with one entry per `(client, JSON state)`, each at clock 1.
fn update_with(entries: &[(u64, &str)]) -> Vec<u8> {
    use yrs::encoding::write::Write;
    let mut update = Vec::new();
    update.write_var(entries.len() as u32);
    for (client, json) in entries {
        update.write_var(*client);
        update.write_var(1u32);
        update.write_string(json);
    }
    update
}

#[test]
fn a_dragged_node_shows_its_draggers_color_before_any_selection() {
    let peer = peer_with_state(r##"{"user":{"name":"Eve","color":"#ff0000"},"dragging":"box-1"}"##);
    assert_eq!(peer.dragging.as_ref().map(|id| id.as_str()), Some("box-1"));
    for odd in [
        r#"{"dragging":42}"#,
        r#"{"dragging":""}"#,
        r#"{"dragging":["box-1"]}"#,
        r#"{"dragging":null}"#,
    ] {
        assert_eq!(peer_with_state(odd).dragging, None, "{odd}");
    }

    // Client 4 selected box-1; client 9 drags it: box-1 shows 9's color (a selection alone would
    // give it to the lower id). Client 4's other selection keeps its own color.
    let mut carol = Presence::new(1, 0.0);
    carol
        .apply_update(
            &update_with(&[
                (4, r##"{"user":{"name":"Ann","color":"#0000ff"},"selected":"box-1"}"##),
                (9, r##"{"user":{"name":"Eve","color":"#ff0000"},"dragging":"box-1","selected":"ball"}"##),
            ]),
            0.0,
        )
        .unwrap();
    let highlights = carol.highlights();
    let color_of = |id: &str| {
        highlights
            .iter()
            .find(|(n, _)| n.as_str() == id)
            .map(|(_, c)| *c)
    };
    let red = color_of("box-1").expect("box-1 is highlighted");
    assert!(
        red[0] > 0.9 && red[2] < 0.1,
        "box-1 in the dragger's red: {red:?}"
    );
    let ball = color_of("ball").expect("Eve's selection too");
    assert_eq!(ball, red);
    assert_eq!(highlights.len(), 2);
}

#[test]
fn our_dragging_travels_and_clears() {
    let mut ada = Presence::new(1, 0.0);
    let mut bob = Presence::new(2, 0.0);
    let message = ada
        .set_dragging(Some(id("box-1")), 10.0)
        .expect("a change is announced");
    assert!(ada.set_dragging(Some(id("box-1")), 11.0).is_none());
    assert!(ada.local_state_json().contains("\"dragging\":\"box-1\""));
    bob.apply_update(&payload(&message), 12.0).unwrap();
    assert_eq!(bob.peers().next().unwrap().dragging, Some(id("box-1")));
    let message = ada.set_dragging(None, 13.0).expect("announced");
    assert!(!ada.local_state_json().contains("dragging"));
    bob.apply_update(&payload(&message), 14.0).unwrap();
    assert_eq!(bob.peers().next().unwrap().dragging, None);
}

#[test]
fn the_peer_list_is_one_json_array_javascript_reads_as_set() {
    let mut carol = Presence::new(1, 0.0);
    carol
        .apply_update(
            &update_with(&[
                (
                    4,
                    r##"{"user":{"name":"Ann \"the\" \\ one","color":"#0000ff"},"selected":"box-1","camera":{"position":[0.1,2,-3.25],"target":[0,0,0],"fov_y_deg":45},"pointer":[0.1,0,1e-7]}"##,
                ),
                (9, r#"{"dragging":"ball"}"#),
            ]),
            0.0,
        )
        .unwrap();
    let json = carol.peers_json();
    assert!(json.contains(r#""position":[0.1,2,-3.25]"#), "{json}");
    let Any::Array(list) = Any::from_json(&json).expect("valid JSON") else {
        panic!("an array: {json}")
    };
    assert_eq!(list.len(), 2);
    let field = |value: &Any, key: &str| match value {
        Any::Map(map) => map.get(key).cloned().unwrap_or(Any::Undefined),
        other => panic!("an object: {other:?}"),
    };
    let number = |value: Any| match value {
        Any::Number(n) => n.as_f64().expect("a number"),
        other => panic!("a number: {other:?}"),
    };
    let ann = &list[0];
    assert_eq!(number(field(ann, "client")), 4.0);
    assert_eq!(field(ann, "name"), Any::from("Ann \"the\" \\ one"));
    assert_eq!(field(ann, "color"), Any::from("#0000ff"));
    assert_eq!(field(ann, "selected"), Any::from("box-1"));
    assert_eq!(field(ann, "dragging"), Any::Null);
    let Any::Array(pointer) = field(ann, "pointer") else {
        panic!("a pointer")
    };
    assert_eq!(
        number(pointer[2].clone()),
        1e-7,
        "the shortest decimal of the f32"
    );
    assert_eq!(number(field(&field(ann, "camera"), "fov_y_deg")), 45.0);
    let other = &list[1];
    for key in ["name", "color", "selected", "camera", "pointer"] {
        assert_eq!(field(other, key), Any::Null, "{key}");
    }
    assert_eq!(field(other, "dragging"), Any::from("ball"));
    // Us: the same shape.
    let mut us = String::new();
    carol.local_peer().push_json(&mut us);
    assert_eq!(
        us,
        r#"{"client":1,"name":null,"color":null,"selected":null,"dragging":null,"camera":null,"pointer":null}"#
    );
}
