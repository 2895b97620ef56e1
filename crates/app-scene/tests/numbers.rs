//! Numbers read back as set (`SceneDoc::node_numbers`): edits store the f64 they were given, the
//! f32 `Node` stays what is drawn, and a hostile stored value reads as the f32 reader uses it.
//! Emissive is HDR (0..=1e6).

// A test file: its helpers may unwrap, expect and panic too (clippy.toml allows it in #[test] fns only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use app_core::Shape;
use app_core::glam::{Quat, Vec3};
use app_scene::SceneDoc;
use app_scene::schema::NodeNumbers;
use yrs::updates::decoder::Decode;
use yrs::{Any, Doc, Map, MapPrelim, ReadTxn, StateVector, Transact};

fn doc() -> SceneDoc {
    SceneDoc::with_client_id(1)
}

/// The quaternion normalised in f64, as `set_rotation` does.
fn normalised(q: [f64; 4]) -> [f64; 4] {
    let len = q.iter().map(|v| v * v).sum::<f64>().sqrt();
    q.map(|v| v / len)
}

#[test]
fn every_edited_number_reads_back_exactly_as_set() {
    let mut d = doc();
    let s = d.add_sphere([1.6, 0.1, -0.3], 0.7).unwrap();
    let q = [0.1, 0.2, 0.3, 0.4];
    d.set_rotation(s.as_str(), q).unwrap();
    d.set_scale(s.as_str(), [0.1, 1.6, 2.2]).unwrap();
    d.set_base_color(s.as_str(), [0.1, 0.2, 0.3]).unwrap();
    d.set_metallic_roughness(s.as_str(), 0.3, 0.7).unwrap();
    d.set_emissive(s.as_str(), [0.1, 2.5, 1000.3]).unwrap();
    let expected = NodeNumbers {
        translation: [1.6, 0.1, -0.3],
        rotation: normalised(q),
        scale: [0.1, 1.6, 2.2],
        color: [0.1, 0.2, 0.3],
        metallic: 0.3,
        roughness: 0.7,
        emissive: [0.1, 2.5, 1000.3],
        radius: Some(0.7),
        extents: None,
        size: None,
    };
    assert_eq!(d.node_numbers(s.as_str()), Some(expected));

    // Editing one part of an atomic value keeps the others as stored (not as their f32).
    d.set_translation(s.as_str(), [0.3, 0.2, 0.1]).unwrap();
    d.set_sphere_radius(s.as_str(), 1.1).unwrap();
    d.set_metallic_roughness(s.as_str(), 0.9, 0.1).unwrap();
    let n = d.node_numbers(s.as_str()).unwrap();
    assert_eq!(n.translation, [0.3, 0.2, 0.1]);
    assert_eq!(n.rotation, normalised(q), "the rotation survives a move");
    assert_eq!(n.scale, [0.1, 1.6, 2.2]);
    assert_eq!((n.metallic, n.roughness), (0.9, 0.1));
    assert_eq!(
        n.color,
        [0.1, 0.2, 0.3],
        "the color survives a metallic edit"
    );
    assert_eq!(n.emissive, [0.1, 2.5, 1000.3]);
    assert_eq!(n.radius, Some(1.1));

    // What is drawn is still the f32 node.
    let node = d.node(s.as_str()).unwrap();
    assert_eq!(node.transform.translation, Vec3::new(0.3, 0.2, 0.1));
    assert_eq!(node.transform.scale, Vec3::new(0.1, 1.6, 2.2));
    assert!(
        node.transform
            .rotation
            .abs_diff_eq(Quat::from_xyzw(0.1, 0.2, 0.3, 0.4).normalize(), 1e-6)
    );
    assert_eq!(node.material.emissive, Vec3::new(0.1, 2.5, 1000.3));

    let b = d.add_box([0.0; 3], [0.1, 0.2, 0.3]).unwrap();
    let p = d.add_plane([0.0; 3], 1.1).unwrap();
    assert_eq!(
        d.node_numbers(b.as_str()).unwrap().extents,
        Some([0.1, 0.2, 0.3])
    );
    assert_eq!(
        (
            d.node_numbers(b.as_str()).unwrap().radius,
            d.node_numbers(b.as_str()).unwrap().size
        ),
        (None, None)
    );
    d.set_box_extents(b.as_str(), [1.6, 0.7, 2.3]).unwrap();
    d.set_plane_size(p.as_str(), 3.3).unwrap();
    assert_eq!(
        d.node_numbers(b.as_str()).unwrap().extents,
        Some([1.6, 0.7, 2.3])
    );
    assert_eq!(d.node_numbers(p.as_str()).unwrap().size, Some(3.3));

    // Peers and reloads read the same f64s (v1 and v2).
    for v2 in [false, true] {
        let mut peer = SceneDoc::with_client_id(2);
        if v2 {
            peer.apply_update_v2(&d.encode_state_v2()).unwrap();
        } else {
            peer.apply_update_v1(&d.encode_state_v1()).unwrap();
        }
        for id in [&s, &b, &p] {
            assert_eq!(
                peer.node_numbers(id.as_str()),
                d.node_numbers(id.as_str()),
                "v2: {v2}"
            );
        }
    }
    assert_eq!(d.node_numbers("nope"), None);
    assert!(d.drain_problems().is_empty());
}

