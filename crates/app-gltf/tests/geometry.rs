//! Geometry read from built GLB and JSON files: layouts, index types, sparse and quantized
//! accessors, computed normals and tangents, primitive modes, external buffers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::HashMap;

use app_core::{Shape, glam::Vec3};
use common::*;
use serde_json::json;

fn close(a: [f32; 3], b: [f32; 3]) -> bool {
    (Vec3::from(a) - Vec3::from(b)).length() < 1e-5
}

#[test]
fn interleaved_strided_positions_and_normals_with_u16_indices() {
    let mut b = Builder::default();
    // position xyz, normal xyz per vertex: 24-byte stride, two accessors into one view.
    let mut interleaved = Vec::new();
    for p in QUAD_POSITIONS {
        interleaved.extend_from_slice(&p);
        interleaved.extend_from_slice(&[0.0, 0.0, 1.0]);
    }
    let view = b.view(&f32_bytes(&interleaved), Some(24));
    let pos = b.accessor(
        json!({"bufferView": view, "componentType": FLOAT, "count": 4, "type": "VEC3",
        "min": [0, 0, 0], "max": [1, 1, 0]}),
    );
    let nrm = b.accessor(json!({"bufferView": view, "byteOffset": 12, "componentType": FLOAT, "count": 4, "type": "VEC3"}));
    let idx = b.indices_u16(&QUAD_INDICES);
    let doc = one_mesh(json!({"attributes": {"POSITION": pos, "NORMAL": nrm}, "indices": idx}));
    for bytes in [b.glb(doc.clone()), b.gltf(doc)] {
        let scene = import_ok(&bytes);
        assert_eq!(scene.nodes.len(), 1);
        assert_eq!(scene.nodes[0].name, "quad");
        let (mesh, surface) = mesh_of(&scene, 0);
        assert_eq!(mesh.positions, QUAD_POSITIONS);
        assert_eq!(mesh.normals, [[0.0, 0.0, 1.0]; 4]);
        assert_eq!(mesh.indices, [0, 1, 2, 0, 2, 3]);
        assert_eq!(surface, None);
        let m = scene.nodes[0].material;
        assert_eq!(
            (m.base_color, m.metallic, m.roughness),
            (Vec3::ONE, 1.0, 1.0),
            "glTF's default material"
        );
    }
}

#[test]
fn u8_and_u32_indices_and_non_indexed_primitives() {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let i8s = b.indices_u8(&[0, 1, 2, 0, 2, 3]);
    let i32s = b.indices_u32(&[0, 1, 2, 0, 2, 3]);
    for idx in [i8s, i32s] {
        let scene = import_ok(&b.glb(one_mesh(
            json!({"attributes": {"POSITION": pos}, "indices": idx}),
        )));
        assert_eq!(mesh_of(&scene, 0).0.indices, [0, 1, 2, 0, 2, 3]);
    }
    // Non-indexed: 0..n, and computed normals are flat (each vertex has one triangle).
    let tri = b.vec3(&[
        [0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, 0.0, -1.0],
        [0.0, 0.0, 0.0],
        [0.0, 0.0, -1.0],
        [0.0, 1.0, 0.0],
    ]);
    let scene = import_ok(&b.glb(one_mesh(json!({"attributes": {"POSITION": tri}}))));
    let (mesh, _) = mesh_of(&scene, 0);
    assert_eq!(mesh.indices, [0, 1, 2, 3, 4, 5]);
    for n in &mesh.normals[..3] {
        assert!(close(*n, [0.0, 1.0, 0.0]), "{n:?}");
    }
    for n in &mesh.normals[3..] {
        assert!(close(*n, [1.0, 0.0, 0.0]), "{n:?}");
    }
}

#[test]
fn missing_normals_are_smooth_and_area_weighted() {
    let mut b = Builder::default();
    // Two triangles folded along the shared edge 0-1: one facing +Z, one (four times larger)
    // facing +Y.
    let pos = b.vec3(&[
        [0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, -4.0],
    ]);
    let idx = b.indices_u16(&[0, 1, 2, 0, 1, 3]);
    let scene = import_ok(&b.glb(one_mesh(
        json!({"attributes": {"POSITION": pos}, "indices": idx}),
    )));
    let (mesh, _) = mesh_of(&scene, 0);
    assert!(close(mesh.normals[2], [0.0, 0.0, 1.0]));
    assert!(close(mesh.normals[3], [0.0, 1.0, 0.0]));
    let shared = Vec3::new(0.0, 4.0, 1.0).normalize().to_array();
    assert!(close(mesh.normals[0], shared), "{:?}", mesh.normals[0]);
    assert!(close(mesh.normals[1], shared));
}

