//! Browser tests of the y-protocols calls: `sync_open`, `sync_receive`, `on_sync_message`, and
//! presence (awareness): `set_presence`, `peers`, `on_presence`, `sync_closed`, `sync_leave`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // test code

use std::cell::RefCell;
use std::rc::Rc;

use app_wasm::Engine;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{ByteSink, assert_same_picture, engine, message, pixels};

fn bytes(array: js_sys::Array) -> Vec<Vec<u8>> {
    array
        .iter()
        .map(|m| js_sys::Uint8Array::new(&m).to_vec())
        .collect()
}

/// Delivers `messages` to `to`, its replies back to `from`, and so on (bounded).
fn deliver(messages: Vec<Vec<u8>>, from: &mut Engine, to: &mut Engine) {
    let mut queue: Vec<(Vec<u8>, bool)> = messages.into_iter().map(|m| (m, true)).collect();
    let mut rounds = 0;
    while let Some((message, to_second)) = queue.pop() {
        rounds += 1;
        assert!(rounds < 32, "the exchange must end");
        let target = if to_second { &mut *to } else { &mut *from };
        let replies = target.sync_receive(&message).map_err(message_of).unwrap();
        queue.extend(bytes(replies).into_iter().map(|r| (r, !to_second)));
    }
}

fn message_of(error: JsError) -> String {
    message(error)
}

/// A y-websocket connection opening between the two: each side sends its `sync_open` messages.
fn handshake(a: &mut Engine, b: &mut Engine) {
    let from_a = bytes(a.sync_open().unwrap());
    deliver(from_a, a, b);
    let from_b = bytes(b.sync_open().unwrap());
    deliver(from_b, b, a);
}

async fn microtask() {
    JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
        .await
        .unwrap();
}

#[wasm_bindgen_test]
async fn two_engines_converge_through_protocol_messages() {
    let mut alice = engine().await;
    let mut bob = engine().await;
    // Offline edits on both sides before the connection opens.
    let a_id = alice.add_sphere(-1.0, 0.0, 0.0, 0.8).unwrap();
    let b_id = bob.add_box(1.0, 0.0, 0.0, 1.0, 1.0, 1.0).unwrap();
    handshake(&mut alice, &mut bob);
    let mut ids = vec![a_id.clone(), b_id.clone()];
    ids.sort();
    assert_eq!(alice.node_ids().unwrap(), ids);
    assert_eq!(bob.node_ids().unwrap(), ids);

    // Live edits travel through on_sync_message, from a microtask.
    let outbox = ByteSink::new();
    let received = outbox.received.clone();
    alice.on_sync_message(outbox.function()).unwrap();
    alice.set_position(&b_id, 0.5, 0.5, 0.0).unwrap();
    alice.set_color(&a_id, 1.0, 0.0, 0.0).unwrap();
    assert!(
        received.borrow().is_empty(),
        "never delivered inside the call"
    );
    microtask().await;
    let sent = received.borrow_mut().split_off(0);
    assert_eq!(sent.len(), 2, "one update message per edit");
    assert!(sent.iter().all(|m| m[..2] == [0, 2]), "messageSync, update");
    deliver(sent, &mut alice, &mut bob);
    // The same nodes with the same values (encoded bytes may differ in item order and tombstones).
    for id in [&a_id, &b_id] {
        let a = js_sys::JSON::stringify(&alice.get_node(id).map_err(message_of).unwrap()).unwrap();
        let b = js_sys::JSON::stringify(&bob.get_node(id).map_err(message_of).unwrap()).unwrap();
        assert_eq!(a, b, "node {id} agrees");
    }

    assert_same_picture(&mut alice, &mut bob).await;

    // Bob never undoes Alice's edits.
    assert!(bob.undo().unwrap(), "bob undoes his own box");
    assert_eq!(bob.node_ids().unwrap(), vec![a_id.clone()]);
    assert!(!bob.undo().unwrap());

    alice.on_sync_message(JsValue::NULL).unwrap();
    alice.set_position(&a_id, 0.0, 0.0, 0.0).unwrap();
    microtask().await;
    assert!(received.borrow().is_empty(), "null stops delivery");
    drop(outbox);
}

