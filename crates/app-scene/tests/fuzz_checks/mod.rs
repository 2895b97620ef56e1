//! The checks behind the cargo-fuzz targets in `fuzz/` and the native replay of their corpus
//! (`tests/fuzz_replay.rs`). One source for both: the fuzz targets include this module by path, so a
//! crasher found by the fuzzer fails `cargo test` on stable the same way.
//!
//! Each entry point takes the fuzzer's input, drives a [`SceneDoc`] and panics (an assertion) if an
//! invariant breaks: a panic escaping the crate's API, a rejected update that changed the document,
//! a node that is not valid, a change stream that disagrees with the snapshot, a document that no
//! longer saves, reloads or edits, two replicas that do not converge.

pub mod api;
pub mod document;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Once;

use app_core::glam::Vec3;
use app_core::{
    DirectionalLight, Node, NodeId, SceneChange, Shape, check_coordinate, check_emissive,
    check_size, check_unit,
};
use app_scene::{SceneDoc, SceneError};

/// Client id of the document under test. Small, so generated peers (`u8` ids) can collide with it.
pub const SUBJECT_ID: u64 = 7;
/// Client id of the replica that reloads the subject's saved state.
const RELOAD_ID: u64 = 0x5eed;

thread_local! {
    /// The undo clock, in milliseconds: under the input's control, so a run is reproducible.
    static NOW_MS: Cell<u64> = const { Cell::new(1) };
}

fn fake_clock() -> u64 {
    NOW_MS.with(Cell::get)
}

/// Moves the undo clock forward.
pub fn advance_clock(ms: u64) {
    NOW_MS.with(|now| now.set(now.get().saturating_add(ms)));
}

/// A document with a fixed client id and the input-controlled clock.
pub fn new_doc(client_id: u64) -> SceneDoc {
    SceneDoc::with_clock(Some(client_id), fake_clock)
}

/// Installs (once per process) a panic hook that stays silent for panics inside app-scene's guard
/// around yrs, which turns them into errors, and hands every other panic to the hook installed
/// before it. libFuzzer's hook aborts the process on any panic, which would make the guard's
/// deliberate `catch_unwind` look like a crash; chained this way it still aborts on every panic
/// that escapes the guard (the bugs we look for), with the stack intact.
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !app_scene::inside_panic_guard() {
                previous(info);
            }
        }));
    });
}

/// A small document with every kind of content the crate writes: three kinds, a parent link, a
/// name, a material, a light, a background, a removal (a delete set) and undo history.
pub fn base_doc() -> SceneDoc {
    let mut d = new_doc(SUBJECT_ID);
    let build = |d: &mut SceneDoc| -> Result<(), SceneError> {
        let a = d.add_sphere([1.0, 2.0, 3.0], 1.0)?;
        let b = d.add_box([0.0; 3], [1.0, 2.0, 3.0])?;
        let c = d.add_plane([0.0, -1.0, 0.0], 4.0)?;
        d.set_parent(b.as_str(), Some(a.as_str()))?;
        d.set_name(a.as_str(), "ball")?;
        d.set_base_color(c.as_str(), [0.1, 0.2, 0.3])?;
        d.set_light([1.0, -1.0, 0.0], [1.0; 3], 2.0)?;
        d.set_background([0.1, 0.2, 0.3])?;
        let gone = d.add_sphere([5.0; 3], 2.0)?;
        d.remove_node(gone.as_str())
    };
    build(&mut d).expect("building the base document");
    d
}

/// Panics unless `node` is something the renderer can draw: a valid id, finite in-range transform
/// with a unit rotation, sizes within the world limits, unit-range material, bounded name.
pub fn check_node(node: &Node) {
    let id = node.id.as_str();
    assert!(NodeId::new(id).is_ok(), "invalid id {id:?}");
    let t = &node.transform;
    for v in t.translation.to_array() {
        assert!(
            check_coordinate("translation", f64::from(v)).is_ok(),
            "{id}: translation {v}"
        );
    }
    for v in t.scale.to_array() {
        assert!(check_size("scale", f64::from(v)).is_ok(), "{id}: scale {v}");
    }
    assert!(
        t.rotation.is_finite() && (t.rotation.length() - 1.0).abs() < 1e-3,
        "{id}: rotation {:?}",
        t.rotation
    );
    let sizes: Vec<f32> = match node.shape {
        Shape::Sphere { radius } => vec![radius],
        Shape::Box { extents } => extents.to_array().to_vec(),
        Shape::Plane { size } => vec![size],
        Shape::Mesh { .. } | Shape::Group => vec![],
    };
    for v in sizes {
        assert!(check_size("size", f64::from(v)).is_ok(), "{id}: size {v}");
    }
    let m = &node.material;
    let unit = m
        .base_color
        .to_array()
        .into_iter()
        .chain([m.metallic, m.roughness]);
    for v in unit {
        assert!(
            check_unit("material", f64::from(v)).is_ok(),
            "{id}: material {m:?}"
        );
    }
    for v in m.emissive.to_array() {
        assert!(
            check_emissive("emissive", f64::from(v)).is_ok(),
            "{id}: material {m:?}"
        );
    }
    assert!(
        node.name.len() <= app_scene::MAX_NAME_BYTES,
        "{id}: name of {} bytes",
        node.name.len()
    );
    assert_ne!(
        node.parent.as_ref(),
        Some(&node.id),
        "{id} is its own parent"
    );
}

