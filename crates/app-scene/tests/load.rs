//! Loading into an empty document (the fast path of `apply_update_*`): the same snapshot and change
//! stream as the general path, a rejected load leaves the document empty and usable, and the
//! loaded document keeps this replica's client id, clock, observers and undo behaviour.

// A test file: its helpers may unwrap, expect and panic too (clippy.toml allows it in #[test] fns only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use app_core::SceneChange;
use app_scene::{SceneDoc, SceneError};
use yrs::updates::decoder::Decode;
use yrs::{Any, Doc, Map, ReadTxn, StateVector, Transact, Update};

/// A scene with a hierarchy, names, materials, a hidden node, a removal and a light.
fn source() -> SceneDoc {
    let mut d = SceneDoc::with_client_id(7);
    let a = d.add_sphere([1.0, 2.0, 3.0], 1.5).unwrap();
    let b = d.add_box([0.0; 3], [1.0, 2.0, 3.0]).unwrap();
    let c = d.add_plane([0.0, -1.0, 0.0], 10.0).unwrap();
    let gone = d.add_sphere([0.0; 3], 1.0).unwrap();
    d.set_parent(b.as_str(), Some(a.as_str())).unwrap();
    d.set_parent(c.as_str(), Some(b.as_str())).unwrap();
    d.set_name(a.as_str(), "ball").unwrap();
    d.set_base_color(b.as_str(), [1.0, 0.0, 0.5]).unwrap();
    d.set_visible(c.as_str(), false).unwrap();
    d.remove_node(gone.as_str()).unwrap();
    for i in 0..20 {
        d.add_sphere([f64::from(i), 0.0, 0.0], 0.5).unwrap();
    }
    d.set_light([1.0, -1.0, 0.0], [1.0, 0.9, 0.8], 2.0).unwrap();
    d.set_background([0.2, 0.1, 0.05]).unwrap();
    d
}

/// A document that is not empty but holds no node: a peer wrote only the schema version.
/// Updates applied to it take the general path (rehearsal on a scratch copy).
fn non_empty_without_nodes(client_id: u64) -> SceneDoc {
    let peer = Doc::with_client_id(99);
    let meta = peer.get_or_insert_map("meta");
    meta.insert(&mut peer.transact_mut(), "schema_version", Any::from(1));
    let update = peer
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let mut d = SceneDoc::with_client_id(client_id);
    d.apply_update_v1(&update).unwrap();
    assert!(d.drain_changes().is_empty());
    d
}

#[test]
fn loading_into_an_empty_document_matches_the_general_path() {
    let src = source();
    for v2 in [false, true] {
        let update = if v2 {
            src.encode_state_v2()
        } else {
            src.encode_state_v1()
        };
        let apply = |d: &mut SceneDoc| {
            if v2 {
                d.apply_update_v2(&update)
            } else {
                d.apply_update_v1(&update)
            }
        };
        let mut fast = SceneDoc::with_client_id(1);
        apply(&mut fast).unwrap();
        let mut general = non_empty_without_nodes(1);
        apply(&mut general).unwrap();

        assert_eq!(fast.snapshot(), src.snapshot());
        assert_eq!(fast.snapshot(), general.snapshot());
        assert_eq!(fast.light(), general.light());
        assert_eq!(fast.children(None), general.children(None));
        let fast_changes = fast.drain_changes();
        assert_eq!(fast_changes, general.drain_changes());
        // Every node as added, parents first, then the light and the background.
        assert_eq!(fast_changes.len(), src.len() + 2);
        assert!(
            fast_changes[..src.len()]
                .iter()
                .all(|c| matches!(c, SceneChange::NodeAdded(_)))
        );
        assert!(matches!(
            &fast_changes[src.len()..],
            [SceneChange::LightChanged(l), SceneChange::BackgroundChanged(b)]
                if *l == src.light() && *b == src.background()
        ));
        assert!(fast.drain_changes().is_empty());
        // The adopted document holds exactly what yrs makes of the update (compared through the
        // state vector and the length of the state: the light's map entries encode in hash order).
        let bare = Doc::new();
        let mut txn = bare.transact_mut();
        let decoded = if v2 {
            Update::decode_v2(&update)
        } else {
            Update::decode_v1(&update)
        };
        txn.apply_update(decoded.unwrap()).unwrap();
        drop(txn);
        let bare_txn = bare.transact();
        let fast_sv = StateVector::decode_v1(&fast.state_vector_v1()).unwrap();
        assert_eq!(fast_sv, bare_txn.state_vector());
        let bare_state = bare_txn.encode_diff_v1(&StateVector::default());
        assert_eq!(fast.encode_state_v1().len(), bare_state.len());
    }
}

