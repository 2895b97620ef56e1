//! Browser tests of the y-protocols calls: `sync_open`, `sync_receive`, `on_sync_message`.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use app_wasm::Engine;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{engine, message, pixels};

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
    let received: Rc<RefCell<Vec<Vec<u8>>>> = Rc::default();
    let sink = received.clone();
    let callback = Closure::<dyn FnMut(js_sys::Uint8Array)>::new(move |m: js_sys::Uint8Array| {
        sink.borrow_mut().push(m.to_vec())
    });
    alice
        .on_sync_message(Some(
            callback
                .as_ref()
                .unchecked_ref::<js_sys::Function>()
                .clone(),
        ))
        .unwrap();
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

    alice.render_frame(0.0).unwrap();
    bob.render_frame(0.0).unwrap();
    assert_eq!(
        pixels(&mut alice).await,
        pixels(&mut bob).await,
        "both draw the same scene"
    );

    // Bob never undoes Alice's edits.
    assert!(bob.undo().unwrap(), "bob undoes his own box");
    assert_eq!(bob.node_ids().unwrap(), vec![a_id.clone()]);
    assert!(!bob.undo().unwrap());

    alice.on_sync_message(None).unwrap();
    alice.set_position(&a_id, 0.0, 0.0, 0.0).unwrap();
    microtask().await;
    assert!(received.borrow().is_empty(), "null stops delivery");
    drop(callback);
}

#[wasm_bindgen_test]
async fn garbage_and_oversized_messages_throw_and_change_nothing() {
    let mut bob = engine().await;
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