#[wasm_bindgen_test]
async fn garbage_and_oversized_messages_throw_and_change_nothing() {
    let bob = engine().await;
    bob.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
    let before = bob.encode_state().unwrap();
    let huge = {
        let mut m = vec![0u8; (32 << 20) + 1];
        m[1] = 2;
        m
    };
    let cases: Vec<Vec<u8>> = vec![
        vec![],
        vec![9, 9, 9],
        vec![0, 2, 200, 1, 2],
        vec![0, 2, 5, 5, 200, 1, 2, 3],
        vec![0, 0, 6, 0x80, 0x80, 0x80, 0x80, 0x08, 0],
        huge,
    ];
    for case in &cases {
        let error = bob.sync_receive(case).map(|_| ()).map_err(message_of);
        assert!(error.is_err(), "{} bytes must be refused", case.len());
        assert!(
            !error.unwrap_err().is_empty(),
            "the error names the problem"
        );
        assert_eq!(bob.encode_state().unwrap(), before, "nothing changed");
    }
    let error = message_of(bob.sync_receive(&cases[5]).map(|_| ()).unwrap_err());
    assert!(error.contains("limit"), "{error}");
    // Still in working order.
    bob.add_sphere(1.0, 0.0, 0.0, 1.0).unwrap();
    assert_eq!(bob.node_ids().unwrap().len(), 2);
}

/// A plain JS object from JSON text.
fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

fn field(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap()
}

/// Sum of the blue channel over an image, minus red: rises when something turns bluer.
fn blueness(pixels: &[u8]) -> i64 {
    pixels
        .chunks_exact(4)
        .map(|p| i64::from(p[2]) - i64::from(p[0]))
        .sum()
}

/// Renders until the camera eased in and a device-loss recovery (if any) finished.
async fn settle(engine: &mut Engine) {
    for _ in 0..8 {
        engine.render_frame(1.0).unwrap();
        common::next_task().await;
    }
}