#[test]
fn a_yjs_peer_sees_the_numbers_as_set() {
    let mut d = doc();
    let s = d.add_sphere([1.6, 0.0, 0.0], 0.1).unwrap();
    d.set_base_color(s.as_str(), [0.3, 0.2, 0.1]).unwrap();
    let peer = Doc::new();
    let nodes = peer.get_or_insert_map("nodes");
    peer.transact_mut()
        .apply_update(yrs::Update::decode_v1(&d.encode_state_v1()).unwrap())
        .unwrap();
    let txn = peer.transact();
    let Some(yrs::Out::YMap(node)) = nodes.get(&txn, s.as_str()) else {
        panic!("no node map")
    };
    let get = |k: &str| match node.get(&txn, k) {
        Some(yrs::Out::Any(any)) => any,
        other => panic!("{k}: {other:?}"),
    };
    let Any::Array(t) = get("transform") else {
        panic!("transform")
    };
    assert_eq!(t[0], Any::from(1.6));
    assert_eq!(get("radius"), Any::from(0.1));
    let Any::Array(m) = get("material") else {
        panic!("material")
    };
    assert_eq!(m[..3], [Any::from(0.3), Any::from(0.2), Any::from(0.1)]);
}

#[test]
fn defaults_read_as_their_decimals() {
    let mut d = doc();
    let s = d.add_sphere([0.0; 3], 1.0).unwrap();
    let n = d.node_numbers(s.as_str()).unwrap();
    assert_eq!(n.rotation, [0.0, 0.0, 0.0, 1.0]);
    assert_eq!(n.scale, [1.0; 3]);
    assert_eq!(n.color, [0.8; 3], "not 0.800000011920929");
    assert_eq!((n.metallic, n.roughness), (0.0, 0.5));
    assert_eq!(n.emissive, [0.0; 3]);
    // A material edit stores the other channels at their defaults, as set.
    d.set_metallic_roughness(s.as_str(), 0.25, 0.75).unwrap();
    assert_eq!(d.node_numbers(s.as_str()).unwrap().color, [0.8; 3]);
}

fn nums(values: &[f64]) -> Any {
    Any::Array(values.iter().map(|&v| Any::from(v)).collect())
}

/// One node written by a raw Yjs-level peer, loaded into a new `SceneDoc`.
fn load_node(fields: Vec<(&str, Any)>) -> SceneDoc {
    let peer = Doc::with_client_id(99);
    let nodes = peer.get_or_insert_map("nodes");
    {
        let mut txn = peer.transact_mut();
        let prelim: MapPrelim = fields
            .into_iter()
            .map(|(k, v)| (k, yrs::In::Any(v)))
            .collect();
        nodes.insert(&mut txn, "n", prelim);
    }
    let update = peer
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let mut d = doc();
    d.apply_update_v1(&update).unwrap();
    d
}

