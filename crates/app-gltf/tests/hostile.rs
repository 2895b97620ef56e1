//! Hostile and broken files: each must fail with a message naming the problem, without panicking
//! and without allocating for counts the file does not back with bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::*;
use serde_json::{Value, json};

fn expect_err(bytes: &[u8], needles: &[&str]) {
    let err = import_err(bytes);
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in {err:?}");
    }
}

/// A valid quad GLB's builder and document, for the tests to break.
fn quad() -> (Builder, Value) {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let idx = b.indices_u16(&QUAD_INDICES);
    let doc = one_mesh(json!({"attributes": {"POSITION": pos}, "indices": idx}));
    (b, doc)
}

#[test]
fn malformed_json() {
    expect_err(
        b"{\"asset\": {\"version\": \"2.0\"",
        &["not a valid glTF file", "EOF"],
    );
    expect_err(b"", &["not a valid glTF file"]);
    expect_err(
        b"{\"asset\": {\"version\": \"2.0\"}, \"nodes\": [{\"translation\": [NaN, 0, 0]}]}",
        &["not a valid glTF file"],
    );
    expect_err(
        b"{\"asset\": {\"version\": \"2.0\"}, \"nodes\": 5}",
        &["not a valid glTF file", "expected a sequence", "column 40"],
    );
    // Filling in the optional scene nodes and untargeted channels' nodes does not hide what else is
    // wrong: the error is the second reading's, with the file's line (the added text has no breaks).
    expect_err(
        br#"{"asset": {"version": "2.0"}, "scenes": [{}], "nodes": [{"mesh": "zero"}]}"#,
        &[
            "not a valid glTF file",
            "invalid type",
            "\"zero\"",
            "at line 1",
        ],
    );
    expect_err(
        br#"{"asset": {"version": "2.0"}, "animations": [{"channels": [{"sampler": 0,
            "target": {"path": "rotation"}}], "samplers": [{"input": 0}]}]}"#,
        &[
            "not a valid glTF file",
            "missing field `output`",
            "at line 2",
        ],
    );
    // glTF 1.0 (objects in dictionaries by id) is named as such, by its asset.version.
    expect_err(
        br#"{"asset": {"version": "1.0"}, "scene": "defaultScene",
            "scenes": {"defaultScene": {"nodes": ["rootNode"]}}, "nodes": {"rootNode": {}}}"#,
        &[
            "not a valid glTF file",
            "asset.version is \"1.0\"",
            "only glTF 2.0 is supported",
        ],
    );
    // A channel whose target is not an object is not an untargeted channel.
    expect_err(
        br#"{"asset": {"version": "2.0"}, "animations": [{"channels": [{"sampler": 0,
            "target": 7}], "samplers": []}]}"#,
        &["not a valid glTF file", "expected struct Target", "line 2"],
    );
}

#[test]
fn truncated_glb_and_chunks_past_the_end() {
    let (b, doc) = quad();
    let glb = b.glb(doc);
    import_ok(&glb);
    expect_err(
        &glb[..glb.len() / 2],
        &["GLB", "the header says the file is", "truncated"],
    );
    expect_err(&glb[..10], &["GLB", "12-byte header"]);
    let mut long_chunk = glb.clone();
    let json_len = u32::from_le_bytes(glb[12..16].try_into().unwrap()) as usize;
    let bin_at = 20 + json_len;
    long_chunk[bin_at..bin_at + 4].copy_from_slice(&1_000_000u32.to_le_bytes());
    expect_err(
        &long_chunk,
        &["chunk 1 is 1000000 bytes long, past the end of the file"],
    );
    let mut v1 = glb.clone();
    v1[4] = 1;
    expect_err(&v1, &["version 1"]);
}

