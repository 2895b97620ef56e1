//! Batches: many edits as one undo step and one local update; an aborted batch leaves nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // test code

use app_scene::SceneDoc;

/// A replica whose undo clock never advances on its own (every edit would merge): the batch must
/// make the grouping, not the clock. Each edit here is 1 s apart unless batched.
fn replica(client: u64) -> SceneDoc {
    fn slow_clock() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static T: AtomicU64 = AtomicU64::new(1_000_000);
        T.fetch_add(1_000, Ordering::Relaxed)
    }
    SceneDoc::with_clock(Some(client), slow_clock)
}

fn copy_of(doc: &SceneDoc, client: u64) -> SceneDoc {
    let mut other = replica(client);
    other.apply_update_v1(&doc.encode_state_v1()).unwrap();
    other
}

#[test]
fn a_batch_is_one_local_update_and_one_undo_step() {
    let mut doc = replica(1);
    let first = doc.add_sphere([0.0; 3], 1.0).unwrap();
    doc.take_local_updates();
    let mut peer = copy_of(&doc, 2);

    doc.begin_batch().unwrap();
    let mut ids = Vec::new();
    for i in 0..50 {
        ids.push(doc.add_box([i as f64, 0.0, 0.0], [1.0; 3]).unwrap());
    }
    doc.set_translation(first.as_str(), [5.0, 0.0, 0.0])
        .unwrap();
    assert!(
        doc.take_local_updates().is_empty(),
        "nothing leaves before the end"
    );
    doc.end_batch().unwrap();

    let updates = doc.take_local_updates();
    assert_eq!(updates.len(), 1, "one merged update");
    peer.apply_update_v1(&updates[0]).unwrap();
    assert_eq!(
        peer.node_ids(),
        doc.node_ids(),
        "the one update carries every edit"
    );
    assert_eq!(doc.len(), 51);

    assert!(doc.undo().unwrap());
    assert_eq!(doc.len(), 1, "one undo removes the whole batch");
    assert_eq!(
        doc.node(first.as_str()).unwrap().transform.translation.x,
        0.0
    );
    assert!(
        doc.undo().unwrap(),
        "the edit before the batch is its own step"
    );
    assert!(doc.is_empty());
}

#[test]
fn an_aborted_batch_leaves_the_document_and_redo_as_they_were_and_peers_agree() {
    let mut doc = replica(3);
    let a = doc.add_sphere([0.0; 3], 1.0).unwrap();
    let mut peer = copy_of(&doc, 4);
    doc.take_local_updates();
    let before = doc.snapshot();

    doc.begin_batch().unwrap();
    doc.add_plane([0.0; 3], 3.0).unwrap();
    doc.set_sphere_radius(a.as_str(), 2.0).unwrap();
    doc.remove_node(a.as_str()).unwrap();
    doc.add_box([1.0; 3], [1.0; 3]).unwrap();
    doc.abort_batch().unwrap();

    assert_eq!(doc.snapshot(), before, "nothing of the batch stays");
    assert!(!doc.can_redo(), "the aborted batch cannot be redone");
    assert!(doc.can_undo(), "earlier history stays");
    for update in doc.take_local_updates() {
        peer.apply_update_v1(&update).unwrap();
    }
    assert_eq!(peer.snapshot(), before, "the peer sees the same document");
    // A later edit still syncs (no gap in this replica's clock at the peer).
    doc.set_sphere_radius(a.as_str(), 3.0).unwrap();
    for update in doc.take_local_updates() {
        peer.apply_update_v1(&update).unwrap();
    }
    assert_eq!(peer.snapshot(), doc.snapshot());
}

#[test]
fn nested_batches_count_as_one_and_an_empty_batch_sends_nothing() {
    let mut doc = replica(5);
    doc.begin_batch().unwrap();
    doc.end_batch().unwrap();
    assert!(doc.take_local_updates().is_empty());
    assert!(!doc.can_undo());

    doc.begin_batch().unwrap();
    doc.add_sphere([0.0; 3], 1.0).unwrap();
    doc.begin_batch().unwrap();
    doc.add_sphere([1.0; 3], 1.0).unwrap();
    doc.end_batch().unwrap();
    assert!(
        doc.in_batch(),
        "the inner end does not close the outer batch"
    );
    doc.add_sphere([2.0; 3], 1.0).unwrap();
    doc.end_batch().unwrap();
    assert!(!doc.in_batch());
    assert_eq!(doc.take_local_updates().len(), 1);
    assert!(doc.undo().unwrap());
    assert!(doc.is_empty());
    assert!(!doc.can_undo());
    // Outside a batch, edits a second apart are separate steps again.
    doc.add_sphere([0.0; 3], 1.0).unwrap();
    doc.add_sphere([0.0; 3], 1.0).unwrap();
    assert_eq!(doc.take_local_updates().len(), 3, "the undo and two edits");
    assert!(doc.undo().unwrap());
    assert_eq!(doc.len(), 1);
}
