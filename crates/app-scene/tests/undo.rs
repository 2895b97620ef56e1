//! Undo/redo: local only, merging rapid edits, never reverting a peer's edit.

// A test file: its helpers may unwrap, expect and panic too (clippy.toml allows it in #[test] fns only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use app_core::Shape;
use app_core::glam::Vec3;
use app_scene::SceneDoc;

fn sync(from: &mut SceneDoc, to: &mut SceneDoc) {
    to.apply_update_v1(&from.encode_diff_v1(&to.state_vector_v1()).unwrap())
        .unwrap();
}

#[test]
fn undo_and_redo_an_add() {
    let mut d = SceneDoc::with_client_id(1);
    assert!(!d.undo().unwrap(), "nothing to undo");
    let a = d.add_sphere([0.0; 3], 1.0).unwrap();
    assert!(d.can_undo());
    assert!(d.undo().unwrap());
    assert!(d.node(a.as_str()).is_none());
    assert!(d.redo().unwrap());
    assert_eq!(
        d.node(a.as_str()).unwrap().shape,
        Shape::Sphere { radius: 1.0 }
    );
    assert!(!d.redo().unwrap());
}

#[test]
fn rapid_edits_merge_into_one_step() {
    let mut d = SceneDoc::with_client_id(1);
    let a = d.add_sphere([0.0; 3], 1.0).unwrap();
    d.end_undo_step();
    for i in 1..=20 {
        d.set_translation(a.as_str(), [f64::from(i), 0.0, 0.0])
            .unwrap();
    }
    d.end_undo_step();
    d.set_sphere_radius(a.as_str(), 2.0).unwrap();
    assert!(d.undo().unwrap());
    assert_eq!(
        d.node(a.as_str()).unwrap().shape,
        Shape::Sphere { radius: 1.0 }
    );
    assert_eq!(
        d.node(a.as_str()).unwrap().transform.translation,
        Vec3::new(20.0, 0.0, 0.0)
    );
    assert!(d.undo().unwrap(), "the whole drag is one step");
    assert_eq!(
        d.node(a.as_str()).unwrap().transform.translation,
        Vec3::ZERO
    );
}

/// An unbroken stream of edits (a script moving a node every frame) becomes steps of at most
/// `MAX_STEP_EDITS` edits: yrs rebuilds a step's id set on every edit merged into it, so one endless
/// step would make each edit slower than the last.
#[test]
fn an_endless_stream_of_edits_is_cut_into_bounded_steps() {
    fn sixty_hertz() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static T: AtomicU64 = AtomicU64::new(1_000_000);
        T.fetch_add(16, Ordering::Relaxed)
    }
    let mut d = SceneDoc::with_clock(Some(1), sixty_hertz);
    let a = d.add_sphere([0.0; 3], 1.0).unwrap();
    d.end_undo_step();
    let edits = 2 * app_scene::MAX_STEP_EDITS + 100;
    for i in 1..=edits {
        d.set_translation(a.as_str(), [f64::from(i), 0.0, 0.0])
            .unwrap();
    }
    let x = |d: &SceneDoc| d.node(a.as_str()).unwrap().transform.translation.x;
    let mut steps = Vec::new();
    while x(&d) != 0.0 {
        assert!(d.undo().unwrap());
        steps.push(x(&d));
    }
    // Three steps back to the start: about MAX_STEP_EDITS edits each, the last one shorter.
    assert_eq!(steps.len(), 3, "{steps:?}");
    let size = app_scene::MAX_STEP_EDITS as f32;
    assert!((edits as f32 - steps[0] - 100.0).abs() <= 2.0, "{steps:?}");
    assert!((steps[0] - steps[1] - size).abs() <= 2.0, "{steps:?}");
    assert!(d.undo().unwrap(), "then the add");
    assert!(d.node(a.as_str()).is_none());
}

#[test]
fn without_a_clock_source_every_edit_is_a_step() {
    fn frozen() -> u64 {
        42
    }
    // A frozen clock means "all at once": everything merges.
    let mut d = SceneDoc::with_clock(Some(1), frozen);
    let a = d.add_sphere([0.0; 3], 1.0).unwrap();
    d.set_sphere_radius(a.as_str(), 2.0).unwrap();
    assert!(d.undo().unwrap());
    assert!(d.node(a.as_str()).is_none());
}