#[test]
fn accessor_past_its_view_and_view_past_its_buffer() {
    let (mut b, doc) = quad();
    b.accessors[0]["byteOffset"] = json!(4);
    expect_err(
        &b.glb(doc.clone()),
        &["accessor 0: byteOffset 4 + 48 bytes is past the end of buffer view 0 (48 bytes)"],
    );
    let (mut b, doc) = quad();
    b.views[1]["byteLength"] = json!(4000);
    expect_err(
        &b.glb(doc.clone()),
        &["buffer view 1: byteOffset 48 + byteLength 4000 is past the end of buffer 0"],
    );
    let (mut b, doc) = quad();
    b.views[0]["byteStride"] = json!(8);
    expect_err(
        &b.glb(doc.clone()),
        &["buffer view 0: byteStride 8 is smaller than accessor 0's 12-byte elements"],
    );
    let (b, doc) = quad();
    let mut document = b.document(doc);
    document["buffers"][0]["byteLength"] = json!(100_000);
    expect_err(
        &glb(&document, Some(&b.bin)),
        &["buffer 0 has", "fewer than its byteLength 100000"],
    );
}

#[test]
fn index_past_the_vertex_count() {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let idx = b.indices_u16(&[0, 1, 2, 0, 2, 7]);
    expect_err(
        &b.glb(one_mesh(
            json!({"attributes": {"POSITION": pos}, "indices": idx}),
        )),
        &["mesh 0 primitive 0: index 7 (element 5 of accessor 1) is past the vertex count 4"],
    );
}

#[test]
fn billions_of_elements_fail_before_allocating() {
    let (mut b, doc) = quad();
    b.accessors[0]["count"] = json!(4_000_000_000u64);
    expect_err(&b.glb(doc), &["mesh 0 primitive 0", "4000000000 vertices"]);
    let (mut b, doc) = quad();
    b.accessors[1]["count"] = json!(4_000_000_000u64);
    expect_err(&b.glb(doc), &["mesh 0 primitive 0", "triangles"]);
    // Without a buffer view an accessor is zeros: its count alone sizes the mesh.
    let mut b = Builder::default();
    let pos = b.accessor(json!({"componentType": FLOAT, "count": 4_000_000, "type": "VEC3"}));
    expect_err(
        &b.glb(one_mesh(json!({"attributes": {"POSITION": pos}}))),
        &["32505856 bytes (31 MiB)", "mesh 0 primitive 0"],
    );
    let mut b = Builder::default();
    let zeros = b.accessor(json!({"componentType": FLOAT, "count": 3, "type": "VEC3"}));
    let sparse = b.accessor(json!({"componentType": FLOAT, "count": 3, "type": "VEC3",
        "sparse": {"count": 4_000_000_000u64, "indices": {"bufferView": 0, "componentType": UNSIGNED_BYTE}, "values": {"bufferView": 0}}}));
    b.view(&[0; 12], None);
    let _ = zeros;
    expect_err(
        &b.glb(one_mesh(json!({"attributes": {"POSITION": sparse}}))),
        &["accessor 1: sparse count 4000000000"],
    );
}

#[test]
fn models_over_32_mib_are_refused_naming_the_limit() {
    // A real 33 MiB image in the BIN chunk (a PNG header followed by zeros).
    let mut b = Builder::default();
    let mut big = png_header(64, 64);
    big.resize(33 << 20, 0);
    let image = b.view(&big, None);
    let pos = b.vec3(&QUAD_POSITIONS);
    let uv = b.vec2(&QUAD_UVS);
    let mut doc = one_mesh(
        json!({"attributes": {"POSITION": pos, "TEXCOORD_0": uv}, "mode": 6, "material": 0}),
    );
    doc["materials"] = json!([{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}]);
    doc["textures"] = json!([{"source": 0}]);
    doc["images"] = json!([{"bufferView": image, "mimeType": "image/png"}]);
    expect_err(
        &b.glb(doc),
        &["too large", "image 0", "32505856 bytes (31 MiB)"],
    );
}