/// Panics unless `node`'s stored numbers (`node_numbers`) read as the f32 node does: each, cast
/// to f32, is the value drawn (the rotation to f32 rounding, as it is normalised in f64).
pub fn check_numbers(doc: &SceneDoc, node: &Node) {
    let id = node.id.as_str();
    let n = doc
        .node_numbers(id)
        .unwrap_or_else(|| panic!("{id}: a node without numbers"));
    let f32s = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let (t, m) = (&node.transform, &node.material);
    let pairs: [(&str, Vec<f32>, Vec<f32>); 6] = [
        (
            "translation",
            f32s(&n.translation),
            t.translation.to_array().to_vec(),
        ),
        ("scale", f32s(&n.scale), t.scale.to_array().to_vec()),
        ("color", f32s(&n.color), m.base_color.to_array().to_vec()),
        (
            "metallic, roughness",
            f32s(&[n.metallic, n.roughness]),
            vec![m.metallic, m.roughness],
        ),
        (
            "emissive",
            f32s(&n.emissive),
            m.emissive.to_array().to_vec(),
        ),
        (
            "shape",
            f32s(
                &n.radius
                    .into_iter()
                    .chain(n.extents.into_iter().flatten())
                    .chain(n.size)
                    .collect::<Vec<f64>>(),
            ),
            match node.shape {
                Shape::Sphere { radius } => vec![radius],
                Shape::Box { extents } => extents.to_array().to_vec(),
                Shape::Plane { size } => vec![size],
                Shape::Mesh { .. } | Shape::Group => vec![],
            },
        ),
    ];
    for (what, numbers, drawn) in pairs {
        assert_eq!(numbers, drawn, "{id}: {what} as stored vs as drawn");
    }
    let q = app_core::glam::Quat::from_array(n.rotation.map(|v| v as f32));
    assert!(
        q.abs_diff_eq(t.rotation, 1e-5),
        "{id}: rotation as stored {:?} vs as drawn {:?}",
        n.rotation,
        t.rotation
    );
}

/// Panics unless the light is drawable.
pub fn check_light(light: &DirectionalLight) {
    let d = light.direction_in_world;
    assert!(
        d.is_finite() && d.length_squared() > 0.0,
        "light direction {d}"
    );
    assert!(
        light.color.is_finite()
            && light.color.cmpge(app_core::glam::Vec3::ZERO).all()
            && light.color.cmple(app_core::glam::Vec3::ONE).all(),
        "light color {}",
        light.color
    );
    assert!(
        light.intensity.is_finite() && light.intensity >= 0.0,
        "light intensity {}",
        light.intensity
    );
}

/// Panics unless the background is drawable: finite, each channel 0..1.
pub fn check_background(rgb: Vec3) {
    assert!(
        rgb.is_finite() && rgb.cmpge(Vec3::ZERO).all() && rgb.cmple(Vec3::ONE).all(),
        "background {rgb}"
    );
}

/// What a renderer holds after applying every change the document handed out: it must always equal
/// the document's snapshot.
#[derive(Debug, Default)]
pub struct Mirror {
    nodes: BTreeMap<NodeId, Node>,
}

impl Mirror {
    /// Applies changes as a renderer would, panicking on one that cannot apply (an update or removal
    /// of a node never added, an addition of one already there) or that carries an invalid value.
    pub fn apply(&mut self, changes: Vec<SceneChange>) {
        for change in changes {
            match change {
                SceneChange::NodeAdded(node) => {
                    check_node(&node);
                    let id = node.id.clone();
                    assert!(
                        self.nodes.insert(id.clone(), node).is_none(),
                        "{id:?} added twice"
                    );
                }
                SceneChange::NodeUpdated { node, fields } => {
                    check_node(&node);
                    assert!(!fields.is_empty(), "{:?} updated with no fields", node.id);
                    let slot = self.nodes.get_mut(&node.id);
                    let slot = slot.unwrap_or_else(|| panic!("{:?} updated, never added", node.id));
                    *slot = node;
                }
                SceneChange::AssetAdded(_) => {}
                SceneChange::NodeRemoved(id) => {
                    assert!(
                        self.nodes.remove(&id).is_some(),
                        "{id:?} removed, never added"
                    );
                }
                SceneChange::LightChanged(light) => check_light(&light),
                SceneChange::BackgroundChanged(rgb) => check_background(rgb),
            }
        }
    }
}

