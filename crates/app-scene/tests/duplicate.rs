//! `SceneDoc::duplicate`: a deep copy of a subtree under the same parent, right after the original,
//! with new ids, every stored value as stored, children in order; one undo step; peers converge.

// A test file: its helpers may unwrap, expect and panic too (clippy.toml allows it in #[test] fns only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, HashSet};

use app_core::{Node, NodeId, SceneChange};
use app_scene::{SceneDoc, SceneError};
use yrs::updates::decoder::Decode;
use yrs::{Any, Doc, Map, MapRef, Out, ReadTxn, Transact};

/// The scene the tests copy from, with its ids by role.
struct Scene {
    doc: SceneDoc,
    /// The parent of the subtree copied.
    parent: NodeId,
    /// The root of the subtree copied, and its children `a` (with child `c`) and `b`.
    root: NodeId,
    a: NodeId,
    b: NodeId,
    c: NodeId,
    /// The root's next sibling.
    after: NodeId,
}

/// `parent` > [`root` > [`a` > [`c`], `b`], `after`], every field set to numbers that are not
/// f32 values, so "as stored" is visible.
fn scene(client_id: u64) -> Scene {
    let mut d = SceneDoc::with_client_id(client_id);
    let parent = d.add_plane([0.0; 3], 10.0).unwrap();
    let root = d.add_sphere([1.6, 0.1, -0.3], 0.7).unwrap();
    let after = d.add_sphere([5.0, 0.0, 0.0], 1.0).unwrap();
    let a = d.add_box([0.1, 0.2, 0.3], [0.3, 0.2, 0.1]).unwrap();
    let b = d.add_plane([0.0, -1.1, 0.0], 2.2).unwrap();
    let c = d.add_sphere([0.0, 0.7, 0.0], 0.3).unwrap();
    for (child, parent) in [
        (&root, &parent),
        (&after, &parent),
        (&a, &root),
        (&b, &root),
        (&c, &a),
    ] {
        d.set_parent(child.as_str(), Some(parent.as_str())).unwrap();
    }
    // `b` before `a`: sibling order is not creation order.
    d.move_before(b.as_str(), Some(a.as_str())).unwrap();
    d.set_name(root.as_str(), "root").unwrap();
    d.set_name(a.as_str(), "a").unwrap();
    d.set_name(c.as_str(), "c").unwrap();
    d.set_rotation(root.as_str(), [0.1, 0.2, 0.3, 0.4]).unwrap();
    d.set_scale(a.as_str(), [1.1, 0.9, 1.3]).unwrap();
    d.set_base_color(c.as_str(), [0.1, 0.2, 0.3]).unwrap();
    d.set_metallic_roughness(c.as_str(), 0.3, 0.7).unwrap();
    d.set_emissive(b.as_str(), [2.5, 0.0, 10.1]).unwrap();
    d.set_visible(b.as_str(), false).unwrap();
    d.end_undo_step();
    d.drain_changes();
    d.take_local_updates();
    Scene {
        doc: d,
        parent,
        root,
        a,
        b,
        c,
        after,
    }
}