#[test]
fn cycles_shared_nodes_and_depth() {
    let scene_of = |nodes: Value| json!({"asset": {"version": "2.0"}, "scenes": [{"nodes": [0]}], "nodes": nodes});
    let bytes = |doc: Value| serde_json::to_vec(&doc).unwrap();
    expect_err(
        &bytes(scene_of(json!([{"children": [1]}, {"children": [0]}]))),
        &["node hierarchy", "node 0 is its own ancestor"],
    );
    expect_err(
        &bytes(scene_of(json!([{"children": [0]}]))),
        &["node 0 is its own ancestor"],
    );
    expect_err(
        &bytes(scene_of(
            json!([{"children": [1, 2]}, {"children": [2]}, {}]),
        )),
        &["node 2 is reached twice, as a child of node 1 and as a child of node 0"],
    );
    expect_err(
        &bytes(scene_of(json!([{"children": [1, 1]}, {}]))),
        &["node 1 is reached twice"],
    );
    expect_err(
        &bytes(scene_of(json!([{"children": [5]}]))),
        &["node 0's children: node 5 does not exist"],
    );
    let chain = |n: usize| {
        let nodes: Vec<Value> = (0..n)
            .map(|i| {
                if i + 1 < n {
                    json!({"children": [i + 1]})
                } else {
                    json!({})
                }
            })
            .collect();
        bytes(scene_of(Value::Array(nodes)))
    };
    assert_eq!(import_ok(&chain(64)).nodes.len(), 64);
    expect_err(&chain(65), &["node 64 is 65 levels deep; the limit is 64"]);
    // Deep hierarchies cost no stack: a 100,000-node chain fails on depth, not by overflowing.
    expect_err(&chain(100_000), &["65 levels deep"]);
}

#[test]
fn transforms_must_be_finite_and_in_range() {
    let node =
        |n: Value| serde_json::to_vec(&json!({"asset": {"version": "2.0"}, "nodes": [n]})).unwrap();
    // 1e39 overflows f32: the same as an infinity (JSON has no NaN literal).
    expect_err(
        &node(json!({"translation": [1e39, 0, 0]})),
        &["node 0: translation", "not finite"],
    );
    expect_err(
        &node(json!({"translation": [2e6, 0, 0]})),
        &["node 0: translation 2000000", "world limit"],
    );
    expect_err(
        &node(json!({"scale": [1, 2e6, 1]})),
        &["node 0: scale 2000000", "world limit"],
    );
    expect_err(
        &node(json!({"rotation": [0, 0, 0, 0]})),
        &["node 0: rotation", "not a unit quaternion"],
    );
    expect_err(
        &node(json!({"matrix": [1e39, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]})),
        &["node 0: matrix", "not finite"],
    );
    // Zero scales hide parts (FBX2glTF, Blender, Maya export them): imported invisibly small, noted.
    for hidden in [
        json!({"scale": [1, 0, 1]}),
        json!({"matrix": vec![0.0; 16]}),
    ] {
        let scene = import_ok(&node(hidden));
        let t = scene.nodes[0].transform;
        assert!(
            t.scale.min_element() > 0.0 && f64::from(t.scale.min_element()) >= app_core::MIN_SIZE
        );
        assert!(t.rotation.is_normalized() && t.translation.is_finite());
        assert!(
            scene
                .ignored
                .iter()
                .any(|i| i.contains("zero or tiny scales")),
            "{:?}",
            scene.ignored
        );
    }
    // A singular matrix (two equal columns): imported with a note or refused, never NaN.
    let singular = json!({"matrix": [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]});
    if let Ok(scene) = import(&node(singular)) {
        let t = scene.nodes[0].transform;
        assert!(t.rotation.is_normalized() && t.scale.is_finite() && t.translation.is_finite());
        assert!(!scene.ignored.is_empty());
    }
    let scene = import_ok(&node(
        json!({"rotation": [0, 0, 0, 2], "scale": [-2, 1, 1]}),
    ));
    assert!(scene.nodes[0].transform.rotation.is_normalized());
    assert_eq!(scene.nodes[0].transform.scale.x, 2.0);
}

