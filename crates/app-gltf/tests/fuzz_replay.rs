//! Replays the `import_gltf` fuzz corpus (`tests/fuzz/corpus/import_gltf/`) and every saved crasher
//! (`tests/fuzz/crashers/import_gltf/`) natively, with the fuzz target's own checks
//! (`tests/fuzz_check/mod.rs`), so `cargo test` proves old findings fixed on stable Rust.
//!
//! `FUZZ_WRITE_SEEDS=1 cargo test -p app-gltf --test fuzz_replay write_seeds -- --ignored` writes the
//! hand-made seed inputs the corpus starts from.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;
mod fuzz_check;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::json;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fuzz")
}

/// Every file under `tests/fuzz/<kind>/import_gltf/`, sorted (none when the folder is absent).
fn inputs(kind: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join("import_gltf");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn corpus_and_crashers_pass_the_checks() {
    let corpus = inputs("corpus");
    assert!(corpus.len() >= 3, "the committed seeds are missing");
    for path in corpus.iter().chain(&inputs("crashers")) {
        let data = std::fs::read(path).unwrap();
        fuzz_check::import_gltf(&data);
    }
}

#[test]
fn seeds_import() {
    for (name, input) in seeds() {
        let file = fuzz_check::file_of(&input);
        let scene =
            app_gltf::import(&file, &Default::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        fuzz_check::check_scene(&scene);
    }
}

/// The hand-made seeds: the sample models and built files covering the readers.
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/gltf");
    let sample = |name: &str| fuzz_check::input_raw(&std::fs::read(shared.join(name)).unwrap());

    // A normal-mapped quad with uvs and an embedded PNG header: tangents computed, textures, samplers.
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let uv = b.vec2(&QUAD_UVS);
    let idx = b.indices_u16(&QUAD_INDICES);
    let png = b.view(&png_header(4, 4), None);
    let mut doc = one_mesh(
        json!({"attributes": {"POSITION": pos, "TEXCOORD_0": uv}, "indices": idx, "material": 0}),
    );
    doc["materials"] = json!([{"normalTexture": {"index": 0}, "alphaMode": "MASK",
        "pbrMetallicRoughness": {"baseColorTexture": {"index": 0, "extensions": {"KHR_texture_transform": {"scale": [2, 2]}}}}}]);
    doc["textures"] = json!([{"source": 0, "sampler": 0}]);
    doc["samplers"] = json!([{"wrapS": 33071, "minFilter": 9984}]);
    doc["images"] = json!([{"bufferView": png, "mimeType": "image/png"}]);
    let textured = fuzz_check::input_raw(&b.glb(doc));

    // Sparse, quantized, strided, strip and multi-primitive geometry in a wrapped GLB.
    let mut b = Builder::default();
    let base = b.vec3(&QUAD_POSITIONS);
    let si = b.view(&[1], None);
    let sv = b.view(&f32_bytes(&[0.5, 0.0, 0.0]), None);
    b.accessors[base]["sparse"] = json!({"count": 1, "indices": {"bufferView": si, "componentType": UNSIGNED_BYTE}, "values": {"bufferView": sv}});
    let mut q = Vec::new();
    for p in [
        [0i16, 0, 0],
        [32767, 0, 0],
        [32767, 32767, 0],
        [0, 32767, 0],
    ] {
        q.extend_from_slice(&i16_bytes(&p));
        q.extend_from_slice(&[0, 0]);
    }
    let qv = b.view(&q, Some(8));
    let qpos = b.accessor(json!({"bufferView": qv, "componentType": SHORT, "normalized": true, "count": 4, "type": "VEC3"}));
    let colors = b.packed(
        &[255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 9, 9, 9, 9],
        UNSIGNED_BYTE,
        4,
        "VEC4",
        true,
    );
    let strip = b.indices_u8(&[0, 1, 3, 2]);
    let doc = b.document(json!({
        "extensionsRequired": ["KHR_mesh_quantization"],
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "matrix": [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 1, 2, 3, 1], "children": [1]}, {"rotation": [0, 0.6, 0, 0.8]}],
        "meshes": [{"name": "parts", "primitives": [
            {"attributes": {"POSITION": base}, "mode": 6},
            {"attributes": {"POSITION": qpos, "COLOR_0": colors}, "indices": strip, "mode": 5}
        ]}]
    }));
    let wrapped = fuzz_check::input_glb(&serde_json::to_vec(&doc).unwrap(), &b.bin);

    // What files from the field hold: instancing (quantized rotations), a specular-glossiness material
    // with a WebP texture, a required light, a count written as 4.0 and extras that are not objects.
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let uv = b.vec2(&QUAD_UVS);
    let t = b.packed(
        &f32_bytes(&[0.0, 0.0, 0.0, 2.0, 0.0, 0.0]),
        FLOAT,
        2,
        "VEC3",
        false,
    );
    let r = b.packed(
        &i16_bytes(&[0, 0, 0, 32767, 0, 23170, 0, 23170]),
        SHORT,
        2,
        "VEC4",
        true,
    );
    let mut webp = Vec::new();
    image_webp::WebPEncoder::new(&mut webp)
        .encode(
            &[200, 100, 50, 255].repeat(4),
            2,
            2,
            image_webp::ColorType::Rgba8,
        )
        .unwrap();
    let image = b.view(&webp, None);
    let doc = b.document(json!({
        "extensionsUsed": ["EXT_mesh_gpu_instancing", "KHR_materials_pbrSpecularGlossiness", "EXT_texture_webp", "KHR_lights_punctual"],
        "extensionsRequired": ["EXT_mesh_gpu_instancing", "KHR_materials_pbrSpecularGlossiness", "EXT_texture_webp", "KHR_lights_punctual"],
        "extensions": {"KHR_lights_punctual": {"lights": [{"type": "directional"}]}},
        "scene": 0,
        "scenes": [{"nodes": [0], "extras": "exported by a script"}],
        "nodes": [{"mesh": 0, "extensions": {"EXT_mesh_gpu_instancing": {"attributes": {"TRANSLATION": t, "ROTATION": r}}}}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": pos, "TEXCOORD_0": uv}, "mode": 6, "material": 0}]}],
        "materials": [{"extensions": {"KHR_materials_pbrSpecularGlossiness": {"diffuseFactor": [1, 0.5, 0.5, 1], "glossinessFactor": 0.4, "diffuseTexture": {"index": 0}}}}],
        "textures": [{"extensions": {"EXT_texture_webp": {"source": 0}}}],
        "images": [{"bufferView": image, "mimeType": "image/webp"}]
    }));
    let text = serde_json::to_string(&doc)
        .unwrap()
        .replace("\"count\":4,", "\"count\":4.0,");
    assert!(text.contains("4.0"));
    let field = fuzz_check::input_glb(text.as_bytes(), &b.bin);

    // Compressed views (EXT_meshopt_compression): positions as attributes, indices as a sequence.
    let positions: Vec<u8> = f32_bytes(&QUAD_POSITIONS.concat());
    let attributes = meshopt_encode::encode_attributes(&positions, 12, &mut [0; 4]);
    let sequence = meshopt_encode::encode_index_sequence(&QUAD_INDICES.map(u32::from));
    let mut bin = attributes.clone();
    bin.extend(&sequence);
    let doc = json!({
        "asset": {"version": "2.0"},
        "extensionsUsed": ["EXT_meshopt_compression"],
        "extensionsRequired": ["EXT_meshopt_compression"],
        "buffers": [{"byteLength": bin.len()}, {"byteLength": 60, "extensions": {"EXT_meshopt_compression": {"fallback": true}}}],
        "bufferViews": [
            {"buffer": 1, "byteLength": 48, "extensions": {"EXT_meshopt_compression": {"buffer": 0,
                "byteLength": attributes.len(), "byteStride": 12, "count": 4, "mode": "ATTRIBUTES"}}},
            {"buffer": 1, "byteOffset": 48, "byteLength": 12, "extensions": {"EXT_meshopt_compression": {"buffer": 0,
                "byteOffset": attributes.len(), "byteLength": sequence.len(), "byteStride": 2, "count": 6, "mode": "INDICES"}}}
        ],
        "accessors": [{"bufferView": 0, "componentType": FLOAT, "count": 4, "type": "VEC3"},
            {"bufferView": 1, "componentType": UNSIGNED_SHORT, "count": 6, "type": "SCALAR"}],
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}]
    });
    let meshopt = fuzz_check::input_glb(&serde_json::to_vec(&doc).unwrap(), &bin);

    vec![
        ("box", sample("Box.gltf")),
        ("box-animated", sample("BoxAnimated.gltf")),
        ("box-textured", sample("BoxTextured.gltf")),
        ("textured-quad-glb", textured),
        ("wrapped-sparse-quantized", wrapped),
        ("field-extensions", field),
        ("meshopt", meshopt),
    ]
}

#[test]
#[ignore = "writes the seed corpus: FUZZ_WRITE_SEEDS=1 ... -- --ignored"]
fn write_seeds() {
    if std::env::var_os("FUZZ_WRITE_SEEDS").is_none() {
        return;
    }
    let dir = fuzz_dir().join("corpus").join("import_gltf");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, input) in seeds() {
        std::fs::write(dir.join(format!("seed-{name}")), input).unwrap();
    }
}
