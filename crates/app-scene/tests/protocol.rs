//! The y-protocols sync protocol (`app_scene::protocol`): replicas converge through the message
//! exchange, hostile messages change nothing, remote updates are not undoable.

// A test file: its helpers may unwrap, expect and panic too (clippy.toml allows it in #[test] fns only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use app_scene::protocol::{
    MAX_MESSAGE_BYTES, awareness_message, query_awareness_message, update_message,
};
use app_scene::{ProtocolError, SceneDoc, SceneError};
use yrs::sync::{Awareness, Message, SyncMessage};
use yrs::updates::encoder::Encode;

/// Delivers `message` to `to`, then every reply back to `from`, and so on until nobody answers.
fn deliver(message: Vec<u8>, from: &mut SceneDoc, to: &mut SceneDoc) {
    let mut queue = vec![(message, true)];
    let mut rounds = 0;
    while let Some((message, to_second)) = queue.pop() {
        rounds += 1;
        assert!(rounds < 16, "the exchange must end");
        let target = if to_second { &mut *to } else { &mut *from };
        let outcome = target.handle_sync_message(&message).unwrap();
        queue.extend(outcome.replies.into_iter().map(|r| (r, !to_second)));
    }
}

/// The handshake y-websocket does when a connection opens: each side sends its step 1.
fn handshake(a: &mut SceneDoc, b: &mut SceneDoc) {
    deliver(a.sync_step1(), a, b);
    deliver(b.sync_step1(), b, a);
}

/// Sends each side's local updates to the other as protocol `update` messages.
fn flush(a: &mut SceneDoc, b: &mut SceneDoc) {
    for update in a.take_local_updates() {
        deliver(update_message(&update), a, b);
    }
    for update in b.take_local_updates() {
        deliver(update_message(&update), b, a);
    }
}

fn same(a: &SceneDoc, b: &SceneDoc) {
    assert_eq!(a.snapshot(), b.snapshot());
    assert_eq!(a.state_vector_v1().len(), b.state_vector_v1().len());
    // The same content: each side has nothing the other lacks.
    let a_sv = a.state_vector_v1();
    let b_sv = b.state_vector_v1();
    let mut a2 = SceneDoc::with_client_id(999);
    a2.apply_update_v1(&a.encode_state_v1()).unwrap();
    a2.apply_update_v1(&b.encode_diff_v1(&a_sv).unwrap())
        .unwrap();
    assert_eq!(a2.snapshot(), a.snapshot(), "b held nothing a lacks");
    let mut b2 = SceneDoc::with_client_id(998);
    b2.apply_update_v1(&b.encode_state_v1()).unwrap();
    b2.apply_update_v1(&a.encode_diff_v1(&b_sv).unwrap())
        .unwrap();
    assert_eq!(b2.snapshot(), b.snapshot(), "a held nothing b lacks");
}

#[test]
fn offline_edits_on_both_sides_converge_through_the_handshake() {
    let mut a = SceneDoc::with_client_id(1);
    let mut b = SceneDoc::with_client_id(2);
    let shared = a.add_sphere([0.0; 3], 1.0).unwrap();
    handshake(&mut a, &mut b);
    assert_eq!(b.node_ids(), vec![shared.clone()]);
    a.take_local_updates();

    // Offline: both edit the shared node and add their own.
    a.set_translation(shared.as_str(), [1.0, 0.0, 0.0]).unwrap();
    a.add_box([0.0; 3], [1.0; 3]).unwrap();
    b.set_base_color(shared.as_str(), [1.0, 0.0, 0.0]).unwrap();
    b.add_plane([0.0; 3], 3.0).unwrap();
    b.remove_node(shared.as_str()).ok();
    handshake(&mut a, &mut b);
    same(&a, &b);
    assert_eq!(
        a.len(),
        2,
        "a's box and b's plane; the sphere was removed by b"
    );

    // Live edits after the handshake travel as `update` messages.
    a.take_local_updates();
    b.take_local_updates();
    let id = a.add_sphere([2.0, 0.0, 0.0], 0.5).unwrap();
    b.set_translation(b.node_ids()[0].as_str(), [0.0, 5.0, 0.0])
        .unwrap();
    flush(&mut a, &mut b);
    same(&a, &b);
    assert!(b.node(id.as_str()).is_some());
}

#[test]
fn an_empty_replica_loads_the_scene_from_step_2() {
    let mut a = SceneDoc::with_client_id(1);
    for i in 0..20 {
        a.add_sphere([i as f64, 0.0, 0.0], 1.0).unwrap();
    }
    let mut b = SceneDoc::with_client_id(2);
    // b asks with its (empty) state vector; a answers with everything.
    let outcome = a.handle_sync_message(&b.sync_step1()).unwrap();
    assert_eq!(outcome.replies.len(), 1);
    let step2 = &outcome.replies[0];
    assert_eq!(&step2[..2], &[0, 1], "messageSync, syncStep2");
    let applied = b.handle_sync_message(step2).unwrap();
    assert!(applied.applied_update && applied.replies.is_empty());
    same(&a, &b);
    assert!(!b.can_undo(), "a loaded scene is not undoable");
}