#[test]
fn hostile_stored_numbers_read_as_the_f32_reader_uses_them() {
    let mut d = load_node(vec![
        ("kind", Any::from("sphere")),
        ("radius", Any::from("big")),
        (
            "transform",
            // Translation beyond the world limit (the reader uses the origin), an unnormalised
            // rotation, a scale below the minimum (the reader uses 1).
            nums(&[2e6, 0.1, 0.2, 0.0, 0.0, 3.0, 4.0, 1e-9, 2.0, 3.0]),
        ),
        (
            "material",
            nums(&[1.5, 0.2, -0.3, 2.0, 0.6, -1.0, 2e6, 3.5]),
        ),
    ]);
    let n = d.node_numbers("n").unwrap();
    assert_eq!(n.translation, [0.0; 3]);
    assert_eq!(n.rotation, [0.0, 0.0, 0.6, 0.8], "normalised in f64");
    assert_eq!(n.scale, [1.0; 3]);
    assert_eq!(
        n.color,
        [1.0, 0.2, 0.0],
        "clamped where out of range, else as stored"
    );
    assert_eq!((n.metallic, n.roughness), (1.0, 0.6));
    assert_eq!(n.emissive, [0.0, 1e6, 3.5], "emissive is clamped to 0..1e6");
    assert_eq!(n.radius, Some(1.0));
    let node = d.node("n").unwrap();
    assert_eq!(node.material.emissive, Vec3::new(0.0, 1e6, 3.5));
    assert_eq!(node.shape, Shape::Sphere { radius: 1.0 });
    let problems = d.drain_problems();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("emissive -1 is outside 0..1e6")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("emissive 2000000 is outside 0..1e6")),
        "{problems:#?}"
    );
    assert!(
        !problems.iter().any(|p| p.contains("emissive 3.5")),
        "HDR emissive is valid: {problems:#?}"
    );

    // An edit writes the fixed values for the parts it does not set.
    d.set_translation("n", [1.6, 0.0, 0.0]).unwrap();
    let after = d.node_numbers("n").unwrap();
    assert_eq!(after.translation, [1.6, 0.0, 0.0]);
    assert_eq!(after.rotation, [0.0, 0.0, 0.6, 0.8]);
    assert_eq!(after.scale, [1.0; 3]);
    d.set_base_color("n", [0.1, 0.1, 0.1]).unwrap();
    let after = d.node_numbers("n").unwrap();
    assert_eq!(after.emissive, [0.0, 1e6, 3.5]);
    assert_eq!(after.color, [0.1; 3]);

    // Not numbers at all: the whole value is the reader's default.
    let d = load_node(vec![
        ("kind", Any::from("box")),
        ("extents", nums(&[1.0, f64::NAN, 2.0])),
        ("material", Any::from("shiny")),
        ("transform", nums(&[1.6, 0.0])),
    ]);
    let n = d.node_numbers("n").unwrap();
    assert_eq!(n.extents, Some([1.0; 3]));
    assert_eq!(n.color, [0.8; 3]);
    assert_eq!(n.roughness, 0.5);
    assert_eq!(n.translation, [0.0; 3]);
    assert_eq!(n.rotation, [0.0, 0.0, 0.0, 1.0]);
}

#[test]
fn emissive_is_hdr_and_checked_per_channel() {
    let mut d = doc();
    let s = d.add_sphere([0.0; 3], 1.0).unwrap();
    d.set_emissive(s.as_str(), [0.0, 50.0, 1e6]).unwrap();
    assert_eq!(
        d.node(s.as_str()).unwrap().material.emissive,
        Vec3::new(0.0, 50.0, 1e6)
    );
    let before = d.encode_state_v1();
    d.take_local_updates();
    for (rgb, message) in [
        ([-1.0, 0.0, 0.0], "emissive.red must be >= 0, got -1"),
        (
            [0.0, 2e6, 0.0],
            "emissive.green must be within 0..1000000, got 2000000",
        ),
        (
            [0.0, 0.0, f64::NAN],
            "emissive.blue must be a finite number, got NaN",
        ),
        (
            [0.0, 0.0, f64::INFINITY],
            "emissive.blue must be a finite number, got inf",
        ),
    ] {
        assert_eq!(
            d.set_emissive(s.as_str(), rgb).unwrap_err().to_string(),
            message
        );
    }
    assert_eq!(d.encode_state_v1(), before, "failed calls changed nothing");
    assert!(d.take_local_updates().is_empty());
}

#[test]
fn widen_gives_the_shortest_decimal_that_reads_back_as_the_f32() {
    use app_scene::schema::widen;
    for (read, decimal) in [
        (0.8f32, 0.8f64),
        (1.6, 1.6),
        (0.1, 0.1),
        (1e-6, 1e-6),
        (123_456.7, 123_456.7),
        (1e6, 1e6),
        (-2.5, -2.5),
        (0.0, 0.0),
        (3.0e38, 3.0e38),
    ] {
        assert_eq!(widen(read), decimal, "{read}");
    }
    // Values with no short decimal still read back as the same f32.
    for bits in [0x3f80_0001u32, 0x3eaa_aaab, 0x4049_0fdb] {
        let read = f32::from_bits(bits);
        assert_eq!(widen(read) as f32, read);
    }
}