#[test]
fn sparse_accessors_patch_a_view_or_zeros() {
    let mut b = Builder::default();
    let base = b.vec3(&[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [9.0, 9.0, 9.0]]);
    let sparse_indices = b.view(&u16_bytes(&[2]), None);
    let sparse_values = b.view(&f32_bytes(&[0.0, 1.0, 0.0]), None);
    let sparse = json!({"count": 1,
        "indices": {"bufferView": sparse_indices, "componentType": UNSIGNED_SHORT},
        "values": {"bufferView": sparse_values}});
    b.accessors[base]["sparse"] = sparse.clone();
    let scene = import_ok(&b.glb(one_mesh(json!({"attributes": {"POSITION": base}}))));
    assert_eq!(
        mesh_of(&scene, 0).0.positions,
        [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    );

    // No bufferView: zeros, then the sparse values.
    let zeros =
        b.accessor(json!({"componentType": FLOAT, "count": 3, "type": "VEC3", "sparse": sparse}));
    let scene = import_ok(&b.glb(one_mesh(json!({"attributes": {"POSITION": zeros}}))));
    assert_eq!(
        mesh_of(&scene, 0).0.positions,
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    );
}

#[test]
fn quantized_positions_and_uvs() {
    let mut b = Builder::default();
    // i16 normalized positions, padded to an 8-byte stride as the extension requires.
    let mut bytes = Vec::new();
    for p in [[0i16, 0, 0], [32767, 0, 0], [0, -32768, 0]] {
        bytes.extend_from_slice(&i16_bytes(&p));
        bytes.extend_from_slice(&[0, 0]);
    }
    let view = b.view(&bytes, Some(8));
    let pos = b.accessor(json!({"bufferView": view, "componentType": SHORT, "normalized": true, "count": 3, "type": "VEC3"}));
    let uv = b.packed(&[0, 0, 255, 0, 0, 51], UNSIGNED_BYTE, 3, "VEC2", true);
    let mut doc = one_mesh(json!({"attributes": {"POSITION": pos, "TEXCOORD_0": uv}}));
    doc["extensionsUsed"] = json!(["KHR_mesh_quantization"]);
    doc["extensionsRequired"] = json!(["KHR_mesh_quantization"]);
    let scene = import_ok(&b.glb(doc));
    let (mesh, _) = mesh_of(&scene, 0);
    assert_eq!(
        mesh.positions,
        [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, -1.0, 0.0]],
        "max(c / 32767, -1)"
    );
    assert_eq!(mesh.uvs, [[0.0, 0.0], [1.0, 0.0], [0.0, 0.2]]);
    assert!(scene.ignored.is_empty(), "{:?}", scene.ignored);
}

#[test]
fn vec3_u8_colors_get_alpha_one() {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS[..3]);
    let color = b.packed(
        &[255, 0, 0, 0, 0, 51, 0, 0, 0, 0, 255, 0],
        UNSIGNED_BYTE,
        3,
        "VEC3",
        true,
    );
    // Three-byte elements with a 4-byte stride (attribute elements are 4-byte aligned).
    b.views[b.accessors[color]["bufferView"].as_u64().unwrap() as usize]["byteStride"] = json!(4);
    let scene = import_ok(&b.glb(one_mesh(
        json!({"attributes": {"POSITION": pos, "COLOR_0": color}}),
    )));
    let (mesh, _) = mesh_of(&scene, 0);
    assert_eq!(
        mesh.colors,
        [
            [1.0, 0.0, 0.0, 1.0],
            [0.0, 0.2, 0.0, 1.0],
            [0.0, 0.0, 1.0, 1.0]
        ]
    );
}