#[test]
fn undo_never_reverts_a_peer_edit() {
    let mut p1 = SceneDoc::with_client_id(1);
    let mut p2 = SceneDoc::with_client_id(2);
    let a = p1.add_sphere([0.0; 3], 1.0).unwrap();
    p1.end_undo_step();
    p1.set_name(a.as_str(), "mine").unwrap();
    p1.end_undo_step();
    sync(&mut p1, &mut p2);
    // p1 edits the radius, then p2 overwrites it: undoing p1's edit must not bring back 1.0 over
    // p2's 3.0. yrs (like Yjs) skips a step that only conflicts and undoes the one before it.
    p1.set_sphere_radius(a.as_str(), 2.0).unwrap();
    sync(&mut p1, &mut p2);
    p2.set_sphere_radius(a.as_str(), 3.0).unwrap();
    p2.set_base_color(a.as_str(), [0.0, 1.0, 0.0]).unwrap();
    sync(&mut p2, &mut p1);
    assert!(p1.undo().unwrap());
    let node = p1.node(a.as_str()).unwrap();
    assert_eq!(node.shape, Shape::Sphere { radius: 3.0 });
    assert_eq!(node.material.base_color, Vec3::Y);
    assert_eq!(node.name, "", "p1's own earlier step was undone instead");
    sync(&mut p1, &mut p2);
    assert_eq!(p1.snapshot(), p2.snapshot());
    // A node a peer added survives every undo here.
    let b = p2.add_box([0.0; 3], [1.0; 3]).unwrap();
    sync(&mut p2, &mut p1);
    while p1.undo().unwrap() {}
    assert!(p1.node(b.as_str()).is_some());
    assert!(p1.node(a.as_str()).is_none(), "p1's own add is undone");
}

#[test]
fn remote_updates_are_not_undoable_and_not_resent() {
    let mut p1 = SceneDoc::with_client_id(1);
    let mut p2 = SceneDoc::with_client_id(2);
    p1.add_sphere([0.0; 3], 1.0).unwrap();
    assert_eq!(p1.take_local_updates().len(), 1);
    sync(&mut p1, &mut p2);
    assert!(p2.take_local_updates().is_empty());
    assert!(!p2.can_undo());
    assert!(!p2.undo().unwrap());
    assert_eq!(p2.len(), 1);
    // Undo is a local edit: peers must hear about it.
    p1.undo().unwrap();
    let updates = p1.take_local_updates();
    assert_eq!(updates.len(), 1);
    p2.apply_update_v1(&updates[0]).unwrap();
    assert!(p2.is_empty());
}

/// An edit and a removal of the same node in one step, then undo: yrs 0.28.1 would restore the
/// edited entry under the deleted map in the encoded state (peers lose it) while the live map shows
/// it. A removal therefore starts its own step, and both replicas agree after each undo.
#[test]
fn undoing_an_edit_then_removal_keeps_peers_in_step() {
    let mut p1 = SceneDoc::with_client_id(2);
    let a = p1.add_sphere([0.0; 3], 2.0).unwrap();
    p1.end_undo_step();
    p1.set_sphere_radius(a.as_str(), 3.0).unwrap();
    p1.set_base_color(a.as_str(), [1.0, 0.0, 0.0]).unwrap();
    p1.remove_node(a.as_str()).unwrap();
    let encoded_matches_live = |d: &SceneDoc| {
        let mut copy = SceneDoc::with_client_id(9);
        copy.apply_update_v1(&d.encode_state_v1()).unwrap();
        assert_eq!(d.snapshot(), copy.snapshot());
    };
    assert!(p1.undo().unwrap(), "the removal");
    let node = p1.node(a.as_str()).unwrap();
    assert_eq!(node.shape, Shape::Sphere { radius: 3.0 });
    assert_eq!(node.material.base_color, Vec3::X);
    encoded_matches_live(&p1);
    assert!(p1.undo().unwrap(), "the edits");
    assert_eq!(
        p1.node(a.as_str()).unwrap().shape,
        Shape::Sphere { radius: 2.0 }
    );
    encoded_matches_live(&p1);
    assert!(p1.redo().unwrap() && p1.redo().unwrap());
    assert!(p1.node(a.as_str()).is_none());
    encoded_matches_live(&p1);
}
