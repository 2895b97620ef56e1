//! Updates that hold edits under this replica's own client id, which it has not made: another peer
//! uses the id (a forged update; ids are random 53-bit numbers). yrs 0.28.1 would integrate such
//! blocks behind a gap, after which this replica's own edits never reach its outgoing updates
//! (found by the `apply_update` fuzz target: tests/fuzz/crashers/apply_update/own-client-gap-*).

// A test file: its helpers may unwrap, expect and panic too (clippy.toml allows it in #[test] fns only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use app_scene::{SceneDoc, SceneError};
use yrs::block::ClientID;
use yrs::updates::decoder::Decode;
use yrs::{Doc, Map, ReadTxn, StateVector, Transact, Update};

/// A plain yrs peer using client id `client`, holding `state` (v1) first.
fn forger(client: u64, state: &[u8]) -> Doc {
    let doc = Doc::with_client_id(client);
    doc.transact_mut()
        .apply_update(Update::decode_v1(state).unwrap())
        .unwrap();
    doc
}

/// What `doc` writes into the root map `nodes` under `key`, as a v1 update.
fn forged_edit(doc: &Doc, key: &str) -> Vec<u8> {
    let nodes = doc.get_or_insert_map("nodes");
    let before = doc.transact().state_vector();
    nodes.insert(&mut doc.transact_mut(), key, "forged");
    doc.transact().encode_diff_v1(&before)
}

fn assert_refused(result: Result<(), SceneError>, what: &str) {
    match result {
        Err(SceneError::BadUpdate(message)) => assert!(
            message.contains("own client id"),
            "{what}: refused for another reason: {message}"
        ),
        other => panic!("{what}: not refused: {other:?}"),
    }
}

#[test]
fn a_peer_extending_this_replicas_history_is_refused() {
    let mut d = SceneDoc::with_client_id(7);
    d.add_sphere([0.0; 3], 1.0).unwrap();
    let before = d.encode_state_v1();
    let forged = forged_edit(&forger(7, &before), "forged");
    assert_refused(d.apply_update_v1(&forged), "v1");
    let v2 = Update::decode_v1(&forged).unwrap();
    assert_refused(
        d.apply_update_v2(&yrs::updates::encoder::Encode::encode_v2(&v2)),
        "v2",
    );
    assert_eq!(d.encode_state_v1(), before, "the document changed");

    // The same edit under another id is an ordinary peer's edit.
    let peer = forged_edit(&forger(8, &before), "peer");
    d.apply_update_v1(&peer).unwrap();
}

#[test]
fn a_gap_in_this_replicas_history_is_refused_and_later_edits_still_reach_peers() {
    // Client 7's 21st edit without the 20 before it: clock 20, with 0..20 missing (more than
    // the replicas below have made themselves).
    let source = Doc::with_client_id(7);
    for i in 0..20 {
        forged_edit(&source, &format!("earlier {i}"));
    }
    let second = forged_edit(&source, "second");
    assert_eq!(
        Update::decode_v1(&second)
            .unwrap()
            .state_vector_lower()
            .get(&ClientID::new(7)),
        20
    );

    let mut d = SceneDoc::with_client_id(7);
    assert_refused(d.apply_update_v1(&second), "into a pristine replica");
    assert!(d.snapshot().is_empty());
    let mut busy = SceneDoc::with_client_id(7);
    busy.add_sphere([0.0; 3], 1.0).unwrap();
    let state = busy.encode_state_v1();
    assert_refused(busy.apply_update_v1(&second), "into a replica with edits");
    assert_eq!(busy.encode_state_v1(), state);

    // What the fuzz target checked: every local edit still reaches a peer.
    let mut peer = SceneDoc::with_client_id(9);
    d.take_local_updates();
    let id = d.add_sphere([1.0; 3], 0.5).unwrap();
    for update in d.take_local_updates() {
        peer.apply_update_v1(&update).unwrap();
    }
    assert!(
        peer.node(id.as_str()).is_some(),
        "the edit never reached the peer"
    );
}

#[test]
fn deleting_what_this_replica_has_not_made_is_refused() {
    let mut d = SceneDoc::with_client_id(7);
    d.add_sphere([0.0; 3], 1.0).unwrap();
    let made = d.encode_state_v1();
    // Client 7 deletes clocks 0..100 (it has made 6 or so): a v1 update with no blocks and a
    // delete set of one client, one range.
    let forged = [0u8, 1, 7, 1, 0, 100];
    assert!(Update::decode_v1(&forged).is_ok());
    assert_refused(d.apply_update_v1(&forged), "a delete beyond its clock");
    assert_eq!(d.encode_state_v1(), made);
}

#[test]
fn a_replica_may_reopen_its_own_saved_history() {
    let mut first = SceneDoc::with_client_id(7);
    let a = first.add_sphere([0.0; 3], 1.0).unwrap();
    let saved = first.encode_state_v2();

    let mut reopened = SceneDoc::with_client_id(7);
    reopened.apply_update_v2(&saved).unwrap();
    assert!(reopened.node(a.as_str()).is_some());
    let b = reopened.add_box([0.0; 3], [1.0; 3]).unwrap();
    // Its new edits continue its history, so a peer that saw the first session takes them.
    let mut peer = SceneDoc::with_client_id(9);
    peer.apply_update_v1(&first.encode_state_v1()).unwrap();
    let missing = reopened.encode_diff_v1(&peer.state_vector_v1()).unwrap();
    peer.apply_update_v1(&missing).unwrap();
    assert!(peer.node(b.as_str()).is_some());
    assert_eq!(
        peer.snapshot(),
        reopened.snapshot(),
        "the peer and the reopened replica differ"
    );
    let sv = StateVector::decode_v1(&reopened.state_vector_v1()).unwrap();
    assert!(sv.get(&ClientID::new(7)) > 0);
}