/// The subtree under `id`, depth first in sibling order: (depth, node).
fn subtree(d: &SceneDoc, id: &NodeId) -> Vec<(usize, Node)> {
    fn walk(d: &SceneDoc, id: &NodeId, depth: usize, out: &mut Vec<(usize, Node)>) {
        out.push((depth, d.node(id.as_str()).unwrap()));
        for child in d.children(Some(id.as_str())) {
            walk(d, &child, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(d, id, 0, &mut out);
    out
}

/// Every stored key of node `id` as a Yjs peer sees it (loaded from the encoded state).
fn stored(d: &SceneDoc, id: &str) -> BTreeMap<String, Any> {
    let raw = Doc::new();
    let nodes: MapRef = raw.get_or_insert_map("nodes");
    raw.transact_mut()
        .apply_update(yrs::Update::decode_v1(&d.encode_state_v1()).unwrap())
        .unwrap();
    let txn = raw.transact();
    let Some(Out::YMap(node)) = nodes.get(&txn, id) else {
        panic!("{id} is not a node map")
    };
    node.iter(&txn)
        .map(|(k, v)| match v {
            Out::Any(any) => (k.to_owned(), any),
            other => panic!("{k}: {other:?}"),
        })
        .collect()
}

#[test]
fn copies_a_three_level_subtree_with_new_ids() {
    let Scene {
        doc: mut d,
        parent,
        root,
        a,
        b,
        c,
        after,
    } = scene(0xab);
    let before = d.snapshot();
    let original = subtree(&d, &root);
    assert_eq!(
        original
            .iter()
            .map(|(_, n)| n.id.clone())
            .collect::<Vec<_>>(),
        [root.clone(), b.clone(), a.clone(), c.clone()]
    );

    let copy = d.duplicate(root.as_str()).unwrap();
    assert_eq!(d.take_local_updates().len(), 1, "one transaction");

    // Right after the original, under the same parent.
    assert_eq!(
        d.children(Some(parent.as_str())),
        [root.clone(), copy.clone(), after.clone()]
    );
    let copied = subtree(&d, &copy);
    assert_eq!(copied.len(), 4);
    let old_ids: HashSet<NodeId> = before.iter().map(|n| n.id.clone()).collect();
    for ((depth, from), (copy_depth, to)) in original.iter().zip(&copied) {
        assert_eq!(depth, copy_depth, "same shape");
        assert!(!old_ids.contains(&to.id), "{:?} is not new", to.id);
        assert!(
            to.id.as_str().starts_with("ab-"),
            "the add_node scheme: {:?}",
            to.id
        );
        // Same values, read as drawn and as stored.
        assert_eq!(
            Node {
                id: from.id.clone(),
                parent: from.parent.clone(),
                ..to.clone()
            },
            *from
        );
        assert_eq!(
            d.node_numbers(to.id.as_str()),
            d.node_numbers(from.id.as_str())
        );
        let (mut from_raw, mut to_raw) = (stored(&d, from.id.as_str()), stored(&d, to.id.as_str()));
        from_raw.remove("placement");
        to_raw.remove("placement");
        assert_eq!(from_raw, to_raw, "every stored key copied as stored");
    }
    assert_eq!(
        d.node_numbers(copied[0].1.id.as_str()).unwrap().translation,
        [1.6, 0.1, -0.3]
    );
    // Parent links point inside the copy.
    let ids: Vec<NodeId> = copied.iter().map(|(_, n)| n.id.clone()).collect();
    assert_eq!(copied[0].1.parent.as_ref(), Some(&parent));
    assert_eq!(copied[1].1.parent.as_ref(), Some(&ids[0]), "copy of b");
    assert_eq!(copied[2].1.parent.as_ref(), Some(&ids[0]), "copy of a");
    assert_eq!(copied[3].1.parent.as_ref(), Some(&ids[2]), "copy of c");
    assert_eq!(copied[3].1.name, "c");
    // The original is untouched.
    for node in &before {
        assert_eq!(d.node(node.id.as_str()).as_ref(), Some(node));
    }
    assert_eq!(subtree(&d, &root), original);
    // The change stream announces the copy, parents first.
    let changes = d.drain_changes();
    let added: Vec<NodeId> = changes
        .iter()
        .map(|c| match c {
            SceneChange::NodeAdded(n) => n.id.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(added.len(), 4);
    assert_eq!(added[0], ids[0]);
    assert_eq!(added[3], ids[3]);
    assert!(d.drain_problems().is_empty());
    // A copy of a copy, and of a root (last among the roots when it is the last one).
    let again = d.duplicate(copy.as_str()).unwrap();
    assert_eq!(subtree(&d, &again).len(), 4);
    let roots = d.children(None);
    let top = d.duplicate(parent.as_str()).unwrap();
    assert_eq!(d.children(None), [roots, vec![top.clone()]].concat());
    assert_eq!(subtree(&d, &top).len(), 1 + 3 * 4 + 1);
}

#[test]
fn undo_removes_the_whole_copy_and_redo_restores_it() {
    let mut s = scene(1);
    let d = &mut s.doc;
    let before = d.snapshot();
    let copy = d.duplicate(s.root.as_str()).unwrap();
    let with_copy = d.snapshot();
    assert_eq!(with_copy.len(), before.len() + 4);
    assert!(d.undo().unwrap());
    assert_eq!(d.snapshot(), before, "one undo step removes all four");
    assert!(d.node(copy.as_str()).is_none());
    assert!(d.redo().unwrap());
    assert_eq!(d.snapshot(), with_copy);
}

#[test]
fn unknown_ids_error_and_change_nothing() {
    let mut s = scene(1);
    let d = &mut s.doc;
    let state = d.encode_state_v1();
    assert_eq!(
        d.duplicate("nope"),
        Err(SceneError::UnknownNode("nope".to_owned()))
    );
    assert!(matches!(d.duplicate(""), Err(SceneError::Id(_))));
    assert_eq!(d.encode_state_v1(), state);
    assert!(d.take_local_updates().is_empty());
    assert!(d.drain_changes().is_empty());
}

#[test]
fn keys_this_crate_does_not_know_are_copied_too() {
    // A peer (a newer schema, say) adds a key to a node.
    let mut d = SceneDoc::with_client_id(1);
    let s = d.add_sphere([0.0; 3], 1.0).unwrap();
    let peer = Doc::with_client_id(5);
    let nodes = peer.get_or_insert_map("nodes");
    peer.transact_mut()
        .apply_update(yrs::Update::decode_v1(&d.encode_state_v1()).unwrap())
        .unwrap();
    let before = peer.transact().state_vector();
    {
        let mut txn = peer.transact_mut();
        let Some(Out::YMap(node)) = nodes.get(&txn, s.as_str()) else {
            panic!("no node")
        };
        node.insert(&mut txn, "future", Any::from("kept"));
    }
    let update = peer.transact().encode_diff_v1(&before);
    d.apply_update_v1(&update).unwrap();
    let copy = d.duplicate(s.as_str()).unwrap();
    assert_eq!(
        stored(&d, copy.as_str()).get("future"),
        Some(&Any::from("kept"))
    );
}

#[test]
fn replicas_converge_after_a_concurrent_duplicate() {
    let mut s = scene(1);
    let mut peer = SceneDoc::with_client_id(2);
    peer.apply_update_v1(&s.doc.encode_state_v1()).unwrap();
    // Concurrently: one replica copies the subtree, the other edits and moves inside it.
    let copy = s.doc.duplicate(s.root.as_str()).unwrap();
    peer.set_name(s.c.as_str(), "renamed").unwrap();
    peer.set_translation(s.a.as_str(), [0.7, 0.7, 0.7]).unwrap();
    peer.duplicate(s.a.as_str()).unwrap();
    let to_peer = s.doc.take_local_updates();
    let to_doc = peer.take_local_updates();
    for u in to_peer {
        peer.apply_update_v1(&u).unwrap();
    }
    for u in to_doc {
        s.doc.apply_update_v1(&u).unwrap();
    }
    assert_eq!(s.doc.snapshot(), peer.snapshot());
    for id in s.doc.node_ids() {
        assert_eq!(
            s.doc.node_numbers(id.as_str()),
            peer.node_numbers(id.as_str())
        );
        assert_eq!(
            s.doc.children(Some(id.as_str())),
            peer.children(Some(id.as_str()))
        );
    }
    // The copy was made before the edits arrived: it keeps the values it copied.
    let copied = subtree(&peer, &copy);
    assert_eq!(copied.len(), 4);
    assert_eq!(copied[3].1.name, "c");
    assert_eq!(s.doc.node(s.c.as_str()).unwrap().name, "renamed");
    // The peer's copy of `a` sits right after `a`.
    let under_root = peer.children(Some(s.root.as_str()));
    assert_eq!(under_root.len(), 3);
    assert_eq!(under_root[..2], [s.b.clone(), s.a.clone()]);
}