#[test]
fn garbage_data_uris_and_missing_buffers() {
    let (b, doc) = quad();
    let mut document = b.document(doc.clone());
    document["buffers"][0]["uri"] = json!("data:application/octet-stream;base64,@@@not base64@@@");
    expect_err(
        &serde_json::to_vec(&document).unwrap(),
        &["buffer 0: the data URI", "is not valid base64"],
    );
    document["buffers"][0]["uri"] = json!("data:application/octet-stream,plain");
    expect_err(
        &serde_json::to_vec(&document).unwrap(),
        &["is not base64-encoded"],
    );
    let mut document = b.document(doc);
    document["buffers"][0]["uri"] = json!("model.bin");
    expect_err(
        &serde_json::to_vec(&document).unwrap(),
        &["the model refers to the file \"model.bin\", which was not provided"],
    );
    // JSON without any buffer data for buffer 0.
    let (b, doc) = quad();
    expect_err(
        &serde_json::to_vec(&b.document(doc)).unwrap(),
        &["buffer 0 has no URI and the file has no GLB binary chunk"],
    );
}

#[test]
fn required_extensions_must_be_supported() {
    let (b, mut doc) = quad();
    doc["extensionsRequired"] = json!(["KHR_materials_unlit", "KHR_draco_mesh_compression"]);
    expect_err(
        &b.glb(doc.clone()),
        &["requires the glTF extension KHR_draco_mesh_compression"],
    );
    // An extension nobody knows may change what the data means (the glTF Asset Generator's
    // Compatibility model 05 must fail everywhere).
    doc["extensionsRequired"] = json!(["KHR_lights_punctual", "EXT_QUANTUM_STATE"]);
    expect_err(
        &b.glb(doc.clone()),
        &["requires the glTF extension EXT_QUANTUM_STATE"],
    );
    // Known extensions the model is whole without are left out, as when only used: Blender marks
    // KHR_lights_punctual required whenever its scene has a light.
    doc["extensionsRequired"] = json!(["KHR_lights_punctual", "KHR_materials_clearcoat"]);
    doc["extensionsUsed"] = json!(["KHR_lights_punctual", "KHR_materials_clearcoat"]);
    doc["extensions"] = json!({"KHR_lights_punctual": {"lights": [{"type": "point"}]}});
    doc["nodes"][0]["extensions"] = json!({"KHR_lights_punctual": {"light": 0}});
    let scene = import_ok(&b.glb(doc));
    assert_eq!(mesh_of(&scene, 0).0.positions, QUAD_POSITIONS);
    assert_eq!(
        scene.ignored,
        ["KHR_lights_punctual", "KHR_materials_clearcoat"]
    );
}

#[test]
fn compressed_primitives_without_fallback_data_are_refused_naming_the_extension() {
    // Draco listed only in extensionsUsed, its accessors without data: importing zeros would give
    // an invisible mesh and no word why. three.js refuses such a file too (without a DRACOLoader).
    let (mut b, mut doc) = quad();
    let empty = b.accessor(json!({"componentType": FLOAT, "count": 4, "type": "VEC3"}));
    doc["meshes"][0]["primitives"][0]["attributes"]["POSITION"] = json!(empty);
    doc["meshes"][0]["primitives"][0]["extensions"] =
        json!({"KHR_draco_mesh_compression": {"bufferView": 0, "attributes": {"POSITION": 0}}});
    doc["extensionsUsed"] = json!(["KHR_draco_mesh_compression"]);
    expect_err(
        &b.glb(doc.clone()),
        &[
            "mesh 0 primitive 0 is compressed with KHR_draco_mesh_compression",
            "no uncompressed data",
        ],
    );
    // With uncompressed data beside it, that data is imported.
    doc["meshes"][0]["primitives"][0]["attributes"]["POSITION"] = json!(0);
    let scene = import_ok(&b.glb(doc));
    assert_eq!(mesh_of(&scene, 0).0.positions, QUAD_POSITIONS);
    assert_eq!(scene.ignored, ["KHR_draco_mesh_compression"]);

    // EXT_meshopt_compression's fallback buffer holds no bytes: reading it through a view that is
    // not compressed itself (an invalid file) names the extension.
    let (b, doc) = quad();
    let mut full = b.document(doc);
    full["buffers"] = json!([{"byteLength": b.bin.len()}, {"byteLength": b.bin.len(),
        "extensions": {"EXT_meshopt_compression": {"fallback": true}}}]);
    full["bufferViews"][0]["buffer"] = json!(1);
    full["extensionsUsed"] = json!(["EXT_meshopt_compression"]);
    expect_err(
        &glb(&full, Some(&b.bin)),
        &["buffer 1 holds no data", "EXT_meshopt_compression"],
    );
}

