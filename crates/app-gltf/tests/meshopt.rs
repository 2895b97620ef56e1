//! `EXT_meshopt_compression` through the importer: a model whose views are all compressed (with
//! filters, the fallback buffer empty), and compressed views that are wrong, each refused naming it.
//! The codec itself is tested in `src/meshopt/tests.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use app_core::glam::Vec3;
use common::meshopt_encode::{encode_attributes, encode_index_sequence};
use common::*;
use serde_json::{Value, json};

/// A quad GLB whose views are all compressed: POSITION (EXPONENTIAL filter), NORMAL (OCTAHEDRAL,
/// 16-bit), indices (INDICES, u16); the fallback buffer has no bytes.
fn compressed_quad() -> (Vec<u8>, Value) {
    let exp = |v: f32| -> [u8; 4] { (v as i32 & 0x00ff_ffff).to_le_bytes() }; // exponent 0
    let positions: Vec<u8> = QUAD_POSITIONS
        .iter()
        .flatten()
        .flat_map(|&v| exp(v))
        .collect();
    let normals: Vec<u8> = (0..4)
        .flat_map(|_| [0i16, 0, 32767, 0])
        .flat_map(i16::to_le_bytes)
        .collect();
    let streams = [
        (
            encode_attributes(&positions, 12, &mut [0; 4]),
            12,
            "ATTRIBUTES",
            "EXPONENTIAL",
            4,
        ),
        (
            encode_attributes(&normals, 8, &mut [0; 4]),
            8,
            "ATTRIBUTES",
            "OCTAHEDRAL",
            4,
        ),
        (
            encode_index_sequence(&QUAD_INDICES.map(u32::from)),
            2,
            "INDICES",
            "NONE",
            6,
        ),
    ];
    let mut bin = Vec::new();
    let mut views = Vec::new();
    let mut fallback_at = 0;
    for (stream, stride, mode, filter, count) in streams {
        while bin.len() % 4 != 0 {
            bin.push(0);
        }
        views.push(json!({"buffer": 1, "byteOffset": fallback_at, "byteLength": stride * count,
            "extensions": {"EXT_meshopt_compression": {"buffer": 0, "byteOffset": bin.len(),
            "byteLength": stream.len(), "byteStride": stride, "count": count, "mode": mode, "filter": filter}}}));
        if mode == "ATTRIBUTES" {
            // Normals keep their fourth component: the elements are 8 bytes apart.
            views.last_mut().unwrap()["byteStride"] = json!(stride);
        }
        fallback_at += stride * count;
        bin.extend(stream);
    }
    let doc = json!({
        "asset": {"version": "2.0"},
        "extensionsUsed": ["EXT_meshopt_compression"],
        "extensionsRequired": ["EXT_meshopt_compression"],
        "buffers": [{"byteLength": bin.len()},
            {"byteLength": fallback_at, "extensions": {"EXT_meshopt_compression": {"fallback": true}}}],
        "bufferViews": views,
        "accessors": [
            {"bufferView": 0, "componentType": FLOAT, "count": 4, "type": "VEC3"},
            {"bufferView": 1, "componentType": SHORT, "normalized": true, "count": 4, "type": "VEC3"},
            {"bufferView": 2, "componentType": UNSIGNED_SHORT, "count": 6, "type": "SCALAR"}
        ],
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1}, "indices": 2}]}]
    });
    (bin, doc)
}

#[test]
fn a_model_whose_views_are_all_compressed_imports_exactly() {
    let (bin, doc) = compressed_quad();
    let scene = import_ok(&glb(&doc, Some(&bin)));
    let mesh = mesh_of(&scene, 0).0;
    assert_eq!(mesh.positions, QUAD_POSITIONS);
    assert_eq!(mesh.indices, QUAD_INDICES.map(u32::from));
    for n in &mesh.normals {
        assert!(Vec3::from(*n).abs_diff_eq(Vec3::Z, 1e-4), "{n:?}");
    }
    assert!(scene.ignored.is_empty(), "{:?}", scene.ignored);
}

/// View 0's extension object.
fn ext(doc: &mut Value) -> &mut Value {
    &mut doc["bufferViews"][0]["extensions"]["EXT_meshopt_compression"]
}

#[test]
fn wrong_compressed_views_are_refused_naming_them() {
    let (bin, doc) = compressed_quad();

    // (field of view 0's extension object, its new value (null: left out), what the error says)
    let cases = [
        (
            "mode",
            json!("ZIP"),
            "mode is not ATTRIBUTES, TRIANGLES or INDICES",
        ),
        ("filter", json!("MAGIC"), "filter is not NONE"),
        (
            "count",
            json!(5),
            "byteStride 12 × count 5 is not the view's byteLength 48",
        ),
        ("byteStride", json!(6), "is not the view's byteLength"),
        (
            "filter",
            json!("QUATERNION"),
            "do not fit its mode and filter",
        ),
        (
            "byteLength",
            json!(1_000_000),
            "is past the end of buffer 0",
        ),
        (
            "byteLength",
            json!(20),
            "buffer view 0: EXT_meshopt_compression",
        ),
        ("buffer", json!(7), "buffer 7 does not exist"),
        ("count", Value::Null, "has no count"),
        (
            "count",
            json!(4_000_000_000u64),
            "is not the view's byteLength",
        ),
    ];
    for (field, value, needle) in cases {
        let mut broken = doc.clone();
        let object = ext(&mut broken).as_object_mut().unwrap();
        if value.is_null() {
            object.remove(field);
        } else {
            object.insert(field.to_string(), value);
        }
        let err = import_err(&glb(&broken, Some(&bin)));
        assert!(err.contains(needle), "{field}: {needle:?} not in {err:?}");
    }
    // A huge declared view (4 billion elements) is refused before anything is allocated.
    let mut huge = doc.clone();
    huge["bufferViews"][0]["byteLength"] = json!(12u64 * 4_000_000_000);
    ext(&mut huge)["count"] = json!(4_000_000_000u64);
    let err = import_err(&glb(&huge, Some(&bin)));
    assert!(
        err.contains("at most") && err.contains("decoded in one import"),
        "{err}"
    );
}