#[test]
fn strips_and_fans_become_lists_and_points_are_skipped() {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let strip_idx = b.indices_u16(&[0, 1, 3, 2]);
    let doc = json!({
        "scenes": [{"nodes": [0, 1, 2]}],
        "nodes": [{"mesh": 0}, {"mesh": 1}, {"mesh": 2}],
        "meshes": [
            {"name": "strip", "primitives": [{"attributes": {"POSITION": pos}, "indices": strip_idx, "mode": 5}]},
            {"name": "fan", "primitives": [{"attributes": {"POSITION": pos}, "mode": 6}]},
            {"name": "points", "primitives": [{"attributes": {"POSITION": pos}, "mode": 0}, {"attributes": {"POSITION": pos}, "mode": 1}]}
        ]
    });
    let scene = import_ok(&b.glb(doc));
    assert_eq!(mesh_of(&scene, 0).0.indices, [0, 1, 3, 1, 2, 3]);
    assert_eq!(mesh_of(&scene, 1).0.indices, [1, 2, 0, 2, 3, 0]);
    assert_eq!(scene.nodes[2].shape, Shape::Group);
    assert_eq!(scene.nodes[2].name, "points");
    assert_eq!(scene.ignored, ["points/lines primitives (2)"]);
}

#[test]
fn a_node_with_several_primitives_becomes_a_group_of_them() {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let idx = b.indices_u16(&QUAD_INDICES);
    let doc = json!({
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "two", "translation": [1, 2, 3], "children": [1]}, {"name": "after"}],
        "materials": [{"pbrMetallicRoughness": {"baseColorFactor": [1, 0, 0, 1]}}, {"pbrMetallicRoughness": {"baseColorFactor": [0, 0, 1, 1]}}],
        "meshes": [{"name": "parts", "primitives": [
            {"attributes": {"POSITION": pos}, "indices": idx, "material": 0},
            {"attributes": {"POSITION": pos}, "mode": 0},
            {"attributes": {"POSITION": pos}, "indices": idx, "material": 1}
        ]}]
    });
    let scene = import_ok(&b.glb(doc));
    let summary: Vec<_> = scene
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), n.parent))
        .collect();
    assert_eq!(
        summary,
        [
            ("two", None),
            ("parts 0", Some(0)),
            ("parts 2", Some(0)),
            ("after", Some(0))
        ]
    );
    assert_eq!(scene.nodes[0].shape, Shape::Group);
    assert_eq!(
        scene.nodes[0].transform.translation,
        Vec3::new(1.0, 2.0, 3.0)
    );
    assert_eq!(scene.nodes[1].transform, app_core::Transform::IDENTITY);
    assert_eq!(scene.nodes[1].material.base_color, Vec3::X);
    assert_eq!(scene.nodes[2].material.base_color, Vec3::Z);
    assert_eq!(
        scene.nodes[1].shape, scene.nodes[2].shape,
        "the same geometry, one asset"
    );
    assert_eq!(scene.assets.len(), 1);
}