#[test]
fn wrong_types_and_missing_attributes() {
    let (mut b, doc) = quad();
    b.accessors[0]["type"] = json!("VEC2");
    expect_err(
        &b.glb(doc),
        &["accessor 0 (POSITION): type VEC2 is not allowed (must be VEC3)"],
    );
    let (mut b, doc) = quad();
    b.accessors[1]["componentType"] = json!(FLOAT);
    expect_err(
        &b.glb(doc),
        &["accessor 1 (indices): componentType FLOAT is not allowed"],
    );
    let (mut b, doc) = quad();
    b.accessors[1]["componentType"] = json!(1234);
    expect_err(
        &b.glb(doc),
        &["accessor 1 (indices): unknown componentType"],
    );
    // No POSITION is valid glTF: the primitive is skipped (glTF says so), noted.
    let (b, mut doc) = quad();
    doc["meshes"][0]["primitives"][0]["attributes"] = json!({"NORMAL": 0});
    let scene = import_ok(&b.glb(doc));
    assert_eq!(scene.nodes.len(), 1);
    assert_eq!(scene.nodes[0].shape, app_core::Shape::Group);
    assert_eq!(scene.ignored, ["primitives without POSITION (1)"]);
    let (b, mut doc) = quad();
    doc["meshes"][0]["primitives"][0]["mode"] = json!(9);
    expect_err(&b.glb(doc), &["mesh 0 primitive 0: unknown mode"]);
    let (b, mut doc) = quad();
    doc["meshes"][0]["primitives"][0]["material"] = json!(3);
    expect_err(
        &b.glb(doc),
        &["mesh 0 primitive 0: material 3 does not exist (the file has 0)"],
    );
    let (b, mut doc) = quad();
    doc["nodes"][0]["mesh"] = json!(3);
    expect_err(&b.glb(doc), &["node 0: mesh 3 does not exist"]);
    let (b, mut doc) = quad();
    doc["scene"] = json!(2);
    expect_err(&b.glb(doc), &["scene 2 does not exist"]);
}

#[test]
fn non_finite_floats_in_buffers() {
    let mut b = Builder::default();
    let pos = b.vec3(&[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, f32::NAN, 0.0]]);
    expect_err(
        &b.glb(one_mesh(json!({"attributes": {"POSITION": pos}}))),
        &["accessor 0 (POSITION): element 2 is not a finite number"],
    );
    let mut b = Builder::default();
    let pos = b.vec3(&[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1e7, 0.0]]);
    expect_err(
        &b.glb(one_mesh(json!({"attributes": {"POSITION": pos}}))),
        &["coordinate 10000000 is beyond the world limit"],
    );
}

/// Every single-byte corruption and truncation of a small model imports or fails, never panics.
#[test]
fn corrupted_bytes_never_panic() {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let uv = b.vec2(&QUAD_UVS);
    let idx = b.indices_u16(&QUAD_INDICES);
    let png = b.view(&png_header(4, 4), None);
    let mut doc = one_mesh(
        json!({"attributes": {"POSITION": pos, "TEXCOORD_0": uv}, "indices": idx, "material": 0}),
    );
    doc["materials"] = json!([{"normalTexture": {"index": 0}}]);
    doc["textures"] = json!([{"source": 0}]);
    doc["images"] = json!([{"bufferView": png, "mimeType": "image/png"}]);
    let glb = b.glb(doc);
    import_ok(&glb);
    for len in 0..glb.len() {
        let _ = import(&glb[..len]);
    }
    for at in 0..glb.len() {
        for flip in [0x01u8, 0x80, 0xFF] {
            let mut bad = glb.clone();
            bad[at] ^= flip;
            let _ = import(&bad);
        }
    }
}
