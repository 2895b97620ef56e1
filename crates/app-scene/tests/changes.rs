//! The change stream: local and remote edits, subtree propagation, removal, light, background.

use app_core::{NodeFields, SceneChange};
use app_scene::SceneDoc;

fn ids(changes: &[SceneChange]) -> Vec<(String, &'static str)> {
    changes
        .iter()
        .map(|c| match c {
            SceneChange::NodeAdded(n) => (n.id.to_string(), "added"),
            SceneChange::NodeUpdated { node, .. } => (node.id.to_string(), "updated"),
            SceneChange::NodeRemoved(id) => (id.to_string(), "removed"),
            SceneChange::LightChanged(_) => ("light".to_owned(), "light"),
            SceneChange::BackgroundChanged(_) => ("background".to_owned(), "background"),
            SceneChange::AssetAdded(id) => (id.to_hex(), "asset"),
        })
        .collect()
}

#[test]
fn local_edits_appear_once_with_their_fields() {
    let mut d = SceneDoc::with_client_id(1);
    assert!(d.drain_changes().is_empty());
    let a = d.add_sphere([0.0; 3], 1.0).unwrap();
    let changes = d.drain_changes();
    assert!(matches!(&changes[..], [SceneChange::NodeAdded(n)] if n.id == a));
    assert!(d.drain_changes().is_empty(), "drained");
    d.set_base_color(a.as_str(), [1.0, 0.0, 0.0]).unwrap();
    d.set_sphere_radius(a.as_str(), 2.0).unwrap();
    match &d.drain_changes()[..] {
        [SceneChange::NodeUpdated { node, fields }] => {
            assert_eq!(*fields, NodeFields::MATERIAL | NodeFields::SHAPE);
            assert_eq!(node.material.base_color.x, 1.0);
        }
        other => panic!("{other:?}"),
    }
    d.set_name(a.as_str(), "x").unwrap();
    d.set_visible(a.as_str(), false).unwrap();
    assert!(
        matches!(&d.drain_changes()[..], [SceneChange::NodeUpdated { fields, .. }] if *fields == NodeFields::NAME | NodeFields::VISIBLE)
    );
    d.remove_node(a.as_str()).unwrap();
    assert_eq!(d.drain_changes(), vec![SceneChange::NodeRemoved(a)]);
}

#[test]
fn added_then_removed_before_a_drain_is_silent() {
    let mut d = SceneDoc::with_client_id(1);
    let a = d.add_sphere([0.0; 3], 1.0).unwrap();
    d.remove_node(a.as_str()).unwrap();
    assert!(d.drain_changes().is_empty());
}

#[test]
fn moving_a_parent_reports_its_subtree_parents_first() {
    let mut d = SceneDoc::with_client_id(1);
    let a = d.add_sphere([0.0; 3], 1.0).unwrap();
    let b = d.add_sphere([0.0; 3], 1.0).unwrap();
    let c = d.add_sphere([0.0; 3], 1.0).unwrap();
    let unrelated = d.add_sphere([0.0; 3], 1.0).unwrap();
    d.set_parent(b.as_str(), Some(a.as_str())).unwrap();
    d.set_parent(c.as_str(), Some(b.as_str())).unwrap();
    let first = d.drain_changes();
    assert_eq!(first.len(), 4);
    d.set_translation(a.as_str(), [1.0, 0.0, 0.0]).unwrap();
    let changes = d.drain_changes();
    assert_eq!(
        ids(&changes),
        vec![
            (a.to_string(), "updated"),
            (b.to_string(), "updated"),
            (c.to_string(), "updated")
        ]
    );
    for change in &changes {
        let SceneChange::NodeUpdated { fields, .. } = change else {
            panic!()
        };
        assert!(fields.contains(NodeFields::TRANSFORM));
    }
    assert!(
        !ids(&changes)
            .iter()
            .any(|(id, _)| *id == unrelated.to_string())
    );
    // Reparenting b moves b and c.
    d.set_parent(b.as_str(), None).unwrap();
    let changes = d.drain_changes();
    assert_eq!(
        ids(&changes),
        vec![(b.to_string(), "updated"), (c.to_string(), "updated")]
    );
    assert!(
        matches!(&changes[0], SceneChange::NodeUpdated { node, fields } if node.parent.is_none() && fields.contains(NodeFields::PLACEMENT))
    );
}

#[test]
fn remote_edits_and_light_appear_too() {
    let mut p1 = SceneDoc::with_client_id(1);
    let mut p2 = SceneDoc::with_client_id(2);
    let a = p1.add_box([0.0; 3], [1.0; 3]).unwrap();
    p1.set_light([0.0, -1.0, 0.0], [1.0; 3], 2.0).unwrap();
    for u in p1.take_local_updates() {
        p2.apply_update_v1(&u).unwrap();
    }
    let changes = p2.drain_changes();
    assert_eq!(
        ids(&changes),
        vec![
            (a.to_string(), "added"),
            ("light".to_owned(), "light"),
            ("background".to_owned(), "background")
        ]
    );
    p1.set_translation(a.as_str(), [0.0, 5.0, 0.0]).unwrap();
    p2.apply_update_v1(&p1.encode_diff_v1(&p2.state_vector_v1()).unwrap())
        .unwrap();
    assert!(
        matches!(&p2.drain_changes()[..], [SceneChange::NodeUpdated { fields, .. }] if *fields == NodeFields::TRANSFORM)
    );
    p1.remove_node(a.as_str()).unwrap();
    p2.apply_update_v2(&p1.encode_state_v2()).unwrap();
    assert_eq!(p2.drain_changes(), vec![SceneChange::NodeRemoved(a)]);
}

#[test]
fn undo_of_a_removal_re_adds_the_subtree() {
    let mut d = SceneDoc::with_client_id(1);
    let a = d.add_sphere([0.0; 3], 1.0).unwrap();
    let b = d.add_sphere([0.0; 3], 1.0).unwrap();
    d.set_parent(b.as_str(), Some(a.as_str())).unwrap();
    d.end_undo_step();
    d.drain_changes();
    d.remove_node(a.as_str()).unwrap();
    assert_eq!(d.drain_changes().len(), 2);
    assert!(d.undo().unwrap());
    let changes = d.drain_changes();
    assert_eq!(
        ids(&changes),
        vec![(a.to_string(), "added"), (b.to_string(), "added")]
    );
    assert_eq!(d.node(b.as_str()).unwrap().parent, Some(a));
}

#[test]
fn drain_cost_does_not_depend_on_document_size() {
    // Functional check (timings are in the bench): one edit yields one change in a large document.
    let mut d = SceneDoc::with_client_id(1);
    let ids: Vec<_> = (0..2000)
        .map(|i| d.add_sphere([i as f64, 0.0, 0.0], 1.0).unwrap())
        .collect();
    assert_eq!(d.drain_changes().len(), 2000);
    d.set_sphere_radius(ids[1234].as_str(), 3.0).unwrap();
    assert_eq!(d.drain_changes().len(), 1);
}