#[test]
fn nodes_sharing_a_mesh_share_its_asset() {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let doc = json!({
        "scenes": [{"nodes": [0, 1]}],
        "nodes": [{"mesh": 0}, {"mesh": 0, "translation": [2, 0, 0]}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": pos}, "mode": 6}]}]
    });
    let scene = import_ok(&b.glb(doc));
    assert_eq!(scene.nodes[0].shape, scene.nodes[1].shape);
    assert_eq!(scene.assets.len(), 1);
}

#[test]
fn matrices_are_decomposed_and_shear_is_noted() {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let t = app_core::glam::Mat4::from_scale_rotation_translation(
        Vec3::new(2.0, 3.0, 4.0),
        app_core::glam::Quat::from_rotation_y(0.5),
        Vec3::new(5.0, 6.0, 7.0),
    );
    let sheared = [
        1.0, 0.0, 0.0, 0.0, 0.5, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
    ];
    let mirrored = [
        -1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
    ];
    let doc = json!({
        "scenes": [{"nodes": [0, 1, 2]}],
        "nodes": [{"mesh": 0, "matrix": t.to_cols_array()}, {"matrix": sheared}, {"matrix": mirrored}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": pos}, "mode": 6}]}]
    });
    let scene = import_ok(&b.glb(doc));
    let got = scene.nodes[0].transform;
    assert!(
        (got.scale - Vec3::new(2.0, 3.0, 4.0)).length() < 1e-5,
        "{got:?}"
    );
    assert!((got.translation - Vec3::new(5.0, 6.0, 7.0)).length() < 1e-5);
    assert!(
        got.rotation
            .angle_between(app_core::glam::Quat::from_rotation_y(0.5))
            < 1e-4
    );
    assert!(scene.nodes[2].transform.scale.min_element() > 0.0);
    assert_eq!(
        scene.ignored,
        [
            "shear or projection in node matrices (1: node 1)",
            "mirroring (negative scale), imported unmirrored (1: node 2)"
        ]
    );
}

#[test]
fn external_buffers_come_from_resources() {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let mut doc = b.document(one_mesh(
        json!({"attributes": {"POSITION": pos}, "mode": 6}),
    ));
    doc["buffers"][0]["uri"] = json!("data%20files/quad.bin");
    let bytes = serde_json::to_vec(&doc).unwrap();
    for key in ["data%20files/quad.bin", "data files/quad.bin"] {
        let resources = HashMap::from([(key.to_string(), b.bin.clone())]);
        let scene = app_gltf::import(&bytes, &resources).unwrap();
        assert_eq!(mesh_of(&scene, 0).0.positions, QUAD_POSITIONS);
    }
    let err = import_err(&bytes);
    assert!(
        err.contains("\"data%20files/quad.bin\"") && err.contains("not provided"),
        "{err}"
    );

    // A file picker gives file names only; a dropped folder adds its own name; URIs climb out with
    // "../" or use Windows' backslashes: the one resource with the longest matching tail is used.
    let quad = |key: &str| (key.to_string(), b.bin.clone());
    for (uri, keys) in [
        ("data%20files/quad.bin", vec![quad("quad.bin")]),
        (
            "data%20files/quad.bin",
            vec![quad("model/data files/quad.bin"), quad("x/quad.bin")],
        ),
        ("../shared/quad.bin", vec![quad("quad.bin")]),
        ("data files\\quad.bin", vec![quad("quad.bin")]),
    ] {
        doc["buffers"][0]["uri"] = json!(uri);
        let bytes = serde_json::to_vec(&doc).unwrap();
        let scene = app_gltf::import(&bytes, &HashMap::from_iter(keys)).unwrap();
        assert_eq!(mesh_of(&scene, 0).0.positions, QUAD_POSITIONS, "{uri}");
    }
    // Two equally good candidates: neither is guessed.
    doc["buffers"][0]["uri"] = json!("data/quad.bin");
    let bytes = serde_json::to_vec(&doc).unwrap();
    let two = HashMap::from([quad("a/quad.bin"), quad("b/quad.bin")]);
    let err = app_gltf::import(&bytes, &two).unwrap_err().to_string();
    assert!(
        err.contains("\"data/quad.bin\", which was not provided"),
        "{err}"
    );
}

#[test]
fn files_without_scenes_import_every_root_node() {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let doc = json!({
        "nodes": [{"name": "a", "children": [2]}, {"name": "b", "mesh": 0}, {"name": "c"}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": pos}, "mode": 6}]}],
        "animations": [], "cameras": [{"type": "perspective", "perspective": {"yfov": 1, "znear": 0.1}}],
        "extensionsUsed": ["KHR_lights_punctual", "KHR_texture_transform"]
    });
    let scene = import_ok(&b.glb(doc));
    let names: Vec<_> = scene
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), n.parent))
        .collect();
    assert_eq!(names, [("a", None), ("c", Some(0)), ("b", None)]);
    assert_eq!(scene.ignored, ["cameras (1)", "KHR_lights_punctual"]);
}

#[test]
fn scenes_may_leave_out_their_nodes() {
    // Blender writes its empty scenes without a `nodes` list; glTF 2.0 allows it (gltf-json 1.4 does
    // not).
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let mut doc = one_mesh(json!({"attributes": {"POSITION": pos}, "mode": 6}));
    doc["scenes"] = json!([{"name": "Scene", "nodes": [0]}, {"name": "Scene.001"}]);
    for bytes in [b.glb(doc.clone()), b.gltf(doc.clone())] {
        let scene = import_ok(&bytes);
        assert_eq!(scene.nodes.len(), 1);
        assert_eq!(mesh_of(&scene, 0).0.positions, QUAD_POSITIONS);
        assert_eq!(scene.ignored, ["scenes other than the default (1)"]);
    }
    // The empty scene as the default: nothing to import, as three.js shows an empty scene.
    doc["scene"] = json!(1);
    let scene = import_ok(&b.glb(doc));
    assert!(scene.nodes.is_empty() && scene.assets.is_empty());
    assert_eq!(
        scene.ignored,
        [
            "scenes other than the default (1)",
            "nodes outside the imported scene (1)"
        ]
    );
}

