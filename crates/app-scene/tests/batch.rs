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

/// Every read a caller can make, as one comparable value.
fn reads(doc: &SceneDoc) -> String {
    let ids = doc.node_ids();
    let nodes: Vec<_> = ids.iter().map(|id| doc.node(id.as_str())).collect();
    let numbers: Vec<_> = ids
        .iter()
        .map(|id| format!("{:?}", doc.node_numbers(id.as_str())))
        .collect();
    format!(
        "{ids:?} {nodes:?} {numbers:?} {:?} {} {:?} {}",
        doc.children(None),
        doc.len(),
        doc.snapshot(),
        doc.can_undo()
    )
}

#[test]
fn nodes_added_in_a_batch_read_back_at_once_as_unbatched_ones_do() {
    // Same client id, same calls: one batched, one not. Every read agrees after every call.
    let (mut batched, mut plain) = (replica(7), replica(7));
    batched.begin_batch().unwrap();
    for i in 0..20 {
        let x = f64::from(i);
        let (a, b) = match i % 3 {
            0 => (
                batched.add_sphere([x, 0.0, 0.0], 0.5).unwrap(),
                plain.add_sphere([x, 0.0, 0.0], 0.5).unwrap(),
            ),
            1 => (
                batched.add_box([x, 1.0, 0.0], [1.0, 2.0, 3.0]).unwrap(),
                plain.add_box([x, 1.0, 0.0], [1.0, 2.0, 3.0]).unwrap(),
            ),
            _ => (
                batched.add_plane([x, 0.0, 2.0], 4.0).unwrap(),
                plain.add_plane([x, 0.0, 2.0], 4.0).unwrap(),
            ),
        };
        assert_eq!(a, b);
        assert!(batched.node(a.as_str()).is_some(), "node {i} reads back");
        assert_eq!(reads(&batched), reads(&plain), "after add {i}");
    }
    batched.end_batch().unwrap();
    assert_eq!(reads(&batched), reads(&plain));
    let peer = copy_of(&batched, 9);
    assert_eq!(
        peer.snapshot(),
        plain.snapshot(),
        "the encoded state holds them"
    );
}

#[test]
fn staged_nodes_can_be_edited_parented_removed_and_undone_inside_the_batch() {
    let mut doc = replica(3);
    let mut peer = replica(4);
    let from_peer = peer.add_sphere([9.0, 9.0, 9.0], 1.0).unwrap();
    doc.drain_changes();

    doc.begin_batch().unwrap();
    let parent = doc.add_box([0.0; 3], [1.0; 3]).unwrap();
    let child = doc.add_sphere([1.0, 0.0, 0.0], 0.5).unwrap();
    doc.set_parent(child.as_str(), Some(parent.as_str()))
        .unwrap();
    assert_eq!(doc.children(Some(parent.as_str())), vec![child.clone()]);
    let gone = doc.add_plane([0.0; 3], 1.0).unwrap();
    let kept = doc.add_plane([0.0, 1.0, 0.0], 1.0).unwrap();
    doc.remove_node(gone.as_str()).unwrap();
    let copy = doc.duplicate(kept.as_str()).unwrap();
    doc.set_name(copy.as_str(), "copy").unwrap();
    let late = doc.add_sphere([2.0, 0.0, 0.0], 0.25).unwrap();
    // A peer's update in the middle of the batch: the staged node is kept, the peer's arrives.
    doc.apply_update_v1(&peer.encode_state_v1()).unwrap();
    assert!(doc.node(late.as_str()).is_some());
    assert!(doc.node(from_peer.as_str()).is_some());
    let last = doc.add_sphere([3.0, 0.0, 0.0], 0.25).unwrap();
    doc.end_batch().unwrap();

    // Every added node is announced once; the removed one never (or removed).
    let added: Vec<String> = doc
        .drain_changes()
        .into_iter()
        .filter_map(|c| match c {
            app_core::SceneChange::NodeAdded(node) => Some(node.id.to_string()),
            _ => None,
        })
        .collect();
    for id in [&parent, &child, &kept, &copy, &late, &last, &from_peer] {
        assert!(added.contains(&id.to_string()), "{id} announced");
    }
    assert!(!added.contains(&gone.to_string()));
    assert_eq!(doc.len(), 7);
    assert_eq!(doc.node(copy.as_str()).unwrap().name, "copy");

    // Undo: the removal was its own step, then the rest of the batch; the peer's node stays.
    while doc.undo().unwrap() {}
    assert_eq!(doc.node_ids(), vec![from_peer]);
}
