//! `EXT_mesh_gpu_instancing`: each instance becomes a node under the instanced node, drawn as the
//! node's mesh; transforms read from float and quantized accessors; counts and limits checked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use app_core::Shape;
use app_core::glam::{Quat, Vec3};
use common::*;
use serde_json::{Value, json};

/// A quad mesh on node 0 (translated to x = 10, with a child node 1), instanced by `attributes`.
fn instanced(b: &mut Builder, attributes: Value) -> Value {
    let pos = b.vec3(&QUAD_POSITIONS);
    let idx = b.indices_u16(&QUAD_INDICES);
    json!({
        "extensionsUsed": ["EXT_mesh_gpu_instancing"],
        "extensionsRequired": ["EXT_mesh_gpu_instancing"],
        "scenes": [{"nodes": [0]}],
        "nodes": [
            {"name": "trees", "mesh": 0, "translation": [10.0, 0.0, 0.0], "children": [1],
             "extensions": {"EXT_mesh_gpu_instancing": {"attributes": attributes}}},
            {"name": "sign"}
        ],
        "meshes": [{"name": "tree", "primitives": [{"attributes": {"POSITION": pos}, "indices": idx}]}]
    })
}

#[test]
fn each_instance_is_a_node_under_the_instanced_one() {
    let mut b = Builder::default();
    let t = b.packed(
        &f32_bytes(&[0.0, 0.0, 0.0, 1.0, 2.0, 3.0, -4.0, 0.0, 0.0]),
        FLOAT,
        3,
        "VEC3",
        false,
    );
    // Rotations as normalized shorts (KHR_mesh_quantization's form): identity, 90° about y, 180° about z.
    let r = b.packed(
        &i16_bytes(&[0, 0, 0, 32767, 0, 23170, 0, 23170, 0, 0, 32767, 0]),
        SHORT,
        3,
        "VEC4",
        true,
    );
    let s = b.packed(
        &f32_bytes(&[1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 0.5, 1.0, -3.0]),
        FLOAT,
        3,
        "VEC3",
        false,
    );
    let doc = instanced(
        &mut b,
        json!({"TRANSLATION": t, "ROTATION": r, "SCALE": s, "_ID": t}),
    );
    for bytes in [b.glb(doc.clone()), b.gltf(doc.clone())] {
        let scene = import_ok(&bytes);
        let names: Vec<_> = scene
            .nodes
            .iter()
            .map(|n| (n.name.as_str(), n.parent))
            .collect();
        assert_eq!(
            names,
            [
                ("trees", None),
                ("trees 0", Some(0)),
                ("trees 1", Some(0)),
                ("trees 2", Some(0)),
                ("sign", Some(0)),
            ]
        );
        assert_eq!(scene.nodes[0].shape, Shape::Group);
        assert_eq!(
            scene.nodes[0].transform.translation,
            Vec3::new(10.0, 0.0, 0.0)
        );
        // Every instance draws the one mesh asset: the engine draws them as one instanced draw.
        let mesh = mesh_of(&scene, 1).0;
        assert_eq!(mesh.positions, QUAD_POSITIONS);
        for k in 1..=3 {
            assert_eq!(scene.nodes[k].shape, scene.nodes[1].shape);
        }
        assert_eq!(scene.assets.len(), 1);
        let tr = |k: usize| scene.nodes[k].transform;
        assert_eq!(tr(2).translation, Vec3::new(1.0, 2.0, 3.0));
        assert_eq!(tr(3).translation, Vec3::new(-4.0, 0.0, 0.0));
        assert!(tr(1).rotation.abs_diff_eq(Quat::IDENTITY, 1e-4));
        let quarter = Quat::from_rotation_y(std::f32::consts::FRAC_PI_2);
        assert!(
            tr(2).rotation.abs_diff_eq(quarter, 1e-4),
            "{}",
            tr(2).rotation
        );
        assert!((tr(3).rotation.length() - 1.0).abs() < 1e-6);
        assert_eq!(tr(2).scale, Vec3::splat(2.0));
        // A mirroring scale is imported unmirrored, naming the instance.
        assert_eq!(tr(3).scale, Vec3::new(0.5, 1.0, 3.0));
        assert_eq!(
            scene.ignored,
            [
                "instance attributes other than TRANSLATION, ROTATION and SCALE (1: _ID)",
                "mirroring (negative scale), imported unmirrored (1: node 0 instance 2)"
            ]
        );
    }
}