/// Checks the document as readers see it and returns its snapshot: drains the change stream into
/// `mirror` (which must then equal the snapshot), validates every node and the light, resolves
/// parents to nodes present with no cycle, and agrees with `children` and `node`.
pub fn check_reads(doc: &mut SceneDoc, mirror: &mut Mirror) -> Vec<Node> {
    mirror.apply(doc.drain_changes());
    assert!(
        doc.drain_changes().is_empty(),
        "a second drain is not empty"
    );
    let snapshot = doc.snapshot();
    let by_id: BTreeMap<&NodeId, &Node> = snapshot.iter().map(|n| (&n.id, n)).collect();
    assert_eq!(by_id.len(), snapshot.len(), "duplicate ids in the snapshot");
    assert!(snapshot.len() <= doc.len(), "more nodes than entries");
    for node in &snapshot {
        check_node(node);
        // Parents resolve to present nodes, and walking up ends (no cycle survives reading).
        let mut at = node;
        for _ in 0..=snapshot.len() {
            let Some(parent) = &at.parent else { break };
            at = by_id
                .get(parent)
                .unwrap_or_else(|| panic!("{:?}: parent {parent:?} is not a node", node.id));
        }
        assert!(at.parent.is_none(), "{:?} sits on a parent cycle", node.id);
        assert_eq!(
            doc.node(node.id.as_str()).as_ref(),
            Some(node),
            "node() vs snapshot"
        );
        check_numbers(doc, node);
        assert!(
            doc.world_from_parent(node.id.as_str()).is_finite(),
            "{:?}: world matrix not finite",
            node.id
        );
    }
    // `children` lists each node exactly under its resolved parent (small documents only: O(n²)).
    if snapshot.len() <= 64 {
        let mut listed = 0;
        for parent in std::iter::once(None).chain(snapshot.iter().map(|n| Some(&n.id))) {
            for child in doc.children(parent.map(NodeId::as_str)) {
                let node = by_id
                    .get(&child)
                    .unwrap_or_else(|| panic!("children() lists {child:?}, not a node"));
                assert_eq!(
                    node.parent.as_ref(),
                    parent,
                    "{child:?} listed under {parent:?}"
                );
                listed += 1;
            }
        }
        assert_eq!(listed, snapshot.len(), "children() misses or repeats nodes");
    }
    check_light(&doc.light());
    check_background(doc.background());
    let mirrored: Vec<&Node> = mirror.nodes.values().collect();
    let expected: Vec<&Node> = snapshot.iter().collect();
    assert!(
        mirrored == expected,
        "the change stream disagrees with the snapshot:\nmirror   {mirrored:#?}\nsnapshot {expected:#?}"
    );
    doc.drain_problems();
    snapshot
}

/// A new replica loaded from `bytes`; panics if it refuses them (they came from our own encoder).
fn reload(bytes: &[u8], v2: bool) -> SceneDoc {
    let mut copy = new_doc(RELOAD_ID);
    let loaded = if v2 {
        copy.apply_update_v2(bytes)
    } else {
        copy.apply_update_v1(bytes)
    };
    if let Err(e) = loaded {
        panic!(
            "the document's own v{} state does not load: {e}",
            1 + v2 as u8
        );
    }
    copy
}