#[test]
fn bytes_match_y_protocols() {
    let doc = SceneDoc::with_client_id(1);
    // writeVarUint(0) writeVarUint(0) writeVarUint8Array(encodeStateVector(empty doc) = [0]).
    assert_eq!(doc.sync_step1(), vec![0, 0, 1, 0]);
    assert_eq!(update_message(&[0, 0]), vec![0, 2, 2, 0, 0]);
    assert_eq!(awareness_message(&[1, 2, 3]), vec![1, 3, 1, 2, 3]);
    assert_eq!(query_awareness_message(), vec![3]);
    let step2 = Message::Sync(SyncMessage::SyncStep2(vec![0, 0])).encode_v1();
    assert_eq!(step2, vec![0, 1, 2, 0, 0]);
}

#[test]
fn a_remote_update_through_the_protocol_is_not_undoable() {
    let mut a = SceneDoc::with_client_id(1);
    let mut b = SceneDoc::with_client_id(2);
    let mine = b.add_sphere([0.0; 3], 1.0).unwrap();
    b.end_undo_step();
    handshake(&mut a, &mut b);
    b.take_local_updates();
    let theirs = a.add_box([0.0; 3], [1.0; 3]).unwrap();
    a.set_base_color(theirs.as_str(), [0.0, 1.0, 0.0]).unwrap();
    flush(&mut a, &mut b);
    assert!(b.node(theirs.as_str()).is_some());
    // b's only undo step is its own sphere: undo removes it and leaves a's box and color alone.
    assert!(b.undo().unwrap());
    assert!(b.node(mine.as_str()).is_none());
    let box_on_b = b.node(theirs.as_str()).expect("a's box survives b's undo");
    assert_eq!(box_on_b.material.base_color.to_array(), [0.0, 1.0, 0.0]);
    assert!(!b.undo().unwrap(), "nothing else to undo on b");
    // And the undo reaches a as an ordinary update.
    flush(&mut a, &mut b);
    same(&a, &b);
    assert!(a.node(mine.as_str()).is_none() && a.node(theirs.as_str()).is_some());
}

fn rejected(doc: &mut SceneDoc, message: &[u8]) -> ProtocolError {
    let before = (doc.encode_state_v1(), doc.state_vector_v1(), doc.snapshot());
    let error = doc
        .handle_sync_message(message)
        .expect_err("the message must be refused");
    let after = (doc.encode_state_v1(), doc.state_vector_v1(), doc.snapshot());
    assert_eq!(before, after, "a refused message changes nothing");
    assert!(doc.take_local_updates().is_empty());
    error
}

fn sample() -> SceneDoc {
    let mut d = SceneDoc::with_client_id(7);
    let id = d.add_sphere([1.0, 2.0, 3.0], 1.0).unwrap();
    d.add_box([0.0; 3], [1.0, 2.0, 3.0]).unwrap();
    d.set_base_color(id.as_str(), [0.2, 0.4, 0.6]).unwrap();
    d.take_local_updates();
    d
}

#[test]
fn malformed_truncated_and_oversized_messages_are_refused_and_change_nothing() {
    let mut source = SceneDoc::with_client_id(3);
    source.add_sphere([0.0; 3], 2.0).unwrap();
    let step2 = Message::Sync(SyncMessage::SyncStep2(source.encode_state_v1())).encode_v1();
    let step1 = source.sync_step1();

    for target in [&mut sample(), &mut SceneDoc::with_client_id(8)] {
        // Every strict prefix of valid messages.
        for message in [&step2, &step1] {
            for len in 0..message.len() {
                rejected(target, &message[..len]);
            }
        }
        // Trailing bytes: one message per call.
        let mut two = step2.clone();
        two.extend_from_slice(&step1);
        assert!(matches!(
            rejected(target, &two),
            ProtocolError::Malformed(_)
        ));
        // Oversized, refused before decoding.
        let mut huge = vec![0u8; MAX_MESSAGE_BYTES + 1];
        huge[1] = 2;
        assert!(matches!(
            rejected(target, &huge),
            ProtocolError::TooLarge { .. }
        ));
        // Unknown message and sync types.
        assert!(matches!(
            rejected(target, &[9, 0]),
            ProtocolError::UnknownType(9)
        ));
        rejected(target, &[0, 7, 0]);
        // A state vector declaring 2^31 clients in 3 bytes (an allocation bomb if trusted).
        rejected(target, &[0, 0, 6, 0x80, 0x80, 0x80, 0x80, 0x08, 0]);
        // An awareness update declaring a huge count.
        rejected(target, &awareness_message(&[0xff, 0xff, 0xff, 0x7f]));
        // A well-framed update whose contents are garbage.
        let garbage = update_message(&[5, 200, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert!(matches!(
            rejected(target, &garbage),
            ProtocolError::Scene(SceneError::BadUpdate(_))
        ));
        // A length prefix larger than the message.
        rejected(target, &[0, 2, 0xff, 0xff, 0x03, 1, 2]);
        // Deterministic pseudo-random garbage.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..300 {
            let len = (seed % 40) as usize;
            let mut bytes = Vec::with_capacity(len);
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                bytes.push(seed as u8);
            }
            let before = target.encode_state_v1();
            // Random bytes may by chance be a valid message (a query, an empty update): then they
            // must still change nothing here, since they carry no new content.
            let _ = target.handle_sync_message(&bytes);
            let _ = target.handle_sync_message(&[&[0u8, 2][..], &bytes].concat());
            assert_eq!(before, target.encode_state_v1());
        }
        // Still usable afterwards.
        deliver(step2.clone(), &mut SceneDoc::with_client_id(50), target);
        assert!(!target.is_empty());
    }
}