#[test]
fn instances_of_a_multi_primitive_mesh_are_groups_and_one_attribute_is_enough() {
    let mut b = Builder::default();
    let t = b.packed(
        &f32_bytes(&[0.0, 0.0, 0.0, 5.0, 0.0, 0.0]),
        FLOAT,
        2,
        "VEC3",
        false,
    );
    let mut doc = instanced(&mut b, json!({"TRANSLATION": t}));
    let prim = doc["meshes"][0]["primitives"][0].clone();
    doc["meshes"][0]["primitives"] = json!([prim.clone(), prim]);
    let scene = import_ok(&b.glb(doc));
    let names: Vec<_> = scene
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), n.parent, n.shape == Shape::Group))
        .collect();
    assert_eq!(
        names,
        [
            ("trees", None, true),
            ("trees 0", Some(0), true),
            ("tree 0", Some(1), false),
            ("tree 1", Some(1), false),
            ("trees 1", Some(0), true),
            ("tree 0", Some(4), false),
            ("tree 1", Some(4), false),
            ("sign", Some(0), true),
        ]
    );
    assert_eq!(
        scene.nodes[4].transform.translation,
        Vec3::new(5.0, 0.0, 0.0)
    );
    assert_eq!(scene.nodes[4].transform.scale, Vec3::ONE);
    assert!(scene.ignored.is_empty(), "{:?}", scene.ignored);
}

#[test]
fn bad_instancing_is_refused_naming_it() {
    let mut b = Builder::default();
    let t3 = b.packed(&f32_bytes(&[0.0; 9]), FLOAT, 3, "VEC3", false);
    let s2 = b.packed(&f32_bytes(&[1.0; 6]), FLOAT, 2, "VEC3", false);
    let nan = b.packed(&f32_bytes(&[0.0, f32::NAN, 0.0]), FLOAT, 1, "VEC3", false);
    let far = b.packed(&f32_bytes(&[0.0, 1e9, 0.0]), FLOAT, 1, "VEC3", false);
    let zero_rotation = b.packed(&f32_bytes(&[0.0; 4]), FLOAT, 1, "VEC4", false);
    let huge = b.accessor(
        json!({"bufferView": 0, "componentType": FLOAT, "count": 4_000_000_000u64, "type": "VEC3"}),
    );
    let base = instanced(&mut b, json!({}));
    let with = |attributes: Value| {
        let mut doc = base.clone();
        doc["nodes"][0]["extensions"]["EXT_mesh_gpu_instancing"]["attributes"] = attributes;
        b.glb(doc)
    };
    for (attributes, needles) in [
        (
            json!({"TRANSLATION": t3, "SCALE": s2}),
            &["SCALE has 2 elements, but TRANSLATION has 3"][..],
        ),
        (
            json!({"TRANSLATION": nan}),
            &["TRANSLATION", "not a finite number"],
        ),
        (
            json!({"TRANSLATION": far}),
            &["node 0 instance 0", "world limit"],
        ),
        (
            json!({"ROTATION": zero_rotation}),
            &["node 0 instance 0", "not a unit quaternion"],
        ),
        (json!({"TRANSLATION": huge}), &["count 4000000000"]),
        (json!({"TRANSLATION": 99}), &["accessor 99 does not exist"]),
        (
            json!({"TRANSLATION": "0"}),
            &["TRANSLATION is not an accessor index"],
        ),
        (json!({"ROTATION": t3}), &["VEC3 is not allowed"]),
    ] {
        let err = import_err(&with(attributes.clone()));
        for needle in needles {
            assert!(
                err.contains(needle),
                "{attributes}: {needle:?} not in {err:?}"
            );
        }
    }
    let mut doc = base.clone();
    doc["nodes"][0]["extensions"]["EXT_mesh_gpu_instancing"] = json!({});
    assert!(import_err(&b.glb(doc)).contains("has no attributes object"));
    // No attribute that places instances: drawn once, as without the extension, and noted.
    let scene = import_ok(&with(json!({"_ID": t3})));
    assert_eq!(scene.nodes.len(), 2);
    assert_eq!(mesh_of(&scene, 0).0.positions, QUAD_POSITIONS);
}

#[test]
fn instances_count_against_the_node_limit() {
    // 100,000 instances of a two-primitive mesh would be 300,001 nodes: refused, naming the limit.
    let mut b = Builder::default();
    let t = b.packed(&vec![0u8; 100_000 * 12], FLOAT, 100_000, "VEC3", false);
    let mut doc = instanced(&mut b, json!({"TRANSLATION": t}));
    let prim = doc["meshes"][0]["primitives"][0].clone();
    doc["meshes"][0]["primitives"] = json!([prim.clone(), prim]);
    let err = import_err(&b.glb(doc));
    assert!(err.contains("more than 100000 nodes"), "{err}");
}