#[test]
fn whole_numbers_written_as_decimals_and_extras_of_any_kind_are_read() {
    // JSON has one number type: Python-based exporters write counts and indices as `24.0`, the glTF
    // validator accepts `1e0` for an index, three.js reads both. glTF lets `extras` be any value.
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let idx = b.indices_u16(&QUAD_INDICES);
    let doc = one_mesh(json!({"attributes": {"POSITION": pos}, "indices": idx}));
    let plain = import_ok(&b.glb(doc.clone()));

    let mut odd = b.document(doc);
    odd["accessors"][pos]["count"] = json!(4.0);
    odd["accessors"][pos]["componentType"] = json!(5126.0);
    odd["accessors"][idx]["count"] = json!(6.0);
    odd["nodes"][0]["mesh"] = json!(0.0);
    odd["scenes"][0]["nodes"] = json!([0.0]);
    odd["nodes"][0]["extras"] = json!(42);
    odd["scenes"][0]["extras"] = json!("from Unity");
    odd["asset"]["extras"] = json!(null);
    // and with an exponent: 0.0e5 is 0.
    let text = serde_json::to_string(&odd)
        .unwrap()
        .replace("\"buffer\":0", "\"buffer\":0.0e5");
    assert!(
        text.contains("\"count\":4.0") && text.contains("0.0e5"),
        "{text}"
    );
    let scene = import_ok(&glb_text(&text, Some(&b.bin)));
    assert_eq!(scene.nodes, plain.nodes);
    assert_eq!(scene.assets, plain.assets);

    // A value with a fraction stays an error where an integer is needed, naming the value.
    let fractional = text.replace("\"count\":4.0", "\"count\":4.5");
    let err = import_err(&glb_text(&fractional, Some(&b.bin)));
    assert!(err.contains("4.5"), "{err}");
}

#[test]
fn animation_channels_without_a_node_are_ignored() {
    // KHR_animation_pointer channels target a JSON pointer instead of a node (and Blockbench writes
    // untargeted channels): glTF 2.0 says to ignore such a channel (gltf-json 1.4 requires `node`).
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let times = b.packed(&f32_bytes(&[0.0, 1.0]), FLOAT, 2, "SCALAR", false);
    let colors = b.packed(
        &f32_bytes(&[1.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
        FLOAT,
        2,
        "VEC3",
        false,
    );
    let moves = b.packed(&f32_bytes(&[0.0; 6]), FLOAT, 2, "VEC3", false);
    let mut doc = one_mesh(json!({"attributes": {"POSITION": pos}, "mode": 6, "material": 0}));
    doc["materials"] = json!([{"name": "glow"}]);
    doc["extensionsUsed"] = json!(["KHR_animation_pointer"]);
    doc["animations"] = json!([{
        "channels": [
            {"sampler": 0, "target": {"path": "pointer", "extensions": {"KHR_animation_pointer":
                {"pointer": "/materials/0/pbrMetallicRoughness/baseColorFactor"}}}},
            {"sampler": 1, "target": {"path": "translation"}},
            {"sampler": 1, "target": {"node": 0, "path": "translation"}}
        ],
        "samplers": [{"input": times, "output": colors}, {"input": times, "output": moves}]
    }]);
    for bytes in [b.glb(doc.clone()), b.gltf(doc)] {
        let scene = import_ok(&bytes);
        assert_eq!(scene.nodes.len(), 1);
        assert_eq!(mesh_of(&scene, 0).0.positions, QUAD_POSITIONS);
        assert_eq!(scene.ignored, ["animations (1)", "KHR_animation_pointer"]);
    }
}

#[test]
fn long_names_are_cut_and_primitive_children_stay_distinct() {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let long = "ü".repeat(1500);
    let prim = json!({"attributes": {"POSITION": pos}, "mode": 6});
    let doc = json!({
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"name": long, "primitives": [prim, prim]}]
    });
    let scene = import_ok(&b.glb(doc));
    assert_eq!(scene.nodes.len(), 3);
    assert_eq!(scene.nodes[0].name.len(), 1024);
    assert!(scene.nodes[1].name.ends_with("ü 0") && scene.nodes[2].name.ends_with("ü 1"));
    assert!(
        scene
            .nodes
            .iter()
            .all(|n| n.name.len() <= app_gltf::MAX_NAME_BYTES)
    );
}