#[test]
fn awareness_queries_and_auth_are_handed_back() {
    let mut doc = sample();
    let mut awareness = Awareness::new(yrs::Doc::with_client_id(42));
    awareness.set_local_state_raw(r##"{"user":{"name":"Ada","color":"#ff0000"}}"##);
    let payload = awareness.update().unwrap().encode_v1();
    let outcome = doc
        .handle_sync_message(&awareness_message(&payload))
        .unwrap();
    assert_eq!(outcome.awareness.as_deref(), Some(payload.as_slice()));
    assert!(outcome.replies.is_empty() && !outcome.applied_update);

    let outcome = doc.handle_sync_message(&query_awareness_message()).unwrap();
    assert!(outcome.awareness_query);

    let granted = Message::Auth(None).encode_v1();
    assert_eq!(
        doc.handle_sync_message(&granted).unwrap(),
        Default::default()
    );
    let denied = Message::Auth(Some("no entry".into())).encode_v1();
    assert_eq!(
        rejected(&mut doc, &denied),
        ProtocolError::PermissionDenied("no entry".into())
    );
}

#[test]
fn only_awareness_auth_and_query_messages_are_known_not_to_touch_the_document() {
    let mut doc = SceneDoc::new();
    let step1 = doc.sync_step1();
    let update = app_scene::protocol::update_message(&doc.encode_state_v1());
    assert!(app_scene::protocol::touches_document(&step1));
    assert!(app_scene::protocol::touches_document(&update));
    // A non-canonical varUint 0 (0x80 0x00) is still a sync message to yrs's reader.
    let mut padded = vec![0x80];
    padded.extend_from_slice(&step1);
    assert!(app_scene::protocol::touches_document(&padded));
    doc.handle_sync_message(&padded)
        .expect("a padded type 0 reads as sync step 1");
    // Garbage and the empty message are vetted too.
    assert!(app_scene::protocol::touches_document(&[]));
    assert!(app_scene::protocol::touches_document(&[0xff, 0xff]));
    for kind in [
        app_scene::protocol::MESSAGE_AWARENESS,
        app_scene::protocol::MESSAGE_AUTH,
        app_scene::protocol::MESSAGE_QUERY_AWARENESS,
    ] {
        assert!(
            !app_scene::protocol::touches_document(&[kind, 0]),
            "type {kind}"
        );
    }
    assert!(!app_scene::protocol::touches_document(
        &app_scene::protocol::query_awareness_message()
    ));
}

#[test]
fn unwanted_local_updates_are_not_encoded_and_later_ones_are_again() {
    let mut a = SceneDoc::with_client_id(1);
    let first = a.add_sphere([0.0; 3], 1.0).unwrap();
    a.set_local_updates_wanted(false);
    assert!(
        a.take_local_updates().is_empty(),
        "turning them off drops what was queued"
    );
    a.set_translation(first.as_str(), [1.0, 2.0, 3.0]).unwrap();
    a.begin_batch().unwrap();
    a.add_box([0.0; 3], [1.0; 3]).unwrap();
    a.end_batch().unwrap();
    assert!(a.undo().unwrap());
    assert!(
        a.take_local_updates().is_empty(),
        "edits, a batch and an undo encoded nothing"
    );

    // Turned on again: only later edits are queued; the earlier ones travel in the document.
    a.set_local_updates_wanted(true);
    a.set_translation(first.as_str(), [4.0, 5.0, 6.0]).unwrap();
    let updates = a.take_local_updates();
    assert_eq!(updates.len(), 1);
    let mut b = SceneDoc::with_client_id(2);
    b.apply_update_v1(&a.encode_state_v1()).unwrap();
    for update in &updates {
        b.apply_update_v1(update).unwrap();
    }
    same(&a, &b);
}