/// Everything a caller may do next must work: reads (see [`check_reads`]), saving as v1 and v2 and
/// reloading to the same nodes and light, an edit and its removal, and the local updates those
/// produced bringing the reloaded copy to the same state.
pub fn check_doc(doc: &mut SceneDoc, mirror: &mut Mirror) {
    let snapshot = check_reads(doc, mirror);
    let light = doc.light();
    let background = doc.background();
    let v1 = doc.encode_state_v1();
    let v2 = doc.encode_state_v2();
    let mut copy = reload(&v1, false);
    assert!(copy.snapshot() == snapshot, "reloaded from v1: other nodes");
    assert_eq!(copy.light(), light, "reloaded from v1: other light");
    assert_eq!(
        copy.background(),
        background,
        "reloaded from v1: other background"
    );
    let from_v2 = reload(&v2, true);
    assert!(
        from_v2.snapshot() == snapshot,
        "reloaded from v2: other nodes"
    );
    assert_eq!(from_v2.light(), light, "reloaded from v2: other light");
    assert_eq!(
        from_v2.background(),
        background,
        "reloaded from v2: other background"
    );
    assert!(!doc.state_vector_v1().is_empty(), "empty state vector");
    assert!(doc.encode_diff_v1(&doc.state_vector_v1()).is_ok());

    doc.take_local_updates();
    let id = doc
        .add_sphere([1.0, 2.0, 3.0], 0.5)
        .unwrap_or_else(|e| panic!("cannot add a node: {e}"));
    let node = doc.node(id.as_str()).expect("the added node reads back");
    assert_eq!(node.shape, Shape::Sphere { radius: 0.5 });
    if let Some(first) = snapshot.first() {
        // A peer may already have placed nodes under the id we just took: then this is a cycle.
        match doc.set_parent(id.as_str(), Some(first.id.as_str())) {
            Ok(()) | Err(SceneError::Cycle { .. }) => {}
            Err(e) => panic!("cannot parent the new node to {:?}: {e}", first.id),
        }
    }
    check_reads(doc, mirror);
    for update in doc.take_local_updates() {
        copy.apply_update_v1(&update)
            .unwrap_or_else(|e| panic!("the copy refuses a local update: {e}"));
    }
    assert!(
        copy.snapshot() == doc.snapshot(),
        "copy diverged after an edit"
    );
    doc.remove_node(id.as_str())
        .unwrap_or_else(|e| panic!("cannot remove the added node: {e}"));
    // Not "the snapshot is back to what it was": the removal takes nodes a peer put under that id.
    assert!(doc.node(id.as_str()).is_none());
    check_reads(doc, mirror);
}

/// Fuzz target `apply_update`: the first byte picks v1 or v2 (bit 0) and an empty or the base
/// document (bit 1); the rest is the update. A refused update must leave the document as it was;
/// either way the document must still work.
pub fn apply_update(data: &[u8]) {
    let Some((&selector, update)) = data.split_first() else {
        return;
    };
    let v2 = selector & 1 != 0;
    let mut doc = if selector & 2 != 0 {
        new_doc(SUBJECT_ID)
    } else {
        base_doc()
    };
    let mut mirror = Mirror::default();
    check_reads(&mut doc, &mut mirror);
    let before = doc.encode_state_v1();
    let result = if v2 {
        doc.apply_update_v2(update)
    } else {
        doc.apply_update_v1(update)
    };
    match result {
        Ok(()) => {}
        Err(SceneError::BadUpdate(_)) => {
            assert!(
                doc.encode_state_v1() == before,
                "a refused update changed the document"
            );
        }
        Err(e) => panic!("unexpected error for an update: {e}"),
    }
    check_doc(&mut doc, &mut mirror);
}

/// Fuzz target `sync_message`: bit 0 of the first byte picks an empty or the base document; the
/// rest is one y-protocols message. A refused message, or one carrying no update, leaves the
/// document as it was; replies must be understood by a peer; afterwards the document must still
/// work and a full sync handshake with a new peer must converge.
pub fn sync_message(data: &[u8]) {
    let Some((&selector, message)) = data.split_first() else {
        return;
    };
    let mut doc = if selector & 1 != 0 {
        new_doc(SUBJECT_ID)
    } else {
        base_doc()
    };
    let mut mirror = Mirror::default();
    check_reads(&mut doc, &mut mirror);
    let before = doc.encode_state_v1();
    match doc.handle_sync_message(message) {
        Ok(outcome) => {
            if !outcome.applied_update {
                assert!(
                    doc.encode_state_v1() == before,
                    "a message with no update changed the document"
                );
            }
            let mut peer = new_doc(RELOAD_ID);
            for reply in &outcome.replies {
                if let Err(e) = peer.handle_sync_message(reply) {
                    panic!("a peer refuses our reply: {e}");
                }
            }
        }
        Err(_) => assert!(
            doc.encode_state_v1() == before,
            "a refused message changed the document"
        ),
    }
    check_doc(&mut doc, &mut mirror);
    handshake(&mut doc, &mut new_doc(RELOAD_ID));
}

/// Runs the y-protocols handshake both ways between two documents and checks they converge.
pub fn handshake(a: &mut SceneDoc, b: &mut SceneDoc) {
    fn one_way(from: &mut SceneDoc, to: &mut SceneDoc) {
        let answer = to
            .handle_sync_message(&from.sync_step1())
            .unwrap_or_else(|e| panic!("step 1 refused: {e}"));
        for reply in answer.replies {
            from.handle_sync_message(&reply)
                .unwrap_or_else(|e| panic!("step 2 refused: {e}"));
        }
    }
    one_way(a, b);
    one_way(b, a);
    assert!(
        a.snapshot() == b.snapshot(),
        "peers differ after a handshake"
    );
    assert_eq!(
        a.light(),
        b.light(),
        "peers' lights differ after a handshake"
    );
    assert_eq!(
        a.background(),
        b.background(),
        "peers' backgrounds differ after a handshake"
    );
}