#[test]
fn a_rejected_load_leaves_the_document_empty_and_usable() {
    let valid_v1 = source().encode_state_v1();
    let valid_v2 = source().encode_state_v2();
    let empty_state = SceneDoc::with_client_id(3).encode_state_v1();
    let bad_v1: Vec<Vec<u8>> = vec![
        vec![0xff; 64],
        valid_v1[..valid_v1.len() / 2].to_vec(),
        vec![1, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        valid_v2.clone(),
    ];
    for update in &bad_v1 {
        let mut d = SceneDoc::with_client_id(3);
        let Err(e) = d.apply_update_v1(update) else {
            continue;
        };
        assert!(matches!(e, SceneError::BadUpdate(_)), "{e}");
        assert_eq!(d.encode_state_v1(), empty_state, "still empty");
        assert!(d.is_empty() && d.drain_changes().is_empty());
        assert!(d.take_local_updates().is_empty() && !d.can_undo());

        // Usable: local edits, their updates, undo, and a valid load after all.
        let a = d.add_sphere([0.0; 3], 1.0).unwrap();
        assert!(a.as_str().starts_with("3-"), "same client id: {a}");
        assert!(matches!(&d.drain_changes()[..], [SceneChange::NodeAdded(n)] if n.id == a));
        assert_eq!(d.take_local_updates().len(), 1);
        d.apply_update_v1(&valid_v1).unwrap();
        assert_eq!(d.len(), source().len() + 1);
        assert!(d.undo().unwrap());
        assert_eq!(
            d.snapshot(),
            source().snapshot(),
            "undo removed only the local add"
        );
    }
    // v1 bytes read as v2 are usually rejected; whatever the outcome, nothing may break.
    let mut d = SceneDoc::with_client_id(3);
    match d.apply_update_v2(&valid_v1) {
        Err(_) => assert_eq!(d.encode_state_v1(), empty_state),
        Ok(()) => {
            d.encode_state_v2();
            d.snapshot();
            d.drain_changes();
        }
    }
    let mut d = SceneDoc::with_client_id(3);
    d.apply_update_v2(&valid_v2).unwrap();
    assert_eq!(d.snapshot(), source().snapshot());
}

#[test]
fn a_loaded_document_keeps_observing_syncing_and_undoing() {
    let mut src = source();
    let mut d = SceneDoc::with_client_id(4);
    d.apply_update_v1(&src.encode_state_v1()).unwrap();
    assert!(d.take_local_updates().is_empty(), "a load is not re-sent");
    assert!(!d.can_undo(), "a load is not undoable");
    d.drain_changes();

    // Remote edits after the load reach the change stream.
    let a = src.node_ids()[0].clone();
    src.take_local_updates();
    src.set_sphere_radius(a.as_str(), 4.0).unwrap();
    for update in src.take_local_updates() {
        d.apply_update_v1(&update).unwrap();
    }
    assert!(
        matches!(&d.drain_changes()[..], [SceneChange::NodeUpdated { node, .. }] if node.id == a)
    );

    // Local edits are observed, sent and undoable; undo leaves the loaded nodes alone.
    let mine = d.add_box([0.0; 3], [1.0; 3]).unwrap();
    assert!(mine.as_str().starts_with("4-"));
    assert_eq!(d.take_local_updates().len(), 1);
    assert!(matches!(&d.drain_changes()[..], [SceneChange::NodeAdded(n)] if n.id == mine));
    assert!(d.undo().unwrap());
    assert_eq!(d.drain_changes(), vec![SceneChange::NodeRemoved(mine)]);
    assert!(!d.undo().unwrap());
    assert_eq!(d.snapshot(), src.snapshot());
    // The state vector after a load answers diffs for the source.
    let diff = src.encode_diff_v1(&d.state_vector_v1()).unwrap();
    d.apply_update_v1(&diff).unwrap();
    assert_eq!(d.snapshot(), src.snapshot());
}

#[test]
fn a_loaded_document_keeps_the_injected_clock() {
    fn frozen() -> u64 {
        42
    }
    // A frozen clock merges every edit into one undo step. Had the adopted undo manager lost the
    // injected clock, it would step past the capture timeout on every edit instead.
    let mut d = SceneDoc::with_clock(Some(5), frozen);
    d.apply_update_v1(&source().encode_state_v1()).unwrap();
    let a = d.add_sphere([0.0; 3], 1.0).unwrap();
    d.set_sphere_radius(a.as_str(), 2.0).unwrap();
    d.set_name(a.as_str(), "merged").unwrap();
    assert!(d.undo().unwrap());
    assert!(
        d.node(a.as_str()).is_none(),
        "one step: add, radius and name"
    );
    assert_eq!(d.snapshot(), source().snapshot());
}

#[test]
fn an_update_with_missing_dependencies_stays_pending_after_a_load() {
    let mut src = SceneDoc::with_client_id(8);
    let a = src.add_sphere([0.0; 3], 1.0).unwrap();
    let first = src.take_local_updates();
    src.set_sphere_radius(a.as_str(), 3.0).unwrap();
    let second = src.take_local_updates();
    let mut d = SceneDoc::with_client_id(6);
    // The edit arrives before the node it edits: yrs holds it pending.
    d.apply_update_v1(&second[0]).unwrap();
    assert!(d.is_empty());
    d.apply_update_v1(&first[0]).unwrap();
    assert_eq!(d.snapshot(), src.snapshot());
    let _ = d.encode_state_v2();
}