#[wasm_bindgen_test]
async fn presence_travels_as_awareness_is_drawn_in_peer_colors_and_never_enters_the_document() {
    let mut alice = engine().await;
    let mut bob = engine().await;
    let id = alice.add_sphere(0.0, 0.0, 0.0, 0.8).unwrap();
    alice.set_color(&id, 0.9, 0.2, 0.1).unwrap();
    handshake(&mut alice, &mut bob);
    assert_eq!(bob.node_ids().unwrap(), vec![id.clone()]);
    let (alice_doc, bob_doc) = (alice.encode_state().unwrap(), bob.encode_state().unwrap());

    // Invalid presence throws, naming the problem.
    for (value, expected) in [
        (json(r##"{"name":"","color":"#fff"}"##), "name"),
        (json(r#"{"name":"Bob","color":"blue"}"#), "color"),
        (json(r#"{"name":"Bob"}"#), "color"),
        (JsValue::from(5), "set_presence"),
    ] {
        let error = message_of(bob.set_presence(value).unwrap_err());
        assert!(error.contains(expected), "{error}");
    }

    // Bob's presence goes out through on_sync_message as one awareness message, after the call.
    let bob_outbox = ByteSink::new();
    let from_bob = bob_outbox.received.clone();
    bob.on_sync_message(bob_outbox.function()).unwrap();
    let seen: Rc<RefCell<Vec<js_sys::Array>>> = Rc::default();
    let sink = seen.clone();
    let on_alice_presence =
        Closure::<dyn FnMut(js_sys::Array)>::new(move |peers: js_sys::Array| {
            sink.borrow_mut().push(peers)
        });
    alice
        .on_presence(on_alice_presence.as_ref().clone())
        .unwrap();
    bob.set_presence(json(r##"{"name":"Bob","color":"#0040ff"}"##))
        .unwrap();
    let bob_client = field(&bob.presence().unwrap(), "client");
    assert!(from_bob.borrow().is_empty(), "never inside the call");
    microtask().await;
    let sent = from_bob.borrow_mut().split_off(0);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0][0], 1, "messageAwareness");
    deliver(sent, &mut bob, &mut alice);
    assert!(
        seen.borrow().is_empty(),
        "on_presence never runs inside sync_receive"
    );
    microtask().await;
    assert_eq!(seen.borrow().len(), 1, "alice heard once");
    let peers = alice.peers().unwrap();
    assert_eq!(peers.length(), 1);
    let peer = peers.get(0);
    assert_eq!(field(&peer, "client"), bob_client);
    assert_eq!(field(&peer, "name").as_string().as_deref(), Some("Bob"));
    assert_eq!(
        field(&peer, "color").as_string().as_deref(),
        Some("#0040ff")
    );
    assert!(field(&peer, "selected").is_null());

    // Bob selects the sphere: alice draws it in Bob's blue.
    alice.frame_all().unwrap();
    settle(&mut alice).await;
    let plain = pixels(&mut alice).await;
    bob.select(Some(id.clone())).unwrap();
    microtask().await;
    let sent = from_bob.borrow_mut().split_off(0);
    assert_eq!(sent.len(), 1, "one awareness message for the selection");
    deliver(sent, &mut bob, &mut alice);
    assert_eq!(
        field(&alice.peers().unwrap().get(0), "selected").as_string(),
        Some(id.clone())
    );
    settle(&mut alice).await;
    let highlighted = pixels(&mut alice).await;
    assert!(
        blueness(&highlighted) > blueness(&plain) + 2_000,
        "the sphere turned bluer: {} vs {}",
        blueness(&highlighted),
        blueness(&plain)
    );

    // The highlight survives a device loss (the renderer is rebuilt from document + presence).
    alice.debug_lose_device().unwrap();
    let mut recovered = false;
    for _ in 0..200 {
        alice.render_frame(0.0).unwrap();
        if field(&alice.stats().unwrap(), "device_losses").as_f64() == Some(1.0) {
            recovered = true;
            break;
        }
        common::next_task().await;
    }
    assert!(recovered, "recovered within 200 frames");
    settle(&mut alice).await;
    // Within a small tolerance: a rebuilt renderer refits the shadow frustum.
    let after_loss = blueness(&pixels(&mut alice).await);
    assert!(
        (after_loss - blueness(&highlighted)).abs() < 500,
        "{after_loss} vs {}",
        blueness(&highlighted)
    );

    // A queryAwareness is answered with our state.
    alice
        .set_presence(json(r##"{"name":"Alice","color":"#e91e63"}"##))
        .unwrap();
    let replies = bytes(alice.sync_receive(&[3]).unwrap());
    assert_eq!(replies.len(), 1);
    bob.sync_receive(&replies[0]).unwrap();
    let alice_seen = bob.peers().unwrap().get(0);
    assert_eq!(
        field(&alice_seen, "name").as_string().as_deref(),
        Some("Alice")
    );

    // A peer's hostile state never throws; it reads as absent.
    let mut hostile = vec![1u8];
    let entry = br#"{"user":{"name":{"x":1},"color":"javascript:alert(1)"},"selected":42}"#;
    let mut update = vec![1u8, 99, 1, entry.len() as u8];
    update.extend_from_slice(entry);
    hostile.push(update.len() as u8);
    hostile.extend(update);
    alice.sync_receive(&hostile).unwrap();
    let odd = alice.peers().unwrap();
    assert_eq!(odd.length(), 2);
    let odd = odd.get(0);
    assert_eq!(field(&odd, "client").as_f64(), Some(99.0));
    assert!(field(&odd, "name").is_null() && field(&odd, "color").is_null());

    // The connection closes: every peer goes, and so does Bob's highlight.
    alice.sync_closed().unwrap();
    assert_eq!(alice.peers().unwrap().length(), 0);
    settle(&mut alice).await;
    let closed = blueness(&pixels(&mut alice).await);
    assert!(
        (closed - blueness(&plain)).abs() < 500,
        "{closed} vs {}",
        blueness(&plain)
    );
    // Bob leaving on purpose: sync_leave is a null awareness state.
    let leave = bytes(bob.sync_leave().unwrap());
    assert_eq!(leave.len(), 1);
    assert!(leave[0].ends_with(b"null"));

    // None of it entered either document.
    assert_eq!(alice.encode_state().unwrap(), alice_doc);
    assert_eq!(bob.encode_state().unwrap(), bob_doc);
    alice.on_presence(JsValue::NULL).unwrap();
    bob.on_sync_message(JsValue::NULL).unwrap();
    drop((bob_outbox, on_alice_presence));
}

#[wasm_bindgen_test]
async fn cameras_travel_in_presence_and_follow_eases_to_a_peers_camera() {
    let mut alice = engine().await;
    let mut bob = engine().await;
    alice.resize(128.0, 128.0, 1.0).unwrap();
    bob.resize(128.0, 128.0, 1.0).unwrap();
    handshake(&mut alice, &mut bob);
    let sent = ByteSink::new();
    alice.on_sync_message(sent.function()).unwrap();
    alice
        .set_camera(json(
            r#"{"position":[4,3,5],"target":[1,0.5,0],"fov_y_deg":50}"#,
        ))
        .unwrap();
    // A frame shares the camera, at most 30 times a second: the handshake's messages already
    // shared the starting camera, so wait out the interval.
    let pause = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50);
    });
    JsFuture::from(pause).await.unwrap();
    alice.render_frame(0.0).unwrap();
    microtask().await;
    let messages = sent.take();
    assert!(!messages.is_empty(), "the camera went out as awareness");
    deliver(messages, &mut alice, &mut bob);
    let peer = js_sys::Array::from(&bob.peers().unwrap()).get(0);
    let camera = field(&peer, "camera");
    assert_eq!(
        js_sys::JSON::stringify(&camera).unwrap(),
        r#"{"position":[4,3,5],"target":[1,0.5,0],"fov_y_deg":50}"#
    );

    // follow: bob's camera eases to alice's.
    let client = field(&alice.presence().unwrap(), "client");
    assert!(bob.follow(JsValue::from(12345)).is_err(), "unknown peer");
    assert!(bob.follow(JsValue::from("x")).is_err());
    bob.follow(client.clone()).unwrap();
    assert_eq!(bob.following().unwrap(), client.as_f64());
    bob.render_frame(1.0 / 60.0).unwrap();
    let partway = field(&bob.get_camera().unwrap(), "position");
    for _ in 0..120 {
        bob.render_frame(1.0 / 60.0).unwrap();
    }
    let arrived = field(&bob.get_camera().unwrap(), "position");
    let xyz = |v: &JsValue| -> Vec<f64> {
        js_sys::Array::from(v)
            .iter()
            .map(|n| n.as_f64().unwrap())
            .collect()
    };
    let (partway, arrived) = (xyz(&partway), xyz(&arrived));
    assert!(
        (partway[0] - 4.0).abs() > 0.05,
        "eases, not a jump: {partway:?}"
    );
    for (got, want) in arrived.iter().zip([4.0, 3.0, 5.0]) {
        assert!(
            (got - want).abs() < 1e-3,
            "arrived at alice's camera: {arrived:?}"
        );
    }
    // Dragging stops following; so does undefined.
    bob.on_mouse_drag(5.0, 0.0, 0.into()).unwrap();
    assert_eq!(bob.following().unwrap(), None);
    bob.follow(client).unwrap();
    bob.follow(JsValue::UNDEFINED).unwrap();
    assert_eq!(bob.following().unwrap(), None);
    alice.on_sync_message(JsValue::NULL).unwrap();
}

/// Two synced engines drawing 128×128; Alice's scene is a 6-unit plane (its id is returned too) she
/// looks down on from above.
async fn alice_above_a_plane_and_bob() -> (Engine, Engine, String) {
    let mut alice = engine().await;
    let mut bob = engine().await;
    for e in [&alice, &bob] {
        e.resize(128.0, 128.0, 1.0).unwrap();
    }
    let plane = alice.add_plane(0.0, 0.0, 0.0, 6.0).unwrap();
    handshake(&mut alice, &mut bob);
    alice
        .set_camera(json(
            r#"{"position":[0,6,4],"target":[0,0,0],"fov_y_deg":50}"#,
        ))
        .unwrap();
    (alice, bob, plane)
}

#[wasm_bindgen_test]
async fn peers_cameras_are_drawn_in_their_colors_in_beauty_only_and_go_when_they_leave() {
    let (mut alice, mut bob, _) = alice_above_a_plane_and_bob().await;
    // Bob's camera sits in Alice's view, looking at the origin.
    settle(&mut alice).await;
    let before = pixels(&mut alice).await;
    let sent = ByteSink::new();
    bob.on_sync_message(sent.function()).unwrap();
    bob.set_presence(json(r##"{"name":"Bob","color":"#0040ff"}"##))
        .unwrap();
    bob.set_camera(json(
        r#"{"position":[1,1.5,0.5],"target":[-1,0,0],"fov_y_deg":60}"#,
    ))
    .unwrap();
    share(&mut bob, &mut alice, &sent).await;
    settle(&mut alice).await;
    let with_bob = pixels(&mut alice).await;
    // Bob's glyph (blue) appears around where his eye projects in Alice's view.
    let gain = blueness(&with_bob) - blueness(&before);
    assert!(
        gain > 2000,
        "Bob's camera glyph drawn in his color: blueness gain {gain}"
    );
    // Not in a data view: the albedo view is the same with and without Bob.
    alice.set_aov_mode("albedo").unwrap();
    settle(&mut alice).await;
    let albedo_with = pixels(&mut alice).await;
    alice.set_aov_mode("beauty").unwrap();
    // Bob leaves: his glyph goes.
    deliver(bytes(bob.sync_leave().unwrap()), &mut bob, &mut alice);
    settle(&mut alice).await;
    let after = pixels(&mut alice).await;
    assert!(
        (blueness(&after) - blueness(&before)).abs() < 200,
        "the glyph left with Bob"
    );
    alice.set_aov_mode("albedo").unwrap();
    settle(&mut alice).await;
    assert_eq!(
        pixels(&mut alice).await,
        albedo_with,
        "albedo never showed the glyph"
    );
}

/// Waits `ms` milliseconds of real time.
async fn sleep_ms(ms: i32) {
    let pause = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    JsFuture::from(pause).await.unwrap();
}

/// Waits out the 30-per-second presence interval, lets `from` share in a frame, and delivers what it
/// sent to `to`.
async fn share(from: &mut Engine, to: &mut Engine, sent: &ByteSink) {
    sleep_ms(50).await;
    from.render_frame(0.0).unwrap();
    microtask().await;
    deliver(sent.take(), from, to);
}

#[wasm_bindgen_test]
async fn pointers_travel_in_presence_are_drawn_as_pins_and_go_when_the_mouse_leaves() {
    let (mut alice, mut bob, _) = alice_above_a_plane_and_bob().await;
    let sent = ByteSink::new();
    bob.on_sync_message(sent.function()).unwrap();
    bob.set_presence(json(r##"{"name":"Bob","color":"#0040ff"}"##))
        .unwrap();
    bob.set_camera(json(
        r#"{"position":[0,5,5],"target":[0,0,0],"fov_y_deg":50}"#,
    ))
    .unwrap();
    share(&mut bob, &mut alice, &sent).await;
    settle(&mut alice).await;
    let before = pixels(&mut alice).await;
    let pointer_of_bob = |alice: &Engine| {
        let peer = js_sys::Array::from(&alice.peers().unwrap()).get(0);
        field(&peer, "pointer")
    };
    assert!(pointer_of_bob(&alice).is_null(), "no pointer yet");

    // Bad input throws; the mouse over the middle of Bob's canvas points at the plane's centre.
    assert!(bob.on_pointer_move(f64::NAN, 1.0).is_err());
    bob.on_pointer_move(64.0, 64.0).unwrap();
    share(&mut bob, &mut alice, &sent).await;
    let pointer = js_sys::Array::from(&pointer_of_bob(&alice));
    assert_eq!(pointer.length(), 3, "Alice sees Bob's pointer");
    for coordinate in pointer.iter() {
        let v = coordinate.as_f64().unwrap();
        assert!(v.abs() < 1e-3, "at the plane's centre: {v}");
    }
    settle(&mut alice).await;
    let with_pin = pixels(&mut alice).await;
    let gain = blueness(&with_pin) - blueness(&before);
    assert!(
        gain > 500,
        "Bob's pin drawn in his color: blueness gain {gain}"
    );

    // The mouse leaves Bob's canvas: the pin goes.
    bob.on_pointer_leave().unwrap();
    share(&mut bob, &mut alice, &sent).await;
    assert!(pointer_of_bob(&alice).is_null(), "the pointer left");
    settle(&mut alice).await;
    let after = pixels(&mut alice).await;
    assert!(
        (blueness(&after) - blueness(&before)).abs() < 200,
        "the pin left with the pointer"
    );
    bob.on_sync_message(JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn a_node_dragged_by_a_peer_is_drawn_in_the_draggers_color_until_let_go() {
    let (mut alice, mut bob, plane) = alice_above_a_plane_and_bob().await;
    let sent = ByteSink::new();
    bob.on_sync_message(sent.function()).unwrap();
    bob.set_presence(json(r##"{"name":"Bob","color":"#0040ff"}"##))
        .unwrap();
    share(&mut bob, &mut alice, &sent).await;
    settle(&mut alice).await;
    let before = pixels(&mut alice).await;
    let dragging_of_bob = |alice: &Engine| {
        let peer = js_sys::Array::from(&alice.peers().unwrap()).get(0);
        field(&peer, "dragging").as_string()
    };
    assert_eq!(dragging_of_bob(&alice), None);

    // Ids that are not in the scene are refused, and nothing is announced.
    for bad in ["no-such-node", ""] {
        assert!(bob.set_dragging(Some(bad.into())).is_err(), "{bad:?}");
    }
    assert!(field(&bob.presence().unwrap(), "dragging").is_null());

    // Bob drags the plane: Alice sees it in his blue.
    bob.set_dragging(Some(plane.clone())).unwrap();
    assert_eq!(
        field(&bob.presence().unwrap(), "dragging").as_string(),
        Some(plane.clone())
    );
    share(&mut bob, &mut alice, &sent).await;
    assert_eq!(dragging_of_bob(&alice), Some(plane.clone()));
    settle(&mut alice).await;
    let dragged = pixels(&mut alice).await;
    let gain = blueness(&dragged) - blueness(&before);
    assert!(gain > 2000, "the dragged plane in Bob's blue: gain {gain}");

    // He lets go: the color goes.
    bob.set_dragging(None).unwrap();
    share(&mut bob, &mut alice, &sent).await;
    assert_eq!(dragging_of_bob(&alice), None);
    settle(&mut alice).await;
    let after = pixels(&mut alice).await;
    assert!((blueness(&after) - blueness(&before)).abs() < 200);

    // A dragged node that is removed stops being announced at the next frame.
    bob.set_dragging(Some(plane.clone())).unwrap();
    bob.remove_node(&plane).unwrap();
    bob.render_frame(0.0).unwrap();
    assert!(field(&bob.presence().unwrap(), "dragging").is_null());
    bob.on_sync_message(JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn presence_is_reported_once_per_frame_and_our_view_goes_out_at_most_30_times_a_second() {
    let (mut alice, mut bob, _) = alice_above_a_plane_and_bob().await;
    let reports: Rc<RefCell<Vec<js_sys::Array>>> = Rc::default();
    let sink = reports.clone();
    let on_presence = Closure::<dyn FnMut(js_sys::Array)>::new(move |peers: js_sys::Array| {
        sink.borrow_mut().push(peers)
    });
    alice.on_presence(on_presence.as_ref().clone()).unwrap();
    let sent = ByteSink::new();
    bob.on_sync_message(sent.function()).unwrap();

    // Alice is drawing frames; five awareness messages from Bob arrive between two of them: one
    // report, after her next frame, with the last name.
    alice.render_frame(0.0).unwrap();
    microtask().await;
    reports.borrow_mut().clear();
    for name in ["B1", "B2", "B3", "B4", "B5"] {
        bob.set_presence(json(&format!(r##"{{"name":"{name}","color":"#0040ff"}}"##)))
            .unwrap();
        microtask().await;
        deliver(sent.take(), &mut bob, &mut alice);
    }
    microtask().await;
    assert_eq!(
        reports.borrow().len(),
        0,
        "nothing before Alice's next frame"
    );
    alice.render_frame(0.0).unwrap();
    microtask().await;
    assert_eq!(reports.borrow().len(), 1, "one report for five messages");
    let last = reports.borrow()[0].get(0);
    assert_eq!(field(&last, "name").as_string().as_deref(), Some("B5"));

    // Without frames for a while (a hidden tab), a change is reported from the call itself.
    sleep_ms(150).await;
    bob.set_presence(json(r##"{"name":"B6","color":"#0040ff"}"##))
        .unwrap();
    microtask().await;
    deliver(sent.take(), &mut bob, &mut alice);
    microtask().await;
    assert_eq!(reports.borrow().len(), 2, "reported without a frame");

    // Bob orbits and moves his mouse every frame: his camera and pointer go out together, at most
    // 30 messages a second, one per call at most.
    let window = web_sys::window().unwrap();
    let performance = window.performance().unwrap();
    let started = performance.now();
    let mut calls = 0;
    let mut total = 0;
    let mut most_in_one_call = 0;
    while performance.now() - started < 400.0 {
        bob.on_mouse_drag(4.0, 0.0, JsValue::from(0)).unwrap();
        bob.on_pointer_move(40.0 + f64::from(calls % 40), 64.0)
            .unwrap();
        bob.render_frame(1.0 / 60.0).unwrap();
        microtask().await;
        let messages = sent.take().len();
        total += messages;
        most_in_one_call = most_in_one_call.max(messages);
        calls += 1;
        sleep_ms(4).await;
    }
    let elapsed_ms = performance.now() - started;
    drop(on_presence);
    bob.on_sync_message(JsValue::NULL).unwrap();
    alice.on_presence(JsValue::NULL).unwrap();
    assert!(
        most_in_one_call <= 1,
        "{most_in_one_call} presence messages in one call"
    );
    let most = (elapsed_ms / (1000.0 / 30.0)).floor() as usize + 1;
    assert!(
        (3..=most).contains(&total),
        "{total} messages in {elapsed_ms:.0} ms over {calls} frames; at most {most}"
    );
}
